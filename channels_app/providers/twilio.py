"""Twilio Programmable Messaging (SMS and WhatsApp): X-Twilio-Signature, inbound messages and
status callbacks. One adapter class serves both channel kinds; they differ only in how the
customer is known (a phone number, or a WhatsApp wa_id).

Reference: shared/reference/platforms.md, section C.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import phonenumbers
from django.http import HttpResponse
from django.utils.datastructures import MultiValueDict
from twilio.request_validator import (
    SIGNATURE_SETTINGS_HEADER,
    RequestValidator,
    get_signature_algorithm,
)
from twilio.twiml.messaging_response import MessagingResponse

from channels_app.providers.base import (
    DEFAULT_MAX_BODY,
    BadPayload,
    ParsedWebhook,
    SignatureInvalid,
    WebhookRequest,
    from_unix,
)
from conversations.inbound import ContactSignal, Identity, InboundMessage, InboundStatus
from conversations.models import ContentKind, DeliveryStatus, IdentityKind
from conversations.text import clean_text

SIGNATURE_HEADER = "x-twilio-signature"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
BODY_HASH_PARAM = "bodySHA256"
# every MessageStatus Twilio reports for an outbound message (twilio-python MessageInstance.Status)
STATUSES = {
    "queued": DeliveryStatus.QUEUED,
    "accepted": DeliveryStatus.QUEUED,
    "scheduled": DeliveryStatus.QUEUED,
    "sending": DeliveryStatus.SENDING,
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "partially_delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
    "undelivered": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}
INBOUND_STATUSES = {"receiving", "received"}
OPTED_OUT_ERROR = "21610"  # the recipient replied STOP: Twilio refuses every further message
# params that only an inbound message carries (a status callback has none of them)
INBOUND_PARAMS = ("Body", "NumMedia", "MessageType", "Latitude", "ButtonText", "ButtonPayload")
MESSAGE_TYPE_KINDS = {
    "text": ContentKind.TEXT,
    "image": ContentKind.IMAGE,
    "audio": ContentKind.AUDIO,
    "video": ContentKind.VIDEO,
    "document": ContentKind.DOCUMENT,
    "sticker": ContentKind.STICKER,
    "contacts": ContentKind.CONTACTS,
}
VCARD_TYPES = {"text/vcard", "text/x-vcard", "text/directory"}
# the common delivery errors (twilio.com/docs/api/errors), for staff when Twilio gives no text
ERROR_REASONS = {
    "30003": "unreachable handset",
    "30004": "message blocked by the recipient or carrier",
    "30005": "unknown or nonexistent number",
    "30006": "landline or unreachable carrier",
    "30007": "filtered by the carrier as spam",
    "30008": "unknown carrier error",
    OPTED_OUT_ERROR: "the recipient replied STOP (opted out)",
    "21211": "invalid recipient number",
    "21408": "sending to this region is not enabled",
    "63016": "outside the 24-hour WhatsApp window: send a template",
    "63018": "WhatsApp rate limit reached",
    "63024": "not a valid WhatsApp recipient",
    "63049": "Meta withheld this marketing message",
}
MAX_ADDRESS = 255  # ContactIdentity.external_id and Message.provider_message_id
SENDER_GEO = ("FromCity", "FromState", "FromZip", "FromCountry")
MEDIA_PARAM = re.compile(r"^Media(?:Url|ContentType)(\d{1,3})$")
REFERRAL_PARAM = re.compile(r"^Referral([A-Z][A-Za-z0-9]*)$")


def sign(url: str, params: dict[str, Any], auth_token: str) -> str:
    """The X-Twilio-Signature Twilio sends for a form POST of `params` to exactly `url` (also
    used by tests and the simulator). Values may be strings or lists of strings."""
    return RequestValidator(auth_token).compute_signature(url, _multi(params))


def body_hash(body: bytes) -> str:
    """The `bodySHA256` query value Twilio adds to the URL of a JSON-body webhook."""
    return RequestValidator("").compute_hash(body.decode("utf-8"))


class TwilioAdapter:
    max_body_bytes = DEFAULT_MAX_BODY

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.whatsapp = kind == "twilio_whatsapp"

    def handshake(self, request: WebhookRequest, account: Any) -> HttpResponse | None:
        return None  # Twilio has no subscription check; webhooks are configured as POST

    def verify(self, request: WebhookRequest, account: Any) -> None:
        given = request.header(SIGNATURE_HEADER).strip()
        if not given:
            raise SignatureInvalid("missing X-Twilio-Signature header")
        token = account.credentials.get("auth_token", "")
        if not token:
            raise SignatureInvalid("the account has no auth token configured")
        settings_header = request.header(SIGNATURE_SETTINGS_HEADER)
        if request.content_type == FORM_CONTENT_TYPE:
            try:
                # every param as received, unknown ones included: Twilio adds params unannounced
                params: Any = _multi(request.form())
            except BadPayload as exc:
                raise SignatureInvalid(f"the form cannot carry a signature: {exc.reason}") from exc
        elif request.query_value(BODY_HASH_PARAM):
            try:
                params = request.body.decode("utf-8")  # the validator checks its hash
            except UnicodeDecodeError as exc:
                raise SignatureInvalid("the signed JSON body is not UTF-8") from exc
        else:
            params = {}  # Twilio signs nothing else but the URL; parse refuses the body
        # the validator also tries the URL with and without the default port
        valid = RequestValidator(token).validate(
            request.url, params, given, get_signature_algorithm(settings_header)
        )
        if not valid:
            detail = ""
            if settings_header:
                detail = f" (the request names signing settings {settings_header[:120]!r})"
            raise SignatureInvalid(
                f"X-Twilio-Signature does not match the URL {request.url[:300]!r} "
                f"and the params{detail}"
            )

    def parse(self, request: WebhookRequest, account: Any) -> ParsedWebhook:
        params = _params(request)
        parsed = ParsedWebhook()
        sid = _first(params, "MessageSid") or _first(params, "SmsMessageSid")
        sid = sid or _first(params, "SmsSid")
        if not sid:
            raise BadPayload("`MessageSid` is missing: neither a message nor a status callback")
        if len(sid) > MAX_ADDRESS:
            raise BadPayload(f"`MessageSid` of {len(sid)} characters is not a Twilio SID")
        status = (_first(params, "MessageStatus") or _first(params, "SmsStatus")).strip().lower()
        if status in STATUSES:
            self._parse_status(params, sid, status, parsed)
        elif status and status not in INBOUND_STATUSES:
            parsed.ignored.append(_note(f"unknown status {status[:40]!r} for {sid[:64]!r}"))
        elif "MessageStatus" in params and not any(name in params for name in INBOUND_PARAMS):
            parsed.ignored.append(_note(f"status {status!r} for the inbound message {sid[:64]!r}"))
        else:
            parsed.messages.append(self._message(params, sid))
        return parsed

    def acknowledge(self, request: WebhookRequest, parsed: ParsedWebhook) -> HttpResponse:
        # an empty TwiML document: Twilio sends no automatic reply
        return HttpResponse(str(MessagingResponse()), content_type="text/xml")

    # --- the parts of a request ---------------------------------------------------------------

    def _identity(self, address: str) -> Identity | None:
        raw = _strip_channel(address)
        if not raw:
            return None
        if self.whatsapp:
            external_id = re.sub(r"\D", "", raw) or raw
            kind = IdentityKind.WHATSAPP
        else:
            # SMS: E.164 when it is a phone number; a short code or a sender name stays as given
            external_id = e164(raw) or raw
            kind = IdentityKind.PHONE
        external_id = clean_text(external_id)
        if not external_id or len(external_id) > MAX_ADDRESS:
            return None
        return Identity(kind, external_id)

    def _message(self, params: dict[str, list[str]], sid: str) -> InboundMessage:
        sender = _first(params, "From")
        identity = self._identity(sender)
        wa_id = clean_text(_first(params, "WaId").strip())
        if self.whatsapp and wa_id and len(wa_id) <= MAX_ADDRESS:
            identity = Identity(IdentityKind.WHATSAPP, wa_id)
        if identity is None:
            raise BadPayload("`From` is missing or is not an address")
        phone = e164(_strip_channel(sender))
        inbound = InboundMessage(
            provider_message_id=clean_text(sid),
            identities=[identity],
            sent_at=from_unix(None),  # Twilio sends no timestamp: it calls as it receives
            display_name=_first(params, "ProfileName"),
            phone=phone,
        )
        metadata: dict[str, Any] = {"to": _first(params, "To")}
        if not phone:
            metadata["from_raw"] = sender
        for name, key in (
            ("NumSegments", "num_segments"),
            ("MessagingServiceSid", "messaging_service_sid"),
            ("MessageType", "twilio_message_type"),
        ):
            if _first(params, name):
                metadata[key] = _first(params, name)
        geo = {name: _first(params, name) for name in SENDER_GEO if _first(params, name)}
        if geo:
            metadata["sender_geo"] = geo
        media = _media(params)
        if media:
            inbound.media = media[0]
            metadata["media"] = media
        _fill_content(inbound, params, media, metadata)
        if _first(params, "OriginalRepliedMessageSid"):
            metadata["context"] = {
                "id": _first(params, "OriginalRepliedMessageSid"),
                "from": _first(params, "OriginalRepliedMessageSender"),
            }
        if _truthy(_first(params, "Forwarded")):
            metadata["forwarded"] = True
        if _truthy(_first(params, "FrequentlyForwarded")):
            metadata["frequently_forwarded"] = True
        referral = _referral(params)
        if referral:
            metadata["referral"] = referral
        inbound.metadata = _json_safe(metadata)
        inbound.media = _json_safe(inbound.media)
        return inbound

    def _parse_status(
        self, params: dict[str, list[str]], sid: str, status: str, parsed: ParsedWebhook
    ) -> None:
        value = STATUSES[status]
        code = _first(params, "ErrorCode").strip()
        pricing = {
            key: _first(params, name)
            for name, key in (("Price", "price"), ("PriceUnit", "price_unit"))
            if _first(params, name)
        }
        failed = value == DeliveryStatus.FAILED
        occurred_at = from_unix(None)
        parsed.statuses.append(
            InboundStatus(
                provider_message_id=clean_text(sid),
                status=value,
                occurred_at=occurred_at,
                error_code=clean_text(code) if failed else "",
                error_reason=_error_reason(params, code, status) if failed else "",
                pricing=_json_safe(pricing),
            )
        )
        if code == OPTED_OUT_ERROR:
            recipient = self._identity(_first(params, "To"))
            if recipient is not None:
                parsed.signals.append(
                    ContactSignal(
                        identity=recipient,
                        signal="opted_out",
                        source="twilio:21610",
                        occurred_at=occurred_at,
                        detail={"message_sid": clean_text(sid)},
                    )
                )


def _fill_content(
    inbound: InboundMessage,
    params: dict[str, list[str]],
    media: list[dict[str, str]],
    metadata: dict[str, Any],
) -> None:
    message_type = _first(params, "MessageType").strip().lower()
    body = _first(params, "Body")
    button_text = _first(params, "ButtonText")
    button_payload = _first(params, "ButtonPayload")
    inbound.body = body
    if message_type == "interactive":
        inbound.content_kind = ContentKind.INTERACTIVE
        title = button_text or _first(params, "ListTitle")
        inbound.body = title or body
        metadata["interactive"] = {
            "id": button_payload or _first(params, "ListId"),
            "title": title,
        }
    elif message_type == "button" or button_text or button_payload:
        # a quick-reply button of a template
        inbound.content_kind = ContentKind.BUTTON
        inbound.body = button_text or body
        metadata["button"] = {"text": button_text, "payload": button_payload}
    elif message_type == "location" or _first(params, "Latitude"):
        inbound.content_kind = ContentKind.LOCATION
        location = {
            "latitude": _number(_first(params, "Latitude")),
            "longitude": _number(_first(params, "Longitude")),
            "address": _first(params, "Address"),
            "label": _first(params, "Label"),
        }
        metadata["location"] = location
        inbound.body = (
            location["label"]
            or location["address"]
            or body
            or f"{location['latitude']}, {location['longitude']}"
        )
    elif media:
        inbound.content_kind = _media_kind(message_type, media[0]["mime_type"])
    elif message_type in ("", "text"):
        inbound.content_kind = ContentKind.TEXT
    elif body:
        inbound.content_kind = ContentKind.TEXT  # a type we do not know yet, but words we can read
    else:
        inbound.content_kind = ContentKind.UNSUPPORTED


def _error_reason(params: dict[str, list[str]], code: str, status: str) -> str:
    """What staff read on a failed message: Twilio's words, else what the code means."""
    given = _first(params, "ErrorMessage").strip()
    if given:
        return clean_text(given)
    if code in ERROR_REASONS:
        return ERROR_REASONS[code]
    return f"Twilio error {clean_text(code)[:32]}" if code else f"Twilio reported {status}"


