"""Dates the Gaussian copula draws as a gap from an earlier date, finished as the column holds them.

A date never before an earlier one (an exit after its hire) is modelled as its gap in days from it
(:func:`synth.synthesizers.column_order.to_gaps`), a number like any other: nothing in that number knows the
date's own grain or range. Added back to its anchor, the gap gave date-only columns clock times
("2023-08-15 16:08:51.47") and dates years past the column's last one (a hire near the end plus a long tenure:
2030 where the real exits stop in 2026). CART finishes its dates on their recorded unit and within their smoothed
range (``cart_sampling._finish_values``); this does the same for the copula's gap dates:

* the grain: the coarsest of day, hour, minute, second, millisecond or microsecond every training value is a
  multiple of (:func:`~synth.synthesizers.marginals.datetime_unit`, as the copula's own date marginals), stored
  per gap date (``date_units_``);
* the range: the column's domain (``Synthesizer.domain_``), whose ends are each the mean of 5 dates inside
  the 4 most extreme (:func:`~synth.synthesizers.marginals.pooled_bounds`). Rows with a gap date outside it are
  drawn again, whole (the model's distribution cut to the range, as for orders); what is still outside after
  :data:`~synth.synthesizers.column_order.ORDER_REDRAWS` rounds is clipped to it.

The order wins over the range: a date is never moved before its anchor.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from synth.synthesizers.coded_labels import plain_labels
from synth.synthesizers.column_order import ORDER_REDRAWS, floor_days, from_gaps
from synth.synthesizers.instants import datetime_ns, float_ns
from synth.synthesizers.marginals import datetime_unit

Gap = tuple[str, str, float]
Range = tuple[pd.Timestamp, pd.Timestamp]


def gap_units(data: pd.DataFrame, gaps: Sequence[Gap]) -> tuple[tuple[str, int], ...]:
    """(column, grain in nanoseconds) of each date drawn as a gap, read from its training values."""
    units = []
    for later, _, _ in gaps:
        ns, missing = datetime_ns(data[later])
        units.append((later, datetime_unit(ns[~missing])))
    return tuple(units)


def _bounds(ranges: Mapping[str, Range], name: str) -> tuple[float, float]:
    low, high = ranges.get(name, (None, None))
    if low is None or high is None:
        return -np.inf, np.inf
    return float(datetime_ns(pd.Series([low]))[0][0]), float(datetime_ns(pd.Series([high]))[0][0])


def out_of_range(body: pd.DataFrame, gaps: Sequence[Gap], ranges: Mapping[str, Range]) -> np.ndarray:
    """Rows of ``body`` (dates already added back to their anchors) with a gap date outside its range."""
    bad = np.zeros(len(body), dtype=bool)
    for later, _, _ in gaps:
        low, high = _bounds(ranges, later)
        ns = float_ns(body[later])
        bad |= (ns < low) | (ns > high)
    return bad


def finish_gap_dates(
    body: pd.DataFrame,
    gaps: Sequence[Gap],
    units: Mapping[str, int],
    ranges: Mapping[str, Range],
    days: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """Each gap date (added back to its anchor) on its grain and clipped to its range, never past its anchor.

    Rounding to the grain moves a date by at most half a unit; where that would cross its anchor (an anchor at
    a finer grain), it goes to the grain step on the anchor's far side instead. Gaps are resolved in table order,
    as :func:`from_gaps` resolves them, so a chained date reads its anchor already finished.
    """
    for later, earlier, sign in gaps:
        ns = float_ns(body[later])
        unit = float(units.get(later, 1))
        low, high = _bounds(ranges, later)
        value = np.clip(np.round(ns / unit) * unit, low, high)
        anchor = float_ns(body[earlier])
        if later in days:  # a whole-day date keeps its order with the anchor's day (column_order.anchor_base)
            anchor = floor_days(anchor)
        # The bound's own grain step, rounded away from the anchor: the order holds and the grain too.
        step = (np.ceil(anchor / unit) if sign > 0 else np.floor(anchor / unit)) * unit
        wrong = sign * (value - anchor) < 0
        value = np.where(wrong, step, value)
        missing = np.isnan(value)
        out = pd.Series(np.where(missing, 0, value).astype(np.int64).view("datetime64[ns]"), index=body.index)
        out[missing] = pd.NaT
        tz = getattr(body[later].dt, "tz", None)
        if tz is not None:
            out = out.dt.tz_localize("UTC").dt.tz_convert(tz)
        body[later] = out
    return body


def redraw_out_of_range(
    frame: pd.DataFrame,
    gaps: Sequence[Gap],
    ranges: Mapping[str, Range],
    draw: Callable[[int], pd.DataFrame],
    days: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """``frame`` (dates still as gaps) with every row whose gap date lands outside its range replaced by a fresh
    row from ``draw``, up to :data:`ORDER_REDRAWS` rounds; the rest is left for :func:`finish_gap_dates`."""
    if not gaps or not ranges:
        return frame
    columns = list(dict.fromkeys(c for later, earlier, _ in gaps for c in (later, earlier)))
    for _ in range(ORDER_REDRAWS):
        bad = np.flatnonzero(out_of_range(from_gaps(frame[columns].copy(), gaps, days), gaps, ranges))
        if not len(bad):
            break
        fresh = draw(len(bad))
        for name in frame.columns:  # (a coded label column goes back to its plain labels: coded_labels)
            column = plain_labels(frame[name])
            column[bad] = plain_labels(fresh[name])
            frame[name] = column
    return frame
