"""The refiner's bins found in one call per column are the bins scikit-learn finds in 254
(``synth/synthesizers/refiner_binning.py``): the same edges, the same refiner, the same Pruned CART sample."""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble._hist_gradient_boosting import binning

import synth
from synth.synthesizers import refinement
from synth.synthesizers.refiner_binning import batched_percentiles


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), rows=st.integers(300, 3_000), grid=st.sampled_from([0.0, 0.01, 1.0]))
def test_each_columns_bin_edges_are_scikit_learns(seed: int, rows: int, grid: float) -> None:
    """Columns of many values, ties (on a grid) and gaps (NaN), weighted as the refiner weighs its classes."""
    rng = np.random.default_rng(seed)
    x = rng.lognormal(0.0, rng.uniform(0.1, 2.0), rows)
    if grid:
        x = np.round(x / grid) * grid
    x = x.astype(np.float32)
    x[rng.random(rows) < 0.1] = np.nan
    real = rng.random(rows) < 0.25
    weight = np.where(real, 1.0, real.sum() / max((~real).sum(), 1))
    want = binning._find_binning_thresholds(x, 255, weight)
    with batched_percentiles():
        got = binning._find_binning_thresholds(x, 255, weight)
    np.testing.assert_array_equal(got, want)


def test_one_call_per_column_and_nothing_left_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    original = binning._weighted_percentile

    def counted(
        array: Any, sample_weight: Any, percentile_rank: Any = 50, average: bool = False, xp: Any = None
    ) -> Any:
        calls.append(percentile_rank)
        return original(array, sample_weight, percentile_rank, average=average, xp=xp)

    monkeypatch.setattr(binning, "_weighted_percentile", counted)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2_000, 3)).astype(np.float32)
    weight = np.r_[np.ones(500), np.full(1_500, 1 / 3)]
    with batched_percentiles():
        for j in range(3):
            binning._find_binning_thresholds(np.ascontiguousarray(x[:, j]), 255, weight)
        assert binning._weighted_percentile is not counted
    assert len(calls) == 3 and all(np.ndim(q) == 1 and len(q) == 254 for q in calls), "one call per column"
    assert binning._weighted_percentile is counted, "scikit-learn's own function is back after the fit"
    binning._find_binning_thresholds(np.ascontiguousarray(x[:, 0]), 255, weight)
    assert len(calls) == 3 + 254, "outside a refiner's fit, binning is scikit-learn's own"


def _table() -> pd.DataFrame:
    rng = np.random.default_rng(31)
    n = 1_500
    age = rng.integers(18, 90, n)
    income = np.round(np.exp(rng.normal(10 + 0.01 * age, 0.5)), 2)
    return pd.DataFrame(
        {"age": age, "income": income, "score": rng.normal(size=n).round(4), "group": rng.choice(list("abcd"), n)}
    )


def test_pruned_carts_refiner_and_sample_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = _table()

    def fitted() -> tuple[Any, pd.DataFrame]:
        model = synth.create("pruned_cart", random_state=0).fit(frame)
        return model.refiner_, model.sample(2_000, seed=1)

    refiner, sample = fitted()
    monkeypatch.setattr(refinement, "batched_percentiles", contextlib.nullcontext)
    plain_refiner, plain_sample = fitted()
    assert refiner.baseline == plain_refiner.baseline and refiner.cap == plain_refiner.cap
    assert len(refiner.trees) == len(plain_refiner.trees) > 0
    for tree, plain in zip(refiner.trees, plain_refiner.trees, strict=True):
        for field in ("feature", "threshold", "children_left", "children_right", "missing_go_to_left"):
            np.testing.assert_array_equal(getattr(tree, field), getattr(plain, field))
    for values, plain in zip(refiner.values, plain_refiner.values, strict=True):
        np.testing.assert_array_equal(values, plain)
    pd.testing.assert_frame_equal(sample, plain_sample)
