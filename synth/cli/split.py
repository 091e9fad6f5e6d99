"""``synth split``: a table split into the train file ``synth fit`` reads and the holdout file ``synth evaluate
--holdout`` reads, with the dashboard's split (:mod:`synth.split_files` says how, and how a table too large to hold is
split by streaming)."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from synth.cli import console
from synth.cli.commands import _write_atomically, user_errors
from synth.cli.console import UserError, note
from synth.cli.inputs import BY_NONE, check_output, check_person_column, existing, no_such_column, sheet_choice


def _write_pair(train: str, holdout: str, write: Callable[[Path, Path], None], overwrite: bool) -> None:
    """Write both parts through temporary files, each put in place by ``_write_atomically``: a failure anywhere
    (a read, the split, a full disk, Ctrl-C) leaves neither part behind."""
    placed = False

    def both(train_tmp: Path) -> None:
        nonlocal placed
        _write_atomically(holdout, lambda holdout_tmp: write(train_tmp, holdout_tmp), overwrite)
        placed = True  # the holdout is in place; the train is put beside it when this returns

    try:
        _write_atomically(train, both, overwrite)
    except BaseException:
        if placed:
            Path(holdout).unlink(missing_ok=True)
        raise


def _formats(args: argparse.Namespace) -> tuple[Any, Any]:
    from synth.split_files import part_format

    found = []
    for option, path in (("-o", args.output), ("--holdout", args.holdout)):
        fmt = part_format(path)
        if fmt is None:
            raise UserError(f"cannot tell how to write {option} {path}: name it .csv or .parquet", console.USAGE)
        found.append(fmt)
    return found[0], found[1]


def _check_paths(args: argparse.Namespace) -> None:
    train, holdout = Path(args.output), Path(args.holdout)
    both = train.exists() and holdout.exists()
    if train.resolve() == holdout.resolve() or (both and os.path.samefile(train, holdout)):  # a link too
        raise UserError(
            f"-o and --holdout both name {args.output}: the train and the holdout need a file each", console.USAGE
        )
    for output in (args.output, args.holdout):
        check_output(output, [("the table", args.data)], overwrite=args.overwrite)


def _person_note(person: Any, by: str | None, quiet: bool) -> None:
    """Which column the rows were kept together by, when the table chose it (a named one is in the summary), or
    that none was looked for (``--by none``)."""
    if by == BY_NONE:
        note("every row is its own person (--by none): rows split one by one", quiet=quiet)
        return
    if by is not None:
        return
    where = f"a seeded sample of {person.sample_rows:,} rows" if person.sample_rows else "the table"
    if person.found is not None:
        note(f"by {person.column}, found in {where}: {person.found.describe()} (--by names another)", quiet=quiet)
    else:
        note(
            f"no column in {where} names a person behind repeated rows: rows split one by one "
            "(--by COLUMN keeps each value's rows on one side)",
            quiet=quiet,
        )


def split(args: argparse.Namespace) -> int:
    from synth.split import SplitError, check_split

    try:
        check_split(args.holdout_share, args.seed)
    except SplitError as exc:
        raise UserError(f"--holdout-share {args.holdout_share} / --seed {args.seed}: {exc}", console.USAGE) from exc
    formats = _formats(args)
    _check_paths(args)
    try:
        with user_errors():
            n_train, n_holdout, person, streamed = _split(args, formats)
    except SplitError as exc:  # the table too small, or one person: an input, as evaluate's tables too small to score
        raise UserError(str(exc), console.BAD_INPUT) from exc
    by = f"by {person.column}" if person.column is not None else "row by row"
    how = ", streamed (a seeded hash per person: not the dashboard's rows)" if streamed else ""
    note(
        f"split {n_train + n_holdout:,} rows → {n_train:,} train ({args.output}) / {n_holdout:,} holdout "
        f"({args.holdout}), {by}, seed {args.seed}{how}",
        quiet=args.quiet,
    )
    return console.OK


def _split(args: argparse.Namespace, formats: tuple[Any, Any]) -> tuple[int, int, Any, bool]:
    """Read, split and write; returns the parts' row counts, the person and whether the table was streamed."""
    from synth.io import TableReadError
    from synth.large_tables import held_whole, stream_format
    from synth.split import split as split_frame
    from synth.split_files import IN_MEMORY_BYTES, IN_MEMORY_CELLS, Person, person_in, read_whole, too_large, write_part

    source = existing(args.data, "the table")
    sheet = sheet_choice(source, args.sheet)
    df = None
    if not too_large(source):
        try:
            df = read_whole(source, sheet)
        except TableReadError as exc:
            if not held_whole(exc):
                raise
    if df is None:
        if stream_format(source) is None:
            raise UserError(
                f"{source.name} is too large to split in memory (over {IN_MEMORY_BYTES / 1e6:,.0f} MB or "
                f"{IN_MEMORY_CELLS:,} cells), and only an uncompressed CSV or a Parquet table is split by streaming: "
                "save it as CSV or Parquet and split that",
                console.BAD_INPUT,
            )
        return _stream(args, source, formats)
    for warning in df.attrs.get("read_info", {}).get("warnings", ()):
        note(f"warning: {warning}")
    check_person_column(args.by, [(args.data, df)])
    person: Person = Person(None) if args.by == BY_NONE else person_in(df, args.by)
    train, holdout = split_frame(df, args.holdout_share, args.seed, by=person.column)

    def write(train_path: Path, holdout_path: Path) -> None:
        write_part(train, train_path, formats[0])
        write_part(holdout, holdout_path, formats[1])

    _write_pair(args.output, args.holdout, write, args.overwrite)
    _person_note(person, args.by, args.quiet)
    return len(train), len(holdout), person, False


def _stream(args: argparse.Namespace, source: Path, formats: tuple[Any, Any]) -> tuple[int, int, Any, bool]:
    from synth.large_tables import stream_format
    from synth.split_files import Person, columns_of, person_in_sample, stream_split

    fmt = stream_format(source)
    assert fmt is not None
    if formats != (fmt, fmt):
        raise UserError(
            f"{source.name} is too large to hold and is split by streaming, which writes the format it reads: name "
            f"both outputs .{fmt}",
            console.USAGE,
        )
    if args.by not in (None, BY_NONE) and args.by not in (columns := columns_of(source, fmt)):
        raise no_such_column(args.by, args.data, columns)
    note(f"{source.name} is too large to hold in memory: splitting it by streaming, every row kept", quiet=args.quiet)
    person = person_in_sample(source, args.seed) if args.by is None else Person(None if args.by == BY_NONE else args.by)
    counts: list[int] = []

    def write(train_path: Path, holdout_path: Path) -> None:
        counts[:] = stream_split(source, fmt, train_path, holdout_path, args.holdout_share, args.seed, person.column)

    _write_pair(args.output, args.holdout, write, args.overwrite)
    _person_note(person, args.by, args.quiet)
    return counts[0], counts[1], person, True
