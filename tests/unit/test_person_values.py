"""Compare's check of the values a person keeps across their rows (synth.evaluation.fidelity.person_values): a
model holding people keeps every one, the same model drawing rows on their own changes them for most people, fresh
real rows keep them, and a table whose ids never repeat says so."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from benchmarks import walk_tables
from synth.evaluation.fidelity.person_values import evaluate_person_values


@pytest.fixture(scope="module")
def clinic() -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.split(walk_tables.clinic(n=2_000, patients=600), holdout=0.3, seed=0, by="patient_id")


@pytest.fixture(scope="module")
def model(clinic: tuple[pd.DataFrame, pd.DataFrame]) -> synth.Synthesizer:
    return synth.create("cart", random_state=0).fit(clinic[0], person_column="patient_id")


def test_a_model_holding_people_keeps_every_value_and_one_drawing_rows_alone_does_not(
    clinic: tuple[pd.DataFrame, pd.DataFrame], model: synth.Synthesizer
) -> None:
    train, _ = clinic
    held = evaluate_person_values(train, model.sample(len(train), seed=1), "patient_id")
    assert held is not None
    assert {c.column for c in held.columns} >= {"name", "date_of_birth", "sex", "postcode"}
    assert all(c.real_share <= 0.01 for c in held.columns)
    assert held.worst is not None and held.worst.synthetic_share == 0.0
    assert held.synthetic_people > 0 and abs(held.synthetic_rows_per_person - held.real_rows_per_person) < 0.5
    people = model.people_
    model.people_ = None  # every row drawn on its own, as every model did before session 23
    try:
        apart = evaluate_person_values(train, model.sample(len(train), seed=1), "patient_id")
    finally:
        model.people_ = people
    assert apart is not None and apart.worst is not None and apart.worst.synthetic_share is not None
    assert apart.worst.synthetic_share > 0.5


def test_fresh_real_people_keep_their_values(clinic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, holdout = clinic
    found = evaluate_person_values(train, holdout, "patient_id")
    assert found is not None and found.worst is not None and (found.worst.synthetic_share or 0.0) <= 0.02


def test_ids_that_never_repeat_hold_no_person_to_judge(clinic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, _ = clinic
    lone = train.assign(patient_id=[f"X{i}" for i in range(len(train))])
    found = evaluate_person_values(train, lone, "patient_id")
    assert found is not None and found.synthetic_people == 0 and found.synthetic_rows_per_person == 1.0
    assert found.worst is None and all(c.synthetic_share is None for c in found.columns)
    assert found.synthetic_repeated_rows == 0.0 and found.real_repeated_rows > 0.8
    assert found.repeats_lost and found.repeats_clearly_lost and found.repeats_kept == 0.0


def test_our_model_shares_rows_between_people_as_the_real_rows_do(
    clinic: tuple[pd.DataFrame, pd.DataFrame], model: synth.Synthesizer
) -> None:
    """The claim in docs/pages.md: our models draw people with their row counts, so the share of rows whose person is
    on another row stays within 0.03 of the real share (measured: 0.905 against 0.928 on the walk's clinic)."""
    train, _ = clinic
    found = evaluate_person_values(train, model.sample(len(train), seed=1), "patient_id")
    assert found is not None
    assert abs(found.synthetic_repeated_rows - found.real_repeated_rows) <= 0.03
    assert not found.repeats_lost


def test_no_person_column_or_no_kept_column_gives_nothing(clinic: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, holdout = clinic
    assert evaluate_person_values(train, holdout, None) is None
    assert evaluate_person_values(train, holdout.drop(columns="patient_id"), "patient_id") is None
    assert evaluate_person_values(train[["patient_id", "visit_id"]], holdout, "patient_id") is None


@settings(max_examples=80, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=25, max_size=120), flips=st.integers(0, 30), seed=st.integers(0, 99))
def test_the_share_is_the_people_whose_rows_disagree(sizes: list[int], flips: int, seed: int) -> None:
    """For any people and any rows changed: the synthetic share is exactly the people with two or more rows one of
    whose rows was given another value."""
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(len(sizes)), sizes)
    real = pd.DataFrame({"pid": ids, "v": ids % 3})
    repeated = [p for p, s in enumerate(sizes) if s > 1]
    if len(repeated) < 20:
        return
    changed = rng.choice(repeated, min(flips, len(repeated)), replace=False)
    syn = real.copy()
    for p in changed:
        syn.loc[np.flatnonzero(ids == p)[-1], "v"] = 7
    found = evaluate_person_values(real, syn, "pid")
    assert found is not None and [c.column for c in found.columns] == ["v"]
    assert found.columns[0].real_share == 0.0
    assert found.columns[0].synthetic_share == pytest.approx(len(changed) / len(repeated))
    in_repeats = sum(s for s in sizes if s > 1) / len(ids)
    assert found.real_repeated_rows == pytest.approx(in_repeats) == found.synthetic_repeated_rows


