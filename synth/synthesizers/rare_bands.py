"""How CART keeps a numeric column's rare values out of its model file: rare values pooled into shared bands.

A value seen at least ``smooth_below`` times is kept as a point; rarer ones are pooled, in value order, into
groups of enough rows, and a synthetic value drawn from a group's donor is drawn uniformly on the group's band
(:func:`smoothing_ranges`, :func:`smoothed_draw`). The trees split on predictors already smoothed this way.

A band never reaches into an empty gap between clusters of values (:func:`gap_cuts`): where the values on both sides
of a gap crowd far closer together than the gap is wide, the gap ends their runs as a column's tails do, and the
band on each side stops at the midpoint of its own two outermost values.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from synth.synthesizers.band_people import ValuePeople, other_people_inside, run_people, span_people, value_people


def smoothing_ranges(
    values: np.ndarray, smooth_below: int, people: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each value's draw range as (low end, width): a point for common values, a shared band for rare ones.

    A value seen at least ``smooth_below`` times is kept as a point (each such value stands for that many
    people). Rare values are pooled, in sorted order, into groups of at least ``smooth_below`` rows that never
    reach across a common value or an empty gap (:func:`gap_cuts`), and every member of a group gets the same band.
    Its ends are the common values around the group when there are some; where the neighbour is rare too the end
    is the midpoint between the two neighbouring values (two rare values in one number: neither can be solved
    for); at the tails, and at a gap, it is the midpoint of the group's own two outermost values, or the group's
    other end. So a band neither names a rare value nor lets one be recovered from the points the model keeps:
    every end that is not a common value is half the sum of two adjacent rare values, and those pairs, linked by
    the values they share, form a chain with one more value than sums, which no number of them solves for any
    one value (a fixed reach past the outermost value, or one computed from what the model stores, would give
    that value away: end minus reach). A synthetic value drawn in a band (and rounded to the column's grid) may
    equal a rare real value, but no more often than any other value of the gap, which the rare-value membership
    test of :mod:`synth.evaluation.privacy.rare_values` checks.

    ``people`` (each value's person, when the fit knows them): every count above is of distinct people, so one
    person's value on many rows is rare, and one person's many rare values are one person in a group, a gap's side
    and a band's end (:mod:`synth.synthesizers.band_people`). :func:`within_leaves` passes them: a time of day, split
    from its timestamp inside the model, is never seen by :func:`synth.synthesizers.person_rarity.pool_person_values`.
    """
    values = np.asarray(values, dtype=np.float64)
    if smooth_below <= 1 or len(values) == 0:
        return values.copy(), np.zeros(len(values))
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    whose = None if people is None else value_people(inverse, len(uniq), people)
    if whose is not None:
        counts = whose.held
    rare = counts < smooth_below
    if not rare.any():
        return values.copy(), np.zeros(len(values))
    pool = pool_rows(int(counts[rare].sum()), smooth_below)
    cuts = gap_cuts(uniq, counts, rare, GAP_WINDOW_PER_SMOOTH * smooth_below, smooth_below, whose)
    group = _rare_groups(rare, counts, pool, first=smooth_below, cuts=cuts, whose=whose)
    lo, hi = _group_bands(uniq, rare, group, cuts, whose, smooth_below)
    low, high = uniq.copy(), uniq.copy()
    low[rare], high[rare] = lo[group[rare]], hi[group[rare]]
    width = np.where(rare, high - low, 0.0)
    width = np.nan_to_num(width, nan=0.0)
    return low[inverse].astype(np.float64), width[inverse].astype(np.float64)


