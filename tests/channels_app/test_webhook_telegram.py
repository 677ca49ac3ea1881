"""The Telegram bot webhook, through the real endpoint, with the secret-token header Telegram
sends once `setWebhook` was given a `secret_token`."""

from __future__ import annotations

import json

import pytest

from channels_app.models import Verification, WebhookEvent, WebhookOutcome
from channels_app.providers.base import FollowUp, WebhookRequest
from channels_app.providers.telegram import ANSWER_CALLBACK_TASK, adapter_for_kind, sign
from conversations.models import (
    ContactOptOut,
    ContentKind,
    Conversation,
    Direction,
    MediaStatus,
    Message,
)
from tests.plugins.webhooks import load_fixture, post_raw

pytestmark = pytest.mark.django_db

SECRET = "casa-lumbre_secret-Token-42"
AMIRA = ("telegram", "5523108871")


@pytest.fixture
def account(channel_account_factory):
    return channel_account_factory(
        kind="telegram",
        slug="casa-bot",
        credentials={"bot_token": "7012345678:AAE-test-token", "secret_token": SECRET},
    )


@pytest.fixture(autouse=True)
def queued(monkeypatch):
    """Tasks the webhook queues, by dotted path (kept here, not sent to a broker)."""
    calls: list[tuple] = []
    monkeypatch.setattr(
        "channels_app.ingest.async_task",
        lambda task, *args, **kwargs: calls.append((task, args, kwargs)),
    )
    return calls


def deliver(client, account, update=None, *, body: bytes | None = None, headers=None):
    raw = body if body is not None else json.dumps(update).encode()
    return post_raw(
        client,
        account,
        raw,
        content_type="application/json",
        headers=sign(SECRET) if headers is None else headers,
    )


def last_event() -> WebhookEvent:
    return WebhookEvent.objects.order_by("-pk").first()


def identities(message: Message) -> list[tuple[str, str]]:
    return list(message.conversation.contact.identities.values_list("kind", "external_id"))


# --- every kind of message ------------------------------------------------------------------

KINDS = [
    ("text", ContentKind.TEXT, "مرحبا، أين طلبي؟ #4711"),
    ("voice", ContentKind.AUDIO, ""),
    ("photo", ContentKind.IMAGE, "الطرد وصل تالف"),
    ("audio", ContentKind.AUDIO, ""),
    ("video", ContentKind.VIDEO, "هكذا وصل"),
    ("video_note", ContentKind.VIDEO, ""),
    ("document", ContentKind.DOCUMENT, "الفاتورة"),
    ("sticker", ContentKind.STICKER, ""),
    ("location", ContentKind.LOCATION, "25.204849, 55.270782"),
    ("venue", ContentKind.LOCATION, "Dubai Mall"),
    ("contact", ContentKind.CONTACTS, "Amira Khalil"),
    ("poll", ContentKind.UNSUPPORTED, ""),
]


@pytest.mark.parametrize(("fixture", "kind", "body"), KINDS)
def test_each_message_kind_is_recorded(client, account, fixture, kind, body):
    update = load_fixture("telegram", fixture)
    response = deliver(client, account, update)
    assert response.status_code == 200
    assert response.content == b"ok"
    message = Message.objects.get()
    assert (message.direction, message.content_kind, message.body) == (
        Direction.INBOUND,
        kind,
        body,
    )
    assert message.provider_message_id == f"5523108871:{update['message']['message_id']}"
    assert message.metadata["update_id"] == update["update_id"]
    assert identities(message) == [AMIRA]
    event = last_event()
    assert (event.outcome, event.verification) == (WebhookOutcome.ACCEPTED, Verification.VALID)


def test_the_contact_gets_name_and_language_from_the_sender(client, account):
    deliver(client, account, load_fixture("telegram", "text"))
    contact = Message.objects.get().conversation.contact
    assert (contact.display_name, contact.language) == ("Amira Khalil", "ar")


