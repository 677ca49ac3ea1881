"""Throttle benchmark at the limiter level: N messages to ONE key with a limit of L/s, taken
by several worker processes, against the real shared store.

For each store (the database: a fresh SQLite file by default, or `--database-url`; Redis at
`--redis-url`/REDIS_URL when reachable) it runs, in the same run:
  - limited: `--workers` processes take slots for `--messages` messages on one key at L/s;
    a refused worker sleeps for the wait it was given (as a re-scheduled task would);
  - baseline: the same loop on the same store with no effective limit, i.e. the raw
    acquisition rate of the store (what the machine could do without a limiter).
It reports the largest count in any 1-second sliding window (by the store's decision time,
which is what the limiter guarantees: must be <= L, "violations" must be 0), the same count
by the workers' wall clock after the call returned (what a provider would see, jitter and
all), the achieved rate / L (goal >= 0.9), and achieved / baseline.

    .venv/bin/python benchmarks/throttle.py [--messages 10000] [--limit 80] [--workers 2]
        [--stores database,redis] [--database-url URL] [--redis-url URL]

A full run (10,000 messages at 80/s) takes about 2 minutes per store. Exit code 1 when a
violation was seen. The measuring functions take plain lists of timestamps so a later
end-to-end benchmark (real sends to the sandbox) can reuse them.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Timestamps have a resolution of 1 µs (the limiter's unit); a float of ~1.7e9 seconds holds
# them to ~0.2 µs, so two decisions exactly one period apart may differ by a hair less.
_EPSILON = 1e-6


# --- measuring (reusable) -------------------------------------------------------------------


def max_in_window(timestamps: list[float], window: float = 1.0) -> int:
    """The largest number of timestamps in any half-open window [t, t + window)."""
    ordered = sorted(timestamps)
    best = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window - _EPSILON:
            start += 1
        best = max(best, end - start + 1)
    return best


def violations(timestamps: list[float], limit: int, window: float = 1.0) -> int:
    """How many timestamps were the (limit+1)-th or later in the window ending at them."""
    ordered = sorted(timestamps)
    count = start = 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= window - _EPSILON:
            start += 1
        if end - start + 1 > limit:
            count += 1
    return count


def achieved_rate(timestamps: list[float]) -> float:
    """Events per second from the first to the last (needs at least two)."""
    if len(timestamps) < 2:
        return 0.0
    span = max(timestamps) - min(timestamps)
    return (len(timestamps) - 1) / span if span > 0 else float("inf")


# --- workers --------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoreSpec:
    """How a worker process reaches the store: kind "database" (settings' default database,
    `database_name` overriding its NAME, e.g. a test database) or "redis" (`redis_url`)."""

    kind: str
    database_name: str = ""
    redis_url: str = ""
    redis_prefix: str = "sbops:bench:"


def open_store(spec: StoreSpec) -> Any:
    """Build the store in this process. Precondition: Django is set up."""
    from sbops.core.resilience import DatabaseStore, RedisStore

    if spec.kind == "redis":
        import redis

        return RedisStore(redis.Redis.from_url(spec.redis_url), prefix=spec.redis_prefix)
    return DatabaseStore()


def _setup_django(spec: StoreSpec) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbops.settings")
    import django
    from django.conf import settings

    django.setup()
    if spec.database_name:
        # before the first query: connections read the settings lazily
        settings.DATABASES["default"]["NAME"] = spec.database_name


def take_slots(
    spec: StoreSpec,
    key: str,
    limit: int,
    count: int,
    seconds: float,
    barrier: Any,
    results: Any,
) -> None:
    """Worker process: take `count` slots (or keep going for `seconds` when count is 0) on
    `key` at `limit`/s, sleeping the wait it is given; put (decision times, wall times after
    return, refusals) on `results`."""
    _setup_django(spec)
    from sbops.core.resilience import RateLimiter

    limiter = RateLimiter(open_store(spec))
    limiter.acquire(f"{key}:warm-up", 10**9, 1.0)  # connect before the start line
    decided: list[float] = []
    returned: list[float] = []
    refusals = 0
    barrier.wait()
    deadline = time.time() + seconds
    while (len(decided) < count) if count else (time.time() < deadline):
        acquisition = limiter.try_acquire(key, limit, 1.0)
        if acquisition.wait == 0:
            returned.append(time.time())
            decided.append(acquisition.at)
        else:
            refusals += 1
            time.sleep(acquisition.wait)
    results.put((decided, returned, refusals))


def run_workers(
    spec: StoreSpec,
    key: str,
    limit: int,
    workers: int,
    messages: int = 0,
    seconds: float = 0.0,
) -> tuple[list[float], list[float], int]:
    """Start `workers` processes (spawned: each sets Django up) that share `messages` (or run
    for `seconds`); return all decision times, all wall times and the refusals."""
    context = mp.get_context("spawn")
    barrier = context.Barrier(workers)
    results = context.Queue()
    shares = [messages // workers + (1 if i < messages % workers else 0) for i in range(workers)]
    processes = [
        context.Process(
            target=take_slots, args=(spec, key, limit, share, seconds, barrier, results)
        )
        for share in shares
    ]
    for process in processes:
        process.start()
    decided: list[float] = []
    returned: list[float] = []
    refusals = 0
    for _ in processes:
        got_decided, got_returned, got_refusals = results.get(timeout=600)
        decided += got_decided
        returned += got_returned
        refusals += got_refusals
    for process in processes:
        process.join(timeout=30)
    return decided, returned, refusals


# --- the benchmark --------------------------------------------------------------------------


def _redis_reachable(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:
        return False


def _migrate(database_url: str) -> None:
    env = {**os.environ, "DATABASE_URL": database_url}
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input", "-v", "0"],
        check=True,
        env=env,
        cwd=ROOT,
    )


def bench_store(name: str, spec: StoreSpec, args: argparse.Namespace) -> bool:
    """Run the baseline and the limited run on one store; print a line; True when clean."""
    key = f"bench-{uuid.uuid4().hex[:8]}"
    base_decided, _, _ = run_workers(
        spec, f"{key}:raw", 10**9, args.workers, messages=args.baseline_messages
    )
    raw_rate = achieved_rate(base_decided)
    started = time.time()
    decided, returned, refusals = run_workers(
        spec, key, args.limit, args.workers, messages=args.messages
    )
    elapsed = time.time() - started
    rate = achieved_rate(decided)
    worst = max_in_window(decided)
    broken = violations(decided, args.limit)
    print(
        f"{name:9} messages={len(decided):6} L={args.limit}/s  "
        f"max/1s window={worst} (wall clock {max_in_window(returned)})  violations={broken}  "
        f"rate={rate:.1f}/s = {rate / args.limit:.3f} L  refusals={refusals}  "
        f"raw store rate={raw_rate:.0f}/s  rate/raw={rate / raw_rate:.4f}  took {elapsed:.0f}s"
    )
    return broken == 0 and worst <= args.limit


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=80)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--baseline-messages", type=int, default=2_000)
    parser.add_argument("--stores", default="database,redis")
    parser.add_argument("--database-url", default="")
    parser.add_argument(
        "--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    )
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sbops.settings")
    clean = True
    with tempfile.TemporaryDirectory(prefix="sbops-throttle-") as scratch:
        database_url = args.database_url or f"sqlite:///{scratch}/bench.sqlite3"
        # the workers read the environment when they set Django up
        os.environ["DATABASE_URL"] = database_url
        os.environ["SBOPS_DATA_DIR"] = scratch
        os.environ.pop("REDIS_URL", None)
        for store in args.stores.split(","):
            if store == "database":
                _migrate(database_url)
                label = "postgres" if database_url.startswith("postgres") else "sqlite"
                clean &= bench_store(label, StoreSpec(kind="database"), args)
            elif store == "redis":
                if not _redis_reachable(args.redis_url):
                    print(f"redis     skipped: {args.redis_url} not reachable")
                    continue
                prefix = f"sbops:bench:{uuid.uuid4().hex[:8]}:"
                spec = StoreSpec(kind="redis", redis_url=args.redis_url, redis_prefix=prefix)
                try:
                    clean &= bench_store("redis", spec, args)
                finally:
                    import redis

                    client = redis.Redis.from_url(args.redis_url)
                    for name in client.scan_iter(match=f"{prefix}*"):
                        client.delete(name)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())
