"""The report's small-cell suppression counts people when the report knows the person (``synth/report/suppression.py``).

A bar or category of fewer than k real rows is hidden; one employee's 15 payslips in a grade no one else holds are
15 rows, so the grade's bar was shown with its label and stated that employee's grade. Counted in people it is one
person's bar, folded away, and the fold's own share, one person's, is blanked.

The race predicts salary; with the grade as the target, the ML-utility note naming the real classes a synthetic
target lacks counts people too (``tests/unit/test_utility_people.py``).
"""

from __future__ import annotations

import dataclasses
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.fidelity.distributions import column_distributions
from synth.report import Contender, race
from synth.report.html import Report, ReportOptions, build_report
from synth.report.suppression import folded_label, suppress
from tests.unit.test_report import FAST

GRADE = "Grade Q-17"  # the planted employee's grade, on all 15 of their payslips: no one else's
PLANTED = "E00007"


def _payslips(n_people: int = 400, seed: int = 0) -> pd.DataFrame:
    """Employees with 1 to 6 monthly payslips in one of five common grades; employee 7 has 15 in :data:`GRADE`."""
    rng = np.random.default_rng(seed)
    slips = rng.integers(1, 7, n_people)
    slips[7] = 15
    person = np.repeat(np.arange(n_people), slips)
    grade = rng.choice([f"Grade {g}" for g in "ABCDE"], n_people).astype(object)
    grade[7] = GRADE
    salary = np.round(rng.lognormal(np.log(55_000), 0.4, n_people), -2)
    return pd.DataFrame(
        {
            "employee_id": [f"E{i:05d}" for i in person],
            "grade": grade[person],
            "month": rng.integers(1, 13, len(person)),
            "salary": salary[person],
        }
    )


@pytest.fixture(scope="module")
def raced() -> tuple[pd.DataFrame, synth.Schema, pd.DataFrame, pd.DataFrame, object]:
    table = _payslips()
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, holdout=0.25, seed=0, by="employee_id")
    assert PLANTED in set(train["employee_id"]), "the planted employee is trained on"
    result = race(
        train,
        holdout,
        [Contender("independent", {})],
        schema=schema,
        n_rows=1500,
        sample_seed=1,
        settings=dataclasses.replace(FAST, target="salary"),
        person_column="employee_id",
    )
    return table, schema, train, holdout, result


def payslips_report(raced: tuple, person: str | None) -> Report:
    """The payslips race's report (``raced``: table, schema, train, holdout, race result), every column drawn."""
    table, schema, train, holdout, result = raced
    return build_report(
        name="payslips",
        data=table,
        schema=schema,
        train=train,
        holdout=holdout,
        result=result,
        options=ReportOptions(max_distributions=20),
        person_column=person,
    )


def _page(raced: tuple, person: str | None) -> tuple[str, dict]:
    report = payslips_report(raced, person)
    return report.html, report.data


def test_one_employees_payslips_show_no_bar_of_their_grade(raced: tuple) -> None:
    rows_page, _ = _page(raced, None)
    assert GRADE in rows_page, "the attack: counted in rows, the grade's 15 payslips are a bar with its label"
    assert "under 10 rows are suppressed" in rows_page
    page, data = _page(raced, "employee_id")
    assert GRADE not in page and GRADE not in json.dumps(data)
    assert "under 10 people are suppressed" in page and data["suppression"]["counted"] == "people"
    assert folded_label(10, people=True) in page


def test_the_folded_bar_is_blanked_when_one_person_holds_it(raced: tuple) -> None:
    _, schema, train, holdout, result = raced
    synthetic = result.runs[0].synthetic
    (dist,) = column_distributions(
        train, synthetic, holdout, schema=schema, columns=["grade"], person_column="employee_id", cell_people=True
    )
    at = dist.labels.index(GRADE)
    assert round(dist.real[at] * dist.n_real) == 15 and len(dist.cell_people[0][at]) == 1  # type: ignore[index]
    safe, n = suppress(dist)
    assert GRADE not in safe.labels and n == 1
    assert safe.labels[-1] == folded_label(10, people=True) and math.isnan(safe.real[-1])
    # Counted in rows (no people recorded), the bar stands.
    rows, _ = suppress(column_distributions(train, synthetic, holdout, schema=schema, columns=["grade"])[0])
    assert GRADE in rows.labels


@settings(max_examples=40, deadline=None)
@given(k=st.integers(2, 15), seed=st.integers(0, 10_000), n_people=st.integers(5, 200))
def test_no_shown_real_cell_is_held_by_fewer_than_k_people(k: int, seed: int, n_people: int) -> None:
    rng = np.random.default_rng(seed)
    rows = rng.integers(1, 20, n_people)  # some people with many rows
    person = np.repeat(np.arange(n_people), rows)
    labels = np.array(list("abcdefghij"))
    p = np.array([0.5, 0.2, 0.1, 0.08, 0.05, 0.03, 0.02, 0.01, 0.005, 0.005])
    own = rng.random(len(person)) < 0.5  # half the rows at the person's own category and number
    real = pd.DataFrame(
        {
            "p": person,
            "c": np.where(own, rng.choice(labels, n_people, p=p)[person], rng.choice(labels, len(person), p=p)),
            "x": np.where(own, rng.exponential(10, n_people)[person], rng.exponential(10, len(person))),
        }
    )
    train = real[real["p"] % 4 != 0].reset_index(drop=True)
    hold = real[real["p"] % 4 == 0].reset_index(drop=True)
    if train.empty or hold.empty:
        return
    syn = train.sample(frac=1.0, random_state=seed, replace=True).reset_index(drop=True)
    schema = synth.infer_schema(train[["c", "x"]])
    dists = column_distributions(
        train, syn, hold, schema=schema, columns=["c", "x"], person_column="p", cell_people=True
    )
    for dist in dists:
        real_cells, hold_cells = dist.cell_people  # type: ignore[misc]
        for cells, shares, n in ((real_cells, dist.real, dist.n_real), (hold_cells, dist.holdout, dist.n_holdout)):
            held = np.array([len(c) for c in cells])
            counts = np.rint(np.asarray(shares) * n)
            assert ((held > 0) == (counts > 0)).all() and (held <= counts).all(), "people are a bar's rows' people"
        safe, _ = suppress(dist, k)
        if dist.numeric:
            for shares, cells in ((safe.real, real_cells), (safe.holdout, hold_cells)):
                shown = [len(c) for c, s in zip(cells, shares, strict=True) if not math.isnan(s) and s > 0]  # type: ignore[arg-type]
                assert all(h >= k for h in shown)
            continue
        for table, shares in ((train, safe.real), (hold, safe.holdout)):
            for label, share in zip(safe.labels, shares, strict=True):  # type: ignore[arg-type]
                if math.isnan(share) or share == 0:
                    continue
                # The chart's own fold ("all other categories (N)") holds every category it does not name.
                named = set(dist.labels[:-1] if dist.folded_categories else dist.labels)
                members = {label} if label in named else set(table["c"]) - named
                if label == folded_label(k, people=True):
                    members = set()
                    for gone in set(dist.labels) - set(safe.labels):
                        members |= {gone} if gone in named else set(table["c"]) - named
                holders = table.loc[table["c"].isin(members), "p"].nunique()
                assert holders >= k, (label, holders)
