"""Tables larger than memory, read as a seeded sample of a stated size (for fitting and for evaluation).

Files up to ``max_bytes`` go through :func:`synth.read_table` with ``sample=`` (the same typing, limits and
messages as the dashboard). Larger Parquet files or datasets are sampled with Arrow without reading them whole
(row counts come from the footers; only the chosen rows are materialised); larger CSV / TSV files are streamed
twice (count, then collect the chosen rows as text). The chosen rows are then typed by :func:`synth.read_table`
like any small file, so a sample types its columns exactly as a file holding only those rows would.

A file within ``max_bytes`` whose whole table is over the cells read at once (``max_cells`` of
:func:`synth.read_table`, 50 million) or over the memory it has is streamed too, when its format can be (CSV / TSV /
TXT, gzipped or not, and Parquet): only the sample is held, as for a larger file. Other formats (Excel, JSON) are
read whole or not at all.

Which rows are chosen depends only on the number of rows and the seed: ``sorted(choice(N, k, replace=False))``
from ``numpy.random.default_rng(seed)``, the rule ``read_table(sample=k, seed=seed)`` uses; a streamed CSV is
parsed in blocks of :data:`CSV_BLOCK_BYTES`, which bound the memory read ahead and do not change the rows.
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.dataset as pa_ds
import pyarrow.parquet as pq

from synth.io import DEFAULT_MAX_BYTES, DEFAULT_MAX_CELLS, TableReadError, read_table
from synth.io.limits import LimitExceededError
from synth.io.options import _GZIP_MAGIC

#: Bytes of CSV text parsed at a time when streaming. Arrow's reader reads about 40 blocks ahead of a slower consumer
#: (measured: 43 MB held at 1 MB blocks, 172 MB at 4 MB), so the block size bounds the memory a streamed read holds.
CSV_BLOCK_BYTES = 4 << 20
#: Most cells (rows × columns) of a table read whole, and of a sample: a larger table is streamed when its format
#: can be, and a larger sample is refused (it would be held whole).
MAX_CELLS = DEFAULT_MAX_CELLS
#: Limits of a whole-table read that streaming avoids (only the sample is held).
_STREAMED_LIMITS = ("max_bytes", "max_cells", "memory")

StreamFormat = Literal["csv", "parquet"]


@dataclass(frozen=True)
class InputSample:
    """How a table was read: recorded in fitted models (``training_input_``) and evaluation reports.

    Attributes:
        source: the file or folder name (not its full path).
        source_rows: rows in the input (``None`` if not counted because the whole file was read).
        rows_used: rows kept.
        sampled: whether a sample was taken.
        seed: the sample's seed.
        streamed: whether the input was too large to read whole and was sampled by streaming.
    """

    source: str
    source_rows: int
    rows_used: int
    sampled: bool
    seed: int
    streamed: bool

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _choose(n_rows: int, k: int, seed: int) -> np.ndarray:
    return np.sort(np.random.default_rng(seed).choice(n_rows, size=k, replace=False))


def _is_parquet(path: Path) -> bool:
    if path.is_dir():
        return True
    with path.open("rb") as fh:
        return fh.read(4) == b"PAR1"


def gzipped(path: Path) -> bool:
    """Whether ``path`` is a gzip file (by its first bytes, as :func:`synth.read_table` tells one)."""
    if not path.is_file():
        return False
    with path.open("rb") as fh:
        return fh.read(2) == _GZIP_MAGIC


def inner_name(path: Path) -> str:
    """The file name without a gzip file's ``.gz``: the format it holds (``sales.csv.gz`` holds a CSV)."""
    name = path.name
    return name[:-3] if gzipped(path) and name.lower().endswith(".gz") else name


def stream_format(path: Path) -> StreamFormat | None:
    """The format a table too large to hold is streamed in: Parquet (a file or a dataset folder) or CSV / TSV / TXT,
    gzipped or not (``.csv.gz``: decompressed as it is read); None for any other (Excel, JSON), which is only read
    whole."""
    if _is_parquet(path):
        return "parquet"
    return "csv" if Path(inner_name(path)).suffix.lower() in (".csv", ".tsv", ".txt") else None


def held_whole(error: TableReadError) -> bool:
    """Whether a read failed only because the table is too large to hold, which streaming avoids."""
    return isinstance(error, LimitExceededError) and error.limit in _STREAMED_LIMITS


def _parquet_sample(path: Path, k: int, seed: int) -> tuple[bytes, int]:
    dataset = pa_ds.dataset(str(path), format="parquet")
    n_rows = dataset.count_rows()
    if n_rows == 0:
        raise TableReadError(f"{path.name} has no rows", file=path.name, code="no_rows")
    keep = _choose(n_rows, min(k, n_rows), seed) if n_rows > k else None
    table = dataset.to_table() if keep is None else dataset.take(pa.array(keep))
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue(), n_rows


