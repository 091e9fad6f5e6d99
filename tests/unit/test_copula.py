"""Gaussian copula and independent baseline: shapes, dtypes, seeds, missing values, dependence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth


@pytest.fixture(scope="module")
def mixed() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 2000
    x = rng.normal(size=n)
    y = 2 * x + rng.normal(scale=0.3, size=n)
    frame = pd.DataFrame(
        {
            "x": x,
            "y": y,
            "count": rng.poisson(3, size=n),
            "colour": rng.choice(["red", "green", "blue"], size=n, p=[0.6, 0.3, 0.1]),
            "flag": rng.random(n) < 0.3,
            "when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        }
    )
    frame.loc[rng.random(n) < 0.1, "y"] = np.nan
    frame.loc[rng.random(n) < 0.05, "colour"] = None
    return frame


@pytest.mark.parametrize("name", ["independent", "gaussian_copula"])
def test_shapes_dtypes_and_categories(name: str, mixed: pd.DataFrame) -> None:
    syn = synth.create(name).fit(mixed).sample(1500, seed=0)
    assert syn.shape == (1500, mixed.shape[1])
    assert list(syn.columns) == list(mixed.columns)
    assert syn["x"].dtype == np.float64
    assert syn["count"].dtype == np.int64
    assert syn["flag"].dtype == bool
    assert pd.api.types.is_datetime64_any_dtype(syn["when"])
    assert set(syn["colour"].dropna()) <= set(mixed["colour"].dropna())
    assert syn["when"].min() >= mixed["when"].min() and syn["when"].max() <= mixed["when"].max()
    assert (syn["when"].dt.normalize() == syn["when"]).all(), "day-resolution dates stay whole days"


@pytest.mark.parametrize("name", ["independent", "gaussian_copula"])
def test_missing_values_are_reproduced_not_dropped(name: str, mixed: pd.DataFrame) -> None:
    syn = synth.create(name).fit(mixed).sample(20_000, seed=1)
    assert syn["y"].isna().mean() == pytest.approx(mixed["y"].isna().mean(), abs=0.015)
    assert syn["colour"].isna().mean() == pytest.approx(mixed["colour"].isna().mean(), abs=0.01)
    assert syn["x"].notna().all()


@pytest.mark.parametrize("name", ["independent", "gaussian_copula"])
def test_same_seed_same_table_other_seed_other_table(name: str, mixed: pd.DataFrame) -> None:
    model = synth.create(name).fit(mixed)
    a, b, c = model.sample(500, seed=7), model.sample(500, seed=7), model.sample(500, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    refit = synth.create(name).fit(mixed).sample(500, seed=7)
    pd.testing.assert_frame_equal(a, refit)


def test_copula_keeps_correlation_that_the_baseline_loses(mixed: pd.DataFrame) -> None:
    real_r = mixed[["x", "y"]].corr().iloc[0, 1]
    cop = synth.create("gaussian_copula").fit(mixed).sample(5000, seed=2)
    ind = synth.create("independent").fit(mixed).sample(5000, seed=2)
    assert cop[["x", "y"]].corr().iloc[0, 1] == pytest.approx(real_r, abs=0.05)
    assert abs(ind[["x", "y"]].corr().iloc[0, 1]) < 0.05


def test_marginals_follow_the_real_ones(mixed: pd.DataFrame) -> None:
    syn = synth.create("gaussian_copula").fit(mixed).sample(20_000, seed=3)
    real_share = mixed["colour"].value_counts(normalize=True)
    syn_share = syn["colour"].value_counts(normalize=True)
    for colour in real_share.index:
        assert syn_share[colour] == pytest.approx(real_share[colour], abs=0.02)
    assert syn["x"].quantile([0.1, 0.5, 0.9]).to_numpy() == pytest.approx(
        mixed["x"].quantile([0.1, 0.5, 0.9]).to_numpy(), abs=0.08
    )


def test_spike_at_zero_survives(adult_small: pd.DataFrame) -> None:
    syn = synth.create("gaussian_copula").fit(adult_small).sample(len(adult_small), seed=0)
    real_zero = (adult_small["capital_gain"] == 0).mean()
    assert (syn["capital_gain"] == 0).mean() == pytest.approx(real_zero, abs=0.02)


def test_sampling_before_fit_says_what_to_do() -> None:
    with pytest.raises(synth.SynthesizerError, match="not fitted"):
        synth.create("gaussian_copula").sample(10)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(synth.SynthesizerError, match="shrinkage"):
        synth.create("gaussian_copula", shrinkage=2.0)
    with pytest.raises(synth.SynthesizerError, match="no parameter"):
        synth.create("gaussian_copula", epochs=3)
