"""Rate limiter: GCRA (generic cell rate algorithm), one timestamp per key, shared by every
process through the store.

With `limit` per `period_seconds`, cells are spaced T = period/limit apart (rounded UP to the
microsecond, so rounding can only make the limiter stricter). With burst b, up to b cells may
go at once after a quiet spell; the sustained rate stays `limit` per period.

Guarantee (store clock): with burst 1, at most `limit` acquisitions in ANY window of
`period_seconds` (half-open, [t, t + period)). With burst b, at most limit + b - 1.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from sbops.core.resilience.stores import ResilienceStore, store_from_settings


@dataclass(frozen=True)
class Rate:
    """A named limit: `limit` per `period` seconds with bursts of up to `burst`."""

    limit: int
    period: float
    burst: int = 1


# Provider limits from the issue; the delivery layer keys them by account / recipient / chat.
WHATSAPP_ACCOUNT = Rate(limit=80, period=1.0)
WHATSAPP_RECIPIENT = Rate(limit=1, period=6.0, burst=3)
TELEGRAM_CHAT = Rate(limit=1, period=1.0)
TELEGRAM_GROUP = Rate(limit=20, period=60.0)


@dataclass(frozen=True)
class Acquisition:
    """What one try returned: `wait` seconds (0: the slot is taken) and the store's time of
    the decision (epoch seconds), which is what the limit holds for."""

    wait: float
    at: float


class RateLimiter:
    """Takes slots; never blocks: a refused caller gets the seconds to wait and re-schedules.

    `clock` (epoch seconds) replaces the store's clock, for tests on a simulated clock.
    """

    def __init__(
        self,
        store: ResilienceStore | None = None,
        clock: Callable[[], float] | None = None,
        prefix: str = "",
    ) -> None:
        self.store = store if store is not None else store_from_settings()
        self.clock = clock
        self.prefix = prefix

    def try_acquire(
        self, key: str, limit: int, period_seconds: float, cost: int = 1, burst: int = 1
    ) -> Acquisition:
        """Like `acquire`, also telling when the store decided.

        Preconditions: limit >= 1, period_seconds > 0, 1 <= cost <= burst when burst > 1,
        cost == 1 when burst == 1 (a cost above the burst could never pass)."""
        if limit < 1 or period_seconds <= 0:
            raise ValueError("need limit >= 1 and period_seconds > 0")
        if cost < 1 or cost > max(burst, 1):
            raise ValueError(f"cost {cost} must be between 1 and the burst ({burst})")
        interval_us = math.ceil(period_seconds * 1_000_000 / limit)
        tolerance_us = interval_us * max(burst, 1)
        at_us = None if self.clock is None else round(self.clock() * 1_000_000)
        wait_us, now_us = self.store.gcra(self.prefix + key, interval_us, tolerance_us, cost, at_us)
        return Acquisition(wait=wait_us / 1_000_000, at=now_us / 1_000_000)

    def acquire(
        self, key: str, limit: int, period_seconds: float, cost: int = 1, burst: int = 1
    ) -> float:
        """Take `cost` slots of `key` (at most `limit` per `period_seconds`, bursts of up to
        `burst`): 0.0 when taken, else the seconds to wait before trying again (> 0)."""
        return self.try_acquire(key, limit, period_seconds, cost, burst).wait

    def acquire_rate(self, key: str, rate: Rate, cost: int = 1) -> float:
        """`acquire` with a named `Rate`."""
        return self.acquire(key, rate.limit, rate.period, cost=cost, burst=rate.burst)
