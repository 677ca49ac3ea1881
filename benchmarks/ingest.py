"""Webhook ingest under load: the real WhatsApp webhook against a bare one-row insert.

Serves the project with gunicorn sync workers (how DESIGN.md serves webhooks at scale) on a
fresh database per backend, and measures in the same run, against the same server and
database, alternating the order to spread noise:
  - webhook: `POST /webhooks/whatsapp_cloud/demo-whatsapp/`, correctly signed WhatsApp text
    messages, each with a wamid of its own, from a handful of senders (verify, read the body,
    journal it and queue its recording in one transaction, 200);
  - baseline: `POST /bench/bare/`, a Django view that inserts one row and answers 200.
The ratio webhook/bare (throughput) is what to watch; the goal is >= 0.5.

Then fires 1,000 concurrent POSTs of ONE signed payload; then records every queued request
as the worker does (8 threads at once, so the duplicates race in the recording), and checks
that nothing was lost (one message per webhook request sent, one `process_inbound` task per
message) and that the 1,000 duplicates made exactly one message, contact, conversation and
task, every request answered 200 and journaled.

The task queue is the embedded default's (django-q2 ORM broker, in the database under test);
REDIS_URL is ignored. No cluster runs, so the follow-up tasks stay queued and can be counted.
Connections persist between requests (SBOPS_DB_CONN_MAX_AGE=60), as under gunicorn at scale.
"srv CPU ms/req" is the gunicorn workers' CPU per request, steadier than req/s when other
work shares the machine. The client is raw sockets with pre-built requests in a few
processes; when `wrk` is on PATH the bare endpoint is measured with it too, as a check that
the client is not the bottleneck. `--wsgi module:app` serves another WSGI app in the same
set-up (to A/B a candidate fix). The default run takes about 1.5 minutes on 2 cores.

    .venv/bin/python benchmarks/ingest.py [--requests 1500] [--concurrency 8]
        [--backends sqlite,postgres] [--duplicates 1000] [--dup-connections 50] [--dup-workers N]

Exit code 0 when the run completes (the ratio goal is reported, not asserted); 1 when the
duplicate or the nothing-lost check fails.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing as mp
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from tests.plugins.console import free_port, manage, wait_for_http  # noqa: E402

WEBHOOK_PATH = "/webhooks/whatsapp_cloud/demo-whatsapp/"
BARE_PATH = "/bench/bare/"
PHONE_NUMBER_ID = "100000000000001"  # the demo account's (sbops/demo.py)
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/"
SENDERS = (
    ("34600000101", "Elena Ruiz"),
    ("34600000102", "Marc Vidal"),
    ("4915100000103", "Jonas Weber"),
    ("14155500104", "Grace Kim"),
    ("5511900000105", "Bruno Lima"),
    ("33600000106", "Inès Moreau"),
)
DUP_SENDER = ("447700900107", "Oliver Hart")  # a new contact: its creation races too

# (path, body, headers)
Request = tuple[str, bytes, dict[str, str]]


# --- payloads -------------------------------------------------------------------------------


def whatsapp_text(wamid: str, sender: tuple[str, str], text: str, timestamp: int) -> bytes:
    """A text message as WhatsApp Cloud posts it (one entry, one change, one message)."""
    wa_id, name = sender
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "200000000000001",
                "changes": [
                    {
                        "field": "messages",
                        "value": {
                            "messaging_product": "whatsapp",
                            "metadata": {
                                "display_phone_number": "15550100001",
                                "phone_number_id": PHONE_NUMBER_ID,
                            },
                            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                            "messages": [
                                {
                                    "from": wa_id,
                                    "id": wamid,
                                    "timestamp": str(timestamp),
                                    "type": "text",
                                    "text": {"body": text},
                                }
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def signed(body: bytes, path: str, app_secret: str) -> Request:
    from channels_app.providers.whatsapp import sign

    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": sign(body, app_secret)}
    return path, body, headers


def webhook_requests(
    run: str, phase: str, start: int, count: int, app_secret: str, tag: str
) -> list[Request]:
    now = int(time.time())
    requests = []
    for n in range(start, start + count):
        sender = SENDERS[n % len(SENDERS)]
        body = whatsapp_text(
            f"wamid.bench.{run}.{phase}.{n:06d}",
            sender,
            f"Hola, ¿tenéis mesa para {2 + n % 6} esta noche? ({n})",
            now,
        )
        requests.append(signed(body, f"{WEBHOOK_PATH}?bench={tag}", app_secret))
    return requests


def bare_requests(count: int) -> list[Request]:
    body = b'{"hello":"bench"}'
    return [(BARE_PATH, body, {"Content-Type": "application/json"})] * count


# --- the load generator ---------------------------------------------------------------------


@dataclass
class Load:
    """What one batch of requests got back."""

    latencies: list[float] = field(default_factory=list)  # seconds
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)  # non-200 answers by status and body
    wall: float = 0.0
    client_cpu: float = 0.0
    server_cpu: float = 0.0

    def add(self, other: Load) -> None:
        self.latencies += other.latencies
        self.statuses.update(other.statuses)
        self.failures.update(other.failures)
        self.wall += other.wall
        self.client_cpu += other.client_cpu
        self.server_cpu += other.server_cpu

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def rps(self) -> float:
        return self.count / self.wall if self.wall else 0.0

    def pct(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100)[q - 1] * 1000

    @property
    def non_200(self) -> int:
        return self.count - self.statuses.get(200, 0)


def http_bytes(path: str, body: bytes, headers: dict[str, str]) -> bytes:
    """The whole request on the wire, built before the clock starts."""
    head = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _exchange(sock: socket.socket, wire: bytes) -> tuple[int, bytes, bool]:
    """Send one request, read one response: (status, body, server keeps the connection)."""
    sock.sendall(wire)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed before the response headers")
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower()] = value.strip().lower()
    length = int(headers.get(b"content-length", b"-1"))
    while length < 0 or len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return status, body, headers.get(b"connection") != b"close" and length >= 0


def _send_all(port: int, requests: list[bytes], out: list) -> None:
    """One client connection, kept alive when the server allows (gunicorn's sync workers
    close after every response, so it reconnects, as a provider's client would)."""
    sock = None
    for wire in requests:
        started = time.perf_counter()
        try:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", port), timeout=120)
            status, data, keep = _exchange(sock, wire)
        except OSError as exc:
            status, data, keep = 0, f"{type(exc).__name__}: {exc}".encode(), False
        if not keep and sock is not None:
            sock.close()
            sock = None
        out.append((time.perf_counter() - started, status, b"" if status == 200 else data[:300]))
    if sock is not None:
        sock.close()


def _client_process(port: int, connections: list[list[bytes]], barrier, queue) -> None:
    results: list[list] = [[] for _ in connections]
    go = threading.Event()

    def run(index: int) -> None:
        go.wait()
        _send_all(port, connections[index], results[index])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(connections))]
    for thread in threads:
        thread.start()
    barrier.wait()
    cpu_before = time.process_time()
    started = time.monotonic()
    go.set()
    for thread in threads:
        thread.join()
    ended = time.monotonic()
    queue.put((started, ended, time.process_time() - cpu_before, [r for rs in results for r in rs]))


