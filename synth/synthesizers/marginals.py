"""Reversible per-column transforms between real values and uniform scores.

Every modelled column becomes one or two uniform "dimensions": its value, and for numeric and datetime
columns with missing values a missingness indicator, so missing values are reproduced at their real rate and,
in a copula, with their dependence on other columns. Categorical and boolean columns keep missing as a
category of its own.

Numeric marginals are stored as a grid of quantile knots (at most ``n_knots``) and inverted by linear interpolation:
the spike at 0 that holds 92% of Adult's capital_gain survives, and values between knots are new numbers rather than
copies of real ones until they are rounded to the recorded decimals: where real values crowd the grid, a rounded
draw lands on one, and a knot interval's density is read off its five or so rows, so it landed on a training-only
one 2.1 points more often than on a holdout-only one (crowded cents, 40 seeded tables of 1,000 rows). Such draws are
now spread over sixty rows' worth of values before they are rounded (:mod:`synth.synthesizers.knot_spread`, through
``decode_arrays``' ``spreads``): +0.3 points, standard error 0.4. Each knot is read off the means of disjoint blocks
of at least ``TAIL_ROWS`` consecutive sorted values (:func:`pooled_knots`), never one order statistic: a knot that
was one row's value in a sparse tail was stored in the file as it was and, where neighbouring knots were equal,
drawn again and again (an HR table's 55th-highest salary came back 9 times in 2,340 rows, to the cent). The
``TAIL_ROWS - 1`` most extreme values at each end are in no block; they only ever pull an end inwards.
Categories are stored in sorted order (or along an associated number), never in order of first appearance or
of frequency.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.schema.dates import DAY_NS
from synth.synthesizers.inventory import ArtifactItem

if TYPE_CHECKING:
    from synth.synthesizers.knot_spread import KnotSpread

_MISSING = "__synth_missing__"


def value_sort_key(value: object) -> tuple[int, str, object]:
    """A total order on labels of any type: missing last, numbers by value, the rest by type then text.

    Model files list categories in this order, never in order of first appearance (which would give away
    training row 0) nor of frequency (an exact ranking a one-row change can flip).
    """
    if value is None or value == _MISSING or (isinstance(value, float) and value != value):
        return (2, "", 0)
    if isinstance(value, bool | np.bool_):
        return (0, "bool", int(value))
    if isinstance(value, int | float | np.integer | np.floating):
        return (0, "number", float(value))
    return (1, type(value).__name__, str(value))


def sorted_values(values: Iterable[object]) -> list[object]:
    """``values`` in :func:`value_sort_key` order."""
    return sorted(values, key=value_sort_key)


NUMERIC_KINDS = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME)
MIN_ORDER_ETA2 = 0.05
#: Every stored knot and range end is read off means of at least TAIL_ROWS values; the TAIL_ROWS - 1 most extreme
#: values at each end (one person each) enter no block, and no range end.
TAIL_ROWS = 5


def pooled_knots(x: np.ndarray, n_knots: int, k: int = TAIL_ROWS) -> np.ndarray:
    """At most ``n_knots`` quantile knots of the sorted values ``x`` at evenly spaced levels, read off the means of
    blocks of ``k`` or more consecutive values; empty when ``x`` has fewer than ``k`` values (nothing is kept).

    The ``k - 1`` smallest and largest values are in no block, but their share of rows is kept: each block's mean
    stands at the level of its middle row among all rows, the knots are interpolated between those points, and
    the two ends are extended along the end blocks' slope, at most to the mean of the ``k`` outermost values.
    Dropping the extremes' share instead moved 8 rows of a 300-row component inwards (a rating's lowest value
    came back at 4.0% for 6.0%), and putting each mean at an evenly spaced level shifted every end by half a block.
    The blocks are disjoint (overlapping windows would let differences of neighbouring knots solve for single
    rows), so every knot is read off at most two blocks' means (interpolated, or extended at an end) or is the
    mean of the ``k`` outermost values, and one row's value moves it by at most half of any change (pinned in
    tests/unit/test_model_file_tails.py). A value held by many rows (a spike) fills whole blocks and stays a
    knot, repeated.
    """
    x = np.asarray(x, dtype=np.float64)
    bounds = pooled_bounds(x, k, ordered=True)
    if bounds is None:
        return np.empty(0)
    n = len(x)
    inner = x[k - 1 : n - k + 1]
    m = min(int(n_knots) - 1, len(inner) // k)
    if m < 2:  # one block (too few rows to set the extremes apart, or to give two blocks): its mean
        return np.array([bounds[0] if n < 3 * k - 2 else inner.mean()])
    sizes = np.full(m, len(inner) // m)
    sizes[: len(inner) % m] += 1  # blocks differ by one row at most; each has at least k
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    means = np.add.reduceat(inner, starts) / sizes
    # A block whose middle value at least k rows of the column hold stands at that value, not at its mean: a
    # value held by k rows names nobody, and a block across two spikes (codes 303 and 404) then adds no knot
    # between them (its mean, 363.4, made draws between the spikes that a lookup on the code read wrongly).
    uniq, counts = np.unique(x, return_counts=True)
    middle = inner[starts + sizes // 2]
    means = np.where(counts[np.searchsorted(uniq, middle)] >= k, middle, means)
    centres = (k - 1 + starts + sizes / 2.0) / n
    low = means[0] - centres[0] * (means[1] - means[0]) / (centres[1] - centres[0])
    high = means[-1] + (1.0 - centres[-1]) * (means[-1] - means[-2]) / (centres[-1] - centres[-2])
    # An extended end stops at the mean of the k outermost values, so every draw is inside the real range (no
    # hire date before the first real one, no rating of 0, no negative salary) while an outlier can only pull an
    # end in, never out: beyond that mean the extension, which no extreme moves, is kept.
    low, high = max(low, float(x[:k].mean())), min(high, float(x[-k:].mean()))
    knots = np.interp(np.linspace(0.0, 1.0, m + 1), np.r_[0.0, centres, 1.0], np.r_[low, means, high])
    return np.maximum.accumulate(knots)  # sorted already; float error must not unsort them


def pooled_bounds(x: np.ndarray, k: int = TAIL_ROWS, *, ordered: bool = False) -> tuple[float, float] | None:
    """A column's range as a model file may keep it: the means of the ``k`` values after the ``k - 1`` smallest
    and of the ``k`` before the ``k - 1`` largest (of every value when there are too few), None with fewer than
    ``k`` values. Neither end is one row's value, and no extreme moves either. ``ordered``: ``x`` is sorted
    and has no NaN already."""
    x = np.asarray(x, dtype=np.float64)
    if not ordered:
        x = np.sort(x[~np.isnan(x)])
    if len(x) < k:
        return None
    if len(x) < 3 * k - 2:
        mean = float(x.mean())
        return mean, mean
    return float(x[k - 1 : 2 * k - 1].mean()), float(x[len(x) - 2 * k + 1 : len(x) - k + 1].mean())


def _as_number(series: pd.Series, kind: ColumnKind) -> pd.Series:
    if kind is ColumnKind.DATETIME:
        dt = pd.to_datetime(series, errors="coerce")
        return pd.Series(dt.astype("int64").where(dt.notna()), index=series.index, dtype=float)
    return pd.to_numeric(series, errors="coerce").astype(float)


def category_orders(data: pd.DataFrame, schema: Schema) -> dict[str, dict[object, float]]:
    """For each categorical column: category → mean of the numeric column most associated with it.

    "Most associated" is the largest correlation ratio η² (share of the number's variance explained by the
    categories); columns where no number reaches ``MIN_ORDER_ETA2`` are left out (they keep frequency order).
    """
    numeric = {s.name: _as_number(data[s.name], s.kind).to_numpy() for s in schema if s.kind in NUMERIC_KINDS}
    orders: dict[str, dict[object, float]] = {}
    for spec in schema:
        if spec.kind in NUMERIC_KINDS:
            continue
        series = data[spec.name]
        codes, levels = pd.factorize(series.astype(object).where(series.notna(), _MISSING))
        k = len(levels)
        best_eta2, best_means = MIN_ORDER_ETA2, None
        for x in numeric.values():
            ok = ~np.isnan(x)
            if ok.sum() < 10:
                continue
            xs, cs = x[ok], codes[ok]
            total = float(xs.var())
            if total <= 0:
                continue
            counts = np.bincount(cs, minlength=k)
            means = np.bincount(cs, weights=xs, minlength=k) / np.maximum(counts, 1)
            eta2 = float((counts * (means - xs.mean()) ** 2).sum() / len(xs) / total)
            if eta2 >= best_eta2:
                best_eta2, best_means = eta2, np.where(counts > 0, means, np.inf)
        if best_means is not None:
            orders[spec.name] = {level: float(m) for level, m in zip(levels, best_means, strict=True)}
    return orders


QUANTILES = ArtifactItem(
    "Numeric quantiles",
    "for every numeric and date column, up to n_knots quantiles of its values (the inverse CDF the model "
    "samples from by interpolation)",
    "aggregates",
    "Each quantile is interpolated between two disjoint blocks of at least 5 consecutive sorted values, each "
    "standing at its mean, or at its middle value when at least 5 rows hold that value: never one row's value "
    "(one row moves it by half of its own change at most); the 4 smallest "
    "and 4 largest values are in no block, and the ends stop at the mean of the 5 outermost values, so an extreme "
    "can only pull an end in. A column with fewer than 5 values keeps none (it is sampled as missing).",
)
FREQUENCIES = ArtifactItem(
    "Category frequencies",
    "for every categorical and boolean column, the share of rows of each category (missing as a category)",
    "aggregates",
    "Exact shares of categories held by at least min_category_rows rows (rarer ones are one '(other)' "
    "bucket), listed in sorted order or along an associated number, never by frequency or appearance.",
)
MISSING_RATES = ArtifactItem(
    "Missing rates",
    "for numeric and date columns with missing values, the exact share of missing rows",
    "aggregates",
    "One share per column.",
)


def _utc(values: pd.Series) -> pd.Series:
    """Datetimes as naive UTC (a table handed over with zone-aware datetimes: a zone-aware series cannot be cast to
    nanoseconds directly); the zone is put back when the sample is conformed to the schema."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert("UTC").dt.tz_localize(None)
    return values


