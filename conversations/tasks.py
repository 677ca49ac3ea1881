"""django-q2 entry points of this app: take ids, load rows, call one service."""

from __future__ import annotations

import logging

from django.db import transaction

from conversations.keywords import keyword_match
from conversations.models import Author, KeywordAction, Message
from conversations.services import contact_keyword_opt, conversation_transition
from conversations.states import ConversationState

logger = logging.getLogger(__name__)

NO_RESPONDER_REASON = "no automatic responder is configured: a person answers"


def process_inbound(message_id: int) -> str:
    """Decide who answers a new customer message.

    Until the AI responder is installed, every message that reaches a bot-owned conversation
    goes to the staff queue, so no customer meets silence. Returns what was done (for the task log).
    """
    with transaction.atomic():
        message = Message.objects.select_related("conversation").filter(pk=message_id).first()
        if message is None:
            return "skipped: message no longer exists"
        conversation = message.conversation
        match = keyword_match(message.body) if message.author == Author.CUSTOMER else None
        if match:
            changed = contact_keyword_opt(
                message=message, action=match.action, keyword=match.keyword
            )
            verb = "opted out" if match.action == KeywordAction.OPT_OUT else "opted back in"
            outcome = f"skipped: the customer {verb} with the keyword {match.keyword}"
            if not changed:
                outcome += " (already so: no second confirmation)"
        elif conversation.state != ConversationState.BOT:
            outcome = f"skipped: conversation is {conversation.state}, a person owns it"
        else:
            conversation_transition(
                conversation_id=conversation.pk,
                to_state=ConversationState.WAITING_HUMAN,
                actor=None,
                reason=NO_RESPONDER_REASON,
            )
            outcome = "queued for a human: " + NO_RESPONDER_REASON
        Message.objects.filter(pk=message_id).update(
            metadata={**message.metadata, "handling": outcome}
        )
    return outcome


PENDING_STATUS_LIFETIME_DAYS = 8  # WhatsApp retries a webhook for 7 days


def expire_pending_statuses() -> int:
    """Forget statuses that never found their message: after a week they belong to messages
    that are not ours (another system sharing the number). Scheduled daily; returns how many."""
    from datetime import timedelta

    from django.utils import timezone

    from conversations.models import PendingStatus

    cutoff = timezone.now() - timedelta(days=PENDING_STATUS_LIFETIME_DAYS)
    deleted, _ = PendingStatus.objects.filter(created_at__lt=cutoff).delete()
    if deleted:
        logger.info("forgot %s statuses for messages that never appeared", deleted)
    return deleted
