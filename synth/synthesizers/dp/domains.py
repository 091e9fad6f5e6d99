"""Column domains for a DP model: public when the user declares them, otherwise bought with ε.

A domain is what the discrete attributes are made of: the category labels of a categorical column, and the
range and bins of a number or date. Read from the data without noise, a domain leaks (a label held by one
person, the exact maximum of a salary column), so every domain here is either

* **public**: declared by the user (a list of labels, or ``(low, high)`` bounds) and not read from the data,
  except to check that no training value falls outside it (:class:`PublicDomainError` otherwise); or
* **private**: released by a DP mechanism with its own share of ε:

  - categories: Laplace noise on the count of every label present, and only labels whose noisy count exceeds
    the stability threshold 1 + ln(1/(2δ))/ε are kept (:func:`synth.synthesizers.dp.mechanisms.threshold`),
    which makes the label list (ε, δ)-DP. Labels below it fall into :data:`OTHER`. Kept labels are sorted, so
    no order carries information either;
  - numbers and dates: a noisy histogram over a public grid (log-spaced, a cell for exact zero; dates in
    calendar years) whose cells above a noisy threshold give a range (a range inside one coarse cell, such as
    years, is refined by noisy histograms of eight equal cells inside it; a range of several cells has its two
    end cells cut finer; a whole-number range of up to ``SMALL_SPAN`` values is placed by noisy per-value counts
    in a window around it, :func:`whole_counts`; what no finer look could place is flagged
    :attr:`NumericDomain.coarse` and named by the fit warning); then noisy counts of the whole
    numbers (and zero) in that range find the
    values held by at least 1/bins of the rows ("spikes", e.g. 40 hours a week), which get a bin of their
    own. Values outside the range are clipped to it.

Missing values: a label like any other for categories (declared labels must list None to allow missing values);
for private numbers and dates always a code of its own, whose mass the noisy tables decide (a code that holds only
noise is dropped: :func:`~synth.synthesizers.dp.network.drop_faint_code`). A number or date whose range the noise
hid releases no value and is missing in every row (:func:`~synth.synthesizers.dp.encoding.encode_numeric`).
Dates are modelled in whole days since 1970-01-01 (a public origin and unit).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.schema.dates import DAY_NS
from synth.synthesizers.base import SynthesizerError
from synth.synthesizers.cart import MISSING
from synth.synthesizers.dp import mechanisms

# Range-finding lives in its own module; re-exported so callers and model code keep one entry point.
from synth.synthesizers.dp.ranges import (  # noqa: F401
    COARSE_EDGES,
    COARSER_DATE_CELLS,
    COARSER_EDGES,
    DATE_EDGES,
    FALSE_CELL_RATE,
    MAX_GAP,
    SMALL_SPAN,
    TWELVE_YEAR_EDGES,
    WIDE_DATE_EDGES,
    WINDOW_FALSE_RATE,
    ZOOM_CELLS,
    ZOOM_LEVELS,
    _coarser,
    _kept_span,
    clearly_empty,
    date_grid,
    full_margin,
    one_look,
    private_range,
    released_range,
    released_span,
    tightened,
)
from synth.synthesizers.input_checks import MAX_MAGNITUDE
from synth.synthesizers.instants import datetime_ns

#: The label that stands for every category under the noisy threshold.
OTHER = "(other)"
#: Nanoseconds in a day: the public unit of modelled dates.
#: Chance that a column without missing values gets a missing code (whose noisy mass would then be sampled).
FALSE_MISSING_RATE = 1e-3
#: Public cells of the noisy histogram whose quantiles place a number's bin edges.
FINE_CELLS = 64
#: Whole numbers in a range up to this many are candidates for spikes; wider ranges check only zero.
MAX_SPIKE_CANDIDATES = 2_000
#: Pseudo-rows per value, in noise scales, added to the noisy counts of a refined bin (see :func:`fine_cells`).
FINE_PRIOR_SCALES = 2.0

CATEGORICAL = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


class PublicDomainError(SynthesizerError):
    """A declared public domain is malformed or excludes training values; the message says which and what to do."""


def label_key(value: Any) -> tuple[str, str]:
    """A data-independent total order on labels of any type (numbers by value, then the rest as text)."""
    if isinstance(value, bool | np.bool_):
        return ("0", str(bool(value)))
    if isinstance(value, int | float | np.integer | np.floating):
        return ("1", f"{float(value):+040.15f}" if abs(float(value)) < 1e20 else str(value))
    return ("2", str(value))


@dataclass(frozen=True)
class NumericDomain:
    """A number or date column's released domain: its range, spikes and bins (in model units)."""

    low: float
    high: float
    bins_low: np.ndarray
    bins_high: np.ndarray
    #: A private range whose ends no finer look could place: released as whole cells of the public grid, so its
    #: values may run past the real ones (said by the fit warning, :func:`~synth.synthesizers.dp.notices.fit_warnings`).
    coarse: bool = False


