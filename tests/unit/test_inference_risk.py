"""The inference risk: shares not Wilson centres, a control matched to the training targets' secrets, a posterior
interval; and, on the shop table whose chargeback flag is 99.5% "N", fresh rows that stay off red while a copy of
train reads red (benchmarks/bench_inference_risk.py measures the same cases over more repeats)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from benchmarks.bench_inference_risk import SHOP_DEFAULT, SHOP_STRONG, _shop, attack_pair, make_tables
from synth.evaluation.privacy.common import residual_risk, success_rate
from synth.evaluation.privacy.inference_risk import UNKNOWN_RATE, matched_risk, secret_classes
from synth.evaluation.privacy.verdict_criteria import Thresholds, attack_verdict
from synth.evaluation.privacy.wp216 import inference
from synth.schema import ColumnKind


def _outcomes(counts: list[tuple[int, int]], label: str = "c") -> tuple[np.ndarray, np.ndarray]:
    """Per-target outcomes from (right, wrong) counts per secret value ``label0``, ``label1``, …"""
    right = np.concatenate([np.r_[np.ones(k, bool), np.zeros(w, bool)] for k, w in counts])
    cls = np.concatenate([np.full(k + w, f"{label}{i}") for i, (k, w) in enumerate(counts)])
    return right, cls


def test_wilson_centres_read_two_perfect_attacks_as_a_risk_and_the_shares_do_not() -> None:
    """The module docstring's example: 552 of 552 training and 129 of 129 holdout targets right."""
    main, control = success_rate(552, 552), success_rate(129, 129)
    assert round(main.value, 3) == 0.997 and round(control.value, 3) == 0.986
    assert residual_risk(main, control, anonymeter=True).value == pytest.approx(0.76, abs=0.01)
    assert residual_risk(main, control).value == 0.0  # the control centred at the main count (linkability's risk)
    m, mc = _outcomes([(552, 0)])
    c, cc = _outcomes([(129, 0)])
    r = matched_risk(m, mc, c, cc, 0.95, np.random.default_rng(0))
    assert r.risk.value == 0.0 and r.risk.low == 0.0 and not r.risk.significant


counts = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), min_size=1, max_size=4).filter(
    lambda c: sum(k + w for k, w in c) > 0
)


@settings(max_examples=60, deadline=None)
@given(main=counts, control=counts, seed=st.integers(0, 2**16))
def test_risk_is_zero_exactly_when_main_is_at_most_the_matched_control(
    main: list[tuple[int, int]], control: list[tuple[int, int]], seed: int
) -> None:
    m, mc = _outcomes(main)
    c, cc = _outcomes(control)
    r = matched_risk(m, mc, c, cc, 0.95, np.random.default_rng(seed))
    assert 0.0 <= r.risk.low <= r.risk.high <= 1.0
    assert 0.0 <= r.risk.value <= 1.0 and -1.0 <= r.risk.excess <= 1.0
    assert r.main.value == pytest.approx(m.mean())
    if r.main.value <= r.control.value or r.control.value == 1.0:
        assert r.risk.value == 0.0 and not r.risk.significant
    else:
        assert r.risk.value == pytest.approx((r.main.value - r.control.value) / (1 - r.control.value))
    # the control is the holdout's rate per secret value, weighted as the training targets' secrets are
    weights = {f"c{i}": (k + w) / len(m) for i, (k, w) in enumerate(main) if k + w}
    rates = {f"c{i}": (k / (k + w) if k + w else UNKNOWN_RATE) for i, (k, w) in enumerate(control)}
    expected = sum(wt * rates.get(c_, UNKNOWN_RATE) for c_, wt in weights.items())
    assert r.control.value == pytest.approx(expected)


