"""The endpoint answers once the raw request and its task are durable; the worker records."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_q.brokers import get_broker

from channels_app.ingest import IngestIncomplete
from channels_app.models import WebhookEvent, WebhookOutcome
from channels_app.providers.whatsapp import sign
from channels_app.tasks import ingest_webhook, requeue_stalled_webhooks
from conversations.models import Message
from tests.plugins.webhooks import load_fixture, post_raw

pytestmark = [pytest.mark.real_queue, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def account(channel_account_factory):
    return channel_account_factory(
        slug="wa-queue",
        config={"phone_number_id": "100000000000001"},
        credentials={"access_token": "t", "app_secret": "s3cret", "verify_token": "v"},
    )


@pytest.fixture
def broker():
    broker = get_broker()
    broker.purge_queue()
    yield broker
    broker.purge_queue()


def deliver(client, account, payload):
    body = json.dumps(payload).encode()
    return post_raw(
        client,
        account,
        body,
        content_type="application/json",
        headers={"X-Hub-Signature-256": sign(body, "s3cret")},
    )


def test_the_endpoint_journals_and_queues_and_the_worker_records(client, account, broker):
    response = deliver(client, account, load_fixture("whatsapp", "text"))
    assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert event.outcome == WebhookOutcome.RECEIVED
    assert Message.objects.count() == 0  # not yet: the worker records
    assert broker.queue_size() == 1

    assert ingest_webhook(event.pk) == WebhookOutcome.ACCEPTED
    assert Message.objects.get().provider_message_id == "wamid.TEXT01"
    event.refresh_from_db()
    assert event.outcome == WebhookOutcome.ACCEPTED and event.processed_at is not None
    assert ingest_webhook(event.pk) == "skipped: already accepted"  # a redelivered task


def test_nothing_is_queued_for_a_request_that_carries_nothing_to_record(client, account, broker):
    assert (
        deliver(client, account, load_fixture("whatsapp", "empty_messages")).status_code
        == 200
    )
    assert WebhookEvent.objects.get().outcome == WebhookOutcome.IGNORED
    assert broker.queue_size() == 0


def test_a_failing_recording_raises_so_the_broker_retries(client, account, broker, monkeypatch):
    deliver(client, account, load_fixture("whatsapp", "text"))
    event = WebhookEvent.objects.get()
    import channels_app.ingest as ingest

    monkeypatch.setattr(ingest, "message_record_inbound", lambda **kwargs: 1 / 0)
    with pytest.raises(IngestIncomplete, match="ZeroDivisionError"):
        ingest_webhook(event.pk)
    monkeypatch.undo()
    assert ingest_webhook(event.pk) == WebhookOutcome.ACCEPTED  # the retry, after the cause passed
    assert Message.objects.count() == 1


def test_requests_left_unrecorded_are_queued_again(client, account, broker):
    deliver(client, account, load_fixture("whatsapp", "text"))
    broker.purge_queue()  # as if the task had been lost with its worker
    assert requeue_stalled_webhooks() == 0  # too recent to call stalled
    WebhookEvent.objects.update(received_at=timezone.now() - timedelta(minutes=10))
    assert requeue_stalled_webhooks() == 1
    assert broker.queue_size() == 1
