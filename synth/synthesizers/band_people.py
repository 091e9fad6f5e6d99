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

How
    Each value's people are kept once, as (value, person) pairs sorted by value (:class:`ValuePeople`), with each
    pair's previous and next value of the same person. A stretch of values then holds as many distinct people as it
    has pairs whose person is not on an earlier value of the stretch, so every count is a sum of flags over pairs
    (session 31: with Python sets, value by value, each time column of a 200,000-row visit table cost 6.4–6.5 s of
    CPU in CART's fit, against 0.23–0.28 s counted in rows; now 0.48–0.59 s, ``benchmarks/bench_band_people.py``;
    the loops stay in ``tests/unit/test_band_people_vectorised.py``, which checks every function against them).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from synth.synthesizers.person_rarity import sorted_unique


@dataclass(frozen=True)
class ValuePeople:
    """The distinct people holding each of ``size`` distinct values, as pairs sorted by value, then person.

    ``value`` and ``person`` are the pairs (people as codes 0 … people - 1); the pairs of value ``v`` are
    ``starts[v]`` … ``starts[v + 1] - 1``."""

    value: np.ndarray
    person: np.ndarray
    starts: np.ndarray

    @property
    def size(self) -> int:
        return len(self.starts) - 1

    @cached_property
    def held(self) -> np.ndarray:
        """How many people hold each value."""
        return np.diff(self.starts)

    def of(self, v: int) -> np.ndarray:
        """The people (codes) holding value ``v``."""
        return self.person[self.starts[v] : self.starts[v + 1]]

    def lists(self, a: int, b: int) -> list[np.ndarray]:
        """The people of each value ``a`` … ``b - 1``, in value order."""
        return [self.person[s:e] for s, e in zip(self.starts[a:b], self.starts[a + 1 : b + 1], strict=True)]

    @cached_property
    def _by_person(self) -> tuple[np.ndarray, np.ndarray]:
        """Each pair's nearest value below and above it that the same person holds (-1 and ``size`` for none)."""
        order = np.argsort(self.person, kind="stable")  # by person, then value (the pairs are in value order)
        same = self.person[order[1:]] == self.person[order[:-1]]
        before = np.full(len(self.value), -1, dtype=np.int64)
        after = np.full(len(self.value), self.size, dtype=np.int64)
        before[order[1:][same]] = self.value[order[:-1][same]]
        after[order[:-1][same]] = self.value[order[1:][same]]
        return before, after

    @property
    def before(self) -> np.ndarray:
        return self._by_person[0]

    @property
    def after(self) -> np.ndarray:
        return self._by_person[1]


def value_people(inverse: np.ndarray, size: int, people: np.ndarray) -> ValuePeople:
    """The distinct people holding each of ``size`` distinct values (``inverse``: each row's value; ``people``: each
    row's person, any labels)."""
    codes = np.asarray(people).ravel()
    span = int(codes.max()) + 1 if len(codes) and codes.dtype.kind in "iu" and codes.min() >= 0 else 0
    if not 0 < span <= 2**62 // max(size, 1):  # codes 0 … span - 1 (the fit's person codes) pair up without ranking
        codes = np.unique(codes, return_inverse=True)[1].ravel()
        span = int(codes.max()) + 1 if len(codes) else 1
    pairs = sorted_unique(np.asarray(inverse, dtype=np.int64).ravel() * span + codes.astype(np.int64))
    value, person = pairs // span, pairs % span
    return ValuePeople(value, person, np.searchsorted(value, np.arange(size + 1)))


