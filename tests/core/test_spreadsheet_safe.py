import pytest

from sbops.core.spreadsheet import spreadsheet_safe


@pytest.mark.parametrize(
    "written",
    [
        '=HYPERLINK("http://evil")',
        "==1+1",
        "+1+1",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
        "\t=1",
        "\r=1",
    ],
)
def test_formula_like_text_is_made_inert_and_kept_whole(written):
    assert spreadsheet_safe(written) == "'" + written


@pytest.mark.parametrize("value", ["-4.50", "+34", "hola =)", "", 12, None])
def test_numbers_and_ordinary_text_are_untouched(value):
    assert spreadsheet_safe(value) == value
