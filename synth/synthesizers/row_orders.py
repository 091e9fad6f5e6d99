"""Orders kept on whole rows: every order between two dates or two numbers that holds on the training rows and
that no anchor keeps in the tree draw (:mod:`synth.synthesizers.column_order`), found at fit and kept at sample
time by drawing the rows that break one again (:func:`keep_orders`).

An anchor keeps one bound of one column, and only from a column present on every row. Until session 19 an order
whose earlier column has missing values had no keeper; until session 20 a column kept at most one order: a number
already bounded by a complete column dropped its orders with the rest, and of several candidates only the most
constraining was kept. A price between a complete floor and a complete ceiling then fell below its floor on 3.6% of
CART's rows (the copula: 9.2%), a total at least each of two parts fell below the second on 1.3% (11%), an end at
least a complete start and a middle reading with missing values fell below the middle on 3.4% (10%)
(``python -m benchmarks.bench_missing_orders``, its ``bounds`` table). Now every order that holds is kept: the
anchor's bound in the tree draw as before, each other one here. A row with either column of an order missing
breaks none.

Moved out of :mod:`synth.synthesizers.column_order` in session 20, which keeps the anchors and the gaps.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers import column_order
from synth.synthesizers.cart_steps import CartColumn
from synth.synthesizers.category_ranges import CategoryRange, clip_ranges, out_of_range, range_columns
from synth.synthesizers.coded_labels import plain_frame, plain_labels
from synth.synthesizers.column_order import (
    NUMBER_TOLERANCE,
    ORDER_REDRAWS,
    Anchor,
    anchor_base,
    day_floor,
    order_shares,
)
from synth.synthesizers.instants import float_ns
from synth.synthesizers.missing_together import (
    MissingGroup,
    clear_groups,
    follow_leaders,
    group_columns,
    leader_of,
    led_rows,
)
from synth.synthesizers.zero_pairs import ZeroPair, replace_zero_rows, zero_columns, zero_rows

Order = tuple[str, str, float]
#: Redrawing stops after this many rounds in a row place no row (the rows left are clipped).
IDLE_ROUNDS = 2


def _every_order(
    names: Sequence[str],
    values: dict[str, np.ndarray],
    kept: set[frozenset[str]],
    tolerance: float,
    grain: bool = False,
) -> tuple[Order, ...]:
    """Every (later, earlier, sign) among ``names`` that holds (:func:`search_orders`), but for the pairs in
    ``kept`` (an anchor or a gap keeps those); a pair equal on (nearly) every row is kept both ways."""
    return tuple((o.later, o.earlier, o.sign) for o in search_orders(names, values, tolerance, grain=grain, kept=kept))


@dataclass(frozen=True)
class FoundOrder:
    """sign × (``later`` − ``earlier``) ≥ 0 on (nearly) every row where both are present."""

    later: str
    earlier: str
    sign: float
    #: share of the rows with both present that break it
    real_breaks: float
    #: share of independently paired values that would break it (how much it constrains)
    random_breaks: float


def search_orders(
    names: Sequence[str],
    values: Mapping[str, np.ndarray],
    tolerance: float,
    *,
    grain: bool = False,
    kept: Collection[frozenset[str]] = frozenset(),
    min_rows: int = 2,
    both_ways: bool = True,
) -> tuple[FoundOrder, ...]:
    """Every order between two of ``names`` (later after earlier in their order, each pair once, but for the pairs
    in ``kept``) that holds and constrains: at most a ``tolerance`` share of the (at least ``min_rows``) rows with
    both present break it, and random pairs would on :data:`~synth.synthesizers.column_order.MIN_BREAKS`. The
    models' search and Compare's (:func:`synth.evaluation.fidelity.orders.find_orders`) are this one.

    ``values``: floats (dates in nanoseconds), NaN missing. ``grain``: dates, compared at the upper one's grain
    (:func:`~synth.synthesizers.column_order.day_floor`: a delivery day is not before that day's order).
    ``both_ways``: a pair equal on (nearly) every row holds both ways; the models keep both orders, Compare lists
    the pair once (the first way that holds, sign 1, decides, whether or not it constrains)."""
    out: list[FoundOrder] = []
    for j, later in enumerate(names):
        for earlier in names[:j]:
            if frozenset((later, earlier)) in kept:
                continue
            for sign in (1.0, -1.0):
                high, low = (values[later], values[earlier]) if sign > 0 else (values[earlier], values[later])
                if grain:
                    low = day_floor(high, low)
                # Random pairs from a generator of their own per pair: whether one order counts never depends on
                # which were tried before it.
                shares = order_shares(high, low, 1.0, np.random.default_rng(0), tolerance, min_rows)
                if shares is None:
                    continue
                if shares[1] >= column_order.MIN_BREAKS:  # read at call time, as order_strength reads it
                    out.append(FoundOrder(later, earlier, sign, *shares))
                if not both_ways:
                    break
    return tuple(out)


def pairs(orders: Sequence[Order]) -> set[frozenset[str]]:
    """The column pairs of ``orders``, either way round."""
    return {frozenset((later, earlier)) for later, earlier, _ in orders}


def frame_redrawn_date_orders(
    data: pd.DataFrame,
    schema: Schema,
    skip: set[str],
    kept: set[frozenset[str]],
    order: Sequence[str] | None = None,
) -> tuple[Order, ...]:
    """Every date order a gap does not keep: (later, earlier, sign) for each pair of dates (not in ``kept``, the
    pairs drawn as gaps) where the later is never before (sign 1) or after (sign -1) the earlier on a row where
    both are present, and independently paired dates would break it on at least :data:`MIN_BREAKS`. A gap needs
    its anchor on every row and keeps one order per date; the rest are kept on whole rows (:func:`keep_orders`).
    An HR table's exit date after a hire date missing on 2% of rows broke on 5% of the Gaussian copula's rows
    without it. "Earlier" is ``order`` (CART's visit order), else the table's."""
    kinds = {c.name: c.kind for c in schema}
    names = [c.name for c in schema] if order is None else list(order)
    dates = [n for n in names if kinds.get(n) is ColumnKind.DATETIME and n not in skip and n in data]
    return _every_order(dates, {name: float_ns(data[name]) for name in dates}, kept, 0.0, grain=True)


def frame_redrawn_number_orders(
    data: pd.DataFrame,
    schema: Schema,
    skip: set[str],
    kept: set[frozenset[str]],
    order: Sequence[str] | None = None,
) -> tuple[Order, ...]:
    """The same for numbers (three or more distinct values): every (later, earlier, sign) not in ``kept`` (the
    pairs an anchor keeps) where the later is never below (sign 1) or above (sign -1) the earlier on all but
    :data:`NUMBER_TOLERANCE` of the rows where both are present, and randomly paired values would break it on at
    least :data:`MIN_BREAKS`. A job table's salary_min ≤ salary_max (8% and 12% missing) broke on 0.2–1.0% of the
    rows of CART, Pruned CART and the copula without it, its start_km ≤ end_km on 2.0–14%
    (``python -m benchmarks.bench_missing_orders``)."""
    kinds = {c.name: c.kind for c in schema}
    names = [c.name for c in schema] if order is None else list(order)
    numbers = [n for n in names if n in kinds and kinds[n].is_numeric and n not in skip and n in data]
    values = {n: pd.to_numeric(data[n], errors="coerce").to_numpy(dtype=np.float64) for n in numbers}
    numbers = [n for n in numbers if len(np.unique(values[n][~np.isnan(values[n])])) >= 3]
    return _every_order(numbers, values, kept, NUMBER_TOLERANCE)


def redrawn_orders(
    data: pd.DataFrame, schema: Schema, skip: set[str], columns: Sequence[CartColumn], anchors: dict[int, Anchor]
) -> tuple[tuple[Order, ...], tuple[Order, ...]]:
    """CART's orders no anchor keeps, (dates, numbers), kept on whole rows (:func:`keep_orders`): every order that
    holds between two of its dates or two of its numbers, searched in its visit order, but for each column's
    pair with its anchor (drawn as a gap or redrawn in its leaf). An HR table's exit date broke its hire date
    (missing on 3% of rows) on 4% of Pruned CART's rows without them."""
    kept = {frozenset((columns[j].name, columns[a.anchor].name)) for j, a in anchors.items()}
    visited = [c.name for c in columns]
    return (
        frame_redrawn_date_orders(data, schema, skip, kept, visited),
        frame_redrawn_number_orders(data, schema, skip, kept, visited),
    )


def _as_values(series: pd.Series) -> tuple[np.ndarray, bool]:
    """A column as floats (dates, as datetimes or as text, in nanoseconds), NaN where missing, and whether it
    holds dates."""
    if pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series):
        return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64), False
    dates = series if pd.api.types.is_datetime64_any_dtype(series) else pd.to_datetime(series, errors="coerce")
    ns = dates.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(np.float64)
    return np.where(dates.isna().to_numpy(), np.nan, ns), True


