"""Inbound email through the real endpoint, `/webhooks/email/<slug>/`, signed as Mailgun and
Postmark sign: who wrote, what they replied (history set apart), which conversation it joins,
and what bad input gets back."""

from __future__ import annotations

import base64
import json
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from channels_app.models import Verification, WebhookEvent, WebhookOutcome
from channels_app.providers.email import (
    INLINE_ATTACHMENT_LIMIT,
    MAILGUN_MAX_AGE_SECONDS,
    MAILGUN_MAX_CLOCK_SKEW_SECONDS,
    sign_mailgun,
    sign_postmark,
)
from conversations.models import (
    ContactIdentity,
    ContentKind,
    Conversation,
    IdentityKind,
    Message,
)
from conversations.services import contact_create, conversation_transition, message_create
from conversations.states import ConversationState
from tests.plugins.webhooks import load_fixture, post_raw

pytestmark = pytest.mark.django_db

SIGNING_KEY = "email-signing-key-3f9a1c"
THREAD_PARENT = "conv-1.msg-1@support.example.com"
MiB = 1024 * 1024


@pytest.fixture
def mailgun(channel_account_factory):
    return channel_account_factory(
        kind="email",
        slug="mail-mailgun",
        address="support@support.example.com",
        credentials={"signing_key": SIGNING_KEY, "smtp_password": "smtp-secret"},
        config={"provider": "mailgun"},
    )


@pytest.fixture
def postmark(channel_account_factory):
    return channel_account_factory(
        kind="email",
        slug="mail-postmark",
        address="support@inbound.example.com",
        credentials={"signing_key": SIGNING_KEY},
        config={"provider": "postmark"},
    )


# --- posting as the providers do -----------------------------------------------------------


def mailgun_fields(name: str, **substitutions: Any) -> dict[str, str]:
    fields = load_fixture("email", name)
    for key, value in substitutions.items():
        fields = {
            field: text.replace("{" + key + "}", str(value)) for field, text in fields.items()
        }
    return fields


def mailgun_signed(
    fields: dict[str, str], *, key: str = SIGNING_KEY, timestamp: int | None = None
) -> dict[str, str]:
    timestamp = int(time.time()) if timestamp is None else timestamp
    token = secrets.token_hex(25)
    return {
        **fields,
        "timestamp": str(timestamp),
        "token": token,
        "signature": sign_mailgun(key, timestamp, token),
    }


def post_mailgun(client, account, fields: dict[str, str], *, encoding: str = "utf-8", **signing):
    body = urlencode(mailgun_signed(fields, **signing), encoding=encoding).encode("ascii")
    return post_raw(client, account, body, content_type="application/x-www-form-urlencoded")


def multipart_body(
    fields: dict[str, str], files: list[tuple[str, str, str, bytes]]
) -> tuple[bytes, str]:
    """multipart/form-data as Mailgun posts it; files are (field, filename, mime type, bytes)."""
    boundary = "mailgun-" + secrets.token_hex(8)
    chunks = []
    for name, value in fields.items():
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n'
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n".encode()
            + value.encode("utf-8")
            + b"\r\n"
        )
    for name, filename, mime_type, content in files:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: {mime_type}\r\n\r\n'.encode()
            + content
            + b"\r\n"
        )
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def post_mailgun_multipart(client, account, fields, files):
    body, content_type = multipart_body(mailgun_signed(fields), files)
    return post_raw(client, account, body, content_type=content_type)


def post_postmark(
    client,
    account,
    payload: Any,
    *,
    headers: dict[str, str] | None = None,
    content_type: str = "application/json",
    query: str = "",
):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return post_raw(
        client,
        account,
        body,
        content_type=content_type,
        headers=sign_postmark(SIGNING_KEY) if headers is None else headers,
        query=query,
    )


def journal() -> WebhookEvent:
    return WebhookEvent.objects.order_by("-pk").first()


