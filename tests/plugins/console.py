"""Fixtures that run the real console in subprocesses (`sbops run`, server, worker).

Each gets a database of its own: a temporary folder on the embedded default; a fresh PostgreSQL
database (and Redis db 1) when the suite runs against DATABASE_URL / REDIS_URL. The pytest-django
test database is not shared with subprocesses.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _isolated_postgres(url: str) -> tuple[str, callable]:
    import psycopg

    name = f"sbops_proc_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return _replace_db(url, name), drop


def _replace_db(url: str, name: str) -> str:
    scheme, rest = url.split("://", 1)
    host, _, tail = rest.partition("/")
    query = ""
    if "?" in tail:
        query = "?" + tail.split("?", 1)[1]
    return f"{scheme}://{host}/{name}{query}"


def _redis_db(url: str, db: int) -> str:
    scheme, rest = url.split("://", 1)
    host = rest.split("/", 1)[0]
    return f"{scheme}://{host}/{db}"


@pytest.fixture
def console_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Environment for subprocesses running the console against a database of their own,
    already set up (`sbops setup`)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "SBOPS_TEST_"))}
    env["SBOPS_DATA_DIR"] = str(tmp_path / "data")
    env["PYTHONUNBUFFERED"] = "1"
    cleanups = []
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "postgresql")):
        env["DATABASE_URL"], drop = _isolated_postgres(os.environ["DATABASE_URL"])
        cleanups.append(drop)
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = _redis_db(os.environ["REDIS_URL"], 1)
        import redis

        redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    subprocess.run(
        [sys.executable, "-m", "sbops.cli", "setup"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    try:
        yield env
    finally:
        for cleanup in cleanups:
            cleanup()


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "sbops.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
    )


def wait_for_http(url: str, *, expect: int = 200, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            response = httpx.get(url, timeout=5)
            if response.status_code == expect:
                return response
            last = f"{response.status_code} {response.text[:300]}"
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer {expect} within {timeout}s; last: {last}")


@dataclass
class RunningConsole:
    url: str
    process: subprocess.Popen
    env: dict[str, str]
    log_path: Path

    def descendants(self) -> list[psutil.Process]:
        try:
            return psutil.Process(self.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            return []

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def start_console(env: dict[str, str], tmp_path: Path, *args: str) -> RunningConsole:
    port = free_port()
    log_path = tmp_path / "console.log"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "sbops.cli", "run", *args],
        env={**env, "PORT": str(port)},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    return RunningConsole(
        url=f"http://127.0.0.1:{port}", process=process, env=env, log_path=log_path
    )


def stop_console(console: RunningConsole) -> None:
    """Ctrl-C, as a person would; kill whatever is left so a failing test leaves nothing."""
    leftovers = console.descendants()
    if console.process.poll() is None:
        console.process.send_signal(signal.SIGINT)
        try:
            console.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            console.process.kill()
    for proc in leftovers:
        with contextlib.suppress(psutil.NoSuchProcess):
            proc.kill()


@pytest.fixture
def running_console(console_env: dict[str, str], tmp_path: Path) -> Iterator[RunningConsole]:
    """`sbops run` with the demo data, healthy (all /healthz checks green)."""
    manage(console_env, "demo-data")
    console = start_console(console_env, tmp_path)
    try:
        wait_for_http(console.url + "/healthz", timeout=90)
        yield console
    finally:
        stop_console(console)


def login(base_url: str, username: str, password: str) -> httpx.Client:
    """An HTTP client logged in through the admin login form, as a browser would."""
    client = httpx.Client(base_url=base_url, timeout=15, follow_redirects=False)
    page = client.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/admin/login/?next=/admin/",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        },
        headers={"Referer": base_url + "/admin/login/"},
    )
    assert response.status_code == 302, f"login as {username} failed: {response.status_code}"
    return client
