"""Every write to contacts, conversations and messages."""

from __future__ import annotations

import contextlib
import functools
import operator
import re
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from billing.services import cost_record_whatsapp_message
from conversations import live
from conversations.inbound import ContactSignal, Identity, InboundMessage, InboundStatus
from conversations.models import (
    STATUS_RANK,
    Author,
    ChannelKind,
    Contact,
    ContactIdentity,
    ContactOptOut,
    ContentKind,
    Conversation,
    DeliveryStatus,
    Direction,
    IdentityKind,
    KeywordAction,
    MediaStatus,
    Message,
    PendingStatus,
)
from conversations.states import ConversationState, check_transition
from conversations.text import clean_json, clean_text
from sbops.core.audit import audit_record
from sbops.core.events import send_event_on_commit
from sbops.core.queue import enqueue

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
        send_event_on_commit(live.CONVERSATION_CHANGED, live.conversation_payload(conversation))
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


# --- Ingestion: what webhooks bring in ------------------------------------------------------

PROCESS_INBOUND_TASK = "conversations.tasks.process_inbound"
PROCESS_INBOUND_TIMEOUT_SECONDS = 120
WINDOW_CLOSED_CODES = {"131047", "63016"}  # WhatsApp Cloud, Twilio WhatsApp
WINDOW_CLOSED_REASON = "24-hour window closed"


def contact_resolve(
    *,
    identities: list[Identity],
    display_name: str = "",
    phone: str = "",
    email: str = "",
    language: str = "",
) -> Contact:
    """The contact known by the strongest of `identities`, or a new one holding all of them.

    Safe under concurrency: two requests creating the same new contact race on the unique
    identity; the loser rolls back its savepoint and takes the winner's contact. Identities the
    contact lacks are added (an identity that belongs to someone else is left there).
    Precondition: inside a transaction.
    """
    if not identities:
        raise ValueError("an inbound message needs at least one sender identity")
    for _attempt in range(3):
        contact = _contact_by_identities(identities)
        if contact is None:
            try:
                with transaction.atomic():
                    contact = Contact.objects.create(
                        display_name=clean_text(display_name)[:200],
                        phone=phone,
                        email=email,
                        language=language[:16],
                    )
                    for identity in identities:
                        ContactIdentity.objects.create(
                            contact=contact, kind=identity.kind, external_id=identity.external_id
                        )
                return contact
            except IntegrityError:
                continue  # created meanwhile by a concurrent request: look again
        _contact_add_missing(
            contact, identities, display_name=display_name, phone=phone, email=email
        )
        return contact
    raise RuntimeError("could not resolve the contact after concurrent creation")


def _contact_by_identities(identities: list[Identity]) -> Contact | None:
    query = Q(pk__in=[])
    for identity in identities:
        query |= Q(kind=identity.kind, external_id=identity.external_id)
    found = {
        (row.kind, row.external_id): row.contact
        for row in ContactIdentity.objects.filter(query).select_related("contact")
    }
    for identity in identities:
        if (identity.kind, identity.external_id) in found:
            return found[(identity.kind, identity.external_id)]
    return None


def _contact_add_missing(
    contact: Contact, identities: list[Identity], *, display_name: str, phone: str, email: str
) -> None:
    have = set(contact.identities.values_list("kind", "external_id"))
    for identity in identities:
        if (identity.kind, identity.external_id) in have:
            continue
        with contextlib.suppress(IntegrityError), transaction.atomic():
            ContactIdentity.objects.create(
                contact=contact, kind=identity.kind, external_id=identity.external_id
            )
    updates = {}
    if display_name and not contact.display_name:
        updates["display_name"] = clean_text(display_name)[:200]
    if phone and not contact.phone:
        updates["phone"] = phone
    if email and not contact.email:
        updates["email"] = email
    if updates:
        Contact.objects.filter(pk=contact.pk).update(**updates)
        for key, value in updates.items():
            setattr(contact, key, value)


