"""Empirical privacy audit of PrivBayes: the ε lower bound stays below the declared ε, and the audit can fail.

Fits on two neighbouring tables (one row added: a canary) and a distinguishing test on the released model give
a Clopper–Pearson lower bound on ε (Jagielski et al. 2020; Nasr et al. 2021). A correct mechanism stays below
its declared ε; the same audit of deliberately broken mechanisms (noise ten times too small, noise replayed from
a fixed seed, no label threshold) must find a bound above it, or the audit proves nothing.
"""

from __future__ import annotations

import numpy as np
import pytest

from synth.synthesizers.dp import audit, mechanisms

EPSILON = 1.0
TRIALS = 100
CALIBRATION = 40


def test_clopper_pearson_and_the_bound_are_right_on_known_counts() -> None:
    # 0 successes in 100: the one-sided 97.5% upper bound is 1 − 0.025^(1/100).
    assert audit.clopper_pearson_upper(0, 100, 0.025) == pytest.approx(1 - 0.025 ** (1 / 100), rel=1e-6)
    assert audit.clopper_pearson_upper(100, 100, 0.025) == 1.0
    # A perfect test on 100 + 100 fits proves about ln(1 / 0.0362) ≈ 3.3, never more.
    perfect = audit.epsilon_bound(0, 0, 100, 100, 0.0, 0.05)
    assert 3.0 < perfect < 3.5
    assert audit.epsilon_bound(50, 50, 100, 100, 0.0, 0.05) == 0.0  # a coin flip proves nothing


def test_the_noisy_tables_pass_the_audit() -> None:
    result = audit.run_audit(audit.counts_scenario(EPSILON), epsilon=EPSILON, trials=TRIALS, calibration=CALIBRATION)
    assert result.epsilon_lower <= EPSILON, result


def test_a_key_column_passes_the_audit() -> None:
    # The key is the user's choice, not the data's: a root and a forced parent must cost no privacy.
    scenario = audit.counts_scenario(EPSILON, key_column="x")
    result = audit.run_audit(scenario, epsilon=EPSILON, trials=TRIALS, calibration=CALIBRATION)
    assert result.epsilon_lower <= EPSILON, result


def test_the_audit_catches_noise_ten_times_too_small(monkeypatch: pytest.MonkeyPatch) -> None:
    real = mechanisms.laplace
    monkeypatch.setattr(mechanisms, "laplace", lambda values, scale, rng: real(values, scale / 10, rng))
    result = audit.run_audit(audit.counts_scenario(EPSILON), epsilon=EPSILON, trials=TRIALS, calibration=CALIBRATION)
    assert result.epsilon_lower > EPSILON, result


def test_the_audit_catches_noise_replayed_from_a_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    # The bug this project once had: noise from the same generator as random_state.
    monkeypatch.setattr(mechanisms, "private_rng", lambda: np.random.default_rng(0))
    result = audit.run_audit(audit.counts_scenario(EPSILON), epsilon=EPSILON, trials=TRIALS, calibration=CALIBRATION)
    assert result.epsilon_lower > EPSILON, result


def test_the_label_threshold_passes_the_audit_and_its_absence_fails_it(monkeypatch: pytest.MonkeyPatch) -> None:
    delta = 1e-6
    fine = audit.run_audit(
        audit.labels_scenario(EPSILON), epsilon=EPSILON, delta=delta, trials=TRIALS, calibration=CALIBRATION
    )
    assert fine.epsilon_lower <= EPSILON, fine
    assert fine.false_negative_rate > 0.99, "a label held by one row is (almost) never released"
    monkeypatch.setattr(mechanisms, "threshold", lambda epsilon, delta: 0.0)  # "keep every label seen"
    broken = audit.run_audit(
        audit.labels_scenario(EPSILON), epsilon=EPSILON, delta=delta, trials=TRIALS, calibration=CALIBRATION
    )
    assert broken.epsilon_lower > EPSILON, broken


def test_fine_cells_pass_the_audit_and_exact_fine_cells_fail_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.synthesizers.dp import domains as dpd

    scenario = audit.fine_scenario(EPSILON)
    assert scenario(True) >= 0.0, "the scenario's column has fine cells at this ε"
    result = audit.run_audit(scenario, epsilon=EPSILON, trials=TRIALS, calibration=CALIBRATION)
    assert result.epsilon_lower <= EPSILON, result
    exact: dict[str, np.ndarray] = {}
    real_counts, real_fine = dpd.value_counts, dpd.fine_cells

    def leaky_counts(x: np.ndarray, low: float, high: float, epsilon: float, rng: np.random.Generator):  # type: ignore[no-untyped-def]
        candidates, noisy = real_counts(x, low, high, epsilon, rng)
        exact["counts"] = np.bincount(np.searchsorted(candidates, x), minlength=len(candidates)).astype(float)
        return candidates, noisy

    monkeypatch.setattr(dpd, "value_counts", leaky_counts)
    monkeypatch.setattr(dpd, "fine_cells", lambda dom, c, noisy, scale: real_fine(dom, c, exact["counts"], scale))
    broken = audit.run_audit(audit.fine_scenario(EPSILON), epsilon=EPSILON, trials=TRIALS, calibration=CALIBRATION)
    assert broken.epsilon_lower > EPSILON, broken


