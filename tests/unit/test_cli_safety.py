"""The `synth` command line under a user's mistakes and signals: nothing left behind, no input overwritten, no
internal error from a user's input, and a copy of the training rows never reported as a clean pass."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections import namedtuple
from pathlib import Path

import pandas as pd
import pytest

import synth
from synth.cli import console, main
from tests.unit.test_cli import assert_user_error, run

ROWS = 800


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory, adult_small: pd.DataFrame) -> Path:
    root = tmp_path_factory.mktemp("cli_safety")
    adult_small.head(ROWS).to_csv(root / "train.csv", index=False)
    adult_small.iloc[ROWS : 2 * ROWS].to_csv(root / "holdout.csv", index=False)
    proc = run("fit", "train.csv", "-s", "gaussian_copula", "-p", "n_knots=20", "-o", "model.synth", cwd=root)
    assert proc.returncode == 0, proc.stderr
    return root


@pytest.mark.parametrize(
    ("signum", "code", "output"),
    [(signal.SIGTERM, console.TERMINATED, "big.parquet"), (signal.SIGHUP, console.HANGUP, "big_dir/")],
)
def test_sigterm_and_sighup_stop_sample_and_leave_nothing_behind(
    work: Path, tmp_path: Path, signum: int, code: int, output: str
) -> None:
    shutil.copy(work / "model.synth", tmp_path / "model.synth")
    proc = subprocess.Popen(
        [sys.executable, "-m", "synth.cli", "sample", "model.synth", "-n", "1000000000", "-o", output],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".big*.partial-*")):  # signal once the half-written output exists
        assert proc.poll() is None and time.monotonic() < deadline, "the sample never started writing"
        time.sleep(0.2)
    time.sleep(0.5)
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == code == 128 + signum, stderr
    assert stderr.strip().splitlines() == [
        f"synth: error: stopped by {signal.Signals(signum).name}; nothing was left half-written"
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.synth"]


def test_a_csv_larger_than_the_free_disk_is_refused_before_writing(
    work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**6, 0, 10**6))  # 1 MB free
    code = main(["sample", str(work / "model.synth"), "-n", "1000000", "-o", str(tmp_path / "x.csv")])  # ~100 MB
    err = capsys.readouterr().err
    assert code == console.OUTPUT and "rows as CSV need about" in err and "1.0 MB free" in err, err
    assert list(tmp_path.iterdir()) == []
    # 5,000 rows (about 0.5 MB) fit in that 1 MB and are written.
    assert main(["-q", "sample", str(work / "model.synth"), "-n", "5000", "-o", str(tmp_path / "x.csv")]) == 0
    assert len(pd.read_csv(tmp_path / "x.csv")) == 5_000


def test_an_output_that_is_an_input_is_refused(work: Path, tmp_path: Path) -> None:
    shutil.copy(work / "train.csv", tmp_path / "train.csv")
    shutil.copy(work / "holdout.csv", tmp_path / "holdout.csv")
    original = (tmp_path / "train.csv").read_bytes()
    (tmp_path / "alias.csv").symlink_to(tmp_path / "train.csv")
    cases = [
        ("fit", "train.csv", "-o", "train.csv"),
        ("fit", "train.csv", "-o", "alias.csv"),  # the same file under another name
        ("schema", "train.csv", "-o", "train.csv"),
        ("evaluate", "train.csv", "holdout.csv", "--no-privacy", "-o", "train.csv"),
        ("evaluate", "holdout.csv", "train.csv", "--no-privacy", "-o", "alias.csv"),
    ]
    for argv in cases:
        assert_user_error(run(*argv, cwd=tmp_path), console.USAGE, "writing it would destroy that input")
    assert (tmp_path / "train.csv").read_bytes() == original
    (tmp_path / "data").mkdir()
    pd.read_csv(tmp_path / "train.csv").to_parquet(tmp_path / "data" / "part-0.parquet")
    assert_user_error(run("fit", "data/", "-o", "data/m.synth", cwd=tmp_path), console.USAGE, "lies inside")
    # --overwrite lets an existing output be replaced, never an input.
    for argv in cases[:3]:
        proc = run(*argv, "--overwrite", cwd=tmp_path)
        assert_user_error(proc, console.USAGE, "writing it would destroy that input")
    assert (tmp_path / "train.csv").read_bytes() == original


def test_an_existing_output_is_replaced_only_with_overwrite(work: Path, tmp_path: Path) -> None:
    shutil.copy(work / "model.synth", tmp_path / "model.synth")
    for name in ("train.csv", "holdout.csv"):
        shutil.copy(work / name, tmp_path / name)
    evaluate = ["evaluate", "train.csv", "holdout.csv", "--no-privacy"]
    sample = ["sample", "model.synth", "-n", "50"]
    commands = {  # every command that writes a file, and every kind of file it writes
        "m.synth": ["fit", "train.csv", "-s", "independent"],
        "s.json": ["schema", "train.csv"],
        "e.json": evaluate,
        "t.parquet": sample,
        "t.csv": sample,
    }
    for output, argv in commands.items():
        (tmp_path / output).write_text("precious")
        proc = run(*argv, "-o", output, cwd=tmp_path)
        assert_user_error(proc, console.USAGE, f"the output {output} already exists")
        assert "--overwrite" in proc.stderr
        assert (tmp_path / output).read_text() == "precious"
        replaced = run(*argv, "-o", output, "--overwrite", "-q", cwd=tmp_path)
        assert replaced.returncode == 0, replaced.stderr
        assert (tmp_path / output).read_bytes() != b"precious"
    assert zipfile.is_zipfile(tmp_path / "m.synth") and len(pd.read_csv(tmp_path / "t.csv")) == 50
    assert json.loads((tmp_path / "e.json").read_text())["summary"]["fidelity"] is not None
    # A dataset folder: the same refusal (a usage error) and the same flag.
    assert run(*sample, "-o", "d/", cwd=tmp_path).returncode == 0
    before = sorted(p.name for p in (tmp_path / "d").iterdir())
    assert_user_error(run(*sample, "--seed", "9", "-o", "d/", cwd=tmp_path), console.USAGE, "--overwrite")
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == before
    assert run(*sample, "--seed", "9", "-o", "d/", "--overwrite", cwd=tmp_path).returncode == 0
    # Nothing half-written is left beside a refused output.
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_every_writing_command_offers_overwrite_in_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("fit", "sample", "schema", "evaluate"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert "--overwrite replace" in text and "an existing output without --overwrite" in text, command


def test_an_output_that_appears_during_the_run_is_not_replaced(
    work: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The check before the work is repeated at the rename: a fit takes minutes, and another run may have written
    the same name meanwhile."""
    import synth.synthesizers.base as base

    target = tmp_path / "m.synth"
    real_save = base.Synthesizer.save

    def save_while_another_run_writes(self: base.Synthesizer, path: str | Path) -> None:
        real_save(self, path)
        target.write_text("written by another run")

    monkeypatch.setattr(base.Synthesizer, "save", save_while_another_run_writes)
    code = main(["fit", str(work / "train.csv"), "-s", "independent", "-o", str(target)])
    assert code == console.USAGE and "already exists" in capsys.readouterr().err
    assert target.read_text() == "written by another run"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.synth"]


