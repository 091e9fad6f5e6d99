"""Parquet, bounded by its own metadata before any page is decoded.

A Parquet file says in its footer how many rows, columns and leaf values it holds and how large its pages are
once decompressed; all of these are checked against the caps first. That is not enough on its own:
dictionary encoding lets a 1.5 KB file repeat one long string a million times (a gigabyte once decoded),
and neither the page sizes nor the row count show it. So text columns are read *as dictionaries* (indices
into the distinct values, small), the length they would have once decoded is summed from the dictionary's
value lengths, and only then are they decoded.

Two column types have no faithful pandas counterpart and are turned into what a CSV of the same table reads:
dates and timestamps outside pandas' nanosecond range (1677 to 2262; a birth year 1500, an open end 9999-12-31)
become their ISO text, as a CSV's such dates stay text (converted, 9999-01-01 came back as 1815-03-31); bytes
become text when they are UTF-8, and a column of other bytes (an image, a hash) is refused naming it.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from synth.io.columns import type_text_column
from synth.io.errors import TableReadError, too_many_rows
from synth.io.limits import check
from synth.io.options import ReadOptions

_NESTED_SLICE = 10_000  # rows of a nested column turned into JSON text at a time


def _read_parquet(data: bytes, opts: ReadOptions) -> tuple[pa.Table, list[str], list[str]]:
    """The table, its column names, and the warnings for ``read_info`` (what the read changed: dates as text)."""
    label = opts.label
    try:
        return _read_checked(data, opts)
    except TableReadError:
        raise
    except Exception as exc:  # pyarrow raises several unrelated types for corrupt files (and their metadata)
        raise TableReadError(
            f"{label} could not be read as Parquet ({type(exc).__name__}: {exc}). The file may be truncated "
            "or not Parquet at all: export it again.",
            file=label,
            code="parquet",
        ) from exc


def _read_checked(data: bytes, opts: ReadOptions) -> tuple[pa.Table, list[str], list[str]]:
    label = opts.label
    probe = pq.ParquetFile(io.BytesIO(data))
    text_leaves = _check_metadata(probe, opts)
    table = pq.ParquetFile(io.BytesIO(data), read_dictionary=text_leaves).read()
    decoded = sum(_decoded_bytes(chunk) for col in table.columns for chunk in col.chunks)
    # Text held in a Parquet file may not exceed what the same table as a CSV upload could hold.
    check(label, "bytes of text once decoded", decoded, "max_bytes", opts.max_bytes)
    meta = table.schema.pandas_metadata or {}
    drop = [c for c in meta.get("index_columns", []) if isinstance(c, str) and c.startswith("__index_level_")]
    if drop:
        table = table.drop_columns(drop)
    table = _flatten_structs(table)
    names = [str(n) for n in table.column_names]
    columns: list[pa.ChunkedArray] = []
    warnings: list[str] = []
    for col in table.columns:
        typ = col.type
        if pa.types.is_dictionary(typ):
            col = pc.cast(col, typ.value_type)
            typ = col.type
        if pa.types.is_decimal(typ):
            col = pc.cast(col, pa.float64())
        elif pa.types.is_timestamp(typ) or pa.types.is_date(typ):
            col, outside = _outside_nanoseconds_as_text(col)
            if outside:
                warnings.append(_dates_as_text_warning(names[len(columns)], outside))
        elif pa.types.is_binary(typ) or pa.types.is_large_binary(typ) or pa.types.is_fixed_size_binary(typ):
            col = _bytes_as_text(col, names[len(columns)], label)
        elif pa.types.is_nested(typ):
            col = _nested_as_json(col)
        elif pa.types.is_large_string(typ):
            col = pc.cast(col, pa.string())
        if pa.types.is_string(col.type):
            col = type_text_column(col, opts.missing_values, ".", ",")
        columns.append(col)
    return pa.table(columns, names=[f"c{i}" for i in range(len(columns))]), names, warnings


#: Nanoseconds per unit of each Arrow time unit, and of a day (date32) and a millisecond (date64).
_NANOSECONDS = {"s": 10**9, "ms": 10**6, "us": 10**3, "ns": 1}
_INT64 = 2**63  # pandas' nanosecond timestamps hold -(2**63 - 1) ... 2**63 - 1 (the lowest value is NaT)


def _outside_nanoseconds_as_text(col: pa.ChunkedArray) -> tuple[pa.ChunkedArray, int]:
    """A date or timestamp column as it is when pandas can hold it in nanoseconds; as ISO text when it cannot,
    with how many of its values pandas cannot hold (0: the column as it is).

    Arrow's conversion to nanoseconds wraps around silently for dates (9999-01-01 became 1815-03-31) and refuses
    timestamps ("would result in out of bounds timestamp"); text is what the same dates read from a CSV give."""
    typ = col.type
    if pa.types.is_date32(typ):
        per_unit, raw = 86_400 * 10**9, pc.cast(col, pa.int32()).cast(pa.int64())
    elif pa.types.is_date64(typ):
        per_unit, raw = 10**6, pc.cast(col, pa.int64())
    else:
        per_unit, raw = _NANOSECONDS[typ.unit], pc.cast(col, pa.int64())
    low, high = (v.as_py() for v in pc.min_max(raw).values())
    if low is None or -_INT64 < low * per_unit <= high * per_unit < _INT64:
        return col, 0
    # The units pandas holds: -(2**63 - 1) ... 2**63 - 1 nanoseconds, in whole units of the column.
    least, most = -((_INT64 - 1) // per_unit), (_INT64 - 1) // per_unit
    outside = pc.sum(pc.or_(pc.less(raw, least), pc.greater(raw, most))).as_py()
    return pc.cast(col, pa.string()), int(outside or 0)


def _dates_as_text_warning(name: str, outside: int) -> str:
    """What a user must know of a date column read as text: which, why, and how to have it read as dates."""
    return (
        f"Column {name!r} holds {outside:,} date(s) before 1677-09-21 or after 2262-04-11, beyond the dates pandas "
        "holds, so it was read as text (as a CSV's such dates are): it is learned as categories, not as dates. If "
        "they are placeholders (0001-01-01 for 'unknown', 9999-12-31 for 'no end'), leave those cells empty and "
        "read the file again to have the column read as dates."
    )


def _bytes_as_text(col: pa.ChunkedArray, name: str, label: str) -> pa.ChunkedArray:
    """Bytes as text when every value is UTF-8 (text stored as bytes by some writers); otherwise refused: raw bytes
    are no value a synthesizer learns, and pandas' own conversion of them stopped the schema inference."""
    try:
        return pc.cast(pc.cast(col, pa.binary()), pa.string())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        raise TableReadError(
            f"{label}: column {name!r} holds raw bytes that are not text (an image, a hash or an encrypted value "
            "stored as bytes). Remove the column, or store its values as text (hexadecimal or base64), and upload "
            "the file again.",
            file=label,
            code="binary_column",
        ) from None


