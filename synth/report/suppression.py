"""Small-cell suppression for what a report shows of the real data.

A histogram bar or a category computed from fewer than ``k`` real rows can point at a handful of people (the
one 90-year-old, the only person from a small country). Before a real-data distribution enters a report:

* every category whose real or holdout count is between 1 and ``k − 1`` is folded into one
  "(categories under k rows)" bar, so its label never appears; if that bar itself still counts fewer than
  ``k`` real (or holdout) rows, its real (holdout) share is blanked;
* every numeric bin whose real (holdout) count is between 1 and ``k − 1`` has its real (holdout) share
  blanked (``NaN``: drawn as a gap).

Synthetic shares are kept (they describe no real person), except that they follow the category folding.
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from synth.evaluation.fidelity.distributions import ColumnDistribution
from synth.schema.shared_range import MIN_SHOWN_ROWS

DEFAULT_K = MIN_SHOWN_ROWS


def folded_label(k: int) -> str:
    return f"(categories under {k} rows)"


def _counts(shares: tuple[float, ...] | None, n: int | None) -> np.ndarray | None:
    if shares is None or not n:
        return None
    return np.rint(np.asarray(shares, dtype=float) * n)


def _small(counts: np.ndarray | None, k: int) -> np.ndarray:
    if counts is None:
        return np.zeros(0, dtype=bool)
    return (counts > 0) & (counts < k)


def suppress(dist: ColumnDistribution, k: int = DEFAULT_K) -> tuple[ColumnDistribution, int]:
    """``dist`` with every real/holdout cell under ``k`` rows folded or blanked; and how many cells were.

    Args:
        dist: a binned distribution of real, synthetic and holdout rows.
        k: the smallest number of real rows a shown cell may hold (1 disables suppression).

    Returns:
        The suppressed distribution and the number of suppressed cells (folded categories plus blanked bars).
    """
    if k <= 1:
        return dist, 0
    real = _counts(dist.real, dist.n_real)
    hold = _counts(dist.holdout, dist.n_holdout)
    small = _small(real, k)
    if hold is not None:
        small = small | _small(hold, k)
    if not small.any():
        return dist, 0
    if dist.numeric:
        real_out = tuple(math.nan if s else v for v, s in zip(dist.real, _small(real, k), strict=True))
        hold_out = dist.holdout
        n = int(_small(real, k).sum())
        if dist.holdout is not None and hold is not None:
            hs = _small(hold, k)
            hold_out = tuple(math.nan if s else v for v, s in zip(dist.holdout, hs, strict=True))
            n += int(hs.sum())
        return replace(dist, real=real_out, holdout=hold_out), n
    keep = ~small
    labels = [lab for lab, kept in zip(dist.labels, keep, strict=True) if kept]
    real_shares = [v for v, kept in zip(dist.real, keep, strict=True) if kept]
    syn_shares = [v for v, kept in zip(dist.synthetic, keep, strict=True) if kept]
    folded_real = float(np.asarray(dist.real)[small].sum())
    folded_syn = float(np.asarray(dist.synthetic)[small].sum())
    labels.append(folded_label(k))
    real_count = folded_real * dist.n_real
    real_shares.append(math.nan if 0 < round(real_count) < k else folded_real)
    syn_shares.append(folded_syn)
    hold_out = None
    if dist.holdout is not None:
        hold_shares = [v for v, kept in zip(dist.holdout, keep, strict=True) if kept]
        folded_hold = float(np.asarray(dist.holdout)[small].sum())
        hold_count = folded_hold * (dist.n_holdout or 0)
        hold_shares.append(math.nan if 0 < round(hold_count) < k else folded_hold)
        hold_out = tuple(hold_shares)
    out = replace(dist, labels=tuple(labels), real=tuple(real_shares), synthetic=tuple(syn_shares), holdout=hold_out)
    return out, int(small.sum())
