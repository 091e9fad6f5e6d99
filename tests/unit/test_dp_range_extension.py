"""A DP range grows into the grid cells next to its kept run whose released counts pass a neighbour's threshold.

The grid's threshold guards against a false cell anywhere on a grid of 154 cells; at ε = 1 over a dozen columns a
look has ε ≈ 0.01, and a log-normal loan amount of 3,200 rows kept only its central quarter-decade (28% of its rows),
so every synthetic amount fell in 5,623–10,000. A neighbour of the run is one candidate, so it needs less
(``EXTEND_FALSE_RATE``); the extension reads the released histogram only (post-processing, no ε spent).
"""

from __future__ import annotations

import numpy as np
import pytest

import synth.synthesizers.dp.ranges as ranges
from synth.schema import ColumnKind

#: The per-look ε a default fit (ε = 1) gives a column of the walk's loans table: a grid threshold near 800 rows.
EPSILON = 0.017
ROWS = 3_200


def _covered(x: np.ndarray, seeds: range) -> np.ndarray:
    """The share of ``x`` inside the released range, per noise seed (0 when none was released)."""
    out = []
    for seed in seeds:
        span = ranges.released_range(x, ColumnKind.CONTINUOUS, EPSILON, np.random.default_rng(seed), False, ROWS)
        out.append(0.0 if span is None else float(((x >= span[0]) & (x <= span[1])).mean()))
    return np.array(out)


def test_a_log_normal_amount_keeps_most_of_its_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    amounts = np.round(np.random.default_rng(0).lognormal(9, 0.8, ROWS), 2)
    grown = _covered(amounts, range(60))
    assert np.median(grown) >= 0.7 and (grown >= 0.6).mean() >= 0.9, np.percentile(grown, [5, 50])
    monkeypatch.setattr(ranges, "EXTEND_FALSE_RATE", 0.0)  # as before: the grid's threshold alone
    alone = _covered(amounts, range(60))
    assert np.median(alone) <= 0.35, np.percentile(alone, [5, 50])


def test_an_empty_neighbour_joins_rarely() -> None:
    """Rows all inside one quarter-decade (6,000–9,000 in 5,623–10,000): a range reaching past it is an empty cell the
    noise passed, at most about twice EXTEND_FALSE_RATE (one chance a side) over 600 noise draws."""
    inside = np.random.default_rng(1).uniform(6_000, 9_000, ROWS)
    wide = 0
    for seed in range(600):
        span = ranges.released_range(inside, ColumnKind.CONTINUOUS, EPSILON, np.random.default_rng(seed), False, ROWS)
        wide += int(span is not None and (span[0] < 10**3.75 - 1e-6 or span[1] > 10**4 + 1e-6))
    assert wide / 600 <= 2 * ranges.EXTEND_FALSE_RATE + 0.015, wide


def test_the_extension_reads_the_released_counts_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Post-processing: the same noise gives the same released counts with and without the extension; the range
    grows only over cells whose released count passes ln(1 / (2·rate)) / ε, and stops at exact zero's cell."""
    noisy = np.array([0.0, 300.0, 900.0, 260.0, 100.0, 50.0])
    is_zero = np.zeros(6, dtype=bool)
    tau = np.log(1 / (2 * ranges.EXTEND_FALSE_RATE)) / EPSILON  # 230
    assert 200 < tau < 260
    assert ranges._extended(noisy, is_zero, 2, 2, EPSILON) == (1, 3)
    is_zero[1] = True
    assert ranges._extended(noisy, is_zero, 2, 2, EPSILON) == (2, 3)
    monkeypatch.setattr(ranges, "EXTEND_FALSE_RATE", 0.0)
    assert ranges._extended(noisy, is_zero, 2, 2, EPSILON) == (2, 2)