def server_cpu_seconds(master: psutil.Process) -> float:
    total = 0.0
    for proc in master.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


def run_load(
    port: int,
    requests: list[Request],
    *,
    connections: int,
    processes: int,
    master: psutil.Process | None = None,
) -> Load:
    """Send `requests` over `connections` concurrent connections spread over `processes`
    client processes. Everything is built before the clock starts (the processes are forked
    with it); the clock runs from the first process's start to the last one's end."""
    wires = [http_bytes(*request) for request in requests]
    per_connection = [wires[i::connections] for i in range(connections)]
    per_process = [per_connection[i::processes] for i in range(processes)]
    per_process = [group for group in per_process if group]
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(len(per_process))
    queue = ctx.Queue()
    procs = [
        ctx.Process(target=_client_process, args=(port, group, barrier, queue), daemon=True)
        for group in per_process
    ]
    cpu_before = server_cpu_seconds(master) if master else 0.0
    for proc in procs:
        proc.start()
    reports = [queue.get(timeout=900) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    load = Load(
        wall=max(r[1] for r in reports) - min(r[0] for r in reports),
        client_cpu=sum(r[2] for r in reports),
        server_cpu=(server_cpu_seconds(master) - cpu_before) if master else 0.0,
    )
    for report in reports:
        for seconds, status, data in report[3]:
            load.latencies.append(seconds)
            load.statuses[status] += 1
            if status != 200:
                load.failures[f"{status} {data.decode(errors='replace')}"] += 1
    return load


# --- the server and its database ------------------------------------------------------------


def ensure_gunicorn() -> None:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "gunicorn"], check=True)


