"""Rare values counted in people, not rows: one person's many rows never make their value common.

Why
    The rare-value rules of every model without a formal guarantee count rows: a category held by fewer than
    ``min_category_rows`` rows becomes "(other)", every quantile knot and range end is a mean of at least five rows
    (:data:`synth.synthesizers.marginals.TAIL_ROWS`), CART pools numbers seen fewer than ``smooth_below`` times
    into bands. A person with many rows holds a person-level value on every one of them: on a seeded table of 500
    patients with 1 to 8 visits, one patient's diagnosis, height (231.4 cm) and date of birth (1903-04-05), on
    that patient's 8 visits, passed every rule. All four models without a guarantee drew the diagnosis (5 to 36
    rows in 5,000), CART drew the height 31 times and the date of birth 11 times, and the copula's and the
    independent marginals' files held both as knots (session 28, ``tests/unit/test_person_rarity.py``).

What
    When the fit knows the person (the column it is told, else the one
    :func:`synth.schema.entities.entity_column` finds, as for holding person-level values), a value held by
    fewer than k people is rare whatever its rows (k: ``min_category_rows`` for categories, ``TAIL_ROWS`` for
    numbers and dates, as for the knots). Categories so held become "(other)" (:func:`person_codes` feeds
    :func:`synth.synthesizers.rare_categories.hide_rare_categories`). A number or date so held on k or more
    rows (the ones the row rules take for common) is replaced, before any model sees it, by the mean of a block
    of at least k people's values (:func:`pool_person_values`): the values so held, one per person, in value
    order, cut into disjoint blocks of k or more (disjoint, so no two blocks' means differ by one person's
    value), a block short of k people filled with the nearest values of other people (which keep their own).
    Means are rounded to the column's grid. One person's value then moves what a model sees by at most 1/k of
    its change, and the models' row rules treat the pooled value like any other.

    Given a generator, each person's pooled value is then drawn uniformly within its block's cell: from halfway
    to the block mean below to halfway to the one above (the first and last blocks reach no further out than their
    own means), rounded to the grid again. A cell is made of block means alone, so what a model sees still moves
    by at most about 1/k of one person's change. Left at the means, a column of person-level dates could come back
    in clumps: on session 40's card transactions (``benchmarks.walk_tables.card_transactions``, seed 3) 598
    synthetic accounts shared 117 opening dates under Pruned CART (the real ones: about one a day of its own);
    drawn within cells, 328. CART then still drew a busy account's date, common by its rows, for several synthetic
    accounts: its bands now count people too (:func:`synth.synthesizers.rare_bands.smoothing_ranges`), 556 dates
    (``python -m benchmarks.bench_person_dates`` for the discriminator's figures).

    A column whose present values fewer than k people hold in all (on k or more rows) has no block of k people to
    make: it is learned as missing, with a fit warning naming it (:func:`few_people_columns`).

    A value on fewer than k rows is left alone: every row rule at its default already treats it as rare, and
    pooling it too broke exact rules (a customer's two orders of one product at one price: the shop walk's
    total = quantity × unit_price rule was no longer found). A model with a guarantee reads none of this: its
    guarantee is stated per row.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from synth.schema.dates import DAY_NS
from synth.schema.entities import FIND_PERSON, PersonColumn, entity_column
from synth.schema.kinds import ColumnKind, Schema
from synth.synthesizers.marginals import NUMERIC_KINDS, TAIL_ROWS


def person_column_of(df: pd.DataFrame, schema: Schema, person_column: PersonColumn) -> str | None:
    """The column naming the person behind each row: the one told, else the one found; None for none."""
    if person_column is FIND_PERSON:
        found = entity_column(df, schema)
        return None if found is None else found.column
    return person_column


def person_codes(df: pd.DataFrame, column: str | None) -> np.ndarray | None:
    """Each row's person as a code; a row naming no one is a person of its own. None when no one is named."""
    if column is None or not df[column].notna().any():
        return None
    codes = pd.factorize(df[column])[0]
    unnamed = codes < 0
    codes[unnamed] = codes.max() + 1 + np.arange(int(unnamed.sum()))
    return codes


