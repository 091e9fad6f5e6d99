"""Unit tests for defects seen on a third walk of the dashboard (the messy customer table, 1400 px wide)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import synth
from synth.evaluation.fidelity.pair_views import pair_view


def test_pair_charts_name_their_fold_apart_from_a_synthesizers_other_value() -> None:
    names = [f"shop{i:02d}" for i in range(14)]  # 12 shown per axis, 2 folded
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"shop": names * 10, "kind": ["a", "b"] * 70, "amount": rng.normal(size=140)})
    # The synthesizer's rare-category bucket is a value, "(other)": 20 rows of it.
    synthetic = pd.DataFrame(
        {"shop": names[:12] * 10 + ["(other)"] * 20, "kind": ["a", "b"] * 70, "amount": rng.normal(size=140)}
    )
    schema = synth.infer_schema(real).with_column("shop", kind=synth.ColumnKind.CATEGORICAL)
    box = pair_view(real, synthetic, "shop", "amount", schema=schema)
    # Both read "(other)": the chart's fold of the two real shops it left out and the synthesizer's bucket.
    assert box.x_labels[-2:] == ("(other)", "all other categories (2)")
    n_real = {b.category: b.n for b in box.boxes_real}
    n_synthetic = {b.category: b.n for b in box.boxes_synthetic}
    assert n_real["all other categories (2)"] == 20 and n_real["(other)"] == 0
    assert n_synthetic["(other)"] == 20 and n_synthetic["all other categories (2)"] == 0
    heat = pair_view(real, synthetic, "shop", "kind", schema=schema)
    assert heat.x_labels[-2:] == ("(other)", "all other categories (2)")
    other, fold = len(heat.x_labels) - 2, len(heat.x_labels) - 1
    assert sum(row[other] for row in heat.synthetic) == 20 / 140 and sum(row[fold] for row in heat.synthetic) == 0
    assert sum(row[fold] for row in heat.real) == 20 / 140


def _customers(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    channel = rng.choice(["retail", "online", "wholesale"], n, p=[0.5, 0.35, 0.15]).astype(object)
    channel[:4] = ["kiosk", "Barter", "vending", "kiosk"]  # 4 rows of three rare channels
    fraud = np.zeros(n, dtype=int)
    fraud[rng.choice(n, 15, replace=False)] = 1  # 0.75%: under the 1% a category needs to stand alone
    age = rng.integers(18, 90, n)
    income = 20_000 + 800 * age + 15_000 * (channel == "wholesale") + rng.normal(0, 5_000, n)
    return pd.DataFrame({"age": age, "channel": channel, "fraud": fraud, "income": income})


def test_same_conclusions_shows_only_estimable_terms_and_names_a_rare_flag() -> None:
    from synth.evaluation.utility.glm import compare_glm

    real, holdout = _customers(2000, 0), _customers(500, 1)
    synthetic = _customers(2000, 2)
    synthetic.loc[:3, "channel"] = "(other)"  # a synthesizer's rare-category bucket
    schema = synth.infer_schema(real).with_column("fraud", kind=synth.ColumnKind.BOOLEAN)
    glm = compare_glm(real, synthetic, target="income", holdout=holdout, schema=schema)
    terms = [c.term for c in glm.coefficients]
    # The 0/1 flag's rare 1 read "fraud = (other)"; the three rare channels (4 rows) pooled into
    # "channel = (other)", which no fit could estimate: "(other) — not estimable".
    assert "fraud = 1" in terms and not [t for t in terms if "(other)" in t]
    assert all(c.conclusion != "not estimable" for c in glm.coefficients), glm.coefficients
    assert any(n.startswith("channel: 3 rare categories (4 rows) too few to estimate") for n in glm.notes)
    # The note counts the rare rows without naming them: a channel only one or two people used singles them out.
    shown = " ".join([*glm.notes, *terms, *glm.dropped_terms])
    assert not [rare for rare in ("kiosk", "Barter", "vending") if rare in shown], shown


def test_a_term_the_synthetic_data_cannot_estimate_says_why() -> None:
    from synth.evaluation.utility.glm import compare_glm

    real = _customers(2000, 0)
    synthetic = _customers(2000, 2)
    synthetic["channel"] = synthetic["channel"].replace({"wholesale": "retail"})  # the synthesizer lost a channel
    glm = compare_glm(real, synthetic, target="income", schema=synth.infer_schema(real))
    lost = next(c for c in glm.coefficients if c.term == "channel = wholesale")
    assert lost.conclusion == "not estimable" and lost.reason == "no synthetic row with channel = wholesale"
    assert all(c.reason == "" for c in glm.coefficients if c.conclusion != "not estimable")


def test_fairness_says_when_a_model_predicts_one_outcome_for_everyone() -> None:
    from synth.evaluation.utility.fairness import evaluate_fairness

    rng = np.random.default_rng(0)

    def table(n: int, predictable: bool) -> pd.DataFrame:
        x = rng.normal(size=n)
        noise = rng.random(n)
        good = (x > 1.0) if predictable else (noise < 0.1)  # unpredictable: 10% at random
        return pd.DataFrame({"group": rng.choice(["a", "b"], n), "x": x, "outcome": np.where(good, "yes", "no")})

    for predictable in (False, True):
        train, holdout = table(2500, predictable), table(500, predictable)  # early stopping from 2,000 rows
        result = evaluate_fairness(train, holdout, train.copy(), sensitive="group", outcome="outcome", positive="yes")
        one = [m for m in result.models if m.one_prediction]
        if predictable:
            assert not one and not result.notes
            continue
        # The messy table's models predicted "great service!" for no one: parity differences of 0.000 [0.000,
        # 0.000] read as perfectly fair, beside "no synthetic table amplifies a gap".
        assert [m.trained_on for m in one] == ["real", "synthetic"]
        assert all(m.demographic_parity_difference == 0 and m.predicted_share == 0 for m in one)
        (note,) = result.notes  # one note for both models
        assert note.startswith("The models trained on real and synthetic each predict outcome ≠ yes for every")
        assert "0 by construction" in note


def test_the_data_card_writes_a_synthesizers_settings_as_a_reader_would() -> None:
    from synth.report.card import params_text

    # The card printed "Parameters: {'min_samples_leaf': 40, 'smooth_below': 5, 'split_first': False, ...}".
    text = params_text({"min_samples_leaf": 40, "visit_order": "binary_first", "split_first": False, "refine": True})
    assert text == "min_samples_leaf = 40, visit_order = binary_first, split_first = off, refine = on"
    assert params_text({}) == "defaults"


def test_a_separated_missing_value_indicator_says_why_in_words() -> None:
    from synth.evaluation.utility.glm import _why_not_estimable
    from synth.evaluation.utility.glm_fit import Fit

    missing = np.array([0.0, 0.0, 1.0, 1.0, 0.0, 0.0])
    x = {"real": np.column_stack([np.ones(6), missing]), "synthetic": np.column_stack([np.ones(6), missing])}
    y = {"real": np.array([0.0, 1, 0, 1, 0, 1]), "synthetic": np.array([0.0, 1, 0, 0, 1, 0])}
    nan = np.array([0.1, np.nan])
    fits = {"real": Fit(np.zeros(2), np.ones(2), True), "synthetic": Fit(nan, nan, False)}
    # It read "the synthetic data cannot separate it from the other terms".
    assert _why_not_estimable("income is missing", x, y, 1, fits, "fraud") == (
        "every synthetic row where income is missing has the same fraud: its coefficient runs off to infinity "
        "(separation)"
    )
