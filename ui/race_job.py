"""A race running in a background thread, with per-run progress the Race page polls.

The thread calls one synth function (:func:`synth.race`); its progress callbacks write into this object
(plain attributes, each replaced whole, so a reader never sees a half-written value) and raise
:class:`synth.Cancelled` once :meth:`RaceJob.cancel` was called. The page reads the job from session state
inside an ``st.fragment(run_every=...)`` and adopts the result when it is done.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

import synth
from synth.report import Contender, EvaluationSettings, RaceResult, RunResult


@dataclass
class RunProgress:
    label: str
    fraction: float = 0.0
    message: str = "waiting"
    status: str = "waiting"  # waiting, running, ok, failed


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

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the race ends (tests and the synchronous fallback); True when it did."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.done

    def _progress_for(self, index: int, label: str) -> synth.ProgressCallback:
        def report(fraction: float, message: str, /) -> None:
            if self._stop.is_set():
                raise synth.Cancelled()
            status = "running" if fraction < 1.0 else self.runs[index].status
            self.runs[index] = RunProgress(label, float(fraction), message, status)

        return report

    def _on_result(self, run: RunResult) -> None:
        i = len(self.partial)
        self.runs[i] = RunProgress(run.label, 1.0, run.error or "scored", run.status)
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
) -> RaceJob:
    """Start ``synth.race`` in a daemon thread and return its job (``person_column``: the split's, None for
    none: every fit holds its people)."""
    from synth.report.race import unique_labels

    labels = unique_labels(contenders)
    job = RaceJob(dataset_key=dataset_key, runs=[RunProgress(label) for label in labels])
    job._thread = threading.Thread(
        target=job._run,
        args=(train, holdout, list(contenders), schema, n_rows, sample_seed, settings, person_column),
        name="synth-race",
        daemon=True,
    )
    job._thread.start()
    return job