def only_message() -> Message:
    messages = list(Message.objects.select_related("conversation__contact"))
    assert len(messages) == 1, [m.body[:40] for m in messages]
    return messages[0]


def lena_with_two_closed_threads(account, address: str = "lena@example.org"):
    """Lena's earlier conversation holds our outbound conv-1.msg-1; a later one was about
    something else. Both are resolved, so without threading a new mail would reopen the later."""
    contact = contact_create(
        display_name="Lena Vogel", email=address, identities=[(IdentityKind.EMAIL, address)]
    )
    earlier = Conversation.objects.create(
        contact=contact, channel_account_id=account.pk, channel_kind="email", subject="Table"
    )
    message_create(
        conversation=earlier,
        direction="out",
        author="staff",
        body="Your table for four is booked for Friday at 8pm.",
        provider_message_id=THREAD_PARENT,
    )
    conversation_transition(
        conversation_id=earlier.pk, to_state=ConversationState.RESOLVED, actor=None
    )
    later = Conversation.objects.create(
        contact=contact, channel_account_id=account.pk, channel_kind="email", subject="Vouchers"
    )
    conversation_transition(
        conversation_id=later.pk, to_state=ConversationState.RESOLVED, actor=None
    )
    return contact, earlier, later


# --- Mailgun: recorded as the customer sees it ----------------------------------------------


def test_mailgun_mail_is_recorded_with_sender_subject_and_reply(client, mailgun):
    response = post_mailgun(client, mailgun, mailgun_fields("mailgun_message"))

    assert response.status_code == 200
    message = only_message()
    contact = message.conversation.contact
    assert contact.display_name == "Lena Vogel"
    assert contact.email == "lena.vogel@example.org"
    assert ContactIdentity.objects.filter(
        contact=contact, kind=IdentityKind.EMAIL, external_id="lena.vogel@example.org"
    ).exists()
    assert message.conversation.subject == "Table for four on Friday"
    assert message.content_kind == ContentKind.EMAIL
    assert message.provider_message_id == "CAF=lena-0001@mail.example.org"
    assert message.body == "Hi, can we book a table for four on Friday at 8pm?\n\nLena"
    details = message.metadata["email"]
    assert details["subject"] == "Table for four on Friday"
    assert details["quoted"].startswith("On Mon, 2 Nov 2026 at 18:02, Casa Lumbre")
    assert "> Our autumn menu starts this week." in details["quoted"]
    assert details["full_text_length"] > len(message.body)
    assert details["cc"] == "Max Vogel <max@example.org>"
    assert details["message_id"] == "CAF=lena-0001@mail.example.org"
    event = journal()
    assert (event.outcome, event.verification, event.status_code) == (
        WebhookOutcome.ACCEPTED,
        Verification.VALID,
        200,
    )
    assert event.summary["messages"] == 1


QUOTED_REPLIES = {
    "gmail, attribution wrapped": (
        "Yes, 8pm works for us.\n\nOn Tue, Nov 3, 2026 at 10:00 AM Casa Lumbre <\n"
        "support@support.example.com> wrote:\n> Would 8pm suit you?\n",
        "On Tue, Nov 3, 2026",
    ),
    "german": (
        "Yes, 8pm works for us.\n\nAm Di., 3. Nov. 2026 um 10:00 Uhr schrieb Casa Lumbre "
        "<support@support.example.com>:\n> Would 8pm suit you?\n",
        "Am Di., 3. Nov. 2026",
    ),
    "outlook original message": (
        "Yes, 8pm works for us.\r\n\r\n-----Original Message-----\r\nFrom: Casa Lumbre\r\n"
        "Sent: Tuesday, November 3, 2026 10:00 AM\r\n\r\nWould 8pm suit you?\r\n",
        "-----Original Message-----",
    ),
    "outlook from/sent block": (
        "Yes, 8pm works for us.\n\nFrom: Casa Lumbre <support@support.example.com>\n"
        "Sent: Tuesday, November 3, 2026 10:00 AM\nTo: Lena Vogel\nSubject: Friday\n\n"
        "Would 8pm suit you?\n",
        "From: Casa Lumbre",
    ),
    "quote marks only": ("> Would 8pm suit you?\nYes, 8pm works for us.\n", "> Would 8pm"),
}


