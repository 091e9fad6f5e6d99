"""The commands. Each turns every user mistake into a :class:`UserError` with a one-line message."""

from __future__ import annotations

import argparse
import errno
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from synth.cli import console
from synth.cli.console import Progress, UserError, note
from synth.cli.inputs import (
    BY_NONE,
    check_output,
    check_person_column,
    existing,
    person_option,
    read,
    refuse_existing,
)


@contextmanager
def user_errors() -> Iterator[None]:
    """Map the package's errors onto one-line messages and exit codes."""
    from synth.evaluation.fidelity.segments import SegmentError
    from synth.io import TableReadError
    from synth.progress import Cancelled
    from synth.sampling.writers import OutputError
    from synth.schema import SchemaMismatchError
    from synth.synthesizers import ModelFileError, SynthesizerError

    try:
        yield
    except UserError:
        raise
    except (TableReadError, ModelFileError) as exc:
        raise UserError(str(exc), console.BAD_INPUT) from exc
    except OutputError as exc:
        raise UserError(str(exc), console.OUTPUT) from exc
    except SegmentError as exc:
        raise UserError(str(exc), console.USAGE) from exc
    except SynthesizerError as exc:
        # A schema that does not fit the table is a wrong input, not an impossible request.
        code = console.BAD_INPUT if isinstance(exc.__cause__, SchemaMismatchError) else console.IMPOSSIBLE
        raise UserError(str(exc), code) from exc
    except Cancelled as exc:
        raise UserError("cancelled; nothing was left half-written", console.CANCELLED) from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError(f"the disk is full: {exc.filename or ''}", console.OUTPUT) from exc
        raise UserError(f"{exc.strerror or exc}: {exc.filename or ''}", console.OUTPUT) from exc


def _schema(path: str | None) -> Any:
    if path is None:
        return None
    from synth.schema import Schema

    text = existing(path, "the schema").read_text(encoding="utf-8", errors="replace")
    try:
        return Schema.from_json(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path} is not a schema written by `synth schema`: {exc}", console.BAD_INPUT) from exc


def _schema_read_by(path: str | None, table: Any, schema: Any) -> None:
    """Refuse a ``--schema`` (``path``) that declares a column of ``table`` a number or a date most of whose values
    do not read as one: every score (every fit) would read the column as missing. Nothing to check without one."""
    if path is None:
        return
    from synth.schema import SchemaMismatchError, coerce_to_schema

    present = [c for c in schema.names if c in table.columns]
    try:
        coerce_to_schema(table[present], schema.select(present), strict=True)
    except SchemaMismatchError as exc:
        raise UserError(f"{path}: {exc}", console.BAD_INPUT) from exc


