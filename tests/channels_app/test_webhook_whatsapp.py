"""The WhatsApp Cloud webhook, through the real endpoint, signed as Meta signs."""

from __future__ import annotations

import json

import pytest

from channels_app.models import Verification, WebhookEvent, WebhookOutcome
from channels_app.providers.whatsapp import sign
from conversations.models import (
    ContactIdentity,
    ContentKind,
    Conversation,
    DeliveryStatus,
    Direction,
    MediaStatus,
    Message,
    PendingStatus,
)
from conversations.services import message_assign_provider_id, message_create
from tests.plugins.webhooks import load_fixture, post_raw, webhook_url

pytestmark = pytest.mark.django_db

APP_SECRET = "app-secret-1"


@pytest.fixture
def account(channel_account_factory):
    return channel_account_factory(
        slug="wa-main",
        config={"phone_number_id": "100000000000001"},
        credentials={
            "access_token": "EAAG-test",
            "app_secret": APP_SECRET,
            "verify_token": "verify-me",
        },
    )


def deliver(client, account, payload, *, secret=APP_SECRET, body: bytes | None = None, **headers):
    """POST as Meta does: JSON with ASCII escapes, signed over exactly those bytes."""
    raw = body if body is not None else json.dumps(payload).encode()
    headers.setdefault("X-Hub-Signature-256", sign(raw, secret))
    return post_raw(client, account, raw, content_type="application/json", headers=headers)


def last_event() -> WebhookEvent:
    return WebhookEvent.objects.order_by("-pk").first()


# --- handshake ------------------------------------------------------------------------------


def test_subscription_handshake_returns_the_raw_challenge(client, account):
    response = client.get(
        webhook_url(account),
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"},
    )
    assert response.status_code == 200
    assert response.content == b"1158201444"
    assert response["Content-Type"].startswith("text/plain")
    assert last_event().outcome == WebhookOutcome.ACCEPTED


def test_handshake_with_a_wrong_token_is_refused(client, account):
    response = client.get(
        webhook_url(account),
        {"hub.mode": "subscribe", "hub.verify_token": "guess", "hub.challenge": "1158201444"},
    )
    assert response.status_code == 403
    assert b"1158201444" not in response.content
    assert last_event().verification == Verification.INVALID


# --- every inbound kind --------------------------------------------------------------------

KINDS = [
    ("text", ContentKind.TEXT, "Hallo, wo ist meine Bestellung #4711?"),
    ("voice", ContentKind.AUDIO, ""),
    ("image", ContentKind.IMAGE, "Paket kam beschädigt an"),
    ("video", ContentKind.VIDEO, ""),
    ("document", ContentKind.DOCUMENT, "Rechnung"),
    ("sticker", ContentKind.STICKER, ""),
    ("location", ContentKind.LOCATION, "Filiale Mitte"),
    ("contacts", ContentKind.CONTACTS, "Max Muster"),
    ("interactive_button", ContentKind.INTERACTIVE, "Mit Mensch sprechen"),
    ("interactive_list", ContentKind.INTERACTIVE, "Tisch für 4"),
    ("template_button", ContentKind.BUTTON, "Stop promotions"),
    ("reaction", ContentKind.REACTION, "\U0001f44d"),
    ("unsupported", ContentKind.UNSUPPORTED, ""),
    ("order", ContentKind.ORDER, "Bitte schnell"),
    (
        "system_number_changed",
        ContentKind.SYSTEM,
        "Lena changed from 4915112345678 to 4915199999999",
    ),
]


@pytest.mark.parametrize(("fixture", "kind", "body"), KINDS)
def test_each_inbound_kind_is_recorded(client, account, fixture, kind, body):
    response = deliver(client, account, load_fixture("whatsapp", fixture))
    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.content_kind, message.body) == (kind, body)
    assert message.direction == Direction.INBOUND
    assert message.conversation.contact.identities.filter(external_id="4915112345678").exists()
    assert last_event().outcome == WebhookOutcome.ACCEPTED


