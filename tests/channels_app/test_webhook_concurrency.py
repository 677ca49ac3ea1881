"""Providers redeliver, and sometimes all at once: ten concurrent copies make one message, and a
burst from a new customer makes one contact and one conversation."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from channels_app.providers.whatsapp import sign
from conversations.models import Contact, Conversation, Message
from tests.plugins.webhooks import load_fixture, webhook_url

pytestmark = pytest.mark.django_db(transaction=True)

APP_SECRET = "app-secret-1"


@pytest.fixture
def account(channel_account_factory):
    return channel_account_factory(
        slug="wa-burst",
        config={"phone_number_id": "100000000000001"},
        credentials={"access_token": "t", "app_secret": APP_SECRET, "verify_token": "v"},
    )


def post_all(url: str, bodies: list[bytes]) -> list[int]:
    def post(body: bytes) -> int:
        headers = {
            "Content-Type": "application/json",
            "X-Hub-Signature-256": sign(body, APP_SECRET),
        }
        return httpx.post(url, content=body, headers=headers, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=len(bodies)) as pool:
        return list(pool.map(post, bodies))


def test_ten_concurrent_copies_of_one_delivery_make_one_message(live_server, account):
    body = json.dumps(load_fixture("whatsapp", "text")).encode()
    codes = post_all(live_server.url + webhook_url(account), [body] * 10)
    assert codes == [200] * 10
    assert Message.objects.filter(provider_message_id="wamid.TEXT01").count() == 1
    assert Conversation.objects.count() == 1


def test_a_burst_from_a_new_customer_makes_one_contact_and_one_conversation(live_server, account):
    bodies = []
    for n in range(8):
        payload = load_fixture("whatsapp", "text")
        message = payload["entry"][0]["changes"][0]["value"]["messages"][0]
        message["id"] = f"wamid.BURST{n}"
        message["text"]["body"] = f"part {n}"
        bodies.append(json.dumps(payload).encode())
    codes = post_all(live_server.url + webhook_url(account), bodies)
    assert codes == [200] * 8
    assert Message.objects.count() == 8
    assert Contact.objects.count() == 1
    assert Conversation.objects.count() == 1
