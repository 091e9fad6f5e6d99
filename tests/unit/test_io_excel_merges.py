"""Merged cells of an Excel sheet read as Excel shows them (each cell of a merged range in the data takes the
range's value), with a warning naming the sheet, the ranges and the cells filled: through ``read_table``, on the
command line's stderr (and on the Data page: tests/app/test_data_page.py)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest

import synth
from synth.io import TableReadError
from tests.unit.test_cli import run


def staff_book() -> bytes:
    """A sheet as people make them: a department merged down its staff's rows (vertical), a choice merged across
    two columns (horizontal), a header merged over an empty column, and a blank row inside a merged range."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Staff"
    sheet.append(["department", "name", "first_choice", "second_choice", "notes", None])
    rows = [
        ("Sales", "Ann", "Lima", "Oslo", "new"),  # row 2
        (None, "Bob", "Pune", "Lima", None),
        (None, "Cy", "Oslo", "Pune", None),
        ("Ops", "Dee", "Lima", "Pune", None),  # row 5
        (None, "Eve", "Oslo", None, None),  # row 6: C6:D6 merged, "Oslo" for both choices
        (None, "Fay", "Pune", "Oslo", "left"),
        ("HR", "Gus", "Lima", "Oslo", None),  # row 8
        (None, None, None, None, None),  # row 9: blank inside A8:A10
        (None, "Hal", "Pune", "Lima", None),
    ]
    for row in rows:
        sheet.append(list(row))
    for ref in ("A8:A10", "C6:D6", "A2:A4", "A5:A7", "E1:F1"):  # not in reading order: the warning sorts them
        sheet.merge_cells(ref)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


EXPECTED_WARNING = (
    "sheet 'Staff' of staff.xlsx has 4 merged cell ranges in its data (A2:A4, A5:A7, C6:D6, A8:A10). Excel shows a "
    "merged range's value across the range but stores it in the top-left cell only, so 6 cells would have read as "
    "missing; each was filled with its range's value (a label such as a department merged over several rows applies "
    "to each of them). If a value should not repeat, unmerge those cells in Excel and upload the file again."
)


def test_merged_cells_take_their_ranges_value_and_the_read_says_so() -> None:
    df = synth.read_table(staff_book(), name="staff.xlsx")
    assert list(df.columns) == ["department", "name", "first_choice", "second_choice", "notes"]
    assert df["department"].tolist() == ["Sales"] * 3 + ["Ops"] * 3 + ["HR"] * 2  # the blank row stays out
    eve = df.set_index("name").loc["Eve"]
    assert (eve["first_choice"], eve["second_choice"]) == ("Oslo", "Oslo")
    assert df["second_choice"].notna().all() and df["notes"].notna().sum() == 2  # nothing else filled
    info = df.attrs["read_info"]
    # A3, A4, A6, A7, D6 and A10 (A9's row is blank: it stays blank and is dropped as empty).
    assert info["merged_cells_filled"] == 6 and info["merged_ranges"] == 4 and info["dropped_empty_rows"] == 1
    assert info["warnings"] == [EXPECTED_WARNING]


def test_a_sheet_without_merges_reads_without_a_warning() -> None:
    book = openpyxl.load_workbook(io.BytesIO(staff_book()))
    for ref in list(book.active.merged_cells.ranges):
        book.active.unmerge_cells(str(ref))
    buf = io.BytesIO()
    book.save(buf)
    df = synth.read_table(buf.getvalue(), name="staff.xlsx")
    assert "warnings" not in df.attrs["read_info"] and df["department"].isna().sum() == 5


def test_many_merged_ranges_are_counted_after_the_first_few() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["group", "value"])
    for i in range(40):
        sheet.append([f"g{i // 5}" if i % 5 == 0 else None, i])
    for g in range(8):
        sheet.merge_cells(f"A{2 + 5 * g}:A{6 + 5 * g}")
    buf = io.BytesIO()
    book.save(buf)
    info = synth.read_table(buf.getvalue(), name="groups.xlsx").attrs["read_info"]
    (warning,) = info["warnings"]
    assert "has 8 merged cell ranges in its data (A2:A6, A7:A11, A12:A16, A17:A21, A22:A26 and 3 more)" in warning
    assert "32 cells would have read as missing" in warning


def test_a_merged_header_over_a_column_with_values_is_refused_by_name() -> None:
    book = openpyxl.load_workbook(io.BytesIO(staff_book()))
    book.active["F3"] = "a value under the merged header"
    buf = io.BytesIO()
    book.save(buf)
    with pytest.raises(TableReadError, match=r"merged header cells \(E1:F1\).*column 6 under it") as caught:
        synth.read_table(buf.getvalue(), name="staff.xlsx")
    assert caught.value.code == "excel_merged_header"


def test_the_command_line_prints_the_warning(tmp_path: Path) -> None:
    (tmp_path / "staff.xlsx").write_bytes(staff_book())
    proc = run("schema", "staff.xlsx", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [f"warning: {EXPECTED_WARNING}"]
    assert "department" in proc.stdout  # the schema still goes to stdout
    fit = run("fit", "staff.xlsx", "-s", "independent", "-q", "-o", "m.synth", cwd=tmp_path)
    assert fit.returncode == 0, fit.stderr
    # First, and even with -q (the fit's own warnings about this tiny table follow it).
    assert fit.stderr.splitlines()[0] == f"warning: {EXPECTED_WARNING}"


def test_overlapping_merged_ranges_read_as_a_damaged_file() -> None:
    """Excel never writes overlapping ranges; a crafted file repeating one over the whole table is refused rather
    than filled once per copy (ranges × cells of work)."""
    import re
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(staff_book()))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as out:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                copies = '<mergeCell ref="A2:E10"/>' * 3
                data = re.sub(rb"<mergeCells[^>]*>", b"<mergeCells>" + copies.encode(), data)
            out.writestr(item, data)
    with pytest.raises(TableReadError, match="merged cell ranges that overlap") as caught:
        synth.read_table(buf.getvalue(), name="staff.xlsx")
    assert caught.value.code == "excel_invalid"
