"""The beta model of singling-out predicate weights that extrapolates the control to the train size, fitted per
stratum of like predicates (:func:`beta_expected`); :mod:`~synth.evaluation.privacy.singling_control` uses it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

WEIGHT_GRID = np.logspace(-9.0, 0.0, 361)[:-1]
"""Support of the predicate-weight distributions fitted here and by the nonparametric fit (w = 1 excluded)."""
_LOG_W, _LOG_1M_W = np.log(WEIGHT_GRID), np.log1p(-WEIGHT_GRID)
"""log w and log(1 − w) on the grid, taken once: the beta's fit evaluates its prior ~50 times a fit and ~580 fits run
for one table's singling-out attacks (the same values, so the same fits: 18 → 13 µs a prior)."""

BETA_START = (0.0, 1.6)
"""Where the beta prior's fit starts: log a = 0 (a = 1, a flat density near w = 0) and log(b / n_control) = 1.6 (a
mean weight of about 1 / (5 n_control)), near what fresh real rows fitted on Adult and bank marketing."""
BETA_BOUNDS = ((np.log(0.05), np.log(50.0)), (np.log(1e-3), np.log(1e6)))
"""Bounds of log a and log(b / n_control): shapes from a spike at w = 0 to a narrow bump, means from 1000 / n_control
to 1e-6 / n_control."""


def _beta_prior(params: np.ndarray, n_control: int) -> np.ndarray:
    """The Beta(a, b) distribution of predicate weights put on :data:`WEIGHT_GRID` (a log grid: each point's mass is
    the density times w), ``params`` = (log a, log(b / n_control))."""
    a, b = np.exp(params[0]), np.exp(params[1]) * n_control
    log_mass = a * _LOG_W + (b - 1.0) * _LOG_1M_W
    mass = np.exp(log_mass - log_mass.max())
    return np.asarray(mass / mass.sum())


def nelder_mead_2d(
    loss: Callable[[np.ndarray], float],
    x0: np.ndarray,
    bounds: tuple[tuple[float, float], tuple[float, float]],
    *,
    xatol: float,
    fatol: float,
    maxiter: int,
) -> np.ndarray:
    """The minimum of ``loss`` over two bounded parameters found by ``scipy.optimize.minimize(loss, x0,
    method="Nelder-Mead", bounds=bounds, options={"xatol": xatol, "fatol": fatol, "maxiter": maxiter})``: the same
    steps in the same order on the same floats, so the same point to the last bit (checked against scipy by
    ``tests/unit/test_singling_simplex.py``), with the simplex held in Python floats.

    Why not scipy's: a table's singling-out attacks fit the beta ~580 times (bootstrap, jackknife, one per stratum),
    and scipy's general simplex spent as long on its own bookkeeping for two parameters (small arrays sorted, taken,
    clipped and copied at every step) as on the likelihood itself: the fits took 2.75 s against 1.51 s here on 400
    random fits (session 26).
    """
    (lo_a, hi_a), (lo_b, hi_b) = ((float(lo), float(hi)) for lo, hi in bounds)

    def clip(a: float, b: float) -> tuple[float, float]:
        return min(max(a, lo_a), hi_a), min(max(b, lo_b), hi_b)

    def f(point: tuple[float, float]) -> float:
        return float(loss(np.array(point)))

    start = clip(float(x0[0]), float(x0[1]))
    points = [start]
    for k in range(2):  # scipy's first simplex: each coordinate 5% further out (0.00025 when it is 0)
        point = list(start)
        point[k] = (1 + 0.05) * point[k] if point[k] != 0 else 0.00025
        points.append((point[0], point[1]))
    # a vertex beyond an upper bound is reflected inside it, then every vertex is clipped (as scipy does)
    points = [clip(2 * hi_a - a if a > hi_a else a, 2 * hi_b - b if b > hi_b else b) for a, b in points]
    values = [f(p) for p in points]
    order = sorted(range(3), key=values.__getitem__)  # stable, as numpy's argsort of three values
    points, values = [points[i] for i in order], [values[i] for i in order]
    iterations = 1
    while iterations < maxiter:
        (a0, b0), (a1, b1), (a2, b2) = points
        spread = max(abs(a1 - a0), abs(b1 - b0), abs(a2 - a0), abs(b2 - b0))
        if spread <= xatol and max(abs(values[0] - values[1]), abs(values[0] - values[2])) <= fatol:
            break
        ma, mb = (a0 + a1) / 2, (b0 + b1) / 2  # the centroid of the two best
        reflected = clip(2 * ma - a2, 2 * mb - b2)
        f_reflected = f(reflected)
        shrink = False
        if f_reflected < values[0]:
            expanded = clip(3 * ma - 2 * a2, 3 * mb - 2 * b2)
            f_expanded = f(expanded)
            points[2], values[2] = (expanded, f_expanded) if f_expanded < f_reflected else (reflected, f_reflected)
        elif f_reflected < values[1]:
            points[2], values[2] = reflected, f_reflected
        elif f_reflected < values[2]:
            outside = clip(1.5 * ma - 0.5 * a2, 1.5 * mb - 0.5 * b2)
            f_outside = f(outside)
            if f_outside <= f_reflected:
                points[2], values[2] = outside, f_outside
            else:
                shrink = True
        else:
            inside = clip(0.5 * ma + 0.5 * a2, 0.5 * mb + 0.5 * b2)
            f_inside = f(inside)
            if f_inside < values[2]:
                points[2], values[2] = inside, f_inside
            else:
                shrink = True
        if shrink:  # every vertex halfway to the best
            for j in (1, 2):
                a, b = points[j]
                points[j] = clip(a0 + 0.5 * (a - a0), b0 + 0.5 * (b - b0))
                values[j] = f(points[j])
        iterations += 1
        order = sorted(range(3), key=values.__getitem__)
        points, values = [points[i] for i in order], [values[i] for i in order]
    return np.array(points[0])


