"""WhatsApp Business Cloud API (Meta): webhook handshake, signature, and every payload kind.

Reference: shared/reference/platforms.md, section A.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from django.http import HttpResponse

from channels_app.providers.base import (
    DEFAULT_MAX_BODY,
    BadPayload,
    FollowUp,
    ParsedWebhook,
    SignatureInvalid,
    WebhookRequest,
    from_unix,
    ok_response,
    secrets_equal,
)
from conversations.inbound import ContactSignal, Identity, InboundMessage, InboundStatus
from conversations.models import ContentKind, DeliveryStatus, IdentityKind

SIGNATURE_HEADER = "x-hub-signature-256"
MEDIA_KINDS = {
    "audio": ContentKind.AUDIO,
    "image": ContentKind.IMAGE,
    "video": ContentKind.VIDEO,
    "document": ContentKind.DOCUMENT,
    "sticker": ContentKind.STICKER,
}
STATUSES = {
    "sent": DeliveryStatus.SENT,
    "delivered": DeliveryStatus.DELIVERED,
    "read": DeliveryStatus.READ,
    "failed": DeliveryStatus.FAILED,
    "played": "played",
}


def sign(body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 value Meta sends for `body` (also used by tests and the simulator)."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


class WhatsAppCloudAdapter:
    kind = "whatsapp_cloud"
    max_body_bytes = DEFAULT_MAX_BODY

    def handshake(self, request: WebhookRequest, account: Any) -> HttpResponse:
        mode = request.query_value("hub.mode")
        token = request.query_value("hub.verify_token")
        challenge = request.query_value("hub.challenge")
        if mode == "subscribe" and secrets_equal(
            token, account.credentials.get("verify_token", "")
        ):
            return HttpResponse(challenge, content_type="text/plain")
        return HttpResponse("verification failed", status=403, content_type="text/plain")

    def verify(self, request: WebhookRequest, account: Any) -> None:
        given = request.header(SIGNATURE_HEADER)
        if not given:
            raise SignatureInvalid("missing X-Hub-Signature-256 header")
        secret = account.credentials.get("app_secret", "")
        if not secret:
            raise SignatureInvalid("the account has no app secret configured")
        # over the raw bytes as received, never re-serialised JSON
        if not secrets_equal(given.strip().lower(), sign(request.body, secret)):
            raise SignatureInvalid("X-Hub-Signature-256 does not match the body")

    def parse(self, request: WebhookRequest, account: Any) -> ParsedWebhook:
        payload = request.json_object()
        parsed = ParsedWebhook()
        if payload.get("object") != "whatsapp_business_account":
            parsed.ignored.append(f"object {payload.get('object')!r}")
            return parsed
        entries = payload.get("entry")
        if not isinstance(entries, list):
            raise BadPayload("`entry` must be a list")
        our_number = str((account.config or {}).get("phone_number_id", ""))
        for entry in entries:
            for change in (entry or {}).get("changes") or []:
                self._parse_change(change or {}, parsed, our_number)
        return parsed

    def acknowledge(self, request: WebhookRequest, parsed: ParsedWebhook) -> HttpResponse:
        return ok_response()

    # --- the parts of a payload ---------------------------------------------------------------

    def _parse_change(self, change: dict, parsed: ParsedWebhook, our_number: str) -> None:
        field = change.get("field")
        value = change.get("value") or {}
        if field == "message_template_status_update" and isinstance(value, dict):
            parsed.follow_ups.append(
                FollowUp("channels_app.tasks_templates.apply_template_status", {"update": value})
            )
            return
        if field != "messages":
            parsed.ignored.append(f"field {field!r}")
            return
        number = str((value.get("metadata") or {}).get("phone_number_id", ""))
        if our_number and number and number != our_number:
            # one Meta app posts every number's events to each URL it knows
            parsed.ignored.append(f"change for phone number {number}, not this account's")
            return
        profiles = _profiles(value.get("contacts") or [])
        for message in value.get("messages") or []:
            try:
                parsed.messages.append(_message(message, profiles))
                signal = _system_signal(message)
                if signal:
                    parsed.signals.append(signal)
            except (KeyError, TypeError, ValueError) as exc:
                parsed.ignored.append(f"unreadable message {str(message)[:120]}: {exc}")
        for status in value.get("statuses") or []:
            converted = _status(status)
            if converted is None:
                parsed.ignored.append(f"status {status.get('status')!r} for {status.get('id')}")
            else:
                parsed.statuses.append(converted)
        for error in value.get("errors") or []:
            parsed.ignored.append(
                f"error {error.get('code')}: {error.get('title') or error.get('message')}"
            )


def _profiles(contacts: list[dict]) -> dict[str, dict]:
    """Contacts by every key a message may use to point at them."""
    profiles: dict[str, dict] = {}
    for contact in contacts:
        for key in ("wa_id", "user_id"):
            if contact.get(key):
                profiles[str(contact[key])] = contact
    if len(contacts) == 1:
        profiles[""] = contacts[0]
    return profiles


def _identities(message: dict, contact: dict) -> tuple[list[Identity], str]:
    bsuid = message.get("from_user_id") or contact.get("user_id")
    wa_id = message.get("from") or contact.get("wa_id")
    identities = []
    if bsuid:
        identities.append(Identity(IdentityKind.WHATSAPP_BSUID, str(bsuid)))
    if wa_id:
        identities.append(Identity(IdentityKind.WHATSAPP, str(wa_id)))
    if not identities:
        raise ValueError("message has neither a sender user_id nor a wa_id")
    phone = f"+{wa_id}" if wa_id and str(wa_id).isdigit() and 7 <= len(str(wa_id)) <= 15 else ""
    return identities, phone


def _message(message: dict, profiles: dict[str, dict]) -> InboundMessage:
    sender = str(message.get("from_user_id") or message.get("from") or "")
    contact = (
        profiles.get(sender) or profiles.get(str(message.get("from", ""))) or profiles.get("", {})
    )
    identities, phone = _identities(message, contact)
    profile = contact.get("profile") or {}
    inbound = InboundMessage(
        provider_message_id=str(message["id"]),
        identities=identities,
        sent_at=from_unix(message.get("timestamp")),
        display_name=profile.get("name") or profile.get("username") or "",
        phone=phone,
    )
    kind = message.get("type", "")
    content = message.get(kind) if isinstance(message.get(kind), dict) else {}
    _fill_content(inbound, kind, content, message)
    for key in ("context", "referral", "errors"):
        if message.get(key):
            inbound.metadata[key] = message[key]
    return inbound


def _fill_content(inbound: InboundMessage, kind: str, content: dict, message: dict) -> None:
    if kind == "text":
        inbound.body = content.get("body", "")
    elif kind in MEDIA_KINDS:
        inbound.content_kind = MEDIA_KINDS[kind]
        inbound.body = content.get("caption", "")
        inbound.media = {
            "provider": "whatsapp",
            "id": str(content.get("id", "")),
            "mime_type": content.get("mime_type", ""),
            "sha256": content.get("sha256", ""),
            "filename": content.get("filename", ""),
            "voice": bool(content.get("voice", False)),
            "url": content.get("url", ""),
        }
    elif kind == "location":
        inbound.content_kind = ContentKind.LOCATION
        inbound.metadata["location"] = content
        inbound.body = (
            content.get("name")
            or content.get("address")
            or (f"{content.get('latitude')}, {content.get('longitude')}")
        )
    elif kind == "contacts":
        inbound.content_kind = ContentKind.CONTACTS
        cards = message.get("contacts") or []
        inbound.metadata["contacts"] = cards
        inbound.body = ", ".join(
            (card.get("name") or {}).get("formatted_name", "") for card in cards
        )
    elif kind == "interactive":
        inbound.content_kind = ContentKind.INTERACTIVE
        reply = content.get(content.get("type", ""), {}) or {}
        inbound.body = reply.get("title", "")
        inbound.metadata["interactive"] = {"type": content.get("type"), **reply}
    elif kind == "button":
        inbound.content_kind = ContentKind.BUTTON
        inbound.body = content.get("text", "")
        inbound.metadata["button"] = content
    elif kind == "reaction":
        inbound.content_kind = ContentKind.REACTION
        inbound.body = content.get("emoji", "")
        inbound.metadata["reaction"] = {
            "target": content.get("message_id", ""),
            "removed": not content.get("emoji"),
        }
    elif kind == "edit":
        inbound.edit_of = str(content.get("original_message_id", ""))
        edited = content.get("message") or {}
        inner_kind = edited.get("type", "text")
        inner = edited.get(inner_kind) if isinstance(edited.get(inner_kind), dict) else {}
        _fill_content(inbound, inner_kind, inner, edited)
    elif kind == "revoke":
        inbound.revoke_of = str(content.get("original_message_id", ""))
    elif kind == "system":
        inbound.content_kind = ContentKind.SYSTEM
        inbound.body = content.get("body", "")
        inbound.metadata["system"] = content
    elif kind == "order":
        inbound.content_kind = ContentKind.ORDER
        inbound.metadata["order"] = content
        inbound.body = content.get("text", "")
    else:
        inbound.content_kind = ContentKind.UNSUPPORTED
        inbound.metadata["whatsapp_type"] = kind


def _system_signal(message: dict) -> ContactSignal | None:
    system = message.get("system") if message.get("type") == "system" else None
    if not system or system.get("type") not in ("user_changed_number", "customer_changed_number"):
        return None
    sender = message.get("from")
    new_wa_id = system.get("wa_id") or system.get("new_wa_id")
    if not sender or not new_wa_id:
        return None
    return ContactSignal(
        identity=Identity(IdentityKind.WHATSAPP, str(sender)),
        signal="number_changed",
        source="whatsapp:system",
        occurred_at=from_unix(message.get("timestamp")),
        detail={"new_identity": [IdentityKind.WHATSAPP, str(new_wa_id)]},
    )


def _status(status: dict) -> InboundStatus | None:
    value = STATUSES.get(status.get("status", ""))
    if value is None or not status.get("id"):
        return None
    errors = status.get("errors") or []
    first = errors[0] if errors else {}
    pricing = dict(status.get("pricing") or {})
    if status.get("conversation"):
        pricing["conversation"] = status["conversation"]
    return InboundStatus(
        provider_message_id=str(status["id"]),
        status=value,
        occurred_at=from_unix(status.get("timestamp")),
        error_code=str(first.get("code", "")) if first else "",
        error_reason=(first.get("error_data") or {}).get("details")
        or first.get("title")
        or first.get("message")
        or "",
        pricing=pricing,
        attempt_key=str(status.get("biz_opaque_callback_data") or "")[:80],
    )


ADAPTER = WhatsAppCloudAdapter()


def adapter_for_kind(kind: str) -> WhatsAppCloudAdapter:
    return ADAPTER