def normalise_public(public_domains: Mapping[str, Any] | None, schema: Schema) -> dict[str, Any]:
    """Check the user's declared domains: labels for categorical columns, ``(low, high)`` for numbers and dates."""
    if public_domains is None:
        return {}
    if not isinstance(public_domains, Mapping):
        raise PublicDomainError(
            "public_domains maps column names to their public domain, e.g. {'sex': ['F', 'M'], 'age': (0, 120)}"
        )
    out: dict[str, Any] = {}
    for column, domain in public_domains.items():
        if column not in schema.names:
            raise PublicDomainError(f"public_domains names {column!r}, which is not a column of the table")
        kind = schema[column].kind
        if kind in CATEGORICAL:
            if isinstance(domain, str) or not isinstance(domain, list | tuple | set | frozenset):
                raise PublicDomainError(
                    f"the public domain of {column!r} (categorical) is a list of its labels, got {domain!r}"
                )
            labels = [MISSING if _is_missing(v) else v for v in domain]
            if not labels:
                raise PublicDomainError(f"the public domain of {column!r} is empty: list its labels")
            out[column] = tuple(sorted(set(labels), key=label_key))
        elif kind in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME):
            if not isinstance(domain, list | tuple) or len(domain) != 2:
                raise PublicDomainError(
                    f"the public domain of {column!r} is a (low, high) pair of bounds, got {domain!r}"
                )
            low, high = (_model_units(pd.Series([v]), kind)[0] for v in domain)
            learned = f"or leave {column!r} out of public_domains to have its range learned privately"
            if not (math.isfinite(low) and math.isfinite(high)) or low > high:
                raise PublicDomainError(
                    f"the public bounds of {column!r} must be two finite values, low ≤ high, got {domain!r}: "
                    f"declare the range its values can take (e.g. (0, 120) for an age), {learned}"
                )
            # The rule a fit applies to the data (input_checks): a declared range past it became bins and sampled
            # values that overflow, in a model whose own samples no synthesizer could then learn.
            if max(abs(low), abs(high)) > MAX_MAGNITUDE:
                raise PublicDomainError(
                    f"the public bounds of {column!r} reach beyond ±{MAX_MAGNITUDE:.0e} (got {domain!r}): numbers "
                    "that large overflow a synthesizer's arithmetic, so a fit refuses them in the data as well. "
                    f"Declare the range the values can really take (rescale the column if they are that large), "
                    f"{learned}"
                )
            out[column] = (low, high)
        else:
            raise PublicDomainError(
                f"{column!r} is {kind.value}: it is generated, not learned, so it takes no public domain"
            )
    return out


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT


def _model_units(series: pd.Series, kind: ColumnKind) -> np.ndarray:
    """Numbers as floats; dates as whole days since 1970-01-01 (floor); NaN where missing."""
    if kind is ColumnKind.DATETIME:
        ns, missing = datetime_ns(series)
        days = np.floor_divide(ns, DAY_NS).astype(float)
        days[missing] = np.nan
        return days
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def model_units(series: pd.Series, kind: ColumnKind) -> np.ndarray:
    """A column in model units (see :func:`_model_units`)."""
    return _model_units(series, kind)


# ----------------------------------------------------------------------------- categories
def public_categories(labels: pd.Series, declared: tuple[Any, ...], column: str) -> tuple[Any, ...]:
    """The declared labels, after checking that every training label is among them (missing: declare None)."""
    outside = labels[~labels.isin(list(declared))]
    if len(outside):
        shown = ", ".join("None (missing)" if v == MISSING else repr(v) for v in sorted(set(outside), key=label_key))
        raise PublicDomainError(
            f"{column!r} holds {len(outside):,} training values outside its declared public labels (e.g. "
            f"{shown[:200]}): add them to the declared list (None for missing), or recode those rows before fitting"
        )
    return tuple(declared)


