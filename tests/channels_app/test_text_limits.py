"""Channel length limits, grapheme-safe splitting and SMS encoding/segment cost.

Pure functions: no database. Every split is checked for the three things a customer would
notice: each part is accepted by the channel, no emoji/flag/accent is torn apart, and nothing
is lost (the parts plus the whitespace dropped at each cut give back the text).
"""

from __future__ import annotations

import pytest

from channels_app.text_limits import (
    SMS_BODY,
    TELEGRAM_CAPTION,
    TELEGRAM_TEXT,
    WHATSAPP_CAPTION,
    WHATSAPP_TEXT,
    LengthRule,
    SmsInfo,
    code_points,
    graphemes,
    sms_encoding,
    sms_segments,
    split_for,
    split_with_separators,
    utf16_units,
)

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👨‍👩‍👧‍👦
ENGLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f"  # 🏴󠁧󠁢󠁥󠁮󠁧󠁿
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"  # 👍🏽
E_ACUTE_NFD = "e\u0301"
GRIN = "\U0001f600"  # 😀, one astral code point


def clean_split(rule: LengthRule, text: str) -> list[str]:
    """Split and check every promise of the splitter; return the parts."""
    pieces = split_with_separators(rule, text)
    parts = [part for part, _ in pieces]
    assert parts == split_for(rule, text)
    # Nothing lost: parts plus the separators cut at give back the text.
    assert "".join(part + sep for part, sep in pieces) == text
    for part, sep in pieces:
        assert part, "no part is empty"
        assert rule.fits(part), (rule.name, rule.measure(part))
        assert sep == "" or sep.isspace()
    # No cluster torn: the clusters of the pieces are exactly the clusters of the text.
    pieced = [g for part, sep in pieces for g in graphemes(part) + graphemes(sep)]
    assert pieced == graphemes(text)
    return parts


# --- measuring -------------------------------------------------------------------------------


def test_catalogue_lengths():
    assert (len(FAMILY), utf16_units(FAMILY), len(FAMILY.encode())) == (7, 11, 25)
    assert (len(ENGLAND), utf16_units(ENGLAND), len(ENGLAND.encode())) == (7, 14, 28)
    assert (len(THUMBS_MEDIUM), utf16_units(THUMBS_MEDIUM)) == (2, 4)
    assert (len(E_ACUTE_NFD), utf16_units(E_ACUTE_NFD)) == (2, 2)
    assert utf16_units("") == 0
    assert utf16_units("abc\u00e9") == 4
    assert utf16_units(GRIN) == 2


@pytest.mark.parametrize("cluster", [FAMILY, ENGLAND, THUMBS_MEDIUM, E_ACUTE_NFD, "\r\n"])
def test_each_cluster_is_one_grapheme(cluster):
    assert graphemes(cluster) == [cluster]
    assert graphemes("a" + cluster + "b") == ["a", cluster, "b"]


def test_graphemes_of_empty_text():
    assert graphemes("") == []


def test_rules():
    assert (WHATSAPP_TEXT.limit, WHATSAPP_TEXT.measure) == (4096, code_points)
    assert (WHATSAPP_CAPTION.limit, WHATSAPP_CAPTION.measure) == (1024, code_points)
    assert (TELEGRAM_TEXT.limit, TELEGRAM_TEXT.measure) == (4096, utf16_units)
    assert (TELEGRAM_CAPTION.limit, TELEGRAM_CAPTION.measure) == (1024, utf16_units)
    # Twilio's 1600 "characters" read strictly, as UTF-16 units.
    assert (SMS_BODY.limit, SMS_BODY.measure) == (1600, utf16_units)


# --- exact boundaries ------------------------------------------------------------------------


@pytest.mark.parametrize("rule", [WHATSAPP_TEXT, TELEGRAM_TEXT])
def test_exactly_at_limit_is_one_part(rule):
    text = "a" * 4096
    assert clean_split(rule, text) == [text]


@pytest.mark.parametrize("rule", [WHATSAPP_TEXT, TELEGRAM_TEXT])
def test_limit_plus_one_is_two_parts(rule):
    assert clean_split(rule, "a" * 4097) == ["a" * 4096, "a"]


@pytest.mark.parametrize(
    ("rule", "limit"),
    [(SMS_BODY, 1600), (TELEGRAM_CAPTION, 1024), (WHATSAPP_CAPTION, 1024)],
)
def test_other_limits_at_and_over(rule, limit):
    assert clean_split(rule, "x" * limit) == ["x" * limit]
    assert clean_split(rule, "x" * (limit + 1)) == ["x" * limit, "x"]