def _media(params: dict[str, list[str]]) -> list[dict[str, str]]:
    """Every MediaUrl{N} in order of N (NumMedia is not trusted to match)."""
    indexes = {int(match.group(1)) for name in params if (match := MEDIA_PARAM.match(name))}
    items = []
    for index in sorted(indexes):
        url = _first(params, f"MediaUrl{index}")
        if url:
            items.append(
                {
                    "provider": "twilio",
                    "url": url,
                    "mime_type": _first(params, f"MediaContentType{index}"),
                }
            )
    return items


def _media_kind(message_type: str, mime_type: str) -> str:
    if message_type in MESSAGE_TYPE_KINDS and message_type != "text":
        return MESSAGE_TYPE_KINDS[message_type]
    mime = mime_type.split(";", 1)[0].strip().lower()
    if mime in VCARD_TYPES:
        return ContentKind.CONTACTS
    family = mime.split("/", 1)[0]
    return {
        "image": ContentKind.IMAGE,
        "audio": ContentKind.AUDIO,
        "video": ContentKind.VIDEO,
    }.get(family, ContentKind.DOCUMENT)


def _referral(params: dict[str, list[str]]) -> dict[str, str]:
    """Referral* (click-to-WhatsApp ads) as the Cloud API names them: ReferralSourceUrl →
    source_url."""
    referral = {}
    for name in sorted(params):
        match = REFERRAL_PARAM.match(name)
        if match and _first(params, name):
            key = re.sub(r"(?<!^)(?=[A-Z])", "_", match.group(1)).lower()
            referral[key] = _first(params, name)
    return referral


