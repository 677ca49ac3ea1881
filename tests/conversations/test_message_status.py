"""Delivery statuses only move forward, whatever order the provider's webhooks arrive in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations.models import STATUS_RANK, Author, DeliveryStatus, Direction, Message
from conversations.services import message_apply_status, message_create

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0) - timedelta(days=1)


def at(minutes: int):
    return T0 + timedelta(minutes=minutes)


@pytest.fixture
def outbound(message_factory):
    """A bot reply that the provider accepted (status `sent`)."""
    return message_factory(
        direction=Direction.OUTBOUND,
        author=Author.BOT,
        delivery_status=DeliveryStatus.SENT,
        sent_at=at(0),
    )


def reload(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


def test_sent_delivered_read_move_forward_and_stamp_each_time(message_factory):
    message = message_factory(
        direction=Direction.OUTBOUND, author=Author.BOT, delivery_status=DeliveryStatus.QUEUED
    )

    assert message_apply_status(message_id=message.pk, status=DeliveryStatus.SENT, at=at(1))
    assert message_apply_status(message_id=message.pk, status=DeliveryStatus.DELIVERED, at=at(2))
    assert message_apply_status(message_id=message.pk, status=DeliveryStatus.READ, at=at(3))

    message = reload(message)
    assert message.delivery_status == DeliveryStatus.READ
    assert message.status_rank == STATUS_RANK[DeliveryStatus.READ]
    assert (message.sent_at, message.delivered_at, message.read_at) == (at(1), at(2), at(3))
    assert message.failed_at is None


def test_late_delivered_after_read_is_ignored(outbound):
    assert message_apply_status(message_id=outbound.pk, status=DeliveryStatus.DELIVERED, at=at(1))
    assert message_apply_status(message_id=outbound.pk, status=DeliveryStatus.READ, at=at(2))

    # the provider redelivers the `delivered` webhook later
    assert (
        message_apply_status(message_id=outbound.pk, status=DeliveryStatus.DELIVERED, at=at(9))
        is False
    )

    message = reload(outbound)
    assert message.delivery_status == DeliveryStatus.READ
    assert message.delivered_at == at(1)
    assert message.read_at == at(2)


def test_repeated_status_changes_nothing(outbound):
    assert message_apply_status(message_id=outbound.pk, status=DeliveryStatus.DELIVERED, at=at(1))

    assert (
        message_apply_status(message_id=outbound.pk, status=DeliveryStatus.DELIVERED, at=at(5))
        is False
    )
    assert reload(outbound).delivered_at == at(1)


def test_failed_after_sent_wins_with_the_error(outbound):
    changed = message_apply_status(
        message_id=outbound.pk,
        status=DeliveryStatus.FAILED,
        at=at(1),
        error_code="131047",
        error_reason="Re-engagement message: more than 24 hours since the customer last replied",
    )

    assert changed is True
    message = reload(outbound)
    assert message.delivery_status == DeliveryStatus.FAILED
    assert message.status_rank == STATUS_RANK[DeliveryStatus.FAILED]
    assert message.failed_at == at(1)
    assert message.error_code == "131047"
    assert message.error_reason.startswith("Re-engagement message")


@pytest.mark.parametrize("reached", [DeliveryStatus.DELIVERED, DeliveryStatus.READ])
def test_failed_after_delivered_or_read_is_ignored(outbound, reached):
    message_apply_status(message_id=outbound.pk, status=reached, at=at(1))

    changed = message_apply_status(
        message_id=outbound.pk,
        status=DeliveryStatus.FAILED,
        at=at(2),
        error_code="131026",
        error_reason="Message undeliverable",
    )

    assert changed is False
    message = reload(outbound)
    assert message.delivery_status == reached
    assert message.failed_at is None
    assert message.error_code == ""
    assert message.error_reason == ""


def test_read_without_delivered_fills_delivered_at(outbound):
    assert message_apply_status(message_id=outbound.pk, status=DeliveryStatus.READ, at=at(4))

    message = reload(outbound)
    assert message.delivery_status == DeliveryStatus.READ
    assert message.read_at == at(4)
    assert message.delivered_at == at(4)


def test_status_without_time_uses_now(outbound):
    before = timezone.now()

    message_apply_status(message_id=outbound.pk, status=DeliveryStatus.DELIVERED)

    message = reload(outbound)
    assert before <= message.delivered_at <= timezone.now()


def test_unknown_message_changes_nothing(outbound):
    assert message_apply_status(message_id=outbound.pk + 1000, status=DeliveryStatus.READ) is False
    assert reload(outbound).delivery_status == DeliveryStatus.SENT


# --- message_create moves the conversation's clocks -------------------------------------------


def test_customer_inbound_sets_last_inbound_at(conversation):
    message = message_create(
        conversation=conversation,
        direction=Direction.INBOUND,
        author=Author.CUSTOMER,
        body="Hola",
        at=at(1),
    )

    conversation.refresh_from_db()
    assert conversation.last_inbound_at == at(1)
    assert conversation.last_message_at == at(1)
    assert conversation.first_staff_reply_at is None
    assert message.delivery_status == DeliveryStatus.RECEIVED
    assert reload(message).created_at == at(1)


@pytest.mark.parametrize(
    ("direction", "author"),
    [
        (Direction.OUTBOUND, Author.BOT),
        (Direction.OUTBOUND, Author.STAFF),
        (Direction.OUTBOUND, Author.SYSTEM),
        (Direction.INBOUND, Author.SYSTEM),
    ],
)
def test_other_messages_do_not_move_the_customer_window(conversation, direction, author):
    message_create(
        conversation=conversation, direction=direction, author=author, body="Hi", at=at(0)
    )
    message_create(
        conversation=conversation, direction=Direction.INBOUND, author=Author.CUSTOMER, at=at(1)
    )
    message_create(conversation=conversation, direction=direction, author=author, at=at(5))

    conversation.refresh_from_db()
    assert conversation.last_inbound_at == at(1)
    assert conversation.last_message_at == at(5)


def test_first_staff_reply_is_stamped_once(conversation, staff_user, owner_user):
    message_create(
        conversation=conversation, direction=Direction.INBOUND, author=Author.CUSTOMER, at=at(0)
    )
    message_create(
        conversation=conversation, direction=Direction.OUTBOUND, author=Author.BOT, at=at(1)
    )
    conversation.refresh_from_db()
    assert conversation.first_staff_reply_at is None

    message_create(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        author=Author.STAFF,
        author_user=staff_user,
        at=at(2),
    )
    message_create(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        author=Author.STAFF,
        author_user=owner_user,
        at=at(3),
    )

    conversation.refresh_from_db()
    assert conversation.first_staff_reply_at == at(2)
    assert conversation.last_message_at == at(3)


def test_outbound_starts_queued_unless_told(conversation):
    queued = message_create(
        conversation=conversation, direction=Direction.OUTBOUND, author=Author.BOT
    )
    read = message_create(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        author=Author.BOT,
        delivery_status=DeliveryStatus.READ,
    )

    assert reload(queued).delivery_status == DeliveryStatus.QUEUED
    assert reload(read).status_rank == STATUS_RANK[DeliveryStatus.READ]
