"""The report's privacy for the session's current run: the Privacy page's own checks and verdict, never a second
measurement.

A race scores each run's privacy on a screening subsample (membership on 500 training rows, no shadow model, the
default attacker model). For the session's run the Privacy page has measured it in full, and the report read
"amber, set by membership inference" (AUC 0.588 over 156 training people) beside a page that said "Low risk" (AUC
0.545 over 1,316). Here the report asks the run's privacy job (:func:`ui.state.privacy_job`) for the very tasks
the page asks for (same inputs, sizes, seed and attacker model): the finished ones are reused, the others run now,
and the verdict is the page's memoised one.

Adding the run (:func:`current_row`) shows one progress bar through both steps: the Privacy page's checks while they
run (each task's own progress; a spinner stood still ~12 s there in a walk), then the scoring of fidelity and
utility, which reuses the real-only results Compare computed for the split (:func:`ui.state.real_reference`).
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
from synth.progress import ProgressCallback, scaled
from synth.report import ExternalResult
from synth.report.run_scoring import with_privacy
from ui import cached, privacy_attacker, privacy_checks, state
from ui.privacy_checks import done
from ui.privacy_job import PrivacyJob
from ui.progress import StreamlitProgress

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


def page_privacy(
    ds: state.Dataset, run: state.SyntheticTable, progress: ProgressCallback | None = None
) -> PagePrivacy | None:
    """The run's privacy as the Privacy page measures and judges it; None when the page could not (its tables
    cannot be prepared, or its distance check failed): the report then screens the run itself and says so.

    ``progress``: where the wait for the checks still running is shown (a spinner when None)."""
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
    if progress is None:
        with st.spinner("Running the Privacy page's checks of this run (finished ones are reused)…", show_time=True):
            privacy_checks.wait_first(job, tuple(names), time.perf_counter() + WAIT_SECONDS)
    else:
        wait_shown(job, names, progress, time.perf_counter() + WAIT_SECONDS)
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


PRIVACY_SHARE = 0.6
"""The share of the add's bar that the Privacy page's checks take when none has finished (on the hr and clinic walk
tables they take 1.5–4× as long as the scoring after them, ``benchmarks/bench_privacy_time.py``); finished checks
take none of it."""
VERDICT_CHECKS = ("distances", "rare_values", "membership")
"""The checks the verdict reads besides its two attack tasks (singling out; linkability and inference)."""
POLL_SECONDS = 0.2


def wait_shown(job: PrivacyJob, names: list[str], progress: ProgressCallback, deadline: float) -> None:
    """Wait until the tasks ``names`` are in (or ``time.perf_counter()`` reaches ``deadline``), reporting their
    progress: each task counts for an equal part, with the running one's message."""
    while (pending := job.pending(names)) and time.perf_counter() < deadline:
        tasks = [task for name in names if (task := job.get(name)) is not None]
        done_share = sum(1.0 if t.finished else t.fraction for t in tasks) / max(len(tasks), 1)
        running = next((t for t in pending if t.status == "running"), pending[0])
        progress(done_share, f"{running.label} ({running.message})")
        time.sleep(POLL_SECONDS)


def _checks_left(job: PrivacyJob) -> float:
    """The share of the verdict's checks not finished yet (a head start may have queued only the first cards)."""
    finished = [
        n for n, t in list(job.tasks.items()) if t.finished and (n in VERDICT_CHECKS or n.startswith("attacks|"))
    ]
    expected = len(VERDICT_CHECKS) + 2
    return 1.0 - min(len(finished), expected) / expected


def current_row(ds: state.Dataset, fit: state.FittedModel, run: state.SyntheticTable, label: str) -> ExternalResult:
    """The session's current run as a report row: its privacy the Privacy page's (:func:`page_privacy`), the rest
    scored now, under one progress bar that moves through both."""
    bar = StreamlitProgress(f"Adding {label} to the report")
    share = PRIVACY_SHARE * _checks_left(state.privacy_job(ds, run, state.privacy_spec(run)))
    try:
        measured = page_privacy(ds, run, progress=scaled(bar, 0.0, share))
        row = cached.evaluate_run(
            f"{ds.key}|{fit.id}|{run.id}",
            label,
            ds.train,
            ds.holdout,
            fit.model,
            run.df,
            run.seed,
            fit.fit_seconds,
            run.sample_seconds,
            ds.schema,
            ds.split_by,
            privacy=measured is None,
            reference=state.real_reference(ds),
            progress=scaled(bar, share, 1.0),
        )
    finally:
        bar.bar.empty()
    return row if measured is None else with_page_privacy(row, measured)
