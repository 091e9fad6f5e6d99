"""Pairs of columns rarely present together are not judged on a handful of rows (``pair_support``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.fidelity.diagnosis import diagnose_pairs
from synth.evaluation.fidelity.pair_support import (
    MIN_PAIR_ROWS,
    MIN_PAIR_SHARE,
    is_supported,
    rank_pairs,
    rows_in_common,
)


def sparse_tables(n: int = 1_000, present: int = 40, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Real and "synthetic" tables: x and y correlated in both; z, present in ``present`` rows, tied to x in the
    real table and independent of it in the synthetic one, so the worst pair by score is one of z's."""
    rng = np.random.default_rng(seed)

    def table(tied: bool) -> pd.DataFrame:
        x = rng.normal(size=n)
        y = x + rng.normal(scale=0.5, size=n)
        z = np.where(tied, 2 * x, rng.normal(size=n)) + rng.normal(scale=0.05, size=n)
        z[rng.permutation(n)[present:]] = np.nan
        return pd.DataFrame({"x": x, "y": y, "z": z, "c": rng.choice(["a", "b"], n)})

    return table(True), table(False)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), rows=st.integers(1, 60), missing=st.floats(0.0, 0.9))
def test_rows_in_common_counts_rows_holding_both(seed: int, rows: int, missing: float) -> None:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(rows, 4)), columns=list("abcd")).mask(rng.random((rows, 4)) < missing)
    common = rows_in_common(frame, ["a", "b", "c", "d", "not there"])
    assert len(common) == 6
    for pair, count in common.items():
        a, b = sorted(pair)
        assert count == int((frame[a].notna() & frame[b].notna()).sum())


@given(common=st.integers(0, 10_000), n_rows=st.integers(1, 100_000))
def test_a_pair_is_supported_by_enough_rows_and_a_share_of_them(common: int, n_rows: int) -> None:
    common = min(common, n_rows)
    assert is_supported(common, n_rows) == (common >= MIN_PAIR_ROWS and common >= MIN_PAIR_SHARE * n_rows)


@pytest.fixture(scope="module")
def sparse_result() -> tuple[pd.DataFrame, synth.FidelityResult]:
    real, fake = sparse_tables()
    return real, synth.evaluate_fidelity(real, fake, run_sdmetrics=False)


def test_a_sparse_pair_is_left_out_of_the_ranking_and_the_first_pair(
    sparse_result: tuple[pd.DataFrame, synth.FidelityResult],
) -> None:
    real, result = sparse_result
    worst = result.worst_pairs()[0]
    assert "z" in (worst.column_a, worst.column_b), "premise: without the floor a pair of z's comes first"
    ranked = rank_pairs(result, real)
    assert {frozenset((p.column_a, p.column_b)) for p in ranked.sparse} == {
        frozenset(("x", "z")),
        frozenset(("y", "z")),
        frozenset(("z", "c")),
    }
    assert ranked.first is not None and "z" not in (ranked.first.column_a, ranked.first.column_b)
    assert all(ranked.rows(p) == 40 for p in ranked.sparse)
    note = ranked.note()
    assert note.startswith("3 pairs left out: fewer than 100 of the 1,000 real rows hold both values")
    assert "(40)" in note


def test_the_lost_relationships_state_their_rows_and_skip_sparse_pairs(
    sparse_result: tuple[pd.DataFrame, synth.FidelityResult],
) -> None:
    real, result = sparse_result
    diagnoses = diagnose_pairs(result, top=5, real=real)
    assert diagnoses and all("z" not in (d.column_a, d.column_b) for d in diagnoses)
    for d in diagnoses:
        expected = int((real[d.column_a].notna() & real[d.column_b].notna()).sum())
        assert d.rows_in_common == expected
        assert d.message.endswith(f"; {expected:,} of 1,000 real rows hold both values")
    unfloored = diagnose_pairs(result, top=5)
    assert any("z" in (d.column_a, d.column_b) for d in unfloored) and unfloored[0].rows_in_common is None


def test_a_small_table_ranks_every_pair_and_says_why() -> None:
    real, fake = sparse_tables(n=80, present=30, seed=1)
    result = synth.evaluate_fidelity(real, fake, run_sdmetrics=False)
    ranked = rank_pairs(result, real)
    assert not ranked.supported and ranked.ranked == ranked.sparse
    assert ranked.first == result.worst_pairs()[0]
    assert ranked.note().startswith("Every pair has fewer than 100 of the 80 real rows holding both values")
    assert len(diagnose_pairs(result, top=5, real=real)) == min(5, len(result.worst_pairs()))


def test_the_hr_walk_tables_sparse_pair_is_left_out() -> None:
    """README and the module docstring: HR's office_lat × termination_date share 23 of 2,400 training rows."""
    from benchmarks.walk_tables import hr

    train, _ = synth.split(hr(), holdout=0.2, seed=0)
    common = rows_in_common(train, ["office_lat", "termination_date", "office_lon"])
    assert (common[frozenset(("office_lat", "termination_date"))], len(train)) == (23, 2_400)
    assert not is_supported(23, 2_400) and is_supported(common[frozenset(("office_lat", "office_lon"))], 2_400)
