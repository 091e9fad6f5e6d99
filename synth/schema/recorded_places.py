"""The decimal places (or the grain: tens, hundreds) a real number column was recorded at, and each value's own.

Synthetic numbers are written back at the places their column was recorded at (:attr:`ColumnSpec.decimals`, set by
:func:`~synth.schema.number_kinds.infer_numeric`): a salary of 57,732 beside real ones that all end in 00 is a
tell. CART's rounding band by band and the Sample page's "Finer than the real columns" note judge single values the
same way (:func:`value_places`, :func:`exact_at`).
"""

from __future__ import annotations

import numpy as np

from synth.schema.kinds import MAX_DECIMALS, MIN_DECIMALS

#: Distinct non-zero values a column of whole numbers needs before a grain (tens, hundreds) is read from them.
MIN_GRAIN_VALUES = 5


def recorded_grain(values: np.ndarray) -> int | None:
    """For whole numbers all recorded to tens, hundreds, … (salaries to the nearest 100, house values to the
    nearest 100): minus the most zeros every value ends in (-2), down to :data:`MIN_DECIMALS`; else None.

    Synthetic values are rounded to it as to recorded decimals: a salary of 57,732 beside real ones that all end
    in 00 is a tell. It needs :data:`MIN_GRAIN_VALUES` distinct non-zero values, so a column of a few round codes
    (a year of 2000 and 2010) says nothing about a grain.
    """
    values = np.asarray(values, dtype=np.float64)
    nonzero = np.unique(values[np.isfinite(values) & (values != 0)])
    if len(nonzero) < MIN_GRAIN_VALUES or np.abs(nonzero).max() >= 2.0**53:  # beyond 2**53 floats skip integers
        return None
    grain = None
    for zeros in range(1, -MIN_DECIMALS + 1):
        if np.any(np.fmod(nonzero, 10.0**zeros) != 0):
            break
        grain = -zeros
    return grain


def recorded_decimals(values: np.ndarray) -> int | None:
    """The fewest decimal places (0 to :data:`MAX_DECIMALS`) at which every value is exact, or None.

    Values read from text are binary approximations of decimals (0.1 is not exact), so "exact" allows a few units
    of float rounding in the scaled value, never a real digit: 361690.84 is 2 places, 361690.8437 is 4.
    """
    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    if not len(values):
        return None
    for places in range(MAX_DECIMALS + 1):
        if np.all(exact_at(values, places)):
            return places
    return None


def value_places(values: np.ndarray) -> np.ndarray:
    """Each value's fewest decimal places at which it is exact, judged as :func:`recorded_decimals` judges a column
    (negative for a grain: 72100.0 is -2, down to :data:`MIN_DECIMALS`); a value finer than :data:`MAX_DECIMALS`
    places gets ``MAX_DECIMALS + 1``, a missing or infinite one ``MIN_DECIMALS - 1``."""
    x = np.asarray(values, dtype=np.float64)
    places = np.full(len(x), MAX_DECIMALS + 1, dtype=np.int64)
    open_ = np.isfinite(x)
    places[~open_] = MIN_DECIMALS - 1
    for p in range(MAX_DECIMALS + 1):  # each value takes the first place at which it is exact
        at = np.flatnonzero(open_)
        exact = at[exact_at(x[at], p)]
        places[exact] = p
        open_[exact] = False
    # Grains only for whole numbers: scaled down, a small fraction is within the slack of zero (0.000922 at -6).
    whole = places == 0
    for p in range(-1, MIN_DECIMALS - 1, -1):
        whole &= exact_at(x, p)
        places[whole] = p
    return places


def exact_at(values: np.ndarray, places: int) -> np.ndarray:
    """Whether each value is exact at ``places`` decimals: values read from text are binary approximations of
    decimals, so a few units of float rounding in the scaled value are allowed, never a real digit."""
    scaled = values * 10.0**places
    slack = 1e-9 + 16 * np.finfo(np.float64).eps * np.abs(scaled)
    return np.abs(scaled - np.round(scaled)) <= slack