@dataclass(frozen=True)
class NumericMarginal:
    """Empirical quantile function of the observed (non-missing) values."""

    knots: np.ndarray  # quantile values at levels linspace(0, 1, len(knots))
    integer: bool
    is_datetime: bool
    unit: int  # datetimes: nanoseconds of the coarsest unit every value is a multiple of

    @classmethod
    def fit(cls, values: pd.Series, kind: ColumnKind, n_knots: int) -> NumericMarginal:
        is_dt = kind is ColumnKind.DATETIME
        present = values.dropna()
        if is_dt:
            ns = _utc(present).astype("datetime64[ns]").astype("int64").to_numpy()
            unit = datetime_unit(ns)
            x = ns.astype(float)
        else:
            unit = 1
            x = present.to_numpy(dtype=float)
        knots = pooled_knots(np.sort(x[np.isfinite(x)]), n_knots)
        # Fewer than TAIL_ROWS values: nothing is kept (Marginals.fit draws the column as always missing).
        return cls(knots if len(knots) else np.zeros(1), kind is ColumnKind.DISCRETE, is_dt, unit)

    def to_uniform(self, values: pd.Series, rng: np.random.Generator) -> np.ndarray:
        """Randomised probability integral transform: ties spread uniformly over their CDF step."""
        if self.is_datetime:
            x = _utc(values).astype("datetime64[ns]").astype("int64").to_numpy().astype(float)
        else:
            x = values.to_numpy(dtype=float)
        k = len(self.knots)
        if k == 1:
            return rng.random(len(x))
        lo = np.searchsorted(self.knots, x, side="left")
        hi = np.searchsorted(self.knots, x, side="right")
        # Strictly inside a step: interpolate the level between neighbouring knots.
        inside = lo == hi
        u = np.empty(len(x))
        # Values beyond the end knots (the extremes no knot averages, half of each end block) take the first or
        # last half step at random rather than all 0 or 1, whose normal scores would weigh on the correlations.
        below, above = x < self.knots[0], x > self.knots[-1]
        inside &= ~(below | above)
        half = rng.random(len(x)) * 0.5 / (k - 1)
        u[below], u[above] = half[below], 1.0 - half[above]
        j = np.clip(lo[inside], 1, k - 1)
        left, right = self.knots[j - 1], self.knots[j]
        frac = np.where(right > left, (x[inside] - left) / np.where(right > left, right - left, 1.0), 0.5)
        u[inside] = (j - 1 + frac) / (k - 1)
        # On one or more knots (ties): spread uniformly over the levels they cover.
        tied = lo != hi
        start = lo[tied]
        stop = hi[tied] - 1
        u[tied] = (start + rng.random(int(tied.sum())) * (stop - start)) / (k - 1)
        return np.clip(u, 0.0, 1.0)

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        k = len(self.knots)
        x = self.knots[0] + np.zeros(len(u)) if k == 1 else np.interp(u * (k - 1), np.arange(k), self.knots)
        if self.integer:
            x = np.round(x)
        if self.is_datetime:
            x = np.round(x / self.unit) * self.unit
        return x

    def decode(self, x: np.ndarray) -> pd.Series:
        if self.is_datetime:
            return pd.Series(x.astype("int64").astype("datetime64[ns]"))
        return pd.Series(x)