def span_people(whose: ValuePeople, start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    """Distinct people holding the values ``start[i]`` … ``stop[i] - 1``, for each ``i`` (0 ≤ start, stop ≤ size).

    A pair counts when its person holds no earlier value of the stretch. Stretches that do not overlap (every
    caller's: groups, and the values between two cut gaps) are counted in one pass over the pairs; others one by
    one."""
    start, stop = np.asarray(start, dtype=np.int64), np.asarray(stop, dtype=np.int64)
    count = np.zeros(len(start), dtype=np.int64)
    used = np.flatnonzero(stop > start)
    if len(used) == 0 or len(whose.value) == 0:
        return count
    order = used[np.argsort(start[used], kind="stable")]
    a, b = start[order], stop[order]
    if np.all(a[1:] >= b[:-1]):
        q = np.searchsorted(a, whose.value, side="right") - 1  # the stretch each pair's value may lie in
        inside = q >= 0
        inside[inside] = (whose.value[inside] < b[q[inside]]) & (whose.before[inside] < a[q[inside]])
        count[order] = np.bincount(q[inside], minlength=len(order))
        return count
    lo, hi = whose.starts[a], whose.starts[b]
    count[order] = [np.count_nonzero(whose.before[s:e] < x) for s, e, x in zip(lo, hi, a, strict=True)]
    return count


def run_people(whose: ValuePeople, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each value of the runs ``starts[r]`` … ``ends[r]`` (inclusive, runs that do not overlap): distinct people
    holding the values from its run's start to it, and from it to its run's end (0 outside every run). What a gap's
    sides hold: the people first seen on each value of the run, summed from its start, and those last seen on each,
    summed from its end."""
    size = whose.size
    upto = np.zeros(size, dtype=np.int64)
    onward = np.zeros(size, dtype=np.int64)
    starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
    if len(starts) == 0:
        return upto, onward
    order = np.argsort(starts, kind="stable")
    a, b = starts[order], ends[order]
    run = np.searchsorted(a, whose.value, side="right") - 1
    inside = run >= 0
    inside[inside] = whose.value[inside] <= b[run[inside]]
    value, run = whose.value[inside], run[inside]
    first = np.bincount(value[whose.before[inside] < a[run]], minlength=size)
    last = np.bincount(value[whose.after[inside] > b[run]], minlength=size)
    ups, downs = np.r_[0, np.cumsum(first)], np.r_[0, np.cumsum(last)]  # [v]: the values before v
    r = np.searchsorted(a, np.arange(size), side="right") - 1  # each value's run, if it lies in one
    v = np.flatnonzero(r >= 0)
    v = v[v <= b[r[v]]]
    r = r[v]
    upto[v] = ups[v + 1] - ups[a[r]]
    onward[v] = downs[b[r] + 1] - downs[v]
    return upto, onward


def group_people(whose: ValuePeople, first: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Distinct people of each group of values ``first[g]`` … ``last[g]``."""
    return span_people(whose, first, np.asarray(last, dtype=np.int64) + 1)


def other_people_inside(
    whose: ValuePeople, first: np.ndarray, last: np.ndarray, least: int, alone: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each group of values ``first[g]`` … ``last[g]``: the value nearest its low end that, with the low end, two
    people or more hold (so the midpoint of the two is never one person's two values), and the same from its high
    end; the end itself where there is none, or where the group holds fewer than ``least`` people and is not
    ``alone`` (the column's only group): a tail end then falls back to the group's other end, its common neighbour.
    A group alone keeps its ends so (a column that few people hold has nothing else to end on; held by one person
    alone, its ends are NaN: nothing kept, the rows' rule for a column of one value)."""
    first, last = np.asarray(first, dtype=np.int64), np.asarray(last, dtype=np.int64)
    low, high = first.copy(), last.copy()
    kept = ~((group_people(whose, first, last) < least) & ~np.asarray(alone, dtype=bool))
    if not kept.any():
        return low, high
    held = whose.held
    # A value one person holds is labelled with that person; any other value with a label of its own (never equal).
    label = np.where(
        held == 1, whose.person[np.minimum(whose.starts[:-1], len(whose.person) - 1)], -2 - np.arange(whose.size)
    )
    up = _nearest_other(held, label, first[kept])
    down = whose.size - 1 - _nearest_other(held[::-1], label[::-1], whose.size - 1 - last[kept])
    low[kept] = np.where(up <= last[kept], up, first[kept])
    high[kept] = np.where(down >= first[kept], down, last[kept])
    return low, high


def _nearest_other(held: np.ndarray, label: np.ndarray, edge: np.ndarray) -> np.ndarray:
    """For each ``edge``: the nearest value above it that, with it, two people or more hold (``len(held)`` for none).

    Two or more people on the edge: the next value. One: the next value holding someone else (a value of its own
    label that is not empty). None: the next value that two people or more hold."""
    size = len(held)
    beyond = np.full(len(edge), size, dtype=np.int64)
    many = held[edge] >= 2
    beyond[many] = edge[many] + 1
    filled = np.flatnonzero(held > 0)
    # For each filled value, the first filled value after it with another label: the end of its run of one label.
    change = np.flatnonzero(label[filled][1:] != label[filled][:-1])  # filled[k + 1] starts a new label
    one = np.flatnonzero(held[edge] == 1)
    at = np.searchsorted(filled, edge[one])
    k = np.searchsorted(change, at)
    found = k < len(change)
    beyond[one[found]] = filled[change[k[found]] + 1]
    none = np.flatnonzero(held[edge] == 0)
    if len(none):
        marks = np.where(held >= 2, np.arange(size), size)
        next_many = np.r_[np.minimum.accumulate(marks[::-1])[::-1], size]  # [v]: the first value ≥ v two people hold
        beyond[none] = next_many[edge[none] + 1]
    return np.minimum(beyond, size)
