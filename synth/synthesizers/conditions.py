"""Conditions and rebalancing: what a user may ask for, checked against the training domain, and the rows drawn.

Conditions
    ``sample(n, conditions={"state": "CA", "age": (30, 40)})`` fixes values (a value, a list of allowed
    values, ``None`` for missing) and ranges (``(low, high)``, ``None`` for an open end) on several columns at
    once. A list of ``(column, condition)`` pairs is accepted too; several conditions on one column are
    intersected, and conditions that leave nothing (``age`` in 30–35 and in 40–45) are refused as
    contradictory. A condition the training data makes impossible (a category never seen, a range outside the
    column's training bounds, an empty range, an identifier column) fails at once with a message that shows
    the column's domain.

    Every built-in synthesizer then samples from its *own conditional distribution* (see
    :mod:`synth.synthesizers.conditional`): it draws weighted candidate rows that meet the conditions by
    construction, and a row is kept with probability proportional to its weight (rejection on the weights,
    so no row is duplicated to reach ``n``). Only a model without such a sampler falls back to plain
    rejection of unconditioned rows; both stop after a bounded number of draws with a message that says how
    many matched, never hang.

Rebalancing
    ``sample(n, rebalance={"income": {">50K": 0.5, "<=50K": 0.5}})`` gives one column a chosen distribution;
    ``rebalance={("sex", "income"): {("Female", ">50K"): 0.25, ...}}`` gives a joint mix of several. The
    shares must sum to 1. The number of rows of each value is fixed by largest remainder rounding, each group
    is drawn conditionally on its value (so every other column keeps its relationship to the rebalanced
    ones), and the rows are shuffled together.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback, scaled
from synth.schema import coerce_to_schema

# Checking, describing and matching conditions live in condition_checks; they are re-exported here, where the
# rest of the package has always imported them from.
from synth.synthesizers.condition_checks import (
    GENERATED,
    NUMERIC,
    REBALANCE_KINDS,
    SHARE_TOLERANCE,
    Condition,
    Rebalance,
    RebalancePlan,
    _as_values,
    _in_zone_of,
    _intersect,
    _is_range,
    _same,
    _same_zone,
    check_condition,
    check_conditions,
    check_range,
    check_rebalance,
    check_value,
    column_mask,
    condition_mask,
    describe_conditions,
    is_missing,
    merge_conditions,
    normalise_conditions,
    seen_hint,
    timestamp,
    within_bounds,
)
from synth.synthesizers.errors import SynthesizerError
from synth.synthesizers.people import ages_among
from synth.synthesizers.template_frames import Pinned, pin_frames

if TYPE_CHECKING:
    from synth.synthesizers.base import Synthesizer

__all__ = [
    "FAST_SHARE",
    "GENERATED",
    "NUMERIC",
    "REBALANCE_KINDS",
    "SHARE_TOLERANCE",
    "ZERO_WEIGHT_PROOF",
    "Condition",
    "Rebalance",
    "RebalancePlan",
    "_as_values",
    "_in_zone_of",
    "_intersect",
    "_is_range",
    "_same",
    "_same_zone",
    "check_condition",
    "check_conditions",
    "check_range",
    "check_rebalance",
    "check_value",
    "column_mask",
    "condition_mask",
    "describe_conditions",
    "draw_matching",
    "is_missing",
    "largest_remainder",
    "merge_conditions",
    "normalise_conditions",
    "sample_conditioned",
    "sample_rebalanced",
    "seen_hint",
    "timestamp",
    "within_bounds",
]

#: Conditions covering at least this share of training rows are sampled quickly by every model (the target
#: of ``benchmarks/bench_conditions.py``).
FAST_SHARE = 0.001
#: An exact sampler whose candidates all weigh 0 after this many draws has shown the model gives the
#: conditions no probability: stop early rather than spend the whole budget.
ZERO_WEIGHT_PROOF = 50_000


# ----------------------------------------------------------------------------- drawing
def sample_conditioned(
    model: Synthesizer,
    n: int,
    conditions: dict[str, Condition],
    rng: np.random.Generator,
    progress: ProgressCallback,
) -> pd.DataFrame:
    """``n`` rows of the modelled columns (conformed) that meet ``conditions``.

    With an exact sampler (every built-in model) candidates meet the conditions by construction and carry
    importance weights; a candidate is kept with probability weight / (largest weight seen). Without one,
    unconditioned rows are drawn and filtered (bounded rejection). Either way every kept row is checked
    against the conditions on its final, user-facing values.
    """
    from synth.synthesizers.category_ranges import model_ranges
    from synth.synthesizers.column_order import unplanned_columns
    from synth.synthesizers.conditional import exact_sampler
    from synth.synthesizers.derived import derived_columns
    from synth.synthesizers.missing_together import follow_leaders, model_groups
    from synth.synthesizers.row_orders import model_orders, order_kept_weights, out_of_order
    from synth.synthesizers.time_of_day import day_conditions
    from synth.synthesizers.weekdays import join_parts
    from synth.synthesizers.zero_pairs import model_zeros

    schema = model.schema_
    modelled = schema.modelled
    checked = {c: v for c, v in conditions.items() if c in modelled}
    if not modelled:
        return pd.DataFrame(index=pd.RangeIndex(n))
    if not checked:  # conditions on constant columns only: every row meets them
        return model._conform_modelled(model._model_rows(n, rng, progress))
    # A column an exact rule computes (synth.synthesizers.derived) is not drawn by the model, and one drawn against
    # an order's anchor (synth.synthesizers.column_order) is not drawn as its own value: conditions on them are met
    # by filtering the rows (every row is checked below), the others by the exact sampler.
    computed = derived_columns(model) | unplanned_columns(model)
    row_orders = model_orders(model)  # kept on whole rows (the copula's, the DP network's declared ones)
    ranges = model_ranges(model)  # numbers kept inside their category's range, the same way (category_ranges)
    groups = model_groups(model)  # columns missing together, the same way (missing_together)
    zeros = model_zeros(model)  # pairs of values no real row holds, the same way (zero_pairs)
    splits = getattr(model, "times_", ())  # datetimes the model draws as day + time of day (time_of_day)
    time_orders = getattr(model, "time_orders_", ())
    zones = getattr(model, "time_zones_", {})  # columns the model draws on their local clock (time_of_day)
    drawn_conditions = {c: v for c, v in checked.items() if c not in computed}
    sampler = exact_sampler(model) if drawn_conditions else None
    # Weighted candidates are cheap (no row is wasted on a condition it cannot meet): a larger budget per row.
    budget = max(int(model.max_condition_draws), (50 if sampler is not None else 10) * n)
    described = describe_conditions(conditions)
    kept: list[pd.DataFrame] = []
    matched = drawn = 0
    top = 0.0
    quiet = scaled(progress, 0.0, 0.0)
    while matched < n and drawn < budget:
        rate = matched / drawn if matched else 0.0
        floor = 2_000 if sampler is not None else 10_000
        want = (n - matched) / rate * 1.1 if rate > 0 else max(2 * n, floor)
        size = int(min(max(want, floor), 2_000_000, budget - drawn))
        if sampler is not None:
            body, weights = sampler(model, size, rng, day_conditions(drawn_conditions, splits, zones))
            body = model._derive_frame(body)
            if row_orders or ranges or groups or zeros:  # rows breaking an order, range, group or pair: not its rows
                follow_leaders(body, groups)  # (a group's leader missing: its followers are set missing, no redraw)
                weights = order_kept_weights(body, weights, row_orders, ranges, groups, zeros)
            body = join_parts(model, body, rng, checked)  # (weekdays moved within the conditions' ranges)
            if time_orders:  # nor rows whose timestamps on one day break an order (time_of_day)
                weights = order_kept_weights(body, weights, time_orders)
            top = max(top, float(weights.max(initial=0.0)))
            body = body[rng.random(size) * top < weights] if top > 0 else body.iloc[:0]
        else:
            drawn_days = model._sample_given(size, rng, quiet, day_conditions(checked, splits, zones))
            body = join_parts(model, drawn_days, rng, checked)
            if time_orders:  # a date moved to its weekday can break an order the model's gap kept (weekdays)
                body = body[~out_of_order(body, time_orders)]
        candidates = model._conform_modelled(body)
        drawn += size
        # Conditions are checked on the values as the user sees them (rounded, in the real dtype), read back
        # as numbers and datetimes where the real column stores them as text.
        comparable = coerce_to_schema(candidates[list(checked)], schema.select(checked))
        hits = candidates[condition_mask(comparable, checked)]
        kept.append(hits)
        matched += len(hits)
        progress(min(matched / n, 0.99), f"{matched:,} of {n:,} rows match the conditions")
        if sampler is not None and top == 0 and drawn >= ZERO_WEIGHT_PROOF:
            raise SynthesizerError(
                f"0 of {drawn:,} draws matched {described}: {model.label} gives this combination no probability "
                "(in its training data, or after its privacy noise, these values never occur together). Widen or "
                "drop a condition; the preview of how many training rows a condition covers shows which."
            )
        if 0 < matched < n and drawn * n / matched > 2 * budget:
            raise SynthesizerError(
                f"{matched:,} of {drawn:,} draws matched {described}; {n:,} rows would take about "
                f"{drawn * n / matched:,.0f} draws, more than the limit of {budget:,}. The condition is too rare "
                "for this model: widen it or ask for fewer rows."
            )
    if matched < n:
        filtered = sorted(set(checked) & computed)
        if filtered:
            how = (
                f" ({', '.join(filtered)}: computed from other columns by an exact rule or drawn to keep an order, "
                "so rows were filtered)"
            )
        elif sampler is None:
            how = f" ({model.label} has no exact conditional sampler: rows were filtered)"
        else:
            how = ""
        raise SynthesizerError(
            f"{matched:,} of {drawn:,} draws matched {described}; {n:,} rows were asked for{how}. The condition "
            "is impossible or too rare for this model: widen it or ask for fewer rows."
        )
    return pd.concat(kept, ignore_index=True).iloc[:n].reset_index(drop=True)


def sample_rebalanced(
    model: Synthesizer,
    n: int,
    conditions: dict[str, Condition],
    plan: RebalancePlan,
    rng: np.random.Generator,
    progress: ProgressCallback,
    pinned: Pinned | None = None,
) -> pd.DataFrame:
    """``n`` full rows with the plan's shares, each group drawn conditionally on its cell, shuffled together
    (``pinned``: the words of frames asked for by a composed pattern, :func:`~synth.synthesizers.template_frames.
    frame_conditions`)."""
    counts = largest_remainder(plan.shares, n)
    parts = []
    done = 0
    for cell, count in zip(plan.cells, counts, strict=True):
        if count == 0:
            continue
        step = scaled(progress, 0.95 * done / n, 0.95 * (done + count) / n)
        parts.append(sample_conditioned(model, int(count), {**conditions, **plan.conditions(cell)}, rng, step))
        done += int(count)
    body = pd.concat(parts, ignore_index=True)
    body = body.iloc[rng.permutation(len(body))].reset_index(drop=True)
    body = pin_frames(body, pinned or {}, rng)
    # A rebalanced column keeps its exact shares, a conditioned age its condition: neither is held per person.
    return model._finish(body, rng, plan.columns + ages_among(getattr(model, "people_", None), conditions))


# ----------------------------------------------------------------------------- helpers
def largest_remainder(shares: np.ndarray, n: int) -> np.ndarray:
    """Whole counts summing to ``n`` in the proportions ``shares`` (which sum to 1)."""
    exact = np.asarray(shares, dtype=float) * n
    counts = np.floor(exact).astype(np.int64)
    short = n - int(counts.sum())
    if short > 0:
        counts[np.argsort(-(exact - counts), kind="stable")[:short]] += 1
    return counts


def draw_matching(
    n: int,
    draw: Callable[[int], np.ndarray],
    accept: Callable[[np.ndarray], np.ndarray],
    budget: int,
    described: str,
) -> np.ndarray:
    """``n`` values from ``draw`` that ``accept`` keeps: column-level rejection for exact conditioning.

    A sequential model draws its first column from a marginal; conditioning that column this way (before
    the columns that depend on it are drawn) is exact and costs one column per rejected draw, not a row.

    Raises:
        SynthesizerError: fewer than ``n`` of ``max(budget, 10 n)`` draws were accepted.
    """
    budget = max(budget, 10 * n)
    kept: list[np.ndarray] = []
    matched = drawn = 0
    while matched < n and drawn < budget:
        rate = matched / drawn if matched else 0.0
        want = (n - matched) / rate * 1.1 if rate > 0 else max(2 * n, 10_000)
        size = int(min(max(want, 10_000), 4_000_000, budget - drawn))
        values = draw(size)
        drawn += size
        hits = values[accept(values)]
        kept.append(hits)
        matched += len(hits)
    if matched < n:
        raise SynthesizerError(
            f"{matched:,} of {drawn:,} draws matched {described}; {n:,} rows were asked for. The condition is "
            "impossible or too rare for this model: widen it or ask for fewer rows."
        )
    return np.concatenate(kept)[:n]
