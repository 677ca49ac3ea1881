"""Live events across processes: how long from a worker's commit to a staff browser's socket.

Runs the real console (uvicorn, ASGI, auth, the live events consumer) on a fresh database and
a second process that emits events through `send_event_on_commit`, as a task worker does. A
WebSocket client logged in as the demo staff user timestamps each arrival.

Layers compared in the same run:
  - embedded: the SQLite-backed channel layer (channels-lite) used with no REDIS_URL;
  - baseline: the Redis pub/sub layer of the scale-out set-up (needs Redis on 127.0.0.1:6379).
The ratio embedded/baseline is what to watch; absolute numbers drift with the machine's load.

    .venv/bin/python benchmarks/event_latency.py [--events 200]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from websockets.sync.client import connect  # noqa: E402

from tests.plugins.console import login, manage, start_console, stop_console, wait_for_http  # noqa: E402

EMIT = """
import time
from sbops.core.events import send_event_on_commit
for n in range({count}):
    send_event_on_commit("bench.ping", {{"n": n, "emitted_at": time.time()}})
    time.sleep({gap})
"""


def measure(label: str, env: dict[str, str], count: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        env = {**env, "SBOPS_DATA_DIR": tmp}
        manage(env, "setup")
        manage(env, "demo-data")
        console = start_console(env, Path(tmp), "--sandbox", "off", "--workers", "1")
        try:
            wait_for_http(console.url + "/healthz", timeout=90)
            client = login(console.url, "staff", "staff-demo-pass")
            headers = {"Cookie": f"sessionid={client.cookies['sessionid']}", "Origin": console.url}
            latencies = []
            with connect(
                console.url.replace("http", "ws") + "/ws/events/", additional_headers=headers
            ) as ws:
                # the emitter runs beside us, like a worker: read while it sends
                emitter = subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "sbops.cli",
                        "shell",
                        "-c",
                        EMIT.format(count=count, gap=0.02),
                    ],
                    env=env,
                    cwd=ROOT,
                )
                while len(latencies) < count:
                    frame = json.loads(ws.recv(timeout=60))
                    latencies.append((time.time() - frame["emitted_at"]) * 1000)
                emitter.wait(timeout=60)
        finally:
            stop_console(console)
    report(label, latencies)
    return latencies


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[int(q) - 1]


def report(label: str, ms: list[float]) -> None:
    print(
        f"{label:<34} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  p95={pct(ms, 95):7.1f} ms  max={max(ms):7.1f} ms",
        flush=True,
    )


def redis_available() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=200)
    args = parser.parse_args()
    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base_env["PYTHONUNBUFFERED"] = "1"
    embedded = measure("embedded (SQLite channel layer)", base_env, args.events)
    if not redis_available():
        print("baseline skipped: no Redis on 127.0.0.1:6379; no ratio")
        return 0
    baseline = measure(
        "baseline (Redis pub/sub layer)",
        {**base_env, "REDIS_URL": "redis://127.0.0.1:6379/3"},
        args.events,
    )
    print(
        f"ratio embedded/baseline: p50 {statistics.median(embedded) / statistics.median(baseline):.1f}x, p95 {pct(embedded, 95) / pct(baseline, 95):.1f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