def test_words_at_limit_plus_one_are_two_parts_cut_at_a_space():
    text = ("word " * 820)[:4097]  # 4097 chars, ends "...word wo"
    parts = clean_split(WHATSAPP_TEXT, text)
    assert parts == ["word " * 818 + "word", "wo"]


def test_trailing_whitespace_of_a_text_that_fits_is_kept():
    text = "a" * 4095 + " "
    assert clean_split(WHATSAPP_TEXT, text) == [text]


# --- clusters are never torn -----------------------------------------------------------------


def test_4096_family_emoji_for_telegram_split_on_whole_families():
    text = FAMILY * 4096  # 45 056 UTF-16 units
    parts = clean_split(TELEGRAM_TEXT, text)
    per_part = 4096 // 11  # 372 families = 4092 units
    assert [len(graphemes(p)) for p in parts] == [per_part] * 11 + [4096 - 11 * per_part]
    assert all(set(graphemes(p)) == {FAMILY} for p in parts)


def test_4096_family_emoji_for_whatsapp_counts_code_points():
    parts = clean_split(WHATSAPP_TEXT, FAMILY * 4096)
    assert len(graphemes(parts[0])) == 4096 // 7
    assert all(set(graphemes(p)) == {FAMILY} for p in parts)


def test_4096_astral_emoji_are_8192_units_two_telegram_messages_one_whatsapp():
    text = GRIN * 4096
    assert clean_split(TELEGRAM_TEXT, text) == [GRIN * 2048, GRIN * 2048]
    assert clean_split(WHATSAPP_TEXT, text) == [text]


@pytest.mark.parametrize("rule", [TELEGRAM_TEXT, WHATSAPP_TEXT])
@pytest.mark.parametrize("before", range(4080, 4097))
def test_subdivision_flag_is_never_split(rule, before):
    text = "a" * before + ENGLAND + "b" * 20
    parts = clean_split(rule, text)
    assert sum(p.count(ENGLAND) for p in parts) == 1
    # Where it does not fit whole, it moves whole to the next part.
    fits_first = rule.measure("a" * before + ENGLAND) <= rule.limit
    assert (ENGLAND in parts[0]) == fits_first


def test_flag_that_would_fit_half_is_moved_whole():
    # 4090 + 14 units > 4096: a code-unit cut would leave 3 code points of the flag behind.
    parts = clean_split(TELEGRAM_TEXT, "a" * 4090 + ENGLAND)
    assert parts == ["a" * 4090, ENGLAND]


def test_skin_tone_stays_with_its_base():
    # The bare 👍 would still fit the first part; the modifier must not be left alone.
    parts = clean_split(WHATSAPP_TEXT, "a" * 4095 + THUMBS_MEDIUM)
    assert parts == ["a" * 4095, THUMBS_MEDIUM]
    parts = clean_split(TELEGRAM_TEXT, "a" * 4093 + THUMBS_MEDIUM)
    assert parts == ["a" * 4093, THUMBS_MEDIUM]


def test_combining_mark_stays_with_its_letter():
    parts = clean_split(WHATSAPP_TEXT, "a" * 4095 + E_ACUTE_NFD + "z")
    assert parts == ["a" * 4095, E_ACUTE_NFD + "z"]


def test_crlf_is_one_break_and_is_the_separator():
    rule = LengthRule("tiny", 8, code_points)
    pieces = split_with_separators(rule, "abcdef\r\nghij")
    assert pieces == [("abcdef", "\r\n"), ("ghij", "")]


def test_rtl_text_with_bidi_controls_survives_split_and_join():
    sentence = (
        "\u0645\u0631\u062d\u0628\u0627 order #123 \u0634\u0643\u0631\u0627\u200f "
        "\u2067\u05e9\u05dc\u05d5\u05dd\u2069 invoice\u202egnp.exe\u202c.\u200e "
    )
    text = sentence * 200
    parts = clean_split(TELEGRAM_TEXT, text)
    assert len(parts) >= 2
    for control in "\u200e\u200f\u2067\u2069\u202e\u202c":
        assert sum(p.count(control) for p in parts) == text.count(control)


def test_a_grapheme_longer_than_the_limit_is_cut_between_code_points():
    # Pathological "Zalgo": one cluster of 5000 combining marks. The only case a cluster is cut.
    text = "e" + "\u0301" * 5000
    parts = split_for(WHATSAPP_TEXT, text)
    assert "".join(parts) == text
    assert [len(p) for p in parts] == [4096, 905]


# --- where the cuts go -----------------------------------------------------------------------

TINY = LengthRule("tiny", 40, code_points)


def test_a_paragraph_break_is_preferred_to_a_line_break_sentence_or_space():
    text = "One. Two is here.\nthree four five\n\nSix seven. Eight nine."
    pieces = split_with_separators(TINY, text)
    assert pieces[0] == ("One. Two is here.\nthree four five", "\n\n")
    assert clean_split(TINY, text) == [
        "One. Two is here.\nthree four five",
        "Six seven. Eight nine.",
    ]


