"""The database itself refuses rows that would break ingestion or the state machine.

These constraints are what keep a webhook burst or a provider redelivery from creating a second
contact, message or open conversation, so they are checked against the real backend.
"""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from conversations.models import (
    STATUS_RANK,
    ContactIdentity,
    Conversation,
    DeliveryStatus,
    IdentityKind,
    Message,
)
from conversations.states import ConversationState

pytestmark = pytest.mark.django_db


# --- contact identities ----------------------------------------------------------------------


def test_same_external_id_of_the_same_kind_belongs_to_one_contact_only(
    contact_factory, contact_identity_factory
):
    first = contact_identity_factory(kind=IdentityKind.WHATSAPP, external_id="34611223344")
    other_contact = contact_factory()

    with pytest.raises(IntegrityError), transaction.atomic():
        ContactIdentity.objects.create(
            contact=other_contact, kind=IdentityKind.WHATSAPP, external_id="34611223344"
        )

    owners = ContactIdentity.objects.filter(kind=IdentityKind.WHATSAPP, external_id="34611223344")
    assert list(owners.values_list("contact_id", flat=True)) == [first.contact_id]


def test_same_external_id_on_different_kinds_is_allowed(contact_factory, contact_identity_factory):
    contact_identity_factory(kind=IdentityKind.WHATSAPP, external_id="4915112345678")

    ContactIdentity.objects.create(
        contact=contact_factory(), kind=IdentityKind.TELEGRAM, external_id="4915112345678"
    )

    assert ContactIdentity.objects.filter(external_id="4915112345678").count() == 2


# --- provider message ids ------------------------------------------------------------------


def test_provider_message_id_is_unique_per_channel_account(message_factory, conversation_factory):
    first = message_factory(provider_message_id="wamid.DUPLICATE")
    # a second conversation on the same account (another contact)
    same_account = conversation_factory(channel_account_id=first.channel_account_id)

    with pytest.raises(IntegrityError), transaction.atomic():
        message_factory(conversation=same_account, provider_message_id="wamid.DUPLICATE")

    assert Message.objects.filter(provider_message_id="wamid.DUPLICATE").count() == 1


def test_same_provider_message_id_on_another_account_is_allowed(message_factory):
    first = message_factory(provider_message_id="wamid.SHARED")
    second = message_factory(provider_message_id="wamid.SHARED")  # new conversation, new account

    assert first.channel_account_id != second.channel_account_id
    assert Message.objects.filter(provider_message_id="wamid.SHARED").count() == 2


def test_several_messages_without_provider_id_on_one_account_are_allowed(
    conversation, message_factory
):
    for _ in range(3):
        message_factory(conversation=conversation, provider_message_id=None)

    assert (
        Message.objects.filter(
            channel_account_id=conversation.channel_account_id, provider_message_id__isnull=True
        ).count()
        == 3
    )


# --- one open conversation per contact and account -------------------------------------------


@pytest.mark.parametrize(
    "open_state",
    [ConversationState.BOT, ConversationState.WAITING_HUMAN, ConversationState.HUMAN],
)
def test_second_open_conversation_is_refused_while_one_is_open(conversation_factory, open_state):
    first = conversation_factory(state=open_state)

    with pytest.raises(IntegrityError), transaction.atomic():
        conversation_factory(contact=first.contact, channel_account_id=first.channel_account_id)

    assert Conversation.objects.filter(contact=first.contact).count() == 1


def test_new_conversation_is_allowed_once_the_previous_one_is_resolved(conversation_factory):
    first = conversation_factory()
    Conversation.objects.filter(pk=first.pk).update(state=ConversationState.RESOLVED)

    second = conversation_factory(
        contact=first.contact, channel_account_id=first.channel_account_id
    )

    assert second.state == ConversationState.BOT
    assert Conversation.objects.filter(contact=first.contact).count() == 2
    # and several resolved ones may pile up in the history
    Conversation.objects.filter(pk=second.pk).update(state=ConversationState.RESOLVED)
    conversation_factory(contact=first.contact, channel_account_id=first.channel_account_id)
    assert Conversation.objects.filter(contact=first.contact).count() == 3


def test_same_contact_may_have_open_conversations_on_different_accounts(conversation_factory):
    first = conversation_factory()
    second = conversation_factory(contact=first.contact)  # the factory makes a new account

    assert first.channel_account_id != second.channel_account_id
    assert Conversation.objects.filter(contact=first.contact).count() == 2


# --- status rank and escalation score ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "wrong_rank"),
    [
        (DeliveryStatus.READ, STATUS_RANK[DeliveryStatus.DELIVERED]),
        (DeliveryStatus.SENT, STATUS_RANK[DeliveryStatus.READ]),
        (DeliveryStatus.RECEIVED, 7),
    ],
)
def test_status_rank_must_match_delivery_status(message_factory, status, wrong_rank):
    with pytest.raises(IntegrityError), transaction.atomic():
        message_factory(delivery_status=status, status_rank=wrong_rank)


def test_status_rank_matching_delivery_status_is_accepted(message_factory):
    for status, rank in STATUS_RANK.items():
        message = message_factory(delivery_status=status, status_rank=rank)
        message.refresh_from_db()
        assert (message.delivery_status, message.status_rank) == (status, rank)


def test_updating_status_without_rank_is_refused(message):
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(delivery_status=DeliveryStatus.READ)

    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.RECEIVED


@pytest.mark.parametrize("score", [-0.01, 1.01, 5.0])
def test_escalation_score_outside_zero_to_one_is_refused(conversation_factory, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        conversation_factory(escalation_score=score)

    assert not Conversation.objects.exists()


@pytest.mark.parametrize("score", [0.0, 0.7, 1.0])
def test_escalation_score_within_zero_to_one_is_accepted(conversation_factory, score):
    conversation = conversation_factory(escalation_score=score)
    conversation.refresh_from_db()

    assert conversation.escalation_score == score
