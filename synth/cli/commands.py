"""The four commands. Each turns every user mistake into a :class:`UserError` with a one-line message."""

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


@contextmanager
def user_errors() -> Iterator[None]:
    """Map the package's errors onto one-line messages and exit codes."""
    from synth.evaluation.fidelity.segments import SegmentError
    from synth.io import TableReadError
    from synth.progress import Cancelled
    from synth.sampling.writers import OutputError
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
        raise UserError(str(exc), console.IMPOSSIBLE) from exc
    except Cancelled as exc:
        raise UserError("cancelled; nothing was left half-written", console.CANCELLED) from exc
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise UserError(f"the disk is full: {exc.filename or ''}", console.OUTPUT) from exc
        raise UserError(f"{exc.strerror or exc}: {exc.filename or ''}", console.OUTPUT) from exc


def _existing(path: str, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise UserError(f"{what} {path} does not exist: check the path", console.BAD_INPUT)
    return p


def _read(path: str, max_rows: int, seed: int) -> tuple[Any, Any]:
    from synth.large_tables import read_sample

    if max_rows < 1:
        raise UserError(f"--max-rows must be at least 1, got {max_rows}", console.USAGE)
    return read_sample(_existing(path, "the table"), max_rows, seed=seed)


def _schema(path: str | None) -> Any:
    if path is None:
        return None
    from synth.schema import Schema

    text = _existing(path, "the schema").read_text(encoding="utf-8", errors="replace")
    try:
        return Schema.from_json(text)
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(f"{path} is not a schema written by `synth schema`: {exc}", console.BAD_INPUT) from exc


def _param(text: str) -> tuple[str, Any]:
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise UserError(f"--param takes key=value, e.g. n_knots=50; got {text!r}", console.USAGE)
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw  # a bare word such as stratify=auto
    return key.strip(), value


def _write_atomically(path: str, write: Any) -> None:
    """Write through a temporary file beside ``path`` so a failure leaves no half-written output."""
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
        os.replace(tmp, target)
    except OSError as exc:
        reason = "the disk is full" if exc.errno == errno.ENOSPC else exc.strerror or str(exc)
        raise UserError(f"cannot write {path}: {reason}", console.OUTPUT) from exc
    finally:
        Path(tmp).unlink(missing_ok=True)


def fit(args: argparse.Namespace) -> int:
    import synth
    from synth.synthesizers.column_order import describe_orders
    from synth.synthesizers.derived import describe_rules

    if args.synthesizer not in synth.available():
        raise UserError(
            f"no synthesizer named {args.synthesizer!r}; available: {', '.join(synth.available())}", console.USAGE
        )
    with user_errors():
        params = dict(_param(p) for p in args.param)
        model = synth.create(args.synthesizer, random_state=args.seed, **params)
        schema = _schema(args.schema)
        df, info = _read(args.data, args.max_rows, args.seed)
        with Progress(f"fitting {model.label}", quiet=args.quiet) as bar:
            model.fit(df, schema, progress=bar)
        # Recorded in the model file: what the model was fitted on (a sample when the input was larger).
        model.training_input_ = info.to_dict()  # type: ignore[attr-defined]
        _write_atomically(args.output, model.save)
    sampled = f" (a seeded sample of {info.source_rows:,} rows, seed {info.seed})" if info.sampled else ""
    note(f"fitted {model.label} on {info.rows_used:,} rows{sampled} → {args.output}", quiet=args.quiet)
    rules = describe_rules(model)
    if rules:  # what the Synthesize page shows under the fit: columns computed, not modelled
        note(rules, quiet=args.quiet)
    orders = describe_orders(model)
    if orders:  # and the orders between columns every synthetic row keeps
        note(orders, quiet=args.quiet)
    for warning in model.fit_warnings():  # shown even with --quiet: the samples will carry it
        note(f"warning: {warning}")
    return console.OK


def sample(args: argparse.Namespace) -> int:
    import synth
    from synth.sampling import conditions_from_text, parse_rebalance, write_table

    engine = "dask" if args.scheduler else args.engine
    with user_errors():
        model = synth.load_model(_existing(args.model, "the model file"))
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
                chunk_rows=args.chunk_rows,
                partition_rows=args.partition_rows,
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

    with user_errors():
        df, info = _read(args.data, args.max_rows, 0)
        text = synth.infer_schema(df).to_json() + "\n"
        if args.output == "-":
            sys.stdout.write(text)
        else:
            _write_atomically(args.output, lambda p: p.write_text(text, encoding="utf-8"))
            note(
                f"schema of {len(df.columns)} columns ({info.rows_used:,} rows read) → {args.output}", quiet=args.quiet
            )
    return console.OK


def _html_builder() -> Any:
    """A function building the dashboard's HTML report, when this version has one (``synth.report``), else None.

    The report scores the synthetic table as an external table (a race of one) and renders the same HTML the
    Race and report page downloads.
    """
    try:
        from synth.report import evaluate_external  # type: ignore[attr-defined,unused-ignore]
        from synth.report.evaluation import EvaluationSettings  # type: ignore[import-not-found,unused-ignore]
        from synth.report.html import build_report  # type: ignore[import-not-found,unused-ignore]
        from synth.report.race import finish  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None

    def build(real: Any, syn: Any, holdout: Any, schema: Any, name: str, label: str, progress: Any) -> str:
        external = evaluate_external(real, syn, holdout, schema=schema, label=label, progress=progress)
        result = finish([external.run], EvaluationSettings())
        report = build_report(name=name, data=real, schema=schema, train=real, holdout=holdout, result=result)
        return str(report.html)

    return build


def evaluate(args: argparse.Namespace) -> int:
    import synth
    from synth.evaluation.context import ContextError, EvaluationContext
    from synth.evaluation.fidelity.accuracy import evaluate_accuracy
    from synth.evaluation.fidelity.discriminator import evaluate_discriminator
    from synth.evaluation.fidelity.headline import fidelity_headline
    from synth.evaluation.results import to_jsonable
    from synth.progress import scaled

    html = args.output.lower().endswith((".html", ".htm"))
    build_html = _html_builder() if html else None
    if html and build_html is None:
        raise UserError(
            "this version has no HTML report (synth.report); write a JSON report instead: -o report.json",
            console.USAGE,
        )
    if html and not args.holdout:
        raise UserError(
            "an HTML report compares against real rows held out from fitting: pass --holdout", console.USAGE
        )
    with user_errors():
        real, real_info = _read(args.real, args.max_rows, args.seed)
        syn, syn_info = _read(args.synthetic, args.max_rows, args.seed)
        holdout, holdout_info = _read(args.holdout, args.max_rows, args.seed) if args.holdout else (None, None)
        schema = _schema(args.schema) or synth.infer_schema(real)
        missing = [c for c in schema.names if c not in syn.columns]
        if missing:
            raise UserError(
                f"the synthetic table lacks columns of the real one: {', '.join(missing[:5])}", console.BAD_INPUT
            )
        if build_html is not None:
            with Progress("building the report", quiet=args.quiet) as bar:
                page = build_html(real, syn, holdout, schema, real_info.source, syn_info.source, bar)
            _write_atomically(args.output, lambda p: p.write_text(page, encoding="utf-8"))
            note(f"report on {syn_info.rows_used:,} synthetic rows → {args.output}", quiet=args.quiet)
            return console.OK
        # One evaluation context: the tables are coerced, coded and encoded once for every score below.
        try:
            context = EvaluationContext(real, syn, holdout, schema, seed=args.seed)
        except ContextError as exc:
            raise UserError(str(exc), console.BAD_INPUT) from exc
        with Progress("scoring fidelity", quiet=args.quiet) as bar:
            fidelity = synth.evaluate_fidelity(context=context, progress=bar, seed=args.seed)
        with Progress("marginal accuracy and discriminator", quiet=args.quiet) as bar:
            accuracy = evaluate_accuracy(context=context, seed=args.seed, progress=scaled(bar, 0.0, 0.5))
            discriminator = evaluate_discriminator(context=context, seed=args.seed, progress=scaled(bar, 0.5, 1.0))
        headline = fidelity_headline(accuracy, discriminator)
        privacy = None
        if holdout is not None and not args.no_privacy:
            with Progress("measuring privacy", quiet=args.quiet) as bar:
                privacy = synth.evaluate_privacy(
                    real, syn, holdout=holdout, schema=schema, progress=bar, seed=args.seed
                )
        doc = {
            "summary": {
                "fidelity": fidelity.overall,
                "headline": headline.sentence,
                "fidelity_level": headline.level,
                "accuracy": {
                    {1: "univariate", 2: "bivariate", 3: "trivariate"}[o.order]: {
                        "value": o.value,
                        "ceiling": o.reference,
                    }
                    for o in accuracy.orders
                },
                "discriminator_auc": discriminator.auc,
                "discriminator_reference_auc": discriminator.reference_auc,
                # "holdout", or "train" without --holdout (a table that tracks its training rows then reads low)
                "discriminator_real_rows": discriminator.real_rows,
            },
            "accuracy": to_jsonable(accuracy.to_dict()),
            "discriminator": to_jsonable(discriminator.to_dict()),
            "inputs": {
                "real": real_info.to_dict(),
                "synthetic": syn_info.to_dict(),
                "holdout": holdout_info.to_dict() if holdout_info else None,
            },
            "fidelity": to_jsonable(fidelity.to_dict()),
            "privacy": to_jsonable(privacy.to_dict()) if privacy is not None else None,
            "privacy_note": None if privacy is not None else "privacy needs --holdout (and no --no-privacy)",
        }
        text = json.dumps(doc, indent=2, allow_nan=False, default=str)
        _write_atomically(args.output, lambda p: p.write_text(text, encoding="utf-8"))
    overall = getattr(fidelity, "overall", None)
    score = f"fidelity {overall:.3f}" if isinstance(overall, float) else "fidelity scored"
    note(f"{score} on {syn_info.rows_used:,} synthetic rows → {args.output}", quiet=args.quiet)
    return console.OK
