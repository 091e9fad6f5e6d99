"""A predictor's missing values get leaves of their own in CART's trees (cart_steps.missing_as_lowest).

scikit-learn skips a predictor whose present values are equal within a node, missing rows included, so Pruned
CART's binned trees left a number's missing rows in one leaf with a bin of present rows: on a field-service table
the end reading drawn for a row without a start reading came from that bin's narrow range (10th–90th percentile
69k–196k against the real 39k–227k), and the refiner, which told those rows apart, then drew fewer rows without a
start reading (7.2% against 8.2%).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.tree import DecisionTreeRegressor

import synth
from synth.synthesizers.cart_steps import FlatTree, missing_as_lowest, missing_kept_low


def _readings(n: int = 4000, seed: int = 19) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    start = rng.uniform(10_000, 250_000, n).round(1)
    end = (start + rng.gamma(2.0, 15.0, n)).round(1)
    hours = rng.gamma(2.0, 1.2, n).round(2)
    region = rng.choice(["North", "South", "East", "West"], n)
    frame = pd.DataFrame({"region": region, "hours": hours, "start_km": start, "end_km": end})
    frame.loc[rng.random(n) < 0.08, "start_km"] = np.nan
    return frame


def _spread(values: pd.Series) -> float:
    low, high = values.quantile([0.1, 0.9])
    return float(high - low)


@pytest.mark.parametrize("linear", [False, True])
@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_a_number_after_a_missing_predictor_keeps_its_real_spread(name: str, linear: bool) -> None:
    """With linear-score splits the end reading's tree splits on a score that is nearly the start reading: a row
    without a start has no score (linear_scores.MATERIAL_SHARE) and is routed as the missing start is."""
    real = _readings()
    schema = synth.infer_schema(real)
    real_spread = _spread(real.loc[real.start_km.isna(), "end_km"])
    for seed in (0, 1):
        params = {"refine": False} if name == "pruned_cart" else {}
        model = synth.create(name, random_state=seed, linear_splits=linear, **params).fit(real, schema)
        end = [c.name for c in model.columns_].index("end_km")
        scored = [s for s in model.steps_ if s.column == end and s.score is not None]
        assert len(scored) == int(linear), "with linear splits the end reading's tree splits on its score"
        drawn = model.sample(20_000, seed=seed + 1)
        spread = _spread(drawn.loc[drawn.start_km.isna(), "end_km"])
        # Before: Pruned CART 0.68 of the real spread, CART 0.87; real rows without a start: 320. With linear
        # splits scoring such a row as if its start were average: Pruned CART 0.58 / 0.70, CART 0.95 / 0.99.
        assert spread > 0.92 * real_spread, (name, seed, spread, real_spread)


def test_conditioned_rows_after_a_missing_predictor_keep_their_real_spread() -> None:
    """Conditional sampling routes rows through the same scores (CartStep.predictors): end readings drawn to a
    condition for rows without a start keep the real rows' spread and share. Scoring such a row as if its start
    were average: 0.78 / 0.75 of the spread, and 11% of the rows without a start (real 8.3%)."""
    real = _readings()
    schema = synth.infer_schema(real)
    within = real[real.end_km <= 150_000]
    real_spread = _spread(within.loc[within.start_km.isna(), "end_km"])
    for seed in (0, 1):
        model = synth.create("pruned_cart", random_state=seed, refine=False, linear_splits=True).fit(real, schema)
        drawn = model.sample(20_000, seed=seed + 1, conditions={"end_km": (0.0, 150_000.0)})
        assert drawn.end_km.max() <= 150_000
        spread = _spread(drawn.loc[drawn.start_km.isna(), "end_km"])
        assert spread > 0.92 * real_spread, (seed, spread, real_spread)
        # 20,000 rows: a standard error of about 0.002 on the share.
        assert abs(drawn.start_km.isna().mean() - within.start_km.isna().mean()) < 0.01


def test_the_refined_default_keeps_the_missing_share_of_a_predictor() -> None:
    real = _readings()
    schema = synth.infer_schema(real)
    shares = []
    for seed in (0, 1, 2):
        model = synth.create("pruned_cart", random_state=seed).fit(real, schema)
        shares.append(float(model.sample(20_000, seed=seed + 1).start_km.isna().mean()))
    # Before: about 1 point under the real share on every seed (the refiner rejected rows whose end reading it
    # could tell apart). 60,000 rows: a standard error of about 0.0011.
    assert abs(np.mean(shares) - real.start_km.isna().mean()) < 0.004, shares


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), share=st.floats(0.01, 0.6), scale=st.sampled_from([1e-3, 1.0, 1e4, 1e9]))
def test_the_tree_reads_nan_as_it_was_fitted_on_the_stand_in(seed: int, share: float, scale: float) -> None:
    rng = np.random.default_rng(seed)
    x = (rng.normal(0, 1, (400, 3)) * scale).astype(np.float32)
    x[:, 2] = np.round(x[:, 2] / scale)  # few values: nodes where the present values are all equal
    x[rng.random((400, 3)) < share] = np.nan
    x[0, :] = np.nan  # every column has missing values to stand in for
    y = np.nan_to_num(x[:, 0], nan=5.0 * scale) + np.isnan(x[:, 2]) * scale + rng.normal(0, 0.1 * scale, 400)
    filled, lows = missing_as_lowest(x)
    assert not np.isnan(filled).any()
    np.testing.assert_array_equal(lows, np.nanmin(x, axis=0))
    tree = DecisionTreeRegressor(min_samples_leaf=5, random_state=0).fit(filled, y).tree_
    flat = missing_kept_low(FlatTree.from_sklearn(tree), lows)
    fresh = (rng.normal(0, 1, (300, 3)) * scale).astype(np.float32)
    fresh[:, 2] = np.round(fresh[:, 2] / scale)
    fresh = np.maximum(fresh, lows.astype(np.float32))  # within the fitted range (below it, −inf sends a value right)
    fresh[rng.random((300, 3)) < 0.3] = np.nan
    # Any number at or below the stand-in routes as it does: the lowest float32 is one.
    expected = tree.apply(np.where(np.isnan(fresh), np.finfo(np.float32).min, fresh).astype(np.float32))
    np.testing.assert_array_equal(flat.apply(fresh), expected)
    np.testing.assert_array_equal(flat.route(fresh), expected)
    # No threshold lies between the stand-in and the lowest present value (it would hold a trace of that value):
    # a split of missing rows from present ones reads −inf.
    inner = flat.children_left >= 0
    finite = inner & np.isfinite(flat.threshold)
    assert np.all(flat.threshold[finite] >= lows[flat.feature[finite]])
