"""Circuit breaker per channel account (or integration), state shared through the store.

closed --N consecutive failures--> open --reset_timeout--> half-open (ONE probe goes; the
others wait) --success--> closed, --failure--> open again. A probe that never reports back
(its worker died) is replaced after `reset_timeout`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sbops.core.resilience.stores import BreakerRecord, ResilienceStore, store_from_settings

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


class CircuitBreaker:
    """Preconditions: failure_threshold >= 1, reset_timeout > 0 (seconds). `clock` (epoch
    seconds) defaults to the store's clock."""

    def __init__(
        self,
        key: str,
        failure_threshold: int = 5,
        reset_timeout: float = 30.0,
        store: ResilienceStore | None = None,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if failure_threshold < 1 or reset_timeout <= 0:
            raise ValueError("need failure_threshold >= 1 and reset_timeout > 0")
        self.key = key
        self.failure_threshold = failure_threshold
        self.reset_timeout = reset_timeout
        self.store = store if store is not None else store_from_settings()
        self.clock = clock if clock is not None else self.store.now

    def allow(self) -> tuple[bool, float]:
        """(True, 0) when a call may go now (in half-open: this caller is the probe and must
        report with `record_success` / `record_failure`), else (False, seconds to wait)."""
        if self.store.breaker_read(self.key).state == CLOSED:
            return True, 0.0  # the common case reads only
        now = self.clock()

        def decide(record: BreakerRecord) -> tuple[bool, float]:
            if record.state == CLOSED:
                return True, 0.0
            if record.state == OPEN:
                reopen_at = (record.opened_at or now) + self.reset_timeout
                if now < reopen_at:
                    return False, reopen_at - now
                record.state = HALF_OPEN
                record.probe_started_at = now
                return True, 0.0
            probe_until = (record.probe_started_at or now) + self.reset_timeout
            if now < probe_until:
                return False, probe_until - now
            record.probe_started_at = now  # the last probe never came back: send another
            return True, 0.0

        return self.store.breaker_update(self.key, decide)

    def record_success(self) -> None:
        """A call went through: close the breaker (a late success while open changes nothing)."""
        current = self.store.breaker_read(self.key)
        if current.state == CLOSED and current.failures == 0:
            return

        def close(record: BreakerRecord) -> None:
            if record.state == OPEN:
                return
            record.state = CLOSED
            record.failures = 0
            record.opened_at = None
            record.probe_started_at = None

        self.store.breaker_update(self.key, close)

    def record_failure(self, reason: str) -> None:
        """A call failed in a way that counts against the provider (timeouts, 5xx, refused
        connections), not a permanent error of one message."""
        now = self.clock()

        def fail(record: BreakerRecord) -> None:
            record.last_reason = reason[:2000]
            record.failures += 1
            if record.state == HALF_OPEN or (
                record.state == CLOSED and record.failures >= self.failure_threshold
            ):
                record.state = OPEN
                record.opened_at = now
                record.probe_started_at = None

        self.store.breaker_update(self.key, fail)

    def state(self) -> dict[str, Any]:
        """For the admin and the dashboard: state, failures, opened_at (aware UTC or None),
        last_reason."""
        record = self.store.breaker_read(self.key)
        opened_at = (
            None if record.opened_at is None else datetime.fromtimestamp(record.opened_at, tz=UTC)
        )
        return {
            "key": self.key,
            "state": record.state,
            "failures": record.failures,
            "opened_at": opened_at,
            "last_reason": record.last_reason,
        }
