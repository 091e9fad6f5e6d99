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


@pytest.fixture(scope="module")
def grouped() -> pd.DataFrame:
    """Group a sits at high x with y rising in x; group b at low x with y falling; group c is tiny."""
    rng = np.random.default_rng(5)
    n = 4000
    group = rng.choice(["a", "b", "c"], size=n, p=[0.5, 0.48, 0.02])
    sign = np.where(group == "a", 1.0, -1.0)
    x = 2.0 * sign + rng.normal(size=n)
    y = sign * (x - 2.0 * sign) + rng.normal(scale=0.2, size=n)
    return pd.DataFrame({"group": group, "x": x, "y": y, "noise": rng.choice(["p", "q"], size=n)})


def test_mixture_keeps_group_specific_correlations(grouped: pd.DataFrame) -> None:
    model = synth.create("gaussian_copula").fit(grouped)
    assert model.stratify_by_ == ("group",)
    syn = model.sample(8000, seed=0)
    for level, sign in (("a", 1), ("b", -1)):
        r = syn[syn["group"] == level][["x", "y"]].corr().iloc[0, 1]
        assert sign * r > 0.9
    single = synth.create("gaussian_copula", stratify="none").fit(grouped)
    assert single.stratify_by_ == () and len(single.components_) == 1
    syn1 = single.sample(8000, seed=0)
    assert syn1[syn1["group"] == "b"][["x", "y"]].corr().iloc[0, 1] > -0.5, "one copula cannot give both signs"


def test_small_groups_share_a_pooled_component(grouped: pd.DataFrame) -> None:
    model = synth.create("gaussian_copula", min_stratum_rows=50).fit(grouped)
    assert len(model.components_) == 3  # a, b, and the pooled rest (c's 80 rows)
    shares = sorted(c.share for c in model.components_)
    assert shares[0] == pytest.approx((grouped["group"] == "c").mean(), abs=1e-9)


def test_a_pooled_rest_too_small_to_learn_alone_joins_the_nearest_group(grouped: pd.DataFrame) -> None:
    # c's 80 rows are under 200: alone they would be a copula of their own rows. Their x lies with b's.
    model = synth.create("gaussian_copula", min_stratum_rows=200).fit(grouped)
    assert len(model.components_) == 2
    counts = grouped["group"].value_counts()
    shares = sorted(c.share for c in model.components_)
    assert shares == pytest.approx(sorted([counts["a"] / len(grouped), (counts["b"] + counts["c"]) / len(grouped)]))
    syn = model.sample(20_000, seed=1)
    assert (syn["group"] == "c").mean() == pytest.approx(0.02, abs=0.005)


def test_ordered_categories_follow_their_number() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=4000)
    bands = np.array(["low", "mid", "high", "top"])
    frame = pd.DataFrame(
        {"x": x, "band": bands[np.digitize(x, [-1.0, 0.0, 1.0])], "other": rng.choice(["p", "q"], 4000)}
    )

    def consistent(df: pd.DataFrame) -> float:
        return float((df["band"].to_numpy() == bands[np.digitize(df["x"], [-1.0, 0.0, 1.0])]).mean())

    models = {
        order: synth.create("gaussian_copula", stratify="none", order_categories=order).fit(frame)
        for order in (True, False)
    }
    # The category-range rule (synth.synthesizers.category_ranges) keeps every band with its x in both...
    assert all(consistent(m.sample(8000, seed=2)) == 1.0 for m in models.values())
    # ...so the ordering's own effect is read with the rule taken out of the fitted models.
    for model in models.values():
        assert len(model.category_ranges_) == 1
        model.category_ranges_ = ()
    ordered, plain = (models[order].sample(8000, seed=2) for order in (True, False))
    assert consistent(ordered) > 0.55
    assert consistent(ordered) > consistent(plain) + 0.25


def test_mixture_survives_save_and_load(grouped: pd.DataFrame, tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = synth.create("gaussian_copula").fit(grouped)
    model.save(tmp_path / "m.synth")
    again = synth.load_model(tmp_path / "m.synth")
    pd.testing.assert_frame_equal(model.sample(500, seed=9), again.sample(500, seed=9))
