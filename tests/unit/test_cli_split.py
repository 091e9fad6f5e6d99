"""`synth split`: the dashboard's rows on each side, people kept whole, outputs written whole or not at all, the
kinds of a CSV part read back, and a table too large to hold split by streaming without losing a row."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
import synth.split_files as split_files
from synth.cli import console, main
from synth.schema.entities import entity_column

N = 600


def visits(n: int = N, seed: int = 1) -> pd.DataFrame:
    """A clinic's visits: patients on about four rows each, codes with leading zeros, dates, missing counts."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "patient_id": [f"P{v:04d}" for v in rng.integers(0, max(n // 4, 1), n)],
            "ward": [f"{v:03d}" for v in rng.integers(0, 12, n)],
            "visit": pd.date_range("2020-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "drugs": pd.array(np.where(rng.random(n) < 0.1, None, rng.integers(0, 5, n)), dtype="Int64"),
            "cost": rng.normal(100, 10, n).round(2),
            "admitted": rng.random(n) < 0.3,
        }
    )


def readings(n: int = N, seed: int = 2) -> pd.DataFrame:
    """Rows that are each their own: no column names a person."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"x": rng.normal(size=n).round(3), "g": rng.choice(["a", "b", "c"], n)})


def split_cli(*args: str) -> int:
    return main(["split", *args])


def error_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("synth: error: "), lines
    return lines[0]


def test_the_parts_hold_the_dashboards_rows(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Read as the Data page reads an upload, split by the person column it suggests: the same rows each side."""
    visits().to_csv(tmp_path / "real.csv", index=False)
    df = synth.read_table(tmp_path / "real.csv")
    person = entity_column(df, synth.infer_schema(df))
    assert person is not None and person.column == "patient_id"
    for share, seed in ((0.2, 0), (0.35, 7)):
        assert split_cli(
            str(tmp_path / "real.csv"), "--holdout-share", str(share), "--seed", str(seed),
            "-o", str(tmp_path / "train.parquet"), "--holdout", str(tmp_path / "holdout.parquet"), "--overwrite",
        ) == console.OK  # fmt: skip
        train, holdout = synth.split(df, holdout=share, seed=seed, by="patient_id")
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "train.parquet"), train)
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "holdout.parquet"), holdout)
        err = capsys.readouterr().err
        assert "by patient_id, found in the table" in err
        assert (
            f"split {N:,} rows → {len(train):,} train ({tmp_path / 'train.parquet'}) / {len(holdout):,} holdout "
            f"({tmp_path / 'holdout.parquet'}), by patient_id, seed {seed}"
        ) in err


def test_a_named_column_and_a_table_without_people_split_as_the_dashboard(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    df = synth.read_table(tmp_path / "real.csv")
    assert split_cli(str(tmp_path / "real.csv"), "--by", "ward", "--seed", "3", "-o", str(tmp_path / "t.parquet"),
                     "--holdout", str(tmp_path / "h.parquet")) == 0  # fmt: skip
    train, holdout = synth.split(df, holdout=0.2, seed=3, by="ward")
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "h.parquet"), holdout)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), train)
    err = capsys.readouterr().err
    assert "found in" not in err and ", by ward, seed 3" in err  # a named column is said once, in the summary

    readings().to_csv(tmp_path / "r.csv", index=False)
    rows = synth.read_table(tmp_path / "r.csv")
    assert entity_column(rows, synth.infer_schema(rows)) is None
    assert split_cli(str(tmp_path / "r.csv"), "-o", str(tmp_path / "rt.parquet"), "--holdout",
                     str(tmp_path / "rh.parquet")) == 0  # fmt: skip
    _, holdout = synth.split(rows, holdout=0.2, seed=0)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "rh.parquet"), holdout)
    err = capsys.readouterr().err
    assert "rows split one by one" in err and ", row by row, seed 0" in err