def _bounds(body: pd.DataFrame, later: str, earlier: str, sign: float) -> tuple[np.ndarray, np.ndarray, bool]:
    """The later column's values, its bound from the earlier one (rounded towards it for whole numbers), and
    whether they are dates."""
    value, dates = _as_values(body[later])
    whole = not dates and bool(np.all(np.isnan(value) | (value == np.round(value))))
    bound, _ = _as_values(body[earlier])
    if dates:  # at the upper date's grain: a day is not before a time on that day (column_order.anchor_base)
        return (value, day_floor(value, bound), dates) if sign > 0 else (day_floor(bound, value), bound, dates)
    return value, anchor_base(bound, sign, whole), dates


def out_of_order(body: pd.DataFrame, orders: Sequence[tuple[str, str, float]]) -> np.ndarray:
    """Rows of ``body`` that break any of the ``orders`` (later, earlier, sign); a missing value breaks none."""
    bad = np.zeros(len(body), dtype=bool)
    for later, earlier, sign in orders:
        value, bound, _ = _bounds(body, later, earlier, sign)
        bad |= sign * (value - bound) < 0
    return bad


def _breaks(
    body: pd.DataFrame,
    orders: Sequence[Order],
    ranges: Sequence[CategoryRange],
    groups: Sequence[MissingGroup] = (),
    zeros: Sequence[ZeroPair] = (),
) -> np.ndarray:
    """Rows of ``body`` that break an order, lie outside a category's range, have a group's leader present and
    another of its columns missing (:mod:`synth.synthesizers.missing_together`) or hold a pair of values no real
    row holds (:mod:`synth.synthesizers.zero_pairs`): one test, so a row redrawn for one is never taken if it breaks
    another."""
    bad = out_of_order(body, orders)
    if ranges:
        bad |= out_of_range(body, ranges)
    if zeros:
        bad |= zero_rows(body, zeros)
    return bad | led_rows(body, groups) if groups else bad


