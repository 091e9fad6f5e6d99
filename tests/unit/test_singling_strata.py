"""Singling out's rare-value control: one beta per column stratum, and an interval at least as wide as the likelihood
allows (:mod:`synth.evaluation.privacy.singling_beta`). ``benchmarks/bench_singling_coverage.py --cases calibration``
measures the coverage on real tables; here the answers are known."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.evaluation.privacy import singling_beta, singling_control, wp216
from synth.evaluation.privacy.singling_beta import MIN_STRATUM, beta_expected, strata_of

N_CONTROL, N_TRAIN = 500, 2000


def _singles_out(w: np.ndarray, n: int) -> np.ndarray:
    """P(w, n): the chance a predicate of weight w matches exactly one of n people."""
    return n * w * (1.0 - w) ** (n - 1)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=0, max_size=400), st.integers(1, 120))
def test_a_column_gets_its_own_stratum_exactly_when_it_has_enough_predicates(columns: list[int], minimum: int) -> None:
    cols = np.array(columns, dtype=np.int64)
    strata = strata_of(cols, minimum)
    for c in np.unique(cols):
        own = int((cols == c).sum()) >= minimum
        assert np.all(strata[cols == c] == (c if own else -1))


def test_one_beta_per_column_predicts_a_mixture_of_weight_scales_where_one_for_all_runs_high() -> None:
    """1,800 predicates with weights near 1 / 33,000 (as Adult's ``fnlwgt == x``) and 200 near 1 / 500 (capital gain,
    hours…), counted on 500 people: the successes they score on 2,000 people, summed over 30 draws. One beta for all
    predicted 10% too many (it reads the rare ones' shape off the common ones); one per column within 5%."""
    truth = pooled = stratified = 0.0
    columns = np.r_[np.zeros(1800, np.int64), np.ones(200, np.int64)]
    for seed in range(30):
        rng = np.random.default_rng(seed)
        w = np.r_[rng.beta(2.0, 2.0 / 3e-5, 1800), rng.beta(1.0, 1.0 / 2e-3, 200)]
        counts = rng.binomial(N_CONTROL, w)
        truth += float(_singles_out(w, N_TRAIN).sum())
        pooled += beta_expected(counts, None, N_CONTROL, N_TRAIN)[0]
        stratified += beta_expected(counts, strata_of(columns), N_CONTROL, N_TRAIN)[0]
    assert pooled / truth > 1.08
    assert stratified / truth == pytest.approx(1.0, abs=0.05)


def _at_the_bound() -> tuple[np.ndarray, np.ndarray, float]:
    """1,860 predicates with weights near 1 / 30,000 whose holdout counts (25 ones, 4 twos) put the fitted beta at its
    bound a = 0.05: the control match matrix, main's hits and the successes the predicates truly score on 2,000."""
    rng = np.random.default_rng(0)
    w = rng.beta(1.0, 1.0 / 3.4e-5, 1860)
    counts = rng.binomial(N_CONTROL, w)
    matches = np.zeros((len(w), N_CONTROL), dtype=bool)
    for i in np.flatnonzero(counts):
        matches[i, rng.choice(N_CONTROL, counts[i], replace=False)] = True
    hits = rng.binomial(N_TRAIN, w) == 1
    return matches, hits, float(_singles_out(w, N_TRAIN).sum())


def test_the_control_error_does_not_collapse_where_the_fit_sits_at_its_bound(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The extrapolation reads 78 successes where the predicates score 112 (a draw this far off is itself rare):
    refitted at the same bound, the bootstrap and jackknife stated a standard error of 7.6, the truth 4.4 SE away
    (a 1-in-100,000 miss, were the error right); with the profile likelihood's range 15.8, 2.1 SE away."""
    matches, hits, truth = _at_the_bound()
    counts = matches.sum(axis=1)
    assert np.bincount(counts).tolist() == [1831, 25, 4]
    expected, fitted = beta_expected(counts, None, N_CONTROL, N_TRAIN)
    assert np.exp(fitted[0, 0]) == pytest.approx(0.05, rel=1e-3)  # at the bound
    assert truth - expected > 30

    def stated(profile: bool) -> float:
        with monkeypatch.context() as m:
            if not profile:
                m.setattr(singling_control, "profile_half_width", lambda *args: 0.0)
            error = singling_control.singling_error(hits, matches, N_TRAIN, np.random.default_rng(1), "beta")
        return error.control * len(counts)

    assert (truth - expected) / stated(profile=False) > 4.0
    assert (truth - expected) / stated(profile=True) < 2.2


def test_profile_half_width_adds_the_strata_in_quadrature() -> None:
    rng = np.random.default_rng(3)
    counts = np.r_[
        rng.binomial(N_CONTROL, rng.beta(1.0, 1.0 / 3e-5, 600)), rng.binomial(N_CONTROL, rng.beta(1, 500, 300))
    ]
    strata = np.r_[np.zeros(600, np.int64), np.ones(300, np.int64)]
    each = [singling_beta.profile_half_width(counts[strata == s], None, N_CONTROL, N_TRAIN, 0.95) for s in (0, 1)]
    both = singling_beta.profile_half_width(counts, strata, N_CONTROL, N_TRAIN, 0.95)
    assert min(each) > 0
    assert both == pytest.approx(float(np.hypot(*each)))
    # a higher level allows more betas
    assert singling_beta.profile_half_width(counts, strata, N_CONTROL, N_TRAIN, 0.99) > both


@pytest.mark.parametrize("mode", ["univariate", "multivariate"])
def test_rare_values_are_stratified_by_column_and_multivariate_predicates_are_not(
    mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(0)

    def table(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "a": rng.integers(0, 10_000, n),
                "b": rng.integers(0, 10_000, n),
                "c": rng.choice(["x", "y", "z"], n),
            }
        )

    seen: list[np.ndarray | None] = []
    original = wp216.control_estimate

    def spy(matches: np.ndarray, n_target: int, rng_: np.random.Generator, method: str, strata: np.ndarray | None):
        seen.append(strata)
        return original(matches, n_target, rng_, method, strata)

    monkeypatch.setattr(wp216, "control_estimate", spy)
    wp216.singling_out(table(800), table(800), holdout=table(200), mode=mode, n_attacks=300)  # type: ignore[arg-type]
    (strata,) = seen
    if mode == "multivariate":
        assert strata is None
    else:
        assert strata is not None and len(strata) == 300
        labels, sizes = np.unique(strata, return_counts=True)
        assert set(labels) <= {-1, 0, 1, 2}
        assert all(sizes[labels >= 0] >= MIN_STRATUM)
        assert len(labels[labels >= 0]) == 2  # the two near-unique number columns, ~150 predicates each
