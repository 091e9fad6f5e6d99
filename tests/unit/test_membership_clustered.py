"""Membership over rows when people repeat (synth.evaluation.privacy.common.auc_with_interval with clusters): a
person's rows are alike, so the row AUC's interval counts each person as one cluster (Obuchowski's clustered DeLong).
Fresh holders of the bank ledger read green over rows on every split (row-wise DeLong read 2 splits of 12 amber), a
table copying whole training holders is still caught over rows and over people, and one score per person is DeLong's
interval exactly."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from benchmarks.ledger import ledger
from synth.evaluation.privacy.common import auc_with_interval
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.membership import MembershipResult, membership_inference
from synth.evaluation.privacy.verdict_criteria import Thresholds, _over_people, _over_rows
from synth.schema import Schema

SPLITS = range(12)


@pytest.fixture(scope="module")
def ledgers() -> tuple[pd.DataFrame, pd.DataFrame, Schema]:
    """The seeded ledger (300 holders of 3–40 bookings) and 900 fresh holders of the same generator."""
    table = ledger()
    fresh = ledger(rows=3 * len(table), holders=900, seed=77)
    fresh["holder_id"] = "F" + fresh["holder_id"]  # no fresh holder shares an id with a real one
    return table, fresh, synth.infer_schema(table)


def _fresh_holders(fresh: pd.DataFrame, n_rows: int, seed: int) -> pd.DataFrame:
    """Whole fresh holders in a seeded order until about ``n_rows`` rows."""
    ids = np.random.default_rng(seed).permutation(fresh["holder_id"].unique())
    chosen = ids[: round(len(ids) * n_rows / len(fresh))]
    return fresh[fresh["holder_id"].isin(chosen)].reset_index(drop=True)


def _run(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> MembershipResult:
    inputs = PrivacyInputs(train, holdout, synthetic, schema, seed=0, person_column="holder_id")
    return membership_inference(train, synthetic, holdout=holdout, inputs=inputs, shadow=False)


def _lights(result: MembershipResult) -> tuple[str, str]:
    """The over-rows and over-people lights, as the verdict reads them (adjusted for every attack of both levels)."""
    assert result.people is not None
    tests = len(result.attacks) + len(result.people.attacks)
    limits = Thresholds().membership
    return _over_rows(result, limits, tests, "attacks")[0], _over_people(result.people, limits, tests, "attacks")[0]


def test_fresh_holders_read_green_over_rows_on_nine_splits_in_ten(ledgers) -> None:  # type: ignore[no-untyped-def]
    table, fresh, schema = ledgers
    lights, aucs, widths = [], [], []
    for split in SPLITS:
        train, holdout = synth.split(table, 0.2, seed=split, by="holder_id")
        result = _run(train, holdout, _fresh_holders(fresh, len(train), split), schema)
        lights.append(_lights(result)[0])
        distance = result.get("distance")
        assert distance is not None
        aucs.append(distance.auc.value)
        widths.append((distance.auc.high - distance.auc.low) / 2)
    # Row-wise DeLong read 2 of these 12 splits amber (split 0: AUC 0.556, adjusted lower bound 0.522).
    assert sum(light == "green" for light in lights) >= 0.9 * len(SPLITS), lights
    # The stated interval is as wide as the AUC's spread over splits shows: its standard error was half that spread.
    assert np.mean(widths) / 1.96 >= 0.8 * np.std(aucs, ddof=1), (widths, aucs)


def test_copying_whole_training_holders_is_caught_over_rows_and_people(ledgers) -> None:  # type: ignore[no-untyped-def]
    table, fresh, schema = ledgers
    train, holdout = synth.split(table, 0.2, seed=0, by="holder_id")
    ids = train["holder_id"].unique()
    copied = train[train["holder_id"].isin(np.random.default_rng(0).choice(ids, len(ids) // 2, replace=False))]
    synthetic = pd.concat([copied, _fresh_holders(fresh, len(train) - len(copied), 1)], ignore_index=True)
    result = _run(train, holdout, synthetic, schema)
    rows, people = _lights(result)
    assert rows != "green" and people != "green", (rows, people)
    head = result.headline
    assert head is not None and head.auc_adjusted_low > 0.6, head


@settings(max_examples=100, deadline=None)
@given(scores=st.lists(st.integers(0, 6), min_size=6, max_size=40), cut=st.integers(2, 4), k=st.integers(2, 6))
def test_one_score_per_person_is_delong_and_repeating_every_persons_score_changes_nothing(
    scores: list[int], cut: int, k: int
) -> None:
    pos, neg = np.array(scores[:cut], dtype=float), np.array(scores[cut:], dtype=float)
    people = np.arange(len(scores))
    delong = auc_with_interval(pos, neg)
    one = auc_with_interval(pos, neg, clusters=(people[:cut], people[cut:]))
    assert (one.value, one.low, one.high) == pytest.approx((delong.value, delong.low, delong.high))
    # every person's score on k rows: the same evidence, so clustered the same interval; row-wise DeLong counts each
    # copy as new evidence and narrows it about √k-fold
    rows = (np.repeat(pos, k), np.repeat(neg, k))
    clustered = auc_with_interval(*rows, clusters=(np.repeat(people[:cut], k), np.repeat(people[cut:], k)))
    assert clustered.value == pytest.approx(delong.value)
    assert (clustered.low, clustered.high) == pytest.approx((delong.low, delong.high))
    if delong.low > 0 and delong.high < 1 and delong.high > delong.low:
        rowwise = auc_with_interval(*rows)
        assert rowwise.high - rowwise.low < clustered.high - clustered.low
