"""Constants and options shared by the readers."""

from __future__ import annotations

from dataclasses import dataclass

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


@dataclass(frozen=True)
class ReadOptions:
    """What the caller asked for: the format options and the limits (``None``: no limit)."""

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
    max_columns: int | None = None
    max_cells: int | None = None
    max_uncompressed_bytes: int | None = None
    max_bytes: int | None = None
