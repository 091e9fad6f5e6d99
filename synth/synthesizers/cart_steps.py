"""The parts of a sequential CART model: its column coding, trees and donor steps.

:mod:`synth.synthesizers.cart` fits and samples the sequence; this module holds what it is made of and what
its model file stores (:class:`FlatTree`, :class:`CartColumn`, :class:`CartStep`), with the helpers that code
values (labels, datetimes); rare numbers are pooled into shared bands by :mod:`synth.synthesizers.rare_bands`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind
from synth.schema.dates import DAY_NS
from synth.synthesizers.base import register_state
from synth.synthesizers.category_splits import recoded
from synth.synthesizers.coded_labels import coded_series
from synth.synthesizers.instants import datetime_ns
from synth.synthesizers.linear_scores import LinearScore, with_score
from synth.synthesizers.marginals import sorted_values
from synth.synthesizers.rare_bands import _smoothed_bounds
from synth.synthesizers.residual_features import Residual, with_residuals
from synth.synthesizers.weekly_moves import weekly_moves

MISSING = "__synth_missing__"


@dataclass(frozen=True)
class FlatTree:
    """A fitted decision tree reduced to the arrays that route rows to leaves.

    Routing uses scikit-learn's compiled tree, rebuilt from these arrays after loading; :meth:`route` is
    the same routing in numpy, for checking and as a fallback.
    """

    children_left: np.ndarray  # int64, -1 at leaves
    children_right: np.ndarray
    feature: np.ndarray  # int64
    threshold: np.ndarray  # float64: go left when x <= threshold
    missing_go_to_left: np.ndarray  # uint8: where a missing value goes
    n_features: int
    max_depth: int
    _compiled: Any = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_sklearn(cls, tree: Any) -> FlatTree:
        flat = cls(
            np.asarray(tree.children_left, dtype=np.int64).copy(),
            np.asarray(tree.children_right, dtype=np.int64).copy(),
            np.asarray(tree.feature, dtype=np.int64).copy(),
            np.asarray(tree.threshold, dtype=np.float64).copy(),
            np.asarray(tree.missing_go_to_left, dtype=np.uint8).copy(),
            int(tree.n_features),
            int(tree.max_depth),
        )
        object.__setattr__(flat, "_compiled", tree)
        return flat

    @property
    def node_count(self) -> int:
        return len(self.children_left)

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Leaf node id of every row of ``x`` (float32, ``n_features`` columns)."""
        compiled = self._compiled if self._compiled is not None else self._compile()
        if compiled is None:
            return self.route(x)
        return np.asarray(compiled.apply(x), dtype=np.int64)

    def _compile(self) -> Any:
        try:
            from sklearn.tree._tree import NODE_DTYPE, Tree

            nodes = np.zeros(self.node_count, dtype=NODE_DTYPE)
            nodes["left_child"] = self.children_left
            nodes["right_child"] = self.children_right
            nodes["feature"] = self.feature
            nodes["threshold"] = self.threshold
            nodes["missing_go_to_left"] = self.missing_go_to_left
            compiled = Tree(self.n_features, np.array([1], dtype=np.intp), 1)
            compiled.__setstate__(
                {
                    "max_depth": self.max_depth,
                    "node_count": self.node_count,
                    "nodes": nodes,
                    "values": np.zeros((self.node_count, 1, 1)),
                }
            )
        except (ImportError, KeyError, ValueError, TypeError):  # a scikit-learn whose tree layout differs
            compiled = None
        object.__setattr__(self, "_compiled", compiled)
        return compiled

    def route(self, x: np.ndarray) -> np.ndarray:
        """Leaf node id of every row of ``x``, in numpy (the same rule as scikit-learn's ``apply``)."""
        node = np.zeros(len(x), dtype=np.int64)
        active = np.flatnonzero(self.children_left[node] >= 0)
        while len(active):
            here = node[active]
            values = x[active, self.feature[here]]
            missing = np.isnan(values)
            left = np.where(missing, self.missing_go_to_left[here] == 1, values <= self.threshold[here])
            node[active] = np.where(left, self.children_left[here], self.children_right[here])
            active = active[self.children_left[node[active]] >= 0]
        return node