def test_a_line_break_is_preferred_to_a_sentence_end_or_space():
    text = "Alpha beta. Gamma delta\nepsilon zeta eta theta iota"
    assert clean_split(TINY, text) == ["Alpha beta. Gamma delta", "epsilon zeta eta theta iota"]


def test_a_sentence_end_is_preferred_to_a_space():
    text = "Alpha beta gamma delta. Epsilon zeta eta theta"
    assert clean_split(TINY, text) == ["Alpha beta gamma delta.", "Epsilon zeta eta theta"]


def test_sentence_end_behind_a_closing_quote_counts():
    text = "He said \u201cAlpha beta gamma.\u201d Delta epsilon zeta eta"
    assert clean_split(TINY, text)[0] == "He said \u201cAlpha beta gamma.\u201d"


def test_a_dot_inside_a_word_is_not_a_sentence_end():
    text = "see example.com and pi is 3.14159 ok fine well"
    parts = clean_split(TINY, text)
    assert parts[0] == "see example.com and pi is 3.14159 ok"


def test_cjk_full_width_full_stop_is_a_cut_without_a_space():
    rule = LengthRule("tiny", 8, code_points)
    text = "\u4eca\u65e5\u306f\u6674\u308c\u3002\u660e\u65e5\u3082\u6674\u308c\u3002"
    assert clean_split(rule, text) == [text[:6], text[6:]]


def test_a_space_is_preferred_to_cutting_a_word():
    text = "Alpha beta gamma delta epsilon zeta eta theta"
    assert clean_split(TINY, text) == ["Alpha beta gamma delta epsilon zeta eta", "theta"]


def test_an_unbroken_token_is_cut_at_a_grapheme_boundary_as_full_as_possible():
    text = "https://example.com/" + "x" * 60
    parts = clean_split(TINY, text)
    assert [len(p) for p in parts] == [40, 40]


def test_an_early_paragraph_break_does_not_make_a_tiny_part():
    # A preferred break is used only if its part is at least half the limit.
    text = "Hi!\n\n" + "word " * 12
    parts = clean_split(TINY, text)
    assert parts[0] != "Hi!"
    assert len(parts) == 2


def test_no_break_space_is_not_a_cut():
    rule = LengthRule("tiny", 10, code_points)
    assert clean_split(rule, "12\u00a0345\u00a0678 xyz") == ["12\u00a0345\u00a0678", "xyz"]


# --- whitespace at a cut ---------------------------------------------------------------------


def test_the_single_space_at_a_cut_is_dropped_and_reported():
    rule = LengthRule("tiny", 6, code_points)
    assert split_with_separators(rule, "aaaa bbbb") == [("aaaa", " "), ("bbbb", "")]
    assert split_for(rule, "aaaa bbbb") == ["aaaa", "bbbb"]


def test_the_single_newline_at_a_cut_is_dropped_and_reported():
    rule = LengthRule("tiny", 6, code_points)
    assert split_with_separators(rule, "aaaa\nbbbb") == [("aaaa", "\n"), ("bbbb", "")]


def test_a_whitespace_run_at_a_cut_is_dropped_whole_and_reported():
    rule = LengthRule("tiny", 6, code_points)
    assert split_with_separators(rule, "aaaa \t bbbb") == [("aaaa", " \t "), ("bbbb", "")]


def test_whitespace_not_at_a_cut_is_kept():
    rule = LengthRule("tiny", 7, code_points)
    assert clean_split(rule, "  aa bb cc dd ") == ["  aa bb", "cc dd "]


def test_a_hard_cut_drops_nothing():
    rule = LengthRule("tiny", 4, code_points)
    assert split_with_separators(rule, "abcdefg") == [("abcd", ""), ("efg", "")]


# --- empty and whitespace-only ---------------------------------------------------------------


@pytest.mark.parametrize("rule", [WHATSAPP_TEXT, TELEGRAM_TEXT, SMS_BODY])
def test_empty_text_has_no_parts(rule):
    assert split_for(rule, "") == []
    assert split_with_separators(rule, "") == []


@pytest.mark.parametrize("text", [" ", "\n\n", " \t\u3000 "])
def test_whitespace_only_text_that_fits_is_one_unchanged_part(text):
    assert clean_split(TELEGRAM_TEXT, text) == [text]


def test_whitespace_only_text_over_the_limit_gives_no_empty_part():
    text = " " * 4097
    assert clean_split(WHATSAPP_TEXT, text) == [" " * 4096, " "]
    assert clean_split(TELEGRAM_TEXT, "\n" * 5000) == ["\n" * 4096, "\n" * 904]