def test_the_ranges_second_look_passes_the_audit_and_fails_it_without_noise(monkeypatch: pytest.MonkeyPatch) -> None:

    scenario = audit.range_scenario(EPSILON)
    rate = np.mean([scenario(False) for _ in range(200)])
    assert 0.1 < rate < 0.9, "the scenario sits where one row can tip the second look"
    result = audit.run_audit(scenario, epsilon=EPSILON, trials=4 * TRIALS, calibration=2 * CALIBRATION)
    assert result.epsilon_lower <= EPSILON, result
    _decades_without_noise(monkeypatch, coarse_too=True)
    broken = audit.run_audit(scenario, epsilon=EPSILON, trials=4 * TRIALS, calibration=2 * CALIBRATION)
    assert broken.epsilon_lower > EPSILON, broken


def test_the_ranges_one_look_on_decades_passes_the_audit_and_fails_it_without_noise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows too few for the coarse grid (a released count of 10 at ε = 1) send all of the range's ε to one look on
    decades: its threshold is three times lower than the second look's, so a row there is worth more to guess."""
    from synth.synthesizers.dp import ranges

    assert ranges.one_look(10.0, EPSILON) and not ranges.one_look(100.0, EPSILON)
    scenario = audit.range_scenario(EPSILON, rows=10.0)
    rate = np.mean([scenario(False) for _ in range(200)])
    assert 0.1 < rate < 0.9, "the scenario sits where one row can tip the look"
    result = audit.run_audit(scenario, epsilon=EPSILON, trials=4 * TRIALS, calibration=2 * CALIBRATION)
    assert result.epsilon_lower <= EPSILON, result
    _decades_without_noise(monkeypatch, coarse_too=False)
    broken = audit.run_audit(scenario, epsilon=EPSILON, trials=4 * TRIALS, calibration=2 * CALIBRATION)
    assert broken.epsilon_lower > EPSILON, broken


def test_a_declared_order_learned_as_a_gap_passes_the_audit_and_a_gap_read_off_the_rows_fails_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The README's argument for declared orders (a gap is a public per-row transform, taken before any
    mechanism) as an attack: the canary ends 3,000 days after its start where everyone else ends 10 days after."""
    scenario = audit.gap_scenario(EPSILON)
    result = audit.run_audit(scenario, epsilon=EPSILON, trials=TRIALS, calibration=CALIBRATION)
    assert result.epsilon_lower <= EPSILON, result
    from synth.synthesizers.privbayes import PrivBayes

    real_plan = PrivBayes._domain_plan

    def gap_range_seen(self: PrivBayes, spec: object, declared: object) -> str:  # the bug: the gap's range read
        return "seen" if getattr(spec, "name", None) == "end" else real_plan(self, spec, declared)  # type: ignore[arg-type]

    monkeypatch.setattr(PrivBayes, "_domain_plan", gap_range_seen)
    broken = audit.run_audit(scenario, epsilon=EPSILON, trials=TRIALS, calibration=CALIBRATION)
    assert broken.epsilon_lower > EPSILON, broken


def _decades_without_noise(monkeypatch: pytest.MonkeyPatch, *, coarse_too: bool) -> None:
    """The range's look on decades counted without its noise (same threshold): what an audit must catch. The coarse
    grid's look keeps its noise when ``coarse_too``; otherwise it must not be taken at all (the one look)."""
    from synth.synthesizers.dp import domains as dpd
    from synth.synthesizers.dp import ranges

    real = ranges._kept_span

    def exact_decades(x: np.ndarray, edges: np.ndarray, epsilon: float, rng: np.random.Generator, zero_cell: bool):  # type: ignore[no-untyped-def]
        if edges is not dpd.COARSER_EDGES:
            assert coarse_too, "the coarse grid is skipped"
            return real(x, edges, epsilon, rng, zero_cell)
        with monkeypatch.context() as exact:
            exact.setattr(mechanisms, "laplace", lambda values, scale, rng: np.asarray(values, dtype=float))
            return real(x, edges, epsilon, rng, zero_cell)

    # The range search lives in dp.ranges (domains re-exports it): patched where private_range calls it.
    monkeypatch.setattr(ranges, "_kept_span", exact_decades)
