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
from itertools import combinations
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
    """A batch of conjunctive predicates of equal arity: column, operator and value per condition."""

    cols: np.ndarray  # (Q, m) int
    ops: np.ndarray  # (Q, m) int
    vals: np.ndarray  # (Q, m) float

    def __len__(self) -> int:
        return len(self.cols)

    def take(self, rows: np.ndarray) -> Queries:
        return Queries(self.cols[rows], self.ops[rows], self.vals[rows])

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


def _condition(x: np.ndarray, ops: np.ndarray, vals: np.ndarray) -> np.ndarray:
    """Rows of ``x`` (one row of table values per predicate) that satisfy each predicate's condition."""
    out = np.empty(x.shape, dtype=bool)
    for op in np.unique(ops):
        sel = ops == op
        xs, v = x[sel], vals[sel][:, None]
        with np.errstate(invalid="ignore"):
            if op == EQ:
                m = xs == v
            elif op == NE:
                m = (xs != v) & ~np.isnan(xs)
            elif op == LT:
                m = xs < v
            elif op == LE:
                m = xs <= v
            elif op == GT:
                m = xs > v
            elif op == GE:
                m = xs >= v
            elif op == ISNULL:
                m = np.isnan(xs)
            else:
                m = ~np.isnan(xs)
        out[sel] = m
    return out


