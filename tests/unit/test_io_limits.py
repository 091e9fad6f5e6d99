"""Hostile table files: every reader stops at its cap with a LimitExceededError naming the limit.

Each test builds a small file that expands into something huge (a cell at the far corner of a sheet, one
long string repeated through a Parquet dictionary, a gzip of zeros, nesting a hundred thousand levels deep)
and checks that the reader refuses it from metadata or while streaming, with the limit's name in the error.
The memory-bound tests run in a child process under RLIMIT_AS, so a reader that materialised the bomb
would fail with the wrong error instead of quietly using gigabytes.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import resource
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from synth.io import LimitExceededError, TableReadError, TooManyRowsError, read_table

ROOT = Path(__file__).resolve().parents[2]


def _xlsx(cells: dict[str, object]) -> bytes:
    workbook = openpyxl.Workbook()
    ws = workbook.active
    assert ws is not None
    for ref, value in cells.items():
        ws[ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_member(data: bytes, name: str, edit) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            target.writestr(item.filename, edit(content) if item.filename == name else content)
    return out.getvalue()


def _in_child(data: bytes, name: str, tmp_path: Path, limit: int = 1_500_000_000, **kwargs: object) -> dict:
    """read_table in a child process under RLIMIT_AS; returns the error's type, limit and the child's peak RSS
    (VmHWM, which starts afresh at exec, unlike ru_maxrss)."""
    path = tmp_path / name
    path.write_bytes(data)
    code = (
        "import json, resource, sys, synth\n"
        "out = {}\n"
        "try:\n"
        f"    df = synth.read_table({str(path)!r}, **{kwargs!r})\n"
        "    out['shape'] = list(df.shape)\n"
        "except Exception as exc:\n"
        "    out['error'] = type(exc).__name__\n"
        "    out['limit'] = getattr(exc, 'limit', None)\n"
        "    out['message'] = str(exc)\n"
        "status = open('/proc/self/status').read()\n"
        "out['peak_mb'] = int(status.split('VmHWM:')[1].split()[0]) / 1024\n"
        "print(json.dumps(out))\n"
    )

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=600, preexec_fn=limit_memory, env=env
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    return json.loads(done.stdout.decode().strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------------ excel
def test_a_cell_at_the_far_corner_of_a_sheet_is_refused_by_column_count(tmp_path: Path) -> None:
    data = _xlsx({"A1": "a", "B1": "b", "A2": 1, "B2": 2, "XFD50000": 1})  # declares A1:XFD50000
    assert len(data) < 10_000
    out = _in_child(data, "corner.xlsx", tmp_path)
    assert out["error"] == "LimitExceededError" and out["limit"] == "max_columns", out
    assert "max_columns" in out["message"]
    assert out["peak_mb"] < 500


def test_a_declared_dimension_is_not_trusted(tmp_path: Path) -> None:
    """A sheet claiming A1:XFD1048576 (openpyxl would pad every row to 16,384 cells) reads as what it holds."""
    data = _xlsx({"A1": "a", "B1": "b", "A2": 1, "B2": 2, "A3": 3, "B3": 4})
    data = _rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda x: re.sub(rb'<dimension ref="[^"]+"', b'<dimension ref="A1:XFD1048576"', x),
    )
    df = read_table(data, name="claims.xlsx")
    assert list(df.columns) == ["a", "b"] and df.shape == (2, 2)


def test_a_cell_on_excels_last_row_streams_past_empty_rows_without_storing_them(tmp_path: Path) -> None:
    data = _xlsx({"A1": "a", "B1": "b", "A2": 1, "B2": 2, "B1048576": 9})
    out = _in_child(data, "last_row.xlsx", tmp_path, max_rows=1000)
    assert out["error"] == "TooManyRowsError", out
    assert out["peak_mb"] < 500


def test_excel_cells_are_capped_while_streaming() -> None:
    cells = {f"{col}{row}": (col if row == 1 else row) for col in "ABCDEFGHIJ" for row in range(1, 201)}
    with pytest.raises(LimitExceededError, match="max_cells") as info:
        read_table(_xlsx(cells), name="wide.xlsx", max_cells=500)
    assert info.value.limit == "max_cells" and info.value.maximum == 500
    assert read_table(_xlsx(cells), name="wide.xlsx").shape == (199, 10)


def test_an_xlsx_whose_parts_unzip_to_too_much_is_refused_before_parsing() -> None:
    data = _xlsx({"A1": "a", "B1": "b", "A2": 1, "B2": 2})
    padding = b"<!--" + b" " * 5_000_000 + b"-->"
    bomb = _rewrite_member(data, "xl/styles.xml", lambda x: x + padding)
    assert len(bomb) < 100_000
    with pytest.raises(LimitExceededError, match="max_uncompressed_bytes"):
        read_table(bomb, name="bomb.xlsx", max_uncompressed_bytes=1_000_000)


def test_xml_entity_expansion_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)
        )
        + b"]>"
    )
    data = _xlsx({"A1": "a", "B1": "b", "A2": "x", "B2": 2})
    bomb = _rewrite_member(
        data, "xl/worksheets/sheet1.xml", lambda x: laughs + x.replace(b"<t>a</t>", b"<t>&lol9;</t>", 1)
    )
    with pytest.raises(TableReadError):
        read_table(bomb, name="laughs.xlsx")


# ---------------------------------------------------------------------------------------------- parquet
def _parquet(table: pa.Table) -> bytes:
    buffer = io.BytesIO()
    pq.write_table(table, buffer, compression="zstd")
    return buffer.getvalue()


def test_a_parquet_dictionary_bomb_is_refused_before_decoding(tmp_path: Path) -> None:
    long = "x" * 100_000
    bomb = pa.DictionaryArray.from_arrays(pa.array([0] * 10_000, pa.int32()), pa.array([long]))  # never decoded here
    data = _parquet(pa.table({"a": bomb, "b": pa.array(range(10_000))}))
    assert len(data) < 100_000
    out = _in_child(data, "bomb.parquet", tmp_path)
    assert out["error"] == "LimitExceededError" and out["limit"] == "max_bytes", out
    assert out["peak_mb"] < 500


def test_a_nested_parquet_dictionary_bomb_is_refused() -> None:
    long = "y" * 10_000
    words = pa.DictionaryArray.from_arrays(pa.array([0] * 100_000, pa.int32()), pa.array([long]))
    values = pa.ListArray.from_arrays(pa.array(range(0, 100_001, 100), pa.int32()), words)
    data = _parquet(pa.table({"a": values, "b": pa.array(range(1_000))}))
    with pytest.raises(LimitExceededError, match="max_bytes"):
        read_table(data, name="nested.parquet", max_bytes=50_000_000)


def test_parquet_columns_and_cells_are_checked_from_metadata() -> None:
    wide = _parquet(pa.table({f"c{i}": pa.array([1, 2]) for i in range(300)}))
    with pytest.raises(LimitExceededError, match="max_columns"):
        read_table(wide, name="wide.parquet", max_columns=100)
    with pytest.raises(LimitExceededError, match="max_cells"):
        read_table(wide, name="wide.parquet", max_cells=500)
    assert read_table(wide, name="wide.parquet").shape == (2, 300)


# ------------------------------------------------------------------------------------------ json, text, gz
@pytest.mark.parametrize("depth", [65, 100_000])
def test_deep_json_is_a_limit_error_not_a_recursion_error(depth: int) -> None:
    doc = '[{"a": ' + "[" * depth + "]" * depth + "}]"
    with pytest.raises(LimitExceededError, match="levels deep") as info:
        read_table(doc.encode(), name="deep.json")
    assert info.value.limit == "MAX_JSON_DEPTH"


def test_json_with_a_number_python_refuses_is_a_table_read_error() -> None:
    doc = '[{"a": ' + "9" * 10_000 + ', "b": 1}]'
    with pytest.raises(TableReadError, match="cannot be read as a number"):
        read_table(doc.encode(), name="big.json")


def test_csv_columns_and_cells_are_capped_before_parsing() -> None:
    header = ",".join(f"c{i}" for i in range(6_000))
    with pytest.raises(LimitExceededError, match="max_columns"):
        read_table((header + "\n" + ",".join(["1"] * 6_000) + "\n").encode(), name="wide.csv")
    rows = "a,b\n" + "1,2\n" * 1_000
    with pytest.raises(LimitExceededError, match="max_cells"):
        read_table(rows.encode(), name="long.csv", max_cells=1_000)
    assert read_table(rows.encode(), name="long.csv").shape == (1_000, 2)


def test_a_header_longer_than_the_sample_is_read_and_its_columns_counted() -> None:
    """A header past the 64 KB read for sniffing was cut, dropped as a partial line, and a file of 20,000 columns
    was reported as having "no header row"."""
    wide = ",".join(f"c{i}" for i in range(20_000))
    with pytest.raises(LimitExceededError, match="20,000 columns") as refused:
        read_table((wide + "\n" + ",".join(["1"] * 20_000) + "\n").encode(), name="wide.csv")
    assert refused.value.limit == "max_columns"
    long_names = [f"measurement_{i:04d}_of_the_long_named_panel" for i in range(2_000)]  # a 90 KB header
    body = "\n".join(",".join(str((i + j) % 7) for i in range(2_000)) for j in range(3))
    df = read_table((",".join(long_names) + "\n" + body + "\n").encode(), name="long_names.csv")
    assert df.shape == (3, 2_000) and list(df.columns) == long_names


def test_a_field_longer_than_a_parsing_block_is_read() -> None:
    """A valid CSV with one 10 MB field was refused with Arrow's "straddling object straddles two block boundaries
    (try to increase block size?)"; read, its schema was then inferred in bounded memory (the name pattern's
    backtracking on it took over 3 GB before long values were left out of the personal-data patterns)."""
    data = b"id,note\n1," + b"x" * 10_000_000 + b"\n2,short\n3,brief\n"
    df = read_table(data, name="long_field.csv")
    assert df.shape == (3, 2) and len(df["note"].iloc[0]) == 10_000_000 and df["note"].iloc[1] == "short"
    code = (
        "import resource, synth\n"
        "resource.setrlimit(resource.RLIMIT_AS, (2_000_000_000, 2_000_000_000))\n"
        "df = synth.read_table(b'id,note\\n1,' + b'x' * 10_000_000 + b'\\n2,short\\n3,brief\\n', name='f.csv')\n"
        "print(synth.infer_schema(df)['note'].kind.value)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() != "pii"


def test_a_gzip_bomb_stops_at_the_byte_limit() -> None:
    bomb = gzip.compress(b"a,b\n" + b"1,2\n" * 5_000_000)
    assert len(bomb) < 200_000
    with pytest.raises(TableReadError, match="decompressed") as info:
        read_table(bomb, name="bomb.csv.gz", max_bytes=1_000_000)
    assert info.value.code == "too_large"


def test_too_many_rows_still_offers_a_sample() -> None:
    rows = "a,b\n" + "1,2\n" * 100
    with pytest.raises(TooManyRowsError):
        read_table(rows.encode(), name="rows.csv", max_rows=50)
    assert len(read_table(rows.encode(), name="rows.csv", max_rows=50, sample=50)) == 50
