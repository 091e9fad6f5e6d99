"""The evaluation's own error, in a module of its own so that what :mod:`synth.evaluation.context` imports (the
binned distributions through the date parts) can raise it too."""

from __future__ import annotations


class ContextError(ValueError):
    """The tables cannot be evaluated together (missing columns, no rows, too few rows for a score, no column a
    score compares); the message says what to do."""
