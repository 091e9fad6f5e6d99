"""User-facing numbers: one formatter for decimals and intervals (true minus signs, never a negative zero)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from synth.evaluation.results import MINUS, Interval, number, percent

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
