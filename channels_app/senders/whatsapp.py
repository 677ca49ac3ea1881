"""WhatsApp Cloud API: POST /{phone_number_id}/messages, errors by Graph code (platforms.md A4–A5)."""

from __future__ import annotations

from typing import Any

import httpx

from channels_app.models import SendOutcome
from channels_app.providers.base import api_base_url
from channels_app.senders.base import Outgoing, SendResult, http_client, transport_failure

GRAPH = "https://graph.facebook.com/v25.0"
SANDBOX_PREFIX = "/whatsapp/v25.0"
PAIR_LIMIT_WAIT = 6.0

CODE_OUTCOMES: dict[int, tuple[str, str]] = {
    130429: (SendOutcome.RATE_LIMITED, "throughput limit of the number reached"),
    131056: (SendOutcome.RATE_LIMITED, "too many messages to this customer in a short time"),
    80007: (SendOutcome.RATE_LIMITED, "API call rate limit"),
    4: (SendOutcome.RATE_LIMITED, "API call rate limit"),
    131047: (SendOutcome.WINDOW_CLOSED, "24-hour window closed"),
    190: (SendOutcome.ACCOUNT_BROKEN, "access token expired or invalid"),
    368: (SendOutcome.ACCOUNT_BROKEN, "temporarily blocked for policy violations"),
    131005: (SendOutcome.ACCOUNT_BROKEN, "access denied"),
    131026: (SendOutcome.RECIPIENT_INVALID, "not deliverable: not on WhatsApp, old app or blocked"),
    131000: (SendOutcome.RETRY, "generic error at WhatsApp"),
    1: (SendOutcome.RETRY, "unknown API error"),
    2: (SendOutcome.RETRY, "service temporarily unavailable"),
}


def send(account: Any, outgoing: Outgoing) -> SendResult:
    base = api_base_url(account, default=GRAPH, sandbox_prefix=SANDBOX_PREFIX)
    number = account.config.get("phone_number_id", "")
    payload: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        # echoed back on every status of this message: how a lost answer is reconciled
        "biz_opaque_callback_data": outgoing.idempotency_key,
    }
    payload["to" if outgoing.to.isdigit() else "recipient"] = outgoing.to
    if outgoing.template:
        payload["type"] = "template"
        payload["template"] = {
            "name": outgoing.template["name"],
            "language": {"code": outgoing.template["language"]},
            "components": outgoing.template.get("components", []),
        }
    else:
        payload["type"] = "text"
        payload["text"] = {"preview_url": False, "body": outgoing.text}
    if outgoing.reply_to_provider_id:
        payload["context"] = {"message_id": outgoing.reply_to_provider_id}
    headers = {"Authorization": f"Bearer {account.credentials.get('access_token', '')}"}
    try:
        with http_client(account) as client:
            response = client.post(f"{base}/{number}/messages", json=payload, headers=headers)
    except httpx.HTTPError as exc:
        return transport_failure(exc)
    return _result(response)


def _result(response: httpx.Response) -> SendResult:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code == 200 and body.get("messages"):
        return SendResult(SendOutcome.SENT, provider_message_id=str(body["messages"][0]["id"]))
    error = body.get("error") or {}
    code = error.get("code")
    details = (
        (error.get("error_data") or {}).get("details")
        or error.get("message")
        or response.text[:200]
    )
    if code in CODE_OUTCOMES:
        outcome, meaning = CODE_OUTCOMES[code]
        wait = PAIR_LIMIT_WAIT if code == 131056 else _retry_after(response)
        return SendResult(
            outcome, code=str(code), reason=f"{meaning}: {details}"[:500], wait_seconds=wait
        )
    if response.status_code >= 500 or response.status_code == 429:
        return SendResult(
            SendOutcome.RETRY,
            code=str(code or response.status_code),
            reason=str(details)[:500],
            wait_seconds=_retry_after(response),
        )
    return SendResult(
        SendOutcome.FAILED, code=str(code or response.status_code), reason=str(details)[:500]
    )


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["retry-after"])
    except (KeyError, ValueError):
        return None
