"""Prediction scores that take bootstrap weights: one call scores every replicate.

Each function takes ``weights`` of shape (replicates, rows) (None: one replicate of unit weights) and returns
one value per replicate. Resampling rows is then a matrix product, not a loop over refitted metrics.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import sparse


def _w(weights: np.ndarray | None, n: int) -> np.ndarray:
    return np.ones((1, n)) if weights is None else weights


def accuracy(y: np.ndarray, pred: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    w = _w(weights, len(y))
    return (w @ (y == pred).astype(float)) / w.sum(axis=1)


def f1(y: np.ndarray, pred: np.ndarray, positive: object, weights: np.ndarray | None = None) -> np.ndarray:
    """F1 of one class."""
    w = _w(weights, len(y))
    is_y, is_p = y == positive, pred == positive
    tp = w @ (is_y & is_p).astype(float)
    fp = w @ (~is_y & is_p).astype(float)
    fn = w @ (is_y & ~is_p).astype(float)
    denom = 2 * tp + fp + fn
    return np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1.0), 0.0)


def macro_f1(y: np.ndarray, pred: np.ndarray, classes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Unweighted mean of per-class F1 over the classes present in ``y``."""
    present = [c for c in classes if np.any(y == c)]
    if not present:
        return np.full(1 if weights is None else len(weights), np.nan)
    return np.mean([f1(y, pred, c, weights) for c in present], axis=0)


def auc(y: np.ndarray, score: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Area under the ROC curve of a binary problem (``y`` boolean), ties counted half.

    Rows are grouped by distinct score once; every replicate's weighted positives and negatives per group come
    from one sparse matrix product.
    """
    y = np.asarray(y, dtype=bool)
    reps = 1 if weights is None else len(weights)
    if y.all() or not y.any():
        return np.full(reps, np.nan)
    uniques, group = np.unique(score, return_inverse=True)
    n, g = len(y), len(uniques)
    w = np.ones((n, 1)) if weights is None else np.ascontiguousarray(weights.T)
    onehot = sparse.csc_matrix((np.ones(n), group.ravel(), np.arange(n + 1)), shape=(g, n))
    pos = np.asarray(onehot @ (w * y[:, None]))  # (groups, replicates)
    neg = np.asarray(onehot @ (w * ~y[:, None]))
    below = np.cumsum(neg, axis=0) - neg
    total = pos.sum(axis=0) * neg.sum(axis=0)
    area = (pos * (below + 0.5 * neg)).sum(axis=0)
    return np.where(total > 0, area / np.where(total > 0, total, 1.0), np.nan)


def macro_auc(y: np.ndarray, proba: np.ndarray, classes: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """One-vs-rest AUC averaged over the classes present (and absent) in ``y``."""
    values = [auc(y == c, proba[:, k], weights) for k, c in enumerate(classes) if 0 < np.sum(y == c) < len(y)]
    if not values:
        return np.full(1 if weights is None else len(weights), np.nan)
    return np.nanmean(values, axis=0)


def r2(y: np.ndarray, pred: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    w = _w(weights, len(y))
    total = w.sum(axis=1)
    mean = (w @ y) / total
    ss_tot = w @ (y**2) - total * mean**2
    ss_res = w @ ((y - pred) ** 2)
    return np.where(ss_tot > 0, 1 - ss_res / np.where(ss_tot > 0, ss_tot, 1.0), np.nan)


def mae(y: np.ndarray, pred: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    w = _w(weights, len(y))
    return (w @ np.abs(y - pred)) / w.sum(axis=1)


def hanley_mcneil(area: float, n_pos: int, n_neg: int, z: float = 1.96) -> tuple[float, float]:
    """Normal-approximation interval of an AUC (Hanley & McNeil, 1982)."""
    if not math.isfinite(area) or n_pos < 1 or n_neg < 1:
        return float("nan"), float("nan")
    q1, q2 = area / (2 - area), 2 * area**2 / (1 + area)
    var = (area * (1 - area) + (n_pos - 1) * (q1 - area**2) + (n_neg - 1) * (q2 - area**2)) / (n_pos * n_neg)
    half = z * math.sqrt(max(var, 0.0))
    return max(area - half, 0.0), min(area + half, 1.0)
