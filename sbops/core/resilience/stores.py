"""Where throttle and breaker state lives, shared by every process.

One interface, three stores:
  - `DatabaseStore` (the embedded default): tables `ThrottleState` / `BreakerState`. A
    throttle acquisition is ONE `INSERT … ON CONFLICT DO UPDATE … WHERE … RETURNING`
    statement, atomic on SQLite (one writer) and PostgreSQL (row lock). Breaker changes run
    in a transaction (BEGIN IMMEDIATE on SQLite, `select_for_update` on PostgreSQL).
  - `RedisStore` (scale-out): a Lua script does the GCRA check-and-set atomically on the
    server, with the server's clock (`TIME`); breaker changes use WATCH/MULTI.
  - `MemoryStore`: one process only, for unit tests with a simulated clock.

Clocks: Redis uses its own clock, so skew between hosts does not matter. The database store
uses each process's `time.time()`; processes on different hosts must keep their clocks in
step (NTP) — a host running ahead by d seconds can take slots up to d early. The throttle
keeps time in integer microseconds, so limits hold exactly, without float drift.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

R = TypeVar("R")


def now_us() -> int:
    """This process's clock in microseconds since the epoch."""
    return time.time_ns() // 1000


@dataclass
class BreakerRecord:
    """The stored state of one breaker. Times are epoch seconds."""

    state: str = "closed"
    failures: int = 0
    opened_at: float | None = None
    probe_started_at: float | None = None
    last_reason: str = ""


class ResilienceStore(Protocol):
    def now(self) -> float:
        """The store's clock, epoch seconds."""
        ...

    def gcra(
        self, key: str, interval_us: int, tolerance_us: int, cost: int, at_us: int | None
    ) -> tuple[int, int]:
        """Take `cost` cells on `key` if the GCRA allows it at `at_us` (None: the store's
        clock): allowed when max(tat, now) + cost*interval - now <= tolerance, and then
        tat := max(tat, now) + cost*interval. Returns (wait_us, now_us): wait 0 when taken.
        Precondition: 1 <= cost and cost*interval_us <= tolerance_us."""
        ...

    def breaker_read(self, key: str) -> BreakerRecord: ...

    def breaker_update(self, key: str, change: Callable[[BreakerRecord], R]) -> R:
        """Run `change` on the record atomically (no other change of `key` interleaves) and
        save what it left in the record; return what it returned."""
        ...


def _gcra_step(tat: int | None, now: int, interval: int, tolerance: int, cost: int) -> int | None:
    """The new tat when allowed, else None (shared by the stores that compute in Python)."""
    new_tat = max(tat if tat is not None else now, now) + cost * interval
    return new_tat if new_tat - now <= tolerance else None


def _wait(tat: int | None, now: int, interval: int, tolerance: int, cost: int) -> int:
    new_tat = max(tat if tat is not None else now, now) + cost * interval
    return max(new_tat - now - tolerance, 1)


class MemoryStore:
    """Process-local store (tests, a single-process script). Thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._tats: dict[str, int] = {}
        self._breakers: dict[str, BreakerRecord] = {}

    def now(self) -> float:
        return self._clock()

    def gcra(
        self, key: str, interval_us: int, tolerance_us: int, cost: int, at_us: int | None
    ) -> tuple[int, int]:
        with self._lock:
            now = at_us if at_us is not None else round(self._clock() * 1_000_000)
            tat = self._tats.get(key)
            new_tat = _gcra_step(tat, now, interval_us, tolerance_us, cost)
            if new_tat is None:
                return _wait(tat, now, interval_us, tolerance_us, cost), now
            self._tats[key] = new_tat
            return 0, now

    def breaker_read(self, key: str) -> BreakerRecord:
        with self._lock:
            return BreakerRecord(**vars(self._breakers.get(key, BreakerRecord())))

    def breaker_update(self, key: str, change: Callable[[BreakerRecord], R]) -> R:
        with self._lock:
            record = BreakerRecord(**vars(self._breakers.get(key, BreakerRecord())))
            result = change(record)
            self._breakers[key] = record
            return result


def _to_dt(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, tz=UTC)


def _to_seconds(moment: datetime | None) -> float | None:
    return None if moment is None else moment.timestamp()


class DatabaseStore:
    """State in the default database (SQLite or PostgreSQL); see the module docstring.

    Precondition: called outside a long transaction. Inside one, PostgreSQL keeps the row
    lock (and SQLite the write lock) until the caller commits, and a rollback gives the slot
    back; both are safe but slow the other workers."""

    def __init__(self, using: str = "default") -> None:
        self.using = using

    def now(self) -> float:
        return time.time()

    def gcra(
        self, key: str, interval_us: int, tolerance_us: int, cost: int, at_us: int | None
    ) -> tuple[int, int]:
        from django.db import connections

        from sbops.core.models import ThrottleState

        connection = connections[self.using]
        table = connection.ops.quote_name(ThrottleState._meta.db_table)
        key_col, tat_col = connection.ops.quote_name("key"), connection.ops.quote_name("tat_us")
        greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        step = cost * interval_us
        for _ in range(5):
            now = at_us if at_us is not None else now_us()
            stamp = connection.ops.adapt_datetimefield_value(datetime.now(tz=UTC))
            # allowed iff max(tat, now) + step - now <= tolerance; the WHERE makes a refusal
            # change nothing, and RETURNING tells the two apart
            # identifiers come from the model and quote_name, values are parameters
            sql = f"INSERT INTO {table} ({key_col}, {tat_col}, updated_at) VALUES (%s, %s, %s) ON CONFLICT ({key_col}) DO UPDATE SET {tat_col} = {greatest}({table}.{tat_col}, %s) + %s, updated_at = %s WHERE {greatest}({table}.{tat_col}, %s) + %s - %s <= %s RETURNING {tat_col}"  # noqa: S608
            params = [key, now + step, stamp, now, step, stamp, now, step, now, tolerance_us]
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                if cursor.fetchone() is not None:
                    return 0, now
                cursor.execute(f"SELECT {tat_col} FROM {table} WHERE {key_col} = %s", [key])  # noqa: S608
                row = cursor.fetchone()
            tat = int(row[0]) if row else None
            # the wait counts from now, not from before the two round trips: on PostgreSQL a
            # commit takes a few ms, and a worker that overslept by that much loses slots
            now = at_us if at_us is not None else now_us()
            if _gcra_step(tat, now, interval_us, tolerance_us, cost) is None:
                return _wait(tat, now, interval_us, tolerance_us, cost), now
            # the clock moved on past the tat while we asked: try again
        return _wait(tat, now, interval_us, tolerance_us, cost), now

    def breaker_read(self, key: str) -> BreakerRecord:
        from sbops.core.models import BreakerState

        row = BreakerState.objects.using(self.using).filter(key=key).first()
        return self._record(row) if row else BreakerRecord()

    def breaker_update(self, key: str, change: Callable[[BreakerRecord], R]) -> R:
        from django.db import transaction

        from sbops.core.models import BreakerState

        manager = BreakerState.objects.using(self.using)
        with transaction.atomic(using=self.using):
            manager.bulk_create([BreakerState(key=key)], ignore_conflicts=True)
            row = manager.select_for_update().get(key=key)
            record = self._record(row)
            result = change(record)
            row.state = record.state
            row.failures = record.failures
            row.opened_at = _to_dt(record.opened_at)
            row.probe_started_at = _to_dt(record.probe_started_at)
            row.last_reason = record.last_reason
            row.save()
        return result

    @staticmethod
    def _record(row: Any) -> BreakerRecord:
        return BreakerRecord(
            state=row.state,
            failures=row.failures,
            opened_at=_to_seconds(row.opened_at),
            probe_started_at=_to_seconds(row.probe_started_at),
            last_reason=row.last_reason,
        )


# KEYS[1]: the throttle key. ARGV: interval_us, tolerance_us, cost, at_us ("" = server clock).
# Returns {wait_us, now_us}. Integer microseconds fit a Lua double exactly (< 2^53).
_GCRA_LUA = """
local now
if ARGV[4] ~= '' then
  now = tonumber(ARGV[4])
