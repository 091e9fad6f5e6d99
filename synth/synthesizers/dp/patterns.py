"""Which dates a DP model gives a hidden day of week: a noisy test of each date's weekday counts, inside the budget.

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
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from synth.synthesizers.dp import mechanisms

#: The share of ε a fit spends testing its dates' weekdays (split equally between the dates; nothing without dates).
WEEKDAY_TEST_SHARE = 0.1
#: The score a date's noisy weekday counts must pass: the 0.999 quantile of Σ (L − L̄)² / 2 over seven Laplace(1)
#: draws (seeded simulation of 4 million; ``tests/unit/test_dp_patterns.py`` checks it).
PATTERN_THRESHOLD = 42.1


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
