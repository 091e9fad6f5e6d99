"""The ML-utility notes and JSON count people when the person is known (``synth/evaluation/utility``).

A class the synthetic target lacks is named in the notes ("classes missing from the synthetic grade: …") and in
the result's JSON when at least 10 real training rows hold it. One employee's 15 payslips in a grade no one else
holds are 15 rows: predicting the grade, the note, the JSON and the shared report named that employee's grade.
Told the person column, the evaluation names a class only when 10 distinct people hold it.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.utility.targets import _validate, people_per_class
from synth.evaluation.utility.tstr import UNNAMED_CLASS, UNNAMED_PEOPLE_CLASS, UtilityError, evaluate_utility
from synth.report import Contender, race
from synth.report.card import data_card
from synth.schema.shared_range import MIN_SHOWN_ROWS
from synth.synthesizers.person_rarity import person_codes
from tests.unit.test_report import FAST
from tests.unit.test_report_people import GRADE, PLANTED, _payslips, payslips_report


@pytest.fixture(scope="module")
def payslips() -> tuple[pd.DataFrame, synth.Schema, pd.DataFrame, pd.DataFrame]:
    table = _payslips()
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, holdout=0.25, seed=0, by="employee_id")
    assert PLANTED in set(train["employee_id"]), "the planted employee is trained on"
    assert (train["grade"] == GRADE).sum() == 15 and train.loc[train["grade"] == GRADE, "employee_id"].nunique() == 1
    return table, schema, train, holdout


def _without_grade(train: pd.DataFrame) -> pd.DataFrame:
    """A synthetic table that lacks the planted grade: every other training row, shuffled."""
    return train[train["grade"] != GRADE].sample(frac=1.0, random_state=0).reset_index(drop=True)


def test_the_lost_grade_is_counted_in_people_not_named(payslips: tuple) -> None:
    _, schema, train, holdout = payslips
    syn = _without_grade(train)
    result = evaluate_utility(
        train, syn, holdout, target="grade", schema=schema, seed=0, n_bootstrap=0, person_column="employee_id"
    )
    assert GRADE in result.classes  # the analyst's own Compare page keeps the label
    assert not any(GRADE in note for note in result.notes), result.notes
    assert any(note.endswith(": 1 class of fewer than 10 real people") for note in result.notes), result.notes
    shared = json.dumps(result.to_dict())
    assert GRADE not in shared and UNNAMED_PEOPLE_CLASS in shared
    assert dict(zip(result.classes, result.class_people, strict=True))[GRADE] == 1


def test_without_a_person_column_the_15_row_grade_is_named(payslips: tuple) -> None:
    """The existing behaviour, pinned: rows are counted, and 15 rows are enough to name a class."""
    _, schema, train, holdout = payslips
    result = evaluate_utility(train, _without_grade(train), holdout, target="grade", schema=schema, n_bootstrap=0)
    assert any(note.endswith(f"classes missing from the synthetic grade: {GRADE}") for note in result.notes)
    shared = json.dumps(result.to_dict())
    assert GRADE in shared and UNNAMED_CLASS not in shared and result.class_people == ()


def test_a_person_column_the_table_lacks_is_refused(payslips: tuple) -> None:
    _, schema, train, holdout = payslips
    with pytest.raises(UtilityError, match="person column"):
        evaluate_utility(train, train, holdout, target="grade", schema=schema, n_bootstrap=0, person_column="nobody")


def test_the_report_and_its_card_never_name_the_grade(payslips: tuple) -> None:
    table, schema, train, holdout = payslips
    result = race(
        train,
        holdout,
        [Contender("independent", {})],
        schema=schema,
        n_rows=1500,
        sample_seed=1,
        settings=dataclasses.replace(FAST, target="grade", privacy=False, attacks=False),
        person_column="employee_id",
    )
    run = result.runs[0]
    assert run.synthetic is not None and GRADE not in set(run.synthetic["grade"]), "the premise: the grade is lost"
    utility = run.evaluation.utility  # type: ignore[union-attr]
    assert utility is not None and GRADE in utility.classes
    assert any("1 class of fewer than 10 real people" in note for note in utility.notes), utility.notes
    report = payslips_report((table, schema, train, holdout, result), "employee_id")
    card = data_card(run, table, name="payslips", split="75% train by employee_id")
    assert "1 class of fewer than 10 real people" in report.html
    for text in (report.html, report.json_text(), card.to_markdown(), json.dumps(card.to_dict())):
        assert GRADE not in text


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_people=st.integers(5, 80),
    most_rows=st.integers(1, 30),
)
def test_a_lost_class_is_named_exactly_when_enough_people_hold_it(seed: int, n_people: int, most_rows: int) -> None:
    """For any table of people with many rows: a class missing from the synthetic target is named when at least
    :data:`MIN_SHOWN_ROWS` distinct people hold it, and only then, whatever its rows."""
    rng = np.random.default_rng(seed)
    person = np.repeat(np.arange(n_people), rng.integers(1, most_rows + 1, n_people))
    classes = np.array([f"c{i}" for i in range(8)])
    own = rng.choice(classes, n_people, p=[0.4, 0.2, 0.15, 0.1, 0.06, 0.05, 0.03, 0.01])
    drawn = rng.choice(classes, len(person))
    target = pd.Series(np.where(rng.random(len(person)) < 0.7, own[person], drawn), dtype=object)
    y_train = target.to_numpy(dtype=str)
    kept = rng.choice(classes, 2, replace=False)  # the synthetic target keeps two classes, loses the others
    y = {"train": y_train, "test": rng.choice(classes, 40), "synthetic": np.repeat(kept, 5)}
    people = people_per_class(target, person_codes(pd.DataFrame({"p": person}), "p"))  # type: ignore[arg-type]
    lost = sorted(set(y_train) - set(kept))
    notes = [n for n in _validate(y, "classification", "t", people) if n.startswith("classes missing")]
    assert bool(notes) == bool(lost)
    if not lost:
        return
    (note,) = notes
    truth = {c: len(set(person[y_train == c])) for c in lost}
    named = [c for c in lost if truth[c] >= MIN_SHOWN_ROWS]
    listed = note.split(": ", 1)[1].split("; ")[0].split(", ") if named else []
    assert listed == named[:5]
    for c in lost:
        assert (c in listed) == (c in named[:5])
    rare = len(lost) - len(named)
    assert (f"{rare} class" in note and "real people" in note) == (rare > 0)


def test_the_tstr_card_counts_the_rare_grade_without_naming_it(payslips: tuple) -> None:
    """Compare's TSTR card says why a gap is not judged: "only 0 real rows of <class> in the holdout (15 in
    training)". The planted employee's grade is the rarest class (none of their payslips is in the holdout), and
    the card named it; told the person, it writes the class as the JSON does."""
    from ui.compare.ml import utility_card

    _, schema, train, holdout = payslips
    syn = train.sample(frac=1.0, random_state=0).reset_index(drop=True)
    result = evaluate_utility(
        train, syn, holdout, target="grade", schema=schema, seed=0, n_bootstrap=20, person_column="employee_id"
    )
    rare = result.headline.rare_class
    assert rare is not None and rare.label == GRADE and (rare.train_rows, rare.test_rows) == (15, 0)
    _, caption = utility_card(result.headline, result.shown_class)
    assert GRADE not in caption
    assert f"only 0 real rows of {UNNAMED_PEOPLE_CLASS} in the holdout (15 in training)" in caption, caption
    # Named with its column as the page names it, the class is still only counted.
    _, caption = utility_card(result.headline, result.shown_class, "grade")
    assert GRADE not in caption and f"of grade {UNNAMED_PEOPLE_CLASS} in the holdout" in caption, caption
    # The same card without the person names the 15 rows' grade; with 5 of them, not even that.
    rows = evaluate_utility(train, syn, holdout, target="grade", schema=schema, seed=0, n_bootstrap=20)
    assert GRADE in utility_card(rows.headline, rows.shown_class)[1]
    fewer = train.drop(train.index[train["grade"] == GRADE][5:])
    few = evaluate_utility(fewer, syn, holdout, target="grade", schema=schema, seed=0, n_bootstrap=20)
    _, caption = utility_card(few.headline, few.shown_class)
    assert GRADE not in caption and f"only 0 real rows of {UNNAMED_CLASS} in the holdout (5 in training)" in caption


def test_shown_class_writes_what_to_dict_writes(payslips: tuple) -> None:
    """One rule for the page and the JSON: every class reads in ``to_dict`` as :meth:`shown_class` writes it."""
    _, schema, train, holdout = payslips
    result = evaluate_utility(
        train, train, holdout, target="grade", schema=schema, seed=0, n_bootstrap=0, person_column="employee_id"
    )
    assert result.to_dict()["classes"] == [result.shown_class(c) for c in result.classes]
    assert [result.shown_class(c) == c for c in result.classes].count(False) == 1