@pytest.mark.parametrize("text, quote_start", QUOTED_REPLIES.values(), ids=QUOTED_REPLIES.keys())
def test_own_quote_stripper_separates_history_when_the_provider_did_not(
    client, mailgun, text, quote_start
):
    fields = mailgun_fields("mailgun_message")
    del fields["stripped-text"]
    fields["body-plain"] = text

    assert post_mailgun(client, mailgun, fields).status_code == 200

    message = only_message()
    assert message.body == "Yes, 8pm works for us."
    assert message.metadata["email"]["quoted"].startswith(quote_start)
    assert "Would 8pm suit you?" in message.metadata["email"]["quoted"]


def test_mailgun_multipart_attachments_travel_with_the_message(client, mailgun):
    logo = b"\x89PNG\r\n\x1a\n" + b"logo-bytes" * 20
    invoice = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\r\n--not-a-boundary\r\n%%EOF"
    response = post_mailgun_multipart(
        client,
        mailgun,
        mailgun_fields("mailgun_multipart"),
        [
            ("attachment-1", "logo.png", "image/png", logo),
            ("attachment-2", "Rechnung März.pdf", "application/pdf", invoice),
        ],
    )

    assert response.status_code == 200
    message = only_message()
    assert message.body == "Please find the invoice attached.\n\nTom"
    assert message.content_kind == ContentKind.EMAIL
    assert message.conversation.contact.display_name == "Tom Baker"
    # the inline logo (in content-id-map) is listed, but the invoice is the message's media
    assert message.media["filename"] == "Rechnung März.pdf"
    assert message.media["mime_type"] == "application/pdf"
    assert message.media["size"] == len(invoice)
    assert base64.b64decode(message.media["inline_base64"]) == invoice
    assert [(a["filename"], a["inline"], a["size"]) for a in message.metadata["attachments"]] == [
        ("logo.png", True, len(logo)),
        ("Rechnung März.pdf", False, len(invoice)),
    ]
    assert message.media_status == "pending"  # the media task stores it


def test_mailgun_attachment_only_mail_is_a_document(client, mailgun):
    fields = mailgun_fields("mailgun_multipart")
    fields["body-plain"] = fields["stripped-text"] = ""
    fields["subject"] = ""
    fields.pop("content-id-map")
    menu = b"%PDF-1.4 menu"

    post_mailgun_multipart(
        client, mailgun, fields, [("attachment-1", "menu.pdf", "application/pdf", menu)]
    )

    message = only_message()
    assert message.content_kind == ContentKind.DOCUMENT
    assert message.body == ""
    assert base64.b64decode(message.media["inline_base64"]) == menu


