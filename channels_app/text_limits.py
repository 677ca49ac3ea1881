"""Length limits of each channel, splitting long texts, and SMS encoding and segment cost.

Pure functions: no Django, no database. Everything that cuts text cuts only between extended
grapheme clusters (Unicode UAX #29, via the ``regex`` package's ``\\X``), so an emoji, a flag,
a skin tone with its base, a letter with its combining marks or a CRLF is never torn apart.

Decisions (the tests pin each one):

* Whitespace at a cut: when a part ends at whitespace, the whole run of whitespace graphemes at
  the cut is the *separator*. It is removed from both neighbouring parts (no part starts or ends
  with it) and reported by :func:`split_with_separators`, so
  ``"".join(part + sep for part, sep in split_with_separators(rule, text)) == text`` always.
  In ordinary prose the run is one character (the space or the ``\\n``) and that one character
  is what is dropped. Cuts at a bare grapheme boundary have the separator ``""``. Whitespace
  that is not at a cut (leading, trailing, inside a part) is kept as it is.
* No-break spaces (U+00A0, U+2007, U+202F) are not places to cut and are never dropped.
* A boundary of a preferred kind is used only if the part it ends is at least half the limit;
  otherwise the next kind is tried. Without that, ``"Hi!\\n\\n"`` followed by one long
  paragraph would go out as a two-character message plus two full ones.
* Empty text splits into no parts (``[]``): there is nothing to send.
* SMS: empty text costs **1 segment** (GSM-7, 0 units): a delivered SMS occupies one PDU even
  with no user data, and for a stored cost an over-estimate is safer than zero. Twilio itself
  refuses an empty ``Body`` without media (error 21602), so callers should not send one.
* ``SMS_BODY`` measures Twilio's 1600 "characters" in UTF-16 code units, the stricter of the two
  readings: a text that fits by UTF-16 units also fits by code points.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import regex

__all__ = [
    "SMS_BODY",
    "TELEGRAM_CAPTION",
    "TELEGRAM_TEXT",
    "WHATSAPP_CAPTION",
    "WHATSAPP_TEXT",
    "LengthRule",
    "SmsInfo",
    "code_points",
    "graphemes",
    "sms_encoding",
    "sms_segments",
    "split_for",
    "split_with_separators",
    "utf16_units",
]

_GRAPHEME = regex.compile(r"\X")


def graphemes(text: str) -> list[str]:
    """Extended grapheme clusters of ``text``; ``"".join(graphemes(t)) == t``."""
    return _GRAPHEME.findall(text)


def code_points(text: str) -> int:
    """Length in Unicode code points (what Python's ``len`` counts)."""
    return len(text)


def utf16_units(text: str) -> int:
    """Length in UTF-16 code units: characters above U+FFFF count 2 (one surrogate pair)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


@dataclass(frozen=True, slots=True)
class LengthRule:
    """A channel's maximum text length: ``measure(text) <= limit``.

    ``measure`` must be additive over concatenation (``measure(a + b) == measure(a) +
    measure(b)``), as ``code_points`` and ``utf16_units`` are; :func:`split_for` relies on it.
    """

    name: str
    limit: int
    measure: Callable[[str], int]

    def fits(self, text: str) -> bool:
        return self.measure(text) <= self.limit


WHATSAPP_TEXT = LengthRule("whatsapp_text", 4096, code_points)
WHATSAPP_CAPTION = LengthRule("whatsapp_caption", 1024, code_points)
TELEGRAM_TEXT = LengthRule("telegram_text", 4096, utf16_units)
TELEGRAM_CAPTION = LengthRule("telegram_caption", 1024, utf16_units)
SMS_BODY = LengthRule("sms_body", 1600, utf16_units)


# --- splitting ---------------------------------------------------------------------------------

_NO_BREAK_SPACES = frozenset("\u00a0\u2007\u202f")
_LINE_BREAKS = frozenset({"\n", "\r\n", "\r", "\v", "\f", "\x85", "\u2028"})
_PARAGRAPH_SEPARATOR = "\u2029"
# Sentence ends that need whitespace after them (so "3.14" and "example.com" are not cuts) ...
_SENTENCE_ENDS = frozenset(".!?\u2026\u061f\u06d4\u0964")
# ... and full-width ones that need none (CJK text has no spaces between sentences).
_FULLWIDTH_SENTENCE_ENDS = frozenset("\u3002\uff01\uff1f\uff0e")
_CLOSERS = frozenset(")]}\"'\u00bb\u2019\u201d\u300d\u300f\uff09")

# Preference order of cut kinds, best first.
_PARAGRAPH, _LINE, _SENTENCE, _SPACE = range(4)


def _is_break_space(cluster: str) -> bool:
    return all(ch.isspace() and ch not in _NO_BREAK_SPACES for ch in cluster)


def _sentence_end_before(clusters: list[str], at: int, start: int) -> str | None:
    """The sentence-ending mark that ``clusters[start:at]`` ends with (closing quotes and
    brackets after it allowed), or None."""
    i = at - 1
    while i >= start and clusters[i][0] in _CLOSERS:
        i -= 1
    if i >= start and (
        clusters[i][0] in _SENTENCE_ENDS or clusters[i][0] in _FULLWIDTH_SENTENCE_ENDS
    ):
        return clusters[i][0]
    return None


def _cut_kind(clusters: list[str], start: int, at: int, run_end: int) -> int | None:
    """Best kind of cut that ends a part at ``at``; the separator is ``clusters[at:run_end]``."""
    mark = _sentence_end_before(clusters, at, start)
    if run_end == at:  # no whitespace here: only a full-width sentence end is a cut
        return _SENTENCE if mark in _FULLWIDTH_SENTENCE_ENDS else None
    run = clusters[at:run_end]
    breaks = sum(1 for c in run if c in _LINE_BREAKS)
    if breaks >= 2 or _PARAGRAPH_SEPARATOR in run:
        return _PARAGRAPH
    if breaks == 1:
        return _LINE
    if mark is not None:
        return _SENTENCE
    return _SPACE


def _atoms(text: str, rule: LengthRule) -> list[str]:
    """Graphemes; one longer than the whole limit (e.g. thousands of stacked combining marks)
    is broken into code points, the only case where a cluster is cut."""
    atoms: list[str] = []
    for cluster in graphemes(text):
        if rule.measure(cluster) <= rule.limit:
            atoms.append(cluster)
            continue
        for ch in cluster:
            if rule.measure(ch) > rule.limit:
                raise ValueError(f"{rule.name}: limit {rule.limit} cannot hold {ch!r}")
            atoms.append(ch)
    return atoms


def split_with_separators(rule: LengthRule, text: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``(part, separator)`` pairs; each part fits ``rule`` and is non-empty.

    The separator is the whitespace removed after that part ("" if the cut fell between two
    graphemes, or after the last part unless the text ended in whitespace that was cut away).
    Concatenating ``part + separator`` over all pairs gives back ``text`` exactly.
    """
    if not text:
        return []
    if rule.fits(text):
        return [(text, "")]

    atoms = _atoms(text, rule)
    n = len(atoms)
    cost = [rule.measure(a) for a in atoms]
    breakable = [_is_break_space(a) for a in atoms]
    # run_end[i]: end of the run of break spaces starting at i (i itself if atoms[i] is not one).
    run_end = list(range(n + 1))
    for i in range(n - 1, -1, -1):
        if breakable[i]:
            run_end[i] = run_end[i + 1]

    pieces: list[tuple[str, str]] = []
    start = 0
    while start < n:
        # Furthest end that still fits.
        end, used = start, 0
        while end < n and used + cost[end] <= rule.limit:
            used += cost[end]
            end += 1
        if end == n:
            pieces.append(("".join(atoms[start:]), ""))
            break

        # Cut candidates: a part atoms[start:at]; the separator runs from at to run_end[at].
        # Walk back from the furthest end, stopping once the part would fall under half the
        # limit; remember the latest cut of each kind.
        best: dict[int, int] = {}
        at, used_at = end, used
        while at > start and 2 * used_at >= rule.limit:
            if not breakable[at - 1]:  # a cut never leaves break spaces at the end of a part
                kind = _cut_kind(atoms, start, at, run_end[at])
                if kind is not None and kind not in best:
                    best[kind] = at
                    if kind == _PARAGRAPH:
                        break
            at -= 1
            used_at -= cost[at]

        if best:
            at = best[min(best)]
            next_start = run_end[at]
        else:
            at = next_start = end  # any grapheme boundary: as full as possible
        pieces.append(("".join(atoms[start:at]), "".join(atoms[at:next_start])))
        start = next_start
    return pieces


def split_for(rule: LengthRule, text: str) -> list[str]:
    """Parts of ``text`` that each fit ``rule``, cut only between grapheme clusters.

    Cuts prefer, in order: paragraph breaks, line breaks, sentence ends, spaces, then any
    grapheme boundary (a kind is used only if its part is at least half the limit). Text that
    fits is returned whole as one part, whitespace included. Empty text gives ``[]``. See
    :func:`split_with_separators` for what is dropped at a cut.
    """
    return [part for part, _ in split_with_separators(rule, text)]


# --- SMS encoding and segments -----------------------------------------------------------------

# GSM 03.38 (3GPP TS 23.038) default alphabet, without 0x1B (the escape to the extension table).
# 0x09 is drawn as "Ç" in the spec, but its intent is the lowercase "ç" (see the note in
# Unicode's GSM0338.TXT mapping); carriers map both to 0x09, so both count as one septet.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    "ç"
)
# Extension table: escape + code, two septets each. Form feed (page break) is in the table too.
_GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

