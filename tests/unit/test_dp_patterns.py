"""The DP network's noisy weekday test (synth.synthesizers.dp.patterns): its threshold, its false-positive rate on
uniform weekdays, its power on a clinic closed at weekends, and its place in the budget."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

import synth
from synth.synthesizers.dp import patterns
from synth.synthesizers.weekdays import WEEKDAYS
from tests.unit.test_weekdays import clinic

#: A clinic closed at weekends: a fifth of the visits on each weekday, none on Saturday or Sunday.
CLOSED = np.array([0.2] * 5 + [0.0] * 2)


def _scores(shares: np.ndarray, n: int, epsilon: float, draws: int, seed: int) -> np.ndarray:
    """The score of ``draws`` seeded noisy tests of ``n`` rows with these weekday shares."""
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(n, shares, draws).astype(float)
    noisy = counts + rng.laplace(0.0, 1.0 / epsilon, counts.shape)
    return np.array([patterns.pattern_score(c, epsilon) for c in noisy])


def test_the_threshold_is_the_laplace_nulls_0999_quantile() -> None:
    """The module's figure, from a seeded simulation: the null when the noise dominates (no rows at all)."""
    laplace = np.random.default_rng(0).laplace(0.0, 1.0, (1_000_000, 7))
    null = ((laplace - laplace.mean(axis=1, keepdims=True)) ** 2).sum(axis=1) / 2.0
    assert np.quantile(null, 0.999) == pytest.approx(patterns.PATTERN_THRESHOLD, abs=1.0)
    assert 0.014 < (null > stats.chi2.ppf(0.999, 6)).mean() < 0.018  # a chi-square's threshold let 1.6% through


@pytest.mark.parametrize(("n", "epsilon"), [(0, 0.05), (300, 0.05), (3_000, 0.05), (200_000, 50.0)])
def test_uniform_weekdays_pass_in_at_most_about_one_fit_in_a_thousand(n: int, epsilon: float) -> None:
    """Noise-dominated (no rows), mixed, and sampling-dominated (chi-square) alike."""
    scores = _scores(np.full(7, 1 / 7), n, epsilon, 20_000, seed=n)
    assert (scores > patterns.PATTERN_THRESHOLD).mean() <= 0.002


def test_a_clinic_closed_at_weekends_passes_with_a_margin() -> None:
    """2,000 visits at ε_d = 0.05 (ε = 1 over two dates): the spread is 0.057 n² = 228,600 over a variance of
    n/7 + 2/ε_d² ≈ 1,086, a score near 210, five times the threshold."""
    scores = _scores(CLOSED, 2_000, 0.05, 2_000, seed=1)
    assert np.median(scores) > 4 * patterns.PATTERN_THRESHOLD
    assert (scores > patterns.PATTERN_THRESHOLD).all()
    too_few = _scores(CLOSED, 200, 0.05, 2_000, seed=2)  # the noise hides a small table's pattern
    assert (too_few > patterns.PATTERN_THRESHOLD).mean() < 0.1


@settings(max_examples=60, deadline=None)
@given(
    counts=st.lists(st.floats(-1e4, 1e6, allow_nan=False), min_size=7, max_size=7),
    epsilon=st.floats(1e-3, 1e3),
    turn=st.integers(1, 6),
)
def test_the_score_reads_no_order_of_the_weekdays_and_is_never_negative(
    counts: list[float], epsilon: float, turn: int
) -> None:
    score = patterns.pattern_score(np.array(counts), epsilon)
    assert score >= 0
    assert patterns.pattern_score(np.roll(counts, turn), epsilon) == pytest.approx(score, rel=1e-9, abs=1e-12)


def test_a_private_model_keeps_the_weekday_only_where_the_noisy_test_finds_a_pattern() -> None:
    """The same schema, two tables: the closed clinic's visits keep the hidden weekday, the uniform clinic's dates
    lose theirs; the test is in the ledger with its share of ε (and no δ), inside the declared total."""
    real = clinic(2000).drop(columns="dept")
    schema = synth.infer_schema(real)
    closed = synth.create("privbayes", random_state=0).fit(real, schema)
    uniform = synth.create("privbayes", random_state=0).fit(clinic(2000, closed=False).drop(columns="dept"), schema)
    assert ("visit", "visit · day of week") in closed.weekdays_
    assert uniform.weekdays_ == ()
    for model in (closed, uniform):
        spent = {what: (e, d) for what, e, d in model.ledger_}
        assert spent["weekday tests"] == (pytest.approx(patterns.WEEKDAY_TEST_SHARE * model.epsilon), 0.0)
        assert sum(e for _, e, _ in model.ledger_) == pytest.approx(model.epsilon)
        assert sum(d for _, _, d in model.ledger_) == 0
        assert f"weekday tests: ε = {patterns.WEEKDAY_TEST_SHARE * model.epsilon:.4g}" in model.privacy_statement()
    network = {c.name for c in uniform.columns_}
    assert not any("day of week" in name for name in network)
    out = uniform.sample(300, seed=1)  # a date without its hidden weekday samples as a plain date
    assert pd.to_datetime(out["visit"]).notna().all()


def test_a_table_without_dates_spends_nothing_on_the_test() -> None:
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"a": rng.choice(["x", "y"], 500), "b": rng.normal(size=500)})
    model = synth.create("privbayes", random_state=0).fit(real)
    assert "weekday tests" not in {what for what, _, _ in model.ledger_}
    assert sum(e for _, e, _ in model.ledger_) == pytest.approx(model.epsilon)


def test_each_date_gets_its_share_of_the_tests_epsilon(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two dates at ε = 0.5: each one's seven counts get Laplace noise of scale 1/0.25 (sequential composition)."""
    seen: list[tuple[float, int]] = []
    laplace = patterns.mechanisms.laplace

    def spy(values: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
        seen.append((scale, len(values)))
        return laplace(values, scale, rng)

    monkeypatch.setattr(patterns.mechanisms, "laplace", spy)
    monday = np.asarray(list(WEEKDAYS) * 100 + ["Mon"] * 1000, dtype=object)  # 1,100 Mondays of 1,700
    days = pd.DataFrame({"d": monday, "e": np.resize(np.asarray(WEEKDAYS, dtype=object), len(monday))})
    assert patterns.patterned_weekdays(days, ["d", "e"], WEEKDAYS, 0.5, np.random.default_rng(0)) == {"d"}
    assert seen == [(4.0, 7), (4.0, 7)]
