"""Events emitted by another process (the task worker) reach browsers of the web process.

The console runs for real (`sbops run`: uvicorn + django-q2 cluster) on its own database; a
browser-like WebSocket client logs in as the demo staff user and listens.
"""

from __future__ import annotations

import json
import time

import pytest
from websockets.sync.client import connect

from tests.plugins.console import login, manage

pytestmark = pytest.mark.slow


def open_socket(console, query: str = ""):
    client = login(console.url, "staff", "staff-demo-pass")
    cookie = f"sessionid={client.cookies['sessionid']}"
    ws_url = console.url.replace("http://", "ws://") + f"/ws/events/{query}"
    return connect(
        ws_url, additional_headers={"Cookie": cookie, "Origin": console.url}, open_timeout=10
    )


def test_an_event_sent_by_a_worker_task_reaches_the_browser(running_console):
    with open_socket(running_console) as ws:
        # a third process queues the task; the cluster's worker process runs it
        manage(
            running_console.env,
            "shell",
            "-c",
            "from django_q.tasks import async_task; "
            "async_task('sbops.core.events.send_event_on_commit', 'diagnostic.ping', {'from': 'worker'})",
        )
        frame = json.loads(ws.recv(timeout=30))
    assert frame["op"] == "diagnostic.ping"
    assert frame["from"] == "worker"
    assert frame["id"] > 0


def test_events_from_another_process_arrive_in_order_and_after_a_reconnect(running_console):
    emit = (
        "import time, sys\n"
        "from sbops.core.events import send_event_on_commit\n"
        "for n in range({count}):\n"
        "    send_event_on_commit('diagnostic.ping', {{'n': n, 'emitted_at': time.time()}})\n"
        "    time.sleep(0.05)\n"
    )
    received = []
    with open_socket(running_console) as ws:
        manage(running_console.env, "shell", "-c", emit.format(count=10))
        for _ in range(10):
            frame = json.loads(ws.recv(timeout=30))
            frame["received_at"] = time.time()
            received.append(frame)
    assert [frame["n"] for frame in received] == list(range(10))
    ids = [frame["id"] for frame in received]
    assert ids == sorted(ids)

    # the browser was away while three more were sent: it asks for everything after its last id
    manage(running_console.env, "shell", "-c", emit.format(count=3))
    with open_socket(running_console, f"?after={ids[-1]}") as ws:
        missed = [json.loads(ws.recv(timeout=30)) for _ in range(3)]
    assert [frame["n"] for frame in missed] == [0, 1, 2]
    assert missed[0]["id"] > ids[-1]
