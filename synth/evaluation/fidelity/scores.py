"""Fidelity: how closely a synthetic table follows the real one, column by column and pair by pair.

Scores follow the definitions of sdmetrics' QualityReport (so they read the same as published numbers):

* Column shapes: KS complement (1 − Kolmogorov–Smirnov statistic) for numbers and datetimes, TV complement
  (1 − total variation distance, missing values as their own category) for categories and booleans. Beside it,
  the missing-value similarity 1 − |missing share real − missing share synthetic|.
* Column pair trends: correlation similarity (1 − |r_real − r_synth| / 2; Pearson by default, Spearman on
  request) for two numeric columns, contingency similarity (1 − TV distance of the joint distribution, numbers in
  10 equal-width bins of the real range, missing values as their own bin) otherwise.
* Association matrices real | synthetic: Pearson (or Spearman) r for numeric pairs, the correlation ratio η for a
  number and a category, Cramér's V for two categories.

Every score is in [0, 1] and 1 is best. When a holdout is given, the same scores for holdout vs train are the
reference: what "as good as fresh real data" looks like. Seeded bootstrap intervals go with every score and with
every gap between the synthetic score and the reference, so a user sees whether a gap is real or noise.

Speed: each column is coded once (value ranks for the KS statistic, integer codes for frequency tables), and a
bootstrap replicate is a vector of row weights, so a replicate costs weighted ``bincount`` calls on the codes
rather than new DataFrames. Tables larger than ``bootstrap_rows`` are bootstrapped on a seeded subsample and the
spread rescaled to the full size (an m-out-of-n bootstrap).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import sparse

from synth.evaluation.features import labels, thread_limit
from synth.evaluation.results import Interval, bootstrap_weights, recentred_interval, to_jsonable
from synth.evaluation.spec import MetricSpec
from synth.progress import ProgressCallback, ensure, scaled
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema

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
        if self.is_real is None:
            return f"{self.difference:+.3f} vs the real holdout"
        if not self.is_real:
            return f"{self.difference:+.3f} vs the real holdout: within sampling noise"
        better = "better" if self.difference > 0 else "worse"
        return f"{self.difference:+.3f} vs the real holdout: {better} than fresh real data, beyond noise"


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
    def columns(self) -> tuple[ColumnScore, ...]:
        return self.scores.columns

    def worst_columns(self) -> list[ColumnScore]:
        """Columns from the worst match to the best."""
        return sorted(self.scores.columns, key=lambda c: (c.score, c.column))

    def worst_pairs(self) -> list[PairScore]:
        """Pairs from the worst match to the best."""
        return sorted(self.scores.pairs, key=lambda p: (p.score, p.column_a, p.column_b))

    def gap(self, name: str) -> ScoreGap | None:
        """The gap for a summary (``overall``, ...) or a column, None without a holdout."""
        return next((g for g in self.gaps if g.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON types (NaN → None)."""
        out: dict[str, Any] = to_jsonable(self)
        return out


# ----------------------------------------------------------------------------- coding


@dataclass(frozen=True)
class _Column:
    """One column coded for every table (index 0 is the real table): the same codes mean the same thing."""

    name: str
    kind: ColumnKind
    codes: tuple[np.ndarray, ...]  # frequency-table codes; numbers in N_BINS bins; missing = n_codes − 1
    n_codes: int
    missing: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...] | None  # numbers (NaN = missing); None for categories
    positions: tuple[np.ndarray | None, ...]  # rows with a finite value (None: every row)
    ranks_index: tuple[np.ndarray, ...]  # index of each finite value in the sorted union of all tables
    n_values: int

    @property
    def numeric(self) -> bool:
        return self.values is not None

    def take(self, rows: Sequence[np.ndarray | None]) -> _Column:
        """The same column restricted to some rows of each table (None keeps a table whole)."""
        pick = [c if r is None else c[r] for c, r in zip(self.codes, rows, strict=True)]
        missing = [m if r is None else m[r] for m, r in zip(self.missing, rows, strict=True)]
        if self.values is None:
            return _Column(self.name, self.kind, tuple(pick), self.n_codes, tuple(missing), None, (), (), 0)
        values = [v if r is None else v[r] for v, r in zip(self.values, rows, strict=True)]
        positions, index, n_values = _value_index(values)
        return _Column(
            self.name, self.kind, tuple(pick), self.n_codes, tuple(missing), tuple(values), positions, index, n_values
        )


