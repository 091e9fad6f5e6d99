"""Reading tables from paths, bytes or file-like objects, with errors a user can act on."""

from __future__ import annotations

import io
from pathlib import Path
from typing import IO, Any

import pandas as pd

DEFAULT_MAX_BYTES = 200 * 1024 * 1024

PARQUET_MAGIC = b"PAR1"


class TableReadError(ValueError):
    """A table could not be read. The message names the file, says what was wrong and what to do."""


def _load_bytes(source: str | Path | bytes | IO[bytes]) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), "the uploaded file"
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.exists():
            raise TableReadError(f"{path}: no such file. Check the path and try again.")
        return path.read_bytes(), path.name
    data = source.read()
    name = getattr(source, "name", "the uploaded file")
    return (data.encode() if isinstance(data, str) else bytes(data)), str(name)


def _human(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def read_table(
    source: str | Path | bytes | IO[bytes],
    *,
    name: str | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    **options: Any,
) -> pd.DataFrame:
    """Read a CSV, TSV or Parquet table.

    Args:
        source: a path, the file's bytes, or a binary file-like object.
        name: the file name shown in messages and used to pick the format (defaults to the path's name).
        max_bytes: refuse larger inputs with a :class:`TableReadError`; ``None`` for no limit.
        **options: passed on to the pandas reader.

    Returns:
        The table, with at least one row and one column that is not entirely missing.

    Raises:
        TableReadError: the input is empty, too large, not a table, has no rows, or has only missing values.
    """
    data, default_name = _load_bytes(source)
    label = name or default_name
    if max_bytes is not None and len(data) > max_bytes:
        raise TableReadError(
            f"{label} is {_human(len(data))}, over the upload limit of {_human(max_bytes)}. "
            "Upload a smaller file, or take a random sample of its rows first."
        )
    if not data.strip():
        raise TableReadError(f"{label} is empty. Choose a file that holds a table with a header row.")
    suffix = Path(label).suffix.lower()
    if suffix == ".parquet" or data[:4] == PARQUET_MAGIC:
        df = _read_parquet(data, label, **options)
    else:
        df = _read_delimited(data, label, suffix, **options)
    return _check_table(df, label)


def _read_parquet(data: bytes, label: str, **options: Any) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data), **options)
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files
        raise TableReadError(
            f"{label} could not be read as Parquet ({type(exc).__name__}: {exc}). "
            "The file may be truncated or not Parquet at all: export it again."
        ) from exc


def _read_delimited(data: bytes, label: str, suffix: str, **options: Any) -> pd.DataFrame:
    if b"\x00" in data[:4096]:
        raise TableReadError(
            f"{label} is not a text table (it holds binary data). Upload a CSV, TSV or Parquet file."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    sep = options.pop("sep", "\t" if suffix in {".tsv", ".tab"} else None)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep, engine="python", **options)
    except pd.errors.EmptyDataError as exc:
        raise TableReadError(f"{label} holds no columns. Choose a file with a header row.") from exc
    except (pd.errors.ParserError, ValueError, csv_error()) as exc:
        raise TableReadError(
            f"{label} is not a readable table ({exc}). Check that it is a CSV with one header row "
            "and the same number of fields on every line."
        ) from exc


def csv_error() -> type[Exception]:
    import csv

    return csv.Error


def _check_table(df: pd.DataFrame, label: str) -> pd.DataFrame:
    if df.shape[1] == 0:
        raise TableReadError(f"{label} holds no columns. Choose a file with a header row.")
    if len(df) == 0:
        raise TableReadError(
            f"{label} has a header ({', '.join(map(str, df.columns[:5]))}{'…' if df.shape[1] > 5 else ''}) "
            "but no rows. Upload a file with data rows under the header."
        )
    if df.isna().all().all():
        raise TableReadError(
            f"{label} has {len(df):,} rows but every value is missing. Check the file's delimiter and content."
        )
    return df
