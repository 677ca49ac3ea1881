"""Telegram Bot API sendMessage: errors by `error_code` and description (platforms.md B)."""

from __future__ import annotations

from typing import Any

import httpx

from channels_app.models import SendOutcome
from channels_app.providers.base import api_base_url
from channels_app.senders.base import Outgoing, SendResult, http_client, transport_failure

API = "https://api.telegram.org"
SANDBOX_PREFIX = "/telegram"


def send(account: Any, outgoing: Outgoing) -> SendResult:
    base = api_base_url(account, default=API, sandbox_prefix=SANDBOX_PREFIX)
    chat_id = outgoing.to.split(":", 1)[0]
    payload: dict[str, Any] = {"chat_id": chat_id, "text": outgoing.text}
    if outgoing.reply_to_provider_id and ":" in outgoing.reply_to_provider_id:
        payload["reply_parameters"] = {
            "message_id": int(outgoing.reply_to_provider_id.rsplit(":", 1)[-1]),
            "allow_sending_without_reply": True,
        }
    try:
        with http_client(account) as client:
            response = client.post(
                f"{base}/bot{account.credentials.get('bot_token', '')}/sendMessage", json=payload
            )
    except httpx.HTTPError as exc:
        return transport_failure(exc)
    try:
        body = response.json()
    except ValueError:
        body = {}
    if body.get("ok"):
        result = body["result"]
        return SendResult(
            SendOutcome.SENT, provider_message_id=f"{result['chat']['id']}:{result['message_id']}"
        )
    code = int(body.get("error_code") or response.status_code)
    description = str(body.get("description") or response.text[:200])
    lowered = description.lower()
    if code == 429:
        wait = (body.get("parameters") or {}).get("retry_after")
        return SendResult(
            SendOutcome.RATE_LIMITED,
            code="429",
            reason=description,
            wait_seconds=float(wait) if wait else None,
        )
    if code == 403 and ("blocked" in lowered or "deactivated" in lowered):
        return SendResult(SendOutcome.OPTED_OUT, code="403", reason=description)
    if code == 401:
        return SendResult(
            SendOutcome.ACCOUNT_BROKEN, code="401", reason="the bot token was refused"
        )
    if code == 400 and "chat not found" in lowered:
        return SendResult(SendOutcome.RECIPIENT_INVALID, code="400", reason=description)
    if code >= 500:
        return SendResult(SendOutcome.RETRY, code=str(code), reason=description)
    return SendResult(SendOutcome.FAILED, code=str(code), reason=description)
