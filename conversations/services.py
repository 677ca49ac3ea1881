"""Every write to contacts, conversations and messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from conversations.models import (
    STATUS_RANK,
    Author,
    Contact,
    ContactIdentity,
    ContentKind,
    Conversation,
    DeliveryStatus,
    Direction,
    Message,
)
from conversations.states import ConversationState, check_transition
from sbops.core.audit import audit_record

# timestamp field set when a message reaches each status
STATUS_TIME_FIELD = {
    DeliveryStatus.SENT: "sent_at",
    DeliveryStatus.DELIVERED: "delivered_at",
    DeliveryStatus.READ: "read_at",
    DeliveryStatus.FAILED: "failed_at",
}


def contact_create(
    *,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    language: str = "",
    is_vip: bool = False,
    identities: list[tuple[str, str]] | None = None,
) -> Contact:
    """Create a contact with its channel identities ((kind, external_id) pairs).

    Raises IntegrityError if an identity already belongs to a contact.
    """
    with transaction.atomic():
        contact = Contact(
            display_name=display_name, phone=phone, email=email, language=language, is_vip=is_vip
        )
        contact.full_clean()
        contact.save()
        for kind, external_id in identities or []:
            ContactIdentity.objects.create(contact=contact, kind=kind, external_id=external_id)
    return contact


def conversation_for_inbound(
    *, contact: Contact, channel_account_id: int, channel_kind: str, subject: str = ""
) -> Conversation:
    """The conversation a new customer message belongs to.

    The open one if there is one; else the latest resolved one, reopened to the bot (the
    customer's history stays in one thread, as in Chatwoot); else a new one in state `bot`.
    Call inside a transaction holding the per-contact lock, so a burst opens one conversation.
    """
    conversations = Conversation.objects.filter(
        contact=contact, channel_account_id=channel_account_id
    )
    existing = conversations.exclude(state=ConversationState.RESOLVED).first()
    if existing:
        return existing
    resolved = conversations.order_by("-resolved_at", "-pk").first()
    if resolved:
        return conversation_transition(
            conversation_id=resolved.pk,
            to_state=ConversationState.BOT,
            actor=None,
            reason="reopened by a new customer message",
        )
    return Conversation.objects.create(
        contact=contact,
        channel_account_id=channel_account_id,
        channel_kind=channel_kind,
        subject=subject,
    )


def conversation_transition(
    *, conversation_id: int, to_state: str, actor: Any, reason: str = "", assignee: Any = None
) -> Conversation:
    """Move a conversation along the state machine, under a row lock. Raises TransitionNotAllowed.

    Entering `human` assigns `assignee` (or the acting user); leaving it for the bot or the queue
    clears the assignment.
    """
    with transaction.atomic():
        conversation = Conversation.objects.select_for_update().get(pk=conversation_id)
        previous = conversation.state
        check_transition(previous, to_state)
        now = timezone.now()
        conversation.state = to_state
        if to_state == ConversationState.WAITING_HUMAN:
            conversation.handed_off_at = now
            conversation.assigned_to = None
            if reason:
                conversation.escalation_reason = reason[:300]
        elif to_state == ConversationState.HUMAN:
            user = assignee or (actor if getattr(actor, "is_authenticated", False) else None)
            conversation.assigned_to = user
            if conversation.handed_off_at is None:
                conversation.handed_off_at = now
            # staff reopening a resolved conversation: it is open again, as when the bot reopens
            conversation.resolved_at = None
        elif to_state == ConversationState.BOT:
            conversation.assigned_to = None
            conversation.resolved_at = None
        elif to_state == ConversationState.RESOLVED:
            conversation.resolved_at = now
        conversation.save()
        audit_record(
            actor=actor,
            action=f"conversation.{to_state}",
            target=conversation,
            data={"from": previous, "to": to_state, "reason": reason},
        )
    return conversation


def message_create(
    *,
    conversation: Conversation,
    direction: str,
    author: str,
    body: str = "",
    content_kind: str = ContentKind.TEXT,
    delivery_status: str | None = None,
    provider_message_id: str | None = None,
    language: str = "",
    bot_tier: str = "",
    author_user: Any = None,
    media: dict | None = None,
    metadata: dict | None = None,
    at: datetime | None = None,
) -> Message:
    """Record a message in a conversation and move the conversation's clocks.

    Inbound messages start `received`; outbound `queued` unless a status is given.
    """
    status = delivery_status or (
        DeliveryStatus.RECEIVED if direction == Direction.INBOUND else DeliveryStatus.QUEUED
    )
    at = at or timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        channel_account_id=conversation.channel_account_id,
        channel_kind=conversation.channel_kind,
        direction=direction,
        author=author,
        author_user=author_user,
        bot_tier=bot_tier,
        content_kind=content_kind,
        body=body,
        language=language,
        media=media or {},
        metadata=metadata or {},
        provider_message_id=provider_message_id,
        delivery_status=status,
        status_rank=STATUS_RANK[status],
        provider_timestamp=at if direction == Direction.INBOUND else None,
    )
    if at != message.created_at:
        Message.objects.filter(pk=message.pk).update(created_at=at)
        message.created_at = at
    updates: dict[str, Any] = {"last_message_at": at}
    if direction == Direction.INBOUND and author == Author.CUSTOMER:
        updates["last_inbound_at"] = at
    if author == Author.STAFF and conversation.first_staff_reply_at is None:
        updates["first_staff_reply_at"] = at
    Conversation.objects.filter(pk=conversation.pk).update(**updates)
    for field, value in updates.items():
        setattr(conversation, field, value)
    return message


def message_apply_status(
    *,
    message_id: int,
    status: str,
    at: datetime | None = None,
    error_code: str = "",
    error_reason: str = "",
) -> bool:
    """Move a message's delivery status forward; a lower or equal rank is ignored.

    Returns whether the status changed. One conditional UPDATE, so two status webhooks racing
    each other can never move it backwards.
    """
    rank = STATUS_RANK[status]
    values: dict[str, Any] = {"delivery_status": status, "status_rank": rank}
    time_field = STATUS_TIME_FIELD.get(status)
    if time_field:
        values[time_field] = at or timezone.now()
    if status == DeliveryStatus.FAILED:
        values["error_code"] = error_code[:32]
        values["error_reason"] = error_reason[:500]
    changed = Message.objects.filter(pk=message_id, status_rank__lt=rank).update(**values)
    if changed and status == DeliveryStatus.READ:
        # a read receipt implies delivery even when the delivered webhook never came
        Message.objects.filter(pk=message_id, delivered_at__isnull=True).update(
            delivered_at=values["read_at"]
        )
    return bool(changed)