def test_a_sender_with_only_a_username_is_named_by_it(client, account):
    update = load_fixture("telegram", "text")
    update["message"]["from"] = {
        "id": 5523108871,
        "is_bot": False,
        "first_name": "",
        "username": "amira_k",
    }
    deliver(client, account, update)
    assert Message.objects.get().conversation.contact.display_name == "amira_k"


def test_a_photo_keeps_its_largest_size(client, account):
    deliver(client, account, load_fixture("telegram", "photo"))
    message = Message.objects.get()
    assert message.media == {
        "provider": "telegram",
        "file_id": "AgACAgIAAx2",
        "file_unique_id": "AQAD2",
        "mime_type": "image/jpeg",
        "file_size": 68210,
    }
    assert message.media_status == MediaStatus.PENDING


def test_a_voice_note_is_kept_by_reference_for_download(client, account):
    deliver(client, account, load_fixture("telegram", "voice"))
    message = Message.objects.get()
    assert message.media["file_id"] == "AwACAgIAAxkBAAIHM2Z"
    assert message.media["mime_type"] == "audio/ogg"
    assert message.media["file_size"] == 28412
    assert message.media["voice"] is True
    assert message.media_status == MediaStatus.PENDING


def test_a_document_keeps_its_file_name(client, account):
    deliver(client, account, load_fixture("telegram", "document"))
    media = Message.objects.get().media
    assert (media["file_name"], media["mime_type"]) == ("فاتورة-4711.pdf", "application/pdf")


def test_structured_content_is_kept_for_staff(client, account):
    for fixture in ("sticker", "venue", "contact", "poll"):
        deliver(client, account, load_fixture("telegram", fixture))
    by_kind = {message.content_kind: message for message in Message.objects.all()}
    assert by_kind[ContentKind.STICKER].metadata["sticker"]["emoji"] == "😢"
    assert by_kind[ContentKind.STICKER].media["mime_type"] == "image/webp"
    location = by_kind[ContentKind.LOCATION].metadata["location"]
    assert (location["latitude"], location["address"]) == (25.197197, "Financial Center Rd, Dubai")
    assert by_kind[ContentKind.CONTACTS].metadata["contacts"][0]["phone_number"] == "971501234567"
    assert by_kind[ContentKind.UNSUPPORTED].metadata["telegram_type"] == "poll"


def test_sharing_ones_own_contact_gives_the_customer_a_phone(client, account):
    deliver(client, account, load_fixture("telegram", "contact"))
    assert Message.objects.get().conversation.contact.phone == "+971501234567"


def test_a_redelivered_update_records_nothing_twice(client, account):
    update = load_fixture("telegram", "text")
    for _ in range(3):
        assert deliver(client, account, update).status_code == 200
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert last_event().summary["duplicates"] == 1


def test_message_ids_are_per_chat(client, account):
    first = load_fixture("telegram", "text")
    other = load_fixture("telegram", "group_message")
    other["message"]["message_id"] = first["message"]["message_id"]
    deliver(client, account, first)
    deliver(client, account, other)
    assert sorted(Message.objects.values_list("provider_message_id", flat=True)) == [
        "-1001987654321:1842",
        "5523108871:1842",
    ]


def test_a_group_message_belongs_to_its_sender_with_the_chat_noted(client, account):
    deliver(client, account, load_fixture("telegram", "group_message"))
    message = Message.objects.get()
    assert message.body == "@shop_support_bot שולחן ל-6 ביום שישי?"
    assert identities(message) == [("telegram", "6610022233")]
    assert message.conversation.contact.display_name == "Yosef"
    assert message.metadata["chat"] == {
        "id": -1001987654321,
        "type": "supergroup",
        "title": "Casa Lumbre VIP",
        "is_forum": False,
    }
    assert message.metadata["context"] == {"id": "-1001987654321:76"}


# --- edits ----------------------------------------------------------------------------------