def message_record_inbound(
    *, channel_account_id: int, channel_kind: str, inbound: InboundMessage
) -> tuple[Message | None, bool]:
    """Record one customer message, exactly once. Returns (message, created).

    Idempotent on (account, provider message id): a redelivery, or ten concurrent deliveries,
    yield one message. Concurrent messages from one new contact yield one contact and one
    conversation (the contact row is locked while its conversation is found or opened).
    Edits and revokes are applied to the original; an edit of a message we never saw is kept as
    a new message, a revoke of one is ignored (returns (None, False)).
    After commit: the inbox event, and the `process_inbound` task for new messages.
    """
    _inbound_clean(inbound)
    with transaction.atomic():
        existing = _message_by_provider_id(channel_account_id, inbound.provider_message_id)
        if existing:
            return existing, False
        if inbound.edit_of or inbound.revoke_of:
            original = _message_by_provider_id(
                channel_account_id, inbound.edit_of or inbound.revoke_of
            )
            if original is not None:
                return _message_apply_edit(original, inbound), False
            if inbound.revoke_of:
                return None, False
            inbound.metadata = {**inbound.metadata, "edit_of_unknown": inbound.edit_of}
        contact = contact_resolve(
            identities=inbound.identities,
            display_name=inbound.display_name,
            phone=inbound.phone,
            email=inbound.email,
            language=inbound.language,
        )
        # the per-contact lock: one conversation per burst (a no-op on SQLite, whose
        # IMMEDIATE transactions already run one writer at a time)
        Contact.objects.select_for_update().filter(pk=contact.pk).first()
        existing = _message_by_provider_id(channel_account_id, inbound.provider_message_id)
        if existing:
            return existing, False
        conversation = _conversation_from_thread(channel_account_id, contact, inbound) or (
            conversation_for_inbound(
                contact=contact,
                channel_account_id=channel_account_id,
                channel_kind=channel_kind,
                subject=clean_text(inbound.subject)[:300],
            )
        )
        message = message_create(
            conversation=conversation,
            direction=Direction.INBOUND,
            author=Author.SYSTEM if inbound.content_kind == ContentKind.SYSTEM else Author.CUSTOMER,
            body=clean_text(inbound.body),
            content_kind=inbound.content_kind,
            provider_message_id=inbound.provider_message_id,
            language=inbound.language[:16],
            media=inbound.media,
            metadata=inbound.metadata,
            at=inbound.sent_at,
        )
        if inbound.media:
            message.media_status = MediaStatus.PENDING
            Message.objects.filter(pk=message.pk).update(media_status=MediaStatus.PENDING)
        send_event_on_commit(live.MESSAGE_CREATED, live.message_payload(message))
        message_id = message.pk
        enqueue(PROCESS_INBOUND_TASK, message_id, timeout=PROCESS_INBOUND_TIMEOUT_SECONDS)
    return message, True


def _inbound_clean(inbound: InboundMessage) -> None:
    """Whatever an adapter passes on, nothing the database refuses gets through (NUL, lone
    surrogates, NaN) and nothing overflows an id column."""
    inbound.provider_message_id = clean_text(inbound.provider_message_id)[:255]
    inbound.edit_of = clean_text(inbound.edit_of)[:255]
    inbound.revoke_of = clean_text(inbound.revoke_of)[:255]
    inbound.language = clean_text(inbound.language)[:16]
    inbound.media = clean_json(inbound.media)  # type: ignore[assignment]
    inbound.metadata = clean_json(inbound.metadata)  # type: ignore[assignment]
    inbound.thread_message_ids = [clean_text(item)[:255] for item in inbound.thread_message_ids]
    inbound.thread_tokens = [clean_text(item)[:64] for item in inbound.thread_tokens]


def _message_by_provider_id(channel_account_id: int, provider_message_id: str) -> Message | None:
    if not provider_message_id:
        return None
    return Message.objects.filter(
        channel_account_id=channel_account_id, provider_message_id=provider_message_id
    ).first()


def _message_apply_edit(original: Message, inbound: InboundMessage) -> Message:
    """Apply an edit or a revoke once: a redelivered edit, or an older edit arriving after a
    newer one, changes nothing (the original is locked while this is decided)."""
    original = Message.objects.select_for_update().get(pk=original.pk)
    now = inbound.sent_at
    applied = list(original.metadata.get("edit_ids", []))
    if inbound.provider_message_id in applied:
        return original
    applied.append(inbound.provider_message_id)
    if inbound.revoke_of:
        original.revoked_at = original.revoked_at or now
        original.metadata = {**original.metadata, "edit_ids": applied}
        fields = ["revoked_at", "metadata"]
    elif original.edited_at and now <= original.edited_at:
        # older than the text we show: keep it in the history only
        history = [
            *original.metadata.get("edits", []),
            {"body": clean_text(inbound.body), "replaced_at": now.isoformat(), "late": True},
        ]
        original.metadata = {**original.metadata, "edits": history, "edit_ids": applied}
        fields = ["metadata"]
    else:
        history = [
            *original.metadata.get("edits", []),
            {"body": original.body, "replaced_at": now.isoformat()},
        ]
        original.body = clean_text(inbound.body)
        original.edited_at = now
        original.metadata = {**original.metadata, "edits": history, "edit_ids": applied}
        fields = ["body", "edited_at", "metadata"]
    original.save(update_fields=fields)
    send_event_on_commit(live.MESSAGE_UPDATED, live.message_payload(original))
    return original


