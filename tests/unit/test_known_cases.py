"""Metrics on cases whose answer is known: identical tables, unrelated noise, a copy of train, fresh data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth


def _noise_like(df: pd.DataFrame, seed: int = 0) -> pd.DataFrame:
    """Same columns and kinds, values unrelated to the real ones (uniform over a wrong range / categories)."""
    rng = np.random.default_rng(seed)
    out = {}
    for name in df.columns:
        if pd.api.types.is_numeric_dtype(df[name]):
            out[name] = rng.integers(0, 1000, len(df))
        else:
            out[name] = rng.choice(["zz", "yy"], len(df))
    return pd.DataFrame(out)


def test_identical_tables_score_best(adult_small: pd.DataFrame) -> None:
    fid = synth.evaluate_fidelity(adult_small, adult_small.copy(), run_sdmetrics=False)
    assert fid.overall == pytest.approx(1.0)
    assert all(c.score == pytest.approx(1.0) for c in fid.columns)


def test_unrelated_noise_scores_badly(adult_small: pd.DataFrame) -> None:
    fid = synth.evaluate_fidelity(adult_small, _noise_like(adult_small), run_sdmetrics=False)
    assert fid.column_shapes < 0.3
    assert fid.overall < 0.5


def test_holdout_scores_near_train_and_between_noise_and_identity(adult_small: pd.DataFrame) -> None:
    train, holdout = synth.split(adult_small, 0.3, seed=0)
    fid = synth.evaluate_fidelity(train, holdout, holdout=holdout, run_sdmetrics=False)
    assert 0.9 < fid.overall < 1.0
    assert fid.reference is not None and fid.reference.overall == pytest.approx(fid.overall)


def test_sdmetrics_agrees_on_identical_tables(adult_small: pd.DataFrame) -> None:
    fid = synth.evaluate_fidelity(adult_small, adult_small.copy())
    assert fid.sdmetrics is not None, fid.sdmetrics_error
    assert fid.sdmetrics.overall == pytest.approx(1.0)
    assert fid.sdmetrics.correlation_threshold == 0.5 and fid.sdmetrics.association_threshold == 0.3


def test_a_copy_of_train_is_caught_and_fresh_data_is_not(adult_small: pd.DataFrame) -> None:
    train, holdout = synth.split(adult_small, 0.3, seed=0)
    copy = synth.evaluate_privacy(train, train.sample(frac=1.0, random_state=1), holdout=holdout)
    # A copied row sits in the holdout-sized train sample only with probability n_holdout / n_train (3/7 here);
    # otherwise it is a coin flip: the share is 3/7 + 4/7 · 1/2 ≈ 0.71. That is why exact copies and zero
    # distances are reported beside it.
    assert copy.dcr_share == pytest.approx(3 / 7 + 4 / 7 / 2, abs=0.05)
    assert copy.exact_copy_rate == pytest.approx(1.0)
    assert float(np.median(copy.dcr_synthetic)) == 0.0

    fresh_train, fresh_holdout = synth.split(holdout, 0.5, seed=1)
    fresh = synth.evaluate_privacy(train, fresh_train, holdout=fresh_holdout)
    assert fresh.dcr_share == pytest.approx(0.5, abs=0.08)


def test_privacy_is_seeded(adult_small: pd.DataFrame) -> None:
    train, holdout = synth.split(adult_small, 0.3, seed=0)
    syn = synth.create("independent").fit(train).sample(len(train), seed=0)
    a = synth.evaluate_privacy(train, syn, holdout=holdout, seed=3)
    b = synth.evaluate_privacy(train, syn, holdout=holdout, seed=3)
    assert a == b