def datetime_unit(ns: np.ndarray) -> int:
    for unit in (DAY_NS, 3_600 * 10**9, 60 * 10**9, 10**9, 10**6, 10**3):
        if len(ns) and np.all(ns % unit == 0):
            return unit
    return 1


@dataclass(frozen=True)
class CategoricalMarginal:
    """Categories on consecutive intervals of [0, 1] in sorted order (see :func:`value_sort_key`), or along an
    associated number; missing is a category."""

    categories: tuple[object, ...]
    upper: np.ndarray  # cumulative probability at each category's upper edge

    @classmethod
    def fit(cls, values: pd.Series, order_key: Mapping[object, float] | None = None) -> CategoricalMarginal:
        """Learn the category frequencies; ``order_key`` (category → number) sets the order of the intervals.

        In a copula, neighbouring intervals are "close": ordering categories along an associated number (e.g.
        education along education_num) lets a correlation carry the relationship.
        """
        counts = values.astype(object).where(values.notna(), _MISSING).value_counts(sort=False)
        if order_key is not None:
            order = sorted(counts.index, key=lambda c: (order_key.get(c, np.inf), value_sort_key(c)))
        else:
            order = sorted_values(counts.index)
        counts = counts.reindex(order)
        probs = counts.to_numpy(dtype=float) / counts.sum()
        upper = np.cumsum(probs)
        upper[-1] = 1.0
        return cls(tuple(counts.index), upper)

    def codes(self, values: pd.Series) -> np.ndarray:
        lookup = {c: i for i, c in enumerate(self.categories)}
        filled = values.astype(object).where(values.notna(), _MISSING)
        return filled.map(lookup).to_numpy(dtype=float)

    def to_uniform(self, values: pd.Series, rng: np.random.Generator) -> np.ndarray:
        codes = self.codes(values)
        unseen = np.isnan(codes)
        codes = np.where(unseen, 0, codes).astype(int)
        lower = np.concatenate([[0.0], self.upper[:-1]])
        return lower[codes] + rng.random(len(codes)) * (self.upper[codes] - lower[codes])

    def from_uniform(self, u: np.ndarray) -> np.ndarray:
        return np.minimum(np.searchsorted(self.upper, u, side="right"), len(self.categories) - 1)

    def labels(self) -> np.ndarray:
        """The categories as an object array, None for the missing one (what a code decodes to)."""
        cats = np.array(self.categories, dtype=object)
        # Map the missing label to None on the few categories, not on the million decoded values.
        cats[cats == _MISSING] = None
        return cats

    def decode(self, codes: np.ndarray) -> pd.Series:
        cats = np.array(self.categories, dtype=object)
        values = cats[codes]
        values[values == _MISSING] = None
        return pd.Series(values, dtype=object)


