"""Demo mode's game and anonymised names; the data card's model-file inventory."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.report.card import model_contents
from synth.report.demo import anonymous_names, spot_the_synthetic
from synth.report.race import Contender, RunResult


def test_anonymous_names_are_unique_and_hide_the_real_names() -> None:
    cols = [f"c{i}" for i in range(60)]
    names = anonymous_names(cols)
    assert len(set(names.values())) == 60
    assert names["c0"] == "Column A" and names["c25"] == "Column Z" and names["c26"] == "Column AA"
    assert not any(c in v.split() for c, v in names.items())


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(2, 20))
def test_game_mixes_half_and_half_and_scores_guesses(seed: int, n: int) -> None:
    real = pd.DataFrame({"a": range(100), "b": ["r"] * 100})
    syn = pd.DataFrame({"a": range(1000, 1100), "b": ["s"] * 100})
    game = spot_the_synthetic(real, syn, n=n, seed=seed)
    assert len(game.rows) == n and sum(game.is_synthetic) == n // 2
    # the flags are right: synthetic rows are exactly those with b == "s"
    assert tuple(game.rows["b"] == "s") == game.is_synthetic
    truth = [i + 1 for i, s in enumerate(game.is_synthetic) if s]
    assert game.score(truth).accuracy == 1.0
    assert game.score([i + 1 for i in range(n) if i + 1 not in truth]).accuracy == 0.0
    again = spot_the_synthetic(real, syn, n=n, seed=seed)
    pd.testing.assert_frame_equal(game.rows, again.rows)


@pytest.fixture(scope="module")
def fitted(adult_small: pd.DataFrame) -> synth.Synthesizer:
    return synth.create("independent").fit(adult_small.head(500))


def test_model_contents_list_what_the_synthesizers_file_holds(fitted: synth.Synthesizer) -> None:
    """The card copies the synthesizer's declared inventory of real-data-derived content, item by item."""
    run = RunResult(Contender("independent"), "Independent", "ok", model=fitted)
    items = model_contents(run)
    inventory = fitted.artifact_inventory()
    assert inventory and len(items) == len(inventory)
    for line, item in zip(items, inventory, strict=True):
        assert item.name in line and item.content in line and item.protection in line


def test_model_contents_use_the_synthesizers_inventory_when_it_has_one(fitted: synth.Synthesizer) -> None:
    fitted.artifact_inventory = lambda: [("marginals", "one frequency table per column")]  # type: ignore[attr-defined]
    try:
        run = RunResult(Contender("independent"), "Independent", "ok", model=fitted)
        assert model_contents(run) == ["marginals: one frequency table per column"]
    finally:
        del fitted.artifact_inventory  # type: ignore[attr-defined]
    external = RunResult(Contender("external"), "other tool", "ok")
    assert "made outside synth" in model_contents(external)[0]