def test_media_is_kept_by_reference_and_downloaded_later(client, account):
    deliver(client, account, load_fixture("whatsapp", "voice"))
    message = Message.objects.get()
    assert message.media["id"] == "1093847561029384"
    assert message.media["voice"] is True
    assert message.media["sha256"] == "mQ3vX1p2bE6oU7ZkR9sT0aY4cD5eF6gH7iJ8kL9mN0o="
    assert message.media_status == MediaStatus.PENDING
    assert not message.media_file


def test_structured_content_is_kept_for_staff(client, account):
    deliver(client, account, load_fixture("whatsapp", "location"))
    deliver(client, account, load_fixture("whatsapp", "interactive_button"))
    location = Message.objects.get(provider_message_id="wamid.LOC01")
    assert location.metadata["location"]["latitude"] == 52.520008
    button = Message.objects.get(provider_message_id="wamid.BTN01")
    assert button.metadata["interactive"]["id"] == "escalate_human"
    assert button.metadata["context"]["id"] == "wamid.OUTBOUND_WITH_BUTTONS"


def test_removed_reaction_is_marked_removed(client, account):
    deliver(client, account, load_fixture("whatsapp", "reaction_removed"))
    reaction = Message.objects.get()
    assert reaction.metadata["reaction"] == {"target": "wamid.OUR_REPLY_123", "removed": True}


def test_contact_is_keyed_on_the_business_scoped_id_and_phone(client, account):
    deliver(client, account, load_fixture("whatsapp", "text"))
    contact = Message.objects.get().conversation.contact
    assert contact.display_name == "Lena Vogel"
    assert contact.phone == "+4915112345678"
    assert set(contact.identities.values_list("kind", "external_id")) == {
        ("whatsapp_bsuid", "DE.778812340091"),
        ("whatsapp", "4915112345678"),
    }


def test_a_username_only_user_without_a_phone_is_a_contact(client, account):
    response = deliver(client, account, load_fixture("whatsapp", "username_only"))
    assert response.status_code == 200
    contact = Message.objects.get().conversation.contact
    assert contact.phone == ""
    assert contact.display_name == "@nightowl"
    assert list(contact.identities.values_list("kind", "external_id")) == [
        ("whatsapp_bsuid", "US.13491208655302741918")
    ]


def test_number_change_adds_the_new_number_to_the_same_contact(client, account):
    deliver(client, account, load_fixture("whatsapp", "system_number_changed"))
    identity = ContactIdentity.objects.get(kind="whatsapp", external_id="4915199999999")
    assert identity.contact.identities.filter(external_id="4915112345678").exists()


# --- edits and revokes ----------------------------------------------------------------------


def test_an_edit_replaces_the_text_and_keeps_the_old_one(client, account):
    deliver(client, account, load_fixture("whatsapp", "text"))
    deliver(client, account, load_fixture("whatsapp", "edit"))
    message = Message.objects.get()
    assert message.body == "Hallo, wo ist meine Bestellung #4712?"
    assert message.edited_at is not None
    assert message.metadata["edits"][0]["body"] == "Hallo, wo ist meine Bestellung #4711?"


def test_a_revoke_marks_the_original_deleted_and_an_unknown_one_is_harmless(client, account):
    response = deliver(client, account, load_fixture("whatsapp", "revoke"))
    assert response.status_code == 200
    assert Message.objects.count() == 0
    deliver(client, account, load_fixture("whatsapp", "text"))
    deliver(client, account, load_fixture("whatsapp", "revoke"))
    assert Message.objects.get().revoked_at is not None


# --- idempotency and batching ------------------------------------------------------------


def test_a_redelivery_records_nothing_twice(client, account):
    payload = load_fixture("whatsapp", "text")
    for _ in range(3):
        assert deliver(client, account, payload).status_code == 200
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert last_event().summary["duplicates"] == 1
    assert WebhookEvent.objects.count() == 3  # every request journaled