@contextlib.contextmanager
def database(backend: str, env: dict[str, str], tmp: Path) -> Iterator[dict[str, str]]:
    """A fresh database for `backend`, set up with the demo data."""
    env = {**env, "SBOPS_DATA_DIR": str(tmp / "data")}
    drop = None
    if backend == "postgres":
        import psycopg

        name = f"sbops_bench_{secrets.token_hex(6)}"
        with psycopg.connect(POSTGRES_URL + "postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop() -> None:
            with psycopg.connect(POSTGRES_URL + "postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        env["DATABASE_URL"] = POSTGRES_URL + name
    elif backend != "sqlite":
        raise SystemExit(f"unknown backend {backend!r}: use sqlite or postgres")
    try:
        manage(env, "setup", timeout=300)
        manage(env, "demo-data", timeout=300)
        yield env
    finally:
        if drop:
            drop()


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def master(self) -> psutil.Process:
        return psutil.Process(self.process.pid)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextlib.contextmanager
def gunicorn(env: dict[str, str], tmp: Path, workers: int, app: str) -> Iterator[Server]:
    port = free_port()
    log_path = tmp / f"gunicorn-{port}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "-w",
                str(workers),
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "10",
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(port=port, process=process, log_path=log_path)
    try:
        wait_for_http(server.url + BARE_PATH, timeout=60)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


# What the worker does with each queued request, run here by 8 threads at once so that the
# 1,000 duplicates race each other in the recording as they would across worker processes.
DRAIN = """
import json, time
from concurrent.futures import ThreadPoolExecutor
from django.db import close_old_connections, connection
from channels_app.models import WebhookEvent
from channels_app.tasks import ingest_webhook

def record(pk):
    try:
        return ingest_webhook(pk)
    except Exception as exc:
        return "error: " + type(exc).__name__
    finally:
        connection.close()

pending = list(WebhookEvent.objects.filter(outcome="received").values_list("pk", flat=True))
started = time.monotonic()
with ThreadPoolExecutor(8) as pool:
    outcomes = list(pool.map(record, pending))
elapsed = time.monotonic() - started
summary = {}
for outcome in outcomes:
    summary[outcome] = summary.get(outcome, 0) + 1
print("BENCH-DRAIN " + json.dumps({"requests": len(pending), "seconds": round(elapsed, 2), "outcomes": summary}))
"""


def drain(env: dict[str, str]) -> dict:
    """Record every queued request, as the worker would."""
    out = manage(env, "shell", "-c", DRAIN, timeout=900).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH-DRAIN "))
    return json.loads(line.removeprefix("BENCH-DRAIN "))


SHELL_COUNTS = """
import json
from django.db.models import Count, Sum
from django_q.models import OrmQ
from channels_app.models import WebhookEvent
from conversations.models import ContactIdentity, Conversation, Message

prefix, tag, senders = {prefix!r}, {tag!r}, {senders!r}
messages = Message.objects.filter(provider_message_id__startswith=prefix)
message_ids = set(messages.values_list("pk", flat=True))
events = WebhookEvent.objects.filter(url__endswith="bench=" + tag)
summaries = [s or {{}} for s in events.values_list("summary", flat=True)]
contacts = set(
    ContactIdentity.objects.filter(kind="whatsapp", external_id__in=senders).values_list(
        "contact_id", flat=True
    )
)
tasks = {{}}
for row in OrmQ.objects.all():
    task = row.task
    if task.get("func") == "conversations.tasks.process_inbound" and task.get("args"):
        if task["args"][0] in message_ids:
            tasks[task["args"][0]] = tasks.get(task["args"][0], 0) + 1
print("BENCH-COUNTS " + json.dumps({{
    "messages": len(message_ids),
    "journaled": events.count(),
    "outcomes": {{
        f"{{row['outcome']}}/{{row['status_code']}}": row["n"]
        for row in events.values("outcome", "status_code").annotate(n=Count("id"))
    }},
    "recorded_new": sum(s.get("messages", 0) for s in summaries),
    "recorded_duplicate": sum(s.get("duplicates", 0) for s in summaries),
    "contacts": len(contacts),
    "conversations": Conversation.objects.filter(contact_id__in=contacts).count(),
    "messages_with_task": len(tasks),
    "tasks": sum(tasks.values()),
}}))
"""


def counts(env: dict[str, str], *, prefix: str, tag: str, senders: list[str]) -> dict:
    """What the database holds, asked through `sbops shell` as an operator would."""
    code = SHELL_COUNTS.format(prefix=prefix, tag=tag, senders=senders)
    out = manage(env, "shell", "-c", code, timeout=300).stdout
    line = next(line for line in out.splitlines() if line.startswith("BENCH-COUNTS "))
    return json.loads(line.removeprefix("BENCH-COUNTS "))


# --- one backend ----------------------------------------------------------------------------


@dataclass
class BackendResult:
    backend: str
    webhook: Load
    bare: Load
    sent: int
    lost_check: dict
    duplicate: Load
    dup_check: dict
    log_problems: list[str]
    wrk_rps: float | None = None
    failures: list[str] = field(default_factory=list)


def measure_backend(backend: str, base_env: dict[str, str], args, app_secret: str) -> BackendResult:
    run = secrets.token_hex(4)
    load_tag, dup_tag = f"load-{run}", f"dup-{run}"
    rounds = max(1, args.rounds)
    per_round = max(1, args.requests // rounds)
    warm = args.warmup
    # every request body built and signed before the clock starts
    warmup_webhooks = webhook_requests(run, "load", 0, warm, app_secret, load_tag)
    timed_webhooks = [
        webhook_requests(run, "load", warm + r * per_round, per_round, app_secret, load_tag)
        for r in range(rounds)
    ]
    dup_body = whatsapp_text(
        f"wamid.bench.{run}.dup", DUP_SENDER, "¿Tenéis terraza?", int(time.time())
    )
    duplicates = [signed(dup_body, f"{WEBHOOK_PATH}?bench={dup_tag}", app_secret)] * args.duplicates
    load = {"connections": args.concurrency, "processes": args.clients}
    # SQLite has one writer at a time: the embedded default serves it from one process, and
    # more processes only queue on its lock; PostgreSQL is served as at scale
    workers = args.sqlite_workers if backend == "sqlite" else args.workers
    dup_workers = args.dup_workers or workers

    with tempfile.TemporaryDirectory(prefix=f"sbops-bench-{backend}-") as tmp_name:
        tmp = Path(tmp_name)
        started = time.monotonic()
        with database(backend, base_env, tmp) as env:
            print(f"[{backend}] database ready in {time.monotonic() - started:.0f}s", flush=True)
            with gunicorn(env, tmp, workers, args.wsgi) as server:
                master = server.master
                run_load(server.port, warmup_webhooks, **load)
                run_load(server.port, bare_requests(warm), **load)
                webhook, bare = Load(), Load()
                for r in range(rounds):
                    # alternate which endpoint goes first, so drift hits both alike
                    batches = [("webhook", timed_webhooks[r]), ("bare", bare_requests(per_round))]
                    for name, requests in batches if r % 2 == 0 else reversed(batches):
                        result = run_load(server.port, requests, master=master, **load)
                        (webhook if name == "webhook" else bare).add(result)
                wrk_rps = wrk_bare(server, args.concurrency) if args.wrk else None
                print(f"[{backend}] load done; {args.duplicates} duplicates …", flush=True)
                if dup_workers == workers:
                    duplicate = post_duplicates(server, duplicates, args)
                log = server.log()
            if dup_workers != workers:
                with gunicorn(env, tmp, dup_workers, args.wsgi) as server:
                    duplicate = post_duplicates(server, duplicates, args)
                    log += server.log()
            sent = warm + rounds * per_round
            drained = drain(env)
            rate = drained["requests"] / max(drained["seconds"], 0.001)
            print(
                f"[{backend}] worker recorded {drained['requests']} queued requests in "
                f"{drained['seconds']}s ({rate:.0f}/s, 8 threads): {drained['outcomes']}",
                flush=True,
            )
            lost_check = counts(
                env,
                prefix=f"wamid.bench.{run}.load.",
                tag=load_tag,
                senders=[s[0] for s in SENDERS],
            )
            dup_check = counts(
                env, prefix=f"wamid.bench.{run}.dup", tag=dup_tag, senders=[DUP_SENDER[0]]
            )
    result = BackendResult(
        backend=backend,
        webhook=webhook,
        bare=bare,
        sent=sent,
        lost_check=lost_check,
        duplicate=duplicate,
        dup_check=dup_check,
        log_problems=log_problems(log),
        wrk_rps=wrk_rps,
    )
    result.failures = check(result, args.duplicates)
    return result


def post_duplicates(server: Server, duplicates: list[Request], args) -> Load:
    return run_load(
        server.port,
        duplicates,
        connections=args.dup_connections,
        processes=args.clients,
        master=server.master,
    )


def log_problems(log: str) -> list[str]:
    """Error lines from the server's log, counted by kind (a 500 is never hidden)."""
    kinds = Counter()
    for raw in log.splitlines():
        # "2026-11-22 01:20:37,926 ERROR x: webhook 112: ..." → "ERROR x: webhook N: ..."
        line = re.sub(r"\b\d+\b", "N", re.sub(r"^\d{4}-\d\d-\d\d [\d:,]+ ", "", raw))
        lowered = line.lower()
        if "database is locked" in lowered:
            kinds["database is locked"] += 1
        elif line.startswith(("Traceback", "ERROR ", "django.db.utils.", "psycopg.errors.")):
            kinds[line.strip()[:160]] += 1
    return [f"{n} × {kind}" for kind, n in kinds.most_common(8)]


def check(result: BackendResult, duplicates: int) -> list[str]:
    failures = []
    lost, dup = result.lost_check, result.dup_check
    if lost["messages"] != result.sent:
        failures.append(
            f"load: {result.sent} webhook requests sent, {lost['messages']} messages recorded"
        )
    if lost["tasks"] != lost["messages"] or lost["messages_with_task"] != lost["messages"]:
        failures.append(
            f"load: {lost['messages']} messages, {lost['tasks']} process_inbound tasks queued"
        )
    if lost["conversations"] != len(SENDERS):
        failures.append(f"load: {len(SENDERS)} senders, {lost['conversations']} conversations")
    if dup["messages"] != 1:
        failures.append(f"duplicates: {dup['messages']} messages with the one wamid (want 1)")
    if result.duplicate.non_200:
        failures.append(f"duplicates: {result.duplicate.non_200} of {duplicates} answers not 200")
    if dup["journaled"] != duplicates:
        failures.append(f"duplicates: {dup['journaled']} journaled of {duplicates} posted")
    if dup["contacts"] != 1 or dup["conversations"] != 1:
        failures.append(
            f"duplicates: {dup['contacts']} contacts, {dup['conversations']} conversations (want 1, 1)"
        )
    if dup["tasks"] != 1:
        failures.append(f"duplicates: {dup['tasks']} process_inbound tasks queued (want 1)")
    return failures


def wrk_bare(server: Server, concurrency: int) -> float | None:
    """The bare endpoint again with wrk, if installed: does our Python client keep up?"""
    if not shutil.which("wrk"):
        return None
    script = server.log_path.with_suffix(".lua")
    script.write_text(
        'wrk.method = "POST"\nwrk.body = \'{"hello":"bench"}\'\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
    )
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(concurrency),
            "-d",
            "3s",
            "-s",
            str(script),
            server.url + BARE_PATH,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    return None


# --- report ---------------------------------------------------------------------------------


def report(results: list[BackendResult], args) -> None:
    print()
    print(
        f"requests per endpoint: {args.requests} (+{args.warmup} warm-up), "
        f"concurrency {args.concurrency}, gunicorn sync -w {args.sqlite_workers} (sqlite) / -w {args.workers} (postgres), "
        f"{args.clients} client processes, {args.rounds} alternating rounds"
    )
    header = f"{'backend':<9} {'endpoint':<8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'srv CPU ms/req':>15} {'non-200':>8}"
    print(header)
    print("-" * len(header))
    for r in results:
        for name, load in (("webhook", r.webhook), ("bare", r.bare)):
            cpu = load.server_cpu / load.count * 1000 if load.count else 0.0
            print(
                f"{r.backend:<9} {name:<8} {load.rps:8.0f} {load.pct(50):8.1f} {load.pct(99):8.1f} {cpu:15.2f} {load.non_200:8d}"
            )
        ratio = r.webhook.rps / r.bare.rps if r.bare.rps else 0.0
        verdict = "meets" if ratio >= 0.5 else "BELOW"
        print(f"{r.backend:<9} ratio webhook/bare throughput {ratio:.2f} ({verdict} the 0.5 goal)")
    print()
    for r in results:
        wall = r.webhook.wall + r.bare.wall
        client = (r.webhook.client_cpu + r.bare.client_cpu) / wall * 100 if wall else 0.0
        line = f"[{r.backend}] client CPU {client:.0f}% of one core while timed"
        if r.wrk_rps is not None:
            line += f"; wrk on bare: {r.wrk_rps:.0f} req/s (ours {r.bare.rps:.0f})"
        print(line)
        lost = r.lost_check
        print(
            f"[{r.backend}] nothing lost: {r.sent} webhook requests sent, {lost['messages']} messages "
            f"recorded, {lost['tasks']} process_inbound tasks queued, {lost['journaled']} journaled "
            f"{lost['outcomes']}, {lost['conversations']} conversations for {len(SENDERS)} senders"
        )
        dup, load = r.dup_check, r.duplicate
        print(
            f"[{r.backend}] duplicates: {load.count} POSTs of one wamid over {args.dup_connections} "
            f"connections to {args.dup_workers or (args.sqlite_workers if r.backend == 'sqlite' else args.workers)} sync workers in {load.wall:.1f}s: statuses {dict(load.statuses)}; "
            f"messages with that wamid {dup['messages']}, journaled {dup['journaled']} "
            f"{dup['outcomes']}, recorded new {dup['recorded_new']} / duplicate "
            f"{dup['recorded_duplicate']}, contacts {dup['contacts']}, conversations "
            f"{dup['conversations']}, tasks {dup['tasks']}; p50 {load.pct(50):.1f} ms p99 {load.pct(99):.1f} ms"
        )
        answers = r.webhook.failures + r.bare.failures + load.failures
        for answer, n in answers.most_common(8):
            print(f"[{r.backend}]   non-200 answer: {n} × {answer}")
        for problem in r.log_problems:
            print(f"[{r.backend}]   server log: {problem}")
        for failure in r.failures:
            print(f"[{r.backend}] CHECK FAILED: {failure}")
        if not r.failures:
            print(f"[{r.backend}] checks passed")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500, help="timed requests per endpoint")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent connections")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers (postgres)")
    parser.add_argument(
        "--sqlite-workers", type=int, default=1, help="gunicorn sync workers on SQLite (one writer)"
    )
    parser.add_argument("--clients", type=int, default=2, help="client processes")
    parser.add_argument("--rounds", type=int, default=4, help="alternating rounds per endpoint")
    parser.add_argument("--warmup", type=int, default=100, help="warm-up requests per endpoint")
    parser.add_argument(
        "--wsgi",
        default="benchmarks.bench_wsgi:application",
        help="the WSGI app gunicorn serves (to compare a candidate fix in the same set-up)",
    )
    parser.add_argument("--duplicates", type=int, default=1000)
    parser.add_argument("--dup-connections", type=int, default=50)
    parser.add_argument(
        "--dup-workers",
        type=int,
        default=0,
        help="post the duplicates to a server with this many sync workers instead (more racing writers)",
    )
    parser.add_argument(
        "--no-wrk", dest="wrk", action="store_false", help="skip the wrk cross-check"
    )
    args = parser.parse_args()
    ensure_gunicorn()

    base_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    base_env.update(
        PYTHONUNBUFFERED="1",
        # production-like: DEBUG off (no query log kept in memory), keys of our own
        SBOPS_DEBUG="0",
        SBOPS_SECRET_KEY=base_env.get("SBOPS_SECRET_KEY") or "bench-" + secrets.token_hex(32),
        SBOPS_LOG_LEVEL="WARNING",
        SBOPS_DB_CONN_MAX_AGE="60",
    )
    base_env.setdefault("SBOPS_ENCRYPTION_KEYS", base_env["SBOPS_SECRET_KEY"])
    # the signer and the demo secret come from the project itself
    os.environ.update(SBOPS_DATA_DIR=tempfile.mkdtemp(prefix="sbops-bench-signer-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbops.settings")
    os.environ["SBOPS_LOG_LEVEL"] = "WARNING"
    os.environ.pop("DATABASE_URL", None)
    import django
    from django.conf import settings

    django.setup()
    app_secret = settings.DEMO_SECRETS["whatsapp_app_secret"]

    results = []
    for backend in [b.strip() for b in args.backends.split(",") if b.strip()]:
        results.append(measure_backend(backend, base_env, args, app_secret))
    report(results, args)
    shutil.rmtree(os.environ["SBOPS_DATA_DIR"], ignore_errors=True)
    return 1 if any(r.failures for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
