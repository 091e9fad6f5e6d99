"""Residual predictors of correlated numbers in CART's trees (synth.synthesizers.residual_features)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.base import load_model
from synth.synthesizers.persist import ModelFileError
from synth.synthesizers.residual_features import MIN_CORRELATION, find_residuals, with_residuals


@settings(max_examples=40, deadline=None)
@given(
    slope=st.floats(-5, 5).filter(lambda b: abs(b) > 0.2),
    intercept=st.floats(-100, 100),
    noise=st.floats(0.0, 3.0),
    seed=st.integers(0, 2**16),
)
def test_a_pair_is_offered_exactly_when_it_is_correlated_and_its_line_is_the_least_squares_one(
    slope: float, intercept: float, noise: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    u = rng.normal(0, 1, 500)
    v = intercept + slope * u + noise * rng.normal(0, 1, 500)
    w = rng.normal(0, 1, 500)  # unrelated to both
    x = np.column_stack([u, v, w]).astype(np.float32)
    found = find_residuals(x, [0, 1, 2])
    corr = abs(np.corrcoef(x[:, 0].astype(float), x[:, 1].astype(float))[0, 1])
    pairs = {(r.i, r.k): r for r in found}
    assert ((0, 1) in pairs) == (corr >= MIN_CORRELATION)
    assert not {(0, 2), (1, 2)} & set(pairs) or abs(np.corrcoef(x[:, 0], x[:, 2])[0, 1]) >= MIN_CORRELATION
    if (0, 1) in pairs:
        b, a = np.polyfit(x[:, 0].astype(float), x[:, 1].astype(float), 1)
        assert pairs[(0, 1)].slope == pytest.approx(b, rel=1e-4, abs=1e-4)
        assert pairs[(0, 1)].intercept == pytest.approx(a, rel=1e-4, abs=1e-3)
        column = with_residuals(x, (pairs[(0, 1)],))[:, 3]
        assert abs(float(np.mean(column))) < 1e-3 * max(1.0, abs(intercept))  # a residual averages zero


def _diagonal(n: int = 4_000) -> pd.DataFrame:
    """A class set by which side of a diagonal a row lies on: v above or below its line on u."""
    rng = np.random.default_rng(0)
    u = rng.uniform(0, 100, n).round(2)
    v = (u + rng.normal(0, 8, n)).round(2)
    return pd.DataFrame({"u": u, "v": v, "side": np.where(v > u, "above", "below")})


@pytest.mark.parametrize("residuals", [True, False])
def test_a_diagonal_boundary_takes_one_split(residuals: bool) -> None:
    table = _diagonal()
    # Without linear scores: the class's least-squares score on u and v is the diagonal too (linear_scores).
    model = synth.create(
        "pruned_cart", random_state=0, visit_order="table", residual_splits=residuals, linear_splits=False
    ).fit(table)
    step = next(s for s in model.steps_ if model.columns_[s.column].name == "side")
    leaves = int(np.sum(step.tree.children_left == -1))
    syn = model.sample(20_000, seed=1)
    wrong = float(np.mean((syn["v"] > syn["u"]) != (syn["side"] == "above")))
    if residuals:
        # One split on v − line(u) does nearly all of it (measured: 5 leaves, 3.5% of rows on the wrong side); the
        # fitted line is not exactly v = u (slope 0.99 on this sample), so a few splits at the ends remain.
        assert leaves <= 6
        assert wrong < 0.05  # rows on the wrong side: the leaves that straddle the line (40 rows at least)
    else:
        assert leaves > 20, "a staircase of splits on u and v"
        assert wrong > 0.10  # measured 0.13 at 38 leaves


def test_residuals_survive_saving_and_a_crafted_one_is_refused(tmp_path: Path) -> None:
    table = _diagonal(2_000)
    table["kind"] = np.random.default_rng(1).choice(["a", "b"], len(table))
    model = synth.create("pruned_cart", random_state=0, visit_order="table").fit(table)
    assert any(step.residuals for step in model.steps_)
    path = tmp_path / "m.synth"
    model.save(path)
    pd.testing.assert_frame_equal(load_model(path).sample(500, seed=2), model.sample(500, seed=2))
    with zipfile.ZipFile(path) as zf:
        text, arrays = zf.read("manifest.json").decode(), zf.read("arrays.npz")

    def crafted(pattern: str, replacement: str) -> Path:
        at = text.index("Residual")
        out = tmp_path / "crafted.synth"
        with zipfile.ZipFile(out, "w") as zf:
            zf.writestr("manifest.json", text[:at] + re.sub(pattern, replacement, text[at:], count=1))
            zf.writestr("arrays.npz", arrays)
        return out

    assert re.search(r'"i":0,"k":1,"intercept":[-0-9.e]+,"slope":[-0-9.e]+', text), "the residual as saved"
    assert isinstance(load_model(crafted(r'"i":0', '"i":0')), type(model))  # unchanged: loads
    with pytest.raises(ModelFileError, match="residuals"):
        load_model(crafted(r'"i":0', '"i":7'))  # a slot past the tree's own
    with pytest.raises(ModelFileError, match="residuals"):
        load_model(crafted(r'"i":0', '"i":2'))  # the step's own column (a category, too)
    with pytest.raises(ModelFileError, match="residuals"):
        load_model(crafted(r'"slope":[-0-9.e]+', '"slope":{"$":"float","v":"nan"}'))  # not a finite line


def test_binned_predictors_get_no_residuals() -> None:
    """Pruned CART bins each predictor slot by its own values: a residual column past the slots has no bins of its
    own, so with predictor_bins the trees are offered none (they used to be binned by whichever column sat at that
    position of the table)."""
    model = synth.create("pruned_cart", random_state=0, visit_order="table", predictor_bins=10).fit(_diagonal(2_000))
    assert not any(step.residuals for step in model.steps_)
    assert len(model.sample(200, seed=1)) == 200


def test_a_tree_keeps_only_the_residuals_it_splits_on_and_samples_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Unused residual predictors are dropped after the fit (sampling then copies nothing for their trees); the
    renumbered trees route every row as before, so the synthetic table is the same."""
    rng = np.random.default_rng(3)
    base = rng.normal(size=(3_000, 1))
    table = pd.DataFrame(base + 0.3 * rng.normal(size=(3_000, 6)), columns=[f"x{i}" for i in range(6)])
    table["side"] = np.where(table["x1"] > table["x0"], "above", "below")
    model = synth.create("pruned_cart", random_state=0, visit_order="table").fit(table)
    for step in model.steps_:
        if step.tree is not None and step.residuals:
            inner = step.tree.children_left >= 0
            used = {int(f) for f in step.tree.feature[inner] if f >= step.column}
            # (a linear score, when the tree keeps one, is the last extra predictor: linear_scores)
            extras = len(step.residuals) + (step.score is not None)
            assert used == set(range(step.column, step.column + extras))
    assert sum(len(s.residuals) for s in model.steps_) < sum(
        min(len([r for r in model_residuals(table) if r.i < s.column and r.k < s.column]), 8) for s in model.steps_
    ), "some offered residuals went unused and were dropped"
    from synth.synthesizers import cart_growing

    monkeypatch.setattr(cart_growing, "used_residuals", lambda tree, column, residuals: (tree, residuals))
    unreduced = synth.create("pruned_cart", random_state=0, visit_order="table").fit(table)
    pd.testing.assert_frame_equal(model.sample(2_000, seed=1), unreduced.sample(2_000, seed=1))


