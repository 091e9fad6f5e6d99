"""Numbers written as text: amounts and rates as spreadsheets and shop exports write them.

``"$1,234.50"``, ``"1.234,50 €"``, ``"12%"``, ``"EUR 99.00"``, ``"(1,200.00)"`` for a negative, ``"1 234,5"``.
:func:`detect_number_format` finds the one layout a column's values share (a :class:`NumberFormat`),
:func:`parse_numbers` reads values with it and :func:`format_numbers` writes numbers back in it.

Durations written on a clock face, ``"00:04:31"`` or ``"1:02:03"`` (hours, minutes and seconds), are a layout too
(:data:`CLOCKS`): read as seconds, written back with the hours padded as the real ones were. A call centre's
durations were a category of 766 values before (session 40), and for a while IP addresses.

A layout is a closed structure: every part is checked against a fixed set of choices (currency symbols and ISO
codes, separators, a sign style) when it is built, so a crafted schema or model file can name nothing else,
and writing never feeds a stored string to ``%`` or ``format()``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

#: The most decimal places a column is rounded to (values recorded more finely are left as drawn).
MAX_DECIMALS = 6
#: The coarsest grain of whole numbers kept: ``ColumnSpec.decimals`` of -6 rounds to the nearest million.
MIN_DECIMALS = -6

#: Currency symbols a prefix or suffix may hold.
CURRENCY_SYMBOLS: tuple[str, ...] = (
    "$", "€", "£", "¥", "₹", "₽", "₩", "₺", "₪", "฿", "₫", "₴", "₦", "¢", "R$", "US$", "A$", "C$", "NZ$", "HK$",
)  # fmt: skip
#: ISO 4217 codes a prefix or suffix may hold (a closed list: "INV 1234" or "KM 120" are not amounts).
CURRENCY_CODES: tuple[str, ...] = (
    "USD", "EUR", "GBP", "JPY", "CNY", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "ISK", "PLN", "CZK",
    "HUF", "RON", "BGN", "RUB", "UAH", "TRY", "ILS", "INR", "BRL", "MXN", "ARS", "CLP", "COP", "PEN", "ZAR",
    "NGN", "KRW", "SGD", "HKD", "TWD", "THB", "IDR", "MYR", "PHP", "VND", "AED", "SAR",
)  # fmt: skip
#: Units of measure a suffix may hold ("1.5 kg", "30 min", "16 GB"), after the digits only: a closed list, so that a
#: word after a number ("3 in stock") stays text. Session 40's product table wrote weights as "1.5 kg": a category of
#: 78 values, rare ones pooled as "(other)".
UNITS: tuple[str, ...] = (
    "kg", "g", "mg", "lb", "lbs", "oz", "km", "m", "cm", "mm", "mi", "ft", "l", "L", "ml", "mL", "h", "hrs", "min",
    "s", "ms", "kWh", "Wh", "W", "kW", "MW", "V", "mAh", "KB", "MB", "GB", "TB", "°C", "°F", "km/h", "mph", "px",
)  # fmt: skip
#: What may stand between a currency and the digits.
GAPS: tuple[str, ...] = ("", " ", "\xa0")
#: Thousands separators ("" for none): comma, dot, space, apostrophe (Swiss), no-break, thin and narrow spaces.
THOUSANDS: tuple[str, ...] = ("", ",", ".", " ", "'", "\xa0", "\u2009", "\u202f")
DECIMAL_MARKS: tuple[str, ...] = (".", ",")
#: How negatives are written: a minus sign, or the accountants' parentheses.
NEGATIVE_STYLES: tuple[str, ...] = ("-", "()")

#: Share of sampled values that must read in one layout (as for dates).
MIN_SHARE = 0.95
#: Clock layouts of a duration ("" for none): hours padded to two digits ("00:04:31") or as the value needs
#: ("0:04:31", "112:00:05"); minutes and seconds always two.
CLOCKS: tuple[str, ...] = ("", "hh:mm:ss", "h:mm:ss")
_CLOCK = r"(-?)(\d{1,5}):([0-5]\d):([0-5]\d)"

_TOKENS = sorted((*CURRENCY_SYMBOLS, *CURRENCY_CODES), key=len, reverse=True)
_TOKEN = "|".join(re.escape(t) for t in _TOKENS)
_UNIT = "|".join(re.escape(t) for t in sorted(UNITS, key=len, reverse=True))
_GAP = "[ \xa0]?"
# One value taken apart: an outer sign, a prefix, an inner sign, the digits with their separators, and back out.
_SHAPE = re.compile(
    rf"(?P<lo>[(-]?)(?P<pre>(?:{_TOKEN}){_GAP})?(?P<li>[(-]?)"
    r"(?P<num>\d(?:[\d.,' \xa0\u2009\u202f]*\d)?)"
    rf"(?P<ri>\)?)(?P<suf>{_GAP}(?:%|{_TOKEN}|{_UNIT}))?(?P<ro>\)?)"
)


class NumberFormatError(ValueError):
    """A number layout names a part outside the fixed choices (a crafted schema or model file)."""


def _allowed_affix(text: str, *, before: bool) -> bool:
    if text == "":
        return True
    for gap in GAPS:
        token = text[: len(text) - len(gap)] if before else text[len(gap) :]
        if (text.endswith(gap) if before else text.startswith(gap)) and (
            token in CURRENCY_SYMBOLS or token in CURRENCY_CODES or (not before and (token == "%" or token in UNITS))
        ):
            return True
    return False


@dataclass(frozen=True)
class NumberFormat:
    """How a column writes its numbers as text.

    Attributes:
        prefix: a currency before the digits with its gap (``"$"``, ``"EUR "``), or ``""``.
        suffix: a currency, ``%`` or a unit of measure (:data:`UNITS`) after the digits with its gap (``" €"``,
            ``"%"``, ``" kg"``), or ``""``. A percentage is the number as written: ``"12%"`` reads 12, not 0.12.
        thousands: the thousands separator (one of :data:`THOUSANDS`; ``""``: none).
        decimal: the decimal mark, ``"."`` or ``","``.
        decimals: the decimal places every value is written with, or None when they vary (as few as each needs).
        negative: ``"-"`` or ``"()"``.
        sign_inside: the sign sits between the currency and the digits (``"$-5.00"``, ``"$(5.00)"``) rather than
            around the whole (``"-$5.00"``, ``"($5.00)"``).
        clock: a duration in hours, minutes and seconds (one of :data:`CLOCKS`; ``""``: none), read as seconds;
            the other parts then keep their defaults.
    """

    prefix: str = ""
    suffix: str = ""
    thousands: str = ""
    decimal: str = "."
    decimals: int | None = None
    negative: str = "-"
    sign_inside: bool = False
    clock: str = ""

    def __post_init__(self) -> None:
        def bad(part: str, why: str) -> NumberFormatError:
            return NumberFormatError(f"a number format's {part} {why}, not {getattr(self, part)!r}: {_FIX}")

        for part in ("prefix", "suffix", "thousands", "decimal", "negative"):
            if not isinstance(getattr(self, part), str):
                raise bad(part, "must be text")
        if not _allowed_affix(self.prefix, before=True):
            raise bad("prefix", "must be a currency symbol or ISO code, then an optional space")
        if not _allowed_affix(self.suffix, before=False):
            raise bad("suffix", "must be an optional space, then a currency symbol, ISO code, % or unit of measure")
        if self.thousands not in THOUSANDS:
            raise bad("thousands", f"must be one of {THOUSANDS!r}")
        if self.decimal not in DECIMAL_MARKS or self.decimal == self.thousands:
            raise bad("decimal", "must be '.' or ',' and differ from the thousands separator")
        if self.decimals is not None and (
            isinstance(self.decimals, bool)
            or not isinstance(self.decimals, int)
            or not 0 <= self.decimals <= MAX_DECIMALS
        ):
            raise bad("decimals", f"must be a whole number from 0 to {MAX_DECIMALS} or absent")
        if self.negative not in NEGATIVE_STYLES:
            raise bad("negative", "must be '-' or '()'")
        if not isinstance(self.sign_inside, bool):
            raise bad("sign_inside", "must be true or false")
        if not isinstance(self.clock, str) or self.clock not in CLOCKS:
            raise bad("clock", f"must be one of {CLOCKS!r}")
        plain = (self.prefix, self.suffix, self.thousands, self.decimal, self.negative, self.sign_inside)
        if self.clock and (plain != ("", "", "", ".", "-", False) or self.decimals not in (None, 0)):
            raise bad("clock", "names a duration, whose other parts must keep their defaults")

    @classmethod
    def from_dict(cls, data: Any) -> NumberFormat:
        """Build a layout from a schema document's mapping; unknown keys are refused (a layout is closed)."""
        if not isinstance(data, dict):
            raise NumberFormatError(f"a number format must be a mapping, not {type(data).__name__}: {_FIX}")
        known = {f.name for f in fields(cls)}
        extra = sorted(str(k) for k in data if k not in known)
        if extra:
            raise NumberFormatError(f"a number format has no part named {', '.join(extra)}: {_FIX}")
        return cls(**data)

    def example(self) -> str:
        """The layout shown on 1234.5, or 12.5 without a thousands separator (not a value of any table):
        ``$1,234.50``, ``12%``."""
        shown = 4271.0 if self.clock else 1234.5 if self.thousands else 12.5  # (a clock: 01:11:11)
        return str(format_numbers(pd.Series([shown]), self, self.decimals).iloc[0])


