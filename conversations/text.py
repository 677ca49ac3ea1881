"""Text as it is stored: what databases and browsers can hold, and nothing the customer wrote lost."""

from __future__ import annotations

import unicodedata


def clean_text(value: str) -> str:
    """NUL removed (PostgreSQL refuses it), lone surrogates replaced by U+FFFD, Unicode NFC.

    Everything else the customer wrote stays: bidi controls, zero-width joiners, line breaks.
    Escaping for display is the template's job.
    """
    if not value:
        return ""
    value = value.replace("\x00", "")
    # JSON may carry "\\ud83d" alone: valid JSON, not encodable as UTF-8
    value = value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return unicodedata.normalize("NFC", value)


def clean_json(value: object) -> object:
    """`clean_text` through a JSON-like structure (dict keys too); NaN and infinities become
    text, since PostgreSQL's jsonb refuses them."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_text(str(key)): clean_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(item) for item in value]
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    return value
