"""Distinct people behind the column-wide bands of :func:`synth.synthesizers.rare_bands.smoothing_ranges`.

Why
    The column rule pooled rare values into groups of ``smooth_below`` people by adding each value's people: one
    person holding five different rare times counted five times. A patient who came at 03:11, 03:14, 03:17, 03:19
    and 03:23, hours no one else came, was a run of five "people" at the column's low end: CART's band for those
    visits started at 03:12:30 (the midpoint of that patient's two earliest times), the model file held that end,
    and 20 of 20,000 synthetic visits fell between 03:00 and 04:00 (Pruned CART: 26; session 30,
    ``tests/unit/test_band_people.py``).

What
    With people, every count the column rule makes is of distinct people: a group closes at ``smooth_below`` of
    them, a side of a gap is cut off only when that many people hold it, and a stretch between two cuts as well
    (:func:`run_people`, :func:`span_people`). A band's end at the column's tail, or at a cut gap, is the midpoint of
    its outermost value and the nearest value of the group that, with it, two people or more hold
    (:func:`other_people_inside`): the end is never a midpoint of one person's two values. A group that holds fewer
    people than ``smooth_below`` beside a common value (a whole run that short: one patient's night visits before
    the first time enough people share) takes that value as a point. Counted so, no band end lies among the
    patient's times and no synthetic visit falls at 03:xx.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def value_people(inverse: np.ndarray, size: int, people: np.ndarray) -> list[np.ndarray]:
    """The distinct people (codes) holding each of ``size`` distinct values (``inverse``: each row's value)."""
    held = pd.Series(people).groupby(inverse).unique()
    return [np.asarray(held.get(v, ()), dtype=np.int64) for v in range(size)]


def span_people(whose: list[np.ndarray], start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Distinct people holding the values ``start[i]`` … ``stop[i] - 1``, for each ``i``."""
    return np.array(
        [len(np.unique(np.concatenate(whose[a:b]))) if b > a else 0 for a, b in zip(start, stop, strict=True)],
        dtype=np.int64,
    )


def run_people(whose: list[np.ndarray], starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each value of the runs ``starts[r]`` … ``ends[r]`` (inclusive): distinct people holding the values from
    its run's start to it, and from it to its run's end (0 outside every run). What a gap's sides hold."""
    upto = np.zeros(len(whose), dtype=np.int64)
    onward = np.zeros(len(whose), dtype=np.int64)
    for a, b in zip(starts, ends, strict=True):
        for span, out in ((range(a, b + 1), upto), (range(b, a - 1, -1), onward)):
            seen: set[int] = set()
            for v in span:
                seen.update(whose[v].tolist())
                out[v] = len(seen)
    return upto, onward


def group_people(whose: list[np.ndarray], first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Distinct people of each group of values ``first[g]`` … ``last[g]``."""
    return span_people(whose, first, last + 1)


def other_people_inside(
    whose: list[np.ndarray], first: np.ndarray, last: np.ndarray, least: int, alone: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each group of values ``first[g]`` … ``last[g]``: the value nearest its low end that, with the low end, two
    people or more hold (so the midpoint of the two is never one person's two values), and the same from its high
    end; the end itself where there is none, or where the group holds fewer than ``least`` people and is not
    ``alone`` (the column's only group): a tail end then falls back to the group's other end, its common neighbour.
    A group alone keeps its ends so (a column that few people hold has nothing else to end on; held by one person
    alone, its ends are NaN: nothing kept, the rows' rule for a column of one value)."""
    low, high = first.copy(), last.copy()
    short = (group_people(whose, first, last) < least) & ~alone
    for g, (a, b) in enumerate(zip(first, last, strict=True)):
        if short[g]:
            continue
        for edge, span, out in ((a, range(a + 1, b + 1), low), (b, range(b - 1, a - 1, -1), high)):
            holders = set(whose[edge].tolist())
            out[g] = next((v for v in span if len(holders.union(whose[v].tolist())) >= 2), edge)
    return low, high
