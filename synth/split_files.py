"""A table file split into a train file and a holdout file (``synth split``): in memory as the dashboard splits it,
or streamed when the table is too large to hold.

In memory
    A table of at most :data:`IN_MEMORY_BYTES` (the size :func:`synth.read_table` reads whole, 200 MB) and
    :data:`IN_MEMORY_CELLS` cells is read whole, as the dashboard's Data page reads an upload, and split by
    :func:`synth.split.split`: the same rows go to each side as on the dashboard for the same table, share, seed
    and person column, and the person column left out is the one the Data page suggests
    (:func:`synth.schema.entities.entity_column`).

Streamed
    A larger CSV / TSV or Parquet file (or a Parquet dataset folder) is read batch by batch and never whole, so no
    row is dropped, as a seeded sample of it would drop them: a row whose person column holds a value goes to the
    holdout when a seeded hash of that value falls below the share (every row of a person on one side), any other
    row when a seeded random draw does (in file order). The holdout then holds about, not exactly, the share, and
    the rows differ from the in-memory split's. Each part is written in the format it was read (CSV text as it
    stood, with its delimiter; Parquet with its own column types). A person column left out is found in a seeded
    sample of :data:`FIND_SAMPLE_ROWS` rows, where people repeat less than in the whole file.

Writing
    ``.csv`` through Arrow, as ``synth sample`` writes it (missing values as empty cells, whole numbers without
    ``.0``); date-times as ISO text (a date alone when every time is midnight), so the project's reader reads the
    text it read. ``.parquet`` keeps every column's type. Read back by :func:`synth.read_table`, a part has the
    dtypes of the dashboard's part: codes such as ``007`` stay text, whole numbers with gaps stay numbers. One
    exception is the reader's own rule, in CSV and Parquet alike: it types each file's text column by the values
    that file holds, so a part whose values of a ``room`` column all look like numbers (``12``, ``15``, where the
    whole table also held ``B2``) reads them as numbers (the Parquet file still holds them as text).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.dataset as pa_ds
import pyarrow.parquet as pq

from synth.io import DEFAULT_MAX_BYTES, DEFAULT_MAX_CELLS, DEFAULT_MISSING_VALUES, TableReadError, read_table
from synth.large_tables import CSV_BLOCK_BYTES, _csv_reader, csv_layout, read_sample, stream_format
from synth.schema.entities import Entity, entity_column
from synth.split import SplitError

#: Largest file split in memory (beyond it a file is streamed): the size :func:`synth.read_table` reads whole.
IN_MEMORY_BYTES = DEFAULT_MAX_BYTES
#: Most cells split in memory: a table over it is streamed when its format can be.
IN_MEMORY_CELLS = DEFAULT_MAX_CELLS
#: Rows of the seeded sample a streamed split looks for the person column in (``synth fit``'s ``--max-rows``).
FIND_SAMPLE_ROWS = 1_000_000

PartFormat = Literal["csv", "parquet"]


@dataclass(frozen=True)
class Person:
    """Whose row each row is, for a split: the column (None: each row its own person) and how it was chosen.

    Attributes:
        column: the column whose values go whole to one side, or None.
        found: the candidate found in the table when no column was named (None when one was named or none found).
        sample_rows: rows of the sample it was looked for in, for a streamed split (0: the whole table).
    """

    column: str | None
    found: Entity | None = None
    sample_rows: int = 0


def part_format(path: str | Path) -> PartFormat | None:
    """The format a part's path asks for (``.csv``; ``.parquet`` or ``.pq``), None for any other."""
    suffix = Path(path).suffix.lower()
    return "csv" if suffix == ".csv" else "parquet" if suffix in (".parquet", ".pq") else None


def too_large(path: Path) -> bool:
    """Whether ``path`` is over :data:`IN_MEMORY_BYTES` (a dataset folder always is: it is never read whole)."""
    return path.is_dir() or path.stat().st_size > IN_MEMORY_BYTES


