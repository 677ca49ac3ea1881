"""What every provider adapter offers the webhook endpoint, and the request it works on.

An adapter verifies a request as its provider signs it, and parses the body into the
provider-neutral shapes of `conversations.inbound`. It never writes: `channels_app.ingest`
records what it returns. Adapters work on a `WebhookRequest` snapshot, so a journaled request
can be replayed exactly as it arrived.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpResponse

from conversations.inbound import ContactSignal, InboundMessage, InboundStatus

DEFAULT_MAX_BODY = 1024 * 1024  # 1 MiB: far above any chat provider's webhook


class SignatureInvalid(Exception):
    """The request is not from the provider (or was altered): 403, nothing else happens."""


class BadPayload(Exception):
    """Signed, but not something we can read: answered with `status` and the reason."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class WebhookRequest:
    method: str
    url: str  # as the provider called it, query string included
    headers: dict[str, str]  # lower-cased names
    body: bytes
    query: dict[str, list[str]] = field(default_factory=dict)

    def header(self, name: str) -> str:
        return self.headers.get(name.lower(), "")

    @property
    def content_type(self) -> str:
        return self.header("content-type").split(";", 1)[0].strip().lower()

    def query_value(self, name: str) -> str:
        values = self.query.get(name) or [""]
        return values[0]

    def json_object(self, text: str | None = None) -> dict[str, Any]:
        """The body as a JSON object (`text`: the body already decoded from its charset).
        415 unless the body is declared JSON; 400 with the reason if it is not an object."""
        if self.content_type != "application/json":
            raise BadPayload(f"expected application/json, got {self.content_type or 'none'}", 415)
        try:
            payload = json.loads(self.body if text is None else text)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadPayload(f"malformed JSON: {exc}") from exc
        if not isinstance(payload, dict):
            raise BadPayload(f"the JSON body must be an object, not {type(payload).__name__}")
        return payload

    def form(self) -> dict[str, list[str]]:
        """The url-encoded body; blank values kept (Twilio signs them too)."""
        try:
            text = self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadPayload(f"form body is not UTF-8: {exc}") from exc
        return parse_qs(text, keep_blank_values=True)


@dataclass
class FollowUp:
    """An outside call the webhook obliges us to make, queued as a task after commit."""

    task: str  # dotted path of a django-q2 task taking (account_id, **kwargs)
    kwargs: dict[str, Any]


@dataclass
class ParsedWebhook:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[InboundStatus] = field(default_factory=list)
    signals: list[ContactSignal] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)
    # events we received and deliberately do not handle, described for the journal
    ignored: list[str] = field(default_factory=list)

    @property
    def item_count(self) -> int:
        return len(self.messages) + len(self.statuses) + len(self.signals)


class ProviderAdapter(Protocol):
    kind: str
    max_body_bytes: int

    def handshake(self, request: WebhookRequest, account: Any) -> HttpResponse | None:
        """Answer a GET (subscription check); None: this provider has none (405)."""

    def verify(self, request: WebhookRequest, account: Any) -> None:
        """Raise SignatureInvalid unless the provider signed this exact request."""

    def parse(self, request: WebhookRequest, account: Any) -> ParsedWebhook:
        """Raise BadPayload for what cannot be read."""

    def acknowledge(self, request: WebhookRequest, parsed: ParsedWebhook) -> HttpResponse:
        """The 200 the provider expects."""


def secrets_equal(given: str | bytes, expected: str | bytes) -> bool:
    """Constant-time comparison; an empty expected secret never matches."""
    if not expected:
        return False
    given_bytes = given.encode() if isinstance(given, str) else given
    expected_bytes = expected.encode() if isinstance(expected, str) else expected
    return hmac.compare_digest(given_bytes, expected_bytes)


def from_unix(value: Any) -> datetime:
    """Provider timestamps: WhatsApp sends strings, Telegram integers. Missing: now."""
    try:
        return datetime.fromtimestamp(int(str(value).split(".")[0]), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.now(tz=UTC)


def api_base_url(account: Any, *, default: str, sandbox_prefix: str) -> str:
    """Where this account's provider API lives: the account's own setting, else the sandbox
    for demo accounts, else the provider's public API."""
    configured = (account.config or {}).get("api_base_url")
    if configured:
        return configured.rstrip("/")
    if account.uses_sandbox:
        if not settings.SANDBOX_URL:
            raise RuntimeError("this account uses the sandbox, but SBOPS_SANDBOX_URL is not set")
        return settings.SANDBOX_URL.rstrip("/") + sandbox_prefix
    return default


def ok_response() -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
