"""Exact conditioning of the DP Bayesian network by likelihood weighting in its ancestral order.

Each attribute is drawn from its (noisy) table row given its parents, as in unconditioned sampling. At a
conditioned attribute the row is restricted to the codes that meet the condition, each code weighted by the
share of its values inside the condition (a bin a range cuts through counts by the part of the bin inside
the range, since values are uniform within a bin), and the row's weight is multiplied by the restricted mass.
A conditioned numeric value is then drawn inside the part of its bin that meets the condition (for whole numbers
with fine cells, by the bin's fine weights there, and a bin's share is its fine weight inside the condition).

A rare value the privacy noise erased from every row of its table (all its noisy counts clipped to zero)
would make it impossible to condition on, though the domain (public, see :attr:`PrivBayes.guarantee`) says
it occurred. So each conditioned table row is mixed with a uniform distribution of weight
:data:`RARE_FLOOR`: where the noisy table gives the value mass, the floor is negligible; where it gives it
none anywhere, the value is still drawn, with its ancestors as the model has them and its descendants from
their tables. This is post-processing of the differentially private tables and costs no privacy.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synth.synthesizers.conditional.intervals import (
    Interval,
    admissible,
    category_allowed,
    missing_allowed,
    present_allowed,
)
from synth.synthesizers.conditions import Condition
from synth.synthesizers.privbayes import MISSING, BinnedColumn, NoisyTable, configurations

RARE_FLOOR = 1e-9


def _to_model(column: BinnedColumn) -> Any:
    if column.kind.name == "DATETIME":

        def convert(value: Any) -> float:
            ts = pd.Timestamp(value)
            ns = ts.tz_convert("UTC").tz_localize(None).value if ts.tz is not None else ts.value
            return (ns - column.origin) / column.unit

        return convert
    return float


def code_shares(column: BinnedColumn, cond: Condition) -> tuple[np.ndarray, list[Interval] | None]:
    """Per code, the share of its values that meet ``cond``; the value intervals for numeric columns."""
    if column.categorical:
        return category_allowed(column.categories, cond, MISSING).astype(float), None
    size = column.size
    shares = np.zeros(size)
    n_bins = len(column.low)
    if missing_allowed(cond) and column.has_missing:
        shares[n_bins] = 1.0
    if not present_allowed(cond):
        return shares, None
    items = cond if isinstance(cond, list) else [cond]
    present = [c for c in items if c is not None]
    grain = 1.0 if column.integer else 0.0
    intervals = admissible(present if isinstance(cond, list) else present[0], grain, _to_model(column))
    low, high = column.low, column.high
    if column.integer and column.fine is not None:
        return np.minimum(_fine_shares(column, intervals, shares), 1.0), intervals
    for a, b in intervals:
        if column.integer:
            # Whole values low..high, each equally likely: count those inside [a, b] (their rounding cells).
            first, last = np.maximum(low, np.ceil(a)), np.minimum(high, np.floor(b))
            inside = np.clip(last - first + 1.0, 0.0, None)
            shares[:n_bins] += inside / (high - low + 1.0)
        else:
            width = high - low
            cut = np.clip(np.minimum(high, b) - np.maximum(low, a), 0.0, None)
            point = width <= 0
            shares[:n_bins] += np.where(point, (low >= a) & (low <= b), cut / np.where(point, 1.0, width))
    return np.minimum(shares, 1.0), intervals


def _allowed_values(column: BinnedColumn, intervals: list[Interval]) -> tuple[float, np.ndarray]:
    """The first whole number of a column with fine cells, and which of its whole numbers meet the intervals."""
    assert column.fine is not None
    origin = float(column.low.min())
    values = origin + np.arange(len(column.fine))
    allowed = np.zeros(len(values), dtype=bool)
    for a, b in intervals:
        allowed |= (values >= np.ceil(a)) & (values <= np.floor(b))
    return origin, allowed


def _fine_shares(column: BinnedColumn, intervals: list[Interval], shares: np.ndarray) -> np.ndarray:
    """:func:`code_shares` for whole numbers drawn by fine cells: a bin's share is its fine weight inside."""
    assert column.fine is not None
    origin, allowed = _allowed_values(column, intervals)
    total = np.concatenate([[0.0], np.cumsum(np.where(allowed, column.fine, 0.0))])
    count = np.concatenate([[0], np.cumsum(allowed)])
    first = (column.low - origin).astype(np.int64)
    last = (column.high - origin).astype(np.int64) + 1
    spans = column.low < column.high
    n_bins = len(column.low)
    shares[:n_bins] += np.where(spans, total[last] - total[first], (count[last] - count[first]) > 0)
    return shares


