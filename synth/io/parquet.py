"""Parquet."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from synth.io.columns import type_text_column
from synth.io.errors import TableReadError, too_many_rows
from synth.io.options import ReadOptions

# ------------------------------------------------------------------------------------------------ parquet


def _read_parquet(data: bytes, opts: ReadOptions) -> tuple[pa.Table, list[str]]:
    label = opts.label
    try:
        handle = pq.ParquetFile(io.BytesIO(data))
        n_rows = handle.metadata.num_rows
        if opts.sample is None and opts.max_rows is not None and n_rows > opts.max_rows:
            raise too_many_rows(label, n_rows, opts.max_rows)
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