def test_a_batch_records_every_message_and_status(client, account):
    response = deliver(client, account, load_fixture("whatsapp", "batch"))
    assert response.status_code == 200
    assert set(Message.objects.values_list("provider_message_id", flat=True)) == {
        "wamid.BATCH01",
        "wamid.BATCH02",
        "wamid.BATCH03",
    }
    # two senders: two contacts, and Lena's two messages share one conversation
    assert Conversation.objects.count() == 2
    assert PendingStatus.objects.filter(provider_message_id="wamid.OUR_REPLY_123").count() == 1
    summary = last_event().summary
    assert summary["messages"] == 3
    assert not any("message_template_status_update" in note for note in summary["ignored"])


def test_an_unreadable_message_does_not_cost_the_valid_ones(client, account):
    payload = load_fixture("whatsapp", "batch")
    del payload["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    assert deliver(client, account, payload).status_code == 200
    assert set(Message.objects.values_list("provider_message_id", flat=True)) == {
        "wamid.BATCH02",
        "wamid.BATCH03",
    }
    assert any("unreadable message" in note for note in last_event().summary["ignored"])


def test_events_for_another_phone_number_of_the_app_are_ignored(client, account):
    response = deliver(client, account, load_fixture("whatsapp", "other_phone_number"))
    assert response.status_code == 200
    assert Message.objects.count() == 0
    assert last_event().outcome == WebhookOutcome.IGNORED


def test_empty_message_lists_are_journaled_as_ignored(client, account):
    assert deliver(client, account, load_fixture("whatsapp", "empty_messages")).status_code == 200
    assert last_event().outcome == WebhookOutcome.IGNORED


def test_a_template_status_update_is_handed_to_the_template_task(
    client, account, monkeypatch, django_capture_on_commit_callbacks
):
    queued = []
    monkeypatch.setattr(
        "channels_app.ingest.async_task",
        lambda task, *args, **kwargs: queued.append((task, args, kwargs)),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            deliver(client, account, load_fixture("whatsapp", "template_status_update")).status_code
            == 200
        )
    assert last_event().outcome == WebhookOutcome.ACCEPTED
    assert queued[0][0] == "channels_app.tasks_templates.apply_template_status"
    assert queued[0][2]["update"]["event"] == "APPROVED"


def test_an_unknown_object_is_ignored(client, account):
    assert deliver(client, account, {"object": "page", "entry": []}).status_code == 200
    assert last_event().outcome == WebhookOutcome.IGNORED


# --- statuses -------------------------------------------------------------------------------


@pytest.fixture
def our_reply(account, conversation_factory):
    conversation = conversation_factory(channel_account_id=account.pk, channel_kind=account.kind)
    return message_create(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        author="bot",
        body="Ihre Bestellung ist unterwegs.",
        provider_message_id="wamid.OUR_REPLY_123",
    )


def status_of(message):
    message.refresh_from_db()
    return message.delivery_status


def test_statuses_move_forward_and_never_back(client, account, our_reply):
    deliver(client, account, load_fixture("whatsapp", "status_sent"))
    assert status_of(our_reply) == DeliveryStatus.SENT
    deliver(client, account, load_fixture("whatsapp", "status_read"))
    assert status_of(our_reply) == DeliveryStatus.READ
    deliver(client, account, load_fixture("whatsapp", "status_delivered"))  # late
    deliver(client, account, load_fixture("whatsapp", "status_sent"))  # later still
    assert status_of(our_reply) == DeliveryStatus.READ
    assert our_reply.delivered_at is not None  # read implies delivered
    assert our_reply.provider_pricing["category"] == "service"


def test_a_played_voice_note_counts_as_read(client, account, our_reply):
    deliver(client, account, load_fixture("whatsapp", "status_played"))
    assert status_of(our_reply) == DeliveryStatus.READ
    assert our_reply.played_at is not None


def test_an_async_131047_marks_the_message_failed_because_the_window_closed(
    client, account, our_reply
):
    deliver(client, account, load_fixture("whatsapp", "status_sent"))
    deliver(client, account, load_fixture("whatsapp", "status_failed_window"))
    assert status_of(our_reply) == DeliveryStatus.FAILED
    assert (our_reply.error_code, our_reply.error_reason) == ("131047", "24-hour window closed")


def test_a_status_that_beats_our_own_commit_is_applied_when_the_id_arrives(
    client, account, conversation_factory
):
    deliver(client, account, load_fixture("whatsapp", "status_delivered"))
    assert PendingStatus.objects.count() == 1
    conversation = conversation_factory(channel_account_id=account.pk, channel_kind=account.kind)
    outbound = message_create(
        conversation=conversation, direction=Direction.OUTBOUND, author="bot", body="hi"
    )
    message_assign_provider_id(message_id=outbound.pk, provider_message_id="wamid.OUR_REPLY_123")
    assert status_of(outbound) == DeliveryStatus.DELIVERED
    assert PendingStatus.objects.count() == 0


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "missing"),
        ("", "missing"),
        ("sha256=" + "0" * 64, "does not match"),
        ("sha1=abc", "does not match"),
    ],
)
def test_bad_signatures_are_refused_and_journaled(client, account, header, reason):
    body = json.dumps(load_fixture("whatsapp", "text")).encode()
    headers = {} if header is None else {"X-Hub-Signature-256": header}
    response = post_raw(client, account, body, content_type="application/json", headers=headers)
    assert response.status_code == 403
    event = last_event()
    assert (event.outcome, event.verification) == (WebhookOutcome.REJECTED, Verification.INVALID)
    assert reason in event.error
    assert bytes(event.body) == body  # the raw request is kept
    assert Message.objects.count() == 0


