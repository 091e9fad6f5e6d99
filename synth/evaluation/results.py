"""Shared pieces of metric results: confidence intervals, bootstrap helpers, JSON conversion and the number
formatters every user-facing text uses (:func:`number`, :func:`percent`).

Every metric result is a frozen dataclass. :func:`to_jsonable` turns one into plain JSON types (NaN and
infinities become ``None``, enums their value, tuples lists), so ``json.dumps(result.to_dict())`` works with the
strict JSON of browsers and other languages.
"""

from __future__ import annotations

import dataclasses
import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeGuard

import numpy as np


@dataclass(frozen=True)
class Interval:
    """A two-sided confidence interval.

    Attributes:
        low: lower end.
        high: upper end.
        level: coverage, e.g. 0.95.
    """

    low: float
    high: float
    level: float = 0.95

    def __contains__(self, value: object) -> bool:
        return isinstance(value, int | float) and self.low <= float(value) <= self.high

    @property
    def width(self) -> float:
        return self.high - self.low

    def excludes(self, value: float) -> bool:
        """Whether ``value`` lies outside the interval (e.g. a gap whose interval excludes 0 is real)."""
        return not (self.low <= value <= self.high)

    def format(self, digits: int = 3, *, signed: bool = False) -> str:
        """``"0.912–0.934"``; with an end printed negative ``"−0.107 to −0.086"`` (a dash between minus signs
        reads as a third one), and ``signed`` (an interval of a difference) ``"−0.011 to +0.004"``. Each end is
        written by :func:`number`: true minus signs, and an end that rounds to zero is "0.000", never "−0.000"."""
        low, high = number(self.low, digits, signed=signed), number(self.high, digits, signed=signed)
        sep = " to " if signed or low.startswith(MINUS) or high.startswith(MINUS) else "–"
        return f"{low}{sep}{high}"


def recentred_interval(
    estimate: float,
    deviations: np.ndarray,
    *,
    level: float = 0.95,
    bounds: tuple[float, float] = (0.0, 1.0),
) -> Interval | None:
    """A bootstrap percentile interval for ``estimate``, re-centred on it.

    ``deviations`` are replicate values minus the estimate (possibly rescaled). Their mean, the bootstrap's
    estimate of its own bias, is removed, so the interval shows the sampling spread around the estimate: two
    identical tables score 1 with an interval that ends at 1, not an interval below 1.

    Args:
        estimate: the point estimate.
        deviations: one value per bootstrap replicate; NaNs are ignored.
        level: coverage.
        bounds: the score's range; the interval is clipped to it.

    Returns:
        The interval, or None when the estimate is not finite or fewer than 10 replicates are finite.
    """
    finite = deviations[np.isfinite(deviations)]
    if not math.isfinite(estimate) or len(finite) < 10:
        return None
    alpha = (1.0 - level) / 2.0
    lo_q, hi_q = np.quantile(finite - finite.mean(), [alpha, 1.0 - alpha])
    low = min(max(estimate + float(lo_q), bounds[0]), bounds[1])
    high = min(max(estimate + float(hi_q), bounds[0]), bounds[1])
    return Interval(low, high, level)


def bootstrap_weights(rng: np.random.Generator, n: int, replicates: int) -> np.ndarray:
    """Row weights of ``replicates`` bootstrap resamples of ``n`` rows: how often each row is drawn.

    Returns:
        A float32 array of shape (n, replicates), one column per replicate, each summing to ``n`` (counts are
        exact in float32 up to 16 million rows).
    """
    out = np.empty((n, replicates), dtype=np.float32)
    for r in range(replicates):
        out[:, r] = np.bincount(rng.integers(0, n, n), minlength=n)
    return out


#: The minus sign user-facing numbers are written with (U+2212): beside en dashes and in tables a hyphen-minus
#: reads as another number or a dash.
MINUS = "\u2212"


def number(x: float, digits: int = 3, *, signed: bool = False) -> str:
    """``x`` with ``digits`` decimals as tables and sentences print it: a true minus sign ("−0.011"), and ``signed``
    writes a plus too ("+0.004", for a difference). A value that rounds to zero is written without a minus:
    "-0.000" reads as a sign error. NaN is "—" (not measured)."""
    if math.isnan(x):
        return "—"
    text = f"{x:{'+' if signed else ''}.{digits}f}"
    if not text.startswith("-"):
        return text
    if float(text[1:]) == 0:
        return ("+" if signed else "") + text[1:]
    return MINUS + text[1:]


def percent(x: float, digits: int = 1, *, signed: bool = False) -> str:
    """``x`` as a percentage with a true minus sign, as tables and charts print it ("−2.1%"; a hyphen beside them
    read as another number); ``signed`` writes a plus too ("+6.9%"). A value that rounds to zero is written without
    a minus: "-0.0%" reads as a sign error. Written by :func:`number`, so NaN is "—"."""
    text = number(x * 100, digits, signed=signed)
    return text if text == "—" else text + "%"


#: A value prose may print bare: one word of letters, digits and the marks a code or number holds inside it.
_BARE_VALUE = re.compile(r"[-+]?[^\W_](?:[\w.+:/'-]*[^\W_])?")


def value_words(value: object) -> str:
    """A category or outcome as a sentence prints it: bare when it is one word ("readmitted = yes", "churn = 1"),
    quoted only where the quotes delimit it ("'Very high'", "' no'", "''"): a sentence that read "the class 'No'"
    made the reader wonder whether the quotes were part of the value (session 26 walk)."""
    text = str(value)
    return text if _BARE_VALUE.fullmatch(text) else repr(text)


def option_words(value: object) -> str:
    """A category as a list of choices shows it, standing alone: bare, quoted only when its ends would not show
    ("' no'", "''"). :func:`value_words` quotes "'Strongly agree'" to set it apart in a sentence; in a select box
    nothing surrounds it (the survey walk's bias panel listed "'Strongly agree'" beside Agree)."""
    text = str(value)
    return text if text and text == text.strip() else repr(text)


def _finite(value: object) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and math.isfinite(value)


def interval_text(interval: object) -> str | None:
    """'0.949–0.978' from an :class:`Interval` or a JSON pair (a result read back), by :meth:`Interval.format`;
    None when there is no interval or an end was not measured (NaN)."""
    if isinstance(interval, Interval):
        low, high = interval.low, interval.high
    elif isinstance(interval, list | tuple) and len(interval) == 2:
        low, high = interval
    else:
        return None
    if not (_finite(low) and _finite(high)):
        return None
    return Interval(float(low), float(high)).format()


def with_interval(value: object, interval: object) -> str:
    """'0.963 (0.949–0.978)': a score with its interval in one cell, as every table writes it (the race
    leaderboard, the report, the rare-events tables); the score alone when the interval is missing, "—" when the
    score was not measured."""
    if not _finite(value):
        return "—"
    span = interval_text(interval)
    return f"{number(float(value))} ({span})" if span else number(float(value))


def to_jsonable(value: Any) -> Any:
    """Convert a result (dataclasses, tuples, numpy scalars, enums, NaN) to plain JSON types."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
