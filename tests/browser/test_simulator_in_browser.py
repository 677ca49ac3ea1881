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
