"""What every sender takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from channels_app.models import SendOutcome

TIMEOUT = httpx.Timeout(20.0, connect=5.0)


@dataclass(frozen=True)
class Outgoing:
    """One part of an outbound message, ready for the provider."""

    to: str  # the recipient's address on this channel (wa_id, chat id, E.164, email)
    text: str
    idempotency_key: str
    template: dict[str, Any] | None = None  # {"name", "language", "components"} (WhatsApp)
    subject: str = ""
    reply_to_provider_id: str = ""
    status_callback_url: str = ""


@dataclass
class SendResult:
    outcome: str  # SendOutcome
    provider_message_id: str = ""
    code: str = ""
    reason: str = ""
    wait_seconds: float | None = None  # from Retry-After / retry_after, when the provider says
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def sent(self) -> bool:
        return self.outcome == SendOutcome.SENT


def http_client(account: Any) -> httpx.Client:
    # a sandbox on loopback must not be reached through a proxy from the environment
    return httpx.Client(timeout=TIMEOUT, trust_env=not account.uses_sandbox)


def transport_failure(exc: Exception) -> SendResult:
    """The request never got an answer: try again later (the attempt's key prevents a double)."""
    return SendResult(
        SendOutcome.RETRY, code="network", reason=f"{type(exc).__name__}: {exc}"[:500]
    )
