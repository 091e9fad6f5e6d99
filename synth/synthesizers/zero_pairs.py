"""Pairs of common values the real table never holds together ("zero pairs"): a "Never-married" husband, a bank
call on the 17th of May when the bank made none that day, a previous-contact count of 0 with a "failure" outcome of
the previous campaign. Found at fit and kept at sample time by drawing the rows that hold one again
(:func:`synth.synthesizers.row_orders.keep_orders`, beside the orders, ranges and groups).

No model keeps "this pair of values never occurs": trees and copulas draw each column given others and can combine
two common values the training rows never combine. Fitted on the training 80% of Bank Marketing (3,617 rows) and
sampled at its size, the copula drew 501 rows holding a pair whose count in train is 0 and whose count under
independence would be 100 or more (previous = 0 with poutcome = "failure": 182 rows); CART and Pruned CART drew 15
and 27 rows of pairs expected on 30 to 99 rows (day 17 with month "may") (``python -m benchmarks.bench_zero_pairs``).

A pair is kept when its two columns are labels, flags or whole numbers with at most :data:`MAX_ZERO_LEVELS` values,
each value is held by at least :data:`MIN_ZERO_ROWS` training rows (and the model's ``min_category_rows``; people
when the fit knows the person), no training row holds both, and the rows with both columns present would hold it
:data:`MIN_EXPECTED` times or more were the columns independent. The last rule is what tells a structural zero from
a sampling one, and was read off the holdouts of Bank Marketing and Adult (seed 0, 20%): of the pairs absent from
train with an expected count of 20 or more, the holdout held 5 of 142 (each on one row), against 16% of Bank's
pairs expected on 10 to 19 rows and 14% of those expected on 5 to 9; the models drew those from 20 up on 23 to 46
rows per table. At most :data:`MAX_ZERO_PAIRS` are stored, the most expected first.

A stored value is a label or whole number the frequencies of the model already hold (held by many rows): the file
says only that two of them never meet. The DP network does not keep these rules: its ε covers everything its model
holds, and the pairs are read from the data without noise. A calendar's impossible dates are no zero pair on a table
as small as Bank Marketing: the 31st is held by 46 training rows, so the 31st of June is expected on 5 rows only, as
many as the pairs the holdout does hold. They are kept as public knowledge instead
(:mod:`synth.synthesizers.calendar_pairs`), through :func:`model_zeros`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers import persist
from synth.synthesizers.coded_labels import label_positions
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.person_rarity import held_by

#: Fewest training rows (people, when the fit knows the person) that hold each value of a pair.
MIN_ZERO_ROWS = 20
#: Fewest rows a pair would be held by were its columns independent (module docstring: read off two holdouts).
MIN_EXPECTED = 20.0
#: A column with more values than this is not searched (a day of the month's 31 are; an amount's are not).
MAX_ZERO_LEVELS = 50
#: At most this many column pairs are searched, the table's first ones: Adult's 45 (26,049 rows) take 0.03 s.
MAX_ZERO_COLUMN_PAIRS = 2_000
#: At most this many pairs are stored, the most expected first.
MAX_ZERO_PAIRS = 200

_LABELS = (str, bool, int, float)
_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)


@dataclass(frozen=True)
class ZeroPair:
    """No row holds ``first_value`` in ``first`` together with ``second_value`` in ``second``."""

    first: str
    first_value: Any
    second: str
    second_value: Any


persist.register_state_type(ZeroPair)  # saved in model files; loading builds only registered types


@dataclass(frozen=True)
class FoundZero:
    """A pair found on a table, with the rows it would be held by were its columns independent."""

    pair: ZeroPair
    expected: float


def _label(value: Any) -> Any:
    """A value as the model file holds it: a plain Python scalar, a whole number as an int."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and value == round(value):
        return int(value)
    return value


def _whole(series: pd.Series) -> np.ndarray | None:
    """A number column's values as floats (NaN missing) when every present one is a whole number, else None."""
    x = pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
    present = x[~np.isnan(x)]
    return x if np.all(present == np.round(present)) else None


