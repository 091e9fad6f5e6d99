"""The Privacy page's checks as background tasks (:mod:`ui.privacy_job`), and how the page shows a task.

Each ``submit_*`` hands one plain ``synth`` call on the run's shared
:class:`~synth.evaluation.privacy.inputs.PrivacyInputs` to the session's worker (once per name: a rerun or a
return to the page finds the task, running or done). :func:`shown` draws a task's progress or error and returns its
result once it is in; :func:`poll` is the fragment that reruns the page when a result lands.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import pandas as pd
import streamlit as st

import synth
from synth.evaluation.privacy.attacks import AttackerModel, AttackReport, AttackResult, Criterion, evaluate_attacks
from synth.evaluation.privacy.distances import PrivacyResult, closeness_share, count_copies
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.membership import MembershipResult, membership_inference
from synth.evaluation.privacy.peer_sdmetrics import sdmetrics_privacy
from synth.evaluation.privacy.rare_values import RareValueResult, evaluate_rare_values
from synth.evaluation.privacy.verdict import Verdict, privacy_verdict
from ui.privacy_job import PrivacyJob, Task
from ui.text import md

POLL_SECONDS = 1.0
FIRST_WAIT_SECONDS = 1.6
"""On a first visit the page waits up to this long (from the start of its run) for the copies, so they come with
the page rather than a poll later; everything slower fills in when it lands."""
CLOSENESS_WAIT_SECONDS = 4.0
"""...and up to this long for the closeness share, the page's first distance card, with a placeholder in its
place meanwhile (the copies and everything above are already drawn): a card that lands after the wait comes with
the next poll, up to :data:`POLL_SECONDS` later."""
Raw = tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]


def submit_first(job: PrivacyJob, inputs: PrivacyInputs) -> None:
    """The page's first cards: exact copies and the holdout-sized closeness share (also started ahead of the
    page, see :func:`ui.state.prefetch_privacy`)."""
    job.submit("copies", "Counting exact copies", lambda bar: count_copies(inputs))
    job.submit("closeness", "Comparing closeness to train and holdout", lambda bar: closeness_share(inputs))


def submit_base(job: PrivacyJob, inputs: PrivacyInputs, raw: Raw, schema: synth.Schema) -> None:
    """Copies, the holdout-sized closeness share, the distance panel, rare values and the membership attacks,
    cheapest first (the worker runs them in this order). ``raw`` is (train, synthetic, holdout) as loaded."""
    t = inputs.tables
    submit_first(job, inputs)
    job.submit(
        "distances",
        "Measuring distances to every training row",
        lambda bar: synth.evaluate_privacy(
            t.train, t.synthetic, holdout=t.holdout, inputs=inputs, membership=False, progress=bar
        ),
    )
    # Learned columns only: identifier, PII and text values are generated, not learned from anyone, so a "copied"
    # one says nothing about memorising (they filled the table with -100%–100% rows and could set the verdict).
    job.submit(
        "rare_values",
        "Checking rare values",
        lambda bar: evaluate_rare_values(*raw, schema=schema, columns=schema.modelled),
    )
    job.submit(
        "membership",
        "Running the membership attacks",
        lambda bar: membership_inference(t.train, t.synthetic, holdout=t.holdout, inputs=inputs, progress=bar),
    )


def submit_attacks(
    job: PrivacyJob, inputs: PrivacyInputs, attacker: AttackerModel, criteria: tuple[Criterion, ...], n_attacks: int
) -> Task:
    """The WP216 attacks for one attacker model, set of criteria and number of attacks (a task per choice)."""
    t = inputs.tables
    names = ", ".join(c.replace("_", " ") for c in criteria)

    def run(bar: synth.ProgressCallback) -> AttackReport:
        return evaluate_attacks(
            t.train,
            t.synthetic,
            holdout=t.holdout,
            attacker=attacker,
            criteria=criteria,
            n_attacks=n_attacks,
            progress=bar,
            inputs=inputs,
        )

    return job.submit(f"attacks|{attacker!r}|{criteria}|{n_attacks}", f"Running {names} attacks", run)


def submit_verdict_attacks(
    job: PrivacyJob, inputs: PrivacyInputs, attacker: AttackerModel, n_attacks: int, attacker_error: str | None
) -> list[Task]:
    """The attacks the verdict reads: singling out (no attacker model), and linkability and inference for the
    user's attacker model when it is valid (the Privacy page and the report's scoring of the run ask for the same
    tasks, so each finds the other's results)."""
    tasks = [submit_attacks(job, inputs, AttackerModel((), ""), ("singling_out",), n_attacks)]
    if attacker_error is None:
        tasks.append(submit_attacks(job, inputs, attacker, ("linkability", "inference"), n_attacks))
    return tasks


