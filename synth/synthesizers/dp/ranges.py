"""A number's or date's range under DP: noisy histograms over public grids, kept where they pass a threshold.

Split from :mod:`synth.synthesizers.dp.domains` (which re-exports every name here). The grids are public and
data-independent; which grid a date column looks at first is chosen from the noisy row count (already released)
and ε alone, so the choice is post-processing and costs no budget.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from synth.schema import ColumnKind
from synth.synthesizers.dp import mechanisms

#: Chance that a threshold keeps an empty cell of a public grid (union over the grid's cells).
FALSE_CELL_RATE = 0.01
#: Chance that an empty cell next to a kept run joins it (:func:`_kept_span`'s extension, per cell looked at). The
#: grid's threshold guards against a false cell *anywhere* on it (154 cells); a neighbour of the run is one
#: candidate, so its threshold is lower (ln(1/(2·rate))/ε: 3.9/ε against 8.9/ε). Post-processing of the released
#: histogram: no ε spent.
EXTEND_FALSE_RATE = 0.01
#: Kept cells further apart than this many grid cells are not joined into one range (see :func:`_kept_span`).
MAX_GAP = 12
#: Zoom levels after the coarse grid, each a noisy histogram of ZOOM_CELLS equal cells.
ZOOM_LEVELS = 2
#: Year cells joined into one (twelve years) for the second look at a date range that kept nothing.
COARSER_DATE_CELLS = 12
ZOOM_CELLS = 8
#: A whole-number range (not a date) whose released span holds at most this many values is made exact by noisy
#: per-value counts (:func:`~synth.synthesizers.dp.domains.whole_counts`) with the ε its spikes and bins would
#: otherwise spend. Its window (three times the span) stays well under MAX_SPIKE_CANDIDATES.
SMALL_SPAN = 200
#: Standard deviations of the summed noise by which an end cell's outer run must be clearly empty or full
#: (:func:`_trim_ends`).
TAIL_SCALES = 2.0
#: An outer run of an end cell is empty when it clearly holds under this share of the cell's mean density.
EMPTY_SHARE = 0.25
#: Chance that the per-value threshold of :func:`tightened` keeps an empty value (union over the window).
WINDOW_FALSE_RATE = 0.001


def _coarse_edges() -> np.ndarray:
    positive = 10.0 ** (np.arange(-16, 61) / 4.0)  # 1e-4 … 1e15, four cells a decade
    return np.concatenate([-positive[::-1], [0.0], positive])


COARSE_EDGES = _coarse_edges()


def _every(edges: np.ndarray, k: int) -> np.ndarray:
    """Every ``k``-th edge, the last one always kept: cells of ``k`` cells of ``edges`` over the same span."""
    out = edges[::k]
    return out if out[-1] == edges[-1] else np.append(out, edges[-1])


#: Decades from 1e-4 to 1e15, both signs, and zero: the grid of a range's second look (see :func:`private_range`).
COARSER_EDGES = np.concatenate([-(10.0 ** np.arange(15, -5, -1)), [0.0], 10.0 ** np.arange(-4, 16)])
#: Dates: one cell per calendar year from 1900 to 2100, in days since 1970-01-01 (a range within one year is
#: zoomed like any single coarse cell). Thirty-day cells, used before, held too few rows each to pass the
#: threshold a grid of 2,400 cells needs: Bike Sharing's dates (8,689 rows over two years) collapsed to one day in
#: nine fits of ten, at ε = 1 and 3 alike, and so did every date of a 4,800-row table over 2.5 years.
DATE_EDGES = ((pd.date_range("1900-01-01", "2101-01-01", freq="YS") - pd.Timestamp("1970-01-01")).days).to_numpy(float)
#: Twelve-year cells (1900, 1912, …, 2100): a date range's second look after year cells kept nothing, and its first
#: look on tables too small for year cells (see :func:`date_grid`).
TWELVE_YEAR_EDGES = _every(DATE_EDGES, COARSER_DATE_CELLS)
#: Forty-eight-year cells: the second look after twelve-year cells kept nothing.
WIDE_DATE_EDGES = _every(TWELVE_YEAR_EDGES, 4)
#: Year cells are a date range's first look only when a year holding this share of the rows (a date spread evenly
#: over four years) would pass their threshold. Below that the year grid spent two thirds of the range's ε on cells
#: none could pass: on the tester's HR table (2,400 rows, a dozen columns, ε = 1: ε ≈ 0.007 per look) a year needed
#: 1,245 rows, hire dates over twenty years hold about 145 a year, and the range was found only when the
#: twelve-year second look (at half that ε) passed, about one fit in five; else the dates became 1970-01-01.
YEAR_GRID_SHARE = 0.25


def _threshold(n_cells: int, epsilon: float) -> float:
    """The noisy count a cell of a grid of ``n_cells`` must exceed (FALSE_CELL_RATE of a false cell, all told)."""
    return math.log(n_cells / (2.0 * FALSE_CELL_RATE)) / epsilon


#: A look at a grid is taken only when the released row count reaches this share of the grid's threshold. Below it,
#: a cell holding every row passes only when the noise adds more than half the threshold, a chance of at most
#: ½·√(2·FALSE_CELL_RATE / cells) (0.6% on the coarse grid), no more than an empty cell's FALSE_CELL_RATE: a kept
#: cell would as likely be noise as rows.
PLAUSIBLE_SHARE = 0.5


def _few(rows: float | None, edges: np.ndarray, epsilon: float, zero_cell: bool, share: float) -> bool:
    """Whether ``rows`` (the released noisy row count; None: unknown) are under ``share`` of the threshold a cell of
    ``edges`` must pass at ``epsilon``. Post-processing of a released count."""
    n_cells = len(edges) - 1 + int(zero_cell)
    return rows is not None and rows < share * _threshold(n_cells, epsilon)


#: A number's range takes the coarse grid only when its released rows could fill this many of the grid's cells to
#: their threshold; fewer go to one look on decades with all of the range's ε (:func:`one_look`). On the survey walk
#: table (2,000 rows, 17 columns; ``python -m benchmarks.bench_dp_declared --seeds 40``) at ε = 1, every domain
#: private, 2 hid 6.1 columns against 1's 11.3 (univariate 0.562 against 0.320), but a column held in one
#: quarter-decade with between one and two cells' threshold then lost its exact range to the decade: a clinic's
#: times of day (600 rows, 09:00–16:59) came out from 01:40. Below one cell's threshold no cell can pass but by noise.
ONE_LOOK_CELLS = 1.0


def one_look(rows: float | None, epsilon: float) -> bool:
    """Whether a number's range at ``epsilon`` takes one look on decades with all of ε: its released ``rows`` could
    not fill ONE_LOOK_CELLS cells of the coarse grid to their threshold (:func:`released_span`)."""
    return _few(rows, COARSE_EDGES, epsilon * 2.0 / 3.0, True, ONE_LOOK_CELLS)


def tightened(candidates: np.ndarray, noisy: np.ndarray, epsilon: float) -> tuple[float, float] | None:
    """The run of ``candidates`` (sorted whole numbers) whose noisy count (Laplace of scale 1/ε) passes the
    threshold around the largest count, bridging gaps of up to MAX_GAP values; None when none passes.
    Post-processing of the released counts.

    The threshold keeps an empty value with a chance of WINDOW_FALSE_RATE, all told: at FALSE_CELL_RATE one Bike
    Sharing fit in twenty drew weekday -1. A false value further than MAX_GAP from the rest does not stretch the run.
    """
    if not len(candidates):
        return None
    tau = math.log(len(candidates) / (2.0 * WINDOW_FALSE_RATE)) / epsilon
    kept = np.flatnonzero(noisy > tau)
    if not len(kept):
        return None
    centre = int(np.argmax(noisy[kept]))
    first = last = centre
    while first > 0 and candidates[kept[first]] - candidates[kept[first - 1]] <= MAX_GAP:
        first -= 1
    while last < len(kept) - 1 and candidates[kept[last + 1]] - candidates[kept[last]] <= MAX_GAP:
        last += 1
    return float(candidates[kept[first]]), float(candidates[kept[last]])


def clearly_empty(noisy: np.ndarray, epsilon: float, density: float) -> bool:
    """Whether released counts (Laplace of scale 1/ε each) hold clearly under EMPTY_SHARE of ``density`` per count:
    their sum plus TAIL_SCALES standard deviations of its noise (√(2m)/ε over m counts) stays under it.
    Post-processing. An empty run is clearly empty; a run whose rows are merely too few per value to pass a
    threshold one by one is not."""
    m = len(noisy)
    return bool(m) and float(noisy.sum()) + TAIL_SCALES * math.sqrt(2.0 * m) / epsilon < EMPTY_SHARE * m * density


def full_margin(m: int, epsilon: float) -> float:
    """TAIL_SCALES standard deviations of Laplace noise (scale 1/ε) summed over ``m`` counts: released counts whose
    sum passes it are clearly **full** (rows are there)."""
    return TAIL_SCALES * math.sqrt(2.0 * m) / epsilon


def date_grid(rows: float | None, epsilon: float) -> np.ndarray:
    """The first public grid of a date range: years, or twelve-year cells when ``rows`` (the released noisy row
    count; None: unknown) are too few for years at ``epsilon`` (see :data:`YEAR_GRID_SHARE`)."""
    if rows is not None and rows * YEAR_GRID_SHARE <= _threshold(len(DATE_EDGES) - 1, epsilon):
        return TWELVE_YEAR_EDGES
    return DATE_EDGES


def _kept_span(
    x: np.ndarray, edges: np.ndarray, epsilon: float, rng: np.random.Generator, zero_cell: bool
) -> tuple[float, float] | None:
    """Noisy histogram of ``x`` over the cells between ``edges``; the span of cells above the threshold."""
    n_cells = len(edges) - 1
    cell = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, n_cells - 1)
    counts = np.bincount(cell, minlength=n_cells).astype(float)
    lows, highs = edges[:-1].copy(), edges[1:].copy()
    if zero_cell:  # exact zero gets a cell of its own: a spike at 0 must not widen the range to ±1e-4
        is_zero = x == 0
        counts = np.concatenate([np.bincount(cell[~is_zero], minlength=n_cells).astype(float), [is_zero.sum()]])
        lows, highs = np.append(lows, 0.0), np.append(highs, 0.0)
    noisy = mechanisms.laplace(counts, 1.0 / epsilon, rng)
    tau = _threshold(len(counts), epsilon)
    order = np.lexsort((highs, lows))  # cells in value order (the zero cell between its neighbours)
    lows, highs, noisy = lows[order], highs[order], noisy[order]
    passed = noisy > tau
    is_zero = (lows == 0) & (highs == 0)
    zero_kept = bool((passed & is_zero).any())
    kept = np.flatnonzero(passed & ~is_zero)
    if not len(kept):
        return (0.0, 0.0) if zero_kept else None
    # The run of kept cells around the largest count, bridging gaps of up to MAX_GAP cells: a rare false
    # positive far away (an empty cell whose noise passed the threshold) does not stretch the range. Exact
    # zero (a spike of its own, often far from the rest on a log grid) joins whatever run is found.
    centre = int(np.argmax(noisy[kept]))
    first = last = centre
    # Twelve years or more a cell: a gap of MAX_GAP cells would be a century and more, so one empty cell at most.
    max_gap = 1 if edges is TWELVE_YEAR_EDGES or edges is WIDE_DATE_EDGES else MAX_GAP
    if edges is COARSER_EDGES:
        # Decades: MAX_GAP cells would be twelve decades. This grid's look is taken for rows too few for the coarse
        # grid, whose real cells are few and next to each other; an empty cell kept by the noise (one look in a
        # hundred) two decades out stretched a 0–10 answer's range to 1–10,000.
        max_gap = 1
    zero = int(np.flatnonzero(is_zero)[0]) if zero_cell else -1

    def joined(a: int, b: int) -> bool:
        """Kept cells at positions a < b belong to one run. A gap across zero is counted from zero on each side:
        the log grid's cells near zero are thousandths wide and sparse, so a value spread on both sides of zero
        (y = ±0.9x) left two dozen of them under the threshold and the range kept one sign in half the fits."""
        if b - a <= max_gap:
            return True
        return zero_cell and a < zero < b and zero - a <= max_gap and b - zero <= max_gap

    while first > 0 and joined(kept[first - 1], kept[first]):
        first -= 1
    while last < len(kept) - 1 and joined(kept[last], kept[last + 1]):
        last += 1
    start, end = _extended(noisy, is_zero, int(kept[first]), int(kept[last]), epsilon)
    low, high = float(lows[start]), float(highs[end])
    return (min(low, 0.0), max(high, 0.0)) if zero_kept else (low, high)


def _extended(noisy: np.ndarray, is_zero: np.ndarray, start: int, end: int, epsilon: float) -> tuple[int, int]:
    """The run of cells ``start``–``end`` (positions in value order) grown outwards, a cell at a time, while the next
    cell's released count passes the neighbour threshold (:data:`EXTEND_FALSE_RATE`); exact zero's cell stops it
    (zero joins by its own test). Post-processing of the released counts.

    Why: the grid's threshold is set for a false cell anywhere on it, and at ε = 1 over a dozen columns each look has
    ε ≈ 0.01, a threshold near 800 rows: a loan amount (3,200 rows, log-normal) kept only its central quarter-decade
    (5,623–10,000, 28% of the rows) though its neighbours held 640 and 735 rows, and every synthetic amount fell in
    it (univariate accuracy 0.39)."""
    if EXTEND_FALSE_RATE <= 0:
        return start, end
    tau = math.log(1.0 / (2.0 * EXTEND_FALSE_RATE)) / epsilon
    while start > 0 and not is_zero[start - 1] and noisy[start - 1] > tau:
        start -= 1
    while end < len(noisy) - 1 and not is_zero[end + 1] and noisy[end + 1] > tau:
        end += 1
    return start, end


def private_range(
    x: np.ndarray, kind: ColumnKind, epsilon: float, rng: np.random.Generator, integer: bool, rows: float | None = None
) -> tuple[float, float]:
    """:func:`released_range`, or when nothing passed, the most central public guess: zero (for dates, 1970-01-01)."""
    span = released_range(x, kind, epsilon, rng, integer, rows)
    return span if span is not None else (0.0, 0.0)


def released_range(
    x: np.ndarray, kind: ColumnKind, epsilon: float, rng: np.random.Generator, integer: bool, rows: float | None = None
) -> tuple[float, float] | None:
    """:func:`released_span` without its coarse flag."""
    return released_span(x, kind, epsilon, rng, integer, rows)[0]


def released_span(
    x: np.ndarray, kind: ColumnKind, epsilon: float, rng: np.random.Generator, integer: bool, rows: float | None = None
) -> tuple[tuple[float, float] | None, bool]:
    """A DP range of the present values: the span of the public grid's cells above a noisy threshold (None when
    no cell passed), and whether it is **coarse**: an end still a cell edge of a wide grid, which no finer look
    could place. ``rows``: the released noisy row count, which picks a date's first grid (:func:`date_grid`).

    The coarse grid gets two thirds of ε; the last third goes to one of three follow-ups, chosen from the released
    span alone (so the total stays ε):

    * when the span is a single coarse cell (values far from zero in a narrow band, e.g. years), up to
      ``ZOOM_LEVELS`` zooms cut it into ``ZOOM_CELLS`` equal cells and keep the span above the threshold again;
    * when it spans several cells, its two end cells are cut into ``ZOOM_CELLS`` equal cells each (one noisy
      histogram: a row is in one end cell at most) and each end moves in past the outer cells that are clearly
      empty (:func:`_trim_ends`). Before, that third went unspent and the end cells were released whole:
      Bike Sharing's hours (0–23) came out 6–31, an HR table's hire dates ran to 2031;
    * when no cell but exact zero passed (or none at all), a **second look** on a coarser grid (decades, or
      twelve or forty-eight years: :func:`_coarser`): a tail spread thinly over many cells, none above the
      threshold, adds up in a wide cell. Capital gain on Adult (92% zeros, the rest in cells of at most 524 rows)
      lost its whole nonzero part in about one fit in five at ε = 3; the second look keeps at least its bulk
      (to 10,000).

    ``rows`` also decides which looks are worth taking (post-processing of a released count): a number whose rows
    could not pass the coarse grid's threshold even all in one cell spends all of ε on one look on the coarser grid
    (:data:`ONE_LOOK_CELLS`); a look whose threshold is more than twice the rows (:data:`PLAUSIBLE_SHARE`) is not
    taken, and without a look no range is released (the column is then missing in every row, as when nothing
    passed).

    Coarse: an end no look placed finer than a cell of the grid it came from, other than zero (exact) and a
    date's calendar year (a whole year is the date grid's promise).
    """
    eps_level = epsilon * 2.0 / 3.0
    zero_cell = kind is not ColumnKind.DATETIME
    edges = date_grid(rows, eps_level) if kind is ColumnKind.DATETIME else COARSE_EDGES
    # A number whose rows could not pass the coarse grid's threshold even all in one cell (ONE_LOOK_CELLS) skips it:
    # its rows are spread over several cells, none of which passes but by noise, and the looks made one range in a
    # hundred a lone empty cell anywhere on the grid (a 0–10 survey answer, 960 rows at ε = 1 over ten columns,
    # released as −5.6e14 to −3.2e14 and sampled there) while the second look, at a third of ε, rarely found the
    # rows. All of ε goes to one look on the coarser grid instead, where a decade gathers them (the answer's 1–10,
    # with exact zero). Dates choose their first grid by the row count already (:func:`date_grid`).
    if zero_cell and one_look(rows, epsilon):
        edges = _coarser(edges)
        if _few(rows, edges, epsilon, zero_cell, PLAUSIBLE_SHARE):
            return None, False
        span = _kept_span(x, edges, epsilon, rng, zero_cell=zero_cell)
        second_look = True  # no ε left for the zooms
    else:
        span = _kept_span(x, edges, eps_level, rng, zero_cell=zero_cell)
        second_look = span is None or span == (0.0, 0.0)  # nothing, or only exact zero, clearly above the noise
        if second_look and not _few(rows, _coarser(edges), epsilon / 3.0, zero_cell, PLAUSIBLE_SHARE):
            edges = _coarser(edges)
            wide = _kept_span(x, edges, epsilon / 3.0, rng, zero_cell=zero_cell)
            span = wide if wide is not None else span
    if span is None:  # nothing clearly above the noise
        return None, False
    low, high = span
    placed = [low == 0.0 or edges is DATE_EDGES, high == 0.0 or edges is DATE_EDGES]
    several = len(edges[(edges > low) & (edges < high)]) > 0
    if several and not second_look:
        low, high, moved = _trim_ends(x, edges, low, high, epsilon / 3.0, rng)  # the zooms' third
        placed = [p or m for p, m in zip(placed, moved, strict=True)]
    for _ in range(0 if second_look or several else ZOOM_LEVELS):  # the second look spent the zooms' third
        if high <= low:
            break
        # Only the values inside: clipped, the rows outside piled up in an end cell, so a far empty cell the noise
        # kept (weekday released as 1,778,279,411–1,799,904,382 at ε = 0.3) was "confirmed" by every real row.
        inside = x[(x >= low) & (x <= high)]
        edges = np.linspace(low, high, ZOOM_CELLS + 1)
        inner = _kept_span(inside, edges, epsilon / 3.0 / ZOOM_LEVELS, rng, zero_cell=False)
        if inner is None:
            break
        low, high = inner
        placed = [True, True]
    if kind is ColumnKind.DATETIME and high > low and high in DATE_EDGES:
        high -= 1.0  # a year's cell ends the day before the next year starts
    if integer:
        low, high = float(math.ceil(low)), float(math.floor(high))
        if low > high:
            low = high = float(round((low + high) / 2))
    return (low, high), not all(placed)


def _trim_ends(
    x: np.ndarray, edges: np.ndarray, low: float, high: float, epsilon: float, rng: np.random.Generator
) -> tuple[float, float, list[bool]]:
    """The span's two end cells (of ``edges``), each cut into ZOOM_CELLS equal cells, in one noisy histogram
    (ε-DP: a row lies in one end cell at most), then per end (post-processing):

    * the longest outer run of sub-cells (not the whole cell) that is clearly **empty** is cut off: its summed noisy
      count, plus TAIL_SCALES standard deviations of its summed noise, stays under EMPTY_SHARE of what the run would
      hold at the cell's mean density. Cutting every run merely not clearly full lost real rows (the top twentieth
      of a column spread evenly up to its cell's edge);
    * otherwise the end is placed when its outermost sub-cell is clearly **full** (its noisy count above
      TAIL_SCALES standard deviations): the data reach the cell's edge.

    An end neither cut nor full stays unplaced (the range is then coarse); an end at zero (exact) stays. Returns
    the span and which ends were placed."""
    low_cuts = np.linspace(low, float(edges[edges > low].min()), ZOOM_CELLS + 1)
    high_cuts = np.linspace(float(edges[edges < high].max()), high, ZOOM_CELLS + 1)
    in_low = x[(x >= low_cuts[0]) & (x < low_cuts[-1])]
    in_high = x[(x >= high_cuts[0]) & (x <= high_cuts[-1])]
    low_cell = np.clip(np.searchsorted(low_cuts, in_low, side="right") - 1, 0, ZOOM_CELLS - 1)
    high_cell = np.clip(np.searchsorted(high_cuts, in_high, side="right") - 1, 0, ZOOM_CELLS - 1)
    counts = np.concatenate([np.bincount(low_cell, minlength=ZOOM_CELLS), np.bincount(high_cell, minlength=ZOOM_CELLS)])
    noisy = mechanisms.laplace(counts.astype(float), 1.0 / epsilon, rng)
    placed = [low == 0.0, high == 0.0]
    for end, outward in ((0, noisy[:ZOOM_CELLS]), (1, noisy[ZOOM_CELLS:][::-1])):  # outermost sub-cell first
        if placed[end]:
            continue
        runs = np.arange(1, ZOOM_CELLS)  # an outer run of m sub-cells, m < ZOOM_CELLS
        margin = TAIL_SCALES * np.sqrt(2.0 * runs) / epsilon  # the noise summed over m cells: sd √(2m)/ε
        density = max(float(np.clip(outward, 0.0, None).sum()), 0.0) / ZOOM_CELLS
        empty = np.cumsum(outward)[:-1] + margin < EMPTY_SHARE * runs * density
        if empty.any():
            m = int(runs[np.flatnonzero(empty)[-1]])
            if end == 0:
                low = float(low_cuts[m])
            else:
                high = float(high_cuts[ZOOM_CELLS - m])
            placed[end] = True
        elif outward[0] > TAIL_SCALES * math.sqrt(2.0) / epsilon:
            placed[end] = True
    return low, high, placed


def _coarser(edges: np.ndarray) -> np.ndarray:
    """A public grid coarser than ``edges``: decades (and exact zero) for numbers; for dates twelve-year cells after
    years, forty-eight-year cells after twelve years."""
    if edges is DATE_EDGES:
        return TWELVE_YEAR_EDGES
    if edges is TWELVE_YEAR_EDGES:
        return WIDE_DATE_EDGES
    return COARSER_EDGES