_FIX = "give the column the number format `synth schema` infers, or none to read plain numbers"


def _number_pattern(thousands: str, decimal: str) -> str:
    t, d = re.escape(thousands), re.escape(decimal)
    whole = rf"\d{{1,3}}(?:{t}\d{{3}})*" if thousands else r"\d+"
    return rf"{whole}(?:{d}\d+)?"


def _templates(fmt: NumberFormat) -> tuple[str, str]:
    """Regular expressions (Python's and RE2's alike) of a positive and a negative value."""
    number = _number_pattern(fmt.thousands, fmt.decimal)
    pre, suf = re.escape(fmt.prefix), re.escape(fmt.suffix)
    positive = f"{pre}{number}{suf}"
    if fmt.sign_inside:
        signed = f"-{number}" if fmt.negative == "-" else rf"\({number}\)"
        negative = f"{pre}{signed}{suf}"
    else:
        negative = f"-{positive}" if fmt.negative == "-" else rf"\({positive}\)"
    return positive, negative


def _arrow_text(values: pd.Series) -> pd.Series:
    # Arrow strings: their regular expressions and slices run in compiled code (a million "$1,234.50" read in a
    # tenth of the time pandas' per-value extract took).
    return values.astype("string[pyarrow]")


def _parse_clock(values: pd.Series) -> pd.Series:
    """Durations ``[-]h:mm:ss`` as seconds (floats); other values NaN."""
    parts = values.astype("string").str.strip().str.extract(f"^{_CLOCK}$")
    hms = parts[[1, 2, 3]].astype("float64")
    seconds = hms[1] * 3600 + hms[2] * 60 + hms[3]
    return seconds.where(parts[0] != "-", -seconds).astype("float64").set_axis(values.index)


