"""Tables handed over as DataFrames (a notebook's own frame, not one :func:`synth.read_table` read): the shapes no
step of synth can read, refused with what was wrong and what to do before any work starts.

A file never gives these: its reader refuses a header naming a column twice, writes lists and objects as JSON
text and keeps dates outside pandas' nanosecond range as text. A DataFrame built in code can hold all of them,
and each stopped the first call a notebook makes with an error of pandas' own: two columns named ``a`` an
``AttributeError`` ('DataFrame' object has no attribute 'name'), list or dict cells ``TypeError: unhashable
type``, complex numbers ``No matching signature found`` (the Gaussian copula; CART dropped the imaginary part
without a word), and ``datetime64[s]`` dates in year 1 an ``OutOfBoundsDatetime`` (every model holds datetimes
as nanoseconds). :func:`check_frame` is called by :func:`synth.infer_schema`, :func:`synth.audit` and every
synthesizer's ``fit``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from synth.io.errors import TableReadError

#: How many row numbers a message lists before "and N more".
SHOWN_ROWS = 5

#: What :func:`pandas.api.types.infer_dtype` calls an object column whose every value is of one hashable, real
#: type; any other answer ("mixed", "complex", ...) has its values looked at one by one.
_PLAIN_OBJECTS = frozenset(
    {
        "string",
        "empty",
        "bytes",
        "floating",
        "integer",
        "mixed-integer-float",
        "decimal",
        "boolean",
        "datetime64",
        "datetime",
        "date",
        "timedelta64",
        "timedelta",
        "time",
        "period",
        "interval",
    }
)


def row_numbers(positions: np.ndarray | list[int]) -> str:
    """Rows at 0-based ``positions`` as a user counts them (from 1), the first :data:`SHOWN_ROWS` and "and N more"."""
    shown = ", ".join(str(int(p) + 1) for p in positions[:SHOWN_ROWS])
    more = len(positions) - SHOWN_ROWS
    return shown + (f" and {more} more" if more > 0 else "")


def check_frame(df: pd.DataFrame, names: Collection[Any] | None = None) -> None:
    """Refuse a table no step can read: a column name used twice, cells holding lists, dicts or sets, complex
    numbers, or datetimes pandas stores beyond its nanosecond range (before 1677-09-21 or after 2262-04-11).

    ``names``: check only these columns (a fit given a schema leaves the table's other columns out, so they may
    hold anything). Rows are numbered from 1 in the order of ``df``.

    Raises:
        TableReadError: naming the column, its rows and what to do; ``code`` is ``"column_names"`` (a name that
            is not text), ``"duplicate_columns"``,
            ``"nested_values"``, ``"complex_numbers"`` or ``"dates_out_of_range"``.
    """
    # Column names that are not text (pd.read_csv(header=None) numbers them 0, 1, 2): the schema names columns as
    # text, so a fit then said "the schema names columns the table lacks: 0, 1, 2" of a table that has them.
    unnamed = [c for c in df.columns if not isinstance(c, str) and (names is None or str(c) in names)]
    if unnamed:
        shown = ", ".join(map(repr, unnamed[:SHOWN_ROWS])) + (" …" if len(unnamed) > SHOWN_ROWS else "")
        raise TableReadError(
            f"column names must be text, and {len(unnamed)} are not ({shown}). Name the columns "
            "(df.columns = df.columns.astype(str), or read the file with its header row) and call again.",
            code="column_names",
        )
    counts = Counter(c for c in df.columns if names is None or c in names)
    twice = [name for name, k in counts.items() if k > 1]
    if twice:
        raise TableReadError(
            f"the table names the same column more than once: {', '.join(map(repr, twice))}. Give every column a "
            "distinct name (e.g. df.columns = [...]) or drop the copies (df.loc[:, ~df.columns.duplicated()]).",
            code="duplicate_columns",
        )
    for position, name in enumerate(df.columns):
        if names is not None and name not in names:
            continue
        column = df.iloc[:, position]
        if pd.api.types.is_complex_dtype(column.dtype):
            _refuse_complex(name, np.arange(len(column)))
        elif pd.api.types.is_datetime64_any_dtype(column.dtype):
            _check_date_range(name, column)
        elif column.dtype == object:
            _check_objects(name, column)


def _check_objects(name: Any, column: pd.Series) -> None:
    if pd.api.types.infer_dtype(column, skipna=True) in _PLAIN_OBJECTS:
        return
    nested, complex_rows = [], []
    for i, value in enumerate(column.array):
        if isinstance(value, complex):  # numpy's complex scalars are Python complex numbers too
            complex_rows.append(i)
            continue
        try:
            hash(value)
        except TypeError:
            nested.append(i)
    if nested:
        kinds = sorted({type(column.iloc[i]).__name__ for i in nested[:100]})
        raise TableReadError(
            f"column {name!r} holds {len(nested):,} value(s) that are {' / '.join(kinds)} objects, not single "
            f"values, in row(s) {row_numbers(nested)} (rows counted from 1): a column holds one value per row. "
            f"Write them as text (df[{name!r}] = df[{name!r}].map(json.dumps), as synth.read_table reads a JSON "
            "file's lists), spread them over columns of their own, or drop the column.",
            code="nested_values",
        )
    if complex_rows:
        _refuse_complex(name, np.asarray(complex_rows))


def _refuse_complex(name: Any, rows: np.ndarray) -> None:
    raise TableReadError(
        f"column {name!r} holds {len(rows):,} complex number(s) in row(s) {row_numbers(rows)} (rows counted from 1): "
        "no synthesizer learns complex numbers. Store the real and imaginary parts as two number columns "
        f"(df[{name!r} + '_re'] = df[{name!r}].apply(lambda z: z.real), the same with z.imag), then drop this one.",
        code="complex_numbers",
    )


def _check_date_range(name: Any, column: pd.Series) -> None:
    if column.dt.unit == "ns":  # nanoseconds cannot leave their own range
        return
    naive = column.dt.tz_convert(None) if column.dt.tz is not None else column
    outside = np.flatnonzero(((naive < pd.Timestamp.min) | (naive > pd.Timestamp.max)).to_numpy())
    if len(outside):
        raise TableReadError(
            f"column {name!r} holds {len(outside):,} date(s) before 1677-09-21 or after 2262-04-11 in row(s) "
            f"{row_numbers(outside)} (rows counted from 1): every synthesizer holds dates as nanoseconds, whose "
            "range ends there. If they are placeholders (0001-01-01 for 'unknown', 9999-12-31 for 'no end'), "
            f"leave those cells empty (missing); else store the column as text (df[{name!r}] = "
            f"df[{name!r}].astype(str)) to have it learned as categories, as synth.read_table reads such dates.",
            code="dates_out_of_range",
        )
