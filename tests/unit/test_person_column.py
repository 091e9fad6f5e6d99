"""A fit told whose row each row is (``fit(person_column=...)``, the Data page's split column): the model holds that
column's people, not the one the finder would pick; told none it holds nothing; a column the table lacks, or one
that names no person, is refused before anything is learned; a DP model still reads nothing of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.synthesizers.people import FIND_PERSON, People

SCHEMA = Schema(
    (
        ColumnSpec("patient_id", ColumnKind.IDENTIFIER),
        ColumnSpec("household_id", ColumnKind.IDENTIFIER),
        ColumnSpec("region", ColumnKind.CATEGORICAL),
        ColumnSpec("sex", ColumnKind.CATEGORICAL),
        ColumnSpec("cost", ColumnKind.CONTINUOUS),
    )
)


def households(n: int = 1_500, patients: int = 300, homes: int = 60, seed: int = 0) -> pd.DataFrame:
    """Visits of patients who live in households: a household's region is the same on all of its rows, a patient's
    sex on all of theirs, and a household holds patients of both sexes. Two notions of person, one table."""
    rng = np.random.default_rng(seed)
    home = rng.integers(0, homes, patients)
    region = rng.choice(list("ABCDEFG"), homes)
    sex = rng.choice(["F", "M"], patients)
    who = rng.integers(0, patients, n)
    return pd.DataFrame(
        {
            "patient_id": [f"P{p:04d}" for p in who],
            "household_id": [f"H{home[p]:03d}" for p in who],
            "region": region[home[who]],
            "sex": sex[who],
            "cost": rng.gamma(2.0, 100.0, n).round(2),
        }
    )


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "<na>").astype(str)  # missing counts as a value


def _mixed(frame: pd.DataFrame, entity: str, column: str) -> int:
    """How many present values of ``entity`` hold more than one value of ``column``."""
    present = frame[frame[entity].notna()]
    return int((_text(present[column]).groupby(present[entity]).nunique() > 1).sum())


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return households()


@pytest.mark.parametrize("name", ["independent", "gaussian_copula"])
def test_a_fit_told_a_column_holds_that_columns_people(table: pd.DataFrame, name: str) -> None:
    assert _mixed(table, "household_id", "region") == 0 and _mixed(table, "household_id", "sex") > 0  # the claim
    found = synth.create(name, random_state=0).fit(table, SCHEMA)
    assert found.people_ is not None and found.people_.entity == "patient_id"  # the finder's person, as before
    told = synth.create(name, random_state=0).fit(table, SCHEMA, person_column="household_id")
    assert told.people_ == People("household_id", modelled=("region",))
    syn = told.sample(1_500, seed=1)
    assert syn["household_id"].duplicated().sum() > 1_000  # households repeat, so holding them is a claim
    assert _mixed(syn, "household_id", "region") == 0
    assert _mixed(syn, "household_id", "sex") > 10  # a patient-level column is left as drawn
    assert _mixed(syn, "patient_id", "sex") > 10  # and the finder's person holds nothing now


def test_a_fit_told_no_person_holds_nothing(table: pd.DataFrame) -> None:
    model = synth.create("independent", random_state=0).fit(table, SCHEMA, person_column=None)
    assert model.people_ is None
    syn = model.sample(1_500, seed=1)
    assert _mixed(syn, "patient_id", "sex") > 10 and _mixed(syn, "household_id", "region") > 10
    again = synth.create("independent", random_state=0).fit(table, SCHEMA, person_column=FIND_PERSON)
    assert again.people_ is not None and again.people_.entity == "patient_id"  # FIND_PERSON is the default


@pytest.mark.parametrize(
    ("column", "message"),
    [
        ("customer_id", "'customer_id' is not a column of the table"),
        ("region", "'region' is a categorical column, which names no person"),
        ("cost", "'cost' is a continuous column, which names no person"),
    ],
)
@pytest.mark.parametrize("name", ["independent", "privbayes"])
def test_a_column_that_cannot_name_a_person_is_refused_before_the_fit(
    table: pd.DataFrame, column: str, message: str, name: str
) -> None:
    model = synth.create(name, random_state=0)
    reports: list[float] = []
    with pytest.raises(synth.SynthesizerError, match=message):
        model.fit(table, SCHEMA, person_column=column, progress=lambda f, m: reports.append(f))
    assert not model.is_fitted and reports == []  # refused before anything is learned


def test_a_refused_refit_leaves_the_fitted_model_as_it_was(table: pd.DataFrame) -> None:
    model = synth.create("independent", random_state=0).fit(table, SCHEMA, person_column="household_id")
    before = model.sample(200, seed=3)
    with pytest.raises(synth.SynthesizerError):
        model.fit(table, SCHEMA, person_column="nobody")
    assert model.people_ is not None and model.people_.entity == "household_id"
    pd.testing.assert_frame_equal(model.sample(200, seed=3), before)


def test_a_dp_model_told_a_person_still_reads_nothing(table: pd.DataFrame) -> None:
    model = synth.create("privbayes", random_state=0).fit(table, SCHEMA, person_column="household_id")
    assert model.people_ is None


@settings(max_examples=25, deadline=None)
@given(
    people=st.integers(1, 60),
    rows=st.integers(2, 240),
    kind=st.sampled_from([ColumnKind.IDENTIFIER, ColumnKind.PII]),
    missing=st.sampled_from([0.0, 0.2, 1.0]),
    seed=st.integers(0, 2**16),
)
def test_for_any_table_a_told_column_holds_its_people_and_the_file_loads(
    tmp_path_factory: pytest.TempPathFactory, people: int, rows: int, kind: ColumnKind, missing: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    who = rng.integers(0, people, rows)
    frame = pd.DataFrame(
        {
            "who": pd.Series([f"p{w}@example.org" for w in who], dtype=object).mask(rng.random(rows) < missing),
            "group": np.array(["a", "b", "c"])[rng.integers(0, 3, people)][who],  # one value per person
            "spend": rng.gamma(2.0, 10.0, rows).round(2),
        }
    )
    schema = Schema(
        (
            ColumnSpec("who", kind, pii_type="email" if kind is ColumnKind.PII else None),
            ColumnSpec("group", ColumnKind.CATEGORICAL),
            ColumnSpec("spend", ColumnKind.CONTINUOUS),
        )
    )
    model = synth.create("independent", random_state=0, min_category_rows=1).fit(frame, schema, person_column="who")
    plan = model.people_
    assert plan is None or plan.entity == "who"
    if frame["who"].notna().sum() == 0:
        assert plan is None  # no one is named: each row is its own person
    syn = model.sample(rows, seed=1)
    for column in () if plan is None else plan.held:
        assert _mixed(syn, "who", column) == 0, column
    path = tmp_path_factory.mktemp("told") / "model.synth"
    model.save(path)
    pd.testing.assert_frame_equal(synth.load_model(path).sample(rows, seed=2), model.sample(rows, seed=2))


def test_the_walk_clinic_told_its_patient_holds_what_the_finder_held(tmp_path: Path) -> None:
    """Told the column the finder picks, a fit is today's fit: the same plan, the same rows."""
    from benchmarks import walk_tables

    clinic = walk_tables.clinic(n=800, patients=200)
    found = synth.create("gaussian_copula", random_state=0).fit(clinic)
    told = synth.create("gaussian_copula", random_state=0).fit(clinic, person_column="patient_id")
    assert found.people_ is not None and told.people_ == found.people_
    pd.testing.assert_frame_equal(told.sample(400, seed=1), found.sample(400, seed=1))