# --- SMS encoding ----------------------------------------------------------------------------


def test_empty_sms_is_one_gsm7_segment():
    assert sms_segments("") == SmsInfo("GSM-7", 0, 1, 160)


def test_whitespace_only_sms():
    assert sms_segments("   ") == SmsInfo("GSM-7", 3, 1, 160)
    assert sms_segments("\n\r\n") == SmsInfo("GSM-7", 3, 1, 160)
    # A tab and a no-break space are not in GSM 03.38.
    assert sms_encoding("\t") == "UCS-2"
    assert sms_encoding("\u00a0") == "UCS-2"


def test_the_whole_basic_set_is_one_septet_each():
    basic = (
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
    )
    assert len(basic) == 127  # 128 codes minus the escape
    assert sms_segments(basic) == SmsInfo("GSM-7", 127, 1, 160)


def test_c_cedilla_stays_gsm7():
    assert sms_encoding("\u00e7a va") == "GSM-7"
    assert sms_segments("Fran\u00e7ois") == SmsInfo("GSM-7", 8, 1, 160)


@pytest.mark.parametrize("char", list("^{}\\[~]|€"))
def test_extension_characters_cost_two_septets(char):
    assert sms_segments(char) == SmsInfo("GSM-7", 2, 1, 160)


def test_euro_counts_two():
    assert sms_segments("10 €").units == 5
    assert sms_segments("€" * 80) == SmsInfo("GSM-7", 160, 1, 160)
    # 81 × 2 = 162 septets: concatenated, 76 € per segment (152 septets, one left unused).
    assert sms_segments("€" * 81) == SmsInfo("GSM-7", 162, 2, 153)


@pytest.mark.parametrize(
    ("length", "segments"),
    [(1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (1530, 10), (1531, 11)],
)
def test_gsm7_segments(length, segments):
    info = sms_segments("a" * length)
    assert info.encoding == "GSM-7"
    assert info.units == length
    assert info.segments == segments
    assert info.per_segment == (160 if segments == 1 else 153)


def test_extension_character_at_the_153rd_septet_moves_to_the_next_segment():
    # 152 + 2 + 152 = 306 septets would fill exactly two segments if the escape and its code
    # could be split; they cannot, so segment 1 carries 152 and the euro starts segment 2.
    text = "a" * 152 + "€" + "a" * 152
    assert sms_segments(text) == SmsInfo("GSM-7", 306, 3, 153)
    # Without the straddle the same septet count is two segments.
    assert sms_segments("a" * 153 + "€" + "a" * 151) == SmsInfo("GSM-7", 306, 2, 153)


@pytest.mark.parametrize("culprit", ["\u0107", GRIN, "\u201c", "\u201d", "\u2019"])
def test_one_character_outside_gsm7_makes_the_whole_message_ucs2(culprit):
    assert sms_encoding("Hello " + culprit + " world") == "UCS-2"


def test_curly_quotes_are_ucs2_straight_quotes_are_not():
    assert sms_encoding("\u201cHallo\u201d") == "UCS-2"
    assert sms_encoding('"Hallo"') == "GSM-7"


def test_ucs2_70_is_one_segment_71_is_two():
    assert sms_segments("a" * 69 + "\u0107") == SmsInfo("UCS-2", 70, 1, 70)
    assert sms_segments("a" * 70 + "\u0107") == SmsInfo("UCS-2", 71, 2, 67)  # 67 + 4
    assert sms_segments("a" * 134 + "\u0107") == SmsInfo("UCS-2", 135, 3, 67)


def test_an_astral_emoji_is_two_ucs2_units():
    assert sms_segments(GRIN + "a" * 68) == SmsInfo("UCS-2", 70, 1, 70)
    assert sms_segments(GRIN + "a" * 69) == SmsInfo("UCS-2", 71, 2, 67)
    assert sms_segments(FAMILY) == SmsInfo("UCS-2", 11, 1, 70)


def test_emoji_at_a_ucs2_segment_boundary_moves_whole_to_the_next_segment():
    # 66 + 2 + 66 = 134 units = 2 × 67, but the surrogate pair cannot straddle: three segments.
    assert sms_segments("a" * 66 + GRIN + "a" * 66) == SmsInfo("UCS-2", 134, 3, 67)
    assert sms_segments("a" * 65 + GRIN + "a" * 67) == SmsInfo("UCS-2", 134, 2, 67)


def test_sms_body_limit_counts_utf16_units():
    assert clean_split(SMS_BODY, GRIN * 800) == [GRIN * 800]
    assert clean_split(SMS_BODY, GRIN * 801) == [GRIN * 800, GRIN]
