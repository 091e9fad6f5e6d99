"""Merged cells of an Excel sheet: found in the sheet's XML and filled with their value.

Excel shows a merged range's value across the whole range but stores it in the top-left cell only, so a reader
that takes the stored cells (openpyxl, pandas) gets missing values in the rest: a "department" label merged
over the five rows of its staff becomes one labelled row and four without a department. An analyst reads the
sheet as Excel shows it, so every cell of a merged range in the data takes the range's value, and the read says
so (:func:`fill_merged` returns the warning).

A merged range in the header row cannot be filled that way: the columns after its first would all take the same
name. Its other columns keep a blank name; a blank-named column holding values is refused with a message naming
the merged range (an empty one is dropped, as any nameless empty column).

openpyxl's read-only mode (the streamed read, :mod:`synth.io.excel`) does not report merged ranges, so they are
read from the sheet's ``<mergeCell ref="A2:A6"/>`` elements: the part is scanned for the word first (no merge,
no parse), and only then parsed by defusedxml's SAX parser (entities and external references refused) with a
handler that keeps nothing but those references, so memory does not grow with the sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from typing import Any
from xml.sax.handler import ContentHandler

from synth.io.errors import TableReadError

#: Merged ranges named in a message before "and N more".
SHOWN_RANGES = 5
_CHUNK = 1 << 20
_WORD = b"mergeCell"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)(?::\$?([A-Z]{1,3})\$?([0-9]+))?$")

Range = tuple[int, int, int, int]  # first column, first row, last column, last row; counted from 1 as in Excel


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - ord("A") + 1
    return number


def _parse_ref(ref: str) -> Range | None:
    match = _REF.match(ref.strip().upper())
    if match is None:
        return None  # not a cell range: a damaged reference says nothing about the cells, so it is skipped
    c1, r1 = _column_number(match[1]), int(match[2])
    c2, r2 = (_column_number(match[3]), int(match[4])) if match[3] else (c1, r1)
    if min(r1, r2) < 1:
        return None  # rows count from 1: "A0" is no cell
    return min(c1, c2), min(r1, r2), max(c1, c2), max(r1, r2)


class _MergeRefs(ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[str] = []

    def startElement(self, name: str, attrs: Any) -> None:  # the SAX interface names it so
        if name == "mergeCell" or name.endswith(":mergeCell"):
            ref = attrs.get("ref")
            if ref:
                self.refs.append(ref)


def _mentions_merges(archive: zipfile.ZipFile, part: str) -> bool:
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            if _WORD in tail + chunk:
                return True
            tail = chunk[-len(_WORD) :]
    return False


def merged_ranges(data: bytes, part: str | None) -> list[Range]:
    """The merged ranges of the sheet stored at ``part`` (its path inside the workbook's zip), in file order."""
    if not part:
        return []
    from defusedxml.sax import make_parser

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if part not in archive.namelist() or not _mentions_merges(archive, part):
            return []
        handler = _MergeRefs()
        parser = make_parser()
        parser.setContentHandler(handler)
        with archive.open(part) as stream:
            parser.parse(stream)
    # Listed top to bottom, left to right, as a reader scans the sheet (files keep them in any order).
    return sorted((r for r in map(_parse_ref, handler.refs) if r is not None), key=lambda r: (r[1], r[0]))


def cell_name(row: int, column: int) -> str:
    """Excel's name of a cell, 1-based: (3, 2) → "B3"."""
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{letters}{row}"


def _name(rng: Range) -> str:
    c1, r1, c2, r2 = rng
    return cell_name(r1, c1) + ("" if (c1, r1) == (c2, r2) else f":{cell_name(r2, c2)}")


def _listed(ranges: Sequence[Range]) -> str:
    shown = ", ".join(_name(r) for r in ranges[:SHOWN_RANGES])
    more = len(ranges) - SHOWN_RANGES
    return shown + (f" and {more:,} more" if more > 0 else "")


def fill_merged(rows: list[Any], ranges: Sequence[Range], sheet: str, label: str) -> tuple[list[Any], dict[str, Any]]:
    """Fill each merged range below the header row with its top-left value, in place of the missing values the
    stored cells give; returns the rows and what to record in ``read_info`` (nothing when no cell changed).

    ``rows[i]`` is the sheet's row ``i + 1`` (the header is row 1), trimmed of trailing empty cells. Only the
    table's columns (those the header and the data reach) and rows holding a value of their own are filled: a
    range running past the table, or over blank rows, does not add cells to it.

    Raises:
        TableReadError: a merged header range leaves a column that holds values without a name.
    """
    if not ranges or not rows:
        return rows, {}
    width = max(len(r) for r in rows)
    own = [bool(r) for r in rows]  # before any filling: a blank row stays blank (and is dropped as such)
    data_ranges: list[Range] = []
    filled = 0
    # Excel's merged ranges never overlap, so together they cover each cell at most once; a crafted file with
    # thousands of ranges over the whole table would otherwise cost ranges × cells.
    budget = len(rows) * width
    for rng in ranges:
        c1, r1, c2, r2 = rng
        if c1 > width or r1 > len(rows):
            continue  # outside the table read
        if r1 == 1 and r2 > 1 and len(rows) > 1 and c1 <= width:
            # A header merged down over the next row (a two-row header): that row is header to the reader, and
            # read as data its cells under the merge would be missing values without a word.
            raise TableReadError(
                f"sheet {sheet!r} of {label} has a header over more than one row ({_name(rng)} is merged from the "
                "header row down): only one header row is read, so the row under it would be taken as data with "
                "cells missing. Unmerge the header cells in Excel and give each column one name in a single header "
                "row, then upload the file again.",
                file=label,
                code="excel_merged_header",
            )
        if r1 == 1:
            _check_header_range(rows, rng, width, sheet, label)
            continue
        value = rows[r1 - 1][c1 - 1] if c1 <= len(rows[r1 - 1]) else None
        if value is None:
            continue  # merged blank cells: nothing hidden
        budget -= (min(r2, len(rows)) - r1 + 1) * (min(c2, width) - c1 + 1)
        if budget < 0:
            raise TableReadError(
                f"sheet {sheet!r} of {label} has merged cell ranges that overlap, which Excel never writes: the file "
                "is damaged or was not written by a spreadsheet program. Save it again from Excel, or export the "
                "sheet as CSV.",
                file=label,
                code="excel_invalid",
            )
        changed = 0
        for i in range(r1 - 1, min(r2, len(rows))):
            if not own[i]:
                continue
            row = list(rows[i])
            last = min(c2, width)
            if len(row) < last:
                row.extend([None] * (last - len(row)))
            for j in range(c1 - 1, last):
                if row[j] is None and (i, j) != (r1 - 1, c1 - 1):
                    row[j] = value
                    changed += 1
            rows[i] = tuple(row)
        if changed:
            data_ranges.append(rng)
            filled += changed
    if not filled:
        return rows, {}
    cells = f"{filled:,} cell" + ("s" if filled != 1 else "")
    warning = (
        f"sheet {sheet!r} of {label} has {len(data_ranges):,} merged cell range"
        f"{'s' if len(data_ranges) != 1 else ''} in its data ({_listed(data_ranges)}). Excel shows a merged range's "
        f"value across the range but stores it in the top-left cell only, so {cells} would have read as missing; "
        "each was filled with its range's value (a label such as a department merged over several rows applies to "
        "each of them). If a value should not repeat, unmerge those cells in Excel and upload the file again."
    )
    return rows, {"merged_ranges": len(data_ranges), "merged_cells_filled": filled, "warnings": [warning]}


def _check_header_range(rows: list[Any], rng: Range, width: int, sheet: str, label: str) -> None:
    """A merged header range names its first column only: refuse it when a later column of it holds values."""
    c1, _, c2, _ = rng
    header = rows[0]
    blank = [
        j
        for j in range(c1, min(c2, width))  # 0-based positions of the range's columns after its first
        if (j >= len(header) or header[j] is None) and any(j < len(r) and r[j] is not None for r in rows[1:])
    ]
    if blank:
        positions = ", ".join(str(j + 1) for j in blank)
        raise TableReadError(
            f"sheet {sheet!r} of {label} has merged header cells ({_name(rng)}): the merged name belongs to the first "
            f"column only, so column {positions} under it, which holds values, has no name. Unmerge the header cells "
            "in Excel and give each column its own name (one header row; a heading over several columns is not "
            "read), then upload the file again.",
            file=label,
            code="excel_merged_header",
        )
