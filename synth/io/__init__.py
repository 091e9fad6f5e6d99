"""Reading tables from paths, bytes or file-like objects, with errors a user can act on.

Supported formats: CSV / TSV / TXT (delimiter, encoding and decimal comma detected), Parquet, Excel ``.xlsx``
(pick the sheet; :func:`list_sheets` lists them), JSON (a list of records) and JSON Lines, each optionally
gzip-compressed.

Values keep their meaning. Text is parsed by pyarrow as strings first and each column is then typed on its
own: a column becomes numeric only when every value is a number, so ``02134`` (a zip code) or ``00012345``
(an account number) stay text; thousands separators and decimal commas are understood; the usual missing
markers (``""``, ``NA``, ``N/A``, ``null``, ``None``, ``?``, ``-``, ...) become missing values, and the list
can be changed with ``missing_values``.

Every failure raises :class:`TableReadError` (a :class:`ValueError`) whose message names the file, says what
was wrong and what to do; its ``code`` attribute says which check failed. A table with more rows than
``max_rows`` raises :class:`TooManyRowsError`, which carries ``n_rows`` so a caller can offer to work on a
seeded random sample instead (``read_table(..., sample=n)`` or :func:`sample_rows`).

Every reader is bounded before it materialises anything (:mod:`synth.io.limits`): sizes are read from the
file's metadata or counted while streaming, and the first excess raises :class:`LimitExceededError` naming the
limit (``max_bytes``, ``max_rows``, ``max_columns``, ``max_cells``, ``max_uncompressed_bytes``, JSON depth) and
how to raise it. Modules: :mod:`~synth.io.reader` (``read_table``), one per format (:mod:`~synth.io.text`,
:mod:`~synth.io.excel`, :mod:`~synth.io.parquet`, :mod:`~synth.io.json`), :mod:`~synth.io.columns` (typing).
"""

from synth.io.columns import type_text_column
from synth.io.errors import SingleColumnError, TableReadError, TooManyRowsError
from synth.io.limits import DEFAULT_MAX_CELLS, DEFAULT_MAX_COLUMNS, LimitExceededError
from synth.io.options import DEFAULT_MAX_BYTES, DEFAULT_MAX_ROWS, DEFAULT_MISSING_VALUES
from synth.io.reader import list_sheets, read_table, sample_rows

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CELLS",
    "DEFAULT_MAX_COLUMNS",
    "DEFAULT_MAX_ROWS",
    "DEFAULT_MISSING_VALUES",
    "LimitExceededError",
    "SingleColumnError",
    "TableReadError",
    "TooManyRowsError",
    "list_sheets",
    "read_table",
    "sample_rows",
    "type_text_column",
]