@dataclass(frozen=True)
class ColumnMarginal:
    """A column's marginal and, for numbers and datetimes with missing values, its missing rate."""

    name: str
    kind: ColumnKind
    numeric: NumericMarginal | None
    categorical: CategoricalMarginal | None
    missing_rate: float

    @property
    def has_indicator(self) -> bool:
        return self.numeric is not None and self.missing_rate > 0

    @property
    def width(self) -> int:
        return 2 if self.has_indicator else 1


@dataclass(frozen=True)
class Marginals:
    """The marginals of every modelled column, and the uniform matrix ⇄ table maps."""

    columns: tuple[ColumnMarginal, ...]

    @classmethod
    def fit(
        cls,
        data: pd.DataFrame,
        schema: Schema,
        n_knots: int = 1001,
        *,
        order_categories: bool = False,
        orders: Mapping[str, Mapping[object, float]] | None = None,
    ) -> Marginals:
        """Learn every column's marginal.

        Args:
            data: the modelled columns.
            schema: their kinds.
            n_knots: quantile knots per numeric column.
            order_categories: order each categorical column's categories along the numeric column it is most
                associated with (see :func:`category_orders`), instead of by frequency.
            orders: precomputed orders (e.g. from all rows when ``data`` is one group of them); implies ordering.
        """
        if orders is None and order_categories:
            orders = category_orders(data, schema)
        cols = []
        for spec in schema:
            series = data[spec.name]
            missing = float(series.isna().mean())
            if spec.kind in NUMERIC_KINDS:
                if int(series.notna().sum()) < TAIL_ROWS:  # no knot may average fewer rows: none is learned
                    missing = 1.0
                cols.append(
                    ColumnMarginal(spec.name, spec.kind, NumericMarginal.fit(series, spec.kind, n_knots), None, missing)
                )
            else:
                key = orders.get(spec.name) if orders else None
                cols.append(ColumnMarginal(spec.name, spec.kind, None, CategoricalMarginal.fit(series, key), missing))
        return cls(tuple(cols))

    @property
    def width(self) -> int:
        return sum(c.width for c in self.columns)

    def to_uniform(self, data: pd.DataFrame, rng: np.random.Generator) -> np.ndarray:
        """One row per record, one uniform score per dimension (value, then missing indicator).

        The value score of a missing number or datetime is NaN; its indicator dimension carries the missingness.
        """
        parts = []
        for col in self.columns:
            series = data[col.name]
            if col.numeric is not None:
                present = series.notna().to_numpy()
                # Missing values have no score: NaN, so dependence is estimated on observed pairs only.
                u = np.full(len(series), np.nan)
                if present.any():
                    u[present] = col.numeric.to_uniform(series[present], rng)
                parts.append(u)
                if col.has_indicator:
                    # Missing → the lower part of [0, 1], on the interval of width missing_rate.
                    u_ind = np.where(present, col.missing_rate, 0.0) + rng.random(len(series)) * np.where(
                        present, 1.0 - col.missing_rate, col.missing_rate
                    )
                    parts.append(u_ind)
            else:
                assert col.categorical is not None
                parts.append(col.categorical.to_uniform(series, rng))
        return np.column_stack(parts) if parts else np.empty((len(data), 0))

    def category_labels(self, names: Collection[str]) -> dict[str, np.ndarray]:
        """The labels (:meth:`CategoricalMarginal.labels`) of the categorical columns among ``names``."""
        return {c.name: c.categorical.labels() for c in self.columns if c.categorical is not None and c.name in names}

    def decode_arrays(
        self, u: np.ndarray, spreads: Mapping[str, KnotSpread] | None = None, coded: Collection[str] = ()
    ) -> dict[str, np.ndarray]:
        """Uniform scores → one numpy array per column (float with NaN, datetime64 with NaT, object with None).

        ``spreads``: the columns whose crowded draws are spread before they are rounded to their recorded decimals
        (:func:`synth.synthesizers.knot_spread.model_spreads`). ``coded``: categorical columns given as their codes
        into :meth:`CategoricalMarginal.labels` instead (:mod:`synth.synthesizers.coded_labels`)."""
        if spreads:  # (here: knot_spread reads CART's constants, whose modules import the model files' registry)
            from synth.synthesizers.knot_spread import spread_knot_draws
        out: dict[str, np.ndarray] = {}
        j = 0
        eps = 1e-12
        u = np.clip(u, eps, 1.0 - eps)
        for col in self.columns:
            if col.numeric is not None:
                x = col.numeric.from_uniform(u[:, j])
                if spreads and col.name in spreads:
                    x = spread_knot_draws(col.numeric.knots, u[:, j], x, spreads[col.name])
                j += 1
                if col.has_indicator:
                    x = np.where(u[:, j] < col.missing_rate, np.nan, x)
                    j += 1
                if col.numeric.is_datetime:
                    missing = np.isnan(x)
                    values = np.where(missing, 0, x).astype("int64").astype("datetime64[ns]")
                    values[missing] = np.datetime64("NaT")
                    out[col.name] = values
                else:
                    out[col.name] = x
            else:
                assert col.categorical is not None
                codes = col.categorical.from_uniform(u[:, j])
                out[col.name] = codes if col.name in coded else col.categorical.labels()[codes]
                j += 1
        return out

    def from_uniform(self, u: np.ndarray, spreads: Mapping[str, KnotSpread] | None = None) -> pd.DataFrame:
        return pd.DataFrame(self.decode_arrays(u, spreads), copy=False)
