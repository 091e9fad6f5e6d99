"""`synth fit --by COLUMN` holds the people of the column named (not the one the finder picks) and says so; a column
the table lacks or one that names no person ends in one line. `synth evaluate --html --by COLUMN` writes the
person-level membership the Privacy page shows, by that column."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.cli import console, main
from tests.unit.test_people_membership import _households, evaluate_copies
from tests.unit.test_person_column import households


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synth: error: "), lines
    return lines[0]


def test_fit_by_holds_the_named_columns_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    households().to_csv(tmp_path / "visits.csv", index=False)
    monkeypatch.chdir(tmp_path)
    fit = ["fit", "visits.csv", "-s", "independent"]
    assert main([*fit, "-o", "found.synth"]) == 0
    assert synth.load_model(tmp_path / "found.synth").people_.entity == "patient_id"  # the finder's, as before
    # a patient's household is one of their own, as on every real visit (session 29: keys are held too)
    said = capsys.readouterr().err
    assert "rows of one patient_id share the generated household_id and the drawn region, sex" in said
    assert main([*fit, "--by", "household_id", "-o", "told.synth"]) == 0
    assert "rows of one household_id share the drawn region" in capsys.readouterr().err  # as Synthesize says it
    model = synth.load_model(tmp_path / "told.synth")
    assert model.people_ is not None and model.people_.entity == "household_id"
    syn = model.sample(1_500, seed=1)
    assert (syn.groupby("household_id")["region"].nunique() == 1).all()
    assert (syn.groupby("patient_id")["sex"].nunique() > 1).sum() > 10  # the finder's person holds nothing now


@pytest.mark.parametrize(
    ("by", "code", "words"),
    [
        ("home", console.BAD_INPUT, "--by home: no such column in visits.csv"),
        ("region", console.IMPOSSIBLE, "'region' is a categorical column, which names no person"),
    ],
)
def test_fit_by_a_column_that_cannot_name_a_person_ends_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], by: str, code: int, words: str
) -> None:
    households(n=300).to_csv(tmp_path / "visits.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert main(["fit", "visits.csv", "-s", "independent", "--by", by, "-o", "m.synth"]) == code
    line = _one_line_error(capsys)
    assert words in line and "patient_id" in line if code == console.BAD_INPUT else words in line, line
    assert not (tmp_path / "m.synth").exists()


def _words(path: Path) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", path.read_text()).split())


def test_evaluate_html_by_shows_membership_over_the_named_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Half the training people copied, the person named by a plain ``household`` number no finder reads as one:
    without --by the report has no person-level figure, with it the Privacy page's four attacks, by household."""

    def half_the_people(train: pd.DataFrame) -> pd.DataFrame:
        ids = train["patient_id"].unique()
        return train[train["patient_id"].isin(np.random.default_rng(0).choice(ids, len(ids) // 2, replace=False))]

    args = [a if a != "out.json" else "out.html" for a in evaluate_copies(tmp_path, monkeypatch, half_the_people)]
    _households(tmp_path)
    assert main(args) == 0
    assert "Membership over people" not in _words(tmp_path / "out.html")
    assert main([*args, "--overwrite", "--by", "household"]) == 0
    words = _words(tmp_path / "out.html")
    assert "Membership over people (a member is a household with any row in training" in words
    head = re.search(r"Strongest attack: AUC (\d\.\d{3}) \(95% CI", words)
    assert head is not None and float(head.group(1)) > 0.65
    assert "attack (per person) AUC 95% CI (bootstrap over people) advantage TPR at 10% FPR" in words
    rows = re.findall(r"<tr><td>([^<]*, per person \([^<]*\))</td>", (tmp_path / "out.html").read_text())
    assert len(rows) == 4 and len(set(rows)) == 4, rows  # distance and density ratio, by best row and by mean
    assert "training people" in words and "holdout people (" in words and "by household" in words