def test_an_attachment_over_the_inline_limit_is_described_not_carried(client, mailgun):
    big = b"\x00\x01" * (INLINE_ATTACHMENT_LIMIT // 2 + 1)

    response = post_mailgun_multipart(
        client,
        mailgun,
        mailgun_fields("mailgun_multipart"),
        [("attachment-1", "scan.tiff", "image/tiff", big)],
    )

    assert response.status_code == 200
    message = only_message()
    assert "inline_base64" not in message.media
    assert message.media["size"] == len(big)
    assert "too large" in message.media["note"]
    assert "too large" in message.metadata["attachments"][0]["note"]


# --- Postmark --------------------------------------------------------------------------------


def test_postmark_reference_mail_is_recorded_in_its_thread(client, postmark):
    payload = load_fixture("email", "postmark_inbound")
    contact, earlier, later = lena_with_two_closed_threads(postmark)
    message_create(
        conversation=earlier,
        direction="out",
        author="staff",
        body="Ihre Bestellung 4711 ist unterwegs.",
        provider_message_id="conv-981.msg-55@support.example.com",
    )

    response = post_postmark(client, postmark, payload)

    assert response.status_code == 200
    message = Message.objects.get(direction="in")
    assert message.conversation_id == earlier.pk
    assert message.conversation.contact == contact
    assert message.body == "Danke!"
    assert message.provider_message_id == "CAF=abc123@mail.example.org"
    details = message.metadata["email"]
    assert details["provider_id"] == "7f3e2b1a-0000-4c1d-9e8f-123456789abc"
    assert details["subject"] == "Re: [#981] Bestellung 4711"
    assert details["quoted"].startswith("Am Do., 1. Jan. 2026 schrieb Support:")
    assert details["in_reply_to"] == ["conv-981.msg-55@support.example.com"]
    photo = base64.b64decode(payload["Attachments"][0]["Content"])
    assert message.media["filename"] == "foto.jpg"
    assert message.media["mime_type"] == "image/jpeg"
    assert base64.b64decode(message.media["inline_base64"]) == photo
    assert journal().verification == Verification.VALID


def test_postmark_url_token_is_accepted_instead_of_basic_auth(client, postmark):
    response = post_postmark(
        client,
        postmark,
        load_fixture("email", "postmark_inbound"),
        headers={},
        query=f"token={SIGNING_KEY}",
    )

    assert response.status_code == 200
    assert only_message().body == "Danke!"


def test_postmark_attachment_only_mail_is_an_image(client, postmark):
    payload = load_fixture("email", "postmark_inbound")
    payload.update(TextBody="", HtmlBody="", StrippedTextReply="", Subject="", Headers=[])

    post_postmark(client, postmark, payload)

    message = only_message()
    assert message.content_kind == ContentKind.IMAGE
    # no RFC Message-ID in the headers: Postmark's own id is the idempotency key
    assert message.provider_message_id == "7f3e2b1a-0000-4c1d-9e8f-123456789abc"


@pytest.mark.parametrize(
    "headers, query",
    [
        (sign_postmark("not-the-key"), ""),
        ({"Authorization": "Basic !!!not-base64"}, ""),
        ({"Authorization": f"Bearer {SIGNING_KEY}"}, ""),
        ({}, "token=not-the-key"),
        ({}, ""),
    ],
    ids=["wrong password", "garbled basic", "not basic", "wrong token", "no credentials"],
)
def test_postmark_without_the_right_credentials_is_refused(client, postmark, headers, query):
    response = post_postmark(
        client, postmark, load_fixture("email", "postmark_inbound"), headers=headers, query=query
    )

    assert response.status_code == 403
    event = journal()
    assert (event.outcome, event.verification, event.status_code) == (
        WebhookOutcome.REJECTED,
        Verification.INVALID,
        403,
    )
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "body, reason",
    [(b'{"From": "lena@example.org", ', "malformed JSON"), (b"[1, 2]", "must be an object")],
)
def test_postmark_unreadable_json_is_a_dead_letter(client, postmark, body, reason):
    response = post_postmark(client, postmark, body)

    assert response.status_code == 400
    assert reason in response.json()["error"]
    event = journal()
    assert (event.outcome, event.verification, event.status_code) == (
        WebhookOutcome.FAILED,
        Verification.VALID,
        400,
    )
    assert reason in event.error
    assert bytes(event.body) == body  # kept for a replay
    assert not Message.objects.exists()


def test_postmark_wrong_content_type_is_415(client, postmark):
    body = json.dumps(load_fixture("email", "postmark_inbound")).encode()

    response = post_postmark(client, postmark, body, content_type="text/plain")

    assert response.status_code == 415
    assert journal().outcome == WebhookOutcome.FAILED
    assert not Message.objects.exists()


