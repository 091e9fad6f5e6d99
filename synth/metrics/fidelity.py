"""Fidelity: how closely a synthetic table follows the real one, column by column and pair by pair.

Scores follow the definitions of sdmetrics' QualityReport (so they read the same as published numbers):

* Column shapes: KS complement (1 − Kolmogorov–Smirnov statistic) for numbers and datetimes, TV complement
  (1 − total variation distance) for categories and booleans.
* Column pair trends: correlation similarity (1 − |r_real − r_synth| / 2, Pearson) for two numeric columns,
  contingency similarity (1 − TV distance of the joint distribution, numbers in 10 equal-width bins of the
  real range) otherwise.

Every score is in [0, 1] and 1 is best. When a holdout is given, the same scores for holdout vs train are
returned as the reference: what "as good as fresh real data" looks like.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from synth.metrics.spec import MetricSpec
from synth.progress import ProgressCallback, ensure
from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema

N_BINS = 10

KS_COMPLEMENT = MetricSpec(
    "KSComplement",
    "1 − the largest gap between the real and synthetic cumulative distributions",
    goal="maximize",
    kinds=frozenset({ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME}),
)
TV_COMPLEMENT = MetricSpec(
    "TVComplement",
    "1 − the total variation distance between real and synthetic category frequencies",
    goal="maximize",
    kinds=frozenset({ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN}),
)
CORRELATION_SIMILARITY = MetricSpec(
    "CorrelationSimilarity",
    "1 − |Pearson r (real) − Pearson r (synthetic)| / 2, for two numeric columns",
    goal="maximize",
    kinds=frozenset({ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME}),
)
CONTINGENCY_SIMILARITY = MetricSpec(
    "ContingencySimilarity",
    "1 − the total variation distance between the real and synthetic joint frequency tables",
    goal="maximize",
    kinds=frozenset(ColumnKind),
)


@dataclass(frozen=True)
class ColumnScore:
    column: str
    kind: ColumnKind
    metric: str
    score: float
    missing_real: float
    missing_synthetic: float


@dataclass(frozen=True)
class PairScore:
    column_a: str
    column_b: str
    metric: str
    real: float
    synthetic: float
    score: float


@dataclass(frozen=True)
class AssociationMatrix:
    """Strength of association for every pair: Pearson r for two numeric columns, Cramér's V otherwise."""

    columns: tuple[str, ...]
    values: tuple[tuple[float, ...], ...]

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(np.array(self.values, dtype=float), index=self.columns, columns=self.columns)


@dataclass(frozen=True)
class SdmetricsScores:
    """sdmetrics' QualityReport scores.

    Since sdmetrics 0.27 the Column Pair Trends property averages only the pairs whose *real* association is
    strong: |Pearson r| above ``correlation_threshold`` for numeric pairs, Cramér's V above
    ``association_threshold`` otherwise. Our own pair-trend score averages every pair.
    """

    version: str
    overall: float
    column_shapes: float
    column_pair_trends: float
    correlation_threshold: float
    association_threshold: float