GSM7: Literal["GSM-7"] = "GSM-7"
UCS2: Literal["UCS-2"] = "UCS-2"

_GSM7_SINGLE, _GSM7_CONCAT = 160, 153
_UCS2_SINGLE, _UCS2_CONCAT = 70, 67


@dataclass(frozen=True, slots=True)
class SmsInfo:
    """Cost of one SMS: ``units`` are septets (GSM-7) or UTF-16 units (UCS-2); ``per_segment``
    is the capacity of each segment (160/70 for a single one, 153/67 when concatenated)."""

    encoding: Literal["GSM-7", "UCS-2"]
    units: int
    segments: int
    per_segment: int


def sms_encoding(text: str) -> Literal["GSM-7", "UCS-2"]:
    """``"GSM-7"`` if every character is in the GSM 03.38 basic or extension table, otherwise
    ``"UCS-2"`` for the whole message."""
    if all(ch in _GSM7_BASIC or ch in _GSM7_EXTENSION for ch in text):
        return GSM7
    return UCS2


def _pack(unit_costs: list[int], capacity: int) -> int:
    """Segments needed when no character (cost 2: escape + code, or a surrogate pair) may be
    split across two segments."""
    segments, room = 1, capacity
    for c in unit_costs:
        if c > room:
            segments += 1
            room = capacity
        room -= c
    return segments


def sms_segments(text: str) -> SmsInfo:
    """Encoding, length in units and number of segments billed for ``text`` as one SMS.

    Empty text counts as one segment (see the module docstring).
    """
    encoding = sms_encoding(text)
    if encoding == GSM7:
        costs = [2 if ch in _GSM7_EXTENSION else 1 for ch in text]
        single, concat = _GSM7_SINGLE, _GSM7_CONCAT
    else:
        costs = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, concat = _UCS2_SINGLE, _UCS2_CONCAT
    units = sum(costs)
    if units <= single:
        return SmsInfo(encoding, units, 1, single)
    return SmsInfo(encoding, units, _pack(costs, concat), concat)
