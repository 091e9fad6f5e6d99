"""Demo mode's game and anonymised names; the data card's model-file inventory."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.report.card import model_contents
from synth.report.demo import anonymise_text, anonymous_names, spot_the_synthetic
from synth.report.race import Contender, RunResult


def test_anonymous_names_are_unique_and_hide_the_real_names() -> None:
    cols = [f"c{i}" for i in range(60)]
    names = anonymous_names(cols)
    assert len(set(names.values())) == 60
    assert names["c0"] == "Column A" and names["c25"] == "Column Z" and names["c26"] == "Column AA"
    assert not any(c in v.split() for c, v in names.items())


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 20))
def test_game_mixes_half_and_half_and_scores_guesses(seed: int, n: int) -> None:
    real = pd.DataFrame({"a": range(100), "b": ["r"] * 100})
    syn = pd.DataFrame({"a": range(1000, 1100), "b": ["s"] * 100})
    game = spot_the_synthetic(real, syn, n=n, seed=seed)
    assert len(game.rows) == n and sum(game.is_synthetic) == n // 2
    # the flags are right: synthetic rows are exactly those with b == "s"
    assert tuple(game.rows["b"] == "s") == game.is_synthetic
    truth = [i + 1 for i, s in enumerate(game.is_synthetic) if s]
    assert game.score(truth).accuracy == 1.0
    assert game.score([i + 1 for i in range(n) if i + 1 not in truth]).accuracy == 0.0
    again = spot_the_synthetic(real, syn, n=n, seed=seed)
    pd.testing.assert_frame_equal(game.rows, again.rows)


@pytest.fixture(scope="module")
def fitted(adult_small: pd.DataFrame) -> synth.Synthesizer:
    return synth.create("independent").fit(adult_small.head(500))


def test_model_contents_list_what_the_synthesizers_file_holds(fitted: synth.Synthesizer) -> None:
    """The card copies the synthesizer's declared inventory of real-data-derived content, item by item."""
    run = RunResult(Contender("independent"), "Independent", "ok", model=fitted)
    items = model_contents(run)
    inventory = fitted.artifact_inventory()
    assert inventory and len(items) == len(inventory)
    for line, item in zip(items, inventory, strict=True):
        assert item.name in line and item.content in line and item.protection in line


def test_model_contents_use_the_synthesizers_inventory_when_it_has_one(fitted: synth.Synthesizer) -> None:
    fitted.artifact_inventory = lambda: [("marginals", "one frequency table per column")]  # type: ignore[attr-defined]
    try:
        run = RunResult(Contender("independent"), "Independent", "ok", model=fitted)
        assert model_contents(run) == ["marginals: one frequency table per column"]
    finally:
        del fitted.artifact_inventory  # type: ignore[attr-defined]
    external = RunResult(Contender("external"), "other tool", "ok")
    assert "made outside synth" in model_contents(external)[0]


def test_a_model_without_an_inventory_gets_the_common_items_not_a_promise_no_file_keeps(
    fitted: synth.Synthesizer,
) -> None:
    """Every synthesizer declares an inventory; for an object without one the card listed "the minimum and maximum of
    numbers and dates (read without noise)", while no model file keeps an exact extreme (a range's ends are means
    of 5 values). It now lists the class's declared items: those every file holds, then its own (or "not
    itemised")."""
    from synth.synthesizers.inventory import artifact_inventory

    fitted.artifact_inventory = lambda: ()  # type: ignore[attr-defined]
    try:
        items = model_contents(RunResult(Contender("independent"), "Independent", "ok", model=fitted))
    finally:
        del fitted.artifact_inventory  # type: ignore[attr-defined]
    assert [line.split(" — ")[0] for line in items] == [item.name for item in artifact_inventory(type(fitted))]
    assert not any("without noise" in line or "minimum and maximum" in line for line in items)
    assert any("never one row's value" in line for line in items)


def _hr_tables(n: int = 200) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {
            "employee_id": [f"E-{i:06d}" for i in range(n)],
            "work_email": [f"person{i}@acme-corp.eu" for i in range(n)],
            "hire_date": pd.to_datetime("2010-01-01") + pd.to_timedelta(rng.integers(0, 5000, n), unit="D"),
            "salary": np.round(rng.normal(60_000, 9_000, n), 2),
            "birth_year": rng.integers(1960, 2003, n),
            "comment": ["Ref E-000017 top performer"] + ["fine"] * (n - 1),
        }
    )
    real.loc[::7, "hire_date"] = pd.NaT
    syn = pd.DataFrame(
        {
            "employee_id": [f"E-{i:06d}" for i in range(900_000, 900_000 + n)],
            "work_email": [f"fake{i}@example.org" for i in range(n)],
            "hire_date": pd.to_datetime("2010-01-01") + pd.to_timedelta(rng.uniform(0, 5000, n), unit="D"),
            "salary": rng.normal(60_000, 9_000, n),
            "birth_year": rng.integers(1960, 2003, n).astype(float),
            "comment": ["fine"] * (n - 2) + ["(other)"] * 2,
        }
    )
    syn.loc[::5, "hire_date"] = pd.NaT
    return real, syn


@pytest.mark.parametrize("seed", range(5))
def test_game_rows_show_no_real_personal_data_and_are_written_alike(seed: int) -> None:
    """The HR walk: real rows showed real e-mails, 6-digit ids and plain dates, synthetic rows example.org
    addresses and timestamps: won at a glance, and real people's data shown to a room."""
    real, syn = _hr_tables()
    game = spot_the_synthetic(real, syn, n=10, seed=seed, generated=["employee_id", "work_email"])
    shown = game.shown
    assert list(shown.columns) == ["row", *real.columns] and len(shown) == 10
    cells = set(shown.to_numpy().ravel())
    assert not cells & set(real["employee_id"]) and not cells & set(real["work_email"])
    assert set(shown["work_email"]) <= set(syn["work_email"]), "a real row shows a synthetic row's e-mail"
    assert not cells & {"Ref E-000017 top performer"}, "a real category the synthetic rows never hold"
    assert all(re.fullmatch(r"(\d{4}-\d\d-\d\d)?", v) for v in shown["hire_date"]), shown["hire_date"].tolist()
    assert all(re.fullmatch(r"\d+\.\d\d", v) for v in shown["salary"]), shown["salary"].tolist()
    assert all(re.fullmatch(r"(19|20)\d\d", v) for v in shown["birth_year"]), shown["birth_year"].tolist()
    assert not any(v in ("NaT", "nan", "None") for v in cells)
    synthetic_rows = shown[list(game.is_synthetic)]
    assert set(synthetic_rows["employee_id"]) <= set(syn["employee_id"])


def test_game_without_enough_synthetic_rows_hides_personal_data_on_both_sides() -> None:
    real, syn = _hr_tables()
    game = spot_the_synthetic(real, syn.head(6), n=10, seed=0, generated=["work_email"])
    assert set(game.shown["work_email"]) == {"•••"}


def test_anonymised_text_names_no_column() -> None:
    names = anonymous_names(["age", "age_group", "job_title", "marital-status"])
    text = "job_title: 8.5% hold '(other)'; age_group and age differ; marital-status too; an agenda, page 2"
    out = anonymise_text(text, names)
    assert out == "Column C: 8.5% hold '(other)'; Column B and Column A differ; Column D too; an agenda, page 2"
    assert anonymise_text(text, {}) == text
