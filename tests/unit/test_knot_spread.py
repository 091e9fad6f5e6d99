"""The Gaussian copula's and the independent marginals' rounded draws of crowded cents come back as training-only
values little more often than as fresh ones once a crowded knot interval's draw is spread over sixty rows' worth of
values (:mod:`synth.synthesizers.knot_spread`); the same attack catches the unspread draws."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kstest

import synth
from benchmarks.crowded_cents import excess, hit_ratio, prices, tables
from synth.synthesizers import knot_spread
from synth.synthesizers.band_decimals import WINDOW_ROWS
from synth.synthesizers.knot_spread import KnotSpread, spread_knot_draws
from synth.synthesizers.rare_bands import GRID_VALUES_PER_ROW

SEEDS = range(40)


def _excess(label: str, seed: int) -> float:
    """Training-only prices a 1,000-row sample of the model ``label`` names holds minus holdout-only ones (1,000
    rows apiece, written "€1,234.50")."""
    name, params, shops = MODELS[label]
    train, holdout = tables(seed, True, shops)
    model = synth.create(name, random_state=seed, **params).fit(train, synth.infer_schema(train))
    return excess(train["spend"], holdout["spend"], model.sample(1_000, seed=seed)["spend"])


def _hit_ratio(label: str, seed: int, **sample: Any) -> float:
    """How much more often a training-only price is drawn than a holdout-only one, per price, in 20,000 rows (a
    plain float column): a finer reading of the same attack, where every price is drawn some eight times."""
    name, params, shops = MODELS[label]
    train, holdout = tables(seed, False, shops)
    model = synth.create(name, random_state=seed, **params).fit(train, synth.infer_schema(train))
    return hit_ratio(train["spend"], holdout["spend"], model.sample(20_000, seed=seed, **sample)["spend"])


MODELS: dict[str, tuple[str, dict[str, Any], tuple[float, ...] | None]] = {
    "copula": ("gaussian_copula", {}, None),
    # Two components, shop a's 800 rows and the other shops' 200 pooled: each spreads over sixty of its own rows
    # (n_train_rows_ x share). (With even shops, three components' densities overlap and dilute the attack.)
    "copula by shop": ("gaussian_copula", {"stratify": "shop"}, (0.8, 0.1, 0.1)),
    "independent": ("independent", {}, None),
}
#: A range holding nearly every price: the exact conditional sampler decodes every row, each window kept inside it.
SPENDS = {"spend": (5.0, 200.0)}


@pytest.mark.parametrize("label", list(MODELS))
def test_spread_prices_come_back_as_training_only_prices_little_more_often_than_as_fresh_ones(label: str) -> None:
    """Over 40 seeded tables written "€1,234.50" (a plain float column gives the same draws): +0.3 points for the
    copula, +0.6 for its mixture by shop, +0.25 for independent marginals, standard errors 0.3-0.4 (unspread +2.1,
    +0.9 and +1.9; python -m benchmarks.bench_copula_spread)."""
    assert np.mean([_excess(label, s) for s in SEEDS]) < 0.012


@pytest.mark.parametrize(
    ("label", "conditions"),
    [("copula", None), ("copula", SPENDS), ("copula by shop", SPENDS), ("independent", SPENDS)],
)
def test_every_sampling_path_spreads(label: str, conditions: dict[str, Any] | None) -> None:
    """Plain draws, the exact conditional sampler's (one component or a mixture) and the independent marginals':
    over 20 seeded tables a training-only price is drawn about 2% more often than a holdout-only one, standard error
    1% (unspread: 10-12%)."""
    sample = {} if conditions is None else {"conditions": conditions}
    assert np.mean([_hit_ratio(label, s, **sample) for s in SEEDS[:20]]) < 0.05


def test_the_attack_catches_unspread_prices(monkeypatch: pytest.MonkeyPatch) -> None:
    """The same tables with every draw rounded where it fell: the copula's training-only prices come back 2.1 points
    more often than fresh ones over the 40, and each is drawn 12% more often than a holdout-only one; conditioned, 12%
    (its mixture by shop 10%, independent marginals 12%)."""
    monkeypatch.setattr(knot_spread, "spread_knot_draws", lambda knots, u, x, spread: x)
    assert np.mean([_excess("copula", s) for s in SEEDS]) > 0.015
    assert np.mean([_hit_ratio("copula", s) for s in SEEDS[:20]]) > 0.08
    assert np.mean([_hit_ratio("copula", s, conditions=SPENDS) for s in SEEDS[:20]]) > 0.08
    assert np.mean([_hit_ratio("copula by shop", s, conditions=SPENDS) for s in SEEDS[:20]]) > 0.07
    assert np.mean([_hit_ratio("independent", s, conditions=SPENDS) for s in SEEDS[:20]]) > 0.08


def _levels(knots: np.ndarray, u: np.ndarray) -> np.ndarray:
    return np.interp(u * (len(knots) - 1), np.arange(len(knots)), knots)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.integers(0, 5_000), min_size=2, max_size=60),
    st.integers(0, 3),
    st.integers(5, 5_000),
    st.integers(0, 2**31 - 1),
    st.tuples(st.floats(-10, 60), st.floats(0, 60)),
)
def test_a_spread_draw_stays_inside_its_window_the_range_and_the_condition(
    steps: list[int], decimals: int, rows: int, seed: int, condition: tuple[float, float]
) -> None:
    """Each crowded draw moves by at most half its window (the values WINDOW_ROWS / 2 rows either side of its level,
    at most an uncrowded interval's grid values), never past the end knots nor a range condition's ends; draws in
    uncrowded intervals and on spikes (equal knots) stay where they are."""
    knots = np.cumsum(np.array(steps, dtype=float)) / 10.0**decimals
    u = np.random.default_rng(seed).random(500)
    x = _levels(knots, u)
    low, high = condition[0], condition[0] + condition[1]
    inside = (x >= low) & (x <= high)  # the conditional sampler draws inside the range
    spread = KnotSpread(decimals, float(rows)).within(low, high)
    out = spread_knot_draws(knots, u, x, spread)
    k = len(knots)
    j = np.clip(np.floor(u * (k - 1)).astype(int), 0, k - 2)
    gap = knots[j + 1] - knots[j]
    per_interval = rows / (k - 1)
    crowded = (gap > 0) & (gap * 10.0**decimals < GRID_VALUES_PER_ROW * per_interval)
    assert np.array_equal(out[~crowded], x[~crowded])
    half = 0.5 * WINDOW_ROWS / rows
    span = _levels(knots, np.clip(u + half, 0, 1)) - _levels(knots, np.clip(u - half, 0, 1))
    window = np.minimum(span, GRID_VALUES_PER_ROW * per_interval / 10.0**decimals)
    assert np.all(np.abs(out - x)[inside] <= window[inside] / 2 + 1e-9)
    assert np.all((out >= knots[0] - 1e-9) & (out <= knots[-1] + 1e-9))
    assert np.all((out[inside] >= low - 1e-9) & (out[inside] <= high + 1e-9))


def test_a_spread_keeps_a_flat_stretch_flat_and_moves_each_draw_across_its_window() -> None:
    """Where the knots' density is even, uniform levels come back uniform in value after the spread (its position is
    read off the draw's own digits, independent of where the draw fell), and a draw moves by up to half its window:
    the digits are not a constant nudge."""
    knots = np.linspace(0.0, 10.0, 201)  # 1,000 rows on 200 intervals of 5 cents: 1 cent value per row
    u = np.random.default_rng(3).random(200_000)
    x = _levels(knots, u)
    out = spread_knot_draws(knots, u, x, KnotSpread(2, 1_000.0))
    window = 10.0 * WINDOW_ROWS / 1_000  # 60 rows' worth of the 10 units: 0.6
    inner = (out > window) & (out < 10.0 - window)  # values no end reflected a draw onto
    assert kstest((out[inner] - window) / (10.0 - 2 * window), "uniform").pvalue > 0.01
    shift = out[inner] - x[inner]
    assert kstest(shift / window + 0.5, "uniform").pvalue > 0.01
    # Uncrowded: at 5 decimals the same stretch holds 1,000 grid values per row, and nothing moves.
    assert np.array_equal(spread_knot_draws(knots, u, x, KnotSpread(5, 1_000.0)), x)


def test_the_spread_draws_nothing_from_the_generator() -> None:
    """A copula's sample with the spread is the unspread sample with only the crowded spends moved: every other
    column is the same, row for row, weights at 4 decimals (10,000 grid values per row: never spread) too."""
    weight = np.round(np.random.default_rng(1).uniform(0, 1_000, 1_000), 4)
    real = prices(1_000, 0, euro=False).assign(weight=weight)
    model = synth.create("gaussian_copula", random_state=0).fit(real, synth.infer_schema(real))
    spread = model.sample(500, seed=4)
    original = knot_spread.spread_knot_draws
    try:
        knot_spread.spread_knot_draws = lambda knots, u, x, s: x  # type: ignore[assignment]
        unspread = model.sample(500, seed=4)
    finally:
        knot_spread.spread_knot_draws = original
    assert spread["shop"].equals(unspread["shop"]) and spread["weight"].equals(unspread["weight"])
    assert (spread["spend"] != unspread["spend"]).mean() > 0.5
    assert np.abs(spread["spend"] - unspread["spend"]).max() < 10.0
