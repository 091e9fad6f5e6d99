"""Linkability and inference over people: each training and holdout patient is attacked once, through one visit.

The attacks drew rows: a patient with six visits was targeted six times as often as one with one, and the rates
counted visits as independent trials. With a person column they draw people (synth.evaluation.privacy.attack_people);
without one every figure reads as before.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.privacy.attack_people import attack_targets, person_targets
from synth.evaluation.privacy.attack_result import AttackResult
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.linkability import linkability
from synth.evaluation.privacy.verdict_criteria import attack_verdict
from synth.evaluation.privacy.wp216 import RARE_IN_SYNTHETIC, inference
from synth.plots.privacy import attack_rates
from tests.unit.test_singling_people import _visits

Tables = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, synth.Schema]
LINK = {"columns_a": ["dob", "sex"], "columns_b": ["region", "dept"]}
VISIT_COST = {"known": ["dob", "sex", "dept", "visit"], "secret": "cost"}  # a visit's own value
REGION = {"known": ["dob", "sex"], "secret": "region"}  # a patient's value, the same on every visit


@pytest.fixture(scope="module")
def tables() -> Tables:
    """600 training and 600 holdout patients of 1–6 visits (2,171 and 2,113 rows), and 600 fresh patients."""
    train, holdout, fresh = _visits(600, 0, 0), _visits(600, 1, 10_000), _visits(600, 2, 20_000)
    schema = synth.infer_schema(pd.concat([train, holdout], ignore_index=True))
    return train, holdout, fresh, schema


def _one_visit_each(train: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """One real visit of each training patient, verbatim, and fresh patients' visits besides (as many rows as train)."""
    once = train.groupby("patient_id").sample(1, random_state=3)
    rest = fresh.sample(len(train) - len(once), replace=True, random_state=3)
    out = pd.concat([once, rest], ignore_index=True)
    out["patient_id"] = [f"S{i:06d}" for i in range(len(out))]
    return out


def _rare_people(real: pd.DataFrame, synthetic: pd.DataFrame, known: list[str]) -> int:
    """People with a row whose known values occur in at most RARE_IN_SYNTHETIC synthetic rows, counted by pandas."""
    in_synthetic = synthetic.groupby(known).size().rename("n").reset_index()
    counted = real.merge(in_synthetic, on=known, how="left").fillna({"n": 0})
    return int(counted.loc[counted["n"] <= RARE_IN_SYNTHETIC, "patient_id"].nunique())


def _expected_n(result: AttackResult, real: pd.DataFrame, synthetic: pd.DataFrame) -> int:
    """The targets a result over people should have: every patient, or every patient rare on the known columns."""
    if result.name != "inference_rare":
        return real["patient_id"].nunique()
    return _rare_people(real, synthetic, list(result.columns))


def _inputs(tables: Tables, synthetic: pd.DataFrame, people: bool) -> PrivacyInputs:
    train, holdout, _, schema = tables
    return PrivacyInputs(train, holdout, synthetic, schema, person_column="patient_id" if people else None)


def _attacks(tables: Tables, synthetic: pd.DataFrame, inputs: PrivacyInputs, n: int = 2000) -> list[AttackResult]:
    train, holdout, _, schema = tables
    common = {"holdout": holdout, "schema": schema, "n_attacks": n, "inputs": inputs}
    out = [linkability(train, synthetic, **LINK, **common)]  # type: ignore[arg-type]
    for model in (VISIT_COST, REGION):
        for rare in (False, True):
            out.append(inference(train, synthetic, **model, **common, rare_only=rare))  # type: ignore[arg-type]
    return out


def test_one_copied_visit_of_each_training_patient_is_caught_over_people(tables: Tables) -> None:
    train, holdout, fresh, _ = tables
    leak = _one_visit_each(train, fresh)
    over_people = _attacks(tables, leak, _inputs(tables, leak, people=True))
    over_rows = _attacks(tables, leak, _inputs(tables, leak, people=False))
    for person, row in zip(over_people, over_rows, strict=True):
        assert person.risk.low > 0.2, (person.name, person.risk)  # caught: the interval excludes no risk
        # one trial per patient: every (rare) patient of each side, not their 2,000 sampled visits
        expected = (_expected_n(person, train, leak), _expected_n(person, holdout, leak))
        assert (person.main.n_total, person.control.n_total) == expected and min(expected) > 500, person.name
        assert (row.main.n_total, row.control.n_total) == (2000, 2000)
        assert f"{expected[0]:,} training and {expected[1]:,} holdout people" in person.detail
        assert "(a person is one value of patient_id with all its rows, attacked once" in person.detail
        assert person.person == "patient_id" and person.to_dict()["person"] == "patient_id"
    link, cost = over_people[0], over_people[1]
    # a patient with one visit is always given away, one with six in one visit of six: rows weighted the latter six
    # times (0.29 over rows, 0.41 over people; linkability 0.35 and 0.45)
    assert cost.risk.value > over_rows[1].risk.value + 0.05, (cost.risk, over_rows[1].risk)
    assert link.risk.value > over_rows[0].risk.value + 0.05, (link.risk, over_rows[0].risk)
    # the words count people too
    judged = attack_verdict("inference", "Inference", [cost], (0.05, 0.15))
    assert judged.level == "red" and "on training people" in judged.value and "holdout people" in judged.value
    rows_judged = attack_verdict("inference", "Inference", [over_rows[1]], (0.05, 0.15))
    assert "on training rows" in rows_judged.value
    legend = [trace.name for trace in attack_rates(over_people).data]
    assert legend[:2] == ["training people (main)", "holdout people (control)"]
    assert attack_rates(over_rows).data[0].name == "training rows (main)"


