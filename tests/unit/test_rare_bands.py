"""CART's bands for rare numbers: a near-unique column's tails pooled in groups that start small and grow.

A band is drawn uniformly. Pooling √n rows a group (what a near-unique column needs against the k-nearest-neighbour
bias, see ``pool_rows``) put the top group of a heavy-tailed salary column on a band from the 55th largest salary
to the midpoint of the two largest: 2.2–2.4% of synthetic salaries came out above the real 99th percentile, and
the synthetic 99th percentile was 1.5–2.5 times the real one.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.linalg
from hypothesis import example, given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers import rare_bands
from synth.synthesizers.rare_bands import (
    _rare_groups,
    gap_cuts,
    pool_rows,
    smoothing_ranges,
)


def _salaries(seed: int, n: int = 3000) -> pd.DataFrame:
    """Salaries in cents (every value rare), log-normal with a Pareto tail on 1% of rows, beside two plain columns."""
    rng = np.random.default_rng(seed)
    salary = np.round(np.exp(rng.normal(np.log(60_000), 0.45, n)), 2)
    top = rng.random(n) < 0.01
    salary[top] *= rng.pareto(1.5, int(top.sum())) + 2
    return pd.DataFrame({"salary": salary, "dept": rng.choice(["a", "b", "c", "d"], n), "age": rng.integers(20, 65, n)})


@pytest.mark.parametrize("name", ["pruned_cart", "cart"])
@pytest.mark.parametrize("seed", [0, 1])
def test_a_heavy_tail_keeps_its_weight(name: str, seed: int) -> None:
    real = _salaries(seed)
    q99 = float(real["salary"].quantile(0.99))
    syn = synth.create(name).fit(real).sample(30_000, seed=1)["salary"].astype(float)
    above = float((syn > q99).mean())
    assert 0.006 <= above <= 0.014, f"{above:.2%} of synthetic salaries above the real 99th percentile (real: 1%)"
    assert 0.85 <= float(syn.quantile(0.99)) / q99 <= 1.2
    assert float(syn.mean()) == pytest.approx(float(real["salary"].mean()), rel=0.02)


def _runs(rare: np.ndarray) -> list[tuple[int, int]]:
    edges = np.flatnonzero(np.diff(np.r_[0, rare.astype(int), 0]))
    return list(zip(edges[::2], edges[1::2], strict=True))


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n=st.integers(2_000, 6_000),
    smooth_below=st.sampled_from([3, 5, 10, 20]),
    sigma=st.floats(0.2, 1.5),
    decimals=st.integers(0, 2),
    common_share=st.floats(0.0, 0.5),
)
def test_every_band_pools_enough_rows_and_the_tails_start_small(
    seed: int, n: int, smooth_below: int, sigma: float, decimals: int, common_share: float
) -> None:
    rng = np.random.default_rng(seed)
    values = np.round(rng.lognormal(3.0, sigma, n) * 10, decimals)
    common = rng.random(n) < common_share
    values[common] = np.round(rng.choice([10.0, 20.0, 55.0], int(common.sum())), decimals)  # a few repeated values
    uniq, counts = np.unique(values, return_counts=True)
    rare = counts < smooth_below
    if not rare.any():
        return
    pool = pool_rows(int(counts[rare].sum()), smooth_below)
    group = _rare_groups(rare, counts, pool, first=smooth_below)
    assert (group[~rare] == -1).all() and (group[rare] >= 0).all()
    assert (np.diff(group[rare]) >= 0).all() and np.array_equal(np.unique(group[rare]), np.arange(group.max() + 1))
    rows = np.bincount(group[rare], weights=counts[rare])
    for start, end in _runs(rare):
        ids = np.unique(group[start:end])
        assert not set(ids) & ((set(group[:start]) | set(group[end:])) - {-1}), "a group reaches across a common value"
        if counts[start:end].sum() >= smooth_below:
            assert (rows[ids] >= smooth_below).all(), "a band pools fewer rows than smooth_below"
        if pool > 2 * smooth_below and counts[start:end].sum() >= 4 * pool:
            # A run at a column's end starts with a group under twice smooth_below rows, then groups grow.
            if start == 0:
                assert rows[ids[0]] < 2 * smooth_below + smooth_below
                assert rows[ids[0]] < rows[ids[1]]
            if end == len(uniq):
                assert rows[ids[-1]] < 2 * smooth_below + smooth_below
                assert rows[ids[-1]] < rows[ids[-2]]
    # No band end is a rare value (the model file keeps ends, never a rare value).
    low, width = smoothing_ranges(values, smooth_below)
    ends = set(low[width > 0].tolist()) | set((low + width)[width > 0].tolist())
    assert not ends & set(uniq[rare].tolist())


def test_a_table_under_the_near_unique_size_keeps_its_groups() -> None:
    """Below NEAR_UNIQUE_RARE_ROWS the pool is smooth_below and the grouping is the old one (no tail schedule)."""
    counts = np.array([1, 2, 1, 3, 1, 1, 2, 1, 1, 4])
    rare = counts < 5
    assert _rare_groups(rare, counts, 5, first=5).tolist() == _rare_groups(rare, counts, 5).tolist()
    # Groups close at 5 rows; the run's short remainder joins the group before it; a common value (9) ends a run.
    counts = np.array([1, 2, 1, 3, 1, 1, 2, 1, 1, 4, 9, 1, 1, 9, 2, 2, 2, 2, 2, 1])
    rare = counts < 5
    expected = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, -1, 3, 3, -1, 4, 4, 4, 5, 5, 5]
    assert _rare_groups(rare, counts, 5).tolist() == _rare_groups(rare, counts, 5, first=5).tolist() == expected


CENTRES = (40.4168, 51.5072, 52.52)  # Madrid, London, Berlin latitudes


def _offices(seed: int, n: int = 2400, decimals: int | None = 5) -> pd.DataFrame:
    """Office latitudes within 0.03° of three cities (every value rare), the office first so leaves split on it."""
    rng = np.random.default_rng(seed)
    office = rng.choice(len(CENTRES), n, p=[0.3, 0.3, 0.4])
    lat = np.asarray(CENTRES)[office] + rng.uniform(-0.03, 0.03, n)
    lat = lat if decimals is None else np.round(lat, decimals)
    return pd.DataFrame({"office": np.array(["Madrid", "London", "Berlin"])[office], "lat": lat})


def _in_gaps(lat: np.ndarray) -> float:
    """Share of values further than 0.1° from every city: in the empty gaps between clusters."""
    return float((np.abs(lat[:, None] - np.asarray(CENTRES)[None, :]).min(axis=1) > 0.1).mean())


@pytest.mark.parametrize("name", ["pruned_cart", "cart"])
@pytest.mark.parametrize("seed", [0, 1])
def test_draws_stay_out_of_the_gaps_between_clusters(name: str, seed: int) -> None:
    """Bands reached halfway into the gap beside a cluster, or across it: 3.4–3.6% of draws fell between cities."""
    real = _offices(seed)
    assert _in_gaps(real["lat"].to_numpy()) == 0.0
    syn = synth.create(name, random_state=seed).fit(real).sample(10_000, seed=1)
    assert _in_gaps(syn["lat"].to_numpy(dtype=float)) <= 0.002
    # The clusters keep their spread: each city's synthetic latitudes fill most of its ±0.03°.
    for centre in CENTRES:
        near = syn["lat"].to_numpy(dtype=float)
        near = near[np.abs(near - centre) < 0.1] - centre
        assert near.min() < -0.025 and near.max() > 0.025


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    sizes=st.lists(st.integers(20, 800), min_size=2, max_size=4),
    smooth_below=st.sampled_from([3, 5, 10]),
    gap=st.floats(30.0, 1_000.0),
)
def test_no_band_reaches_into_a_gap_and_every_band_pools_enough_rows(
    seed: int, sizes: list[int], smooth_below: int, gap: float
) -> None:
    """Clusters of width 1 spaced ``gap`` apart: every band lies within its members' cluster, whatever the sizes."""
    rng = np.random.default_rng(seed)
    cluster = np.repeat(np.arange(len(sizes)), sizes)
    values = cluster * (gap + 1.0) + rng.random(len(cluster))
    low, width = smoothing_ranges(values, smooth_below)
    for c in range(len(sizes)):
        mine = cluster == c
        assert low[mine].min() >= values[mine].min() and (low + width)[mine].max() <= values[mine].max()
    _, band_rows = np.unique(np.c_[low, width], axis=0, return_counts=True)
    assert band_rows.min() >= smooth_below, "a band pools fewer rows than smooth_below"


