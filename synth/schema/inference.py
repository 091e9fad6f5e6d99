"""Inference of column kinds, each with the reason for it.

Inference looks at each column once: counts (missing values, distinct values) on the whole column, and the
more expensive pattern checks (dates, emails, names, ...) on a seeded random sample of its values, so a
million-row table is typed in seconds. Every inferred kind comes with the reason for it, in words a user can
check ("99.8% of values are unique strings shaped like C########"). Personal data and identifiers are found
by their content (:mod:`synth.schema.pii`), whatever the column is called. This module dispatches each column to
its kind: booleans, constants, dates and text here; numbers, stored or written as text, in
:mod:`synth.schema.number_kinds`.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from synth.io.frame_checks import check_frame
from synth.schema.dates import dates_beyond_timestamps, describe_format, detect_datetime_format
from synth.schema.foreign_keys import with_pointing_keys
from synth.schema.kinds import ISO8601, ColumnKind, ColumnSpec, Schema
from synth.schema.number_kinds import infer_numeric, with_people_ranges
from synth.schema.number_text import describe_number_format, detect_number_format, parse_numbers
from synth.schema.pii import (
    MIN_SINGLETON_ROWS,
    SINGLETON_SHARE,
    detect_code_identifier,
    detect_iban_identifier,
    detect_pii,
    singleton_share,
    with_legend,
)
from synth.schema.text_templates import detect_templates

#: A constant's value is named in its reason only when at least this many rows hold it.
MIN_CONSTANT_ROWS = 5

#: Values above this many rows are checked for patterns on a seeded random sample.
SAMPLE_SIZE = 2_000

_TRUE = {"true", "t", "yes", "y"}
_FALSE = {"false", "f", "no", "n"}

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
        return infer_numeric(name, dtype, present, sample, n, n_unique, spec)
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
    iban = detect_iban_identifier(values) if beyond is None else None
    if iban is not None:
        return spec(ColumnKind.IDENTIFIER, iban)
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
        return infer_numeric(name, dtype, parsed, sampled, len(parsed), int(parsed.nunique()), as_text_number)
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
            the reasons state are read over people (:func:`~synth.schema.number_kinds.with_people_ranges`). None:
            over rows.

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