def _as_float(series: pd.Series, kind: ColumnKind) -> np.ndarray:
    """Numbers as floats, datetimes as nanoseconds (parsed as :func:`synth.schema.coerce_to_schema` does)."""
    if kind is ColumnKind.DATETIME:
        if pd.api.types.is_datetime64_any_dtype(series):
            dt = series
        elif pd.api.types.is_numeric_dtype(series):
            dt = pd.to_datetime(series, errors="coerce", unit="s")
        else:
            dt = pd.to_datetime(series, errors="coerce", format="mixed")
        out = dt.astype("int64").to_numpy().astype(float)
        out[dt.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def _value_index(
    values: Sequence[np.ndarray],
) -> tuple[tuple[np.ndarray | None, ...], tuple[np.ndarray, ...], int]:
    finite = [np.isfinite(v) for v in values]
    positions = tuple(None if f.all() else np.flatnonzero(f) for f in finite)
    kept = [v if p is None else v[p] for v, p in zip(values, positions, strict=True)]
    if not any(len(k) for k in kept):
        return positions, tuple(np.zeros(0, dtype=np.intp) for _ in kept), 0
    both = np.concatenate(kept)
    uniques = np.sort(pd.unique(both))  # hashing first: fast when there are few distinct values
    inverse = np.searchsorted(uniques, both)
    splits = np.cumsum([len(k) for k in kept])[:-1]
    return positions, tuple(np.split(inverse.astype(np.intp), splits)), len(uniques)


def _category_codes(series: Sequence[pd.Series]) -> tuple[list[np.ndarray], int]:
    """Shared integer codes over several tables; missing values get the last code."""
    dtypes = {str(s.dtype) for s in series}
    # Mixed storage (say integer codes in one table, strings or floats in another) is compared as text.
    parts = [labels(s) if len(dtypes) > 1 else s for s in series]
    both = pd.concat(parts, ignore_index=True)
    codes, uniques = pd.factorize(both, sort=False, use_na_sentinel=True)
    n = len(uniques)
    codes = np.where(codes < 0, n, codes).astype(np.intp)
    splits = np.cumsum([len(s) for s in series])[:-1]
    return list(np.split(codes, splits)), n + 1


def _code_column(series: Sequence[pd.Series], kind: ColumnKind) -> _Column:
    name = str(series[0].name)
    if kind in NUMERIC_KINDS:
        values = [_as_float(s, kind) for s in series]
        real = values[0][np.isfinite(values[0])]
        lo, hi = (float(real.min()), float(real.max())) if len(real) else (0.0, 1.0)
        width = (hi - lo) / N_BINS if hi > lo else 1.0
        codes = []
        for x in values:
            with np.errstate(invalid="ignore"):
                binned = np.clip(np.floor((x - lo) / width), 0, N_BINS - 1)
            codes.append(np.where(np.isfinite(x), binned, N_BINS).astype(np.intp))
        positions, index, n_values = _value_index(values)
        missing = tuple(~np.isfinite(x) for x in values)
        return _Column(name, kind, tuple(codes), N_BINS + 1, missing, tuple(values), positions, index, n_values)
    cat_codes, n_codes = _category_codes(series)
    missing = tuple(s.isna().to_numpy() for s in series)
    return _Column(name, kind, tuple(cat_codes), n_codes, missing, None, (), (), 0)


# ----------------------------------------------------------------------------- batch scoring


def _counts(codes: np.ndarray, size: int, weights: np.ndarray | None) -> np.ndarray:
    """Frequency table per replicate, shape (replicates, size).

    ``weights`` holds one column of row weights per replicate, shape (rows, replicates), float32; None means one
    replicate of unit weights. A one-hot sparse matrix times the weights counts every replicate in one pass over
    the rows (about 15 times faster than a weighted ``bincount`` per replicate).
    """
    if weights is None:
        return np.bincount(codes, minlength=size).astype(float)[None, :]
    n = len(codes)
    onehot = sparse.csc_matrix((np.ones(n, dtype=np.float32), codes, np.arange(n + 1)), shape=(size, n))
    return np.asarray(onehot @ weights, dtype=float).T


def _shares(counts: np.ndarray) -> np.ndarray:
    total = counts.sum(axis=1, keepdims=True)
    return counts / np.where(total > 0, total, 1.0)


def _tv_complement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 − TV distance per replicate, from count tables of shape (replicates, cells)."""
    out = 1.0 - 0.5 * np.abs(_shares(a) - _shares(b)).sum(axis=1)
    empty_a, empty_b = a.sum(axis=1) == 0, b.sum(axis=1) == 0
    return np.where(empty_a & empty_b, 1.0, np.where(empty_a | empty_b, 0.0, out))


def _ks_complement(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """1 − KS statistic per replicate, from count tables over the sorted distinct values."""
    ta, tb = a.sum(axis=1, keepdims=True), b.sum(axis=1, keepdims=True)
    cdf_a = np.cumsum(a, axis=1) / np.where(ta > 0, ta, 1.0)
    cdf_b = np.cumsum(b, axis=1) / np.where(tb > 0, tb, 1.0)
    out = 1.0 - (np.abs(cdf_a - cdf_b).max(axis=1) if a.shape[1] else np.zeros(len(a)))
    empty_a, empty_b = ta[:, 0] == 0, tb[:, 0] == 0
    return np.where(empty_a & empty_b, 1.0, np.where(empty_a | empty_b, 0.0, out))


def _cramers_v(table: np.ndarray) -> float:
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = table.sum()
    r, c = table.shape
    if n == 0 or min(r, c) < 2:
        return 0.0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / np.where(expected > 0, expected, 1)).sum())
    return float(min(math.sqrt(chi2 / (n * (min(r, c) - 1))), 1.0))


def _correlation_ratio(groups: np.ndarray, x: np.ndarray, n_groups: int) -> float:
    """η = sqrt(between-group variance / total variance) of ``x`` grouped by ``groups``; missing x left out."""
    ok = np.isfinite(x)
    g, v = groups[ok], x[ok]
    if len(v) < 2:
        return 0.0
    total = float(((v - v.mean()) ** 2).sum())
    if total <= 0:
        return 0.0
    n_k = np.bincount(g, minlength=n_groups)
    s_k = np.bincount(g, weights=v, minlength=n_groups)
    present = n_k > 0
    between = float((s_k[present] ** 2 / n_k[present]).sum() - v.sum() ** 2 / len(v))
    return float(math.sqrt(min(max(between / total, 0.0), 1.0)))


def _standardised(values: np.ndarray, centre: float, scale: float) -> np.ndarray:
    z = (values - centre) / scale
    return np.where(np.isfinite(z), z, 0.0)


def _ranks(col: _Column, t: int) -> np.ndarray:
    """Average ranks of table ``t``'s finite values (NaN for missing), from the coded distinct-value index."""
    index = col.ranks_index[t]
    counts = np.bincount(index, minlength=col.n_values).astype(float)
    below = np.cumsum(counts) - counts
    ranks = below + (counts + 1.0) / 2.0
    assert col.values is not None
    out = np.full(len(col.values[t]), np.nan)
    pos = col.positions[t]
    if pos is None:
        out[:] = ranks[index]
    else:
        out[pos] = ranks[index]
    return out


def _moments(za: np.ndarray, zb: np.ndarray, ok: np.ndarray) -> np.ndarray:
    """Per-row terms of the moments a weighted Pearson r needs, shape (rows, 6)."""
    m = ok.astype(float)
    a, b = za * m, zb * m
    return np.stack([m, a, b, a * a, b * b, a * b], axis=1)


def _correlation_from_moments(s: np.ndarray) -> np.ndarray:
    """Pearson r from summed moments of shape (..., 6); 0 when a column is constant or fewer than 3 rows."""
    n = np.where(s[..., 0] > 0, s[..., 0], 1.0)
    ma, mb = s[..., 1] / n, s[..., 2] / n
    va, vb = s[..., 3] / n - ma**2, s[..., 4] / n - mb**2
    cov = s[..., 5] / n - ma * mb
    with np.errstate(invalid="ignore", divide="ignore"):
        r = cov / np.sqrt(va * vb)
    ok_r = (va > 1e-12) & (vb > 1e-12) & (s[..., 0] >= 3)
    return np.clip(np.where(ok_r, r, 0.0), -1.0, 1.0)


def _pair_correlations(
    z: dict[int, np.ndarray],
    cols: Sequence[_Column],
    pairs: Sequence[tuple[int, int]],
    t: int,
    weights: np.ndarray | None,
) -> np.ndarray:
    """Correlation of every numeric pair per replicate, shape (replicates, pairs): one matrix product."""
    reps = 1 if weights is None else weights.shape[1]
    if not pairs:
        return np.zeros((reps, 0))
    if weights is None:
        # One pair at a time with dot products: a million rows × 6 moments × every pair would not fit in memory.
        sums = np.empty((1, 6 * len(pairs)))
        for q, (i, j) in enumerate(pairs):
            ok = ~(cols[i].missing[t] | cols[j].missing[t])
            a, b = (z[i], z[j]) if ok.all() else (z[i] * ok, z[j] * ok)
            sums[0, 6 * q : 6 * q + 6] = (float(ok.sum()), a.sum(), b.sum(), a @ a, b @ b, a @ b)
    else:
        blocks = [_moments(z[i], z[j], ~(cols[i].missing[t] | cols[j].missing[t])) for i, j in pairs]
        sums = weights.T.astype(float) @ np.concatenate(blocks, axis=1)
    return _correlation_from_moments(sums.reshape(reps, len(pairs), 6))


@dataclass
class _Batch:
    """Scores of several comparisons (real vs table t) for R replicates (R = 1 for the point estimate)."""

    shapes: dict[int, np.ndarray]  # t → (R, n_columns)
    missing: dict[int, np.ndarray]
    pairs: dict[int, np.ndarray]  # t → (R, n_pairs)
    spearman_pairs: dict[int, np.ndarray]  # t → (R, n_pairs), NaN for non-numeric pairs (point pass only)
    association: dict[int, np.ndarray]  # t → (k, k) association matrix (point pass only; t = 0 is real)
    spearman_association: dict[int, np.ndarray]


def _pairs(n: int) -> list[tuple[int, int]]:
    return list(combinations(range(n), 2))


def _score_batch(
    cols: Sequence[_Column],
    weights: Sequence[np.ndarray | None],
    others: Sequence[int],
    *,
    correlation: Correlation,
    point: bool,
    progress: ProgressCallback,
) -> _Batch:
    """Score real (table 0) against each table in ``others`` under the given row weights."""
    k = len(cols)
    reps = 1 if weights[0] is None else weights[0].shape[1]
    tables = [0, *others]
    shapes = {t: np.ones((reps, k)) for t in others}
    missing = {t: np.ones((reps, k)) for t in others}
    pair_list = _pairs(k)
    pairs = {t: np.ones((reps, len(pair_list))) for t in others}
    spear = {t: np.full((reps, len(pair_list)), np.nan) for t in others}
    assoc = {t: np.eye(k) for t in tables} if point else {}
    spear_assoc = {t: np.eye(k) for t in tables} if point else {}
    n_steps = k + len(pair_list)

    for i, col in enumerate(cols):
        progress(i / n_steps, f"column {col.name}")
        if col.numeric:
            # Count tables over the distinct values are (replicates × values): chunk the replicates so a column
            # with tens of thousands of distinct values stays within a few tens of MB.
            chunk = max(1, int(KS_CELLS // max(col.n_values, 1)))
            for start in range(0, reps, chunk):
                rows = slice(start, start + chunk)
                counts = {}
                for t in tables:
                    w = weights[t]
                    pos = col.positions[t]
                    if w is not None:
                        w = w[:, rows] if pos is None else w[pos, rows]
                    counts[t] = _counts(col.ranks_index[t], col.n_values, w)
                for t in others:
                    shapes[t][rows, i] = _ks_complement(counts[0], counts[t])
        else:
            counts = {t: _counts(col.codes[t], col.n_codes, weights[t]) for t in tables}
            for t in others:
                shapes[t][:, i] = _tv_complement(counts[0], counts[t])
        share = {}
        for t in tables:
            m = col.missing[t].astype(float)
            w = weights[t]
            n_t = max(len(m), 1)
            share[t] = np.array([m.mean()]) if w is None else (m.astype(np.float32) @ w).astype(float) / n_t
        for t in others:
            missing[t][:, i] = 1.0 - np.abs(share[0] - share[t])

    # Numeric pairs: correlations of values standardised by the real centre and scale (ranks for Spearman).
    numeric = [(p, i, j) for p, (i, j) in enumerate(pair_list) if cols[i].numeric and cols[j].numeric]
    if numeric:
        idx = [(i, j) for _, i, j in numeric]
        slots = [p for p, _, _ in numeric]
        corr: dict[str, dict[int, np.ndarray]] = {}
        for method in ("pearson", "spearman"):
            if not (point or correlation == method):
                continue
            corr[method] = {}
            for t in tables:
                z: dict[int, np.ndarray] = {}
                for i in {c for pair in idx for c in pair}:
                    values = cols[i].values
                    assert values is not None
                    x = values[t] if method == "pearson" else _ranks(cols[i], t)
                    finite = x[np.isfinite(x)]
                    centre = float(finite.mean()) if len(finite) else 0.0
                    scale = float(finite.std()) if len(finite) and finite.std() > 0 else 1.0
                    z[i] = _standardised(x, centre, scale)
                corr[method][t] = _pair_correlations(z, cols, idx, t, weights[t])
        main = corr[correlation]
        for t in others:
            pairs[t][:, slots] = 1.0 - np.abs(main[0] - main[t]) / 2.0
            if point:
                spear[t][:, slots] = 1.0 - np.abs(corr["spearman"][0] - corr["spearman"][t]) / 2.0
        if point:
            for q, (i, j) in enumerate(idx):
                for t in tables:
                    assoc[t][i, j] = assoc[t][j, i] = main[t][0, q]
                    spear_assoc[t][i, j] = spear_assoc[t][j, i] = corr["spearman"][t][0, q]

    for p, (i, j) in enumerate(pair_list):
        a, b = cols[i], cols[j]
        if a.numeric and b.numeric:
            continue
        progress((k + p) / n_steps, f"pair {a.name} × {b.name}")
        size = a.n_codes * b.n_codes
        joint = {t: _counts(a.codes[t] * b.n_codes + b.codes[t], size, weights[t]) for t in tables}
        for t in others:
            pairs[t][:, p] = _tv_complement(joint[0], joint[t])
        if point:
            for t in tables:
                if a.numeric or b.numeric:
                    num, cat = (a, b) if a.numeric else (b, a)
                    assert num.values is not None
                    value = _correlation_ratio(cat.codes[t], num.values[t], cat.n_codes)
                else:
                    value = _cramers_v(joint[t][0].reshape(a.n_codes, b.n_codes))
                assoc[t][i, j] = assoc[t][j, i] = value
                spear_assoc[t][i, j] = spear_assoc[t][j, i] = value
    progress(1.0, "scored")
    return _Batch(shapes, missing, pairs, spear, assoc, spear_assoc)


def _summaries(shapes: np.ndarray, pairs: np.ndarray, missing: np.ndarray) -> dict[str, np.ndarray]:
    """Summary scores per replicate."""
    reps = len(shapes)
    col_shapes = shapes.mean(axis=1) if shapes.shape[1] else np.full(reps, np.nan)
    trends = pairs.mean(axis=1) if pairs.shape[1] else np.full(reps, np.nan)
    overall = np.where(np.isnan(trends), col_shapes, (col_shapes + trends) / 2.0)
    miss = missing.mean(axis=1) if missing.shape[1] else np.full(reps, np.nan)
    return {"overall": overall, "column_shapes": col_shapes, "column_pair_trends": trends, "missing_values": miss}


def _matrix(names: Sequence[str], m: np.ndarray, method: str) -> AssociationMatrix:
    return AssociationMatrix(tuple(names), tuple(tuple(float(v) for v in row) for row in m), method)


@dataclass
class _Spread:
    """Bootstrap deviations (replicate − estimate, rescaled to the full table sizes) of one comparison."""

    summaries: dict[str, np.ndarray]
    shapes: np.ndarray
    pairs: np.ndarray


def _assemble(
    cols: Sequence[_Column],
    batch: _Batch,
    t: int,
    n_rows: Sequence[int],
    spread: _Spread | None,
    correlation: Correlation,
    level: float,
) -> FidelityScores:
    shapes, pairs, missing = batch.shapes[t][0], batch.pairs[t][0], batch.missing[t][0]
    assoc_real, assoc_other = batch.association[0], batch.association[t]
    spear_real, spear_other = batch.spearman_association[0], batch.spearman_association[t]

    def ci(estimate: float, deviations: np.ndarray | None) -> Interval | None:
        return None if deviations is None else recentred_interval(estimate, deviations, level=level)

    columns = []
    for i, col in enumerate(cols):
        columns.append(
            ColumnScore(
                column=col.name,
                kind=col.kind,
                metric=KS_COMPLEMENT.name if col.numeric else TV_COMPLEMENT.name,
                score=float(shapes[i]),
                missing_real=float(col.missing[0].mean()) if n_rows[0] else float("nan"),
                missing_synthetic=float(col.missing[t].mean()) if n_rows[t] else float("nan"),
                missing_score=float(missing[i]),
                interval=ci(float(shapes[i]), None if spread is None else spread.shapes[:, i]),
            )
        )
    pair_scores = []
    for p, (i, j) in enumerate(_pairs(len(cols))):
        a, b = cols[i], cols[j]
        numeric = a.numeric and b.numeric
        if numeric:
            metric = CORRELATION_SIMILARITY.name if correlation == "pearson" else SPEARMAN_SIMILARITY.name
            measure = PEARSON.name if correlation == "pearson" else SPEARMAN.name
        else:
            metric = CONTINGENCY_SIMILARITY.name
            measure = CORRELATION_RATIO.name if (a.numeric or b.numeric) else CRAMERS_V.name
        pair_scores.append(
            PairScore(
                column_a=a.name,
                column_b=b.name,
                metric=metric,
                real=float(assoc_real[i, j]),
                synthetic=float(assoc_other[i, j]),
                score=float(pairs[p]),
                association=measure,
                spearman_real=float(spear_real[i, j]) if numeric else None,
                spearman_synthetic=float(spear_other[i, j]) if numeric else None,
                spearman_score=float(batch.spearman_pairs[t][0, p]) if numeric else None,
                interval=ci(float(pairs[p]), None if spread is None else spread.pairs[:, p]),
            )
        )
    summ = {key: float(v[0]) for key, v in _summaries(batch.shapes[t], batch.pairs[t], batch.missing[t]).items()}
    dev = spread.summaries if spread is not None else {}
    return FidelityScores(
        overall=summ["overall"],
        column_shapes=summ["column_shapes"],
        column_pair_trends=summ["column_pair_trends"],
        columns=tuple(columns),
        pairs=tuple(pair_scores),
        missing_values=summ["missing_values"],
        overall_interval=ci(summ["overall"], dev.get("overall")),
        column_shapes_interval=ci(summ["column_shapes"], dev.get("column_shapes")),
        column_pair_trends_interval=ci(summ["column_pair_trends"], dev.get("column_pair_trends")),
        missing_values_interval=ci(summ["missing_values"], dev.get("missing_values")),
    )


def _bootstrap(
    cols: Sequence[_Column],
    n_rows: Sequence[int],
    others: Sequence[int],
    *,
    n_bootstrap: int,
    bootstrap_rows: int,
    seed: int,
    correlation: Correlation,
    progress: ProgressCallback,
) -> dict[int, _Spread]:
    """Bootstrap deviations of every score of every comparison, rescaled to the full table sizes.

    Every replicate resamples each table's rows independently; the real table's weights are shared by all
    comparisons of a replicate, so the difference between two comparisons has a proper (paired) spread.
    """
    rng = np.random.default_rng(seed)
    tables = [0, *others]
    rows: list[np.ndarray | None] = []
    sizes = []
    for t in range(len(n_rows)):
        if t in tables and n_rows[t] > bootstrap_rows:
            rows.append(np.sort(rng.choice(n_rows[t], bootstrap_rows, replace=False)))
            sizes.append(bootstrap_rows)
        else:
            rows.append(None)
            sizes.append(n_rows[t])
    sub = [c.take(rows) for c in cols] if any(r is not None for r in rows) else list(cols)
    weights: list[np.ndarray | None] = [
        bootstrap_weights(rng, sizes[t], n_bootstrap) if t in tables and sizes[t] > 0 else None
        for t in range(len(n_rows))
    ]
    if any(weights[t] is None for t in tables):
        return {}
    silent = ensure(None)
    centre = _score_batch(sub, [None] * len(n_rows), others, correlation=correlation, point=False, progress=silent)
    reps = _score_batch(sub, weights, others, correlation=correlation, point=False, progress=progress)
    out = {}
    for t in others:
        # Rescale the subsample's spread to the full sizes: variance ∝ 1/n_real + 1/n_other.
        scale = math.sqrt((1 / n_rows[0] + 1 / n_rows[t]) / (1 / sizes[0] + 1 / sizes[t]))
        s_rep = _summaries(reps.shapes[t], reps.pairs[t], reps.missing[t])
        s_cen = _summaries(centre.shapes[t], centre.pairs[t], centre.missing[t])
        out[t] = _Spread(
            summaries={key: (s_rep[key] - s_cen[key]) * scale for key in s_rep},
            shapes=(reps.shapes[t] - centre.shapes[t]) * scale,
            pairs=(reps.pairs[t] - centre.pairs[t]) * scale,
        )
    return out


def _gaps(
    synthetic: FidelityScores,
    reference: FidelityScores,
    spread_syn: _Spread | None,
    spread_ref: _Spread | None,
    level: float,
) -> tuple[ScoreGap, ...]:
    gaps = []
    both = spread_syn is not None and spread_ref is not None

    def interval(diff: float, dev: np.ndarray | None) -> Interval | None:
        return None if dev is None else recentred_interval(diff, dev, level=level, bounds=(-1.0, 1.0))

    for name in ("overall", "column_shapes", "column_pair_trends", "missing_values"):
        s, r = float(getattr(synthetic, name)), float(getattr(reference, name))
        dev = spread_syn.summaries[name] - spread_ref.summaries[name] if both else None  # type: ignore[union-attr]
        gaps.append(ScoreGap(name, "summary", s, r, s - r, interval(s - r, dev)))
    for i, (cs, cr) in enumerate(zip(synthetic.columns, reference.columns, strict=True)):
        dev = spread_syn.shapes[:, i] - spread_ref.shapes[:, i] if both else None  # type: ignore[union-attr]
        gaps.append(
            ScoreGap(cs.column, "column", cs.score, cr.score, cs.score - cr.score, interval(cs.score - cr.score, dev))
        )
    return tuple(gaps)


# ----------------------------------------------------------------------------- public functions


def _columns_to_compare(real: pd.DataFrame, schema: Schema) -> list[str]:
    return [c.name for c in schema if c.kind.is_modelled and c.name in real.columns]


def _code(frames: Sequence[pd.DataFrame], schema: Schema, names: Sequence[str]) -> list[_Column]:
    """Code every compared column of every table (columns are read in place: no copy of a large table)."""
    return [_code_column([f[n] for f in frames], schema[n].kind) for n in names]


def compare_tables(
    real: pd.DataFrame, other: pd.DataFrame, schema: Schema, *, correlation: Correlation = "pearson"
) -> FidelityScores:
    """Column-shape and pair-trend scores of ``other`` against ``real`` (no intervals).

    Args:
        real: the real table.
        other: a table with the same columns.
        schema: column kinds; only modelled kinds are compared.
        correlation: the correlation of numeric pair scores.

    Returns:
        The scores of ``other``.
    """
    names = _columns_to_compare(real, schema)
    frames = [real, other]
    cols = _code(frames, schema, names)
    batch = _score_batch(cols, [None, None], [1], correlation=correlation, point=True, progress=ensure(None))
    return _assemble(cols, batch, 1, [len(real), len(other)], None, correlation, 0.95)


def sdmetrics_metadata(schema: Schema, columns: Sequence[str]) -> dict[str, Any]:
    """sdmetrics' single-table metadata for the given columns."""
    sdtype = {
        ColumnKind.CONTINUOUS: "numerical",
        ColumnKind.DISCRETE: "numerical",
        ColumnKind.CATEGORICAL: "categorical",
        ColumnKind.BOOLEAN: "boolean",
        ColumnKind.DATETIME: "datetime",
    }
    return {"columns": {c: {"sdtype": sdtype[schema[c].kind]} for c in columns}}


def sdmetrics_quality(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    schema: Schema,
    *,
    max_rows: int | None = SDMETRICS_MAX_ROWS,
    seed: int = 0,
    diagnostic: bool = True,
) -> SdmetricsScores:
    """Run sdmetrics' own QualityReport (and DiagnosticReport) on the modelled columns.

    Args:
        real: the real training table.
        synthetic: the synthetic table.
        schema: column kinds.
        max_rows: a larger synthetic table is reported on a seeded subsample of this many rows (sdmetrics
            takes about 8 s for a million rows).
        seed: seed of that subsample.
        diagnostic: also run the DiagnosticReport (data validity and structure).

    Returns:
        The scores, with the sdmetrics version and its pair thresholds.
    """
    import sdmetrics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the single-table import path warns of a deprecation
        from sdmetrics.reports.single_table import DiagnosticReport, QualityReport

    names = _columns_to_compare(real, schema)
    if max_rows is not None and len(synthetic) > max_rows:
        synthetic = synthetic.sample(max_rows, random_state=seed)
    sub = schema.select(names)
    real, synthetic = coerce_to_schema(real[names], sub), coerce_to_schema(synthetic[names], sub)
    metadata = sdmetrics_metadata(schema, names)
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real[names], synthetic[names], metadata, verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    diag_score = validity = structure = None
    if diagnostic:
        try:
            diag = DiagnosticReport()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                diag.generate(real[names], synthetic[names], metadata, verbose=False)
            diag_props = diag.get_properties().set_index("Property")["Score"]
            diag_score = float(diag.get_score())
            validity = float(diag_props.get("Data Validity", float("nan")))
            structure = float(diag_props.get("Data Structure", float("nan")))
        except Exception:  # the diagnostic is a side dish; the quality scores stand without it
            diag_score = validity = structure = None
    return SdmetricsScores(
        version=sdmetrics.__version__,
        overall=float(report.get_score()),
        column_shapes=float(props.get("Column Shapes", float("nan"))),
        column_pair_trends=float(props.get("Column Pair Trends", float("nan"))),
        correlation_threshold=float(getattr(report, "real_correlation_threshold", 0.0)),
        association_threshold=float(getattr(report, "real_association_threshold", 0.0)),
        n_synthetic_rows=len(synthetic),
        diagnostic=diag_score,
        data_validity=validity,
        data_structure=structure,
    )


def evaluate_fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame | None = None,
    schema: Schema | None = None,
    run_sdmetrics: bool = True,
    progress: ProgressCallback | None = None,
    n_bootstrap: int = DEFAULT_BOOTSTRAP,
    seed: int = 0,
    correlation: Correlation = "pearson",
    level: float = 0.95,
    bootstrap_rows: int = BOOTSTRAP_ROWS,
    sdmetrics_max_rows: int | None = SDMETRICS_MAX_ROWS,
    n_threads: int | None = None,
) -> FidelityResult:
    """Score how faithfully ``synthetic`` follows ``real``.

    Args:
        real: the real training table.
        synthetic: a synthetic table with the same columns.
        holdout: real rows the synthesizer never saw; gives every score its real-data reference.
        schema: column kinds (inferred from ``real`` when omitted); identifiers, PII, free text and
            constants are not compared.
        run_sdmetrics: also run sdmetrics' QualityReport and DiagnosticReport for comparison with published
            numbers.
        progress: called with (fraction, message).
        n_bootstrap: bootstrap replicates for the intervals (0: no intervals).
        seed: seed of the bootstrap and of any subsample.
        correlation: ``"pearson"`` (as sdmetrics) or ``"spearman"`` for the numeric pair scores.
        level: coverage of the intervals.
        bootstrap_rows: larger tables are bootstrapped on a subsample of this many rows, the spread rescaled.
        sdmetrics_max_rows: larger synthetic tables go to sdmetrics as a seeded subsample of this many rows.
        n_threads: BLAS threads (default 1: on a busy small machine more threads are several times slower).

    Returns:
        A frozen :class:`FidelityResult`.

    Raises:
        ValueError: the synthetic table lacks columns of the real one, or a table has no rows.
    """
    with thread_limit(n_threads):
        return _evaluate_fidelity(
            real,
            synthetic,
            holdout,
            schema or infer_schema(real),
            run_sdmetrics,
            ensure(progress),
            n_bootstrap,
            seed,
            correlation,
            level,
            bootstrap_rows,
            sdmetrics_max_rows,
        )


def _evaluate_fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame | None,
    schema: Schema,
    run_sdmetrics: bool,
    report: ProgressCallback,
    n_bootstrap: int,
    seed: int,
    correlation: Correlation,
    level: float,
    bootstrap_rows: int,
    sdmetrics_max_rows: int | None,
) -> FidelityResult:
    missing = [c for c in schema.modelled if c in real.columns and c not in synthetic.columns]
    if missing:
        raise ValueError(f"the synthetic table lacks columns of the real one: {', '.join(missing)}")
    if holdout is not None:
        lacking = [c for c in schema.modelled if c in real.columns and c not in holdout.columns]
        if lacking:
            raise ValueError(f"the holdout lacks columns of the real table: {', '.join(lacking)}")
    if len(real) == 0 or len(synthetic) == 0:
        raise ValueError("both the real and the synthetic table need at least one row")
    if correlation not in ("pearson", "spearman"):
        raise ValueError(f"correlation must be 'pearson' or 'spearman', not {correlation!r}")
    names = _columns_to_compare(real, schema)
    frames = [real, synthetic]
    if holdout is not None and len(holdout):
        frames.append(holdout)
    n_rows = [len(f) for f in frames]
    others = list(range(1, len(frames)))

    report(0.02, "coding columns")
    cols = _code(frames, schema, names)
    report(0.1, "scoring columns and pairs")
    point = _score_batch(
        cols, [None] * len(frames), others, correlation=correlation, point=True, progress=scaled(report, 0.1, 0.25)
    )
    spreads: dict[int, _Spread] = {}
    if n_bootstrap > 0 and cols:
        spreads = _bootstrap(
            cols,
            n_rows,
            others,
            n_bootstrap=n_bootstrap,
            bootstrap_rows=bootstrap_rows,
            seed=seed,
            correlation=correlation,
            progress=scaled(report, 0.25, 0.75 if run_sdmetrics else 0.98),
        )
    scores = _assemble(cols, point, 1, n_rows, spreads.get(1), correlation, level)
    reference = None
    gaps: tuple[ScoreGap, ...] = ()
    if len(frames) == 3:
        reference = _assemble(cols, point, 2, n_rows, spreads.get(2), correlation, level)
        gaps = _gaps(scores, reference, spreads.get(1), spreads.get(2), level)

    sd_scores: SdmetricsScores | None = None
    sd_error: str | None = None
    if run_sdmetrics and names:
        report(0.8, "running sdmetrics' QualityReport")
        try:
            sd_scores = sdmetrics_quality(real, synthetic, schema, max_rows=sdmetrics_max_rows, seed=seed)
        except Exception as exc:  # a third-party report must not take the page down
            sd_error = f"{type(exc).__name__}: {exc}"
    report(1.0, "done")
    pearson_or_spearman = correlation
    return FidelityResult(
        scores=scores,
        reference=reference,
        association_real=_matrix(names, point.association[0], pearson_or_spearman),
        association_synthetic=_matrix(names, point.association[1], pearson_or_spearman),
        sdmetrics=sd_scores,
        sdmetrics_error=sd_error,
        n_real=len(real),
        n_synthetic=len(synthetic),
        n_holdout=len(holdout) if holdout is not None else None,
        association_holdout=_matrix(names, point.association[2], pearson_or_spearman) if len(frames) == 3 else None,
        spearman_real=_matrix(names, point.spearman_association[0], "spearman"),
        spearman_synthetic=_matrix(names, point.spearman_association[1], "spearman"),
        gaps=gaps,
        n_bootstrap=n_bootstrap if spreads else 0,
        seed=seed,
        level=level,
        correlation=correlation,
    )
