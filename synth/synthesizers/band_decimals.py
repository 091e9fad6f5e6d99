"""Numbers with fractions drawn from CART's pooled bands, rounded band by band to the fewest decimals at which a
rounded draw cannot come back as a real rare value.

A column whose bands are too narrow for its recorded decimals (:func:`synth.synthesizers.rare_bands.safe_decimals`)
used to keep its draws' whole precision: shop totals came out as 116.62540648293103 beside real ones in cents, a
tell visible at a glance. The refusal was made per column, on the 10th percentile of its banded rows, so one crowded
stretch of values left every band of the column unrounded.

Here each band is judged on its own. A band that holds at least
:data:`~synth.synthesizers.rare_bands.GRID_VALUES_PER_ROW` grid values for each real value pooled in it rounds its
draws to the recorded decimals, as a column that passes does; a narrower band rounds them to the fewest extra places
(recorded + 1, + 2, …) at which it reaches that many, so cents too crowded for cents come out with 3 decimals, never
17. Every real value is on the recorded grid, so a draw rounded to extra places lands on one only when its extra
digits round to zeros: such a draw takes instead other extra digits, chosen by the digits rounded away (a uniform
draw's are independent of the rest, so the band's values stay uniform over the points off the recorded grid). A draw
from an extra-places band is therefore never a real value, and one from a recorded-places band lands on a real rare
one with a chance of 1 in 100 or less, as in a column that passes whole.

Measured (``python -m benchmarks.bench_decimals --shared``): shop totals in cents come out at 3-4 places (before, 99.9%
at 15-17), survey weights at 5-6 for 4, office coordinates at 6-7 for 5, California's median income at 5-6 for 4;
distinct counts and rare-value excesses as before. Most values stay finer than the real ones: grid values per pooled
row are the real values' local spacing in grid steps, which no band size changes. The attack on the rounding itself
(``tests/unit/test_band_decimals.py``, 40 seeded columns of crowded cents): rounded to cents, train-only values came
back 2.9 points more often than holdout-only ones; rounded band by band, -0.004 points.

A column a text layout writes at fixed places ("€1,234.50") is written at them whatever places a band keeps, so there
the extra places cannot help: a crowded band's draw is spread over :data:`WINDOW_ROWS` rows' worth of values before
it is rounded (:func:`spread_crowded`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synth.schema.number_text import MAX_DECIMALS, MIN_DECIMALS
from synth.schema.recorded_places import exact_at, value_places
from synth.synthesizers.rare_bands import GRID_VALUES_PER_ROW

#: The most extra places a band may need; a band narrower still keeps its draws' precision (none was seen: it would
#: pool values a millionth of a grid step apart).
MAX_EXTRA_PLACES = 6

#: How many real rows' worth of values a crowded band's draw is spread over before a text layout writes it at the
#: recorded places (:func:`spread_crowded`). Simulated band draws of crowded cents (1,000 training rows, 60 seeds): over
#: 10 / 20 / 30 / 60 rows, train-only values came back +3.3 / +1.9 / +1.4 / +0.3 points more often than holdout-only
#: ones (standard error 0.3), the KS distance to the holdout unchanged at every width; CART's KS on such a column,
#: written "€12.34", 0.050 unspread, 0.051 at 60 rows, 0.054 at 250 (20 seeds).
WINDOW_ROWS = 60


@dataclass(frozen=True)
class BandPlaces:
    """The bands of one CART step's donors (sorted by their low end) and the places each band's draws are rounded
    to (-1 below the recorded decimals: kept unrounded)."""

    low: np.ndarray
    high: np.ndarray
    places: np.ndarray
    rows: np.ndarray | None = None  # real rows pooled in each band (None: not counted)


def band_places(donors: np.ndarray, widths: np.ndarray, decimals: int) -> BandPlaces:
    """Each band's places among a step's donors (``donors``: band low ends, ``widths`` > 0 for bands), for a column
    recorded at ``decimals``: the fewest from ``decimals`` up at which the band holds
    :data:`GRID_VALUES_PER_ROW` grid values per real value pooled in it."""
    banded = widths > 0
    # Bands are disjoint, so a band's low end names it (a 1-D unique: ten times faster than pairs on 1M donors).
    low, first, rows = np.unique(donors[banded], return_index=True, return_counts=True)
    width = widths[banded][first]
    with np.errstate(divide="ignore"):
        need = np.log10(GRID_VALUES_PER_ROW * rows / (width * 10.0**decimals))
    extra = np.maximum(np.ceil(need - 1e-9), 0)
    places = np.where(extra <= MAX_EXTRA_PLACES, decimals + extra, decimals - 1).astype(np.int64)
    return BandPlaces(low, low + width, places, rows)


def round_in_bands(values: np.ndarray, bands: BandPlaces, decimals: int) -> np.ndarray:
    """``values`` drawn from ``bands`` rounded to their band's places, never onto the recorded grid (``decimals``)
    where those are finer; values on that grid (a point donor: a real value many rows share) and values outside every
    band are returned as they are."""
    out = np.asarray(values, dtype=np.float64).copy()
    if len(bands.low) == 0:
        return out
    band = np.clip(np.searchsorted(bands.low, out, side="right") - 1, 0, len(bands.low) - 1)
    # A value already on the recorded grid is a point donor (a uniform draw from a band is not, but for chance): a
    # common value is often a band's end.
    on_grid = exact_at(out, decimals)
    inside = ~on_grid & ~np.isnan(out) & (out >= bands.low[band]) & (out <= bands.high[band])
    inside &= bands.places[band] >= decimals
    for places in np.unique(bands.places[band[inside]]):
        at = np.flatnonzero(inside & (bands.places[band] == places))
        out[at] = _rounded(out[at], int(places), decimals, bands.low[band[at]], bands.high[band[at]])
    return out


def spread_crowded(values: np.ndarray, bands: BandPlaces, decimals: int) -> np.ndarray:
    """``values`` drawn from ``bands`` for a column a text layout writes at its recorded ``decimals`` ("€12.34"),
    whatever places the model keeps: each draw from a band too crowded for those decimals (its places are finer) is
    moved uniformly within a window :data:`WINDOW_ROWS` real rows wide at the band's density, centred on it, then
    rounded to ``decimals``; every other draw is rounded as :func:`round_in_bands` rounds it.

    The layout puts such draws on the grid the real values sit on, so a band of five rows, rounded, lands on its own
    rows' values more often than on a fresh row's nearby (crowded cents: +3.2 points for CART, 30 seeds): the band's
    density is read off those rows. Spread over sixty rows' worth of values, a draw's density is read off many more,
    and the excess falls to +0.4 points for CART, +0.9 for Pruned CART (40 seeded tables, standard error 0.5; unspread
    +3.0 and +2.0; ``tests/unit/test_layout_excess.py``, ``python -m benchmarks.bench_layout_excess``) while the
    column's shape is kept: the window is a few grid steps where values crowd."""
    out = round_in_bands(values, bands, decimals)
    if len(bands.low) == 0 or bands.rows is None:
        return out
    x = np.asarray(values, dtype=np.float64)
    band = np.clip(np.searchsorted(bands.low, x, side="right") - 1, 0, len(bands.low) - 1)
    crowded = ~np.isnan(x) & (x >= bands.low[band]) & (x <= bands.high[band]) & (bands.places[band] > decimals)
    crowded &= ~exact_at(x, decimals)  # a point donor (a common value) stays where it is
    at = np.flatnonzero(crowded)
    if len(at):
        b = band[at]
        window = (bands.high[b] - bands.low[b]) * WINDOW_ROWS / bands.rows[b]
        # No generator is drawn from, so every other column gets the draws it would get were the numbers stored as
        # numbers.
        fine = digits_past_millionth((x[at] - bands.low[b]) / (bands.high[b] - bands.low[b]))
        out[at] = np.round(x[at] + (fine - 0.5) * window, decimals)
    return out