@dataclass(frozen=True)
class CartColumn:
    """How one column is coded inside the model.

    Categories (and booleans) become integer codes in sorted order (never in order of appearance or of
    frequency), missing as a category of its own, last.
    Numbers stay numbers, missing as NaN. Datetimes become whole numbers of ``unit`` nanoseconds (their grain) after
    ``origin``, so arithmetic is exact.
    """

    name: str
    kind: ColumnKind
    categories: tuple[Any, ...]
    origin: int
    unit: int
    tz: str | None
    integer: bool
    low: float
    high: float

    @property
    def categorical(self) -> bool:
        return self.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)

    @classmethod
    def fit(cls, series: pd.Series, kind: ColumnKind, smooth_below: int = 0) -> CartColumn:
        """Learn the coding; numbers are clipped to the range of their smoothed values (see
        :func:`smoothing_ranges`), so a rare extreme is not kept as the column's bound."""
        name = str(series.name)
        if kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            categories = tuple(sorted_values(labels(series).unique()))
            return cls(name, kind, categories, 0, 1, None, True, 0.0, float(len(categories) - 1))
        if kind is ColumnKind.DATETIME:
            ns, missing = datetime_ns(series)
            present = ns[~missing]
            first = int(present.min()) if len(present) else 0
            unit = time_unit(present - first)
            # The origin is the earliest date rounded down to a grid of 1,000 units (on the dates' own phase):
            # the file does not keep the earliest real date.
            origin = first - unit * ((first // unit) % 1_000)
            tz = str(series.dt.tz) if getattr(series.dt, "tz", None) is not None else None
            low, high = _smoothed_bounds(((present - origin) // unit).astype(float), smooth_below)
            return cls(name, kind, (), origin, unit, tz, True, low, high)
        x = series.to_numpy(dtype=float)
        low, high = _smoothed_bounds(x[~np.isnan(x)], smooth_below)
        return cls(name, kind, (), 0, 1, None, kind is ColumnKind.DISCRETE, low, high)

    def encode(self, series: pd.Series) -> np.ndarray:
        """Model values (float64): codes, numbers, or datetime units; NaN for a missing number or date."""
        if self.categorical:
            lookup = {c: i for i, c in enumerate(self.categories)}
            return labels(series).map(lookup).to_numpy(dtype=float)
        if self.kind is ColumnKind.DATETIME:
            ns, missing = datetime_ns(series)
            out = ((ns - self.origin) // self.unit).astype(float)
            out[missing] = np.nan
            return out
        return series.to_numpy(dtype=float)

    def decode(self, values: np.ndarray, coded: bool = False) -> pd.Series:
        """Model values as the column's values; ``coded``: a categorical column as ``pd.Categorical``, read by the
        row checks through its codes (:mod:`synth.synthesizers.coded_labels`)."""
        if self.categorical:
            labels = np.empty(len(self.categories), dtype=object)
            labels[:] = [None if c == MISSING else c for c in self.categories]
            if coded:
                return coded_series(labels, values.astype(np.intp))
            return pd.Series(labels[values.astype(np.intp)], dtype=object)
        if self.kind is ColumnKind.DATETIME:
            return datetimes_from_units(values, np.isnan(values), self.origin, self.unit, self.tz)
        return pd.Series(values)


def tree_inputs(
    xs: np.ndarray, recodes: tuple[tuple[int, np.ndarray], ...], residuals: tuple[Residual, ...]
) -> np.ndarray:
    """What a tree reads: the slots ``xs`` (a view when nothing changes), category codes in the tree's own order,
    then its residual predictors, in one copy at most."""
    if residuals:
        return recoded(xs, recodes, out=with_residuals(xs, residuals))
    return recoded(xs, recodes)


@dataclass(frozen=True)
class CartStep:
    """One tree of the sequence and its donors.

    Attributes:
        column: the column's position in the visit order (= its slot in the predictor matrix); the tree
            reads the slots before it.
        missing: this step draws a numeric column's missing indicator (1 = missing), not its value.
        tree: the fitted tree, or None when the step draws from all its donors (first column, constant).
        offsets: donors of leaf ``i`` are ``donors[offsets[i]:offsets[i + 1]]``.
        donors: training values grouped by leaf: codes, indicators, or the low end of a value's range.
        widths: numeric steps: the width of each donor's range (0 for a value copied as it is).
        anchor: the earlier column (a date's or a number's, of the same kind) whose order this value step keeps
            (-1: none; :mod:`synth.synthesizers.column_order`). For a date the donors are then gaps, ``sign`` ×
            (this date − the anchor's), and a row's date is its anchor's plus ``sign`` × its gap; a number keeps
            its own donors and rows drawn on the wrong side of the anchor are drawn again.
        sign: 1.0 when this column is never below its anchor, -1.0 when never above.
        recodes: (predictor slot, place of each category code) for the category predictors whose values the tree
            reads in an order of its own (:mod:`synth.synthesizers.category_splits`).
        residuals: extra predictors after the slots, one per pair of correlated numbers
            (:mod:`synth.synthesizers.residual_features`); the tree's features past ``column`` are these.
        score: one more predictor after the residuals, the step's least-squares score on earlier numbers and
            two-valued columns (:mod:`synth.synthesizers.linear_scores`); None in files saved before it existed.
        lattice: above 0, a drawn value is then moved by a whole number of ``lattice`` steps, up to ``weeks``
            of them either way (the window slid inwards at the ends of the step's donors' range, so up to twice as
            many one way there): a timestamp's day moved by whole weeks
            (:func:`synth.synthesizers.weekly_moves.weekly_moves`), decided at fit; 0 where the day's rows are sparse
            on their clock (:func:`synth.synthesizers.weekly_moves.day_time_density`) and the fit knew no people,
            and in files saved before it existed.
        weeks: how many steps of ``lattice`` at most.
    """

    column: int
    missing: bool
    tree: FlatTree | None
    offsets: np.ndarray
    donors: np.ndarray
    widths: np.ndarray | None
    anchor: int = -1
    sign: float = 1.0
    recodes: tuple[tuple[int, np.ndarray], ...] = ()
    residuals: tuple[Residual, ...] = ()
    lattice: float = 0.0
    weeks: int = 0
    score: LinearScore | None = None

    def predictors(self, x: np.ndarray) -> np.ndarray:
        """The slots this step's tree reads, category codes in its own order where it has one, then its residual
        predictors (:mod:`synth.synthesizers.residual_features`) and its linear score
        (:mod:`synth.synthesizers.linear_scores`)."""
        return with_score(tree_inputs(x[:, : self.column], self.recodes, self.residuals), x, self.score)

    def draw(self, x: np.ndarray, n: int, rng: np.random.Generator, balanced: bool = False) -> np.ndarray:
        """Values for ``n`` rows whose earlier columns are ``x[:, :column]``.

        ``balanced``: the rows that reach one leaf share its donors evenly (see :func:`balanced_uniforms`)
        instead of each picking one at random.
        """
        if self.tree is None:
            leaf = np.zeros(n, dtype=np.int64)
            start = np.zeros(n, dtype=np.int64)
            count = np.full(n, len(self.donors), dtype=np.int64)
        else:
            leaf = self.tree.apply(self.predictors(x))
            start = self.offsets[leaf]
            count = self.offsets[leaf + 1] - start
        u = balanced_uniforms(leaf, rng) if balanced else rng.random(n)
        idx = start + np.minimum(u * count, count - 1).astype(np.int64)
        values = self.donors[idx]
        if self.widths is not None:
            values = values + rng.random(n) * self.widths[idx]
        if float(self.lattice) > 0 and int(self.weeks) > 0:
            top = self.donors if self.widths is None else self.donors + self.widths
            values = weekly_moves(values, float(self.donors.min()), float(top.max()), self.lattice, self.weeks, rng)
        return values


def join_trees(
    feature: int, threshold: float, left: FlatTree | None, right: FlatTree | None, n_features: int
) -> FlatTree:
    """One tree: a root split (``x[feature] <= threshold`` goes left) over two trees (None: a single leaf)."""

    def arrays(tree: FlatTree | None) -> tuple[np.ndarray, ...]:
        if tree is None:
            return (np.array([-1]), np.array([-1]), np.array([-2]), np.array([-2.0]), np.array([0], dtype=np.uint8))
        return (tree.children_left, tree.children_right, tree.feature, tree.threshold, tree.missing_go_to_left)

    a, b = arrays(left), arrays(right)
    offset_a, offset_b = 1, 1 + len(a[0])

    def shift(child: np.ndarray, offset: int) -> np.ndarray:
        return np.where(child >= 0, child + offset, -1)

    depth = 1 + max(0 if left is None else left.max_depth, 0 if right is None else right.max_depth)
    return FlatTree(
        np.concatenate([[offset_a], shift(a[0], offset_a), shift(b[0], offset_b)]).astype(np.int64),
        np.concatenate([[offset_b], shift(a[1], offset_a), shift(b[1], offset_b)]).astype(np.int64),
        np.concatenate([[feature], a[2], b[2]]).astype(np.int64),
        np.concatenate([[threshold], a[3], b[3]]).astype(np.float64),
        np.concatenate([[1], a[4], b[4]]).astype(np.uint8),
        n_features,
        depth,
    )


def compact(flat: FlatTree, cut: np.ndarray) -> FlatTree:
    """``flat`` with every ``cut`` node made a leaf and the nodes under it dropped, renumbered parent first."""
    order: list[int] = []
    depth = {0: 0}
    stack = [0]
    while stack:
        node = stack.pop()
        order.append(node)
        if flat.children_left[node] >= 0 and not cut[node]:
            for child in (int(flat.children_right[node]), int(flat.children_left[node])):
                depth[child] = depth[node] + 1
                stack.append(child)
    old = np.array(order, dtype=np.int64)
    new_id = np.full(flat.node_count, -1, dtype=np.int64)
    new_id[old] = np.arange(len(old))
    inner = (flat.children_left[old] >= 0) & ~cut[old]
    left = np.where(inner, new_id[np.maximum(flat.children_left[old], 0)], -1)
    right = np.where(inner, new_id[np.maximum(flat.children_right[old], 0)], -1)
    return FlatTree(
        left,
        right,
        np.where(inner, flat.feature[old], -2),
        np.where(inner, flat.threshold[old], -2.0),
        np.where(inner, flat.missing_go_to_left[old], 0).astype(np.uint8),
        flat.n_features,
        max(depth[n] for n in order),
    )


# Model files name state types by module and class: these were defined in synth.synthesizers.cart, and saved
# files say so. Keep that name (it is re-exported there) so every file written before the split still loads.
for _cls in (FlatTree, CartColumn, CartStep):
    _cls.__module__ = "synth.synthesizers.cart"
register_state(FlatTree, CartColumn, CartStep, Residual, LinearScore)


# ----------------------------------------------------------------------------- helpers
def balanced_uniforms(groups: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Uniform draws on [0, 1), one per row, spread evenly within each group: the ``m`` rows of a group get the
    points ``(r + s) / m`` for ``r = 0 … m-1`` and one random start ``s``, dealt to the rows in random order.

    Each row's draw is still uniform (a random stratum, a uniform point in it), so each synthetic row has the
    same distribution as with independent draws; what changes is the group as a whole. ``m`` rows that reach a
    leaf of ``k`` sorted donors use every donor ``m / k`` times give or take one, instead of a multinomial
    count, so the synthetic table carries the model's distribution with far less sampling noise (systematic
    sampling, as survey samplers draw from a sorted frame)."""
    n = len(groups)
    if n == 0:
        return np.zeros(0)
    g = groups.astype(np.int64, copy=False)
    low, span = int(g.min()), int(g.max()) - int(g.min()) + 1
    # Rows in random order, then a stable sort by group: each group's rows come out shuffled. Leaf ids fit 16 bits
    # on any table with leaves of some size, and numpy sorts those by radix, in linear time.
    key = (g - low).astype(np.uint16) if span <= 2**16 else np.unique(g, return_inverse=True)[1].ravel()
    shuffled = rng.permutation(n)
    shuffled_key = key[shuffled]
    by_group = np.argsort(shuffled_key, kind="stable")
    order, sorted_key = shuffled[by_group], shuffled_key[by_group]
    counts = np.bincount(sorted_key)
    first = np.cumsum(counts) - counts
    # One random start per group (systematic sampling): the points sit exactly 1/m apart, so each donor's share
    # of [0, 1) holds floor(m/k) or ceil(m/k) of them; with a start per row a donor could get one more or less.
    start = rng.random(len(counts))
    u = np.empty(n)
    u[order] = (np.arange(n) - first[sorted_key] + start[sorted_key]) / counts[sorted_key]
    return u


def labels(series: pd.Series) -> pd.Series:
    """Values as labels, missing as the :data:`MISSING` category."""
    return series.astype(object).where(series.notna(), MISSING)


def time_unit(offsets: np.ndarray) -> int:
    """The grain of datetimes: the greatest common divisor of their offsets in nanoseconds.

    Days stay days, 15-minute slots stay 15-minute slots, Mondays stay Mondays.
    """
    grain = int(np.gcd.reduce(offsets)) if len(offsets) else 0
    return grain if grain > 0 else DAY_NS


def week_units(col: CartColumn) -> float:
    """A week in a datetime column's units (whole units only; else 0: its days cannot be moved by whole weeks)."""
    if col.kind is not ColumnKind.DATETIME or col.categorical or (7 * DAY_NS) % int(col.unit):
        return 0.0
    return float(7 * DAY_NS // int(col.unit))


def datetimes_from_units(values: np.ndarray, missing: np.ndarray, origin: int, unit: int, tz: str | None) -> pd.Series:
    """Model numbers (whole ``unit`` steps after ``origin``, in nanoseconds) back to datetimes, NaT where missing."""
    ns = origin + np.where(missing, 0, values).astype(np.int64) * unit
    out = pd.Series(ns.view("datetime64[ns]"))
    out[missing] = pd.NaT
    if tz is not None:
        out = out.dt.tz_localize("UTC").dt.tz_convert(tz)
    return out


def missing_as_lowest(xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predictors with every missing value replaced by a number below the column's present values, and those lows.

    scikit-learn's trees route missing values natively, but a node whose present values of a predictor are all
    equal treats that predictor as constant and never splits its missing rows off: in a Pruned CART tree on binned
    predictors the 263 rows of a 3,200-row table without a start reading shared one leaf with 376 rows of one
    reading bin, and the end reading drawn for a row without a start came from that bin's narrow range. Below
    every present value, a missing value is split off like the lowest value; :func:`missing_kept_low` turns the
    tree back into one that reads NaN.
    """
    xs = np.asarray(xs)
    missing = np.isnan(xs)
    if not missing.any():
        return xs, np.full(xs.shape[1], -np.inf)
    present = np.where(missing, np.inf, xs)
    lows = present.min(axis=0).astype(np.float64)
    lows[~np.isfinite(lows)] = 0.0  # a column missing on every row: no split on it either way
    below = lows - np.maximum(1.0, np.abs(lows))  # a float32 gap even for a large low such as a date's units
    return np.where(missing, below.astype(xs.dtype), xs), lows


def missing_kept_low(tree: FlatTree, lows: np.ndarray) -> FlatTree:
    """``tree``, fitted on :func:`missing_as_lowest`'s predictors, reading NaN: missing values go left at every
    split, and a split between the stand-in and the present values keeps every present value right (threshold
    −inf), so the file holds no trace of where the stand-in was put."""
    inner = tree.children_left >= 0
    threshold = tree.threshold.copy()
    feature = np.maximum(tree.feature, 0)
    threshold[inner & (threshold < lows[feature])] = -np.inf
    return FlatTree(
        tree.children_left,
        tree.children_right,
        tree.feature,
        threshold,
        np.ones(tree.node_count, dtype=np.uint8),
        tree.n_features,
        tree.max_depth,
    )


def anchored_step(fit: Callable[[], CartStep], anchor: int, sign: float) -> CartStep:
    """The step ``fit`` grows, kept on its side of an earlier column (synth.synthesizers.column_order)."""
    return replace(fit(), anchor=anchor, sign=sign)
