"""Where a sheet's table starts: below a title line and blank rows, right of blank columns.

Spreadsheets people send rarely start at A1: a title ("Staff list, March 2026") and a blank row sit above the
header, or the table is indented by a column. Read from A1, the first row was taken as the header and the read
failed with "column(s) without a name". The table is taken to start at its first row with at least two values
(the header): rows above it holding at most one value each (a title, a note, nothing) and columns left of it
empty in every row are skipped, and the read says so. A one-column table is read from its first value.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from synth.io.excel_merges import Range, cell_name

#: Title rows quoted in the notice (at most this many characters each).
_QUOTE_CHARS = 60


def _values(row: Sequence[Any]) -> int:
    return sum(v is not None and str(v).strip() != "" for v in row)


def table_origin(rows: Sequence[Sequence[Any]]) -> tuple[int, int]:
    """(rows above the header, columns left of the table) of a sheet's rows (trailing empty cells trimmed)."""
    top = 0
    if any(_values(r) >= 2 for r in rows):
        while top < len(rows) and _values(rows[top]) < 2:
            top += 1
    else:  # a one-column table: its header is its first value
        while top < len(rows) and _values(rows[top]) == 0:
            top += 1
    body = rows[top:]
    left = 0
    width = max((len(r) for r in body), default=0)
    while left < width and all(left >= len(r) or r[left] is None or str(r[left]).strip() == "" for r in body):
        left += 1
    return top, left


def trimmed(rows: list[tuple[Any, ...]], top: int, left: int) -> list[tuple[Any, ...]]:
    """The rows from the header on, without the empty columns on the left."""
    return [tuple(r[left:]) for r in rows[top:]]


def shifted(ranges: Sequence[Range], top: int, left: int) -> list[Range]:
    """Merged ranges in the trimmed rows' coordinates; ranges wholly above the header or left of the table go."""
    out = []
    for c1, r1, c2, r2 in ranges:
        if r2 <= top or c2 <= left:
            continue
        out.append((max(c1 - left, 1), max(r1 - top, 1), c2 - left, r2 - top))
    return out


def origin_notice(rows: Sequence[Sequence[Any]], top: int, left: int, sheet: str, label: str) -> str:
    """The read's notice that the table was found away from A1, quoting what the skipped rows held."""
    skipped = [
        " ".join(str(v).strip() for v in r if v is not None and str(v).strip())[:_QUOTE_CHARS] for r in rows[:top]
    ]
    said = [s for s in skipped if s]
    quoted = f" ({'; '.join(repr(s) for s in said[:3])}{'; …' if len(said) > 3 else ''})" if said else ""
    above = f"{top} row{'s' if top != 1 else ''} above it{quoted} and " if top else ""
    columns = f"{left} empty column{'s' if left != 1 else ''} left of it" if left else ""
    parts = (above + columns).removesuffix(" and ")
    return (
        f"sheet {sheet!r} of {label}: the table starts at {cell_name(top + 1, left + 1)}, whose row is read as the "
        f"header; {parts} {'were' if top + left != 1 else 'was'} skipped. If the header is another row, delete the "
        "rows above it in Excel (or export the table alone as CSV) and upload the file again."
    )
