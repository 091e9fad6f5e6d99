"""The synth progress protocol mapped onto st.progress, with elapsed time and an estimate of what is left."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from synth.progress import ProgressCallback

T = TypeVar("T")


#: Rises of the bar an estimate of the time left needs: with a few coarse steps (the rare-events checks' three) one
#: step's pace says nothing of the next, and the session-31 walk read "about 1 s left" with 9 s to go.
MIN_STEPS_FOR_ESTIMATE = 5


def timing_words(fraction: float, elapsed: float, steps: int) -> str:
    """The bar's timing: the elapsed seconds, and the time left once the bar has risen ``steps`` >=
    :data:`MIN_STEPS_FOR_ESTIMATE` times (a text cannot change while a step runs, so a coarse estimate goes stale)."""
    left = remaining_seconds(fraction, elapsed) if steps >= MIN_STEPS_FOR_ESTIMATE else None
    return f"{elapsed:.1f} s" + (f", about {left:.0f} s left" if left is not None and left >= 1 else "")


def remaining_seconds(fraction: float, elapsed: float) -> float | None:
    """Linear estimate of the time left from the share done so far; None until there is enough to go on."""
    if fraction < 0.05 or elapsed < 0.3:
        return None
    return elapsed * (1.0 - fraction) / fraction


class StreamlitProgress:
    """A progress callback drawing one ``st.progress`` bar with the step's message, elapsed and remaining time.

    Streamlit stops a running script when the user presses a button: the next bar update then raises inside the
    synth call, which unwinds without changing the object it was working on. That is how "Cancel" works.
    """

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()
        self.bar = st.progress(0.0, text=label)
        self.fraction = 0.0
        self.steps = 0  # times the bar rose

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def __call__(self, fraction: float, message: str, /) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        if fraction > self.fraction:
            self.fraction, self.steps = fraction, self.steps + 1
        timing = timing_words(fraction, self.elapsed, self.steps)
        self.bar.progress(fraction, text=f"{self.label}: {message} ({timing})")

    def done(self, message: str) -> None:
        self.bar.progress(1.0, text=f"{message} ({self.elapsed:.1f} s)")


def with_progress(label: str, call: Callable[[ProgressCallback], T]) -> T:
    """Run ``call`` with a progress bar created here, inside the cached function, and removed when it ends.

    A cached function may only draw elements it creates itself (they are replayed, here as an emptied bar, on a
    cache hit); a bar made by the page would break the replay.
    """
    bar = StreamlitProgress(label)
    try:
        return call(bar)
    finally:
        bar.bar.empty()