@settings(max_examples=60, deadline=None)
@given(
    rates=st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), min_size=2, max_size=3),
    main_sizes=st.lists(st.integers(1, 10), min_size=3, max_size=3),
    control_sizes=st.lists(st.integers(1, 10), min_size=3, max_size=3),
)
def test_the_same_success_per_secret_value_is_no_risk_whatever_the_mix_of_secrets(
    rates: list[float], main_sizes: list[int], control_sizes: list[int]
) -> None:
    """Who is rare in the synthetic table depends on membership, so the two target sets differ in their share of
    each secret value; a synthesizer that guesses training people no better than holdout people of the same value
    reads 0 (the unmatched anonymeter figure reads a risk whenever the rarer value is guessed worse and training
    holds less of it)."""
    main = [(round(4 * p * s), round(4 * (1 - p) * s)) for p, s in zip(rates, main_sizes, strict=False)]
    control = [(round(4 * p * s), round(4 * (1 - p) * s)) for p, s in zip(rates, control_sizes, strict=False)]
    m, mc = _outcomes(main)
    c, cc = _outcomes(control)
    r = matched_risk(m, mc, c, cc, 0.95, np.random.default_rng(0))
    assert r.risk.value == pytest.approx(0.0, abs=1e-12)
    assert not r.risk.significant


def test_a_better_guess_on_training_people_of_the_same_secret_is_a_risk() -> None:
    """The other side of the matching: the rare value guessed right for every training person who has it, never
    for a holdout person who has it, the common value always right for both — a leak of exactly the rare value."""
    m, mc = _outcomes([(1980, 0), (20, 0)])
    c, cc = _outcomes([(480, 0), (0, 20)])
    r = matched_risk(m, mc, c, cc, 0.95, np.random.default_rng(0))
    assert r.risk.value == 1.0 and r.risk.significant and r.risk.low > 0.5


def test_a_secret_value_no_holdout_target_has_widens_the_interval() -> None:
    m, mc = _outcomes([(990, 0), (10, 0)])
    seen = matched_risk(m, mc, *_outcomes([(490, 0), (0, 10)]), 0.95, np.random.default_rng(0))
    unseen = matched_risk(m, mc, *_outcomes([(500, 0)]), 0.95, np.random.default_rng(0))
    assert unseen.control.value == pytest.approx(0.99 + 0.01 * UNKNOWN_RATE)
    assert unseen.risk.low < seen.risk.low


def test_numeric_secrets_are_matched_by_decile_band_and_missing_is_its_own_class() -> None:
    ref = pd.Series(np.arange(100.0))
    main, control = secret_classes(pd.Series([0.0, 55.0, np.nan]), pd.Series([99.0]), ref, ColumnKind.CONTINUOUS)
    assert list(main) == ["0", "5", "-1"] and list(control) == ["9"]


def test_the_posterior_draws_are_seeded() -> None:
    m, mc = _outcomes([(90, 10), (5, 5)])
    c, cc = _outcomes([(40, 10), (1, 4)])
    a, b = (matched_risk(m, mc, c, cc, 0.95, np.random.default_rng(3)) for _ in range(2))
    assert a == b


# ------------------------------------------------------------------------------------------- the shop table
@pytest.fixture(scope="module")
def shop() -> tuple[pd.DataFrame, synth.Schema]:
    table = _shop()
    return table, synth.infer_schema(table)


def _pair(shop: tuple[pd.DataFrame, synth.Schema], kind: str, rep: int, secret: str, known: tuple[str, ...]) -> list:
    table, schema = shop
    train, holdout, syn = make_tables(table, schema, (2_000, 500), kind, rep)
    return attack_pair(train, holdout, syn, schema, secret, known, rep)


def _light(results: list) -> str:
    return attack_verdict("inference", "Inference", results, Thresholds().attack).level


def test_fresh_rows_on_a_99_percent_secret_stay_off_red_where_anonymeter_s_figure_went_red(
    shop: tuple[pd.DataFrame, synth.Schema],
) -> None:
    """Fresh real rows as the synthetic table, the walk's attacker, chargeback 99.5% "N": our light is never red
    and never significant over the seeds; anonymeter's figure on the same runs goes red (the walk's "High risk")."""
    ours, theirs = [], []
    for rep in range(6):
        pair = _pair(shop, "fresh", rep, "chargeback", SHOP_DEFAULT)
        ours.append(_light(pair))
        theirs.append(_light([replace(r, risk=r.anonymeter_risk) for r in pair]))
        assert not any(r.risk.significant for r in pair), [r.risk for r in pair]
    assert "red" not in ours and "amber" not in ours, ours
    assert "red" in theirs, theirs


