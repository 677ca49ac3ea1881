"""Retry policy and the outcome vocabulary that outside calls raise.

An adapter maps a provider's answer to one of these exceptions (CONVENTIONS 15); the caller
(a delivery task, an integration call) asks the `RetryPolicy` how long to wait, or whether to
give up with the last reason.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime


class Outcome(Exception):  # noqa: N818 - a vocabulary of outcomes, not only errors
    """Base of what an outside call can end with, other than success."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RetryLater(Outcome):
    """Try again later. `wait` is the provider's Retry-After in seconds, when it gave one."""

    def __init__(self, reason: str, wait: float | None = None) -> None:
        super().__init__(reason)
        self.wait = wait


class RateLimited(RetryLater):
    """A throttle (ours or the provider's) said not now. The message waits; it never fails."""


class CircuitOpen(RetryLater):
    """The breaker of this account is open: the message waits until it may probe again."""


class PermanentFailure(Outcome):
    """Retrying cannot help (bad number, opted out, rejected content): fail with `reason`."""


def parse_retry_after(value: str | float | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date) or a JSON
    `retry_after` number; None when absent or unreadable. `now` (aware) defaults to the clock."""
    if value is None or value == "":
        return None
    try:
        return max(0.0, float(value))
    except (TypeError, ValueError):
        pass
    try:
        when = parsedate_to_datetime(str(value))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        return None
    reference = now or datetime.now(tz=when.tzinfo)
    return max(0.0, (when - reference).total_seconds())


def _seconds(moment: datetime | float) -> float:
    return moment.timestamp() if isinstance(moment, datetime) else float(moment)


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with full jitter, bounded by attempts and by age.

    Preconditions: max_attempts >= 1, 0 < base_delay <= max_delay, max_age > 0 (seconds).
    """

    max_attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 300.0
    max_age: float = 24 * 3600.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.max_age <= 0:
            raise ValueError("max_attempts must be >= 1 and max_age > 0")
        if not 0 < self.base_delay <= self.max_delay:
            raise ValueError("need 0 < base_delay <= max_delay")

    def cap(self, attempt: int) -> float:
        """The upper bound of the jittered delay after failed attempt number `attempt` (>= 1)."""
        if attempt < 1:
            raise ValueError("attempt counts from 1")
        # min() before the power would overflow for absurd attempt numbers
        exponent = min(attempt - 1, 64)
        return min(self.max_delay, self.base_delay * 2.0**exponent)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after failed attempt `attempt` (>= 1): uniform(0, cap) ("full
        jitter", so many failed senders do not come back in step); a provider's Retry-After
        wins when it is larger, even above max_delay (the provider knows when it will take us)."""
        jittered = self.rng.uniform(0.0, self.cap(attempt))
        if retry_after is not None and retry_after > jittered:
            return float(retry_after)
        return jittered

    def exhausted(
        self, attempt: int, first_attempt_at: datetime | float, now: datetime | float
    ) -> bool:
        """True when no attempt should follow attempt number `attempt` (>= 1): the attempts are
        used up, or the first attempt is `max_age` seconds old or older. Times are aware
        datetimes or epoch seconds."""
        if attempt >= self.max_attempts:
            return True
        return _seconds(now) - _seconds(first_attempt_at) >= self.max_age
