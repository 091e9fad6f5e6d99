"""`synth evaluate` runs the Privacy page's WP216 attacks (singling out, linkability, inference): the same figures
as the page's calls for the same tables and seed, on the progress bar, printed with intervals, in the JSON and in
the verdict; `--no-attacks` skips them and says so."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import pytest

import synth
from synth.cli import main
from synth.evaluation.privacy.attacks import AttackerModel, default_attacker_model, evaluate_attacks
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.wp216 import DEFAULT_N_ATTACKS
from tests.conftest import SHARED_DATASETS
from tests.unit.test_cli import run

ADULT = SHARED_DATASETS / "adult.csv"
ROWS = 800


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three disjoint seeded draws of real rows: train, a "synthetic" table of fresh people, and the holdout."""
    if not ADULT.exists():
        pytest.skip(f"the shared dataset {ADULT} is not present")
    root = tmp_path_factory.mktemp("cli_attacks")
    rows = pd.read_csv(ADULT).sample(3 * ROWS, random_state=7).reset_index(drop=True)
    for i, name in enumerate(("train", "fresh", "holdout")):
        rows.iloc[i * ROWS : (i + 1) * ROWS].to_csv(root / f"{name}.csv", index=False)
    return root


def _page_figures(root: Path) -> dict[str, float]:
    """The attacks as the Privacy page runs them on these tables: singling out with no attacker model, then
    linkability and inference for the page's default attacker choice, on one set of prepared tables."""
    from ui.privacy_attacker import AttackerChoice

    train, syn, holdout = (synth.read_table(root / f"{n}.csv") for n in ("train", "fresh", "holdout"))
    schema = synth.infer_schema(train)
    inputs = PrivacyInputs(train, holdout, syn, schema)
    default = default_attacker_model(schema, train)
    choice = AttackerChoice(default.known, default.secret, (), DEFAULT_N_ATTACKS, default.is_default, default.note)
    reports = [
        evaluate_attacks(train, syn, holdout=holdout, attacker=attacker, criteria=criteria, n_attacks=n, inputs=inputs)
        for attacker, criteria, n in (
            (AttackerModel((), ""), ("singling_out",), DEFAULT_N_ATTACKS),
            (choice.attacker, ("linkability", "inference"), choice.n_attacks),
        )
    ]
    return {r.name: r.risk.value for report in reports for r in report.results}


def test_fresh_rows_read_low_risk_with_the_pages_figures_on_the_progress_bar(
    fresh: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(fresh)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)  # the bar is drawn on a terminal only
    assert main(["evaluate", "train.csv", "fresh.csv", "--holdout", "holdout.csv", "-o", "fresh.json"]) == 0
    err = capsys.readouterr().err
    assert "attacks: singling out, linkability, inference" in err  # the bar's label
    doc = json.loads((fresh / "fresh.json").read_text())
    summary, attacks = doc["summary"], doc["attacks"]
    ran = {r["name"]: r for r in attacks["results"]}
    assert set(ran) == {
        "singling_out_univariate", "singling_out_multivariate", "linkability", "inference", "inference_rare",
    }  # fmt: skip
    # The same figures as the page's calls on the same tables and seed (0, the page's).
    assert {name: r["risk"]["value"] for name, r in ran.items()} == _page_figures(fresh)
    assert attacks["n_attacks"] == DEFAULT_N_ATTACKS and attacks["seed"] == 0
    # Fresh people: nothing singled out or linked beyond what holds for people the data never saw.
    levels = {c["key"]: c["level"] for c in doc["privacy_verdict"]["criteria"]}
    assert levels["singling_out"] == levels["linkability"] == "green"
    assert levels["inference"] in ("green", "amber") and summary["privacy_level"] != "red"
    for name in ("singling_out_univariate", "singling_out_multivariate", "linkability"):
        assert summary["attacks"][name]["risk_low"] == 0.0, summary["attacks"][name]
    assert summary["privacy_not_measured"] == summary["privacy_set_aside"] == {}
    # Printed with their intervals, one line each.
    for r in ran.values():
        (line,) = [x for x in err.splitlines() if x.strip().startswith(f"attack {r['label']}: risk ")]
        assert "(95% CI " in line and "on holdout rows (control)" in line
    # A criterion past the amber line within noise is listed as not settled and printed as "unclear", one line each.
    criteria = {c["key"]: c for c in doc["privacy_verdict"]["criteria"]}
    unsettled = [k for k, c in criteria.items() if c["unsettled"]] if summary["privacy_level"] == "green" else []
    assert summary["privacy_unsettled"] == unsettled
    printed = [x.strip() for x in err.splitlines() if x.strip().startswith("unclear ")]
    assert printed == [f"unclear {criteria[k]['label']}: {criteria[k]['value']}" for k in unsettled]
    assert ("Not settled: " in summary["privacy_headline"]) == bool(unsettled)


