"""Scoring the synthetic table and its holdout reference at the same size.

TV and KS distances and correlation differences grow as a sample shrinks, so a score read beside the holdout's
reference is fair only at the holdout's size. A Subgroups walk compared 747 synthetic rows with a 180-row holdout
segment: fresh real rows drawn four times the holdout's size read 0.04 above the holdout's overall score (30
seeded tables of 1,000 training rows and 120 holdout rows), so a synthetic table could look better than fresh data
when it was only larger. The larger of the two tables is therefore scored on seeded draws of the smaller's row
count, without replacement, and its scores are the mean over :data:`SAME_SIZE_DRAWS` draws (one draw, as the
headline accuracy takes, is as fair but noisier). After it, fresh rows read within noise of the holdout at a
quarter, the same and four times its size.

A draw is a column of 0/1 row weights, so every draw costs weighted counts on the codes already made once for the
point scores, and the real side is counted once for all draws.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from synth.evaluation.fidelity.batch import _Batch, _score_batch
from synth.evaluation.fidelity.coding import _Column
from synth.evaluation.fidelity.results import Correlation
from synth.progress import ensure

SAME_SIZE_DRAWS = 20
"""Draws averaged: the mean's spread is about a fifth of one draw's at a 4:1 size ratio, and 20 weight columns
cost less than a tenth of the 200 bootstrap replicates."""


def scored_at(n_synthetic: int, n_holdout: int) -> int:
    """The row count both sides are scored at: the smaller table's."""
    return min(n_synthetic, n_holdout)


def score_at_size(
    cols: Sequence[_Column],
    n_rows: Sequence[int],
    table: int,
    size: int,
    *,
    seed: int,
    correlation: Correlation,
    pool_rows: int,
) -> _Batch:
    """Real (table 0) against table ``table`` on seeded draws of ``size`` of its rows.

    A table of more than ``pool_rows`` rows (the bootstrap's subsample size) is drawn from a seeded pool of that
    many of its rows, so the draws' weights and pair moments take no more memory than the bootstrap's replicates;
    a draw from the pool is still a uniform sample of the table. When the smaller table has ``pool_rows`` rows or
    more, the pool is itself the one draw.

    Returns:
        A batch of one replicate per draw for ``table`` only; average it with :func:`mean_of_draws`.
    """
    rng = np.random.default_rng([seed, size, table])
    n = n_rows[table]
    if n > pool_rows:
        pool = np.sort(rng.choice(n, max(pool_rows, size), replace=False))
        cols = [c.take([pool if t == table else None for t in range(len(n_rows))]) for c in cols]
        n = len(pool)
    none: list[np.ndarray | None] = [None] * len(n_rows)
    if n == size:  # the pool is itself the one draw
        return _score_batch(cols, none, [table], correlation=correlation, point=True, progress=ensure(None))
    draws = np.zeros((n, SAME_SIZE_DRAWS), dtype=np.float32)
    for r in range(SAME_SIZE_DRAWS):
        draws[rng.choice(n, size, replace=False), r] = 1.0
    weights = [draws if t == table else None for t in range(len(n_rows))]
    return _score_batch(cols, weights, [table], correlation=correlation, point=True, progress=ensure(None))


def mean_of_draws(point: _Batch, draws: _Batch, table: int) -> None:
    """Put the mean over ``draws`` in place of ``table``'s point scores (the association matrices stay those of
    every row: they are shown, not compared with the holdout's)."""
    for mine, theirs in (
        (point.shapes, draws.shapes),
        (point.missing, draws.missing),
        (point.pairs, draws.pairs),
        (point.spearman_pairs, draws.spearman_pairs),
    ):
        mine[table] = theirs[table].mean(axis=0, keepdims=True)