def _missing_pattern(
    frame: pd.DataFrame,
    orders: Sequence[tuple[str, str, float]],
    ranges: Sequence[CategoryRange] = (),
    groups: Sequence[MissingGroup] = (),
    zeros: Sequence[ZeroPair] = (),
) -> np.ndarray:
    """Per row, which columns of the ``orders``, ``ranges``, ``groups`` and ``zeros`` are missing, as one whole
    number (a bit per column). A grouped column reads its leader's mask: the pattern a row keeps is the leader's for
    the whole group (all present for a row whose leader is present and a follower missing)."""
    names = dict.fromkeys(
        [
            *(c for later, earlier, _ in orders for c in (later, earlier)),
            *range_columns(ranges),
            *group_columns(groups),
            *zero_columns(zeros),
        ]
    )
    leaders = leader_of(groups)
    code = np.zeros(len(frame), dtype=np.int64)
    for k, name in enumerate(names):
        code |= frame[leaders.get(name, name)].isna().to_numpy().astype(np.int64) << k
    return code


def _matched(wanted: np.ndarray, offered: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions (into ``wanted``, into ``offered``) pairing each wanted code with an offered row of the same
    code, as many as both sides have."""
    into_wanted, into_offered = [], []
    for code in np.unique(wanted):
        w, o = np.flatnonzero(wanted == code), np.flatnonzero(offered == code)
        k = min(len(w), len(o))
        into_wanted.append(w[:k])
        into_offered.append(o[:k])
    return np.concatenate(into_wanted), np.concatenate(into_offered)


def order_kept_weights(
    body: pd.DataFrame,
    weights: np.ndarray,
    orders: Sequence[tuple[str, str, float]],
    ranges: Sequence[CategoryRange] = (),
    groups: Sequence[MissingGroup] = (),
    zeros: Sequence[ZeroPair] = (),
) -> np.ndarray:
    """Importance weights of conditioned candidates cut to the rows that keep the ``orders`` (and ``ranges``,
    :mod:`synth.synthesizers.category_ranges`, ``groups``, :mod:`synth.synthesizers.missing_together`, and
    ``zeros``, :mod:`synth.synthesizers.zero_pairs`), as
    :func:`keep_orders` cuts unconditioned rows: 0 for a row that breaks one, and within each pattern of missing
    order columns the other rows' weights scaled so the pattern keeps its drawn weight. Dropping the breaking rows
    alone raised every missing share (only rows with both columns present can break): the copula conditioned on
    role = manager drew end_km missing on 11.3% of rows against the 10% it draws unconditioned. A group's followers
    must already follow their leader (:func:`~synth.synthesizers.missing_together.follow_leaders`)."""
    bad = _breaks(body, orders, ranges, groups, zeros)
    out = np.where(bad, 0.0, np.asarray(weights, dtype=np.float64))
    if not bad.any():
        return out
    pattern = _missing_pattern(body, orders, ranges, groups, zeros)
    for code in np.unique(pattern[bad]):
        group = pattern == code
        kept = out[group].sum()
        if kept > 0:
            out[group] *= float(np.sum(weights[group])) / kept
    return out


def keep_orders(
    body: pd.DataFrame,
    orders: Sequence[tuple[str, str, float]],
    draw: Callable[[int], pd.DataFrame],
    ranges: Sequence[CategoryRange] = (),
    groups: Sequence[MissingGroup] = (),
    zeros: Sequence[ZeroPair] = (),
) -> pd.DataFrame:
    """``body`` with every row that breaks one of the ``orders``, lies outside one of the category ``ranges``
    (:mod:`synth.synthesizers.category_ranges`), has a missing ``group``'s leader present and another of its
    columns missing (:mod:`synth.synthesizers.missing_together`) or holds one of the ``zeros``, pairs of values no
    real row holds (:mod:`synth.synthesizers.zero_pairs`), replaced by a fresh row from ``draw`` that keeps them all
    and has the same of their columns missing (a group's: its leader's; up to :data:`ORDER_REDRAWS` rounds: the
    model's distribution cut to the rows that keep them, its share of missing values untouched), then what is still
    out of order set to its bound (a date to the earlier date itself), a number still outside its range moved to
    the range's nearest end, a group still mixed set missing as a whole and a row still holding a zero pair given
    the values of one that keeps every rule.

    Only a row with both columns of an order present can break it, so replacing it by any fresh row would raise
    every missing share: the copula's end_km, missing on 10% of a job table's rows and below start_km on 14% of
    its rows with both, came back missing on 11.4%. A group's followers are first set missing wherever its leader
    is (every row, drawn or redrawn), so the group keeps the leader's modelled missing share."""
    if not orders and not ranges and not groups and not zeros:
        return body
    follow_leaders(body, groups)
    bad = np.flatnonzero(_breaks(body, orders, ranges, groups, zeros))
    wanted = _missing_pattern(body.iloc[bad], orders, ranges, groups, zeros)  # (row by row: only the rows to fill)
    # A filled row keeps the orders (it was chosen for it), so only the rows still unfilled are looked at again,
    # and every column is written once at the end: 1M copula rows with 11% to redraw sampled 25% slower when each
    # round checked and rewrote the whole table.
    patches: list[tuple[np.ndarray, pd.DataFrame]] = []
    rate = 1.0  # the share of drawn rows that could take a place last round: the next round draws for it
    idle = 0  # rounds in a row that placed nothing
    for _ in range(ORDER_REDRAWS):
        if not len(bad) or idle == IDLE_ROUNDS:
            # Rows of a missing pattern the model seldom draws (Pruned CART's latitude without its longitude, 43 of
            # 20,000 hr rows) found no place in twenty times their number, twice: fifty rounds of draws for them
            # halved the sampling speed (49k → 20k rows/s); they are clipped below, as after the last round.
            break
        fresh = follow_leaders(draw(int(np.ceil(len(bad) / rate))), groups)
        kept = np.flatnonzero(~_breaks(fresh, orders, ranges, groups, zeros))
        at, take = _matched(wanted, _missing_pattern(fresh, orders, ranges, groups, zeros)[kept])
        rate = max(len(at) / len(fresh), 0.05) if len(fresh) else 1.0
        idle = 0 if len(at) else idle + 1
        patches.append((bad[at], fresh.iloc[kept[take]]))
        left = np.ones(len(bad), dtype=bool)
        left[at] = False
        bad, wanted = bad[left], wanted[left]
    if patches:
        columns = {}
        for name in body.columns:
            column = plain_labels(body[name])
            for rows, part in patches:
                column[rows] = plain_labels(part[name])
            columns[name] = column
        # One new frame, not a column set at a time: pandas copies every column set so (Adult's 15 columns of
        # 200,000 rows patched in 18 ms of CPU instead of 26).
        body = pd.DataFrame(columns, index=body.index, copy=False)
    # The checks are done with codes: every column goes back as the model's plain labels (coded_labels).
    plain_frame(body, zero_columns(zeros))
    if not len(bad):
        return body
    # A group still mixed after the redraws is set missing as a whole (setting only its followers missing would
    # leave the leader present beside them, still mixed). Rare: of 20,000 hr or survey rows, none for any of the
    # three models (python -m benchmarks.bench_missing_together). Its missing values break no order and no range.
    clear_groups(body, groups)
    # Clipping one column can break a chained order (a signup moved up past its last order): pass again until
    # none breaks; orders only ever move a value towards its bound, so a chain settles within len(orders) passes.
    # A number still outside its category's range after the redraws is moved to the range's nearest end in the
    # same passes. Rare: of 20,000 hr walk rows, none of any model's since the missing-together groups (before
    # them, 9-24 of Pruned CART's: a latitude without its longitude; python -m benchmarks.bench_category_ranges).
    for _ in range(len(orders) + len(ranges) + 1):
        changed = clip_ranges(body, ranges)
        for later, earlier, sign in orders:
            value, bound, dates = _bounds(body, later, earlier, sign)
            wrong = sign * (value - bound) < 0
            if wrong.any():
                column = body[later].to_numpy(copy=True)
                column[wrong] = body[earlier].to_numpy()[wrong] if dates else bound[wrong]
                body[later] = column
                changed = True
        if not changed:
            break
    # Last, as clipping a number may make a pair: a row still holding one takes a row's values that keep every rule.
    # Rare: none of any model's on Bank Marketing's or Adult's training size (python -m benchmarks.bench_zero_pairs).
    if zeros:
        replace_zero_rows(body, zeros, _breaks(body, orders, ranges, groups))
    return body


def coded_columns(groups: Sequence[MissingGroup], zeros: Sequence[ZeroPair]) -> frozenset[str]:
    """The columns a model hands :func:`keep_orders` as ``pd.Categorical`` codes (:mod:`.coded_labels`): the zero
    pairs' (their check reads codes instead of hashing every row's label), but a missing group's, which
    :func:`~synth.synthesizers.missing_together.follow_leaders` writes missing values into as plain labels."""
    return frozenset(zero_columns(zeros)) - set(group_columns(groups))


def model_orders(model: object) -> tuple[tuple[str, str, float], ...]:
    """The orders (later, earlier, sign) a model keeps by dropping or redrawing whole rows: the copula's number
    orders, CART's orders from a date or number with missing values, and the DP network's declared ones.
    Conditioned candidates that break one are not the model's rows."""
    return (
        *getattr(model, "number_orders_", ()),  # the copula's; CART's after a number with missing values
        *getattr(model, "declared_orders_", ()),
        *getattr(model, "date_orders_", ()),  # CART: dates after a date with missing values
    )
