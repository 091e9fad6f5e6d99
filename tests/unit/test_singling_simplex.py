"""The singling-out beta is fitted by the project's own two-parameter simplex and a prior on precomputed logarithms
(session 26, for speed): both must give scipy's and the old prior's numbers to the last bit, or a risk shown for a
seeded table would move."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats

from synth.evaluation.privacy.singling_beta import BETA_BOUNDS, WEIGHT_GRID, _beta_prior, nelder_mead_2d

LOW = np.array([b[0] for b in BETA_BOUNDS])
HIGH = np.array([b[1] for b in BETA_BOUNDS])


def _loss(counts: np.ndarray, n_control: int) -> Callable[[np.ndarray], float]:
    """The beta-binomial loss :func:`~synth.evaluation.privacy.singling_beta._beta_fit` minimises."""
    values, weights = np.unique(counts, return_counts=True)
    log_lik = stats.binom.logpmf(values[:, None], n_control, WEIGHT_GRID[None, :])
    lik = np.exp(log_lik - log_lik.max(axis=1, keepdims=True))
    return lambda params: float(-(weights * np.log(lik @ _beta_prior(params, n_control) + 1e-300)).sum())


def _scipy(loss: Callable[[np.ndarray], float], x0: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a start outside the bounds: scipy warns, then clips as ours does
        fit = optimize.minimize(
            loss, x0, method="Nelder-Mead", bounds=BETA_BOUNDS, options={"xatol": 1e-4, "fatol": 1e-7, "maxiter": 2000}
        )
    return np.asarray(fit.x)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_control=st.integers(50, 5000),
    n_predicates=st.integers(1, 300),
    shape=st.sampled_from(["zeros", "ones", "few", "beta"]),
    start=st.sampled_from(["default", "low", "high", "corner", "outside", "zero", "random"]),
)
def test_the_simplex_lands_where_scipy_s_does_to_the_last_bit(
    seed: int, n_control: int, n_predicates: int, shape: str, start: str
) -> None:
    rng = np.random.default_rng(seed)
    counts = {
        "zeros": lambda: np.zeros(n_predicates, dtype=int),  # a fit that runs to its bounds
        "ones": lambda: np.ones(n_predicates, dtype=int),
        "few": lambda: rng.integers(0, 3, n_predicates),
        "beta": lambda: rng.binomial(n_control, rng.beta(rng.uniform(0.1, 3.0), rng.uniform(1.0, 5e3), n_predicates)),
    }[shape]()
    x0 = {
        "default": np.array([0.0, 1.6]),
        "low": LOW.copy(),
        "high": HIGH.copy(),
        "corner": np.array([LOW[0], HIGH[1]]),
        "outside": HIGH + 1.0,
        "zero": np.zeros(2),
        "random": rng.uniform(LOW, HIGH),
    }[start]
    loss = _loss(counts, n_control)
    ours = nelder_mead_2d(loss, x0, BETA_BOUNDS, xatol=1e-4, fatol=1e-7, maxiter=2000)
    assert np.array_equal(ours, _scipy(loss, x0)), (ours, _scipy(loss, x0))


def test_a_fit_that_stops_at_its_iteration_limit_stops_where_scipy_s_does() -> None:
    loss = _loss(np.random.default_rng(3).binomial(800, 0.002, 200), 800)
    for limit in (1, 2, 5, 17):
        x0 = np.array([0.0, 1.6])
        ours = nelder_mead_2d(loss, x0, BETA_BOUNDS, xatol=1e-4, fatol=1e-7, maxiter=limit)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            theirs = optimize.minimize(
                loss,
                x0,
                method="Nelder-Mead",
                bounds=BETA_BOUNDS,
                options={"xatol": 1e-4, "fatol": 1e-7, "maxiter": limit},
            ).x
        assert np.array_equal(ours, theirs), limit


def _prior_as_before(params: np.ndarray, n_control: int) -> np.ndarray:
    """:func:`_beta_prior` as it was computed before session 26 (the logarithms taken on every call)."""
    a, b = np.exp(params[0]), np.exp(params[1]) * n_control
    log_mass = a * np.log(WEIGHT_GRID) + (b - 1.0) * np.log1p(-WEIGHT_GRID)
    mass = np.exp(log_mass - log_mass.max())
    return np.asarray(mass / mass.sum())


@settings(max_examples=200, deadline=None)
@given(
    log_a=st.floats(*BETA_BOUNDS[0]),
    log_b=st.floats(*BETA_BOUNDS[1]),
    n_control=st.integers(100, 100_000),
)
def test_the_beta_prior_is_the_same_to_the_last_bit(log_a: float, log_b: float, n_control: int) -> None:
    """The fits evaluate the prior ~30,000 times a table: a change in its last bit could move the simplex."""
    params = np.array([log_a, log_b])
    assert np.array_equal(_beta_prior(params, n_control), _prior_as_before(params, n_control))
