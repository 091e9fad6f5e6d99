"""The singling-out control, scaled to the train size: a holdout smaller than train singles out fewer people
with the same predicates, so its successes are extrapolated to the train size before main and control are
compared (see :func:`control_estimate`). anonymeter extrapolates too (a curve fitted to control subsamples); a
comparison at the holdout's size would need no model, but it would read train at the holdout's size, where a copied
row is in the subsample only n_control / n_train of the time: a copy of train would read a risk near that share."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from synth.evaluation.privacy.singling_beta import (  # noqa: F401  (_beta_fit: the tests read it from here)
    WEIGHT_GRID,
    _beta_fit,
    beta_expected,
    profile_half_width,
)


def _so_integral(n: np.ndarray | float, w_min: float, w_max: float) -> np.ndarray | float:
    """∫ P(w, n) dw over [w_min, w_max], P(w, n) = n·w·(1 − w)^(n−1): chance a query of weight w singles out."""
    return ((n * w_min + 1) * (1 - w_min) ** n - (n * w_max + 1) * (1 - w_max) ** n) / (n + 1)


SMOOTHING = 0.05
"""Width (in powers of ten of w) of the Gaussian kernel that smooths the weight distribution at each EM step."""


BOOTSTRAP_REPLICATES = 60
"""Replicates of the bootstrap over synthetic rows. The stated error is the wider of two estimated errors (this and
the holdout jackknife's), and the wider of two noisy estimates runs high: with 20 replicates and 10 jackknife groups
the 3-column interval of a 2,000 / 500 table stated 1.44× the spread of the risk over repeats (98% coverage), with
60 and 20 1.35× (97%) at +0.1 CPU-s per attack (``benchmarks/bench_singling_coverage.py``)."""
REPLICATE_ITERATIONS = 300
"""A replicate's fit starts at the full fit's distribution, so it needs far fewer EM steps than the 5,000 a fit
from scratch may take (each step ~30 µs; a replicate is three fits with the calibration's halves)."""


@functools.cache
def _smoothing_kernel() -> np.ndarray:
    x = np.log10(WEIGHT_GRID)
    kernel = np.exp(-0.5 * ((x[:, None] - x[None, :]) / SMOOTHING) ** 2)
    return np.asarray(kernel / kernel.sum(axis=0, keepdims=True))


def _weight_distribution(
    k: np.ndarray, n: int, max_iter: int = 5000, tol: float = 1e-10, start: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Smoothed nonparametric maximum-likelihood distribution of predicate weights from their match counts.

    Each count ``k`` is Binomial(n, w) for the predicate's unknown weight w. The distribution of w over
    :data:`WEIGHT_GRID` is fitted by EM, smoothing it with a narrow Gaussian kernel on log w after every step
    (the EMS algorithm): the plain maximum-likelihood fit piles its mass on a few spikes whose position the
    counts barely pin down, and its extrapolations then jump from one random seed to the next.

    ``start``: a fitted distribution to start from (a bootstrap replicate's fit starts at the full fit's).

    Returns:
        The distinct counts; for each, the posterior probabilities of the grid weights (rows sum to 1); and the
        fitted distribution itself.
    """
    from scipy import stats

    values, weights = np.unique(k, return_counts=True)
    log_lik = stats.binom.logpmf(values[:, None], n, WEIGHT_GRID[None, :])
    lik = np.exp(log_lik - log_lik.max(axis=1, keepdims=True))
    kernel = _smoothing_kernel()
    prior = np.full(len(WEIGHT_GRID), 1.0 / len(WEIGHT_GRID)) if start is None else start
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
    return values, post, prior


@dataclass(frozen=True)
class ControlEstimate:
    """:func:`control_estimate`'s answer.

    Attributes:
        expected: the expected successes at the train size.
        note: the correction in words.
        fitted: what was fitted to the whole control's match counts — the weight distribution (``npmle`` and
            ``calibrated``) or the beta's (log a, log(b / n_control)) (``beta``); None when nothing was
            extrapolated: :func:`singling_error` starts its replicates from it instead of fitting it again.
    """

    expected: float
    note: str
    fitted: np.ndarray | None = None


METHODS = ("beta", "calibrated", "npmle", "anonymeter")


def control_successes_at(
    control_matches: np.ndarray,
    n_target: int,
    rng: np.random.Generator,
    method: str = "beta",
    strata: np.ndarray | None = None,
) -> tuple[float, str]:
    """:func:`control_estimate`'s expected successes and note (without the fitted distribution)."""
    estimate = control_estimate(control_matches, n_target, rng, method, strata)
    return float(estimate.expected), estimate.note  # a plain float: `calibrated` scales by a numpy power


def control_estimate(
    control_matches: np.ndarray,
    n_target: int,
    rng: np.random.Generator,
    method: str = "beta",
    strata: np.ndarray | None = None,
) -> ControlEstimate:
    """The control attack's expected successes had the control table been as large as the train table.

    A predicate of weight w (the chance a random person matches it) singles out a table of n people with
    probability P(w, n) = n·w·(1 − w)^(n−1): the same predicates single out more or fewer people in a larger
    table, so a control smaller than train must be scaled before the two are compared.

    * ``beta`` (the default): the weights' distribution a beta fitted to the counts by maximum likelihood, and
      P(w, n_train) averaged over each predicate's posterior (:func:`_beta_fit` says why). With fresh real rows
      standing in for the synthetic table (train 4× the holdout), the excess averaged +0.001 (univariate) and
      +0.001 (3 columns) on Adult over 40 splits, +0.004 and −0.008 on bank marketing over 60 (standard errors
      ~0.005), where ``calibrated`` read −0.02 to −0.07 and ``npmle`` +0.03 to +0.04.
    * ``calibrated``: ``npmle`` times the bias it shows when predicting the whole control's successes from each
      half of it, per doubling. It overcorrects at 4×: the bias from half the holdout is not the bias from the
      holdout.
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
        method: ``beta``, ``calibrated``, ``npmle`` or ``anonymeter``.
        strata: (Q,) for ``beta``, each predicate's stratum (:func:`~synth.evaluation.privacy.singling_beta.strata_of`):
            a beta is fitted to each and their expected successes summed; None, one beta for all.

    Returns:
        The expected number of successes (predicates singling out exactly one person) at ``n_target``, a
        sentence describing the correction, and what was fitted: (``npmle``, ``calibrated``) the weight
        distribution, (``beta``) each stratum's (log a, log(b / n_control)), a row per stratum.

    Raises:
        ValueError: for an unknown ``method``.
    """
    if method not in METHODS:
        raise ValueError(f"unknown size correction {method!r}; use one of {', '.join(METHODS)}")
    counts = control_matches.sum(axis=1)
    raw = float((counts == 1).sum())
    n_control = control_matches.shape[1]
    if n_control == n_target or not len(counts) or n_control == 0:
        return ControlEstimate(raw, "no size correction (control and train are the same size)")
    if method == "anonymeter":
        factor, note = _anonymeter_factor(control_matches, n_target, rng)
        return ControlEstimate(raw * factor, note)
    if method == "beta":
        expected, fitted = beta_expected(counts, strata, n_control, n_target)
    else:
        expected, fitted = _npmle_fit(counts, n_control, n_target)
    note = ""
    if method == "calibrated" and n_control >= 200:
        # The extrapolation runs low (fresh real rows standing in for train scored ~+0.025 univariate risk on
        # Adult at 2×). Measure that bias where the answer is known — predict the whole control's successes
        # from each half of it — and undo it, compounded over the log2(n_target / n_control) doublings.
        # Only holdout rows enter the check, so it cannot absorb a signal from the training people.
        per_doubling, _ = _calibration(control_matches, raw, rng)
        if per_doubling is not None:
            expected *= per_doubling ** (np.log2(n_target / n_control))
            note = f"; ×{per_doubling:.2f} per doubling from a self-check on the holdout's halves"
    note = (
        f"{int(raw):,} raw successes among {n_control:,} rows, {expected:,.0f} expected among the "
        f"{n_target:,} rows of train{note}"
    )
    return ControlEstimate(expected, note, fitted)


def _npmle_fit(
    counts: np.ndarray, n_control: int, n_target: int, start: np.ndarray | None = None, max_iter: int = 5000
) -> tuple[float, np.ndarray]:
    """Expected successes at ``n_target`` rows from the match ``counts`` among ``n_control`` rows (npmle), and the
    fitted weight distribution (which depends on the counts and ``n_control`` only; it warm-starts a replicate's
    fit)."""
    values, post, prior = _weight_distribution(counts, n_control, max_iter=max_iter, start=start)
    p_target = n_target * WEIGHT_GRID * np.exp((n_target - 1) * np.log1p(-WEIGHT_GRID))
    per_value = post @ p_target
    return float(per_value[np.searchsorted(values, counts)].sum()), prior


def _calibration(
    control_matches: np.ndarray,
    raw: float,
    rng: np.random.Generator,
    start: np.ndarray | None = None,
    max_iter: int = 5000,
) -> tuple[float | None, np.ndarray | None]:
    """The calibrated correction's factor per doubling from one random halving of the control (None when it
    cannot be measured), and the halves' fitted weight distribution."""
    n_control = control_matches.shape[1]
    order = rng.permutation(n_control)
    predicted, fitted = 0.0, start
    for half in (order[: n_control // 2], order[n_control // 2 :]):
        expected, fitted = _npmle_fit(control_matches[:, half].sum(axis=1), len(half), n_control, start, max_iter)
        predicted += expected
    if predicted <= 0 or raw <= 0:
        return None, fitted
    return min(max(2 * raw / predicted, 0.5), 2.0), fitted


@dataclass(frozen=True)
class SinglingError:
    """:func:`singling_error`'s answer: standard errors of the control's success rate and of the excess
    ``(main − control) / (1 − control)``, both as shares of the predicates (0 when nothing was estimated)."""

    control: float
    excess: float


def _cluster_rows(clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The predicates grouped by cluster: their positions in cluster order, each cluster's start and size."""
    _, inverse, sizes = np.unique(clusters, return_inverse=True, return_counts=True)
    order = np.argsort(inverse.reshape(-1), kind="stable")
    starts = np.r_[0, np.cumsum(sizes)[:-1]]
    return order, starts, sizes


def singling_error(
    main_hits: np.ndarray,
    control_matches: np.ndarray,
    n_target: int,
    rng: np.random.Generator,
    method: str = "beta",
    n_boot: int = BOOTSTRAP_REPLICATES,
    max_iter: int = REPLICATE_ITERATIONS,
    fitted: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
    strata: np.ndarray | None = None,
    level: float = 0.95,
) -> SinglingError:
    """Standard errors of the singling-out control rate and risk, by one bootstrap over synthetic rows.

    The extrapolated control is a fitted estimate, not a count: which predicates were drawn moves the fitted
    weight distribution, and the calibrated method's factor moves with the random halving it is measured on.
    A binomial interval around the estimate left both out; on a 3,000-row HR table one synthetic table's
    multivariate singling-out risk read 12.5% (95% CI 6.0–19.1%) at one seed and 0.0% (0.0–3.9%) at the next.
    Each replicate resamples and, for ``calibrated``, draws a new halving.

    What is resampled are the ``clusters`` — the synthetic row each predicate singles out — with all their
    predicates, and main and control are read on the same replicate (paired). A repeat of the run draws another
    synthetic table, so another set of rows: the predicates of one row succeed or fail together (a row in a
    sparse corner of the population singles out on most of its column sets, on train and holdout alike), and
    main and control move with the same predicates. Resampling predicates one by one and adding main's binomial
    error as if independent stated 0.84× the spread of the risk over repeats on bank marketing's 3-column
    attack (``benchmarks/bench_singling_coverage.py``). Without ``clusters`` every predicate is its own.

    For ``beta`` the holdout people are resampled too, by a jackknife (:func:`_holdout_jackknife`), and the wider
    of the two errors is stated: with the bootstrap alone the 3-column risk's interval stated 0.80–0.85 of its
    spread over repeats (83% and 93% coverage on bank marketing and Adult); with the wider of the two, 1.03–1.35
    (97–100%) on Adult and bank marketing, 1.05 and 1.35 (88% and 97%) on a 2,000 / 500 cut of Adult. Both refit the
    beta, and where it sits at a bound they stay there; so the error is at least the range the likelihood allows
    (:func:`~synth.evaluation.privacy.singling_beta.profile_half_width`): with rare values fitted per column, 88% →
    95% on that cut (``benchmarks/bench_singling_coverage.py``, session 23).

    Args:
        main_hits: (Q,) whether each predicate singles out a training row.
        control_matches: (Q, n_control) boolean match matrix of the predicates on the control rows.
        n_target: size of the (de-duplicated) train table.
        rng: random generator.
        method: the control's size correction (``beta``, ``calibrated``, ``npmle``; ``anonymeter`` is not
            bootstrapped).
        n_boot: replicates.
        max_iter: EM steps per replicate's fit (it starts from ``fitted``; not used by ``beta``).
        fitted: what :func:`control_estimate` fitted to these same ``control_matches``
            (:attr:`ControlEstimate.fitted`); fitted again (for the EM methods up to 5,000 steps, ~0.15 s) when
            omitted.
        clusters: (Q,) the synthetic row each predicate came from.
        strata: (Q,) for ``beta``, the strata :func:`control_estimate` fitted (each replicate fits them again).
        level: the interval's level (for ``beta``, the level of the profile likelihood's range).

    Returns:
        The two standard errors; both 0 for a control as large as train (no extrapolation, a count: the binomial
        intervals hold), for the ``anonymeter`` method (kept as anonymeter computes it) and for fewer than two
        replicates.
    """
    counts = control_matches.sum(axis=1)
    n_control, q = control_matches.shape[1], len(counts)
    if n_control == n_target or not q or n_control == 0 or method not in ("beta", "npmle", "calibrated") or n_boot < 2:
        return SinglingError(0.0, 0.0)
    doublings = np.log2(n_target / n_control)
    labels = np.unique(strata) if strata is not None else None
    if fitted is not None:
        full = fitted
    elif method == "beta":
        full = beta_expected(counts, strata, n_control, n_target)[1]
    else:
        full = _npmle_fit(counts, n_control, n_target)[1]
    order, starts, sizes = _cluster_rows(np.arange(q) if clusters is None else np.asarray(clusters))
    hits = np.asarray(main_hits, dtype=bool)
    halves: np.ndarray | None = None
    control_rates, excesses = [], []
    for _ in range(n_boot):
        pick = rng.integers(0, len(sizes), len(sizes))
        lengths = sizes[pick]
        # the picked clusters' predicates, cluster after cluster (with singleton clusters: ``pick`` itself)
        within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        rows = order[np.repeat(starts[pick], lengths) + within]
        if method == "beta":
            sub_strata = None if strata is None else strata[rows]
            expected, _ = beta_expected(counts[rows], sub_strata, n_control, n_target, full, labels)
        else:
            expected, _ = _npmle_fit(counts[rows], n_control, n_target, full, max_iter)
        if method == "calibrated" and n_control >= 200:
            sub = control_matches[rows]
            factor, halves = _calibration(sub, float((counts[rows] == 1).sum()), rng, halves, max_iter)
            if factor is not None:
                expected *= factor**doublings
        control = min(expected, len(rows)) / len(rows)
        main = float(hits[rows].mean())
        control_rates.append(control)
        excesses.append((main - control) / (1.0 - control) if control < 1.0 else 0.0)
    control_var, excess_var = float(np.var(control_rates, ddof=1)), float(np.var(excesses, ddof=1))
    if method == "beta":
        # the wider of the two, not their sum: the bootstrap's fingerprints already move with much of the holdout's
        # draw (summed they stated 1.5× the spread), and the jackknife alone leaves out which synthetic rows came
        people_control, people_excess = _holdout_jackknife(hits, control_matches, counts, n_target, full, rng, strata)
        control_var, excess_var = max(control_var, people_control), max(excess_var, people_excess)
        # and at least the range the likelihood allows (profile_half_width says why), as a standard error, with
        # main's binomial error beside it in the excess
        from scipy import stats

        z = float(stats.norm.ppf(0.5 * (1.0 + level)))
        full_expected, _ = beta_expected(counts, strata, n_control, n_target, full, labels)
        control_se = profile_half_width(counts, strata, n_control, n_target, level) / z / q
        control = min(full_expected, q) / q
        main = float(hits.mean())
        room = max(1.0 - control, 1e-12)
        main_var = main * (1.0 - main) / q
        profile_excess_var = main_var / room**2 + (control_se * (1.0 - main) / room**2) ** 2
        control_var, excess_var = max(control_var, control_se**2), max(excess_var, profile_excess_var)
    return SinglingError(float(np.sqrt(control_var)), float(np.sqrt(excess_var)))


JACKKNIFE_GROUPS = 20
"""Groups of holdout people the jackknife leaves out in turn (see :data:`BOOTSTRAP_REPLICATES` for why 20, not 10)."""


def _holdout_jackknife(
    hits: np.ndarray,
    control_matches: np.ndarray,
    counts: np.ndarray,
    n_target: int,
    start: np.ndarray,
    rng: np.random.Generator,
    strata: np.ndarray | None = None,
) -> tuple[float, float]:
    """Variances of the beta-extrapolated control rate and of the excess over the holdout people (a delete-a-group
    jackknife, :data:`JACKKNIFE_GROUPS` random groups), for :func:`singling_error` to add to its bootstrap's.

    Why: one holdout person singled out by the predicates of many synthetic rows ties those rows together, so the
    bootstrap over synthetic rows alone leaves out how the holdout draw moves the control: it stated 0.80 of the
    3-column risk's spread over repeats on bank marketing (``benchmarks/bench_singling_coverage.py``). Resampling
    people with replacement does not work here: a person drawn twice turns a single match into two, and the
    fitted beta ran to its bound. Removing a tenth of them keeps every count a count of distinct people."""
    n_control, q = control_matches.shape[1], len(counts)
    groups = np.array_split(rng.permutation(n_control), JACKKNIFE_GROUPS)
    main = float(hits.mean())
    controls, excesses = [], []
    for group in groups:
        kept = counts - control_matches[:, group].sum(axis=1)
        expected, _ = beta_expected(kept, strata, n_control - len(group), n_target, start)
        control = min(expected, q) / q
        controls.append(control)
        excesses.append((main - control) / (1.0 - control) if control < 1.0 else 0.0)
    # the jackknife's variance, (G − 1)/G · Σ (x_g − mean)², is (G − 1) times the groups' plain variance
    return (len(groups) - 1) * float(np.var(controls)), (len(groups) - 1) * float(np.var(excesses))


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
