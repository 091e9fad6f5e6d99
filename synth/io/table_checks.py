"""The checks every parsed table passes, whatever its format, and its conversion to pandas.

Names, blank and duplicated columns, header-only and all-missing tables, empty rows dropped, the single-column
refusal, the seeded row sample, and the row / column / cell limits; then arrow to pandas column by column.
Split from :mod:`synth.io.reader` (which loads bytes and dispatches on the format); its names stay importable
from there.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from synth.io.columns import _any_true
from synth.io.errors import SingleColumnError, TableReadError, too_many_rows
from synth.io.limits import check
from synth.io.options import ReadOptions


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