def model_residuals(table: pd.DataFrame) -> tuple:
    """The residual pairs a model offers on ``table`` (visit order = table order, every column a number but one)."""
    numbers = table.select_dtypes("number")
    return find_residuals(numbers.to_numpy(dtype=np.float32), list(range(numbers.shape[1])))


def test_a_tree_with_category_orders_and_residuals_reads_both_from_one_copy() -> None:
    from synth.synthesizers.cart_steps import tree_inputs
    from synth.synthesizers.category_splits import recoded

    rng = np.random.default_rng(5)
    u = rng.uniform(0, 100, 3_000)
    cat = rng.choice(list("abcdef"), 3_000)
    table = pd.DataFrame({"cat": cat, "u": u.round(2), "v": (u + rng.normal(0, 8, 3_000)).round(2)})
    table["side"] = np.where((table["v"] > table["u"]) ^ np.isin(table["cat"], list("ace")), "x", "y")
    model = synth.create(
        "pruned_cart", random_state=0, visit_order="table", category_splits=True, residual_splits=True
    ).fit(table)
    step = next(s for s in model.steps_ if model.columns_[s.column].name == "side")
    assert step.recodes and step.residuals
    x = np.asfortranarray(table[["cat", "u", "v"]].assign(cat=pd.Categorical(table["cat"]).codes).to_numpy(np.float32))
    expected = with_residuals(recoded(x, step.recodes), step.residuals)  # two copies, the plain way
    np.testing.assert_array_equal(tree_inputs(x, step.recodes, step.residuals), expected)
    np.testing.assert_array_equal(x[:, 0], pd.Categorical(table["cat"]).codes)  # the caller's array is untouched
