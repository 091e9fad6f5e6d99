"""Classifier folds that keep each person's rows together (synth.evaluation.people): on a table of repeated
patients, two samples of fresh people read as the same population (AUC near 0.5) once a patient's visits are all
learned from or all scored; with row folds the trees recognise patients and the reference reads far above."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
import synth.evaluation.fidelity.detection as detection
import synth.evaluation.people as people
from benchmarks.walk_tables import clinic
from synth.evaluation.fidelity.discriminator import evaluate_discriminator
from synth.evaluation.people import grouped_test_rows


@pytest.fixture(scope="module")
def visits() -> tuple:  # type: ignore[type-arg]
    frame = clinic()
    train, holdout = synth.split(frame, 0.2, 0, by="patient_id")
    schema = synth.infer_schema(train)
    return train, holdout, schema


def test_the_reference_of_fresh_patients_reads_as_one_population(
    visits: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[type-arg]
    train, holdout, schema = visits
    # train against holdout people, and a synthetic table that is just more unseen people: the holdout's own rows
    kept = evaluate_discriminator(train, holdout, holdout=holdout, schema=schema)
    assert kept.reference_auc is not None and kept.reference_auc < 0.57, kept.reference_auc
    monkeypatch.setattr(people, "people_column", lambda *_: None)
    rows = evaluate_discriminator(train, holdout, holdout=holdout, schema=schema)
    assert rows.reference_auc is not None and rows.reference_auc > 0.62, rows.reference_auc  # the leak, pinned


def test_a_person_column_given_to_the_context_keeps_a_patient_in_one_fold(
    visits: tuple, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[type-arg]
    """``synth evaluate --by``: the column named by the caller is used when the finder sees none."""
    from synth.evaluation.context import EvaluationContext

    train, holdout, schema = visits
    monkeypatch.setattr(people, "people_column", lambda *_: None)  # the finder sees no person
    context = EvaluationContext(train, holdout, holdout, schema, person_column="patient_id")
    given = evaluate_discriminator(context=context)
    assert context.people == "patient_id"
    assert given.reference_auc is not None and given.reference_auc < 0.57, given.reference_auc


def test_detection_keeps_a_patients_visits_in_one_fold(visits: tuple, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    train, holdout, schema = visits
    kept = detection.evaluate_detection(train, train.sample(800, random_state=0), holdout=holdout, schema=schema)
    monkeypatch.setattr(detection, "people_column", lambda *_: None)
    rows = detection.evaluate_detection(train, train.sample(800, random_state=0), holdout=holdout, schema=schema)
    assert kept.reference_auc is not None and rows.reference_auc is not None
    assert kept.reference_auc < rows.reference_auc - 0.03, (kept.reference_auc, rows.reference_auc)


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 8), min_size=4, max_size=60),
    others=st.integers(4, 200),
    seed=st.integers(0, 2**32 - 1),
)
def test_no_person_is_both_learned_from_and_scored(sizes: list[int], others: int, seed: int) -> None:
    groups = np.r_[np.repeat([f"p{i}" for i in range(len(sizes))], sizes), [f"s{i}" for i in range(others)]]
    y = np.r_[np.zeros(sum(sizes), dtype=bool), np.ones(others, dtype=bool)]
    test = grouped_test_rows(y, groups.astype(object), 0.3, seed)
    assert not set(groups[test]) & set(groups[~test])
    for label in (False, True):  # each class scored on some of its rows and learned from on the others
        assert test[y == label].any() and (~test[y == label]).any()
    assert abs(test[y].sum() - round(0.3 * others)) <= 1


def test_fresh_patients_in_place_of_a_synthetic_table_read_as_fresh() -> None:
    """Real patients the model never saw, handed in as the synthetic table: a generator as good as fresh people.
    Their visits are grouped by patient as the holdout's are (session 40); split row by row, the trees learned each
    patient's date of birth from their other visits and told the fresh patients from the holdout's: AUC far above
    the reference, for a table that is real. The full detection's folds likewise."""
    frame = clinic()
    train, rest = synth.split(frame, 0.4, 0, by="patient_id")
    holdout, fresh = synth.split(rest, 0.5, 1, by="patient_id")
    schema = synth.infer_schema(train)
    told = evaluate_discriminator(train, fresh, holdout=holdout, schema=schema)
    assert told.reference_auc is not None
    assert told.auc < 0.58 and not told.distinguishable, (told.auc, told.reference_auc)
    found = detection.evaluate_detection(train, fresh, holdout=holdout, schema=schema)
    assert found.auc < 0.6, found.auc


def test_a_synthetic_table_with_few_people_is_split_by_row() -> None:
    table = clinic().head(400)
    rows = np.arange(len(table))
    assert people.synthetic_person_labels(table, rows, "patient_id") is not None
    one = table.assign(patient_id="P1")  # one person on every row: nothing to split by
    assert people.synthetic_person_labels(one, rows, "patient_id") is None
    assert people.synthetic_person_labels(table, rows, "no_such_column") is None
