"""The Dask engine: the partitions of a streamed dataset written as independent tasks on a dask.distributed cluster.

Each task gets the model as its saved file's bytes (the same pickle-free format as ``model.save``), the
:class:`~synth.sampling.blocks.SampleSpec` and one row range, and writes one ``part-NNNNN.parquet`` with the
same function the local engine uses. Rows come from canonical blocks seeded from (run seed, block index), so the
files are byte-for-byte those of the local engine for the same seed and partitioning, whatever the number of
workers or the order tasks run in.

Install with ``pip install "synth-explorer[dask]"``. Without ``scheduler`` a LocalCluster of worker processes is
started on this machine; with ``scheduler="tcp://host:8786"`` the tasks run on that cluster, whose workers must
have synth installed and see the output folder at the same path (a shared filesystem).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa

from synth.progress import Cancelled, ProgressCallback, ensure
from synth.sampling.blocks import SampleSpec
from synth.sampling.writers import OutputError, part_name, write_parquet_part
from synth.synthesizers.base import Synthesizer, load_model

# Workers keep the last model they loaded, keyed by its bytes' hash, so a worker running many tasks of one run
# reads the model once.
_MODELS: dict[int, Synthesizer] = {}


def _model_bytes(model: Synthesizer) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.synth"
        model.save(path)
        return path.read_bytes()


def _load(data: bytes) -> Synthesizer:
    key = hash(data)
    if key not in _MODELS:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.synth"
            path.write_bytes(data)
            _MODELS.clear()
            _MODELS[key] = load_model(path)
    return _MODELS[key]


def _write_part(
    data: bytes, spec: SampleSpec, directory: str, index: int, start: int, stop: int, schema: pa.Schema, chunk: int
) -> int:
    """One task: partition ``index`` (rows ``[start, stop)``) to ``directory/part-NNNNN.parquet``."""
    model = _load(data)
    return write_parquet_part(
        model, spec, Path(directory) / part_name(index), start=start, stop=stop, schema=schema, chunk_rows=chunk
    )


def _client(scheduler: str | None, workers: int | None) -> tuple[Any, Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:
        raise OutputError(
            'the dask engine needs dask.distributed: pip install "synth-explorer[dask]" (or use --engine local)'
        ) from exc
    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise OutputError(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from exc
    cluster = LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
    )
    return Client(cluster), cluster


def write_partitions(
    model: Synthesizer,
    spec: SampleSpec,
    directory: Path,
    ranges: list[tuple[int, int]],
    schema: pa.Schema,
    chunk_rows: int,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    progress: ProgressCallback | None = None,
) -> None:
    """Write every partition of a dataset into ``directory`` as one Dask task each.

    Called by :func:`synth.sampling.write_table` (``engine="dask"``), which prepares the directory and moves it
    into place. A :class:`synth.Cancelled` raised by ``progress`` cancels the tasks not yet finished.
    """
    from distributed import as_completed

    report = ensure(progress)
    client, cluster = _client(scheduler, workers)
    try:
        data = client.scatter(_model_bytes(model), broadcast=True)
        futures = [
            client.submit(
                _write_part, data, spec, str(directory), i, start, stop, schema, chunk_rows, pure=False, retries=1
            )
            for i, (start, stop) in enumerate(ranges)
        ]
        done_rows = 0
        try:
            for future in as_completed(futures):
                done_rows += int(future.result())
                report(done_rows / spec.n_rows, f"{done_rows:,} of {spec.n_rows:,} rows (dask)")
        except (Cancelled, KeyboardInterrupt):
            client.cancel(futures)
            raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