def _format_clock(values: pd.Series, fmt: NumberFormat) -> pd.Series:
    """Seconds written ``hh:mm:ss`` (or ``h:mm:ss``), rounded to the second; missing values stay missing."""
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    finite = np.isfinite(numbers)
    whole = np.abs(np.round(numbers[finite])).astype(np.int64)
    hours, rest = np.divmod(whole, 3600)
    minutes, seconds = np.divmod(rest, 60)
    width = 2 if fmt.clock == "hh:mm:ss" else 1
    text = (
        pd.Series(hours).astype(str).str.zfill(width)
        + ":"
        + pd.Series(minutes).astype(str).str.zfill(2)
        + ":"
        + pd.Series(seconds).astype(str).str.zfill(2)
    )
    negative = np.round(numbers[finite]) < 0
    out = np.full(len(numbers), None, dtype=object)
    out[finite] = np.where(negative, "-" + text.to_numpy(dtype=object), text.to_numpy(dtype=object))
    return pd.Series(out, index=values.index, dtype=object)


def _clock_layout(text: pd.Series) -> tuple[NumberFormat, float] | None:
    """The clock layout at least :data:`MIN_SHARE` of ``text`` is written in, with that share, or None."""
    read = text.str.fullmatch(_CLOCK)
    share = float(read.mean())
    if share < MIN_SHARE:
        return None
    hours = text[read].str.extract(r"^-?(\d+):", expand=False)
    padded = bool((hours.str.len() >= 2).all())
    return NumberFormat(decimals=0, clock="hh:mm:ss" if padded else "h:mm:ss"), share