@dataclass(frozen=True)
class FidelityScores:
    """The three summary scores and their parts, for one (real, other) comparison."""

    overall: float
    column_shapes: float
    column_pair_trends: float
    columns: tuple[ColumnScore, ...]
    pairs: tuple[PairScore, ...]


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
    """

    scores: FidelityScores
    reference: FidelityScores | None
    association_real: AssociationMatrix
    association_synthetic: AssociationMatrix
    sdmetrics: SdmetricsScores | None
    sdmetrics_error: str | None
    n_real: int
    n_synthetic: int

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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ----------------------------------------------------------------------------- encoding


@dataclass(frozen=True)
class _Encoded:
    """A column coded for comparison: numeric values (or None) and discrete codes for contingency tables."""

    kind: ColumnKind
    numeric_real: np.ndarray | None
    numeric_other: np.ndarray | None
    codes_real: np.ndarray
    codes_other: np.ndarray
    n_codes: int


def _as_float(series: pd.Series, kind: ColumnKind) -> np.ndarray:
    if kind is ColumnKind.DATETIME:
        dt = pd.to_datetime(series, errors="coerce")
        out = dt.astype("int64").to_numpy().astype(float)
        out[dt.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def _encode(real: pd.Series, other: pd.Series, kind: ColumnKind) -> _Encoded:
    if kind in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME):
        xr, xo = _as_float(real, kind), _as_float(other, kind)
        finite = xr[np.isfinite(xr)]
        lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
        width = (hi - lo) / N_BINS if hi > lo else 1.0

        def bins(x: np.ndarray) -> np.ndarray:
            codes = np.clip(np.floor((x - lo) / width), 0, N_BINS - 1)
            return np.where(np.isfinite(x), codes, N_BINS).astype(np.int64)

        return _Encoded(kind, xr, xo, bins(xr), bins(xo), N_BINS + 1)
    both = pd.concat([real, other], ignore_index=True).astype(object)
    both = both.where(both.notna(), "__missing__").astype(str)
    codes, uniques = pd.factorize(both, sort=False)
    return _Encoded(kind, None, None, codes[: len(real)], codes[len(real) :], max(len(uniques), 1))


def _ks_complement(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.sort(a[np.isfinite(a)]), np.sort(b[np.isfinite(b)])
    if len(a) == 0 or len(b) == 0:
        return 1.0 if len(a) == len(b) else 0.0
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(1.0 - np.max(np.abs(cdf_a - cdf_b)))


def _tv_complement(a: np.ndarray, b: np.ndarray, n_codes: int) -> float:
    pa = np.bincount(a, minlength=n_codes) / max(len(a), 1)
    pb = np.bincount(b, minlength=n_codes) / max(len(b), 1)
    return float(1.0 - 0.5 * np.abs(pa - pb).sum())


def _joint(a: np.ndarray, b: np.ndarray, na: int, nb: int) -> np.ndarray:
    return np.bincount(a * nb + b, minlength=na * nb).reshape(na, nb).astype(float)


def _cramers_v(table: np.ndarray) -> float:
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = table.sum()
    r, c = table.shape
    if n == 0 or min(r, c) < 2:
        return 0.0
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / n
    chi2 = float(((table - expected) ** 2 / np.where(expected > 0, expected, 1)).sum())
    return float(math.sqrt(chi2 / (n * (min(r, c) - 1))))


def _pearson(x: np.ndarray, y: np.ndarray) -> float:
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3:
        return 0.0
    xs, ys = x[ok], y[ok]
    if xs.std() == 0 or ys.std() == 0:
        return 0.0
    return float(np.corrcoef(xs, ys)[0, 1])


# ----------------------------------------------------------------------------- scoring


def _columns_to_compare(real: pd.DataFrame, schema: Schema) -> list[str]:
    return [c.name for c in schema if c.kind.is_modelled and c.name in real.columns]


def _score(
    encoded: dict[str, _Encoded], real: pd.DataFrame, other: pd.DataFrame
) -> tuple[FidelityScores, AssociationMatrix, AssociationMatrix]:
    names = list(encoded)
    columns = []
    for name, enc in encoded.items():
        if enc.numeric_real is not None and enc.numeric_other is not None:
            metric, score = KS_COMPLEMENT.name, _ks_complement(enc.numeric_real, enc.numeric_other)
        else:
            metric, score = TV_COMPLEMENT.name, _tv_complement(enc.codes_real, enc.codes_other, enc.n_codes)
        columns.append(
            ColumnScore(
                name, enc.kind, metric, score, float(real[name].isna().mean()), float(other[name].isna().mean())
            )
        )
    k = len(names)
    assoc_r, assoc_o = np.eye(k), np.eye(k)
    pairs = []
    for (i, a), (j, b) in combinations(enumerate(names), 2):
        ea, eb = encoded[a], encoded[b]
        ct_r = _joint(ea.codes_real, eb.codes_real, ea.n_codes, eb.n_codes)
        ct_o = _joint(ea.codes_other, eb.codes_other, ea.n_codes, eb.n_codes)
        numeric_pair = ea.numeric_real is not None and eb.numeric_real is not None
        if numeric_pair:
            assert ea.numeric_other is not None and eb.numeric_other is not None
            assert eb.numeric_real is not None and ea.numeric_real is not None
            r_real = _pearson(ea.numeric_real, eb.numeric_real)
            r_other = _pearson(ea.numeric_other, eb.numeric_other)
            pairs.append(PairScore(a, b, CORRELATION_SIMILARITY.name, r_real, r_other, 1 - abs(r_real - r_other) / 2))
            assoc_r[i, j] = assoc_r[j, i] = r_real
            assoc_o[i, j] = assoc_o[j, i] = r_other
        else:
            pr, po = ct_r / max(ct_r.sum(), 1), ct_o / max(ct_o.sum(), 1)
            v_real, v_other = _cramers_v(ct_r), _cramers_v(ct_o)
            pairs.append(
                PairScore(a, b, CONTINGENCY_SIMILARITY.name, v_real, v_other, float(1 - 0.5 * np.abs(pr - po).sum()))
            )
            assoc_r[i, j] = assoc_r[j, i] = v_real
            assoc_o[i, j] = assoc_o[j, i] = v_other
    shapes = float(np.mean([c.score for c in columns])) if columns else float("nan")
    trends = float(np.mean([p.score for p in pairs])) if pairs else float("nan")
    overall = float(np.nanmean([shapes, trends])) if columns else float("nan")
    as_tuple = lambda m: tuple(tuple(float(v) for v in row) for row in m)  # noqa: E731
    return (
        FidelityScores(overall, shapes, trends, tuple(columns), tuple(pairs)),
        AssociationMatrix(tuple(names), as_tuple(assoc_r)),
        AssociationMatrix(tuple(names), as_tuple(assoc_o)),
    )


def compare_tables(real: pd.DataFrame, other: pd.DataFrame, schema: Schema) -> FidelityScores:
    """Column-shape and pair-trend scores of ``other`` against ``real``."""
    names = _columns_to_compare(real, schema)
    encoded = {n: _encode(real[n], other[n], schema[n].kind) for n in names}
    return _score(encoded, real, other)[0]


def sdmetrics_metadata(schema: Schema, columns: Sequence[str]) -> dict[str, Any]:
    sdtype = {
        ColumnKind.CONTINUOUS: "numerical",
        ColumnKind.DISCRETE: "numerical",
        ColumnKind.CATEGORICAL: "categorical",
        ColumnKind.BOOLEAN: "boolean",
        ColumnKind.DATETIME: "datetime",
    }
    return {"columns": {c: {"sdtype": sdtype[schema[c].kind]} for c in columns}}


def sdmetrics_quality(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> SdmetricsScores:
    """Run sdmetrics' own QualityReport on the modelled columns."""
    import sdmetrics

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the single-table import path warns of a deprecation
        from sdmetrics.reports.single_table import QualityReport

    names = _columns_to_compare(real, schema)
    report = QualityReport()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report.generate(real[names], synthetic[names], sdmetrics_metadata(schema, names), verbose=False)
    props = report.get_properties().set_index("Property")["Score"]
    return SdmetricsScores(
        version=sdmetrics.__version__,
        overall=float(report.get_score()),
        column_shapes=float(props.get("Column Shapes", float("nan"))),
        column_pair_trends=float(props.get("Column Pair Trends", float("nan"))),
        correlation_threshold=float(getattr(report, "real_correlation_threshold", 0.0)),
        association_threshold=float(getattr(report, "real_association_threshold", 0.0)),
    )


