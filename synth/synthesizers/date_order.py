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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers.cart_steps import CartColumn, datetime_ns

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


def find_anchors(columns: Sequence[CartColumn], values: Sequence[np.ndarray], skip: set[str]) -> dict[int, DateAnchor]:
    """For each date column (visit position → anchor), the earlier date column it never precedes or follows.

    ``skip``: columns an exact rule writes (their values may be overwritten after they are drawn). An anchor has
    no missing values, so every synthetic row has a date to add the gap to; its grain fits the later column's.
    """
    dates = [
        j for j, c in enumerate(columns) if c.kind is ColumnKind.DATETIME and not c.categorical and c.name not in skip
    ]
    out: dict[int, DateAnchor] = {}
    rng = np.random.default_rng(0)  # samples for the break share only: the model's own stream stays untouched
    for j in dates:
        later = values[j]
        present = ~np.isnan(later)
        if present.sum() < 2:
            continue
        best: tuple[float, DateAnchor] | None = None
        for i in dates:
            if i >= j or np.isnan(values[i]).any():
                continue
            earlier = in_units_of(values[i], columns[i], columns[j])
            if not np.allclose(earlier, np.round(earlier)):
                continue  # a finer grain than the later column's: the sum would need rounding
            gap = later[present] - earlier[present]
            for sign in (1.0, -1.0):
                if np.all(sign * gap >= 0):
                    breaks = _breaks(sign * later[present], sign * earlier, rng)
                    if breaks >= MIN_BREAKS and (best is None or breaks > best[0]):
                        best = (breaks, DateAnchor(j, i, sign))
        if best is not None:
            out[j] = best[1]
    return out


DAY_NS = 86_400 * 10**9


def frame_anchors(data: pd.DataFrame, schema: Schema, skip: set[str]) -> tuple[tuple[str, str, float], ...]:
    """The same rule on a table, for models that see whole columns (the Gaussian copula): (later, earlier, sign)
    for each date column that never precedes (sign 1) or follows (sign -1) an earlier date column of the table,
    in table order, where independently paired dates would break the order on at least :data:`MIN_BREAKS`."""
    dates = [c.name for c in schema if c.kind is ColumnKind.DATETIME and c.name not in skip and c.name in data]
    ns = {name: datetime_ns(data[name]) for name in dates}
    rng = np.random.default_rng(0)
    out: list[tuple[str, str, float]] = []
    for j, later_name in enumerate(dates):
        later, missing = ns[later_name]
        present = ~missing
        if present.sum() < 2:
            continue
        best: tuple[float, tuple[str, str, float]] | None = None
        for earlier_name in dates[:j]:
            earlier, earlier_missing = ns[earlier_name]
            if earlier_missing.any():
                continue
            gap = later[present].astype(np.float64) - earlier[present].astype(np.float64)
            for sign in (1.0, -1.0):
                if np.all(sign * gap >= 0):
                    b = sign * later[present].astype(np.float64)
                    breaks = _breaks(b, sign * earlier.astype(np.float64), rng)
                    if breaks >= MIN_BREAKS and (best is None or breaks > best[0]):
                        best = (breaks, (later_name, earlier_name, sign))
        if best is not None:
            out.append(best[1])
    return tuple(out)


def to_gaps(
    data: pd.DataFrame, schema: Schema, anchors: Sequence[tuple[str, str, float]]
) -> tuple[pd.DataFrame, Schema]:
    """The table with each later date replaced by its gap in days from its anchor, and its kind made a number."""
    out = data.copy()
    for later, earlier, sign in anchors:
        gap = sign * (datetime_ns(data[later])[0].astype(np.float64) - datetime_ns(data[earlier])[0]) / DAY_NS
        out[later] = np.where(datetime_ns(data[later])[1], np.nan, gap)
        schema = schema.with_column(later, kind=ColumnKind.CONTINUOUS)
    return out, schema


def from_gaps(body: pd.DataFrame, anchors: Sequence[tuple[str, str, float]]) -> pd.DataFrame:
    """Dates back from their gaps (in table order, so a chain of anchors resolves), never out of order."""
    for later, earlier, sign in anchors:
        start = pd.to_datetime(body[earlier])
        gap = pd.to_numeric(body[later], errors="coerce").clip(lower=0.0)
        body[later] = start + pd.to_timedelta(np.round(sign * gap.to_numpy() * DAY_NS), unit="ns")
    return body