def _beta_fit(
    counts: np.ndarray, n_control: int, n_target: int, start: np.ndarray | None = None
) -> tuple[float, np.ndarray]:
    """Expected successes at ``n_target`` rows from the match ``counts`` among ``n_control`` rows, with the weights'
    distribution a beta fitted by maximum likelihood (the counts beta-binomial), and the fitted (log a, log(b /
    n_control)) (a replicate's fit starts from it).

    Why a beta and not the nonparametric fit: weights far below 1 / n_control all give 0 matches, so the counts
    cannot say how the predicates matching no control row split between "almost never" and "just below 1 /
    n_control" — the part that singles out a 4× larger table. The nonparametric maximum likelihood answers "almost
    never" (it explains zeros best), so it ran low: fresh real rows read a univariate risk of +0.04 on Adult and bank
    marketing (train 4× the holdout). Its self-check on the holdout's halves overcorrected (−0.02 to −0.07): the bias
    at half the holdout is not the bias at the holdout's size. A beta's density near 0 is w^(a − 1), one smooth
    power that the counts 1, 2, 3… pin down and that carries on below 1 / n_control; on the same fresh rows it
    predicted the successes of every larger sample within 5% from half the holdout or more (the benchmark's
    fresh-row splits, scored offline in session 20; the benchmark itself reads the mean excess,
    ``benchmarks/bench_singling_coverage.py``). It is an assumption all the same, right (within the draw's noise) when
    the weights are a beta. On Adult cut to 2,000 / 500 with a synthetic table as large as train, it predicted the
    3-column success rate of 2,000 fresh rows within 0.3% ± 1.6% (40 splits,
    ``benchmarks/bench_singling_extrapolation.py``: the excess −0.004 ± 0.006; an offline −0.036 over 10 splits in
    session 20 did not reproduce). For rare values it ran low further out, from the same 500-row holdouts: 0.89 of the
    observed rate at 8×, 0.78 at 15× (a control too low reads an excess where there is none) — for the predicates of
    a 2,000-row synthetic table scored on larger samples. With the synthetic table as large as the target it reads
    0.99–1.01 at 8× (fresh rows: excess −0.003 ± 0.003 over 80 splits); with half as many synthetic rows +0.020, and
    the attack warns (:func:`~synth.evaluation.privacy.wp216.singling_out`)."""
    from scipy import stats

    values, weights = np.unique(counts, return_counts=True)
    log_lik = stats.binom.logpmf(values[:, None], n_control, WEIGHT_GRID[None, :])
    shift = log_lik.max(axis=1, keepdims=True)
    lik = np.exp(log_lik - shift)

    def loss(params: np.ndarray) -> float:
        return float(-(weights * np.log(lik @ _beta_prior(params, n_control) + 1e-300)).sum())

    x0 = np.array(BETA_START if start is None else start, dtype=float)
    # Nelder-Mead: two parameters, ~100 evaluations of ~20 µs; L-BFGS-B's Fortran step alone took ~9 ms a call here
    fitted = nelder_mead_2d(loss, x0, BETA_BOUNDS, xatol=1e-4, fatol=1e-7, maxiter=2000)
    prior = _beta_prior(fitted, n_control)
    post = lik * prior
    post /= post.sum(axis=1, keepdims=True)
    p_target = n_target * WEIGHT_GRID * np.exp((n_target - 1) * np.log1p(-WEIGHT_GRID))
    per_value = post @ p_target
    return float(per_value[np.searchsorted(values, counts)].sum()), fitted


MIN_STRATUM = 100
"""Fewest predicates on one column that get a beta of their own (:func:`strata_of`); the rest share one."""


