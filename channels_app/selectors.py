"""Reads of channel accounts."""

from __future__ import annotations

import threading
import time

from channels_app.models import ChannelAccount

# Webhooks look their account up on every request; accounts change rarely. A few seconds of
# staleness after an edit costs at most a few refused requests, which providers retry.
WEBHOOK_ACCOUNT_TTL_SECONDS = 5.0
_cache: dict[tuple[str, str], tuple[float, ChannelAccount | None]] = {}
_lock = threading.Lock()


def channel_account_for_webhook(kind: str, slug: str) -> ChannelAccount | None:
    """The account a webhook URL names (credentials decrypted), from a short per-process cache.

    The returned instance is shared: read it, never change it.
    """
    key = (kind, slug)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit and now - hit[0] < WEBHOOK_ACCOUNT_TTL_SECONDS:
        return hit[1]
    rows = list(ChannelAccount.objects.filter(kind=kind, slug=slug).order_by()[:1])
    account = rows[0] if rows else None
    with _lock:
        if len(_cache) > 1000:
            _cache.clear()  # someone is probing random slugs: keep memory bounded
        _cache[key] = (now, account)
    return account


def forget_webhook_accounts() -> None:
    with _lock:
        _cache.clear()
