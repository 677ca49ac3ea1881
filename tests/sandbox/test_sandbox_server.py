"""The sandbox frame, exercised over real HTTP on loopback."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from sbops.sandbox import (
    Fault,
    FaultPlan,
    RecordedRequest,
    Recorder,
    Response,
    Router,
    SandboxClient,
    SandboxServer,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def router() -> Router:
    """A fresh router with one plain route, so tests never touch the default router."""
    fresh = Router()
    fresh.add("GET", "/ping", lambda request: Response(body={"pong": True}))
    return fresh


@pytest.fixture
def server(router: Router) -> Iterator[SandboxServer]:
    with SandboxServer(router=router) as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    # trust_env=False: a proxy from the environment must not see loopback calls.
    with httpx.Client(trust_env=False, timeout=10) as client:
        yield client


def health(url: str) -> httpx.Response:
    return httpx.get(f"{url}/__sandbox/health", trust_env=False, timeout=5)


# --- lifecycle ---------------------------------------------------------------------------


def test_start_binds_a_free_port_and_stop_releases_it() -> None:
    server = SandboxServer().start()
    port = server.port
    assert port > 0
    assert server.url == f"http://127.0.0.1:{port}"
    assert health(server.url).json() == {"ok": True}

    server.stop()
    server.stop()  # idempotent
    with pytest.raises(httpx.ConnectError):
        health(f"http://127.0.0.1:{port}")

    with SandboxServer(port=port) as again:
        assert again.port == port
        assert health(again.url).json() == {"ok": True}


def test_stop_cuts_open_keep_alive_connections(http: httpx.Client) -> None:
    server = SandboxServer().start()
    assert http.get(f"{server.url}/__sandbox/health").status_code == 200

    server.stop()

    with pytest.raises(httpx.TransportError):
        http.get(f"{server.url}/__sandbox/health")


def test_two_servers_at_once_get_different_ports() -> None:
    with SandboxServer() as first, SandboxServer() as second:
        assert first.port != second.port
        assert health(first.url).status_code == 200
        assert health(second.url).status_code == 200


@pytest.mark.parametrize(
    "host",
    ["0.0.0.0", "192.0.2.10", "::", "example.com", ""],  # noqa: S104 - must be refused
)
def test_refuses_a_non_loopback_host(host: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        SandboxServer(host=host)


def test_localhost_binds_the_ipv4_loopback() -> None:
    with SandboxServer(host="localhost") as server:
        assert server.url.startswith("http://127.0.0.1:")
        assert health(server.url).status_code == 200


def test_a_server_cannot_be_started_twice() -> None:
    with SandboxServer() as server, pytest.raises(RuntimeError):
        server.start()


# --- recording ---------------------------------------------------------------------------


def test_every_request_is_recorded_with_method_path_query_headers_and_body(
    server: SandboxServer, http: httpx.Client
) -> None:
    http.post(
        f"{server.url}/v1/things?a=1&a=2&empty=",
        json={"text": "héllo"},
        headers={"X-Trace": "abc123"},
    )
    http.post(
        f"{server.url}/2010-04-01/Accounts/AC1/Messages.json",
        data={"To": "+15550001", "Body": "hi there"},
    )
    http.get(f"{server.url}/ping")

    first, second, third = server.recorder.requests()
    assert (first.method, first.path) == ("POST", "/v1/things")
    assert first.query == {"a": ["1", "2"], "empty": [""]}
    assert first.headers["x-trace"] == "abc123"
    assert first.headers["X-TRACE"] == "abc123"
    assert first.headers["content-type"] == "application/json"
    assert first.json() == {"text": "héllo"}
    assert "héllo" in first.text
    assert second.form() == {"To": ["+15550001"], "Body": ["hi there"]}
    assert (third.method, third.path, third.body) == ("GET", "/ping", b"")
    assert first.id < second.id < third.id
    assert server.recorder.count(path="/v1/*") == 1
    assert server.recorder.last(method="get") is third


def test_a_chunked_request_body_is_recorded_whole(
    server: SandboxServer, http: httpx.Client
) -> None:
    response = http.post(f"{server.url}/upload", content=iter([b"part one, ", b"part two"]))

    recorded = server.recorder.last("/upload")
    assert recorded.headers["transfer-encoding"] == "chunked"
    assert recorded.body == b"part one, part two"
    assert response.status_code == 404  # the connection stayed in sync after the chunks


def test_concurrent_requests_are_all_answered_and_recorded_once(server: SandboxServer) -> None:
    def ping(n: int) -> int:
        with httpx.Client(trust_env=False, timeout=10) as client:
            return client.get(f"{server.url}/ping?n={n}").status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(ping, range(64)))

    recorded = server.recorder.requests("/ping")
    assert statuses == [200] * 64
    assert sorted(int(r.query["n"][0]) for r in recorded) == list(range(64))
    assert len({r.id for r in recorded}) == 64


def test_last_names_what_was_received_when_nothing_matches(
    server: SandboxServer, http: httpx.Client
) -> None:
    http.get(f"{server.url}/ping")
    with pytest.raises(LookupError, match=r"GET /ping"):
        server.recorder.last("/missing")


def test_recorder_limit_forgets_the_oldest() -> None:
    recorder = Recorder(limit=2)
    for path in ("/a", "/b", "/c"):
        recorder.record(method="GET", path=path)
    assert [r.path for r in recorder.requests()] == ["/b", "/c"]
    assert recorder.clear() == 2
    assert recorder.record(method="GET", path="/d").id == 4  # ids never repeat


# --- routing -----------------------------------------------------------------------------


def test_unknown_route_answers_404_naming_method_and_path(
    server: SandboxServer, http: httpx.Client
) -> None:
    response = http.delete(f"{server.url}/v21.0/no/such/fake?x=1")

    assert response.status_code == 404
    error = response.json()["error"]
    assert "DELETE /v21.0/no/such/fake" in error["message"]
    assert (error["method"], error["path"]) == ("DELETE", "/v21.0/no/such/fake")


def test_route_with_path_parameters(
    server: SandboxServer, router: Router, http: httpx.Client
) -> None:
    def send_message(request: RecordedRequest, phone_number_id: str) -> Response:
        to = request.json()["to"]
        return Response(body={"from": phone_number_id, "to": to}, headers={"X-Fake": "wa"})

    router.add("POST", "/v21.0/{phone_number_id}/messages", send_message)
    router.add("GET", "/bot{token}/getMe", lambda r, token: Response(body=token))

    response = http.post(f"{server.url}/v21.0/1234567/messages", json={"to": "15550001"})
    assert response.status_code == 200
    assert response.json() == {"from": "1234567", "to": "15550001"}
    assert response.headers["x-fake"] == "wa"
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-length"] == str(len(response.content))

    telegram = http.get(f"{server.url}/bot123%3AABC/getMe")
    assert telegram.text == "123:ABC"
    assert telegram.headers["content-type"].startswith("text/plain")

    assert http.post(f"{server.url}/v21.0/1/2/messages", json={}).status_code == 404


def test_literal_routes_win_over_parameterized_ones() -> None:
    router = Router()
    router.add("GET", "/v21.0/{media_id}", lambda r, media_id: Response(body="media"))
    router.add("GET", "/v21.0/me", lambda r: Response(body="me"))

    resolved = router.resolve("GET", "/v21.0/me")
    assert resolved is not None
    handler, params = resolved
    assert params == {}
    assert handler(None).body == "me"


def test_router_rejects_bad_patterns_and_duplicates() -> None:
    router = Router()
    router.add("POST", "/x/{id}", lambda r, id: Response())
    with pytest.raises(ValueError, match="already registered"):
        router.add("post", "/x/{id}", lambda r, id: Response())
    with pytest.raises(ValueError, match="start with"):
        router.add("GET", "x", lambda r: Response())
    with pytest.raises(ValueError, match="malformed"):
        router.add("GET", "/x/{id", lambda r: Response())


def test_a_handler_that_raises_answers_500_naming_the_exception(
    server: SandboxServer, router: Router, http: httpx.Client
) -> None:
    def broken(request: RecordedRequest) -> Response:
        raise KeyError("missing_field")

    router.add("GET", "/broken", broken)
    router.add("GET", "/not-a-response", lambda request: {"oops": True})

    response = http.get(f"{server.url}/broken")
    assert response.status_code == 500
    assert response.json()["error"]["exception"] == "KeyError"
    assert "missing_field" in response.json()["error"]["message"]

    wrong = http.get(f"{server.url}/not-a-response")
    assert wrong.status_code == 500
    assert "not Response" in wrong.json()["error"]["message"]


# --- faults ------------------------------------------------------------------------------


def test_fault_answers_the_next_n_requests_then_normal_behaviour_returns(
    server: SandboxServer, http: httpx.Client
) -> None:
    server.faults.add(Fault(path="/ping", status=503, body={"error": "down"}, times=2))

    answers = [http.get(f"{server.url}/ping") for _ in range(3)]

    assert [a.status_code for a in answers] == [503, 503, 200]
    assert answers[0].json() == {"error": "down"}
    assert answers[2].json() == {"pong": True}
    assert server.recorder.count("/ping") == 3  # faulted requests are recorded too
    assert server.faults.list() == []


def test_fault_sets_retry_after_and_extra_headers(
    server: SandboxServer, http: httpx.Client
) -> None:
    server.faults.add(
        Fault(path="/ping", status=429, retry_after=7, headers={"X-RateLimit-Remaining": "0"})
    )

    response = http.get(f"{server.url}/ping")

    assert response.status_code == 429
    assert response.headers["retry-after"] == "7"
    assert response.headers["x-ratelimit-remaining"] == "0"


def test_fault_with_an_unregistered_status_keeps_its_code(
    server: SandboxServer, http: httpx.Client
) -> None:
    server.faults.add(Fault(path="/ping", status=529, body="not json {"))

    response = http.get(f"{server.url}/ping")

    assert response.status_code == 529
    assert response.content == b"not json {"


def test_fault_delay_holds_the_answer(server: SandboxServer, http: httpx.Client) -> None:
    server.faults.add(Fault(path="/ping", status=200, body="late", delay=0.3))

    started = time.monotonic()
    response = http.get(f"{server.url}/ping")
    elapsed = time.monotonic() - started

    assert elapsed >= 0.3
    assert response.text == "late"


def test_fault_drop_closes_the_connection_without_a_response(
    server: SandboxServer, http: httpx.Client
) -> None:
    server.faults.add(Fault(path="/ping", drop=True))

    with pytest.raises(httpx.TransportError):
        http.get(f"{server.url}/ping")

    assert server.recorder.count("/ping") == 1
    assert http.get(f"{server.url}/ping").status_code == 200


def test_fault_drop_is_seen_by_urllib_as_a_connection_error(server: SandboxServer) -> None:
    import urllib.error
    import urllib.request

    server.faults.add(Fault(path="/ping", drop=True))
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    with pytest.raises((urllib.error.URLError, ConnectionError)):
        opener.open(f"{server.url}/ping", timeout=5)


def test_method_specific_fault_leaves_other_methods_alone(
    server: SandboxServer, router: Router, http: httpx.Client
) -> None:
    router.add("POST", "/ping", lambda request: Response(status=201))
    server.faults.add(Fault(path="/ping", method="post", status=409))

    assert http.get(f"{server.url}/ping").status_code == 200
    assert http.post(f"{server.url}/ping").status_code == 409
    assert http.post(f"{server.url}/ping").status_code == 201


def test_prefix_fault_matches_everything_under_it_until_cleared(
    server: SandboxServer, http: httpx.Client
) -> None:
    server.faults.add(Fault(path="/v21.0/*", status=500, times=None))

    assert http.get(f"{server.url}/v21.0/a").status_code == 500
    assert http.post(f"{server.url}/v21.0/b/messages").status_code == 500
    assert http.get(f"{server.url}/v22.0/a").status_code == 404
    assert server.faults.clear() == 1
    assert http.get(f"{server.url}/v21.0/a").status_code == 404


def test_the_first_matching_fault_is_used_first(server: SandboxServer, http: httpx.Client) -> None:
    server.faults.add(Fault(path="/ping", status=502))
    server.faults.add(Fault(path="/*", status=504))

    statuses = [http.get(f"{server.url}/ping").status_code for _ in range(3)]

    assert statuses == [502, 504, 200]


def test_a_limited_fault_is_taken_exactly_n_times_under_concurrency() -> None:
    plan = FaultPlan()
    plan.add(Fault(path="/x", status=500, times=10))

    def take(_: int) -> bool:
        return plan.take("GET", "/x") is not None

    with ThreadPoolExecutor(max_workers=16) as pool:
        taken = sum(pool.map(take, range(200)))

    assert taken == 10


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ({"path": "/x", "times": 0}, "times"),
        ({"path": "x"}, "path"),
        ({"path": "/x", "status": 42}, "status"),
        ({"path": "/x", "delay": -1}, "delay"),
        ({"path": "/x", "colour": "red"}, "colour"),
        ({"status": 500}, "path"),
    ],
)
def test_invalid_fault_specs_name_the_field(spec: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        Fault.from_dict(spec)


# --- control API -------------------------------------------------------------------------


def test_control_api_from_a_sandbox_client(
    sandbox: SandboxServer, sandbox_client: SandboxClient, http: httpx.Client
) -> None:
    assert sandbox_client.health() == {"ok": True}
    assert sandbox_client.requests() == []
    assert sandbox_client.faults() == []

    added = sandbox_client.add_fault(path="/x", status=418, body="teapot", times=2)
    assert added == Fault(path="/x", status=418, body="teapot", times=2)
    assert sandbox_client.faults() == [added]

    response = http.post(f"{sandbox.url}/x?q=1", content=b"\xff\x00raw")
    assert (response.status_code, response.text) == (418, "teapot")
    assert [f.times for f in sandbox_client.faults()] == [1]

    (recorded,) = sandbox_client.requests(path="/x")
    assert (recorded.method, recorded.path, recorded.query) == ("POST", "/x", {"q": ["1"]})
    assert recorded.body == b"\xff\x00raw"  # travelled as base64
    assert sandbox_client.requests(path="/other") == []
    assert len(sandbox_client.requests(method="POST")) == 1
    assert sandbox.recorder.count() == 1  # control calls are not recorded

    assert sandbox_client.clear_requests() == 1
    assert sandbox_client.requests() == []
    assert sandbox_client.clear_faults() == 1
    assert http.post(f"{sandbox.url}/x").status_code == 404


def test_control_api_refuses_a_bad_fault_with_400_naming_the_field(
    sandbox: SandboxServer, sandbox_client: SandboxClient, http: httpx.Client
) -> None:
    response = http.post(f"{sandbox.url}/__sandbox/faults", json={"path": "/x", "times": -3})

    assert response.status_code == 400
    assert "times" in response.json()["error"]["message"]
    assert sandbox_client.faults() == []
    with pytest.raises(ValueError, match="status"):
        sandbox_client.add_fault(path="/x", status="oops")


def test_control_api_lists_and_clears_faults_over_raw_http(
    sandbox: SandboxServer, http: httpx.Client
) -> None:
    spec = {"path": "/v1/messages", "method": "POST", "status": 529, "retry_after": 2}
    created = http.post(f"{sandbox.url}/__sandbox/faults", json=spec)
    assert created.status_code == 201

    (listed,) = http.get(f"{sandbox.url}/__sandbox/faults").json()["faults"]
    assert {k: listed[k] for k in spec} == spec
    assert http.delete(f"{sandbox.url}/__sandbox/faults").json() == {"ok": True, "cleared": 1}
    assert http.get(f"{sandbox.url}/__sandbox/faults").json() == {"faults": []}


def test_fixture_server_starts_fresh(sandbox: SandboxServer) -> None:
    assert sandbox.running
    assert sandbox.recorder.requests() == []
    assert sandbox.faults.list() == []
    assert health(sandbox.url).json() == {"ok": True}


# --- python -m sbops.sandbox -------------------------------------------------------------


def _first_line(process: subprocess.Popen[str], timeout: float) -> str:
    lines: list[str] = []
    assert process.stdout is not None
    reader = threading.Thread(target=lambda: lines.append(process.stdout.readline()))
    reader.start()
    reader.join(timeout)
    assert lines, f"no output from the sandbox within {timeout}s"
    return lines[0]


@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM])
def test_module_entry_point_serves_until_signalled(stop_signal: signal.Signals) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "sbops.sandbox", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = _first_line(process, timeout=30)
        match = re.fullmatch(r"sandbox listening on (http://127\.0\.0\.1:(\d+))\n", line)
        assert match, line
        assert health(match[1]).json() == {"ok": True}

        process.send_signal(stop_signal)

        assert process.wait(timeout=30) == 0
        assert process.stdout is not None and process.stdout.read() == ""
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", int(match[2])))  # the port was released
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_module_entry_point_refuses_a_public_host() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sbops.sandbox", "--host", "0.0.0.0"],  # noqa: S104
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "loopback" in result.stderr
    assert result.stdout == ""


def test_recorded_request_round_trips_through_json() -> None:
    recorder = Recorder()
    original = recorder.record(
        method="post", path="/m", query={"a": ["1"]}, headers={"X-A": "b"}, body=b"\x80\x81"
    )
    copy = RecordedRequest.from_dict(json.loads(json.dumps(original.to_dict())))
    assert copy == original
