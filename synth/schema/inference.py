"""Inference of column kinds, each with the reason for it.

Inference looks at each column once: counts (missing values, distinct values) on the whole column, and the
more expensive pattern checks (dates, emails, names, ...) on a seeded random sample of its values, so a
million-row table is typed in seconds. Every inferred kind comes with the reason for it, in words a user can
check ("99.8% of values are unique strings shaped like C########"). Personal data and identifiers are found
by their content (:mod:`synth.schema.pii`), whatever the column is called.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pandas as pd

from synth.io.frame_checks import check_frame
from synth.schema.dates import (
    dates_beyond_timestamps,
    describe_format,
    detect_datetime_format,
    integer_date_format,
)
from synth.schema.foreign_keys import with_pointing_keys
from synth.schema.kinds import ISO8601, MAX_DECIMALS, MIN_DECIMALS, ColumnKind, ColumnSpec, Schema
from synth.schema.number_text import describe_number_format, detect_number_format, parse_numbers
from synth.schema.pii import (
    MIN_SINGLETON_ROWS,
    PII_SHARE,
    SINGLETON_SHARE,
    card_share,
    detect_code_identifier,
    detect_pii,
    singleton_share,
    with_legend,
)
from synth.schema.shared_range import shared_ends
from synth.schema.text_templates import detect_templates

#: A constant's value is named in its reason only when at least this many rows hold it.
MIN_CONSTANT_ROWS = 5

#: Values above this many rows are checked for patterns on a seeded random sample.
SAMPLE_SIZE = 2_000
#: Distinct non-zero values a column of whole numbers needs before a grain (tens, hundreds) is read from them.
MIN_GRAIN_VALUES = 5

_TRUE = {"true", "t", "yes", "y"}
_FALSE = {"false", "f", "no", "n"}

#: Unique whole numbers are numbered rows when this many repeats would be expected of as many values drawn at random
#: from their range (n(n-1)/2 pairs, each equal with chance 1/range): a measurement that dense repeats itself (the
#: chance of none is about e^-10), a numbering never does.
NUMBERING_REPEATS = 10.0
_KEY_NAME = re.compile(r"(^id$|_id$|^id_|Id$|ID$|^key$|_key$|^uuid|^guid|_no$|^number$|_number$|_num_?id)")
#: Names that say "this record's number" without a separator or in other cases: custno, CustomerNo, acctNr,
#: AccountNumber, Kundennummer, policy-no (a session-28 attack's 8-digit ``custno`` was modelled as a number).
_RECORD_NUMBER_NAME = re.compile(
    r"(cust|customer|client|member|account|acct|order|invoice|patient|employee|emp|user|person|policy|contract|"
    r"case|ticket|serial|record|reg|registration|kunden|mitglieds?|vertrags?|rechnungs?|auftrags?)"
    r"[ _.-]?(no|nr|num|number|nummer|numero|id|code)$",
    re.I,
)
_QI_NAME = re.compile(
    r"(^age$|^age_|^sex$|gender|^race$|ethnic|^zip|zipcode|postcode|postal|^dob$|birth|marital|"
    r"nationality|native_country|^country$|^occupation$|^education$)",
    re.I,
)
_SENSITIVE_NAME = re.compile(
    r"(income|salary|wage|diagnos|disease|illness|health|religion|sexual|hiv|medical|criminal|credit_score)",
    re.I,
)


def _pattern_of(values: list[str]) -> str:
    """The common shape of values, literal where they agree: ``C10090342``, ``C10588251`` → ``C1#######``.

    ``#`` stands for a digit, ``@`` for a letter and ``?`` for anything else that varies.
    """
    if not values:
        return ""
    lengths = pd.Series([len(v) for v in values])
    width = int(lengths.mode().iloc[0])
    same = [v for v in values if len(v) == width]
    out = []
    for i in range(width):
        chars = {v[i] for v in same}
        if len(chars) == 1:
            out.append(next(iter(chars)))
        elif all(c.isdigit() for c in chars):
            out.append("#")
        elif all(c.isalpha() for c in chars):
            out.append("@")
        else:
            out.append("?")
    text = with_legend("".join(out))
    return text if len(same) == len(values) else f"{text}, most values"


def _outward(x: float, up: bool, width: float = float("inf")) -> float:
    """``x`` rounded away from the inside of a range to two significant digits (17,379 → 18,000 going up), or to
    the power of ten of the range's ``width`` when that is finer (years 1958–2002: 1950 and 2010, not 1900 and
    2100)."""
    if x == 0 or not np.isfinite(x):
        return x
    step = 10.0 ** (np.floor(np.log10(abs(x))) - 1)
    if 0 < width < np.inf:
        step = min(step, 10.0 ** np.floor(np.log10(width)))
    if step == 0:  # a value near the smallest float: its step underflows
        return x
    return float((np.ceil if up else np.floor)(x / step) * step)


def _range_text(lo: float, hi: float, integral: bool, *, beyond: bool = False) -> str:
    """A column's range in words, rounded outward to two significant digits; "mostly" instead of "about" when
    ``beyond``: values lie outside ``lo`` … ``hi`` (a measured column's range is read inside its most extreme rows,
    :func:`_shown_range`).

    The reason is stored with the schema in model files, the report's JSON and the run manifest; the exact
    extremes (one person's value each, or the largest real key) are not.
    """
    width = hi - lo
    lo, hi = _outward(lo, up=False, width=width), _outward(hi, up=True, width=width)
    short = lo >= 1_000 and hi < 10_000  # four digits at both ends (years): no thousands separator

    def written(x: float) -> str:
        if integral or abs(x) >= 1_000:
            return f"{x:.0f}" if short else f"{x:,.0f}"
        return f"{x:.3g}"  # already two significant digits: 0.0023, 0.5, 12

    return f"{'mostly' if beyond else 'about'} {written(lo)} … {written(hi)}"


def _shown_range(values: np.ndarray, integral: bool, people: np.ndarray | None = None) -> str:
    """A measured column's range in words, read between the values :data:`~synth.schema.shared_range.TAIL_ROWS`
    rows share at each end: rounded to two significant digits, the maximum still named one person's value (the
    one salary of 9,876,543 read "about 23,000 … 9,900,000" in every shared report's JSON). ``people`` (each
    value's person): that many people, not rows (:func:`~synth.schema.shared_range.shared_ends`)."""
    lo, hi = shared_ends(values, people=people)
    return _range_text(lo, hi, integral, beyond=bool(values.min() < lo or values.max() > hi))


#: The range a measured column's reason states (:func:`_shown_range`), as :func:`_range_text` writes it: a number
#: ends at ")", ", ", "; " or the end, so the thousands separators of "23,000" stay inside it.
_SHOWN_RANGE = re.compile(r"(?:about|mostly) \S+ … \S+?(?=\)|, |; |$)")
#: The starts of the reasons :func:`_infer_numeric` gives a measured column, whole numbers first.
_MEASURED = ("whole numbers only (", "numbers with fractions (")


def with_people_ranges(df: pd.DataFrame, schema: Schema, person_column: str | None) -> Schema:
    """``schema`` with the range each measured column's reason states read over people: between the values at
    least :data:`~synth.schema.shared_range.TAIL_ROWS` people of ``person_column`` reach (None: rows, as
    :func:`infer_schema` reads them).

    The person is found after the kinds (:func:`synth.schema.entities.entity_column` reads them), so the reasons
    are worded again once it is known, here: only the range of a reason :func:`infer_schema` wrote for a number
    column of ``df`` (a reason the user wrote is theirs), from the column's values. One employee's 15 payslips at
    the one top salary were the 15 largest rows: read over rows, the reason stated that salary (session 30).
    """
    people = None
    if person_column is not None and person_column in df.columns:
        people = df[person_column].to_numpy(dtype=object)
    specs = []
    for spec in schema:
        column = df[spec.name] if spec.name in df.columns else None
        measured = spec.kind in (ColumnKind.DISCRETE, ColumnKind.CONTINUOUS) and spec.reason.startswith(_MEASURED)
        if column is None or not measured or not pd.api.types.is_numeric_dtype(column.dtype):
            specs.append(spec)
            continue
        values = column.to_numpy(dtype=float)
        finite = np.isfinite(values)
        if not finite.any():
            specs.append(spec)
            continue
        whose = None if people is None else people[finite]
        shown = _shown_range(values[finite], spec.reason.startswith(_MEASURED[0]), whose)
        found = _SHOWN_RANGE.search(spec.reason)
        reason = spec.reason if found is None else spec.reason[: found.start()] + shown + spec.reason[found.end() :]
        specs.append(dataclasses.replace(spec, reason=reason))
    return Schema(tuple(specs))


def infer_column(series: pd.Series, *, sample_size: int = SAMPLE_SIZE, seed: int = 0) -> ColumnSpec:
    """Infer one column's kind, with the reason for it.

    Args:
        series: the column (its name becomes the spec's name).
        sample_size: pattern checks (dates, personal data, shapes) look at this many sampled values.
        seed: seed of that sample.

    Returns:
        The column's :class:`ColumnSpec` (no sensitive / quasi-identifier flags).
    """
    name = str(series.name)
    dtype = str(series.dtype)
    n = len(series)
    present = series.dropna()
    n_present = len(present)
    missing = n - n_present

    def spec(kind: ColumnKind, reason: str, **extra: Any) -> ColumnSpec:
        if missing and kind is not ColumnKind.CONSTANT:
            reason = f"{reason}; {missing / n:.1%} missing"
        return ColumnSpec(name, kind, reason, dtype, **extra)

    if n_present == 0:
        return ColumnSpec(name, ColumnKind.CONSTANT, "every value is missing", dtype)
    sample = present.sample(sample_size, random_state=seed) if n_present > sample_size else present
    try:
        n_unique = int(present.nunique())
    except TypeError:  # unhashable cells (lists, dicts): judge them by their text
        present, sample = present.astype(str), sample.astype(str)
        n_unique = int(present.nunique())
    if pd.api.types.is_bool_dtype(series.dtype) or (
        series.dtype == object and sample.map(type).isin([bool, np.bool_]).all()
    ):
        if n_unique == 1:
            return _constant(name, dtype, present, missing, n)
        return spec(ColumnKind.BOOLEAN, "stored as true/false")
    if n_unique == 1:
        return _constant(name, dtype, present, missing, n)
    unique_share = n_unique / n_present
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return spec(ColumnKind.DATETIME, "stored as dates/times")
    if pd.api.types.is_numeric_dtype(series.dtype):
        return _infer_numeric(name, dtype, present, sample, n, n_unique, spec)
    return _infer_text(name, dtype, present, sample, n_present, n_unique, unique_share, spec)


def _constant(name: str, dtype: str, present: pd.Series, missing: int, n: int) -> ColumnSpec:
    value = present.iloc[0]
    # A numpy scalar's repr ("np.float64(1.0)") is Python, not the value a reader sees in their table.
    value = value.item() if isinstance(value, np.generic) else value
    shown = repr(value) if isinstance(value, str) else str(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    if len(present) < MIN_CONSTANT_ROWS:  # one or a few people's value: not written into the reason
        shown = f"held by {len(present)} row{'s' if len(present) > 1 else ''}"
    where = "in every row" if not missing else f"in every row that has a value ({missing / n:.1%} missing)"
    return ColumnSpec(name, ColumnKind.CONSTANT, f"a single value ({shown}) {where}", dtype)


def _infer_numeric(
    name: str, dtype: str, present: pd.Series, sample: pd.Series, n: int, n_unique: int, spec: Any
) -> ColumnSpec:
    values = present.to_numpy(dtype=float)
    finite = np.isfinite(values)
    integral = bool(finite.all() and np.all(np.floor(values) == values))
    lo, hi = (
        float(np.nanmin(values[finite])) if finite.any() else 0.0,
        (float(np.nanmax(values[finite])) if finite.any() else 0.0),
    )
    if integral:
        dates = integer_date_format(name, values, sample.to_numpy(dtype=float))
        if dates is not None:
            fmt, reason = dates
            return spec(ColumnKind.DATETIME, reason, datetime_format=fmt)
        if lo >= 1e12:
            digits = [str(int(v)) for v in sample.to_numpy(dtype=float)]
            share = card_share(digits)
            if share >= PII_SHARE:
                return spec(
                    ColumnKind.PII,
                    f"{share:.0%} of sampled values are 13–19 digit numbers with a valid card checksum",
                    pii_type="card",
                )
        if n_unique == n and n > 50:
            diffs = np.diff(values)
            if np.all(diffs > 0) or np.all(diffs < 0):
                order = "increasing" if diffs[0] > 0 else "decreasing"
                return spec(
                    ColumnKind.IDENTIFIER,
                    f"every value is a unique whole number, in {order} order ({_range_text(lo, hi, True)})",
                )
            if hi - lo + 1 == n:
                return spec(
                    ColumnKind.IDENTIFIER,
                    f"every value is a unique whole number, a shuffled run {_range_text(lo, hi, True)}",
                )
            if n * (n - 1) / (2 * (hi - lo + 1)) >= NUMBERING_REPEATS:
                # Numbered rows sampled (Bike Sharing's `instant` in a random 80% split): as a number, CART drew real
                # row numbers, and 80% of those unique in its output singled out a training row (holdout's: 20%).
                return spec(
                    ColumnKind.IDENTIFIER,
                    f"every value is a unique whole number, {n:,} of them over {_range_text(lo, hi, True)}: "
                    "numbered rows (measured values that dense would repeat)",
                )
            if _KEY_NAME.search(name) or _RECORD_NUMBER_NAME.search(name):
                return spec(ColumnKind.IDENTIFIER, "every value is a unique whole number and the name says key/id")
        zeros = recorded_grain(values[finite])
        nearest = "" if zeros is None else f", recorded to the nearest {10**-zeros:,}"
        return spec(
            ColumnKind.DISCRETE,
            f"whole numbers only ({n_unique:,} distinct values, {_shown_range(values[finite], True)}{nearest})",
            decimals=zeros,
        )
    places = recorded_decimals(values[finite])
    grain = "" if places is None else f", recorded to {places} decimal place{'s' if places != 1 else ''}"
    return spec(
        ColumnKind.CONTINUOUS,
        f"numbers with fractions ({n_unique:,} distinct, {_shown_range(values[finite], False)}{grain})",
        decimals=places,
    )


def recorded_grain(values: np.ndarray) -> int | None:
    """For whole numbers all recorded to tens, hundreds, … (salaries to the nearest 100, house values to the
    nearest 100): minus the most zeros every value ends in (-2), down to :data:`MIN_DECIMALS`; else None.

    Synthetic values are rounded to it as to recorded decimals: a salary of 57,732 beside real ones that all end
    in 00 is a tell. It needs :data:`MIN_GRAIN_VALUES` distinct non-zero values, so a column of a few round codes
    (a year of 2000 and 2010) says nothing about a grain.
    """
    values = np.asarray(values, dtype=np.float64)
    nonzero = np.unique(values[np.isfinite(values) & (values != 0)])
    if len(nonzero) < MIN_GRAIN_VALUES or np.abs(nonzero).max() >= 2.0**53:  # beyond 2**53 floats skip integers
        return None
    grain = None
    for zeros in range(1, -MIN_DECIMALS + 1):
        if np.any(np.fmod(nonzero, 10.0**zeros) != 0):
            break
        grain = -zeros
    return grain


def recorded_decimals(values: np.ndarray) -> int | None:
    """The fewest decimal places (0 to :data:`MAX_DECIMALS`) at which every value is exact, or None.

    Values read from text are binary approximations of decimals (0.1 is not exact), so "exact" allows a few units
    of float rounding in the scaled value, never a real digit: 361690.84 is 2 places, 361690.8437 is 4.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if not len(values):
        return None
    for places in range(MAX_DECIMALS + 1):
        if np.all(exact_at(values, places)):
            return places
    return None


def value_places(values: np.ndarray) -> np.ndarray:
    """Each value's fewest decimal places at which it is exact, judged as :func:`recorded_decimals` judges a column
    (negative for a grain: 72100.0 is -2, down to :data:`MIN_DECIMALS`); a value finer than :data:`MAX_DECIMALS`
    places gets ``MAX_DECIMALS + 1``, a missing or infinite one ``MIN_DECIMALS - 1``."""
    x = np.asarray(values, dtype=np.float64)
    places = np.full(len(x), MAX_DECIMALS + 1, dtype=np.int64)
    open_ = np.isfinite(x)
    places[~open_] = MIN_DECIMALS - 1
    for p in range(MAX_DECIMALS + 1):  # each value takes the first place at which it is exact
        at = np.flatnonzero(open_)
        exact = at[exact_at(x[at], p)]
        places[exact] = p
        open_[exact] = False
    # Grains only for whole numbers: scaled down, a small fraction is within the slack of zero (0.000922 at -6).
    whole = places == 0
    for p in range(-1, MIN_DECIMALS - 1, -1):
        whole &= exact_at(x, p)
        places[whole] = p
    return places


def exact_at(values: np.ndarray, places: int) -> np.ndarray:
    """Whether each value is exact at ``places`` decimals: values read from text are binary approximations of
    decimals, so a few units of float rounding in the scaled value are allowed, never a real digit."""
    scaled = values * 10.0**places
    slack = 1e-9 + 16 * np.finfo(np.float64).eps * np.abs(scaled)
    return np.abs(scaled - np.round(scaled)) <= slack


def _infer_text(
    name: str,
    dtype: str,
    present: pd.Series,
    sample: pd.Series,
    n_present: int,
    n_unique: int,
    unique_share: float,
    spec: Any,
) -> ColumnSpec:
    if n_unique == 2:
        labels = [str(v).strip() for v in present.unique()]
        lowered = {v.lower() for v in labels}
        if lowered <= (_TRUE | _FALSE) and lowered & _TRUE and lowered & _FALSE:
            return spec(ColumnKind.BOOLEAN, f"two values that read as yes/no ({', '.join(sorted(labels))})")
    text = sample.astype(str).str.strip()
    found = detect_datetime_format(text)
    if found is not None:
        fmt, share, ambiguous = found
        if fmt == ISO8601:
            reason = f"{share:.0%} of sampled values are ISO 8601 dates/times in mixed forms"
        else:
            reason = f"{share:.0%} of sampled values are dates in the form {describe_format(fmt)}"
        if ambiguous:
            reason += " (month/day order would read them too: change the format if they are month first)"
        return spec(ColumnKind.DATETIME, reason, datetime_format=fmt)
    values = text.tolist()
    # Dates pandas cannot hold (0001-01-01, 9999-12-31) stay text, and are neither phone numbers nor amounts.
    beyond = dates_beyond_timestamps(text)
    pii = detect_pii(name, values) if beyond is None else None
    if pii is not None:
        pii_type, reason = pii
        return spec(ColumnKind.PII, reason, pii_type=pii_type)
    number = detect_number_format(text) if beyond is None else None
    if isinstance(number, tuple):  # "$1,234.50", "12%": an amount or a rate, not a label
        layout, share = number
        parsed = parse_numbers(present, layout).dropna()
        words = f"text numbers {describe_number_format(layout)}"
        if share < 1:
            words += f" ({1 - share:.0%} of sampled values are not, and are read as missing)"

        def as_text_number(kind: ColumnKind, reason: str, **extra: Any) -> ColumnSpec:
            if kind is ColumnKind.DATETIME:  # 8-digit or Unix-time-like amounts are still amounts here
                return spec(ColumnKind.DISCRETE, f"{words}: whole numbers", number_format=layout)
            if not kind.is_numeric:  # a key or a date written with separators: no layout to write it back in
                return spec(kind, f"{words}, but {reason}", **extra)
            return spec(kind, f"{words}: {reason}", number_format=layout, **extra)

        sampled = parse_numbers(sample, layout).dropna()
        return _infer_numeric(name, dtype, parsed, sampled, len(parsed), int(parsed.nunique()), as_text_number)
    # Numbers whose separators read two ways (or dates beyond pandas') stay text; the reason says why, whatever kind
    # the text gets.
    note = f"; {number}" if isinstance(number, str) else (f"; {beyond}" if beyond else "")
    lengths = text.str.len()
    mean_length = float(lengths.mean())
    spaced = float(text.str.contains(" ", regex=False).mean())
    if mean_length > 40 and spaced >= 0.5 and unique_share > 0.5:
        return spec(
            ColumnKind.TEXT,
            f"long strings ({mean_length:.0f} characters on average, {spaced:.0%} with spaces, "
            f"{unique_share:.0%} unique)",
        )
    templated = detect_templates(present, text) if beyond is None and n_present >= MIN_SINGLETON_ROWS else None
    # A key's layout is worded at times ("DE89 3704 …"): codes stay identifiers, whatever their templates say.
    if templated is not None and detect_code_identifier(values, n_unique) is None:
        return spec(ColumnKind.CATEGORICAL, f"{templated}{note}", templated=True)
    if unique_share > 0.95 and n_present > 50:
        return spec(
            ColumnKind.IDENTIFIER,
            f"{unique_share:.1%} of values are unique strings shaped like {_pattern_of(values)}{note}",
        )
    code = detect_code_identifier(values, n_unique) if beyond is None else None  # ####-##-## is a date's shape
    if code is not None:
        return spec(ColumnKind.IDENTIFIER, code)
    if n_present >= MIN_SINGLETON_ROWS:
        once = singleton_share(present)
        if once >= SINGLETON_SHARE:
            return spec(
                ColumnKind.IDENTIFIER,
                f"{once:.0%} of values occur only once (shaped like {_pattern_of(values)}): learned as they are, "
                f"they would copy single people's values{note}",
            )
    reason = f"{n_unique:,} distinct values ({unique_share:.1%} unique){note}"
    if text.str.fullmatch(r"0\d+").any() and text.str.fullmatch(r"\d+").all():
        reason += "; digit codes with leading zeros, kept as text"
    return spec(ColumnKind.CATEGORICAL, reason)


def infer_schema(
    df: pd.DataFrame, *, sample_size: int = SAMPLE_SIZE, seed: int = 0, person_column: str | None = None
) -> Schema:
    """Infer the kind of every column of ``df``.

    Args:
        df: a table as read by :func:`synth.read_table`.
        sample_size: pattern checks look at a seeded random sample of this many values per column.
        seed: seed of those samples.
        person_column: the column naming whose row each row is (a patient's visits), when known: the ranges
            the reasons state are read over people (:func:`with_people_ranges`). None: over rows.

    Returns:
        A :class:`Schema` in the column order of ``df``; no column is flagged sensitive or quasi-identifier
        (see :func:`suggest_flags`).

    Raises:
        synth.TableReadError: a table no step can read (:func:`synth.io.frame_checks.check_frame`: two columns of
            one name, list or dict cells, complex numbers, dates beyond pandas' nanoseconds).
    """
    check_frame(df)
    specs = [infer_column(df[c], sample_size=sample_size, seed=seed) for c in df.columns]
    schema = Schema(tuple(with_pointing_keys(df, specs)))  # manager_id → employee_id: a key, not a category
    return schema if person_column is None else with_people_ranges(df, schema, person_column)


def suggest_flags(schema: Schema) -> dict[str, tuple[bool, bool]]:
    """Suggested attacker-model flags from column names: ``{name: (sensitive, quasi_identifier)}``.

    Quasi-identifiers are what a neighbour or a public register knows (age, sex, race, zip code, birth date,
    marital status, country); sensitive columns are what a person would not want known (income, health).
    Only columns with a suggestion are listed; nothing is applied to the schema.
    """
    out: dict[str, tuple[bool, bool]] = {}
    for spec in schema:
        if not spec.kind.is_modelled:
            continue
        sensitive = bool(_SENSITIVE_NAME.search(spec.name))
        quasi = bool(_QI_NAME.search(spec.name)) and not sensitive
        if sensitive or quasi:
            out[spec.name] = (sensitive, quasi)
    return out
