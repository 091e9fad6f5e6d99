"""The membership attacks' TPR at low FPR resamples people when the person is known
(``synth.evaluation.privacy.membership.person_bootstrap``).

A person's rows are alike: one person's ten identical rows score the same and move together. The AUC's interval
already counts each person as one cluster; the TPR's bootstrap resampled rows, so ten identical rows were ten
pieces of evidence and its interval came out about √10 times too narrow. Resampling people, each with all their
rows, widens it; without a person the row bootstrap is unchanged.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.membership import (
    FPRS,
    N_BOOTSTRAP,
    _tpr_at,
    membership_inference,
    min_non_members,
    roc_summary,
)

ROWS_EACH = 10


def _scores(n_people: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Members scoring a little higher than non-members; every person's score on :data:`ROWS_EACH` rows."""
    rng = np.random.default_rng(seed)
    pos, neg = rng.normal(0.5, 1.0, n_people), rng.normal(0.0, 1.0, n_people)
    people = np.arange(2 * n_people)
    return (
        np.repeat(pos, ROWS_EACH),
        np.repeat(neg, ROWS_EACH),
        np.repeat(people[:n_people], ROWS_EACH),
        np.repeat(people[n_people:], ROWS_EACH),
    )


@pytest.mark.parametrize("seed", range(3))
def test_ten_identical_rows_per_person_widen_the_interval(seed: int) -> None:
    pos, neg, pos_people, neg_people = _scores(60, seed)
    _, by_rows = roc_summary(pos, neg, seed=0)
    _, by_people = roc_summary(pos, neg, seed=0, clusters=(pos_people, neg_people))
    assert [t.fpr for t in by_people] == [t.fpr for t in by_rows] == list(FPRS)
    for rows, people in zip(by_rows, by_people, strict=True):
        assert people.tpr == rows.tpr  # the point estimate is the row TPR either way
        assert people.low <= people.tpr <= people.high
        # √10 ≈ 3.2 in theory; at 10% FPR seeds 0–2 measured 2.1–4.5 times the rows' width
        if rows.fpr == 0.1:
            assert people.high - people.low > 2.0 * (rows.high - rows.low), (rows, people)


def test_one_row_per_person_reads_as_the_row_bootstrap() -> None:
    """With one row each, resampling people is resampling rows (both sides at once): the intervals agree within
    the bootstrap's own noise."""
    rng = np.random.default_rng(5)
    pos, neg = rng.normal(0.5, 1.0, 600), rng.normal(0.0, 1.0, 600)
    people = np.arange(1200)
    _, by_rows = roc_summary(pos, neg, seed=0)
    _, by_people = roc_summary(pos, neg, seed=0, clusters=(people[:600], people[600:]))
    for rows, each in zip(by_rows, by_people, strict=True):
        assert each.high - each.low == pytest.approx(rows.high - rows.low, rel=0.3), (rows, each)


def test_without_a_person_the_row_bootstrap_is_unchanged() -> None:
    """The row bootstrap, written out: members and non-members each resampled, 200 times per FPR, from the seed's
    stream; its quantiles are the interval."""
    pos, neg, _, _ = _scores(60, 1)
    _, tprs = roc_summary(pos, neg, seed=3)
    rng = np.random.default_rng([3, 7])
    for fpr, stated in zip(FPRS, tprs, strict=True):
        assert len(neg) >= min_non_members(fpr)
        boot = [_tpr_at(rng.choice(pos, len(pos)), rng.choice(neg, len(neg)), fpr) for _ in range(N_BOOTSTRAP)]
        alpha = (1.0 - 0.95) / 2
        assert (stated.low, stated.high) == tuple(np.quantile(boot, [alpha, 1 - alpha]))


def _people_table(n_people: int, seed: int) -> pd.DataFrame:
    """People each on :data:`ROWS_EACH` identical rows (a monthly statement that never changes)."""
    rng = np.random.default_rng(seed)
    one = pd.DataFrame(
        {
            "pid": [f"P{i:04d}" for i in range(n_people)],
            "age": rng.integers(18, 90, n_people),
            "income": np.round(rng.lognormal(10, 0.5, n_people), -1),
            "region": rng.choice(list("ABCDE"), n_people),
        }
    )
    return one.loc[one.index.repeat(ROWS_EACH)].reset_index(drop=True)


def test_the_distance_attack_states_the_wider_interval_over_people() -> None:
    """End to end: half the training people copied whole into the synthetic table (their rows at distance 0),
    fresh people for the rest. The distance attack's stated TPR intervals are the people bootstrap of its scores,
    wider than the rows' bootstrap of the same scores."""
    table = _people_table(240, 0)
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, 0.3, seed=0, by="pid")
    ids = train["pid"].unique()
    copied = train[train["pid"].isin(ids[: len(ids) // 2])]
    fresh = _people_table(len(ids) - len(ids) // 2, 1)
    fresh["pid"] = "F" + fresh["pid"]
    synthetic = pd.concat([copied, fresh], ignore_index=True)
    inputs = PrivacyInputs(train, holdout, synthetic, schema, seed=0, person_column="pid")
    result = membership_inference(train, synthetic, holdout=holdout, inputs=inputs, shadow=False)
    distance = result.get("distance")
    assert distance is not None and distance.tpr_at_fpr
    # The attack's own scores, as membership_inference reads them.
    feats = inputs.target_features()
    sample = np.isin(inputs.member_targets, inputs.member_sample)
    pos, neg = -feats["members"][0][sample, 0], -feats["non_members"][0][:, 0]
    _, by_rows = roc_summary(pos, neg, seed=0)
    for rows, stated in zip(by_rows, distance.tpr_at_fpr, strict=True):
        assert stated.tpr == rows.tpr > 0.3, (rows, stated)  # the copied half is caught
        assert stated.high - stated.low > 1.5 * (rows.high - rows.low), (rows, stated)
