"""Conditional sampling from each model's own conditional distribution, on a table with a 0.5% fraud flag.

The exactness tests attack the weights: a conditioned sample must look like the model's unconditioned rows
filtered to the condition (what rejection would give with unlimited draws), column by column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from benchmarks.transactions import make_transactions
from synth.synthesizers.conditions import column_mask, merge_conditions
from synth.synthesizers.coverage import condition_coverage
from synth.synthesizers.independent import IndependentMarginals

NAMES = synth.available()
SEGMENT = {"state": "NJ", "date": ("2023-02-01", "2023-03-31")}


PUBLIC = {"privbayes": {"public_domain": "categories and ranges"}}


@pytest.fixture(scope="module")
def transactions() -> pd.DataFrame:
    return make_transactions(20_000, seed=0)


@pytest.fixture(scope="module")
def fitted(transactions: pd.DataFrame) -> dict[str, synth.Synthesizer]:
    schema = synth.infer_schema(transactions)
    # The DP network reads no domain from the data unless told it is public: US states and a calendar year are.
    return {name: synth.create(name, **PUBLIC.get(name, {})).fit(transactions, schema) for name in NAMES}


def test_the_table_is_what_the_pins_need(transactions: pd.DataFrame) -> None:
    assert transactions["fraud"].mean() == pytest.approx(0.005)
    segment = transactions["state"].eq("NJ") & transactions["date"].between("2023-02-01", "2023-03-31")
    assert 0.003 < segment.mean() < 0.007
    assert transactions.equals(make_transactions(20_000, seed=0))


@pytest.mark.parametrize("name", NAMES)
def test_rebalancing_the_rare_flag_to_half_and_half_works(name: str, fitted: dict) -> None:
    syn = fitted[name].sample(4000, seed=1, rebalance={"fraud": {True: 0.5, False: 0.5}})
    assert len(syn) == 4000
    assert syn["fraud"].sum() == 2000


def test_rebalanced_fraud_keeps_what_fraud_looks_like_with_cart(transactions: pd.DataFrame, fitted: dict) -> None:
    syn = fitted["cart"].sample(4000, seed=2, rebalance={"fraud": {True: 0.5, False: 0.5}})
    real_online = transactions.loc[transactions["fraud"], "channel"].eq("online").mean()
    syn_online = syn.loc[syn["fraud"], "channel"].eq("online").mean()
    assert syn_online == pytest.approx(real_online, abs=0.1)
    assert syn.loc[syn["fraud"], "amount"].median() > 2 * syn.loc[~syn["fraud"], "amount"].median()


@pytest.mark.parametrize("name", NAMES)
def test_a_state_and_two_months_segment_is_sampled_exactly(name: str, fitted: dict) -> None:
    syn = fitted[name].sample(2000, seed=3, conditions=SEGMENT)
    assert len(syn) == 2000
    assert syn["state"].eq("NJ").all()
    assert syn["date"].between(pd.Timestamp("2023-02-01"), pd.Timestamp("2023-03-31")).all()
    assert syn["date"].dt.month.nunique() == 2, "both months appear"


def test_the_dp_network_keeps_the_rare_class(transactions: pd.DataFrame) -> None:
    schema = synth.infer_schema(transactions)
    for seed in range(3):
        model = synth.create("privbayes", epsilon=0.5, random_state=seed).fit(transactions, schema)
        syn = model.sample(1000, seed=seed, conditions={"fraud": True})
        assert syn["fraud"].all() and len(syn) == 1000
        rebalanced = model.sample(1000, seed=seed, rebalance={"fraud": {True: 0.3, False: 0.7}})
        assert rebalanced["fraud"].sum() == 300


@pytest.mark.parametrize("name", NAMES)
def test_a_conditioned_sample_is_the_models_own_conditional(name: str, fitted: dict) -> None:
    model = fitted[name]
    conditions: dict[str, Any] = {"channel": "online", "hour": (0, 5)}
    plain = model.sample(200_000, seed=10)
    mask = plain["channel"].eq("online") & plain["hour"].between(0, 5)
    filtered = plain[mask]
    assert len(filtered) > 1000
    conditioned = model.sample(4000, seed=11, conditions=conditions)
    for column in ("merchant_category", "card_type", "state"):
        want = filtered[column].value_counts(normalize=True)
        got = conditioned[column].value_counts(normalize=True).reindex(want.index, fill_value=0.0)
        # Total variation against what filtering gives; sampling noise at these sizes is about 0.03-0.05.
        assert 0.5 * (want - got).abs().sum() < 0.08, column
    se = np.hypot(filtered["amount"].std() / np.sqrt(len(filtered)), conditioned["amount"].std() / np.sqrt(4000))
    assert abs(np.log(filtered["amount"].median()) - np.log(conditioned["amount"].median())) < 0.15
    assert abs(filtered["amount"].mean() - conditioned["amount"].mean()) < 5 * se
    assert abs(filtered["hour"].mean() - conditioned["hour"].mean()) < 0.25


@pytest.mark.parametrize("name", NAMES)
def test_conditioning_works_the_same_after_save_and_load(name: str, fitted: dict, tmp_path: Any) -> None:
    path = tmp_path / "model.synth"
    fitted[name].save(path)
    loaded = synth.load_model(path)
    pd.testing.assert_frame_equal(
        fitted[name].sample(300, seed=5, conditions=SEGMENT), loaded.sample(300, seed=5, conditions=SEGMENT)
    )


# ----------------------------------------------------------------------------- bad input
def test_bad_input_gets_a_clear_message(fitted: dict) -> None:
    model = fitted["cart"]
    before = model.rng_.bit_generator.state
    cases = [
        ({"conditions": [("amount", (10.0, 20.0)), ("amount", (30.0, 40.0))]}, "contradictory conditions on amount"),
        ({"conditions": [("state", ["NJ", "NY"]), ("state", "CA")]}, "contradictory conditions on state"),
        ({"conditions": {"amount": (50.0, 20.0)}}, "the range on amount is empty"),
        ({"conditions": {"customer_age": (30.2, 30.8)}}, "whole numbers and none lies"),
        ({"conditions": {"transaction_id": "T000000001"}}, "identifier column, generated fresh"),
        ({"conditions": {"email": "a@b.c"}}, "generated fresh for every row"),
        ({"conditions": {"state": "ZZ"}}, r"'ZZ' never occurs in state .*it holds 'AZ', 'CA', 'CO'"),
        ({"conditions": {"date": ("2030-01-01", None)}}, "date ranges from Timestamp"),
        ({"rebalance": {"fraud": {True: 0.5, False: 0.4}}}, "sum to 0.9, not 1"),
        ({"rebalance": {("fraud", "channel"): {(True, "online"): 1.0, True: 0.0}}}, "tuple of 2 values"),
    ]
    for kwargs, message in cases:
        with pytest.raises(synth.SynthesizerError, match=message):
            model.sample(10, seed=0, **kwargs)
    assert model.rng_.bit_generator.state == before, "nothing changed"


def test_a_combination_the_model_never_saw_is_refused_plainly() -> None:
    # plan decides tier exactly: CART's tree for tier splits on plan, so gold + basic has no donor anywhere.
    rng = np.random.default_rng(0)
    plan = rng.choice(["gold", "basic"], 2000)
    table = pd.DataFrame(
        {"plan": plan, "tier": np.where(plan == "gold", "high", "low"), "spend": rng.gamma(2.0, 50.0, 2000)}
    )
    # exact_rules off: tier = f(plan) would be computed, and a condition on a computed column is met by filtering,
    # not by the exact sampler whose proof of zero probability this test is about (test_derived covers filtering).
    model = synth.create("cart", visit_order="table", exact_rules=False).fit(table)
    conditions = {"plan": "gold", "tier": "low"}
    with pytest.raises(synth.SynthesizerError, match="gives this combination no probability"):
        model.sample(10, seed=0, conditions=conditions)
    coverage = condition_coverage(table, conditions)
    assert coverage.n_matching == 0 and "contradict each other" in coverage.message
    assert model.sample(10, seed=0, conditions={"plan": "gold"})["tier"].eq("high").all()


def test_a_model_without_an_exact_sampler_falls_back_to_bounded_rejection(transactions: pd.DataFrame) -> None:
    class Filtering(IndependentMarginals):  # not registered: no exact sampler is known for it
        name = "filtering_test"

    model = Filtering().fit(transactions)
    model.max_condition_draws = 20_000  # type: ignore[misc]
    with pytest.raises(synth.SynthesizerError, match=r"no exact conditional sampler: rows were filtered"):
        model.sample(50, seed=0, conditions={"merchant_category": "jewelry", "state": "UT", "card_type": "prepaid"})
    assert model.sample(20, seed=0, conditions={"state": "CA"})["state"].eq("CA").all()


# ----------------------------------------------------------------------------- coverage and merging
def test_coverage_counts_training_rows(transactions: pd.DataFrame) -> None:
    cov = condition_coverage(transactions, SEGMENT)
    segment = transactions["state"].eq("NJ") & transactions["date"].between("2023-02-01", "2023-03-31")
    assert cov.n_matching == int(segment.sum()) and cov.n_rows == len(transactions)
    assert dict(cov.per_column)["state"] == int(transactions["state"].eq("NJ").sum())
    assert "every model samples them directly" in cov.message
    rare = condition_coverage(transactions, {"state": "UT", "fraud": True, "channel": "online"})
    assert rare.share < 0.001
    assert cov.to_dict()["n_matching"] == cov.n_matching


finite = st.floats(-100, 100, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(a=st.tuples(finite, finite), b=st.tuples(finite, finite), x=st.lists(finite, min_size=1, max_size=30))
def test_merged_ranges_keep_exactly_the_rows_both_keep(
    a: tuple[float, float], b: tuple[float, float], x: list[float]
) -> None:
    a, b = (min(a), max(a)), (min(b), max(b))
    values = pd.Series(x)
    both = column_mask(values, a) & column_mask(values, b)
    try:
        merged = merge_conditions([("v", a), ("v", b)])["v"]
    except synth.SynthesizerError:
        assert not both.any()
        return
    assert (column_mask(values, merged) == both).all()


@pytest.mark.parametrize("name", NAMES)
def test_a_value_rarer_than_one_in_a_thousand_works_or_says_why(
    name: str, fitted: dict, transactions: pd.DataFrame
) -> None:
    rare = {"state": "UT", "fraud": True}
    assert condition_coverage(transactions, rare).share < 0.001
    try:
        syn = fitted[name].sample(500, seed=4, conditions=rare)
    except synth.SynthesizerError as exc:
        assert "draws matched state = 'UT' and fraud = True" in str(exc)
    else:
        assert len(syn) == 500 and syn["state"].eq("UT").all() and syn["fraud"].all()


def test_the_rare_events_preset_picks_the_rare_flag(transactions: pd.DataFrame) -> None:
    from synth.synthesizers.balance import rare_event_preset

    column, value, shares = rare_event_preset(transactions, ["state", "channel", "card_type", "fraud"]) or (0, 0, {})
    assert (column, value) == ("fraud", True) and shares == {True: 0.5, False: 0.5}
    assert rare_event_preset(transactions, ["channel"]) is None, "no class at or below 10%"


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "privbayes"])
def test_dates_without_a_zone_are_read_in_the_columns_zone(name: str) -> None:
    rng = np.random.default_rng(0)
    when = pd.Timestamp("2023-01-01", tz="Europe/Paris") + pd.to_timedelta(rng.integers(0, 365, 2000), unit="D")
    table = pd.DataFrame({"when": when, "c": rng.choice(["a", "b"], 2000)})
    model = synth.create(name, **PUBLIC.get(name, {})).fit(table)
    syn = model.sample(300, seed=0, conditions={"when": ("2023-03-01", "2023-04-30"), "c": "b"})
    low, high = pd.Timestamp("2023-03-01", tz="Europe/Paris"), pd.Timestamp("2023-04-30", tz="Europe/Paris")
    assert syn["when"].between(low, high).all() and syn["c"].eq("b").all()


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "privbayes"])
def test_an_impossible_value_is_described_by_where_the_domain_came_from(name: str) -> None:
    # A DP model's domain is learned under noise: "never in the training data" would be a false statement.
    import dataclasses

    rng = np.random.default_rng(0)
    table = pd.DataFrame({"flag": (rng.random(2000) < 0.01).astype(int), "x": rng.normal(size=2000)})
    model = synth.create(name, random_state=0).fit(table)
    model.domain_ = tuple(
        dataclasses.replace(d, high=0) if d.name == "flag" else d
        for d in model.domain_  # as when the noise leaves the rare 1 out
    )
    with pytest.raises(synth.SynthesizerError) as err:
        model.sample(10, seed=0, conditions={"flag": 1})
    if name == "privbayes":
        assert "differentially private domain" in str(err.value) and "training data" not in str(err.value)
    else:
        assert "in the training data" in str(err.value)


def test_a_private_domain_stays_private_through_the_model_file(tmp_path: Path) -> None:
    # The provenance travels with the domain: a loaded DP model must not start claiming "the training data".
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"c": rng.choice(["a", "b"], 1500), "x": rng.normal(size=1500)})
    model = synth.create("privbayes", random_state=0).fit(table)
    assert all(d.private for d in model.domain_)
    path = tmp_path / "dp.synth"
    model.save(path)
    loaded = synth.load_model(path)
    assert all(d.private for d in loaded.domain_)
    with pytest.raises(synth.SynthesizerError) as err:
        loaded.sample(10, seed=0, conditions={"x": (1e9, 2e9)})
    assert "differentially private domain" in str(err.value) and "training data" not in str(err.value)
    assert not any(d.private for d in synth.create("cart", random_state=0).fit(table).domain_)
