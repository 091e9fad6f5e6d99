"""A synthetic table as the CSV a user downloads: whole numbers written as whole numbers.

pandas holds a whole-number column with missing values as floats, and ``DataFrame.to_csv`` writes them so: the
session-28 walk's shop quantities ("1", "3", "n/a" in the real file) downloaded as "1.0", "3.0". The command line
writes through Arrow, which writes such floats as "1"; the dashboard's download now writes them the same way.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema

#: Whole numbers beyond this are left as floats (pandas' nullable integers hold 64 bits).
_INT_LIMIT = 2.0**53


def table_csv(df: pd.DataFrame, schema: Schema | None = None) -> bytes:
    """``df`` as UTF-8 CSV without its index, each float column of whole numbers (a ``discrete`` column of
    ``schema``; every float column whose present values are all whole when no schema is given) written as whole
    numbers, missing values as empty cells."""
    whole = {s.name for s in schema if s.kind is ColumnKind.DISCRETE} if schema is not None else set(df.columns)
    out = df
    for name in df.columns:
        column = df[name]
        if name not in whole or not pd.api.types.is_float_dtype(column.dtype):
            continue
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        present = values[~np.isnan(values)]
        if not len(present) or not np.all(np.isfinite(present)) or np.any(np.abs(present) > _INT_LIMIT):
            continue
        if np.any(present != np.round(present)):
            continue
        out = out.copy() if out is df else out
        out[name] = column.astype("Int64")
    return out.to_csv(index=False).encode("utf-8")
