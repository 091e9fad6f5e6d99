"""Scoring one synthetic table into a :class:`~synth.report.evaluation.TableEvaluation`: every fidelity, utility
and privacy part the report and the Race read, each failing on its own (a part that raises is ``None`` with its
message), with progress and cancellation. :mod:`synth.report.evaluation` holds the settings and the result and
re-exports these entry points.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from synth.evaluation.context import EvaluationContext
from synth.evaluation.fidelity.accuracy import evaluate_accuracy
from synth.evaluation.fidelity.detection import evaluate_detection
from synth.evaluation.fidelity.discriminator import evaluate_discriminator
from synth.evaluation.fidelity.exact_rules import evaluate_exact_rules
from synth.evaluation.fidelity.person_values import evaluate_person_values
from synth.evaluation.fidelity.scores import evaluate_fidelity
from synth.evaluation.privacy.attack_result import AttackReport
from synth.evaluation.privacy.attacks import evaluate_attacks
from synth.evaluation.privacy.distances import PrivacyInputs, PrivacyResult, evaluate_privacy
from synth.evaluation.privacy.rare_values import RareValueResult, evaluate_rare_values
from synth.evaluation.privacy.verdict import Verdict, privacy_verdict
from synth.evaluation.reference import RealReference
from synth.evaluation.utility.tstr import default_target, evaluate_utility
from synth.progress import Cancelled, ProgressCallback, ensure, scaled
from synth.report.evaluation import SCREENING, EvaluationSettings, TableEvaluation
from synth.schema import Schema, infer_schema
from synth.schema.entities import FIND_PERSON, PersonColumn

PRIVACY_STARTS = 0.55
"""Where the privacy parts start on the scoring's progress bar (the parts before them end there)."""


def evaluate_table(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    *,
    schema: Schema | None = None,
    settings: EvaluationSettings | None = None,
    progress: ProgressCallback | None = None,
    reference: RealReference | None = None,
    person_column: PersonColumn = FIND_PERSON,
) -> TableEvaluation:
    """Score ``synthetic`` against the real ``train`` it imitates and the ``holdout`` it never saw.

    Builds the :class:`EvaluationContext` and calls :func:`evaluate_context` (prefer that when a context exists).

    Args:
        train / synthetic / holdout: the three tables, with the schema's columns.
        schema: column kinds and attacker flags (inferred from ``train`` when omitted).
        settings: which parts to run and how thoroughly.
        progress: called with (fraction, message); raising :class:`synth.Cancelled` stops the evaluation.
        reference: real-only results shared with other tables scored against the same train and holdout.
        person_column: the column naming whose row each real row is (the one the table was split by); found by
            :func:`~synth.schema.entities.entity_column` when omitted; None: each row is its own person. Membership
            is then also scored over people, and singling out counts people.

    Returns:
        A :class:`TableEvaluation`; a part that raised is ``None`` with its message in ``errors``.
    """
    settings = settings or EvaluationSettings()
    if reference is not None:
        schema = schema or reference.schema
    schema = schema or infer_schema(train)
    context = EvaluationContext(
        train, synthetic, holdout, schema, seed=settings.seed, reference=reference, person_column=person_column
    )
    return evaluate_context(context, settings=settings, progress=progress)


