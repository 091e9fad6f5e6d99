"""Whole numbers recorded to a grain (salaries to the nearest 100) drawn from CART's pooled bands, rounded to a grid of
cells that each hold many real values.

Rounding a draw from a band to the column's own grain is refused where grid values are scarce
(:func:`synth.synthesizers.rare_bands.safe_decimals`): a band of 50 rare salaries over 25 grid values lands on real
values, and bands sit where the training rows crowd, so train-only salaries came back more often than fresh ones.
Measured on seeded lognormal salaries (1,000 training rows, bands of 5, 40 seeds): rounding to 100 gave a
rare-value excess of +0.033 (standard error 0.006); keeping the draws unrounded gives exactly 0 but left 97% of
Pruned CART's HR salaries off the 100 grid, a tell visible at a glance.

Here a band's draws are rounded instead to a coarser grid, a multiple of the grain (100, 200, 500, 1,000, …): the
smallest cell that holds at least :data:`ROWS_PER_CELL` real rows, counted over the band and
:data:`WINDOW_BANDS` bands on each side of it, and only to the cell points inside the band (a band's draws never
round onto the column's extreme, which lies outside its band). A point drawn is then one that about five real rows
share, and with as many synthetic rows as real ones almost every cell point is drawn, whether or not a real person
holds it. Why the window: a cell fitted to one band is finer where the training rows happen to crowd, which puts
more cell points there; read over five bands, the excess fell to +0.005 (standard error 0.003) in the same
simulation (``tests/unit/test_grain_cells.py`` pins both).

A band with no cell point inside it (narrower than its cell) used to keep its draws unrounded: 12% of CART's hr
salaries came out off the 100 grid, as 75,337 beside real ones in hundreds. Its draws are now rounded to a finer grid
and never onto the grain, as :mod:`synth.synthesizers.band_decimals` rounds a band too narrow for its recorded
decimals (a draw whose digits would make it a multiple of the grain takes other digits): none of them can be a real
value, so no grid size brings one back. The grid is the coarsest power of ten finer than the grain (hundreds: tens,
else units) that holds :data:`OFF_GRAIN_POINTS_PER_ROW` points off the grain for each real row pooled in the band.
Powers of ten, not 50, 20 or 5: a 50 grid off the hundreds is only the values ending in 50, and a 20 grid only the
even tens, each a pattern real numbers lack; one more digit reads as any number recorded to tens. Not
:data:`~synth.synthesizers.rare_bands.GRID_VALUES_PER_ROW` points a row: that count bounds how often a draw lands on a
real value, which a point off the grain never is, and it would give units in 57 of the hr walk's 58 such bands (their
median width is 250 for 5 rows), leaving them as far off the grid to the eye as before. What two points a row keep is
the draws apart: a band's draws are spread over twice as many points as its real rows, and ties stay rare. Measured
on the hr walk table (``python -m benchmarks.bench_decimals --grain``, seeded CART): 11.8% of the salaries are off the
100 grid, before 247 of them at units and 35 at tens, now all 284 at tens (distinct salaries 599 → 567 for 772
real); Pruned CART has no such band there. The attack on the finer grids (``tests/unit/test_grain_cells.py``, 40
seeded columns, ten samples): rounded plainly to tens, train-only salaries inside such bands came back 3.7 points
more often than holdout-only ones; off the grain, -0.08 points.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.synthesizers.band_decimals import BandPlaces, round_in_bands

#: The fewest real rows each cell point of a band's grid stands for (counted over the band's window).
ROWS_PER_CELL = 5
#: Bands on each side of a band whose rows and widths choose its cell.
WINDOW_BANDS = 2
#: Cells are these multiples of the grain times a power of ten: round numbers, as recorded numbers are.
NICE_MULTIPLES = (1, 2, 5)
#: The fewest points off the grain that a finer grid holds, per real row pooled in a band with no cell point.
OFF_GRAIN_POINTS_PER_ROW = 2


@dataclass(frozen=True)
class GrainCells:
    """The bands of one CART step's donors (sorted by their low end), each band's cell points and, for a band with
    none, the places of its finer grid (``places``: -1 tens, 0 units; below the grain for a band with cell points)."""

    low: np.ndarray
    high: np.ndarray
    cell: np.ndarray
    first: np.ndarray  # the lowest cell point inside each band (above ``last`` when it holds none)
    last: np.ndarray
    places: np.ndarray


def grain_cells(donors: np.ndarray, widths: np.ndarray, grain: int) -> GrainCells:
    """The cell grid of each band among a step's donors (``donors``: band low ends, ``widths`` > 0 for bands), for a
    column recorded to ``grain`` (negative decimals: -2 for hundreds)."""
    step = 10.0**-grain
    banded = widths > 0
    # Bands are disjoint, so a band's low end names it: a 1-D unique, not one of (low, width) pairs (1 s on 1M donors).
    low, at, rows = np.unique(donors[banded], return_index=True, return_counts=True)
    width = widths[banded][at]
    near_rows, near_width = _window_sum(rows.astype(np.float64)), _window_sum(width)
    need = np.maximum(ROWS_PER_CELL * near_width / np.maximum(near_rows, 1.0), step)
    power = step * 10.0 ** np.floor(np.log10(need / step) + 1e-9)
    choices = power[:, None] * np.array([*NICE_MULTIPLES, 10], dtype=np.float64)[None, :]
    cell = np.where(choices >= need[:, None] * (1 - 1e-9), choices, np.inf).min(axis=1)
    high = low + width
    first = np.ceil(low / cell - 1e-9) * cell
    last = np.floor(high / cell + 1e-9) * cell
    places = np.where(first > last, _finer_places(width, rows, grain), grain - 1)
    return GrainCells(low, high, cell, first, last, places)


def _finer_places(width: np.ndarray, rows: np.ndarray, grain: int) -> np.ndarray:
    """Each band's finer grid, as places: the coarsest power of ten below the grain (``grain`` + 1 up to units) that
    holds :data:`OFF_GRAIN_POINTS_PER_ROW` points off the grain per pooled row, else units (the column is whole)."""
    places = np.arange(grain + 1, 1)
    step = 10.0**-places
    off_grain = width[:, None] / step * (1.0 - step / 10.0**-grain)
    enough = off_grain >= OFF_GRAIN_POINTS_PER_ROW * rows[:, None] * (1 - 1e-9)
    return places[np.where(enough.any(axis=1), enough.argmax(axis=1), len(places) - 1)]


def round_to_cells(values: np.ndarray, cells: GrainCells, grain: int) -> np.ndarray:
    """``values`` drawn from the bands of ``cells`` rounded to their band's nearest cell point inside it, or in a band
    without one to its finer grid, never onto the grain (:func:`synth.synthesizers.band_decimals.round_in_bands`);
    values already on the grain (a point donor: a real value many rows share) are returned as they are."""
    out = np.asarray(values, dtype=np.float64).copy()
    if len(cells.low) == 0:
        return out
    on_grain = np.round(out, grain) == out
    band = np.clip(np.searchsorted(cells.low, out, side="right") - 1, 0, len(cells.low) - 1)
    inside = ~on_grain & ~np.isnan(out) & (out >= cells.low[band]) & (out <= cells.high[band])
    inside &= cells.first[band] <= cells.last[band]
    b = band[inside]
    rounded = np.round(out[inside] / cells.cell[b]) * cells.cell[b]
    out[inside] = np.clip(rounded, cells.first[b], cells.last[b])
    # Draws rounded to a cell point are on the grain now, so the finer grids leave them alone.
    return round_in_bands(out, BandPlaces(cells.low, cells.high, cells.places), grain)


def _window_sum(a: np.ndarray) -> np.ndarray:
    """Each entry's sum with up to :data:`WINDOW_BANDS` neighbours on each side (fewer at the ends)."""
    total = np.r_[0.0, np.cumsum(a)]
    at = np.arange(len(a))
    return total[np.minimum(at + WINDOW_BANDS + 1, len(a))] - total[np.maximum(at - WINDOW_BANDS, 0)]