def test_evenly_spread_values_are_almost_never_cut(monkeypatch: pytest.MonkeyPatch) -> None:
    """The docstring's figures: on evenly spread values no gap is cut at 30 times the median spacing (none of
    2,000,000 measured; 200,000 here), where 20 times cut a few; comparing a gap with the whole span of the 5 values
    beside it on each side cut 2%."""
    values = np.sort(np.random.default_rng(0).random(200_000))
    ones, rare = np.ones(len(values), dtype=np.int64), np.ones(len(values), dtype=bool)
    assert rare_bands.GAP_TIMES_SPACING == 30
    assert not gap_cuts(values, ones, rare, 20, 5).any()
    monkeypatch.setattr(rare_bands, "GAP_TIMES_SPACING", 20)
    assert gap_cuts(values, ones, rare, 20, 5).any()
    gap = np.diff(values)[4:-4]
    span_left, span_right = values[4:-5] - values[:-9], values[9:] - values[5:-4]
    assert 0.015 < float((gap > np.maximum(span_left, span_right)).mean()) < 0.03


def _numbers(path: Path) -> np.ndarray:
    """Every number a model file holds: its arrays and the numbers in its manifest."""
    found: list[float] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)
        elif isinstance(node, (int, float)) and not isinstance(node, bool):
            found.append(float(node))

    with zipfile.ZipFile(path) as z:
        walk(json.loads(z.read("manifest.json")))
        with np.load(io.BytesIO(z.read("arrays.npz"))) as arrays:
            for name in arrays.files:
                a = arrays[name]
                if a.dtype.kind in "fiu":
                    found += a.astype(np.float64).ravel().tolist()
    return np.unique(np.asarray(found))


