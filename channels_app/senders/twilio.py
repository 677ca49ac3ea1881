"""Twilio Programmable Messaging through the twilio SDK (SMS and WhatsApp), errors by code."""

from __future__ import annotations

from typing import Any

from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from channels_app.models import SendOutcome
from channels_app.providers.base import api_base_url
from channels_app.senders.base import Outgoing, SendResult, transport_failure

API = "https://api.twilio.com"
SANDBOX_PREFIX = "/twilio"

CODE_OUTCOMES: dict[int, tuple[str, str]] = {
    21610: (SendOutcome.OPTED_OUT, "the recipient replied STOP"),
    21211: (SendOutcome.RECIPIENT_INVALID, "invalid 'To' number"),
    21614: (SendOutcome.RECIPIENT_INVALID, "'To' is not a mobile number"),
    21612: (SendOutcome.RECIPIENT_INVALID, "this 'To' cannot be reached from this number"),
    63024: (SendOutcome.RECIPIENT_INVALID, "invalid WhatsApp recipient"),
    20429: (SendOutcome.RATE_LIMITED, "too many requests"),
    63018: (SendOutcome.RATE_LIMITED, "WhatsApp rate limit"),
    63016: (SendOutcome.WINDOW_CLOSED, "24-hour window closed"),
    20003: (SendOutcome.ACCOUNT_BROKEN, "authentication refused"),
    20404: (SendOutcome.ACCOUNT_BROKEN, "account or resource not found"),
}


def twilio_client(account: Any) -> Client:
    client = Client(
        account.credentials.get("account_sid", ""),
        account.credentials.get("auth_token", ""),
        http_client=TwilioHttpClient(timeout=20),
    )
    base = api_base_url(account, default=API, sandbox_prefix=SANDBOX_PREFIX)
    if base != API:
        client.api.base_url = base
    return client


def address(account: Any, value: str) -> str:
    """WhatsApp through Twilio needs the `whatsapp:` prefix on both ends."""
    whatsapp = account.kind == "twilio_whatsapp"
    bare = value.removeprefix("whatsapp:")
    if whatsapp and not bare.startswith("+"):
        bare = "+" + bare
    return f"whatsapp:{bare}" if whatsapp else bare


def send(account: Any, outgoing: Outgoing) -> SendResult:
    params: dict[str, Any] = {
        "to": address(account, outgoing.to),
        "from_": address(account, account.address),
        "body": outgoing.text,
    }
    if outgoing.status_callback_url:
        params["status_callback"] = outgoing.status_callback_url
    try:
        created = twilio_client(account).messages.create(**params)
    except TwilioRestException as exc:
        return _error(exc)
    except (TwilioException, OSError) as exc:
        return transport_failure(exc)
    details = {
        "num_segments": created.num_segments,
        "price": created.price,
        "price_unit": created.price_unit,
    }
    return SendResult(SendOutcome.SENT, provider_message_id=created.sid, details=details)


def _error(exc: TwilioRestException) -> SendResult:
    code = int(exc.code or 0)
    if code in CODE_OUTCOMES:
        outcome, meaning = CODE_OUTCOMES[code]
        return SendResult(outcome, code=str(code), reason=f"{meaning}: {exc.msg}"[:500])
    if (exc.status or 0) >= 500:
        return SendResult(
            SendOutcome.RETRY, code=str(code or exc.status), reason=str(exc.msg)[:500]
        )
    return SendResult(SendOutcome.FAILED, code=str(code or exc.status), reason=str(exc.msg)[:500])
