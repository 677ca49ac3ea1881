"""Recognising "stop messaging me" (and "start again") in a customer's message."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from conversations.models import OptOutKeyword

_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_SPACES = re.compile(r"\s+")


def keyword_form(text: str) -> str:
    """Upper case, accents and surrounding punctuation gone, spaces collapsed: "¡Baja!" → "BAJA"."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", _EDGES.sub("", bare.strip())).upper()


@dataclass(frozen=True)
class KeywordMatch:
    action: str
    keyword: str
    language: str


def keyword_match(text: str) -> KeywordMatch | None:
    """The enabled keyword the WHOLE message is, in any language (an opt-out must never be
    missed because a one-word message was taken for another language), or None."""
    form = keyword_form(text or "")
    if not form or len(form) > 40:
        return None
    for row in OptOutKeyword.objects.filter(enabled=True).only("keyword", "language", "action"):
        if keyword_form(row.keyword) == form:
            return KeywordMatch(row.action, row.keyword, row.language)
    return None
