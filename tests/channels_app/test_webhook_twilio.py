"""The Twilio SMS and WhatsApp webhooks, through the real endpoint, signed as Twilio signs:
over the URL it called and every form param."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from channels_app.models import Verification, WebhookEvent, WebhookOutcome
from channels_app.providers.base import WebhookRequest
from channels_app.providers.twilio import adapter_for_kind, body_hash, sign
from conversations.models import (
    ContactOptOut,
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

AUTH_TOKEN = "twilio-auth-token-0f1e2d"
FORM = "application/x-www-form-urlencoded"
OUR_SID = "SM3f9d0c1b2a3e4f5061728394a5b6c7d8"
PUBLIC = "https://ops.casalumbre.example"


def make_account(factory, kind: str, slug: str):
    return factory(
        kind=kind,
        slug=slug,
        credentials={"account_sid": "AC0123456789abcdef0123456789abcdef", "auth_token": AUTH_TOKEN},
    )


@pytest.fixture
def sms(channel_account_factory):
    return make_account(channel_account_factory, "twilio_sms", "casa-sms")


@pytest.fixture
def wa(channel_account_factory):
    return make_account(channel_account_factory, "twilio_whatsapp", "casa-wa")


def local_url(account, query: str = "") -> str:
    """The URL the endpoint sees under the Django test client (no public base URL set)."""
    return f"http://testserver{webhook_url(account)}" + (f"?{query}" if query else "")


def deliver(
    client,
    account,
    params: dict,
    *,
    signed_url: str | None = None,
    signed_params: dict | None = None,
    token: str = AUTH_TOKEN,
    query: str = "",
    headers: dict | None = None,
):
    """POST the params form-encoded, as Twilio does, signed for `signed_url`."""
    body = urlencode(params, doseq=True).encode()
    url = signed_url or local_url(account, query)
    all_headers = {"X-Twilio-Signature": sign(url, signed_params or params, token)}
    all_headers.update(headers or {})
    return post_raw(client, account, body, content_type=FORM, headers=all_headers, query=query)


def last_event() -> WebhookEvent:
    return WebhookEvent.objects.order_by("-pk").first()


def status_of(message: Message) -> str:
    message.refresh_from_db()
    return message.delivery_status


# --- inbound messages ----------------------------------------------------------------------


def test_an_sms_is_recorded_for_a_contact_known_by_e164_number(client, sms):
    response = deliver(client, sms, load_fixture("twilio", "sms_text"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response" in response.content and b"<Message" not in response.content
    message = Message.objects.get()
    assert (message.direction, message.content_kind) == (Direction.INBOUND, ContentKind.TEXT)
    assert message.body == "Where is my order? #4711"
    assert message.provider_message_id == "SM8f2c0d1e2f3a4b5c6d7e8f9a0b1c2d3e"
    contact = message.conversation.contact
    assert contact.phone == "+14155550123"
    assert list(contact.identities.values_list("kind", "external_id")) == [
        ("phone", "+14155550123")
    ]
    event = last_event()
    assert (event.outcome, event.verification, event.status_code) == (
        WebhookOutcome.ACCEPTED,
        Verification.VALID,
        200,
    )


def test_an_mms_keeps_the_first_attachment_and_lists_them_all(client, sms):
    deliver(client, sms, load_fixture("twilio", "sms_mms"))
    message = Message.objects.get()
    assert message.content_kind == ContentKind.IMAGE
    assert message.body == "The box arrived crushed"
    assert message.media["provider"] == "twilio"
    assert message.media["mime_type"] == "image/jpeg"
    assert message.media["url"].endswith("/Media/ME0a1b2c3d4e5f60718293a4b5c6d7e8f9")
    assert [item["mime_type"] for item in message.metadata["media"]] == ["image/jpeg", "video/mp4"]
    assert message.media_status == MediaStatus.PENDING


def test_a_short_code_sender_is_still_a_contact(client, sms):
    assert deliver(client, sms, load_fixture("twilio", "sms_short_code")).status_code == 200
    message = Message.objects.get()
    contact = message.conversation.contact
    assert contact.phone == ""
    assert list(contact.identities.values_list("kind", "external_id")) == [("phone", "72345")]
    assert message.metadata["from_raw"] == "72345"


def test_a_formatted_sender_number_is_normalised_to_e164(client, sms):
    params = {**load_fixture("twilio", "sms_text"), "From": "+1 (415) 555-0123"}
    deliver(client, sms, params)
    contact = Message.objects.get().conversation.contact
    assert contact.phone == "+14155550123"
    assert contact.identities.get().external_id == "+14155550123"


WHATSAPP_KINDS = [
    ("whatsapp_text", ContentKind.TEXT, "Olá! Vocês entregam em Pinheiros?"),
    ("whatsapp_voice", ContentKind.AUDIO, ""),
    ("whatsapp_image", ContentKind.IMAGE, "Veio sem a sobremesa"),
    ("whatsapp_document", ContentKind.DOCUMENT, "Nota fiscal"),
    ("whatsapp_contact_card", ContentKind.CONTACTS, ""),
    ("whatsapp_location", ContentKind.LOCATION, "MASP"),
    ("whatsapp_button", ContentKind.BUTTON, "Confirmar reserva"),
    ("whatsapp_interactive", ContentKind.INTERACTIVE, "Falar com atendente"),
    ("whatsapp_unsupported", ContentKind.UNSUPPORTED, ""),
]


@pytest.mark.parametrize(("fixture", "kind", "body"), WHATSAPP_KINDS)
def test_each_whatsapp_kind_is_recorded(client, wa, fixture, kind, body):
    assert deliver(client, wa, load_fixture("twilio", fixture)).status_code == 200
    message = Message.objects.get()
    assert (message.content_kind, message.body) == (kind, body)
    contact = message.conversation.contact
    assert contact.display_name == "João"
    assert contact.phone == "+5511987654321"
    assert list(contact.identities.values_list("kind", "external_id")) == [
        ("whatsapp", "5511987654321")
    ]
    assert last_event().outcome == WebhookOutcome.ACCEPTED


def test_a_voice_note_is_kept_by_reference_for_download(client, wa):
    deliver(client, wa, load_fixture("twilio", "whatsapp_voice"))
    message = Message.objects.get()
    assert message.media == {
        "provider": "twilio",
        "url": "https://api.twilio.com/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef"
        "/Messages/MM4b1e000000000000000000000000aa02/Media/ME9c00000000000000000000000000aa02",
        "mime_type": "audio/ogg",
    }
    assert message.media_status == MediaStatus.PENDING


def test_structured_whatsapp_content_is_kept_for_staff(client, wa):
    for fixture in ("whatsapp_location", "whatsapp_button", "whatsapp_interactive"):
        deliver(client, wa, load_fixture("twilio", fixture))
    location = Message.objects.get(content_kind=ContentKind.LOCATION).metadata["location"]
    assert location == {
        "latitude": -23.5613,
        "longitude": -46.6565,
        "address": "Av. Paulista, 1578 - Bela Vista, São Paulo",
        "label": "MASP",
    }
    button = Message.objects.get(content_kind=ContentKind.BUTTON).metadata
    assert button["button"] == {"text": "Confirmar reserva", "payload": "confirm_booking:8812"}
    assert button["context"]["id"] == OUR_SID
    interactive = Message.objects.get(content_kind=ContentKind.INTERACTIVE).metadata
    assert interactive["interactive"]["id"] == "escalate_human"


def test_a_quoted_forwarded_message_keeps_its_context(client, wa):
    deliver(client, wa, load_fixture("twilio", "whatsapp_reply_forwarded"))
    metadata = Message.objects.get().metadata
    assert metadata["context"] == {"id": OUR_SID, "from": "whatsapp:+15550100003"}
    assert metadata["forwarded"] is True
    assert metadata["frequently_forwarded"] is True


def test_a_click_to_whatsapp_ad_referral_is_kept(client, wa):
    deliver(client, wa, load_fixture("twilio", "whatsapp_referral"))
    referral = Message.objects.get().metadata["referral"]
    assert referral["source_url"] == "https://fb.me/3abcDEF"
    assert referral["headline"] == "Pizza em dobro às terças"
    assert referral["ctwa_clid"].startswith("ARAkLkA8")


def test_whatsapp_identity_falls_back_to_the_digits_of_from(client, wa):
    params = load_fixture("twilio", "whatsapp_text")
    del params["WaId"]
    deliver(client, wa, params)
    identity = Message.objects.get().conversation.contact.identities.get()
    assert (identity.kind, identity.external_id) == ("whatsapp", "5511987654321")


def test_a_redelivery_records_nothing_twice(client, sms):
    params = load_fixture("twilio", "sms_text")
    for _ in range(3):
        assert deliver(client, sms, params).status_code == 200
    assert Message.objects.count() == 1
    assert Conversation.objects.count() == 1
    assert last_event().summary["duplicates"] == 1
    assert WebhookEvent.objects.count() == 3


def test_sms_and_whatsapp_accounts_keep_their_own_contacts(client, sms, wa):
    deliver(client, sms, {**load_fixture("twilio", "sms_text"), "From": "+5511987654321"})
    deliver(client, wa, load_fixture("twilio", "whatsapp_text"))
    kinds = {
        message.channel_kind: message.conversation.contact.identities.get().kind
        for message in Message.objects.all()
    }
    assert kinds == {"twilio_sms": "phone", "twilio_whatsapp": "whatsapp"}


# --- statuses -------------------------------------------------------------------------------


def outbound(account, conversation_factory, provider_message_id: str | None = OUR_SID) -> Message:
    conversation = conversation_factory(channel_account_id=account.pk, channel_kind=account.kind)
    return message_create(
        conversation=conversation,
        direction=Direction.OUTBOUND,
        author="bot",
        body="Your order shipped.",
        provider_message_id=provider_message_id,
    )


def test_sms_statuses_move_forward_and_never_back(client, sms, conversation_factory):
    reply = outbound(sms, conversation_factory)
    deliver(client, sms, load_fixture("twilio", "status_sent"))
    assert status_of(reply) == DeliveryStatus.SENT
    deliver(client, sms, load_fixture("twilio", "status_delivered"))
    assert status_of(reply) == DeliveryStatus.DELIVERED
    deliver(client, sms, load_fixture("twilio", "status_sent"))  # late
    assert status_of(reply) == DeliveryStatus.DELIVERED
    assert reply.sent_at is not None and reply.delivered_at is not None
    assert last_event().summary["statuses"] == {"unchanged": 1}


def test_read_is_never_undone_by_a_late_delivered(client, wa, conversation_factory):
    reply = outbound(wa, conversation_factory)
    deliver(client, wa, load_fixture("twilio", "status_whatsapp_read"))
    assert status_of(reply) == DeliveryStatus.READ
    assert reply.delivered_at is not None  # read implies delivered
    late = {**load_fixture("twilio", "status_delivered"), "To": "whatsapp:+5511987654321"}
    deliver(client, wa, late)
    assert status_of(reply) == DeliveryStatus.READ


def test_the_price_twilio_reports_is_kept_verbatim(client, sms, conversation_factory):
    reply = outbound(sms, conversation_factory)
    deliver(client, sms, load_fixture("twilio", "status_delivered"))
    reply.refresh_from_db()
    assert reply.provider_pricing == {"price": "-0.00790", "price_unit": "USD"}


def test_a_failed_message_shows_twilios_error(client, sms, conversation_factory):
    reply = outbound(sms, conversation_factory)
    deliver(client, sms, load_fixture("twilio", "status_sent"))
    deliver(client, sms, load_fixture("twilio", "status_failed"))
    assert status_of(reply) == DeliveryStatus.FAILED
    assert (reply.error_code, reply.error_reason) == ("30003", "Unreachable destination handset")
    assert reply.failed_at is not None


def test_a_failure_without_a_message_is_explained_by_its_code(client, sms, conversation_factory):
    reply = outbound(sms, conversation_factory)
    params = {**load_fixture("twilio", "status_failed"), "ErrorCode": "30007"}
    del params["ErrorMessage"]
    deliver(client, sms, params)
    assert status_of(reply) == DeliveryStatus.FAILED
    assert (reply.error_code, reply.error_reason) == ("30007", "filtered by the carrier as spam")


def test_a_whatsapp_send_outside_the_window_says_so(client, wa, conversation_factory):
    reply = outbound(wa, conversation_factory)
    deliver(client, wa, load_fixture("twilio", "status_whatsapp_window_closed"))
    assert status_of(reply) == DeliveryStatus.FAILED
    assert (reply.error_code, reply.error_reason) == ("63016", "24-hour window closed")


def test_a_failure_after_delivery_does_not_undo_it(client, sms, conversation_factory):
    reply = outbound(sms, conversation_factory)
    deliver(client, sms, load_fixture("twilio", "status_delivered"))
    deliver(client, sms, load_fixture("twilio", "status_failed"))
    assert status_of(reply) == DeliveryStatus.DELIVERED
    assert reply.error_code == ""


def test_a_status_for_an_unknown_message_waits_for_it(client, sms, conversation_factory):
    response = deliver(client, sms, load_fixture("twilio", "status_delivered"))
    assert response.status_code == 200
    pending = PendingStatus.objects.get()
    assert (pending.provider_message_id, pending.status) == (OUR_SID, DeliveryStatus.DELIVERED)
    assert last_event().summary["statuses"] == {"pending": 1}
    reply = outbound(sms, conversation_factory, provider_message_id=None)
    message_assign_provider_id(message_id=reply.pk, provider_message_id=OUR_SID)
    assert status_of(reply) == DeliveryStatus.DELIVERED
    assert PendingStatus.objects.count() == 0


def test_error_21610_opts_the_recipient_out_of_sms(client, sms, conversation_factory):
    deliver(client, sms, load_fixture("twilio", "sms_text"))  # the customer, +14155550123
    contact = Message.objects.get().conversation.contact
    reply = outbound(sms, conversation_factory)
    response = deliver(client, sms, load_fixture("twilio", "status_undelivered_opted_out"))
    assert response.status_code == 200
    assert status_of(reply) == DeliveryStatus.FAILED
    assert reply.error_code == "21610"
    opt_out = ContactOptOut.objects.get()
    assert (opt_out.contact, opt_out.channel_kind, opt_out.source) == (
        contact,
        "twilio_sms",
        "twilio:21610",
    )


def test_error_21610_on_whatsapp_opts_out_the_whatsapp_contact(client, wa, conversation_factory):
    deliver(client, wa, load_fixture("twilio", "whatsapp_text"))
    contact = Message.objects.get().conversation.contact
    outbound(wa, conversation_factory)
    params = {
        **load_fixture("twilio", "status_whatsapp_window_closed"),
        "ErrorCode": "21610",
    }
    deliver(client, wa, params)
    assert ContactOptOut.objects.get().contact == contact


def test_other_errors_opt_nobody_out(client, sms, conversation_factory):
    deliver(client, sms, load_fixture("twilio", "sms_text"))
    outbound(sms, conversation_factory)
    deliver(client, sms, load_fixture("twilio", "status_failed"))
    assert ContactOptOut.objects.count() == 0


def test_a_status_callback_for_an_inbound_message_is_ignored(client, sms):
    response = deliver(client, sms, load_fixture("twilio", "status_received"))
    assert response.status_code == 200
    assert Message.objects.count() == 0
    assert PendingStatus.objects.count() == 0
    event = last_event()
    assert event.outcome == WebhookOutcome.IGNORED
    assert "received" in event.summary["ignored"][0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("queued", DeliveryStatus.QUEUED),
        ("accepted", DeliveryStatus.QUEUED),
        ("scheduled", DeliveryStatus.QUEUED),
        ("sending", DeliveryStatus.SENDING),
        ("sent", DeliveryStatus.SENT),
        ("delivered", DeliveryStatus.DELIVERED),
        ("partially_delivered", DeliveryStatus.DELIVERED),
        ("read", DeliveryStatus.READ),
        ("failed", DeliveryStatus.FAILED),
        ("undelivered", DeliveryStatus.FAILED),
        ("canceled", DeliveryStatus.FAILED),
        ("receiving", None),
        ("received", None),
        ("teleported", None),
    ],
)
def test_every_twilio_status_value_maps_to_ours(sms, value, expected):
    params = {**load_fixture("twilio", "status_sent"), "MessageStatus": value, "SmsStatus": value}
    request = WebhookRequest(
        method="POST",
        url=local_url(sms),
        headers={"content-type": FORM},
        body=urlencode(params).encode(),
    )
    parsed = adapter_for_kind("twilio_sms").parse(request, sms)
    assert [status.status for status in parsed.statuses] == ([expected] if expected else [])
    assert parsed.messages == []
    assert len(parsed.ignored) == (0 if expected else 1)


# --- signatures and URLs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "missing"),
        ({"X-Twilio-Signature": ""}, "missing"),
        ({"X-Twilio-Signature": "RSOYDt4T1cUTdK1PDd93/VVr8B8="}, "does not match"),
    ],
)
def test_bad_signatures_are_refused_and_journaled(client, sms, headers, reason):
    body = urlencode(load_fixture("twilio", "sms_text")).encode()
    response = post_raw(client, sms, body, content_type=FORM, headers=headers)
    assert response.status_code == 403
    event = last_event()
    assert (event.outcome, event.verification) == (WebhookOutcome.REJECTED, Verification.INVALID)
    assert reason in event.error
    assert bytes(event.body) == body
    assert Message.objects.count() == 0


def test_a_signature_made_with_another_token_is_refused(client, sms):
    response = deliver(client, sms, load_fixture("twilio", "sms_text"), token="another-token")
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_a_param_changed_after_signing_is_refused(client, sms):
    params = load_fixture("twilio", "sms_text")
    tampered = {**params, "Body": "Refund me $500"}
    response = deliver(client, sms, tampered, signed_params=params)
    assert response.status_code == 403
    assert Message.objects.count() == 0


def test_an_account_without_an_auth_token_accepts_nothing(client, channel_account_factory):
    account = channel_account_factory(
        kind="twilio_sms", slug="no-token", credentials={"account_sid": "AC1", "auth_token": ""}
    )
    response = deliver(client, account, load_fixture("twilio", "sms_text"), token="")
    assert response.status_code == 403
    assert "no auth token" in last_event().error


def test_params_twilio_adds_without_notice_still_verify(client, sms):
    params = {
        **load_fixture("twilio", "sms_text"),
        "AddOns": '{"status":"successful"}',
        "ZzBrandNewParam": "",
    }
    assert deliver(client, sms, params).status_code == 200
    assert Message.objects.get().body == "Where is my order? #4711"


def test_repeated_params_are_signed_with_every_value(client, sms):
    params = {**load_fixture("twilio", "sms_text"), "Tag": ["vip", "returning"]}
    assert deliver(client, sms, params).status_code == 200
    assert Message.objects.count() == 1
    # a signature over only the first value of the repeated param is not Twilio's
    second = {**params, "MessageSid": "SM-second", "Tag": ["vip", "returning"]}
    signed_for_one = {**second, "Tag": "vip"}
    assert deliver(client, sms, second, signed_params=signed_for_one).status_code == 403


def test_a_repeated_body_reads_its_first_value(client, sms):
    params = {**load_fixture("twilio", "sms_text"), "Body": ["first words", "second words"]}
    assert deliver(client, sms, params).status_code == 200
    assert Message.objects.get().body == "first words"


def test_the_query_string_is_part_of_the_signed_url(client, sms):
    params = load_fixture("twilio", "sms_text")
    assert deliver(client, sms, params, query="source=sms&v=2").status_code == 200
    unsigned_query = local_url(sms)
    response = deliver(
        client,
        sms,
        {**params, "MessageSid": "SM-other"},
        query="source=sms&v=2",
        signed_url=unsigned_query,
    )
    assert response.status_code == 403


@pytest.mark.parametrize("signed_host", ["http://testserver", "http://testserver:80"])
def test_the_local_url_verifies_with_or_without_its_port(client, sms, signed_host):
    params = load_fixture("twilio", "sms_text")
    response = deliver(client, sms, params, signed_url=signed_host + webhook_url(sms))
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("base", "signed_base", "status"),
    [
        (PUBLIC, PUBLIC, 200),
        (PUBLIC, PUBLIC + ":443", 200),
        (PUBLIC + ":443", PUBLIC, 200),
        (PUBLIC + "/", PUBLIC, 200),
        (PUBLIC, "http://ops.casalumbre.example", 403),
        (PUBLIC, PUBLIC + ":8443", 403),
        (PUBLIC, "http://testserver", 403),
    ],
)
def test_behind_a_public_base_url_the_public_url_is_verified(
    client, sms, settings, base, signed_base, status
):
    settings.PUBLIC_BASE_URL = base
    params = load_fixture("twilio", "sms_text")
    response = deliver(client, sms, params, signed_url=signed_base + webhook_url(sms))
    assert response.status_code == status
    assert Message.objects.count() == (1 if status == 200 else 0)
    assert last_event().url == base.rstrip("/") + webhook_url(sms)


def test_proxy_headers_count_only_when_the_proxy_is_trusted(client, sms, settings):
    settings.ALLOWED_HOSTS = ["testserver", "ops.casalumbre.example"]
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "ops.casalumbre.example"}
    params = load_fixture("twilio", "sms_text")
    signed_url = PUBLIC + webhook_url(sms)
    # not trusted: someone could claim any host, so the URL is the one we were called on
    assert deliver(client, sms, params, signed_url=signed_url, headers=forwarded).status_code == 403
    settings.USE_X_FORWARDED_HOST = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert deliver(client, sms, params, signed_url=signed_url, headers=forwarded).status_code == 200
    assert last_event().url == signed_url


# --- JSON bodies signed with bodySHA256 -------------------------------------------------------


def deliver_json(client, account, body: bytes, *, hashed: bytes | None = None):
    query = urlencode({"bodySHA256": body_hash(hashed if hashed is not None else body)})
    signature = sign(local_url(account, query), {}, AUTH_TOKEN)
    return post_raw(
        client,
        account,
        body,
        content_type="application/json",
        headers={"X-Twilio-Signature": signature},
        query=query,
    )


def test_a_json_body_signed_by_its_hash_is_recorded(client, sms):
    body = json.dumps(load_fixture("twilio", "sms_text")).encode()
    assert deliver_json(client, sms, body).status_code == 200
    assert Message.objects.get().body == "Where is my order? #4711"


def test_a_json_body_that_does_not_match_its_hash_is_refused(client, sms):
    signed = json.dumps(load_fixture("twilio", "sms_text")).encode()
    sent = json.dumps({**load_fixture("twilio", "sms_text"), "Body": "changed"}).encode()
    assert deliver_json(client, sms, sent, hashed=signed).status_code == 403
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "reason"),
    [(b"{not json", "malformed JSON"), (b'["MessageSid"]', "must be an object")],
)
def test_an_unreadable_signed_json_body_gets_400(client, sms, body, reason):
    response = deliver_json(client, sms, body)
    assert response.status_code == 400
    event = last_event()
    assert (event.outcome, event.verification) == (WebhookOutcome.FAILED, Verification.VALID)
    assert reason in event.error


# --- bad input ------------------------------------------------------------------------------


def test_a_body_that_is_not_a_form_gets_415(client, sms):
    body = b"MessageSid=SM1&From=%2B14155550123&Body=hi"
    signature = sign(local_url(sms), {}, AUTH_TOKEN)
    response = post_raw(
        client, sms, body, content_type="text/plain", headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 415
    event = last_event()
    assert event.outcome == WebhookOutcome.FAILED
    assert "application/x-www-form-urlencoded" in event.error
    assert Message.objects.count() == 0


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({'{"not": "a form"}': ""}, "MessageSid"),
        ({"Body": "hello", "From": "+14155550123"}, "MessageSid"),
        ({"MessageSid": "SM1", "Body": "hello", "SmsStatus": "received"}, "From"),
    ],
)
def test_a_form_we_cannot_read_gets_400_and_a_dead_letter(client, sms, params, reason):
    response = deliver(client, sms, params)
    assert response.status_code == 400
    assert reason in response.json()["error"]
    event = last_event()
    assert (event.outcome, event.verification) == (WebhookOutcome.FAILED, Verification.VALID)
    assert reason in event.error
    assert Message.objects.count() == 0


def test_a_form_body_that_is_not_utf8_is_refused(client, sms):
    body = "MessageSid=SM1&Body=caf\xe9".encode("latin-1")
    signature = sign(local_url(sms), {"MessageSid": "SM1", "Body": "caf\ufffd"}, AUTH_TOKEN)
    response = post_raw(
        client, sms, body, content_type=FORM, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 403
    assert Message.objects.count() == 0


def sms_with(body, sid: str = "SM-NASTY") -> dict:
    return {**load_fixture("twilio", "sms_text"), "Body": body, "MessageSid": sid}


def test_a_nul_byte_in_the_body_is_dropped(client, sms):
    params = {
        **sms_with("remove\u0000 null bytes"),
        "ProfileName": "Jo\u0000\u00e3o",
        "FromCity": "S\u00e3o\u0000Paulo",
    }
    assert deliver(client, sms, params).status_code == 200
    message = Message.objects.get()
    assert message.body == "remove null bytes"
    assert message.metadata["sender_geo"]["FromCity"] == "S\u00e3oPaulo"
    assert b"%00" in bytes(last_event().body)  # the raw request keeps it


@pytest.mark.parametrize(
    "text",
    [
        "a" * 1600,
        "a" * 1601,
        "مرحبا order #123 شكرا \u202einvoice\u202cgnp.exe \u200f \u2066x\u2069",
        "👨‍👩‍👧‍👦 🏴󠁧󠁢󠁥󠁮󠁧󠁿 👍🏽",
        "“curly” quotes, ć, € and {braces}",
        "line\u2028separator\u2029 and \ufeffBOM and\u00a0nbsp and zero\u200bwidth",
    ],
)
def test_hard_texts_are_stored_exactly(client, sms, wa, text):
    assert deliver(client, sms, sms_with(text)).status_code == 200
    wa_params = {**load_fixture("twilio", "whatsapp_text"), "Body": text}
    assert deliver(client, wa, wa_params).status_code == 200
    assert [message.body for message in Message.objects.order_by("pk")] == [text, text]


def test_invalid_utf8_escapes_become_replacement_characters(client, sms):
    body = urlencode(sms_with("x")).replace("Body=x", "Body=caf%E9+ok").encode()
    signature = sign(local_url(sms), {**sms_with("x"), "Body": "caf\ufffd ok"}, AUTH_TOKEN)
    response = post_raw(
        client, sms, body, content_type=FORM, headers={"X-Twilio-Signature": signature}
    )
    assert response.status_code == 200
    assert Message.objects.get().body == "caf\ufffd ok"


def test_the_adapter_serves_both_kinds_and_nothing_else():
    assert adapter_for_kind("twilio_sms").kind == "twilio_sms"
    assert adapter_for_kind("twilio_whatsapp").kind == "twilio_whatsapp"
    with pytest.raises(ValueError, match="telegram"):
        adapter_for_kind("telegram")


def test_the_official_signature_test_vector():
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert sign(url, params, "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_nan_coordinates_are_kept_as_text(client, wa):
    params = {**load_fixture("twilio", "whatsapp_location"), "Latitude": "NaN", "Label": ""}
    assert deliver(client, wa, params).status_code == 200
    message = Message.objects.get()
    assert message.metadata["location"]["latitude"] == "NaN"
    assert message.body == "Av. Paulista, 1578 - Bela Vista, São Paulo"


def test_a_message_sid_no_twilio_would_send_gets_400(client, sms):
    response = deliver(client, sms, sms_with("hi", sid="SM" + "0" * 300))
    assert response.status_code == 400
    assert Message.objects.count() == 0
