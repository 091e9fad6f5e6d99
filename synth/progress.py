"""A small progress protocol shared by every long step.

A long step calls ``progress(fraction, message)`` with ``fraction`` in [0, 1]. The dashboard maps it onto
``st.progress``; the CLI onto a text bar. A callback may raise :class:`Cancelled` to stop the step: the step
then unwinds without changing the object it was working on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class Cancelled(Exception):
    """Raised by a progress callback to stop a long step."""


class ProgressCallback(Protocol):
    def __call__(self, fraction: float, message: str, /) -> None: ...


def _silent(fraction: float, message: str, /) -> None:
    return None


def ensure(progress: ProgressCallback | None) -> ProgressCallback:
    """Return ``progress`` or a callback that does nothing."""
    return progress if progress is not None else _silent


def scaled(progress: ProgressCallback | None, start: float, stop: float) -> ProgressCallback:
    """Map a sub-step's [0, 1] onto [start, stop] of the parent's progress."""
    parent = ensure(progress)

    def report(fraction: float, message: str, /) -> None:
        parent(start + (stop - start) * min(max(fraction, 0.0), 1.0), message)

    return report


ProgressFn = Callable[[float, str], None]
