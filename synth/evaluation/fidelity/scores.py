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
reference: what "as good as fresh real data" looks like. Both are then scored at the smaller table's row count
(:mod:`synth.evaluation.fidelity.same_size`): the larger one's scores are the mean over seeded draws of that size.
Seeded bootstrap intervals go with every score and with every gap between the synthetic score and the reference,
so a user sees whether a gap is real or noise.

Speed: each column is coded once (value ranks for the KS statistic, integer codes for frequency tables), and a
bootstrap replicate is a vector of row weights, so a replicate costs weighted ``bincount`` calls on the codes
rather than new DataFrames. Tables larger than ``bootstrap_rows`` are bootstrapped on a seeded subsample and the
spread rescaled to the full size (an m-out-of-n bootstrap).
"""

from __future__ import annotations

import pandas as pd

from synth.evaluation.context import NO_TABLES, ContextError, EvaluationContext, check_columns, check_rows
from synth.evaluation.features import thread_limit
from synth.evaluation.fidelity.batch import (
    MAX_PAIRS,
    _assemble,
    _bootstrap,
    _gaps,
    _matrix,
    _score_batch,
    _Spread,
    pair_count,
)
from synth.evaluation.fidelity.coding import _code, _columns_to_compare
from synth.evaluation.fidelity.peer_sdmetrics import sdmetrics_metadata, sdmetrics_quality
from synth.evaluation.fidelity.results import *  # noqa: F403  (the result types and metric declarations)
from synth.evaluation.fidelity.results import (
    BOOTSTRAP_ROWS,
    DEFAULT_BOOTSTRAP,
    SDMETRICS_MAX_ROWS,
    Correlation,
    FidelityResult,
    FidelityScores,
    ScoreGap,
    SdmetricsScores,
)
from synth.evaluation.fidelity.same_size import mean_of_draws, score_at_size, scored_at
from synth.progress import ProgressCallback, ensure, scaled
from synth.schema import Schema, infer_schema

__all__ = ["compare_tables", "evaluate_fidelity", "sdmetrics_metadata", "sdmetrics_quality"]


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


def evaluate_fidelity(
    real: pd.DataFrame | None = None,
    synthetic: pd.DataFrame | None = None,
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
    context: EvaluationContext | None = None,
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
        bootstrap_rows: larger tables are bootstrapped on a subsample of this many rows, the spread rescaled; a
            table scored at the holdout's size is drawn from a pool of this many of its rows.
        sdmetrics_max_rows: larger synthetic tables go to sdmetrics as a seeded subsample of this many rows.
        n_threads: BLAS threads (default 1: on a busy small machine more threads are several times slower).
        context: an :class:`~synth.evaluation.context.EvaluationContext` holding the tables prepared once
            (then ``real``, ``synthetic``, ``holdout`` and ``schema`` come from it); its column codes are reused.

    Returns:
        A frozen :class:`FidelityResult`.

    Raises:
        ContextError: the synthetic table or the holdout lacks columns of the real one, or a table has no rows
            (the message says what to do).
    """
    if context is None:
        if real is None or synthetic is None:
            raise ContextError(NO_TABLES)
    else:
        real, synthetic, holdout, schema = context.train, context.synthetic, context.holdout, context.schema
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
            context,
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
    context: EvaluationContext | None = None,
) -> FidelityResult:
    check_columns(real, synthetic, holdout, schema.modelled)
    check_rows(real, synthetic)
    if correlation not in ("pearson", "spearman"):
        raise ContextError(f"correlation must be 'pearson' or 'spearman', not {correlation!r}: pass one of them")
    names = _columns_to_compare(real, schema)
    frames = [real, synthetic]
    if holdout is not None and len(holdout):
        frames.append(holdout)
    n_rows = [len(f) for f in frames]
    others = list(range(1, len(frames)))

    report(0.02, "coding columns")
    cols = context.fidelity_codes if context is not None else _code(frames, schema, names)
    report(0.1, "scoring columns and pairs")
    point = _score_batch(
        cols, [None] * len(frames), others, correlation=correlation, point=True, progress=scaled(report, 0.1, 0.2)
    )
    # The larger of synthetic and holdout is scored at the smaller's size: distances shrink as samples grow, so a
    # larger table read better than a holdout of the same quality (same_size.py has the measurement).
    scored_rows = list(n_rows)
    if len(frames) == 3 and n_rows[1] != n_rows[2] and cols:
        larger, size = (1 if n_rows[1] > n_rows[2] else 2), scored_at(n_rows[1], n_rows[2])
        report(0.2, f"scoring the {'synthetic table' if larger == 1 else 'holdout'} at {size:,} rows")
        draws = score_at_size(cols, n_rows, larger, size, seed=seed, correlation=correlation, pool_rows=bootstrap_rows)
        mean_of_draws(point, draws, larger)
        scored_rows[larger] = size
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
            scored_rows=scored_rows,
        )
    scores = _assemble(cols, point, 1, n_rows, spreads.get(1), correlation, level)
    reference = None
    gaps: tuple[ScoreGap, ...] = ()
    if len(frames) == 3:
        reference = _assemble(cols, point, 2, n_rows, spreads.get(2), correlation, level)
        gaps = _gaps(scores, reference, spreads.get(1), spreads.get(2), level)

    sd_scores: SdmetricsScores | None = None
    sd_error: str | None = None
    if run_sdmetrics and names and pair_count(len(names)) > MAX_PAIRS:
        # sdmetrics scores every pair, with no way to sample them: at 2,000 columns its report alone ran for
        # minutes and took every gigabyte of the machine
        sd_error = (
            f"not run: {len(names):,} columns make {pair_count(len(names)):,} pairs, and sdmetrics' report scores "
            f"every one (it runs up to {MAX_PAIRS:,} pairs)"
        )
    elif run_sdmetrics and names:
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
        n_scored=scored_at(len(synthetic), len(holdout)) if len(frames) == 3 and holdout is not None else None,
        association_holdout=_matrix(names, point.association[2], pearson_or_spearman) if len(frames) == 3 else None,
        spearman_real=_matrix(names, point.spearman_association[0], "spearman"),
        spearman_synthetic=_matrix(names, point.spearman_association[1], "spearman"),
        gaps=gaps,
        n_bootstrap=n_bootstrap if spreads else 0,
        seed=seed,
        level=level,
        correlation=correlation,
    )
