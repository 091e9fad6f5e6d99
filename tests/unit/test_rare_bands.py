"""CART's bands for rare numbers: a near-unique column's tails pooled in groups that start small and grow.

A band is drawn uniformly. Pooling √n rows a group (what a near-unique column needs against the k-nearest-neighbour
bias, see ``pool_rows``) put the top group of a heavy-tailed salary column on a band from the 55th largest salary
to the midpoint of the two largest: 2.2–2.4% of synthetic salaries came out above the real 99th percentile, and
the synthetic 99th percentile was 1.5–2.5 times the real one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.rare_bands import _rare_groups, pool_rows, smoothing_ranges


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
