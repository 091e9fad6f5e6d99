"""`synth race`: the Race page on the command line. Every run fitted on the same training file and scored on the same
holdout, the leaderboard and the pick printed, the Report page's JSON or HTML written without the attacks' examples;
a run that fails is named in its row while the others are scored; mistakes end in one line and an exit code."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import synth
from synth.cli import main
from synth.report import RaceResult
from tests.unit.test_cli import assert_user_error, run
from tests.unit.test_shared_outputs import CATEGORY, hostile_table, leaks

ROWS = 1200


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An employees table with ids, names, e-mails and notes, split 75/25 as `synth split` would."""
    root = tmp_path_factory.mktemp("cli_race")
    table = hostile_table(ROWS)
    train, holdout = synth.split(table, holdout=0.25, seed=3)
    assert (train["department"] == CATEGORY).any(), "the planted person (alone in their department) is in training"
    train.to_csv(root / "train.csv", index=False)
    holdout.to_csv(root / "holdout.csv", index=False)
    return root


def _examples(obj: Any) -> list[Any]:
    """Every value kept under an "examples" key (the attacks' successful predicates), anywhere in ``obj``."""
    if isinstance(obj, dict):
        return [e for k, v in obj.items() for e in (v if k == "examples" else _examples(v))]
    if isinstance(obj, list):
        return [e for v in obj for e in _examples(v)]
    return []