def test_evaluate_reports_the_privacy_verdict_of_a_copy_of_train(work: Path) -> None:
    proc = run("evaluate", "train.csv", "train.csv", "--holdout", "holdout.csv", "-o", "copy.json", cwd=work)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads((work / "copy.json").read_text())["summary"]
    assert summary["privacy_level"] == "red" and summary["privacy_headline"].startswith("High risk")
    flagged = {f["criterion"]: f["level"] for f in summary["privacy_flagged"]}
    assert flagged["copies"] == flagged["membership"] == flagged["closeness"] == "red"
    # The attacks run too, and a copy of train is singled out and linked through its own rows.
    assert flagged["singling_out"] == flagged["linkability"] == "red"
    assert summary["privacy_not_measured"] == summary["privacy_set_aside"] == {}
    assert summary["attacks"]["singling_out_univariate"]["risk_low"] > 0.9
    assert summary["attacks"]["linkability"]["risk_low"] > 0.9
    lines = proc.stderr.splitlines()
    assert lines[1].startswith("privacy RED: High risk") and "Do not share it" in lines[1]
    assert any(line.strip().startswith("red Copies of real rows: 100.00% of synthetic rows copy") for line in lines)
    quiet = run("-q", "evaluate", "train.csv", "train.csv", "--holdout", "holdout.csv", "-o", "q.json", cwd=work)
    assert "privacy RED" in quiet.stderr  # a risk is said even with --quiet
    # Fresh real rows as the "synthetic" table: the verdict is not red, and it is in the summary.
    fresh = run("evaluate", "train.csv", "holdout.csv", "--holdout", "holdout.csv", "-o", "fresh.json", cwd=work)
    assert fresh.returncode == 0, fresh.stderr
    assert json.loads((work / "fresh.json").read_text())["summary"]["privacy_level"] in ("green", "amber")
    bare = run("evaluate", "train.csv", "holdout.csv", "-o", "bare.json", cwd=work)
    assert json.loads((work / "bare.json").read_text())["summary"]["privacy_level"] is None
    assert "privacy not measured: pass --holdout" in bare.stderr