@pytest.mark.parametrize("secret", ["chargeback", "express"])
def test_a_copy_of_train_reads_red_on_an_imbalanced_and_a_balanced_secret(
    shop: tuple[pd.DataFrame, synth.Schema], secret: str
) -> None:
    known = SHOP_STRONG if secret == "express" else (*SHOP_STRONG, "express")
    pair = _pair(shop, "copy", 0, secret, known)
    assert _light(pair) == "red"
    for r in pair:
        assert r.risk.significant and r.risk.value > 0.9 and r.risk.low > 0.3, r.risk


def test_a_tenth_of_train_copied_reads_about_a_tenth_on_a_balanced_secret(
    shop: tuple[pd.DataFrame, synth.Schema],
) -> None:
    """A tenth of the fresh rows replaced by train rows, an attacker for whom every order is unique: a tenth of the
    training people give their secret away, so the risk (the share of the control's misses put right) is about
    0.1 — a broken fix that reads every leak as 0, or as all-or-nothing, fails."""
    risks = [_pair(shop, "leak10", rep, "express", SHOP_STRONG)[0].risk for rep in range(4)]
    assert 0.05 < float(np.mean([r.value for r in risks])) < 0.2, risks


def test_on_a_balanced_secret_with_large_target_sets_the_risk_is_anonymeter_s_within_a_point(
    adult: pd.DataFrame,
) -> None:
    """Adult's income (24% ">50K"), 2,000 targets on each side: the matching and the shares change little there."""
    schema = synth.infer_schema(adult)
    train, holdout = synth.split(adult.sample(12_000, random_state=0).reset_index(drop=True), 0.25, seed=0)
    syn = synth.create("independent").fit(train, schema).sample(len(train), seed=0)
    known = ("age", "sex", "race", "marital_status", "education")
    for rare in (False, True):
        r = inference(train, syn, holdout=holdout, known=known, secret="income", schema=schema, seed=0, rare_only=rare)
        assert r.anonymeter_risk is not None
        assert r.main.n_total >= 1000 and r.control.n_total >= 1000
        assert abs(r.risk.excess - r.anonymeter_risk.excess) < 0.01, (r.risk, r.anonymeter_risk)


def test_the_risk_does_not_depend_on_the_order_of_the_synthetic_rows() -> None:
    """Rows tied as a target's nearest used to give their first one's secret: fresh rows sorted by the secret read
    +0.11 on the rare people one way and −0.28 the other (the attacker knowing quantity, discount and note of the
    shop's orders). Each target now counts the share of tied rows guessed right, which no order changes."""
    table = _shop()
    schema = synth.infer_schema(table)
    train, holdout, syn = make_tables(table, schema, (2_000, 500), "fresh", 0)
    known = ("quantity", "discount", "note")
    orders = {
        "ascending": syn.sort_values("express", kind="stable"),
        "descending": syn.sort_values("express", ascending=False, kind="stable"),
        "shuffled": syn.sample(frac=1.0, random_state=1),
    }
    risks = {
        name: [
            r.risk.excess for r in attack_pair(train, holdout, s.reset_index(drop=True), schema, "express", known, 0)
        ]
        for name, s in orders.items()
    }
    assert all(len(r) == 2 for r in risks.values())
    for name in ("descending", "shuffled"):
        assert risks[name] == pytest.approx(risks["ascending"], abs=1e-12), risks