def _coded(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """A column's codes (-1 missing) and its values, or None when it has more than :data:`MAX_ZERO_LEVELS` values
    or fractions."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        x = _whole(series)
        if x is None:
            return None
        codes, uniques = pd.factorize(x)
    else:
        codes, labels = pd.factorize(series)
        uniques = np.asarray(labels, dtype=object)
    if not 2 <= len(uniques) <= MAX_ZERO_LEVELS:
        return None
    return codes.astype(np.int64), np.asarray(uniques, dtype=object)


def search_zero_pairs(
    columns: Mapping[str, pd.Series],
    min_rows: int = MIN_ZERO_ROWS,
    min_expected: float = MIN_EXPECTED,
    people: np.ndarray | None = None,
    limit: int = MAX_ZERO_PAIRS,
) -> tuple[FoundZero, ...]:
    """Every pair of values of two of ``columns`` (labels, flags or whole numbers; missing as NaN) held by no row,
    each value held by at least ``min_rows`` rows (people, when ``people`` gives each row's person), and expected
    on at least ``min_expected`` of the rows with both present were the two independent: at most ``limit``, the
    most expected first (ties in the order of the columns, then of first appearance). One contingency table per
    column pair, counted with ``bincount``."""
    coded: list[tuple[str, np.ndarray, np.ndarray, np.ndarray]] = []
    for name, series in columns.items():
        one = _coded(series)
        if one is None:
            continue
        codes, labels = one
        present = codes >= 0
        held = held_by(codes[present], len(labels), None if people is None else people[present])
        if np.count_nonzero(held >= min_rows) >= 1:
            coded.append((name, codes, labels, held >= min_rows))
    found: list[tuple[float, int, FoundZero]] = []
    for (a, ca, la, common_a), (b, cb, lb, common_b) in itertools.islice(
        itertools.combinations(coded, 2), MAX_ZERO_COLUMN_PAIRS
    ):
        both = (ca >= 0) & (cb >= 0)
        n = int(np.count_nonzero(both))
        if not n:
            continue
        table = np.bincount(ca[both] * len(lb) + cb[both], minlength=len(la) * len(lb)).reshape(len(la), len(lb))
        expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
        zero = (table == 0) & (expected >= min_expected) & common_a[:, None] & common_b[None, :]
        for i, j in zip(*np.nonzero(zero), strict=True):
            pair = ZeroPair(a, _label(la[i]), b, _label(lb[j]))
            found.append((-float(expected[i, j]), len(found), FoundZero(pair, float(expected[i, j]))))
    return tuple(f for _, _, f in sorted(found, key=lambda t: t[:2])[:limit])


def zero_inputs(data: pd.DataFrame, schema: Schema, skip: Iterable[str] = ()) -> dict[str, pd.Series]:
    """The columns a pair may join: the modelled labels, flags and numbers of ``data`` but ``skip`` (columns an
    exact rule computes: the rule keeps them) and the hidden parts a timestamp is split into (not the user's)."""
    from synth.synthesizers.time_of_day import is_time_of_day  # (imports the models' shared modules)
    from synth.synthesizers.weekdays import is_hidden_weekday

    left = set(skip)
    return {
        s.name: data[s.name]
        for s in schema
        if s.kind in _KINDS
        and s.name in data
        and s.name not in left
        and not is_time_of_day(s)
        and not is_hidden_weekday(s)
    }


def frame_zero_pairs(
    data: pd.DataFrame,
    schema: Schema,
    skip: Iterable[str] = (),
    min_rows: int = MIN_ZERO_ROWS,
    people: np.ndarray | None = None,
) -> tuple[ZeroPair, ...]:
    """The pairs a model keeps (``zero_pairs_``): every one found on its training rows, each value held by at least
    ``min_rows`` of them (at least :data:`MIN_ZERO_ROWS`), or that many people when ``people`` is given."""
    found = search_zero_pairs(zero_inputs(data, schema, skip), max(int(min_rows), MIN_ZERO_ROWS), people=people)
    return tuple(f.pair for f in found)


def model_zeros(model: object) -> tuple[ZeroPair, ...]:
    """The pairs a fitted model keeps on whole rows, its calendar's too (a day past its month's length,
    :mod:`synth.synthesizers.calendar_pairs`: the same rule, not learned from counts), each once; () for models
    without them and files saved before them."""
    return tuple(dict.fromkeys((*getattr(model, "zero_pairs_", ()), *getattr(model, "calendar_pairs_", ()))))


def zero_columns(zeros: Sequence[ZeroPair]) -> list[str]:
    """The columns of ``zeros``, each once (for matching a redrawn row's missing values)."""
    return list(dict.fromkeys(c for z in zeros for c in (z.first, z.second)))


def _value_codes(series: pd.Series, values: Sequence[Any]) -> np.ndarray:
    """Each row's position among ``values`` (-1 for a missing value or another one); a number column is read
    rounded to whole numbers, as conforming writes it; a label column by :func:`label_positions`."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) == len(values):
            x = np.round(pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64))
            index = pd.Index(np.asarray(values, dtype=np.float64))
            return np.asarray(index.get_indexer(pd.Index(x)), dtype=np.int64)
    return label_positions(series, values)  # (a categorical column: through its categories, coded_labels)


def zero_rows(body: pd.DataFrame, zeros: Sequence[ZeroPair]) -> np.ndarray:
    """Rows of ``body`` that hold any of ``zeros``. Each column is coded once against all its stored values and
    each column pair read through one table of its pairs: 200 pairs over ten columns cost ten codings."""
    bad = np.zeros(len(body), dtype=bool)
    if not zeros:
        return bad
    values: dict[str, list[Any]] = {}
    for z in zeros:
        for name, value in ((z.first, z.first_value), (z.second, z.second_value)):
            if value not in values.setdefault(name, []):
                values[name].append(value)
    codes = {name: _value_codes(body[name], vs) for name, vs in values.items()}
    by_columns: dict[tuple[str, str], list[ZeroPair]] = {}
    for z in zeros:
        by_columns.setdefault((z.first, z.second), []).append(z)
    for (a, b), pairs in by_columns.items():
        table = np.zeros((len(values[a]) + 1, len(values[b]) + 1), dtype=bool)  # the last row and column: others
        for z in pairs:
            table[values[a].index(z.first_value), values[b].index(z.second_value)] = True
        bad |= table[codes[a], codes[b]]  # (-1 reads the last row or column: never a pair)
    return bad


def replace_zero_rows(body: pd.DataFrame, zeros: Sequence[ZeroPair], broken: np.ndarray) -> bool:
    """Give every row still holding one of ``zeros`` after the redraw rounds (rows of a missing pattern the model
    seldom draws) the values of a row that holds none and is not ``broken`` (breaks no other rule), taken in
    turn; whether any was. A pair has no value to clip towards, as an order or a range has."""
    bad = zero_rows(body, zeros)
    if not bad.any():
        return False
    clean = np.flatnonzero(~bad & ~broken)
    if not len(clean):
        return False
    rows = np.flatnonzero(bad)
    donors = clean[np.arange(len(rows)) % len(clean)]
    for name in body.columns:
        column = body[name].to_numpy(copy=True)
        column[rows] = column[donors]
        body[name] = column
    return True


def _words(value: Any) -> str:
    return str(value)


def describe_zeros(model: object, shown: int = 4) -> str | None:
    """The pairs a fitted model keeps, the most expected first, e.g. "relationship = Husband with marital_status =
    Never-married, day = 17 with month = may and 3 more pairs (never together in a training row)."; None when it
    keeps none. Each value follows its column's name after "=": Bank Marketing's columns are words ("previous 0
    with poutcome failure" read in the browser as a sentence, not as two columns and their values)."""
    zeros = tuple(getattr(model, "zero_pairs_", ()))  # (the calendar's are said on a line of their own)
    if not zeros:
        return None
    clauses = [f"{z.first} = {_words(z.first_value)} with {z.second} = {_words(z.second_value)}" for z in zeros[:shown]]
    more = len(zeros) - len(clauses)
    if more:
        listed = ", ".join(clauses) + f" and {more} more pair{'s' if more > 1 else ''}"
    else:
        listed = clauses[0] if len(clauses) == 1 else ", ".join(clauses[:-1]) + " and " + clauses[-1]
    return f"{listed} (never together in a training row)."


def _allowed(value: Any, domain: Any) -> bool:
    """Whether ``value`` is one a model's column domain holds: a label it saw (rare labels are "(other)" there),
    or a whole number inside its range."""
    if domain.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
        flag = isinstance(value, bool)  # (True == 1: a flag is never a number's label, nor the other way round)
        held = (v for v in domain.values if isinstance(_label(v), bool) == flag)
        return isinstance(value, _LABELS) and any(value == v for v in held)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return False
    if value != round(value) or domain.low is None or domain.high is None:
        return False
    return bool(domain.low <= value <= domain.high)


def check_zeros(model: Any, names: set[str]) -> None:
    """A loaded model's ``zero_pairs_`` (absent from files saved before them): at most :data:`MAX_ZERO_PAIRS`
    distinct pairs of two different columns the model draws, each value one the model's column domain holds (a
    label it saw, a whole number inside its range). Anything else is refused with the project's load error."""
    from synth.synthesizers.state_checks import fail

    zeros = getattr(model, "zero_pairs_", ())
    if not isinstance(zeros, tuple) or not all(isinstance(z, ZeroPair) for z in zeros):
        fail("the zero_pairs_ are not zero pairs")
    if len(zeros) > MAX_ZERO_PAIRS:
        fail(f"the zero_pairs_ hold {len(zeros)} pairs, more than {MAX_ZERO_PAIRS}")
    domains = {d.name: d for d in getattr(model, "domain_", ())}
    seen: set[tuple[str, str, str, str]] = set()
    for k, z in enumerate(zeros):
        label = f"zero_pairs_ pair {k}"
        columns = (z.first, z.second)
        if not all(isinstance(c, str) and c in names and c in domains for c in columns) or z.first == z.second:
            fail(f"{label} names a column the model does not draw, or one column twice")
        if not all(domains[c].kind in _KINDS for c in columns):
            fail(f"{label} names a column that is not labels or numbers")
        for column, value in ((z.first, z.first_value), (z.second, z.second_value)):
            if not _allowed(value, domains[column]):
                fail(f"{label} holds a value {column!r} does not hold")
        key = (z.first, repr(z.first_value), z.second, repr(z.second_value))
        if key in seen:
            fail(f"{label} is stored twice")
        seen.add(key)


ZEROS_ARTIFACT = ArtifactItem(
    "Impossible pairs",
    "for two common values of two columns that no training row holds together though many would were the columns "
    "independent (a never-married husband): the two columns and the two values",
    "aggregates",
    "Kept only when each value is held by at least 20 training rows (and min_category_rows; people when the fit "
    "knows the person) and the pair would be held by at least 20 rows were the columns independent; labels the "
    "frequencies above already hold, or whole numbers; at most 200 pairs, the most expected first.",
    held_in=("zero_pairs_",),
)