def digits_past_millionth(position: np.ndarray) -> np.ndarray:
    """Where in its window a spread draw goes, in [0, 1): the digits of ``position`` (the draw's place in its band or
    knot interval, in units of it) past the millionth. A continuous draw's are uniform and independent of the rest,
    so they place it without drawing from a generator: a seed gives the same table, and every other column the draws
    it got unspread (:func:`spread_crowded`, :func:`synth.synthesizers.knot_spread.spread_knot_draws`)."""
    return np.modf(position * 1e6)[0]


def _rounded(x: np.ndarray, places: int, decimals: int, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """``x`` (draws from bands between ``low`` and ``high``) rounded to ``places``; where those are finer than
    ``decimals``, a draw rounded onto the recorded grid takes instead one of the other points of its recorded cell
    (inwards at a band's end), chosen by the fraction rounding dropped."""
    scaled = x * 10.0**places
    whole = np.round(scaled)
    if places == decimals:
        return np.round(whole / 10.0**places, places)
    cell = 10.0 ** (places - decimals)  # points of the finer grid in one step of the recorded grid
    on_grid = np.round(whole / cell) * cell == whole
    # The dropped fraction is uniform on [-0.5, 0.5) and independent of the kept digits: an offset from 1 to
    # cell - 1, so the band's draws stay uniform over the points off the recorded grid.
    offset = 1.0 + np.minimum(np.floor((scaled - whole + 0.5) * (cell - 1.0)), cell - 2.0)
    up, down = whole + offset, whole - offset
    # A band too narrow for either offset takes the next point off the grid inside it (a band holding any point but
    # this one holds a neighbour), and the one below it if the band holds none: never the recorded grid.
    near = np.where((whole + 1) / 10.0**places <= high, whole + 1, whole - 1)
    moved = np.where(up / 10.0**places <= high, up, np.where(down / 10.0**places >= low, down, near))
    whole = np.where(on_grid, moved, whole)
    return np.round(whole / 10.0**places, places)


def sum_at_places(total: np.ndarray, *inputs: np.ndarray) -> np.ndarray:
    """A sum rule's output (``total``, computed from ``inputs``) written at the most places an input of its row has:
    inputs rounded band by band to 3 decimals are exact at them, their float sum is not (0.1 + 0.2 is
    0.30000000000000004), and a sum whose column keeps no decimals is not rounded later. Rows with an input finer
    than :data:`~synth.schema.number_text.MAX_DECIMALS` places keep their sum as it is."""
    places = np.max([value_places(v) for v in inputs], axis=0) if inputs else np.zeros(0, dtype=np.int64)
    out = np.asarray(total, dtype=np.float64).copy()
    ok = np.isfinite(out) & (places <= MAX_DECIMALS) & (places >= MIN_DECIMALS)
    scale = 10.0 ** places[ok].astype(np.float64)
    out[ok] = np.round(out[ok] * scale) / scale
    return out
