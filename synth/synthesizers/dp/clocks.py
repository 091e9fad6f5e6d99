"""The UTC offset a DP model reads a text datetime column on: chosen by a DP mechanism, not read from the rows.

Why
    A column whose values are written with an offset (``2025-03-01T09:30:00+02:00``) is modelled on its local wall
    clock when it has one (:mod:`synth.synthesizers.time_of_day`). Without a guarantee, that clock is the one offset
    every present value is written at. Under DP that rule leaks: two neighbouring tables, one with an extra row
    written at a unique offset, gave UTC against +02:00, every time, and the chosen offset is in the model file and
    in every synthetic value. The format is public; which offsets the values carry is not.

How
    The candidates are public, read from no row: every quarter hour from −18:00 to +18:00 (:data:`OFFSET_GRID`; 0
    means no local clock, modelled in UTC). Each scores the number of present values written at it (values without
    an offset, or at one off the grid, score nothing). One row added or removed moves one count by one, and all
    counts move the same way, so the exponential mechanism with weights exp(ε_o · count) is ε_o-DP
    (:func:`~synth.synthesizers.dp.mechanisms.exponential` with ``monotone``). ε_o is :data:`OFFSET_SHARE` of ε split
    equally between the columns whose format writes an offset ("UTC offsets" in the ledger; nothing without them).
    The offset held by n rows more than any other wins with probability at least 1 − 144·e^(−ε_o·n): at ε = 1 and
    one such column (ε_o = 0.05), n = 200 rows miss in under 1% of fits. A column with several offsets (summer and
    winter time) gets its most common one's clock, where a model without a guarantee reads each row on its own
    (:mod:`synth.synthesizers.row_offsets`, shares read from the rows): the instants are the same either way.
"""

from __future__ import annotations

import numpy as np

from synth.synthesizers.dp import mechanisms
from synth.synthesizers.time_of_day import MAX_OFFSET_S

#: The share of ε a fit spends choosing the offsets of its text datetime columns written with one (split equally
#: between them; nothing without them).
OFFSET_SHARE = 0.05
#: The offsets a column may be read on (seconds east of UTC): every quarter hour within ±18:00; public.
OFFSET_GRID = np.arange(-MAX_OFFSET_S, MAX_OFFSET_S + 1, 900, dtype=np.int64)


def offset_counts(offsets: np.ndarray) -> np.ndarray:
    """How many of ``offsets`` (one per present value, seconds east of UTC) fall on each offset of the grid."""
    offsets = np.asarray(offsets, dtype=np.int64)
    on_grid = offsets[np.isin(offsets, OFFSET_GRID)]
    return np.bincount((on_grid + MAX_OFFSET_S) // 900, minlength=len(OFFSET_GRID)).astype(float)


def noisy_offset(offsets: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """One offset of the grid, drawn by the exponential mechanism on the counts (ε-DP; see the module docstring)."""
    return int(OFFSET_GRID[mechanisms.exponential(offset_counts(offsets), epsilon, 1.0, rng, monotone=True)])