def test_postmark_json_in_a_legacy_charset_does_not_crash(client, postmark):
    payload = load_fixture("email", "postmark_inbound")
    payload.update(StrippedTextReply="", TextBody="Grüße und danke für alles – bis bald!")
    body = json.dumps(payload, ensure_ascii=False).encode("windows-1252")

    response = post_postmark(client, postmark, body)

    assert response.status_code == 200
    assert only_message().body == "Grüße und danke für alles – bis bald!"


# --- Threading -------------------------------------------------------------------------------


def test_a_reply_with_in_reply_to_reopens_its_own_resolved_conversation(client, mailgun):
    contact, earlier, later = lena_with_two_closed_threads(mailgun)

    response = post_mailgun(client, mailgun, mailgun_fields("mailgun_reply_in_reply_to"))

    assert response.status_code == 200
    message = Message.objects.get(direction="in")
    assert message.conversation_id == earlier.pk
    assert message.body == "Could we make it 8:30 instead?"
    earlier.refresh_from_db()
    later.refresh_from_db()
    assert earlier.state == ConversationState.BOT
    assert earlier.resolved_at is None
    assert later.state == ConversationState.RESOLVED


@pytest.mark.parametrize(
    "fixture",
    [
        "mailgun_references_only",
        "mailgun_plus_address",
        "mailgun_subject_tag",
        "mailgun_missing_brackets",
    ],
)
def test_other_thread_hints_find_the_conversation_too(client, mailgun, fixture):
    contact, earlier, later = lena_with_two_closed_threads(mailgun)

    response = post_mailgun(client, mailgun, mailgun_fields(fixture, conversation_id=earlier.pk))

    assert response.status_code == 200
    assert Message.objects.get(direction="in").conversation_id == earlier.pk
    earlier.refresh_from_db()
    assert earlier.state == ConversationState.BOT
    assert Conversation.objects.get(pk=later.pk).state == ConversationState.RESOLVED


def test_without_thread_hints_the_latest_conversation_is_reopened(client, mailgun):
    """The control for the threading tests: the same setup without hints goes elsewhere."""
    contact, earlier, later = lena_with_two_closed_threads(mailgun)
    fields = mailgun_fields("mailgun_reply_in_reply_to")
    for header in ("In-Reply-To", "References", "message-headers"):
        del fields[header]

    post_mailgun(client, mailgun, fields)

    assert Message.objects.get(direction="in").conversation_id == later.pk


def test_a_new_subject_uses_the_contacts_open_conversation(client, mailgun):
    contact, earlier, later = lena_with_two_closed_threads(mailgun)
    conversation_transition(conversation_id=later.pk, to_state=ConversationState.BOT, actor=None)
    fields = mailgun_fields("mailgun_subject_tag", conversation_id="none")
    fields["subject"] = "Something completely different"

    post_mailgun(client, mailgun, fields)

    assert Message.objects.get(direction="in").conversation_id == later.pk
    assert Conversation.objects.filter(contact=contact).count() == 2


def test_a_first_mail_opens_a_conversation_named_after_its_subject(client, mailgun):
    post_mailgun(client, mailgun, mailgun_fields("mailgun_message"))

    conversation = only_message().conversation
    assert conversation.subject == "Table for four on Friday"
    assert conversation.state == ConversationState.BOT
    assert conversation.channel_kind == "email"


def test_a_thread_hint_never_leads_into_another_customers_conversation(client, mailgun):
    lena, earlier, later = lena_with_two_closed_threads(mailgun)
    fields = mailgun_fields("mailgun_reply_in_reply_to")
    fields["from"] = "Mallory <mallory@example.net>"
    fields["subject"] = f"Re: [#{earlier.pk}] give me the booking"

    post_mailgun(client, mailgun, fields)

    message = Message.objects.get(direction="in")
    assert message.conversation.contact.email == "mallory@example.net"
    assert message.conversation_id not in (earlier.pk, later.pk)
    assert Conversation.objects.get(pk=earlier.pk).state == ConversationState.RESOLVED


