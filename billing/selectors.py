"""Reads of the cost ledger and budgets. Sums are done by the database, in Decimal.

Periods are half-open, `[start, end)`. Months and days are those of the business's time zone
(settings.TIME_ZONE): an owner's "this month" starts at their midnight, not UTC's.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from billing.models import Budget, CostEntry
from sbops.core.money import to_money

GroupBy = Literal["provider", "channel_kind", "tier", "day"]
GROUP_BY_FIELDS: tuple[str, ...] = ("provider", "channel_kind", "tier", "day")
ZERO = Decimal("0")


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    """Start of `month` and of the next month, at midnight in the business's time zone."""
    tz = timezone.get_default_timezone()
    first = month.replace(day=1)
    following = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(following, time.min), tz),
    )


def cost_entries_between(*, start: datetime, end: datetime):
    return CostEntry.objects.filter(occurred_at__gte=start, occurred_at__lt=end)


def cost_totals(*, start: datetime, end: datetime, group_by: GroupBy) -> list[dict[str, Any]]:
    """Ledger totals in `[start, end)` grouped by provider, channel kind, tier or day (the
    business's calendar day), one dict per group and currency, ordered by group:
    `{<group_by>: value, "currency": "USD", "total": Decimal, "entries": int, "unpriced": int}`.
    `unpriced` counts rows with no price (their amount is 0, so `total` understates them)."""
    if group_by not in GROUP_BY_FIELDS:
        raise ValueError(f"group_by: must be one of {', '.join(GROUP_BY_FIELDS)}, got {group_by!r}")
    rows = cost_entries_between(start=start, end=end)
    if group_by == "day":
        rows = rows.annotate(day=TruncDate("occurred_at", tzinfo=timezone.get_default_timezone()))
    grouped = (
        rows.order_by()
        .values(group_by, "currency")
        .annotate(
            total=Sum("amount"),
            entries=Count("id"),
            unpriced=Count("id", filter=Q(priced=False)),
        )
        .order_by(group_by, "currency")
    )
    return [{**row, "total": to_money(row["total"] or ZERO)} for row in grouped]


def unpriced_count(*, start: datetime, end: datetime) -> int:
    """How many ledger rows in `[start, end)` had no price: owners must fix the price book."""
    return cost_entries_between(start=start, end=end).filter(priced=False).count()


def budget_month_spend(*, month: date, currency: str = "USD") -> Decimal:
    """Everything spent in `currency` in the calendar month of `month` (any day of it)."""
    start, end = _month_bounds(month)
    total = (
        cost_entries_between(start=start, end=end)
        .filter(currency=currency)
        .aggregate(total=Sum("amount"))["total"]
    )
    return to_money(total or ZERO)


def budget_active() -> Budget | None:
    """The budget in force: the most recently created enabled one."""
    return Budget.objects.filter(enabled=True).order_by("-created_at", "-pk").first()


def budget_status(*, at: datetime) -> dict[str, Any]:
    """Where this month's spend stands against the enabled budget at `at`.

    Keys: `budget_id`, `limit`, `currency`, `spent`, `percent` (of the limit, 2 places; None
    without a limit above 0), `soft_alert_percent`, `soft_alert` (percent reached the alert
    threshold), `exceeded` (spend reached the limit: the budget is used up), `action` (the
    configured action when exceeded, else None), `unpriced` (rows this month with no price,
    so `spent` may understate). Without an enabled budget only `spent` and `unpriced` are
    filled and nothing is alerted or exceeded.
    """
    local_day = timezone.localtime(at, timezone.get_default_timezone()).date()
    start, end = _month_bounds(local_day)
    unpriced = unpriced_count(start=start, end=end)
    budget = budget_active()
    if budget is None:
        return {
            "budget_id": None,
            "limit": None,
            "currency": "USD",
            "spent": budget_month_spend(month=local_day),
            "percent": None,
            "soft_alert_percent": None,
            "soft_alert": False,
            "exceeded": False,
            "action": None,
            "unpriced": unpriced,
        }
    spent = budget_month_spend(month=local_day, currency=budget.currency)
    limit = budget.monthly_limit
    percent = (spent * 100 / limit).quantize(Decimal("0.01")) if limit > 0 else None
    exceeded = spent >= limit
    # compared exactly, not on the rounded percent: 79.996 % has not reached 80 %
    soft_alert = exceeded or spent * 100 >= limit * budget.soft_alert_percent
    return {
        "budget_id": budget.pk,
        "limit": limit,
        "currency": budget.currency,
        "spent": spent,
        "percent": percent,
        "soft_alert_percent": budget.soft_alert_percent,
        "soft_alert": soft_alert,
        "exceeded": exceeded,
        "action": budget.action_when_exceeded if exceeded else None,
        "unpriced": unpriced,
    }
