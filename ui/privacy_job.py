"""The Privacy page's checks, run one after another in a background thread of the user's session.

The page submits each check (a plain ``synth`` call on the run's shared
:class:`~synth.evaluation.privacy.inputs.PrivacyInputs`) and draws whatever has finished; a fragment polls while
work is pending and reruns the page when a result lands. The worker makes no Streamlit call: it only writes plain
attributes of its :class:`Task` objects (each replaced whole, so the page never reads half a value).

The job hangs on the run's evaluation context (:func:`ui.state.privacy_job`), so it lives in this session only,
survives page switches (finished results are not recomputed) and goes when the run goes. With
``SYNTH_BACKGROUND_INLINE=1`` (the AppTest suite, :mod:`ui.background`) each check runs at once in the page's own
thread instead.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from synth.evaluation.privacy.common import PrivacyInputError
from synth.progress import Cancelled, ProgressCallback
from ui.background import INLINE_ENV, inline

__all__ = ["INLINE_ENV", "PrivacyJob", "Task", "inline"]

T = TypeVar("T")


@dataclass
class Task:
    """One check: its progress while it runs, then its result or the message of the input error it raised."""

    name: str
    label: str
    call: Callable[[ProgressCallback], Any] = field(repr=False)
    status: str = "waiting"  # waiting, running, done, failed
    fraction: float = 0.0
    message: str = "waiting"
    result: Any = None
    error: str = ""
    seconds: float = 0.0
    cancelled: bool = False  # set when the job is closed: the check stops at its next progress report

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")

    def run(self) -> None:
        """Run the call, recording progress, result or error (never raises)."""
        self.status = "running"
        start = time.perf_counter()

        def report(fraction: float, message: str, /) -> None:
            if self.cancelled:
                raise Cancelled(self.name)
            self.fraction, self.message = float(fraction), message

        try:
            self.result = self.call(report)
            self.status = "done"
        except Cancelled:
            self.error, self.status = "stopped: the data it checked was forgotten", "failed"
        except PrivacyInputError as exc:  # bad input: a message on the page, the other checks go on
            self.error, self.status = str(exc), "failed"
        except Exception as exc:  # a bug in one check must not take the others (or the session) down
            self.error, self.status = f"{type(exc).__name__}: {exc}", "failed"
        finally:
            self.seconds = time.perf_counter() - start
            self.fraction = 1.0
            self.call = _gone  # the call's closure holds the run's tables: let them go with the result


def _gone(progress: ProgressCallback) -> Any:
    raise RuntimeError("this check has already run")


class PrivacyJob:
    """The checks of one synthetic run, each submitted once by name and run in order by one worker thread."""

    def __init__(self) -> None:
        self.tasks: dict[str, Task] = {}
        self._queue: queue.Queue[Task] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._memo: dict[Any, Any] = {}
        self._closed = False

    def submit(self, name: str, label: str, call: Callable[[ProgressCallback], Any]) -> Task:
        """The task called ``name``, started (queued behind the others) the first time it is asked for."""
        with self._lock:
            task = self.tasks.get(name)
            if task is not None:
                return task
            task = Task(name, label, call)
            if self._closed:  # the run was forgotten or dropped: nothing more runs on its tables
                task.status, task.error, task.call = "failed", "this run's data was forgotten", _gone
                return task
            self.tasks[name] = task
            if inline():
                task.run()
                return task
            self._queue.put(task)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="synth-privacy", daemon=True)
                self._thread.start()
        return task

    def close(self) -> None:
        """Stop for good: queued checks never run, the running one stops at its next progress report, and no
        task, result or chart of this run is kept (called when the run goes or the user forgets their data)."""
        with self._lock:
            self._closed = True
            while True:
                try:
                    self._queue.get_nowait()
                except queue.Empty:
                    break
            for task in self.tasks.values():
                task.cancelled = True
                if not task.finished:
                    task.call = _gone
            self.tasks = {}
            self._memo = {}

    def memo(self, key: Any, build: Callable[[], T]) -> T:
        """``build()`` once per key for this run (e.g. a chart of a finished result), kept for later reruns."""
        with self._lock:
            if key in self._memo:
                return self._memo[key]
        value = build()
        with self._lock:
            return self._memo.setdefault(key, value)

    def get(self, name: str) -> Task | None:
        return self.tasks.get(name)

    def pending(self, names: list[str] | None = None) -> list[Task]:
        """Tasks (of ``names``, default all) not finished yet, in the order they were submitted."""
        tasks = list(self.tasks.values()) if names is None else [t for n in names if (t := self.tasks.get(n))]
        return [t for t in tasks if not t.finished]

    def finished_names(self) -> frozenset[str]:
        return frozenset(n for n, t in list(self.tasks.items()) if t.finished)

    def wait(self, timeout: float = 600.0) -> bool:
        """Block until every submitted task has finished (tests); True when they have."""
        end = time.perf_counter() + timeout
        while self.pending():
            if time.perf_counter() > end:
                return False
            time.sleep(0.05)
        return True

    def _work(self) -> None:
        while True:
            try:
                task = self._queue.get(timeout=1.0)
            except queue.Empty:
                with self._lock:
                    if self._queue.empty():
                        self._thread = None
                        return
                continue
            task.run()