def strata_of(columns: np.ndarray, minimum: int = MIN_STRATUM) -> np.ndarray:
    """Each predicate's stratum for :func:`beta_expected`: its column when at least ``minimum`` predicates are on it,
    else -1 (the columns with fewer share one stratum).

    Why: rare values of different columns have weights of different scales, and one beta cannot hold them all. On
    Adult cut to 2,000 / 500 nearly all rare-value predicates are ``fnlwgt == x`` (weights near 1 / 30,000); the few
    on capital gain, hours or country match hundreds of times as often. One beta fitted to both over-predicted the
    ``fnlwgt`` ones at the train size by 11% and under-predicted the others by 60% (30 splits against 2,000 fresh
    rows, an offline probe in session 23; docs/benchmarks/privacy.md, "Singling-out control and interval"), and
    where the counts happened to hold
    a few more 2s than 1s it ran to its bound (a = 0.05) and read the control ~25% low, with a bootstrap that no
    longer moved. On a known two-scale mixture one beta for all predicted 10% too many, one per column within 5%
    (``tests/unit/test_singling_strata.py``). A stratum of fewer than ``minimum`` predicates holds too few matches to
    pin a beta's two parameters, so those columns are pooled."""
    columns = np.asarray(columns)
    labels, sizes = np.unique(columns, return_counts=True)
    return np.where(np.isin(columns, labels[sizes >= minimum]), columns, -1).astype(np.int64)


def beta_expected(
    counts: np.ndarray,
    strata: np.ndarray | None,
    n_control: int,
    n_target: int,
    start: np.ndarray | None = None,
    labels: np.ndarray | None = None,
) -> tuple[float, np.ndarray]:
    """:func:`_beta_fit` per stratum, summed: the expected successes at ``n_target`` and the fitted (log a, log(b /
    n_control)) of each stratum, one row per label of ``np.unique(strata)`` (a replicate starts from them).

    ``strata``: each predicate's stratum (:func:`strata_of`); None, one stratum. ``start``: the rows a full fit
    returned, with the full fit's ``labels`` (a stratum a replicate lacks adds nothing and keeps its row)."""
    counts = np.asarray(counts)
    if strata is None:
        strata = np.zeros(len(counts), dtype=np.int64)
    labels = np.unique(strata) if labels is None else labels
    if start is not None:
        start = np.reshape(start, (len(labels), 2))  # one stratum's fit may come as the bare pair
    fitted = np.tile(np.array(BETA_START, dtype=float), (len(labels), 1)) if start is None else start.copy()
    total = 0.0
    for i, label in enumerate(labels):
        sel = strata == label
        if sel.any():
            expected, fitted[i] = _beta_fit(counts[sel], n_control, n_target, None if start is None else start[i])
            total += expected
    return total, fitted


PROFILE_GRID = (41, 81)
"""Points of log a and of log(b / n_control) across :data:`BETA_BOUNDS` on which :func:`profile_half_width` reads the
likelihood (one matrix product each way, ~10 ms a stratum)."""


def profile_half_width(
    counts: np.ndarray, strata: np.ndarray | None, n_control: int, n_target: int, level: float
) -> float:
    """Half-width of the expected successes at ``n_target`` that the counts allow at ``level``: per stratum, the
    range of the extrapolation over every beta whose log-likelihood is within χ²₁(level) / 2 of the best (a
    profile-likelihood interval), the wider side, the strata's added in quadrature.

    Why: the bootstrap and jackknife read how far the fitted extrapolation moves, and where the fit sits at a bound
    of :data:`BETA_BOUNDS` it does not move at all — its stated error fell to the binomial floor on exactly the draws
    whose control read low (a 2,000 / 500 cut of Adult: 88% coverage of the univariate risk, the misses all on the
    side of a control too low). The likelihood still says how much else fits: like Wilson's interval against
    Wald's, the width comes from the values tested, not from the estimate's own spread."""
    from scipy import stats

    counts = np.asarray(counts)
    if strata is None:
        strata = np.zeros(len(counts), dtype=np.int64)
    log_a = np.linspace(*BETA_BOUNDS[0], PROFILE_GRID[0])
    log_b = np.linspace(*BETA_BOUNDS[1], PROFILE_GRID[1])
    a = np.repeat(np.exp(log_a), len(log_b))
    b = np.tile(np.exp(log_b), len(log_a)) * n_control
    log_mass = np.log(WEIGHT_GRID)[:, None] * a[None, :] + np.log1p(-WEIGHT_GRID)[:, None] * (b - 1.0)[None, :]
    priors = np.exp(log_mass - log_mass.max(axis=0))
    priors /= priors.sum(axis=0)  # (grid, params): each column one beta on the weight grid
    p_target = n_target * WEIGHT_GRID * np.exp((n_target - 1) * np.log1p(-WEIGHT_GRID))
    weighted = priors * p_target[:, None]
    cut = float(stats.chi2.ppf(level, 1)) / 2
    squares = 0.0
    for label in np.unique(strata):
        values, weights = np.unique(counts[strata == label], return_counts=True)
        log_lik = stats.binom.logpmf(values[:, None], n_control, WEIGHT_GRID[None, :])
        lik = np.exp(log_lik - log_lik.max(axis=1, keepdims=True))
        evidence = lik @ priors
        log_l = weights @ np.log(evidence + 1e-300)
        expected = weights @ ((lik @ weighted) / (evidence + 1e-300))
        best, _ = _beta_fit(counts[strata == label], n_control, n_target)
        allowed = expected[log_l >= log_l.max() - cut]
        squares += max(best - float(allowed.min()), float(allowed.max()) - best, 0.0) ** 2
    return float(np.sqrt(squares))