def private_categories(labels: pd.Series, epsilon: float, delta: float, rng: np.random.Generator) -> tuple[Any, ...]:
    """Labels (missing included) whose noisy count passes the stability threshold, sorted; then :data:`OTHER`."""
    counts = labels.value_counts(sort=False)
    noisy = mechanisms.laplace(counts.to_numpy(dtype=float), 1.0 / epsilon, rng)
    kept = [label for label, c in zip(counts.index, noisy, strict=True) if c > mechanisms.threshold(epsilon, delta)]
    return (*sorted(kept, key=label_key), OTHER)


def private_has_missing(missing: int, epsilon: float, rng: np.random.Generator) -> bool:
    """Whether a number or date column gets a missing code: its noisy count of missing values is clearly > 0."""
    noisy = mechanisms.laplace(np.asarray([float(missing)]), 1.0 / epsilon, rng)[0]
    return bool(noisy > math.log(1.0 / (2.0 * FALSE_MISSING_RATE)) / epsilon)


def category_codes(labels: pd.Series, categories: tuple[Any, ...]) -> np.ndarray:
    """Each label's code; labels not among ``categories`` get the last code (:data:`OTHER` when private)."""
    lookup = {c: i for i, c in enumerate(categories)}
    codes = labels.map(lookup)
    return codes.fillna(len(categories) - 1).to_numpy(dtype=np.int64)


# ----------------------------------------------------------------------------- numbers and dates
def check_bounds(x: np.ndarray, bounds: tuple[float, float], column: str) -> None:
    """Refuse training values outside declared public bounds (no silent clipping of what the user declared)."""
    low, high = bounds
    present = x[~np.isnan(x)]
    outside = present[(present < low) | (present > high)]
    if len(outside):
        raise PublicDomainError(
            f"{column!r} holds {len(outside):,} training values outside its declared public bounds ({low:g}, "
            f"{high:g}); they range from {float(present.min()):g} to {float(present.max()):g} in this table. Widen "
            "the bounds, or drop or clip those rows before fitting"
        )


def spikes(
    x: np.ndarray, low: float, high: float, n_rows: float, n_bins: int, epsilon: float, rng: np.random.Generator
) -> np.ndarray:
    """Whole numbers in [low, high] (only zero when the range is wide) held by ≥ 1/``n_bins`` of the rows.

    Noisy counts of a public candidate list (ε-DP, :func:`value_counts`); a candidate is a spike when its noisy
    count exceeds both ``n_rows / n_bins`` and the grid's false-positive threshold (:func:`spikes_from`).
    """
    candidates, noisy = value_counts(x, low, high, epsilon, rng)
    return spikes_from(candidates, noisy, n_rows, n_bins, epsilon)


