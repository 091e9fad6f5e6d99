"""The TSTR reference table of ``benchmarks/bench_tstr_reference.py``: outcomes drawn from cross-fitted
probabilities follow them, and no row's probability is learnt from its own label."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

import synth
from benchmarks.bench_tstr_reference import cross_fitted_probabilities, drawn_labels


def test_drawn_labels_follow_their_probabilities() -> None:
    rng = np.random.default_rng(0)
    one_hot = np.eye(3)[rng.integers(0, 3, 500)]
    assert (
        drawn_labels(one_hot, ["a", "b", "c"], rng) == np.array(["a", "b", "c"], dtype=object)[one_hot.argmax(1)]
    ).all()
    p = np.tile([0.2, 0.5, 0.3], (40_000, 1))
    got = pd.Series(drawn_labels(p, ["a", "b", "c"], rng)).value_counts(normalize=True)
    assert got.to_dict() == pytest.approx({"a": 0.2, "b": 0.5, "c": 0.3}, abs=0.01)


def test_no_row_learns_its_own_label() -> None:
    """Labels independent of the features: a probability fitted on the row itself would still rank its own label
    (in-sample fit); cross-fitted ones do not."""
    rng = np.random.default_rng(1)
    n = 3000
    table = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n), "y": rng.choice(["no", "yes"], n)})
    schema = synth.infer_schema(table)
    probabilities, classes = cross_fitted_probabilities(table, schema, "y", seed=0)
    own = table["y"].to_numpy() == classes[1]
    assert roc_auc_score(own, probabilities[:, 1]) < 0.55

    from sklearn.ensemble import HistGradientBoostingClassifier

    in_sample = HistGradientBoostingClassifier(max_iter=200, random_state=0).fit(table[["a", "b"]], own)
    assert roc_auc_score(own, in_sample.predict_proba(table[["a", "b"]])[:, 1]) > 0.6  # what the folds prevent


def test_a_learnable_outcome_is_learnt() -> None:
    rng = np.random.default_rng(2)
    n = 3000
    a = rng.normal(size=n)
    table = pd.DataFrame({"a": a, "b": rng.normal(size=n), "y": np.where(a > 0, "hi", "lo")})
    probabilities, classes = cross_fitted_probabilities(table, synth.infer_schema(table), "y", seed=0)
    assert probabilities.sum(axis=1) == pytest.approx(np.ones(n))
    assert np.mean(np.asarray(classes, dtype=object)[probabilities.argmax(1)] == table["y"].to_numpy()) > 0.97