def parse_numbers(values: pd.Series, fmt: NumberFormat) -> pd.Series:
    """Read text in the layout ``fmt`` as floats; values not written so (and missing ones) become NaN."""
    if fmt.clock:
        return _parse_clock(values)
    text = _arrow_text(values).str.strip()
    positive, negative = _templates(fmt)
    pos = text.str.fullmatch(positive).fillna(False).to_numpy(dtype=bool)
    neg = ~pos & text.str.fullmatch(negative).fillna(False).to_numpy(dtype=bool)
    # The digits sit between the prefix and the suffix, and one sign character more on each side a sign takes.
    start, end = len(fmt.prefix), len(fmt.suffix)
    body = pa.array(text.str.slice(start, -end or None))
    signed = pa.array(text.str.slice(start + 1, -(end + (fmt.negative == "()")) or None))
    digits = pc.if_else(pa.array(pos), body, pc.if_else(pa.array(neg), signed, pa.nulls(len(text), pa.string())))
    if fmt.thousands:
        digits = pc.replace_substring(digits, fmt.thousands, "")
    if fmt.decimal != ".":
        digits = pc.replace_substring(digits, fmt.decimal, ".")
    numbers = pc.cast(digits, pa.float64()).to_numpy(zero_copy_only=False).astype("float64", copy=True)
    numbers[neg] *= -1.0
    return pd.Series(numbers, index=values.index, dtype="float64")


def round_as_written(values: np.ndarray, decimals: int) -> np.ndarray:
    """``values`` rounded as :func:`format_numbers` writes them at ``decimals`` places: by each float's exact binary
    value (``f"{x:.2f}"``), not by numpy's scaled rounding, which differs a hair from half a step: 130.535 is
    130.53499…, written "130.53", while ``np.round(130.535, 2)`` gives 130.54. A rule computed from a price must
    read the price the user sees (CART's band-by-band rounding leaves many prices on such halves)."""
    values = np.asarray(values, dtype=np.float64)
    out = np.round(values, decimals)
    if decimals < 0:
        return out
    scaled = np.abs(values) * 10.0**decimals
    near = np.isfinite(scaled) & (np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6)
    if near.any():
        out[near] = [float(f"{x:.{decimals}f}") for x in values[near].tolist()]
    return out


