"""A new customer message reopens the resolved conversation instead of starting a stranger's thread."""

import pytest

from conversations.services import conversation_for_inbound, conversation_transition
from conversations.states import ConversationState
from sbops.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_first_message_opens_a_conversation_with_the_bot(contact, channel_account):
    conversation = conversation_for_inbound(
        contact=contact, channel_account_id=channel_account.pk, channel_kind=channel_account.kind
    )
    assert conversation.state == ConversationState.BOT
    again = conversation_for_inbound(
        contact=contact, channel_account_id=channel_account.pk, channel_kind=channel_account.kind
    )
    assert again.pk == conversation.pk


def test_a_message_after_resolution_reopens_the_same_conversation(
    contact, channel_account, staff_user
):
    first = conversation_for_inbound(
        contact=contact, channel_account_id=channel_account.pk, channel_kind=channel_account.kind
    )
    conversation_transition(
        conversation_id=first.pk, to_state=ConversationState.RESOLVED, actor=staff_user
    )

    reopened = conversation_for_inbound(
        contact=contact, channel_account_id=channel_account.pk, channel_kind=channel_account.kind
    )
    assert reopened.pk == first.pk
    assert reopened.state == ConversationState.BOT
    assert reopened.resolved_at is None
    audit = AuditEntry.objects.filter(target_id=str(first.pk)).order_by("pk").last()
    assert (audit.actor_label, audit.data["from"], audit.data["to"]) == (
        "system",
        "resolved",
        "bot",
    )


def test_another_account_gets_its_own_conversation(contact, channel_account_factory):
    whatsapp, telegram = channel_account_factory(), channel_account_factory(kind="telegram")
    a = conversation_for_inbound(
        contact=contact, channel_account_id=whatsapp.pk, channel_kind=whatsapp.kind
    )
    b = conversation_for_inbound(
        contact=contact, channel_account_id=telegram.pk, channel_kind=telegram.kind
    )
    assert a.pk != b.pk