def test_an_edit_replaces_the_text_and_keeps_the_old_one(client, account):
    deliver(client, account, load_fixture("telegram", "text"))
    assert deliver(client, account, load_fixture("telegram", "edited_message")).status_code == 200
    message = Message.objects.get()
    assert message.body == "مرحبا، أين طلبي؟ #4712"
    assert message.metadata["edits"][0]["body"] == "مرحبا، أين طلبي؟ #4711"
    assert message.edited_at is not None
    assert message.edited_at.timestamp() == 1767225744


def test_an_edit_of_a_message_never_seen_is_kept_as_a_message(client, account):
    assert deliver(client, account, load_fixture("telegram", "edited_message")).status_code == 200
    message = Message.objects.get()
    assert message.body == "مرحبا، أين طلبي؟ #4712"
    assert message.provider_message_id == "5523108871:1842:edit:1767225744"
    assert message.metadata["edit_of_unknown"] == "5523108871:1842"


def test_a_redelivered_edit_is_applied_once(client, account):
    deliver(client, account, load_fixture("telegram", "text"))
    deliver(client, account, load_fixture("telegram", "edited_message"))
    deliver(client, account, load_fixture("telegram", "edited_message"))
    assert len(Message.objects.get().metadata["edits"]) == 1


def test_live_location_updates_are_not_edits(client, account):
    deliver(client, account, load_fixture("telegram", "location"))
    edit = load_fixture("telegram", "location")
    edit["edited_message"] = {**edit.pop("message"), "edit_date": 1767225790}
    edit["edited_message"]["location"] = {"latitude": 25.2, "longitude": 55.27, "live_period": 900}
    assert deliver(client, account, edit).status_code == 200
    assert Message.objects.get().body == "25.204849, 55.270782"
    assert last_event().outcome == WebhookOutcome.IGNORED


# --- inline keyboard buttons -----------------------------------------------------------------


def test_a_button_tap_is_recorded_and_answered(
    client, account, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, account, load_fixture("telegram", "callback_query"))
    assert response.status_code == 200
    message = Message.objects.get()
    assert (message.content_kind, message.body) == (ContentKind.INTERACTIVE, "escalate:conv_981")
    assert message.metadata["interactive"]["id"] == "escalate:conv_981"
    assert message.metadata["context"] == {"id": "5523108871:1850"}
    assert identities(message) == [AMIRA]
    assert queued == [
        (ANSWER_CALLBACK_TASK, (account.pk,), {"callback_query_id": "4382109457120938471"})
    ]
    assert last_event().outcome == WebhookOutcome.ACCEPTED


def test_a_button_tap_reads_as_the_buttons_label_when_the_keyboard_is_known(client, account):
    deliver(client, account, load_fixture("telegram", "callback_query_with_keyboard"))
    message = Message.objects.get()
    assert message.body == "نعم، موظف من فضلك"
    assert message.metadata["interactive"]["id"] == "escalate:yes"


def test_a_tap_on_an_old_inaccessible_message_still_counts(
    client, account, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, account, load_fixture("telegram", "callback_query_inaccessible"))
    assert response.status_code == 200
    assert Message.objects.get().body == "reorder:4711"
    assert [task for task, _args, _kwargs in queued] == [ANSWER_CALLBACK_TASK]


def test_parse_asks_for_the_callback_to_be_answered(account):
    body = json.dumps(load_fixture("telegram", "callback_query")).encode()
    request = WebhookRequest(
        method="POST",
        url="http://testserver/webhooks/telegram/casa-bot/",
        headers={"content-type": "application/json"},
        body=body,
    )
    parsed = adapter_for_kind("telegram").parse(request, account)
    assert parsed.follow_ups == [
        FollowUp(
            task="channels_app.tasks.answer_telegram_callback",
            kwargs={"callback_query_id": "4382109457120938471"},
        )
    ]
    assert [message.provider_message_id for message in parsed.messages] == [
        "callback:4382109457120938471"
    ]


# --- blocked and unblocked --------------------------------------------------------------------