def _recovered(numbers: np.ndarray, secrets: np.ndarray) -> np.ndarray:
    """The secrets an attacker reads or solves from ``numbers``: a number itself, or a midpoint between two
    numbers solved with either as the known neighbour (2a − b for every two neighbouring numbers)."""
    numbers = np.sort(numbers[np.isfinite(numbers)])
    guesses = np.r_[numbers, 2 * numbers[1:] - numbers[:-1], 2 * numbers[:-1] - numbers[1:]]
    guesses = np.sort(guesses)
    at = np.clip(np.searchsorted(guesses, secrets), 1, len(guesses) - 1)
    nearest = np.minimum(np.abs(guesses[at] - secrets), np.abs(guesses[at - 1] - secrets))
    return secrets[nearest < 1e-9]


def test_a_cluster_edge_cannot_be_recovered_from_the_model_file(tmp_path: Path) -> None:
    """The attack: read every number the saved model holds and try each as a cluster's outermost latitude, directly
    or as a midpoint solved with its neighbour. Bands that simply stopped at their outermost member would hand over
    all six edges (checked below, so the attack can succeed); the gap-cut bands end at midpoints of two rare values.
    Latitudes keep full precision here, so a hit is a solve, not a chance meeting on a grid (on a grid of 5
    decimals about 2% of training and of fresh latitudes alike meet some guess)."""
    real = _offices(0, decimals=None)
    lat = real["lat"].to_numpy()
    edges = np.array([f(lat[np.abs(lat - c) < 0.1]) for c in CENTRES for f in (np.min, np.max)])
    synth.create("cart", random_state=0).fit(real).save(tmp_path / "model.zip")
    assert len(_recovered(_numbers(tmp_path / "model.zip"), edges)) == 0
    assert len(_recovered(_numbers(tmp_path / "model.zip"), np.unique(lat))) == 0, "no rare latitude is exposed"
    # The attack has teeth: bands clamped to their members' own range expose every edge.
    low, width = smoothing_ranges(lat, 5)
    bands = set(zip(low.tolist(), width.tolist(), strict=True))
    clamped = [f(lat[(low == lo) & (width == w)]) for lo, w in bands for f in (np.min, np.max)]
    assert len(_recovered(np.asarray(clamped), edges)) == len(edges)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), sizes=st.lists(st.integers(20, 120), min_size=2, max_size=4))
def test_no_rare_value_is_solved_even_knowing_which_two_values_each_end_halves(seed: int, sizes: list[int]) -> None:
    """Every band end that is not a common value is half the sum of two neighbouring rare values. Told which two
    (more than the model file says), an attacker holds a linear system; no rare value is in its row space."""
    rng = np.random.default_rng(seed)
    cluster = np.repeat(np.arange(len(sizes)), sizes)
    values = cluster * 100.0 + rng.random(len(cluster))
    low, width = smoothing_ranges(values, 5)
    uniq = np.unique(values)
    ends = np.unique(np.r_[low, low + width])
    pair_sums = (uniq[:-1] + uniq[1:]) / 2
    at = np.searchsorted(pair_sums, ends)
    halved = pair_sums[np.clip(at, 0, len(pair_sums) - 1)]
    assert np.allclose(halved, ends, rtol=0, atol=1e-12), "an end is not the midpoint of two neighbouring values"
    system = np.zeros((len(ends), len(uniq)))
    system[np.arange(len(ends)), at] = system[np.arange(len(ends)), at + 1] = 0.5
    # A value is solved exactly when every solution of the system agrees on it: its row of the null space is zero.
    free = scipy.linalg.null_space(system)
    assert (np.abs(free).max(axis=1) > 1e-9).all(), "a rare value is solved from the band ends"


