"""Typing columns: text parsed as strings first, then each column given the type its values mean."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from synth.io.options import _CODE_RE, _HEAD, DEFAULT_MISSING_VALUES, ReadOptions


def _all_true(mask: pa.ChunkedArray | pa.Array) -> bool:
    return pc.all(mask).as_py() is True


def _any_true(mask: pa.ChunkedArray | pa.Array) -> bool:
    return pc.any(mask).as_py() is True


def _matches_all(values: pa.ChunkedArray, head: pa.ChunkedArray, pattern: str) -> bool:
    return _all_true(pc.match_substring_regex(head, pattern)) and _all_true(pc.match_substring_regex(values, pattern))


def _localized_pattern(decimal: str, thousands: str) -> str:
    d = re.escape(decimal)
    if thousands:
        t = re.escape(thousands)
        return rf"^[+-]?(\d{{1,3}}({t}\d{{3}})+|\d+)({d}\d+)?$"
    return rf"^[+-]?\d+({d}\d+)?$"


def _is_code(col: pa.ChunkedArray) -> bool:
    """Whether number-like text is a code: a leading zero (``02134``) or 16+ digits (a card number)."""
    return _any_true(pc.match_substring_regex(col, _CODE_RE))


def _plain_number(col: pa.ChunkedArray) -> pa.ChunkedArray | None:
    """The column as int64 / float64 when every value is a plain number (``12``, ``-3.5``, ``1e3``)."""
    for target in (pa.int64(), pa.float64()):
        try:
            number = pc.cast(col, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            continue
        return None if _is_code(col) else number
    return None


def _localized_number(
    col: pa.ChunkedArray, head: pa.ChunkedArray, decimal: str, thousands: str
) -> pa.ChunkedArray | None:
    """The column as a number when every value has the given decimal mark and thousands separator."""
    if not _matches_all(col, head, _localized_pattern(decimal, thousands)) or _is_code(col):
        return None
    cleaned = pc.replace_substring(col, thousands, "") if thousands else col
    if decimal != ".":
        cleaned = pc.replace_substring(cleaned, decimal, ".")
    has_fraction = _any_true(pc.match_substring(cleaned, "."))
    try:
        return pc.cast(cleaned, pa.float64() if has_fraction else pa.int64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None


#: Dashes read as missing in a column whose every other value is a number, when "-" is a missing marker (the
#: default): em and en dashes, a doubled hyphen, the minus sign and the horizontal bar. A text column keeps them.
NUMBER_DASHES = ("—", "–", "--", "−", "―", "——")


def _head(col: pa.ChunkedArray) -> pa.ChunkedArray:
    """The first present values a column's type is guessed from."""
    return pc.drop_null(col.slice(0, 20 * _HEAD)).slice(0, _HEAD) if col.null_count else col.slice(0, _HEAD)


def _as_number(col: pa.ChunkedArray, head: pa.ChunkedArray, decimal: str, thousands: str) -> pa.ChunkedArray | None:
    """The column as int64 / float64 when every present value is a number (plain or in the given separators)."""
    if (
        len(head)
        and _plain_number(head) is None
        and not _matches_all(head, head, _localized_pattern(decimal, thousands))
    ):
        return None
    if decimal == ".":
        number = _plain_number(col)
        if number is None and thousands:
            number = _localized_number(col, head, decimal, thousands)
        return number
    number = _localized_number(col, head, decimal, thousands)
    return number if number is not None else _plain_number(col)


