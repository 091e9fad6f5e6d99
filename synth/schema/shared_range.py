"""Where a real column's range may be said to end, and which values may be named, in anything written for others.

A column's smallest and largest values are often one person's each: the one salary of 9.9M, the one employee
hired in 1901. A chart's axis or a schema's reason that ends there states that person's value, however it is
rounded ("about 23,000 … 9,900,000" read as "someone here earns about 9.9M"). Both end instead at the
``TAIL_ROWS``-th smallest and largest value, which that many rows share as a bound.
"""

from __future__ import annotations

import numpy as np

#: The fewest real rows a value written for others (a category, a class, a range's end) must be shared by: the
#: report's small-cell threshold (:data:`synth.report.suppression.DEFAULT_K`).
MIN_SHOWN_ROWS = 10
#: Real rows a shown range leaves beyond each end.
TAIL_ROWS = MIN_SHOWN_ROWS


def shared_ends(values: np.ndarray, tail_rows: int = TAIL_ROWS) -> tuple[float, float]:
    """The ``tail_rows``-th smallest and largest of the finite ``values`` (fewer in a table under 40 rows per tail
    row, so a tiny table keeps a range to draw; ``(0, 0)`` when none is finite).

    Never the smallest or largest value itself unless the table is that small.
    """
    real = np.asarray(values, dtype=float)
    real = real[np.isfinite(real)]
    if not len(real):
        return 0.0, 0.0
    k = min(tail_rows, max(1, len(real) // 40))
    ordered = np.partition(real, (k - 1, len(real) - k))
    return float(ordered[k - 1]), float(ordered[len(real) - k])
