"""The inbox events this app emits: one builder per op, so every payload has one shape.

Sent only from services, through `sbops.core.events.send_event_on_commit`.
"""

from __future__ import annotations

from typing import Any

from conversations.models import Conversation, Message

MESSAGE_CREATED = "message.created"
MESSAGE_UPDATED = "message.updated"
MESSAGE_STATUS = "message.status"
CONVERSATION_CHANGED = "conversation.changed"


def message_payload(message: Message) -> dict[str, Any]:
    return {
        "message_id": message.pk,
        "conversation_id": message.conversation_id,
        "direction": message.direction,
        "author": message.author,
        "content_kind": message.content_kind,
        "body": message.body,
        "delivery_status": message.delivery_status,
        "media_status": message.media_status,
        "edited": message.edited_at is not None,
        "revoked": message.revoked_at is not None,
        "created_at": message.created_at.isoformat(),
    }


def message_status_payload(message: Message) -> dict[str, Any]:
    return {
        "message_id": message.pk,
        "conversation_id": message.conversation_id,
        "delivery_status": message.delivery_status,
        "error_code": message.error_code,
        "error_reason": message.error_reason,
    }


def conversation_payload(conversation: Conversation) -> dict[str, Any]:
    return {
        "conversation_id": conversation.pk,
        "state": conversation.state,
        "assigned_to": conversation.assigned_to_id,
        "contact_id": conversation.contact_id,
        "escalation_reason": conversation.escalation_reason,
    }
