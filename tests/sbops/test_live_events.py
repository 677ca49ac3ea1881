"""The live event socket, in process, through the configured channel layer."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from django.test import Client

from sbops.asgi import application
from sbops.core.events import send_event_on_commit
from sbops.core.live import CLOSE_FORBIDDEN
from sbops.core.models import InboxEvent

pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}".encode()


def emit(op: str, **payload) -> int:
    with transaction.atomic():
        return send_event_on_commit(op, payload).pk


async def connect(user=None, query: str = "") -> WebsocketCommunicator:
    headers = [(b"origin", b"http://127.0.0.1"), (b"host", b"127.0.0.1")]
    if user is not None:
        headers.append((b"cookie", await sync_to_async(session_cookie)(user)))
    communicator = WebsocketCommunicator(application, f"/ws/events/{query}", headers=headers)
    return communicator


async def test_staff_sees_an_event_once_its_transaction_commits(staff_user):
    ws = await connect(staff_user)
    connected, _ = await ws.connect()
    assert connected
    try:
        event_id = await sync_to_async(emit)("message.created", conversation_id=7, text="hola")
        frame = await ws.receive_json_from(timeout=10)
        assert frame["id"] == event_id
        assert frame["op"] == "message.created"
        assert frame["text"] == "hola"
    finally:
        await ws.disconnect()


async def test_an_event_rolled_back_is_neither_stored_nor_shown(staff_user):
    ws = await connect(staff_user)
    await ws.connect()
    try:

        def emit_then_fail() -> None:
            try:
                with transaction.atomic():
                    send_event_on_commit("message.created", {"text": "never"})
                    raise RuntimeError("the write failed")
            except RuntimeError:
                pass

        await sync_to_async(emit_then_fail)()
        assert await ws.receive_nothing(timeout=1.0)
        assert not await InboxEvent.objects.filter(op="message.created").aexists()
    finally:
        await ws.disconnect()


@pytest.mark.parametrize("who", ["anonymous", "outsider"])
async def test_non_staff_are_closed_with_4403(who, outsider_user):
    ws = await connect(None if who == "anonymous" else outsider_user)
    connected, _ = await ws.connect()
    assert connected  # accepted only to say why it is closing
    message = await ws.receive_output(timeout=5)
    assert message == {"type": "websocket.close", "code": CLOSE_FORBIDDEN}
    await sync_to_async(emit)("message.created", text="secret")
    await ws.wait()


async def test_a_reconnecting_browser_is_replayed_what_it_missed_in_order(staff_user):
    first = await sync_to_async(emit)("message.created", n=1)
    missed = [await sync_to_async(emit)("message.created", n=n) for n in (2, 3, 4)]
    ws = await connect(staff_user, f"?after={first}")
    await ws.connect()
    try:
        replayed = [await ws.receive_json_from(timeout=5) for _ in missed]
        assert [frame["id"] for frame in replayed] == missed
        assert [frame["n"] for frame in replayed] == [2, 3, 4]
        live = await sync_to_async(emit)("message.created", n=5)
        assert (await ws.receive_json_from(timeout=10))["id"] == live
        assert await ws.receive_nothing(timeout=0.5)  # nothing twice
    finally:
        await ws.disconnect()


async def test_two_tabs_receive_the_same_events(staff_user, owner_user):
    tabs = [await connect(staff_user), await connect(owner_user)]
    for tab in tabs:
        assert (await tab.connect())[0]
    try:
        event_id = await sync_to_async(emit)("conversation.claimed", conversation_id=3)
        for tab in tabs:
            assert (await tab.receive_json_from(timeout=10))["id"] == event_id
    finally:
        for tab in tabs:
            await tab.disconnect()


async def test_replay_request_with_a_bad_id_gets_a_clear_error(staff_user):
    ws = await connect(staff_user)
    await ws.connect()
    try:
        await ws.send_json_to({"action": "replay", "after": "yesterday"})
        assert await ws.receive_json_from(timeout=5) == {
            "op": "error",
            "reason": "after must be an integer id",
        }
    finally:
        await ws.disconnect()


def test_reserved_payload_keys_are_refused(db):
    with pytest.raises(ValueError, match="reserved"):
        send_event_on_commit("message.created", {"id": 5})
