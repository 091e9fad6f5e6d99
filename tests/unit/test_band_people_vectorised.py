"""The people counts of the time-of-day bands, vectorised (session 31), give what the loops gave.

:mod:`synth.synthesizers.band_people` counted distinct people with Python sets, value by value: 6.4–6.5 s of CPU per
time column of a 200,000-row visit table's CART fit (``benchmarks/bench_band_people.py``). Its functions now sum
flags over (value, person) pairs. The loops they replaced are kept below as the reference, and every function is
compared with its loop on random values, people and stretches, empty values and people labelled by any integer
included.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.synthesizers import band_people
from synth.synthesizers.person_rarity import sorted_unique
from synth.synthesizers.rare_bands import leaf_groups

# The reference: band_people and leaf_groups as they were before session 31 (rare_bands.py, band_people.py).


def ref_value_people(inverse: np.ndarray, size: int, people: np.ndarray) -> list[np.ndarray]:
    held = pd.Series(people).groupby(inverse).unique()
    return [np.asarray(held.get(v, ()), dtype=np.int64) for v in range(size)]


def ref_span_people(whose: list[np.ndarray], start: np.ndarray, stop: np.ndarray) -> np.ndarray:
    return np.array(
        [len(np.unique(np.concatenate(whose[a:b]))) if b > a else 0 for a, b in zip(start, stop, strict=True)],
        dtype=np.int64,
    )


def ref_run_people(whose: list[np.ndarray], starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    upto = np.zeros(len(whose), dtype=np.int64)
    onward = np.zeros(len(whose), dtype=np.int64)
    for a, b in zip(starts, ends, strict=True):
        for span, out in ((range(a, b + 1), upto), (range(b, a - 1, -1), onward)):
            seen: set[int] = set()
            for v in span:
                seen.update(whose[v].tolist())
                out[v] = len(seen)
    return upto, onward


def ref_other_people_inside(
    whose: list[np.ndarray], first: np.ndarray, last: np.ndarray, least: int, alone: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    low, high = first.copy(), last.copy()
    short = (ref_span_people(whose, first, last + 1) < least) & ~alone
    for g, (a, b) in enumerate(zip(first, last, strict=True)):
        if short[g]:
            continue
        for edge, span, out in ((a, range(a + 1, b + 1), low), (b, range(b - 1, a - 1, -1), high)):
            holders = set(whose[edge].tolist())
            out[g] = next((v for v in span if len(holders.union(whose[v].tolist())) >= 2), edge)
    return low, high


def ref_leaf_groups(
    values: np.ndarray, smooth_below: int, reach: float, people: np.ndarray, short: tuple[np.ndarray, np.ndarray]
) -> tuple[np.ndarray, np.ndarray]:
    uniq, inverse = np.unique(values, return_inverse=True)
    inverse = inverse.ravel()
    held = pd.Series(people).groupby(inverse).nunique().to_numpy()
    lo, hi = uniq.copy(), uniq.copy()
    rare = np.flatnonzero(held < smooth_below)
    whose = pd.Series(people).groupby(inverse).unique()
    i = 0
    while i < len(rare):
        j, rows = i, 0
        seen: set[int] = set()
        while j < len(rare) and rows < smooth_below and uniq[rare[j]] - uniq[rare[i]] <= reach:
            seen.update(whose[rare[j]].tolist())
            rows = len(seen)
            j += 1
        members = rare[i:j]
        lo[members], hi[members] = uniq[members[0]], uniq[members[-1]]
        if rows < smooth_below:
            lo[members] = hi[members] = np.nan
        i = j
    low, width = lo[inverse], (hi - lo)[inverse]
    few = np.isnan(low)
    low[few], width[few] = short[0][few], short[1][few]
    return low, width


@st.composite
def _held(draw: st.DrawFn) -> tuple[np.ndarray, int, np.ndarray, np.random.Generator]:
    """Rows' values (codes 0 … size - 1, some never held) and people: few people over many values or the reverse,
    labelled by codes, by spread-out integers or by negative ones."""
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    size = draw(st.integers(1, 60))
    rows = draw(st.integers(1, 300))
    n_people = draw(st.integers(1, 40))
    inverse = rng.integers(0, size, rows)
    people = rng.integers(0, n_people, rows)
    people = people * draw(st.sampled_from([1, 7, -3])) + draw(st.sampled_from([0, 5, 10**12]))
    return inverse, size, people, rng


def _runs(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Stretches of values that do not overlap, some side by side, some single values."""
    inside = rng.random(size) < rng.random()
    begins = inside & (~np.r_[False, inside[:-1]] | (rng.random(size) < 0.2))
    ends = inside & (~np.r_[inside[1:], False] | np.r_[begins[1:], False])
    starts, ends = np.flatnonzero(begins), np.flatnonzero(ends)
    return starts.astype(np.int64), ends.astype(np.int64)


