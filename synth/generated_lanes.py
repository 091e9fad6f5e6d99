"""Numeric key columns keep the real relation between their values: disjoint real columns stay disjoint.

Every numeric key column starts above the largest real key of them all (:mod:`synth.generated`; the power of ten
above it before session 22), so a repeated ``customer_id`` and a unique ``order_id`` both started at 1,000,000: some
synthetic customer ids were order ids, and a join on the wrong column "worked" where the real one finds nothing.
Fitting now puts the columns in *lanes*: columns whose real values share a value (``manager_id`` in
``employee_id``) share a lane, and overlap as before; the others get lanes of their own. An ``n``-row table moves
lane ``l``'s keys up by ``l`` times the power of ten above ``n`` (which holds every key a column of ``n`` rows
draws), the same for a sample and a streamed table of ``n`` rows. Text key columns get lanes too (compared as
text), which move the ranks of keys continuing above the real ones (:mod:`synth.generated_above`); keys with
unused endings are drawn at random as before. A model file keeps each column's lane number.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def key_lanes(data: pd.DataFrame, names: list[str], numeric: bool = True) -> dict[str, int]:
    """Lane of each key column ``names`` (in their order; numbers compared as numbers, else as text): columns sharing
    a real value, directly or through another column, share a lane; lanes are numbered by their first column."""
    values = [
        np.unique(data[name].dropna().to_numpy(dtype=float))
        if numeric
        else np.unique(data[name].dropna().astype(str).to_numpy(dtype=str))
        for name in names
    ]
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


def in_lane(detail: dict[str, Any], rows: int) -> dict[str, Any]:
    """A key plan's ``detail`` for a ``rows``-row table, moved to its lane: a numeric key's start, or the offset of a
    text key's ranks above the real keys (:mod:`synth.generated_above`; two text columns of one format, disjoint in
    the real table, would otherwise both count from the same bound)."""
    offset = lane_offset(int(detail.get("lane") or 0), rows)
    if not offset:
        return detail
    if detail.get("numeric"):
        return {**detail, "start": int(detail["start"]) + offset}
    if isinstance(detail.get("above"), dict):
        return {**detail, "above": {**detail["above"], "offset": offset}}
    return detail
