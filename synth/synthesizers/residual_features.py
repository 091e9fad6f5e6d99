"""Residual predictors: for two strongly correlated numbers, how far one sits from its straight-line fit on the
other, offered to CART's trees as one more predictor.

A tree splits on one predictor at a time, so a boundary along a diagonal of two correlated numbers takes a
staircase of splits, and pruning keeps few steps of it. Two shapes that pruning flattened on the shared tables:

* Bike Sharing's felt temperature is a function of temperature, humidity and wind. Humidity and wind are drawn
  after both temperatures, and what they must explain is the felt temperature's departure from the
  temperature, a diagonal in (temp, atemp). A discriminator on those four columns alone told Pruned CART's rows
  from real ones with AUC 0.77 (each pair of them: about 0.50).
* California Housing's coast runs from north-west to south-east: latitude and longitude are correlated −0.92
  and the ocean-proximity classes lie along the diagonal.

For every pair of numbers (at least :data:`MIN_DISTINCT` distinct values each) whose Pearson correlation on the
training rows is at least :data:`MIN_CORRELATION` in size, the model stores the line ``k ≈ a + b·i`` fitted by
least squares on all complete training rows, and a tree for a later column may split on ``x_k − a − b·x_i`` too
(at most :data:`MAX_RESIDUALS`, the most correlated pairs first). The file then holds two numbers per pair, each
computed from every training row.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

#: Smallest |Pearson correlation| of two numbers for their residual to be offered.
MIN_CORRELATION = 0.7
#: Fewest distinct values a number needs to take part (counts and codes with few values split well already).
MIN_DISTINCT = 10
#: Most residual predictors a tree is offered.
MAX_RESIDUALS = 8
#: Fewest complete rows a pair's line is fitted on.
MIN_ROWS = 50


@dataclass(frozen=True)
class Residual:
    """Predictor slot ``k`` minus its least-squares line on slot ``i``: ``x_k − intercept − slope·x_i``."""

    i: int
    k: int
    intercept: float
    slope: float


def find_residuals(x: np.ndarray, numeric: list[int]) -> tuple[Residual, ...]:
    """Every pair of the ``numeric`` slots of ``x`` (rows × slots, NaN where missing) with enough distinct values
    and correlation at least :data:`MIN_CORRELATION` in size, most correlated first; ``i`` before ``k``."""
    usable = [j for j in numeric if len(np.unique(x[~np.isnan(x[:, j]), j])) >= MIN_DISTINCT]
    found: list[tuple[float, Residual]] = []
    for a_pos, i in enumerate(usable):
        for k in usable[a_pos + 1 :]:
            both = ~np.isnan(x[:, i]) & ~np.isnan(x[:, k])
            if both.sum() < MIN_ROWS:
                continue
            xi, xk = x[both, i].astype(np.float64), x[both, k].astype(np.float64)
            si, sk = float(np.std(xi)), float(np.std(xk))
            if si == 0 or sk == 0:
                continue
            corr = float(np.mean((xi - xi.mean()) * (xk - xk.mean())) / (si * sk))
            if abs(corr) >= MIN_CORRELATION:
                slope = corr * sk / si
                found.append((abs(corr), Residual(i, k, float(xk.mean() - slope * xi.mean()), slope)))
    found.sort(key=lambda t: -t[0])
    return tuple(r for _, r in found)


def residuals_before(residuals: tuple[Residual, ...], column: int) -> tuple[Residual, ...]:
    """The residuals a tree for slot ``column`` may use: both slots drawn before it, at most :data:`MAX_RESIDUALS`."""
    return tuple(r for r in residuals if r.i < column and r.k < column)[:MAX_RESIDUALS]


def with_residuals(xs: np.ndarray, residuals: tuple[Residual, ...]) -> np.ndarray:
    """``xs`` (the slots a tree reads) with one column appended per residual; ``xs`` itself when there are none."""
    if not residuals:
        return xs
    n, d = xs.shape
    out = np.empty((n, d + len(residuals)), dtype=np.float32, order="F")
    out[:, :d] = xs
    for m, r in enumerate(residuals):
        out[:, d + m] = xs[:, r.k].astype(np.float64) - r.intercept - r.slope * xs[:, r.i].astype(np.float64)
    return out


def used_residuals(tree: Any, column: int, residuals: tuple[T, ...]) -> tuple[Any, tuple[T, ...]]:
    """``tree`` and ``residuals`` reduced to the residual predictors the tree splits on, its features renumbered:
    a tree that uses none reads the slots as they are, and sampling copies nothing for it. Any extra predictors
    past the slots are reduced alike (a linear score after the residuals: ``linear_scores``)."""
    if not residuals:
        return tree, residuals
    inner = tree.children_left >= 0
    used = sorted({int(f) - column for f in tree.feature[inner] if f >= column})
    if len(used) == len(residuals):
        return tree, residuals
    renumber = {column + old: column + new for new, old in enumerate(used)}
    feature = np.asarray([renumber.get(int(f), int(f)) for f in tree.feature], dtype=np.int64)
    # replace() leaves the compiled tree behind (an init=False field): it is rebuilt from the new features.
    reduced = dataclasses.replace(tree, feature=feature, n_features=column + len(used))
    return reduced, tuple(residuals[u] for u in used)