def test_redelivery_records_one_message(client, mailgun):
    fields = mailgun_fields("mailgun_message")

    first = post_mailgun(client, mailgun, fields)
    second = post_mailgun(client, mailgun, fields)

    assert (first.status_code, second.status_code) == (200, 200)
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert journal().summary["duplicates"] == 1


def test_redelivery_of_a_mail_without_message_id_records_one_message(client, mailgun):
    fields = mailgun_fields("mailgun_message")
    del fields["Message-Id"]
    del fields["message-headers"]

    post_mailgun(client, mailgun, fields)
    post_mailgun(client, mailgun, fields)

    message = only_message()
    assert message.provider_message_id.startswith("email-sha256:")


# --- Mailgun signature and replay protection ------------------------------------------------


@pytest.mark.parametrize("missing", ["timestamp", "token", "signature"])
def test_mailgun_without_signature_fields_is_refused(client, mailgun, missing):
    fields = mailgun_signed(mailgun_fields("mailgun_message"))
    del fields[missing]
    body = urlencode(fields).encode()

    response = post_raw(client, mailgun, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 403
    event = journal()
    assert (event.outcome, event.verification) == (WebhookOutcome.REJECTED, Verification.INVALID)
    assert missing in event.error
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "signing, reason",
    [
        ({"key": "someone-elses-key"}, "does not match"),
        ({"timestamp": lambda now: now - MAILGUN_MAX_AGE_SECONDS - 60}, "old"),
        ({"timestamp": lambda now: now + MAILGUN_MAX_CLOCK_SKEW_SECONDS + 60}, "future"),
    ],
    ids=["wrong key", "stale", "future"],
)
def test_mailgun_wrong_or_replayed_signature_is_refused(client, mailgun, signing, reason):
    if callable(signing.get("timestamp")):
        signing = {"timestamp": signing["timestamp"](int(time.time()))}

    response = post_mailgun(client, mailgun, mailgun_fields("mailgun_message"), **signing)

    assert response.status_code == 403
    event = journal()
    assert (event.outcome, event.verification, event.status_code) == (
        WebhookOutcome.REJECTED,
        Verification.INVALID,
        403,
    )
    assert reason in event.error
    assert not Message.objects.exists()


def test_mailgun_signature_a_little_old_but_inside_the_window_is_accepted(client, mailgun):
    timestamp = int(time.time()) - MAILGUN_MAX_AGE_SECONDS + 60

    response = post_mailgun(client, mailgun, mailgun_fields("mailgun_message"), timestamp=timestamp)

    assert response.status_code == 200
    assert Message.objects.count() == 1