def format_numbers(values: pd.Series, fmt: NumberFormat, decimals: int | None = None) -> pd.Series:
    """Write numbers as text in the layout ``fmt`` (missing values stay missing).

    Args:
        values: numbers.
        fmt: the layout.
        decimals: the places the numbers are recorded at, if known: values are rounded to them. With None, a value
            finer than the layout's places keeps its digits (up to :data:`MAX_DECIMALS`): a model that keeps its
            draws unrounded near rare values (CART) is not rounded onto them here.

    Returns:
        Text (object dtype) with the index of ``values``.
    """
    if fmt.clock:
        return _format_clock(values, fmt)
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype="float64")
    finite = np.isfinite(numbers)
    grid = MAX_DECIMALS if decimals is None else decimals
    least = fmt.decimals or 0
    body = pd.Series([f"{x:,.{grid}f}" for x in np.abs(numbers[finite]).tolist()], dtype="string[pyarrow]")
    if grid > least:  # as few places as each value needs, never fewer than the layout's
        body = body.str.replace(rf"^(.*\.\d{{{least}}}\d*?)0*$", r"\1", regex=True)
        if least == 0:
            body = body.str.replace(r"\.$", "", regex=True)
    elif grid < least:
        body = body + ("." if grid == 0 else "") + "0" * (least - grid)
    # -0.001 written at 2 places is 0.00, not -0.00.
    negative = (numbers[finite] < 0) & ~body.str.fullmatch(r"[0.,]+").to_numpy(dtype=bool)
    if (fmt.thousands, fmt.decimal) != (",", "."):
        body = body.str.replace(",", "\x01", regex=False).str.replace(".", fmt.decimal, regex=False)
        body = body.str.replace("\x01", fmt.thousands, regex=False)
    written = fmt.prefix + body + fmt.suffix
    if fmt.sign_inside:
        signed = fmt.prefix + ("-" + body if fmt.negative == "-" else "(" + body + ")") + fmt.suffix
    else:
        signed = "-" + written if fmt.negative == "-" else "(" + written + ")"
    out = np.full(len(numbers), None, dtype=object)
    out[finite] = np.where(negative, signed.to_numpy(dtype=object), written.to_numpy(dtype=object))
    return pd.Series(out, index=values.index, dtype=object)


#: Why a column of numbers-in-text stays text when its separators read two ways (the reason says so).
AMBIGUOUS = (
    'the values read as numbers both with "{a}" as the thousands separator and with "{a}" as the decimal mark '
    '("1{a}234" is 1234 or 1.234): left as text; to read them as numbers, give the column a kind `continuous` and '
    "a number_format in the schema JSON"
)


def _sign(parts: pd.DataFrame) -> pd.DataFrame:
    """Each value's sign style: negative, parentheses, and whether the sign sits inside the currency (None: no
    currency on that side, so both readings write the same text); ``valid`` false for unbalanced signs."""
    lo, li, ri, ro = (parts[c] for c in ("lo", "li", "ri", "ro"))
    has_pre, has_suf = parts["pre"] != "", parts["suf"] != ""
    opens = (lo != "").astype(int) + (li != "").astype(int)
    closes = (ri != "").astype(int) + (ro != "").astype(int)
    paren = (lo == "(") | (li == "(")
    minus = (lo == "-") | (li == "-")
    valid = (opens <= 1) & ((paren & (closes == 1)) | (~paren & (closes == 0)))
    inside = (~has_pre | (li != "")) & (~has_suf | (ri != "") | minus)
    outside = (~has_pre | (lo != "")) & (~has_suf | (ro != "") | minus)
    valid &= ~(opens == 1) | inside | outside
    either = inside & outside
    return pd.DataFrame(
        {
            "negative": opens == 1,
            "style": np.where(paren, "()", "-"),
            "inside": [None if e else bool(i) for e, i in zip(either, inside, strict=True)],
            "valid": valid,
        },
        index=parts.index,
    )


def _places(nums: pd.Series, decimal: str) -> set[int]:
    """The decimal places the values are written with (0 for none)."""
    after = nums.str.rpartition(decimal)
    return {int(p) for p in np.where(after[1] == decimal, after[2].str.len(), 0)}


