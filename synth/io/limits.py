"""The caps every reader checks before it materialises anything, and the error that names the one exceeded.

A table file is data from outside: a 1.6 KB workbook can declare a cell at row 1,048,576, a 1.5 KB Parquet
file can repeat one long string a million times, a gzip file can expand a thousandfold. Each reader reads
sizes from the file's own metadata first (zip member sizes, Parquet row-group statistics, a CSV's header
row) and streams with these caps, stopping at the first excess with a :class:`LimitExceededError` that says
which limit it was and how to raise it (a keyword argument of :func:`synth.read_table`).
"""

from __future__ import annotations

from typing import Any

from synth.io.errors import TableReadError

DEFAULT_MAX_COLUMNS = 5_000
"""Most columns accepted by default (``max_columns``)."""

DEFAULT_MAX_CELLS = 50_000_000
"""Most cells (rows × columns, and for nested Parquet every leaf value) by default (``max_cells``)."""

DEFAULT_MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
"""Most bytes a compressed container (an .xlsx zip, Parquet pages, text held in a Parquet column) may expand
to by default (``max_uncompressed_bytes``)."""

MAX_JSON_DEPTH = 64
"""JSON nested deeper than this is refused: a table's records nest a few levels, not hundreds."""

EXCEL_MAX_ROWS = 1_048_576
"""Excel's own row limit: a sheet that claims rows beyond it is damaged or crafted."""


class LimitExceededError(TableReadError):
    """The input exceeds one of the reading limits; nothing was materialised past the limit.

    Attributes:
        limit: the keyword argument of :func:`synth.read_table` that sets it (e.g. ``"max_cells"``).
        value: the size found, or reached when reading stopped.
        maximum: the limit's value.
    """

    def __init__(
        self, message: str, *, file: str | None = None, limit: str = "", value: int = 0, maximum: int = 0
    ) -> None:
        super().__init__(message, file=file, code="too_large")
        self.limit = limit
        self.value = value
        self.maximum = maximum

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self),), self.__dict__)


def exceeded(
    label: str, what: str, value: int, limit: str, maximum: int, *, at_least: bool = False
) -> LimitExceededError:
    """The error for ``what`` (e.g. "cells") of ``value`` over ``maximum``; names the argument that raises it."""
    amount = f"over {maximum:,}" if at_least else f"{value:,}"
    return LimitExceededError(
        f"{label} has {amount} {what}, over the limit of {maximum:,}. Upload a smaller table (for example a "
        f"random sample of its rows), or, if you trust the file and have the memory, raise the limit "
        f"(read_table(..., {limit}=...)).",
        file=label,
        limit=limit,
        value=value,
        maximum=maximum,
    )


def check(label: str, what: str, value: int, limit: str, maximum: int | None) -> None:
    """Raise :func:`exceeded` when ``value`` is over ``maximum`` (``None``: no limit)."""
    if maximum is not None and value > maximum:
        raise exceeded(label, what, value, limit, maximum)
