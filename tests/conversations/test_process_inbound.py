"""Every customer message ends answered, queued for a person, or skipped with a reason."""

import pytest

from conversations.models import Author, Direction
from conversations.services import conversation_transition, message_create
from conversations.states import ConversationState
from conversations.tasks import NO_RESPONDER_REASON, process_inbound

pytestmark = pytest.mark.django_db


def inbound(conversation):
    return message_create(
        conversation=conversation, direction=Direction.INBOUND, author=Author.CUSTOMER, body="hola"
    )


def test_without_a_responder_the_customer_goes_to_the_staff_queue(conversation):
    message = inbound(conversation)
    outcome = process_inbound(message.pk)
    conversation.refresh_from_db()
    message.refresh_from_db()
    assert conversation.state == ConversationState.WAITING_HUMAN
    assert conversation.escalation_reason == NO_RESPONDER_REASON
    assert message.metadata["handling"] == outcome
    assert outcome.startswith("queued for a human")


def test_a_conversation_a_person_owns_is_left_to_them_with_the_reason(conversation, staff_user):
    conversation_transition(
        conversation_id=conversation.pk, to_state=ConversationState.HUMAN, actor=staff_user
    )
    message = inbound(conversation)
    outcome = process_inbound(message.pk)
    conversation.refresh_from_db()
    assert conversation.state == ConversationState.HUMAN
    assert conversation.assigned_to == staff_user
    assert outcome == "skipped: conversation is human, a person owns it"


def test_a_message_deleted_meanwhile_is_skipped_with_a_reason(db):
    assert process_inbound(987654) == "skipped: message no longer exists"


def test_statuses_that_never_find_their_message_are_forgotten_after_a_week(db):
    from datetime import timedelta

    from django.utils import timezone

    from conversations.models import PendingStatus
    from conversations.tasks import expire_pending_statuses

    now = timezone.now()
    for days in (1, 9):
        row = PendingStatus.objects.create(
            channel_account_id=1,
            provider_message_id=f"wamid.{days}",
            status="read",
            occurred_at=now,
        )
        PendingStatus.objects.filter(pk=row.pk).update(created_at=now - timedelta(days=days))
    assert expire_pending_statuses() == 1
    assert list(PendingStatus.objects.values_list("provider_message_id", flat=True)) == ["wamid.1"]