def test_each_person_is_on_one_side(tmp_path: Path) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    assert split_cli(str(tmp_path / "real.csv"), "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == 0  # fmt: skip
    train, holdout = synth.read_table(tmp_path / "t.csv"), synth.read_table(tmp_path / "h.csv")
    assert len(train) + len(holdout) == N
    assert not set(train["patient_id"]) & set(holdout["patient_id"])
    assert set(train["patient_id"]) | set(holdout["patient_id"]) == set(visits()["patient_id"])


def test_quiet_says_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    assert main(["-q", "split", str(tmp_path / "real.csv"), "-o", str(tmp_path / "t.csv"), "--holdout",
                 str(tmp_path / "h.csv")]) == 0  # fmt: skip
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""
    assert (tmp_path / "t.csv").exists() and (tmp_path / "h.csv").exists()


@pytest.mark.parametrize(
    ("extra", "code", "words"),
    [
        (("--holdout-share", "0"), console.USAGE, "strictly between 0 and 1"),
        (("--holdout-share", "1"), console.USAGE, "strictly between 0 and 1"),
        (("--holdout-share", "-0.2"), console.USAGE, "strictly between 0 and 1"),
        (("--seed", "-1"), console.USAGE, "whole number ≥ 0"),
        (("--by", "nurse"), console.BAD_INPUT, "--by nurse: no such column"),
    ],
)
def test_wrong_arguments_end_in_one_line_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], code: int, words: str
) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    args = [str(tmp_path / "real.csv"), "-o", str(tmp_path / "t.csv"), "--holdout", str(tmp_path / "h.csv")]
    assert split_cli(*args, *extra) == code
    assert words in error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.csv"]


