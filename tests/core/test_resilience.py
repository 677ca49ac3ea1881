"""The resilience kit: retry delays, the circuit breaker and the rate limiter.

Breaker and limiter tests run against every store this run can reach: the in-process store,
the database of this run (SQLite or PostgreSQL) and Redis when REDIS_URL is set (under a key
prefix of its own, deleted afterwards). Unit tests drive a simulated clock; the cross-process
test uses the real clocks of four processes sharing one key.
"""

from __future__ import annotations

import random
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from benchmarks.throttle import (
    StoreSpec,
    achieved_rate,
    max_in_window,
    run_workers,
    violations,
)
from sbops.core.resilience import (
    CircuitBreaker,
    CircuitOpen,
    DatabaseStore,
    MemoryStore,
    RateLimited,
    RateLimiter,
    RedisStore,
    RetryLater,
    RetryPolicy,
    parse_retry_after,
)

# every test may reach the database store from other threads or processes
pytestmark = pytest.mark.django_db(transaction=True)

START = 1_900_000_000.0  # a simulated epoch second


class FakeClock:
    def __init__(self, now: float = START) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# The Redis store is tested on both runs: against REDIS_URL when the suite runs on the
# scale-out set-up, else against the local Redis this machine and CI run (database 15, apart
# from anything the console uses). Without a Redis at all these tests fail, by design.
LOCAL_REDIS = "redis://127.0.0.1:6379/15"


def _redis_url() -> str:
    from django.conf import settings

    return settings.REDIS_URL or LOCAL_REDIS


@pytest.fixture(params=["memory", "database", "redis"])
def store(request):
    """Each store the kit can use. Database stores need the test database."""
    if request.param == "memory":
        yield MemoryStore()
    elif request.param == "database":
        yield DatabaseStore()
    else:
        import redis

        redis_store = RedisStore(
            redis.Redis.from_url(_redis_url()), prefix=f"test-resilience-{uuid.uuid4().hex}:"
        )
        yield redis_store
        redis_store.clear()


# --- retry ----------------------------------------------------------------------------------


def test_backoff_cap_doubles_up_to_max_delay():
    policy = RetryPolicy(max_attempts=10, base_delay=1.0, max_delay=10.0, max_age=3600)
    assert [policy.cap(n) for n in range(1, 6)] == [1.0, 2.0, 4.0, 8.0, 10.0]
    assert policy.cap(500) == 10.0  # no overflow for absurd attempt numbers


def test_full_jitter_spreads_delays_over_zero_to_cap():
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0, rng=random.Random(7))
    for attempt in (1, 3, 6, 12):
        cap = policy.cap(attempt)
        delays = [policy.delay(attempt) for _ in range(4000)]
        assert all(0.0 <= delay <= cap for delay in delays)
        # full jitter: uniform over [0, cap], so retries of many senders do not come in step
        assert sum(delays) / len(delays) == pytest.approx(cap / 2, rel=0.05)
        assert sum(delay < cap / 4 for delay in delays) / len(delays) == pytest.approx(
            0.25, abs=0.03
        )


def test_retry_after_wins_when_larger_even_above_max_delay():
    policy = RetryPolicy(base_delay=1.0, max_delay=60.0, rng=random.Random(1))
    assert policy.delay(1, retry_after=120.0) == 120.0
    # a smaller Retry-After does not shorten the backoff below the jittered delay
    delays = [policy.delay(6, retry_after=0.5) for _ in range(200)]
    assert all(0.5 <= delay <= 32.0 for delay in delays)
    assert max(delays) > 5.0


def test_retry_after_is_read_from_seconds_and_http_dates():
    now = datetime(2026, 11, 22, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after(7) == 7.0
    assert parse_retry_after("Sun, 22 Nov 2026 12:01:30 GMT", now=now) == 90.0
    assert parse_retry_after("Sun, 22 Nov 2026 11:00:00 GMT", now=now) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_exhausted_by_attempts_and_by_age():
    policy = RetryPolicy(max_attempts=3, base_delay=1, max_delay=10, max_age=3600)
    first = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert not policy.exhausted(1, first, first + timedelta(seconds=5))
    assert not policy.exhausted(2, first, first + timedelta(seconds=5))
    assert policy.exhausted(3, first, first + timedelta(seconds=5))
    assert not policy.exhausted(1, first, first + timedelta(seconds=3599))
    assert policy.exhausted(1, first, first + timedelta(seconds=3600))
    assert policy.exhausted(1, START, START + 4000.0)  # epoch seconds work too


def test_outcomes_carry_the_reason_and_the_wait():
    limited = RateLimited("whatsapp 131056: pair rate limit", wait=6.0)
    assert isinstance(limited, RetryLater)
    assert (limited.reason, limited.wait) == ("whatsapp 131056: pair rate limit", 6.0)
    assert isinstance(CircuitOpen("account 3 breaker open", wait=12.5), RetryLater)


def test_policy_refuses_nonsense():
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=10, max_delay=1)
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=3).delay(0)


