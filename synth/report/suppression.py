"""Small-cell suppression for what a report shows of the real data.

A histogram bar or a category computed from fewer than ``k`` real rows can point at a handful of people (the
one 90-year-old, the only person from a small country). Before a real-data distribution enters a report:

* every category whose real or holdout count is between 1 and ``k − 1`` is folded into one
  "(categories under k rows)" bar, so its label never appears; if that bar itself still counts fewer than
  ``k`` real (or holdout) rows, its real (holdout) share is blanked;
* every numeric bin whose real (holdout) count is between 1 and ``k − 1`` has its real (holdout) share
  blanked (``NaN``: drawn as a gap).

Synthetic shares are kept (they describe no real person), except that they follow the category folding.

With a person column (the distribution's ``cell_people``: each bar's people) every count above is of distinct
people, not rows: one employee's 15 payslips in a grade no one else holds were a bar of 15 rows, shown with its
label, and stated that employee's grade (session 30, ``tests/unit/test_report_people.py``). The fold's bar counts
the people of all the categories it holds, each once ("(categories under k people)").
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from synth.evaluation.fidelity.distributions import ColumnDistribution
from synth.schema.shared_range import MIN_SHOWN_ROWS

DEFAULT_K = MIN_SHOWN_ROWS


def folded_label(k: int, people: bool = False) -> str:
    return f"(categories under {k} {'people' if people else 'rows'})"


def _counts(shares: tuple[float, ...] | None, n: int | None) -> np.ndarray | None:
    if shares is None or not n:
        return None
    return np.rint(np.asarray(shares, dtype=float) * n)


def _held(cells: tuple[np.ndarray, ...] | None) -> np.ndarray | None:
    """Each cell's distinct people."""
    return None if cells is None else np.array([len(c) for c in cells], dtype=float)


def _folded_people(cells: tuple[np.ndarray, ...] | None, small: np.ndarray) -> int | None:
    """The distinct people of the folded cells (a person in two folded categories is one)."""
    if cells is None:
        return None
    held = [c for c, s in zip(cells, small, strict=True) if s]
    return len(np.unique(np.concatenate(held))) if held else 0


def _small(counts: np.ndarray | None, k: int) -> np.ndarray:
    if counts is None:
        return np.zeros(0, dtype=bool)
    return (counts > 0) & (counts < k)


def suppress(dist: ColumnDistribution, k: int = DEFAULT_K) -> tuple[ColumnDistribution, int]:
    """``dist`` with every real/holdout cell under ``k`` rows (people, when ``dist.cell_people`` holds them) folded
    or blanked; and how many cells were.

    Args:
        dist: a binned distribution of real, synthetic and holdout rows.
        k: the smallest number of real rows (or people) a shown cell may hold (1 disables suppression).

    Returns:
        The suppressed distribution and the number of suppressed cells (folded categories plus blanked bars).
    """
    if k <= 1:
        return dist, 0
    by_people = dist.cell_people is not None
    real_cells, hold_cells = dist.cell_people if dist.cell_people is not None else (None, None)
    real = _held(real_cells) if by_people else _counts(dist.real, dist.n_real)
    hold = _held(hold_cells) if by_people else _counts(dist.holdout, dist.n_holdout)
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
        return replace(dist, real=real_out, holdout=hold_out, cell_people=None), n
    keep = ~small
    labels = [lab for lab, kept in zip(dist.labels, keep, strict=True) if kept]
    real_shares = [v for v, kept in zip(dist.real, keep, strict=True) if kept]
    syn_shares = [v for v, kept in zip(dist.synthetic, keep, strict=True) if kept]
    folded_real = float(np.asarray(dist.real)[small].sum())
    folded_syn = float(np.asarray(dist.synthetic)[small].sum())
    labels.append(folded_label(k, by_people))
    real_count = _folded_people(real_cells, small) if by_people else folded_real * dist.n_real
    real_shares.append(math.nan if 0 < round(real_count or 0) < k else folded_real)
    syn_shares.append(folded_syn)
    hold_out = None
    if dist.holdout is not None:
        hold_shares = [v for v, kept in zip(dist.holdout, keep, strict=True) if kept]
        folded_hold = float(np.asarray(dist.holdout)[small].sum())
        hold_count = _folded_people(hold_cells, small) if by_people else folded_hold * (dist.n_holdout or 0)
        hold_shares.append(math.nan if 0 < round(hold_count or 0) < k else folded_hold)
        hold_out = tuple(hold_shares)
    # (the shown distribution keeps no people: they were for this count)
    out = replace(
        dist,
        labels=tuple(labels),
        real=tuple(real_shares),
        synthetic=tuple(syn_shares),
        holdout=hold_out,
        cell_people=None,
    )
    return out, int(small.sum())