def test_the_race_report_and_the_cli_carry_the_people_check(
    clinic: tuple[pd.DataFrame, pd.DataFrame], model: synth.Synthesizer, tmp_path: Path
) -> None:
    """TableEvaluation (race, report) and `synth evaluate` read the same check: a table whose birth dates were shuffled
    between rows shows most patients with several, in the report's fidelity section and the CLI's JSON."""
    from synth.report.evaluation import EvaluationSettings
    from synth.report.run_scoring import evaluate_table
    from synth.report.sections import _people_table
    from tests.unit.test_cli import run

    train, holdout = clinic
    syn = model.sample(len(train), seed=2)
    syn["date_of_birth"] = syn["date_of_birth"].sample(frac=1.0, random_state=0).to_numpy()
    settings = EvaluationSettings(privacy=False, utility=False)
    ev = evaluate_table(train, syn, holdout, settings=settings, person_column="patient_id")
    assert ev.person_values is not None and ev.person_values.worst is not None
    assert ev.person_values.worst.column == "date_of_birth" and (ev.person_values.worst.synthetic_share or 0) > 0.5
    head = ev.fidelity_headline
    assert head is not None and head.level == "distinguishable"
    assert head.reasons[0].endswith("hold more than one date_of_birth, which every real person keeps")
    assert ev.honest_fidelity is not None and ev.honest_fidelity <= 1 - ev.person_values.worst.synthetic_share + 1e-9
    html = _people_table(ev)
    assert "Values a person keeps across their rows" in html and "<td>date_of_birth</td>" in html

    train.to_csv(tmp_path / "train.csv", index=False)
    holdout.to_csv(tmp_path / "holdout.csv", index=False)
    syn.to_csv(tmp_path / "syn.csv", index=False)
    proc = run(
        "evaluate",
        "train.csv",
        "syn.csv",
        "--holdout",
        "holdout.csv",
        "--no-privacy",
        "--by",
        "patient_id",
        "-o",
        "out.json",
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["summary"]["people_changing"] > 0.5 and doc["summary"]["fidelity_level"] == "distinguishable"
    assert "hold more than one date_of_birth" in doc["summary"]["headline"]
    dob = next(c for c in doc["person_values"]["columns"] if c["column"] == "date_of_birth")
    assert dob["synthetic_share"] > 0.5 and dob["real_share"] <= 0.01


@pytest.fixture(scope="module")
def three_tables(clinic: tuple[pd.DataFrame, pd.DataFrame], model: synth.Synthesizer) -> dict[str, object]:
    """Our model's rows, the same rows with birth dates shuffled between rows, and the same rows with a fresh id on
    nine rows in ten (a peer that writes its ids from a pattern), scored as the race scores them."""
    from synth.report.evaluation import EvaluationSettings
    from synth.report.run_scoring import evaluate_table

    train, holdout = clinic
    held = model.sample(len(train), seed=2)
    shuffled = held.assign(date_of_birth=held["date_of_birth"].sample(frac=1.0, random_state=0).to_numpy())
    fresh = held.copy()
    rows = np.random.default_rng(0).random(len(fresh)) < 0.9
    fresh.loc[rows, "patient_id"] = [f"Z{i:06d}" for i in range(int(rows.sum()))]
    settings = EvaluationSettings(privacy=False, utility=False)
    return {
        name: evaluate_table(train, table, holdout, settings=settings, person_column="patient_id")
        for name, table in (("held", held), ("shuffled", shuffled), ("fresh ids", fresh))
    }


def test_a_table_writing_a_fresh_id_on_most_rows_is_named_and_scored(three_tables: dict[str, object]) -> None:
    """Every value check is empty for people who never repeat, yet a count of visits per patient reads 1 instead of
    3.5: the headline names it, calls the table distinguishable and the race's fidelity is capped by it."""
    from synth.report.evaluation import TableEvaluation

    fresh, held = three_tables["fresh ids"], three_tables["held"]
    assert isinstance(fresh, TableEvaluation) and isinstance(held, TableEvaluation)
    found = fresh.person_values
    assert found is not None and found.synthetic_repeated_rows < 0.2 < 0.8 < found.real_repeated_rows
    head = fresh.fidelity_headline
    assert head is not None and head.level == "distinguishable"
    assert any(r.startswith(found.repeat_words().split(" (")[0]) for r in head.reasons), head.reasons
    assert "of synthetic rows share their patient_id with another row, against" in head.sentence
    assert fresh.honest_fidelity is not None and fresh.honest_fidelity <= found.repeats_kept + 1e-9 < 0.3
    assert fresh.changes_people_clearly and not held.changes_people_clearly
    held_head = held.fidelity_headline
    assert held_head is not None and not any("share their patient_id" in r for r in held_head.reasons)


def test_the_race_passes_over_runs_whose_people_change_or_vanish_and_says_why(three_tables: dict[str, object]) -> None:
    """A run whose patients hold two birth dates, or whose ids never repeat, is passed over for one that keeps its
    people, with the reason; alone on the front, it is picked and the reason still names it."""
    from types import SimpleNamespace

    from synth.report.race import recommend

    runs = [SimpleNamespace(label=name, evaluation=ev) for name, ev in three_tables.items()]
    pick, reason = recommend(runs, list(three_tables))  # type: ignore[arg-type]
    assert pick == "held", reason
    assert "shuffled (" in reason and "hold more than one date_of_birth, which every real person keeps" in reason
    assert "fresh ids (" in reason and "of synthetic rows share their patient_id with another row" in reason
    pick, reason = recommend(runs[1:2], ["shuffled"])  # type: ignore[arg-type]
    assert pick == "shuffled" and "hold more than one date_of_birth" in reason


def test_the_report_s_people_table_holds_no_real_value(
    clinic: tuple[pd.DataFrame, pd.DataFrame], three_tables: dict[str, object]
) -> None:
    """The report's people table promises column names and shares, never a value: no real name, birth date,
    postcode or patient id of the training rows is found in it, for a run that keeps its people and one that does
    not, while the column names are there."""
    from synth.report.evaluation import TableEvaluation
    from synth.report.sections import _people_table

    train, _ = clinic
    real_values = {
        str(v) for c in ("patient_id", "name", "date_of_birth", "postcode") for v in train[c].dropna().unique()
    }
    assert len(real_values) > 1_000
    for ev in three_tables.values():
        assert isinstance(ev, TableEvaluation) and ev.person_values is not None
        html = _people_table(ev)
        assert "<td>date_of_birth</td>" in html and "<td>name</td>" in html
        cells = re.findall(r">([^<>]+)<", html)  # every text node of the table
        found = {v for v in real_values for cell in cells if len(v) >= 3 and v in cell}
        assert not found, sorted(found)[:5]
