"""What one column held in the training data (:class:`ColumnDomain`): the values, range and missingness every
synthesizer keeps so that an impossible condition is refused at once, never searched for by drawing rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.generated import MIN_CONSTANT_ROWS
from synth.schema import ColumnKind
from synth.synthesizers import persist
from synth.synthesizers.marginals import datetime_unit, pooled_bounds, sorted_values

_NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)


@dataclass(frozen=True)
class ColumnDomain:
    """What one column held in the training data: enough to reject impossible conditions at once.

    Attributes:
        name: column name.
        kind: column kind.
        values: categorical, boolean and constant columns: the values seen (missing excluded), sorted (never
            in order of first appearance, which would give away training row 0).
        low / high: numeric columns: the range of the values, each end the mean of ``TAIL_ROWS`` values inside
            the ``TAIL_ROWS - 1`` most extreme (:func:`~synth.synthesizers.marginals.pooled_bounds`: neither end is
            one person's value, and no extreme moves it); datetimes as ``pd.Timestamp``; None with fewer than
            ``TAIL_ROWS`` values.
        has_missing: whether any value was missing.
        private: the domain was released under differential privacy (noisy ranges, categories kept by a
            noisy count) rather than read off the data: messages then speak of the model's private domain,
            since claiming "the training data" holds or lacks a value would be wrong both ways.
    """

    name: str
    kind: ColumnKind
    values: tuple[Any, ...]
    low: Any
    high: Any
    has_missing: bool
    private: bool = False

    @classmethod
    def fit(cls, series: pd.Series, kind: ColumnKind) -> ColumnDomain:
        present = series.dropna()
        has_missing = bool(len(present) < len(series))
        name = str(series.name)
        if kind in _NUMERIC and len(present):
            bounds = pooled_bounds(present.to_numpy(dtype=float))
            if bounds is None:
                return cls(name, kind, (), None, None, has_missing)
            if kind is ColumnKind.DISCRETE:  # whole numbers: a mean rounded as a model's draw would be
                bounds = (float(np.round(bounds[0])), float(np.round(bounds[1])))
            return cls(name, kind, (), bounds[0], bounds[1], has_missing)
        if kind is ColumnKind.DATETIME and len(present):
            dates = pd.to_datetime(present)
            tz = getattr(dates.dt, "tz", None)
            utc = dates if tz is None else dates.dt.tz_convert("UTC").dt.tz_localize(None)
            ns = utc.astype("datetime64[ns]").to_numpy().view(np.int64)
            bounds = pooled_bounds(ns.astype(float))
            if bounds is None:
                return cls(name, kind, (), None, None, has_missing)
            # Means on the dates' own grain (a date-only column's range in dates), rounded inwards.
            unit = datetime_unit(ns)
            low_ns, high_ns = np.ceil(bounds[0] / unit) * unit, bounds[1] // unit * unit
            if low_ns > high_ns:  # one mean off the grain: its nearest grain step, both ends
                low_ns = high_ns = np.round(bounds[0] / unit) * unit
            low, high = _timestamp(low_ns, tz), _timestamp(high_ns, tz)
            return cls(name, kind, (), low, high, has_missing)
        if kind is ColumnKind.CONSTANT and len(present) < MIN_CONSTANT_ROWS:
            return cls(name, kind, (), None, None, has_missing)
        if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.CONSTANT):
            return cls(name, kind, tuple(sorted_values(pd.unique(present))), None, None, has_missing)
        return cls(name, kind, (), None, None, has_missing)


def _timestamp(ns: float, tz: Any) -> pd.Timestamp:
    """A mean of datetimes (nanoseconds since the epoch, UTC) as a timestamp in the column's zone."""
    stamp = pd.Timestamp(round(ns), unit="ns")
    return stamp if tz is None else stamp.tz_localize("UTC").tz_convert(tz)


# Model files name state types by module and class: pinned to the module that defined it before the split, so files
# saved earlier still load (synth.synthesizers.base re-exports it).
ColumnDomain.__module__ = "synth.synthesizers.base"
persist.register_state_type(ColumnDomain)
