"""Augmentation with synthetic rows of a rare class: scores checked against scikit-learn, verdicts attacked."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve

import synth
from benchmarks.transactions import make_transactions
from synth.evaluation.results import Interval
from synth.evaluation.utility.augmentation import (
    AugmentationError,
    _zero_score_notes,
    curve_scores,
    evaluate_augmentation,
    shares_to_k,
)


@pytest.fixture(scope="module")
def split() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.split(make_transactions(20_000, seed=1), holdout=0.3, seed=0)


@pytest.fixture(scope="module")
def cart(split: tuple[pd.DataFrame, pd.DataFrame]) -> synth.Synthesizer:
    return synth.create("cart").fit(split[0])


@settings(max_examples=40, deadline=None)
@given(
    data=st.lists(st.tuples(st.booleans(), st.integers(0, 20), st.integers(1, 3)), min_size=2, max_size=60),
    precision=st.sampled_from([0.3, 0.5, 0.9]),
)
def test_curve_scores_agree_with_scikit_learn(data: list[tuple[bool, int, int]], precision: float) -> None:
    y = np.array([d[0] for d in data])
    scores = np.array([d[1] / 20 for d in data])
    counts = np.array([d[2] for d in data])
    if not y.any():
        return
    ap, rec, f1 = curve_scores(y, scores, counts[:, None].astype(np.float32), precision)
    # Integer weights are repeated rows: scikit-learn on the repeated table must agree.
    yy, ss = np.repeat(y, counts), np.repeat(scores, counts)
    assert ap[0] == pytest.approx(average_precision_score(yy, ss))
    p, r, _ = precision_recall_curve(yy, ss)
    assert rec[0] == pytest.approx(max((ri for pi, ri in zip(p, r, strict=True) if pi >= precision), default=0.0))
    assert f1[0] == pytest.approx(f1_score(yy, ss >= 0.5, zero_division=0.0))


def test_shares_become_rows_to_add() -> None:
    k = shares_to_k(1000, 10, [0.1, 0.5])
    assert (10 + k[0]) / (1000 + k[0]) == pytest.approx(0.1, abs=0.001)
    assert (10 + k[1]) / (1000 + k[1]) == pytest.approx(0.5, abs=0.001)
    with pytest.raises(AugmentationError, match="strictly between 0 and 1"):
        shares_to_k(1000, 10, [1.0])


def test_synthetic_fraud_rows_are_compared_with_oversampling(split: tuple, cart: synth.Synthesizer) -> None:
    train, holdout = split
    result = evaluate_augmentation(
        train, holdout, cart, target="fraud", positive=True, shares=(0.1,), n_bootstrap=60, seed=0
    )
    sources = [a.source for a in result.arms]
    assert sources == ["real only", "synthetic", "duplicates", "SMOTE"]
    k = result.arms[1].k
    assert all(a.k == k for a in result.arms[1:])
    assert result.arms[1].positive_share == pytest.approx(0.1, abs=0.002)
    for arm in result.arms:
        assert arm.pr_auc_interval.low <= arm.pr_auc <= arm.pr_auc_interval.high
        assert 0.0 <= arm.recall_at_precision <= 1.0
    gain = result.arm("synthetic").pr_auc_gain_interval
    assert gain is not None
    assert result.helps is (True if gain.low > 0 else (False if gain.high < 0 else None))
    assert "oversampling" in result.verdict and result.to_dict()["arms"][0]["source"] == "real only"
    assert not any("No classifier reaches" in n or "F1 is 0" in n for n in result.notes)  # fraud is learnable
    again = evaluate_augmentation(
        train, holdout, cart, target="fraud", positive=True, shares=(0.1,), n_bootstrap=60, seed=0, baselines=False
    )
    assert again.arms[1] == result.arms[1], "seeded"


def test_rows_that_are_not_the_class_are_called_harmful(split: tuple) -> None:
    # The attack: "synthetic fraud" that is the opposite of fraud (daytime, in-store, small amounts) relabelled.
    # It must not be praised.
    train, holdout = split
    calm = train[~train["fraud"] & (train["channel"] != "online") & train["hour"].between(8, 20)]
    fake = calm.nsmallest(3000, "amount").assign(fraud=True)
    steps: list[str] = []
    result = evaluate_augmentation(
        train,
        holdout,
        fake,
        target="fraud",
        positive=True,
        k=[3000],
        n_bootstrap=60,
        progress=lambda fraction, message: steps.append(message),
    )
    assert result.helps is False
    # The bar names each step as a reader says it (the Adult walk's read "training on real + 13,477 duplicates rows").
    assert "training on real + 3,000 duplicated rows" in steps and "training on real + 3,000 SMOTE rows" in steps
    assert "hurts" in result.verdict and "Do not train on them" in result.verdict


def test_a_class_of_a_few_holdout_rows_gets_scores_but_no_verdict(split: tuple) -> None:
    """The harmful rows of the test above, judged on a holdout with 12 fraud rows: the table still shows what each
    model scored, but "hurts" (or "falls behind SMOTE", as the Rare events page said of a claims table with 4
    holdout rows of fraud) is not said: the intervals resample holdout rows with the models fixed."""
    train, holdout = split
    few = pd.concat([holdout[~holdout["fraud"]], holdout[holdout["fraud"]].head(12)])
    calm = train[~train["fraud"] & (train["channel"] != "online") & train["hour"].between(8, 20)]
    fake = calm.nsmallest(3000, "amount").assign(fraud=True)
    result = evaluate_augmentation(train, few, fake, target="fraud", positive=True, k=[3000], n_bootstrap=60)
    assert result.n_holdout_positive == 12 and result.helps is None and result.beyond_oversampling is None
    assert (
        result.verdict.startswith("Too few rows of fraud = True to judge")
        and "12 rows in the holdout" in result.verdict
    )
    assert len(result.arms) == 4 and all(np.isfinite(a.pr_auc) for a in result.arms)


def test_a_class_no_model_can_find_says_why_its_scores_read_zero(split: tuple) -> None:
    """A coin flip at 3% is a class no classifier finds: F1 at the 0.5 threshold is 0.000 [0.000, 0.000] in every
    arm (no holdout row is predicted positive), and the page showed those zeros with no word on why."""
    train, holdout = split
    rng = np.random.default_rng(3)
    train = train.assign(coin=rng.random(len(train)) < 0.03)
    holdout = holdout.assign(coin=rng.random(len(holdout)) < 0.03)
    fake = train[train["coin"]].sample(100, random_state=0)
    result = evaluate_augmentation(
        train, holdout, fake, target="coin", positive=True, k=[100], precision=0.9, n_bootstrap=40, baselines=False
    )
    assert all(a.f1 == 0 and a.f1_interval.high == 0 for a in result.arms)
    assert any("no classifier predicts coin = True for any holdout row" in n for n in result.notes)
    # Recall at 90% precision is not 0 in every arm here (the real-only model's top-ranked holdout row happens to
    # be a coin = True row), so no note claims it is; when it is 0 everywhere, the note says so.
    assert result.arms[0].recall_at_precision > 0
    assert not any("No classifier reaches" in n for n in result.notes)
    zero = Interval(0.0, 0.0)
    flat = [replace(a, recall_at_precision=0.0, recall_interval=zero) for a in result.arms]
    assert any(
        "No classifier reaches 90% precision on coin = True" in n for n in _zero_score_notes(flat, "coin", True, 0.9)
    )


def test_bad_requests_are_refused(split: tuple, cart: synth.Synthesizer) -> None:
    train, holdout = split
    with pytest.raises(AugmentationError, match="not a categorical"):
        evaluate_augmentation(train, holdout, cart, target="amount", positive=1.0)
    with pytest.raises(AugmentationError, match="no training row has"):
        evaluate_augmentation(train, holdout, cart, target="channel", positive="teleport")
    few = pd.concat([holdout[~holdout["fraud"]], holdout[holdout["fraud"]].head(2)])
    with pytest.raises(AugmentationError, match="the holdout has 2 rows"):
        evaluate_augmentation(train, few, cart, target="fraud", positive=True)
    with pytest.raises(AugmentationError, match="already makes up"):
        evaluate_augmentation(train, holdout, cart, target="fraud", positive=False, shares=(0.5,))
    with pytest.raises(AugmentationError, match="holds 0 rows"):
        evaluate_augmentation(train, holdout, train[~train["fraud"]], target="fraud", positive=True, k=[10])
