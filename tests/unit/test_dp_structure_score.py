"""PrivBayes' L1 dependence score: its sensitivity bound, attacked with random neighbouring tables."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.synthesizers.dp import mechanisms
from synth.synthesizers.dp.network import l1_dependence, learn_network, mutual_information


def _quiet(fraction: float, message: str, /) -> None:
    return None


@settings(max_examples=300, deadline=None)
@given(
    kx=st.integers(1, 6),
    ky=st.integers(1, 12),
    n=st.integers(0, 400),
    skew=st.floats(0.0, 4.0),
    seed=st.integers(0, 2**32 - 1),
    added=st.tuples(st.integers(0, 5), st.integers(0, 11)),
)
def test_one_row_added_or_removed_moves_the_score_by_at_most_the_bound(
    kx: int, ky: int, n: int, skew: float, seed: int, added: tuple[int, int]
) -> None:
    rng = np.random.default_rng(seed)
    px = rng.dirichlet(np.full(kx, 1.0 / (1.0 + skew)))
    x = rng.choice(kx, n, p=px)
    # y depends on x (copies it modulo ky part of the time): strong and weak dependence both get drawn
    y = np.where(rng.random(n) < rng.random(), x % ky, rng.choice(ky, n))
    a, b = added[0] % kx, added[1] % ky
    before = l1_dependence(x, y, kx, ky)
    after = l1_dependence(np.append(x, a), np.append(y, b), kx, ky)
    bound = mechanisms.l1_dependence_sensitivity()
    assert abs(after - before) <= bound + 1e-9
    # the proof's exact change: 2n(1 − α)(1 − β)/(n + 1) at most (α, β the added cell's margins)
    if n:
        alpha, beta = np.mean(x == a), np.mean(y == b)
        assert abs(after - before) <= 2 * n * (1 - alpha) * (1 - beta) / (n + 1) + 1e-9
    if n:  # removing a row is the same pair read backwards: also check a removal from the drawn table
        i = int(rng.integers(n))
        removed = l1_dependence(np.delete(x, i), np.delete(y, i), kx, ky)
        assert abs(removed - before) <= bound + 1e-9


def test_the_bound_is_nearly_attained_so_it_is_not_loose() -> None:
    # X and Y exactly independent, then one row with a value of each that no row had: S goes from 0 to
    # 2n/(n + 1), the proof's worst case (α = β = 0).
    x = np.repeat(np.arange(4), 250)
    y = np.tile(np.arange(5), 200)
    assert l1_dependence(x, y, 5, 6) == pytest.approx(0.0)
    after = l1_dependence(np.append(x, 4), np.append(y, 5), 5, 6)
    assert after == pytest.approx(2 * 1000 / 1001)
    assert 1.99 < after <= mechanisms.l1_dependence_sensitivity()


def test_known_values_and_independence() -> None:
    x = np.asarray([0, 0, 1, 1])
    assert l1_dependence(x, x, 2, 2) == pytest.approx(2.0)  # ½ Σ |c − c_x c_y / n| = ½ · 4 · 1
    assert l1_dependence(x, np.asarray([0, 1, 0, 1]), 2, 2) == pytest.approx(0.0)
    assert l1_dependence(np.zeros(0, dtype=int), np.zeros(0, dtype=int), 2, 2) == 0.0


def test_the_structure_search_with_either_score_finds_the_strong_link() -> None:
    rng = np.random.default_rng(0)
    n = 4000
    a = rng.integers(0, 3, n)
    b = np.where(rng.random(n) < 0.9, a, rng.integers(0, 3, n))
    c = rng.integers(0, 2, n)
    codes = np.column_stack([a, b, c])
    for score in ("L1 dependence", "mutual information"):
        found = 0
        for _ in range(10):
            network = learn_network(codes, (3, 3, 2), 1, 50.0, 1e9, mechanisms.private_rng(), _quiet, None, score)
            parents = dict(network)
            found += parents.get(1) == (0,) or parents.get(0) == (1,)
        assert found >= 9, score
    assert mutual_information(a, b, 3, 3) > mutual_information(a, c, 3, 2)
    with pytest.raises(ValueError, match="structure score"):
        learn_network(codes, (3, 3, 2), 1, 1.0, 1e9, mechanisms.private_rng(), _quiet, None, "entropy")