@pytest.fixture(scope="module")
def split_homes() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.split(households(n=3_000, patients=600, homes=150), 0.3, seed=0, by="household_id")


def test_a_race_fits_and_scores_every_run_by_the_column_it_is_told(
    split_homes: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """The Race page passes the Data page's column: each fit holds its people and each score attacks them."""
    from synth.report import Contender, EvaluationSettings

    train, holdout = split_homes
    light = EvaluationSettings(utility=False, attacks=False, headline=False, membership_targets=300)
    runs = {
        told: synth.race(
            train, holdout, [Contender("independent")], schema=SCHEMA, settings=light, person_column=told
        ).runs[0]
        for told in ("household_id", None)
    }
    told = runs["household_id"]
    assert told.ok and told.model is not None and told.model.people_ == People("household_id", modelled=("region",))
    assert _mixed(told.synthetic, "household_id", "region") == 0
    privacy = told.evaluation.privacy if told.evaluation is not None else None
    people = privacy.membership.people if privacy is not None and privacy.membership is not None else None
    assert people is not None and people.column == "household_id"
    none = runs[None]
    assert none.ok and none.model is not None and none.model.people_ is None


def test_a_manifest_reproduces_runs_fitted_by_the_split_column(split_homes: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    from synth.report import Contender, EvaluationSettings
    from synth.report.manifest import build_manifest, reproduce

    data = households(n=3_000, patients=600, homes=150)
    train, holdout = split_homes
    light = EvaluationSettings(utility=False, attacks=False, headline=False, membership_targets=300)
    result = synth.race(
        train, holdout, [Contender("independent")], schema=SCHEMA, settings=light, person_column="household_id"
    )
    manifest = build_manifest(data, SCHEMA, result, holdout=0.3, split_seed=0, split_by="household_id")
    assert manifest["split"] == {"holdout": 0.3, "seed": 0, "by": "household_id", "fits_by": True}
    assert reproduce(manifest, data).identical  # refitted by household_id, not by the finder's patient_id
    older = {**manifest, "split": {"holdout": 0.3, "seed": 0, "by": "household_id"}}  # fits that found it
    assert not reproduce(older, data).identical


def test_an_external_table_without_the_person_column_is_scored_over_its_people(
    split_homes: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """The person is read from the real rows: a tool that drops the household id is still attacked per household."""
    from synth.report import EvaluationSettings, evaluate_external

    train, holdout = split_homes
    light = EvaluationSettings(utility=False, attacks=False, headline=False, membership_targets=300)
    syn = train.drop(columns=["household_id"])  # a copy of train: every household a member
    result = evaluate_external(train, syn, holdout, schema=SCHEMA, settings=light, person_column="household_id")
    privacy = result.run.evaluation.privacy if result.run.evaluation is not None else None
    people = privacy.membership.people if privacy is not None and privacy.membership is not None else None
    assert people is not None and people.column == "household_id"
    assert people.headline is not None and people.headline.auc.value > 0.9
    assert "household_id" in result.check.missing