def _check_metadata(handle: pq.ParquetFile, opts: ReadOptions) -> list[str]:
    """Check rows, columns, leaf values and decompressed page bytes from the footer; the text leaves' paths."""
    label = opts.label
    meta = handle.metadata
    n_rows = int(meta.num_rows)
    if n_rows < 0:
        raise TableReadError(f"{label} declares a negative number of rows: the file is damaged.", file=label)
    if opts.sample is None and opts.max_rows is not None and n_rows > opts.max_rows:
        raise too_many_rows(label, n_rows, opts.max_rows)
    n_top = len(handle.schema_arrow)
    check(label, "columns", n_top, "max_columns", opts.max_columns)
    check(label, "cells", n_rows * n_top, "max_cells", opts.max_cells)
    leaf_values = 0
    page_bytes = 0
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        page_bytes += max(int(group.total_byte_size), 0)
        for c in range(group.num_columns):
            leaf_values += max(int(group.column(c).num_values), 0)
    check(label, "values (counting every element of nested columns)", leaf_values, "max_cells", opts.max_cells)
    check(label, "bytes once decompressed", page_bytes, "max_uncompressed_bytes", opts.max_uncompressed_bytes)
    schema = handle.schema
    return [schema.column(i).path for i in range(len(schema)) if schema.column(i).physical_type == "BYTE_ARRAY"]


def _decoded_bytes(array: pa.Array) -> int:
    """Bytes the variable-length values of ``array`` take once every dictionary is decoded (an upper bound)."""
    typ = array.type
    if pa.types.is_dictionary(typ):
        assert isinstance(array, pa.DictionaryArray)
        if not (pa.types.is_string(typ.value_type) or pa.types.is_binary(typ.value_type)):
            return _decoded_bytes(array.dictionary)
        lengths = pc.binary_length(array.dictionary)
        total = pc.sum(pc.take(lengths.cast(pa.int64()), array.indices)).as_py()
        return int(total or 0)
    if pa.types.is_string(typ) or pa.types.is_binary(typ) or pa.types.is_large_string(typ):
        return int(array.nbytes)
    if isinstance(array, pa.ListArray | pa.LargeListArray | pa.FixedSizeListArray):
        return _decoded_bytes(array.values)
    if isinstance(array, pa.MapArray):
        return _decoded_bytes(array.keys) + _decoded_bytes(array.items)
    if isinstance(array, pa.StructArray):
        return sum(_decoded_bytes(array.field(i)) for i in range(typ.num_fields))
    return 0


def _flatten_structs(table: pa.Table) -> pa.Table:
    """Struct columns as one column per field, named ``parent.field`` (``user.addr.city`` for structs in
    structs), as the JSON reader flattens nested records (``pandas.json_normalize``): a row whose struct is
    missing is missing in every field. Lists and maps stay whole (JSON text, as in a JSON file)."""
    while any(pa.types.is_struct(t) and t.num_fields for t in table.schema.types):
        table = table.flatten()
    return table


def _nested_as_json(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """Lists, structs and maps as JSON text, a slice of rows at a time (bounded Python objects)."""
    pieces = []
    for start in range(0, len(col), _NESTED_SLICE):
        values: list[Any] = col.slice(start, _NESTED_SLICE).to_pylist()
        pieces.append(pa.array([None if v is None else json.dumps(v, default=str) for v in values], pa.string()))
    return pa.chunked_array(pieces, pa.string())
