"""read_table and friends: loading bytes, recognising the format, the checks every table passes."""

from __future__ import annotations

import gzip
import io
import re
import zlib
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from synth.io.columns import _any_true
from synth.io.errors import SingleColumnError, TableReadError, too_large, too_many_rows
from synth.io.excel import _open_workbook, _read_excel, _worksheet_names
from synth.io.json import _read_json
from synth.io.limits import (
    DEFAULT_MAX_CELLS,
    DEFAULT_MAX_COLUMNS,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    MAX_JSON_DEPTH,
    LimitExceededError,
    check,
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
    dropped or sampled) is stored in ``df.attrs["read_info"]``.

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
        info: dict[str, Any] = {"format": "parquet"}
        table, names = _read_parquet(data, opts)
    elif data.startswith(_OLE2_MAGIC):
        _raise_ole2(data, label)
    elif data.startswith(_ZIP_MAGIC):
        table, names, sheet_name = _read_excel(data, opts)
        info = {"format": "excel", "sheet": sheet_name}
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


# ------------------------------------------------------------------------------------------------- checks


def _finish(table: pa.Table, names: list[str], opts: ReadOptions, info: dict[str, Any]) -> pd.DataFrame:
    label = opts.label
    if table.num_columns == 0:
        raise TableReadError(
            f"{label} holds no columns. Choose a file with a header row.", file=label, code="no_columns"
        )
    counts = Counter(n for n in names if n)
    duplicated = [n for n, k in counts.items() if k > 1]
    if duplicated:
        raise TableReadError(
            f"{label} names the same column more than once: {', '.join(map(repr, duplicated))}. Give every "
            "column a distinct name in the header row.",
            file=label,
            code="duplicate_columns",
        )
    blank = [i for i, n in enumerate(names) if not n]
    empty_blank = [i for i in blank if table.column(i).null_count == table.num_rows]
    named_blank = [i for i in blank if i not in empty_blank]
    if named_blank and table.num_rows > 0:
        positions = ", ".join(str(i + 1) for i in named_blank)
        raise TableReadError(
            f"{label} has column(s) without a name in the header row (column {positions}). Give every column a "
            "name (a nameless first column is often a row index saved by a spreadsheet or pandas: remove it or "
            "name it).",
            file=label,
            code="blank_column_name",
        )
    if empty_blank:
        keep = [i for i in range(table.num_columns) if i not in set(empty_blank)]
        table = table.select(keep)
        names = [names[i] for i in keep]
        info["dropped_empty_columns"] = len(empty_blank)
    if table.num_rows == 0:
        shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
        raise TableReadError(
            f"{label} has a header ({shown}) but no rows. Upload a file with data rows under the header.",
            file=label,
            code="header_only",
        )
    nulls = [table.column(i).null_count for i in range(table.num_columns)]
    if all(k == table.num_rows for k in nulls):
        raise TableReadError(
            f"{label} has {table.num_rows:,} rows but every value is missing (or a missing-value marker such as "
            "NA). Check the file's delimiter and content, and the list of missing-value markers.",
            file=label,
            code="all_missing",
        )
    if any(nulls):
        empty_row = None
        for i, k in enumerate(nulls):
            if k == 0:
                empty_row = None
                break
            col_null = pc.is_null(table.column(i))
            empty_row = col_null if empty_row is None else pc.and_(empty_row, col_null)
        if empty_row is not None and _any_true(empty_row):
            dropped = int(pc.sum(empty_row).as_py())
            table = table.filter(pc.invert(empty_row))
            info["dropped_empty_rows"] = dropped
    if table.num_rows == 0:
        raise TableReadError(
            f"{label} has no rows with a value once missing values are removed. Check the file's content.",
            file=label,
            code="no_rows",
        )
    if table.num_columns == 1 and not opts.allow_single_column:
        raise SingleColumnError(
            f"{label} has a single column ({names[0]!r}). A synthesizer can copy its distribution, but one "
            "column cannot show relationships between columns. If the file has more columns, its delimiter was "
            "not recognised: choose the delimiter; otherwise accept the single column to continue.",
            file=label,
            column=names[0],
        )
    n_rows = table.num_rows
    info["rows"] = n_rows
    check(label, "columns", table.num_columns, "max_columns", opts.max_columns)
    if opts.sample is not None and n_rows > opts.sample:
        picked = np.sort(np.random.default_rng(opts.seed).choice(n_rows, size=opts.sample, replace=False))
        table = table.take(pa.array(picked))
        info["sampled_from"] = n_rows
        info["seed"] = opts.seed
    if opts.max_rows is not None and table.num_rows > opts.max_rows:
        raise too_many_rows(label, table.num_rows, opts.max_rows)
    check(label, "cells", table.num_rows * table.num_columns, "max_cells", opts.max_cells)
    box = [table]
    del table
    frame = _to_pandas(box)
    frame.columns = pd.Index(names, dtype=object)
    frame.attrs["read_info"] = info
    return frame


def _to_pandas(box: list[pa.Table]) -> pd.DataFrame:
    """Convert column by column, releasing arrow memory as it goes; text becomes ``object`` columns.

    Repeated strings share one Python object (deduplication) in columns with few distinct values; in
    mostly-unique columns the deduplication would only cost time.
    """
    columns: list[pa.ChunkedArray | None] = list(box.pop().columns)
    converted: dict[int, pd.Series] = {}
    pool = pa.default_memory_pool()
    for i, col in enumerate(columns):
        assert col is not None
        columns[i] = None
        pool.release_unused()  # hand freed arrow memory back to the system before Python allocates strings
        if pa.types.is_string(col.type):
            head = col.slice(0, 10_000)
            dedup = len(head) == 0 or pc.count_distinct(head).as_py() < 0.5 * len(head)
            converted[i] = col.to_pandas(deduplicate_objects=dedup)
        else:
            converted[i] = col.to_pandas(date_as_object=False, coerce_temporal_nanoseconds=True)
        del col
    pool.release_unused()
    return pd.DataFrame(converted, copy=False)  # copy=False: no block consolidation (slow for text)