def test_a_race_prints_the_board_and_the_pick_and_writes_the_reports_json_without_real_examples(
    files: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A memorising CART (one row per leaf) singles training people out by their own values: the race found such
    predicates, and neither the JSON nor the HTML the command writes holds one, nor any value of the planted
    person (alone in their department, paid 9,876,543, hired in 1901) in any form a report writes it."""
    raced: list[RaceResult] = []
    real_race = synth.race
    monkeypatch.setattr(synth, "race", lambda *a, **k: raced.append(real_race(*a, **k)) or raced[-1])
    args = ["race", str(files / "train.csv"), "--holdout", str(files / "holdout.csv")]
    args += ["-s", "gaussian_copula", "-s", "cart:min_samples_leaf=1", "--rows", "600"]
    assert main([*args, "-o", str(files / "race.json")]) == 0
    err = capsys.readouterr().err
    assert "racing 2 runs on 900 training rows, 600 synthetic rows each" in err
    assert "Gaussian copula" in err and "Sequential CART (min_samples_leaf=1)" in err and "is recommended" in err
    assert re.search(r"raced in \d+ s → .*race\.json$", err.strip())
    doc = json.loads((files / "race.json").read_text())
    (result,) = raced
    assert [r["label"] for r in doc["race"]["leaderboard"]] == [r.label for r in result.runs]
    assert doc["race"]["recommended"] == result.recommended and doc["include_real_rows"] is False
    assert doc["dataset"]["train_rows"] == 900 and doc["dataset"]["holdout_rows"] == 300
    assert doc["audit"] is not None and doc["audit"]["n_rows"] == 1200  # the pre-flight audit, as the page's report
    found = _examples(result.to_dict())
    assert found, "the premise: the attacks singled out training people, with their values"
    assert _examples(doc) == []
    assert not leaks((files / "race.json").read_text()), "the planted person's values are in the JSON"
    assert main([*args, "-q", "-o", str(files / "race.html")]) == 0
    page = (files / "race.html").read_text()
    assert "<html" in page and "Sequential CART (min_samples_leaf=1)" in page
    assert not [e for e in _examples(raced[-1].to_dict()) if str(e) in page]
    assert not leaks(page.split("</script></head>", 1)[1])  # the body and its charts' data (plotly.js is the head)
    # Asked for, they are kept, and the file says so; --k 1 suppresses no bar.
    assert main([*args, "-q", "--real-rows", "--k", "1", "-o", str(files / "asked.json")]) == 0
    asked = json.loads((files / "asked.json").read_text())
    assert asked["include_real_rows"] is True and _examples(asked) == _examples(raced[-1].to_dict())
    assert asked["suppression"]["k"] == 1 and doc["suppression"]["k"] == 10


def test_a_failing_run_is_named_in_its_row_and_the_others_are_scored(
    files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["-q", "race", str(files / "train.csv"), "--holdout", str(files / "holdout.csv"), "--no-attacks"]
    args += ["-s", "independent", "-s", "privbayes:epsilon=-1", "-o", str(files / "failed.json")]
    assert main(args) == 0
    err = capsys.readouterr().err  # said even with -q: a run asked for did not happen
    assert "warning: DP Bayesian network (epsilon=-1) failed: SynthesizerError: epsilon must be at least" in err
    board = {r["label"]: r for r in json.loads((files / "failed.json").read_text())["race"]["leaderboard"]}
    assert board["Independent marginals"]["status"] == "ok"
    assert board["DP Bayesian network (epsilon=-1)"]["status"] == "failed"


def test_a_race_no_run_survives_fails_and_writes_nothing(files: Path) -> None:
    out = files / "none.json"
    args = ["-q", "race", "train.csv", "--holdout", "holdout.csv", "-s", "cart:min_samples_leaf=0", "-o", str(out)]
    proc = run(*args, cwd=files)
    assert_user_error(proc, 3, "no run could be scored")
    assert not out.exists()


@pytest.mark.parametrize(
    ("extra", "code", "words"),
    [
        (["-s", "gpt"], 2, "no synthesizer named 'gpt'; available: gaussian_copula"),
        (["-s", "cart:min_samples_leaf"], 2, "settings follow the colon as key=value, e.g. cart:min_samples_leaf=40"),
        (["--rows", "0"], 2, "--rows must be at least 1"),
        (["--k", "0"], 2, "--k must be at least 1"),
        (["--by", "badge"], 1, "--by badge: no such column in train.csv"),
    ],
)
def test_wrong_arguments_end_in_one_line(files: Path, extra: list[str], code: int, words: str) -> None:
    proc = run("race", "train.csv", "--holdout", "holdout.csv", *extra, "-o", "x.json", cwd=files)
    assert_user_error(proc, code, words)


def test_wrong_outputs_and_inputs_end_in_one_line(files: Path, tmp_path: Path) -> None:
    base = ["race", str(files / "train.csv"), "--holdout"]
    proc = run(*base, str(files / "holdout.csv"), "-o", "race.txt", cwd=tmp_path)
    assert_user_error(proc, 2, "name it .json or .html")
    proc = run(*base, str(files / "holdout.csv"), "-o", str(files / "train.csv"), "--overwrite", cwd=tmp_path)
    assert_user_error(proc, 2, "train.csv")
    (tmp_path / "taken.json").write_text("{}")
    proc = run(*base, str(files / "holdout.csv"), "-o", "taken.json", cwd=tmp_path)
    assert_user_error(proc, 2, "--overwrite")
    assert (tmp_path / "taken.json").read_text() == "{}"
    pd.read_csv(files / "holdout.csv").head(5).to_csv(tmp_path / "tiny.csv", index=False)
    proc = run(*base, "tiny.csv", "-o", "r.json", cwd=tmp_path)
    assert_user_error(proc, 1, "the holdout tiny.csv has 5 rows")
    pd.read_csv(files / "holdout.csv").drop(columns="salary").to_csv(tmp_path / "narrow.csv", index=False)
    proc = run(*base, "narrow.csv", "-o", "r.json", cwd=tmp_path)
    assert_user_error(proc, 1, "lacks columns of the training table: salary")
    proc = run(*base, "absent.csv", "-o", "r.json", cwd=tmp_path)
    assert_user_error(proc, 1, "absent.csv does not exist")


def test_a_schema_declaring_text_a_number_is_refused_before_any_fit(files: Path, tmp_path: Path) -> None:
    """As fit and evaluate refuse it: every run would otherwise fail in its row with the same message."""
    schema = json.loads(synth.infer_schema(pd.read_csv(files / "train.csv")).to_json())
    (spec,) = [c for c in schema["columns"] if c["name"] == "department"]
    spec["kind"] = "continuous"
    (tmp_path / "s.json").write_text(json.dumps(schema))
    args = ["race", str(files / "train.csv"), "--holdout", str(files / "holdout.csv"), "--schema", "s.json"]
    proc = run(*args, "-o", "r.json", cwd=tmp_path)
    assert_user_error(proc, 1, "s.json: ")
    assert "do not read as numbers" in proc.stderr and not (tmp_path / "r.json").exists()