def test_blocking_the_bot_opts_out_and_unblocking_opts_back_in(client, account):
    deliver(client, account, load_fixture("telegram", "text"))
    contact = Message.objects.get().conversation.contact
    assert (
        deliver(client, account, load_fixture("telegram", "my_chat_member_kicked")).status_code
        == 200
    )
    opt_out = ContactOptOut.objects.get()
    assert (opt_out.contact, opt_out.channel_kind, opt_out.source) == (
        contact,
        "telegram",
        "telegram:blocked",
    )
    assert last_event().outcome == WebhookOutcome.ACCEPTED
    deliver(client, account, load_fixture("telegram", "my_chat_member_member"))
    assert ContactOptOut.objects.count() == 0


def test_membership_changes_in_groups_are_ignored(client, account):
    deliver(client, account, load_fixture("telegram", "text"))
    deliver(client, account, load_fixture("telegram", "my_chat_member_group"))
    assert ContactOptOut.objects.count() == 0
    assert last_event().outcome == WebhookOutcome.IGNORED


# --- what we do not handle -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "named"),
    [
        ("channel_post", "channel_post"),
        ("message_reaction", "message_reaction"),
        ("group_service_message", "new_chat_members"),
    ],
)
def test_updates_we_do_not_handle_are_journaled_as_ignored(client, account, fixture, named):
    response = deliver(client, account, load_fixture("telegram", fixture))
    assert response.status_code == 200
    assert Message.objects.count() == 0
    event = last_event()
    assert event.outcome == WebhookOutcome.IGNORED
    assert any(named in note for note in event.summary["ignored"])


def test_an_unknown_update_type_with_a_hostile_name_is_journaled(client, account):
    raw = b'{"update_id": 731904599, "brand_new\\u0000\\ud83d": {"x": "\\u0000"}}'
    assert deliver(client, account, body=raw).status_code == 200
    event = last_event()
    assert event.outcome == WebhookOutcome.IGNORED
    assert "brand_new" in event.summary["ignored"][0]


def test_a_message_with_ids_that_are_not_telegrams_is_ignored(client, account):
    update = load_fixture("telegram", "text")
    update["message"]["chat"]["id"] = "5523108871; DROP TABLE"
    assert deliver(client, account, update).status_code == 200
    assert Message.objects.count() == 0
    event = last_event()
    assert event.outcome == WebhookOutcome.IGNORED
    assert "chat id must be an integer" in event.summary["ignored"][0]


# --- the secret token ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing"),
        ({"X-Telegram-Bot-Api-Secret-Token": ""}, "missing"),
        ({"X-Telegram-Bot-Api-Secret-Token": "guess"}, "does not match"),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET.upper()}, "does not match"),
        ({"X-Telegram-Bot-Api-Secret-Token": SECRET + " "}, "does not match"),
    ],
)
def test_a_wrong_secret_token_is_refused_and_journaled(client, account, headers, reason):
    body = json.dumps(load_fixture("telegram", "text")).encode()
    response = deliver(client, account, body=body, headers=headers)
    assert response.status_code == 403
    event = last_event()
    assert (event.outcome, event.verification) == (WebhookOutcome.REJECTED, Verification.INVALID)
    assert reason in event.error
    assert bytes(event.body) == body
    assert Message.objects.count() == 0


def test_the_header_name_is_matched_in_any_case(client, account):
    headers = {"x-telegram-bot-api-SECRET-token": SECRET}
    assert (
        deliver(client, account, load_fixture("telegram", "text"), headers=headers).status_code
        == 200
    )
    assert Message.objects.count() == 1


def test_the_secret_token_is_never_journaled(client, account):
    deliver(client, account, load_fixture("telegram", "text"))
    event = last_event()
    assert event.headers["x-telegram-bot-api-secret-token"] == "[redacted]"
    assert SECRET not in json.dumps(event.headers)


def test_an_account_without_a_secret_token_accepts_nothing(client, channel_account_factory):
    account = channel_account_factory(
        kind="telegram", slug="no-secret", credentials={"bot_token": "1:A", "secret_token": ""}
    )
    for value in ("", "anything"):
        headers = {"X-Telegram-Bot-Api-Secret-Token": value}
        assert (
            deliver(client, account, load_fixture("telegram", "text"), headers=headers).status_code
            == 403
        )
    assert Message.objects.count() == 0


