"""User-facing numbers: one formatter for decimals and intervals (true minus signs, never a negative zero), used by
the ML efficacy table of the Compare page and the report, and one leaderboard text for the Race page and the
report."""

from __future__ import annotations

import html
import math
import re
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from synth.evaluation.results import MINUS, Interval, number, percent, value_words
from synth.evaluation.utility.efficacy_table import EFFICACY_COLUMNS, efficacy_rows
from synth.evaluation.utility.tstr import ModelScore, UtilityResult

#: A hyphen-minus written as a sign: before a digit, not inside a word ("1-, 2-way") or a range of names.
HYPHEN_SIGN = re.compile(r"(?<![\w.])-\d")

values = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
digits = st.integers(min_value=0, max_value=6)


def _parse(text: str) -> float:
    return float(text.replace(MINUS, "-"))


@given(values, digits, st.booleans())
def test_a_number_has_a_true_minus_never_a_negative_zero_and_reads_back_within_rounding(
    x: float, places: int, signed: bool
) -> None:
    text = number(x, places, signed=signed)
    assert "-" not in text, "a true minus sign (U+2212), not a hyphen-minus"
    value = _parse(text)
    assert not (text.startswith(MINUS) and value == 0), f"{x} printed as a negative zero: {text}"
    plain = f"{x:.{places}f}"  # Python's own digits, with a hyphen-minus and "-0.000" for a small negative
    plain = plain.lstrip("-") if float(plain) == 0 else plain
    assert text.replace(MINUS, "-") == ("+" if signed and not plain.startswith("-") else "") + plain
    assert abs(value - x) <= 0.5 * 10**-places * (1 + 1e-9) + 1e-9 * abs(x)
    if signed:
        assert text[0] in ("+", MINUS)
        assert text[1:] == number(x, places).lstrip(MINUS), "the sign is all that signed adds"
    else:
        assert not text.startswith("+")


def test_the_compare_page_interval_that_read_minus_zero() -> None:
    """The ML efficacy table printed "-0.011 to -0.000"."""
    assert Interval(-0.0114, -0.0004).format() == f"{MINUS}0.011 to 0.000"
    assert Interval(-0.0114, -0.0004).format(signed=True) == f"{MINUS}0.011 to +0.000"
    assert number(-0.0004) == "0.000" and number(-0.0004, signed=True) == "+0.000"
    assert number(float("nan")) == "—" and percent(float("nan")) == "—"
    assert Interval(0.912, 0.934).format() == "0.912–0.934"


@given(values, values, digits, st.booleans())
def test_an_interval_never_prints_a_negative_zero_and_reads_back_within_rounding(
    a: float, b: float, places: int, signed: bool
) -> None:
    low, high = min(a, b), max(a, b)
    text = Interval(low, high).format(places, signed=signed)
    assert "-" not in text
    separated = " to " if (signed or MINUS in text) else "–"
    assert separated in text, "an en dash between minus signs reads as a third one"
    ends = text.split(separated)
    assert len(ends) == 2 and ends == [number(low, places, signed=signed), number(high, places, signed=signed)]
    for end, x in zip(ends, (low, high), strict=True):
        assert not (end.startswith(MINUS) and _parse(end) == 0)
        assert abs(_parse(end) - x) <= 0.5 * 10**-places * (1 + 1e-9) + 1e-9 * abs(x)


def _utility(scores: tuple[ModelScore, ...]) -> UtilityResult:
    return UtilityResult(
        target="y",
        task="regression",
        classes=(),
        positive_class=None,
        scores=scores,
        importances=(),
        importance_agreement=float("nan"),
        top_overlap=0.6,
        n_train=100,
        n_synthetic=100,
        n_test=50,
        notes=(),
        seed=0,
    )


def _score(model: str, metric: str, trtr: float, tstr: float, gap: tuple[float, float], base: float) -> ModelScore:
    width = Interval(-0.01, 0.01)
    return ModelScore(
        model,
        metric,
        "maximize",
        trtr,
        tstr,
        tstr - trtr,
        Interval(trtr + width.low, trtr + width.high),
        Interval(tstr + width.low, tstr + width.high),
        Interval(*gap),
        base,
    )


# A run whose synthetic table teaches less than the real one: every difference negative, one interval ending just
# below zero (the "-0.000" of the Compare page), an R² below zero and a trivial model below zero.
WORSE = _utility(
    (
        _score("HistGradientBoosting", "r2", 0.412, 0.401, (-0.0114, -0.0004), -0.002),
        _score("Ridge", "r2", 0.05, -0.137, (-0.25, -0.12), -0.0003),
    )
)


