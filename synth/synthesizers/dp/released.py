"""What a fitted DP model says of its columns' domains: only what the fit released, never the base's exact ones.

The shared base (:class:`~synth.synthesizers.base.Synthesizer`) reads each column's exact values, range and
missingness at fit, for checking conditions. For the network's columns
:class:`~synth.synthesizers.privbayes.PrivBayes` replaces them by its released domains (:func:`released_domains`):
the labels above the noisy threshold, the range of the released bins, and missing where the column has a missing
code. A date drawn as a gap
from an earlier one (a declared order) released its gap's range: its own range is the earlier date's moved by it
(:func:`gapped_domains`). Both are post-processing of what the fit released: no budget.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from synth.schema import ColumnKind
from synth.synthesizers.base import ColumnDomain
from synth.synthesizers.cart import MISSING, datetimes_from_units
from synth.synthesizers.column_order import shift_dates
from synth.synthesizers.dp.encoding import BinnedColumn
from synth.synthesizers.time_of_day import Zone, from_local


def released_domains(
    domain: Sequence[ColumnDomain], columns: Sequence[BinnedColumn], time_zones: Mapping[str, Zone]
) -> tuple[ColumnDomain, ...]:
    """``domain`` (the base's, read from the rows) with each of the network's ``columns`` replaced by its released
    domain; a generated column's is kept (outside ε, as the guarantee says). A date's ends are on its local clock
    (``time_zones``, the model's)."""
    released = {c.name: c for c in columns}
    out = []
    for dom in domain:
        col = released.get(dom.name)
        if col is None:
            out.append(dom)  # a generated column: outside ε, as the guarantee says
        elif col.categorical:
            values = tuple(c for c in col.categories if c != MISSING)
            out.append(ColumnDomain(dom.name, dom.kind, values, None, None, MISSING in col.categories, private=True))
        elif not len(col.low):  # a range that released no value: missing in every row
            out.append(ColumnDomain(dom.name, dom.kind, (), None, None, True, private=True))
        else:
            low, high = float(col.low.min()), float(col.high.max())
            if col.kind is ColumnKind.DATETIME:
                ends = datetimes_from_units(np.asarray([low, high]), np.zeros(2, bool), col.origin, col.unit, None)
                ends = from_local(pd.DataFrame({dom.name: ends}), time_zones)[dom.name]  # a local clock
                low, high = ends.iloc[0], ends.iloc[1]
            out.append(ColumnDomain(dom.name, dom.kind, (), low, high, col.has_missing, private=True))
    return tuple(out)


def gapped_domains(
    domain: tuple[ColumnDomain, ...],
    kinds: Mapping[str, ColumnKind],
    order_gaps: Sequence[tuple[str, str, float]],
) -> tuple[ColumnDomain, ...]:
    """A column drawn as a gap (``order_gaps``: later, earlier, sign) released its gap's range (in days for a date):
    its own range is the anchor's released range moved by it, and it is missing wherever the gap or the anchor
    is."""
    by_name = {d.name: d for d in domain}
    for later, earlier, sign in order_gaps:
        gap, start = by_name[later], by_name[earlier]
        has_missing = gap.has_missing or start.has_missing
        if kinds[later] is ColumnKind.DATETIME:
            days = np.sort(np.asarray([float(gap.low), float(gap.high)]) * sign)
            ends = shift_dates(pd.Series(pd.to_datetime([start.low, start.high])), days)
            low, high = ends.iloc[0], ends.iloc[1]
        else:
            moves = sorted(float(v) * sign for v in (gap.low, gap.high))
            low, high = float(start.low) + moves[0], float(start.high) + moves[1]
        by_name[later] = ColumnDomain(later, kinds[later], (), low, high, has_missing, private=True)
    return tuple(by_name[d.name] for d in domain)
