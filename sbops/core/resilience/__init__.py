"""The resilience kit: the one way every outside call retries, throttles and trips a breaker.

    policy = RetryPolicy(max_attempts=8, base_delay=1, max_delay=300, max_age=86400)
    breaker = CircuitBreaker(f"account:{account.pk}", failure_threshold=5, reset_timeout=30)
    limiter = RateLimiter()
    allowed, wait = breaker.allow()
    wait = wait or limiter.acquire_rate(f"wa:{account.pk}", WHATSAPP_ACCOUNT)
    ... if wait: re-schedule in `wait` seconds (the message waits; it is not failed)

State lives in `store_from_settings()`: Redis with REDIS_URL, else the default database.
"""

from sbops.core.resilience.breaker import CLOSED, HALF_OPEN, OPEN, CircuitBreaker
from sbops.core.resilience.limiter import (
    TELEGRAM_CHAT,
    TELEGRAM_GROUP,
    WHATSAPP_ACCOUNT,
    WHATSAPP_RECIPIENT,
    Acquisition,
    Rate,
    RateLimiter,
)
from sbops.core.resilience.retry import (
    CircuitOpen,
    Outcome,
    PermanentFailure,
    RateLimited,
    RetryLater,
    RetryPolicy,
    parse_retry_after,
)
from sbops.core.resilience.stores import (
    BreakerRecord,
    DatabaseStore,
    MemoryStore,
    RedisStore,
    ResilienceStore,
    store_from_settings,
)

__all__ = [
    "CLOSED",
    "HALF_OPEN",
    "OPEN",
    "TELEGRAM_CHAT",
    "TELEGRAM_GROUP",
    "WHATSAPP_ACCOUNT",
    "WHATSAPP_RECIPIENT",
    "Acquisition",
    "BreakerRecord",
    "CircuitBreaker",
    "CircuitOpen",
    "DatabaseStore",
    "MemoryStore",
    "Outcome",
    "PermanentFailure",
    "Rate",
    "RateLimited",
    "RateLimiter",
    "RedisStore",
    "ResilienceStore",
    "RetryLater",
    "RetryPolicy",
    "parse_retry_after",
    "store_from_settings",
]
