"""Which dates a DP model gives a hidden day of week, and which datetimes a hidden time of day: noisy tests of
each column's counts, inside the budget.

Why
    A hidden weekday (:mod:`synth.synthesizers.weekdays`) lets a model keep a clinic closed at weekends, but for the
    DP network it is one more column of every noisy table: on a table whose weekdays are uniform it only thins the
    tables' ε (the walk clinic's visit-time weekday TVD went 0.012 → 0.044 when every date got one). Choosing from
    the rows without noise would spend privacy nobody accounted for; choosing from the schema alone had to give every
    date the column.

How
    Each candidate date's seven weekday counts (present values only) get Laplace noise of scale 1/ε_d, where ε_d is
    :data:`WEEKDAY_TEST_SHARE` of ε split equally between the dates (a row moves one count of each date by one: L1
    sensitivity 1 per date, sequential composition over the dates). The date keeps its hidden column when the
    noisy counts' spread, Σ (c − c̄)² / (c̄ + 2/ε_d²), passes :data:`PATTERN_THRESHOLD`. The denominator is a
    count's variance under uniform weekdays, sampling (about c̄) plus noise (2/ε_d²), so the score is near a
    chi-square with 6 degrees of freedom when sampling dominates and a sum of squared Laplace deviations when the
    noise does; the threshold is the 0.999 quantile of the heavier of the two (the Laplace one: 42.1; the
    chi-square's is 22.5), so a uniform date keeps the column in at most about 0.1% of fits. Everything after the
    noise is post-processing; the counts themselves are not kept.

Times of day
    A datetime whose format says nothing about times (stored as datetimes, zone-aware or not, or ISO 8601 text in
    mixed forms) comes to a DP model split into its day and a candidate time of day
    (:func:`synth.synthesizers.time_of_day.split_times`); reading from the rows whether it holds times, and at which
    grain, would spend privacy nobody accounted for. Each candidate's present rows fall in one of four disjoint
    classes: at midnight, on a whole hour, on a whole minute, finer. The four counts get Laplace noise of scale
    1/ε_t, ε_t being :data:`TIME_TEST_SHARE` of ε split equally between the candidates (a row is in one class:
    L1 sensitivity 1). The column keeps its time of day when its noisy timed rows (the last three classes) pass
    both :data:`TIMED_THRESHOLD` / ε_t (a date-only column passes in at most about 0.1% of fits) and the share
    :data:`~synth.synthesizers.time_of_day.MIN_TIMED` of its noisy present rows (as a model without a guarantee
    decides on the exact rows). Its grain is a second if the noisy count of finer times passes
    :data:`FINE_THRESHOLD` / ε_t, else a minute if the whole-minute count does, else an hour.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synth.synthesizers.dp import mechanisms
from synth.synthesizers.time_of_day import MIN_TIMED

#: The share of ε a fit spends testing its dates' weekdays (split equally between the dates; nothing without dates).
WEEKDAY_TEST_SHARE = 0.1
#: The score a date's noisy weekday counts must pass: the 0.999 quantile of Σ (L − L̄)² / 2 over seven Laplace(1)
#: draws (seeded simulation of 4 million; ``tests/unit/test_dp_patterns.py`` checks it).
PATTERN_THRESHOLD = 42.1

#: The share of ε a fit spends testing the datetimes whose format does not say whether they hold times of day
#: (split equally between them; nothing without them).
TIME_TEST_SHARE = 0.05
#: The noisy timed rows a candidate needs: the 0.999 quantile of the sum of three Laplace(1) draws (seeded
#: simulation of 4 million: 9.04; ``tests/unit/test_dp_times.py`` checks it).
TIMED_THRESHOLD = 9.04
#: The noisy count a finer grain's class needs: the 0.999 quantile of one Laplace(1) draw, ln 500.
FINE_THRESHOLD = 6.21
#: The grain of each time class after midnight (seconds): whole hours, whole minutes, finer.
_GRAINS = (3600, 60, 1)


def time_classes(seconds: np.ndarray) -> np.ndarray:
    """How many present times of day (seconds since midnight; NaN missing) fall at midnight, on a whole hour, on
    a whole minute, finer: four disjoint counts, so one row moves one of them by one."""
    seconds = np.asarray(seconds, dtype=float)
    seconds = seconds[~np.isnan(seconds)]
    hour, minute = np.isclose(seconds % 3600, 0), np.isclose(seconds % 60, 0)
    midnight = np.isclose(seconds, 0)
    return np.array([midnight.sum(), (hour & ~midnight).sum(), (minute & ~hour).sum(), (~minute).sum()], dtype=float)


def timed_grain(noisy: np.ndarray, epsilon: float) -> int | None:
    """The grain (seconds) four noisy time classes (:func:`time_classes`, Laplace of scale 1/``epsilon``) ask for,
    or None when they do not show times of day (post-processing; see the module docstring)."""
    noisy = np.asarray(noisy, dtype=float)
    timed = float(noisy[1:].sum())
    if timed <= max(TIMED_THRESHOLD / epsilon, MIN_TIMED * float(noisy.sum())):
        return None
    finer = [g for g, c in zip(_GRAINS[1:], noisy[2:], strict=True) if c > FINE_THRESHOLD / epsilon]
    return finer[-1] if finer else _GRAINS[0]


def timed_grains(
    data: pd.DataFrame, hidden: Sequence[str], epsilon: float, rng: np.random.Generator
) -> dict[str, int | None]:
    """Each candidate hidden time-of-day column of ``data`` (seconds since midnight) with the grain its noisy test
    chose, or None when it showed no times; ``epsilon`` is the whole test's, split equally between them."""
    if not hidden:
        return {}
    each = epsilon / len(hidden)
    return {
        name: timed_grain(mechanisms.laplace(time_classes(data[name].to_numpy(float)), 1.0 / each, rng), each)
        for name in hidden
    }


def pattern_score(noisy: np.ndarray, epsilon: float) -> float:
    """How far seven noisy weekday counts (Laplace of scale 1/``epsilon``) spread beyond what uniform weekdays
    would: the spread in units of a count's variance under uniform weekdays (post-processing)."""
    noisy = np.asarray(noisy, dtype=float)
    mean = max(float(noisy.mean()), 0.0)
    return float(((noisy - noisy.mean()) ** 2).sum() / (mean + 2.0 / epsilon**2))


def patterned_weekdays(
    data: pd.DataFrame, hidden: Sequence[str], labels: Sequence[str], epsilon: float, rng: np.random.Generator
) -> set[str]:
    """The hidden weekday columns (of ``data``, holding ``labels`` or missing) whose noisy counts pass the test;
    ``epsilon`` is the whole test's, split equally between them (see the module docstring)."""
    if not hidden:
        return set()
    each = epsilon / len(hidden)
    kept = set()
    for name in hidden:
        values = data[name]
        counts = np.array([(values == label).sum() for label in labels], dtype=float)
        if pattern_score(mechanisms.laplace(counts, 1.0 / each, rng), each) > PATTERN_THRESHOLD:
            kept.add(name)
    return kept