def type_text_column(
    values: pa.ChunkedArray | pa.Array,
    missing_values: Sequence[str] = DEFAULT_MISSING_VALUES,
    decimal: str = ".",
    thousands: str = ",",
) -> pa.ChunkedArray:
    """Give a column of text values the type its values mean.

    Surrounding whitespace is trimmed and missing markers become nulls. The column becomes integer or float
    when every value is a number (thousands separators and the given decimal mark understood; a dash of
    :data:`NUMBER_DASHES` read as missing when ``-`` is a marker) and none has a leading zero or more than 15
    digits (zip codes, account and card numbers stay text); boolean when every value is ``true``/``false``;
    otherwise it stays text.

    Args:
        values: a string array.
        missing_values: text values that mean "missing".
        decimal: the decimal mark, ``"."`` or ``","``.
        thousands: the thousands separator, ``""`` for none.

    Returns:
        The typed column.
    """
    col = values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values])
    if pa.types.is_large_string(col.type):
        col = pc.cast(col, pa.string())
    if not pa.types.is_string(col.type):
        return col
    col = pc.utf8_trim_whitespace(col)
    if missing_values:
        marker = pc.is_in(col, value_set=pa.array(list(missing_values), type=pa.string()))
        if _any_true(marker):
            col = pc.if_else(marker, pa.scalar(None, pa.string()), col)
    if col.null_count == len(col):
        return col
    head = _head(col)
    number = _as_number(col, head, decimal, thousands)
    if number is None and "-" in missing_values:
        # A dash marks a blank cell of a number column as often as "n/a" does, typed as an em or en dash by office
        # software: the session-28 shop export's quantity held "—" on 1.4% of rows and stayed a text column.
        dashes = pc.is_in(col, value_set=pa.array(list(NUMBER_DASHES), type=pa.string()))
        if _any_true(dashes):
            blanked = pc.if_else(dashes, pa.scalar(None, pa.string()), col)
            if blanked.null_count < len(blanked):
                number = _as_number(blanked, _head(blanked), decimal, thousands)
    if number is not None:
        return number
    booleans = pa.array(["true", "false"])
    if _all_true(pc.is_in(pc.utf8_lower(head), value_set=booleans)):
        lowered = pc.utf8_lower(col)
        if _all_true(pc.is_in(lowered, value_set=booleans)):
            return pc.equal(lowered, "true")
    return col


def _type_table(table: pa.Table, missing_values: Sequence[str], decimal: str, thousands: str) -> pa.Table:
    names = table.column_names
    columns = list(table.columns)
    del table
    for i, col in enumerate(columns):
        columns[i] = type_text_column(col, missing_values, decimal, thousands)
        del col
    return pa.table(columns, names=names)


def _python_column(values: list[Any], opts: ReadOptions) -> pa.ChunkedArray:
    """A column of Python values (from Excel or JSON) as an arrow column with a sensible type."""
    import datetime as dt

    present = [v for v in values if v is not None and not (isinstance(v, float) and np.isnan(v))]
    types = {type(v) for v in present}
    if not present:
        return pa.chunked_array([pa.nulls(len(values), pa.string())])
    clean = [None if (v is None or (isinstance(v, float) and np.isnan(v))) else v for v in values]
    try:
        if types <= {bool}:
            return pa.chunked_array([pa.array(clean, pa.bool_())])
        if types <= {int}:
            return pa.chunked_array([pa.array(clean, pa.int64())])
        if types <= {int, float}:
            return pa.chunked_array([pa.array(clean, pa.float64())])
        if types <= {dt.datetime, pd.Timestamp}:
            return pa.chunked_array([pa.array(clean, pa.timestamp("us"))])
        if types <= {dt.date}:
            return pa.chunked_array([pa.array(clean, pa.date32())])
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass
    text = [None if v is None else (json.dumps(v) if isinstance(v, list | dict) else str(v)) for v in clean]
    decimal = opts.decimal or "."
    return type_text_column(
        pa.array(text, pa.string()), opts.missing_values, decimal, _default_thousands(decimal, opts.thousands)
    )


def _default_thousands(decimal: str, thousands: str | None) -> str:
    if thousands is not None:
        if thousands == decimal:
            raise ValueError(f"the thousands separator cannot be the decimal mark {decimal!r}")
        return thousands
    return "," if decimal == "." else "."