def _conversation_from_thread(
    channel_account_id: int, contact: Contact, inbound: InboundMessage
) -> Conversation | None:
    """Email threading: In-Reply-To, then References (newest first), then a conversation token.

    Only a thread of this contact on this account counts; a resolved one is reopened unless
    the contact already has another open conversation there.
    """
    if not (inbound.thread_message_ids or inbound.thread_tokens):
        return None
    candidates = Conversation.objects.filter(channel_account_id=channel_account_id, contact=contact)
    found = None
    for provider_id in inbound.thread_message_ids:
        found = candidates.filter(
            messages__channel_account_id=channel_account_id,
            messages__provider_message_id=provider_id,
        ).first()
        if found:
            break
    if found is None:
        for token in inbound.thread_tokens:
            if token.isdigit():
                found = candidates.filter(pk=int(token)).first()
            if found:
                break
    if found is None:
        return None
    if found.state != ConversationState.RESOLVED:
        return found
    if candidates.exclude(state=ConversationState.RESOLVED).exists():
        return None
    return conversation_transition(
        conversation_id=found.pk,
        to_state=ConversationState.BOT,
        actor=None,
        reason="reopened by a reply in its email thread",
    )


# a multi-part message is known by its first part's id: "-p0" or no part at all
ATTEMPT_KEY = re.compile(r"^msg(\d+)-a(\d+)(?:-p0)?$")


def attempt_key(message_id: int, number: int) -> str:
    """The idempotency key of a delivery attempt; providers that echo it back let a status
    find its message even when the send's answer was lost (the worker died mid-call)."""
    return f"msg{message_id}-a{number}"


def _message_by_attempt_key(channel_account_id: int, key: str) -> Message | None:
    match = ATTEMPT_KEY.match(key or "")
    if not match:
        return None
    return Message.objects.filter(
        pk=int(match.group(1)),
        channel_account_id=channel_account_id,
        direction=Direction.OUTBOUND,
        provider_message_id__isnull=True,
    ).first()


def message_status_record(*, channel_account_id: int, inbound: InboundStatus) -> str:
    """Apply a provider's delivery status. Returns "applied", "unchanged" or "pending".

    A status for a message not recorded yet is kept (PendingStatus) and applied when the
    message gets its provider id. Statuses only move forward (see STATUS_RANK).
    """
    inbound.provider_message_id = clean_text(inbound.provider_message_id)[:255]
    inbound.error_code = clean_text(inbound.error_code)[:32]
    inbound.error_reason = clean_text(inbound.error_reason)[:500]
    inbound.pricing = clean_json(inbound.pricing)  # type: ignore[assignment]
    with transaction.atomic():
        message = _message_by_provider_id(channel_account_id, inbound.provider_message_id)
        if message is None and inbound.attempt_key:
            # our send was accepted but its answer never recorded: the status tells us its id
            lost = _message_by_attempt_key(channel_account_id, inbound.attempt_key)
            if lost is not None:
                message = message_assign_provider_id(
                    message_id=lost.pk, provider_message_id=inbound.provider_message_id
                )
        if message is None:
            PendingStatus.objects.create(
                channel_account_id=channel_account_id,
                provider_message_id=inbound.provider_message_id,
                status=inbound.status,
                occurred_at=inbound.occurred_at,
                error_code=inbound.error_code[:32],
                error_reason=inbound.error_reason[:500],
                pricing=inbound.pricing,
            )
            return "pending"
        return _message_take_status(message, inbound)


