"""A DP model chooses the UTC offset of a text datetime column by the exponential mechanism inside its budget
(synth.synthesizers.dp.clocks): one row at a unique offset no longer decides the model's clock."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.dp import clocks, mechanisms

EPSILON = 1.0


def visits(n: int, offset: str = "+02:00", seed: int = 0) -> pd.DataFrame:
    """Visits 09:00–16:59 on the local clock, written at one UTC offset."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2025-03-03") + pd.to_timedelta(rng.integers(0, 200, n), "D")
    local = day + pd.to_timedelta(rng.integers(9 * 60, 17 * 60, n), "min")
    return pd.DataFrame({"at": pd.Series(local).dt.strftime("%Y-%m-%dT%H:%M:%S") + offset, "x": rng.normal(size=n)})


def with_one_more(table: pd.DataFrame, offset: str) -> pd.DataFrame:
    """The neighbour: one row added, written at ``offset`` (which no other row has)."""
    extra = pd.DataFrame({"at": ["2025-04-01T12:00:00" + offset], "x": [0.0]})
    return pd.concat([table, extra], ignore_index=True)


#: Absolute slack for probabilities in the subnormal range (below 2.2e-308 a float keeps fewer digits; the
#: hypothesis case counts=[0, 305], ε=2.375 put the outcome 0 at 2.4e-316, off by rounding, CI 2026-12-05).
SUBNORMAL_SLACK = 1e-320


@settings(max_examples=200, deadline=None)
@given(
    counts=st.lists(st.integers(0, 400), min_size=2, max_size=12),
    moved=st.integers(0, 11),
    epsilon=st.floats(0.01, 5.0),
)
@example(counts=[0, 305], moved=1, epsilon=2.375)  # an outcome at a subnormal probability
def test_monotone_counts_change_no_outcome_by_more_than_e_to_the_epsilon(
    counts: list[int], moved: int, epsilon: float
) -> None:
    """The factor 2 dropped for counts: one row added moves one count by one, and every outcome's probability
    moves by at most e^ε either way (what makes the offset choice ε-DP)."""
    before = np.asarray(counts, dtype=float)
    after = before.copy()
    after[moved % len(after)] += 1
    p = mechanisms.exponential_probabilities(before, epsilon, 1.0, monotone=True)
    q = mechanisms.exponential_probabilities(after, epsilon, 1.0, monotone=True)
    # An outcome 300 counts behind has a probability near 1e-316, a subnormal float held to a few digits: the ratio
    # is checked up to the rounding of such numbers (SUBNORMAL_SLACK, far below any probability that matters).
    bound = math.exp(epsilon) * (1 + 1e-9)
    assert np.all(q <= p * bound + SUBNORMAL_SLACK) and np.all(p <= q * bound + SUBNORMAL_SLACK)


def test_the_grid_is_every_quarter_hour_and_counts_ignore_what_is_off_it() -> None:
    assert len(clocks.OFFSET_GRID) == 145 and 0 in clocks.OFFSET_GRID and 19_800 in clocks.OFFSET_GRID
    counts = clocks.offset_counts(np.array([7200, 7200, 19_800, 7201, 0]))
    assert counts.sum() == 4 and counts[list(clocks.OFFSET_GRID).index(7200)] == 2


def test_a_unique_offset_moves_the_choice_by_no_more_than_the_mechanism_allows() -> None:
    """The attack on the mechanism itself: three rows at +02:00, and the neighbour with one more at +05:30 (ε_o = 1).
    Every outcome's probability changes by at most e^ε_o, and noisy_offset draws with those probabilities (5,000
    seeded draws each, within four standard errors)."""
    a = np.full(3, 7200)
    b = np.append(a, 19_800)
    exact = [mechanisms.exponential_probabilities(clocks.offset_counts(o), 1.0, 1.0, monotone=True) for o in (a, b)]
    assert np.all(exact[1] <= exact[0] * math.e * (1 + 1e-9)) and np.all(exact[0] <= exact[1] * math.e * (1 + 1e-9))
    unique = list(clocks.OFFSET_GRID).index(19_800)
    assert exact[1][unique] / exact[0][unique] > 2.5  # it does move (the mechanism is not blind), within the bound
    for offsets, p, seed in ((a, exact[0], 1), (b, exact[1], 2)):
        rng = np.random.default_rng(seed)
        chosen = np.array([clocks.noisy_offset(offsets, 1.0, rng) for _ in range(5_000)])
        for k, offset in ((unique, 19_800), (list(clocks.OFFSET_GRID).index(7200), 7200)):
            se = math.sqrt(p[k] * (1 - p[k]) / len(chosen))
            assert abs(np.mean(chosen == offset) - p[k]) < 4 * se


def test_neighbouring_tables_release_the_same_clock_and_the_ledger_sums_to_epsilon() -> None:
    """A model without a guarantee reads one offset from every row: the neighbour with one row at +05:30 was
    modelled in UTC, every fit, and wrote +00:00 into every synthetic value. The DP model chooses +02:00 for both
    (the unique offset wins with probability about 145·e^(−0.05·300) ≈ 4e-5 per fit)."""
    table = visits(300)
    neighbour = with_one_more(table, "+05:30")
    exact = synth.create("gaussian_copula", random_state=0)
    assert exact.fit(table).time_zones_ == {"at": 7200} and exact.fit(neighbour).time_zones_ == {}  # the leak
    for real in (table, neighbour):
        for _ in range(3):  # fresh noise each fit
            model = synth.create("privbayes", epsilon=EPSILON, random_state=0).fit(real)
            assert model.time_zones_ == {"at": 7200}
            spent = dict((what, eps) for what, eps, _ in model.ledger_)
            assert spent["UTC offsets"] == pytest.approx(clocks.OFFSET_SHARE * EPSILON)
            assert sum(spent.values()) == pytest.approx(EPSILON)
            assert model.sample(200, seed=1)["at"].str.endswith("+02:00").all()


def test_no_offset_column_spends_nothing_on_offsets() -> None:
    plain = visits(200).assign(at=lambda d: d["at"].str[:19])
    model = synth.create("privbayes", epsilon=EPSILON, random_state=0).fit(plain)
    assert "UTC offsets" not in dict((w, e) for w, e, _ in model.ledger_) and model.time_zones_ == {}


def test_a_column_at_utc_stays_in_utc() -> None:
    """0 is a candidate like any other offset: a column written at +00:00 keeps no local clock."""
    model = synth.create("privbayes", epsilon=EPSILON, random_state=0).fit(visits(300, "+00:00"))
    assert model.time_zones_ == {}
