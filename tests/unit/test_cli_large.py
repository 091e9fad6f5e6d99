"""Tables over the cells read at once are sampled by streaming for `synth fit`, `schema` and `evaluate`, as files over
200 MB are; a refusal says what to do on the command line; the sampler parses CSV in small blocks without changing
its rows; `--by none` fits and splits row by row where a person column would be found."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import synth
import synth.large_tables as large_tables
import synth.split_files as split_files
from synth.cli import console, main
from synth.large_tables import read_sample
from tests.unit.test_cli_split import N, error_line, visits
from tests.unit.test_person_column import households

CELLS = 1_000  # visits() holds 6 columns × 600 rows = 3,600 cells: over it


@pytest.fixture
def few_cells(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(large_tables, "MAX_CELLS", CELLS)


def test_a_table_over_the_cells_is_sampled_by_streaming_with_read_tables_rows(tmp_path: Path, few_cells: None) -> None:
    visits().to_csv(tmp_path / "t.csv", index=False)
    visits().to_parquet(tmp_path / "t.parquet", index=False)
    for path in (tmp_path / "t.csv", tmp_path / "t.parquet"):
        df, info = read_sample(path, 100, seed=3)
        assert info.streamed and info.sampled and info.source_rows == N and info.rows_used == 100
        expected = synth.read_table(path, sample=100, seed=3)  # the default limits: the whole table is read
        pd.testing.assert_frame_equal(df, expected, check_dtype=False)


def test_fit_schema_and_evaluate_sample_a_table_over_the_cells(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, few_cells: None
) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert main(["fit", "real.csv", "-s", "independent", "--max-rows", "100", "-o", "m.synth"]) == console.OK
    assert f"on 100 rows (a seeded sample of {N:,} rows, seed 0)" in capsys.readouterr().err
    recorded = synth.load_model(tmp_path / "m.synth").training_input_
    assert recorded["streamed"] and recorded["source_rows"] == N and recorded["rows_used"] == 100
    assert main(["schema", "real.csv", "--max-rows", "100", "-o", "schema.json"]) == console.OK
    assert "(100 rows read)" in capsys.readouterr().err
    assert synth.Schema.from_json((tmp_path / "schema.json").read_text()).names == list(visits().columns)
    assert main(["sample", "m.synth", "--rows", "300", "-o", "syn.csv"]) == console.OK
    args = ["evaluate", "real.csv", "syn.csv", "--max-rows", "100", "--no-privacy", "-o", "report.json"]
    assert main(args) == console.OK
    assert (tmp_path / "report.json").stat().st_size > 0


def test_a_sample_over_the_cells_names_the_max_rows_that_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, few_cells: None
) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert main(["schema", "real.csv", "--max-rows", "500", "-o", "s.json"]) == console.BAD_INPUT
    line = error_line(capsys)
    assert "a sample of 500 rows of real.csv" in line and "read_table" not in line, line
    fits = int(line.rsplit("lower --max-rows to at most ", 1)[1].replace(",", ""))
    assert 100 < fits < CELLS / 6  # about 1,000 cells / 6 columns, the header line counted with the rows
    assert main(["schema", "real.csv", "--max-rows", str(fits), "-o", "s.json"]) == console.OK  # the advice works


def test_the_default_sample_of_a_table_too_wide_for_it_is_the_rows_that_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, few_cells: None
) -> None:
    """60 columns × 2,000,000 rows refused `synth fit` at its default --max-rows (1,000,000 rows: 60M cells) with
    "lower --max-rows to at most 833,332": nothing had been asked for. The default now shrinks to the rows that fit,
    saying so; a size typed is still refused with the size that fits."""
    visits().to_csv(tmp_path / "real.csv", index=False)
    monkeypatch.chdir(tmp_path)
    assert main(["schema", "real.csv", "--max-rows", "1000000", "-o", "asked.json"]) == console.BAD_INPUT
    fits = int(error_line(capsys).rsplit("lower --max-rows to at most ", 1)[1].replace(",", ""))
    assert main(["schema", "real.csv", "-o", "s.json"]) == console.OK
    err = capsys.readouterr().err
    assert f"sampling {fits:,} rows instead (--max-rows sets another size)" in err and f"({fits:,} rows read)" in err
    assert main(["fit", "real.csv", "-s", "independent", "-o", "m.synth"]) == console.OK
    assert synth.load_model(tmp_path / "m.synth").training_input_["rows_used"] == fits
    assert f"on {fits:,} rows (a seeded sample of {N:,} rows, seed 0)" in capsys.readouterr().err


def test_a_streamed_split_of_a_wide_table_looks_for_its_person_in_the_rows_that_fit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, few_cells: None
) -> None:
    """`synth split` has no --max-rows: the sample it looks for the person in holds at most the cells a sample may."""
    monkeypatch.setattr(split_files, "IN_MEMORY_BYTES", 1_000)
    visits().to_csv(tmp_path / "real.csv", index=False)
    parts = ["-o", str(tmp_path / "t.csv"), "--holdout", str(tmp_path / "h.csv")]
    assert main(["split", str(tmp_path / "real.csv"), *parts]) == console.OK
    assert f"in a seeded sample of {CELLS // 6 - 1} rows" in capsys.readouterr().err  # 6 columns, and the header
    assert len(synth.read_table(tmp_path / "t.csv")) + len(synth.read_table(tmp_path / "h.csv")) == N


def test_a_format_read_only_whole_is_refused_with_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, few_cells: None
) -> None:
    visits().to_json(tmp_path / "real.json", orient="records")
    monkeypatch.chdir(tmp_path)
    assert main(["fit", "real.json", "-s", "independent", "-o", "m.synth"]) == console.BAD_INPUT
    line = error_line(capsys)
    assert "over the limit of 1,000" in line and "save it as CSV or Parquet" in line and "read_table" not in line
    assert not (tmp_path / "m.synth").exists()


def test_a_large_file_only_read_whole_is_refused_not_parsed_as_csv(tmp_path: Path) -> None:
    visits().to_json(tmp_path / "real.json", orient="records")
    with pytest.raises(synth.LimitExceededError, match="save it as CSV or Parquet") as caught:
        read_sample(tmp_path / "real.json", 10, max_bytes=1_000)  # over the bytes read whole
    assert caught.value.limit == "max_bytes"


def test_the_sampler_parses_small_blocks_and_keeps_its_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow reads about 40 blocks ahead: the sampler parses 4 MB blocks (the split's), not 32 MB; rows are chosen by
    their number in the file, so blocks of any size (here 2 KB, values with line breaks crossing them) pick the same
    rows as read_table(sample=)."""
    sizes: list[int] = []
    reader = large_tables._csv_reader

    def recorded(path: Path, block_size: int = 0) -> object:
        sizes.append(block_size)
        return reader(path, block_size)

    monkeypatch.setattr(large_tables, "_csv_reader", recorded)
    table = visits(3_000).assign(note=lambda d: d["ward"].map("line one\nline {}".format))
    table.to_csv(tmp_path / "t.csv", index=False)
    expected = synth.read_table(tmp_path / "t.csv", sample=700, seed=5)
    df, info = read_sample(tmp_path / "t.csv", 700, seed=5, max_bytes=1_000)
    assert info.streamed and sizes == [4 << 20, 4 << 20] == [split_files.CSV_BLOCK_BYTES] * 2
    pd.testing.assert_frame_equal(df, expected, check_dtype=False)
    monkeypatch.setattr(large_tables, "CSV_BLOCK_BYTES", 2_000)
    df, _ = read_sample(tmp_path / "t.csv", 700, seed=5, max_bytes=1_000)
    assert sizes[-1] == 2_000
    pd.testing.assert_frame_equal(df, expected, check_dtype=False)


