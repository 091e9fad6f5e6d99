"""``synth race``: the Race page without a browser. Several synthesizers (or settings of one) fitted on the same
training table, each sampled with the same seed and scored against the same holdout; the leaderboard and the pick
are printed, and the Report page's metrics JSON or HTML report written.

    synth race train.csv --holdout holdout.csv -o race.html
    synth race train.csv --holdout holdout.csv -s gaussian_copula -s cart:min_samples_leaf=40 -o race.json

A run that fails (a parameter out of range, a fit out of memory) is reported in its row and the others go on, as on
the page; the command fails (exit 3) only when no run could be scored. The JSON and HTML leave out the attacks'
examples (a successful singling-out predicate quotes one training person's values) and real rows, as the page's
downloads do, unless ``--real-rows`` asks for them (the output then says so: ``include_real_rows``).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from synth.cli import console
from synth.cli.commands import _param, _schema, _schema_read_by, _write_atomically, user_errors
from synth.cli.console import Progress, UserError, note
from synth.cli.inputs import BY_NONE, check_output, check_person_column, person_option, read

if TYPE_CHECKING:
    from synth.report.race_time import RaceClock

#: Leaderboard columns printed, in order (the page's Fidelity tab, the privacy verdict, the fit time).
PRINTED = ("run", "status", "trivariate (95% CI)", "detection AUC", "fidelity", "privacy", "fit s")


def contenders(specs: list[str]) -> list[Any]:
    """``-s`` values as race contenders: ``NAME`` or ``NAME:key=value,key=value`` (values read as JSON where they
    are, e.g. ``cart:min_samples_leaf=40``, ``privbayes:epsilon=3``); none given: every synthesizer the Race page
    races by default (not the independent baseline, not a peer library's)."""
    import synth
    from synth.report import Contender
    from synth.synthesizers.registry import is_peer

    names = synth.available()
    if not specs:
        return [Contender(n) for n in names if n != "independent" and not is_peer(n)]
    out = []
    for spec in specs:
        name, _, rest = spec.partition(":")
        name = name.strip()
        if name not in names:
            raise UserError(f"-s {spec}: no synthesizer named {name!r}; available: {', '.join(names)}", console.USAGE)
        usage = f"-s {spec}: settings follow the colon as key=value, e.g. cart:min_samples_leaf=40"
        params = dict(_param(p, usage) for p in rest.split(",") if p.strip())
        out.append(Contender(name, params))
    return out


def _board_text(result: Any) -> str:
    from synth.report.leaderboard import leaderboard_text

    board = leaderboard_text(result)
    shown = board[[c for c in PRINTED if c in board.columns]]
    return str(shown.to_string(index=False))


def race_clock(train: Any, schema: Any, entries: Sequence[Any]) -> RaceClock:
    """The race's clock, each run's fit priced by its calibrated estimate (a peer's: None)."""
    from synth.audit import fit_estimates
    from synth.report.race_time import RaceClock

    names = sorted({e.name for e in entries})
    try:
        estimates = {e.synthesizer: e.seconds for e in fit_estimates(train, schema, synthesizers=names)}
    except Exception:  # an estimate is a courtesy: the race runs without it (every fit then priced alike)
        estimates = {}
    return RaceClock([estimates.get(e.name) for e in entries])


def with_time_left(bar: Callable[[float, str], None], clock: RaceClock) -> Callable[[float, str], None]:
    """The bar's callback with the time left added to its message, judged as the Race page judges it (fits differ
    by orders of magnitude between synthesizers, so the bar's own linear estimate would mislead)."""

    def report(fraction: float, message: str, /) -> None:
        bar(fraction, f"{message} · {clock.words()}")

    return report


def race(args: argparse.Namespace) -> int:
    import pandas as pd

    import synth
    from synth.evaluation.privacy.common import MIN_HOLDOUT_ROWS
    from synth.report import EvaluationSettings
    from synth.report.html import ReportOptions, build_report

    html = args.output.lower().endswith((".html", ".htm"))
    if not html and not args.output.lower().endswith(".json"):
        raise UserError(f"cannot tell what to write to -o {args.output}: name it .json or .html", console.USAGE)
    if args.rows is not None and args.rows < 1:
        raise UserError(f"--rows must be at least 1; got {args.rows}", console.USAGE)
    if args.k < 1:
        raise UserError(f"--k must be at least 1 (1 suppresses nothing); got {args.k}", console.USAGE)
    entries = contenders(args.synthesizer)
    inputs = [("the training table", args.train), ("the holdout", args.holdout), ("the schema", args.schema)]
    check_output(args.output, inputs, overwrite=args.overwrite)
    with user_errors():
        train, train_info = read(args.train, args.max_rows, args.seed, args.sheet)
        holdout, _ = read(args.holdout, args.max_rows, args.seed, args.holdout_sheet, "--holdout-sheet")
        schema = _schema(args.schema) or synth.infer_schema(train)
        if len(holdout) < MIN_HOLDOUT_ROWS:
            raise UserError(
                f"the holdout {args.holdout} has {len(holdout):,} rows; a race scores privacy against at least "
                f"{MIN_HOLDOUT_ROWS} real rows the synthesizers never saw: hold out more rows",
                console.BAD_INPUT,
            )
        _schema_read_by(args.schema, train, schema)  # said once, not in every run's row
        lacking = [c for c in schema.names if c in train.columns and c not in holdout.columns]
        if lacking:
            raise UserError(
                f"the holdout {args.holdout} lacks columns of the training table: {', '.join(lacking[:5])}",
                console.BAD_INPUT,
            )
        check_person_column(args.by, [(args.train, train), (args.holdout, holdout)])
        if args.by != BY_NONE:  # a holdout of people seen in training is no yardstick of unseen ones
            from synth.evaluation.privacy.inputs import shared_people

            shared = shared_people(train, holdout, schema, args.by)
            if shared is not None:
                note(f"warning: {shared}")
        person = person_option(args.by)
        settings = EvaluationSettings(attacks=not args.no_attacks)
        n_rows = args.rows or len(train)
        runs = f"{len(entries)} run" + ("s" if len(entries) != 1 else "")
        note(f"racing {runs} on {len(train):,} training rows, {n_rows:,} synthetic rows each", quiet=args.quiet)
        started = time.perf_counter()
        clock = race_clock(train, schema, entries)
        with Progress("racing", quiet=args.quiet, eta=False) as bar:
            result = synth.race(
                train,
                holdout,
                entries,
                schema=schema,
                n_rows=n_rows,
                sample_seed=args.seed,
                settings=settings,
                progress=with_time_left(bar, clock),
                run_progress=clock.progress_for,
                on_result=clock.on_result,
                person_column=person,
            )
        raced = time.perf_counter() - started
        if not any(r.ok for r in result.runs):
            errors = "; ".join(f"{r.label}: {r.error}" for r in result.runs)
            raise UserError(f"no run could be scored ({errors})", console.IMPOSSIBLE)
        whole = pd.concat([train, holdout], ignore_index=True)  # the real table the two files were split from
        report = build_report(
            name=train_info.source,
            data=whole,
            audit=synth.audit(whole, schema, fit_rows=train),  # the Data page's pre-flight findings, as the page's
            schema=schema,
            train=train,
            holdout=holdout,
            result=result,
            options=ReportOptions(k=args.k, include_real_rows=args.real_rows),
            person_column=person,
        )
        text = report.html if html else report.json_text()
        _write_atomically(args.output, lambda p: p.write_text(text, encoding="utf-8"), args.overwrite)
    note(_board_text(result), quiet=args.quiet)
    for run in result.runs:  # shown even with --quiet: a run the user asked for did not happen
        if not run.ok:
            note(f"warning: {run.label} failed: {run.error}")
    note(result.reason, quiet=args.quiet)
    note(f"raced in {raced:,.0f} s → {args.output}", quiet=args.quiet)
    return console.OK
