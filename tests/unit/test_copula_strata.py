"""The copula's mixture components: a rare flag's own component, and stratifying columns named by the caller."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.gaussian_copula import stratum_groups


@pytest.fixture(scope="module")
def flagged() -> pd.DataFrame:
    """3% of rows carry a flag; inside them y falls with x and amounts are larger, outside y rises with x."""
    rng = np.random.default_rng(11)
    n = 10_000
    flag = rng.random(n) < 0.03
    x = rng.normal(size=n)
    sign = np.where(flag, -1.0, 1.0)
    y = sign * 0.9 * x + rng.normal(scale=0.3, size=n)
    amount = np.exp(rng.normal(3.0, 0.5, n) + 1.5 * flag)
    return pd.DataFrame({"x": x, "y": y, "amount": amount, "kind": rng.choice(["p", "q", "r"], n), "flag": flag})


def _segment_corr(model: synth.Synthesizer) -> float:
    syn = model.sample(4000, seed=3, conditions={"flag": True})
    assert bool(syn["flag"].all())
    return float(syn[["x", "y"]].corr().iloc[0, 1])


def test_a_rare_flag_gets_a_component_that_keeps_its_own_correlation(flagged: pd.DataFrame) -> None:
    real = float(flagged[flagged["flag"]][["x", "y"]].corr().iloc[0, 1])
    assert real < -0.9
    own = synth.create("gaussian_copula", stratify="none").fit(flagged)
    assert own.rare_flag_ == ("flag", True)
    assert len(own.components_) == 2
    assert own.components_[-1].share == pytest.approx(flagged["flag"].mean(), abs=1e-12)
    assert _segment_corr(own) < -0.8
    pooled = synth.create("gaussian_copula", stratify="none", rare_flags=False).fit(flagged)
    assert pooled.rare_flag_ is None and len(pooled.components_) == 1
    assert _segment_corr(pooled) > 0.5, "one Gaussian gives the 3% the common rows' rising trend"


def test_the_flag_component_keeps_the_segments_amounts(flagged: pd.DataFrame) -> None:
    real = flagged[flagged["flag"]]["amount"].median()
    own = synth.create("gaussian_copula").fit(flagged)
    syn = own.sample(4000, seed=4, conditions={"flag": True})
    assert syn["amount"].median() == pytest.approx(real, rel=0.15)
    # Unconditioned, the flag keeps its share.
    assert own.sample(20_000, seed=5)["flag"].mean() == pytest.approx(0.03, abs=0.005)


def test_naming_the_flag_as_the_stratifying_column_does_the_same(flagged: pd.DataFrame) -> None:
    model = synth.create("gaussian_copula", stratify="flag", rare_flags=False).fit(flagged)
    assert model.stratify_by_ == ("flag",)
    assert _segment_corr(model) < -0.8


def test_a_flag_that_tells_nothing_does_not_split_the_model() -> None:
    rng = np.random.default_rng(12)
    n = 10_000
    frame = pd.DataFrame(
        {"x": rng.normal(size=n), "kind": rng.choice(["p", "q", "r"], n), "flag": rng.random(n) < 0.04}
    )
    model = synth.create("gaussian_copula", stratify="none").fit(frame)
    assert model.rare_flag_ is None and len(model.components_) == 1


def test_several_named_columns_give_one_component_per_combination(flagged: pd.DataFrame, tmp_path) -> None:  # type: ignore[no-untyped-def]
    model = synth.create("gaussian_copula", stratify="kind,flag", min_stratum_rows=50).fit(flagged)
    assert model.stratify_by_ == ("kind", "flag")
    assert model.rare_flag_ is None, "the flag is already one of the stratifying columns"
    assert len(model.components_) == 6
    as_list = synth.create("gaussian_copula", stratify=["kind", "flag"], min_stratum_rows=50).fit(flagged)
    pd.testing.assert_frame_equal(model.sample(300, seed=1), as_list.sample(300, seed=1))
    as_list.save(tmp_path / "m.synth")
    pd.testing.assert_frame_equal(
        as_list.sample(300, seed=2), synth.load_model(tmp_path / "m.synth").sample(300, seed=2)
    )


@pytest.mark.parametrize(
    ("stratify", "needle"),
    [("amount", "is a number or date column"), ("nope", "is not a modelled column"), ("kind,x", "'x'")],
)
def test_a_bad_stratifying_column_is_named_with_the_choices(flagged: pd.DataFrame, stratify: str, needle: str) -> None:
    model = synth.create("gaussian_copula", stratify=stratify)
    with pytest.raises(synth.SynthesizerError, match="cannot stratify") as info:
        model.fit(flagged)
    assert needle in str(info.value) and "'kind'" in str(info.value) and "'flag'" in str(info.value)


@pytest.mark.parametrize("stratify", [3, "", ",", ["kind", 2], None])
def test_a_stratify_value_that_names_nothing_is_refused_before_fitting(stratify: object) -> None:
    with pytest.raises(synth.SynthesizerError, match="stratify must be one of"):
        synth.create("gaussian_copula", stratify=stratify)


@settings(max_examples=40, deadline=None)
@given(
    levels=st.lists(st.sampled_from(["a", "b", "c", None]), min_size=1, max_size=300),
    flags=st.lists(st.booleans(), min_size=300, max_size=300),
    min_rows=st.integers(1, 60),
    use_flag=st.booleans(),
    use_by=st.booleans(),
)
def test_components_split_the_rows_exactly_once(
    levels: list, flags: list[bool], min_rows: int, use_flag: bool, use_by: bool
) -> None:
    data = pd.DataFrame({"g": levels, "f": flags[: len(levels)]})
    groups = stratum_groups(data, ("g",) if use_by else (), ("f", True) if use_flag else None, min_rows)
    rows = np.concatenate(groups)
    assert sorted(rows.tolist()) == list(range(len(data))), "every row in exactly one component"
    assert all(len(g) for g in groups)
    if use_flag and data["f"].any():
        assert set(groups[-1].tolist()) == set(np.flatnonzero(data["f"].to_numpy()).tolist())


def test_the_baselines_note_is_true_its_segment_is_the_whole_tables_marginals(flagged: pd.DataFrame) -> None:
    from scipy.stats import ks_2samp

    from synth.synthesizers.conditional import segment_note

    note = segment_note("independent")
    assert note is not None and "whole-table distribution" in note
    model = synth.create("independent").fit(flagged)
    inside = model.sample(3000, seed=6, conditions={"flag": True})["amount"]
    whole = model.sample(3000, seed=7)["amount"]
    assert ks_2samp(inside, whole).pvalue > 0.01, "the other columns ignore the condition"
    real_inside = flagged[flagged["flag"]]["amount"]
    assert ks_2samp(inside, real_inside).pvalue < 1e-6, "so the real segment's own amounts are not kept"
    assert segment_note("cart") is None and segment_note(synth.create("gaussian_copula")) is None


def test_a_large_table_judges_its_flag_on_every_step_th_row(flagged: pd.DataFrame, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from synth.synthesizers import copula_strata

    whole = synth.create("gaussian_copula", stratify="none").fit(flagged)
    monkeypatch.setattr(copula_strata, "FLAG_SAMPLE_ROWS", 2_000)  # every 5th row of 10,000
    strided = synth.create("gaussian_copula", stratify="none").fit(flagged)
    assert strided.rare_flag_ == whole.rare_flag_ == ("flag", True)
    pd.testing.assert_frame_equal(whole.sample(500, seed=1), strided.sample(500, seed=1))


def _lone_level(seed: int = 8) -> pd.DataFrame:
    """Orders by web and app, and 60 by fax, all of them about 900 and from region R3 (both common elsewhere)."""
    rng = np.random.default_rng(seed)
    n = 3000
    channel = rng.choice(["web", "app"], n).astype(object)
    amount = rng.gamma(2, 25, n).round(2)
    region = rng.choice([f"R{i}" for i in range(8)], n).astype(object)
    fax = np.arange(n) < 60
    channel[fax], amount[fax], region[fax] = "fax", rng.normal(900, 5, 60).round(2), "R3"
    return pd.DataFrame({"channel": channel, "amount": amount, "region": region, "x": rng.normal(size=n)})


def test_a_lone_small_level_is_no_component_of_its_own() -> None:
    frame = _lone_level()
    fax = frame[frame["channel"] == "fax"]

    def fax_rows(min_rows: int) -> tuple[synth.Synthesizer, pd.DataFrame]:
        model = synth.create("gaussian_copula", stratify="channel", min_stratum_rows=min_rows, random_state=0)
        model.fit(frame)
        syn = model.sample(5_000, seed=1)
        return model, syn[syn["channel"] == "fax"]

    # The attack, where 60 rows may be a component: every synthetic fax row is inside the fax rows' amounts and
    # region. Under 200 rows the same level, pooled alone, was such a component until session 29.
    own, drawn = fax_rows(50)
    assert min(c.share for c in own.components_) * len(frame) == pytest.approx(60)
    inside = drawn["amount"].between(fax["amount"].min(), fax["amount"].max()) & (drawn["region"] == "R3")
    assert len(drawn) >= 50 and inside.all()
    folded, drawn = fax_rows(200)
    assert min(c.share for c in folded.components_) * len(frame) >= 200
    inside = drawn["amount"].between(fax["amount"].min(), fax["amount"].max()) & (drawn["region"] == "R3")
    assert len(drawn) >= 50 and inside.mean() < 0.2
    assert (folded.sample(20_000, seed=2)["channel"] == "fax").mean() == pytest.approx(0.02, abs=0.004)


def test_one_customers_level_is_no_component_when_the_person_is_known() -> None:
    """ "phone" is one customer's 40 orders (region R3, about 900): 40 rows, a component at 20 rows per component."""
    frame = _lone_level().iloc[60:].reset_index(drop=True)
    rng = np.random.default_rng(9)
    customer = np.asarray([f"C{i:04d}" for i in rng.integers(0, 1_500, len(frame))], dtype=object)
    phone = np.arange(len(frame)) < 40
    frame.loc[phone, ["channel", "region"]] = ["phone", "R3"]
    frame.loc[phone, "amount"] = rng.normal(900, 5, 40).round(2)
    customer[phone] = "C9999"
    frame.insert(0, "customer", customer)
    mine = frame[phone]

    def phone_rows(person: str | None) -> tuple[synth.Synthesizer, pd.DataFrame]:
        model = synth.create("gaussian_copula", stratify="channel", min_stratum_rows=20, random_state=0)
        model.fit(frame, person_column=person)
        syn = model.sample(5_000, seed=1)
        return model, syn[syn["amount"].between(mine["amount"].min(), mine["amount"].max())]

    rows, near = phone_rows(None)
    assert len(rows.components_) == 3, "the attack: counted in rows, phone is a component of its own"
    assert len(near) >= 40 and (near["region"] == "R3").all()
    people, near = phone_rows("customer")
    assert len(people.components_) == 2
    assert (near["region"] == "R3").mean() < 0.5, "the customer's amounts no longer come with their region"


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 80), min_size=1, max_size=5),
    min_rows=st.integers(2, 60),
    per_person=st.integers(1, 6),
    seed=st.integers(0, 1_000),
)
def test_every_component_holds_enough_rows_and_people(
    sizes: list[int], min_rows: int, per_person: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    levels = np.repeat([f"L{i}" for i in range(len(sizes))], sizes)
    people = rng.permutation(len(levels)) // per_person  # each person's rows at random levels
    data = pd.DataFrame({"g": levels, "x": rng.normal(size=len(levels))})
    for told in (None, people):
        groups = stratum_groups(data, ("g",), None, min_rows, told)
        assert sorted(np.concatenate(groups).tolist()) == list(range(len(data)))
        if len(groups) > 1:
            assert min(len(g) for g in groups) >= min_rows
            if told is not None:
                assert min(len(np.unique(told[g])) for g in groups) >= min_rows