def test_a_signature_over_re_serialised_json_is_refused(client, account):
    payload = load_fixture("whatsapp", "batch")  # Arabic text: escapes differ when re-serialised
    sent = json.dumps(payload).encode()
    reserialised = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    response = deliver(
        client, account, None, body=sent, **{"X-Hub-Signature-256": sign(reserialised, APP_SECRET)}
    )
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_a_replayed_old_payload_records_nothing_new(client, account):
    payload = load_fixture("whatsapp", "text")
    deliver(client, account, payload)
    Message.objects.update(body="(kept)")
    deliver(client, account, payload)
    assert list(Message.objects.values_list("body", flat=True)) == ["(kept)"]


def test_wrong_content_type_gets_415(client, account):
    body = json.dumps(load_fixture("whatsapp", "text")).encode()
    response = post_raw(
        client,
        account,
        body,
        content_type="text/plain",
        headers={"X-Hub-Signature-256": sign(body, APP_SECRET)},
    )
    assert response.status_code == 415
    assert last_event().outcome == WebhookOutcome.FAILED


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "malformed JSON"),
        (b"[1, 2]", "must be an object"),
        (b'"text"', "must be an object"),
    ],
)
def test_unreadable_json_gets_400_with_the_reason(client, account, body, reason):
    response = deliver(client, account, None, body=body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    event = last_event()
    assert event.outcome == WebhookOutcome.FAILED and reason in event.error


def test_a_10_mb_body_gets_413_and_is_journaled(client, account):
    body = b'{"object": "whatsapp_business_account", "pad": "' + b"x" * (10 * 1024 * 1024) + b'"}'
    response = deliver(client, account, None, body=body)
    assert response.status_code == 413
    event = last_event()
    assert event.outcome == WebhookOutcome.REJECTED
    assert event.body_size >= 10 * 1024 * 1024
    assert "limit" in event.error


def test_unknown_or_disabled_accounts_get_404_and_a_journal_row(client, account):
    response = client.post(
        "/webhooks/whatsapp_cloud/nobody/", data=b"{}", content_type="application/json"
    )
    assert response.status_code == 404
    assert last_event().outcome == WebhookOutcome.REJECTED
    account.enabled = False
    account.save()
    assert deliver(client, account, load_fixture("whatsapp", "text")).status_code == 404


def text_payload(text: str, wamid: str = "wamid.NASTY") -> dict:
    payload = load_fixture("whatsapp", "text")
    message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
    message["text"]["body"] = text
    message["id"] = wamid
    return payload


@pytest.mark.parametrize(
    "text",
    [
        "a" * 4096,
        "a" * 4097,
        "مرحبا order #123 شكرا \u202einvoice\u202c \u200f \u2066x\u2069",
        "👨‍👩‍👧‍👦 🏴󠁧󠁢󠁥󠁮󠁧󠁿 👍🏽",
        "line\u2028separator\u2029 and \ufeffBOM and\u00a0nbsp and zero\u200bwidth",
    ],
)
def test_hard_texts_are_stored_exactly(client, account, text):
    assert deliver(client, account, text_payload(text)).status_code == 200
    assert Message.objects.get().body == text


def test_nul_and_lone_surrogates_are_cleaned_and_the_raw_body_kept(client, account):
    raw = json.dumps(text_payload("remove\u0000 null, keep \ud83d alone")).encode()
    assert b"\\u0000" in raw and b"\\ud83d" in raw
    assert deliver(client, account, None, body=raw).status_code == 200
    assert Message.objects.get().body == "remove null, keep \ufffd alone"
    assert bytes(last_event().body) == raw


def test_combining_marks_are_stored_in_nfc(client, account):
    deliver(client, account, text_payload("Cafe\u0301"))
    assert Message.objects.get().body == "Caf\u00e9"


def test_nul_inside_structured_content_does_not_lose_the_message(client, account):
    payload = load_fixture("whatsapp", "location")
    location = payload["entry"][0]["changes"][0]["value"]["messages"][0]["location"]
    location["name"] = "Filiale\u0000 Mitte"
    location["address"] = "Alexanderplatz \ud83d 1"
    assert deliver(client, account, payload).status_code == 200
    message = Message.objects.get()
    assert message.metadata["location"]["name"] == "Filiale Mitte"
    assert message.metadata["location"]["address"] == "Alexanderplatz \ufffd 1"


def test_an_older_edit_arriving_late_does_not_replace_a_newer_one(client, account):
    deliver(client, account, load_fixture("whatsapp", "text"))
    newer = load_fixture("whatsapp", "edit")
    newer_message = newer["entry"][0]["changes"][0]["value"]["messages"][0]
    newer_message.update(id="wamid.EDIT02", timestamp="1767225900")
    newer_message["edit"]["message"]["text"]["body"] = "the newest text"
    deliver(client, account, newer)
    deliver(client, account, load_fixture("whatsapp", "edit"))  # older, arrives late
    deliver(client, account, load_fixture("whatsapp", "edit"))  # and redelivered
    message = Message.objects.get()
    assert message.body == "the newest text"
    assert len(message.metadata["edits"]) == 2


def test_secrets_in_the_query_string_never_reach_the_journal(client, account):
    client.get(
        webhook_url(account),
        {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "42"},
    )
    event = last_event()
    assert "verify-me" not in event.url
    assert "hub.challenge=42" in event.url


def test_a_dead_letter_is_replayed_from_the_admin_after_a_fix(
    client, account, admin_user, monkeypatch
):
    import channels_app.ingest as ingest

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(ingest, "message_record_inbound", broken)
    response = deliver(client, account, load_fixture("whatsapp", "text"))
    assert response.status_code == 200  # the raw request is safe in the journal
    event = last_event()
    assert event.outcome == WebhookOutcome.FAILED
    assert "database went away" in event.error
    assert Message.objects.count() == 0

    monkeypatch.undo()  # the fix
    client.force_login(admin_user)
    response = client.post(
        "/admin/channels_app/webhookevent/",
        {"action": "replay_selected", "_selected_action": [event.pk]},
        follow=True,
    )
    assert "Replayed: 1 accepted" in response.content.decode()
    event.refresh_from_db()
    assert (event.outcome, event.replay_count) == (WebhookOutcome.ACCEPTED, 1)
    assert Message.objects.get().body == "Hallo, wo ist meine Bestellung #4711?"


def test_staff_cannot_replay_or_read_the_journal(client, account, staff_user):
    deliver(client, account, load_fixture("whatsapp", "text"))
    client.force_login(staff_user)
    assert client.get("/admin/channels_app/webhookevent/").status_code == 403
