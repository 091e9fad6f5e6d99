"""Feature encoding shared by the model-based metrics (detection, ML efficacy): learned on real data only.

Two encodings of the same columns:

* for tree models (HistGradientBoosting): numbers as floats (NaN kept, the trees handle it), categories as
  integer codes with a categorical mask;
* for linear models: numbers standardised (missing → 0 plus a missing indicator), categories one-hot.

Categories are the most frequent real ones (at most ``max_categories``); anything else, including categories
only the synthetic table has, becomes "(other)", and missing values are their own category. A synthesizer's
bucket for rare categories (:data:`~synth.synthesizers.rare_categories.BUCKET_LABELS`) is kept as a category of
its own when no real row holds it, so a classifier can tell the rows that hold it from real ones.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.evaluation.date_parts import DatePart
from synth.schema import ColumnKind, Schema, numeric_values
from synth.synthesizers.rare_categories import BUCKET_LABELS

NUMERIC_KINDS = frozenset({ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME})
MAX_CATEGORIES = 60


def labels(series: pd.Series) -> pd.Series:
    """A column as text labels (whole floats without ".0", so 13.0 reads "13"); missing values become None."""
    missing = series.isna()
    if pd.api.types.is_float_dtype(series):
        x = series.to_numpy(dtype=float)
        whole = np.isfinite(x) & (np.floor(x) == x)
        text = np.where(whole, np.where(whole, x, 0).astype(np.int64).astype(str), x.astype(str))
        out = pd.Series(text, index=series.index, dtype=object)
    else:
        out = series.astype(str).astype(object)
    values = out.to_numpy(dtype=object)
    values[missing.to_numpy()] = None
    return pd.Series(values, index=series.index, dtype=object)


@dataclass(frozen=True)
class FeatureEncoder:
    """Encodes feature columns the same way for every table; fitted on a real table.

    Attributes:
        columns: feature column names, in order.
        kinds: their kinds.
        categories: for categorical features, the kept real categories.
        centre / scale: for numeric features, the real mean and standard deviation.
        has_missing: for numeric features, whether the linear encoding has a missing indicator.
        parts: parts of timestamp features (time of day, day of week) encoded after the columns as numbers of
            their own (:mod:`synth.evaluation.date_parts`), with their real mean and standard deviation in
            ``part_centre`` / ``part_scale``.
    """

    columns: tuple[str, ...]
    kinds: tuple[ColumnKind, ...]
    categories: tuple[tuple[str, ...], ...]
    centre: tuple[float, ...]
    scale: tuple[float, ...]
    has_missing: tuple[bool, ...]
    parts: tuple[DatePart, ...] = ()
    part_centre: tuple[float, ...] = ()
    part_scale: tuple[float, ...] = ()

    @property
    def feature_names(self) -> tuple[str, ...]:
        """The name of every column of :meth:`tree_matrix`: the columns, then the parts."""
        return (*self.columns, *(p.name for p in self.parts))

    @classmethod
    def fit(
        cls,
        df: pd.DataFrame,
        schema: Schema,
        features: Sequence[str],
        *,
        max_categories: int = MAX_CATEGORIES,
        parts: Sequence[DatePart] = (),
    ) -> FeatureEncoder:
        kinds: list[ColumnKind] = []
        cats: list[tuple[str, ...]] = []
        centre: list[float] = []
        scale: list[float] = []
        has_missing: list[bool] = []
        for name in features:
            kind = schema[name].kind
            kinds.append(kind)
            if kind in NUMERIC_KINDS:
                x = numeric_values(df[name], kind)
                finite = x[np.isfinite(x)]
                c, sd = _centre_scale(finite)
                centre.append(c)
                scale.append(sd)
                has_missing.append(bool(len(finite) < len(x)))
                cats.append(())
            else:
                counts = labels(df[name]).value_counts()
                kept = tuple(str(v) for v in counts.index[:max_categories])
                # A synthesizer's rare-category bucket is no real value: a code of its own, not "(other)", which
                # real rows of every category past the kept ones share (most rows of a postcode column).
                cats.append((*kept, *(b for b in BUCKET_LABELS if b not in counts.index)))
                centre.append(0.0)
                scale.append(1.0)
                has_missing.append(bool(df[name].isna().any()))
        own_parts = tuple(p for p in parts if p.column in features)
        part_values = [p.values(df[p.column]) for p in own_parts]
        part_stats = [_centre_scale(v[np.isfinite(v)]) for v in part_values]
        return cls(
            tuple(features),
            tuple(kinds),
            tuple(cats),
            tuple(centre),
            tuple(scale),
            tuple(has_missing),
            own_parts,
            tuple(c for c, _ in part_stats),
            tuple(s for _, s in part_stats),
        )

    @property
    def categorical_mask(self) -> np.ndarray:
        """Which columns of :meth:`tree_matrix` are categorical codes (never a part: weekdays are 0–6 in order)."""
        return np.array([k not in NUMERIC_KINDS for k in self.kinds] + [False] * len(self.parts), dtype=bool)

    def _codes(self, series: pd.Series, j: int) -> np.ndarray:
        """Category codes: kept categories 0..k-1, "(other)" k, missing k+1."""
        cats = self.categories[j]
        lookup = {c: i for i, c in enumerate(cats)}
        text = labels(series)
        codes = text.map(lookup).to_numpy(dtype=float)
        codes = np.where(np.isnan(codes), len(cats), codes)
        codes[text.isna().to_numpy()] = len(cats) + 1
        return codes.astype(np.int64)

    def tree_matrix(self, df: pd.DataFrame) -> np.ndarray:
        """Features for tree models: floats with NaN for missing numbers, integer codes for categories."""
        out = np.empty((len(df), len(self.columns) + len(self.parts)), dtype=np.float64)
        for j, (name, kind) in enumerate(zip(self.columns, self.kinds, strict=True)):
            out[:, j] = numeric_values(df[name], kind) if kind in NUMERIC_KINDS else self._codes(df[name], j)
        for j, part in enumerate(self.parts, start=len(self.columns)):
            out[:, j] = part.values(df[part.column])
        return out

    def linear_blocks(self) -> list[tuple[str, int]]:
        """(feature, width) of each block of :meth:`linear_matrix`."""
        out = []
        for j, name in enumerate(self.columns):
            if self.kinds[j] in NUMERIC_KINDS:
                out.append((name, 1 + int(self.has_missing[j])))
            else:
                out.append((name, len(self.categories[j]) + 2))
        out.extend((p.name, 1) for p in self.parts)  # missing timestamps: the column's own indicator says so
        return out

    def linear_matrix(self, df: pd.DataFrame) -> np.ndarray:
        """Features for linear models: standardised numbers (+ missing indicator), one-hot categories."""
        parts: list[np.ndarray] = []
        for j, (name, kind) in enumerate(zip(self.columns, self.kinds, strict=True)):
            if kind in NUMERIC_KINDS:
                x = (numeric_values(df[name], kind) - self.centre[j]) / self.scale[j]
                missing = ~np.isfinite(x)
                parts.append(np.where(missing, 0.0, x)[:, None])
                if self.has_missing[j]:
                    parts.append(missing.astype(float)[:, None])
            else:
                codes = self._codes(df[name], j)
                onehot = np.zeros((len(df), len(self.categories[j]) + 2))
                onehot[np.arange(len(df)), codes] = 1.0
                parts.append(onehot)
        for part, centre, scale in zip(self.parts, self.part_centre, self.part_scale, strict=True):
            x = (part.values(df[part.column]) - centre) / scale
            parts.append(np.where(np.isfinite(x), x, 0.0)[:, None])
        if not parts:
            return np.zeros((len(df), 0))
        return np.hstack(parts)


def _centre_scale(finite: np.ndarray) -> tuple[float, float]:
    """Mean and standard deviation of a number's finite real values (0 and 1 when there are none)."""
    if not len(finite):
        return 0.0, 1.0
    sd = float(finite.std())
    return float(finite.mean()), sd if sd > 0 else 1.0