def within_leaves(
    values: np.ndarray, leaf: np.ndarray, smooth_below: int, reach: float, people: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Each value's draw range as :func:`smoothing_ranges` gives it, with the common values that a leaf (``leaf``:
    each row's) holds fewer than ``smooth_below`` times pooled too, inside the leaf (:func:`leaf_groups`).

    For a column whose values are common but whose rows are near-unique together with an earlier column: a
    timestamp's time of day (:mod:`synth.synthesizers.time_of_day`), 09:37 on some fifteen rows, its day on five,
    the two together on one. A tree that splits on the day (or on anything that locates a row) leaves few donors
    per leaf, and a donor's exact time drawn for a synthetic row of its own day is a real visit again: plain
    CART on the clinic table reproduced train-only visit times 2.0–3.9 points more often than holdout-only ones.
    Values the column-level rule banded keep their band; a band made here ends at two of its own values, common
    values of the column, so it names no rare value (nor anything one could be solved from).

    ``people`` (each row's person, when the fit knows them): both rules count distinct people, and a leaf's group
    short of ``smooth_below`` people keeps its column band. Counted in rows, a patient who came at 09:37 on 12
    visits, a minute no one else's visit had, kept 09:37 as a point of Pruned CART's leaves: 100–138 of 20,000
    synthetic visits at 09:37 over four seeded tables, where the median minute had 32 (CART: 25–48). Counted in
    people: 33–47 (CART 19–36), ``tests/unit/test_person_leaves.py``. The values a leaf pools are those the
    column holds on ``smooth_below`` people too, so a leaf's band ends on a value that many people hold: counted
    in rows, that patient's 09:37 (common in rows, banded by the column rule) was pooled in its leaf and ended the
    band of 11 of CART's donors, whose low end plus width in the model file read 09:37 exactly (session 30).
    """
    values = np.asarray(values, dtype=np.float64)
    low, width = smoothing_ranges(values, smooth_below, people)
    if smooth_below <= 1 or len(values) == 0:
        return low, width
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    if people is not None:  # a value on one person's many rows keeps its column band: no leaf band ends on it
        counts = value_people(inverse, len(uniq), people).held
    common = counts[inverse.ravel()] >= smooth_below
    order = np.argsort(leaf, kind="stable")
    ends = np.flatnonzero(np.diff(leaf[order])) + 1
    for rows in np.split(order, ends):
        kept = rows[common[rows]]
        if len(kept) > 1:
            if people is None:
                low[kept], width[kept] = leaf_groups(values[kept], smooth_below, reach)
            else:  # a group short of smooth_below people keeps the column's bands, counted in people too
                low[kept], width[kept] = leaf_groups(
                    values[kept], smooth_below, reach, people[kept], (low[kept], width[kept])
                )
    return low, width


def leaf_groups(
    values: np.ndarray,
    smooth_below: int,
    reach: float,
    people: np.ndarray | None = None,
    short: tuple[np.ndarray, np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One leaf's values as (low end, width): a value the leaf holds ``smooth_below`` times or more is a point; the
    rarer ones, in value order, are pooled in groups of ``smooth_below`` rows, each drawn uniformly between its own
    least and greatest value. A group never spans more than ``reach``: a band across an empty stretch put draws where
    no real value is (A&E visits at 22:00–05:59 pooled with day visits at 08:00–17:59 of the same leaf: 5% of a
    clinic's synthetic visits at hours it never opened), so a group closes early there, and a value left alone stays
    a point. With ``people`` (each value's person) a value is a point when that many people hold it, and a group
    closes at that many distinct people; the rows of a group that closes short of them (a lone value, or a run cut
    by ``reach``) keep their ranges in ``short`` (each row's (low end, width))."""
    uniq, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    inverse = inverse.ravel()
    # Each value's people, to count a group's distinct people (one patient's visits at 09:37 and 09:38 are one).
    whose = None if people is None else value_people(inverse, len(uniq), people)
    held = counts if whose is None else whose.held
    lo, hi = uniq.copy(), uniq.copy()
    rare = np.flatnonzero(held < smooth_below)
    i = 0
    while i < len(rare):
        j, rows = i, 0
        seen: set[int] = set()
        while j < len(rare) and rows < smooth_below and uniq[rare[j]] - uniq[rare[i]] <= reach:
            if whose is None:
                rows += int(counts[rare[j]])
            else:
                seen.update(whose.of(rare[j]).tolist())
                rows = len(seen)
            j += 1
        members = rare[i:j]
        lo[members], hi[members] = uniq[members[0]], uniq[members[-1]]
        if whose is not None and rows < smooth_below:
            lo[members] = hi[members] = np.nan
        i = j
    low, width = lo[inverse], (hi - lo)[inverse]
    if short is not None:
        few = np.isnan(low)
        low[few], width[few] = short[0][few], short[1][few]
    return low, width


def smoothed_draw(values: np.ndarray, smooth_below: int, rng: np.random.Generator) -> np.ndarray:
    """``values`` with every rare one replaced by a uniform draw on its band (see :func:`smoothing_ranges`)."""
    out = values.astype(np.float64).copy()
    present = ~np.isnan(out)
    if smooth_below > 1 and present.any():
        low, width = smoothing_ranges(out[present], smooth_below)
        out[present] = low + rng.random(len(low)) * width
    return out


#: Rounding a draw from a pooled band to the column's recorded decimals is allowed only where the band holds at
#: least this many grid values for each real value pooled in it (see :func:`safe_decimals`).
GRID_VALUES_PER_ROW = 100


def safe_decimals(values: np.ndarray, decimals: int | None, smooth_below: int) -> int | None:
    """``decimals`` when rounding draws from this column's pooled bands to them cannot make real rare values
    reappear measurably, else None (CART then rounds each band's draws to the fewest places that band allows:
    :mod:`synth.synthesizers.band_decimals`, :mod:`synth.synthesizers.grain_cells`).

    A band pools rare values and is drawn uniformly; rounded to the column's grid, a draw lands on one of the
    band's grid values, and the real values pooled there are among them. Where grid values are scarce (California's
    median income: 4 decimals, about 3 grid values per pooled row) a rounded draw is a real rare value a third of
    the time, and a band, placed around the training values (a k-nearest-neighbour density), holds more of them
    than fresh rows would: measured, rare training values came back 0.8 points more often than fresh ones. Where
    grid values are plentiful (amounts in cents: about 2,000 per pooled row) the chance of landing on a real one is
    negligible. The 10th percentile over banded rows must reach :data:`GRID_VALUES_PER_ROW`.
    """
    if decimals is None:
        return None
    present = np.asarray(values, dtype=np.float64)
    present = present[~np.isnan(present)]
    low, width = smoothing_ranges(present, smooth_below)
    banded = width > 0
    if not banded.any():
        return decimals
    _, band, rows = np.unique(np.c_[low[banded], width[banded]], axis=0, return_inverse=True, return_counts=True)
    per_row = width[banded] * 10.0**decimals / rows[np.ravel(band)]
    return decimals if float(np.quantile(per_row, 0.1)) >= GRID_VALUES_PER_ROW else None


def _smoothed_bounds(x: np.ndarray, smooth_below: int) -> tuple[float, float]:
    """The smallest and largest value a column's smoothed donors can give."""
    if len(x) == 0:
        return 0.0, 0.0
    low, width = smoothing_ranges(x, smooth_below)
    if np.isnan(low).all():
        return 0.0, 0.0
    return float(np.nanmin(low)), float(np.nanmax(low + width))


def pool_rows(rare_rows: int, smooth_below: int) -> int:
    """How many rows each group of rare values pools: ``smooth_below``, or, in a column with thousands of rare
    rows (a near-unique number: a weight, an amount), the square root of their count when that is more.

    A band of ``k`` rows is a k-nearest-neighbour density estimate: it is denser where the training rows happen
    to crowd, so a draw lands on a training value more often than on a fresh one, by about 1/k. On a near-unique
    column that adds up: Adult's fnlwgt (about 19,000 rare rows) with bands of 5 rows reproduced train-only rare
    values about one point more often than holdout-only ones (mean excess 0.010 over eight samples, every sample
    positive); √rows (about 140) keeps the bias under the test's noise while a column with a few rare tail
    values keeps bands of ``smooth_below`` rows, as the histogram rule of thumb (√n bins of √n rows) suggests.
    Below ``NEAR_UNIQUE_RARE_ROWS`` the per-band bias sums over too few values to show, and a small table's tails
    keep their narrow bands (wider ones there pushed band ends onto planted extreme values)."""
    if rare_rows < NEAR_UNIQUE_RARE_ROWS:
        return int(smooth_below)
    return max(int(smooth_below), int(np.ceil(np.sqrt(rare_rows))))


NEAR_UNIQUE_RARE_ROWS = 2_000

#: A gap is judged against the spacings of this many times ``smooth_below`` values on each side.
GAP_WINDOW_PER_SMOOTH = 4
#: A gap is cut when it is this many times wider than the median spacing on each side of it.
GAP_TIMES_SPACING = 30


def gap_cuts(
    uniq: np.ndarray,
    counts: np.ndarray,
    rare: np.ndarray,
    window: int,
    least: int,
    whose: ValuePeople | None = None,
) -> np.ndarray:
    """Which gaps between neighbouring distinct values (``uniq[i]`` to ``uniq[i + 1]``) end a run of rare values.

    A gap is cut when it is more than :data:`GAP_TIMES_SPACING` times the median spacing between the ``window``
    distinct values next to it on each side that is rare (fewer at a run's end; a common value on the other side is
    a point, so it counts as crowded). Why: a band is drawn uniformly, so one reaching across such a gap, or
    halfway into it, puts draws where no real value is: office latitudes clustered within 0.03° of Berlin, London
    and Madrid came out in France (2% of rows a gap). A median is not moved by one other gap in the window, and
    evenly spread values are this crowded on both sides of a gap by chance too rarely to see: none of 2,000,000
    gaps was cut (window 20; at 20 times the median, 18 were), where comparing a gap with the whole span of the
    5 values beside it cut 2%.
    A side of fewer than ``least`` rows (``smooth_below``: a lone outlier, a handful of values) is never cut off:
    it stays pooled with its neighbours as before, so every band still pools enough rows; nor is a stretch that
    short closed off between two cut gaps (:func:`_uncut_short_stretches`). With ``whose`` (each value's people)
    both are counted in distinct people: one person's five night-time values are one person, never cut off.
    """
    k = len(uniq)
    cut = np.zeros(max(k - 1, 0), dtype=bool)
    if k < 3 or not rare.any():
        return cut
    gap = np.diff(uniq.astype(np.float64))
    # Each value's run of rare values: a side's window reads only its own run's spacings.
    starts = np.flatnonzero(rare & ~np.r_[False, rare[:-1]])
    ends = np.flatnonzero(rare & ~np.r_[rare[1:], False])
    run_start = np.zeros(k, dtype=np.int64)
    run_end = np.zeros(k, dtype=np.int64)
    for a, b in zip(starts, ends, strict=True):
        run_start[a : b + 1], run_end[a : b + 1] = a, b
    w = max(int(window) - 1, 1)
    padded = np.r_[np.full(w, np.nan), gap, np.full(w, np.nan)]
    views = np.lib.stride_tricks.sliding_window_view(padded, w)
    i = np.arange(k - 1)
    offset = np.arange(w)
    left_at = i[:, None] - w + offset  # spacings i - w … i - 1 (spacing j lies between values j and j + 1)
    right_at = i[:, None] + 1 + offset  # spacings i + 1 … i + w
    left = _nan_median(np.where(left_at >= run_start[i][:, None], views[i], np.nan))
    right = _nan_median(np.where(right_at < run_end[i + 1][:, None], views[i + 1 + w], np.nan))
    before = np.r_[0, np.cumsum(counts)]  # rows before each distinct value
    held: Callable[[np.ndarray, np.ndarray], np.ndarray]  # rows (people) of the values a … b - 1
    if whose is None:
        upto = before[i + 1] - before[run_start[i]]  # each side's rows: its run up to the gap, and on from it
        onward = before[run_end[i + 1] + 1] - before[i + 1]
        held = lambda a, b: before[b] - before[a]  # noqa: E731
    else:
        up, on = run_people(whose, starts, ends)
        upto, onward = up[i], on[i + 1]
        held = lambda a, b: span_people(whose, a, b)  # noqa: E731
    left_ok = ~rare[i] | ((upto >= least) & (i > run_start[i]))
    right_ok = ~rare[i + 1] | ((onward >= least) & (run_end[i + 1] > i + 1))
    crowd = np.fmax(np.where(rare[i], left, 0.0), np.where(rare[i + 1], right, 0.0))
    cut[:] = (rare[i] | rare[i + 1]) & left_ok & right_ok & (gap > GAP_TIMES_SPACING * np.nan_to_num(crowd, nan=np.inf))
    return _uncut_short_stretches(cut, gap, rare, held, least)


def _uncut_short_stretches(
    cut: np.ndarray,
    gap: np.ndarray,
    rare: np.ndarray,
    held: Callable[[np.ndarray, np.ndarray], np.ndarray],
    least: int,
) -> np.ndarray:
    """``cut`` without the cuts that would leave a stretch of rare values between two cut gaps with fewer than
    ``least`` rows (``held(a, b)``: the rows, or people, of values ``a`` … ``b - 1``): of its two gaps the narrower
    stays uncut, so the stretch pools with its nearer neighbours.

    Each gap's sides are judged on their whole run of rare values (:func:`gap_cuts`), so two cut gaps could close a
    lone value off between them (an outlier halfway between two crowded clusters): a group of one value with no
    neighbour to end its band on, whose band came out NaN."""
    common_before = np.r_[0, np.cumsum(~rare)]
    while True:
        at = np.flatnonzero(cut)
        a, b = at[:-1], at[1:]  # consecutive cuts: the values a + 1 … b lie between them
        short = (common_before[b + 1] == common_before[a + 1]) & (held(a + 1, b + 1) < least)
        if not short.any():
            return cut
        k = int(np.argmax(short))
        cut[a[k] if gap[a[k]] <= gap[b[k]] else b[k]] = False


def _nan_median(rows: np.ndarray) -> np.ndarray:
    """Each row's median over its non-NaN entries (NaN for none), without np.nanmedian's all-NaN warning."""
    ordered = np.sort(rows, axis=1)  # NaN sorts last
    n = (~np.isnan(rows)).sum(axis=1)
    at = np.arange(len(rows))
    low, high = np.maximum((n - 1) // 2, 0), np.maximum(n // 2, 0)
    return np.where(n > 0, (ordered[at, low] + ordered[at, np.minimum(high, rows.shape[1] - 1)]) / 2.0, np.nan)


def _rare_groups(
    rare: np.ndarray,
    counts: np.ndarray,
    pool: int,
    first: int | None = None,
    cuts: np.ndarray | None = None,
    whose: ValuePeople | None = None,
) -> np.ndarray:
    """Group id of each distinct value (-1 for common ones): runs of rare values in groups of enough rows.

    A run between two common values is cut into groups of at least ``pool`` rows (:func:`pool_rows`); a short
    remainder joins the group before it in the same run. Groups are contiguous, numbered in value order.

    With ``first`` smaller than ``pool`` (a near-unique column's pool, larger than ``smooth_below``), a run that
    reaches the column's end is cut from that end in groups of ``first``, twice that, four times… rows until
    they reach ``pool`` (see :func:`tail_sizes`); a run reaching both ends is cut from each end towards its
    middle row. A gap in ``cuts`` (:func:`gap_cuts`) ends a run as the column's end does. With ``whose`` (each
    value's people) a group closes at ``pool`` distinct people.
    """
    cut = np.zeros(max(len(rare) - 1, 0), dtype=bool) if cuts is None else cuts
    group = np.full(len(rare), -1, dtype=np.int64)
    lengths: list[int] = []  # distinct values in each group, in value order
    k = len(rare)
    i = 0
    while i < k:
        if not rare[i]:
            i += 1
            continue
        j = i + 1
        while j < k and rare[j] and not cut[j - 1]:
            j += 1
        rows = counts[i:j]
        held = None if whose is None else whose.lists(i, j)
        low_end, high_end = i == 0 or bool(cut[i - 1]), j == k or bool(cut[j - 1])
        if first is None or first >= pool or not (low_end or high_end):
            lengths += _cut(rows, pool, pool, held)
        elif low_end and high_end:
            # The value holding the run's middle row ends the lower half.
            middle = int(np.searchsorted(np.cumsum(rows), rows.sum() / 2.0)) + 1
            lower = _cut(rows[:middle], first, pool, None if held is None else held[:middle])
            upper = _cut(rows[middle:][::-1], first, pool, None if held is None else held[middle:][::-1])[::-1]
            lengths += _joined_halves(lower, upper, rows, first, held)
        elif low_end:
            lengths += _cut(rows, first, pool, held)
        else:
            lengths += _cut(rows[::-1], first, pool, None if held is None else held[::-1])[::-1]
        i = j
    members = np.flatnonzero(rare)
    group[members] = np.repeat(np.arange(len(lengths)), lengths)
    return group


def tail_sizes(first: int, pool: int) -> list[int]:
    """Rows of each group from a column's end inwards before groups of ``pool`` rows: ``first``, doubled while
    under ``pool``.

    Why: a band is drawn uniformly, which is right where the density inside it is about even. A near-unique
    column's pool (√rows, 55 on 3,000 salaries) at a heavy tail spans from the 55th largest salary to the
    midpoint of the two largest, so one group's uniform draws put 2.4% of synthetic salaries above 200k where
    0.6% of real ones are. Groups that start at ``first`` rows (never fewer than any band already held) and
    double keep each band where the density changes little, as a histogram with narrower bins in the tails.
    """
    sizes = []
    size = max(int(first), 1)
    while size < pool:
        sizes.append(size)
        size *= 2
    return sizes


def _cut(rows: np.ndarray, first: int, pool: int, whose: list[np.ndarray] | None = None) -> list[int]:
    """Lengths (in distinct values) of consecutive groups over ``rows`` (each value's row count): the sizes of
    :func:`tail_sizes`, then ``pool`` rows each; a short remainder joins the group before it. With ``whose`` (each
    value's people) a group's size is its distinct people."""
    sizes = tail_sizes(first, pool)
    lengths: list[int] = []
    start, total = 0, 0
    seen: set[int] = set()
    for i, c in enumerate(rows):
        if whose is None:
            total += int(c)
        else:
            seen.update(whose[i].tolist())
            total = len(seen)
        target = sizes[len(lengths)] if len(lengths) < len(sizes) else pool
        if total >= target:
            lengths.append(i + 1 - start)
            start, total = i + 1, 0
            seen = set()
    if start < len(rows):
        if lengths:
            lengths[-1] += len(rows) - start
        else:
            lengths.append(len(rows) - start)
    return lengths


def _joined_halves(
    lower: list[int], upper: list[int], rows: np.ndarray, first: int, whose: list[np.ndarray] | None = None
) -> list[int]:
    """The two halves' groups of a run that reaches both ends, with a half too short for one group (fewer than
    ``first`` rows, or distinct people of ``whose``) folded into the other half's innermost group."""
    if whose is None:
        lower_rows = int(rows[: sum(lower)].sum())
        upper_rows = int(rows.sum()) - lower_rows
    else:
        lower_rows, upper_rows = _distinct(whose[: sum(lower)]), _distinct(whose[sum(lower) :])
    if upper and upper_rows < first and lower:
        return [*lower[:-1], lower[-1] + sum(upper)]
    if lower and lower_rows < first and upper:
        return [sum(lower) + upper[0], *upper[1:]]
    return [*lower, *upper]


def _distinct(whose: list[np.ndarray]) -> int:
    """How many distinct people the values of ``whose`` (each value's people) hold together."""
    return len(np.unique(np.concatenate(whose))) if whose else 0


def _group_bands(
    uniq: np.ndarray,
    rare: np.ndarray,
    group: np.ndarray,
    cuts: np.ndarray | None = None,
    whose: ValuePeople | None = None,
    least: int = 1,
) -> tuple[np.ndarray, np.ndarray]:
    """Each group's band ends: the common neighbour, a midpoint to a rare neighbour, or a tail end.

    At the column's tails, and beside a gap in ``cuts``, the end is the midpoint of the group's own two outermost
    values (a lone rare extreme falls back to its other end); a group that is the whole column and holds one value
    gets NaN (nothing kept). With ``whose`` (each value's people) the inner value of the two is the nearest one
    that, with the outermost, two people or more hold, and a group of fewer than ``least`` people beside a common
    value has no tail end of its own (:func:`~synth.synthesizers.band_people.other_people_inside`).
    """
    cut = np.r_[np.zeros(max(len(uniq) - 1, 0), dtype=bool) if cuts is None else cuts, False]
    k = len(uniq)
    members = np.flatnonzero(rare)
    ids = group[members]
    n_groups = int(ids.max()) + 1
    first = np.full(n_groups, k, dtype=np.int64)
    last = np.full(n_groups, -1, dtype=np.int64)
    np.minimum.at(first, ids, members)
    np.maximum.at(last, ids, members)
    x = uniq.astype(np.float64)

    def end(edge: np.ndarray, outside: np.ndarray, inside: np.ndarray) -> np.ndarray:
        # cut[min(edge, outside)] is the gap between them (cut has a False beyond the last gap for outside = k).
        has_out = (outside >= 0) & (outside < k) & ~cut[np.clip(np.minimum(edge, outside), 0, k - 1)]
        o = np.clip(outside, 0, k - 1)
        i = np.clip(inside, 0, k - 1)
        towards = np.where(rare[o], (x[o] + x[edge]) / 2.0, x[o])
        tail = np.where(inside != edge, (x[edge] + x[i]) / 2.0, np.nan)
        return np.where(has_out, towards, tail)

    inner_lo, inner_hi = np.minimum(first + 1, last), np.maximum(last - 1, first)
    if whose is not None:
        bounded = np.r_[False, ~cut[:-1]][first] | np.r_[~cut[:-1], False][last]  # a neighbour on either side
        inner_lo, inner_hi = other_people_inside(whose, first, last, least, alone=~bounded)
    lo = end(first, first - 1, inner_lo)
    hi = end(last, last + 1, inner_hi)
    lo, hi = np.where(np.isnan(lo), hi, lo), np.where(np.isnan(hi), lo, hi)
    return lo, hi