def value_counts(
    x: np.ndarray, low: float, high: float, epsilon: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The public candidates (every whole number in [low, high] when there are at most
    ``MAX_SPIKE_CANDIDATES``, else only zero) and their counts in ``x`` with Laplace noise of scale 1/ε.

    One row adds or removes one to at most one candidate's count (L1 sensitivity 1): ε-DP. Everything computed
    from the noisy counts afterwards (spikes, the fine cells of :func:`fine_cells`) is post-processing.
    """
    if high - low + 1 <= MAX_SPIKE_CANDIDATES:
        candidates = np.arange(math.ceil(low), math.floor(high) + 1, dtype=float)
    else:
        candidates = np.asarray([0.0]) if low <= 0 <= high else np.zeros(0)
    if len(candidates) == 0:
        return candidates, np.zeros(0)
    pos = np.searchsorted(candidates, x)
    pos = np.minimum(pos, len(candidates) - 1)
    hit = candidates[pos] == x
    counts = np.bincount(pos[hit], minlength=len(candidates)).astype(float)
    return candidates, mechanisms.laplace(counts, 1.0 / epsilon, rng)


def spikes_from(candidates: np.ndarray, noisy: np.ndarray, n_rows: float, n_bins: int, epsilon: float) -> np.ndarray:
    """The candidates whose noisy count passes both ``n_rows / n_bins`` and the false-positive threshold."""
    if len(candidates) == 0:
        return candidates
    tau = max(n_rows / n_bins, math.log(len(candidates) / (2.0 * FALSE_CELL_RATE)) / epsilon)
    return candidates[noisy > tau]


def whole_counts(
    x: np.ndarray, low: float, high: float, epsilon: float, rng: np.random.Generator, floor: float | None = None
) -> tuple[float, float, np.ndarray, np.ndarray, bool]:
    """A small whole-number range made exact where the noise allows: noisy counts of every whole number in a public
    window, the released span ``[low, high]`` widened by its own width on each side (not below ``floor``), ε-DP.

    The coarse grid's cells are wide near the values of hours, months and weekdays ([5.6, 10), [10, 17.8), [17.8,
    31.6)) and need a threshold set for 155 cells, so Bike Sharing's ``hr`` (0–23) was released as 6–31 at ε = 1:
    hours 0–5 were drawn as 6 and a sixth of the rows got hours 24–31. A window of a few dozen values needs a far
    lower threshold, and it gets the column's whole remaining ε (the same counts give its spikes, bin edges and fine
    cells: :func:`count_edges`, :func:`fine_cells`). The range becomes the run of values whose noisy count passes
    the window's threshold (:func:`~synth.synthesizers.dp.ranges.tightened`), an end moving in only past values
    that are clearly empty (:func:`~synth.synthesizers.dp.ranges.clearly_empty`). Where none passes (or one alone)
    or an end cannot move, the released end stays and the range is marked coarse. Returns the range, the
    candidates in it and their noisy counts, and whether it is coarse.
    """
    width = high - low + 1.0
    start = low - width if floor is None else max(low - width, min(floor, low))
    window, noisy = value_counts(x, start, high + width, epsilon, rng)
    in_span = (window >= low) & (window <= high)
    density = float(np.clip(noisy[in_span], 0.0, None).mean())
    run = _joined_run(window, noisy, tightened(window, noisy, epsilon), epsilon, density)
    ends, placed = [low, high], [False, False]
    # One value passing where the released span holds several is the noise thinning a spread column (Bike Sharing's
    # month at ε = 0.3), not a constant: no end is taken from it.
    if run is not None and not (run[0] == run[1] and high > low):
        # An end moves out to the run, or in to it only past values that are clearly empty: values too faint to
        # pass one by one but there together are not cut off.
        placed[0] = run[0] <= low or clearly_empty(noisy[(window >= low) & (window < run[0])], epsilon, density)
        placed[1] = run[1] >= high or clearly_empty(noisy[(window > run[1]) & (window <= high)], epsilon, density)
        ends = [run[0] if placed[0] else low, run[1] if placed[1] else high]
    for end in (0, 1):  # an end the run did not place: in past what is clearly empty, still said to be coarse
        if not placed[end]:
            ends[end] = _trimmed_end(window, noisy, ends[end], end, epsilon, density)
    if ends[0] > ends[1]:  # the ends passed each other: nothing clearly placed, the released span stays
        ends, placed = [low, high], [False, False]
    low, high = ends
    inside = (window >= low) & (window <= high)
    return low, high, window[inside], noisy[inside], not all(placed)


def _joined_run(
    window: np.ndarray, noisy: np.ndarray, run: tuple[float, float] | None, epsilon: float, density: float
) -> tuple[float, float] | None:
    """The part of ``run`` around its largest count, split at every gap between passing values that is clearly
    empty (:func:`~synth.synthesizers.dp.ranges.clearly_empty`): an empty value the noise lifted past the threshold
    a few values off (weekday 14 beside 0–6) is not joined to the data, while gaps of faint real values are."""
    if run is None:
        return None
    inside = (window >= run[0]) & (window <= run[1])
    values, counts = window[inside], noisy[inside]
    passing = np.flatnonzero(counts > math.log(len(window) / (2.0 * WINDOW_FALSE_RATE)) / epsilon)
    centre = int(np.argmax(counts))
    first, last = passing.min(), passing.max()
    for a, b in itertools.pairwise(passing):
        if b - a > 1 and clearly_empty(counts[a + 1 : b], epsilon, density):
            if b <= centre:
                first = b
            elif a >= centre:
                last = a
                break
    return float(values[first]), float(values[last])


def _trimmed_end(
    window: np.ndarray, noisy: np.ndarray, released: float, end: int, epsilon: float, density: float
) -> float:
    """An end no passing value placed, moved in past the longest outer run of the window that is clearly empty
    (:func:`~synth.synthesizers.dp.ranges.clearly_empty`) and whose inner quarter is not clearly full (so a faint
    real value at its inner end is not swallowed by the empty values outside it); never out past ``released``.
    Post-processing. The end stays unplaced (the range is said to be coarse): where such a cut stops is where the
    noise happened to rise, not evidence of rows."""
    order = np.arange(len(window)) if end == 0 else np.arange(len(window))[::-1]
    outward = noisy[order]
    for m in range(len(outward) - 1, 0, -1):
        inner = outward[m - math.ceil(m / 4) : m]
        if clearly_empty(outward[:m], epsilon, density) and inner.sum() < full_margin(len(inner), epsilon):
            first = float(window[order[m]])  # the outermost value not cut off
            return max(first, released) if end == 0 else min(first, released)
    return released


def count_edges(
    candidates: np.ndarray, noisy: np.ndarray, heavy: np.ndarray, k: int, epsilon: float
) -> np.ndarray | None:
    """``k + 1`` bin edges at the quantiles of released per-value noisy counts (the spikes' values left out; counts
    under twice the noise scale taken as empty, as in :func:`quantile_edges`): post-processing. None: no mass."""
    mass = np.where((noisy > 2.0 / epsilon) & ~np.isin(candidates, heavy), noisy, 0.0)
    if len(candidates) < 2 or mass.sum() <= 0:
        return None
    cdf = np.concatenate([[0.0], np.cumsum(mass) / mass.sum()])
    cells = np.append(candidates, candidates[-1] + 1.0)  # value v is the cell [v, v + 1)
    edges = np.interp(np.linspace(0.0, 1.0, k + 1), cdf, cells)
    edges[0], edges[-1] = candidates[0], candidates[-1]
    return np.unique(edges)


def fine_cells(domain: NumericDomain, candidates: np.ndarray, noisy: np.ndarray, scale: float) -> np.ndarray | None:
    """Within-bin probabilities of every whole number of a whole-number column's range, from released counts.

    ``noisy`` are the counts of :func:`value_counts` (Laplace of scale ``scale`` = 1/ε_spikes), already released
    to find the spikes: turning them into weights is post-processing and spends no budget. A bin that spans
    several whole numbers then draws them in proportion to their noisy counts (clipped at zero, plus
    ``FINE_PRIOR_SCALES`` noise scales of pseudo-rows per value as smoothing) instead of uniformly, when its
    noisy rows per value reach one noise scale; under that the noise would outweigh the shape and the bin stays
    uniform. Spike values (bins of their own) get weight 0 inside the wider bins around them: their rows are
    the spike bin's. None when there is nothing to refine: no bin spans several values, or the candidates are
    not every whole number of the range (a range wider than ``MAX_SPIKE_CANDIDATES``).
    """
    low, high = domain.low, domain.high
    spans = domain.bins_low < domain.bins_high
    if not spans.any() or len(candidates) != high - low + 1 or candidates[0] != low:
        return None
    counts = np.clip(noisy, 0.0, None)
    spike = np.zeros(len(candidates), dtype=bool)
    singles = domain.bins_low[~spans]
    spike[np.searchsorted(candidates, singles[(singles >= low) & (singles <= high)])] = True
    weights = np.zeros(len(candidates))
    for a, b in zip(domain.bins_low[spans], domain.bins_high[spans], strict=True):
        cells = slice(int(a - low), int(b - low) + 1)
        free = ~spike[cells]
        if not free.any():  # every value a spike (cannot happen with integer bins): keep them drawable
            free = np.ones_like(free)
        inside = np.where(free, counts[cells], 0.0)
        if inside.sum() / free.sum() >= scale:
            w = np.where(free, inside + FINE_PRIOR_SCALES * scale, 0.0)
        else:
            w = free.astype(float)
        weights[cells] = w / w.sum()
    return weights


def _grid(low: float, high: float, k: int) -> np.ndarray:
    """``k + 1`` edges from low to high: log-spaced for wide positive ranges (a heavy right tail), else even."""
    if k < 2:
        return np.asarray([low, high], dtype=float)
    if low >= 0 and high > 0 and (low == 0 or high / low > 50):
        start = max(low, high / 1000.0)
        return np.concatenate([[low], np.geomspace(start, high, k)]) if low < start else np.geomspace(low, high, k + 1)
    return np.linspace(low, high, k + 1)


def unit_bins(low: float, high: float, n_bins: int, integer: bool) -> bool:
    """Whether a whole-number range is small enough for one bin per value (no quantile edges needed)."""
    return integer and high - low + 1 <= 2 * n_bins


def quantile_edges(
    x: np.ndarray, low: float, high: float, k: int, epsilon: float, rng: np.random.Generator
) -> np.ndarray:
    """``k + 1`` bin edges at DP quantiles: a noisy histogram of ``FINE_CELLS`` public cells over [low, high].

    Counts under twice the noise scale are taken as empty (the clipped noise of empty cells would otherwise add
    mass), and the edges are interpolated within cells of the noisy cumulative distribution. ε-DP.
    """
    fine = _grid(low, high, FINE_CELLS)
    cell = np.clip(np.searchsorted(fine, np.clip(x, low, high), side="right") - 1, 0, FINE_CELLS - 1)
    noisy = mechanisms.laplace(np.bincount(cell, minlength=FINE_CELLS).astype(float), 1.0 / epsilon, rng)
    mass = np.where(noisy > 2.0 / epsilon, noisy, 0.0)
    if mass.sum() <= 0:
        return _grid(low, high, k)
    cdf = np.concatenate([[0.0], np.cumsum(mass) / mass.sum()])
    edges = np.interp(np.linspace(0.0, 1.0, k + 1), cdf, fine)
    edges[0], edges[-1] = low, high
    return np.unique(edges)


def make_bins(
    low: float, high: float, heavy: np.ndarray, n_bins: int, integer: bool, edges: np.ndarray | None = None
) -> NumericDomain:
    """Bins of [low, high]: one per spike, the rest cut at ``edges`` (DP quantiles) or evenly (log for wide
    positive ranges)."""
    heavy = np.unique(heavy[(heavy >= low) & (heavy <= high)])
    if unit_bins(low, high, n_bins, integer):
        values = np.arange(low, high + 1.0)
        return NumericDomain(low, high, values, values.copy())
    if high <= low:
        return NumericDomain(low, high, np.asarray([low]), np.asarray([high]))
    k = max(n_bins - len(heavy), 1)
    if edges is None or len(edges) < 2:
        edges = _grid(low, high, k)
    if integer:
        starts = np.ceil(edges[:-1])
        starts[0] = low
        ends = np.ceil(edges[1:]) - 1.0
        ends[-1] = high
        keep = ends >= starts
        lows, highs = starts[keep], ends[keep]
    else:
        lows, highs = edges[:-1], edges[1:]
    lows = np.concatenate([lows, heavy])
    highs = np.concatenate([highs, heavy])
    order = np.lexsort((highs, lows))
    return NumericDomain(low, high, lows[order], highs[order])


def numeric_codes(x: np.ndarray, domain: NumericDomain, has_missing: bool = True) -> np.ndarray:
    """Each value's bin (values clipped to the range; spikes to their own bin).

    Missing values get the last code, or without a missing code the lowest bin (they were too few to pass
    the noisy threshold).
    """
    missing = np.isnan(x) if has_missing else np.zeros(len(x), dtype=bool)
    v = np.clip(np.where(missing, domain.low, x), domain.low, domain.high)
    single = domain.bins_low == domain.bins_high
    codes = np.zeros(len(v), dtype=np.int64)
    interval = np.flatnonzero(~single)
    if len(interval):
        lows = domain.bins_low[interval]
        idx = np.clip(np.searchsorted(lows, v, side="right") - 1, 0, len(interval) - 1)
        codes = interval[idx]
    points = np.flatnonzero(single)
    if len(points):
        values = domain.bins_low[points]
        pos = np.minimum(np.searchsorted(values, v), len(points) - 1)
        exact = values[pos] == v
        if not len(interval):  # only points (whole-number bins): the nearest
            exact = np.ones(len(v), dtype=bool)
        codes = np.where(exact, points[pos], codes)
    codes[missing] = len(domain.bins_low)
    return codes