def people_per_value(series: pd.Series, people: np.ndarray) -> pd.Series:
    """How many distinct people hold each present value of ``series``."""
    return pd.Series(people, index=series.index).groupby(series, observed=True, dropna=True).nunique()


def held_by(codes: np.ndarray, size: int, people: np.ndarray | None) -> np.ndarray:
    """How many rows hold each of ``size`` codes (0 … size - 1, one per row), or distinct people when ``people`` is
    given: a value, pair or level on one customer's 10 orders is held by one customer. The region rules of the
    models (pairs of values, category ranges' levels, CART's leaves) read it."""
    if people is None:
        return np.bincount(codes, minlength=size)
    span = int(people.max()) + 1 if len(people) else 1
    return np.bincount(sorted_unique(codes.astype(np.int64) * span + people) // span, minlength=size)


def distinct_people(people: np.ndarray) -> int:
    """How many distinct people ``people`` (codes, one per row) holds."""
    return len(sorted_unique(np.asarray(people)))


def sorted_unique(keys: np.ndarray) -> np.ndarray:
    """``np.unique(keys)`` for a flat array, by a sort: numpy 2.4's hashed unique took 0.17 s on 200,000 integer
    keys where the sort takes 0.015 s (8 of a 200,000-row person table's 62 s CART fit, session 31)."""
    ordered = np.sort(keys)
    return ordered[np.r_[True, ordered[1:] != ordered[:-1]]] if len(ordered) else ordered


def few_people_columns(
    data: pd.DataFrame, schema: Schema, people: np.ndarray | None, k: int = TAIL_ROWS
) -> tuple[str, ...]:
    """The numbers, dates and constants of ``schema`` present on ``k`` or more rows that fewer than ``k`` people hold
    in all: the fit learns them as missing (:func:`without_values`).

    Why: a block of ``k`` people's values cannot be made from them, so :func:`pool_person_values` had nothing to mix
    a value with, and its mean was the value itself; a column of one value (a constant) was kept on ``k`` rows, one
    person's. On a visit table where one patient alone had a follow-up time (``2024-03-05 14:30`` on 20 visits), or
    a number (231.4), every model without a guarantee drew it: 113–147 of 2,000 synthetic rows (session 31). One
    patient's 24 visit times were banded among themselves, so CART's draws traced that patient's days. Nothing of
    such a column is learned; the fit warns (:func:`few_people_warning`)."""
    if people is None:
        return ()
    few = []
    for spec in schema:
        if (spec.kind not in NUMERIC_KINDS and spec.kind is not ColumnKind.CONSTANT) or spec.name not in data.columns:
            continue
        present = data[spec.name].notna().to_numpy()
        if int(present.sum()) >= k and distinct_people(people[present]) < k:
            few.append(spec.name)
    return tuple(few)


def without_values(data: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """``data`` with every value of ``columns`` missing (each column's dtype kept where it can hold a gap)."""
    if not columns:
        return data
    out = data.copy()
    nowhere = pd.Series(False, index=data.index)
    for column in columns:
        out[column] = data[column].where(nowhere)
    return out


def few_people_warning(column: str, person: str, k: int = TAIL_ROWS) -> str:
    """The fit warning for a column of :func:`few_people_columns`."""
    return (
        f"{column}: its values are held by fewer than {k} people (counted by {person}), so none of them can be "
        "learned without giving those people's values away; it is learned as missing, and every sampled row leaves "
        "it empty."
    )


def pool_person_values(
    data: pd.DataFrame,
    schema: Schema,
    people: np.ndarray | None,
    k: int = TAIL_ROWS,
    rng: np.random.Generator | None = None,
) -> pd.DataFrame:
    """``data`` with every number and date of ``schema`` held by fewer than ``k`` people on ``k`` or more rows replaced
    by its block's mean, or, given ``rng``, by a draw within its block's cell (see the module docstring); ``data``
    itself when nothing is, or no person is known."""
    if people is None:
        return data
    out = data
    for spec in schema:
        if spec.kind not in NUMERIC_KINDS or spec.name not in data.columns:
            continue
        pooled = _pooled_column(data[spec.name], spec.kind, spec.decimals, people, k, rng)
        if pooled is not None:
            out = out.copy() if out is data else out
            out[spec.name] = pooled
    return out if out is data else _orders_kept(data, out, schema, people)


def _orders_kept(data: pd.DataFrame, pooled: pd.DataFrame, schema: Schema, people: np.ndarray) -> pd.DataFrame:
    """``pooled`` with every order between two dates, or two numbers, that held on every row of ``data`` holding
    again: a pooled value that crossed the other column is set to the person's own bound in it (their earliest
    visit for an enrolment date, floored to the date's grain). A block mean moved an enrolment date past some of its
    patient's visits (0.27% of rows), so enrolled ≤ visit was no longer found, nor kept. The bound is the other
    column's value, never the pooled one's."""
    families = (
        [s for s in schema if s.kind is ColumnKind.DATETIME and s.name in data.columns],
        [s for s in schema if s.kind in NUMERIC_KINDS and s.kind is not ColumnKind.DATETIME and s.name in data.columns],
    )
    out = pooled
    for family in families:
        before = {s.name: _as_floats(data[s.name], s.kind) for s in family}
        after = {s.name: _as_floats(pooled[s.name], s.kind) for s in family}
        changed = {n for n in after if not np.array_equal(after[n], before[n], equal_nan=True)}
        for low in family:
            for high in family:
                a, b = low.name, high.name
                if a == b or not ({a, b} & changed):
                    continue
                both = ~np.isnan(before[a]) & ~np.isnan(before[b])
                if both.sum() < 2 or not (before[a][both] <= before[b][both]).all():
                    continue
                if a in changed:  # the lower one moved up past the person's lowest upper value
                    bound = pd.Series(after[b]).groupby(people).transform("min").to_numpy()
                    fix = (after[a] > bound) & ~np.isnan(bound)
                    after[a] = np.where(fix, _to_grain(bound, data[a], low.kind, np.floor), after[a])
                if b in changed:
                    bound = pd.Series(after[a]).groupby(people).transform("max").to_numpy()
                    fix = (after[b] < bound) & ~np.isnan(bound)
                    after[b] = np.where(fix, _to_grain(bound, data[b], high.kind, np.ceil), after[b])
        for name in changed:
            out = out.copy() if out is pooled else out
            out[name] = _from_floats(after[name], data[name], next(s.kind for s in family if s.name == name))
    return out


def _as_floats(col: pd.Series, kind: ColumnKind) -> np.ndarray:
    """Numbers as floats, dates as UTC nanoseconds (floats), missing as NaN."""
    if kind is ColumnKind.DATETIME:
        naive = col.dt.tz_convert("UTC").dt.tz_localize(None) if getattr(col.dtype, "tz", None) else col
        ns = naive.to_numpy("datetime64[ns]").astype(np.int64).astype(np.float64)
        return np.where(col.isna().to_numpy(), np.nan, ns)
    return col.to_numpy(dtype=np.float64, na_value=np.nan)


def _to_grain(x: np.ndarray, col: pd.Series, kind: ColumnKind, way: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``x`` moved (``way``: floor or ceil) onto the grid ``col``'s present values sit on: days for dates at
    midnight, seconds for other dates, whole numbers for whole numbers; other numbers as they are."""
    values = _as_floats(col, kind)
    present = values[~np.isnan(values)]
    if kind is ColumnKind.DATETIME:
        grain = _date_grain(present)
    elif len(present) and np.all(present == np.round(present)):
        grain = 1.0
    else:
        return x
    return way(x / grain) * grain


def _date_grain(present: np.ndarray) -> float:
    """The grid dates (present UTC nanoseconds) sit on: days when every one is at midnight, else seconds."""
    return float(DAY_NS) if np.all(present % DAY_NS == 0) else 1e9


def _from_floats(x: np.ndarray, like: pd.Series, kind: ColumnKind) -> pd.Series:
    """Floats from :func:`_as_floats` back in ``like``'s dtype."""
    if kind is ColumnKind.DATETIME:
        present = ~np.isnan(x)
        stamps = pd.Series(pd.to_datetime(np.where(present, x, 0).astype(np.int64)), index=like.index).where(present)
        tz = getattr(like.dtype, "tz", None)
        return stamps.dt.tz_localize("UTC").dt.tz_convert(tz) if tz is not None else stamps
    return (
        pd.Series(x, index=like.index).astype(like.dtype) if like.dtype.kind == "f" else pd.Series(x, index=like.index)
    )


def _pooled_column(
    col: pd.Series,
    kind: ColumnKind,
    decimals: int | None,
    people: np.ndarray,
    k: int,
    rng: np.random.Generator | None = None,
) -> pd.Series | None:
    present = col.notna().to_numpy()
    if not present.any():
        return None
    x = _as_floats(col, kind)
    pairs = pd.DataFrame({"x": x[present], "p": people[present]})
    rows = pairs["x"].value_counts()
    held = pairs.drop_duplicates().groupby("x")["p"].size()
    rare = held.index[(held < k) & (rows.reindex(held.index) >= k)]
    if not len(rare):
        return None
    unique = pairs.drop_duplicates()
    targets = unique[unique["x"].isin(rare)].sort_values(["x", "p"], kind="stable")
    others = unique[~unique["x"].isin(rare)]
    means = _block_means(targets["x"].to_numpy(), others["x"].to_numpy(), k)
    if rng is not None:
        means = _within_cells(means, rng)
    if kind is ColumnKind.DATETIME:
        grain = _date_grain(x[present])
        means = np.round(means / grain) * grain
    elif decimals is not None or kind is ColumnKind.DISCRETE:
        means = np.round(means, 0 if decimals is None else decimals)
    key = pd.MultiIndex.from_arrays([targets["x"].to_numpy(), targets["p"].to_numpy()])
    lookup = pd.Series(means, index=key)
    new = lookup.reindex(pd.MultiIndex.from_arrays([x, people])).to_numpy()
    return _from_floats(np.where(~np.isnan(new), new, x), col, kind)


def _within_cells(means: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each of ``means`` (one per person's value, equal within a block) replaced by a uniform draw within its block's
    cell: from halfway to the next lower block mean to halfway to the next higher one, the outermost cells ending at
    their own means. A single block keeps its mean (no cell can be made without another block's)."""
    centres = np.unique(means)
    if len(centres) < 2:
        return means
    halfway = (centres[:-1] + centres[1:]) / 2
    lower = np.r_[centres[0], halfway]
    upper = np.r_[halfway, centres[-1]]
    at = np.searchsorted(centres, means)
    return lower[at] + rng.random(len(means)) * (upper[at] - lower[at])


def _block_means(values: np.ndarray, fillers: np.ndarray, k: int) -> np.ndarray:
    """For each of the sorted ``values`` (one per person), the mean of its block: disjoint runs of ``k`` or more in
    value order, the last short run joined to the one before; one short block takes the nearest ``fillers``."""
    n = len(values)
    if n >= k:
        block = np.minimum(np.arange(n) // k, n // k - 1)
        sums = np.bincount(block, weights=values)
        return (sums / np.bincount(block))[block]
    if len(fillers):
        distance = np.abs(fillers[:, None] - values[None, :]).min(axis=1)
        nearest = fillers[np.argsort(distance, kind="stable")[: k - n]]
        return np.full(n, float(np.concatenate([values, nearest]).mean()))
    return np.full(n, float(values.mean()))