def verdict_of(
    job: PrivacyJob,
    model: str | None,
    attack_tasks: list[Task],
    known: list[str],
    distances: PrivacyResult,
    membership: MembershipResult | None,
    rare: RareValueResult | None,
    attack_results: list[AttackResult],
) -> Verdict:
    """The run's verdict from its finished checks, built once per run and attacker model and kept on the job: the
    Privacy page draws it and the report of the same run reads the same object."""
    return job.memo(
        ("verdict", *(t.name for t in attack_tasks), tuple(known)),
        lambda: privacy_verdict(
            dataclasses.replace(distances, membership=membership),
            attack_results,
            model=model,
            quasi_identifiers=known,
            rare_values=rare,
        ),
    )


def submit_sdmetrics(job: PrivacyJob, raw: Raw, schema: synth.Schema, known: tuple[str, ...], secret: str) -> Task:
    """sdmetrics' privacy metrics on subsamples (only when the user asks for them)."""
    return job.submit(
        f"sdmetrics|{known}|{secret}",
        "Running sdmetrics' privacy metrics",
        lambda bar: sdmetrics_privacy(
            raw[0],
            raw[1],
            holdout=raw[2],
            schema=schema,
            known=known,
            secret=secret or None,
            progress=bar,
        ),
    )


def wait_first(job: PrivacyJob, names: tuple[str, ...], deadline: float) -> None:
    """Wait until the tasks ``names`` are in or ``time.perf_counter()`` reaches ``deadline`` (no wait when done)."""
    while job.pending(list(names)) and time.perf_counter() < deadline:
        time.sleep(0.05)


def done(task: Task | None) -> Any:
    """The task's result when it has finished without error, else None (draws nothing)."""
    return task.result if task is not None and task.status == "done" else None


def read_in(value: Any, task: Task | None) -> bool:
    """Whether ``value`` (read from ``task`` earlier in this run) is final: the result, or None for a failed task."""
    return task is not None and (value is not None or task.status == "failed")


def shown(task: Task | None) -> Any:
    """The task's result; draws its error message if it failed, or a line saying it is under way."""
    if task is None:
        return None
    if task.status == "failed":
        st.error(md(task.error))
    elif task.status != "done":
        # Live progress is drawn at the top of the page (the polling fragment); this part is redrawn only when
        # a check ends, so it says where the check stands without a bar that would go stale.
        where = "running" if task.status == "running" else "queued"
        st.caption(f":material/hourglass_top: {task.label} — {where}; its progress is shown at the top of the page.")
    return done(task)


def rerun_due(ended: frozenset[str], watched: frozenset[str] | None, pending: bool) -> bool:
    """Whether checks that ``ended`` since the page's run call for a new run: one the page shows ended (any, when
    ``watched`` is None), or the last one did (the verdict is drawn then)."""
    return bool(ended) and (watched is None or bool(ended & watched) or not pending)


def poll(job: PrivacyJob, finished_at_start: frozenset[str], watched: frozenset[str] | None = None) -> None:
    """While checks run: their progress, redrawn every :data:`POLL_SECONDS`; a rerun of the page when a check
    that the page shows ends (any of ``watched``; any check when None), and when the last one ends (the verdict).

    A check the open section does not show (the attacks while Distances is open) ends without a rerun: each
    rerun redraws the section's charts and takes the CPU the remaining checks run on. The fragment only reads
    the job (the worker makes no Streamlit call); once nothing is pending the page's rerun defines it without a
    timer and the polling stops.
    """

    @st.fragment(run_every=POLL_SECONDS if job.pending() else None)
    def progress_poll() -> None:
        if rerun_due(job.finished_names() - finished_at_start, watched, bool(job.pending())):
            st.rerun(scope="app")
        running = job.pending()
        if running:
            st.info(
                "The verdict appears here once every check has finished; each section below fills in as its check "
                "ends. You can leave this page meanwhile: the checks go on and their results are kept."
            )
        for task in running:
            st.progress(task.fraction, text=f":material/hourglass_top: {task.label}: {task.message}")

    progress_poll()
