"""`sbops run`: the console's processes under one supervisor.

Starts (each in its own process group and session, so a terminal's Ctrl-C reaches only us) the provider sandbox when the demo accounts need it, the
ASGI server (uvicorn) and a django-q2 cluster. Ctrl-C or SIGTERM stops them all: SIGTERM to
each leader, a grace period, then SIGKILL to each whole group, so no process is left behind. If one of them dies,
the others are stopped too and the exit code says so.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

GRACE_SECONDS = 10.0


@dataclass
class Supervisor:
    env: dict[str, str]
    children: dict[str, subprocess.Popen] = field(default_factory=dict)
    stopping: bool = False

    def start(self, name: str, argv: list[str], *, capture_first_line: bool = False) -> str:
        """Start a child in its own process group; optionally return its first stdout line."""
        proc = subprocess.Popen(
            argv,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.PIPE if capture_first_line else None,
            text=True,
        )
        self.children[name] = proc
        if not capture_first_line:
            return ""
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        if not line:
            raise RuntimeError(f"{name} exited before it was ready (code {proc.wait()})")
        return line

    def wait(self) -> int:
        """Block until a signal asks us to stop or a child dies; then stop everything."""
        exit_code = 0
        while not self.stopping:
            for name, proc in self.children.items():
                code = proc.poll()
                if code is not None:
                    print(f"sbops: {name} exited with code {code}; stopping the rest", flush=True)
                    exit_code = code or 1
                    self.stopping = True
                    break
            time.sleep(0.2)
        self.stop()
        return exit_code

    def request_stop(self, signum: int, frame: object) -> None:
        self.stopping = True

    def stop(self) -> None:
        # workers first (they may be finishing a send), the web server, then the sandbox
        for name in sorted(self.children, key=_stop_order):
            # only the leader: the cluster stops its own worker processes in order, and would
            # wait forever for a monitor that had been terminated under it
            proc = self.children[name]
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + GRACE_SECONDS
        for proc in self.children.values():
            remaining = max(0.1, deadline - time.monotonic())
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=remaining)
        for proc in self.children.values():
            # also reaps grandchildren (the cluster's worker processes) still in the group
            _signal_group(proc, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)


def _stop_order(name: str) -> int:
    return {"worker": 0, "web": 1, "sandbox": 2}.get(name, 3)


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, sig)


def run_console(*, host: str, port: int, workers: int, sandbox: str) -> int:
    """`sandbox` is "auto" (start one if the demo accounts use it), "on" or "off"."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbops.settings")
    django.setup()
    from django.conf import settings

    env = dict(os.environ)
    env["SBOPS_WORKER_PROCESSES"] = str(workers)
    supervisor = Supervisor(env=env)
    signal.signal(signal.SIGINT, supervisor.request_stop)
    signal.signal(signal.SIGTERM, supervisor.request_stop)
    python = sys.executable
    try:
        if sandbox == "on" or (
            sandbox == "auto" and not settings.SANDBOX_URL and _demo_uses_sandbox()
        ):
            line = supervisor.start(
                "sandbox", [python, "-m", "sbops.sandbox", "--port", "0"], capture_first_line=True
            )
            env["SBOPS_SANDBOX_URL"] = line.rsplit(" ", 1)[-1]
            print(f"sbops: provider sandbox at {env['SBOPS_SANDBOX_URL']}", flush=True)
        supervisor.start(
            "web",
            [
                python,
                "-m",
                "uvicorn",
                "sbops.asgi:application",
                "--host",
                host,
                "--port",
                str(port),
                "--no-access-log",
                "--lifespan",
                "off",
                "--timeout-graceful-shutdown",
                "5",
            ],
        )
        supervisor.start(
            "worker", [python, "-m", "django", "qcluster", "--settings", "sbops.settings"]
        )
    except Exception as exc:
        print(f"sbops: could not start: {exc}", file=sys.stderr, flush=True)
        supervisor.stop()
        return 1
    _print_welcome(host, port, workers)
    return supervisor.wait()


def _demo_uses_sandbox() -> bool:
    from channels_app.models import ChannelAccount

    try:
        return ChannelAccount.objects.filter(uses_sandbox=True, enabled=True).exists()
    except Exception:  # not migrated yet: nothing to fake
        return False


def _print_welcome(host: str, port: int, workers: int) -> None:
    from django.conf import settings
    from django.contrib.auth import get_user_model

    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    url = f"http://{shown_host}:{port}/"
    lines = [f"sbops console: {url}   (admin {url}admin/, health {url}healthz)"]
    lines.append(f"task worker: one django-q2 cluster with {workers} process(es)")
    users = (
        get_user_model()
        .objects.filter(username__in=["admin", "owner", "staff"])
        .values_list("username", flat=True)
    )
    for username in sorted(users):
        lines.append(f"demo login: {username} / {settings.DEMO_PASSWORDS[username]}")
    lines.append("Ctrl-C stops everything.")
    print("\n".join(lines), flush=True)