def _decode_fine(
    column: BinnedColumn, codes: np.ndarray, missing: np.ndarray, intervals: list[Interval], rng: np.random.Generator
) -> np.ndarray:
    """Whole numbers inside the intervals, drawn within each row's bin by the fine weights (as unconditioned)."""
    assert column.fine is not None
    origin, allowed = _allowed_values(column, intervals)
    values = column.low[np.where(missing, 0, codes)].astype(float)
    for code in np.unique(codes[~missing]):
        rows = np.flatnonzero((codes == code) & ~missing)
        first, last = int(column.low[code] - origin), int(column.high[code] - origin)
        ok = allowed[first : last + 1]
        if not ok.any():
            continue
        w = column.fine[first : last + 1] * ok if column.low[code] < column.high[code] else ok.astype(float)
        if w.sum() <= 0:
            w = ok.astype(float)
        values[rows] = origin + first + rng.choice(len(w), len(rows), p=w / w.sum())
    return values


def draw_restricted(
    table: NoisyTable, shares: np.ndarray, codes: np.ndarray, sizes: tuple[int, ...], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Codes drawn from the table rows restricted to ``shares``, and each row's restricted mass."""
    probs = np.diff(table.cumulative, axis=1, prepend=0.0)
    k = probs.shape[1]
    probs = (1.0 - RARE_FLOOR) * probs + RARE_FLOOR / k
    restricted = probs * shares[None, :]
    config = configurations(codes, table.parents, sizes)
    rows = restricted[config]
    mass = rows.sum(axis=1)
    cum = np.cumsum(rows, axis=1)
    u = rng.random(len(codes)) * mass
    out = np.minimum((cum < u[:, None]).sum(axis=1), k - 1)
    return out.astype(np.int64), mass


def decode_inside(
    column: BinnedColumn, codes: np.ndarray, intervals: list[Interval], rng: np.random.Generator
) -> pd.Series:
    """Values of a conditioned numeric column: uniform over the part of each bin inside the condition."""
    n_bins = len(column.low)
    missing = codes >= n_bins
    safe = np.where(missing, 0, codes)
    low, high = column.low[safe].astype(float), column.high[safe].astype(float)
    if column.integer and column.fine is not None:
        values = _decode_fine(column, safe, missing, intervals, rng)
        values[missing] = np.nan
        return pd.Series(values) if column.kind.name != "DATETIME" else _dates(column, values, missing)
    if column.integer:
        # Whole values from the first to the last allowed one of the bin, in the chosen interval.
        spans = [(np.maximum(low, np.ceil(a)), np.minimum(high, np.floor(b))) for a, b in intervals]
        lengths = np.column_stack([np.clip(hi - lo + 1.0, 0.0, None) for lo, hi in spans])
    else:
        spans = [(np.maximum(low, a), np.minimum(high, b)) for a, b in intervals]
        lengths = np.column_stack([np.clip(hi - lo, 0.0, None) for lo, hi in spans])
    n = len(codes)
    total = lengths.sum(axis=1)
    pick = np.minimum((np.cumsum(lengths, axis=1) < (rng.random(n) * total)[:, None]).sum(axis=1), len(spans) - 1)
    rows = np.arange(n)
    start = np.column_stack([lo for lo, _ in spans])[rows, pick]
    stop = np.column_stack([hi for _, hi in spans])[rows, pick]
    u = rng.random(n)
    if column.integer:
        values = np.minimum(start + np.floor(u * (stop - start + 1.0)), stop)
    else:
        values = start + u * (stop - start)
    values = np.where(total > 0, values, low)
    values[missing] = np.nan
    if column.kind.name == "DATETIME":
        return _dates(column, values, missing)
    return pd.Series(values)


def _dates(column: BinnedColumn, values: np.ndarray, missing: np.ndarray) -> pd.Series:
    from synth.synthesizers.cart import datetimes_from_units

    return datetimes_from_units(values, missing, column.origin, column.unit, column.tz)


def sample_weighted(
    model: Any, m: int, rng: np.random.Generator, conditions: dict[str, Condition]
) -> tuple[pd.DataFrame, np.ndarray]:
    """``m`` candidate rows meeting ``conditions`` and their likelihood weights under the noisy network."""
    columns: tuple[BinnedColumn, ...] = model.columns_
    sizes = tuple(c.size for c in columns)
    codes = np.zeros((m, len(sizes)), dtype=np.int64, order="F")
    weights = np.ones(m)
    intervals: dict[int, list[Interval]] = {}
    for table in model.tables_:
        column = columns[table.child]
        if column.name in conditions:
            shares, cut = code_shares(column, conditions[column.name])
            codes[:, table.child], mass = draw_restricted(table, shares, codes, sizes, rng)
            weights *= mass
            if cut is not None:
                intervals[table.child] = cut
        else:
            codes[:, table.child] = table.draw(codes, sizes, rng)
    out = {}
    for j, column in enumerate(columns):
        if j in intervals:
            out[column.name] = decode_inside(column, codes[:, j], intervals[j], rng)
        else:
            out[column.name] = column.decode(codes[:, j], rng)
    return pd.DataFrame(out, copy=False), weights
