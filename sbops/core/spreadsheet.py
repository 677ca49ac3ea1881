"""Cells that a spreadsheet would run as a formula are made inert, without losing text.

Customers write free text; a message starting with `=`, `+`, `-` or `@` (or a tab or carriage
return before one) would run as a formula when an owner opens the export in Excel (OWASP "CSV
injection"). A leading apostrophe makes the cell plain text and keeps every character the
customer wrote. Plain numbers (`-4.50`) are left alone: they cannot be formulas.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: object) -> object:
    if not isinstance(value, str) or not value.startswith(FORMULA_TRIGGERS):
        return value
    try:
        Decimal(value)
        return value
    except InvalidOperation:
        return "'" + value
