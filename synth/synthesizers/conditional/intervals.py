"""A checked condition as intervals of a model's internal numbers, shared by every exact sampler.

Models keep numbers before rounding: an integer column's value ``v`` is any internal number that rounds to
``v`` (``[v - ½, v + ½]``), a date's is any number within half its grain. So a condition maps to intervals of
the *internal* number, and a draw inside them is a row that meets the condition once finished.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth.synthesizers.conditions import Condition, column_mask, is_missing

Interval = tuple[float, float]


def _items(cond: Condition) -> list[Any]:
    if isinstance(cond, tuple):
        return [cond]
    if isinstance(cond, list | set | frozenset | np.ndarray) or (
        isinstance(cond, Sequence) and not isinstance(cond, str)
    ):
        return list(cond)
    return [cond]


def missing_allowed(cond: Condition) -> bool:
    """Whether a row with the column missing meets the condition."""
    return any(is_missing(item) for item in _items(cond))


def present_allowed(cond: Condition) -> bool:
    """Whether some non-missing value meets the condition."""
    return any(not is_missing(item) for item in _items(cond))


def admissible(cond: Condition, grain: float, to_model: Callable[[Any], float]) -> list[Interval]:
    """Intervals of internal numbers whose finished value meets ``cond`` (missing items left out).

    Args:
        cond: a checked condition: value, list of values, or ``(low, high)`` range.
        grain: the step finished values are rounded to, in internal units (0 for continuous numbers).
        to_model: a condition value (number or timestamp) → internal number.
    """
    out: list[Interval] = []
    for item in _items(cond):
        if is_missing(item):
            continue
        if isinstance(item, tuple):
            low = -math.inf if item[0] is None else float(to_model(item[0]))
            high = math.inf if item[1] is None else float(to_model(item[1]))
            if grain > 0:
                # Only whole steps inside [low, high] can be output; their rounding cells are the interval.
                low = math.ceil(low / grain - 1e-9) * grain - grain / 2 if math.isfinite(low) else low
                high = math.floor(high / grain + 1e-9) * grain + grain / 2 if math.isfinite(high) else high
            if low <= high:
                out.append((low, high))
            continue
        x = float(to_model(item))
        out.append((x - grain / 2, x + grain / 2) if grain > 0 else (x, x))
    return out


def category_allowed(categories: Sequence[Any], cond: Condition, missing_label: str) -> np.ndarray:
    """Boolean mask over a column's categories (``missing_label`` standing for missing) meeting ``cond``."""
    labels = pd.Series([None if c == missing_label else c for c in categories], dtype=object)
    return column_mask(labels, cond)


def overlap_fraction(low: np.ndarray, width: np.ndarray, intervals: list[Interval]) -> np.ndarray:
    """For values drawn uniformly on ``[low, low + width]`` (a point when width is 0): P(value in intervals)."""
    out = np.zeros(len(low))
    point = width <= 0
    for a, b in intervals:
        inside = np.clip(np.minimum(low + width, b) - np.maximum(low, a), 0.0, None)
        frac = np.divide(inside, width, out=np.zeros(len(low)), where=~point)
        out += np.where(point, (low >= a) & (low <= b), frac)
    return np.minimum(out, 1.0)


def draw_inside(low: np.ndarray, width: np.ndarray, intervals: list[Interval], rng: np.random.Generator) -> np.ndarray:
    """A value uniform on the part of ``[low, low + width]`` inside ``intervals`` (rows with some overlap)."""
    n = len(low)
    if not intervals:
        return low.copy()
    point = width <= 0
    lengths = np.column_stack(
        [np.clip(np.minimum(low + width, b) - np.maximum(low, a), 0.0, None) for a, b in intervals]
    )
    total = lengths.sum(axis=1)
    pick = (np.cumsum(lengths, axis=1) < (rng.random(n) * total)[:, None]).sum(axis=1)
    pick = np.minimum(pick, len(intervals) - 1)
    a = np.array([iv[0] for iv in intervals])[pick]
    start = np.maximum(low, a)
    values = start + rng.random(n) * lengths[np.arange(n), pick]
    return np.where(point, low, values)
