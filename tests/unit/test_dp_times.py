"""The DP network keeps the time of day of datetimes whose format does not say whether they hold times (stored as
datetimes, zone-aware or not): a noisy test inside the budget keeps or drops each one's hidden time of day and
chooses its grain (synth.synthesizers.dp.patterns.timed_grains)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.dp import patterns
from synth.synthesizers.loading import load_model


def clinic(n: int = 2_000, seed: int = 0, *, timed: bool = True, zone: str | None = "Europe/Berlin") -> pd.DataFrame:
    """Visits 09:00–16:59 local (whole minutes) over 300 days across summer time, stored as zone-aware datetimes,
    with the same wall clock written as text at +02:00 for comparison."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.integers(0, 300, n), "D")
    minutes = rng.integers(9 * 60, 17 * 60, n) if timed else np.zeros(n, dtype=int)
    local = pd.Series(day + pd.to_timedelta(minutes, "min"))
    stored = local.dt.tz_localize(zone) if zone else local
    text = local.dt.strftime("%Y-%m-%dT%H:%M:%S") + "+02:00"
    return pd.DataFrame({"at": stored, "at_text": text, "dept": rng.choice(["A", "B"], n)})


def test_the_thresholds_are_the_stated_laplace_quantiles() -> None:
    """The module's figures, from a seeded simulation: what noise alone reaches in 0.1% of fits."""
    noise = np.random.default_rng(0).laplace(0.0, 1.0, (1_000_000, 3))
    assert np.quantile(noise.sum(axis=1), 0.999) == pytest.approx(patterns.TIMED_THRESHOLD, abs=0.15)
    assert np.quantile(noise[:, 0], 0.999) == pytest.approx(patterns.FINE_THRESHOLD, abs=0.15)


@settings(max_examples=60, deadline=None)
@given(
    seconds=st.lists(st.one_of(st.integers(0, 86_399).map(float), st.floats(0, 86_399.99), st.just(np.nan))),
    extra=st.one_of(st.integers(0, 86_399).map(float), st.floats(0, 86_399.99)),
)
def test_one_row_moves_one_class_by_one(seconds: list[float], extra: float) -> None:
    """The four classes are disjoint and cover every present time: the L1 sensitivity is 1, as the docstring says."""
    before = patterns.time_classes(np.asarray(seconds))
    after = patterns.time_classes(np.asarray([*seconds, extra]))
    assert before.sum() == np.sum(~np.isnan(np.asarray(seconds, dtype=float)))
    assert np.abs(after - before).sum() == 1


@pytest.mark.parametrize(("n", "epsilon"), [(0, 0.05), (2_000, 0.05), (200_000, 50.0)])
def test_a_date_only_column_keeps_a_time_in_at_most_about_one_fit_in_a_thousand(n: int, epsilon: float) -> None:
    rng = np.random.default_rng(n)
    counts = np.array([n, 0, 0, 0], dtype=float)
    kept = [patterns.timed_grain(counts + rng.laplace(0, 1 / epsilon, 4), epsilon) for _ in range(20_000)]
    assert np.mean([k is not None for k in kept]) <= 0.002


@pytest.mark.parametrize(("classes", "grain"), [((0, 500, 0, 0), 3600), ((0, 50, 450, 0), 60), ((0, 0, 0, 500), 1)])
def test_the_grain_is_the_finest_class_the_noise_does_not_hide(classes: tuple[int, ...], grain: int) -> None:
    rng = np.random.default_rng(grain)
    counts = np.asarray(classes, dtype=float)
    chosen = [patterns.timed_grain(counts + rng.laplace(0, 1 / 0.5, 4), 0.5) for _ in range(5_000)]
    assert np.mean(np.asarray(chosen) == grain) >= 0.995  # an empty finer class passes in 0.1% of fits, each
    few = np.array([2_000, 10, 0, 0], dtype=float)  # under MIN_TIMED (5%) of the rows: a date with stray times
    assert patterns.timed_grain(few, 1e6) is None


def test_a_zone_aware_column_keeps_its_times_and_its_zone() -> None:
    """Before, the column was never split (its format, none, writes no time) and came back at midnight."""
    real = clinic()
    model = synth.create("privbayes", epsilon=3.0, random_state=0).fit(real)
    assert model.time_zones_ == {"at": "Europe/Berlin", "at_text": 7200}
    assert ("at", "at · time of day", 60) in model.times_  # whole minutes: the grain the test chose
    out = model.sample(2_000, seed=1)
    assert str(out["at"].dt.tz) == "Europe/Berlin"
    hours = out["at"].dt.hour
    assert hours.between(9, 16).mean() >= 0.85, hours.value_counts()
    assert (out["at"].dt.second == 0).all()
    text_hours = out["at_text"].str[11:13].astype(int)  # the offset string, split by its format as before
    assert text_hours.between(9, 16).mean() >= 0.85
    # each row at its own Berlin offset (which of winter and summer shows depends on the noisy date range)
    assert set(out["at"].map(lambda t: t.utcoffset().total_seconds())) <= {3600.0, 7200.0}


def test_the_test_is_in_the_ledger_and_the_ledger_sums_to_epsilon() -> None:
    model = synth.create("privbayes", epsilon=2.0, random_state=0).fit(clinic(500))
    spent = dict((what, eps) for what, eps, _ in model.ledger_)
    assert spent["time-of-day tests"] == pytest.approx(patterns.TIME_TEST_SHARE * 2.0)
    assert sum(spent.values()) == pytest.approx(2.0)
    plain = synth.create("privbayes", epsilon=2.0, random_state=0).fit(clinic(500).drop(columns="at"))
    assert "time-of-day tests" not in dict((w, e) for w, e, _ in plain.ledger_)  # no candidate, no spending


@pytest.mark.parametrize("zone", ["Europe/Berlin", None])
def test_a_date_only_column_stored_as_datetimes_stays_date_only(zone: str | None) -> None:
    model = synth.create("privbayes", epsilon=10.0, random_state=0).fit(clinic(timed=False, zone=zone))
    assert [s[0] for s in model.times_] == ["at_text"]
    out = model.sample(500, seed=1)
    assert (out["at"].dt.hour == 0).all() and (out["at"].dt.minute == 0).all()


def test_a_saved_model_keeps_its_grains_and_holds_no_test(tmp_path: Path) -> None:
    model = synth.create("privbayes", epsilon=3.0, random_state=0).fit(clinic(800))
    assert not hasattr(model, "_time_grains")  # the test's outcome lives in times_ only
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    assert loaded.times_ == model.times_
    pd.testing.assert_frame_equal(loaded.sample(300, seed=4), model.sample(300, seed=4))
