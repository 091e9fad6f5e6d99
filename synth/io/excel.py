"""Excel workbooks (.xlsx)."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pyarrow as pa

from synth.io.columns import _python_column
from synth.io.errors import TableReadError
from synth.io.options import ReadOptions

# -------------------------------------------------------------------------------------------------- excel


def _open_workbook(data: bytes, label: str) -> Any:
    import openpyxl

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise TableReadError(
            f"{label} is a damaged zip / Excel file ({exc}). Save it again and upload it.",
            file=label,
            code="excel_invalid",
        ) from exc
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


def _read_excel(data: bytes, opts: ReadOptions) -> tuple[pa.Table, list[str], str]:
    label = opts.label
    workbook = _open_workbook(data, label)
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
        rows = list(workbook[chosen].iter_rows(values_only=True))
    finally:
        workbook.close()
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    if not rows:
        raise TableReadError(
            f"sheet {chosen!r} of {label} is empty. Choose the sheet that holds the table.",
            file=label,
            code="empty",
        )
    width = max(len(r) for r in rows)
    header = [("" if v is None else str(v).strip()) for v in rows[0]] + [""] * (width - len(rows[0]))
    body = rows[1:]
    columns = [_python_column([r[i] if i < len(r) else None for r in body], opts) for i in range(width)]
    del rows, body
    table = pa.table(columns, names=[f"c{i}" for i in range(width)])
    return table, header, chosen
