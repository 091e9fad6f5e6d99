"""Reading tables from paths, bytes or file-like objects, with errors a user can act on.

Supported formats: CSV / TSV / TXT (delimiter, encoding and decimal comma detected), Parquet, Excel ``.xlsx``
(pick the sheet; :func:`list_sheets` lists them), JSON (a list of records) and JSON Lines, each optionally
gzip-compressed.

Values keep their meaning. Text is parsed by pyarrow as strings first and each column is then typed on its
own: a column becomes numeric only when every value is a number, so ``02134`` (a zip code) or ``00012345``
(an account number) stay text; thousands separators and decimal commas are understood; the usual missing
markers (``""``, ``NA``, ``N/A``, ``null``, ``None``, ``?``, ``-``, ...) become missing values, and the list
can be changed with ``missing_values``.

Every failure raises :class:`TableReadError` (a :class:`ValueError`) whose message names the file, says what
was wrong and what to do; its ``code`` attribute says which check failed. A table with more rows than
``max_rows`` raises :class:`TooManyRowsError`, which carries ``n_rows`` so a caller can offer to work on a
seeded random sample instead (``read_table(..., sample=n)`` or :func:`sample_rows`).
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, NoReturn

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
"""Largest input accepted by default (after gzip decompression)."""

DEFAULT_MAX_ROWS = 1_000_000
"""Most rows accepted by default; larger tables raise :class:`TooManyRowsError`."""

DEFAULT_MISSING_VALUES: tuple[str, ...] = (
    "",
    "NA",
    "N/A",
    "n/a",
    "#N/A",
    "NaN",
    "nan",
    "null",
    "NULL",
    "None",
    "?",
    "-",
)
"""Text values read as missing (after trimming surrounding whitespace). Pass ``missing_values`` to change."""

PARQUET_MAGIC = b"PAR1"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_GZIP_MAGIC = b"\x1f\x8b"

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x28\xb5\x2f\xfd", "a Zstandard-compressed file"),
    (b"BZh91AY&SY", "a bzip2-compressed file"),
    (b"\x7fELF", "a program (ELF executable)"),
    (b"ARROW1", "an Arrow / Feather file"),
)

_TEXT_SUFFIXES = {".csv", ".tsv", ".tab", ".txt", ".dat", ""}
_JSON_SUFFIXES = {".json"}
_JSONL_SUFFIXES = {".jsonl", ".ndjson"}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_PARQUET_SUFFIXES = {".parquet", ".pq"}
_DELIMITERS = (",", ";", "\t", "|")

_CODE_RE = r"^[+-]?(0\d|\d{16})"
_HEAD = 1000


class TableReadError(ValueError):
    """A table could not be read. The message names the file, says what was wrong and what to do.

    Attributes:
        file: the file name the message refers to.
        code: which check failed (e.g. ``"empty"``, ``"binary"``, ``"ragged_rows"``, ``"header_only"``,
            ``"duplicate_columns"``, ``"blank_column_name"``, ``"single_column"``, ``"all_missing"``,
            ``"no_rows"``, ``"encoding"``, ``"excel_no_sheets"``, ``"excel_encrypted"``, ``"parquet"``,
            ``"json_not_records"``, ``"too_large"``, ``"too_many_rows"``).
    """

    def __init__(self, message: str, *, file: str | None = None, code: str = "unreadable") -> None:
        super().__init__(message)
        self.file = file
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self),), self.__dict__)


class TooManyRowsError(TableReadError):
    """The table has more rows than allowed; ``n_rows`` lets a caller offer a random sample instead.

    Attributes:
        n_rows: rows in the table (after dropping rows where every value is missing).
        max_rows: the limit that was exceeded.
    """

    def __init__(self, message: str, *, file: str | None = None, n_rows: int = 0, max_rows: int = 0) -> None:
        super().__init__(message, file=file, code="too_many_rows")
        self.n_rows = n_rows
        self.max_rows = max_rows


class SingleColumnError(TableReadError):
    """The table has a single column. Pass ``allow_single_column=True`` to accept it anyway.

    Attributes:
        column: the name of the one column.
    """

    def __init__(self, message: str, *, file: str | None = None, column: str = "") -> None:
        super().__init__(message, file=file, code="single_column")
        self.column = column


@dataclass(frozen=True)
class _Options:
    label: str
    max_rows: int | None
    sample: int | None
    seed: int
    sheet: str | int | None
    delimiter: str | None
    encoding: str | None
    decimal: str | None
    thousands: str | None
    missing_values: tuple[str, ...]
    allow_single_column: bool


# ----------------------------------------------------------------------------------------------- public API


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
        **options: aliases accepted for convenience: ``sep`` (for ``delimiter``), ``sheet_name`` (for
            ``sheet``), ``na_values`` (for ``missing_values``).

    Returns:
        The table: at least one row, named and distinct columns, not every column missing. Rows in which
        every value is missing are dropped.

    Raises:
        TableReadError: the input cannot be read as a table; the message says why and what to do.
        TooManyRowsError: the table has more than ``max_rows`` rows.
        SingleColumnError: the table has a single column and ``allow_single_column`` is false.
        TypeError: an unknown option was passed.
    """
    aliases = {"sep": "delimiter", "sheet_name": "sheet", "na_values": "missing_values"}
    unknown = set(options) - set(aliases)
    if unknown:
        raise TypeError(
            f"read_table got unknown options: {', '.join(sorted(unknown))}; it accepts name, max_bytes, "
            "max_rows, sample, seed, sheet, delimiter, encoding, decimal, thousands, missing_values, "
            "allow_single_column"
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
    opts = _Options(
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
    )
    box = [data]  # the caller's reference is dropped so a large input can be freed once it is parsed
    del data
    return _read_bytes(box, opts, max_bytes)


def list_sheets(
    source: str | Path | bytes | IO[bytes], *, name: str | None = None, max_bytes: int | None = DEFAULT_MAX_BYTES
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
    workbook = _open_workbook(data, label)
    try:
        return _worksheet_names(workbook, label)
    finally:
        workbook.close()


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


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def _too_large(label: str, size: int, max_bytes: int, what: str = "") -> TableReadError:
    return TableReadError(
        f"{label} is {what}{_human(size)}, over the upload limit of {_human(max_bytes)}. "
        "Upload a smaller file (for example a random sample of its rows), or raise the limit.",
        file=label,
        code="too_large",
    )


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
            raise _too_large(label, size, max_bytes)
        data = path.read_bytes()
    else:
        exact = max_bytes is None
        raw = source.read() if max_bytes is None else source.read(max_bytes + 1)
        data = raw.encode() if isinstance(raw, str) else bytes(raw)
        label = name or Path(str(getattr(source, "name", "") or "the uploaded file")).name
    if max_bytes is not None and len(data) > max_bytes:
        raise _too_large(label, len(data), max_bytes, "" if exact else "over ")
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
        raise _too_large(label, len(out), max_bytes, "over (decompressed) ")
    return out, inner


# ------------------------------------------------------------------------------------------------ dispatch


def _read_bytes(box: list[bytes], opts: _Options, max_bytes: int | None) -> pd.DataFrame:
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


# ----------------------------------------------------------------------------------------------- encodings


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _to_utf8(data: bytes, label: str, encoding: str | None) -> tuple[bytes, str]:
    """The text as UTF-8 bytes without BOM, and the name of the encoding it was read with."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
        return _checked_utf8(data, label, "utf-8-sig"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _looks_utf16le(data):
        codec = "utf-16" if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) else "utf-16-le"
        try:
            return data.decode(codec).encode("utf-8"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _encoding_error(label, data, exc, "UTF-16") from exc
    _check_not_binary(data, label)
    if encoding is not None:
        normal = codecs.lookup(encoding).name
        if normal == "utf-8":
            return _checked_utf8(data, label, "utf-8"), "utf-8"
        try:
            return data.decode(encoding).encode("utf-8"), normal
        except UnicodeDecodeError as exc:
            raise _encoding_error(label, data, exc, encoding) from exc
    if data.isascii():
        return data, "ascii"
    try:
        data.decode("utf-8")
        return data, "utf-8"
    except UnicodeDecodeError as exc:
        if _UTF8_MULTIBYTE.search(data) is None:
            try:
                return data.decode("cp1252").encode("utf-8"), "cp1252"
            except UnicodeDecodeError:
                pass
        raise _encoding_error(label, data, exc, "UTF-8") from exc


def _checked_utf8(data: bytes, label: str, what: str) -> bytes:
    if not data.isascii():
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _encoding_error(label, data, exc, what) from exc
    _check_not_binary(data, label)
    return data


def _looks_utf16le(data: bytes) -> bool:
    head = data[:400]
    return len(head) >= 8 and head[1::2].count(0) >= 0.9 * len(head[1::2]) and head[0::2].count(0) == 0


def _encoding_error(label: str, data: bytes, exc: UnicodeDecodeError, what: str) -> TableReadError:
    offset = exc.start
    line = data.count(b"\n", 0, offset) + 1
    byte = data[offset : offset + 1].hex().upper() if offset < len(data) else "??"
    extra = " and it does not read as Windows-1252 (Latin-1) either" if what == "UTF-8" else ""
    return TableReadError(
        f"{label} is not valid {what} text: byte {offset:,} (0x{byte}, on line {line:,}) cannot be decoded{extra}. "
        "Save the file as UTF-8 (in Excel: Save As → CSV UTF-8) or pass the right encoding, and upload it again.",
        file=label,
        code="encoding",
    )


def _check_not_binary(data: bytes, label: str) -> None:
    head = data[:8192]
    controls = sum(head.count(bytes([b])) for b in (*range(0, 9), 11, 12, *range(14, 32)))
    if b"\x00" in head or controls > 0.05 * len(head):
        raise TableReadError(
            f"{label} is not a text table: it holds binary data (it may be an image, archive or program renamed "
            "to look like a table). Upload a CSV, TSV, Parquet, Excel (.xlsx) or JSON file.",
            file=label,
            code="binary",
        )


# ------------------------------------------------------------------------------------------ delimited text


def _sample_records(sample: str, delimiter: str, truncated: bool) -> list[list[str]]:
    try:
        records = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    except csv.Error:
        return []
    if truncated and records:
        records = records[:-1]
    # Blank lines (and lines of spaces) are skipped; a line of empty fields (",,") is a row of missing values.
    return [r for r in records if len(r) > 1 or (r and r[0].strip())][:200]


def _sniff_delimiter(sample: str, truncated: bool) -> str:
    best: tuple[float, int, int] = (-1.0, 0, 0)
    choice = ","
    for rank, candidate in enumerate(_DELIMITERS):
        records = _sample_records(sample, candidate, truncated)
        if not records:
            continue
        counts = Counter(len(r) for r in records)
        mode, freq = counts.most_common(1)[0]
        if mode < 2:
            continue
        score = (freq / len(records), mode, -rank)
        if score > best:
            best, choice = score, candidate
    return choice


def _sniff_decimal(records: Sequence[Sequence[str]]) -> str:
    comma = dot = 0
    for record in records[1:]:
        for field in record:
            value = field.strip()
            if re.fullmatch(r"[+-]?\d+(\.\d{3})*,\d+", value):
                comma += 1
            elif re.fullmatch(r"[+-]?\d+\.\d+", value):
                dot += 1
    return "," if comma > dot else "."


def _read_delimited(box: list[bytes], opts: _Options, suffix: str) -> tuple[pa.Table, list[str], dict[str, Any]]:
    label = opts.label
    data = box.pop().lstrip(b"\r\n")
    truncated = len(data) > 65536
    sample = data[:65536].decode("utf-8", errors="ignore")
    if opts.delimiter is not None:
        delimiter = opts.delimiter
    elif suffix in (".tsv", ".tab"):
        delimiter = "\t"
    else:
        delimiter = _sniff_delimiter(sample, truncated)
    records = _sample_records(sample, delimiter, truncated)
    if not records:
        raise TableReadError(
            f"{label} holds no header row. Choose a file whose first line names the columns.",
            file=label,
            code="no_columns",
        )
    header = [h.strip() for h in records[0]]
    decimal = opts.decimal or ("." if delimiter == "," else _sniff_decimal(records))
    thousands = _default_thousands(decimal, opts.thousands)
    internal = [f"c{i}" for i in range(len(header))]
    bad_rows: list[tuple[int, int, str]] = []

    def on_invalid(row: Any) -> str:
        if row.text.strip():  # a line of spaces is an empty line, not a short row
            bad_rows.append((row.expected_columns, row.actual_columns, row.text))
        return "skip"

    if len(records) == 1 and not truncated:  # a header and nothing else (perhaps without a final newline)
        table = pa.table([pa.array([], pa.string()) for _ in internal], names=internal)
        return table, header, {"delimiter": delimiter, "decimal": decimal, "thousands": thousands}

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=internal, skip_rows=1, block_size=4 << 20),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                newlines_in_values=b'"' in data,
                ignore_empty_lines=True,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in internal},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        raise TableReadError(
            f"{label} could not be parsed as a {_delimiter_name(delimiter)}-separated table ({exc}). Check that "
            "every line has the same number of fields and that quotes are balanced.",
            file=label,
            code="parse",
        ) from exc
    if bad_rows:
        raise _ragged_error(label, data, bad_rows, len(header), delimiter)
    del data
    table = _type_table(table, opts.missing_values, decimal, thousands)
    pa.default_memory_pool().release_unused()
    info = {"delimiter": delimiter, "decimal": decimal, "thousands": thousands}
    return table, header, info


def _default_thousands(decimal: str, thousands: str | None) -> str:
    if thousands is not None:
        if thousands == decimal:
            raise ValueError(f"the thousands separator cannot be the decimal mark {decimal!r}")
        return thousands
    return "," if decimal == "." else "."


def _delimiter_name(delimiter: str) -> str:
    return {",": "comma", ";": "semicolon", "\t": "tab", "|": "pipe"}.get(delimiter, repr(delimiter))


def _ragged_error(
    label: str, data: bytes, bad_rows: list[tuple[int, int, str]], n_header: int, delimiter: str
) -> TableReadError:
    positions = []
    for expected, actual, text in bad_rows[:50]:
        pos = data.find(text.encode("utf-8"))
        positions.append((pos if pos >= 0 else len(data), expected, actual, text))
    pos, expected, actual, text = min(positions)
    line = data.count(b"\n", 0, pos) + 1 if pos < len(data) else None
    where = f"line {line:,}" if line is not None else "a line"
    shown = text if len(text) <= 80 else text[:77] + "..."
    more = f" ({len(bad_rows):,} lines in all)" if len(bad_rows) > 1 else ""
    if text.count('"') % 2:
        more += "; it has an unbalanced double quote"
    return TableReadError(
        f"{label} has rows with the wrong number of fields: {where} has {actual} field{'s' if actual != 1 else ''} "
        f"but the header has {n_header}{more}: {shown!r}. Check the delimiter ({_delimiter_name(delimiter)}) "
        "and quoting: a value that contains the delimiter must be in double quotes.",
        file=label,
        code="ragged_rows",
    )


# ------------------------------------------------------------------------------------------------ typing


def _all_true(mask: pa.ChunkedArray | pa.Array) -> bool:
    return pc.all(mask).as_py() is True


def _any_true(mask: pa.ChunkedArray | pa.Array) -> bool:
    return pc.any(mask).as_py() is True


def _matches_all(values: pa.ChunkedArray, head: pa.ChunkedArray, pattern: str) -> bool:
    return _all_true(pc.match_substring_regex(head, pattern)) and _all_true(pc.match_substring_regex(values, pattern))


def _localized_pattern(decimal: str, thousands: str) -> str:
    d = re.escape(decimal)
    if thousands:
        t = re.escape(thousands)
        return rf"^[+-]?(\d{{1,3}}({t}\d{{3}})+|\d+)({d}\d+)?$"
    return rf"^[+-]?\d+({d}\d+)?$"


def _is_code(col: pa.ChunkedArray) -> bool:
    """Whether number-like text is a code: a leading zero (``02134``) or 16+ digits (a card number)."""
    return _any_true(pc.match_substring_regex(col, _CODE_RE))


def _plain_number(col: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """The column as int64 / float64 when every value is a plain number (``12``, ``-3.5``, ``1e3``)."""
    for target in (pa.int64(), pa.float64()):
        try:
            number = pc.cast(col, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return None if _is_code(col) else number
    return None


def _localized_number(
    col: pa.ChunkedArray, head: pa.ChunkedArray, decimal: str, thousands: str
) -> pa.ChunkedArray | None:
    """The column as a number when every value has the given decimal mark and thousands separator."""
    if not _matches_all(col, head, _localized_pattern(decimal, thousands)) or _is_code(col):
        return None
    cleaned = pc.replace_substring(col, thousands, "") if thousands else col
    if decimal != ".":
        cleaned = pc.replace_substring(cleaned, decimal, ".")
    has_fraction = _any_true(pc.match_substring(cleaned, "."))
    try:
        return pc.cast(cleaned, pa.float64() if has_fraction else pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


def type_text_column(
    values: pa.ChunkedArray | pa.Array,
    missing_values: Sequence[str] = DEFAULT_MISSING_VALUES,
    decimal: str = ".",
    thousands: str = ",",
) -> pa.ChunkedArray:
    """Give a column of text values the type its values mean.

    Surrounding whitespace is trimmed and missing markers become nulls. The column becomes integer or float
    when every value is a number (thousands separators and the given decimal mark understood) and none has a
    leading zero or more than 15 digits (zip codes, account and card numbers stay text); boolean when every
    value is ``true``/``false``; otherwise it stays text.

    Args:
        values: a string array.
        missing_values: text values that mean "missing".
        decimal: the decimal mark, ``"."`` or ``","``.
        thousands: the thousands separator, ``""`` for none.

    Returns:
        The typed column.
    """
    col = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    if pa.types.is_large_string(col.type):
        col = pc.cast(col, pa.string())
    if not pa.types.is_string(col.type):
        return col
    col = pc.utf8_trim_whitespace(col)
    if missing_values:
        marker = pc.is_in(col, value_set=pa.array(list(missing_values), type=pa.string()))
        if _any_true(marker):
            col = pc.if_else(marker, pa.scalar(None, pa.string()), col)
    if col.null_count == len(col):
        return col
    head = pc.drop_null(col.slice(0, 20 * _HEAD)).slice(0, _HEAD) if col.null_count else col.slice(0, _HEAD)
    if (
        len(head)
        and _plain_number(head) is None
        and not _matches_all(head, head, _localized_pattern(decimal, thousands))
    ):
        number = None
    elif decimal == ".":
        number = _plain_number(col)
        if number is None and thousands:
            number = _localized_number(col, head, decimal, thousands)
    else:
        number = _localized_number(col, head, decimal, thousands)
        if number is None:
            number = _plain_number(col)
    if number is not None:
        return number
    booleans = pa.array(["true", "false"])
    if _all_true(pc.is_in(pc.utf8_lower(head), value_set=booleans)):
        lowered = pc.utf8_lower(col)
        if _all_true(pc.is_in(lowered, value_set=booleans)):
            return pc.equal(lowered, "true")
    return col


def _type_table(table: pa.Table, missing_values: Sequence[str], decimal: str, thousands: str) -> pa.Table:
    names = table.column_names
    columns = list(table.columns)
    del table
    for i, col in enumerate(columns):
        columns[i] = type_text_column(col, missing_values, decimal, thousands)
        del col
    return pa.table(columns, names=names)


def _python_column(values: list[Any], opts: _Options) -> pa.ChunkedArray:
    """A column of Python values (from Excel or JSON) as an arrow column with a sensible type."""
    import datetime as dt

    present = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
    types = {type(v) for v in present}
    if not present:
        return pa.chunked_array([pa.nulls(len(values), pa.string())])
    clean = [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in values]
    try:
        if types <= {bool}:
            return pa.chunked_array([pa.array(clean, pa.bool_())])
        if types <= {int}:
            return pa.chunked_array([pa.array(clean, pa.int64())])
        if types <= {int, float}:
            return pa.chunked_array([pa.array(clean, pa.float64())])
        if types <= {dt.datetime, pd.Timestamp}:
            return pa.chunked_array([pa.array(clean, pa.timestamp("us"))])
        if types <= {dt.date}:
            return pa.chunked_array([pa.array(clean, pa.date32())])
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass
    text = [None if v is None else (json.dumps(v) if isinstance(v, list | dict) else str(v)) for v in clean]
    decimal = opts.decimal or "."
    return type_text_column(
        pa.array(text, pa.string()), opts.missing_values, decimal, _default_thousands(decimal, opts.thousands)
    )


# ------------------------------------------------------------------------------------------------ parquet


def _read_parquet(data: bytes, opts: _Options) -> tuple[pa.Table, list[str]]:
    label = opts.label
    try:
        handle = pq.ParquetFile(io.BytesIO(data))
        n_rows = handle.metadata.num_rows
        if opts.sample is None and opts.max_rows is not None and n_rows > opts.max_rows:
            raise _too_many_rows(label, n_rows, opts.max_rows)
        table = handle.read()
    except TableReadError:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise TableReadError(
            f"{label} could not be read as Parquet ({type(exc).__name__}: {exc}). The file may be truncated "
            "or not Parquet at all: export it again.",
            file=label,
            code="parquet",
        ) from exc
    meta = table.schema.pandas_metadata or {}
    drop = [c for c in meta.get("index_columns", []) if isinstance(c, str) and c.startswith("__index_level_")]
    if drop:
        table = table.drop_columns(drop)
    names = [str(n) for n in table.column_names]
    columns = []
    for col in table.columns:
        typ = col.type
        if pa.types.is_dictionary(typ):
            col = pc.cast(col, typ.value_type)
            typ = col.type
        if pa.types.is_decimal(typ):
            col = pc.cast(col, pa.float64())
        elif pa.types.is_nested(typ):
            col = pa.chunked_array(
                [pa.array([None if v is None else json.dumps(v, default=str) for v in col.to_pylist()], pa.string())]
            )
        elif pa.types.is_large_string(typ):
            col = pc.cast(col, pa.string())
        if pa.types.is_string(col.type):
            col = type_text_column(col, opts.missing_values, ".", ",")
        columns.append(col)
    return pa.table(columns, names=[f"c{i}" for i in range(len(columns))]), names


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


def _read_excel(data: bytes, opts: _Options) -> tuple[pa.Table, list[str], str]:
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


# --------------------------------------------------------------------------------------------------- json


def _read_json(data: bytes, opts: _Options, *, jsonl: bool) -> tuple[pa.Table, list[str], str]:
    label = opts.label
    text = data.decode("utf-8")
    del data
    layout = "jsonl" if jsonl else "json"
    doc: Any
    if not jsonl:
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.msg != "Extra data":
                raise TableReadError(
                    f"{label} is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}. Fix the "
                    "file or export it again.",
                    file=label,
                    code="json_invalid",
                ) from exc
            jsonl = True
            layout = "jsonl"
    if jsonl:
        doc = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                doc.append(json.loads(line))
            except json.JSONDecodeError as exc:
                raise TableReadError(
                    f"{label} is not valid JSON Lines: line {number:,} is not a JSON value ({exc.msg}, column "
                    f'{exc.colno}). Each line must hold one record such as {{"a": 1, "b": "x"}}.',
                    file=label,
                    code="json_invalid",
                ) from exc
    del text
    records = _records(doc, label)
    if records is not None and not records:
        raise TableReadError(
            f"{label} is an empty JSON list: it holds no records. Export the table again with its rows.",
            file=label,
            code="no_rows",
        )
    if records is None:
        assert isinstance(doc, Mapping)
        frame = pd.DataFrame({str(k): v for k, v in doc.items()})
    elif any(isinstance(v, dict) for r in records[:1000] for v in r.values()):
        frame = pd.json_normalize(records)
    else:
        frame = pd.DataFrame.from_records(records)
    del records, doc
    names = [str(c) for c in frame.columns]
    columns = [_python_column(frame.iloc[:, i].tolist(), opts) for i in range(frame.shape[1])]
    n = len(frame)
    del frame
    if not columns:
        raise TableReadError(
            f"{label} holds records without any fields. Each record needs at least one named value.",
            file=label,
            code="no_columns",
        )
    table = pa.table(columns, names=[f"c{i}" for i in range(len(columns))]) if n else _empty_table(len(names))
    return table, names, layout


def _empty_table(width: int) -> pa.Table:
    return pa.table([pa.array([], pa.string()) for _ in range(width)], names=[f"c{i}" for i in range(width)])


def _describe_json(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    return "null"


def _records(doc: Any, label: str) -> list[dict[str, Any]] | None:
    """The records of a JSON document, or None for a column-oriented object (``{"a": [...], "b": [...]}``)."""
    if isinstance(doc, Mapping):
        lists = [v for v in doc.values() if isinstance(v, list)]
        if len(doc) == 1 and lists and all(isinstance(r, Mapping) for r in lists[0]):
            return _records(lists[0], label)
        if doc and len(lists) == len(doc) and len({len(v) for v in lists}) == 1:
            return None
        raise TableReadError(
            f"{label} is a JSON object, not a list of records. Use a list of objects such as "
            '[{"age": 39, "city": "Oslo"}, ...] (or JSON Lines: one object per line).',
            file=label,
            code="json_not_records",
        )
    if not isinstance(doc, list):
        raise TableReadError(
            f"{label} holds {_describe_json(doc)}, not a list of records. Use a list of objects such as "
            '[{"age": 39, "city": "Oslo"}, ...].',
            file=label,
            code="json_not_records",
        )
    for position, item in enumerate(doc):
        if not isinstance(item, dict):
            raise TableReadError(
                f"{label} is a JSON list, but item {position + 1:,} is {_describe_json(item)}, not a record. "
                'Every item must be an object such as {"age": 39, "city": "Oslo"}.',
                file=label,
                code="json_not_records",
            )
    return doc


# ------------------------------------------------------------------------------------------------- checks


def _too_many_rows(label: str, n_rows: int, max_rows: int) -> TooManyRowsError:
    return TooManyRowsError(
        f"{label} has {n_rows:,} rows, over the limit of {max_rows:,}. Work on a random sample of "
        f"{max_rows:,} rows (read it again with sample={max_rows}), or raise the row limit.",
        file=label,
        n_rows=n_rows,
        max_rows=max_rows,
    )


def _finish(table: pa.Table, names: list[str], opts: _Options, info: dict[str, Any]) -> pd.DataFrame:
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
    if opts.sample is not None and n_rows > opts.sample:
        picked = np.sort(np.random.default_rng(opts.seed).choice(n_rows, size=opts.sample, replace=False))
        table = table.take(pa.array(picked))
        info["sampled_from"] = n_rows
        info["seed"] = opts.seed
    if opts.max_rows is not None and table.num_rows > opts.max_rows:
        raise _too_many_rows(label, table.num_rows, opts.max_rows)
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
