"""A sheet whose table does not start at A1 (a title and a blank row above the header, an empty first column) is
read from where the table starts, and the read says so; read from A1 it failed with "column(s) without a name"."""

from __future__ import annotations

import io
from typing import Any

import openpyxl

import synth
from synth.io.excel_merges import cell_name
from synth.io.excel_origin import table_origin


def _book(rows: list[list[Any]], merges: tuple[str, ...] = ()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Staff"
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_a_titled_indented_table_is_read_from_its_header() -> None:
    rows: list[list[Any]] = [
        ["Staff list, March 2026"],
        [],
        [None, "department", "name", "salary"],
        [None, "Sales", "Ann", 51000.5],
        [None, None, "Bob", 48000.0],  # B4:B5 merged: "Sales" for Bob too
        [None, "Ops", "Cy", 61000.0],
    ]
    df = synth.read_table(_book(rows, merges=("B4:B5",)), name="staff.xlsx")
    assert list(df.columns) == ["department", "name", "salary"]
    assert df["department"].tolist() == ["Sales", "Sales", "Ops"]
    assert df["salary"].tolist() == [51000.5, 48000.0, 61000.0]
    warnings = df.attrs["read_info"]["warnings"]
    assert "starts at B3" in warnings[0] and "Staff list, March 2026" in warnings[0]
    assert any("merged" in w for w in warnings[1:])


def test_a_table_at_a1_and_a_one_column_table_read_as_before() -> None:
    plain = synth.read_table(_book([["a", "b"], [1, 2], [3, None]]), name="plain.xlsx")
    assert list(plain.columns) == ["a", "b"] and len(plain) == 2
    assert not plain.attrs.get("read_info", {}).get("warnings")
    one = synth.read_table(_book([[None], ["id"], [1], [2], [3]]), name="one.xlsx", allow_single_column=True)
    assert list(one.columns) == ["id"] and one["id"].tolist() == [1, 2, 3]


def test_origin_rules() -> None:
    assert table_origin([("title",), (), (None, "a", "b"), (None, 1, 2)]) == (2, 1)
    assert table_origin([("a", "b"), (1,)]) == (0, 0)  # a data row with one value stays data
    assert cell_name(3, 2) == "B3" and cell_name(1, 27) == "AA1"


def test_a_header_over_two_rows_is_refused_by_name() -> None:
    """A two-row header (a name merged down over the next row, sub-names beside it) read as one header row took
    the second header row as data, its merged cells missing without a word."""
    import pytest

    from synth.io import TableReadError

    rows: list[list[Any]] = [
        ["name", "pay", None],
        [None, "base", "bonus"],
        ["Ann", 51000, 2000],
        ["Bob", 48000, 1500],
    ]
    with pytest.raises(TableReadError, match=r"header over more than one row \(A1:A2"):
        synth.read_table(_book(rows, merges=("A1:A2", "B1:C1")), name="pay.xlsx")
