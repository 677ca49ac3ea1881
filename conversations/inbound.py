"""The provider-neutral shape of what a webhook brings in.

Adapters in `channels_app` turn each provider's payload into these; the services in
`conversations.services` record them. Nothing here knows a provider.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Identity:
    kind: str  # conversations.models.IdentityKind
    external_id: str


@dataclass
class InboundMessage:
    provider_message_id: str
    # how the sender is known, strongest key first (BSUID before wa_id before phone)
    identities: list[Identity]
    sent_at: datetime
    content_kind: str = "text"
    body: str = ""
    display_name: str = ""
    phone: str = ""  # E.164, when the channel gives one
    email: str = ""
    language: str = ""
    media: dict[str, Any] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)
    subject: str = ""
    # an edit or a deletion of an earlier message, by its provider id
    edit_of: str = ""
    revoke_of: str = ""
    # email threading, strongest first: In-Reply-To, References (newest first); then a
    # conversation token from the reply address, then one from the subject tag
    thread_message_ids: list[str] = field(default_factory=list)
    thread_tokens: list[str] = field(default_factory=list)


@dataclass
class InboundStatus:
    provider_message_id: str
    status: str  # conversations.models.DeliveryStatus, or "played"
    occurred_at: datetime
    error_code: str = ""
    error_reason: str = ""
    pricing: dict[str, Any] = field(default_factory=dict)
    # our delivery attempt's key, when the provider echoes it (WhatsApp biz_opaque_callback_data)
    attempt_key: str = ""


@dataclass
class ContactSignal:
    """Something the platform tells us about a contact: blocked us, unblocked, changed number."""

    identity: Identity
    signal: str  # "opted_out" | "opted_in" | "number_changed"
    source: str
    occurred_at: datetime
    detail: dict[str, Any] = field(default_factory=dict)
