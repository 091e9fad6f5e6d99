"""Datetimes as nanoseconds since the epoch: the one conversion every date rule and model shares.

It imports nothing from ``synth`` so that the base, the CART steps and the row rules (which import one another) can
all read it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def datetime_ns(series: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Datetimes as int64 nanoseconds since the epoch (UTC for zone-aware values; 0 where missing, so arithmetic on
    the whole array cannot overflow) and the missing mask."""
    dt = pd.to_datetime(series, errors="coerce")
    if isinstance(dt.dtype, pd.DatetimeTZDtype):
        dt = dt.dt.tz_convert("UTC").dt.tz_localize(None)
    missing = dt.isna().to_numpy()
    ns = dt.astype("datetime64[ns]").to_numpy().view(np.int64).copy()
    ns[missing] = 0
    return ns, missing


def float_ns(series: pd.Series) -> np.ndarray:
    """Datetimes as float nanoseconds since the epoch, NaN where missing."""
    ns, missing = datetime_ns(series)
    return np.where(missing, np.nan, ns.astype(np.float64))


__all__ = ["datetime_ns", "float_ns"]
