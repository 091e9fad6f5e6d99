"""Date columns that follow one another: a last order never before its customer's signup.

When one date column is at or after an earlier-visited one on every training row (an end after its start), CART
draws the later column as an offset from the earlier one instead of as a date of its own: the donors of its tree
are the training rows' gaps, and a synthetic row's date is its own earlier date plus a gap. The order then holds
on every synthetic row, where drawing each date from its own donors broke it on 2.5% of the rows of a customer
table (the Gaussian copula: 10%; the DP network, which does not use this: 36%).

Only pairs the order actually constrains count: if dates drawn independently from the two columns would break it
on fewer than :data:`MIN_BREAKS` of pairs (every end date after every start date anyway), nothing is gained. The
model file then holds gaps instead of dates, banded like any number (``smooth_below``), and the fact that the
order held on every training row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers.cart_steps import _DAY_NS, CartColumn, datetime_ns

K = TypeVar("K")

#: Smallest share of independently paired dates that would break the order for it to be kept as a rule.
MIN_BREAKS = 0.01


@dataclass(frozen=True)
class DateAnchor:
    """Column ``column`` is drawn as ``sign`` × (its date − ``anchor``'s date), in its own units."""

    column: int
    anchor: int
    sign: float


def in_units_of(values: np.ndarray, source: CartColumn, target: CartColumn) -> np.ndarray:
    """``source``'s model values (its own date units) in ``target``'s units (NaN stays NaN)."""
    ns = source.origin + values * float(source.unit)
    return (ns - float(target.origin)) / float(target.unit)


def _breaks(later: np.ndarray, earlier: np.ndarray, rng: np.random.Generator) -> float:
    """Share of independently paired (earlier, later) values, from samples of each, where later < earlier."""
    a = np.sort(rng.choice(earlier, size=min(len(earlier), 5_000), replace=False))
    b = rng.choice(later, size=min(len(later), 5_000), replace=False)
    return float(np.mean(len(a) - np.searchsorted(a, b, side="right")) / len(a))


def _best_anchor(
    later: np.ndarray, candidates: Iterable[tuple[K, np.ndarray]], rng: np.random.Generator
) -> tuple[K, float] | None:
    """The candidate whose order ``later`` keeps on every row where it is present and which constrains it most
    (the highest share of independent pairs that would break it, at least :data:`MIN_BREAKS`), with the order's
    sign; None when none qualifies. ``later`` has NaN where missing; each candidate is in the same unit, complete."""
    present = ~np.isnan(later)
    if present.sum() < 2:
        return None
    best: tuple[float, K, float] | None = None
    for key, earlier in candidates:
        gap = later[present] - earlier[present]
        for sign in (1.0, -1.0):
            if np.all(sign * gap >= 0):
                breaks = _breaks(sign * later[present], sign * earlier, rng)
                if breaks >= MIN_BREAKS and (best is None or breaks > best[0]):
                    best = (breaks, key, sign)
    return None if best is None else (best[1], best[2])


def find_anchors(columns: Sequence[CartColumn], values: Sequence[np.ndarray], skip: set[str]) -> dict[int, DateAnchor]:
    """For each date column (visit position → anchor), the earlier date column it never precedes or follows.

    ``skip``: columns an exact rule writes (their values may be overwritten after they are drawn). An anchor has
    no missing values, so every synthetic row has a date to add the gap to; its grain fits the later column's.
    """
    dates = [
        j for j, c in enumerate(columns) if c.kind is ColumnKind.DATETIME and not c.categorical and c.name not in skip
    ]
    rng = np.random.default_rng(0)  # samples for the break share only: the model's own stream stays untouched

    def candidates(j: int) -> Iterator[tuple[int, np.ndarray]]:
        for i in dates:
            if i >= j or np.isnan(values[i]).any():
                continue
            earlier = in_units_of(values[i], columns[i], columns[j])
            if np.allclose(earlier, np.round(earlier)):  # a finer grain than j's would need rounding: skipped
                yield i, earlier

    out: dict[int, DateAnchor] = {}
    for j in dates:
        found = _best_anchor(values[j], candidates(j), rng)
        if found is not None:
            out[j] = DateAnchor(j, *found)
    return out


def frame_anchors(data: pd.DataFrame, schema: Schema, skip: set[str]) -> tuple[tuple[str, str, float], ...]:
    """The same rule on a table, for models that see whole columns (the Gaussian copula): (later, earlier, sign)
    for each date column that never precedes (sign 1) or follows (sign -1) an earlier date column of the table,
    in table order, where independently paired dates would break the order on at least :data:`MIN_BREAKS`."""
    dates = [c.name for c in schema if c.kind is ColumnKind.DATETIME and c.name not in skip and c.name in data]
    ns = {name: _nanoseconds(data[name]) for name in dates}
    rng = np.random.default_rng(0)
    out: list[tuple[str, str, float]] = []
    for j, name in enumerate(dates):
        complete = ((e, ns[e]) for e in dates[:j] if not np.isnan(ns[e]).any())
        found = _best_anchor(ns[name], complete, rng)
        if found is not None:
            out.append((name, *found))
    return tuple(out)


def _nanoseconds(series: pd.Series) -> np.ndarray:
    """A date column as float nanoseconds since the epoch, NaN where missing."""
    ns, missing = datetime_ns(series)
    return np.where(missing, np.nan, ns.astype(np.float64))


def to_gaps(
    data: pd.DataFrame, schema: Schema, anchors: Sequence[tuple[str, str, float]]
) -> tuple[pd.DataFrame, Schema]:
    """The table with each later date replaced by its gap in days from its anchor, and its kind made a number."""
    out = data.copy()
    for later, earlier, sign in anchors:
        out[later] = sign * (_nanoseconds(data[later]) - _nanoseconds(data[earlier])) / _DAY_NS
        schema = schema.with_column(later, kind=ColumnKind.CONTINUOUS)
    return out, schema


def from_gaps(body: pd.DataFrame, anchors: Sequence[tuple[str, str, float]]) -> pd.DataFrame:
    """Dates back from their gaps (in table order, so a chain of anchors resolves), never out of order."""
    for later, earlier, sign in anchors:
        start = pd.to_datetime(body[earlier])
        gap = pd.to_numeric(body[later], errors="coerce").clip(lower=0.0)
        body[later] = start + pd.to_timedelta(np.round(sign * gap.to_numpy() * _DAY_NS), unit="ns")
    return body
