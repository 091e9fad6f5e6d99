"""Linear-score predictors: a column's least-squares fit on the numbers and two-valued columns drawn before it,
offered to its CART tree as one more predictor.

A tree splits on one predictor at a time. Where a column depends a little on each of many earlier columns (ten
Likert items of one questionnaire, each correlated about 0.52 with every other through one shared trait), the
best single split reads one earlier item, and a pruned tree with leaves of 40 rows keeps a handful of such
splits: it cannot add the items up. Each tree then kept only part of its column's link to the earlier ones, and
the loss grew along the visit order. On the session-28 wide table (2,000 training rows: 30 flags, 10 Likert items,
10 sensors) the Likert items' mean correlation was 0.52 in the training rows, 0.51 in the holdout and 0.36 in
Pruned CART's rows (0.45 between the first two items visited, 0.26-0.30 between some of the last); the copula,
which models every pair at once, kept 0.46. One tree fitted with the items' least-squares score beside them kept
0.50 of 0.52 for the tenth item (without it: 0.42), with fewer leaves (8 against 18). With scores Pruned CART keeps
0.49 and plain CART 0.51, and both sit farther from their training rows (DCR share 0.541 → 0.501 and 0.531 →
0.504, seed 0; ``benchmarks/bench_linked_items.py``). On in both (session 29); on UCI Adult plain CART's accuracy
fell from 0.9700-0.9702 to 0.9690-0.9695 on seeds 0-4, but the holdout's is 0.969: above it the table was closer to
its training rows than fresh real rows are, not better.

For the value step of every number and every two-valued category, the model fits ``y ≈ Σ w·(x − centre)`` over
the earlier slots that are numbers or two-valued categories (missing values read as their slot's centre), by
ridge-stabilised least squares on at most :data:`MAX_FIT_ROWS` rows, and when the fit explains more than chance
would (:data:`MIN_F`) the tree may split on that score. A
tree that never splits on it keeps no score (:func:`used_extras`). The file then holds, per such step, one
centre, one weight and one spread per slot and the score's spread: sums over every training row (or the step's
seeded sample of them), as the residual lines are.

A row that lacks slots carrying a material part of the score (:data:`MATERIAL_SHARE`) has no score (NaN), at fit
and when drawn, so the tree routes it by its missing-value rule (with the lowest scores unless a split sets it
apart, :func:`synth.synthesizers.cart_steps.missing_as_lowest`), as it routes the missing slot itself. Read as
average instead, a row without a start reading had its end reading, which its start sets, drawn from the middle
of the range: Pruned CART kept 58–70% of the real spread of those rows' end readings
(``tests/unit/test_missing_predictors.py``); a missing-value flag among the slots did not help (65%).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Fewest earlier slots a score is made of: with one, it is that slot again.
MIN_SLOTS = 2
#: A score is fitted on at most this many rows (a seeded sample beyond): the weights settle long before, and a
#: table of a million rows and fifty columns would spend most of its fit on the products.
MAX_FIT_ROWS = 20_000
#: Least F statistic of the fit (explained variance per slot over residual variance per remaining row) for a score
#: to be offered. A least-squares fit finds the direction in which the training rows' noise lines up with the column
#: drawn, so even on a column unrelated to every earlier one the tree found a split on it that pruning kept (a column
#: of pure noise after 18 others, 2,000 rows). Without a link F is about 1 (sd √(2/slots)); the session-28 wide
#: table's Likert items score about 50.
MIN_F = 4.0
#: Ridge penalty on the standardised slots, in rows: keeps the weights finite where slots are collinear (a flag
#: and its complement) and shrinks what a few rows alone would set.
RIDGE_ROWS = 1.0
#: A row's score is missing when the slots it lacks could together move it by at least this share of the score's
#: spread: ``Σ |weight|·spread`` over its missing slots (an upper bound on the spread of the part it lacks, whatever
#: the slots' correlations) ≥ this × the score's spread. Read as its centre, such a part sets the row's score to
#: the middle whatever the row's real value, and the tree then draws the column as for an average row. Below it,
#: the part is small beside the score: one Likert item of ten linked through a trait carries about 0.13 of its
#: score, so a row missing one item keeps its score, one missing three loses it; a start reading that sets an
#: end reading carries all of its score.
MATERIAL_SHARE = 0.25


@dataclass(frozen=True)
class LinearScore:
    """``Σ weights·(x[:, slots] − centres)`` over the rows' earlier slots, a missing value counted as its centre;
    missing (NaN) on a row whose missing slots carry a material part of it (:data:`MATERIAL_SHARE`). Files saved
    before spreads were kept have none: every row is scored, missing values as their centre, as it was fitted."""

    slots: np.ndarray  # int64, increasing slot numbers before the step's column
    centres: np.ndarray  # float64, each slot's mean on the rows it was fitted on
    weights: np.ndarray  # float64, per raw unit of each slot
    spreads: np.ndarray | None = None  # float64, each slot's standard deviation on its present fitted rows
    spread: float = 0.0  # the score's root mean square on the fitted rows (missing slots as their centre)


def score_slots(kinds: list[bool], column: int) -> list[int]:
    """The slots before ``column`` a score may read: ``kinds[s]`` says whether slot ``s`` is a number or a
    two-valued category."""
    return [s for s in range(column) if kinds[s]]


def fit_score(xs: np.ndarray, y: np.ndarray, slots: list[int], seed: int) -> LinearScore | None:
    """The least-squares score of ``y`` on ``xs[:, slots]`` (rows × earlier slots, NaN where missing), or None when
    fewer than :data:`MIN_SLOTS` slots vary or ``y`` does not."""
    n = len(y)
    rows = np.arange(n)
    if n > MAX_FIT_ROWS:
        rows = np.sort(np.random.default_rng(seed).choice(n, MAX_FIT_ROWS, replace=False))
    z = np.asarray(xs[rows][:, slots], dtype=np.float64) if slots else np.empty((len(rows), 0))
    target = np.asarray(y, dtype=np.float64)[rows]
    present = ~np.isnan(z)
    counts = present.sum(axis=0)
    centres = np.where(counts > 0, np.nansum(z, axis=0) / np.maximum(counts, 1), 0.0)
    z = np.where(present, z - centres, 0.0)
    # Sums by einsum, never a BLAS product: its thread count would set the order of the sums (ARCHITECTURE,
    # "A seeded race gives the same numbers in every process").
    scales = np.sqrt(np.einsum("ij,ij->j", z, z) / max(len(rows), 1))
    varying = scales > 1e-12
    if int(varying.sum()) < MIN_SLOTS or float(np.ptp(target)) == 0.0:
        return None
    z = z[:, varying] / scales[varying]
    centred = target - float(np.mean(target))
    gram = np.einsum("ij,ik->jk", z, z) + RIDGE_ROWS * np.eye(z.shape[1])
    standard = np.linalg.solve(gram, np.einsum("ij,i->j", z, centred))
    if not np.all(np.isfinite(standard)) or not _explains(z, centred, standard):
        return None
    weights = standard / scales[varying]
    kept = np.asarray(slots, dtype=np.int64)[varying]
    # Each slot's spread on the rows that have it (a slot missing on most rows is not small where present), and
    # the score's on every row as the tree sees it: never above Σ |weight|·spread (state_checks refuses a file
    # where it is).
    spreads = scales[varying] * np.sqrt(len(rows) / np.maximum(counts[varying], 1))
    spread = float(np.sqrt(np.mean(np.einsum("ij,j->i", z, standard) ** 2)))
    return LinearScore(
        kept, centres[varying].astype(np.float64), weights.astype(np.float64), spreads.astype(np.float64), spread
    )


def _explains(z: np.ndarray, centred: np.ndarray, weights: np.ndarray) -> bool:
    """Whether the fit ``z @ weights`` of ``centred`` explains more than chance would (:data:`MIN_F`)."""
    rows, slots = z.shape
    if rows <= slots + 1:
        return False
    residual = centred - np.einsum("ij,j->i", z, weights)
    total, left = float(np.einsum("i,i->", centred, centred)), float(np.einsum("i,i->", residual, residual))
    if left <= 0.0:
        return True  # an exact fit
    return ((total - left) / slots) / (left / (rows - slots - 1)) >= MIN_F


def score_column(x: np.ndarray, score: LinearScore) -> np.ndarray:
    """The score of every row of ``x`` (the slots, rows × at least the score's slots), as float32 like the slots:
    NaN where the row's missing slots carry a material part of it (:func:`unscored_rows`)."""
    z = np.asarray(x[:, score.slots], dtype=np.float64) - score.centres
    missing = np.isnan(z)
    z = np.where(missing, 0.0, z)
    out = np.einsum("ij,j->i", z, score.weights)
    out[unscored_rows(missing, score)] = np.nan
    return out.astype(np.float32)


def unscored_rows(missing: np.ndarray, score: LinearScore) -> np.ndarray:
    """Which rows (``missing``: rows × the score's slots) lack a material part of the score (:data:`MATERIAL_SHARE`);
    none in a file saved before spreads were kept."""
    if score.spreads is None or not missing.any():
        return np.zeros(len(missing), dtype=bool)
    lost = np.einsum("ij,j->i", missing.astype(np.float64), np.abs(score.weights) * score.spreads)
    return (lost > 0) & (lost >= MATERIAL_SHARE * float(score.spread))


def with_score(xs: np.ndarray, x: np.ndarray, score: LinearScore | None) -> np.ndarray:
    """``xs`` (what a tree reads) with the score of ``x`` (the raw slots) appended; ``xs`` itself without one."""
    if score is None:
        return xs
    out = np.empty((xs.shape[0], xs.shape[1] + 1), dtype=np.float32, order="F")
    out[:, :-1] = xs
    out[:, -1] = score_column(x, score)
    return out