def evaluate_fidelity(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    *,
    holdout: pd.DataFrame | None = None,
    schema: Schema | None = None,
    run_sdmetrics: bool = True,
    progress: ProgressCallback | None = None,
) -> FidelityResult:
    """Score how faithfully ``synthetic`` follows ``real``.

    Args:
        real: the real training table.
        synthetic: a synthetic table with the same columns.
        holdout: real rows the synthesizer never saw; gives every score its real-data reference.
        schema: column kinds (inferred from ``real`` when omitted); identifiers, PII, free text and
            constants are not compared.
        run_sdmetrics: also run sdmetrics' QualityReport for comparison with published numbers.
        progress: called with (fraction, message).

    Returns:
        A frozen :class:`FidelityResult`.
    """
    report = ensure(progress)
    schema = schema or infer_schema(real)
    missing = [c for c in schema.modelled if c in real.columns and c not in synthetic.columns]
    if missing:
        raise ValueError(f"the synthetic table lacks columns of the real one: {', '.join(missing)}")
    names = _columns_to_compare(real, schema)
    real_c = coerce_to_schema(real[names], schema.select(names))
    syn_c = coerce_to_schema(synthetic[names], schema.select(names))
    report(0.05, "scoring columns and pairs")
    encoded = {n: _encode(real_c[n], syn_c[n], schema[n].kind) for n in names}
    scores, assoc_real, assoc_syn = _score(encoded, real_c, syn_c)
    reference = None
    if holdout is not None:
        report(0.35, "scoring the real holdout as reference")
        hold_c = coerce_to_schema(holdout[names], schema.select(names))
        reference = compare_tables(real_c, hold_c, schema.select(names))
    sd_scores: SdmetricsScores | None = None
    sd_error: str | None = None
    if run_sdmetrics and names:
        report(0.5, "running sdmetrics' QualityReport")
        try:
            sd_scores = sdmetrics_quality(real_c, syn_c, schema)
        except Exception as exc:  # a third-party report must not take the page down
            sd_error = f"{type(exc).__name__}: {exc}"
    report(1.0, "done")
    return FidelityResult(
        scores=scores,
        reference=reference,
        association_real=assoc_real,
        association_synthetic=assoc_syn,
        sdmetrics=sd_scores,
        sdmetrics_error=sd_error,
        n_real=len(real),
        n_synthetic=len(synthetic),
    )
