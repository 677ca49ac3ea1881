"""Money is Decimal, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

# Ledger precision: an LLM call can cost a millionth of a dollar.
LEDGER_PLACES = Decimal("0.00000001")
CENT = Decimal("0.01")
MONEY_MAX_DIGITS = 18
MONEY_DECIMAL_PLACES = 8


def to_money(value: Decimal | int | str) -> Decimal:
    """Convert to a Decimal at ledger precision. Floats are refused: they cannot hold cents."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a Decimal, int or decimal string")
    return Decimal(value).quantize(LEDGER_PLACES, rounding=ROUND_HALF_EVEN)


def to_cents(value: Decimal) -> Decimal:
    """Round for display and totals shown to owners."""
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)
