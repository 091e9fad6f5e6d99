"""The commands' inputs and outputs: tables read (with an Excel workbook's sheet named), outputs that would
overwrite an input refused, and existing outputs replaced only with ``--overwrite``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from synth.cli import console
from synth.cli.console import UserError, note

_ZIP_MAGIC = b"PK\x03\x04"
#: ``--by none``: no column names a person; every row is its own (the Data page's "no").
BY_NONE = "none"


def existing(path: str, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise UserError(f"{what} {path} does not exist: check the path", console.BAD_INPUT)
    return p


def _sheets(path: Path) -> list[str]:
    """The worksheets of an Excel workbook; ``[]`` for any other file (only a zip's first bytes are read)."""
    from synth.io import list_sheets

    if not path.is_file():
        return []
    with path.open("rb") as fh:
        if fh.read(4) != _ZIP_MAGIC:
            return []
    return list_sheets(path)


def sheet_choice(path: Path, sheet: str | None, option: str = "--sheet") -> str | int | None:
    """What to pass to ``read_table(sheet=)``: the sheet asked for (a name, or a position counted from 0), or
    ``None`` for the first sheet. A workbook of several sheets read without ``option`` says which one was read."""
    names = _sheets(path)
    if sheet is None:
        if len(names) > 1:
            shown = ", ".join(repr(n) for n in names[:6]) + (", …" if len(names) > 6 else "")
            note(
                f"warning: {path.name} has {len(names)} sheets ({shown}); read the first, {names[0]!r}. "
                f"Choose another with {option} NAME"
            )
        return None
    if not names:
        raise UserError(f"{option} picks a sheet of an Excel workbook, and {path.name} is not one", console.USAGE)
    if sheet not in names and sheet.isdigit():
        return int(sheet)  # a position, counted from 0 (a sheet named "2" is read by its name)
    return sheet  # an unknown name: read_table names the sheets there are


class DefaultRows(int):
    """A command's ``--max-rows`` default, told apart from the same number typed (argparse hands a default over as
    it is, and converts what is typed with ``int``): a sample of the default size too wide to hold is taken at the
    size that fits, where a size the user asked for is refused with that size."""


def read(path: str, max_rows: int, seed: int, sheet: str | None = None, option: str = "--sheet") -> tuple[Any, Any]:
    """A seeded sample of at most ``max_rows`` rows of the table at ``path``, and how it was read.

    With ``max_rows`` the command's default (:class:`DefaultRows`), a table too wide for a sample of that many rows
    (60 columns × 1,000,000 rows: over the 50,000,000 cells a sample holds) is sampled at the most rows that fit,
    with a warning: the user asked for nothing, and "lower --max-rows to at most 833,332" only sent them to type
    it."""
    from synth.io.limits import LimitExceededError
    from synth.large_tables import read_sample

    if max_rows < 1:
        raise UserError(f"--max-rows must be at least 1, got {max_rows}", console.USAGE)
    source = existing(path, "the table")
    chosen = sheet_choice(source, sheet, option)
    try:
        try:
            df, info = read_sample(source, max_rows, seed=seed, sheet=chosen)
        except LimitExceededError as exc:
            if not (isinstance(max_rows, DefaultRows) and exc.limit == "max_rows" and exc.maximum):
                raise
            note(
                f"warning: a sample of {max_rows:,} rows of {source.name} would be over the cells held at once; "
                f"sampling {exc.maximum:,} rows instead (--max-rows sets another size)"
            )
            df, info = read_sample(source, int(exc.maximum), seed=seed, sheet=chosen)
    except LimitExceededError as exc:
        raise UserError(_too_large(exc), console.BAD_INPUT) from exc
    # What the read changed that the user must know (e.g. merged Excel cells filled), as the Data page shows it.
    for warning in df.attrs.get("read_info", {}).get("warnings", ()):
        note(f"warning: {warning}")
    return df, info


def _too_large(error: Any) -> str:
    """A reading limit's refusal with what to do on the command line, not the ``read_table`` argument that raises
    it (a table larger than ``--max-rows`` is sampled: only a sample too large, or a file that cannot be sampled
    without reading it whole, is refused)."""
    if error.limit == "max_rows":
        return f"{error}: lower --max-rows to at most {error.maximum:,}"
    text = str(error).split(". Upload a smaller table", 1)[0].removesuffix(".")
    if error.limit == "max_columns":
        return f"{text}: save a copy holding at most {error.maximum:,} of its columns and read that"
    if error.limit in ("max_cells", "memory", "max_uncompressed_bytes"):
        return (
            f"{text}: save it as CSV or Parquet, which are sampled (--max-rows rows) without being read whole, "
            "and read that"
        )
    return text


def no_such_column(by: str, where: str, columns: Sequence[Any]) -> UserError:
    """The error of a ``--by`` naming a column ``where`` (a file, or files joined by "and") lacks."""
    names = ", ".join(map(str, list(columns)[:8])) + (", …" if len(columns) > 8 else "")
    return UserError(
        f"--by {by}: no such column in {where}; name the column that says whose row each row is (columns: {names})",
        console.BAD_INPUT,
    )


def check_person_column(by: str | None, tables: Sequence[tuple[str, Any]]) -> None:
    """Refuse a ``--by`` naming a column one of ``tables`` ((path, frame or None)) lacks; the columns listed are
    the first table's. Left out or ``none``: nothing to check."""
    if by is None or by == BY_NONE:
        return
    present = [(path, table) for path, table in tables if table is not None]
    lacking = [path for path, table in present if by not in table.columns]
    if lacking:
        raise no_such_column(by, " and ".join(lacking), list(present[0][1].columns))


def person_option(by: str | None) -> Any:
    """What a fit or an evaluation is told of the person for ``--by``: its column, None for ``--by none`` (every row
    its own person), or :data:`~synth.schema.entities.FIND_PERSON` when left out (found from the table)."""
    from synth.schema.entities import FIND_PERSON

    if by is None:
        return FIND_PERSON
    return None if by == BY_NONE else by


def _replaces(out: Path, dataset: bool) -> bool:
    """Whether writing ``out`` would replace something there: a file, or a dataset folder's part files. (A folder
    holding other files, or a file where a folder should be, is refused by the writer whatever ``--overwrite``.)"""
    if not dataset:
        return out.is_file()
    if not out.is_dir():
        return False
    names = [p.name for p in out.iterdir()]
    return bool(names) and all(n.startswith("part-") and n.endswith(".parquet") for n in names)


def refuse_existing(output: str, overwrite: bool, dataset: bool = False) -> None:
    """Refuse to replace an existing output unless ``--overwrite`` was given (a typo in ``-o`` must not destroy a
    model or a report that took an hour)."""
    if output != "-" and not overwrite and _replaces(Path(output), dataset):
        what = "a dataset folder" if dataset else "a file"
        raise UserError(
            f"the output {output} already exists ({what}): pass --overwrite to replace it, or choose another "
            "output name",
            console.USAGE,
        )


def check_output(
    output: str, inputs: Sequence[tuple[str, str | None]], *, overwrite: bool = False, dataset: bool = False
) -> None:
    """Refuse an output that is one of the inputs (``synth fit train.csv -o train.csv`` would replace the table
    with a model) or lies inside an input folder (a Parquet dataset), even with ``--overwrite``; then refuse any
    other existing output without ``--overwrite``. ``inputs`` holds (what, path) pairs; ``dataset`` says the output
    is a Parquet dataset folder."""
    if output == "-":
        return
    out = Path(output)
    for what, path in inputs:
        if not path or not Path(path).exists():
            continue
        source = Path(path)
        same = out.exists() and os.path.samefile(out, source)
        inside = source.is_dir() and (source.resolve() == out.resolve() or source.resolve() in out.resolve().parents)
        if same or inside:
            where = "is" if same else "lies inside"
            raise UserError(
                f"the output {output} {where} {what} {path}: writing it would destroy that input; choose another "
                "output name",
                console.USAGE,
            )
    refuse_existing(output, overwrite, dataset)