@settings(max_examples=300, deadline=None)
@given(case=_held())
def test_the_vectorised_counts_are_the_loops(case: tuple[np.ndarray, int, np.ndarray, np.random.Generator]) -> None:
    inverse, size, people, rng = case
    whose = band_people.value_people(inverse, size, people)
    ref = ref_value_people(inverse, size, people)
    assert whose.held.tolist() == [len(p) for p in ref]
    pairs = {(int(x), int(c)) for v, p in enumerate(ref) for x, c in zip(np.sort(p), whose.of(v), strict=True)}
    assert len(pairs) == len({x for x, _ in pairs}) == len({c for _, c in pairs}), "one code per person, in order"

    start = rng.integers(0, size + 1, 40)
    stop = np.minimum(start + rng.integers(0, size + 1, 40), size)  # overlapping stretches, empty ones too
    assert band_people.span_people(whose, start, stop).tolist() == ref_span_people(ref, start, stop).tolist()

    starts, ends = _runs(rng, size)
    order = rng.permutation(len(starts))  # given in any order
    got, want = band_people.run_people(whose, starts[order], ends[order]), ref_run_people(ref, starts, ends)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
    assert band_people.span_people(whose, starts, ends + 1).tolist() == ref_span_people(ref, starts, ends + 1).tolist()

    cuts = np.flatnonzero(rng.random(size - 1) < rng.random()) + 1  # contiguous groups covering every value
    first, last = np.r_[0, cuts].astype(np.int64), np.r_[cuts - 1, size - 1].astype(np.int64)
    least, alone = int(rng.integers(1, 7)), rng.random(len(first)) < 0.3
    got = band_people.other_people_inside(whose, first, last, least, alone)
    want = ref_other_people_inside(ref, first, last, least, alone)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()
    assert band_people.group_people(whose, first, last).tolist() == ref_span_people(ref, first, last + 1).tolist()


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), smooth=st.integers(2, 8), reach=st.sampled_from([3.0, 20.0, 1e9]))
def test_a_leafs_groups_are_the_loops(seed: int, smooth: int, reach: float) -> None:
    rng = np.random.default_rng(seed)
    rows = int(rng.integers(1, 200))
    values = rng.integers(0, int(rng.integers(1, 80)), rows).astype(np.float64)
    people = rng.integers(0, int(rng.integers(1, 30)), rows)
    short = rng.random(rows), rng.random(rows)
    got = leaf_groups(values, smooth, reach, people, short)
    want = ref_leaf_groups(values, smooth, reach, people, short)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


@settings(max_examples=200, deadline=None)
@given(keys=st.lists(st.integers(-(2**62), 2**62), max_size=300), small=st.booleans())
def test_sorted_unique_is_np_unique(keys: list[int], small: bool) -> None:
    """The people counts (held_by, distinct_people, people_per_node, value_people) dedupe keys by a sort."""
    array = np.array(keys, dtype=np.int64) % (7 if small else 2**62)  # many repeats, or nearly none
    np.testing.assert_array_equal(sorted_unique(array), np.unique(array))