def test_evaluate_refuses_tables_it_cannot_score_with_advice(work: Path, tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text("a,b,c\n1,x,2.5\n")
    assert_user_error(run("evaluate", "one.csv", "one.csv", "-o", "o.json", cwd=tmp_path), 1, "at least 20")
    pd.DataFrame({"a": [1] * 30, "b": ["x"] * 30}).to_csv(tmp_path / "flat.csv", index=False)
    flat = run("evaluate", "flat.csv", "flat.csv", "-o", "o.json", cwd=tmp_path)
    assert_user_error(flat, console.BAD_INPUT, "columns that vary")
    pd.read_csv(work / "holdout.csv").head(50).to_csv(tmp_path / "small.csv", index=False)
    small = run("evaluate", str(work / "train.csv"), str(work / "holdout.csv"), "--holdout", "small.csv", "-o",
                "o.json", cwd=tmp_path)  # fmt: skip
    assert_user_error(small, console.BAD_INPUT, "pass --no-privacy")
    assert not (tmp_path / "o.json").exists()


def _edited_schema(work: Path, tmp_path: Path, column: str, **fields: str) -> Path:
    schema = json.loads(synth.infer_schema(pd.read_csv(work / "train.csv")).to_json())
    (spec,) = [c for c in schema["columns"] if c["name"] == column]
    spec.update(fields)
    path = tmp_path / f"{column}.json"
    path.write_text(json.dumps(schema))
    return path


def test_a_schema_declaring_text_a_number_or_a_number_a_date_is_refused(work: Path, tmp_path: Path) -> None:
    text_as_number = _edited_schema(work, tmp_path, "workclass", kind="continuous")
    number_as_date = _edited_schema(work, tmp_path, "age", kind="datetime", datetime_format="%Y-%m-%d")
    train = str(work / "train.csv")
    for name in ("pruned_cart", "gaussian_copula", "independent"):
        proc = run("fit", train, "-s", name, "--schema", str(text_as_number), "-o", "m.synth", cwd=tmp_path)
        assert_user_error(proc, console.BAD_INPUT, "declares column 'workclass' continuous, but 100% of its")
    proc = run("fit", train, "--schema", str(number_as_date), "-o", "m.synth", cwd=tmp_path)
    assert_user_error(proc, console.BAD_INPUT, "'age' datetime (format '%Y-%m-%d'), but 100% of its")
    proc = run("evaluate", train, train, "--schema", str(text_as_number), "-o", "e.json", cwd=tmp_path)
    assert_user_error(proc, console.BAD_INPUT, "do not read as numbers")
    assert not (tmp_path / "m.synth").exists() and not (tmp_path / "e.json").exists()
    # The API refuses it too, rather than learning the column as missing.
    schema = synth.Schema.from_json(text_as_number.read_text())
    with pytest.raises(synth.SynthesizerError, match="do not read as numbers"):
        synth.create("cart").fit(pd.read_csv(work / "train.csv"), schema)


def test_excel_sheets_are_chosen_or_named(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    first = book.active
    first.title = "first"
    first.append(["region", "sales"])
    for i in range(60):
        first.append([f"R{i % 4}", i * 1.5])
    second = book.create_sheet("second")
    second.append(["k", "v"])
    for i in range(40):
        second.append([i % 7, i * i])
    book.save(tmp_path / "two.xlsx")
    plain = run("schema", "two.xlsx", cwd=tmp_path)
    assert plain.returncode == 0 and [c["name"] for c in json.loads(plain.stdout)["columns"]] == ["region", "sales"]
    assert plain.stderr.strip() == (
        "warning: two.xlsx has 2 sheets ('first', 'second'); read the first, 'first'. Choose another with --sheet NAME"
    )
    by_name = run("schema", "two.xlsx", "--sheet", "second", cwd=tmp_path)
    by_position = run("schema", "two.xlsx", "--sheet", "1", cwd=tmp_path)
    assert by_name.returncode == 0 and by_name.stderr == "" and by_name.stdout == by_position.stdout
    assert [c["name"] for c in json.loads(by_name.stdout)["columns"]] == ["k", "v"]
    proc = run("fit", "two.xlsx", "--sheet", "second", "-s", "independent", "-o", "m.synth", cwd=tmp_path)
    assert proc.returncode == 0 and "sheets" not in proc.stderr, proc.stderr
    assert synth.load_model(tmp_path / "m.synth").schema_.names == ["k", "v"]
    evaluate = run(
        "evaluate", "two.xlsx", "two.xlsx", "--holdout", "two.xlsx", "--sheet", "second", "--synthetic-sheet", "1",
        "--holdout-sheet", "second", "--no-privacy", "-o", "e.json", cwd=tmp_path,
    )  # fmt: skip
    assert evaluate.returncode == 0 and "sheets" not in evaluate.stderr, evaluate.stderr
    assert json.loads((tmp_path / "e.json").read_text())["inputs"]["synthetic"]["rows_used"] == 40
    unnamed = run("evaluate", "two.xlsx", "two.xlsx", "--sheet", "1", "--no-privacy", "-o", "u.json", cwd=tmp_path)
    assert unnamed.returncode == console.BAD_INPUT and unnamed.stderr.splitlines() == [  # it read the first sheet
        "warning: two.xlsx has 2 sheets ('first', 'second'); read the first, 'first'. Choose another with "
        "--synthetic-sheet NAME",
        "synth: error: the synthetic table lacks columns of the real one: k, v",
    ]
    assert_user_error(run("schema", "two.xlsx", "--sheet", "third", cwd=tmp_path), 1, "its sheets are 'first'")
    pd.DataFrame({"a": range(5)}).to_csv(tmp_path / "t.csv", index=False)
    assert_user_error(run("schema", "t.csv", "--sheet", "x", cwd=tmp_path), console.USAGE, "not one")


def test_python_dash_m_synth_and_the_synthesizers_in_fit_help() -> None:
    proc = subprocess.run([sys.executable, "-m", "synth", "--help"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and proc.stdout.startswith("usage: synth")
    help_text = subprocess.run(
        [sys.executable, "-m", "synth", "fit", "--help"], capture_output=True, text=True, timeout=120
    ).stdout
    assert "--list" not in help_text
    assert all(name in " ".join(help_text.split()) for name in synth.available())


def test_bad_counts_are_wrong_arguments(work: Path) -> None:
    base = ["sample", "model.synth", "-n", "10"]
    for extra, words in [
        (["-o", "c.parquet", "--chunk-rows", "0"], "--chunk-rows must be"),
        (["-o", "c/", "--partition-rows", "-1"], "--partition-rows must be"),
        (["-o", "c/", "--engine", "dask", "--workers", "0"], "--workers must be"),
        (["-o", "c.csv", "--engine", "dask"], "end the output path with /"),
    ]:
        assert_user_error(run(*base, *extra, cwd=work), console.USAGE, words)
    assert_user_error(run("sample", "model.synth", "-n", "0", "-o", "c.csv", cwd=work), console.USAGE, "--rows")
    assert not list(work.glob("c.*")) and not (work / "c").exists()


def test_a_one_row_fit_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "one.csv").write_text("a,b,c\n1,x,2.5\n")
    proc = run("fit", "one.csv", "-o", "o.synth", cwd=tmp_path)
    assert_user_error(proc, console.IMPOSSIBLE, "at least 2 rows, got 1: fit on the whole table")


def _edit_manifest(src: Path, dst: Path, old: str, new: str) -> Path:
    with zipfile.ZipFile(src) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    text = members["manifest.json"].decode()
    assert old in text
    members["manifest.json"] = text.replace(old, new, 1).encode()
    with zipfile.ZipFile(dst, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return dst


def test_an_altered_model_file_reads_as_altered_in_words(work: Path, tmp_path: Path) -> None:
    data = pd.read_csv(work / "train.csv").head(300)
    synth.create("privbayes", epsilon=1.0, usefulness=8.0).fit(data).save(tmp_path / "pb.synth")
    useful = _edit_manifest(tmp_path / "pb.synth", tmp_path / "u.synth", '["usefulness",8.0]', '["usefulness",1e12]')
    proc = run("sample", str(useful), "-n", "5", "-o", "x.csv", cwd=tmp_path)
    assert_user_error(proc, console.BAD_INPUT, "is damaged or was altered: its parameters: not what a fit writes")
    with zipfile.ZipFile(work / "model.synth") as zf:
        manifest = zf.read("manifest.json").decode()
    start = manifest.index('["uinteger",')
    old = manifest[start : manifest.index("]", start) + 1]
    rng = _edit_manifest(work / "model.synth", tmp_path / "r.synth", old, '["uinteger",-7]')
    proc = run("sample", str(rng), "-n", "5", "-o", "x.csv", cwd=tmp_path)
    assert_user_error(proc, console.BAD_INPUT, "its random generator's state cannot be read (can't convert")
    assert "OverflowError" not in proc.stderr
    assert not (tmp_path / "x.csv").exists()


def test_the_readme_states_the_exit_codes_the_command_line_uses() -> None:
    readme = " ".join((Path(__file__).parents[2] / "README.md").read_text().split())
    for code, words in ((console.TERMINATED, "terminated (SIGTERM)"), (console.HANGUP, "hung up (SIGHUP)")):
        assert f"{code} {words}" in readme and f"{code} {words}" in console.EXIT_CODES_HELP


def test_signals_ignored_before_stay_ignored() -> None:
    """``nohup synth sample ...`` keeps running when its terminal closes; SIGTERM still cleans up."""
    previous_term = signal.getsignal(signal.SIGTERM)
    previous_hup = signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        with console.stop_on_signals():
            assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
            assert signal.getsignal(signal.SIGTERM) is console._stop
            with pytest.raises(console.Stopped) as stopped:
                signal.raise_signal(signal.SIGTERM)
            assert stopped.value.code == console.TERMINATED and isinstance(stopped.value, KeyboardInterrupt)
        assert signal.getsignal(signal.SIGTERM) == previous_term
        assert signal.getsignal(signal.SIGHUP) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGHUP, previous_hup)
