"""``synth evaluate``: fidelity and, with a holdout, privacy of a synthetic table, written as JSON (or HTML).

The summary (printed and in the JSON) carries the privacy verdict the dashboard's report shows whenever privacy
was measured, the WP216 attacks included (:mod:`synth.cli.privacy`; ``--no-attacks`` leaves them out): a copy of
the training rows reads "fidelity 1.000" and must never print as a clean pass. The JSON leaves out the attacks'
examples (each successful singling-out predicate is one training person's values) unless ``--real-examples``
asks for them and says so (``real_examples``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from typing import Any

from synth.cli import console
from synth.cli.commands import _schema, _schema_read_by, _write_atomically, user_errors
from synth.cli.console import Progress, UserError, note
from synth.cli.inputs import BY_NONE, check_output, check_person_column, person_option, read
from synth.cli.privacy import measure, membership_summary, print_privacy, verdict_summary

#: The fewest rows a table needs for the discriminator's cross-validated AUC.
MIN_ROWS = 20


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

    def build(
        real: Any,
        syn: Any,
        holdout: Any,
        schema: Any,
        name: str,
        label: str,
        attacks: bool,
        progress: Any,
        person_column: Any,
    ) -> str:
        settings = EvaluationSettings(attacks=attacks)
        external = evaluate_external(
            real,
            syn,
            holdout,
            schema=schema,
            label=label,
            settings=settings,
            progress=progress,
            person_column=person_column,
        )
        result = finish([external.run], settings)
        report = build_report(
            name=name, data=real, schema=schema, train=real, holdout=holdout, result=result, person_column=person_column
        )
        return str(report.html)

    return build


def _check_tables(args: argparse.Namespace, real: Any, syn: Any, holdout: Any, schema: Any) -> None:
    """Refuse, before any score, tables the scores cannot work with (each would otherwise fail deep inside)."""
    from synth.evaluation.privacy.common import MIN_HOLDOUT_ROWS

    missing = [c for c in schema.names if c not in syn.columns]
    if missing:
        raise UserError(
            f"the synthetic table lacks columns of the real one: {', '.join(missing[:5])}", console.BAD_INPUT
        )
    _schema_read_by(args.schema, real, schema)  # an edited schema may call a text column a number
    for what, path, table in (("real", args.real, real), ("synthetic", args.synthetic, syn)):
        if len(table) < MIN_ROWS:
            rows = f"{len(table):,} row" + ("s" if len(table) != 1 else "")
            raise UserError(
                f"the {what} table {path} has only {rows}; scoring needs at least {MIN_ROWS} in each table "
                "(a few hundred give usable intervals): evaluate larger tables",
                console.BAD_INPUT,
            )
    check_person_column(args.by, [(args.real, real), (args.holdout, holdout)])
    if holdout is not None and not args.no_privacy and len(holdout) < MIN_HOLDOUT_ROWS:
        raise UserError(
            f"the holdout {args.holdout} has {len(holdout):,} rows; privacy needs at least {MIN_HOLDOUT_ROWS} real "
            "rows the synthesizer never saw: hold out more rows, or pass --no-privacy",
            console.BAD_INPUT,
        )


def evaluate(args: argparse.Namespace) -> int:
    import synth
    from synth.evaluation.context import ContextError, EvaluationContext
    from synth.evaluation.fidelity.accuracy import evaluate_accuracy
    from synth.evaluation.fidelity.discriminator import evaluate_discriminator
    from synth.evaluation.fidelity.exact_rules import evaluate_exact_rules
    from synth.evaluation.fidelity.headline import fidelity_headline
    from synth.evaluation.fidelity.person_values import evaluate_person_values
    from synth.evaluation.results import to_jsonable
    from synth.progress import scaled
    from synth.report.html import strip_examples

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
    inputs = [("the real table", args.real), ("the synthetic table", args.synthetic)]
    check_output(
        args.output, [*inputs, ("the holdout", args.holdout), ("the schema", args.schema)], overwrite=args.overwrite
    )
    with user_errors():
        real, real_info = read(args.real, args.max_rows, args.seed, args.sheet)
        syn, syn_info = read(args.synthetic, args.max_rows, args.seed, args.synthetic_sheet, "--synthetic-sheet")
        holdout, holdout_info = (
            read(args.holdout, args.max_rows, args.seed, args.holdout_sheet, "--holdout-sheet")
            if args.holdout
            else (None, None)
        )
        schema = _schema(args.schema) or synth.infer_schema(real)
        _check_tables(args, real, syn, holdout, schema)
        # A holdout of people seen in training is no yardstick of unseen ones: say so (unless rows are people).
        if holdout is not None and args.by != BY_NONE:
            from synth.evaluation.privacy.inputs import shared_people

            shared = shared_people(real, holdout, schema, args.by)
            if shared is not None:
                note(f"warning: {shared}")
        if build_html is not None:
            with Progress("building the report", quiet=args.quiet) as bar:
                page = build_html(
                    real,
                    syn,
                    holdout,
                    schema,
                    real_info.source,
                    syn_info.source,
                    not args.no_attacks,
                    bar,
                    person_option(args.by),
                )
            _write_atomically(args.output, lambda p: p.write_text(page, encoding="utf-8"), args.overwrite)
            note(f"report on {syn_info.rows_used:,} synthetic rows → {args.output}", quiet=args.quiet)
            return console.OK
        # One evaluation context: the tables are coerced, coded and encoded once for every score below.
        try:
            person = person_option(args.by)
            context = EvaluationContext(real, syn, holdout, schema, seed=args.seed, person_column=person)
        except ContextError as exc:
            raise UserError(str(exc), console.BAD_INPUT) from exc
        if not context.compared or not context.accuracy_bins:
            raise UserError(
                f"no column of {args.real} can be compared: in its {len(real):,} rows every column is an identifier, "
                "free text, personal data or constant; evaluate a table with columns that vary",
                console.BAD_INPUT,
            )
        with Progress("scoring fidelity", quiet=args.quiet) as bar:
            fidelity = synth.evaluate_fidelity(context=context, progress=bar, seed=args.seed)
        with Progress("marginal accuracy and discriminator", quiet=args.quiet) as bar:
            accuracy = evaluate_accuracy(context=context, seed=args.seed, progress=scaled(bar, 0.0, 0.5))
            discriminator = evaluate_discriminator(context=context, seed=args.seed, progress=scaled(bar, 0.5, 0.95))
            try:  # the rules every real row holds, and their breaks: a failure leaves the other scores standing
                rules = evaluate_exact_rules(context=context)
            except Exception as exc:
                rules = ()
                note(f"warning: the rules every real row holds could not be checked: {exc}")
            try:  # the values each real person keeps across their rows (with a person column)
                people = evaluate_person_values(context=context)
            except Exception as exc:
                people = None
                note(f"warning: the values people keep across their rows could not be checked: {exc}")
        headline = fidelity_headline(accuracy, discriminator, rules, people)
        privacy = attacks = verdict = None
        if holdout is not None and not args.no_privacy:
            privacy, attacks, verdict = measure(args, real, syn, holdout, schema)
        summary = {
            "fidelity": fidelity.overall,
            "headline": headline.sentence,
            "fidelity_level": headline.level,
            "accuracy": {
                {1: "univariate", 2: "bivariate", 3: "trivariate"}[o.order]: {"value": o.value, "ceiling": o.reference}
                for o in accuracy.orders
            },
            "discriminator_auc": discriminator.auc,
            "discriminator_reference_auc": discriminator.reference_auc,
            # "holdout", or "train" without --holdout (a table that tracks its training rows then reads low)
            "discriminator_real_rows": discriminator.real_rows,
            # Rules every real row holds (a weekday of its date, a total of its parts) that synthetic rows break.
            "rules_broken": sum(1 for b in rules if b.broken),
            # The largest share of synthetic people (two or more rows) holding two values of a column every real
            # person keeps one of (a patient's two birth dates); None without a person column or repeated ids.
            "people_changing": None if people is None or people.worst is None else people.worst.synthetic_share,
            # The shares of synthetic and real rows whose person is on another row too (a fresh id on every row
            # loses what a per-person analysis counts); None without a person column.
            "rows_sharing_person": None
            if people is None
            else {"synthetic": people.synthetic_repeated_rows, "real": people.real_repeated_rows},
            # The privacy verdict travels with the fidelity headline: a copy of train is "as good as real".
            **(verdict_summary(verdict, attacks) if verdict is not None else {"privacy_level": None}),
            # The strongest membership attack over rows and, with a person column, over people.
            "membership": membership_summary(privacy),
        }
        doc = {
            "summary": summary,
            "accuracy": to_jsonable(accuracy.to_dict()),
            "discriminator": to_jsonable(discriminator.to_dict()),
            "inputs": {
                "real": real_info.to_dict(),
                "synthetic": syn_info.to_dict(),
                "holdout": holdout_info.to_dict() if holdout_info else None,
            },
            "fidelity": to_jsonable(fidelity.to_dict()),
            "exact_rules": [
                {"rule": b.rule, "columns": list(b.columns), "checked": b.checked, "broken": b.broken, "share": b.share}
                for b in rules
            ],
            "person_values": to_jsonable(dataclasses.asdict(people)) if people is not None else None,
            "privacy": to_jsonable(privacy.to_dict()) if privacy is not None else None,
            "privacy_verdict": verdict.to_dict() if verdict is not None else None,
            # The WP216 attacks with their main, control and baseline rates and the risk's interval.
            "attacks": attacks.to_dict() if attacks is not None else None,
            "privacy_note": None if privacy is not None else "privacy needs --holdout (and no --no-privacy)",
            "attacks_note": None
            if attacks is not None
            else "the attacks need --holdout (and no --no-privacy or --no-attacks)",
        }
        doc["real_examples"] = bool(args.real_examples)
        if not args.real_examples:  # a successful predicate is one real person's values: shared only when asked
            doc = strip_examples(doc)
        text = json.dumps(doc, indent=2, allow_nan=False, default=str)
        _write_atomically(args.output, lambda p: p.write_text(text, encoding="utf-8"), args.overwrite)
    overall = getattr(fidelity, "overall", None)
    score = f"fidelity {overall:.3f}" if isinstance(overall, float) else "fidelity scored"
    note(f"{score} on {syn_info.rows_used:,} synthetic rows → {args.output}: {headline.sentence}", quiet=args.quiet)
    if verdict is not None:
        print_privacy(verdict, attacks, args.quiet, privacy)
    elif args.no_privacy:
        note("privacy not measured (--no-privacy)", quiet=args.quiet)
    else:
        note("privacy not measured: pass --holdout (real rows kept out of the fit)", quiet=args.quiet)
    return console.OK