def evaluate_context(
    context: EvaluationContext,
    *,
    settings: EvaluationSettings | None = None,
    progress: ProgressCallback | None = None,
    model: str | None = None,
) -> TableEvaluation:
    """Score the synthetic table of ``context`` against its real train and holdout.

    Args:
        context: the tables, prepared once (give it a :class:`RealReference` to share real-only results
            between several synthetic tables); it needs a holdout of at least 100 rows for the privacy parts.
        settings: which parts to run and how thoroughly (``settings.seed`` should be ``context.seed``).
        progress: called with (fraction, message); raising :class:`synth.Cancelled` stops the evaluation.
        model: the registered name of the synthesizer that made the table, when known: the verdict's advice then
            names its own settings (a race's copula was told to raise CART's).

    Returns:
        A :class:`TableEvaluation`; a part that raised is ``None`` with its message in ``errors``.
    """
    settings = settings or EvaluationSettings()
    train, synthetic, holdout, schema = context.train, context.synthetic, context.holdout, context.schema
    if holdout is None:
        raise ValueError("evaluating a table for a race or a report needs a real holdout: split the data first")
    report = ensure(progress)
    errors: dict[str, str] = {}
    seed = settings.seed

    # Without the privacy parts (the caller brings the Privacy page's) the rest fills the bar: it stopped at 55%,
    # then jumped to the end.
    stretch = 1.0 if settings.privacy else 1.0 / PRIVACY_STARTS

    def attempt(part: str, start: float, stop: float, call: Any) -> Any:
        start, stop = min(start * stretch, 1.0), min(stop * stretch, 1.0)
        report(start, f"scoring {part}")
        try:
            return call(scaled(progress, start, stop))
        except Cancelled:
            raise
        except Exception as exc:  # one failed part must not hide the others
            errors[part] = f"{type(exc).__name__}: {exc}"
            return None

    accuracy = discriminator = exact_rules = person_values = None
    if settings.headline:
        accuracy = attempt("accuracy", 0.0, 0.05, lambda p: evaluate_accuracy(context=context, seed=seed, progress=p))
        discriminator = attempt(
            "discriminator",
            0.05,
            0.1,
            lambda p: evaluate_discriminator(
                context=context, max_rows=settings.discriminator_rows, seed=seed, progress=p
            ),
        )
        exact_rules = attempt("exact rules", 0.1, 0.1, lambda p: evaluate_exact_rules(context=context))
        person_values = attempt("person values", 0.1, 0.1, lambda p: evaluate_person_values(context=context))
    fidelity = attempt(
        "fidelity",
        0.1,
        0.2,
        lambda p: evaluate_fidelity(
            context=context,
            run_sdmetrics=settings.run_sdmetrics,
            n_bootstrap=settings.n_bootstrap,
            seed=seed,
            progress=p,
        ),
    )
    detection = None
    if settings.detection:
        detection = attempt(
            "detection",
            0.2,
            0.35,
            lambda p: evaluate_detection(
                train,
                synthetic,
                holdout=holdout,
                schema=schema,
                max_rows=settings.detection_rows,
                seed=seed,
                progress=p,
                context=context,
            ),
        )
    utility = None
    shared = [c for c in schema.modelled if c in synthetic.columns]
    target = (
        settings.target if settings.target in shared else default_target(schema, shared, data=train, holdout=holdout)
    )
    if settings.utility and target is not None:
        utility = attempt(
            "utility",
            0.35,
            PRIVACY_STARTS,
            lambda p: evaluate_utility(
                train,
                synthetic,
                holdout,
                target=target,
                schema=schema,
                seed=seed,
                max_train_rows=settings.utility_rows,
                importance_repeats=1,
                progress=p,
                context=context,
                # A class one employee's many payslips hold is one person's: named only when enough people hold it.
                person_column=context.people,
            ),
        )
    # One set of privacy inputs for the distance panel and the attacks; the searches among real rows come from
    # the context (once per race when it has a shared reference).
    inputs = None
    if settings.privacy:
        inputs = attempt(
            "privacy",
            PRIVACY_STARTS,
            0.56,
            lambda p: PrivacyInputs(
                train,
                holdout,
                synthetic,
                schema,
                seed=seed,
                n_targets=settings.membership_targets,
                person_column=context.person_column,
            ),
        )
    privacy = attacks = None
    if inputs is not None:
        inputs.share_real_only(context.real_once)
        privacy = attempt(
            "privacy",
            0.56,
            0.75,
            lambda p: evaluate_privacy(
                train,
                synthetic,
                holdout=holdout,
                schema=schema,
                seed=seed,
                membership_targets=settings.membership_targets,
                progress=p,
                inputs=inputs,
            ),
        )
        if settings.attacks:
            attacks = attempt(
                "attacks",
                0.75,
                1.0,
                lambda p: evaluate_attacks(
                    train,
                    synthetic,
                    holdout=holdout,
                    schema=schema,
                    n_attacks=settings.n_attacks,
                    seed=seed,
                    progress=p,
                    inputs=inputs,
                ),
            )
    rare_values = None
    if privacy is not None:
        # Counting values is cheap beside the distances: without it the report's verdict and card said "Not
        # measured: Real values copied" for a run whose Privacy page had measured it (learned columns, as there).
        rare_values = attempt(
            "rare values",
            1.0,
            1.0,
            lambda p: evaluate_rare_values(train, synthetic, holdout, schema=schema, columns=schema.modelled),
        )
    verdict = None
    if privacy is not None:
        verdict = privacy_verdict(
            privacy,
            attacks.results if attacks is not None else (),
            model=model,
            quasi_identifiers=attacks.attacker.known if attacks is not None else (),
            rare_values=rare_values,
        )
    report(1.0, "scored")
    return TableEvaluation(
        fidelity=fidelity,
        detection=detection,
        utility=utility,
        privacy=privacy,
        attacks=attacks,
        verdict=verdict,
        columns=tuple(c for c in schema.names if c in synthetic.columns),
        settings=settings,
        errors=errors,
        accuracy=accuracy,
        discriminator=discriminator,
        rare_values=rare_values,
        privacy_source=screening_source(settings) if verdict is not None else "",
        exact_rules=exact_rules,
        person_values=person_values,
    )


def screening_source(settings: EvaluationSettings) -> str:
    """How a race scores privacy, in words: membership on a seeded subsample and no shadow model, so its light can
    differ from the Privacy page's on the same run (a report read amber at AUC 0.588 over 156 training people where
    the page read green at 0.545 over 1,316)."""
    return (
        f"{SCREENING}: membership attacks on about {settings.membership_targets:,} training rows, seed "
        f"{settings.seed}, no shadow-model attack, the default attacker model; the Privacy page scores the run in "
        "full and its verdict is the run's"
    )


def with_privacy(
    evaluation: TableEvaluation,
    *,
    privacy: PrivacyResult,
    attacks: AttackReport | None,
    rare_values: RareValueResult | None,
    verdict: Verdict,
    source: str,
) -> TableEvaluation:
    """``evaluation`` with privacy parts measured elsewhere (the Privacy page's checks of the same run) in place of
    its own, and ``source`` saying where they come from: the report then shows the verdict, membership AUC and
    risks the page shows, not a second measurement on a subsample."""
    errors = {k: v for k, v in evaluation.errors.items() if k not in ("privacy", "attacks", "rare values")}
    return replace(
        evaluation,
        privacy=privacy,
        attacks=attacks,
        rare_values=rare_values,
        verdict=verdict,
        errors=errors,
        privacy_source=source,
    )