def _message_take_status(message: Message, inbound: InboundStatus) -> str:
    if inbound.pricing:
        Message.objects.filter(pk=message.pk).update(
            provider_pricing={**message.provider_pricing, **inbound.pricing}
        )
        if (
            message.channel_kind == ChannelKind.WHATSAPP_CLOUD
            and message.direction == Direction.OUTBOUND
        ):
            # every status repeats the pricing; the ledger row is keyed by the message, once
            cost_record_whatsapp_message(
                source_key=f"whatsapp:{message.provider_message_id or inbound.provider_message_id}",
                occurred_at=inbound.occurred_at,
                pricing=inbound.pricing,
                recipient_phone=_recipient_phone(message),
                conversation_id=message.conversation_id,
                message_id=message.pk,
            )
    status = inbound.status
    if status == "played":
        Message.objects.filter(pk=message.pk, played_at__isnull=True).update(
            played_at=inbound.occurred_at
        )
        status = DeliveryStatus.READ  # a played voice note was delivered and heard
    reason = inbound.error_reason
    if inbound.error_code in WINDOW_CLOSED_CODES:
        reason = WINDOW_CLOSED_REASON
    changed = message_apply_status(
        message_id=message.pk,
        status=status,
        at=inbound.occurred_at,
        error_code=inbound.error_code,
        error_reason=reason,
    )
    if not changed:
        return "unchanged"
    message.refresh_from_db()
    send_event_on_commit(live.MESSAGE_STATUS, live.message_status_payload(message))
    return "applied"


def _recipient_phone(message: Message) -> str:
    contact = message.conversation.contact
    if contact.phone:
        return contact.phone
    wa_id = (
        contact.identities.filter(kind=IdentityKind.WHATSAPP)
        .values_list("external_id", flat=True)
        .first()
    )
    return f"+{wa_id}" if wa_id else ""