def test_no_attacks_skips_them_and_says_so(fresh: Path) -> None:
    proc = run(
        "evaluate", "train.csv", "train.csv", "--holdout", "holdout.csv", "--no-attacks", "-o", "skip.json",
        cwd=fresh,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((fresh / "skip.json").read_text())
    assert doc["attacks"] is None and doc["summary"]["attacks"] == {}
    attacks = ("singling_out", "linkability", "inference")
    assert doc["summary"]["privacy_not_measured"] == dict.fromkeys(attacks, "skipped (--no-attacks)")
    assert doc["summary"]["privacy_set_aside"] == {}
    assert doc["summary"]["privacy_level"] == "red"  # a copy of train, judged on the rest
    for label in ("singling out", "linkability", "inference"):
        assert f"not measured: {label}: skipped (--no-attacks)" in proc.stderr
    assert "attack Singling out" not in proc.stderr


def test_an_attacker_model_the_attacks_cannot_use_leaves_them_unmeasured_with_the_reason(
    fresh: Path, tmp_path: Path
) -> None:
    """As on the page: with only age and income, the default attacker knows age and wants income, so linkability
    has no second column group; singling out (which needs no attacker model) still runs."""
    for name in ("train", "fresh", "holdout"):
        pd.read_csv(fresh / f"{name}.csv")[["age", "income"]].to_csv(tmp_path / f"{name}.csv", index=False)
    proc = run("evaluate", "train.csv", "fresh.csv", "--holdout", "holdout.csv", "-o", "two.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads((tmp_path / "two.json").read_text())
    reason = doc["attacks"]["not_run"]["linkability"]
    assert reason == doc["attacks"]["not_run"]["inference"]
    assert reason.startswith("no attacker model the attacks can use: The linkability attack needs two non-empty")
    assert {r["criterion"] for r in doc["attacks"]["results"]} == {"singling_out"}
    # (real values copied is grey too here: two columns hold too few one-off values to judge)
    not_measured = doc["summary"]["privacy_not_measured"]
    assert not_measured["linkability"] == not_measured["inference"] == reason and "singling_out" not in not_measured
    assert f"not measured: linkability: {reason}" in proc.stderr


def test_a_sample_too_small_to_judge_the_attacks_says_so_not_that_no_attack_could_be_made(
    fresh: Path, tmp_path: Path
) -> None:
    """60 synthetic rows: the attacks run but the verdict sets them aside. The CLI printed "not measured: membership
    inference: no attack could be made", which was wrong on both counts."""
    for name in ("train", "holdout"):
        (tmp_path / f"{name}.csv").write_bytes((fresh / f"{name}.csv").read_bytes())
    pd.read_csv(fresh / "fresh.csv").head(60).to_csv(tmp_path / "sixty.csv", index=False)
    proc = run("evaluate", "train.csv", "sixty.csv", "--holdout", "holdout.csv", "-o", "sixty.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "no attack could be made" not in proc.stderr, proc.stderr
    for label in ("membership inference", "singling out", "linkability", "inference"):
        assert f"too few rows: {label}: too few synthetic rows to judge: sample at least 100" in proc.stderr
        assert f"not measured: {label}:" not in proc.stderr, proc.stderr
    summary = json.loads((tmp_path / "sixty.json").read_text())["summary"]
    set_aside = summary["privacy_set_aside"]
    assert set(set_aside) == {"membership", "singling_out", "linkability", "inference"}, summary
    assert all(why.startswith("too few synthetic rows to judge: sample at least 100") for why in set_aside.values())
    assert not set(set_aside) & set(summary["privacy_not_measured"])


def test_skipped_attacks_on_a_small_sample_are_not_measured_and_membership_is_set_aside(
    fresh: Path, tmp_path: Path
) -> None:
    """60 synthetic rows and --no-attacks: the verdict words every attack criterion "too few synthetic rows to
    judge", run or not. The JSON listed the skipped attacks and the measured membership together as "not measured",
    and the printed lines said the skipped attacks were too few rows; now each has its own reason and part."""
    for name in ("train", "holdout"):
        (tmp_path / f"{name}.csv").write_bytes((fresh / f"{name}.csv").read_bytes())
    pd.read_csv(fresh / "fresh.csv").head(60).to_csv(tmp_path / "sixty.csv", index=False)
    proc = run(
        "evaluate", "train.csv", "sixty.csv", "--holdout", "holdout.csv", "--no-attacks", "-o", "s.json", cwd=tmp_path
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((tmp_path / "s.json").read_text())["summary"]
    skipped = "skipped (--no-attacks)"
    assert summary["privacy_not_measured"] == dict.fromkeys(("singling_out", "linkability", "inference"), skipped)
    assert list(summary["privacy_set_aside"]) == ["membership"]
    assert summary["privacy_set_aside"]["membership"].startswith("too few synthetic rows to judge")
    for label in ("singling out", "linkability", "inference"):
        assert f"not measured: {label}: {skipped}" in proc.stderr
        assert f"too few rows: {label}:" not in proc.stderr, proc.stderr
    assert "too few rows: membership inference: too few synthetic rows to judge" in proc.stderr
