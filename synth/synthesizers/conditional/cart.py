"""Exact conditioning of sequential CART by likelihood weighting down the visit order.

Rows are generated column by column as in :meth:`SequentialCART._generate`. At a conditioned column the
row's leaf is found as usual, but the donor is drawn only among the leaf's donors that meet the condition
(each donor in proportion to the part of its value range inside the condition: a common value counts fully or
not at all, a smoothed rare value by the share of its band inside a range), and the value is drawn inside the
condition. The row's weight is multiplied by the share of the leaf that meets the condition, P(condition |
the columns before it). Weighted rows kept in proportion to their weight are draws from the fitted model's
conditional distribution given the conditions: every later column sees the conditioned values through its
tree, every earlier column is reweighted by how likely it makes them.

A refined model (:mod:`synth.synthesizers.refinement`) keeps each unconditioned row with its refiner's acceptance
probability; the candidates' weights are multiplied by it, so conditioned rows are refined alike.

This needs no training data, so it works the same on a model loaded from a file. Its efficiency is the
spread of the weights: a condition that earlier columns nearly decide (a state the first columns predict)
costs more candidates per row, never correctness.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind
from synth.synthesizers.cart import MISSING, CartColumn, CartStep
from synth.synthesizers.conditional.intervals import (
    Interval,
    admissible,
    category_allowed,
    draw_inside,
    missing_allowed,
    overlap_fraction,
    present_allowed,
)
from synth.synthesizers.conditions import Condition


@dataclass(frozen=True)
class StepPlan:
    """How one step is restricted: a weight per donor, and for numeric values the intervals to draw inside."""

    donor_weight: np.ndarray
    intervals: list[Interval] | None


def _to_model(col: CartColumn) -> Any:
    if col.kind is ColumnKind.DATETIME:

        def convert(value: Any) -> float:
            ts = pd.Timestamp(value)
            ns = ts.tz_convert("UTC").tz_localize(None).value if ts.tz is not None else ts.value
            return (ns - col.origin) / col.unit

        return convert
    return float


def plan_step(step: CartStep, col: CartColumn, cond: Condition) -> StepPlan | None:
    """The restriction of one step under ``cond`` (None: the step is drawn as usual)."""
    if col.categorical:
        allowed = category_allowed(col.categories, cond, MISSING)
        return StepPlan(allowed[step.donors.astype(np.intp)].astype(float), None)
    want_missing, want_present = missing_allowed(cond), present_allowed(cond)
    if step.missing:
        if want_missing and want_present:
            return None
        return StepPlan((step.donors > 0.5).astype(float) if want_missing else (step.donors <= 0.5).astype(float), None)
    if not want_present or want_missing:
        # Missing rows keep whatever value they draw (it is blanked); a mixed list is checked on the result.
        return None
    items = cond if isinstance(cond, list) else [cond]
    present = [c for c in items if c is not None]
    grain = 1.0 if col.integer else 0.0
    intervals = admissible(present if isinstance(cond, list) else present[0], grain, _to_model(col))
    # Values are clipped to the training range after drawing: draw only where the clip keeps them inside.
    intervals = [(max(a, col.low - grain / 2), min(b, col.high + grain / 2)) for a, b in intervals]
    intervals = [(a, b) for a, b in intervals if a <= b]
    widths = step.widths if step.widths is not None else np.zeros(len(step.donors))
    return StepPlan(overlap_fraction(step.donors, widths, intervals), intervals)


def draw_restricted(
    step: CartStep, plan: StepPlan, x: np.ndarray, n: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Values for ``n`` rows drawn from the donors ``plan`` allows, and each row's P(allowed | its leaf)."""
    if step.tree is None:
        start = np.zeros(n, dtype=np.int64)
        count = np.full(n, len(step.donors), dtype=np.int64)
    else:
        leaf = step.tree.apply(step.predictors(x))
        start = step.offsets[leaf]
        count = step.offsets[leaf + 1] - start
    cum = np.concatenate([[0.0], np.cumsum(plan.donor_weight)])
    mass = cum[start + count] - cum[start]
    target = cum[start] + rng.random(n) * mass
    idx = np.clip(np.searchsorted(cum, target, side="right") - 1, start, start + count - 1)
    values = step.donors[idx]
    if step.widths is not None:
        widths = step.widths[idx]
        if plan.intervals is not None:
            values = draw_inside(values, widths, plan.intervals, rng)
        else:
            values = values + rng.random(n) * widths
    return values, mass / np.maximum(count, 1)


def sample_weighted(
    model: Any, m: int, rng: np.random.Generator, conditions: dict[str, Condition]
) -> tuple[pd.DataFrame, np.ndarray]:
    """``m`` candidate rows meeting ``conditions`` and their likelihood weights under the fitted trees."""
    columns: tuple[CartColumn, ...] = model.columns_
    d = len(columns)
    x = np.empty((m, d), dtype=np.float32, order="F")
    values: list[np.ndarray] = [np.full(m, np.nan) for _ in range(d)]
    missing: list[np.ndarray | None] = [None] * d
    weights = np.ones(m)
    # Computed columns (exact rules) are filled in as their inputs are drawn; a condition on one is met by the
    # shared filter in sample_conditioned, which checks every row.
    pending = model._derived_positions()
    for step in model.steps_:
        j = step.column
        while pending and pending[0][0] < j:
            model._derive(*pending.pop(0)[1:], values, x)
        col = columns[j]
        # A step drawn against an anchor (a date as a gap, a number kept on one side of another) is not
        # restricted here: its condition is met by the shared filter, like a computed column's.
        planned = col.name in conditions and step.anchor < 0
        plan = plan_step(step, col, conditions[col.name]) if planned else None
        if plan is None:
            drawn = step.draw(x, m, rng)
        else:
            drawn, w = draw_restricted(step, plan, x, m, rng)
            weights *= w
        model._store(step, drawn, values, missing, x, rng)
    for _, j, rule in pending:
        model._derive(j, rule, values, x)
    # A refined model (Pruned CART) keeps each unconditioned row with the refiner's acceptance: the same factor
    # on the weights makes the conditioned rows draws from that refined distribution, not from the bare trees
    # (without it, Pruned CART conditioned on role = manager drew end_km missing on 10.5% of rows, against the
    # 10.0% of its own unconditioned managers).
    refiner = getattr(model, "refiner_", None)
    if refiner is not None:
        weights *= refiner.acceptance(x)
    frame = pd.DataFrame({col.name: col.decode(values[j]) for j, col in enumerate(columns)}, copy=False)
    return frame, weights
