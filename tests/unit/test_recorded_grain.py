"""Whole numbers recorded to tens, hundreds, … come out at that grain: salaries to the nearest 100 stay so.

A walk on an HR table found real salaries all ending in 00 ("€72,100.00") and synthetic ones like "€57,732.00"
from every synthesizer: a tell an analyst sees at a glance. Schema inference now records the grain as negative
decimals (``numpy.round``'s convention) and output is rounded to it as to recorded decimals, under the same
rare-value guard for CART.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.sampling.unrounded import finer_note
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.number_text import MIN_DECIMALS
from synth.schema.recorded_places import MIN_GRAIN_VALUES, recorded_grain


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(10**6), 10**6), min_size=1, max_size=60), st.integers(0, 5))
def test_the_grain_is_the_most_zeros_every_value_ends_in(ints: list[int], zeros: int) -> None:
    values = np.array(ints, dtype=float) * 10.0**zeros
    grain = recorded_grain(values)
    distinct = len({v for v in values.tolist() if v != 0})
    if distinct < MIN_GRAIN_VALUES:
        assert grain is None
        return
    if grain is None:
        assert zeros == 0 or np.any(np.fmod(values, 10.0) != 0)
        return
    assert MIN_DECIMALS <= grain <= -1
    assert np.array_equal(np.round(values, grain), values), "rounding to the grain changes no value"
    if grain > MIN_DECIMALS:
        assert not np.array_equal(np.round(values, grain - 1), values), "one more zero would"
    assert -grain >= min(zeros, -MIN_DECIMALS)


def _table(n: int = 2_000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    salary = (rng.lognormal(10.8, 0.35, n) / 100).round() * 100
    return pd.DataFrame(
        {
            "salary": salary,
            "salary_text": [f"€{v:,.2f}" for v in salary],
            # Estate values over a wide range (median 66 million): hundreds of grid values per pooled row, so CART's
            # rare-value guard keeps the grain too.
            "estate_value": (rng.lognormal(18, 2.5, n) / 100).round() * 100,
            "children": rng.integers(0, 5, n),
            "team": rng.choice(["a", "b", "c"], n),
        }
    )


def test_inference_records_the_grain_and_says_so() -> None:
    schema = synth.infer_schema(_table())
    for name in ("salary", "salary_text", "estate_value"):
        assert schema[name].kind is ColumnKind.DISCRETE and schema[name].decimals == -2, name
        assert "recorded to the nearest 100" in schema[name].reason
    assert schema["children"].decimals is None  # 0 … 4: units
    # A handful of round codes is no grain: years 2000 and 2010.
    few = synth.infer_schema(pd.DataFrame({"year": [2000, 2010, 2020, 2000] * 50}))
    assert few["year"].decimals is None


@pytest.mark.parametrize("name", ["gaussian_copula", "independent", "privbayes", "cart", "pruned_cart"])
def test_every_synthesizer_writes_whole_numbers_at_their_grain(name: str) -> None:
    real = _table()
    model = synth.create(name, random_state=0).fit(real)
    out = model.sample(1_500, seed=1)
    kept = model.schema_["salary"].decimals == -2
    if name in ("gaussian_copula", "independent", "privbayes"):
        assert kept, "only CART's rare-value guard may drop a grain"
    values = out["salary"].dropna().astype(float)
    text = out["salary_text"].dropna().str.replace(r"[€,]", "", regex=True).astype(float)
    if kept:
        assert (values % 100 == 0).all() and (text % 100 == 0).all()
    else:  # CART keeps draws near rare values finer and the Sample page's note says so, read from the sample
        note = finer_note(out, synth.infer_schema(real), model) or ""
        # The text column too: its layout writes cents, not hundreds ("€72,353.00").
        for column, written in (("salary", values), ("salary_text", text)):
            named = f"{column} (" in note and "real values are multiples of 100" in note
            assert named == bool((written % 100 != 0).any()), (column, note)
    assert out["salary_text"].dropna().str.fullmatch(r"€\d{1,3}(,\d{3})*\.00").all()
    # Wide-ranging estate values hold plenty of grid values per pooled row: every model keeps their grain.
    assert model.schema_["estate_value"].decimals == -2
    assert (out["estate_value"].dropna() % 100 == 0).all()


def test_the_grain_survives_a_schema_file_and_a_model_file(tmp_path: Path) -> None:
    real = _table(800)
    schema = synth.infer_schema(real)
    loaded = Schema.from_json(schema.to_json())
    assert loaded["salary"].decimals == -2
    model = synth.create("gaussian_copula", random_state=0).fit(real, schema=loaded)
    model.save(tmp_path / "m.synth")
    again = synth.load_model(tmp_path / "m.synth")
    pd.testing.assert_frame_equal(again.sample(300, seed=3), model.sample(300, seed=3))
    assert (again.sample(300, seed=3)["salary"] % 100 == 0).all()


@pytest.mark.parametrize("bad", [MIN_DECIMALS - 1, -100, 2.0, True, "-2"])
def test_a_crafted_grain_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="decimals must be a whole number"):
        ColumnSpec("salary", ColumnKind.DISCRETE, decimals=bad)  # type: ignore[arg-type]
    text = json.dumps({"columns": [{"name": "salary", "kind": "discrete", "decimals": bad}]})
    with pytest.raises(ValueError, match="decimals must be a whole number"):
        Schema.from_json(text)


@pytest.mark.parametrize("name", ["gaussian_copula", "cart", "pruned_cart"])
def test_rounding_to_the_grain_brings_back_no_more_training_values_than_fresh_ones(name: str) -> None:
    """The README's claim that a grain costs no measured privacy, attacked with the rare-value membership test:
    train-only salaries and estate values reproduced no more often than holdout-only ones (interval reaches 0,
    no column flagged), where the grain is kept (estate values, every model) and rounded (salaries, copula)."""
    real = _table(4_000, seed=3)
    train, holdout = synth.split(real, holdout=0.5, seed=0)
    model = synth.create(name, random_state=0).fit(train)
    assert model.schema_["estate_value"].decimals == -2, "the premise: the grain is kept"
    rare = synth.evaluate_rare_values(train, model.sample(len(train), seed=1), holdout, schema=model.schema_)
    assert rare.pooled_low <= 0.0 and not rare.flagged, (rare.pooled_excess, rare.flagged)
