"""Fake Twilio Programmable Messaging and Voice sends, under `/twilio` (real: api.twilio.com).

- `POST /twilio/2010-04-01/Accounts/{sid}/Messages.json` (form: `To`, `From` or
  `MessagingServiceSid`, `Body` ≤ 1600 characters and/or `MediaUrl`, or `ContentSid` +
  `ContentVariables`, optional `StatusCallback`) → 201 with the Message resource: sid `SM…`,
  status "queued" ("accepted" and num_segments "0" when only a Messaging Service is given, as
  Twilio does), price null. `num_segments` is approximate: GSM-7 text counts 160 per single
  segment / 153 per part (extension characters count twice), anything else UCS-2 70 / 67
  UTF-16 units; WhatsApp (`whatsapp:` addresses) is always 1.
  With a `StatusCallback`, the fake then POSTs `sent` and `delivered` callbacks to it (each
  after `CALLBACK_DELAY` seconds), form-encoded and signed with X-Twilio-Signature using the
  auth token of the request. The initial status gets no callback, as on Twilio.
- `POST /twilio/2010-04-01/Accounts/{sid}/Calls.json` (`To`, `From`, `Twiml` or `Url`,
  `StatusCallback`, `StatusCallbackEvent`, `StatusCallbackMethod`) → 201 with sid `CA…`,
  status "queued", then call-progress callbacks `initiated`, `ringing`, `answered`
  (CallStatus in-progress), `completed`. Unlike Twilio (which sends only `completed` when no
  `StatusCallbackEvent` is given) the fake sends all four unless `StatusCallbackEvent` names
  a subset.

HTTP Basic auth `AccountSid:AuthToken` (the user must be the account in the path, or an API
key `SK…`) is required: otherwise 401 code 20003. Validation errors use Twilio's codes: 21604
To missing, 21603 From missing, 21602 Body missing, 21617 Body over 1600, 21656 bad
ContentVariables, 21205 call without Url/Twiml.

Scripted outcomes (see `scripts`, matched on `To`): `invalid_number` (400, 21211),
`rate_limited` (429, 20429), `opted_out` (400, 21610), `undeliverable_later` (201, then `sent`
and a `failed` callback with ErrorCode 30003; the script's `error_code` and `final_status`
change these), and for calls `busy` / `no_answer` (the call ends with that status unanswered).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import secrets
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlsplit

from ..recorder import RecordedRequest
from ..routes import Response, route
from . import scripts as script_book
from .twilio import PREFIX, twilio_error

API = "/2010-04-01"
BODY_LIMIT = 1600
CALLBACK_DELAY = 0.1
ERROR_MESSAGES = {
    30003: "Unreachable destination handset",
    30004: "Message blocked",
    30005: "Unknown destination handset",
    30006: "Landline or unreachable carrier",
    30007: "Message filtered",
    30008: "Unknown error",
    21610: "Attempt to send to unsubscribed recipient",
}
CALL_EVENTS = ("initiated", "ringing", "answered", "completed")

_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENSION = set("^{}\\[~]|€\f")


def num_segments(body: str) -> int:
    """Approximate SMS segment count (GSM-7 160/153, else UCS-2 70/67); 1 for an empty body."""
    if all(c in _GSM7 or c in _GSM7_EXTENSION for c in body):
        units, single, part = sum(2 if c in _GSM7_EXTENSION else 1 for c in body), 160, 153
    else:
        units, single, part = len(body.encode("utf-16-le")) // 2, 70, 67
    return 1 if units <= single else math.ceil(units / part)


def _credentials(request: RecordedRequest) -> tuple[str, str] | None:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep and user and password else None


def _auth_token(request: RecordedRequest, sid: str) -> str | None:
    """The auth token (or API key secret) of an authorized request, else None."""
    credentials = _credentials(request)
    if credentials is None:
        return None
    user, password = credentials
    return password if user == sid or user.startswith("SK") else None


def _form(request: RecordedRequest) -> dict[str, list[str]]:
    try:
        return request.form()
    except UnicodeDecodeError:
        return {}


def _first(form: dict[str, list[str]], name: str) -> str:
    return (form.get(name) or [""])[0]


def _now() -> str:
    return format_datetime(datetime.now(UTC))


def _new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


def _callback_url(value: str) -> str | None:
    target = urlsplit(value)
    return value if target.scheme in ("http", "https") and target.hostname else None


def _refuse(
    request: RecordedRequest, to: str, code: int, message: str, status: int = 400, **kw: Any
) -> Response:
    script_book.sends.add(
        request,
        provider="twilio",
        kind=kw.get("kind", "message"),
        to=to,
        outcome=kw.get("outcome", "invalid_request"),
        status=status,
        scripted=kw.get("scripted", False),
    )
    return twilio_error(status, code, message)


def _scripted_refusal(
    request: RecordedRequest, outcome: str, to: str, kind: str
) -> Response | None:
    refusals = {
        "invalid_number": (400, 21211, f"Invalid 'To' Phone Number: {to}"),
        "rate_limited": (429, 20429, "Too Many Requests"),
        "opted_out": (400, 21610, "Attempt to send to unsubscribed recipient"),
    }
    if outcome not in refusals:
        return None
    status, code, message = refusals[outcome]
    return _refuse(request, to, code, message, status, kind=kind, outcome=outcome, scripted=True)


@route("POST", PREFIX + API + "/Accounts/{sid}/Messages.json")
def create_message(request: RecordedRequest, sid: str) -> Response:
    auth_token = _auth_token(request, sid)
    if auth_token is None:
        return twilio_error(401, 20003, "Authenticate")
    form = _form(request)
    to, sender = _first(form, "To"), _first(form, "From")
    service = _first(form, "MessagingServiceSid")
    body, content_sid = _first(form, "Body"), _first(form, "ContentSid")
    media = [url for url in form.get("MediaUrl", []) if url]
    if not to:
        return _refuse(request, to, 21604, "A 'To' phone number is required.")
    if not sender and not service:
        return _refuse(request, to, 21603, "A 'From' phone number is required.")
    if not body and not media and not content_sid:
        return _refuse(request, to, 21602, "Message body is required.")
    if len(body) > BODY_LIMIT:
        return _refuse(
            request,
            to,
            21617,
            f"The concatenated message body exceeds the {BODY_LIMIT} character limit.",
        )
    variables = _first(form, "ContentVariables")
    if variables:
        try:
            parsed = json.loads(variables)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict):
            return _refuse(request, to, 21656, "The ContentVariables Parameter is invalid.")
    script = script_book.scripts.take("twilio", to)
    outcome = script.outcome if script else "accepted"
    if outcome in ("busy", "no_answer"):
        outcome = "accepted"  # call-only outcomes answer a message normally
    refused = _scripted_refusal(request, outcome, to, "message")
    if refused is not None:
        return refused

    message_sid = _new_sid("SM" if not media else "MM")
    whatsapp = to.lower().startswith("whatsapp:")
    only_service = bool(service) and not sender
    now = _now()
    uri = f"{API}/Accounts/{sid}/Messages/{message_sid}"
    resource = {
        "account_sid": sid,
        "api_version": "2010-04-01",
        "body": body,
        "date_created": now,
        "date_sent": None,
        "date_updated": now,
        "direction": "outbound-api",
        "error_code": None,
        "error_message": None,
        "from": sender or None,
        "messaging_service_sid": service or None,
        "num_media": str(len(media)),
        "num_segments": "0" if only_service else str(1 if whatsapp else num_segments(body)),
        "price": None,
        "price_unit": "USD",
        "sid": message_sid,
        "status": "accepted" if only_service else "queued",
        "subresource_uris": {"media": f"{uri}/Media.json"},
        "to": to,
        "uri": f"{uri}.json",
    }
    record = script_book.sends.add(
        request,
        provider="twilio",
        to=to,
        outcome=outcome,
        status=201,
        message_id=message_sid,
        scripted=script is not None,
    )
    callback_url = _callback_url(_first(form, "StatusCallback"))
    if callback_url:
        base = {
            "MessageSid": message_sid,
            "SmsSid": message_sid,
            "AccountSid": sid,
            "From": sender,
            "To": to,
            "ApiVersion": "2010-04-01",
        }
        if service:
            base["MessagingServiceSid"] = service
        if whatsapp:
            base.update({"ChannelPrefix": "whatsapp", "ChannelToAddress": to.split(":", 1)[1]})
        delay = script.delay if script else CALLBACK_DELAY
        steps = [("sent", {})]
        if outcome == "undeliverable_later":
            code = script.error_code if script and script.error_code else 30003
            final = script.final_status if script and script.final_status else "failed"
            steps.append(
                (
                    final,
                    {
                        "ErrorCode": str(code),
                        "ErrorMessage": ERROR_MESSAGES.get(code, "Message delivery failed"),
                    },
                )
            )
        else:
            steps.append(("delivered", {}))
        method = _first(form, "StatusCallbackMethod").upper() or "POST"
        script_book.deliver_later(
            record,
            [
                script_book.form_callback(
                    delay,
                    callback_url,
                    {**base, "MessageStatus": status, "SmsStatus": status, **extra},
                    auth_token,
                    status,
                    "GET" if method == "GET" else "POST",
                )
                for status, extra in steps
            ],
        )
    return Response(status=201, body=resource)


def _requested_events(form: dict[str, list[str]]) -> list[str]:
    named = {
        event.lower()
        for value in form.get("StatusCallbackEvent", [])
        for event in value.replace(",", " ").split()
    }
    return [e for e in CALL_EVENTS if e in named] if named else list(CALL_EVENTS)


@route("POST", PREFIX + API + "/Accounts/{sid}/Calls.json")
def create_call(request: RecordedRequest, sid: str) -> Response:
    auth_token = _auth_token(request, sid)
    if auth_token is None:
        return twilio_error(401, 20003, "Authenticate")
    form = _form(request)
    to, sender = _first(form, "To"), _first(form, "From")
    twiml, url = _first(form, "Twiml"), _first(form, "Url")
    if not to:
        return _refuse(request, to, 21201, "No 'To' number is specified", kind="call")
    if not sender:
        return _refuse(request, to, 21213, "No 'From' number is specified", kind="call")
    if not twiml and not url and not _first(form, "ApplicationSid"):
        return _refuse(request, to, 21205, "Url parameter is required.", kind="call")
    script = script_book.scripts.take("twilio", to)
    outcome = script.outcome if script else "accepted"
    refused = _scripted_refusal(request, outcome, to, "call")
    if refused is not None:
        return refused

    call_sid = _new_sid("CA")
    now = _now()
    uri = f"{API}/Accounts/{sid}/Calls/{call_sid}"
    resource = {
        "account_sid": sid,
        "annotation": None,
        "answered_by": None,
        "api_version": "2010-04-01",
        "caller_name": None,
        "date_created": now,
        "date_updated": now,
        "direction": "outbound-api",
        "duration": None,
        "end_time": None,
        "forwarded_from": None,
        "from": sender,
        "from_formatted": sender,
        "group_sid": None,
        "parent_call_sid": None,
        "phone_number_sid": None,
        "price": None,
        "price_unit": "USD",
        "queue_time": "0",
        "sid": call_sid,
        "start_time": None,
        "status": "queued",
        "subresource_uris": {
            "notifications": f"{uri}/Notifications.json",
            "recordings": f"{uri}/Recordings.json",
        },
        "to": to,
        "to_formatted": to,
        "trunk_sid": None,
        "uri": f"{uri}.json",
    }
    record = script_book.sends.add(
        request,
        provider="twilio",
        kind="call",
        to=to,
        outcome=outcome,
        status=201,
        message_id=call_sid,
        scripted=script is not None,
    )
    callback_url = _callback_url(_first(form, "StatusCallback"))
    if callback_url:
        unanswered = {"busy": "busy", "no_answer": "no-answer", "undeliverable_later": "failed"}
        final = unanswered.get(outcome)
        statuses = {
            "initiated": "initiated",
            "ringing": "ringing",
            "answered": "in-progress",
            "completed": final or "completed",
        }
        wanted = [e for e in _requested_events(form) if not (final and e == "answered")]
        delay = script.delay if script else CALLBACK_DELAY
        method = _first(form, "StatusCallbackMethod").upper() or "POST"
        callbacks = []
        for number, event in enumerate(wanted):
            params = {
                "CallSid": call_sid,
                "AccountSid": sid,
                "From": sender,
                "To": to,
                "Direction": "outbound-api",
                "ApiVersion": "2010-04-01",
                "CallStatus": statuses[event],
                "CallbackSource": "call-progress-events",
                "SequenceNumber": str(number),
                "Timestamp": _now(),
            }
            if event == "completed":
                duration = "0" if final else "5"
                params.update({"CallDuration": duration, "Duration": "1" if not final else "0"})
            callbacks.append(
                script_book.form_callback(
                    delay,
                    callback_url,
                    params,
                    auth_token,
                    statuses[event],
                    "GET" if method == "GET" else "POST",
                )
            )
        script_book.deliver_later(record, callbacks)
    return Response(status=201, body=resource)