def _params(request: WebhookRequest) -> dict[str, list[str]]:
    if request.content_type == FORM_CONTENT_TYPE:
        return request.form()
    if request.content_type == "application/json" and request.query_value(BODY_HASH_PARAM):
        payload = request.json_object()
        return {str(name): _as_strings(value) for name, value in payload.items()}
    raise BadPayload(f"expected {FORM_CONTENT_TYPE}, got {request.content_type or 'none'}", 415)


def _as_strings(value: Any) -> list[str]:
    if isinstance(value, list):
        return [item for entry in value for item in _as_strings(entry)]
    if value is None:
        return [""]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    if isinstance(value, dict):
        return [json.dumps(value, ensure_ascii=False)]
    return [str(value)]


def _multi(params: dict[str, Any]) -> MultiValueDict:
    """What RequestValidator reads: every value of every param (it calls `getlist`)."""
    return MultiValueDict(
        {
            name: list(values) if isinstance(values, (list, tuple)) else [values]
            for name, values in params.items()
        }
    )


def _first(params: dict[str, list[str]], name: str) -> str:
    """A param's value; a repeated param counts by its first value."""
    values = params.get(name) or [""]
    return values[0]


def _strip_channel(address: str) -> str:
    """`whatsapp:+5511987654321` → `+5511987654321`."""
    address = address.strip()
    prefix, separator, rest = address.partition(":")
    if separator and prefix.isalpha():
        return rest.strip()
    return address


def e164(number: str) -> str:
    """`number` in E.164, or "" when it is no international phone number (a short code, an
    alphanumeric sender, garbage)."""
    number = number.strip()
    if not number.startswith("+"):
        return ""
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _number(value: str) -> float | str:
    try:
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value  # JSON has no NaN


def _note(text: str) -> str:
    return clean_text(text)[:300]


def _truthy(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes")


def _json_safe(value: Any) -> Any:
    """Strings as the database can hold them (PostgreSQL refuses NUL in jsonb)."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {_json_safe(key): _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


ADAPTERS = {kind: TwilioAdapter(kind) for kind in ("twilio_sms", "twilio_whatsapp")}


def adapter_for_kind(kind: str) -> TwilioAdapter:
    try:
        return ADAPTERS[kind]
    except KeyError:
        raise ValueError(f"the Twilio adapter does not serve channel kind {kind!r}") from None
