"""Excel workbooks (.xlsx), read as a stream with hard caps.

An .xlsx file is a zip of XML parts. Before openpyxl sees it, every part's uncompressed size (which Python's
zipfile enforces while reading) is checked against ``max_uncompressed_bytes``; the sheet is then streamed
row by row (openpyxl's read-only mode, its declared dimension ignored because a crafted one such as
``A1:XFD1048576`` makes openpyxl pad every row to 16,384 cells) and reading stops at the first row over
``max_rows``, ``max_columns`` or ``max_cells``. The XML is parsed by defusedxml (openpyxl uses it when it is
installed), so entity-expansion ("billion laughs") and external-entity tricks are refused.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pyarrow as pa

from synth.io.columns import _python_column
from synth.io.errors import TableReadError, too_many_rows
from synth.io.excel_merges import cell_name, fill_merged, merged_ranges
from synth.io.excel_origin import origin_notice, shifted, table_origin, trimmed
from synth.io.limits import EXCEL_MAX_ROWS, check, exceeded
from synth.io.options import ReadOptions


def _open_workbook(data: bytes, label: str, max_uncompressed_bytes: int | None) -> Any:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError) as exc:  # damaged directory
        raise TableReadError(
            f"{label} is a damaged zip / Excel file ({exc}). Save it again and upload it.",
            file=label,
            code="excel_invalid",
        ) from exc
    members = {info.filename for info in infos}
    check(
        label,
        "bytes once unzipped",
        sum(info.file_size for info in infos),
        "max_uncompressed_bytes",
        max_uncompressed_bytes,
    )
    if "xl/workbook.xml" not in members:
        raise TableReadError(
            f"{label} is a zip archive, not an Excel workbook. Unzip it and upload the table inside.",
            file=label,
            code="zip",
        )
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises KeyError, ValueError, InvalidFileException, ...
        raise TableReadError(
            f"{label} could not be opened as an Excel workbook ({type(exc).__name__}: {exc}). Open and save it "
            "again in Excel, or export the sheet as CSV.",
            file=label,
            code="excel_invalid",
        ) from exc


def _worksheet_names(workbook: Any, label: str) -> list[str]:
    names = [ws.title for ws in workbook.worksheets]
    if not names:
        raise TableReadError(
            f"{label} is an Excel workbook with no worksheets. Add a sheet with the table (or export the "
            "table as CSV) and upload it again.",
            file=label,
            code="excel_no_sheets",
        )
    return names


def _read_excel(data: bytes, opts: ReadOptions) -> tuple[pa.Table, list[str], str, dict[str, Any]]:
    """The chosen sheet as columns, its header, its name, and what its merged cells changed (for ``read_info``:
    merged cells in the data take their range's value, :mod:`synth.io.excel_merges`)."""
    label = opts.label
    workbook = _open_workbook(data, label, opts.max_uncompressed_bytes)
    try:
        names = _worksheet_names(workbook, label)
        sheet = opts.sheet
        if sheet is None:
            chosen = names[0]
        elif isinstance(sheet, int) and not isinstance(sheet, bool):
            if not 0 <= sheet < len(names):
                raise TableReadError(
                    f"{label} has {len(names)} sheet(s) ({', '.join(names)}); there is no sheet number {sheet} "
                    "(counting from 0). Choose one of the listed sheets.",
                    file=label,
                    code="excel_sheet",
                )
            chosen = names[sheet]
        elif str(sheet) in names:
            chosen = str(sheet)
        else:
            raise TableReadError(
                f"{label} has no sheet named {sheet!r}; its sheets are {', '.join(map(repr, names))}. "
                "Choose one of them.",
                file=label,
                code="excel_sheet",
            )
        try:
            worksheet = workbook[chosen]
            rows = _stream_rows(worksheet, opts, chosen)
            # Where openpyxl found the sheet's XML (read-only mode keeps no merged ranges of its own).
            ranges = merged_ranges(data, getattr(worksheet, "_worksheet_path", None))
        except TableReadError:
            raise
        except Exception as exc:  # damaged XML inside the sheet: ParseError, KeyError, ValueError, ...
            raise TableReadError(
                f"sheet {chosen!r} of {label} is damaged ({type(exc).__name__}: {exc}). Open and save it again "
                "in Excel, or export the sheet as CSV.",
                file=label,
                code="excel_invalid",
            ) from exc
    finally:
        workbook.close()
    if not rows:
        raise TableReadError(
            f"sheet {chosen!r} of {label} is empty. Choose the sheet that holds the table.",
            file=label,
            code="empty",
        )
    top, left = table_origin(rows)
    notice = origin_notice(rows, top, left, chosen, label) if top or left else None
    if notice is not None:  # a title above the header, or an indented table: read from where it starts
        rows, ranges = trimmed(rows, top, left), shifted(ranges, top, left)
    rows, merged = fill_merged(rows, ranges, chosen, label)
    if notice is not None:
        merged = {**merged, "table_starts_at": cell_name(top + 1, left + 1)}
        merged["warnings"] = [notice, *merged.get("warnings", [])]
    width = max(len(r) for r in rows)
    header = [("" if v is None else str(v).strip()) for v in rows[0]] + [""] * (width - len(rows[0]))
    body = rows[1:]
    columns = [_python_column([r[i] if i < len(r) else None for r in body], opts) for i in range(width)]
    del rows, body
    table = pa.table(columns, names=[f"c{i}" for i in range(width)])
    return table, header, chosen, merged


def _stream_rows(sheet: Any, opts: ReadOptions, chosen: str) -> list[tuple[Any, ...]]:
    """The sheet's rows with trailing empty cells and rows dropped, stopping at the first cap exceeded.

    Cells openpyxl yields count against ``max_cells`` even when empty (they cost the same to parse); runs of
    empty rows are only counted, and stored once a row with a value follows them.
    """
    label = f"sheet {chosen!r} of {opts.label}"
    sheet.reset_dimensions()  # never trust the declared size: stream what is there
    rows: list[tuple[Any, ...]] = []
    pending_empty = 0
    parsed_cells = 0
    width = 0
    row_cap = EXCEL_MAX_ROWS + 1 if opts.max_rows is None or opts.sample is not None else opts.max_rows + 1
    for position, row in enumerate(sheet.iter_rows(values_only=True)):
        parsed_cells += len(row)
        if opts.max_cells is not None and parsed_cells > opts.max_cells:
            raise exceeded(label, "cells", parsed_cells, "max_cells", opts.max_cells, at_least=True)
        if position > EXCEL_MAX_ROWS:
            raise TableReadError(
                f"{label} has rows beyond Excel's limit of {EXCEL_MAX_ROWS:,}: the file is damaged or was "
                "not written by a spreadsheet program. Save it again from Excel, or export it as CSV.",
                file=opts.label,
                code="excel_invalid",
            )
        end = len(row)
        while end and row[end - 1] is None:
            end -= 1
        if not end:
            pending_empty += 1
            continue
        check(label, "columns", end, "max_columns", opts.max_columns)
        width = max(width, end)
        if pending_empty:
            rows.extend([()] * pending_empty)
            pending_empty = 0
        rows.append(tuple(row[:end]))
        if len(rows) > row_cap:  # the header plus more data rows than allowed: the count is a lower bound
            raise too_many_rows(opts.label, len(rows) - 1, row_cap - 1, at_least=True)
        if opts.max_cells is not None and len(rows) * width > opts.max_cells:
            raise exceeded(label, "cells", len(rows) * width, "max_cells", opts.max_cells, at_least=True)
    return rows
