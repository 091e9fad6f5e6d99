"""read_table and friends: loading bytes, recognising the format, the checks every table passes."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa

from synth.io.errors import TableReadError, too_large
from synth.io.excel import _open_workbook, _read_excel, _worksheet_names
from synth.io.json import _read_json
from synth.io.limits import (
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    MAX_JSON_DEPTH,
    LimitExceededError,
)
from synth.io.options import (
    _BINARY_SIGNATURES,
    _EXCEL_SUFFIXES,
    _GZIP_MAGIC,
    _JSON_SUFFIXES,
    _JSONL_SUFFIXES,
    _OLE2_MAGIC,
    _PARQUET_SUFFIXES,
    _TEXT_SUFFIXES,
    _ZIP_MAGIC,
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_ROWS,
    DEFAULT_MISSING_VALUES,
    PARQUET_MAGIC,
    ReadOptions,
)
from synth.io.parquet import _read_parquet
from synth.io.table_checks import _finish
from synth.io.table_checks import _to_pandas as _to_pandas  # re-exported: it lived here
from synth.io.text import _read_delimited, _to_utf8

# ----------------------------------------------------------------------------------------------- public API


T = TypeVar("T")


def read_table(
    source: str | Path | bytes | IO[bytes],
    *,
    name: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_rows: int | None = DEFAULT_MAX_ROWS,
    sample: int | None = None,
    seed: int = 0,
    sheet: str | int | None = None,
    delimiter: str | None = None,
    encoding: str | None = None,
    decimal: str | None = None,
    thousands: str | None = None,
    missing_values: Iterable[str] | None = DEFAULT_MISSING_VALUES,
    allow_single_column: bool = False,
    max_columns: int | None = DEFAULT_MAX_COLUMNS,
    max_cells: int | None = DEFAULT_MAX_CELLS,
    max_uncompressed_bytes: int | None = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    **options: Any,
) -> pd.DataFrame:
    """Read a CSV / TSV / TXT, Parquet, Excel (.xlsx), JSON or JSON Lines table.

    The format is recognised from the content (and the file name when the content is ambiguous); a gzip
    file is decompressed first. How the file was read (format, encoding, delimiter, decimal mark, rows
    dropped or sampled) is stored in ``df.attrs["read_info"]``; its ``warnings`` (a list, when there are any)
    say what the read changed that the user should know, e.g. an Excel sheet's merged cells filled with their
    value.

    Args:
        source: a path, the file's bytes, or a binary file-like object (e.g. a Streamlit upload).
        name: the file name shown in messages and used as a format hint (defaults to the path's name).
        max_bytes: refuse larger inputs (also after decompression); ``None`` for no limit.
        max_rows: refuse tables with more rows with a :class:`TooManyRowsError`; ``None`` for no limit.
        sample: keep a seeded random sample of this many rows (in their original order) when the table
            is larger; the limit ``max_rows`` applies to the sample.
        seed: seed of ``sample``.
        sheet: Excel sheet name or 0-based position (default: the first sheet).
        delimiter: field delimiter of a text table (default: detected among ``, ; TAB |``).
        encoding: text encoding (default: UTF-8, UTF-8 with BOM, UTF-16 with BOM, else Windows-1252).
        decimal: decimal mark of text numbers, ``"."`` or ``","`` (default: detected).
        thousands: thousands separator of text numbers (default: ``","`` with a decimal point and ``"."``
            with a decimal comma); ``""`` to accept none.
        missing_values: text values read as missing (default :data:`DEFAULT_MISSING_VALUES`); ``None`` or
            an empty list for none.
        allow_single_column: accept a table with one column instead of raising :class:`SingleColumnError`.
        max_columns: refuse tables with more columns; ``None`` for no limit.
        max_cells: refuse tables with more cells (rows × columns; for nested Parquet columns, every leaf
            value), checked from the file's metadata or while streaming, before the table is built.
        max_uncompressed_bytes: refuse a workbook or Parquet file whose content (zip members, pages, text
            values) expands to more bytes than this.
        **options: aliases accepted for convenience: ``sep`` (for ``delimiter``), ``sheet_name`` (for
            ``sheet``), ``na_values`` (for ``missing_values``).

    Returns:
        The table: at least one row, named and distinct columns, not every column missing. Rows in which
        every value is missing are dropped.

    Raises:
        TableReadError: the input cannot be read as a table; the message says why and what to do.
        TooManyRowsError: the table has more than ``max_rows`` rows.
        SingleColumnError: the table has a single column and ``allow_single_column`` is false.
        LimitExceededError: the input exceeds ``max_columns``, ``max_cells`` or ``max_uncompressed_bytes``
            (``limit`` names which); nothing past the limit was read.
        TypeError: an unknown option was passed.
    """
    aliases = {"sep": "delimiter", "sheet_name": "sheet", "na_values": "missing_values"}
    unknown = set(options) - set(aliases)
    if unknown:
        raise TypeError(
            f"read_table got unknown options: {', '.join(sorted(unknown))}; it accepts name, max_bytes, "
            "max_rows, sample, seed, sheet, delimiter, encoding, decimal, thousands, missing_values, "
            "allow_single_column, max_columns, max_cells, max_uncompressed_bytes"
        )
    delimiter = options.get("sep", delimiter)
    sheet = options.get("sheet_name", sheet)
    missing_values = options.get("na_values", missing_values)
    data, default_label = _load_bytes(source, name, max_bytes)
    label = name or default_label
    if decimal not in (None, ".", ","):
        raise ValueError(f"decimal must be '.' or ',', got {decimal!r}")
    if delimiter is not None and len(delimiter) != 1:
        raise ValueError(f"delimiter must be a single character, got {delimiter!r}")
    if sample is not None and sample < 1:
        raise ValueError(f"sample must be at least 1 row, got {sample}")
    opts = ReadOptions(
        label=label,
        max_rows=max_rows,
        sample=sample,
        seed=seed,
        sheet=sheet,
        delimiter=delimiter,
        encoding=encoding,
        decimal=decimal,
        thousands=thousands,
        missing_values=tuple(str(v).strip() for v in (missing_values or ())),
        allow_single_column=allow_single_column,
        max_columns=max_columns,
        max_cells=max_cells,
        max_uncompressed_bytes=max_uncompressed_bytes,
        max_bytes=max_bytes,
    )
    box = [data]  # the caller's reference is dropped so a large input can be freed once it is parsed
    del data
    return _guarded(lambda: _read_bytes(box, opts, max_bytes), label)


def _guarded(read: Callable[[], T], label: str) -> T:
    """Run a reader so that whatever a hostile or damaged file provokes surfaces as a :class:`TableReadError`.

    The readers raise their own errors for every problem they know; anything else (a parser's internal
    error, a recursion or memory failure) is still the file's fault, so it is reported the same way, with
    ``code="unexpected"`` so tests and logs can tell a case nobody anticipated.
    """
    try:
        return read()
    except TableReadError:
        raise
    except (MemoryError, pa.ArrowMemoryError) as exc:
        raise LimitExceededError(
            f"{label} needs more memory to read than this process has. Upload a smaller table (for example a "
            "random sample of its rows).",
            file=label,
            limit="memory",
        ) from exc
    except RecursionError as exc:
        raise LimitExceededError(
            f"{label} is nested too deeply to read. Flatten it into a table of rows and columns.",
            file=label,
            limit="depth",
            maximum=MAX_JSON_DEPTH,
        ) from exc
    except Exception as exc:  # the file is data: nothing it holds may escape as a crash of the caller
        error = TableReadError(
            f"{label} could not be read ({type(exc).__name__}: {exc}). The file may be damaged: export it "
            "again, or save it as CSV and upload that.",
            file=label,
            code="unexpected",
        )
        raise error from exc


def list_sheets(
    source: str | Path | bytes | IO[bytes],
    *,
    name: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_uncompressed_bytes: int | None = DEFAULT_MAX_UNCOMPRESSED_BYTES,
) -> list[str]:
    """Names of the worksheets of an Excel workbook, in workbook order.

    Args:
        source: a path, the file's bytes, or a binary file-like object.
        name: the file name shown in messages.
        max_bytes: refuse larger inputs; ``None`` for no limit.

    Returns:
        The worksheet names (chart sheets left out); an empty list when ``source`` is not an Excel workbook.

    Raises:
        TableReadError: the file cannot be read, or it is a workbook that is damaged, password-protected or
            has no worksheets.
    """
    data, default_label = _load_bytes(source, name, max_bytes)
    label = name or default_label
    data, _ = _maybe_decompress(data, label, max_bytes)
    if data.startswith(_OLE2_MAGIC):
        _raise_ole2(data, label)
    if not data.startswith(_ZIP_MAGIC):
        return []

    def names() -> list[str]:
        workbook = _open_workbook(data, label, max_uncompressed_bytes)
        try:
            return _worksheet_names(workbook, label)
        finally:
            workbook.close()

    return _guarded(names, label)


def sample_rows(df: pd.DataFrame, n: int, seed: int = 0) -> pd.DataFrame:
    """A seeded random sample of ``n`` rows of ``df``, in their original order, with a fresh index.

    Args:
        df: the table.
        n: rows to keep; the whole table (re-indexed) when it has ``n`` rows or fewer.
        seed: the same seed gives the same rows.

    Returns:
        The sampled rows (``df.attrs`` kept).
    """
    if n < 1:
        raise ValueError(f"a sample needs at least 1 row, got {n}")
    if len(df) <= n:
        return df.reset_index(drop=True)
    keep = np.sort(np.random.default_rng(seed).choice(len(df), size=n, replace=False))
    out = df.iloc[keep].reset_index(drop=True)
    out.attrs = dict(df.attrs)
    return out


# --------------------------------------------------------------------------------------------- loading bytes


def _load_bytes(source: str | Path | bytes | IO[bytes], name: str | None, max_bytes: int | None) -> tuple[bytes, str]:
    exact = True
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        label = name or "the uploaded file"
    elif isinstance(source, str | Path):
        path = Path(source)
        label = name or path.name
        if not path.exists():
            raise TableReadError(f"{path}: no such file. Check the path and try again.", file=label, code="not_found")
        if path.is_dir():
            raise TableReadError(f"{path} is a folder, not a file. Choose a table file.", file=label, code="not_found")
        size = path.stat().st_size
        if max_bytes is not None and size > max_bytes:
            raise too_large(label, size, max_bytes)
        data = path.read_bytes()
    else:
        exact = max_bytes is None
        raw = source.read() if max_bytes is None else source.read(max_bytes + 1)
        data = raw.encode() if isinstance(raw, str) else bytes(raw)
        label = name or Path(str(getattr(source, "name", "") or "the uploaded file")).name
    if max_bytes is not None and len(data) > max_bytes:
        raise too_large(label, len(data), max_bytes, "" if exact else "over ")
    return data, label


def _maybe_decompress(data: bytes, label: str, max_bytes: int | None) -> tuple[bytes, str]:
    """Decompress gzip input; returns the bytes and the name without ``.gz`` (used as a format hint)."""
    if not data.startswith(_GZIP_MAGIC):
        return data, label
    inner = label[:-3] if label.lower().endswith(".gz") else label
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as handle:
            out = handle.read() if max_bytes is None else handle.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise TableReadError(
            f"{label} is a gzip file that cannot be decompressed ({exc}). It may be truncated: "
            "compress the table again, or upload it uncompressed.",
            file=label,
            code="gzip",
        ) from exc
    if max_bytes is not None and len(out) > max_bytes:
        raise too_large(label, len(out), max_bytes, "over (decompressed) ")
    return out, inner


# ------------------------------------------------------------------------------------------------ dispatch


def _read_bytes(box: list[bytes], opts: ReadOptions, max_bytes: int | None) -> pd.DataFrame:
    label = opts.label
    data = box.pop()
    if not data or data.isspace():
        raise TableReadError(
            f"{label} is empty. Choose a file that holds a table with a header row.", file=label, code="empty"
        )
    data, hint = _maybe_decompress(data, label, max_bytes)
    if not data or data.isspace():
        raise TableReadError(
            f"{label} is empty once decompressed. Choose a file that holds a table.", file=label, code="empty"
        )
    suffix = Path(hint).suffix.lower()
    for magic, what in _BINARY_SIGNATURES:
        if data.startswith(magic):
            raise TableReadError(
                f"{label} is not a text table: it is {what}. Upload a CSV, TSV, Parquet, Excel (.xlsx) or JSON file.",
                file=label,
                code="binary",
            )
    if data.startswith(b"RIFF") and data[8:12] in (b"WEBP", b"WAVE", b"AVI "):
        raise TableReadError(
            f"{label} is not a text table: it is a media file (RIFF {data[8:12].decode().strip()}). "
            "Upload a CSV, TSV, Parquet, Excel (.xlsx) or JSON file.",
            file=label,
            code="binary",
        )
    if data.startswith(PARQUET_MAGIC) or suffix in _PARQUET_SUFFIXES:
        table, names, warnings = _read_parquet(data, opts)
        info: dict[str, Any] = {"format": "parquet", **({"warnings": warnings} if warnings else {})}
    elif data.startswith(_OLE2_MAGIC):
        _raise_ole2(data, label)
    elif data.startswith(_ZIP_MAGIC):
        table, names, sheet_name, merged = _read_excel(data, opts)
        info = {"format": "excel", "sheet": sheet_name, **merged}
    elif suffix in _EXCEL_SUFFIXES:
        raise TableReadError(
            f"{label} is named like an Excel workbook but is not one (an .xlsx file is a zip archive). "
            "If it holds comma-separated text, rename it to .csv; otherwise save it again from Excel.",
            file=label,
            code="excel_invalid",
        )
    else:
        utf8, enc = _to_utf8(data, label, opts.encoding)
        del data
        first = utf8[:64].lstrip()
        if suffix in _JSON_SUFFIXES | _JSONL_SUFFIXES or (suffix not in _TEXT_SUFFIXES and first[:1] in (b"[", b"{")):
            table, names, layout = _read_json(utf8, opts, jsonl=suffix in _JSONL_SUFFIXES)
            info = {"format": layout, "encoding": enc}
        elif first[:1] in (b"[", b"{") and _looks_like_json(utf8):
            table, names, layout = _read_json(utf8, opts, jsonl=False)
            info = {"format": layout, "encoding": enc}
        else:
            box.append(utf8)
            del utf8
            table, names, text_info = _read_delimited(box, opts, suffix)
            info = {"format": "csv", "encoding": enc, **text_info}
    return _finish(table, names, opts, info)


_JSON_START = re.compile(rb"\s*(\[\s*(\{|\]\s*$)|\{\s*(\"|\}))")


def _looks_like_json(data: bytes) -> bool:
    """Whether text starts like JSON records: ``[{``, ``[]``, ``{"`` or ``{}`` (no delimited table does)."""
    return _JSON_START.match(data[:4096]) is not None


def _raise_ole2(data: bytes, label: str) -> NoReturn:
    if "EncryptedPackage".encode("utf-16-le") in data[:1_000_000] or b"EncryptedPackage" in data[:1_000_000]:
        raise TableReadError(
            f"{label} is a password-protected Excel workbook, which cannot be read. Open it in Excel, remove "
            "the password (File → Info → Protect Workbook → Encrypt with Password, clear it), save, and upload "
            "it again.",
            file=label,
            code="excel_encrypted",
        )
    raise TableReadError(
        f"{label} is an old-style Excel (.xls) or other Office file, which is not supported. Save it as an "
        "Excel workbook (.xlsx) or as CSV and upload that.",
        file=label,
        code="excel_legacy",
    )