def test_tables_too_small_and_one_person_are_refused_with_the_splits_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    visits(2).to_csv(tmp_path / "two.csv", index=False)
    assert split_cli(str(tmp_path / "two.csv"), "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == console.BAD_INPUT  # fmt: skip
    assert "too small to split 20% off as holdout" in error_line(capsys)
    one = visits().assign(patient_id="P0001")
    one.to_csv(tmp_path / "one.csv", index=False)
    assert split_cli(str(tmp_path / "one.csv"), "--by", "patient_id", "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == console.BAD_INPUT  # fmt: skip
    assert "no second person to hold out" in error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv", "two.csv"]


def test_outputs_are_refused_before_any_work(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real.csv"
    visits().to_csv(real, index=False)
    (tmp_path / "t.csv").write_text("an earlier train\n")
    cases = [
        (["-o", str(tmp_path / "t.csv"), "--holdout", str(tmp_path / "h.csv")], "already exists"),
        (["-o", str(tmp_path / "a.csv"), "--holdout", str(tmp_path / "a.csv")], "need a file each"),
        (["-o", str(tmp_path / "a.csv"), "--holdout", str(real), "--overwrite"], "would destroy that input"),
        (["-o", str(tmp_path / "a.xlsx"), "--holdout", str(tmp_path / "h.csv")], "name it .csv or .parquet"),
        (["-o", str(tmp_path / "t.csv"), "--holdout", str(tmp_path / "link.csv"), "--overwrite"], "need a file each"),
    ]
    os.link(tmp_path / "t.csv", tmp_path / "link.csv")  # the same file under another name
    for outputs, words in cases:
        assert split_cli(str(real), *outputs) == console.USAGE
        assert words in error_line(capsys)
    assert (tmp_path / "t.csv").read_text() == "an earlier train\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv", "t.csv"]
    assert split_cli(str(tmp_path / "missing.csv"), "-o", str(tmp_path / "a.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == console.BAD_INPUT  # fmt: skip
    assert "does not exist" in error_line(capsys)


def test_overwrite_replaces_both_parts(tmp_path: Path) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    for name in ("t.csv", "h.csv"):
        (tmp_path / name).write_text("old\n")
    args = [str(tmp_path / "real.csv"), "-o", str(tmp_path / "t.csv"), "--holdout", str(tmp_path / "h.csv")]
    assert split_cli(*args, "--overwrite") == 0
    assert len(synth.read_table(tmp_path / "t.csv")) + len(synth.read_table(tmp_path / "h.csv")) == N


def test_a_failure_leaves_neither_part_behind(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    args = [str(tmp_path / "real.csv"), "-o", str(tmp_path / "t.csv"), "--holdout", str(tmp_path / "h.csv")]
    real_write = split_files.write_part
    calls: list[Path] = []

    def full_disk_on_the_holdout(df: pd.DataFrame, path: Path, fmt: split_files.PartFormat) -> None:
        calls.append(path)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        real_write(df, path, fmt)

    monkeypatch.setattr(split_files, "write_part", full_disk_on_the_holdout)
    assert split_cli(*args) == console.OUTPUT
    assert "the disk is full" in error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.csv"]  # no part, no temporary file

    # The holdout is put in place first; a train that another process wrote meanwhile is refused, and the
    # holdout already in place is taken away again.
    def train_appears(df: pd.DataFrame, path: Path, fmt: split_files.PartFormat) -> None:
        real_write(df, path, fmt)
        (tmp_path / "t.csv").write_text("someone else's\n")

    monkeypatch.setattr(split_files, "write_part", train_appears)
    assert split_cli(*args) == console.USAGE
    assert "already exists" in error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.csv", "t.csv"]
    assert (tmp_path / "t.csv").read_text() == "someone else's\n"

    (tmp_path / "t.csv").unlink()

    def interrupted(df: pd.DataFrame, path: Path, fmt: split_files.PartFormat) -> None:
        real_write(df, path, fmt)
        raise KeyboardInterrupt

    monkeypatch.setattr(split_files, "write_part", interrupted)
    assert split_cli(*args) == console.CANCELLED
    assert "nothing was left half-written" in error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.csv"]


def test_a_csv_part_reads_back_with_the_kinds_of_the_dashboards_part(tmp_path: Path) -> None:
    """Codes with leading zeros, dates, whole numbers with missing values, decimals and flags: the CSV part read
    back by the project's reader has the dtypes and the kinds of the in-memory part, value for value."""
    visits().to_csv(tmp_path / "real.csv", index=False)
    assert split_cli(str(tmp_path / "real.csv"), "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == 0  # fmt: skip
    df = synth.read_table(tmp_path / "real.csv")
    train, holdout = synth.split(df, holdout=0.2, seed=0, by="patient_id")
    for expected, name in ((train, "t.csv"), (holdout, "h.csv")):
        back = synth.read_table(tmp_path / name)
        back.attrs, expected.attrs = {}, {}
        pd.testing.assert_frame_equal(back, expected)
        kinds = {s.name: s.kind for s in synth.infer_schema(back)}
        assert kinds == {s.name: s.kind for s in synth.infer_schema(expected)}
    assert back["ward"].str.fullmatch(r"\d{3}").all() and (back["ward"].str[0] == "0").any()
    assert back["drugs"].isna().any()


def test_date_times_of_a_parquet_table_are_written_as_iso_text(tmp_path: Path) -> None:
    """A Parquet table's date-times reach a CSV part as the text a CSV of them holds: the date alone at midnight,
    seconds otherwise, the offset of an aware column; missing stays missing."""
    n = 200
    stamps = pd.Series(pd.date_range("2021-03-01 08:30", periods=n, freq="7h"))
    df = pd.DataFrame(
        {
            "day": pd.Series(pd.date_range("2021-01-01", periods=n, freq="D")).where(np.arange(n) % 9 != 0),
            "at": stamps,
            "local": stamps.dt.tz_localize("Europe/Berlin"),
            "n": np.arange(n),
        }
    )
    df.to_parquet(tmp_path / "real.parquet")
    assert split_cli(str(tmp_path / "real.parquet"), "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == 0  # fmt: skip
    back = synth.read_table(tmp_path / "t.csv")
    train, _ = synth.split(synth.read_table(tmp_path / "real.parquet"), holdout=0.2, seed=0)
    assert back["day"].dropna().str.fullmatch(r"\d{4}-\d\d-\d\d").all() and back["day"].isna().any()
    assert back["at"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d").all()
    assert back["local"].str.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d[+-]\d{4}").all()
    pd.testing.assert_series_equal(pd.to_datetime(back["at"]), train["at"].astype("datetime64[ns]"), check_dtype=False)
    assert (pd.to_datetime(back["local"], utc=True) == train["local"].dt.tz_convert("UTC")).all()
    kinds = {s.name: s.kind for s in synth.infer_schema(back)}
    assert kinds == {s.name: s.kind for s in synth.infer_schema(train)}


def test_durations_are_written_as_text_not_nanoseconds(tmp_path: Path) -> None:
    n = 50
    waits = pd.Series(pd.to_timedelta(np.arange(n), unit="min")).where(np.arange(n) % 7 != 0)
    pd.DataFrame({"wait": waits, "n": np.arange(n)}).to_parquet(tmp_path / "real.parquet")
    assert split_cli(str(tmp_path / "real.parquet"), "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == 0  # fmt: skip
    back = synth.read_table(tmp_path / "t.csv")
    assert back["wait"].dropna().str.fullmatch(r"0 days 00:\d\d:00").all() and back["wait"].isna().any()
    written = pd.to_timedelta(back["wait"]).set_axis(back["n"])
    assert (written.dropna() == waits.set_axis(np.arange(n)).loc[written.dropna().index]).all()


def test_a_text_column_of_numbers_in_one_part_reads_back_as_numbers(tmp_path: Path) -> None:
    """What the module docs say: the reader types each file's text column by its own values, so a part whose values
    of a room column all look like numbers reads them as numbers, from CSV and Parquet alike; the Parquet file
    holds them as the text they were."""
    rooms = ["B2"] + ["12", "15", "21"] * 40
    pd.DataFrame({"room": rooms, "x": np.arange(len(rooms))}).to_csv(tmp_path / "real.csv", index=False)
    assert synth.read_table(tmp_path / "real.csv")["room"].dtype == object
    for ext in ("csv", "parquet"):
        assert split_cli(str(tmp_path / "real.csv"), "-o", str(tmp_path / f"t.{ext}"), "--holdout",
                         str(tmp_path / f"h.{ext}"), "--seed", "4") == 0  # fmt: skip
    side = "t" if "B2" not in set(synth.read_table(tmp_path / "t.parquet")["room"]) else "h"
    assert pd.api.types.is_numeric_dtype(synth.read_table(tmp_path / f"{side}.csv")["room"])
    assert pd.api.types.is_numeric_dtype(synth.read_table(tmp_path / f"{side}.parquet")["room"])
    assert pd.read_parquet(tmp_path / f"{side}.parquet")["room"].dtype == object


# A table too large to hold --------------------------------------------------------------------------------------


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file of these tests is over the size split in memory."""
    monkeypatch.setattr(split_files, "IN_MEMORY_BYTES", 1_000)


def raw_lines(path: Path) -> list[str]:
    return path.read_text().splitlines()


def test_a_large_csv_is_streamed_whole_people_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], streamed: None
) -> None:
    n = 4_000
    table = visits(n).assign(cost=lambda d: d["cost"].map(lambda v: f"{v:.2f}".replace(".", ",")))
    table.to_csv(tmp_path / "real.csv", index=False, sep=";")  # decimal commas, as a German export writes them
    args = ["-o", str(tmp_path / "t.csv"), "--holdout", str(tmp_path / "h.csv"), "--overwrite"]
    assert split_cli(str(tmp_path / "real.csv"), "--by", "patient_id", *args) == 0
    err = capsys.readouterr().err
    assert "too large to hold in memory: splitting it by streaming" in err and ", streamed (" in err
    source = pd.read_csv(tmp_path / "real.csv", sep=";", dtype=str, keep_default_na=False)
    train = pd.read_csv(tmp_path / "t.csv", sep=";", dtype=str, keep_default_na=False)
    holdout = pd.read_csv(tmp_path / "h.csv", sep=";", dtype=str, keep_default_na=False)
    # Every row once, its text as it stood (codes, decimal commas, missing cells), in file order on each side.
    both = pd.concat([train, holdout]).sort_values(list(source.columns)).reset_index(drop=True)
    pd.testing.assert_frame_equal(both, source.sort_values(list(source.columns)).reset_index(drop=True))
    assert train["visit"].is_monotonic_increasing and holdout["visit"].is_monotonic_increasing
    assert not set(train["patient_id"]) & set(holdout["patient_id"])
    assert 0.14 < len(holdout) / n < 0.26  # about the share: 1,000 patients drawn at 20% (sd 1.3 points)
    assert f"split {n:,} rows → {len(train):,} train" in err
    first = (raw_lines(tmp_path / "t.csv"), raw_lines(tmp_path / "h.csv"))
    assert split_cli(str(tmp_path / "real.csv"), "--by", "patient_id", *args) == 0
    assert (raw_lines(tmp_path / "t.csv"), raw_lines(tmp_path / "h.csv")) == first  # seeded
    assert split_cli(str(tmp_path / "real.csv"), "--by", "patient_id", "--seed", "1", *args) == 0
    assert (raw_lines(tmp_path / "t.csv"), raw_lines(tmp_path / "h.csv")) != first
    back = synth.read_table(tmp_path / "h.csv")
    assert back["ward"].str[0].eq("0").any() and pd.api.types.is_float_dtype(back["cost"])


def test_a_large_gzipped_csv_is_streamed_as_the_plain_one_is(tmp_path: Path, streamed: None) -> None:
    visits(2_000).to_csv(tmp_path / "real.csv", index=False)
    visits(2_000).to_csv(tmp_path / "real.csv.gz", index=False, compression="gzip")
    for name, out in (("real.csv", "p"), ("real.csv.gz", "g")):
        args = ["-o", str(tmp_path / f"{out}_t.csv"), "--holdout", str(tmp_path / f"{out}_h.csv")]
        assert split_cli(str(tmp_path / name), "--by", "patient_id", *args) == 0
    assert raw_lines(tmp_path / "g_t.csv") == raw_lines(tmp_path / "p_t.csv")
    assert (
        raw_lines(tmp_path / "g_h.csv") == raw_lines(tmp_path / "p_h.csv")
        and len(raw_lines(tmp_path / "g_h.csv")) > 100
    )


def test_a_large_table_finds_its_person_in_a_sample_or_splits_row_by_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], streamed: None
) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    assert split_cli(str(tmp_path / "real.csv"), "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert f"by patient_id, found in a seeded sample of {N:,} rows" in err
    train, holdout = synth.read_table(tmp_path / "t.csv"), synth.read_table(tmp_path / "h.csv")
    assert not set(train["patient_id"]) & set(holdout["patient_id"]) and len(train) + len(holdout) == N

    readings(3_000).to_csv(tmp_path / "r.csv", index=False)
    assert split_cli(str(tmp_path / "r.csv"), "-o", str(tmp_path / "rt.csv"), "--holdout",
                     str(tmp_path / "rh.csv")) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "rows split one by one" in err and ", row by row, seed 0, streamed" in err
    held = len(synth.read_table(tmp_path / "rh.csv"))
    assert held + len(synth.read_table(tmp_path / "rt.csv")) == 3_000 and 0.17 < held / 3_000 < 0.23


def test_a_large_parquet_table_or_folder_is_streamed_with_its_types(tmp_path: Path, streamed: None) -> None:
    table = visits(3_000)
    folder = tmp_path / "real"
    folder.mkdir()
    table.iloc[:1_500].to_parquet(folder / "part-0.parquet")
    table.iloc[1_500:].to_parquet(folder / "part-1.parquet")
    for source in (folder, tmp_path / "whole.parquet"):
        table.to_parquet(tmp_path / "whole.parquet")
        assert split_cli(str(source), "--by", "patient_id", "-o", str(tmp_path / "t.parquet"), "--holdout",
                         str(tmp_path / "h.parquet"), "--overwrite") == 0  # fmt: skip
        train, holdout = pd.read_parquet(tmp_path / "t.parquet"), pd.read_parquet(tmp_path / "h.parquet")
        assert dict(train.dtypes) == dict(table.dtypes) == dict(holdout.dtypes)
        both = pd.concat([train, holdout]).sort_values(["visit"]).reset_index(drop=True)
        pd.testing.assert_frame_equal(both, table.sort_values(["visit"]).reset_index(drop=True))
        assert not set(train["patient_id"]) & set(holdout["patient_id"])
    # The person's side is its value's: a CSV of the same table puts the same patients in the holdout.
    table.to_csv(tmp_path / "whole.csv", index=False)
    assert split_cli(str(tmp_path / "whole.csv"), "--by", "patient_id", "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == 0  # fmt: skip
    assert set(synth.read_table(tmp_path / "h.csv")["patient_id"]) == set(holdout["patient_id"])


def test_a_table_over_the_cells_held_in_memory_is_streamed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(split_files, "IN_MEMORY_CELLS", 1_000)
    visits().to_csv(tmp_path / "real.csv", index=False)
    assert split_cli(str(tmp_path / "real.csv"), "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == 0  # fmt: skip
    err = capsys.readouterr().err
    assert "splitting it by streaming" in err and "by patient_id, found in a seeded sample" in err
    assert len(raw_lines(tmp_path / "t.csv")) + len(raw_lines(tmp_path / "h.csv")) == N + 2  # two headers
    # A format that cannot be streamed says what to do, not which read_table argument raises the limit.
    visits().to_json(tmp_path / "real.json", orient="records")
    assert split_cli(str(tmp_path / "real.json"), "-o", str(tmp_path / "t2.csv"), "--holdout",
                     str(tmp_path / "h2.csv")) == console.BAD_INPUT  # fmt: skip
    line = error_line(capsys)
    assert "too large to split in memory" in line and "save it as CSV or Parquet" in line and "read_table" not in line


def test_large_tables_refused_say_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], streamed: None
) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    assert split_cli(str(tmp_path / "real.csv"), "-o", str(tmp_path / "t.parquet"), "--holdout",
                     str(tmp_path / "h.csv")) == console.USAGE  # fmt: skip
    assert "name both outputs .csv" in error_line(capsys)
    assert split_cli(str(tmp_path / "real.csv"), "--by", "nurse", "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == console.BAD_INPUT  # fmt: skip
    assert "--by nurse: no such column" in error_line(capsys)
    visits().assign(patient_id="P1").to_csv(tmp_path / "one.csv", index=False)
    assert split_cli(str(tmp_path / "one.csv"), "--by", "patient_id", "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == console.BAD_INPUT  # fmt: skip
    # Found while streaming: after the line saying so.
    note, error = capsys.readouterr().err.strip().splitlines()
    assert "splitting it by streaming" in note and error.startswith("synth: error: ") and "too few people" in error
    visits().to_json(tmp_path / "real.json", orient="records")
    assert split_cli(str(tmp_path / "real.json"), "-o", str(tmp_path / "t.csv"), "--holdout",
                     str(tmp_path / "h.csv")) == console.BAD_INPUT  # fmt: skip
    assert "save it as CSV or Parquet" in error_line(capsys)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.csv", "real.csv", "real.json"]


def test_the_command_runs_as_a_process(tmp_path: Path) -> None:
    """The command line end to end: a summary on stderr, a refusal in one line and no traceback."""
    visits().to_csv(tmp_path / "real.csv", index=False)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "synth.cli", "split", *args], cwd=tmp_path, capture_output=True,
                              text=True, timeout=300)  # fmt: skip

    done = run("real.csv", "-o", "train.csv", "--holdout", "holdout.csv")
    assert done.returncode == 0 and done.stdout == "" and "train (train.csv)" in done.stderr
    again = run("real.csv", "-o", "train.csv", "--holdout", "holdout.csv", "--holdout-share", "0.5")
    assert again.returncode == console.USAGE and "Traceback" not in again.stderr
    assert again.stderr.count("\n") == 1 and "already exists" in again.stderr


def test_a_column_arrow_cannot_type_is_written_as_text(tmp_path: Path) -> None:
    """Numbers and words in one object column (a frame built in Python) are written as text, missing kept."""
    df = pd.DataFrame({"m": [1, "a", None, pd.NA, np.nan, 2.5], "n": range(6)})
    split_files.write_part(df, tmp_path / "p.parquet", "parquet")
    assert pd.read_parquet(tmp_path / "p.parquet")["m"].tolist() == ["1", "a", None, None, None, "2.5"]
