"""A race running in a background thread, with per-run progress the Race page polls.

The thread calls one synth function (:func:`synth.race`); its progress callbacks write into this object
(plain attributes, each replaced whole, so a reader never sees a half-written value) and raise
:class:`synth.Cancelled` once :meth:`RaceJob.cancel` was called. The page reads the job from session state
inside an ``st.fragment(run_every=...)`` and adopts the result when it is done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import pandas as pd

import synth
from synth.report import Contender, EvaluationSettings, RaceResult, RunResult
from synth.report.race_time import FIT_SHARE, RunTime, run_time, seconds_left, time_left_words


@dataclass(frozen=True)
class RunProgress:
    """One run's bar, and its clock (``time.perf_counter`` readings) for the race's time left."""

    label: str
    fraction: float = 0.0
    message: str = "waiting"
    status: str = "waiting"  # waiting, running, ok, failed
    fit_estimate: float | None = None  # calibrated fit seconds of its synthesizer on this table
    started: float | None = None
    scoring_from: float | None = None  # when its fit and sample ended
    ended: float | None = None

    def clock(self, now: float) -> RunTime:
        """Its time so far, as :func:`synth.report.race_time.seconds_left` reads it."""
        ok = self.status == "ok"
        return run_time(now, self.fit_estimate, self.started, self.scoring_from, self.ended, ok)


@dataclass(eq=False)
class RaceJob:
    """One race in the background (create with :func:`start`)."""

    dataset_key: str
    runs: list[RunProgress]
    started: float = field(default_factory=time.perf_counter)
    finished: float | None = None
    result: RaceResult | None = None
    partial: tuple[RunResult, ...] = ()
    error: str = ""
    cancelled: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @property
    def done(self) -> bool:
        return self.finished is not None

    @property
    def elapsed(self) -> float:
        return (self.finished or time.perf_counter()) - self.started

    def cancel(self) -> None:
        self._stop.set()

    def seconds_left(self) -> float | None:
        """Wall seconds the race still needs, judged from its scored runs (None until one is scored)."""
        now = time.perf_counter()
        return seconds_left([run.clock(now) for run in self.runs])

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the race ends (tests and the synchronous fallback); True when it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.done

    def _progress_for(self, index: int, label: str) -> synth.ProgressCallback:
        def report(fraction: float, message: str, /) -> None:
            if self._stop.is_set():
                raise synth.Cancelled()
            now, before = time.perf_counter(), self.runs[index]
            status = "running" if fraction < 1.0 else before.status
            scoring_from = before.scoring_from
            if scoring_from is None and fraction >= FIT_SHARE:
                scoring_from = now
            started = before.started if before.started is not None else now
            self.runs[index] = replace(
                before,
                label=label,
                fraction=float(fraction),
                message=message,
                status=status,
                started=started,
                scoring_from=scoring_from,
            )

        return report

    def _on_result(self, run: RunResult) -> None:
        i, now = len(self.partial), time.perf_counter()
        before = self.runs[i]
        self.runs[i] = replace(
            before,
            label=run.label,
            fraction=1.0,
            message=run.error or "scored",
            status=run.status,
            started=before.started if before.started is not None else now,
            ended=now,
        )
        self.partial = (*self.partial, run)

    def _run(
        self,
        train: pd.DataFrame,
        holdout: pd.DataFrame,
        contenders: Sequence[Contender],
        schema: synth.Schema,
        n_rows: int,
        sample_seed: int,
        settings: EvaluationSettings,
        person_column: str | None,
    ) -> None:
        try:
            self.result = synth.race(
                train,
                holdout,
                contenders,
                schema=schema,
                n_rows=n_rows,
                sample_seed=sample_seed,
                settings=settings,
                run_progress=self._progress_for,
                on_result=self._on_result,
                person_column=person_column,
            )
        except synth.Cancelled:
            self.cancelled = True
        except Exception as exc:  # shown on the page; the session keeps everything it had
            self.error = f"{type(exc).__name__}: {exc}"
        finally:
            self.finished = time.perf_counter()


def start(
    dataset_key: str,
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    contenders: Sequence[Contender],
    schema: synth.Schema,
    *,
    n_rows: int,
    sample_seed: int,
    settings: EvaluationSettings,
    person_column: str | None = None,
    fit_estimates: Mapping[str, float | None] | None = None,
) -> RaceJob:
    """Start ``synth.race`` in a daemon thread and return its job (``person_column``: the split's, None for
    none: every fit holds its people; ``fit_estimates``: calibrated fit seconds by synthesizer name, for the time
    left)."""
    from synth.report.race import unique_labels

    labels = unique_labels(contenders)
    estimates = fit_estimates or {}
    runs = [RunProgress(label, fit_estimate=estimates.get(c.name)) for label, c in zip(labels, contenders, strict=True)]
    job = RaceJob(dataset_key=dataset_key, runs=runs)
    job._thread = threading.Thread(
        target=job._run,
        args=(train, holdout, list(contenders), schema, n_rows, sample_seed, settings, person_column),
        name="synth-race",
        daemon=True,
    )
    job._thread.start()
    return job


def time_left_text(job: RaceJob) -> str:
    """What the page says of the time left: an estimate once a run is scored, before that why there is none."""
    return time_left_words(job.seconds_left())