def _param(text: str, usage: str = "--param takes key=value, e.g. n_knots=50") -> tuple[str, Any]:
    """``key=value``, the value read as JSON where it is one; ``usage`` opens the error of anything else."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise UserError(f"{usage}; got {text!r}", console.USAGE)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw  # a bare word such as stratify=auto
    return key.strip(), value


def _write_atomically(path: str, write: Any, overwrite: bool) -> None:
    """Write through a temporary file beside ``path`` so a failure leaves no half-written output; without
    ``overwrite``, an output that appeared while the command ran (a fit takes minutes) is refused, not replaced."""
    target = Path(path)
    if not target.parent.exists():
        raise UserError(f"cannot write {path}: the folder {target.parent} does not exist", console.OUTPUT)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as exc:
        raise UserError(f"cannot write {path}: {exc.strerror}", console.OUTPUT) from exc
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 would make the output private to this user
        refuse_existing(path, overwrite)
        os.replace(tmp, target)
    except OSError as exc:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        raise UserError(f"cannot write {path}: {reason}", console.OUTPUT) from exc
    finally:
        Path(tmp).unlink(missing_ok=True)


def fit(args: argparse.Namespace) -> int:
    import synth
    from synth.synthesizers.calendar_pairs import describe_calendar
    from synth.synthesizers.category_ranges import describe_ranges
    from synth.synthesizers.column_order import describe_orders
    from synth.synthesizers.derived import describe_rules
    from synth.synthesizers.missing_together import describe_groups
    from synth.synthesizers.people import describe_people
    from synth.synthesizers.zero_pairs import describe_zeros

    if args.synthesizer not in synth.available():
        raise UserError(
            f"no synthesizer named {args.synthesizer!r}; available: {', '.join(synth.available())}", console.USAGE
        )
    check_output(args.output, [("the table", args.data), ("the schema", args.schema)], overwrite=args.overwrite)
    with user_errors():
        params = dict(_param(p) for p in args.param)
        model = synth.create(args.synthesizer, random_state=args.seed, **params)
        schema = _schema(args.schema)
        df, info = read(args.data, args.max_rows, args.seed, args.sheet)
        check_person_column(args.by, [(args.data, df)])  # a wrong input, as evaluate --by says it
        person = person_option(args.by)  # left out: the fit finds it
        with Progress(f"fitting {model.label}", quiet=args.quiet) as bar:
            model.fit(df, schema, progress=bar, person_column=person)
        # Recorded in the model file: what the model was fitted on (a sample when the input was larger).
        model.training_input_ = info.to_dict()  # type: ignore[attr-defined]
        _write_atomically(args.output, model.save, args.overwrite)
    sampled = f" (a seeded sample of {info.source_rows:,} rows, seed {info.seed})" if info.sampled else ""
    note(f"fitted {model.label} on {info.rows_used:,} rows{sampled} → {args.output}", quiet=args.quiet)
    rules = describe_rules(model)
    if rules:  # what the Synthesize page shows under the fit: columns computed, not modelled
        note(rules, quiet=args.quiet)
    orders = describe_orders(model)
    if orders:  # and the orders between columns every synthetic row keeps
        note(orders, quiet=args.quiet)
    ranges = describe_ranges(model)
    if ranges:  # and the numbers kept inside their category's range
        note(f"Ranges kept: {ranges}", quiet=args.quiet)
    together = describe_groups(model)
    if together:  # and the columns missing on the same rows
        note(f"Missing together: {together}", quiet=args.quiet)
    never = describe_zeros(model)
    if never:  # and the pairs of values no training row holds
        note(f"Never together: {never}", quiet=args.quiet)
    calendar = describe_calendar(model)
    if calendar:  # and a day never past its month's length
        note(f"Calendar: {calendar}", quiet=args.quiet)
    people = describe_people(model)
    if people:  # and what one synthetic person's rows share
        note(people, quiet=args.quiet)
    elif args.by == BY_NONE:  # said, as a found person is: the fit did not look for one
        note("every row is its own person (--by none): no column's rows were kept together", quiet=args.quiet)
    for warning in model.fit_warnings():  # shown even with --quiet: the samples will carry it
        note(f"warning: {warning}")
    if params.get("declared_orders"):  # read off the rows for the holder's eyes, never written into the model
        from synth.synthesizers.declared_orders import order_breaches

        # the fit's own schema: inferring one here as well read a million-row sample twice
        for breach in order_breaches(df, params["declared_orders"], model.schema_):
            note(f"warning: {breach}")
    return console.OK


def sample(args: argparse.Namespace) -> int:
    engine = "dask" if args.scheduler else args.engine
    counts = {
        "--rows": args.rows,
        "--chunk-rows": args.chunk_rows,
        "--partition-rows": args.partition_rows,
        "--workers": args.workers,
    }
    for option, value in counts.items():  # wrong arguments (2), not an unwritable output (4)
        if value is not None and value < 1:
            raise UserError(f"{option} must be a whole number of at least 1, got {value}", console.USAGE)
    # Imported once the arguments are known good: a wrong count is reported without loading pandas.
    import synth
    from synth.sampling import conditions_from_text, parse_rebalance, write_table
    from synth.sampling.writers import output_format

    # Sizes not given take write_table's defaults (the parser leaves them None).
    sizes = {
        k: v for k, v in (("chunk_rows", args.chunk_rows), ("partition_rows", args.partition_rows)) if v is not None
    }
    with user_errors():
        dataset = output_format(args.output) == "dataset"
    if engine == "dask" and not dataset:
        raise UserError("the dask engine writes a partitioned dataset: end the output path with /", console.USAGE)
    check_output(args.output, [("the model file", args.model)], overwrite=args.overwrite, dataset=dataset)
    with user_errors():
        model = synth.load_model(existing(args.model, "the model file"))
        conditions = conditions_from_text(args.where, model) if args.where.strip() else None
        rebalance = parse_rebalance(args.rebalance, model) if args.rebalance.strip() else None
        with Progress("sampling", quiet=args.quiet, total=args.rows) as bar:
            result = write_table(
                model,
                args.output,
                args.rows,
                seed=args.seed,
                conditions=conditions,
                rebalance=rebalance,
                **sizes,
                overwrite=args.overwrite,
                progress=bar,
                engine=engine,
                scheduler=args.scheduler,
                workers=args.workers,
            )
    files = f", {result.n_files} files" if result.n_files > 1 else ""
    note(
        f"wrote {result.n_rows:,} rows to {result.path} ({result.format}{files}, {result.n_bytes / 1e6:,.1f} MB) "
        f"in {result.seconds:,.1f} s ({result.rows_per_second:,.0f} rows/s, engine {result.engine})",
        quiet=args.quiet,
    )
    return console.OK


def schema(args: argparse.Namespace) -> int:
    import synth

    check_output(args.output, [("the table", args.data)], overwrite=args.overwrite)
    with user_errors():
        df, info = read(args.data, args.max_rows, 0, args.sheet)
        text = synth.infer_schema(df).to_json() + "\n"
        if args.output == "-":
            sys.stdout.write(text)
        else:
            _write_atomically(args.output, lambda p: p.write_text(text, encoding="utf-8"), args.overwrite)
            note(
                f"schema of {len(df.columns)} columns ({info.rows_used:,} rows read) → {args.output}", quiet=args.quiet
            )
    return console.OK
