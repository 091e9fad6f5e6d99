"""Inputs larger than the in-memory limit are sampled by streaming, choosing the same rows as read_table(sample=)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import synth
from synth.large_tables import read_sample


@pytest.mark.parametrize("fmt", ["csv", "parquet", "dataset"])
def test_streamed_sample_equals_the_in_memory_sample(adult_small: pd.DataFrame, tmp_path: Path, fmt: str) -> None:
    if fmt == "csv":
        path = tmp_path / "t.csv"
        adult_small.to_csv(path, index=False)
    elif fmt == "parquet":
        path = tmp_path / "t.parquet"
        adult_small.to_parquet(path, index=False, row_group_size=700)
    else:
        path = tmp_path / "t"
        path.mkdir()
        for i, part in enumerate(range(0, len(adult_small), 1_000)):
            adult_small.iloc[part : part + 1_000].to_parquet(path / f"part-{i}.parquet", index=False)
    streamed, info = read_sample(path, 500, seed=4, max_bytes=1_000)  # far below the file's size: streams
    assert info.streamed and info.sampled and info.source_rows == len(adult_small) and info.rows_used == 500
    source = path if fmt != "dataset" else tmp_path / "whole.parquet"
    if fmt == "dataset":
        adult_small.to_parquet(source, index=False)
    whole = synth.read_table(source, sample=500, seed=4, max_rows=None)
    pd.testing.assert_frame_equal(streamed, whole, check_dtype=False)


@pytest.mark.parametrize("suffix", [".csv.gz", ".tsv.gz"])
def test_a_gzipped_csv_too_large_to_hold_is_streamed_to_the_same_sample(
    adult_small: pd.DataFrame, tmp_path: Path, suffix: str
) -> None:
    """A big export is often gzipped: it was refused ("save it as CSV or Parquet") where the same text uncompressed
    was sampled. Decompressed as it is read, it gives the rows the plain file gives."""
    sep = "\t" if suffix.startswith(".tsv") else ","
    plain, packed = tmp_path / f"t{suffix[:-3]}", tmp_path / f"t{suffix}"
    adult_small.to_csv(plain, index=False, sep=sep)
    adult_small.to_csv(packed, index=False, sep=sep, compression="gzip")
    assert packed.stat().st_size < plain.stat().st_size / 3
    streamed, info = read_sample(packed, 500, seed=4, max_bytes=1_000)  # far below either size: streams
    assert info.streamed and info.source_rows == len(adult_small) and info.rows_used == 500
    expected, _ = read_sample(plain, 500, seed=4, max_bytes=1_000)
    pd.testing.assert_frame_equal(streamed, expected)
    whole = synth.read_table(packed, sample=500, seed=4, max_rows=None)  # and the rows read_table(sample=) picks
    pd.testing.assert_frame_equal(streamed, whole, check_dtype=False)
    # Under the bytes read whole compressed, over them decompressed: streamed too, not refused as too large.
    between = (packed.stat().st_size + plain.stat().st_size) // 2
    streamed, info = read_sample(packed, 500, seed=4, max_bytes=between)
    assert info.streamed and info.rows_used == 500
    pd.testing.assert_frame_equal(streamed, expected)


def test_small_files_are_read_whole_or_sampled_in_memory(adult_small: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    adult_small.to_csv(path, index=False)
    df, info = read_sample(path, 10_000)
    assert len(df) == len(adult_small) and not info.sampled and not info.streamed
    df, info = read_sample(path, 100, seed=1)
    assert len(df) == 100 and info.sampled and info.source_rows == len(adult_small)


def test_missing_file_is_a_table_read_error(tmp_path: Path) -> None:
    with pytest.raises(synth.TableReadError, match="does not exist"):
        read_sample(tmp_path / "nope.csv", 10)