# --- circuit breaker ------------------------------------------------------------------------


def _breaker(store, clock: FakeClock, threshold: int = 3, reset: float = 30.0) -> CircuitBreaker:
    return CircuitBreaker(
        f"account:{uuid.uuid4().hex[:8]}",
        failure_threshold=threshold,
        reset_timeout=reset,
        store=store,
        clock=clock,
    )


def test_breaker_opens_after_consecutive_failures_only(store):
    clock = FakeClock()
    breaker = _breaker(store, clock, threshold=3)
    breaker.record_failure("timeout")
    breaker.record_failure("timeout")
    breaker.record_success()  # not consecutive: the count starts again
    breaker.record_failure("timeout")
    breaker.record_failure("timeout")
    assert breaker.allow() == (True, 0.0)
    assert breaker.state()["state"] == "closed"
    breaker.record_failure("HTTP 503 from graph.facebook.com")
    allowed, wait = breaker.allow()
    assert not allowed
    assert wait == pytest.approx(30.0)
    state = breaker.state()
    assert state["state"] == "open"
    assert state["failures"] == 3
    assert state["last_reason"] == "HTTP 503 from graph.facebook.com"
    assert state["opened_at"] == datetime.fromtimestamp(START, tz=UTC)


def test_open_breaker_makes_messages_wait_then_lets_one_probe(store):
    clock = FakeClock()
    breaker = _breaker(store, clock, threshold=1, reset=30.0)
    breaker.record_failure("connection refused")
    clock.advance(10)
    assert breaker.allow() == (False, pytest.approx(20.0))
    clock.advance(20)
    assert breaker.allow() == (True, 0.0)  # the probe
    assert breaker.state()["state"] == "half_open"
    allowed, wait = breaker.allow()  # everyone else waits for the probe's answer
    assert not allowed and wait == pytest.approx(30.0)
    breaker.record_success()
    assert breaker.state() | {"opened_at": None} == {
        "key": breaker.key,
        "state": "closed",
        "failures": 0,
        "opened_at": None,
        "last_reason": "connection refused",
    }
    assert breaker.allow() == (True, 0.0)
    assert breaker.allow() == (True, 0.0)


def test_failed_probe_opens_the_breaker_again(store):
    clock = FakeClock()
    breaker = _breaker(store, clock, threshold=2, reset=30.0)
    breaker.record_failure("503")
    breaker.record_failure("503")
    clock.advance(31)
    assert breaker.allow() == (True, 0.0)
    breaker.record_failure("still 503")
    assert breaker.state()["state"] == "open"
    assert breaker.state()["opened_at"] == datetime.fromtimestamp(START + 31, tz=UTC)
    assert breaker.allow() == (False, pytest.approx(30.0))


def test_lost_probe_is_replaced_after_the_reset_timeout(store):
    clock = FakeClock()
    breaker = _breaker(store, clock, threshold=1, reset=30.0)
    breaker.record_failure("timeout")
    clock.advance(30)
    assert breaker.allow() == (True, 0.0)  # this probe's worker dies and never reports
    clock.advance(29)
    assert breaker.allow()[0] is False
    clock.advance(1)
    assert breaker.allow() == (True, 0.0)


def test_breaker_is_shared_by_instances_and_visible_in_the_database(store):
    clock = FakeClock()
    one = _breaker(store, clock, threshold=1)
    other = CircuitBreaker(one.key, failure_threshold=1, reset_timeout=30.0, store=store)
    one.record_failure("HTTP 500")
    assert other.allow()[0] is False
    if isinstance(store, DatabaseStore):
        from sbops.core.models import BreakerState

        row = BreakerState.objects.get(key=one.key)
        assert (row.state, row.failures, row.last_reason) == ("open", 1, "HTTP 500")


def test_half_open_lets_exactly_one_of_many_concurrent_callers_through(store):
    clock = FakeClock()
    breaker = _breaker(store, clock, threshold=1, reset=30.0)
    breaker.record_failure("timeout")
    clock.advance(31)
    answers: list[bool] = []
    start = threading.Barrier(8)

    def ask() -> None:
        from django.db import connection

        start.wait()
        try:
            answers.append(breaker.allow()[0])
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [False] * 7 + [True]


