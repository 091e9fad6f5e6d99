"""Singling-out predicates: built from synthetic rows, counted on real rows, all vectorised.

A predicate is a conjunction of conditions on columns (``age >= 74 and sex == 'Female'``). It *singles out* a
table when exactly one row of the (de-duplicated) table satisfies it. As in anonymeter:

* **univariate** predicates come from rare synthetic values: a value seen once, the minimum (``<=``), the
  maximum (``>=``), a single missing value;
* **multivariate** predicates come from a synthetic row and ``n_cols`` of its columns: ``==`` for a
  category, ``>=`` for a number above the synthetic median and ``<=`` otherwise, ``is missing`` for a gap.
  anonymeter draws (row, columns) at random until enough predicates single out a synthetic row. Here every
  (row, column set) that singles out is found at once per column set — within a group of rows equal on the
  set's categories and median sides, a row is singled out exactly when no other row is at least as extreme
  on every number (it is the unique maximum of a Pareto front) — and the predicates are drawn uniformly from
  them, which is the distribution anonymeter's rejection sampling converges to, without its attempt cap;
* **baseline** predicates pick columns, values and operators at random.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations, pairwise
from math import comb

import numpy as np
import pandas as pd

from synth.evaluation.privacy.neighbors import NUMERIC_KINDS, as_labels, numeric_values
from synth.schema import ColumnKind

EQ, NE, LT, LE, GT, GE, ISNULL, NOTNULL = range(8)
OP_SYMBOLS = ("==", "!=", "<", "<=", ">", ">=", "is missing", "is not missing")
BATCH_CELLS = 8_000_000
MAX_PARETO_ROUNDS = 400


@dataclass(frozen=True)
class QueryEncoder:
    """Column vocabulary shared by the synthetic, train and holdout tables.

    Values are stored column-major as float64: numbers (datetimes as nanoseconds) as they are, categories
    as codes into ``categories``; NaN is missing.
    """

    columns: tuple[str, ...]
    kinds: tuple[ColumnKind, ...]
    categories: tuple[tuple[str, ...], ...]

    @classmethod
    def fit(cls, frames: Sequence[pd.DataFrame], columns: Sequence[str], kinds: dict[str, ColumnKind]) -> QueryEncoder:
        cats = []
        for name in columns:
            if kinds[name] in NUMERIC_KINDS:
                cats.append(())
            else:
                values = pd.concat([f[name] for f in frames], ignore_index=True)
                cats.append(tuple(sorted(as_labels(values[values.notna()]).unique())))
        return cls(tuple(columns), tuple(kinds[c] for c in columns), tuple(cats))

    @property
    def numeric(self) -> np.ndarray:
        return np.array([k in NUMERIC_KINDS for k in self.kinds], dtype=bool)

    def transform(self, df: pd.DataFrame) -> np.ndarray:
        out = np.empty((len(self.columns), len(df)), dtype=float)
        for j, (name, kind, cats) in enumerate(zip(self.columns, self.kinds, self.categories, strict=True)):
            if kind in NUMERIC_KINDS:
                out[j] = numeric_values(df[name], kind)
            else:
                lookup = {c: float(i) for i, c in enumerate(cats)}
                col = df[name]
                out[j] = as_labels(col).map(lookup).astype(float).to_numpy()
                out[j, col.isna().to_numpy()] = np.nan
        return out

    def describe(self, col: int, op: int, value: float) -> str:
        """One condition in words, e.g. ``age >= 74`` or ``sex == 'Female'``."""
        name = self.columns[col]
        if op in (ISNULL, NOTNULL):
            return f"{name} {OP_SYMBOLS[op]}"
        kind = self.kinds[col]
        if kind is ColumnKind.DATETIME:
            shown = repr(str(pd.Timestamp(int(value))))
        elif kind in NUMERIC_KINDS:
            shown = f"{value:g}"
        else:
            shown = repr(self.categories[col][int(value)])
        return f"{name} {OP_SYMBOLS[op]} {shown}"


@dataclass(frozen=True)
class Queries:
    """A batch of conjunctive predicates of equal arity: column, operator and value per condition.

    ``source``: for predicates built from a synthetic table, the synthetic row each one singles out (None for
    random predicates). Predicates from one row rise and fall together from one draw of the table to the next,
    so the risk's bootstrap resamples rows, not predicates.
    """

    cols: np.ndarray  # (Q, m) int
    ops: np.ndarray  # (Q, m) int
    vals: np.ndarray  # (Q, m) float
    source: np.ndarray | None = None  # (Q,) int

    def __len__(self) -> int:
        return len(self.cols)

    def take(self, rows: np.ndarray) -> Queries:
        source = None if self.source is None else self.source[rows]
        return Queries(self.cols[rows], self.ops[rows], self.vals[rows], source)

    def describe(self, i: int, encoder: QueryEncoder) -> str:
        return " and ".join(
            encoder.describe(int(c), int(o), float(v))
            for c, o, v in zip(self.cols[i], self.ops[i], self.vals[i], strict=True)
        )

    def unique(self) -> Queries:
        """Drop repeated predicates (keeping the first)."""
        if not len(self):
            return self
        key = np.hstack([self.cols.astype(float), self.ops.astype(float), np.nan_to_num(self.vals, nan=-1e300)])
        _, first = np.unique(key, axis=0, return_index=True)
        return self.take(np.sort(first))


def _compare(x: np.ndarray, op: int, v: np.ndarray) -> np.ndarray:
    """``x OP v`` with broadcasting; a missing value satisfies only ``is missing`` (and not ``!=``)."""
    with np.errstate(invalid="ignore"):
        if op == EQ:
            return np.asarray(x == v)
        if op == NE:
            return np.asarray((x != v) & ~np.isnan(x))
        if op == LT:
            return np.asarray(x < v)
        if op == LE:
            return np.asarray(x <= v)
        if op == GT:
            return np.asarray(x > v)
        if op == GE:
            return np.asarray(x >= v)
        if op == ISNULL:
            return np.asarray(np.isnan(x) | np.zeros(np.shape(v), dtype=bool))
        return np.asarray(~np.isnan(x) | np.zeros(np.shape(v), dtype=bool))


def _batches(queries: Queries, n_rows: int) -> list[np.ndarray]:
    # Rows are packed 8 to a byte: a batch holds BATCH_CELLS bytes per condition of a predicate.
    step = max(1, 8 * BATCH_CELLS // max(n_rows, 1))
    return [np.arange(s, min(s + step, len(queries))) for s in range(0, len(queries), step)]


def _packed_conditions(values: np.ndarray, cols: np.ndarray, ops: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """The rows of ``values`` satisfying each condition (column, operator, value), packed 8 rows to a byte.

    Each distinct condition is evaluated once, on its column as stored (no copy of the column per predicate):
    predicates drawn from synthetic rows share most of their conditions (``sex == 'Male'``, ``age <= 30``).

    Returns:
        ``(len(cols), ceil(n / 8))`` uint8, row i the packed match mask of condition i.
    """
    n = values.shape[1]
    key = np.column_stack([cols, ops, np.isnan(vals), np.nan_to_num(vals, nan=0.0)])
    distinct, first, inverse = np.unique(key, axis=0, return_index=True, return_inverse=True)
    u_cols, u_ops, u_vals = cols[first], ops[first], vals[first]
    packed = np.empty((len(distinct), (n + 7) // 8), dtype=np.uint8)
    step = max(1, BATCH_CELLS // max(n, 1))
    # np.unique sorts by column then operator: each (column, operator) run is evaluated in bounded blocks.
    bounds = np.flatnonzero(np.r_[True, (u_cols[1:] != u_cols[:-1]) | (u_ops[1:] != u_ops[:-1]), True])
    for lo, hi in pairwise(bounds):
        x, op = values[int(u_cols[lo])][None, :], int(u_ops[lo])
        for start in range(lo, hi, step):
            sel = slice(start, min(start + step, hi))
            packed[sel] = np.packbits(_compare(x, op, u_vals[sel][:, None]), axis=1)
    return packed[inverse.reshape(-1)]


def _packed_matches(values: np.ndarray, queries: Queries, rows: np.ndarray) -> np.ndarray:
    """The packed rows of ``values`` that each predicate of ``queries.take(rows)`` matches (all its conditions)."""
    m = queries.cols.shape[1]
    conds = _packed_conditions(
        values, queries.cols[rows].reshape(-1), queries.ops[rows].reshape(-1), queries.vals[rows].reshape(-1)
    ).reshape(len(rows), m, -1)
    mask = conds[:, 0].copy()
    for j in range(1, m):
        mask &= conds[:, j]
    return mask


def match_counts(values: np.ndarray, queries: Queries) -> np.ndarray:
    """How many rows of ``values`` (column-major table) each predicate matches."""
    counts = np.zeros(len(queries), dtype=np.int64)
    if queries.cols.shape[1] == 0:
        return counts
    for rows in _batches(queries, values.shape[1]):
        counts[rows] = np.bitwise_count(_packed_matches(values, queries, rows)).sum(axis=1, dtype=np.int64)
    return counts


def match_matrix(values: np.ndarray, queries: Queries) -> np.ndarray:
    """(Q, n) boolean: which rows each predicate matches. Keep ``Q × n`` moderate."""
    n = values.shape[1]
    out = np.zeros((len(queries), n), dtype=bool)
    if queries.cols.shape[1] == 0:
        out[:] = True
        return out
    for rows in _batches(queries, n):
        out[rows] = np.unpackbits(_packed_matches(values, queries, rows), axis=1, count=n).astype(bool)
    return out


def unique_columns(values: np.ndarray) -> np.ndarray:
    """Positions of the first occurrence of each distinct row (rows are the columns of ``values``)."""
    frame = pd.DataFrame(values.T)
    return np.flatnonzero(~frame.duplicated().to_numpy())


# ----------------------------------------------------------------------------------------------- univariate
def univariate_queries(values: np.ndarray, numeric: np.ndarray) -> Queries:
    """Every univariate predicate from rare values of a (de-duplicated) synthetic table that singles it out.

    A value seen once, a single missing value, and the minimum (``<=``) / maximum (``>=``) of a number when
    only one row holds it: each matches exactly one synthetic row by construction, so nothing is counted.
    """
    cols, ops, vals, source = [], [], [], []
    for j in range(values.shape[0]):
        x = values[j]
        missing = np.isnan(x)
        if missing.sum() == 1:
            cols.append(j)
            ops.append(ISNULL)
            vals.append(np.nan)
            source.append(int(np.flatnonzero(missing)[0]))
        present_at = np.flatnonzero(~missing)
        if not len(present_at):
            continue
        uniq, first, counts = np.unique(x[present_at], return_index=True, return_counts=True)
        if numeric[j]:
            for end, op in ((0, LE), (-1, GE)):
                if counts[end] == 1:
                    cols.append(j)
                    ops.append(op)
                    vals.append(float(uniq[end]))
                    source.append(int(present_at[first[end]]))
        once = counts == 1
        cols += [j] * int(once.sum())
        ops += [EQ] * int(once.sum())
        vals += uniq[once].tolist()
        source += present_at[first[once]].tolist()
    return Queries(
        np.array(cols, dtype=np.int64).reshape(-1, 1),
        np.array(ops, dtype=np.int64).reshape(-1, 1),
        np.array(vals, dtype=float).reshape(-1, 1),
        np.array(source, dtype=np.int64),
    )


# --------------------------------------------------------------------------------------------- multivariate
def _pareto_singletons(group: np.ndarray, keys: np.ndarray) -> np.ndarray | None:
    """Rows that no other row of their group equals or exceeds on every key (None if it takes too long).

    Repeatedly take each group's row with the largest key sum (it is on the group's Pareto front), record
    whether it is the only row with its keys, and drop every row it weakly dominates.
    """
    n = len(group)
    if keys.shape[1] == 0:
        _, inverse, counts = np.unique(group, return_inverse=True, return_counts=True)
        return np.asarray(counts[inverse] == 1)
    if keys.shape[1] <= 2:
        return _pareto_singletons_2d(group, keys)
    order = np.lexsort((-keys.sum(axis=1), group))
    g, k = group[order], keys[order]
    alive = np.ones(n, dtype=bool)
    single = np.zeros(n, dtype=bool)
    for _ in range(MAX_PARETO_ROUNDS):
        live = np.flatnonzero(alive)
        if not len(live):
            out = np.empty(n, dtype=bool)
            out[order] = single
            return out
        gl = g[live]
        starts = np.r_[True, gl[1:] != gl[:-1]]
        pivots = live[starts]
        which = np.cumsum(starts) - 1
        pk = k[pivots][which]
        kl = k[live]
        dominated = (kl <= pk).all(axis=1)
        equal = (kl == pk).all(axis=1)
        n_equal = np.bincount(which, weights=equal, minlength=len(pivots))
        single[pivots] = n_equal == 1
        alive[live[dominated]] = False
    return None


def _pareto_singletons_2d(group: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """:func:`_pareto_singletons` for one or two keys, in one sort: no rounds.

    Sorted by group, then the first key and the second key both descending, a row's dominators in its group
    are the rows before it whose second key is at least its own (a running maximum tells), and an identical row
    right after it.
    """
    n = len(group)
    a = keys[:, 0].astype(np.int64)
    b = keys[:, 1].astype(np.int64) if keys.shape[1] > 1 else np.zeros(n, dtype=np.int64)
    if not n:
        return np.zeros(0, dtype=bool)
    a, b = a - a.min(), b - b.min()
    g0 = group - group.min()
    span_a, span_b = int(a.max()) + 1, int(b.max()) + 1
    if (int(g0.max()) + 1) * span_a * span_b < 2**62:
        # One integer key sorts faster than three (rows equal on all three need no particular order).
        order = np.argsort((g0 * span_a + (span_a - 1 - a)) * span_b + (span_b - 1 - b))
    else:
        order = np.lexsort((-b, -a, group))
    g, a, b = group[order], a[order], b[order]
    first = np.r_[True, g[1:] != g[:-1]]
    ordinal = np.cumsum(first) - 1
    # A running maximum that restarts at every group: lift each group above all earlier ones.
    span = span_b
    running = np.maximum.accumulate(b + ordinal * span)
    before = np.where(first, -1, np.r_[-1, running[:-1]] - ordinal * span)
    same_next = np.r_[(g[1:] == g[:-1]) & (a[1:] == a[:-1]) & (b[1:] == b[:-1]), False]
    out = np.empty(n, dtype=bool)
    out[order] = (before < b) & ~same_next
    return out


@dataclass(frozen=True)
class _Columns:
    """Per-column group codes and ranks for the multivariate search."""

    values: np.ndarray  # (p, n) the table itself
    numeric: np.ndarray  # (p,) bool
    group: np.ndarray  # (p, n) int: category code, or median side for numbers (0 at/below, 1 above, 2 missing)
    radix: np.ndarray  # (p,) number of distinct group codes
    rank: np.ndarray  # (p, n) int: dense rank of the side-signed number (0 for categories)
    medians: np.ndarray  # (p,) synthetic median of numbers


def _prepare(values: np.ndarray, numeric: np.ndarray) -> _Columns:
    p, n = values.shape
    group = np.zeros((p, n), dtype=np.int64)
    rank = np.zeros((p, n), dtype=np.int64)
    radix = np.ones(p, dtype=np.int64)
    medians = np.full(p, np.nan)
    for j in range(p):
        x = values[j]
        missing = np.isnan(x)
        if numeric[j]:
            med = float(np.median(x[~missing])) if (~missing).any() else 0.0
            medians[j] = med
            above = x > med
            group[j] = np.where(missing, 2, above.astype(np.int64))
            signed = np.where(missing, 0.0, np.where(above, x, -x))
            rank[j] = np.unique(signed, return_inverse=True)[1].reshape(-1)
            radix[j] = 3
        else:
            codes = np.where(missing, -1, x).astype(np.int64)
            _, dense = np.unique(codes, return_inverse=True)
            group[j] = dense.reshape(-1)
            radix[j] = int(group[j].max()) + 1 if n else 1
    return _Columns(values, numeric, group, radix, rank, medians)


def _subset_singletons(cols: _Columns, subset: tuple[int, ...]) -> np.ndarray:
    gid = np.zeros(cols.group.shape[1], dtype=np.int64)
    for j in subset:
        if int(gid.max(initial=0)) > (1 << 40) // max(int(cols.radix[j]), 1):
            gid = np.unique(gid, return_inverse=True)[1].reshape(-1).astype(np.int64)
        gid = gid * cols.radix[j] + cols.group[j]
    nums = [j for j in subset if cols.numeric[j]]
    keys = cols.rank[nums].T if nums else np.zeros((len(gid), 0), dtype=np.int64)
    single = _pareto_singletons(gid, keys)
    if single is None:  # a pathological front: count every candidate predicate directly
        rows = np.arange(len(gid))
        cols_q = np.tile(np.array(subset), (len(rows), 1))
        return np.flatnonzero(match_counts(cols.values, _record_queries(cols, rows, cols_q)) == 1)
    return np.flatnonzero(single)


def _record_ops(values: np.ndarray, medians: np.ndarray, numeric: np.ndarray, cols: np.ndarray) -> np.ndarray:
    ops = np.where(numeric[cols], np.where(values > medians[cols], GE, LE), EQ)
    return np.where(np.isnan(values), ISNULL, ops)


def multivariate_queries(
    values: np.ndarray,
    numeric: np.ndarray,
    n_queries: int,
    n_cols: int,
    rng: np.random.Generator,
    max_subsets: int = 1000,
) -> tuple[Queries, int]:
    """Predicates on ``n_cols`` columns of a synthetic row that single out that row, drawn uniformly.

    Args:
        values: the de-duplicated synthetic table, column-major.
        numeric: which columns are numeric.
        n_queries: how many predicates to draw (fewer when fewer exist).
        n_cols: conditions per predicate.
        rng: random generator.
        max_subsets: column sets searched; when there are more, a random sample of this many.

    Returns:
        The predicates and how many singling-out (row, column set) pairs they were drawn from.
    """
    p, n = values.shape
    m = min(n_cols, p)
    if m < 1 or n == 0:
        return Queries(np.zeros((0, m), np.int64), np.zeros((0, m), np.int64), np.zeros((0, m))), 0
    cols = _prepare(values, numeric)
    total = comb(p, m)
    if total <= max_subsets:
        subsets = list(combinations(range(p), m))
    else:
        seen: set[tuple[int, ...]] = set()
        while len(seen) < max_subsets:
            seen.add(tuple(sorted(int(c) for c in rng.choice(p, m, replace=False))))
        subsets = sorted(seen)
    pool_subset, pool_row = [], []
    for s, subset in enumerate(subsets):
        rows = _subset_singletons(cols, subset)
        pool_subset.append(np.full(len(rows), s, dtype=np.int64))
        pool_row.append(rows)
    subset_of = np.concatenate(pool_subset) if pool_subset else np.zeros(0, np.int64)
    row_of = np.concatenate(pool_row) if pool_row else np.zeros(0, np.int64)
    size = len(row_of)
    pick = rng.choice(size, size=min(n_queries, size), replace=False) if size else np.zeros(0, np.int64)
    subset_arr = np.array(subsets, dtype=np.int64).reshape(-1, m)
    qcols = subset_arr[subset_of[pick]]
    return _record_queries(cols, row_of[pick], qcols), size


def _record_queries(cols: _Columns, rows: np.ndarray, qcols: np.ndarray) -> Queries:
    vals = cols.values[qcols, rows[:, None]] if len(rows) else np.zeros(qcols.shape)
    ops = _record_ops(vals, cols.medians, cols.numeric, qcols) if len(rows) else np.zeros(qcols.shape, np.int64)
    return Queries(qcols.astype(np.int64), ops.astype(np.int64), np.asarray(vals, dtype=float), rows.astype(np.int64))


# ------------------------------------------------------------------------------------------------- baseline
def random_queries(
    values: np.ndarray, numeric: np.ndarray, n_queries: int, n_cols: int, rng: np.random.Generator
) -> Queries:
    """Predicates with random columns, random values seen in the synthetic table and random operators."""
    p = values.shape[0]
    m = min(n_cols, p)
    if n_queries <= 0 or m < 1:
        return Queries(np.zeros((0, max(m, 0)), np.int64), np.zeros((0, max(m, 0)), np.int64), np.zeros((0, m)))
    qcols = np.argsort(rng.random((n_queries, p)), axis=1)[:, :m]
    vals = np.empty((n_queries, m))
    ops = np.empty((n_queries, m), dtype=np.int64)
    uniques = [np.unique(values[j]) for j in range(p)]  # NaN, if present, is kept once at the end
    numeric_ops = np.array([EQ, NE, GT, LT, GE, LE])
    category_ops = np.array([EQ, NE])
    for j in range(p):
        sel = qcols == j
        k = int(sel.sum())
        if not k:
            continue
        u = uniques[j]
        v = u[rng.integers(0, len(u), k)] if len(u) else np.full(k, np.nan)
        o = rng.choice(numeric_ops if numeric[j] else category_ops, k)
        o = np.where(np.isnan(v), np.where(o == EQ, ISNULL, NOTNULL), o)
        vals[sel], ops[sel] = v, o
    return Queries(qcols.astype(np.int64), ops, vals)


# The control correction lives in its own module; these names stay importable from here.
from synth.evaluation.privacy.singling_control import (  # noqa: E402
    WEIGHT_GRID,
    SinglingError,
    control_estimate,
    control_successes_at,
    singling_error,
)

__all__ = [
    "WEIGHT_GRID",
    "Queries",
    "QueryEncoder",
    "SinglingError",
    "control_estimate",
    "control_successes_at",
    "match_counts",
    "match_matrix",
    "multivariate_queries",
    "random_queries",
    "singling_error",
    "unique_columns",
    "univariate_queries",
]