def csv_layout(path: Path) -> tuple[list[str], str]:
    """A CSV file's column names and delimiter, read from its first 64 KB (opening Arrow's reader would start
    reading the file ahead)."""
    with path.open("rb") as raw, gzip.open(raw) if gzipped(path) else raw as binary:
        head = io.TextIOWrapper(binary, encoding="utf-8", errors="replace", newline="").read(65536)
    try:
        tsv = Path(inner_name(path)).suffix.lower() == ".tsv"
        delimiter = "\t" if tsv else csv.Sniffer().sniff(head, ",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    return next(csv.reader(io.StringIO(head), delimiter=delimiter)), delimiter


def _csv_reader(path: Path, block_size: int = CSV_BLOCK_BYTES) -> tuple[pa_csv.CSVStreamingReader, list[str], str]:
    names, delimiter = csv_layout(path)
    reader = pa_csv.open_csv(
        # a gzipped CSV is decompressed as it is read: never held whole, compressed or not
        pa.input_stream(str(path), compression="gzip") if gzipped(path) else str(path),
        read_options=pa_csv.ReadOptions(block_size=block_size),
        parse_options=pa_csv.ParseOptions(delimiter=delimiter, newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types={n: pa.string() for n in names}, strings_can_be_null=False, quoted_strings_can_be_null=False
        ),
    )
    return reader, names, delimiter


def _csv_sample(path: Path, k: int, seed: int) -> tuple[bytes, int]:
    # Rows are chosen by their number in the file, whatever the batches: the block size changes only the memory.
    reader, _, delimiter = _csv_reader(path, CSV_BLOCK_BYTES)
    n_rows = sum(batch.num_rows for batch in reader)
    keep = _choose(n_rows, k, seed) if n_rows > k else np.arange(n_rows)
    reader, _, _ = _csv_reader(path, CSV_BLOCK_BYTES)
    parts, offset = [], 0
    for batch in reader:
        lo, hi = np.searchsorted(keep, [offset, offset + batch.num_rows])
        if hi > lo:
            parts.append(pa.Table.from_batches([batch]).take(pa.array(keep[lo:hi] - offset)))
        offset += batch.num_rows
    sink = io.BytesIO()
    pa_csv.write_csv(
        pa.concat_tables(parts), sink, write_options=pa_csv.WriteOptions(delimiter=delimiter, quoting_style="needed")
    )
    return sink.getvalue(), n_rows


def read_sample(
    path: str | Path,
    max_rows: int,
    *,
    seed: int = 0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    sheet: str | int | None = None,
) -> tuple[pd.DataFrame, InputSample]:
    """A seeded sample of at most ``max_rows`` rows of the table at ``path``, and how it was taken.

    ``sheet`` picks an Excel workbook's sheet (a name or a position from 0; default the first), as in
    :func:`synth.read_table`.

    Raises:
        TableReadError: the file is missing, empty or not a table (the message says why).
        LimitExceededError: a file too large to read whole in a format only read whole (``limit`` names the one
            exceeded), or a sample over the cells read at once (``limit="max_rows"``, ``maximum`` the most rows
            that fit).
    """
    path = Path(path)
    if not path.exists():
        raise TableReadError(f"{path} does not exist: check the path", file=str(path), code="missing")
    if max_rows < 1:
        raise ValueError(f"the sample must hold at least 1 row, got {max_rows}")
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size
    fmt = stream_format(path)
    if size <= max_bytes and not path.is_dir():
        try:
            df = read_table(
                path, max_bytes=max_bytes, max_rows=None, sample=max_rows, seed=seed, sheet=sheet, max_cells=MAX_CELLS
            )
        except TableReadError as exc:
            if fmt is None or not held_whole(exc):
                raise
        else:
            info = df.attrs.get("read_info", {})
            source_rows = int(info.get("sampled_from", len(df)))
            return df, InputSample(path.name, source_rows, len(df), source_rows > len(df), seed, False)
    elif fmt is None:
        raise LimitExceededError(
            f"{path.name} is {size / 1e6:,.0f} MB, over the {max_bytes / 1e6:,.0f} MB read whole, and only a CSV / TSV "
            "or Parquet table is sampled without reading it whole: save it as CSV or Parquet",
            file=path.name,
            limit="max_bytes",
            value=size,
            maximum=max_bytes,
        )
    try:
        data, n_rows = _parquet_sample(path, max_rows, seed) if fmt == "parquet" else _csv_sample(path, max_rows, seed)
    except (pa.ArrowException, OSError, csv.Error, StopIteration) as exc:
        raise TableReadError(f"{path.name} could not be read as a table: {exc}", file=path.name) from exc
    name = f"{path.stem}.parquet" if fmt == "parquet" else inner_name(path)  # the sample is plain text
    try:
        df = read_table(data, name=name, max_bytes=None, max_rows=None, max_cells=MAX_CELLS)
    except LimitExceededError as exc:
        if exc.limit != "max_cells":
            raise
        rows = min(max_rows, n_rows)
        fits = max(rows * MAX_CELLS // max(exc.value, 1) - 1, 1)  # a row fewer: a CSV's header counts as one
        raise LimitExceededError(
            f"a sample of {rows:,} rows of {path.name} holds {exc.value:,} cells, over the {MAX_CELLS:,} "
            f"read at once: sample at most {fits:,} rows",
            file=path.name,
            limit="max_rows",
            value=rows,
            maximum=fits,
        ) from exc
    return df, InputSample(path.name, n_rows, len(df), n_rows > len(df), seed, True)
