"""A private range from rows too few for the coarse grid (synth/synthesizers/dp/ranges.py, ``released_span``): one
look on decades with all of ε, none when even that could show only noise, and never a lone empty cell far from the
data as the range.

Before: a 0–10 survey answer of 960 rows at ε ≈ 0.013 for its range (ε = 1 over ten columns) was hidden in almost
every fit, and about one fit in a hundred released an empty cell anywhere on the grid (−5.6e14 to −3.2e14) as its
range, whose rows were then sampled there."""

from __future__ import annotations

import numpy as np

from synth.schema import ColumnKind
from synth.synthesizers.dp import ranges

ANSWERS = np.random.default_rng(0).integers(0, 11, 960).astype(float)  # a 0–10 scale, every value present
EPSILON = 0.0133  # what the survey fit gives one answer's range at ε = 1
ROWS = 900.0  # a released noisy row count


def _spans(rows: float | None, trials: int = 1_000) -> list[tuple[float, float] | None]:
    return [
        ranges.released_span(ANSWERS, ColumnKind.DISCRETE, EPSILON, np.random.default_rng(seed), True, rows)[0]
        for seed in range(trials)
    ]


def test_rows_too_few_for_the_coarse_grid_get_their_decade_and_never_a_far_empty_cell() -> None:
    spans = _spans(ROWS)
    released = [s for s in spans if s is not None]
    # Every real answer is 0–10: a range with no value in 0–10, or reaching more than three decades out, is noise.
    # An empty cell still passes one look in a hundred (FALSE_CELL_RATE): it is the range only when the answers'
    # decade failed too (about one look in thirty), or joins it when next to it (1–100).
    far = [s for s in released if s[1] < 0 or s[0] > 10 or s[0] < -100 or s[1] > 100]
    assert len(far) <= 0.002 * len(released), f"{len(far)} ranges of empty cells, e.g. {far[:3]}"
    assert len(released) >= 0.95 * len(spans), f"released in {len(released)} of {len(spans)} fits"
    assert sum(s == (1.0, 10.0) for s in released) >= 0.9 * len(released), "the decade that holds the answers"


def test_without_the_row_count_the_grid_looks_are_as_before_and_find_nothing_here() -> None:
    """The audit and callers without a released count keep the two looks: at this ε the 960 answers pass neither
    (which is why the row count now chooses the look); whatever passes is a false cell, at the grids' rate."""
    spans = _spans(None, trials=300)
    assert sum(s is not None for s in spans) <= 0.05 * len(spans)


def test_rows_under_half_the_decade_threshold_release_no_range_at_all() -> None:
    # 200 rows could pass a decade only by noise: no look is taken, so no empty cell can be kept either.
    threshold = ranges._threshold(len(ranges.COARSER_EDGES), EPSILON)
    assert ranges.PLAUSIBLE_SHARE * threshold > 200
    assert _spans(200.0, trials=200) == [None] * 200


def test_a_fractional_range_released_in_decades_is_flagged_coarse_for_the_fit_warning() -> None:
    """A 0.3–2.9 weight released as 1–10 runs past the real values: the fit warning must name it, where a fractional
    range from the quarter-decade grid (ends near the real ones in relative terms) is not flagged."""
    import pandas as pd

    from synth.synthesizers.dp.encoding import RANGE_SHARE, encode_numeric

    weights = pd.Series(np.random.default_rng(1).uniform(1.1, 2.9, 960), name="weight")
    flags = []
    for seed in range(20):
        dom, *_ = encode_numeric(
            weights,
            ColumnKind.CONTINUOUS,
            "private",
            None,
            EPSILON / RANGE_SHARE,
            ROWS,
            10,
            np.random.default_rng(seed),
        )
        flags.append((dom.low, dom.high, dom.coarse))
    decades = [f for f in flags if (f[0], f[1]) == (1.0, 10.0)]
    assert len(decades) >= 18 and all(coarse for *_, coarse in decades), flags
    # Plenty of rows for the quarter-decade grid: its range is not flagged, and sits in 1–3.2.
    many = pd.Series(np.random.default_rng(1).uniform(1.1, 2.9, 200_000), name="weight")
    dom, *_ = encode_numeric(many, ColumnKind.CONTINUOUS, "private", None, 0.5, 200_000.0, 10, np.random.default_rng(0))
    assert not dom.coarse and dom.low >= 1.0 and dom.high <= 3.2, (dom.low, dom.high)
