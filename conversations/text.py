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