def test_mailgun_tampered_token_breaks_the_signature(client, mailgun):
    fields = mailgun_signed(mailgun_fields("mailgun_message"))
    fields["token"] = fields["token"][:-1] + ("0" if fields["token"][-1] != "0" else "1")

    response = post_raw(
        client,
        mailgun,
        urlencode(fields).encode(),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 403


def test_mailgun_body_in_json_cannot_be_verified(client, mailgun):
    body = json.dumps(mailgun_signed(mailgun_fields("mailgun_message"))).encode()

    response = post_raw(client, mailgun, body, content_type="application/json")

    assert response.status_code == 403
    assert "cannot read the Mailgun signature" in journal().error


def test_an_account_with_an_unknown_provider_accepts_nothing(client, mailgun):
    mailgun.config = {"provider": "sendgrid"}
    mailgun.save()

    response = post_mailgun(client, mailgun, mailgun_fields("mailgun_message"))

    assert response.status_code == 403
    assert "sendgrid" in journal().error


# --- Nasty input -----------------------------------------------------------------------------


def test_html_only_mail_becomes_readable_text(client, mailgun):
    response = post_mailgun(client, mailgun, mailgun_fields("mailgun_html_only"))

    assert response.status_code == 200
    message = only_message()
    assert message.body == (
        "Hello,\n\n"
        "Is the tasting menu safe for nut allergies? Price €65 & wine pairing too?\n\n"
        "- 2 adults\n- 1 child\n\n"
        "Ana"
    )
    for leftover in ("<", "track(", "tracking", "color: red", "&amp;", "Mail"):
        assert leftover not in message.body
    details = message.metadata["email"]
    assert details["html"] is True
    assert details["quoted"].startswith("On Sun, 1 Nov 2026 at 10:00, Casa Lumbre")
    assert "> Welcome to our tasting evenings!" in details["quoted"]


def test_windows_1252_mail_is_decoded_as_declared(client, mailgun):
    fields = mailgun_fields("mailgun_windows1252")

    response = post_mailgun(client, mailgun, fields, encoding="windows-1252")

    assert response.status_code == 200
    message = only_message()
    assert message.body == "Grüße aus Köln – wir kommen um 20 Uhr."
    assert message.conversation.subject == "Tisch für Freitag"
    assert message.conversation.contact.display_name == "Jürgen Müller"


@pytest.mark.parametrize(
    "declared",
    ['text/plain; charset="utf-8"', 'text/plain; charset="x-no-such-charset"', "text/plain"],
)
def test_mail_in_a_wrong_or_unknown_charset_does_not_crash(client, mailgun, declared):
    fields = mailgun_fields("mailgun_windows1252")
    fields["message-headers"] = json.dumps([["Content-Type", declared]])
    body = urlencode(mailgun_signed(fields), encoding="windows-1252").encode()
    body = body.replace(b"body-plain=", b"body-plain=Order+4711+%FF%FE%80%81+")

    response = post_raw(client, mailgun, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    message = only_message()
    assert message.body.startswith("Order 4711 ")
    assert "20 Uhr" in message.body
    assert journal().outcome == WebhookOutcome.ACCEPTED


def test_nul_bytes_are_removed_everywhere(client, mailgun):
    response = post_mailgun(client, mailgun, mailgun_fields("mailgun_nul_bytes"))

    assert response.status_code == 200
    message = only_message()
    assert message.body == "remove null bytes"
    assert message.provider_message_id == "nul-1@example.com"
    assert message.conversation.subject == "Order 4711"
    assert message.conversation.contact.display_name == "Sam Null"
    assert message.metadata["email"]["quoted"].endswith("> quoted too")
    assert "\x00" not in json.dumps(message.metadata)


def test_a_10_mb_plain_body_is_accepted(client, mailgun):
    fields = mailgun_fields("mailgun_message")
    del fields["stripped-text"]
    line = "1x paella valenciana, 2x crema catalana, 1x agua con gas\n"
    fields["body-plain"] = line * (10 * MiB // len(line))

    response = post_mailgun(client, mailgun, fields)

    assert response.status_code == 200
    message = only_message()
    assert len(message.body) == len(fields["body-plain"].strip())
    assert journal().body_size > 10 * MiB


def test_a_body_over_30_mib_is_refused_unread(client, mailgun):
    fields = mailgun_signed(mailgun_fields("mailgun_message"))
    fields["body-plain"] = "x" * (31 * MiB)
    body = urlencode(fields).encode()

    response = post_raw(client, mailgun, body, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 413
    event = journal()
    assert event.outcome == WebhookOutcome.REJECTED
    assert event.body_size == len(body)
    assert bytes(event.body) == b""
    assert not Message.objects.exists()


def test_mail_without_a_sender_address_is_journaled_as_ignored(client, mailgun):
    fields = mailgun_fields("mailgun_message")
    fields["from"] = "undisclosed-recipients:;"
    fields.pop("sender")

    response = post_mailgun(client, mailgun, fields)

    assert response.status_code == 200
    event = journal()
    assert event.outcome == WebhookOutcome.IGNORED
    assert "without a readable sender" in event.summary["ignored"][0]
    assert not Message.objects.exists()