def read_whole(path: Path, sheet: str | int | None = None) -> pd.DataFrame:
    """The whole table at ``path``, read as the dashboard reads an upload (every row: no row limit).

    Raises:
        TableReadError: the file is not a table; :class:`LimitExceededError` (one) when it is over the bytes or
            cells split in memory, which a streamed split need not hold
            (:func:`synth.large_tables.held_whole`).
    """
    return read_table(path, max_bytes=IN_MEMORY_BYTES, max_rows=None, max_cells=IN_MEMORY_CELLS, sheet=sheet)


def person_in(df: pd.DataFrame, by: str | None) -> Person:
    """The person column of an in-memory split: ``by``, or the one the Data page suggests for ``df``."""
    if by is not None:
        return Person(by)
    from synth.schema import infer_schema

    found = entity_column(df, infer_schema(df))
    return Person(None if found is None else found.column, found)


def person_in_sample(path: Path, seed: int) -> Person:
    """The person column of a streamed split, looked for in a seeded sample of :data:`FIND_SAMPLE_ROWS` rows (fewer
    when that many would be over the cells a sample holds, :data:`synth.large_tables.MAX_CELLS`)."""
    from synth import large_tables
    from synth.schema import infer_schema

    fmt = stream_format(path)
    # A sample is held whole: of a wide table, fewer rows than FIND_SAMPLE_ROWS (a CSV's header counts as a row).
    width = len(columns_of(path, fmt)) if fmt is not None else 1
    rows = max(min(FIND_SAMPLE_ROWS, large_tables.MAX_CELLS // max(width, 1) - 1), 1)
    # Sampled by streaming whatever the file's size (the same rows as read_table(sample=) picks).
    sample, _ = read_sample(path, rows, seed=seed, max_bytes=0)
    found = entity_column(sample, infer_schema(sample))
    return Person(None if found is None else found.column, found, len(sample))


def columns_of(path: Path, fmt: PartFormat) -> list[str]:
    """The column names of a streamed file, read from its header or its footers only."""
    if fmt == "parquet":
        return list(pa_ds.dataset(str(path), format="parquet").schema.names)
    return csv_layout(path)[0]


# Writing ------------------------------------------------------------------------------------------------------


def _iso_text(column: pd.Series) -> pd.Series:
    """A date-time column as ISO text: the date alone when every time is midnight, seconds unless finer ones are
    held, the UTC offset of an aware column (``+0100``), missing values kept missing."""
    values = column.dt
    present = column.dropna()
    aware = values.tz is not None
    clock = present.dt.tz_localize(None) if aware else present
    if not aware and bool((clock == clock.dt.normalize()).all()):
        layout = "%Y-%m-%d"
    else:
        fine = bool((clock.dt.microsecond != 0).any() or (clock.dt.nanosecond != 0).any())
        layout = "%Y-%m-%d %H:%M:%S" + (".%f" if fine else "") + ("%z" if aware else "")
    text = values.strftime(layout)
    return text.where(column.notna(), None).astype(object)


def _arrow(df: pd.DataFrame, *, for_csv: bool) -> pa.Table:
    """``df`` as an Arrow table; an object column Arrow cannot type (numbers and words mixed in one Excel
    column) is written as text."""
    out = df.copy(deep=False)
    out.attrs = {}  # how the input was read is no part of the parts
    for name in out.columns:
        column = out[name]
        if for_csv and pd.api.types.is_datetime64_any_dtype(column.dtype):
            out[name] = _iso_text(column)
        elif for_csv and pd.api.types.is_timedelta64_dtype(column.dtype):  # Arrow would write nanoseconds
            out[name] = column.astype(object).astype(str).mask(column.isna().to_numpy())
    try:
        return pa.Table.from_pandas(out, preserve_index=False)
    except (pa.ArrowTypeError, pa.ArrowInvalid):
        for name in out.columns:
            if out[name].dtype == object:
                out[name] = out[name].map(_text_or_missing)
        return pa.Table.from_pandas(out, preserve_index=False)


def _text_or_missing(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return None if value is pd.NA or (isinstance(value, float) and np.isnan(value)) else str(value)


def write_part(df: pd.DataFrame, path: Path, fmt: PartFormat) -> None:
    """Write one part of an in-memory split to ``path`` in ``fmt`` (see the module docstring)."""
    if fmt == "csv":
        pa_csv.write_csv(_arrow(df, for_csv=True), str(path))
    else:
        pq.write_table(_arrow(df, for_csv=False), str(path))


# Streaming ----------------------------------------------------------------------------------------------------


def _hash_key(seed: int) -> str:
    """The 16-character key of pandas' SipHash for ``seed``: the same in every process (no hash seed)."""
    return hashlib.blake2b(f"synth split {seed}".encode(), digest_size=8).hexdigest()


def held_values(values: np.ndarray, share: float, seed: int) -> np.ndarray:
    """Which of ``values`` (text) fall in the holdout: a seeded hash of each value below ``share``. A value is on
    the same side wherever it occurs, in any batch and any process."""
    hashed = pd.util.hash_array(values.astype(object), hash_key=_hash_key(seed), categorize=True)
    return (hashed >> np.uint64(11)).astype(np.float64) / 2.0**53 < share


_MISSING = pa.array(DEFAULT_MISSING_VALUES, pa.string())


def _person_text(column: pa.Array, csv: bool) -> tuple[np.ndarray, np.ndarray]:
    """A batch's person values as text, and where none is named: a null, or in CSV text a missing marker (after
    trimming, as the reader reads it)."""
    if not pa.types.is_string(column.type):
        column = pc.cast(column, pa.string())
    missing = pc.is_null(column)
    if csv:
        missing = pc.or_(missing, pc.is_in(pc.utf8_trim_whitespace(column), value_set=_MISSING))
    return column.to_numpy(zero_copy_only=False), missing.to_numpy(zero_copy_only=False)


def _batches(path: Path, fmt: PartFormat) -> tuple[Iterator[pa.RecordBatch], pa.Schema, str]:
    if fmt == "parquet":
        dataset = pa_ds.dataset(str(path), format="parquet")
        return iter(dataset.to_batches()), dataset.schema, ","
    reader, _, delimiter = _csv_reader(path, CSV_BLOCK_BYTES)
    return iter(reader), reader.schema, delimiter


def stream_split(
    path: Path, fmt: PartFormat, train: Path, holdout: Path, share: float, seed: int, by: str | None
) -> tuple[int, int]:
    """Split the file at ``path`` batch by batch into ``train`` and ``holdout`` (see the module docstring); returns
    their row counts.

    Raises:
        TableReadError: the file cannot be read as a table.
        SplitError: every row went to one side (a person column naming one person, or too few rows).
    """
    rng = np.random.default_rng(seed)  # the rows without a person, in file order
    counts = [0, 0]
    try:
        batches, schema, delimiter = _batches(path, fmt)
        writers: list[pa_csv.CSVWriter | pq.ParquetWriter]
        if fmt == "csv":
            options = pa_csv.WriteOptions(delimiter=delimiter, quoting_style="needed")
            writers = [pa_csv.CSVWriter(str(p), schema, write_options=options) for p in (train, holdout)]
        else:
            writers = [pq.ParquetWriter(str(p), schema) for p in (train, holdout)]
        try:
            for batch in batches:
                held = rng.random(batch.num_rows) < share
                if by is not None:
                    text, missing = _person_text(batch.column(by), fmt == "csv")
                    named = ~missing
                    held[named] = held_values(text[named], share, seed)
                for at, (rows, writer) in enumerate(zip((~held, held), writers, strict=True)):
                    part = batch.filter(pa.array(rows))
                    counts[at] += part.num_rows
                    writer.write_table(pa.Table.from_batches([part], schema=schema))
        finally:
            for writer in writers:
                writer.close()
    except (pa.ArrowException, StopIteration) as exc:
        raise TableReadError(f"{path.name} could not be read as a table: {exc}", file=path.name) from exc
    if min(counts) == 0:
        side = "train" if counts[0] == 0 else "holdout"
        reason = (
            f"every row's {by!r} fell on one side: it names too few people. Split by a column that tells people apart"
            if by is not None
            else f"the table's {sum(counts):,} rows are too few at a holdout share of {share:.0%}"
        )
        raise SplitError(f"the {side} would be empty: {reason}, or choose another holdout share.")
    return counts[0], counts[1]
