"""Streaming a synthetic table to Parquet, CSV or a partitioned Parquet dataset with bounded memory.

Memory holds one canonical block (:data:`BLOCK_ROWS` rows as pandas) plus at most one row group as Arrow, so the
peak does not grow with the number of rows. Output is written under a temporary name beside the target and
renamed into place only when complete: a cancelled, failed or full-disk run leaves nothing half-written.

Byte-identity: the same model, :class:`SampleSpec`, ``chunk_rows`` and ``partition_rows`` give the same bytes,
whichever engine or number of workers writes them. Different ``chunk_rows`` change only row-group boundaries:
the rows read back are identical.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from synth.progress import ProgressCallback, ensure
from synth.sampling.blocks import BLOCK_ROWS, SampleSpec, iter_rows
from synth.synthesizers.base import Synthesizer, SynthesizerError

Format = Literal["parquet", "csv", "dataset"]

#: Rows per Parquet row group (and per Arrow buffer) unless told otherwise.
DEFAULT_CHUNK_ROWS = 4 * BLOCK_ROWS
#: Rows per file of a partitioned dataset unless told otherwise.
DEFAULT_PARTITION_ROWS = 64 * BLOCK_ROWS  # 4,194,304: about 24 files per 100M rows


class OutputError(SynthesizerError):
    """The output cannot be written (path, permissions, disk space); the message says what to do."""


@dataclass(frozen=True)
class WriteResult:
    """Where a streamed table went and what it cost.

    Attributes:
        path: the file or dataset directory written.
        format: ``parquet``, ``csv`` or ``dataset``.
        n_rows: rows written.
        n_files: files written (1 unless a dataset).
        n_bytes: bytes on disk.
        seconds: wall time.
        seed / block_rows / chunk_rows / partition_rows: what, with the model, reproduces the bytes.
        engine: ``local`` or ``dask``.
    """

    path: str
    format: Format
    n_rows: int
    n_files: int
    n_bytes: int
    seconds: float
    seed: int
    block_rows: int
    chunk_rows: int
    partition_rows: int | None
    engine: str = "local"

    @property
    def rows_per_second(self) -> float:
        return self.n_rows / max(self.seconds, 1e-9)

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rows_per_second": self.rows_per_second}


def output_format(path: str | Path) -> Format:
    """The format a path asks for: ``.parquet``/``.pq`` file, ``.csv`` file, else (or a trailing slash) a dataset."""
    text = str(path)
    if text.endswith(("/", os.sep)) or Path(text).is_dir():
        return "dataset"
    suffix = Path(text).suffix.lower()
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix == ".csv":
        return "csv"
    if suffix:
        raise OutputError(
            f"cannot tell how to write {text}: name it .parquet or .csv, or end it with / for a Parquet dataset"
        )
    return "dataset"


def arrow_schema(model: Synthesizer) -> pa.Schema:
    """The Arrow schema of every block: fixed once from a small probe so that no block's content changes it.

    Columns that the probe saw only as missing are typed as text (the type a later block would need).
    """
    probe = model.sample(256, seed=0)
    schema = pa.Schema.from_pandas(probe, preserve_index=False)
    for i, fld in enumerate(schema):
        if pa.types.is_null(fld.type):
            schema = schema.set(i, pa.field(fld.name, pa.string()))
    return schema


def _to_arrow(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pandas(df, schema=schema, preserve_index=False)


def _check_chunk(chunk_rows: int, what: str = "chunk") -> int:
    if isinstance(chunk_rows, bool) or not isinstance(chunk_rows, int) or chunk_rows < 1:
        raise OutputError(f"the {what} size must be a whole number of rows ≥ 1, got {chunk_rows!r}")
    return int(chunk_rows)


def _os_error(exc: OSError, target: Path) -> OutputError:
    """A one-line message for an operating-system error while writing ``target``."""
    text = str(exc)
    # Arrow's IO errors carry the errno only in their text ("... Detail: [errno 28] No space left on device").
    found = re.search(r"\[errno (\d+)\]", text)
    code = exc.errno if exc.errno is not None else (int(found.group(1)) if found else None)
    if code == errno.ENOSPC or "No space left" in text:
        return OutputError(f"the disk is full while writing {target}: free some space or write elsewhere")
    if code in (errno.EACCES, errno.EPERM, errno.EROFS):
        return OutputError(f"cannot write {target}: permission denied; choose a folder you can write to")
    if code == errno.ENOTDIR:
        return OutputError(f"cannot write {target}: part of the path is a file, not a folder")
    if code == errno.ENOENT and not target.parent.exists():
        return OutputError(f"cannot write {target}: the folder {target.parent} does not exist")
    reason = os.strerror(code) if code is not None else text
    return OutputError(f"cannot write {target}: {reason}")


def _remove(path: Path) -> None:
    """Remove a partial output, whatever state the failure left it in."""
    with contextlib.suppress(OSError):
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _partial_name(target: Path) -> Path:
    return target.with_name(f".{target.name}.partial-{uuid.uuid4().hex[:8]}")


def write_parquet_part(
    model: Synthesizer,
    spec: SampleSpec,
    path: str | Path,
    *,
    start: int = 0,
    stop: int | None = None,
    schema: pa.Schema | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    progress: ProgressCallback | None = None,
) -> int:
    """Write rows ``[start, stop)`` of the table to one Parquet file in row groups of ``chunk_rows``.

    This is the unit of work of both engines (one partition of a dataset, or the whole single file). It
    writes ``path`` directly: callers write to a temporary name and rename.

    Returns:
        The number of rows written.
    """
    chunk_rows = _check_chunk(chunk_rows)
    schema = arrow_schema(model) if schema is None else schema
    stop = int(spec.n_rows) if stop is None else min(int(stop), int(spec.n_rows))
    report = ensure(progress)
    written = 0
    pending: list[pa.Table] = []
    buffered = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        for df in iter_rows(model, spec, start, stop):
            pending.append(_to_arrow(df, schema))
            buffered += len(df)
            while buffered >= chunk_rows:
                table = pa.concat_tables(pending)
                writer.write_table(table.slice(0, chunk_rows), row_group_size=chunk_rows)
                rest = table.slice(chunk_rows)
                pending, buffered = ([rest] if rest.num_rows else []), rest.num_rows
                written += chunk_rows
            report((written + buffered) / max(stop - start, 1), f"{written + buffered:,} of {stop - start:,} rows")
        if buffered:
            writer.write_table(pa.concat_tables(pending), row_group_size=chunk_rows)
            written += buffered
    return written


def _write_csv(model: Synthesizer, spec: SampleSpec, path: Path, schema: pa.Schema, report: ProgressCallback) -> None:
    done = 0
    with pa_csv.CSVWriter(str(path), schema) as writer:
        for df in iter_rows(model, spec):
            writer.write_table(_to_arrow(df, schema))
            done += len(df)
            report(done / spec.n_rows, f"{done:,} of {spec.n_rows:,} rows")


def part_name(index: int) -> str:
    """The file name of partition ``index`` of a dataset."""
    return f"part-{index:05d}.parquet"


def partitions(n_rows: int, partition_rows: int) -> list[tuple[int, int]]:
    """``(start, stop)`` row ranges of the files of a dataset."""
    return [(s, min(s + partition_rows, n_rows)) for s in range(0, n_rows, partition_rows)]


def prepare_dataset_dir(target: Path, overwrite: bool) -> Path:
    """Check the dataset directory can be (re)placed and make its temporary sibling; returns the sibling."""
    if target.exists():
        if not target.is_dir():
            raise OutputError(f"{target} exists and is a file: give a new folder name ending in / for a dataset")
        foreign = [p.name for p in target.iterdir() if not (p.name.startswith("part-") and p.suffix == ".parquet")]
        if foreign:
            raise OutputError(
                f"{target} already holds other files ({', '.join(sorted(foreign)[:3])}): choose an empty folder"
            )
        if any(target.iterdir()) and not overwrite:
            raise OutputError(f"{target} already holds a dataset: pass overwrite (--overwrite) to replace it")
    if not target.parent.exists():
        raise OutputError(f"cannot write {target}: the folder {target.parent} does not exist")
    partial = _partial_name(target)
    try:
        partial.mkdir()
    except OSError as exc:
        raise _os_error(exc, target) from exc
    return partial


def finish_dataset_dir(partial: Path, target: Path) -> None:
    """Move a completed dataset into place (replacing an earlier one that held only part files)."""
    if target.exists():
        shutil.rmtree(target)
    os.replace(partial, target)


def check_csv_space(model: Synthesizer, spec: SampleSpec, target: Path) -> None:
    """Refuse a CSV that would not fit on its disk, before writing: its size is the rows times the bytes per row
    of 1,024 drawn rows written as CSV (CSV is not compressed, so that estimate holds to a few percent; a margin of
    20% keeps a table that might just fit from being refused). Parquet's compression cannot be told in advance:
    a full disk there is reported when it happens, and the partial file removed."""
    probe = model.sample(1024, seed=0, conditions=spec.conditions, rebalance=spec.rebalance)
    sink = pa.BufferOutputStream()
    pa_csv.write_csv(pa.Table.from_pandas(probe, preserve_index=False), sink)
    needed = sink.getvalue().size / max(len(probe), 1) * spec.n_rows
    try:
        free = shutil.disk_usage(target.parent if str(target.parent) else ".").free
    except OSError:
        return  # the folder is checked (and reported) when the file is opened
    if 0.8 * needed > free:
        raise OutputError(
            f"{spec.n_rows:,} rows as CSV need about {_size(needed)}, but the disk holding {target} has "
            f"{_size(free)} free: write fewer rows, write Parquet (compressed, often 5-10 times smaller), or free space"
        )


def _size(n_bytes: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:,.1f} {unit}"
    return f"{n_bytes / 1e3:,.1f} kB"


def _dir_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.iterdir()) if path.is_dir() else path.stat().st_size


def write_table(
    model: Synthesizer,
    path: str | Path,
    n_rows: int,
    *,
    seed: int = 0,
    conditions: dict[str, Any] | None = None,
    rebalance: dict[str, dict[Any, float]] | None = None,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    partition_rows: int = DEFAULT_PARTITION_ROWS,
    overwrite: bool = False,
    progress: ProgressCallback | None = None,
    block_rows: int = BLOCK_ROWS,
    engine: str = "local",
    scheduler: str | None = None,
    workers: int | None = None,
) -> WriteResult:
    """Stream ``n_rows`` synthetic rows to ``path`` (``.parquet``, ``.csv`` or a directory for a dataset).

    Args:
        model: a fitted synthesizer.
        path: the output; its form picks the format (see :func:`output_format`).
        n_rows: rows to write; memory does not grow with it.
        seed: the run seed; row ``i`` depends only on the model, ``seed``, ``n_rows``, conditions and
            rebalancing (not on ``chunk_rows`` nor, for a dataset, on the engine).
        conditions / rebalance: as :meth:`Synthesizer.sample`, applied in every block of
            :data:`BLOCK_ROWS` rows. An impossible condition fails before anything is written.
        chunk_rows: rows per Parquet row group.
        partition_rows: rows per file of a dataset.
        overwrite: replace an existing dataset directory (files are always replaced).
        progress: called with (fraction, message); may raise :class:`synth.Cancelled` to stop (nothing is
            left behind).
        block_rows: rows per canonical block (part of the output's definition; keep the default).
        engine: ``local`` (this process) or ``dask`` (one task per dataset file on a dask.distributed cluster;
            the files' bytes equal the local engine's).
        scheduler: the Dask scheduler's address (``tcp://host:8786``); a LocalCluster when omitted.
        workers: worker processes of that LocalCluster (default: one per core).

    Raises:
        OutputError: the path cannot be written, the disk is full (a CSV that cannot fit is refused before
            writing: :func:`check_csv_space`), or a dataset folder is in the way.
        SynthesizerError: bad rows, seed, conditions or rebalancing.
    """
    started = time.perf_counter()
    spec = SampleSpec(n_rows, seed, conditions or None, rebalance or None, block_rows)
    chunk_rows = _check_chunk(chunk_rows)
    partition_rows = _check_chunk(partition_rows, "partition")
    target = Path(path)
    fmt = output_format(path)
    report = ensure(progress)
    report(0.0, "checking the model and the conditions")
    # Validates conditions and rebalancing at once (an impossible condition fails before any file exists).
    model.sample(1, seed=0, conditions=spec.conditions, rebalance=spec.rebalance)
    schema = arrow_schema(model)
    if engine not in ("local", "dask"):
        raise OutputError(f"the engine must be local or dask, got {engine!r}")
    if engine == "dask" and fmt != "dataset":
        raise OutputError("the dask engine writes a partitioned dataset: end the output path with /")
    if fmt == "dataset":
        partial = prepare_dataset_dir(target, overwrite)
        ranges = partitions(spec.n_rows, partition_rows)
        try:
            if engine == "dask":
                from synth.distributed import write_partitions

                write_partitions(
                    model,
                    spec,
                    partial,
                    ranges,
                    schema,
                    chunk_rows,
                    scheduler=scheduler,
                    workers=workers,
                    progress=report,
                )
            else:
                for i, (start, stop) in enumerate(ranges):
                    write_parquet_part(
                        model,
                        spec,
                        partial / part_name(i),
                        start=start,
                        stop=stop,
                        schema=schema,
                        chunk_rows=chunk_rows,
                        progress=_part_progress(report, start, stop, spec.n_rows),
                    )
            finish_dataset_dir(partial, target)
        except OSError as exc:
            _remove(partial)
            raise _os_error(exc, target) from exc
        except BaseException:
            _remove(partial)
            raise
        n_files = len(ranges)
    else:
        if target.is_dir():
            raise OutputError(f"{target} is a folder: end the path with / to write a dataset into it")
        if fmt == "csv":
            check_csv_space(model, spec, target)
        partial = _partial_name(target)
        try:
            if fmt == "parquet":
                write_parquet_part(model, spec, partial, schema=schema, chunk_rows=chunk_rows, progress=report)
            else:
                _write_csv(model, spec, partial, schema, report)
            os.replace(partial, target)
        except OSError as exc:
            _remove(partial)
            raise _os_error(exc, target) from exc
        except BaseException:
            _remove(partial)
            raise
        n_files = 1
    report(1.0, f"wrote {spec.n_rows:,} rows to {target}")
    return WriteResult(
        path=str(target),
        format=fmt,
        n_rows=int(spec.n_rows),
        n_files=n_files,
        n_bytes=_dir_bytes(target),
        seconds=time.perf_counter() - started,
        seed=int(seed),
        block_rows=spec.block_rows,
        chunk_rows=chunk_rows,
        partition_rows=partition_rows if fmt == "dataset" else None,
        engine=engine,
    )


def _part_progress(report: ProgressCallback, start: int, stop: int, total: int) -> ProgressCallback:
    def part(fraction: float, message: str, /) -> None:
        done = start + fraction * (stop - start)
        report(done / total, f"{int(done):,} of {total:,} rows")

    return part
