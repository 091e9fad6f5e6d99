"""Planted canaries in a heavy tail with cents: no model file keeps one, no sample repeats one.

``test_model_files.py`` plants one record at each extreme, which the trimmed tails always left out. A tester's HR
table showed what they missed: the Gaussian copula's quantile knots were single order statistics, so salaries just
inside the trimmed extremes (the 5th largest, and interior knots that fell on a row) were stored to the cent, and
where the tail's knots were equal the sampler piled onto them: one real salary came back 9 times in 2,340 rows.
Here a dozen distinctive salaries are planted as the largest and a few as the smallest of a log-normal column
recorded in cents; each is one person's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.synthesizers.marginals import TAIL_ROWS, pooled_bounds, pooled_knots
from tests.unit.test_model_files import NON_DP, _archive, _numbers

#: One person's salary each, with cents no other row has: the 12 largest and the 6 smallest of the column.
TOP = tuple(round(412_345.67 * 1.0731**i, 2) for i in range(12))
BOTTOM = tuple(round(9_876.53 * 0.9317**i, 2) for i in range(6))
CANARIES = np.array(TOP + BOTTOM)


def heavy_tailed(n: int = 2_400, seed: int = 3) -> pd.DataFrame:
    """Salaries in cents (log-normal, as the HR table's) by department, 4% missing, with the canaries planted.

    The copula fits one component per department; with missing salaries its old grid (a knot per 4 rows of the
    component) was finer than the present values, so two knots fell in the clipped top and the 5th largest was
    drawn on a whole knot step, as in the HR table."""
    rng = np.random.default_rng(seed)
    department = rng.choice(["IT", "Sales", "Ops", "Legal"], n, p=[0.4, 0.3, 0.2, 0.1])
    level = pd.Series(department).map({"IT": 0.5, "Sales": 0.2, "Ops": 0.0, "Legal": 0.35}).to_numpy()
    salary = np.exp(rng.normal(10.8, 0.3, n) + level).round(2)
    salary = np.clip(salary, 12_000.0, 380_000.0)  # the canaries stay the real extremes
    rows = rng.permutation(n)
    salary[rows[: len(CANARIES)]] = CANARIES
    salary[rows[len(CANARIES) : len(CANARIES) + n // 25]] = np.nan
    return pd.DataFrame({"department": department, "salary": salary, "rating": rng.integers(1, 6, n)})


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return heavy_tailed()


def test_the_canaries_are_in_the_tails_the_old_knots_stored(table: pd.DataFrame) -> None:
    # The 5th largest is a canary: the old trimmed range and end knot were exactly it.
    ordered = np.sort(table["salary"].dropna().to_numpy())
    assert ordered[-TAIL_ROWS] in TOP and ordered[TAIL_ROWS - 1] in BOTTOM


@pytest.mark.parametrize("name", NON_DP)
def test_no_model_file_holds_a_tail_salary_to_the_cent(name: str, table: pd.DataFrame, tmp_path: Path) -> None:
    model = synth.create(name, random_state=0).fit(table)
    _, manifest, arrays = _archive(model, tmp_path / "m.synth")
    numbers = _numbers(manifest, arrays)
    stored = np.abs(numbers[:, None] - CANARIES[None, :]) < 0.005
    assert not stored.any(), (name, CANARIES[stored.any(axis=0)])


@pytest.mark.parametrize("name", NON_DP)
def test_no_synthesizer_repeats_a_tail_salary_or_piles_up_on_any_value(name: str, table: pd.DataFrame) -> None:
    syn = synth.create(name, random_state=0).fit(table).sample(50_000, seed=1)
    cents = syn["salary"].dropna().round(2)
    # A tail salary drawn on an interpolated (or banded) tail lands on one given cent about once in 10⁴ samples
    # of this size; the old copula drew the 5th largest hundreds of times.
    assert not cents.isin(CANARIES).any(), (name, cents[cents.isin(CANARIES)].value_counts().head())
    # No value at all is a pile: no real salary is held by two rows, and a continuous draw repeats a cent rarely.
    top = cents.value_counts()
    assert top.iloc[0] <= 5, (name, top.head())


def test_copula_knots_are_each_a_mean_of_enough_rows_and_none_a_rare_value(table: pd.DataFrame) -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(table)
    real = table["salary"].dropna().to_numpy()
    for component in model.components_:
        for col in component.marginals.columns:
            if col.name != "salary":
                continue
            knots = col.numeric.knots
            assert not np.isin(np.round(knots, 2), real).any(), "a knot is one row's salary"
            assert np.all(np.diff(knots) > 0), "equal knots would pile draws onto one value"


def test_no_knot_follows_one_row_and_no_extreme_moves_any() -> None:
    x = np.sort(np.random.default_rng(0).lognormal(10.0, 1.0, 203))
    knots = pooled_knots(x, n_knots=1_001)
    assert 2 < len(knots) <= (len(x) - 2 * (TAIL_ROWS - 1)) // TAIL_ROWS + 1  # never a knot per row or two
    assert np.all(np.diff(knots) > 0) and not np.isin(knots, x).any()
    # Nudge each row in turn (too little to reorder them): a knot that was one row's value would follow it all
    # the way; a knot read off means of 5 rows moves by half of it at most (an end extended along two blocks: 0.46).
    step = np.diff(x).min() / 4
    for i in range(len(x)):
        nudged = x.copy()
        nudged[i] += step
        moved = np.abs(pooled_knots(nudged, 1_001) - knots).max()
        assert moved <= 0.5 * step, (i, moved / step)
    # However far the most extreme rows go, the knots do not follow: an outlier's size is nowhere.
    far, farther = x.copy(), x.copy()
    far[-1], far[0], farther[-1], farther[0] = 1e9, -1e9, 1e12, -1e12
    np.testing.assert_array_equal(pooled_knots(far, 1_001), pooled_knots(farther, 1_001))
    np.testing.assert_array_equal(pooled_knots(far, 1_001)[2:-2], knots[2:-2])  # the ends only pulled in before
    assert pooled_bounds(far) == pooled_bounds(x)
    # Every draw stays inside the real range.
    assert x[0] < knots[0] and knots[-1] < x[-1]
    assert pooled_knots(x[:4], 11).size == 0 and pooled_bounds(x[:4]) is None  # fewer than 5 rows: nothing


def test_a_spike_held_by_many_rows_stays_a_repeated_knot() -> None:
    # 92% zeros, as Adult's capital_gain: blocks of zeros average to zero, so the spike is sampled as it is.
    x = np.sort(np.r_[np.zeros(920), np.random.default_rng(1).gamma(2.0, 3_000.0, 80)])
    knots = pooled_knots(x, 101)
    assert (knots == 0).mean() > 0.85


def test_a_column_with_fewer_than_5_values_is_sampled_missing_and_stores_none(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    rare = np.full(300, np.nan)
    rare[:4] = [123_456.78, 234_567.89, 345_678.91, 456_789.12]
    frame = pd.DataFrame({"rare": rare, "x": rng.normal(size=300)})
    model = synth.create("gaussian_copula", random_state=0, stratify="none").fit(frame)
    assert model.sample(2_000, seed=0)["rare"].isna().all()
    _, manifest, arrays = _archive(model, tmp_path / "m.synth")
    numbers = _numbers(manifest, arrays)
    assert not (np.abs(numbers[:, None] - rare[:4][None, :]) < 0.005).any()
    assert not np.isclose(numbers, np.mean(rare[:4])).any(), "a mean of 4 rows is not many rows"