@settings(max_examples=60, deadline=None)
@given(
    syn=st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2), st.sampled_from("xyz")), min_size=1, max_size=12),
    targets=st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.sampled_from("xyz")), min_size=1, max_size=6),
    seed=st.integers(0, 2**16),
)
def test_each_target_scores_the_share_of_its_tied_nearest_rows_guessed_right_in_any_order(
    syn: list[tuple[int, int, str]], targets: list[tuple[int, int, str]], seed: int
) -> None:
    from synth.evaluation.privacy.inference_risk import guess_shares
    from synth.evaluation.privacy.neighbors import GowerEncoder

    frame = lambda rows: pd.DataFrame(rows, columns=["a", "b", "s"]).astype(str)  # noqa: E731
    s_df, t_df = frame(syn), frame(targets)
    kinds = {"a": ColumnKind.CATEGORICAL, "b": ColumnKind.CATEGORICAL}
    enc = GowerEncoder.fit([s_df, t_df], ["a", "b"], kinds)
    kind = ColumnKind.CATEGORICAL
    shares = guess_shares(enc.transform(t_df), enc.transform(s_df), s_df["s"], t_df["s"], kind, 1.0, 0.05)
    for i, (a, b, secret) in enumerate(targets):
        mismatches = np.array([(a2 != str(a)) + (b2 != str(b)) for a2, b2 in zip(s_df["a"], s_df["b"], strict=True)])
        tied = mismatches == mismatches.min()
        assert shares[i] == pytest.approx(np.mean(s_df["s"].to_numpy()[tied] == secret))
    order = np.random.default_rng(seed).permutation(len(s_df))
    shuffled = s_df.iloc[order].reset_index(drop=True)
    again = guess_shares(enc.transform(t_df), enc.transform(shuffled), shuffled["s"], t_df["s"], kind, 1.0, 0.05)
    assert again == pytest.approx(shares, abs=1e-12)


def _matched_result(main: list[tuple[int, int]], control: list[tuple[int, int]], name: str, seed: int = 0) -> object:
    from synth.evaluation.privacy.attack_result import _result

    m, mc = _outcomes(main)
    c, cc = _outcomes(control)
    r = matched_risk(m, mc, c, cc, 0.95, np.random.default_rng(seed))
    n_main, n_control = len(m), len(c)
    return _result(
        name,
        "inference",
        name,
        (float(m.sum()), n_main),
        (float(c.sum()), n_control),
        (0.0, n_main),
        0.95,
        columns=("a",),
        secret="s",
        matched=(r.main, r.control, r.risk),
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_interval_for_two_tests_is_the_posterior_s_own_at_the_adjusted_level(seed: int) -> None:
    """Risk.interval(2) is the matched risk's interval at 97.5% from the same draws, not ±error widened."""
    m, mc = _outcomes([(498, 2)])
    c, cc = _outcomes([(48, 2)])
    r = matched_risk(m, mc, c, cc, 0.95, np.random.default_rng(seed)).risk
    at_975 = matched_risk(m, mc, c, cc, 0.975, np.random.default_rng(seed)).risk
    low, high = r.interval(2)
    assert max(low, 0.0) == pytest.approx(at_975.low, abs=1e-12)
    assert min(max(high, 0.0), 1.0) == pytest.approx(at_975.high, abs=1e-12)
    assert r.interval(1) == pytest.approx((r.excess - r.error, r.interval(1)[1]))
    assert max(r.interval(1)[0], 0.0) == pytest.approx(r.low) and min(r.interval(1)[1], 1.0) == pytest.approx(r.high)


def test_the_verdict_judges_inference_by_the_interval_the_metric_reports() -> None:
    """500 of 500 training targets right against 49 of 50 holdout ones: excess 100%, its lower half-width 66 points.
    Widened as if normal for the two inference attacks (×1.27) the interval started at +16% and the light was red;
    the posterior's own 97.5% interval starts below 0, so the risk is within noise and the light green."""
    from synth.evaluation.privacy.common import bonferroni_widening

    strong = _matched_result([(500, 0)], [(49, 1)], "inference")
    none = _matched_result([(100, 100)], [(100, 100)], "inference_rare")
    risk = strong.risk  # type: ignore[attr-defined]
    assert risk.excess == 1.0 and risk.excess - bonferroni_widening(2) * risk.error > 0  # the old reading: red
    low, high = risk.interval(2)
    assert low < 0 < high
    verdict = attack_verdict("inference", "Inference", [strong, none], Thresholds().attack)  # type: ignore[list-item]
    assert verdict.level == "green"
    assert f"its 95% interval is 0.0%–{100 * min(high, 1.0):.1f}%" in verdict.value