else
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000000 + tonumber(t[2])
end
local interval, tolerance, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local new_tat = tat + cost * interval
local excess = new_tat - now - tolerance
if excess > 0 then
  return {excess, now}
end
local ttl_ms = math.ceil((new_tat - now) / 1000) + 1000
redis.call('SET', KEYS[1], string.format('%.0f', new_tat), 'PX', ttl_ms)
return {0, now}
"""


class RedisStore:
    """State in Redis under `prefix` (throttles: `<prefix>t:<key>`, breakers: `<prefix>b:<key>`)."""

    def __init__(self, client: Any, prefix: str = "sbops:resilience:") -> None:
        self.client = client
        self.prefix = prefix
        self._gcra = client.register_script(_GCRA_LUA)

    def now(self) -> float:
        seconds, micros = self.client.time()
        return int(seconds) + int(micros) / 1_000_000

    def gcra(
        self, key: str, interval_us: int, tolerance_us: int, cost: int, at_us: int | None
    ) -> tuple[int, int]:
        args = [interval_us, tolerance_us, cost, "" if at_us is None else at_us]
        wait, now = self._gcra(keys=[f"{self.prefix}t:{key}"], args=args)
        return int(wait), int(now)

    def breaker_read(self, key: str) -> BreakerRecord:
        return self._decode(self.client.hgetall(f"{self.prefix}b:{key}"))

    def breaker_update(self, key: str, change: Callable[[BreakerRecord], R]) -> R:
        name = f"{self.prefix}b:{key}"

        def attempt(pipe: Any) -> R:
            record = self._decode(pipe.hgetall(name))
            result = change(record)
            pipe.multi()
            pipe.hset(name, mapping=self._encode(record))
            return result

        return self.client.transaction(attempt, name, value_from_callable=True)

    def clear(self) -> None:
        """Delete every key under the prefix (tests, a reset)."""
        for name in self.client.scan_iter(match=f"{self.prefix}*"):
            self.client.delete(name)

    @staticmethod
    def _encode(record: BreakerRecord) -> dict[str, str]:
        return {
            "state": record.state,
            "failures": str(record.failures),
            "opened_at": "" if record.opened_at is None else repr(record.opened_at),
            "probe_started_at": (
                "" if record.probe_started_at is None else repr(record.probe_started_at)
            ),
            "last_reason": record.last_reason,
        }

    @staticmethod
    def _decode(raw: dict[Any, Any]) -> BreakerRecord:
        data = {
            (k.decode() if isinstance(k, bytes) else k): (v.decode() if isinstance(v, bytes) else v)
            for k, v in raw.items()
        }
        if not data:
            return BreakerRecord()
        return BreakerRecord(
            state=data.get("state", "closed"),
            failures=int(data.get("failures") or 0),
            opened_at=float(data["opened_at"]) if data.get("opened_at") else None,
            probe_started_at=(
                float(data["probe_started_at"]) if data.get("probe_started_at") else None
            ),
            last_reason=data.get("last_reason", ""),
        )


_redis_clients: dict[str, Any] = {}


def store_from_settings() -> ResilienceStore:
    """Redis when settings.REDIS_URL is set, else the default database."""
    from django.conf import settings

    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return DatabaseStore()
    client = _redis_clients.get(url)
    if client is None:
        import redis

        client = _redis_clients[url] = redis.Redis.from_url(url)
    return RedisStore(client)
