"""WhatsApp's 24-hour customer-service window (Cloud API and Twilio WhatsApp alike).

A customer's message opens it for 24 hours and every new customer message restarts it; our own
messages do not. Inside, anything may be sent; outside, only an approved template.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from conversations.models import ChannelKind

WINDOW = timedelta(hours=24)
WINDOWED_KINDS = frozenset({ChannelKind.WHATSAPP_CLOUD, ChannelKind.TWILIO_WHATSAPP})


@dataclass(frozen=True)
class WindowState:
    applies: bool
    open: bool
    closes_at: datetime | None

    def seconds_left(self, now: datetime) -> float:
        if not self.applies:
            return float("inf")
        if self.closes_at is None:
            return 0.0
        return max(0.0, (self.closes_at - now).total_seconds())


def customer_service_window(
    *, channel_kind: str, last_inbound_at: datetime | None, now: datetime
) -> WindowState:
    """Open while `now` is strictly before the last customer message + 24 h (at exactly 24 h it
    has closed). Channels without such a window are always open."""
    if channel_kind not in WINDOWED_KINDS:
        return WindowState(applies=False, open=True, closes_at=None)
    if last_inbound_at is None:
        return WindowState(applies=True, open=False, closes_at=None)
    closes_at = last_inbound_at + WINDOW
    return WindowState(applies=True, open=now < closes_at, closes_at=closes_at)
