"""The Telegram Bot API calls the console makes: getFile, answerCallbackQuery, setWebhook.

Reference: shared/reference/platforms.md, section B. Every call goes to
`api_base_url(account, default="https://api.telegram.org", sandbox_prefix="/telegram")`, so a
demo account talks to the sandbox fakes. Error texts never carry the bot token (it is part of
every URL), so they are safe to log and to show staff.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import httpx

from channels_app.models import ChannelAccount
from channels_app.providers.base import api_base_url

DEFAULT_BASE_URL = "https://api.telegram.org"
SANDBOX_PREFIX = "/telegram"
TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# what our webhook handles; Telegram leaves my_chat_member out unless asked (blocked/unblocked)
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"]


_BOT_TOKEN_IN_URL = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")


class RedactBotTokens(logging.Filter):
    """httpx logs every request URL at INFO, and a Bot API URL carries the bot token."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _BOT_TOKEN_IN_URL.sub("/bot<redacted>", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


_httpx_logger = logging.getLogger("httpx")
if not any(isinstance(f, RedactBotTokens) for f in _httpx_logger.filters):
    _httpx_logger.addFilter(RedactBotTokens())


class TelegramApiError(Exception):
    """Telegram refused a call, or could not be reached (`error_code` None).

    `retryable`: flood control (429), a server error, or no answer at all.
    """

    def __init__(
        self, description: str, *, error_code: int | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__(description)
        self.description = description
        self.error_code = error_code
        self.retry_after = retry_after

    @property
    def retryable(self) -> bool:
        return self.error_code is None or self.error_code == 429 or self.error_code >= 500

    @property
    def query_too_old(self) -> bool:
        """answerCallbackQuery came after Telegram stopped waiting (or the id is unknown)."""
        return "query is too old" in self.description.lower()


class TelegramNotConfigured(TelegramApiError):
    """The account lacks a credential the call needs: nothing was sent."""

    def __init__(self, description: str) -> None:
        super().__init__(description, error_code=0)

    @property
    def retryable(self) -> bool:
        return False


def base_url(account: ChannelAccount) -> str:
    return api_base_url(account, default=DEFAULT_BASE_URL, sandbox_prefix=SANDBOX_PREFIX)


def bot_token(account: ChannelAccount) -> str:
    token = (account.credentials or {}).get("bot_token", "")
    if not token:
        raise TelegramNotConfigured(f"the Telegram account {account.slug!r} has no bot_token")
    return token


def file_url(account: ChannelAccount, file_path: str) -> str:
    """Where getFile's `file_path` is downloaded from (the URL holds the token: never log it)."""
    return f"{base_url(account)}/file/bot{bot_token(account)}/{file_path.lstrip('/')}"


def call(account: ChannelAccount, method: str, payload: dict[str, Any] | None = None) -> Any:
    """POST `method` with a JSON body; returns Telegram's `result`. Raises TelegramApiError."""
    url = f"{base_url(account)}/bot{bot_token(account)}/{method}"
    try:
        # the sandbox is on loopback: no proxy from the environment may see those calls
        with httpx.Client(timeout=TIMEOUT, trust_env=not account.uses_sandbox) as client:
            response = client.post(url, json=payload or {})
    except httpx.TimeoutException:
        raise TelegramApiError(f"{method}: Telegram did not answer in time") from None
    except httpx.HTTPError as exc:
        raise TelegramApiError(
            f"{method}: could not reach Telegram ({type(exc).__name__})"
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise TelegramApiError(
            f"{method}: Telegram answered HTTP {response.status_code} without its JSON envelope",
            error_code=response.status_code if response.status_code >= 400 else None,
        )
    if not body.get("ok"):
        parameters = body.get("parameters") or {}
        raise TelegramApiError(
            f"{method}: {body.get('description') or 'refused'}",
            error_code=int(body.get("error_code") or response.status_code),
            retry_after=parameters.get("retry_after"),
        )
    return body.get("result")


def get_file(account: ChannelAccount, file_id: str) -> dict[str, Any]:
    """getFile: {file_id, file_unique_id, file_size, file_path}."""
    result = call(account, "getFile", {"file_id": file_id})
    if not isinstance(result, dict) or not result.get("file_path"):
        raise TelegramApiError("getFile: Telegram gave no file_path for this file", error_code=400)
    return result


def answer_callback_query(account: ChannelAccount, callback_query_id: str, text: str = "") -> Any:
    """Stop the spinner on the button the customer tapped (Telegram waits for this)."""
    payload: dict[str, Any] = {"callback_query_id": callback_query_id}
    if text:
        payload["text"] = text[:200]
    return call(account, "answerCallbackQuery", payload)


def set_webhook(account: ChannelAccount, url: str) -> Any:
    """Point the bot at `url`, with the account's secret token and the updates we handle."""
    secret_token = (account.credentials or {}).get("secret_token", "")
    if not secret_token:
        # without it our webhook endpoint would refuse every update Telegram sends
        raise TelegramNotConfigured(
            f"the Telegram account {account.slug!r} has no secret_token: set one first"
        )
    return call(
        account,
        "setWebhook",
        {"url": url, "secret_token": secret_token, "allowed_updates": ALLOWED_UPDATES},
    )


def get_webhook_info(account: ChannelAccount) -> dict[str, Any]:
    return call(account, "getWebhookInfo")