def test_fresh_patients_are_not_caught_over_people(tables: Tables) -> None:
    train, holdout, fresh, _ = tables
    for result in _attacks(tables, fresh, _inputs(tables, fresh, people=True)):
        assert result.risk.low == 0.0 and result.risk.value < 0.05, (result.name, result.risk)
        expected = (_expected_n(result, train, fresh), _expected_n(result, holdout, fresh))
        assert (result.main.n_total, result.control.n_total) == expected, result.name


def test_without_a_person_the_attacks_read_as_on_a_table_with_no_person_column(tables: Tables) -> None:
    """Told no person, the attacks give what they give on the tables without the column: rows, as before."""
    train, holdout, fresh, schema = tables
    leak = _one_visit_each(train, fresh)
    told_none = _attacks(tables, leak, _inputs(tables, leak, people=False), n=500)
    bare_train, bare_holdout, bare_leak = (t.drop(columns="patient_id") for t in (train, holdout, leak))
    bare_schema = synth.Schema(tuple(s for s in schema if s.name != "patient_id"))
    bare = _attacks(
        (bare_train, bare_holdout, fresh, bare_schema),
        bare_leak,
        PrivacyInputs(bare_train, bare_holdout, bare_leak, bare_schema),
        n=500,
    )
    assert [r.to_dict() for r in told_none] == [r.to_dict() for r in bare]
    for result in told_none:
        assert result.person is None and "person" not in result.to_dict()  # written as before people were counted
        assert result.main.n_total == 500 and "a person is" not in result.detail


def test_a_patient_with_many_visits_is_targeted_once_per_side(tables: Tables) -> None:
    train, holdout, fresh, schema = tables
    # the first patient of each side gets 400 more visits: a sixth of the rows, 300 of 2,000 row targets
    train, holdout = (
        pd.concat([t, t[t["patient_id"] == t["patient_id"].iloc[0]].sample(400, replace=True, random_state=0)])
        for t in (train, holdout)
    )
    inputs = PrivacyInputs(train, holdout, fresh, schema, person_column="patient_id")
    assert inputs.people is not None
    messages: list[str] = []
    common = {"holdout": holdout, "schema": schema, "inputs": inputs}
    linked = linkability(train, fresh, **LINK, **common, progress=lambda f, m: messages.append(m))  # type: ignore[arg-type]
    guessed = inference(train, fresh, **VISIT_COST, **common)  # type: ignore[arg-type]
    for result in (linked, guessed):
        assert (result.main.n_total, result.control.n_total) == (600, 600), result.name
    assert "linking 600 training people through synthetic neighbours" in messages
    rng = np.random.default_rng(0)  # the attacks' own draws, in their order: train, then holdout
    for which, codes in (("train", inputs.people.train), ("holdout", inputs.people.holdout)):
        rows = attack_targets(inputs.people, which, len(codes), 2000, rng)
        searched = inputs.runs["gower_nearest"]
        inputs.gower_nearest(which, LINK["columns_a"], rows)  # type: ignore[arg-type]
        assert inputs.runs["gower_nearest"] == searched  # the attack searched exactly these rows
        assert len(np.unique(codes[rows])) == len(rows) == 600
        heavy = np.flatnonzero(codes == codes[0])
        assert len(heavy) > 400 and len(np.intersect1d(rows, heavy)) == 1


def test_each_of_a_persons_rows_is_as_likely_to_be_the_target() -> None:
    codes = np.repeat(np.arange(4), [1, 6, 2, 3])
    picked = np.concatenate([person_targets(codes, 4, np.random.default_rng(seed)) for seed in range(1200)])
    counts = np.bincount(picked, minlength=len(codes))
    # 1,200 draws per person: 200 for each of a six-visit patient's rows, 600 for each of a two-visit patient's
    assert counts[0] == 1200 and np.all(np.abs(counts[1:7] - 200) < 60) and np.all(np.abs(counts[7:9] - 600) < 90)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n_rows=st.integers(1, 80), n_attacks=st.integers(1, 60))
def test_targets_are_distinct_people_one_candidate_row_each(data: st.DataObject, n_rows: int, n_attacks: int) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    codes = rng.integers(0, data.draw(st.integers(1, n_rows)), n_rows)
    candidates = np.flatnonzero(rng.random(n_rows) < data.draw(st.floats(0.0, 1.0)))
    rows = person_targets(codes, n_attacks, np.random.default_rng(1), candidates)
    eligible = np.unique(codes[candidates])
    assert np.all(np.diff(rows) > 0) and np.isin(rows, candidates).all()  # sorted candidate rows
    assert len(np.unique(codes[rows])) == len(rows) == min(n_attacks, len(eligible))  # each person at most once
    every = person_targets(codes, n_rows, np.random.default_rng(2))  # enough attacks: every person, once
    assert np.array_equal(np.sort(codes[every]), np.unique(codes))


@pytest.mark.parametrize("column", ["email", "patient_id", "IBAN"])
def test_a_person_reads_for_any_column_name(column: str) -> None:
    """The session-25 walk read "a person is a email" on the Privacy page and in the report."""
    from synth.evaluation.people import a_person

    words = f"a person is {a_person(column)}"
    assert words == f"a person is one value of {column} with all its rows"
    assert f"a {column}" not in words and f"an {column}" not in words
