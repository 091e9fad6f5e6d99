"""The refiner's classifier reports each boosting round and can be cancelled between two
(synth/synthesizers/refinement.py): on a large table it is most of a Pruned CART fit, and it ran under one unmoving
message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
import synth.synthesizers.refinement as refinement
from synth.progress import Cancelled
from synth.synthesizers.refinement import MAX_TREES, fit_refiner


def _rows(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training rows and a model's rows that differ in one column's spread and another's missing share."""
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(3_000, 4)).astype(np.float32)
    fake = (rng.normal(size=(9_000, 4)) * [1.0, 1.4, 1.0, 1.0]).astype(np.float32)
    fake[rng.random(9_000) < 0.1, 3] = np.nan
    return real, fake


def test_each_round_is_reported_in_order_and_the_classifier_is_the_one_scikit_learn_fits_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real, fake = _rows(0)
    calls: list[tuple[float, str]] = []
    ticked = fit_refiner(real, fake, 7, lambda f, m: calls.append((f, m)))
    trees = len(ticked.trees)
    # One report per round (and one before the first tree): if scikit-learn renamed the hook, none would come.
    assert [f for f, _ in calls] == [min(i / MAX_TREES, 1.0) for i in range(trees + 1)], calls[:3]
    assert f"tree {trees:,} of at most {MAX_TREES}" in calls[-1][1]
    # The subclass only listens: the same trees, leaf values, baseline and cap as the plain estimator's.
    from sklearn.ensemble import HistGradientBoostingClassifier

    monkeypatch.setattr(refinement, "_ticking_classifier", lambda tick: HistGradientBoostingClassifier)
    plain = fit_refiner(real, fake, 7)
    assert len(plain.trees) == trees and plain.baseline == ticked.baseline and plain.cap == ticked.cap
    for a, b in zip(plain.values, ticked.values, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(plain.log_odds(fake), ticked.log_odds(fake))


def test_a_cancel_during_the_classifier_stops_the_fit_between_two_trees_and_keeps_the_model_unfitted() -> None:
    rng = np.random.default_rng(3)
    a = rng.normal(size=2_000)
    df = pd.DataFrame({"a": a, "b": a**2 + rng.normal(0, 0.3, 2_000), "c": rng.choice(list("xyz"), 2_000)})
    seen: list[str] = []

    def cancel_at_third_tree(fraction: float, message: str) -> None:
        seen.append(message)
        if "tree 3 of" in message:
            raise Cancelled

    model = synth.create("pruned_cart", random_state=0)
    with pytest.raises(Cancelled):
        model.fit(df, progress=cancel_at_third_tree)
    assert "tree 3 of" in seen[-1] and not any("tree 4 of" in m for m in seen)
    assert not hasattr(model, "refiner_") and not hasattr(model, "steps_")
    # and the same object fits afterwards, to the model an uninterrupted fit gives
    fitted = model.fit(df)
    pd.testing.assert_frame_equal(
        fitted.sample(300, seed=1), synth.create("pruned_cart", random_state=0).fit(df).sample(300, seed=1)
    )
