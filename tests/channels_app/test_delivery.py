"""The delivery choke point against the sandbox fakes, through the real senders and SDKs."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone
from django_q.models import Schedule

from channels_app.delivery import deliver_message
from channels_app.models import DeliveryAttempt, SendOutcome
from conversations.models import ContactOptOut, DeliveryStatus, Direction, IdentityKind
from conversations.services import (
    contact_create,
    conversation_for_inbound,
    message_create,
    message_queue_outbound,
)
from sbops.sandbox.fakes import scripts

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture(autouse=True)
def fresh_fakes():
    scripts.reset()
    yield
    scripts.reset()


@pytest.fixture
def whatsapp(channel_account_factory, sandbox, settings):
    settings.SANDBOX_URL = sandbox.url
    return channel_account_factory(
        slug="wa-send",
        kind="whatsapp_cloud",
        uses_sandbox=True,
        config={"phone_number_id": "100000000000001", "waba_id": "200000000000001"},
        credentials={"access_token": "EAAG-test", "app_secret": "s", "verify_token": "v"},
    )


def conversation_with(account, *, wrote_ago: timedelta | None = timedelta(minutes=5)):
    contact = contact_create(
        display_name="Lena",
        phone="+4915112345678",
        identities=[(IdentityKind.WHATSAPP, "4915112345678")],
    )
    conversation = conversation_for_inbound(
        contact=contact, channel_account_id=account.pk, channel_kind=account.kind
    )
    if wrote_ago is not None:
        message_create(
            conversation=conversation,
            direction=Direction.INBOUND,
            author="customer",
            body="hi",
            at=timezone.now() - wrote_ago,
        )
    return conversation


def outbound(conversation, body="Ihre Bestellung ist unterwegs."):
    return message_queue_outbound(
        conversation=conversation, body=body, author="bot", actor=None, bot_tier="rules"
    )


def script(sandbox, **spec):
    httpx.post(sandbox.url + "/sandbox-script", json=spec, timeout=5).raise_for_status()


def test_a_reply_inside_the_window_is_sent_and_gets_the_providers_id(whatsapp, sandbox):
    message = outbound(conversation_with(whatsapp))
    assert deliver_message(message.pk).startswith("sent as wamid.")
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.SENT
    assert message.provider_message_id.startswith("wamid.")
    sent = sandbox.recorder.last("/whatsapp/v25.0/100000000000001/messages").json()
    assert sent["to"] == "4915112345678"
    assert sent["text"]["body"] == "Ihre Bestellung ist unterwegs."
    assert sent["biz_opaque_callback_data"] == DeliveryAttempt.objects.get().idempotency_key


def test_free_form_outside_the_window_is_refused_before_any_call(whatsapp, sandbox):
    message = outbound(conversation_with(whatsapp, wrote_ago=timedelta(hours=24, seconds=1)))
    deliver_message(message.pk)
    message.refresh_from_db()
    assert (message.delivery_status, message.error_code) == (DeliveryStatus.FAILED, "window_closed")
    assert "approved template" in message.error_reason
    assert sandbox.recorder.count("/whatsapp/v25.0/100000000000001/messages") == 0


def test_nothing_goes_to_a_customer_who_opted_out(whatsapp, sandbox):
    conversation = conversation_with(whatsapp)
    ContactOptOut.objects.create(
        contact=conversation.contact, channel_kind="whatsapp_cloud", source="keyword:STOP"
    )
    message = outbound(conversation)
    deliver_message(message.pk)
    message.refresh_from_db()
    assert (message.delivery_status, message.error_code) == (DeliveryStatus.FAILED, "opted_out")
    assert DeliveryAttempt.objects.get().outcome == SendOutcome.OPTED_OUT
    assert sandbox.recorder.count("/whatsapp/v25.0/100000000000001/messages") == 0


def test_a_rate_limited_send_waits_and_is_not_failed(whatsapp, sandbox):
    script(sandbox, provider="whatsapp", outcome="rate_limited", times=1)
    message = outbound(conversation_with(whatsapp))
    assert deliver_message(message.pk).startswith("waiting")
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.QUEUED
    attempt = DeliveryAttempt.objects.get()
    assert (attempt.outcome, attempt.error_code) == (SendOutcome.RATE_LIMITED, "130429")
    assert Schedule.objects.filter(func="channels_app.tasks.deliver").count() == 1
    assert deliver_message(message.pk).startswith("sent as")  # the retry, when it comes
    assert DeliveryAttempt.objects.count() == 2


def test_an_expired_token_pauses_the_account_and_the_message_waits(
    whatsapp, sandbox, mailoutbox, settings
):
    settings.ADMINS = [("Ops", "ops@example.com")]
    script(sandbox, provider="whatsapp", outcome="token_expired", times=1)
    message = outbound(conversation_with(whatsapp))
    assert "account paused" in deliver_message(message.pk)
    whatsapp.refresh_from_db()
    assert whatsapp.config["paused_reason"].startswith("190")
    message.refresh_from_db()
    assert message.delivery_status == DeliveryStatus.QUEUED
    assert "paused" in mailoutbox[0].subject
    assert "account paused" in deliver_message(message.pk)  # still paused: no call made
    assert DeliveryAttempt.objects.count() == 1


def test_a_long_text_goes_in_parts_cut_between_graphemes(whatsapp, sandbox):
    body = ("Hallo 👨‍👩‍👧‍👦! " * 400).strip()  # over 4096 characters
    message = outbound(conversation_with(whatsapp), body=body)
    assert "parts" in deliver_message(message.pk)
    bodies = [
        r.json()["text"]["body"]
        for r in sandbox.recorder.requests("/whatsapp/v25.0/100000000000001/messages")
    ]
    assert len(bodies) >= 2 and all(len(b) <= 4096 for b in bodies)
    assert all("👨‍👩‍👧‍👦" in b for b in bodies)  # no family emoji was cut in two


ORDER_UPDATE = [
    {"type": "HEADER", "format": "TEXT", "text": "Bestellstatus"},
    {
        "type": "BODY",
        "text": "Hallo {{1}}, Ihre Bestellung {{2}} ist unterwegs.",
        "example": {"body_text": [["Lena", "#4711"]]},
    },
]


@pytest.fixture
def order_update(whatsapp):
    from channels_app.models import MessageTemplate

    return MessageTemplate.objects.create(
        account=whatsapp,
        name="order_update",
        language="de",
        category="UTILITY",
        status="APPROVED",
        parameter_format="POSITIONAL",
        components=ORDER_UPDATE,
        provider_template_id="1000000000000002",
    )


def template_message(conversation, params):
    return message_queue_outbound(
        conversation=conversation,
        body="Hallo Lena, Ihre Bestellung #4711 ist unterwegs.",
        author="staff",
        actor=None,
        template={"name": "order_update", "language": "de", "params": params},
    )


def test_outside_the_window_an_approved_template_goes(whatsapp, sandbox, order_update):
    conversation = conversation_with(whatsapp, wrote_ago=timedelta(days=3))
    message = template_message(conversation, ["Lena", "#4711"])
    assert deliver_message(message.pk).startswith("sent as")
    sent = sandbox.recorder.last("/whatsapp/v25.0/100000000000001/messages").json()
    assert sent["type"] == "template"
    assert sent["template"]["name"] == "order_update"
    body = next(c for c in sent["template"]["components"] if c["type"] == "body")
    assert [p["text"] for p in body["parameters"]] == ["Lena", "#4711"]


def test_a_paused_template_is_refused_with_the_reason(whatsapp, sandbox, order_update):
    order_update.status = "PAUSED"
    order_update.save()
    message = template_message(conversation_with(whatsapp, wrote_ago=None), ["Lena", "#4711"])
    deliver_message(message.pk)
    message.refresh_from_db()
    assert (message.delivery_status, message.error_code) == (
        DeliveryStatus.FAILED,
        "template_refused",
    )
    assert "PAUSED" in message.error_reason
    assert sandbox.recorder.count("/whatsapp/v25.0/100000000000001/messages") == 0


def test_template_parameters_are_checked_before_sending(whatsapp, sandbox, order_update):
    message = template_message(conversation_with(whatsapp, wrote_ago=None), ["Lena"])
    deliver_message(message.pk)
    message.refresh_from_db()
    assert message.error_code == "template_params"
    assert "expected 2 parameters, got 1" in message.error_reason


def test_a_window_closed_refusal_offers_an_approved_template(whatsapp, sandbox, order_update):
    message = outbound(conversation_with(whatsapp, wrote_ago=timedelta(hours=30)))
    deliver_message(message.pk)
    message.refresh_from_db()
    assert "order_update (de)" in message.error_reason


def test_a_send_whose_answer_was_lost_is_reconciled_from_the_status_not_sent_again(
    whatsapp, sandbox, client
):
    """The worker died after WhatsApp accepted the message and before we recorded it: the
    attempt is in flight, and the status webhook (echoing our attempt key) tells us its id."""
    import json as jsonlib

    from channels_app.providers.whatsapp import sign
    from conversations.services import attempt_key

    message = outbound(conversation_with(whatsapp))
    DeliveryAttempt.objects.create(
        message=message, number=1, idempotency_key=attempt_key(message.pk, 1)
    )
    status = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {"phone_number_id": "100000000000001"},
                            "statuses": [
                                {
                                    "id": "wamid.LOST1",
                                    "status": "delivered",
                                    "timestamp": "1767226102",
                                    "recipient_id": "4915112345678",
                                    "biz_opaque_callback_data": attempt_key(message.pk, 1),
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    body = jsonlib.dumps(status).encode()
    response = client.post(
        f"/webhooks/whatsapp_cloud/{whatsapp.slug}/",
        data=body,
        content_type="application/json",
        HTTP_X_HUB_SIGNATURE_256=sign(body, "s"),
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert (message.provider_message_id, message.delivery_status) == (
        "wamid.LOST1",
        DeliveryStatus.DELIVERED,
    )
    assert deliver_message(message.pk) == "skipped: already delivered"
    assert (
        sandbox.recorder.count("/whatsapp/v25.0/100000000000001/messages") == 0
    )  # never sent twice


def test_a_bot_writing_too_often_hands_the_customer_to_a_person(whatsapp, sandbox):
    whatsapp.config = {**whatsapp.config, "velocity_per_5_minutes": 3}
    whatsapp.save()
    conversation = conversation_with(whatsapp)
    results = [deliver_message(outbound(conversation, body=f"reply {n}").pk) for n in range(4)]
    assert all(result.startswith("sent") for result in results[:3])
    assert results[3].startswith("failed: not sent: too many bot messages")
    conversation.refresh_from_db()
    assert conversation.state == "waiting_human"
    assert sandbox.recorder.count("/whatsapp/v25.0/100000000000001/messages") == 3
