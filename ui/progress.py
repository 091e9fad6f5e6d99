"""The synth progress protocol mapped onto st.progress, with elapsed time."""

from __future__ import annotations

import time

import streamlit as st


class StreamlitProgress:
    """A progress callback drawing one ``st.progress`` bar with the step's message and elapsed time."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.started = time.perf_counter()
        self.bar = st.progress(0.0, text=label)

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def __call__(self, fraction: float, message: str, /) -> None:
        fraction = min(max(float(fraction), 0.0), 1.0)
        self.bar.progress(fraction, text=f"{self.label}: {message} ({self.elapsed:.1f} s)")

    def done(self, message: str) -> None:
        self.bar.progress(1.0, text=f"{message} ({self.elapsed:.1f} s)")
