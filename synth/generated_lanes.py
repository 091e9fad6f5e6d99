"""Numeric key columns keep the real relation between their values: disjoint real columns stay disjoint.

Every numeric key column starts at the power of ten above the largest real key of them all
(:mod:`synth.generated`), so a repeated ``customer_id`` and a unique ``order_id`` both started at 1,000,000: some
synthetic customer ids were order ids, and a join on the wrong column "worked" where the real one finds nothing.
Fitting now puts the columns in *lanes*: columns whose real values share a value (``manager_id`` in
``employee_id``) share a lane, and overlap as before; the others get lanes of their own. An ``n``-row table moves
lane ``l``'s keys up by ``l`` times the power of ten above ``n`` (which holds every key a column of ``n`` rows
draws), the same for a sample and a streamed table of ``n`` rows. A model file keeps each column's lane number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def numeric_key_lanes(data: pd.DataFrame, names: list[str]) -> dict[str, int]:
    """Lane of each numeric key column ``names`` (in their order): columns sharing a real value, directly or through
    another column, share a lane; lanes are numbered by their first column."""
    values = [np.unique(data[name].dropna().to_numpy(dtype=float)) for name in names]
    group = list(range(len(names)))  # union-find over the columns

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i in range(len(names)):
        for j in range(i):
            if root(i) != root(j) and len(np.intersect1d(values[i], values[j], assume_unique=True)):
                group[max(root(i), root(j))] = min(root(i), root(j))
    numbers: dict[int, int] = {}
    return {name: numbers.setdefault(root(i), len(numbers)) for i, name in enumerate(names)}


def lane_offset(lane: int, rows: int) -> int:
    """How far lane ``lane``'s keys move up in a ``rows``-row table: a column of ``rows`` rows draws at most
    ``rows`` keys from its start, under the power of ten above ``rows``."""
    return int(lane) * 10 ** len(str(max(int(rows), 1)))