def message_assign_provider_id(*, message_id: int, provider_message_id: str) -> Message:
    """The provider accepted our message and gave it an id: store it, then apply any statuses
    that arrived before we knew the id."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        message.provider_message_id = provider_message_id
        message.save(update_fields=["provider_message_id"])
        pending = PendingStatus.objects.filter(
            channel_account_id=message.channel_account_id,
            provider_message_id=provider_message_id,
        ).order_by("occurred_at", "pk")
        for row in pending:
            _message_take_status(
                message,
                InboundStatus(
                    provider_message_id=provider_message_id,
                    status=row.status,
                    occurred_at=row.occurred_at,
                    error_code=row.error_code,
                    error_reason=row.error_reason,
                    pricing=row.pricing,
                ),
            )
            message.refresh_from_db()
        pending.delete()
    return message


def contact_apply_signal(*, channel_kind: str, signal: ContactSignal) -> Contact | None:
    """Blocked / unblocked / changed number, as the platform reports it. Unknown contacts:
    nothing to change (returns None)."""
    with transaction.atomic():
        identity = (
            ContactIdentity.objects.filter(
                kind=signal.identity.kind, external_id=signal.identity.external_id
            )
            .select_related("contact")
            .first()
        )
        if identity is None:
            return None
        contact = identity.contact
        if signal.signal == "opted_out":
            ContactOptOut.objects.get_or_create(
                contact=contact, channel_kind=channel_kind, defaults={"source": signal.source[:64]}
            )
        elif signal.signal == "opted_in":
            # an unblock lifts only what the platform itself set, never a STOP or staff's word
            platform = signal.source.split(":", 1)[0] + ":"
            ContactOptOut.objects.filter(
                contact=contact, channel_kind=channel_kind, source__startswith=platform
            ).delete()
        elif signal.signal == "number_changed" and signal.detail.get("new_identity"):
            kind, external_id = signal.detail["new_identity"]
            with contextlib.suppress(IntegrityError), transaction.atomic():
                ContactIdentity.objects.create(contact=contact, kind=kind, external_id=external_id)
        audit_record(
            actor=None,
            action=f"contact.{signal.signal}",
            target=contact,
            data={"channel_kind": channel_kind, "source": signal.source},
        )
    return contact


def message_media_stored(*, message_id: int, name: str, content: bytes, mime_type: str) -> None:
    """Keep a downloaded attachment with its message."""
    from django.core.files.base import ContentFile

    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        message.media_file.save(name, ContentFile(content), save=False)
        message.media_status = MediaStatus.STORED
        message.media_error = ""
        message.media = {
            **message.media,
            "stored_mime_type": mime_type,
            "stored_size": len(content),
        }
        message.save(update_fields=["media_file", "media_status", "media_error", "media"])
        send_event_on_commit(live.MESSAGE_UPDATED, live.message_payload(message))


def message_media_failed(*, message_id: int, error: str, final: bool) -> int:
    """Count a failed download; when `final`, show it as failed (the message itself stays)."""
    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        message.media_attempts += 1
        message.media_error = error[:300]
        if final:
            message.media_status = MediaStatus.FAILED
        message.save(update_fields=["media_attempts", "media_error", "media_status"])
        if final:
            send_event_on_commit(live.MESSAGE_UPDATED, live.message_payload(message))
        return message.media_attempts


# sources of an opt-out that the customer's own "START" lifts (a Telegram block is lifted by
# unblocking, and staff's word by staff)
LIFTED_BY_KEYWORD = ("keyword:", "twilio:")


def contact_keyword_opt(*, message: Message, action: str, keyword: str) -> bool:
    """Apply a customer's STOP / START on the channel the message came by. Returns whether
    anything changed (a repeated STOP changes nothing, so it is confirmed only once)."""
    with transaction.atomic():
        contact = message.conversation.contact
        kind = message.channel_kind
        if action == KeywordAction.OPT_OUT:
            _row, changed = ContactOptOut.objects.get_or_create(
                contact=contact, channel_kind=kind, defaults={"source": f"keyword:{keyword}"[:64]}
            )
        else:
            lifted = ContactOptOut.objects.filter(contact=contact, channel_kind=kind).filter(
                functools.reduce(operator.or_, (Q(source__startswith=p) for p in LIFTED_BY_KEYWORD))
            )
            changed = bool(lifted.delete()[0])
        if changed:
            audit_record(
                actor=None,
                action=f"contact.{action}",
                target=contact,
                data={
                    "channel_kind": kind,
                    "source": f"keyword:{keyword}",
                    "message_id": message.pk,
                },
            )
    return changed


# --- Outbound: every reply, bot or staff, goes out through one delivery task ------------------

DELIVER_TASK = "channels_app.tasks.deliver"
DELIVER_TIMEOUT_SECONDS = 90


def message_queue_outbound(
    *,
    conversation: Conversation,
    body: str,
    author: str,
    actor: Any,
    bot_tier: str = "",
    template: dict[str, Any] | None = None,
) -> Message:
    """Create an outbound message and queue its delivery (the one choke point: rules,
    throttles, retries, breakers). `template`: {"name", "language", "params"} for a WhatsApp
    template. Staff messages name their author and are audited."""
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        message = message_create(
            conversation=conversation,
            direction=Direction.OUTBOUND,
            author=author,
            author_user=user if author == Author.STAFF else None,
            bot_tier=bot_tier,
            body=clean_text(body),
            content_kind=ContentKind.TEMPLATE if template else ContentKind.TEXT,
            metadata={"template": template} if template else {},
        )
        if user is not None:
            audit_record(
                actor=user,
                action="message.queued",
                target=message,
                data={"conversation_id": conversation.pk},
            )
        send_event_on_commit(live.MESSAGE_CREATED, live.message_payload(message))
        enqueue(DELIVER_TASK, message.pk, timeout=DELIVER_TIMEOUT_SECONDS)
    return message


def message_delivery_result(
    *,
    message_id: int,
    status: str,
    provider_message_id: str = "",
    error_code: str = "",
    error_reason: str = "",
    details: dict[str, Any] | None = None,
) -> Message:
    """Record what delivery came to: `sent` with the provider's id (statuses that arrived
    first are applied), or `failed` with the reason staff see. `details` (segments, encoding,
    parts) is kept on the message."""
    with transaction.atomic():
        if details:
            message = Message.objects.select_for_update().get(pk=message_id)
            message.metadata = {
                **message.metadata,
                "delivery": {**message.metadata.get("delivery", {}), **details},
            }
            message.save(update_fields=["metadata"])
        if provider_message_id:
            message_assign_provider_id(
                message_id=message_id, provider_message_id=provider_message_id
            )
        message_apply_status(
            message_id=message_id, status=status, error_code=error_code, error_reason=error_reason
        )
        message = Message.objects.get(pk=message_id)
        send_event_on_commit(live.MESSAGE_STATUS, live.message_status_payload(message))
    return message