def detect_number_format(values: pd.Series) -> tuple[NumberFormat, float] | str | None:
    """Find the one layout in which text values read as numbers.

    Args:
        values: non-missing text values (a sample is enough).

    Returns:
        ``(format, share read)`` when at least :data:`MIN_SHARE` of the values read in one layout that writes
        them as more than bare digits (a currency, a %, a thousands separator or a decimal comma: bare digits are
        codes such as zip codes, or already numbers); a sentence saying why the column stays text when its
        separators read two ways (:data:`AMBIGUOUS`); None otherwise. Values whose whole part starts with 0
        (``"02134"``) are codes: None.
    """
    text = values.astype(str).str.strip()
    if text.empty:
        return None
    clock = _clock_layout(text)
    if clock is not None:  # a duration "00:04:31": seconds
        return clock
    parts = text.str.extract(f"^{_SHAPE.pattern}$").fillna("")
    shaped = parts["num"] != ""
    if shaped.mean() < MIN_SHARE:
        return None
    parts = parts[shaped]
    if parts["num"].str.match(r"0\d").any():
        return None  # leading zeros: a code, kept as text
    signs = _sign(parts)
    affixes = parts.loc[signs["valid"], ["pre", "suf"]].value_counts(sort=True)
    if affixes.empty:
        return None
    prefix, suffix = (str(a) for a in affixes.index[0])
    same = signs["valid"] & (parts["pre"] == prefix) & (parts["suf"] == suffix)
    negatives = signs[same & signs["negative"]]
    style, inside = "-", False
    if len(negatives):
        fixed = negatives[negatives["inside"].notna()]
        style = str(negatives["style"].mode().iloc[0])
        inside = bool(fixed["inside"].mode().iloc[0]) if len(fixed) else False
    nums = parts.loc[same, "num"]
    used = [t for t in THOUSANDS[1:] if nums.str.contains(t, regex=False).any()]
    readings = []
    for decimal in DECIMAL_MARKS:
        for thousands in ("", *used):
            if thousands == decimal:
                continue
            fmt = NumberFormat(prefix, suffix, thousands, decimal, None, style, inside)
            parsed = parse_numbers(text, fmt)
            share = float(parsed.notna().mean())
            if share >= MIN_SHARE:
                readings.append((share, fmt, parsed.to_numpy()))
    if not readings:
        return None
    top = max(r[0] for r in readings)
    readings = [r for r in readings if r[0] >= top - 1e-12]
    distinct = [r for i, r in enumerate(readings) if not any(_same(r[2], q[2]) for q in readings[:i])]
    if len(distinct) > 1:  # the separators read two ways: keep the readings whose places do not vary
        fixed_places = [r for r in distinct if len(_places(nums, r[1].decimal)) == 1]
        if len(fixed_places) != 1:
            shared = sorted({r[1].decimal for r in distinct} & {r[1].thousands for r in distinct})
            return AMBIGUOUS.format(a=shared[0] if shared else ",")
        distinct = fixed_places
    share, fmt, _ = distinct[0]
    places = _places(nums, fmt.decimal)
    has_fraction = nums.str.contains(fmt.decimal, regex=False).any()
    decorated = bool(prefix or suffix or (fmt.decimal == "," and has_fraction))
    one_length = not has_fraction and nums.str.count(r"\d").nunique() == 1
    if not decorated and (not fmt.thousands or one_length):
        return None  # bare digits, or grouped digits all of one length (a phone number, not an amount)
    fmt = NumberFormat(prefix, suffix, fmt.thousands, fmt.decimal, places.pop() if len(places) == 1 else None,
                       style, inside)  # fmt: skip
    return fmt, share


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b, equal_nan=True))


def describe_number_format(fmt: NumberFormat) -> str:
    """The layout in words: ``$1,234.50`` plus the parts a user could not see in one example."""
    words = [f"written like {fmt.example()}"]
    if fmt.clock:
        words.append("hours, minutes and seconds, read as seconds")
    if fmt.negative == "()":
        words.append(f"negatives in parentheses ({format_numbers(pd.Series([-5.0]), fmt).iloc[0]})")
    if fmt.suffix.strip() == "%":
        words.append("kept as written (12% is 12)")
    return ", ".join(words)