def test_a_gap_is_judged_by_the_spacings_of_its_own_run() -> None:
    """Adult's capital gains within one subtree of Pruned CART: a run of three rare values (12 rows) between two
    common ones. Read with the closely spaced rare values of an earlier run, its median spacing was small enough to
    cut the band off the common 27,828; within its own run (3,084 and 112 apart) the gap of 2,592 is no gap."""
    dense = np.arange(1000.0, 1040.0)  # 40 rare values one apart, in an earlier run
    uniq = np.r_[dense, 20051.0, 22040.0, 25124.0, 25236.0, 27828.0]
    counts = np.r_[np.ones(40, dtype=np.int64), 31, 1, 3, 8, 31]
    rare = counts < 10
    cuts = gap_cuts(uniq, counts, rare, 40, 10)
    assert not cuts[40:].any(), "the three values' band reaches the common values around them, as before"
    # The earlier run is crowded: its band stops short of the common 20,051, 19,000 beyond its last value.
    assert cuts[39] and not cuts[:39].any()


# ----------------------------------------------------------------------------------- every band, every input
def _clustered(draw: st.DrawFn) -> tuple[np.ndarray, int]:
    """A small column: a few clusters (values 0.01 apart, some repeated) far apart from each other, lone values
    among them, and a smooth_below."""
    smooth_below = draw(st.integers(2, 4))
    centres = draw(st.lists(st.integers(0, 6), min_size=1, max_size=4))
    values: list[float] = []
    for c in centres:
        offsets = draw(st.lists(st.integers(0, 6), min_size=1, max_size=8))
        values += [c * 100.0 + o * 0.01 for o in offsets]
    return np.asarray(values), smooth_below


clustered = st.composite(_clustered)


@settings(max_examples=300, deadline=None)
@example(drawn=(np.r_[np.arange(4) * 0.01, 50.0, 100 + np.arange(4) * 0.01], 2))  # a lone value between two gaps
@example(drawn=(np.r_[1.0, 1.0, 1.0, 5.0, 9.0, 9.0, 9.0], 3))  # one rare value among common ones
@given(drawn=clustered())
def test_every_value_gets_a_finite_band_that_holds_it_or_is_its_groups(drawn: tuple[np.ndarray, int]) -> None:
    """For any column of two values or more: low and width are finite, width ≥ 0, a common value is a point on
    itself, every band lies within the column's range, and a rare value lies in its band or is an outermost value
    of its group (the rare values sharing its band), whose band ends at a tail or a gap short of it."""
    values, smooth_below = drawn
    uniq, counts = np.unique(values, return_counts=True)
    low, width = smoothing_ranges(values, smooth_below)
    if len(uniq) == 1:
        # one value in the whole column: a common one is kept, a rare one has nothing to pool with (nothing kept)
        assert np.isnan(low).all() == (counts[0] < smooth_below) and (width == 0).all()
        return
    assert np.isfinite(low).all() and np.isfinite(width).all() and (width >= 0).all(), (low, width)
    high = low + width
    assert low.min() >= values.min() and high.max() <= values.max()
    rare = np.isin(values, uniq[counts < smooth_below])
    assert np.array_equal(low[~rare], values[~rare]) and (width[~rare] == 0).all()
    for i in np.flatnonzero(rare):
        mates = values[rare & (low == low[i]) & (width == width[i])]
        v = values[i]
        assert low[i] <= v <= high[i] or (v < low[i] and v == mates.min()) or (v > high[i] and v == mates.max())


def test_a_lone_value_between_two_cut_gaps_pools_with_its_nearer_cluster() -> None:
    """Both its gaps were cut (each side judged on its whole run), leaving 50 in a group of one with no end: NaN."""
    values = np.r_[np.arange(4) * 0.01, 50.0, 100 + np.arange(4) * 0.01]
    low, width = smoothing_ranges(values, 2)
    assert (low[4], width[4]) == (low[3], width[3])  # 49.97 from the left cluster, 50 from the right one
    assert low[5:].min() >= 100.0, "the right cluster's gap stays cut"