# --- bad input ------------------------------------------------------------------------------


def test_wrong_content_type_gets_415(client, account):
    body = json.dumps(load_fixture("telegram", "text")).encode()
    response = post_raw(
        client,
        account,
        body,
        content_type="application/x-www-form-urlencoded",
        headers=sign(SECRET),
    )
    assert response.status_code == 415
    event = last_event()
    assert (event.outcome, event.status_code) == (WebhookOutcome.FAILED, 415)
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"{not json", "malformed JSON"),
        (b"\xff\xfe{}", "malformed JSON"),
        (b"[1, 2]", "must be an object"),
        (b"null", "must be an object"),
    ],
)
def test_unreadable_json_gets_400_with_the_reason(client, account, body, reason):
    response = deliver(client, account, body=body)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    event = last_event()
    assert (event.outcome, event.verification) == (WebhookOutcome.FAILED, Verification.VALID)
    assert reason in event.error
    assert bytes(event.body) == body


def text_update(text: str, message_id: int = 9001) -> dict:
    update = load_fixture("telegram", "text")
    update["message"]["text"] = text
    update["message"]["message_id"] = message_id
    return update


@pytest.mark.parametrize(
    "text",
    [
        "a" * 4096,
        "a" * 4097,
        "😀" * 4096,
        "مرحبا order #123 شكرا \u202einvoice\u202cgnp.exe \u200f \u200e \u2066x\u2069",
        "👨‍👩‍👧‍👦 🏴󠁧󠁢󠁥󠁮󠁧󠁿 👍🏽",
        "*bold* _it_ [link](http://x) `code` \\ ~ > # + - = | { } . !",
        "line\u2028separator\u2029 and \ufeffBOM and\u00a0nbsp and zero\u200bwidth",
    ],
)
def test_hard_texts_are_stored_exactly(client, account, text):
    assert deliver(client, account, text_update(text)).status_code == 200
    assert Message.objects.get().body == text


def test_nul_and_lone_surrogates_are_cleaned_and_the_raw_body_kept(client, account):
    update = text_update("remove\u0000 null, keep \ud83d alone")
    update["message"]["from"]["first_name"] = "Am\u0000ira \udc00"
    update["message"]["chat"] = {"id": -100123, "type": "group", "title": "VIP \ud83d\u0000"}
    raw = json.dumps(update).encode()
    assert b"\\u0000" in raw and b"\\ud83d" in raw
    assert deliver(client, account, body=raw).status_code == 200
    message = Message.objects.get()
    assert message.body == "remove null, keep \ufffd alone"
    assert message.metadata["chat"]["title"] == "VIP \ufffd"
    assert message.conversation.contact.display_name.startswith("Amira")
    assert bytes(last_event().body) == raw


def test_nan_coordinates_are_kept_as_text(client, account):
    raw = json.dumps(load_fixture("telegram", "location")).replace("25.204849", "NaN").encode()
    assert deliver(client, account, body=raw).status_code == 200
    message = Message.objects.get()
    assert message.metadata["location"]["latitude"] == "nan"
    assert message.body == "nan, 55.270782"


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 1, "my_chat_member": {"chat": "private", "new_chat_member": "kicked"}},
        {"update_id": 2, "message": {"message_id": 5, "chat": ["not", "a", "chat"]}},
        {"update_id": 3, "callback_query": {"id": "7", "from": "Amira"}},
        {
            "update_id": 4,
            "edited_message": {**load_fixture("telegram", "text")["message"], "edit_date": "soon"},
        },
    ],
)
def test_malformed_parts_of_an_update_are_journaled_not_crashed_on(client, account, update):
    assert deliver(client, account, update).status_code == 200
    event = last_event()
    assert event.outcome == WebhookOutcome.IGNORED
    assert event.summary["ignored"][0].startswith("unreadable")
    assert Message.objects.count() == 0