# --- rate limiter ---------------------------------------------------------------------------


def test_limiter_never_exceeds_the_limit_in_any_window(store):
    clock = FakeClock()
    limiter = RateLimiter(store, clock=clock)
    rng = random.Random(3)
    taken: list[float] = []
    # 4,000 tries at random moments over ~20 s: far more demand than 10/s
    for _ in range(4000):
        clock.advance(rng.expovariate(200))
        if limiter.acquire("acct", 10, 1.0) == 0:
            taken.append(clock.now)
    assert max_in_window(taken) == 10
    assert violations(taken, 10) == 0
    assert achieved_rate(taken) == pytest.approx(10, rel=0.05)


def test_refused_messages_wait_the_time_given_and_then_go(store):
    clock = FakeClock()
    limiter = RateLimiter(store, clock=clock)
    assert limiter.acquire("acct", 5, 1.0) == 0
    wait = limiter.acquire("acct", 5, 1.0)
    assert wait == pytest.approx(0.2)
    clock.advance(wait - 0.001)
    assert limiter.acquire("acct", 5, 1.0) > 0  # not a moment before
    clock.advance(0.001)
    assert limiter.acquire("acct", 5, 1.0) == 0


def test_every_throttled_message_is_sent_later_none_dropped(store):
    """30 messages queued at once against 10/s: each refused one is re-scheduled after the
    wait it was given, as the delivery task does; all 30 go, never more than 10 in a second."""
    clock = FakeClock()
    limiter = RateLimiter(store, clock=clock)
    due = [START] * 30
    sent: list[float] = []
    while due:
        due.sort()
        clock.now = max(clock.now, due.pop(0))
        wait = limiter.acquire("acct", 10, 1.0)
        if wait == 0:
            sent.append(clock.now)
        else:
            due.append(clock.now + wait)
    assert len(sent) == 30
    assert max_in_window(sent) == 10
    assert max(sent) - START == pytest.approx(2.9)


def test_burst_then_the_sustained_rate(store):
    """WhatsApp per recipient: about 1 per 6 s, with a small burst of 3."""
    clock = FakeClock()
    limiter = RateLimiter(store, clock=clock)
    recipient = "wa:acct:34600000101"
    assert [limiter.acquire(recipient, 1, 6.0, burst=3) for _ in range(3)] == [0, 0, 0]
    assert limiter.acquire(recipient, 1, 6.0, burst=3) == pytest.approx(6.0)
    clock.advance(6)
    assert limiter.acquire(recipient, 1, 6.0, burst=3) == 0
    assert limiter.acquire(recipient, 1, 6.0, burst=3) > 0
    clock.advance(60)  # a quiet spell refills the burst, never beyond it
    assert [limiter.acquire(recipient, 1, 6.0, burst=3) for _ in range(4)][:3] == [0, 0, 0]
    assert limiter.acquire(recipient, 1, 6.0, burst=3) > 0


def test_cost_takes_several_slots_and_keys_are_independent(store):
    clock = FakeClock()
    limiter = RateLimiter(store, clock=clock)
    assert limiter.acquire("group", 20, 60.0, cost=4, burst=4) == 0
    # the burst is spent; one slot comes back every 60/20 = 3 s
    assert limiter.acquire("group", 20, 60.0, burst=4) == pytest.approx(3.0)
    assert limiter.acquire("other-group", 20, 60.0, burst=4) == 0
    with pytest.raises(ValueError):
        limiter.acquire("group", 20, 60.0, cost=5, burst=4)
    with pytest.raises(ValueError):
        limiter.acquire("group", 0, 60.0)


@pytest.mark.parametrize("kind", ["database", "redis"])
def test_four_processes_on_one_key_never_exceed_the_limit(kind):
    """Four worker processes (each its own Django) hammer one key at 50/s for 2 s against
    the store the deployment would use."""
    from django.db import connection

    if kind == "redis":
        prefix = f"test-resilience-{uuid.uuid4().hex}:"
        spec = StoreSpec(kind="redis", redis_url=_redis_url(), redis_prefix=prefix)
    else:
        spec = StoreSpec(kind="database", database_name=connection.settings_dict["NAME"])
    try:
        decided, returned, refusals = run_workers(spec, "acct", 50, workers=4, seconds=2.0)
    finally:
        if kind == "redis":
            import redis

            RedisStore(redis.Redis.from_url(_redis_url()), prefix=prefix).clear()
    assert refusals > 0  # the workers really did compete
    assert violations(decided, 50) == 0
    assert max_in_window(decided) <= 50
    assert achieved_rate(decided) >= 0.8 * 50
