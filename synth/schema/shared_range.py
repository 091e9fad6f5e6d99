"""Where a real column's range may be said to end, and which values may be named, in anything written for others.

A column's smallest and largest values are often one person's each: the one salary of 9.9M, the one employee
hired in 1901. A chart's axis or a schema's reason that ends there states that person's value, however it is
rounded ("about 23,000 … 9,900,000" read as "someone here earns about 9.9M"). Both end instead at the
``TAIL_ROWS``-th smallest and largest value, which that many rows share as a bound.

Where one person holds many rows (a patient's visits, an employee's monthly payslips) rows are not people: one
employee's 15 payslips at the one top salary were the 15 largest rows, and the axis ended on that salary. When
the caller knows each row's person, an end is a value at least that many distinct *people* reach: the
``TAIL_ROWS``-th largest of each person's own largest value (smallest for the low end), and never beyond the row
rule's end.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: The fewest real rows a value written for others (a category, a class, a range's end) must be shared by: the
#: report's small-cell threshold (:data:`synth.report.suppression.DEFAULT_K`).
MIN_SHOWN_ROWS = 10
#: Real rows a shown range leaves beyond each end.
TAIL_ROWS = MIN_SHOWN_ROWS


def shared_ends(
    values: np.ndarray, tail_rows: int = TAIL_ROWS, people: np.ndarray | None = None
) -> tuple[float, float]:
    """The ``tail_rows``-th smallest and largest of the finite ``values`` (fewer in a table under 40 rows per tail
    row, so a tiny table keeps a range to draw; ``(0, 0)`` when none is finite).

    Never the smallest or largest value itself unless the table is that small. ``people`` (each value's person,
    any labels, one per value; a missing label is a person of its own): each end is also no further out than the
    ``tail_rows``-th most extreme of the people's own extremes (fewer under 40 people per tail person), so at least
    that many people reach it, however many rows one of them holds.
    """
    real = np.asarray(values, dtype=float)
    finite = np.isfinite(real)
    real = real[finite]
    if not len(real):
        return 0.0, 0.0
    lo, hi = _kth_ends(real, tail_rows)
    if people is not None:
        codes = _person_codes(np.asarray(people, dtype=object)[finite])
        ordered = pd.Series(real).groupby(codes, sort=False).agg(["min", "max"])
        lowest, _ = _kth_ends(ordered["min"].to_numpy(), tail_rows)
        _, highest = _kth_ends(ordered["max"].to_numpy(), tail_rows)
        lo, hi = max(lo, lowest), min(hi, highest)
    return lo, hi


def _kth_ends(real: np.ndarray, tail_rows: int) -> tuple[float, float]:
    k = min(tail_rows, max(1, len(real) // 40))
    ordered = np.partition(real, (k - 1, len(real) - k))
    return float(ordered[k - 1]), float(ordered[len(real) - k])


def _person_codes(people: np.ndarray) -> np.ndarray:
    """A code per person; each row without one is its own person (as the privacy measures count them)."""
    codes = pd.factorize(pd.Series(people))[0]
    unnamed = codes < 0
    codes[unnamed] = codes.max(initial=-1) + 1 + np.arange(int(unnamed.sum()))
    return codes
