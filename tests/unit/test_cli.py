"""The `synth` command line, run as a subprocess: every command, and every user mistake ends in one line."""

from __future__ import annotations

import errno
import importlib.util
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import synth
from synth.cli import console, main
from synth.evaluation.privacy.verdict_criteria import LIGHTS

ROWS = 800


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "synth.cli", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def assert_user_error(proc: subprocess.CompletedProcess[str], code: int, words: str) -> None:
    """Exit ``code``, one line on stderr that mentions ``words``, and no traceback."""
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synth: error: "), proc.stderr
    assert words.lower() in lines[0].lower(), lines[0]


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, adult_small: pd.DataFrame) -> Path:
    root = tmp_path_factory.mktemp("cli")
    adult_small.head(ROWS).to_csv(root / "train.csv", index=False)
    adult_small.iloc[ROWS : 2 * ROWS].to_csv(root / "holdout.csv", index=False)
    proc = run("schema", "train.csv", "-o", "schema.json", cwd=root)
    assert proc.returncode == 0, proc.stderr
    proc = run(
        "fit", "train.csv", "--synthesizer", "gaussian_copula", "--schema", "schema.json", "--param", "n_knots=30",
        "--max-rows", "600", "--seed", "3", "-o", "model.synth", cwd=root,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "seeded sample of 800 rows" in proc.stderr
    return root


def test_help_of_every_command() -> None:
    for argv in ([], ["split"], ["fit"], ["sample"], ["schema"], ["evaluate"]):
        with pytest.raises(SystemExit) as stop:
            main([*argv, "--help"])
        assert stop.value.code == 0


def test_schema_and_fit_record_what_they_read(work: Path) -> None:
    schema = synth.Schema.from_json((work / "schema.json").read_text())
    assert schema["age"].kind is synth.ColumnKind.DISCRETE
    stdout = run("schema", "train.csv", cwd=work)
    assert stdout.returncode == 0 and json.loads(stdout.stdout)["columns"]
    model = synth.load_model(work / "model.synth")
    assert model.get_params()["n_knots"] == 30 and model.random_state == 3
    assert model.n_train_rows_ == 600
    assert model.training_input_ == {  # type: ignore[attr-defined]
        "source": "train.csv", "source_rows": ROWS, "rows_used": 600, "sampled": True, "seed": 3, "streamed": False,
    }  # fmt: skip


def test_fit_says_when_a_dp_model_lost_a_domain_to_the_noise(work: Path) -> None:
    proc = run(
        "fit", "train.csv", "--synthesizer", "privbayes", "--param", "epsilon=0.05", "--quiet", "-o", "dp.synth",
        cwd=work,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert all(w.startswith("warning: ") for w in lines)  # --quiet drops the result line, never a warning
    # the noise is fresh in every fit: a range it left coarse may be a second warning beside the lost domains
    # (both warnings start "At ε = 0.05": the lost domains are picked by their own words)
    (line,) = [w for w in lines if w.startswith("warning: At ε = 0.05 the privacy noise hid the whole domain")]
    collapsed = synth.load_model(work / "dp.synth").collapsed_columns()  # type: ignore[attr-defined]
    assert line.startswith("warning: At ε = 0.05") and collapsed and all(c in line for c in list(collapsed)[:8])


def test_fit_names_the_columns_it_computes_instead_of_modelling(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    casual, registered = rng.poisson(20, 600), rng.poisson(120, 600)
    day = pd.Timestamp("2011-01-01") + pd.to_timedelta(rng.integers(0, 730, 600), unit="D")
    table = pd.DataFrame({"dteday": day, "mnth": day.month, "casual": casual, "registered": registered})
    table["cnt"] = table["casual"] + table["registered"]
    table.to_csv(tmp_path / "bike.csv", index=False)
    proc = run("fit", "bike.csv", "--synthesizer", "pruned_cart", "--seed", "0", "-o", "m.synth", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (rules,) = [line for line in proc.stderr.splitlines() if "computed from other columns" in line]
    assert "cnt = casual + registered" in rules and "mnth = month of dteday" in rules
    quiet = run("fit", "bike.csv", "--synthesizer", "pruned_cart", "--quiet", "-o", "q.synth", cwd=tmp_path)
    assert quiet.returncode == 0 and quiet.stderr == ""
    plain = run(
        "fit", "bike.csv", "--synthesizer", "pruned_cart", "--param", "exact_rules=false", "-o", "p.synth", cwd=tmp_path
    )
    assert plain.returncode == 0 and "computed from other columns" not in plain.stderr


def test_fit_names_the_orders_every_synthetic_row_keeps(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    people = rng.integers(5, 3_000, 800)
    households = np.maximum(1, np.round(people * rng.uniform(0.2, 0.5, 800))).astype(int)
    pd.DataFrame({"people": people, "households": households}).to_csv(tmp_path / "blocks.csv", index=False)
    proc = run("fit", "blocks.csv", "--synthesizer", "pruned_cart", "--seed", "0", "-o", "m.synth", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (orders,) = [line for line in proc.stderr.splitlines() if "every synthetic row keeps" in line]
    assert "households ≤ people" in orders


def test_fit_warns_of_a_declared_order_the_rows_break(tmp_path: Path) -> None:
    """The page's check on the command line: an order declared the wrong way round is named, with the one that
    holds, even with --quiet (the model would draw the two dates equal); the order that holds says nothing."""
    from tests.unit.test_order_breaches import customers

    customers(600).to_csv(tmp_path / "customers.csv", index=False)
    args = ("fit", "customers.csv", "--synthesizer", "privbayes", "--quiet", "-o")
    wrong = run(*args, "w.synth", "--param", 'declared_orders=[["last_login", "signup"]]', cwd=tmp_path)
    assert wrong.returncode == 0, wrong.stderr
    (line,) = [x for x in wrong.stderr.splitlines() if "is broken by" in x]
    assert line.startswith("warning: last_login ≤ signup is broken by") and "Most rows have signup ≤ last_login" in line
    right = run(*args, "r.synth", "--param", 'declared_orders=[["signup", "last_login"]]', cwd=tmp_path)
    assert right.returncode == 0 and "is broken by" not in right.stderr


def test_fit_names_the_ranges_every_synthetic_row_keeps(tmp_path: Path) -> None:
    from tests.unit.test_category_ranges import offices

    offices(800).to_csv(tmp_path / "offices.csv", index=False)
    proc = run("fit", "offices.csv", "--synthesizer", "gaussian_copula", "--seed", "0", "-o", "m.synth", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    (ranges,) = [line for line in proc.stderr.splitlines() if "Ranges kept" in line]
    assert "office_lat and office_lon within each office's range (3 offices)" in ranges
    (together,) = [line for line in proc.stderr.splitlines() if "Missing together" in line]
    assert "office_lat and office_lon (missing on the same rows)" in together


def test_sample_to_parquet_csv_and_dataset_gives_the_same_rows(work: Path) -> None:
    common = ["--rows", "70000", "--seed", "5", "--where", "age >= 30 and sex = Female"]
    a = run("sample", "model.synth", *common, "-o", "a.parquet", "--chunk-rows", "10000", cwd=work)
    b = run("sample", "model.synth", *common, "-o", "b/", "--partition-rows", "30000", cwd=work)
    c = run("sample", "model.synth", *common, "-o", "c.csv", cwd=work)
    for proc in (a, b, c):
        assert proc.returncode == 0, proc.stderr
        assert "wrote 70,000 rows" in proc.stderr
        assert "\r" not in proc.stderr  # no progress bar when stderr is not a terminal
    ta = pq.read_table(work / "a.parquet")
    assert ta.equals(pq.read_table(work / "b").select(ta.column_names).cast(ta.schema))
    df = ta.to_pandas()
    assert (df["age"] >= 30).all() and (df["sex"] == "Female").all()
    csv = pd.read_csv(work / "c.csv")
    pd.testing.assert_frame_equal(csv.fillna(-1), df.fillna(-1), check_dtype=False)


def test_sample_rebalances(work: Path) -> None:
    proc = run(
        "sample", "model.synth", "--rows", "4000", "-o", "r.parquet", "--rebalance", "income=>50K:0.25,<=50K:0.75",
        cwd=work,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    income = pq.read_table(work / "r.parquet").column("income").to_pandas()
    assert (income == ">50K").sum() == 1_000


def test_evaluate_writes_json_scores(work: Path) -> None:
    proc = run("sample", "model.synth", "--rows", "800", "--seed", "2", "-o", "syn.parquet", cwd=work)
    assert proc.returncode == 0, proc.stderr
    proc = run("evaluate", "train.csv", "syn.parquet", "--holdout", "holdout.csv", "-o", "report.json", cwd=work)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((work / "report.json").read_text())
    assert 0.0 <= report["summary"]["fidelity"] <= 1.0
    assert report["summary"]["fidelity"] == report["fidelity"]["scores"]["overall"]
    assert report["privacy"] is not None and report["inputs"]["synthetic"]["rows_used"] == 800
    # The honest headline leads: accuracy against the holdout's ceiling and the discriminator, as on Compare.
    summary = report["summary"]
    assert summary["fidelity_level"] in ("as_good_as_real", "close", "distinguishable")
    tri = summary["accuracy"]["trivariate"]
    assert 0.0 < tri["value"] <= 1.0 and 0.0 < tri["ceiling"] <= 1.0
    assert tri["value"] == report["accuracy"]["trivariate"]["value"]
    assert 0.0 <= summary["discriminator_auc"] <= 1.0 and summary["discriminator_reference_auc"] is not None
    assert summary["discriminator_real_rows"] == report["discriminator"]["real_rows"]
    assert summary["discriminator_real_rows"] == "holdout"  # told from fresh rows, not the ones fitted on


def test_evaluate_html_is_the_dashboard_report_or_a_clear_message(work: Path) -> None:
    proc = run("evaluate", "train.csv", "holdout.csv", "--holdout", "holdout.csv", "-o", "r.html", cwd=work)
    if importlib.util.find_spec("synth.report") is None:
        assert_user_error(proc, console.USAGE, "-o report.json")
        assert not (work / "r.html").exists()
    else:
        assert proc.returncode == 0, proc.stderr
        page = (work / "r.html").read_text()
        assert page.lstrip().lower().startswith("<!doctype html")
        # --no-attacks leaves the report's singling-out, linkability and inference rows grey ("not measured").
        skip = run("evaluate", "train.csv", "holdout.csv", "--holdout", "holdout.csv", "--no-attacks", "-o", "s.html",
                   cwd=work)  # fmt: skip
        assert skip.returncode == 0, skip.stderr
        words = " ".join(re.sub(r"<[^>]+>", " ", (work / "s.html").read_text()).split())
        for label in ("Singling out", "Linkability", "Inference"):
            assert f"{label} {LIGHTS['grey']} grey not measured" in words
        assert "grey not measured" not in " ".join(re.sub(r"<[^>]+>", " ", page).split())
    no_holdout = run("evaluate", "train.csv", "holdout.csv", "-o", "r2.html", cwd=work)
    assert no_holdout.returncode == console.USAGE and "Traceback" not in no_holdout.stderr


def test_input_mistakes_exit_1(work: Path) -> None:
    assert_user_error(run("fit", "nope.csv", "-o", "m.synth", cwd=work), console.BAD_INPUT, "does not exist")
    assert_user_error(run("sample", "nope.synth", "--rows", "5", "-o", "x.csv", cwd=work), 1, "does not exist")
    assert_user_error(run("sample", "train.csv", "--rows", "5", "-o", "x.csv", cwd=work), 1, "not a synth model")
    # A tampered model file: the manifest names a synthesizer that does not exist (loading never imports it).
    with zipfile.ZipFile(work / "model.synth") as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    manifest = json.loads(members["manifest.json"])
    manifest["synthesizer"] = "os.system"
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(work / "tampered.synth", "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    assert_user_error(run("sample", "tampered.synth", "--rows", "5", "-o", "x.csv", cwd=work), 1, "unknown synthesizer")
    (work / "cut.synth").write_bytes((work / "model.synth").read_bytes()[:300])
    assert_user_error(run("sample", "cut.synth", "--rows", "5", "-o", "x.csv", cwd=work), 1, "not a synth model")
    (work / "bad_schema.json").write_text("{not json")
    assert_user_error(run("fit", "train.csv", "--schema", "bad_schema.json", "-o", "m.synth", cwd=work), 1, "schema")
    (work / "empty.csv").write_text("")
    assert_user_error(run("schema", "empty.csv", cwd=work), 1, "empty.csv")
    assert not list(work.glob("x.csv*")) and not (work / "m.synth").exists()


def test_impossible_requests_exit_3_and_bad_arguments_exit_2(work: Path) -> None:
    base = ["sample", "model.synth", "--rows", "100", "-o", "x.parquet"]
    assert_user_error(run(*base, "--where", "sex = Martian", cwd=work), console.IMPOSSIBLE, "never occurs")
    assert_user_error(run(*base, "--where", "age >= 500", cwd=work), console.IMPOSSIBLE, "ranges from")
    assert_user_error(run(*base, "--where", "planet = Mars", cwd=work), console.USAGE, "not a column")
    assert_user_error(run(*base, "--rebalance", "income", cwd=work), console.USAGE, "column=value:share")
    assert_user_error(run(*base[:-2], "-o", "x.xlsx", cwd=work), console.OUTPUT, ".parquet or .csv")
    fit = ["fit", "train.csv", "-o", "m.synth"]
    assert_user_error(run(*fit, "--synthesizer", "magic", cwd=work), console.USAGE, "no synthesizer named")
    assert_user_error(run(*fit, "--param", "n_knots=-4", cwd=work), console.IMPOSSIBLE, "n_knots")
    assert_user_error(run(*fit, "--param", "flux=1", cwd=work), console.IMPOSSIBLE, "no parameter")
    usage = run("sample", "model.synth", cwd=work)  # --rows missing: argparse's own message and code
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert not list(work.glob("x.*")) and not (work / "m.synth").exists()


def test_unwritable_outputs_exit_4(work: Path) -> None:
    (work / "a_file").write_text("")
    base = ["sample", "model.synth", "--rows", "10"]
    assert_user_error(run(*base, "-o", "missing_dir/x.parquet", cwd=work), console.OUTPUT, "does not exist")
    assert_user_error(run(*base, "-o", "a_file/x.parquet", cwd=work), console.OUTPUT, "is a file")
    assert_user_error(run(*base, "-o", "/proc/x.parquet", cwd=work), console.OUTPUT, "cannot write")
    assert_user_error(run("fit", "train.csv", "-o", "a_file/m.synth", cwd=work), console.OUTPUT, "cannot write")
    assert_user_error(run("schema", "train.csv", "-o", "no/s.json", cwd=work), console.OUTPUT, "does not exist")


def test_disk_full_exits_4_without_leftovers(
    work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_write = pq.ParquetWriter.write_table

    def full(self: pq.ParquetWriter, *args: object, **kw: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full)
    code = main(["sample", str(work / "model.synth"), "--rows", "1000", "-o", str(tmp_path / "x.parquet")])
    monkeypatch.setattr(pq.ParquetWriter, "write_table", real_write)
    assert code == console.OUTPUT
    err = capsys.readouterr().err
    assert err.startswith("synth: error: the disk is full") and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not console.Progress("x").enabled
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    bar = console.Progress("x")
    assert bar.enabled
    bar(0.5, "half")
    assert bar.bar.n == 500
    bar.close()
    rows = console.Progress("x", total=70_000)
    rows(0.25, "a quarter")
    assert rows.bar.n == 17_500
    rows.close()
    assert not console.Progress("x", quiet=True).enabled


def test_dask_engine_mistakes(work: Path) -> None:
    base = ["sample", "model.synth", "--rows", "100"]
    # A single-file output with the dask engine is a wrong combination of arguments (2); an unreachable scheduler
    # is where the output cannot be written (4).
    assert_user_error(run(*base, "-o", "d.parquet", "--engine", "dask", cwd=work), console.USAGE, "end the output")
    unreachable = run(*base, "-o", "d/", "--scheduler", "tcp://127.0.0.1:1", cwd=work)
    assert_user_error(unreachable, console.OUTPUT, "cannot reach the dask scheduler")
    assert not (work / "d").exists() and not list(work.glob(".d.partial*"))


def test_evaluate_warns_when_the_holdout_holds_people_seen_in_training(tmp_path: Path) -> None:
    """A clinic's visits split by row: most holdout visits are of patients with visits in train, so the holdout is
    no yardstick of unseen people; evaluate says so (and stays quiet on a split by patient)."""
    import synth
    from benchmarks.walk_tables import clinic

    frame = clinic(n=1200, patients=400)
    for by, warned in ((None, True), ("patient_id", False)):
        train, holdout = synth.split(frame, 0.25, 0, by=by)
        train.to_csv(tmp_path / "train.csv", index=False)
        holdout.to_csv(tmp_path / "holdout.csv", index=False)
        proc = run(
            "evaluate", "train.csv", "holdout.csv", "--holdout", "holdout.csv", "--no-attacks", "-o", f"r{by}.json",
            cwd=tmp_path,
        )  # fmt: skip
        assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
        assert ("belong to a patient_id that also has rows in train" in proc.stderr) is warned, proc.stderr


def test_evaluate_names_the_rules_a_synthetic_table_breaks(tmp_path: Path) -> None:
    """A shop table (a weekday of its date, a tier's code, a total of its parts, shares adding up to 100) against
    rows whose columns were drawn apart: every rule broken, listed in the JSON and named first by the headline; the
    real holdout breaks none. With --no-privacy the note says why privacy was not measured."""
    from tests.unit.test_exact_rule_checks import RULES, shop

    train, holdout = shop(1_200, seed=1), shop(600, seed=2)
    rng = np.random.default_rng(3)
    drawn_apart = pd.DataFrame({c: train[c].to_numpy()[rng.permutation(len(train))] for c in train.columns})
    train.to_csv(tmp_path / "train.csv", index=False)
    holdout.to_csv(tmp_path / "holdout.csv", index=False)
    drawn_apart.to_csv(tmp_path / "apart.csv", index=False)
    for synthetic, out in (("apart.csv", "apart.json"), ("holdout.csv", "fresh.json")):
        proc = run(
            "evaluate", "train.csv", synthetic, "--holdout", "holdout.csv", "--no-privacy", "-o", out, cwd=tmp_path
        )
        assert proc.returncode == 0, proc.stderr
        assert "privacy not measured (--no-privacy)" in proc.stderr
    apart = json.loads((tmp_path / "apart.json").read_text())
    assert {r["rule"] for r in apart["exact_rules"]} == RULES
    assert all(r["broken"] > 0.3 * r["checked"] for r in apart["exact_rules"]), apart["exact_rules"]
    assert apart["summary"]["rules_broken"] == 4 and apart["summary"]["fidelity_level"] == "distinguishable"
    assert "of synthetic rows break" in apart["summary"]["headline"]
    fresh = json.loads((tmp_path / "fresh.json").read_text())
    assert fresh["summary"]["rules_broken"] == 0 and {r["broken"] for r in fresh["exact_rules"]} == {0}


def test_evaluate_without_the_rules_check_still_scores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The rules' check raising leaves a warning and an empty list; every other score is written."""
    import synth.evaluation.fidelity.exact_rules as exact_rules
    from tests.unit.test_exact_rule_checks import shop

    def broken(*_: object, **__: object) -> None:
        raise ValueError("a column the check cannot read")

    monkeypatch.setattr(exact_rules, "evaluate_exact_rules", broken)
    shop(600, seed=1).to_csv(tmp_path / "train.csv", index=False)
    shop(600, seed=2).to_csv(tmp_path / "other.csv", index=False)
    out = tmp_path / "out.json"
    code = main(["evaluate", str(tmp_path / "train.csv"), str(tmp_path / "other.csv"), "--no-privacy", "-o", str(out)])
    assert code == console.OK
    assert (
        "the rules every real row holds could not be checked: a column the check cannot read" in capsys.readouterr().err
    )
    report = json.loads(out.read_text())
    assert report["exact_rules"] == [] and report["summary"]["rules_broken"] == 0
    assert 0.0 < report["summary"]["fidelity"] <= 1.0
