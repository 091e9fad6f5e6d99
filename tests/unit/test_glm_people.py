"""The "same conclusions?" regression counts people when the person is known (``synth/evaluation/utility/glm.py``).

A category held by 1% of the real rows is a term of its own ("grade = A"), and so is a single rarer one of 10 or
more rows. One employee's 15 payslips in a grade no one else holds are 1.4% of the rows: the term
"grade = <their grade>" stood on the Compare page. Told the person column, the regression names a category only
when 10 distinct people hold it; the employee's rows pool into "(other)", which names no one.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.utility.glm import _levels, compare_glm
from synth.evaluation.utility.tstr import UtilityError
from synth.schema.shared_range import MIN_SHOWN_ROWS
from tests.unit.test_report_people import GRADE, PLANTED, _payslips


@pytest.fixture(scope="module")
def payslips() -> tuple[synth.Schema, pd.DataFrame, pd.DataFrame]:
    table = _payslips()
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, holdout=0.25, seed=0, by="employee_id")
    assert PLANTED in set(train["employee_id"]), "the planted employee is trained on"
    assert (train["grade"] == GRADE).sum() == 15 and train.loc[train["grade"] == GRADE, "employee_id"].nunique() == 1
    return schema, train, holdout


def _everything_said(result: synth.GlmComparison) -> str:
    """Every word the Compare page reads from the result: terms, reasons, notes, dropped terms."""
    return json.dumps(result.to_dict())


def test_without_a_person_column_the_15_payslip_grade_is_a_term(payslips: tuple) -> None:
    """The gap, pinned: counted in rows, one employee's grade is a named term."""
    schema, train, holdout = payslips
    result = compare_glm(train, train, target="salary", holdout=holdout, schema=schema)
    assert f"grade = {GRADE}" in [c.term for c in result.coefficients] + list(result.dropped_terms)


def test_the_person_column_keeps_the_grade_unnamed(payslips: tuple) -> None:
    schema, train, holdout = payslips
    result = compare_glm(train, train, target="salary", holdout=holdout, schema=schema, person_column="employee_id")
    assert GRADE not in _everything_said(result)
    terms = [c.term for c in result.coefficients] + list(result.dropped_terms)
    assert "grade = (other)" in terms  # the employee's rows are pooled, not counted with the reference
    # The common grades, each held by some 60 employees, keep their names.
    assert sum(t.startswith("grade = Grade ") for t in terms) == 4, terms


def test_a_person_column_the_table_lacks_is_refused(payslips: tuple) -> None:
    schema, train, _ = payslips
    with pytest.raises(UtilityError, match="person column"):
        compare_glm(train, train, target="salary", schema=schema, person_column="nobody")


def test_rows_without_a_target_drop_with_their_person(payslips: tuple) -> None:
    """The person codes follow the rows the fit keeps. The payslips are shuffled and a third of the other
    employees' salaries are missing: codes read off by position would spread the planted employee's 15 rows over
    some 15 people, and name the grade."""
    schema, train, _ = payslips
    gappy = train.sample(frac=1.0, random_state=0).reset_index(drop=True)
    dropped = (np.arange(len(gappy)) % 3 == 0) & (gappy["employee_id"] != PLANTED).to_numpy()
    gappy.loc[dropped, "salary"] = np.nan
    result = compare_glm(gappy, train, target="salary", schema=schema, person_column="employee_id")
    assert GRADE not in _everything_said(result)
    assert sum(c.term.startswith("grade = Grade ") for c in result.coefficients) == 4


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 40), min_size=1, max_size=25),
    levels=st.lists(st.integers(0, 6), min_size=25, max_size=25),
    seed=st.integers(0, 2**16),
)
def test_no_level_fewer_than_10_people_hold_is_named(sizes: list[int], levels: list[int], seed: int) -> None:
    """For any table of people with many rows each, every level the design names is held by 10 people, and one
    of the levels too few people hold is named "(other)" only: never their own label."""
    rng = np.random.default_rng(seed)
    person = np.repeat(np.arange(len(sizes)), sizes)
    level = np.array([f"L{levels[p]}" for p in person], dtype=object)
    mixed = rng.random(len(person)) < 0.3  # some rows hold a level of their own draw, not the person's
    level[mixed] = rng.choice([f"L{i}" for i in range(7)], int(mixed.sum()))
    lab = pd.Series(level)
    kept, note = _levels("x", lab, person)
    held = pd.Series(person).groupby(lab).nunique()
    for name in kept:
        assert name == "(other)" or held[name] >= MIN_SHOWN_ROWS, (name, held.to_dict())
    for name, people in held.items():
        if people < MIN_SHOWN_ROWS:
            assert name not in note


def test_without_a_person_a_category_under_10_rows_is_no_term() -> None:
    """1% of a 400-row table is 4 rows: such a category was a named term ("shop = Kiosk Nord"); now it pools."""
    rng = np.random.default_rng(3)
    n = 400
    shop = rng.choice(["Main", "Station", "Airport"], size=n)
    shop[:6] = "Kiosk Nord"  # 6 rows (1.5%): kept by the 1% rule, under the 10 rows a shown value needs
    shop[6:18] = "Harbour"  # 12 rows (3%): named
    x = rng.normal(size=n)
    table = pd.DataFrame({"shop": shop, "x": x, "y": (x + rng.normal(size=n) > 0).astype(int)})
    schema = synth.infer_schema(table)
    result = compare_glm(table, table, target="y", holdout=table, schema=schema)
    said = _everything_said(result)
    assert "Kiosk Nord" not in said
    assert "shop = Harbour" in [c.term for c in result.coefficients]
    levels, _ = _levels("shop", pd.Series(shop))
    assert "Kiosk Nord" not in levels and "Harbour" in levels