def fittable(x: np.ndarray) -> np.ndarray:
    """A tree matrix to fit a model on, with every column that holds no value at all set to 0.

    A synthetic table can hold a column missing in every row (a DP fit at a small ε whose noise hid the column's
    whole range says so and leaves it empty), and scikit-learn's HistGradientBoosting refuses to fit on such a
    column ("window shape cannot be larger than input array shape"): the whole TSTR or fairness check failed. A
    constant column gives the trees nothing to split on, which is all an empty column can give, and predictions
    on real rows then ignore that column's values.
    """
    x = np.asarray(x)
    if x.ndim != 2 or x.dtype.kind != "f" or len(x) == 0:
        return x
    empty = np.isnan(x).all(axis=0)
    if not empty.any():
        return x
    out = x.copy()
    out[:, empty] = 0.0
    return out


def default_threads() -> int:
    """OpenMP threads for HistGradientBoosting: 1 unless SYNTH_ML_THREADS says otherwise.

    On a small machine that is busy (the dashboard, other users), HistGradientBoosting with as many threads as
    cores can be 10–30 times slower than with one, because its OpenMP threads wait on each other.
    """
    return max(1, int(os.environ.get("SYNTH_ML_THREADS", "1")))


@contextmanager
def thread_limit(n_threads: int | None) -> Iterator[None]:
    """Limit OpenMP threads (scikit-learn's HistGradientBoosting) inside the block.

    BLAS is left alone on purpose. OpenBLAS's thread count is one setting for the whole process, and the dashboard
    runs BLAS calls side by side (a privacy check's matrix products beside a page's classifier scores): changing
    it under another thread's call is a hazard OpenMP's per-thread setting does not have. (A segmentation fault
    seen in the test suite with a privacy check beside a race was first blamed on this; it recurred after the
    change. Its cause was the race's ``tracemalloc.start()`` / ``stop()`` swapping the raw allocator under
    other threads' allocations: see :mod:`synth.report.memory`.)
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=n_threads or default_threads(), user_api="openmp"):
        yield


def stratified_sample(rng: np.random.Generator, n: int, size: int, labels_: np.ndarray | None = None) -> np.ndarray:
    """Sorted row indices of a seeded sample of ``size`` rows (all rows when ``size >= n``)."""
    if size >= n:
        return np.arange(n)
    if labels_ is None:
        return np.sort(rng.choice(n, size, replace=False))
    picked = []
    for value in np.unique(labels_):
        rows = np.flatnonzero(labels_ == value)
        take = max(1, round(size * len(rows) / n))
        picked.append(rng.choice(rows, min(take, len(rows)), replace=False))
    return np.sort(np.concatenate(picked))