def test_the_ml_efficacy_table_prints_negative_numbers_with_a_true_minus() -> None:
    rows = efficacy_rows(WORSE)
    assert [list(r) for r in rows] == [list(EFFICACY_COLUMNS)] * 2
    boosted, ridge = rows
    assert boosted["TSTR − TRTR"] == f"{MINUS}0.011" and boosted["95% interval of the gap"] == f"{MINUS}0.011 to 0.000"
    assert ridge["TSTR"] == f"{MINUS}0.137" and ridge["TSTR − TRTR"] == f"{MINUS}0.187"
    assert ridge["95% interval of the gap"] == f"{MINUS}0.250 to {MINUS}0.120"
    assert boosted["trivial model"] == f"{MINUS}0.002" and ridge["trivial model"] == "0.000"
    for row in rows:
        for cell in row.values():
            assert not HYPHEN_SIGN.search(cell) and f"{MINUS}0.000" not in cell, (row, cell)


def _tables(page: str) -> list[str]:
    return re.findall(r"<table>.*?</table>", page, flags=re.S)


def _cells(table: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
    return [[html.unescape(c) for c in re.findall(r"<t[hd]>(.*?)</t[hd]>", row, flags=re.S)] for row in rows]


def test_the_reports_utility_table_is_the_compare_pages() -> None:
    from synth.report.sections import _Figures, _utility_section

    section = _utility_section(SimpleNamespace(utility=WORSE, errors={}), _Figures())  # type: ignore[arg-type]
    (table,) = _tables(section)
    header, *body = _cells(table)
    assert header == list(EFFICACY_COLUMNS)
    assert body == [list(r.values()) for r in efficacy_rows(WORSE)]
    text = " ".join(c for row in body for c in row)
    assert MINUS in text and not HYPHEN_SIGN.search(text), text
    assert f"{MINUS}0.000" not in text


@pytest.mark.parametrize(
    ("column", "value", "text"),
    [
        ("TSTR", -0.1374, f"{MINUS}0.137"),
        ("TSTR", -0.0001, "0.000"),
        ("singling out", 0.0234, "2.3%"),
        ("fit s", 1.234, "1.23"),
        ("peak MB", 412.6, "413"),
        ("TRTR", None, "—"),
        ("TRTR", math.nan, "—"),
        ("on front", True, "yes"),
        ("status", "ok", "ok"),
    ],
)
def test_a_leaderboard_cell_is_written_by_the_shared_formatters(column: str, value: object, text: str) -> None:
    from synth.report.leaderboard import cell_text

    assert cell_text(column, value) == text


def test_a_score_with_its_interval_is_written_once_for_every_table() -> None:
    # The rare-events tables and the race leaderboard each wrote "score (low–high)"; one function now does,
    # keeping both behaviours: the score alone when an end was not measured, "—" when the score was not.
    from synth.evaluation.results import Interval, interval_text, with_interval

    assert with_interval(0.5123, Interval(0.48, 0.54)) == "0.512 (0.480–0.540)"
    assert with_interval(0.5123, [0.48, 0.54]) == "0.512 (0.480–0.540)"  # a JSON pair read back
    assert with_interval(-0.011, Interval(-0.02, 0.0004)) == "\u22120.011 (\u22120.020 to 0.000)"
    assert with_interval(0.5, Interval(float("nan"), float("nan"))) == "0.500"
    assert with_interval(float("nan"), Interval(0.1, 0.2)) == "—" and with_interval(None, None) == "—"
    assert interval_text([None, 0.2]) is None and interval_text("0.1–0.2") is None


@pytest.mark.parametrize(
    ("value", "text"),
    [("No", "No"), ("yes", "yes"), (1, "1"), (True, "True"), (">50K", "'>50K'"), ("Very high", "'Very high'"),
     (" no", "' no'"), ("", "''"), ("M52.2", "M52.2"), ("-1", "-1"), ("yes.", "'yes.'")],
)  # fmt: skip
def test_a_value_in_prose_is_quoted_only_where_the_quotes_delimit_it(value: object, text: str) -> None:
    """The Rare events page wrote "readmitted_30d = 'No'" (session 26 walk): a one-word value reads bare."""
    assert value_words(value) == text


@given(st.text(max_size=12))
def test_a_value_in_prose_reads_back_as_itself(value: str) -> None:
    """Bare or quoted, the words name exactly the value: a bare one holds no space or edge punctuation that a
    sentence would swallow, a quoted one is the value's own repr."""
    import ast

    text = value_words(value)
    if text == value:
        assert value and not any(c.isspace() for c in value) and value[-1].isalnum() and value[0] not in "'\",;"
    else:
        assert ast.literal_eval(text) == value