def _batches(queries: Queries, n_rows: int) -> list[np.ndarray]:
    step = max(1, BATCH_CELLS // max(n_rows, 1))
    return [np.arange(s, min(s + step, len(queries))) for s in range(0, len(queries), step)]


def match_counts(values: np.ndarray, queries: Queries) -> np.ndarray:
    """How many rows of ``values`` (column-major table) each predicate matches."""
    counts = np.zeros(len(queries), dtype=np.int64)
    for rows in _batches(queries, values.shape[1]):
        mask = None
        for j in range(queries.cols.shape[1]):
            cond = _condition(values[queries.cols[rows, j]], queries.ops[rows, j], queries.vals[rows, j])
            mask = cond if mask is None else (mask & cond)
        if mask is not None:
            counts[rows] = mask.sum(axis=1)
    return counts


def match_matrix(values: np.ndarray, queries: Queries) -> np.ndarray:
    """(Q, n) boolean: which rows each predicate matches. Keep ``Q × n`` moderate."""
    out = np.zeros((len(queries), values.shape[1]), dtype=bool)
    for rows in _batches(queries, values.shape[1]):
        mask = np.ones((len(rows), values.shape[1]), dtype=bool)
        for j in range(queries.cols.shape[1]):
            mask &= _condition(values[queries.cols[rows, j]], queries.ops[rows, j], queries.vals[rows, j])
        out[rows] = mask
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
    cols, ops, vals = [], [], []
    for j in range(values.shape[0]):
        x = values[j]
        missing = np.isnan(x)
        if missing.sum() == 1:
            cols.append(j)
            ops.append(ISNULL)
            vals.append(np.nan)
        present = x[~missing]
        if not len(present):
            continue
        uniq, counts = np.unique(present, return_counts=True)
        if numeric[j]:
            for end, op in ((0, LE), (-1, GE)):
                if counts[end] == 1:
                    cols.append(j)
                    ops.append(op)
                    vals.append(float(uniq[end]))
        rare = uniq[counts == 1]
        cols += [j] * len(rare)
        ops += [EQ] * len(rare)
        vals += rare.tolist()
    return Queries(
        np.array(cols, dtype=np.int64).reshape(-1, 1),
        np.array(ops, dtype=np.int64).reshape(-1, 1),
        np.array(vals, dtype=float).reshape(-1, 1),
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
    return Queries(qcols.astype(np.int64), ops.astype(np.int64), np.asarray(vals, dtype=float))


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


# ---------------------------------------------------------------------------------------- control correction
def _so_integral(n: np.ndarray | float, w_min: float, w_max: float) -> np.ndarray | float:
    """∫ P(w, n) dw over [w_min, w_max], P(w, n) = n·w·(1 − w)^(n−1): chance a query of weight w singles out."""
    return ((n * w_min + 1) * (1 - w_min) ** n - (n * w_max + 1) * (1 - w_max) ** n) / (n + 1)


WEIGHT_GRID = np.logspace(-9.0, 0.0, 361)[:-1]
"""Support of the predicate-weight distribution fitted by :func:`_weight_distribution` (w = 1 excluded)."""
SMOOTHING = 0.05
"""Width (in powers of ten of w) of the Gaussian kernel that smooths the weight distribution at each EM step."""


def _smoothing_kernel() -> np.ndarray:
    x = np.log10(WEIGHT_GRID)
    kernel = np.exp(-0.5 * ((x[:, None] - x[None, :]) / SMOOTHING) ** 2)
    return np.asarray(kernel / kernel.sum(axis=0, keepdims=True))


def _weight_distribution(
    k: np.ndarray, n: int, max_iter: int = 5000, tol: float = 1e-10
) -> tuple[np.ndarray, np.ndarray]:
    """Smoothed nonparametric maximum-likelihood distribution of predicate weights from their match counts.

    Each count ``k`` is Binomial(n, w) for the predicate's unknown weight w. The distribution of w over
    :data:`WEIGHT_GRID` is fitted by EM, smoothing it with a narrow Gaussian kernel on log w after every step
    (the EMS algorithm): the plain maximum-likelihood fit piles its mass on a few spikes whose position the
    counts barely pin down, and its extrapolations then jump from one random seed to the next.

    Returns:
        The distinct counts and, for each, the posterior probabilities of the grid weights (rows sum to 1).
    """
    from scipy import stats

    values, weights = np.unique(k, return_counts=True)
    log_lik = stats.binom.logpmf(values[:, None], n, WEIGHT_GRID[None, :])
    lik = np.exp(log_lik - log_lik.max(axis=1, keepdims=True))
    kernel = _smoothing_kernel()
    prior = np.full(len(WEIGHT_GRID), 1.0 / len(WEIGHT_GRID))
    share = weights / weights.sum()
    for _ in range(max_iter):
        post = lik * prior
        post /= post.sum(axis=1, keepdims=True)
        updated = kernel @ (share @ post)
        updated /= updated.sum()
        if np.abs(updated - prior).max() < tol:
            prior = updated
            break
        prior = updated
    post = lik * prior
    post /= post.sum(axis=1, keepdims=True)
    return values, post


def control_successes_at(
    control_matches: np.ndarray,
    n_target: int,
    rng: np.random.Generator,
    method: str = "npmle",
) -> tuple[float, str]:
    """The control attack's expected successes had the control table been as large as the train table.

    A predicate of weight w (the chance a random person matches it) singles out a table of n people with
    probability P(w, n) = n·w·(1 − w)^(n−1): the same predicates single out more or fewer people in a larger
    table, so a control smaller than train must be scaled before the two are compared.

    * ``calibrated`` (default of :func:`~synth.evaluation.privacy.wp216.singling_out`): ``npmle`` times the
      bias it shows when predicting the whole control's successes from each half of it, per doubling.
    * ``npmle``: each predicate's match count in the control is Binomial(n_control, w). The
      distribution of w is estimated from all counts without assuming its shape (smoothed nonparametric
      maximum likelihood, by EM on a log grid), and P(w, n_train) is averaged over each predicate's
      posterior. On Adult, with real fresh rows 2× and 4.5× the holdout's size standing in for train
      (predicates from Gaussian-copula, independent, DP Bayesian-network and CART output), it predicted their
      success rate within ±0.025 in 16 of 18 runs (worst 0.042). Extrapolating is not identified from the
      counts alone — weights far below 1/n_control all give 0 matches — so expect errors of a few points at
      4× and keep the holdout at least a fifth of the table.
    * ``anonymeter``: anonymeter's correction — successes on control subsamples at 10 sizes × 5 repeats,
      fitted with ``norm · ∫₀^w_eff P(w, n) dw`` and the fit's ratio at the two sizes applied. On the same
      Adult runs it was off by up to 0.2 for 3-column predicates (too low, which inflates the risk); kept for
      comparison with anonymeter.

    Args:
        control_matches: (Q, n_control) boolean match matrix of the predicates on the control rows.
        n_target: size of the (de-duplicated) train table.
        rng: random generator (subsamples of the ``anonymeter`` method).
        method: ``npmle`` or ``anonymeter``.

    Returns:
        The expected number of successes (predicates singling out exactly one person) at ``n_target``, and
        a sentence describing the correction.
    """
    counts = control_matches.sum(axis=1)
    raw = float((counts == 1).sum())
    n_control = control_matches.shape[1]
    if n_control == n_target or not len(counts) or n_control == 0:
        return raw, "no size correction (control and train are the same size)"
    if method == "anonymeter":
        factor, note = _anonymeter_factor(control_matches, n_target, rng)
        return raw * factor, note
    if method not in ("npmle", "calibrated"):
        raise ValueError(f"unknown size correction {method!r}; use 'calibrated', 'npmle' or 'anonymeter'")
    expected = _npmle_at(counts, n_control, n_target)
    note = ""
    if method == "calibrated" and n_control >= 200:
        # The extrapolation runs low (fresh real rows standing in for train scored ~+0.025 univariate risk on
        # Adult at 2×). Measure that bias where the answer is known — predict the whole control's successes
        # from each half of it — and undo it, compounded over the log2(n_target / n_control) doublings.
        # Only holdout rows enter the check, so it cannot absorb a signal from the training people.
        order = rng.permutation(n_control)
        halves = (order[: n_control // 2], order[n_control // 2 :])
        predicted = sum(_npmle_at(control_matches[:, h].sum(axis=1), len(h), n_control) for h in halves)
        if predicted > 0 and raw > 0:
            factor = min(max(2 * raw / predicted, 0.5), 2.0)
            expected *= factor ** (np.log2(n_target / n_control))
            note = f"; ×{factor:.2f} per doubling from a self-check on the holdout's halves"
    return expected, (
        f"{int(raw):,} raw successes among {n_control:,} rows, {expected:,.0f} expected among the "
        f"{n_target:,} rows of train{note}"
    )


def _npmle_at(counts: np.ndarray, n_control: int, n_target: int) -> float:
    """Expected successes at ``n_target`` rows from the match ``counts`` among ``n_control`` rows (npmle)."""
    values, post = _weight_distribution(counts, n_control)
    p_target = n_target * WEIGHT_GRID * np.exp((n_target - 1) * np.log1p(-WEIGHT_GRID))
    per_value = post @ p_target
    return float(per_value[np.searchsorted(values, counts)].sum())


def _anonymeter_factor(control_matches: np.ndarray, n_target: int, rng: np.random.Generator) -> tuple[float, str]:
    from scipy.optimize import curve_fit

    n_control = control_matches.shape[1]
    sizes = np.repeat(np.linspace(min(1000, n_control), n_control, 10).astype(int), 5)
    indicator = np.zeros((n_control, len(sizes)), dtype=np.float32)
    for i, size in enumerate(sizes):
        indicator[rng.choice(n_control, size=size, replace=False), i] = 1.0
    counts = control_matches.astype(np.float32) @ indicator
    successes = (np.rint(counts) == 1).sum(axis=0).astype(float)
    if successes.max(initial=0) == 0:
        return 1.0, "no size correction (no control success in any subsample)"

    def model(x: np.ndarray, w_eff: float, norm: float) -> np.ndarray:
        return norm * np.asarray(_so_integral(x, 0.0, w_eff))

    w0 = 1.0 / sizes.max()
    p0 = (w0, 1.0 / float(_so_integral(float(sizes.max()), 0.0, w0)))
    try:
        popt, _ = curve_fit(model, sizes.astype(float), successes, bounds=(0, (1, np.inf)), p0=p0)
        at_control = float(model(np.array([float(n_control)]), *popt)[0])
        at_target = float(model(np.array([float(n_target)]), *popt)[0])
    except (RuntimeError, ValueError) as exc:
        return 1.0, f"anonymeter's size correction could not be fitted ({exc}); uncorrected"
    if not np.isfinite(at_control) or at_control <= 0 or not np.isfinite(at_target):
        return 1.0, "anonymeter's size correction was degenerate; uncorrected"
    return at_target / at_control, f"anonymeter's size correction (factor {at_target / at_control:.2f})"
