"""The report's privacy for the session's current run: the Privacy page's own checks and verdict, never a second
measurement.

A race scores each run's privacy on a screening subsample (membership on 500 training rows, no shadow model, the
default attacker model). For the session's run the Privacy page has measured it in full, and the report read
"amber, set by membership inference" (AUC 0.588 over 156 training people) beside a page that said "Low risk" (AUC
0.545 over 1,316). Here the report asks the run's privacy job (:func:`ui.state.privacy_job`) for the very tasks
the page asks for (same inputs, sizes, seed and attacker model): the finished ones are reused, the others run now,
and the verdict is the page's memoised one.
"""

from __future__ import annotations

import dataclasses
import time

import streamlit as st

from synth.evaluation.privacy.attacks import AttackerModel, AttackReport
from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.distances import PrivacyResult
from synth.evaluation.privacy.rare_values import RareValueResult
from synth.evaluation.privacy.verdict import Verdict
from synth.report import ExternalResult
from synth.report.run_scoring import with_privacy
from ui import privacy_attacker, privacy_checks, state
from ui.privacy_checks import done

WAIT_SECONDS = 1800.0
"""How long the report waits for the Privacy page's checks of the run (the page itself has no limit)."""


@dataclasses.dataclass(frozen=True)
class PagePrivacy:
    """The Privacy page's finished checks of one run and its verdict, with where they come from in words."""

    privacy: PrivacyResult
    attacks: AttackReport
    rare_values: RareValueResult | None
    verdict: Verdict
    source: str


def page_privacy(ds: state.Dataset, run: state.SyntheticTable) -> PagePrivacy | None:
    """The run's privacy as the Privacy page measures and judges it; None when the page could not (its tables
    cannot be prepared, or its distance check failed): the report then screens the run itself and says so."""
    spec = state.privacy_spec(run)
    try:
        inputs = state.privacy_inputs(ds, run, spec)
    except PrivacyInputError:
        return None
    job = state.privacy_job(ds, run, spec)
    privacy_checks.submit_base(job, inputs, (ds.train, run.df, ds.holdout), ds.schema)
    learned = [c for c in ds.schema.modelled if c in run.df.columns]
    chosen, attacker_error = privacy_attacker.choice(ds, learned, show=False)
    tasks = privacy_checks.submit_verdict_attacks(job, inputs, chosen.attacker, chosen.n_attacks, attacker_error)
    names = ["distances", "rare_values", "membership", *(t.name for t in tasks)]
    with st.spinner("Running the Privacy page's checks of this run (finished ones are reused)…", show_time=True):
        privacy_checks.wait_first(job, tuple(names), time.perf_counter() + WAIT_SECONDS)
    distances = done(job.get("distances"))
    if distances is None or job.pending(names):
        return None
    mia, rare = done(job.get("membership")), done(job.get("rare_values"))
    results = [r for t in tasks if (report := done(t)) is not None for r in report.results]
    known = list(chosen.known)
    model = None if spec is None else spec[0]
    verdict = privacy_checks.verdict_of(job, model, tasks, known, distances, mia, rare, results)
    attacker = chosen.attacker if attacker_error is None else AttackerModel((), "")
    source = (
        f"the Privacy page's checks of this run, as the page shows them: every synthetic, training and holdout row "
        f"for the distances, membership attacks on up to {inputs.n_targets:,} training rows"
        + (" (the synthesizer refitted as a shadow model among them)" if spec is not None else "")
        + f", {chosen.n_attacks:,} attacks per WP216 attack with the page's attacker model, seed {inputs.seed}"
    )
    return PagePrivacy(
        dataclasses.replace(distances, membership=mia),
        AttackReport(attacker, tuple(results), chosen.n_attacks, inputs.seed),
        rare,
        verdict,
        source,
    )


def with_page_privacy(row: ExternalResult, measured: PagePrivacy) -> ExternalResult:
    """The current run's report row with the Privacy page's results in place of the row's own."""
    evaluation = row.run.evaluation
    if evaluation is None:
        return row
    judged = with_privacy(
        evaluation,
        privacy=measured.privacy,
        attacks=measured.attacks,
        rare_values=measured.rare_values,
        verdict=measured.verdict,
        source=measured.source,
    )
    return dataclasses.replace(row, run=dataclasses.replace(row.run, evaluation=judged))
