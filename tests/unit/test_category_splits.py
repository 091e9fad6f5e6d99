"""Trees that order category predictors by what they predict (synth.synthesizers.category_splits)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.base import load_model
from synth.synthesizers.category_splits import category_ranks
from synth.synthesizers.persist import ModelFileError


@settings(max_examples=60, deadline=None)
@given(
    n_categories=st.integers(3, 12),
    n_classes=st.integers(2, 5),
    rows=st.integers(1, 400),
    seed=st.integers(0, 2**16),
    classifier=st.booleans(),
)
def test_ranks_are_a_permutation_of_the_codes(
    n_categories: int, n_classes: int, rows: int, seed: int, classifier: bool
) -> None:
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, n_categories, rows).astype(np.float32)
    y = rng.integers(0, n_classes, rows) if classifier else rng.normal(size=rows)
    ranks = category_ranks(codes, n_categories, y, classifier=classifier)
    if ranks is None:  # only when y is constant
        assert len(np.unique(y)) < 2
        return
    assert np.array_equal(np.sort(ranks), np.arange(n_categories, dtype=np.float32))


def test_a_binary_outcome_orders_categories_by_its_rate() -> None:
    codes = np.repeat(np.arange(4), 100).astype(np.float32)
    rate = np.array([0.9, 0.1, 0.7, 0.3])  # by code: a, b, c, d
    y = (np.tile(np.arange(100), 4) < np.repeat(rate * 100, 100)).astype(int)
    assert list(category_ranks(codes, 4, y, classifier=True)) == [3.0, 0.0, 2.0, 1.0]
    assert list(category_ranks(codes, 4, y.astype(float), classifier=False)) == [3.0, 0.0, 2.0, 1.0]


def _interleaved(n: int = 4_000) -> pd.DataFrame:
    """An outcome set by a group of categories that alternates with the labels' alphabetical order."""
    rng = np.random.default_rng(0)
    cat = rng.choice(list("abcdefgh"), n)
    high = np.isin(cat, list("aceg"))
    return pd.DataFrame({"cat": cat, "level": np.where(rng.random(n) < np.where(high, 0.85, 0.15), "hi", "lo")})


@pytest.mark.parametrize("grouped", [True, False])
def test_one_split_groups_categories_that_alternate_in_the_alphabet(grouped: bool) -> None:
    table = _interleaved()
    model = synth.create("pruned_cart", random_state=0, visit_order="table", category_splits=grouped).fit(table)
    step = next(s for s in model.steps_ if model.columns_[s.column].name == "level")
    leaves = int(np.sum(step.tree.children_left == -1))
    syn = model.sample(20_000, seed=1)
    real_rate = table.groupby("cat")["level"].apply(lambda s: (s == "hi").mean())
    fake_rate = syn.groupby("cat")["level"].apply(lambda s: (s == "hi").mean())
    assert (fake_rate - real_rate).abs().max() < 0.05  # both get there: the point is how
    if grouped:
        assert leaves == 2, "the four high categories go one way in a single split"
    else:
        assert leaves >= 8, "alphabetical codes need a split between every two neighbours"


def test_the_order_survives_saving_and_a_crafted_order_is_refused(tmp_path: Path) -> None:
    model = synth.create("pruned_cart", random_state=0, visit_order="table", category_splits=True).fit(
        _interleaved(2_000)
    )
    assert any(step.recodes for step in model.steps_)
    path = tmp_path / "m.synth"
    model.save(path)
    pd.testing.assert_frame_equal(load_model(path).sample(500, seed=2), model.sample(500, seed=2))
    with zipfile.ZipFile(path) as zf:
        manifest, arrays = json.loads(zf.read("manifest.json")), dict(np.load(zf.open("arrays.npz")))

    def places_keys(value: object, out: list[str]) -> list[str]:
        """The array keys holding the places of every recode in the manifest."""
        if isinstance(value, dict):
            if value.get("$") == "dc" and str(value.get("type", "")).endswith("CartStep"):
                for pair in value["v"].get("recodes", {}).get("v", []):
                    out.append(pair["v"][1]["key"])
            for v in value.values():
                places_keys(v, out)
        elif isinstance(value, list):
            for v in value:
                places_keys(v, out)
        return out

    keys = places_keys(manifest, [])
    assert keys
    for bad in (np.full(8, 7.0, dtype=np.float32), np.arange(8, dtype=np.float32) * 100):  # not a permutation
        crafted = tmp_path / "crafted.synth"
        with zipfile.ZipFile(crafted, "w") as zf:
            zf.writestr("manifest.json", json.dumps(manifest))
            with zf.open("arrays.npz", "w") as raw:
                np.savez(raw, **{**arrays, keys[0]: bad})
        with pytest.raises(ModelFileError, match="permutation"):
            load_model(crafted)


def test_binned_predictors_keep_their_codes() -> None:
    """Predictor bins are cut on a category's codes: with them, trees are given no category order (its places
    would be binned by edges of the codes)."""
    model = synth.create(
        "pruned_cart", random_state=0, visit_order="table", category_splits=True, predictor_bins=4
    ).fit(_interleaved(2_000))
    assert not any(step.recodes for step in model.steps_)
