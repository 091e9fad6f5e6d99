"""A number column's kind with the reason for it, and the range that reason states.

:func:`infer_numeric` types a column of numbers (stored as numbers, or text numbers parsed by
:mod:`synth.schema.inference`): dates written as whole numbers, card numbers, keys (numbered rows, unique whole
numbers named like a record's number) and measured values, discrete or continuous, at their recorded decimals
(:mod:`synth.schema.recorded_places`). A measured column's reason states its range, rounded outward and read inside
the values its most extreme rows share (:func:`~synth.schema.shared_range.shared_ends`), over people once a person
column is known (:func:`with_people_ranges`).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import numpy as np
import pandas as pd

from synth.schema.dates import integer_date_format
from synth.schema.kinds import ColumnKind, ColumnSpec, Schema
from synth.schema.pii import PII_SHARE, card_share
from synth.schema.recorded_places import recorded_decimals, recorded_grain
from synth.schema.shared_range import shared_ends

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
#: The starts of the reasons :func:`infer_numeric` gives a measured column, whole numbers first.
_MEASURED = ("whole numbers only (", "numbers with fractions (")


def with_people_ranges(df: pd.DataFrame, schema: Schema, person_column: str | None) -> Schema:
    """``schema`` with the range each measured column's reason states read over people: between the values at
    least :data:`~synth.schema.shared_range.TAIL_ROWS` people of ``person_column`` reach (None: rows, as
    :func:`~synth.schema.inference.infer_schema` reads them).

    The person is found after the kinds (:func:`synth.schema.entities.entity_column` reads them), so the reasons
    are worded again once it is known, here: only the range of a reason
    :func:`~synth.schema.inference.infer_schema` wrote for a number column of ``df`` (a reason the user wrote is
    theirs), from the column's values. One employee's 15 payslips at the one top salary were the 15 largest rows:
    read over rows, the reason stated that salary (session 30).
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


def infer_numeric(
    name: str, dtype: str, present: pd.Series, sample: pd.Series, n: int, n_unique: int, spec: Any
) -> ColumnSpec:
    """The kind of a column of numbers (stored as numbers, or written as text and parsed), with the reason for it.

    Whole numbers read as dates (:func:`~synth.schema.dates.integer_date_format`), card numbers, keys (numbered rows
    in order, shuffled or sampled, or unique under a key's name), else as discrete numbers at their grain; fractions
    as continuous numbers at their recorded decimals. ``present`` is the column's non-missing values, ``sample`` the
    seeded sample the pattern checks read, ``n`` the rows and ``n_unique`` the distinct values; ``spec(kind, reason,
    **fields)`` builds the caller's :class:`ColumnSpec` (a text column's words and layout added by its caller).
    """
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
