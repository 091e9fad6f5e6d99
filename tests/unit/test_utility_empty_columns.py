"""A synthetic column missing in every row (a DP fit at small ε hides a whole range and says so) must not break
the ML checks: scikit-learn's HistGradientBoosting refused such a column and TSTR and fairness failed outright
("window shape cannot be larger than input array shape")."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(0)
    n = 3000
    x = rng.normal(size=n)
    weight = rng.lognormal(10, 1, n)
    real = pd.DataFrame(
        {
            "x": x,
            "weight": weight,
            "group": rng.choice(["a", "b"], n),
            "y": np.where(x + rng.normal(0, 0.5, n) > 0, "yes", "no"),
        }
    )
    train, holdout = real.iloc[:2000].reset_index(drop=True), real.iloc[2000:].reset_index(drop=True)
    syn = train.sample(frac=1.0, random_state=1).reset_index(drop=True)
    syn["weight"] = np.nan  # what a DP fit gives a column whose whole range the noise hid
    return train, holdout, syn


def test_tstr_runs_with_a_column_missing_in_every_synthetic_row(tables: tuple[pd.DataFrame, ...]) -> None:
    train, holdout, syn = tables
    schema = synth.infer_schema(train)
    result = synth.evaluate_utility(train, syn, holdout, target="y", schema=schema)
    tstr = result.score("HistGradientBoosting", result.primary_metric)
    assert tstr is not None and tstr.tstr > 0.8, "x still predicts y: the empty column is simply not used"


def test_fairness_runs_with_a_column_missing_in_every_synthetic_row(tables: tuple[pd.DataFrame, ...]) -> None:
    train, holdout, syn = tables
    result = synth.evaluate_fairness(
        train, holdout, syn, sensitive="group", outcome="y", positive="yes", n_bootstrap=20
    )
    trained = {m.trained_on: m for m in result.models}
    assert set(trained) == {"real", "synthetic"}
    assert trained["synthetic"].accuracy > 0.8 and not trained["synthetic"].one_prediction
