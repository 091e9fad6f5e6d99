"""Accuracy of 1-, 2- and 3-way marginals, with the real holdout as the ceiling: a headline that can't flatter.

Pair-trend scores averaged over every pair are dominated by weak pairs, and nothing above pairs is scored, so
a Gaussian copula could read "as good as fresh data" while a classifier tells it apart at a glance. This module
scores, as MOSTLY AI's evaluator (mostlyai-qa) does, the total variation distance (TVD) of binned marginals:

* every column in 10 bins (deciles of the real column for numbers and dates, the 10 most common real categories
  plus "(other)" for categories; missing values in their own bin; a synthesizer's bucket for rare categories,
  a value no real row holds, in a bin of its own, where mostlyai-qa folds it into "(other)");
* univariate accuracy: 1 − TVD of each column's binned distribution; bivariate: of each pair's joint
  distribution; trivariate: of each triple's (a seeded sample of at most ``max_combinations`` pairs or
  triples when there are more); each averaged over its columns, pairs or triples.

The real holdout scored the same way against train is the **ceiling**: what fresh real data achieves. TVD
depends on sample size, so the larger of the synthetic table and the holdout is scored on a seeded sample of
as many rows as the smaller; both then face the same sampling noise and the gap (synthetic − holdout) is fair.
Intervals come from a delete-a-group jackknife (rows of each table in ``groups`` seeded groups, deleted
together), which also gives the interval of the gap.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation.context import (
    BUCKET_BIN,
    NO_COLUMN_TO_COMPARE,
    NO_TABLES,
    BinnedColumn,
    ContextError,
    EvaluationContext,
)
from synth.evaluation.results import Interval, number, to_jsonable
from synth.evaluation.spec import MetricSpec
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema

MAX_COMBINATIONS = 1_000
GROUPS = 20
Z95 = 1.959963984540054
_KINDS = frozenset(
    {ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME, ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}
)
UNIVARIATE = MetricSpec("UnivariateAccuracy", "1 − TVD of binned single-column distributions", kinds=_KINDS)
BIVARIATE = MetricSpec("BivariateAccuracy", "1 − TVD of binned two-column joint distributions", kinds=_KINDS)
TRIVARIATE = MetricSpec("TrivariateAccuracy", "1 − TVD of binned three-column joint distributions", kinds=_KINDS)
ACCURACY = MetricSpec("Accuracy", "Mean of univariate, bivariate and trivariate accuracy", kinds=_KINDS)
ACCURACY_METRICS = (ACCURACY, UNIVARIATE, BIVARIATE, TRIVARIATE)


@dataclass(frozen=True)
class MarginalScore:
    """Accuracy of one column, pair or triple (1 = identical binned distribution)."""

    columns: tuple[str, ...]
    accuracy: float
    reference: float | None


@dataclass(frozen=True)
class AccuracyScore:
    """One order of marginals (1, 2 or 3 columns at a time).

    Attributes:
        order: how many columns each marginal spans.
        value / interval: the synthetic table's mean accuracy and its 95% interval.
        reference / reference_interval: the real holdout's (the ceiling), None without a holdout.
        gap / gap_interval: value − reference with a 95% interval; negative means below fresh real data.
        n_marginals / n_possible: marginals scored, and how many exist (more: a seeded sample was scored).
    """

    order: int
    value: float
    interval: Interval | None
    reference: float | None
    reference_interval: Interval | None
    gap: float | None
    gap_interval: Interval | None
    n_marginals: int
    n_possible: int

    @property
    def below_ceiling(self) -> bool | None:
        """True when the synthetic table is below the holdout beyond noise; None without a holdout."""
        if self.gap_interval is None:
            return None
        return self.gap_interval.high < 0

    def verdict(self) -> str:
        if self.reference is None or self.gap is None:
            return "no holdout to compare with"
        if self.below_ceiling:
            return f"{number(self.gap, signed=True)} below fresh real data ({number(self.reference)}), beyond noise"
        return f"{number(self.gap, signed=True)} vs fresh real data ({number(self.reference)}): within noise"


@dataclass(frozen=True)
class AccuracyResult:
    """Univariate, bivariate and trivariate accuracy with the holdout ceiling.

    Attributes:
        overall: mean of the three orders present (as mostlyai-qa's overall accuracy).
        univariate / bivariate / trivariate: the scores per order (None when there are too few columns).
        columns: per-column univariate accuracy, worst first.
        worst_pairs / worst_triples: the five worst pairs and triples.
        n_synthetic_rows: synthetic rows scored (as many as the holdout when there is one and it is smaller).
        n_holdout_rows: holdout rows scored (as many as the synthetic rows when those are fewer), or None.
        seed: seed of the samples and groups.
        buckets: (column, share of synthetic rows, bucket labels) for each categorical column whose synthetic rows
            hold a generator's rare-category bucket ("(other)", mostlyai-engine's "_RARE_"), a value no real training
            row holds; largest share first.
        parts: the names among ``columns`` that are a timestamp's time of day or weekday
            (:mod:`synth.evaluation.date_parts`), scored like columns.
    """

    overall: float
    overall_interval: Interval | None
    overall_reference: float | None
    univariate: AccuracyScore
    bivariate: AccuracyScore | None
    trivariate: AccuracyScore | None
    columns: tuple[MarginalScore, ...]
    worst_pairs: tuple[MarginalScore, ...]
    worst_triples: tuple[MarginalScore, ...]
    n_synthetic_rows: int
    n_holdout_rows: int | None
    seed: int
    buckets: tuple[tuple[str, float, tuple[str, ...]], ...] = ()
    parts: tuple[str, ...] = ()

    @property
    def orders(self) -> tuple[AccuracyScore, ...]:
        return tuple(s for s in (self.univariate, self.bivariate, self.trivariate) if s is not None)

    @property
    def as_good_as_holdout(self) -> bool | None:
        """True when no order is below the holdout beyond noise; None without a holdout."""
        flags = [s.below_ceiling for s in self.orders]
        if any(f is None for f in flags):
            return None
        return not any(flags)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        return out


def _groups(n: int, rng: np.random.Generator, groups: int) -> np.ndarray:
    return rng.permutation(np.arange(n) % groups)


def _shares_by_group(counts: np.ndarray) -> np.ndarray:
    """Shares for the full table (row 0) and with each group deleted (rows 1..G), from per-group counts."""
    full = counts.sum(axis=0)
    table = np.vstack([full, full - counts])
    out: np.ndarray = table / np.maximum(table.sum(axis=1, keepdims=True), 1)
    return out


def _accuracy_by_group(shares_a: np.ndarray, shares_b: np.ndarray) -> np.ndarray:
    """1 − TVD per row of two share tables (full, then each group deleted)."""
    out: np.ndarray = 1.0 - 0.5 * np.abs(shares_a - shares_b).sum(axis=1)
    return out


def _jackknife_interval(values: np.ndarray) -> Interval:
    """Normal interval around values[0] with the delete-a-group jackknife spread of values[1:]."""
    reps = values[1:]
    g = len(reps)
    se = math.sqrt((g - 1) / g * float(((reps - reps.mean()) ** 2).sum()))
    return Interval(float(values[0] - Z95 * se), float(values[0] + Z95 * se))


ENUMERABLE = 1_000_000
"""Combinations listed before a sample is drawn from them; beyond, the sample is drawn without the list (2,000
columns make 1.3 billion triples: listing them ran out of memory)."""


def _combos(n_columns: int, order: int, limit: int, rng: np.random.Generator) -> tuple[list[tuple[int, ...]], int]:
    n_possible = math.comb(n_columns, order)
    if n_possible > ENUMERABLE and limit < n_possible:
        chosen: set[tuple[int, ...]] = set()
        while len(chosen) < limit:  # each draw is a uniform combination; repeats are drawn again
            chosen.add(tuple(sorted(int(c) for c in rng.choice(n_columns, size=order, replace=False))))
        return sorted(chosen), n_possible
    every = list(combinations(range(n_columns), order))
    if len(every) <= limit:
        return every, len(every)
    pick = np.sort(rng.choice(len(every), size=limit, replace=False))
    return [every[i] for i in pick], len(every)


def evaluate_accuracy(
    real: pd.DataFrame | None = None,
    synthetic: pd.DataFrame | None = None,
    *,
    holdout: pd.DataFrame | None = None,
    schema: Schema | None = None,
    context: EvaluationContext | None = None,
    max_combinations: int = MAX_COMBINATIONS,
    groups: int = GROUPS,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> AccuracyResult:
    """Univariate, bivariate and trivariate accuracy of ``synthetic`` against ``real``, holdout as ceiling.

    Args:
        real / synthetic / holdout / schema: the tables (or pass ``context``, which holds them prepared).
        context: an :class:`~synth.evaluation.context.EvaluationContext`; its bins are reused.
        max_combinations: at most this many pairs and this many triples (a seeded sample when there are more).
        groups: jackknife groups for the intervals.
        seed: seed of the size-matching sample, the groups and the combinations.
        progress: called with (fraction, message).

    Returns:
        A frozen :class:`AccuracyResult`.

    Raises:
        ContextError: a table has no rows or lacks the real table's columns, or no column to compare.
    """
    report = ensure(progress)
    if context is None:
        if real is None or synthetic is None:
            raise ContextError(NO_TABLES)
        context = EvaluationContext(real, synthetic, holdout, schema, seed=seed)
    bins = context.accuracy_bins
    if not bins:
        raise ContextError(NO_COLUMN_TO_COMPARE)
    report(0.05, "binning columns")
    rng = np.random.default_rng([seed, 7])
    n_train, n_syn = len(context.train), len(context.synthetic)
    n_hold = len(context.holdout) if context.holdout is not None else None
    # Size matching: the larger of the synthetic table and the holdout is scored on a seeded sample of the
    # smaller's size, so both face the same sampling noise. (A race samples 1,000 rows by default: against the
    # whole holdout, a fresh real sample of that size read 0.05 below the ceiling on trivariate accuracy.)
    syn_rows = np.sort(rng.choice(n_syn, size=n_hold, replace=False)) if n_hold and n_syn > n_hold else None
    hold_rows = np.sort(rng.choice(n_hold, size=n_syn, replace=False)) if n_hold and n_hold > n_syn else None
    n_syn_used = len(syn_rows) if syn_rows is not None else n_syn
    n_hold_used = len(hold_rows) if hold_rows is not None else n_hold
    g_train = _groups(n_train, rng, groups)
    g_syn = _groups(n_syn_used, rng, groups)
    g_hold = _groups(n_hold_used, rng, groups) if n_hold_used else None

    def table_codes(col_codes: Sequence[np.ndarray]) -> list[np.ndarray]:
        syn = col_codes[1] if syn_rows is None else col_codes[1][syn_rows]
        hold = [] if not n_hold else [col_codes[2] if hold_rows is None else col_codes[2][hold_rows]]
        return [col_codes[0], syn, *hold]

    codes = [table_codes(b.codes) for b in bins]
    sizes = [b.n_codes for b in bins]
    group_of = [g_train, g_syn, *([g_hold] if g_hold is not None else [])]

    # Each row's code carries its jackknife group as the most significant digit: one bincount per table then
    # counts every group at once. Prefixes are extended digit by digit (g → g·s_i + c_i → … ), and the prefix
    # of the previous combination is reused (combinations come in lexicographic order).
    codes32 = [[c.astype(np.int32) for c in table] for table in codes]
    prefix: dict[tuple[int, ...], list[np.ndarray]] = {(): [g.astype(np.int32) for g in group_of]}

    def joint_codes(combo: tuple[int, ...]) -> list[np.ndarray]:
        for cached in [k for k in prefix if k and combo[: len(k)] != k]:
            del prefix[cached]  # keep only the prefixes of the current combination
        known = max((k for k in prefix if combo[: len(k)] == k), key=len)
        out = prefix[known]
        for depth in range(len(known), len(combo)):
            j = combo[depth]
            out = [acc * sizes[j] + c for acc, c in zip(out, codes32[j], strict=True)]
            if depth < len(combo) - 1:
                prefix[combo[: depth + 1]] = out
        return out

    def per_group(joint: list[np.ndarray], size: int) -> list[np.ndarray]:
        return [np.bincount(j, minlength=groups * size).reshape(groups, size).astype(float) for j in joint]

    scores: dict[int, AccuracyScore] = {}
    marginals: dict[int, list[MarginalScore]] = {}
    names = [b.name for b in bins]
    for order in (1, 2, 3):
        if len(bins) < order:
            continue
        report(0.1 + 0.28 * (order - 1), f"{['', 'univariate', 'bivariate', 'trivariate'][order]} accuracy")
        combos, n_possible = _combos(len(bins), order, max_combinations, rng)
        syn_vals = np.zeros(groups + 1)
        ref_vals = np.zeros(groups + 1)
        found: list[MarginalScore] = []
        for combo in combos:
            size = math.prod(sizes[j] for j in combo)
            shares = [_shares_by_group(c) for c in per_group(joint_codes(combo), size)]
            s = _accuracy_by_group(shares[0], shares[1])
            syn_vals += s
            r = _accuracy_by_group(shares[0], shares[2]) if n_hold else None
            if r is not None:
                ref_vals += r
            found.append(MarginalScore(tuple(names[j] for j in combo), float(s[0]), None if r is None else float(r[0])))
        syn_vals /= len(combos)
        ref_vals /= len(combos)
        scores[order] = AccuracyScore(
            order=order,
            value=float(syn_vals[0]),
            interval=_jackknife_interval(syn_vals),
            reference=float(ref_vals[0]) if n_hold else None,
            reference_interval=_jackknife_interval(ref_vals) if n_hold else None,
            gap=float(syn_vals[0] - ref_vals[0]) if n_hold else None,
            gap_interval=_jackknife_interval(syn_vals - ref_vals) if n_hold else None,
            n_marginals=len(combos),
            n_possible=n_possible,
        )
        marginals[order] = sorted(found, key=lambda m: (m.accuracy, m.columns))
    report(1.0, "done")
    present = list(scores.values())
    overall = float(np.mean([s.value for s in present]))
    lows = [s.interval.low for s in present if s.interval]
    highs = [s.interval.high for s in present if s.interval]
    refs = [s.reference for s in present if s.reference is not None]
    return AccuracyResult(
        overall=overall,
        # Conservative: the mean of the orders' interval ends (the orders share rows, so they are correlated).
        overall_interval=Interval(float(np.mean(lows)), float(np.mean(highs))) if lows else None,
        overall_reference=float(np.mean(refs)) if len(refs) == len(present) else None,
        univariate=scores[1],
        bivariate=scores.get(2),
        trivariate=scores.get(3),
        columns=tuple(marginals[1]),
        worst_pairs=tuple(marginals.get(2, [])[:5]),
        worst_triples=tuple(marginals.get(3, [])[:5]),
        n_synthetic_rows=n_syn_used,
        n_holdout_rows=n_hold_used,
        seed=seed,
        buckets=_bucket_shares(bins),
        parts=tuple(p.name for p in context.date_parts),
    )


def _bucket_shares(bins: Sequence[BinnedColumn]) -> tuple[tuple[str, float, tuple[str, ...]], ...]:
    """Share of the synthetic rows in each column's bucket bin (:data:`BUCKET_BIN`), largest first."""
    found = [
        (b.name, float(np.mean(b.codes[1] == b.labels.index(BUCKET_BIN))), b.buckets)
        for b in bins
        if BUCKET_BIN in b.labels
    ]
    return tuple(sorted(found, key=lambda x: (-x[1], x[0])))
