"""Date columns that follow one another keep their order in CART's synthetic rows (synth.synthesizers.column_order)."""

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
from synth.synthesizers.persist import ModelFileError
from tests.unit.crafting import each_cart_step, replaced_after, write_model


def _orders(n: int, seed: int, max_gap: int = 300) -> pd.DataFrame:
    """A signup date, a last order 0..max_gap days later, a cancellation date on or before the signup (listed
    first, so its order runs the other way), a plan, and a date that has nothing to do with the others."""
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    return pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "pro"], n),
            "signup": signup.strftime("%Y-%m-%d"),
            "last_order": (signup + pd.to_timedelta(rng.integers(0, max_gap + 1, n), unit="D")).strftime("%Y-%m-%d"),
            "trial_start": (signup - pd.to_timedelta(rng.integers(0, 30, n), unit="D")).strftime("%Y-%m-%d"),
            "unrelated": (pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")).strftime(
                "%Y-%m-%d"
            ),
        }
    )


def _days(table: pd.DataFrame, later: str, earlier: str) -> pd.Series:
    return (pd.to_datetime(table[later]) - pd.to_datetime(table[earlier])).dt.days


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_an_order_that_holds_on_every_training_row_holds_on_every_synthetic_one(name: str) -> None:
    table = _orders(3_000, 0)
    model = synth.create(name, random_state=0).fit(table)
    syn = model.sample(5_000, seed=1)
    assert (_days(syn, "last_order", "signup") >= 0).all()
    assert (_days(syn, "signup", "trial_start") >= 0).all()
    gaps = _days(syn, "last_order", "signup")
    assert gaps.max() <= 300 + 10  # gaps are drawn like any number: within the training gaps (rare ones banded)
    # The later date's own distribution is kept: its deciles within a month of the real ones.
    real, fake = pd.to_datetime(table["last_order"]), pd.to_datetime(syn["last_order"])
    q = np.linspace(0.1, 0.9, 9)
    assert ((fake.quantile(q) - real.quantile(q)).abs() < pd.Timedelta(days=31)).all()
    anchored = {model.columns_[s.column].name: model.columns_[s.anchor].name for s in model.steps_ if s.anchor >= 0}
    assert anchored.get("last_order") == "signup" and "unrelated" not in anchored


def test_without_the_order_rule_cart_breaks_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """The premise: drawing each date from its own donors puts some orders before their signup."""
    from synth.synthesizers import column_order

    table = _orders(3_000, 0)
    monkeypatch.setattr(column_order, "MIN_BREAKS", 2.0)  # no pair can qualify
    syn = synth.create("pruned_cart", random_state=0).fit(table).sample(5_000, seed=1)
    assert (_days(syn, "last_order", "signup") < 0).mean() > 0.005


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**16), max_gap=st.integers(0, 2_000), n=st.integers(200, 800))
def test_the_order_holds_for_any_gaps(seed: int, max_gap: int, n: int) -> None:
    table = _orders(n, seed, max_gap)
    syn = synth.create("pruned_cart", random_state=seed, min_samples_leaf=10).fit(table).sample(400, seed=seed)
    assert (_days(syn, "last_order", "signup") >= 0).all()
    assert (_days(syn, "signup", "trial_start") >= 0).all()


def test_a_saved_model_keeps_the_order_and_a_file_from_before_loads(tmp_path: Path) -> None:
    table = _orders(2_000, 3)
    model = synth.create("pruned_cart", random_state=0).fit(table)
    path = tmp_path / "m.synth"
    model.save(path)
    again = load_model(path)
    pd.testing.assert_frame_equal(model.sample(500, seed=2), again.sample(500, seed=2))
    with zipfile.ZipFile(path) as zf:
        manifest, arrays = json.loads(zf.read("manifest.json")), zf.read("arrays.npz")

    def strip(value: object) -> object:  # a file written before the rule: steps without anchor and sign
        if isinstance(value, dict):
            if value.get("$") == "dc" and str(value.get("type", "")).endswith("CartStep"):
                value["v"].pop("anchor", None)
                value["v"].pop("sign", None)
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    old = tmp_path / "old.synth"
    with zipfile.ZipFile(old, "w") as zf:
        zf.writestr("manifest.json", json.dumps(strip(json.loads(json.dumps(manifest)))))
        zf.writestr("arrays.npz", arrays)
    assert all(s.anchor == -1 for s in load_model(old).steps_)

    def crafted(anchor: object) -> Path:
        bad = json.loads(json.dumps(manifest))

        def poke(step: dict) -> None:
            if step.get("anchor", -1) != -1:
                step["anchor"] = anchor

        each_cart_step(bad, poke)
        return write_model(tmp_path / f"bad_{anchor}.synth", bad, arrays)

    for anchor in (99, 0):  # past the step's own column; the plan column, which is no date
        with pytest.raises(ModelFileError):
            load_model(crafted(anchor))


def test_the_copula_keeps_the_order_too_and_refuses_a_crafted_one(tmp_path: Path) -> None:
    table = _orders(3_000, 0)
    model = synth.create("gaussian_copula", random_state=0).fit(table)
    assert set(model.date_gaps_) == {("last_order", "signup", 1.0), ("trial_start", "signup", -1.0)}
    syn = model.sample(5_000, seed=1)
    assert (_days(syn, "last_order", "signup") >= 0).all()
    assert (_days(syn, "signup", "trial_start") >= 0).all()
    real, fake = pd.to_datetime(table["last_order"]), pd.to_datetime(syn["last_order"])
    q = np.linspace(0.1, 0.9, 9)
    assert ((fake.quantile(q) - real.quantile(q)).abs() < pd.Timedelta(days=31)).all()
    path = tmp_path / "c.synth"
    model.save(path)
    pd.testing.assert_frame_equal(load_model(path).sample(300, seed=4), model.sample(300, seed=4))
    # a gap anchored on a column that is no date
    crafted = replaced_after(path, tmp_path / "crafted.synth", "date_gaps_", '"signup"', '"plan"')
    with pytest.raises(ModelFileError, match="date gaps"):
        load_model(crafted)


def test_a_rare_gap_is_banded_like_any_rare_number_and_never_stored(tmp_path: Path) -> None:
    """The docstring's promise: gaps are donors like any number, so one person's unusual gap (777 days, where
    everyone else's is 0–300) is pooled in a band and is nowhere in the model file."""
    table = _orders(3_000, 1)
    signup = pd.to_datetime(table.loc[0, "signup"])
    table.loc[0, "last_order"] = (signup + pd.Timedelta(days=777)).strftime("%Y-%m-%d")
    model = synth.create("pruned_cart", random_state=0).fit(table)
    step = next(s for s in model.steps_ if s.anchor >= 0 and model.columns_[s.column].name == "last_order")
    assert not np.isclose(step.donors, 777.0).any() and not np.isclose(step.donors + step.widths, 777.0).any()
    path = tmp_path / "m.synth"
    model.save(path)
    with zipfile.ZipFile(path) as zf, zf.open("arrays.npz") as raw:
        arrays = np.load(raw)
        numbers = [arrays[k].ravel() for k in arrays.files if arrays[k].dtype.kind in "fiu"]
    assert not any(np.isclose(a.astype(float), 777.0).any() for a in numbers)
