"""The customer simulator as staff use it: a signed webhook to the real endpoint, a conversation."""

from __future__ import annotations

import pytest

from conversations.models import Message
from sbops.demo import load_demo_data
from tests.plugins.browser import admin_login, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    load_demo_data()


def test_staff_send_a_whatsapp_message_as_a_new_customer(demo, live_server, page):
    admin_login(page, live_server.url, "staff", "staff-demo-pass")
    page.goto(live_server.url + "/simulator/")
    page.select_option("#id_account", label="Casa Lumbre WhatsApp (WhatsApp Cloud API)")
    page.fill("#id_name", "Nadia Haddad")
    page.fill("#id_address", "+212612345678")
    page.fill("#id_text", "مرحبا! Do you have a table for 2 tonight? 👨‍👩‍👧")
    page.click("button[type=submit]")
    page.wait_for_selector("#result")
    assert "Delivered to the webhook" in page.inner_text("#result")
    screenshot(page, "simulator-whatsapp")
    message = Message.objects.get(body="مرحبا! Do you have a table for 2 tonight? 👨‍👩‍👧")
    assert message.conversation.contact.display_name == "Nadia Haddad"
    assert message.conversation.contact.phone == "+212612345678"


def test_an_existing_customer_writes_again_on_telegram(demo, live_server, page):
    admin_login(page, live_server.url, "staff", "staff-demo-pass")
    page.goto(live_server.url + "/simulator/")
    page.select_option("#id_account", label="Casa Lumbre Telegram (Telegram)")
    page.select_option("#id_contact", label="Chloé Martin")
    page.fill("#id_text", "Et pour demain midi ?")
    page.click("button[type=submit]")
    page.wait_for_selector("#result")
    assert "Delivered to the webhook" in page.inner_text("#result")
    chloe = Message.objects.get(body="Et pour demain midi ?").conversation
    assert chloe.contact.display_name == "Chloé Martin"
    assert chloe.messages.count() == 3  # the demo's two, and this one in the same conversation


def test_the_simulator_is_for_staff_only(demo, live_server, page, outsider_user):
    page.goto(live_server.url + "/simulator/")
    assert "/admin/login/" in page.url


@pytest.mark.parametrize(
    ("account_label", "address"),
    [
        ("Casa Lumbre WhatsApp (WhatsApp Cloud API)", "+34600111222"),
        ("Casa Lumbre Telegram (Telegram)", "700100200"),
        ("Casa Lumbre WhatsApp (Twilio) (WhatsApp (Twilio))", "+5511900001111"),
    ],
)
def test_a_voice_note_goes_through_the_sandbox_and_is_downloaded(
    demo, live_server, page, sandbox, settings, tmp_path, account_label, address
):
    from channels_app.tasks import download_media
    from conversations.models import ContentKind, MediaStatus

    settings.SANDBOX_URL = sandbox.url
    voice = tmp_path / "note.ogg"
    voice.write_bytes(b"OggS\x00\x02" + bytes(range(256)) * 40)
    admin_login(page, live_server.url, "staff", "staff-demo-pass")
    page.goto(live_server.url + "/simulator/")
    page.select_option("#id_account", label=account_label)
    page.fill("#id_name", "Voice Customer")
    page.fill("#id_address", address)
    page.set_input_files(
        "#id_attachment",
        {"name": "note.ogg", "mimeType": "audio/ogg", "buffer": voice.read_bytes()},
    )
    page.click("button[type=submit]")
    page.wait_for_selector("#result")
    assert "Delivered to the webhook" in page.inner_text("#result"), page.inner_text("#result")

    message = Message.objects.get(conversation__contact__display_name="Voice Customer")
    assert message.content_kind == ContentKind.AUDIO
    assert message.media_status == MediaStatus.PENDING
    download_media(message.pk)  # what the worker runs after the webhook's commit
    message.refresh_from_db()
    assert message.media_status == MediaStatus.STORED, message.media_error
    assert message.media_file.read() == voice.read_bytes()
