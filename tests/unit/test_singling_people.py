"""Singling out over people: a predicate that matches every visit of one patient isolates that patient.

The attack counted a success only when a predicate matched exactly one distinct row, so on a table of visits a
synthetic table that gave back each training patient's date of birth, sex and region (with fresh visits) went
nearly unseen: the predicates built on them matched all of a patient's visits, several distinct rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.privacy.attack_result import AttackResult
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.singling_out import Queries, match_matrix
from synth.evaluation.privacy.singling_people import people_counts, people_matrix
from synth.evaluation.privacy.wp216 import singling_out


def _visits(n_people: int, seed: int, first: int) -> pd.DataFrame:
    """Patients with 1–6 visits each: date of birth, sex and region per patient; department, cost and day per
    visit."""
    rng = np.random.default_rng(seed)
    k = rng.integers(1, 7, n_people)
    person = np.repeat(np.arange(n_people), k)
    dob = pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 60 * 365, n_people), unit="D")
    n = len(person)
    return pd.DataFrame(
        {
            "patient_id": [f"P{first + p:06d}" for p in person],
            "dob": dob[person],
            "sex": rng.choice(["F", "M"], n_people)[person],
            "region": rng.choice([f"r{i}" for i in range(12)], n_people)[person],
            "dept": rng.choice(list("ABCDEFGH"), n),
            "cost": np.round(rng.gamma(2.0, 100.0, n), 2),
            "visit": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D"),
        }
    )


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, synth.Schema]:
    train, holdout, fresh = _visits(600, 0, 0), _visits(600, 1, 10_000), _visits(600, 2, 20_000)
    schema = synth.infer_schema(pd.concat([train, holdout], ignore_index=True))
    assert schema["patient_id"].kind is synth.ColumnKind.IDENTIFIER
    return train, holdout, fresh, schema


def _leak(train: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """Each training patient once, with their date of birth, sex and region, and a fresh visit."""
    once = train.drop_duplicates("patient_id").reset_index(drop=True)
    visits = fresh.sample(len(once), replace=True, random_state=3).reset_index(drop=True)
    for column in ("dept", "cost", "visit"):
        once[column] = visits[column].to_numpy()
    once["patient_id"] = [f"S{i:06d}" for i in range(len(once))]
    return once


def _attack(
    train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame, schema: synth.Schema, mode: str, people: bool
) -> AttackResult:
    if not people:  # rows alone: the tables without the person column, as the attack read them before
        train, holdout, synthetic = (t.drop(columns="patient_id") for t in (train, holdout, synthetic))
        schema = synth.Schema(tuple(s for s in schema if s.name != "patient_id"))
    inputs = PrivacyInputs(train, holdout, synthetic, schema, person_column="patient_id" if people else None)
    assert (inputs.people is not None) is people
    return singling_out(train, synthetic, holdout=holdout, schema=schema, mode=mode, n_attacks=500, inputs=inputs)


@pytest.mark.parametrize("mode", ["univariate", "multivariate"])
def test_patients_given_back_once_are_singled_out_over_people(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, synth.Schema], mode: str
) -> None:
    train, holdout, fresh, schema = tables
    leak = _leak(train, fresh)
    over_people = _attack(train, holdout, leak, schema, mode, people=True)
    over_rows = _attack(train, holdout, leak, schema, mode, people=False)
    assert over_people.risk.low > 0.02, over_people.risk  # caught: the interval excludes no risk
    assert over_people.risk.value > over_rows.risk.value + 0.05
    if mode == "univariate":  # rows alone barely saw it (0.06 against 0.52 over people, seed 0)
        assert over_people.risk.low > over_rows.risk.high
    assert "training people" in over_people.detail and "patient_id" in over_people.detail


@pytest.mark.parametrize("mode", ["univariate", "multivariate"])
def test_fresh_patients_are_not_singled_out_over_people(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, synth.Schema], mode: str
) -> None:
    train, holdout, fresh, schema = tables
    result = _attack(train, holdout, fresh, schema, mode, people=True)
    assert result.risk.low == 0.0 and result.risk.value < 0.05, result.risk


def test_two_people_with_the_same_rows_are_not_one_person() -> None:
    values = np.array([[1.0, 1.0, 2.0], [0.0, 0.0, 1.0]])  # columns × rows: rows 0 and 1 identical
    queries = Queries(np.array([[0, 1]]), np.array([[0, 0]]), np.array([[1.0, 0.0]]))
    assert people_counts(values, queries, np.array([7, 8, 9])).tolist() == [2]  # two people: isolates neither
    assert people_counts(values, queries, np.array([7, 7, 9])).tolist() == [1]  # one person's two rows: isolated


@settings(max_examples=40, deadline=None)
@given(
    data=st.data(),
    n_rows=st.integers(1, 40),
    n_queries=st.integers(1, 300),
)
def test_a_person_matches_when_any_of_their_rows_does(data: st.DataObject, n_rows: int, n_queries: int) -> None:
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    values = rng.integers(0, 3, (2, n_rows)).astype(float)
    values[rng.random(values.shape) < 0.1] = np.nan
    queries = Queries(
        rng.integers(0, 2, (n_queries, 2)), rng.integers(0, 8, (n_queries, 2)), rng.integers(0, 3, (n_queries, 2)) * 1.0
    )
    codes = rng.integers(0, max(1, n_rows // 2), n_rows)
    rows = match_matrix(values, queries)
    expected = np.array([[rows[q, codes == c].any() for c in np.unique(codes)] for q in range(n_queries)])
    assert np.array_equal(people_matrix(values, queries, codes), expected)


def test_told_no_person_each_row_is_its_own_and_left_out_one_is_found(
    tables: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, synth.Schema],
) -> None:
    """The Data page's "no person" reaches the privacy measures (they found the finder's column anyway), and the
    scores, as the fit (tests/unit/test_person_column.py); an API call that says nothing still finds one."""
    train, holdout, fresh, schema = tables
    found = PrivacyInputs(train, holdout, fresh, schema).people
    assert found is not None and found.column == "patient_id"
    assert PrivacyInputs(train, holdout, fresh, schema, person_column=None).people is None
    assert synth.EvaluationContext(train, fresh, holdout, schema).people == "patient_id"
    assert synth.EvaluationContext(train, fresh, holdout, schema, person_column=None).people is None
    told_none = PrivacyInputs(train, holdout, _leak(train, fresh), schema, person_column=None)
    result = singling_out(train, fresh, holdout=holdout, schema=schema, mode="univariate", inputs=told_none)
    assert "distinct training rows" in result.detail
