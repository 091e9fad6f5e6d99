"""Columns that follow one another: a last order never before its customer's signup, bedrooms never more than rooms.

When one date column is at or after an earlier-visited one on every training row (an end after its start), CART
draws the later column as an offset from the earlier one instead of as a date of its own: the donors of its tree
are the training rows' gaps, and a synthetic row's date is its own earlier date plus a gap. The order then holds
on every synthetic row, where drawing each date from its own donors broke it on 2.5% of the rows of a customer
table (the Gaussian copula: 10%; the DP network, which does not use this: 36%).

Numbers keep their order too (session 10), another way: when a number is never above (or never below) an
earlier-visited number on the training rows (all but :data:`NUMBER_TOLERANCE` of them), CART draws it from its
own leaf as before, and the rows that land on the wrong side of that number are drawn again from the same leaf
(:func:`redraw_out_of_order`, up to :data:`ORDER_REDRAWS` rounds; what is left is set to the bound): the leaf's
distribution cut at the bound. Where the bound lies beyond the column's own range, no value keeps both; a column
with missing values is then left missing there, as its training rows with such an anchor had it (session 23: an
8-row table's float came out as 27.0, below its least value 27.35, set to a whole-number bound that only rows
without the float held).
Drawing a number as a gap, as dates are, was measured first and lost fidelity: California Housing's households
(about a third of the population) came back as the population minus a gap twice their size, with twice their
relative error (accuracy 0.930 → 0.920, discriminator AUC 0.64 → 0.69). Drawn from their own donors,
households exceeded a block's population on 0.8% of the synthetic rows and bedrooms its rooms on 0.1%
(``python -m benchmarks.bench_orders``). Numbers and dates are only ever paired with their own kind, and numbers
need at least three distinct values each (a 0/1 flag below another proves nothing). A whole number's bound is its
anchor rounded towards it (:func:`anchor_base`): bedrooms never above a floor area of 3.4 are at most 3. A date of
a coarser grain than its anchor is drawn as a whole gap from it rounded the same way.

Only pairs the order actually constrains count: if values drawn independently from the two columns would break it
on fewer than :data:`MIN_BREAKS` of pairs (every end date after every start date anyway, every weight above every
age), nothing is gained. For a date the model file then holds gaps instead of dates, banded like any number
(``smooth_below``); for either, the fact that the order held on every training row.

An anchor must be present on every row, and keeps one bound. Every other order that holds on the training rows
(one whose earlier date or number has missing values, sessions 18 and 19; a second bound of a column that already
has an anchor, session 20) is kept on whole rows: a sampled row that breaks one is replaced by a fresh one with the
same columns missing (:mod:`synth.synthesizers.row_orders`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.schema.dates import DAY_NS
from synth.synthesizers.cart_steps import CartColumn
from synth.synthesizers.instants import float_ns

K = TypeVar("K")

#: Rounds of redrawing a number's out-of-order rows before the rest are clipped to their anchor.
ORDER_REDRAWS = 50

#: Largest share of training rows that may break a number's order for it still to be kept (a date's order must
#: hold on every row: it is drawn as a gap). California Housing's households exceed the population on 3 blocks of
#: 20,640; the synthetic rows then keep the order on every row, which is nearer the real 0.015% than the 0.6% of
#: rows that broke it when it was not kept.
NUMBER_TOLERANCE = 0.001

#: Smallest share of independently paired dates that would break the order for it to be kept as a rule.
MIN_BREAKS = 0.01


@dataclass(frozen=True)
class Anchor:
    """Column ``column`` keeps ``sign`` × (its value − ``anchor``'s value) ≥ 0: a date is drawn as that gap, a
    number from its own donors, redrawn when it lands on the wrong side."""

    column: int
    anchor: int
    sign: float


def in_units_of(values: np.ndarray, source: CartColumn, target: CartColumn) -> np.ndarray:
    """``source``'s model values (its own date units) in ``target``'s units (NaN stays NaN)."""
    ns = source.origin + values * float(source.unit)
    return (ns - float(target.origin)) / float(target.unit)


def anchor_base(earlier: np.ndarray, sign: float, whole: bool, date: bool = False) -> np.ndarray:
    """What a later column's gap is counted from: its anchor's values (in the later column's units), rounded up
    (sign 1: the later value is never below) or down (sign -1) to a whole unit when the later column is whole, so
    a whole gap keeps both the order and the grain. Values within float error of a whole unit count as whole.

    A date (``date``) is a span, not a point: a delivery dated 5 March is not before an order at 10:00 on 5 March,
    so a later date is counted from its earlier date *floored* to its own unit, whichever the sign (a day-grain
    date never after an earlier time is never after that time's day either). Rounded up, a shop's same-day
    deliveries read as breaking the order, which was then kept by no model: 7.6% of Pruned CART's rows and 21% of
    the copula's had a delivery day before its order."""
    if not whole:
        return earlier
    near = np.round(earlier)
    exact = np.isclose(earlier, near, rtol=0.0, atol=1e-6)
    return np.where(exact, near, np.floor(earlier) if date or sign < 0 else np.ceil(earlier))


def whole_days(values: np.ndarray) -> bool:
    """Whether every present value (nanoseconds, NaN missing) is a whole day, at least one being present."""
    present = values[~np.isnan(values)]
    return bool(len(present)) and not np.any(present % DAY_NS)


def day_floor(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """``earlier`` (nanoseconds, NaN missing) as a later date column is compared with it: floored to the day when
    every present later value is a whole day (a date beside a time: :func:`anchor_base` for tables)."""
    return floor_days(earlier) if whole_days(later) else earlier


def floor_days(ns: np.ndarray) -> np.ndarray:
    """Nanoseconds (NaN missing) floored to the start of their day."""
    return np.floor(ns / DAY_NS) * DAY_NS


def redraw_out_of_order(
    draw: Callable[[np.ndarray], np.ndarray], x: np.ndarray, values: np.ndarray, start: np.ndarray, sign: float
) -> np.ndarray:
    """A number's rows on the wrong side of their anchor's base (``start``) drawn again, ``draw(x[rows])``, from
    their own leaves for up to :data:`ORDER_REDRAWS` rounds: the leaf's distribution cut at the anchor. What is
    still out of order after that is left for the caller's clip."""
    for _ in range(ORDER_REDRAWS):
        bad = np.flatnonzero(sign * (values - start) < 0)
        if not len(bad):
            break
        values[bad] = draw(x[bad])
    return values


def random_breaks(later: np.ndarray, earlier: np.ndarray, rng: np.random.Generator) -> float:
    """Share of independently paired (earlier, later) values, from samples of each, where later < earlier (how much
    an order constrains: the evaluation's check of a table uses it too)."""
    a = np.sort(rng.choice(earlier, size=min(len(earlier), 5_000), replace=False))
    b = rng.choice(later, size=min(len(later), 5_000), replace=False)
    return float(np.mean(len(a) - np.searchsorted(a, b, side="right")) / len(a))


def _best_anchor(
    later: np.ndarray, candidates: Iterable[tuple[K, np.ndarray]], rng: np.random.Generator, tolerance: float = 0.0
) -> tuple[K, float] | None:
    """The candidate whose order ``later`` keeps on every row where it is present (all but a ``tolerance`` share
    of them) and which constrains it most (the highest share of independent pairs that would break it, at least
    :data:`MIN_BREAKS`), with the order's sign; None when none qualifies. ``later`` has NaN where missing; each
    candidate is in the same unit, NaN where missing (then judged on the rows where both are present)."""
    best: tuple[float, K, float] | None = None
    for key, earlier in candidates:
        for sign in (1.0, -1.0):
            breaks = order_strength(later, earlier, sign, rng, tolerance)
            if breaks is not None and (best is None or breaks > best[0]):
                best = (breaks, key, sign)
    return None if best is None else (best[1], best[2])


def order_strength(
    later: np.ndarray, earlier: np.ndarray, sign: float, rng: np.random.Generator, tolerance: float = 0.0
) -> float | None:
    """When ``later`` keeps sign × (later − earlier) ≥ 0 on all but a ``tolerance`` share of the rows where both
    are present (at least two), the share of independently paired values that would break it (how much it
    constrains), if that is at least :data:`MIN_BREAKS`; else None. NaN is missing."""
    shares = order_shares(later, earlier, sign, rng, tolerance)
    return None if shares is None or shares[1] < MIN_BREAKS else shares[1]


def order_shares(
    later: np.ndarray,
    earlier: np.ndarray,
    sign: float,
    rng: np.random.Generator,
    tolerance: float = 0.0,
    min_rows: int = 2,
) -> tuple[float, float] | None:
    """(share of the rows with both present that break sign × (later − earlier) ≥ 0, share of independently paired
    values that would) when the first is at most ``tolerance`` on at least ``min_rows`` rows (and two); else None,
    and no pairs are drawn. NaN is missing."""
    present, known = ~np.isnan(later), ~np.isnan(earlier)
    both = present & known
    if present.sum() < 2 or both.sum() < max(min_rows, 2):
        return None
    broken = float(np.mean(sign * (later[both] - earlier[both]) < 0))
    if broken > tolerance:
        return None
    return broken, random_breaks(sign * later[present], sign * earlier[known], rng)


def _family(column: CartColumn, values: np.ndarray) -> str | None:
    """ "date" or "number" for a column an order may join, None for the rest (categories, near-constant numbers)."""
    if column.categorical:
        return None
    if column.kind is ColumnKind.DATETIME:
        return "date"
    return "number" if len(np.unique(values[~np.isnan(values)])) >= 3 else None


def find_anchors(columns: Sequence[CartColumn], values: Sequence[np.ndarray], skip: set[str]) -> dict[int, Anchor]:
    """For each date or number column (visit position → anchor), the earlier column of its own kind it is never
    below (or never above) on a training row.

    ``skip``: columns an exact rule writes (their values may be overwritten after they are drawn). An anchor has
    no missing values, so every synthetic row has a value to add the gap to.
    """
    family = {j: _family(c, values[j]) for j, c in enumerate(columns) if c.name not in skip}
    ordered = [j for j, f in family.items() if f is not None]
    rng = np.random.default_rng(0)  # samples for the break share only: the model's own stream stays untouched

    def candidates(j: int) -> Iterator[tuple[int, np.ndarray]]:
        for i in ordered:
            if i >= j or family[i] != family[j] or np.isnan(values[i]).any():
                continue
            earlier = in_units_of(values[i], columns[i], columns[j])
            # a date is judged at its own grain, as it is drawn (anchor_base): the earlier date floored to its unit
            yield i, anchor_base(earlier, 1.0, True, date=True) if family[j] == "date" else earlier

    out: dict[int, Anchor] = {}
    for j in ordered:
        found = _best_anchor(values[j], candidates(j), rng, NUMBER_TOLERANCE if family[j] == "number" else 0.0)
        if found is not None:
            out[j] = Anchor(j, *found)
    return out


def _table_orders(
    names: Sequence[str], values: dict[str, np.ndarray], tolerance: float, grain: bool = False
) -> tuple[tuple[str, str, float], ...]:
    """For each of ``names`` in order, the earlier complete one it is never below (sign 1) or above (sign -1), the
    most constraining (:func:`_best_anchor`): (later, earlier, sign). ``grain``: dates, judged at the later one's
    day grain (:func:`day_floor`)."""
    rng = np.random.default_rng(0)
    out: list[tuple[str, str, float]] = []
    for j, name in enumerate(names):
        complete = (
            (e, day_floor(values[name], values[e]) if grain else values[e])
            for e in names[:j]
            if not np.isnan(values[e]).any()
        )
        found = _best_anchor(values[name], complete, rng, tolerance)
        if found is not None:
            out.append((name, *found))
    return tuple(out)


def frame_anchors(data: pd.DataFrame, schema: Schema, skip: set[str]) -> tuple[tuple[str, str, float], ...]:
    """The same rule on a table, for models that see whole columns (the Gaussian copula): (later, earlier, sign)
    for each date column that never precedes (sign 1) or follows (sign -1) an earlier date column of the table,
    in table order, where independently paired dates would break the order on at least :data:`MIN_BREAKS`."""
    dates = [c.name for c in schema if c.kind is ColumnKind.DATETIME and c.name not in skip and c.name in data]
    return _table_orders(dates, {name: float_ns(data[name]) for name in dates}, 0.0, grain=True)


def frame_number_orders(data: pd.DataFrame, schema: Schema, skip: set[str]) -> tuple[tuple[str, str, float], ...]:
    """The number rule on a table, for models that draw whole rows (the Gaussian copula): (later, earlier, sign)
    for each number (three or more distinct values) that is never below (sign 1) or above (sign -1) an earlier
    complete number of the table, where randomly paired values would break that on at least :data:`MIN_BREAKS`."""
    numbers = [c.name for c in schema if c.kind.is_numeric and c.name not in skip and c.name in data]
    values = {name: pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=np.float64) for name in numbers}
    numbers = [name for name in numbers if len(np.unique(values[name][~np.isnan(values[name])])) >= 3]
    return _table_orders(numbers, values, NUMBER_TOLERANCE)


def to_gaps(
    data: pd.DataFrame,
    schema: Schema,
    anchors: Sequence[tuple[str, str, float]],
    days: frozenset[str] = frozenset(),
) -> tuple[pd.DataFrame, Schema]:
    """The table with each later column replaced by its gap from its anchor: a date by its gap in days (its kind
    made a number), a number by the difference (its kind kept). A date in ``days`` (whole days, after a time)
    counts from its anchor's day, as :func:`from_gaps` adds it back."""
    out = data.copy()
    kinds = {c.name: c.kind for c in schema}
    for later, earlier, sign in anchors:
        if kinds[later] is ColumnKind.DATETIME:
            high, low = float_ns(data[later]), float_ns(data[earlier])
            # a whole-day date after a time counts from the time's day, as the order was found (day_floor): a
            # same-day delivery is a gap of 0 days, not of minus ten hours (clipped to 0, then rounded to the next
            # day for an afternoon order)
            out[later] = sign * (high - (floor_days(low) if later in days else low)) / DAY_NS
            schema = schema.with_column(later, kind=ColumnKind.CONTINUOUS)
        else:
            high, low = (pd.to_numeric(data[c], errors="coerce").to_numpy(dtype=np.float64) for c in (later, earlier))
            out[later] = sign * (high - low)
    return out, schema


def from_gaps(
    body: pd.DataFrame, anchors: Sequence[tuple[str, str, float]], days: frozenset[str] = frozenset()
) -> pd.DataFrame:
    """Columns back from their gaps (in table order, so a chain of anchors resolves), never out of order. A date in
    ``days`` (a whole-day date whose gap :func:`to_gaps` counted from its anchor's day) is added to that day."""
    for later, earlier, sign in anchors:
        gap = pd.to_numeric(body[later], errors="coerce").clip(lower=0.0)
        if pd.api.types.is_numeric_dtype(body[earlier]) and not pd.api.types.is_bool_dtype(body[earlier]):
            body[later] = pd.to_numeric(body[earlier], errors="coerce") + sign * gap
            continue
        start = pd.to_datetime(body[earlier])
        if later in days:
            start = start.dt.floor("D")
        body[later] = shift_dates(start, sign * gap.to_numpy(dtype=np.float64))
    return body


def shift_dates(start: pd.Series, days: np.ndarray) -> pd.Series:
    """``start`` moved by ``days`` (fractions allowed), clipped to the dates pandas can hold: a DP network's
    private range for a gap can reach 10¹⁵ days (a false-positive cell far out on its log grid), which would
    overflow a timedelta. NaT where either is missing."""
    ns = start.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    missing = start.isna().to_numpy() | np.isnan(days)
    # ±9.2e18 ns (years 1678 to 2261): inside int64 even after float rounding, which ±Timestamp.max is not.
    total = np.clip(ns + np.nan_to_num(days) * DAY_NS, -9.2e18, 9.2e18)
    out = pd.Series(total.astype(np.int64).view("datetime64[ns]"), index=start.index)
    if getattr(start.dt, "tz", None) is not None:
        out = out.dt.tz_localize("UTC").dt.tz_convert(start.dt.tz)
    out[missing] = pd.NaT
    return out


def _step_orders(model: object) -> Iterator[tuple[str, str, float]]:
    """(later, earlier, sign) of every CART step drawn against an anchor."""
    columns = getattr(model, "columns_", ())
    for step in getattr(model, "steps_", ()):
        if getattr(step, "anchor", -1) >= 0:
            yield columns[step.column].name, columns[step.anchor].name, step.sign


def kept_orders(model: object) -> tuple[tuple[str, str], ...]:
    """(lower, higher) column names of every order a fitted model keeps: CART's anchored steps, the copula's
    date gaps, both models' orders kept on whole rows; () for models that keep none."""
    found = (
        *_step_orders(model),
        *getattr(model, "date_gaps_", ()),
        *getattr(model, "number_orders_", ()),
        *getattr(model, "date_orders_", ()),
    )
    return tuple((earlier, later) if sign > 0 else (later, earlier) for later, earlier, sign in found)


def describe_orders(model: object) -> str | None:
    """One sentence listing the orders a fitted model keeps, or None when it keeps none."""
    pairs = kept_orders(model)
    if not pairs:
        return None
    listed = "; ".join(f"{low} ≤ {high}" for low, high in pairs)
    many = "s" if len(pairs) > 1 else ""
    return (
        f"{len(pairs)} order{many} held on the training rows (a number's on at least 99.9% of them, a date's on "
        f"every one), and every synthetic row keeps {listed}."
    )


def unplanned_columns(model: object) -> frozenset[str]:
    """Columns an exact conditional sampler cannot restrict as it draws them: drawn as a gap from another column
    (CART's and the copula's dates) or drawn again to keep an order (CART's numbers). A condition on one is met by
    filtering the rows, as for a column an exact rule computes."""
    found = (*_step_orders(model), *getattr(model, "date_gaps_", ()), *getattr(model, "order_gaps_", ()))
    return frozenset(later for later, _, _ in found)
