"""The privacy verdict's membership criterion over people (synth.evaluation.privacy.verdict_criteria): with a person
column the attacks over people are judged beside the row-level ones, on intervals Bonferroni-adjusted for every
attack of both levels; a copied visit of one person in five turns the light amber through the person level and says
so, fresh people stay green, and without a person column the criterion is judged on the row attacks alone as before."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

import synth
from synth.evaluation.privacy.common import AUC, auc_with_interval
from synth.evaluation.privacy.distances import PrivacyResult, evaluate_privacy
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.membership import MembershipAttack, MembershipResult, TprAtFpr
from synth.evaluation.privacy.people_membership import PersonAttack, PersonMembership
from synth.evaluation.privacy.verdict import privacy_verdict
from synth.evaluation.privacy.verdict_criteria import Thresholds, _family_low, membership_verdict
from tests.unit.test_people_membership import SCHEMA, _fill, evaluate_copies, visits

ORDER = {"grey": 0, "green": 1, "amber": 2, "red": 3}


@pytest.fixture(scope="module")
def table() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """1,500 people of 8 visits split 70/30 by person, and 1,500 other people of the same population."""
    train, holdout = synth.split(visits(1500, 8, seed=1), 0.3, seed=0, by="patient_id")
    return train, holdout, visits(1500, 8, seed=2, first=10**5)


def _privacy(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, seed: int = 0) -> PrivacyResult:
    inputs = PrivacyInputs(train, holdout, synthetic, SCHEMA, seed=seed)
    return evaluate_privacy(train, synthetic, holdout=holdout, inputs=inputs, seed=seed)


def _membership(privacy: PrivacyResult) -> MembershipResult:
    assert privacy.membership is not None
    return privacy.membership


def test_one_copied_visit_of_one_person_in_five_turns_membership_amber_over_people(table) -> None:  # type: ignore[no-untyped-def]
    train, holdout, fresh = table
    ids = train["patient_id"].unique()
    some = np.random.default_rng(1).choice(ids, len(ids) // 5, replace=False)
    one_each = train[train["patient_id"].isin(some)].groupby("patient_id").head(1)
    privacy = _privacy(train, holdout, _fill(train, one_each, fresh))
    verdict = privacy_verdict(privacy)
    membership = verdict.get("membership")
    assert membership is not None and membership.level in ("amber", "red"), membership
    # the person level tripped it, and the words lead with it
    assert membership.value.startswith("over people: ") and "; over rows: " in membership.value, membership.value
    assert "over rows and over people" in membership.threshold and "a patient_id" in membership.explanation
    # judged on the rows alone (the person column unknown), the same table's light is green: 1 row in 40 copied
    rows_only = privacy_verdict(
        dataclasses.replace(privacy, membership=dataclasses.replace(_membership(privacy), people=None))
    )
    alone = rows_only.get("membership")
    assert alone is not None and alone.level == "green" and "over people" not in alone.value, alone
    # the family is every attack judged: the person headline's lower bound is widened past its own four attacks'
    people = _membership(privacy).people
    assert people is not None and people.headline is not None
    tests = len(_membership(privacy).attacks) + len(people.attacks)
    assert tests > len(people.attacks)
    assert 0.5 < _family_low(people.headline, tests) < people.headline.auc_adjusted_low


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_fresh_held_out_people_as_the_synthetic_table_stay_green(table, seed: int) -> None:  # type: ignore[no-untyped-def]
    """The false-alarm check: people the model never saw, sampled afresh each seed, read green at both levels."""
    train, holdout, fresh = table
    privacy = _privacy(train, holdout, fresh.sample(len(train), random_state=seed), seed=seed)
    membership = privacy_verdict(privacy).get("membership")
    assert membership is not None and membership.level == "green", membership
    assert membership.value.startswith("over rows: ") and "; over people: " in membership.value


# ----------------------------------------------------------------------------------- the rule, for all inputs
@settings(max_examples=60, deadline=None)
@given(
    m=st.integers(5, 300),
    n=st.integers(5, 300),
    shift=st.floats(0.0, 2.0),
    tests=st.integers(1, 12),
    seed=st.integers(0, 2**16),
)
def test_the_widened_bound_is_delongs_at_the_bonferroni_level(
    m: int, n: int, shift: float, tests: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    pos, neg = rng.normal(shift, 1.0, m).round(1), rng.normal(0.0, 1.0, n).round(1)  # rounded: ties too
    attack = MembershipAttack("distance", "d", auc_with_interval(pos, neg), (), m, n)
    adjusted = auc_with_interval(pos, neg, 1 - 0.05 / tests)
    low = _family_low(attack, tests)
    if adjusted.low > 0 and attack.auc.low > 0:  # unclipped: the same bound
        assert low == pytest.approx(adjusted.low, abs=1e-9)
    assert (low > 0.5) == (adjusted.low > 0.5)  # clipped or not, the same decision


def _attack(cls: type[MembershipAttack], name: str, value: float, half: float) -> MembershipAttack:
    """An attack whose 95% DeLong interval is ``value ± half`` (clipped), its own adjusted bound for 4 attacks."""
    auc = AUC(value, max(value - half, 0.0), min(value + half, 1.0))
    own = value - half * stats.norm.ppf(1 - 0.05 / 8) / stats.norm.ppf(0.975)
    return cls(name, name, auc, (), 200, 200, auc_adjusted_low=max(own, 0.0))


def _expected(value: float, half: float, tests: int, limits: tuple[float, float]) -> str:
    """The light by hand: amber/red past the thresholds only when the bound widened for ``tests`` exceeds 0.5."""
    low = value - half * stats.norm.ppf(1 - 0.05 / (2 * tests)) / stats.norm.ppf(0.975)
    if value < limits[0] or low <= 0.5:
        return "green"
    return "red" if value >= limits[1] else "amber"


aucs = st.tuples(st.floats(0.3, 0.95), st.floats(0.005, 0.15))
#: AUC 0.6 ± 0.075: beyond noise for four attacks (adjusted low 0.504), within it for eight (0.495).
BORDERLINE = (0.6, 0.075)


@settings(max_examples=300, deadline=None)
@example(rows=[BORDERLINE] * 4, people=None)
@example(rows=[(0.5, 0.05)] * 4, people=[BORDERLINE] * 4)
@example(rows=[BORDERLINE] * 4, people=[(0.5, 0.05)] * 4)
@example(rows=[(0.5, 0.05)] * 4, people=[(0.6, 0.06)] * 4)
@given(rows=st.lists(aucs, min_size=1, max_size=4), people=st.one_of(st.none(), st.lists(aucs, min_size=1, max_size=4)))
def test_membership_is_judged_on_the_family_of_every_attack_and_names_the_level(
    rows: list[tuple[float, float]], people: list[tuple[float, float]] | None
) -> None:
    limits = Thresholds().membership
    row_attacks = [_attack(MembershipAttack, f"r{i}", v, h) for i, (v, h) in enumerate(rows)]
    mia = MembershipResult(row_attacks[0].auc, 200, 200, 0.1, 0.1, 0.0, 0.0, attacks=tuple(row_attacks))
    row_head = max(range(len(rows)), key=lambda i: rows[i][0])
    if people is None:
        # no person column: judged as before, on the row headline's own adjusted bound, with no level named
        c = membership_verdict(mia, limits)
        own = row_attacks[row_head].auc_adjusted_low
        v = rows[row_head][0]
        assert c.level == ("green" if v < limits[0] or own <= 0.5 else "red" if v >= limits[1] else "amber")
        assert "over people" not in c.value and "over rows" not in c.value
        return
    person_attacks = [_attack(PersonAttack, f"p{i}", v, h) for i, (v, h) in enumerate(people)]
    group = PersonMembership("patient_id", tuple(person_attacks), 100, 100, 100, 400, 400, 0, 300)  # type: ignore[arg-type]
    c = membership_verdict(dataclasses.replace(mia, people=group), limits)
    tests = len(rows) + len(people)
    person_head = max(range(len(people)), key=lambda i: people[i][0])
    by_rows = _expected(*rows[row_head], tests, limits)
    by_people = _expected(*people[person_head], tests, limits)
    assert c.level == max(by_rows, by_people, key=ORDER.__getitem__)
    lead = "over people: " if ORDER[by_people] > ORDER[by_rows] else "over rows: "
    assert c.value.startswith(lead) and "over rows: " in c.value and "over people: " in c.value


# ------------------------------------------------------------------------------------------------ synth evaluate
def test_synth_evaluate_gives_the_person_level_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from synth.cli import main

    # one visit in six of every training person
    assert main(evaluate_copies(tmp_path, monkeypatch, lambda train: train.groupby("patient_id").head(1))) == 0
    err = capsys.readouterr().err
    out = json.loads((tmp_path / "out.json").read_text())
    membership = next(c for c in out["privacy_verdict"]["criteria"] if c["key"] == "membership")
    assert membership["level"] in ("amber", "red") and membership["value"].startswith("over people: ")
    assert f"  {membership['level']} Membership inference: over people: " in err, err


# ------------------------------------------------------------------------------------------------ the exact words
def _with_tprs(attack: MembershipAttack) -> MembershipAttack:
    """The attack with a TPR at 10% FPR only (1% needs more non-members than it has)."""
    return dataclasses.replace(attack, tpr_at_fpr=(TprAtFpr(0.1, 0.25, 0.2, 0.3),))


def test_the_membership_words_are_pinned() -> None:
    """The row-level and person-level words, written out in full: the two levels share their tail (AUC with its
    interval, the TPRs, "strongest of N attacks", the noise note), and refactoring that tail must not move a word."""
    limits = Thresholds().membership
    rows = [
        _with_tprs(_attack(MembershipAttack, "Distance", 0.6, 0.075)),
        _attack(MembershipAttack, "Shadow", 0.52, 0.05),
    ]
    mia = MembershipResult(rows[0].auc, 200, 200, 0.1, 0.1, 0.0, 0.0, attacks=tuple(rows))
    tprs = "TPR 25.0% at 10% FPR (95% CI 20.0%–30.0%); TPR at 1% FPR n/a (needs ≥ 100 non-members)"
    rows_only = membership_verdict(mia, limits)
    assert (rows_only.level, rows_only.value) == (
        "amber",
        f"Distance: AUC 0.600 (95% CI 0.525–0.675; 0.5 = no signal) over 200 training and 200 holdout rows; {tprs}; "
        "strongest of 2 attacks",
    )
    one = membership_verdict(dataclasses.replace(mia, attacks=(rows[1],)), limits)
    assert (one.level, one.value) == (
        "green",
        "Shadow: AUC 0.520 (95% CI 0.470–0.570; 0.5 = no signal) over 200 training and 200 holdout rows; "
        "TPR at 1% FPR n/a (needs ≥ 100 non-members); TPR at 10% FPR n/a (needs ≥ 10 non-members)",
    )
    legacy = membership_verdict(dataclasses.replace(mia, auc=AUC(0.58, 0.49, 0.67), attacks=()), limits)
    assert (legacy.level, legacy.value) == (
        "green",
        "AUC 0.580 (95% CI 0.490–0.670; 0.5 = no signal) over 200 training and 200 holdout rows"
        " (within sampling noise: its 95% interval includes no risk)",
    )
    # the rows' head is beyond noise for the 4 attacks judged (adjusted low 0.504), the people's head within it (0.498)
    best = dataclasses.replace(_attack(PersonAttack, "Best row", 0.6, 0.08), n_members=100, n_non_members=90)
    people = [_with_tprs(dataclasses.replace(best, advantage=0.2)), _attack(PersonAttack, "Mean", 0.5, 0.05)]
    group = PersonMembership("patient_id", tuple(people), 100, 90, 90, 400, 360, 0, 300)  # type: ignore[arg-type]
    both = membership_verdict(dataclasses.replace(mia, people=group), limits)
    noise = (
        " (within sampling noise: widened for the 4 attacks (2 over rows, 2 over people) judged, its 95% interval is "
        "{} up, which includes 0.5 (no signal))"
    )
    low = f"from {_family_low(people[0], 4):.3f}"
    assert low == "from 0.498"
    assert (both.level, both.value) == (
        "amber",
        f"over rows: Distance: AUC 0.600 (95% CI 0.525–0.675; 0.5 = no signal) over 200 training and 200 holdout "
        f"rows; {tprs}; strongest of 2 attacks; over people: Best row: AUC 0.600 (95% CI "
        "0.520–0.680; 0.5 = no signal) over 100 training and 90 holdout people (a person is one value of patient_id "
        f"with all its rows); advantage 0.200; {tprs}; strongest of 2 attacks over people" + noise.format(low),
    )
