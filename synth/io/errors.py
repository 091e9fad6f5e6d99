"""The errors of table reading: every one names the file, says what was wrong and what to do."""

from __future__ import annotations

from typing import Any


class TableReadError(ValueError):
    """A table could not be read. The message names the file, says what was wrong and what to do.

    Attributes:
        file: the file name the message refers to.
        code: which check failed (e.g. ``"empty"``, ``"binary"``, ``"ragged_rows"``, ``"header_only"``,
            ``"duplicate_columns"``, ``"blank_column_name"``, ``"single_column"``, ``"all_missing"``,
            ``"no_rows"``, ``"encoding"``, ``"excel_no_sheets"``, ``"excel_encrypted"``, ``"parquet"``,
            ``"json_not_records"``, ``"too_large"``, ``"too_many_rows"``).
    """

    def __init__(self, message: str, *, file: str | None = None, code: str = "unreadable") -> None:
        super().__init__(message)
        self.file = file
        self.code = code

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (str(self),), self.__dict__)


class TooManyRowsError(TableReadError):
    """The table has more rows than allowed; ``n_rows`` lets a caller offer a random sample instead.

    Attributes:
        n_rows: rows in the table (after dropping rows where every value is missing).
        max_rows: the limit that was exceeded.
    """

    def __init__(self, message: str, *, file: str | None = None, n_rows: int = 0, max_rows: int = 0) -> None:
        super().__init__(message, file=file, code="too_many_rows")
        self.n_rows = n_rows
        self.max_rows = max_rows


class SingleColumnError(TableReadError):
    """The table has a single column. Pass ``allow_single_column=True`` to accept it anyway.

    Attributes:
        column: the name of the one column.
    """

    def __init__(self, message: str, *, file: str | None = None, column: str = "") -> None:
        super().__init__(message, file=file, code="single_column")
        self.column = column


def human_size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.1f} KB"


def too_large(label: str, size: int, max_bytes: int, what: str = "") -> TableReadError:
    """The input (or its gzip-decompressed text, ``what``) over ``max_bytes``: a :class:`LimitExceededError` naming
    ``max_bytes``, so a caller that can stream a file too large to hold (:func:`synth.large_tables.held_whole`) tells
    it from a file that is not a table, as it does for every other limit."""
    from synth.io.limits import LimitExceededError  # limits imports this module

    return LimitExceededError(
        f"{label} is {what}{human_size(size)}, over the upload limit of {human_size(max_bytes)}. "
        "Upload a smaller file (for example a random sample of its rows), or raise the limit.",
        file=label,
        limit="max_bytes",
        value=size,
        maximum=max_bytes,
    )


def too_many_rows(label: str, n_rows: int, max_rows: int, *, at_least: bool = False) -> TooManyRowsError:
    """``at_least``: reading stopped at the limit, so ``n_rows`` is a lower bound (the message says "over")."""
    amount = f"over {max_rows:,}" if at_least else f"{n_rows:,}"
    return TooManyRowsError(
        f"{label} has {amount} rows, over the limit of {max_rows:,}. Work on a random sample of "
        f"{max_rows:,} rows (read it again with sample={max_rows}), or raise the row limit.",
        file=label,
        n_rows=n_rows,
        max_rows=max_rows,
    )