# --by none -------------------------------------------------------------------------------------------------------


def test_split_by_none_splits_row_by_row_where_a_person_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    df = synth.read_table(tmp_path / "real.csv")
    parts = ["-o", str(tmp_path / "t.parquet"), "--holdout", str(tmp_path / "h.parquet"), "--overwrite"]
    assert main(["split", str(tmp_path / "real.csv"), *parts]) == console.OK
    assert "by patient_id, found in the table" in capsys.readouterr().err  # found when --by is left out
    assert main(["split", str(tmp_path / "real.csv"), "--by", "none", "--seed", "2", *parts]) == console.OK
    err = capsys.readouterr().err
    assert "every row is its own person (--by none)" in err and ", row by row, seed 2" in err and "found" not in err
    train, holdout = synth.split(df, holdout=0.2, seed=2)  # the dashboard's "no: every row is its own person"
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "t.parquet"), train)
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "h.parquet"), holdout)
    assert set(train["patient_id"]) & set(holdout["patient_id"])  # patients on both sides: rows split one by one

    monkeypatch.setattr(split_files, "IN_MEMORY_BYTES", 1_000)  # streamed: no person looked for in a sample
    csv_parts = ["-o", str(tmp_path / "t.csv"), "--holdout", str(tmp_path / "h.csv")]
    assert main(["split", str(tmp_path / "real.csv"), "--by", "none", *csv_parts]) == console.OK
    err = capsys.readouterr().err
    assert "every row is its own person (--by none)" in err and "row by row, seed 0, streamed" in err
    assert "found in" not in err
    train, holdout = synth.read_table(tmp_path / "t.csv"), synth.read_table(tmp_path / "h.csv")
    assert len(train) + len(holdout) == N and set(train["patient_id"]) & set(holdout["patient_id"])


def test_fit_by_none_holds_no_person_where_one_is_found(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    households().to_csv(tmp_path / "real.csv", index=False)  # patients whose region and sex hold on every visit
    monkeypatch.chdir(tmp_path)
    fit = ["fit", "real.csv", "-s", "independent"]
    assert main([*fit, "-o", "found.synth"]) == console.OK
    found = synth.load_model(tmp_path / "found.synth")
    assert found.people_.entity == "patient_id" and "rows of one patient_id share" in capsys.readouterr().err
    assert (found.sample(1_500, seed=1).groupby("patient_id")["region"].nunique() == 1).all()
    assert main([*fit, "--by", "none", "-o", "rows.synth"]) == console.OK
    err = capsys.readouterr().err
    assert "every row is its own person (--by none)" in err and "rows of one" not in err
    rows = synth.load_model(tmp_path / "rows.synth")
    assert rows.people_ is None
    assert (rows.sample(1_500, seed=1).groupby("patient_id")["region"].nunique() > 1).sum() > 10  # drawn per row


def test_evaluate_by_none_is_not_a_missing_column(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    visits().to_csv(tmp_path / "real.csv", index=False)
    visits(seed=9).to_csv(tmp_path / "syn.csv", index=False)
    monkeypatch.chdir(tmp_path)
    args = ["evaluate", "real.csv", "syn.csv", "--no-privacy", "-o", "r.json"]
    assert main([*args, "--by", "none"]) == console.OK
    assert main([*args, "--by", "nobody", "--overwrite"]) == console.BAD_INPUT
