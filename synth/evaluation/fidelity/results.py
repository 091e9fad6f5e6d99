"""Fidelity scores as declared metrics and frozen results (the configuration/result split of evidently)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth.evaluation.results import Interval, number, to_jsonable
from synth.evaluation.spec import MetricSpec
from synth.schema import ColumnKind

N_BINS = 10
DEFAULT_BOOTSTRAP = 200
BOOTSTRAP_ROWS = 50_000
SDMETRICS_MAX_ROWS = 100_000
KS_CELLS = 2_000_000  # replicates × distinct values counted at once for the KS statistic
NUMERIC_KINDS = frozenset({ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME})
CATEGORY_KINDS = frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN})
MODELLED = NUMERIC_KINDS | CATEGORY_KINDS

Correlation = Literal["pearson", "spearman"]

KS_COMPLEMENT = MetricSpec(
    "KSComplement",
    "1 − the largest gap between the real and synthetic cumulative distributions",
    goal="maximize",
    kinds=NUMERIC_KINDS,
)
TV_COMPLEMENT = MetricSpec(
    "TVComplement",
    "1 − the total variation distance between real and synthetic category frequencies",
    goal="maximize",
    kinds=CATEGORY_KINDS,
)
MISSING_SIMILARITY = MetricSpec(
    "MissingValueSimilarity",
    "1 − |share of missing values (real) − share of missing values (synthetic)|",
    goal="maximize",
    kinds=MODELLED,
)
CORRELATION_SIMILARITY = MetricSpec(
    "CorrelationSimilarity",
    "1 − |Pearson r (real) − Pearson r (synthetic)| / 2, for two numeric columns",
    goal="maximize",
    kinds=NUMERIC_KINDS,
)
SPEARMAN_SIMILARITY = MetricSpec(
    "SpearmanSimilarity",
    "1 − |Spearman ρ (real) − Spearman ρ (synthetic)| / 2, for two numeric columns",
    goal="maximize",
    kinds=NUMERIC_KINDS,
)
CONTINGENCY_SIMILARITY = MetricSpec(
    "ContingencySimilarity",
    "1 − the total variation distance between the real and synthetic joint frequency tables",
    goal="maximize",
    kinds=MODELLED,
)
COLUMN_SHAPES = MetricSpec("ColumnShapes", "Mean of the per-column shape scores", goal="maximize", kinds=MODELLED)
COLUMN_PAIR_TRENDS = MetricSpec(
    "ColumnPairTrends", "Mean of the per-pair trend scores over every pair", goal="maximize", kinds=MODELLED
)
OVERALL_QUALITY = MetricSpec(
    "OverallQuality", "Mean of column shapes and column pair trends", goal="maximize", kinds=MODELLED
)
PEARSON = MetricSpec("Pearson", "Pearson correlation of two numeric columns", low=-1.0, kinds=NUMERIC_KINDS)
SPEARMAN = MetricSpec("Spearman", "Spearman rank correlation of two numeric columns", low=-1.0, kinds=NUMERIC_KINDS)
CORRELATION_RATIO = MetricSpec(
    "CorrelationRatio", "η: share of a number's spread explained by a category (square root)", kinds=MODELLED
)
CRAMERS_V = MetricSpec("CramersV", "Cramér's V association of two categorical columns", kinds=CATEGORY_KINDS)

FIDELITY_METRICS: tuple[MetricSpec, ...] = (
    OVERALL_QUALITY,
    COLUMN_SHAPES,
    COLUMN_PAIR_TRENDS,
    KS_COMPLEMENT,
    TV_COMPLEMENT,
    MISSING_SIMILARITY,
    CORRELATION_SIMILARITY,
    SPEARMAN_SIMILARITY,
    CONTINGENCY_SIMILARITY,
    PEARSON,
    SPEARMAN,
    CORRELATION_RATIO,
    CRAMERS_V,
)


@dataclass(frozen=True)
class ColumnScore:
    """The shape score of one column.

    Attributes:
        column: column name.
        kind: its kind.
        metric: ``KSComplement`` or ``TVComplement``.
        score: the score, 1 = identical distribution.
        missing_real / missing_synthetic: share of missing values in each table.
        missing_score: 1 − |missing_real − missing_synthetic|.
        interval: bootstrap confidence interval of ``score``.
    """

    column: str
    kind: ColumnKind
    metric: str
    score: float
    missing_real: float
    missing_synthetic: float
    missing_score: float = float("nan")
    interval: Interval | None = None


@dataclass(frozen=True)
class PairScore:
    """The trend score of one pair of columns.

    Attributes:
        column_a / column_b: the pair.
        metric: ``CorrelationSimilarity`` / ``SpearmanSimilarity`` (numeric pairs) or ``ContingencySimilarity``.
        real / synthetic: the association in each table, measured by ``association``.
        score: the pair's trend score, 1 = same relationship.
        association: ``Pearson``, ``Spearman``, ``CorrelationRatio`` (number × category) or ``CramersV``.
        spearman_real / spearman_synthetic / spearman_score: Spearman's ρ and its similarity, numeric pairs only.
        interval: bootstrap confidence interval of ``score``.
    """

    column_a: str
    column_b: str
    metric: str
    real: float
    synthetic: float
    score: float
    association: str = ""
    spearman_real: float | None = None
    spearman_synthetic: float | None = None
    spearman_score: float | None = None
    interval: Interval | None = None


@dataclass(frozen=True)
class AssociationMatrix:
    """Strength of association for every pair.

    Numeric pairs: Pearson r (or Spearman ρ when ``method`` is ``"spearman"``); a number and a category: the
    correlation ratio η; two categories: Cramér's V.
    """

    columns: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]
    method: str = "pearson"

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(np.array(self.values, dtype=float), index=self.columns, columns=self.columns)


@dataclass(frozen=True)
class SdmetricsScores:
    """sdmetrics' QualityReport (and DiagnosticReport) scores.

    Since sdmetrics 0.27 the Column Pair Trends property averages only the pairs whose *real* association is
    strong: |Pearson r| above ``correlation_threshold`` for numeric pairs, Cramér's V above
    ``association_threshold`` otherwise. Our own pair-trend score averages every pair.

    Attributes:
        n_synthetic_rows: synthetic rows the reports saw (a seeded subsample of very large tables).
        diagnostic / data_validity / data_structure: the DiagnosticReport's scores, None when it failed.
    """

    version: str
    overall: float
    column_shapes: float
    column_pair_trends: float
    correlation_threshold: float
    association_threshold: float
    n_synthetic_rows: int | None = None
    diagnostic: float | None = None
    data_validity: float | None = None
    data_structure: float | None = None


@dataclass(frozen=True)
class FidelityScores:
    """The summary scores and their parts, for one (real, other) comparison.

    Attributes:
        overall: mean of ``column_shapes`` and ``column_pair_trends``.
        column_shapes: mean column score.
        column_pair_trends: mean pair score over every pair.
        columns / pairs: the parts.
        missing_values: mean missing-value similarity (not part of ``overall``, as in sdmetrics).
        *_interval: bootstrap confidence intervals of the summaries.
    """

    overall: float
    column_shapes: float
    column_pair_trends: float
    columns: tuple[ColumnScore, ...]
    pairs: tuple[PairScore, ...]
    missing_values: float = float("nan")
    overall_interval: Interval | None = None
    column_shapes_interval: Interval | None = None
    column_pair_trends_interval: Interval | None = None
    missing_values_interval: Interval | None = None

    def column(self, name: str) -> ColumnScore:
        for c in self.columns:
            if c.column == name:
                return c
        raise KeyError(name)

    def pair(self, a: str, b: str) -> PairScore:
        for p in self.pairs:
            if {p.column_a, p.column_b} == {a, b}:
                return p
        raise KeyError((a, b))


@dataclass(frozen=True)
class ScoreGap:
    """Synthetic score minus the real holdout's score, with a paired bootstrap interval.

    Attributes:
        name: ``overall``, ``column_shapes``, ``column_pair_trends``, ``missing_values`` or a column name.
        level: ``summary`` or ``column``.
        synthetic / reference: the two scores.
        difference: synthetic − reference (negative: the synthetic table is further from train than fresh
            real data is).
        interval: interval of the difference; None without a bootstrap.
    """

    name: str
    level: Literal["summary", "column"]
    synthetic: float
    reference: float
    difference: float
    interval: Interval | None

    @property
    def is_real(self) -> bool | None:
        """Whether the gap is beyond sampling noise (its interval excludes 0); None without an interval."""
        return None if self.interval is None else self.interval.excludes(0.0)

    def verdict(self) -> str:
        """The gap in words."""
        gap = number(self.difference, signed=True)
        if self.is_real is None:
            return f"{gap} vs the real holdout"
        if not self.is_real:
            return f"{gap} vs the real holdout: within sampling noise"
        if self.difference < 0:
            return f"{gap} vs the real holdout: worse than fresh real data, beyond noise"
        # Above the holdout is no sign of a better table: a copy of train scores 1.0. Both sides are scored at the
        # same row count (same_size.py), so size no longer explains it: a segment's 175 holdout rows against 710
        # synthetic ones read +0.050 "beyond noise" on the hr walk table at unequal sizes, +0.006 within noise now.
        return (
            f"{gap} vs the real holdout: closer to the training rows than fresh real data of the same row count, "
            "beyond noise (rows copied from train, or drawn too near them, score above it; a copy scores 1.0)"
        )


@dataclass(frozen=True)
class FidelityResult:
    """Fidelity of a synthetic table against the real training table.

    Attributes:
        overall: mean of column shapes and column pair trends.
        scores: the synthetic table's scores in detail.
        reference: the same scores for the real holdout against train, or None without a holdout.
        association_real / association_synthetic: association matrices over the compared columns.
        sdmetrics: sdmetrics' own QualityReport scores, or None when it was not run or failed.
        sdmetrics_error: why sdmetrics' report is missing, when it failed.
        association_holdout: the holdout's association matrix, when a holdout was given.
        spearman_real / spearman_synthetic: association matrices with Spearman's ρ for numeric pairs.
        gaps: synthetic − reference for the summaries and every column, with paired bootstrap intervals.
        n_scored: with a holdout, the row count the synthetic scores and the reference were both computed at
            (the smaller table's; the larger one's scores are the mean over seeded draws of this many rows).
        n_bootstrap / seed / level: how the intervals were made.
        correlation: which correlation the numeric pair scores use.
    """

    scores: FidelityScores
    reference: FidelityScores | None
    association_real: AssociationMatrix
    association_synthetic: AssociationMatrix
    sdmetrics: SdmetricsScores | None
    sdmetrics_error: str | None
    n_real: int
    n_synthetic: int
    n_holdout: int | None = None
    association_holdout: AssociationMatrix | None = None
    spearman_real: AssociationMatrix | None = None
    spearman_synthetic: AssociationMatrix | None = None
    gaps: tuple[ScoreGap, ...] = field(default_factory=tuple)
    n_bootstrap: int = 0
    seed: int | None = None
    level: float = 0.95
    correlation: str = "pearson"
    n_scored: int | None = None

    @property
    def overall(self) -> float:
        return self.scores.overall

    @property
    def column_shapes(self) -> float:
        return self.scores.column_shapes

    @property
    def column_pair_trends(self) -> float:
        return self.scores.column_pair_trends

    @property
    def same_size_note(self) -> str | None:
        """Says the row count the synthetic scores and the holdout's were both computed at, and why, when the two
        tables differ in size; None otherwise."""
        if self.n_scored is None or self.n_holdout is None or self.n_synthetic == self.n_holdout:
            return None
        larger = "synthetic table" if self.n_synthetic > self.n_holdout else "holdout"
        return (
            f"Synthetic and holdout are both scored at {self.n_scored:,} rows (the {larger}'s scores are the mean "
            "of seeded draws of that many): distances grow as samples shrink, so a larger table would read closer "
            "to train for its size alone."
        )

    @property
    def pairs_total(self) -> int:
        """Pairs of the compared columns; more than were scored when a wide table's pairs were sampled
        (:data:`synth.evaluation.fidelity.batch.MAX_PAIRS`)."""
        n = len(self.scores.columns)
        return n * (n - 1) // 2

    @property
    def pairs_note(self) -> str | None:
        """Says so when the pair scores are a sample of the pairs; None when every pair was scored."""
        scored, total = len(self.scores.pairs), self.pairs_total
        if scored >= total:
            return None
        return (
            f"{scored:,} of the {total:,} column pairs were scored: every pair among a seeded sample of "
            f"{len(self.association_real.columns):,} of the {len(self.scores.columns):,} columns. The pair-trend "
            "score is their mean, and the heatmaps show those columns."
        )

    @property
    def columns(self) -> tuple[ColumnScore, ...]:
        return self.scores.columns

    def worst_columns(self) -> list[ColumnScore]:
        """Columns from the worst match to the best."""
        return sorted(self.scores.columns, key=lambda c: (c.score, c.column))

    def worst_pairs(self) -> list[PairScore]:
        """Pairs from the worst match to the best: with a holdout, by how far each falls below fresh real data's
        score for the same pair (a pair of two mostly missing columns scores low for the holdout too, and was
        shown first as "lost" — an HR table's termination date × commute, 40 rows in common); without one, by
        score."""
        holdout = {frozenset((p.column_a, p.column_b)): p.score for p in self.reference.pairs} if self.reference else {}

        def shortfall(p: PairScore) -> float:
            return p.score - min(holdout.get(frozenset((p.column_a, p.column_b)), 1.0), 1.0)

        return sorted(self.scores.pairs, key=lambda p: (shortfall(p), p.score, p.column_a, p.column_b))

    def holdout_pair_score(self, a: str, b: str) -> float | None:
        """Fresh real data's trend score for the pair, None without a holdout or where it was not scored."""
        if self.reference is None:
            return None
        try:
            return self.reference.pair(a, b).score
        except KeyError:
            return None

    def gap(self, name: str) -> ScoreGap | None:
        """The gap for a summary (``overall``, ...) or a column, None without a holdout."""
        return next((g for g in self.gaps if g.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (NaN → None)."""
        out: dict[str, Any] = to_jsonable(self)
        return out
