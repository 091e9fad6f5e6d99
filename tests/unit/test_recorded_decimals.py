"""Numbers come out at the decimals they were recorded at: amounts in cents stay in cents.

A review found synthetic incomes like 28036.743798791013 beside real ones like 36315.27: a tell any analyst (and
any discriminator) sees at a glance. The schema now records each fractional column's decimals and every
synthesizer's output is rounded to them; synthesizers with exact rules round before computing them, so a sum of
amounts stays the sum of the amounts shown.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.kinds import MAX_DECIMALS, MIN_DECIMALS
from synth.schema.recorded_places import recorded_decimals, value_places


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=60),
    st.integers(0, 4),
)
def test_the_recorded_decimals_are_the_fewest_that_keep_every_value(ints: list[int], places: int) -> None:
    # Values as a CSV reader gives them: the decimal text parsed to the nearest float.
    values = np.array([float(f"{k / 10**places:.{places}f}") for k in ints])
    found = recorded_decimals(values)
    assert found is not None and found <= places
    assert np.array_equal(np.round(values, found), values), "rounding to them changes no value"
    if found > 0:
        assert not np.array_equal(np.round(values, found - 1), values), "one place fewer would"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=60), st.integers(-3, 4))
def test_each_value_s_places_are_the_fewest_that_keep_it(ints: list[int], places: int) -> None:
    values = np.array([float(f"{k * 10.0**-places:.{max(places, 0)}f}") for k in ints])
    found = value_places(values)
    assert np.all(found <= places)
    for value, p in zip(values, found, strict=True):
        assert recorded_decimals(np.array([value])) == max(p, 0), "a value alone is recorded at its places"
        if value != 0 and p > MIN_DECIMALS:
            assert np.round(value, p - 1) != value, "one place fewer would change it"
    odd = value_places(np.array([0.000922, 72100.0, 1e-7, np.nan]))
    assert odd.tolist() == [6, -2, MAX_DECIMALS + 1, MIN_DECIMALS - 1]


def test_a_finer_digit_is_never_rounded_away() -> None:
    assert recorded_decimals(np.array([361690.84, 12.5])) == 2
    assert recorded_decimals(np.array([361690.8437, 12.5])) == 4
    assert recorded_decimals(np.array([28036.743798791013])) is None
    assert recorded_decimals(np.array([np.nan, np.inf])) is None


def _table(n: int = 1_500, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    # Amounts in cents over a wide range: thousands of grid values per pooled row, so CART rounds them too.
    amount = rng.lognormal(8, 1, n).round(2)
    fee = rng.lognormal(8.5, 1, n).round(2)
    return pd.DataFrame(
        {
            "amount": amount,
            "fee": fee,
            "total": (amount * 100 + fee * 100).round() / 100,  # total = amount + fee, in cents
            "temp": rng.normal(15, 8, n).round(1),  # 1 decimal, crowded: CART keeps its draws' precision
            "group": rng.choice(["a", "b", "c"], n),
        }
    )


@pytest.mark.parametrize("name", synth.available())
def test_every_synthesizer_writes_numbers_at_their_recorded_decimals(name: str) -> None:
    table = _table()
    schema = synth.infer_schema(table)
    assert [schema[c].decimals for c in ("amount", "fee", "total", "temp")] == [2, 2, 2, 1]
    params = {"epsilon": 3.0} if name == "privbayes" else {}
    model = synth.create(name, random_state=0, **params).fit(table, schema)
    kept = {c: model.schema_[c].decimals for c in ("amount", "fee", "total", "temp")}
    cart = name in ("cart", "pruned_cart")
    # Only CART may keep fewer (where a rounded draw could land on a real rare value); never the amounts here.
    assert kept == ({"amount": 2, "fee": 2, "total": 2, "temp": None} if cart else {**kept, "temp": 1}), kept
    assert kept["amount"] == 2 and kept["total"] == 2
    out = model.sample(2_000, seed=1)
    for column, places in kept.items():
        if places is not None:
            values = out[column].dropna().to_numpy(dtype=float)
            assert np.array_equal(np.round(values, places), values), (name, column, values[:5])


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_an_exact_sum_of_amounts_stays_exact_after_rounding(name: str) -> None:
    table = _table()
    model = synth.create(name, random_state=0).fit(table, synth.infer_schema(table))
    assert any(r.output == "total" for r in model.rules_), "the sum is found as a rule"
    out = model.sample(2_000, seed=2)
    assert np.allclose(out["total"], out["amount"] + out["fee"], rtol=0, atol=1e-6)


def test_a_sum_keeps_its_precision_when_an_input_does() -> None:
    """Rounding a sum whose input CART leaves unrounded would break it by up to half a cent."""
    rng = np.random.default_rng(5)
    n = 2_000
    fine = rng.choice(np.arange(0, 20_000) / 10_000, n, replace=False)  # 4 decimals, crowded: left unrounded
    amount = rng.lognormal(8, 1, n).round(2)
    table = pd.DataFrame({"fine": fine, "amount": amount, "total": (fine * 10_000 + amount * 10_000).round() / 10_000})
    model = synth.create("cart", random_state=0).fit(table, synth.infer_schema(table))
    assert any(r.output == "total" for r in model.rules_)
    assert model.schema_["fine"].decimals is None and model.schema_["total"].decimals is None
    out = model.sample(2_000, seed=3)
    assert np.allclose(out["total"], out["fine"] + out["amount"], rtol=0, atol=1e-6)
    # The fine column's draws are rounded band by band to a few extra places (band_decimals), and the sum is written
    # at its inputs' places: no float noise (0.30000000000000004) in the file.
    places = np.maximum(value_places(out["fine"].to_numpy()), value_places(out["amount"].to_numpy()))
    assert places.max() <= MAX_DECIMALS
    assert np.all(value_places(out["total"].to_numpy()) <= places)


def test_decimals_in_a_schema_file_are_checked_and_old_files_still_read() -> None:
    old = Schema.from_json('{"columns": [{"name": "x", "kind": "continuous"}]}')
    assert old["x"].decimals is None
    spec = ColumnSpec("x", ColumnKind.CONTINUOUS, decimals=2)
    assert Schema.from_json(Schema((spec,)).to_json())["x"].decimals == 2
    for crafted in (MIN_DECIMALS - 1, MAX_DECIMALS + 1, 10**9, 1.5, "2", True):  # -1 … -6: a grain (tens …)
        document = {"columns": [{"name": "x", "kind": "continuous", "decimals": crafted}]}
        with pytest.raises(ValueError, match="decimals"):
            Schema.from_json(json.dumps(document))


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_cart_rounds_only_where_a_rounded_draw_cannot_land_on_real_rare_values(name: str) -> None:
    """CART draws rare numbers uniformly from bands pooled around the training values; rounded to a fine grid, a
    draw lands on a real rare value often, and on a training one more often than on a fresh one (California's
    median income at 4 decimals: 0.8 points more, `test_rare_values.py`). So a column whose bands hold few grid
    values per pooled row keeps its draws' precision; amounts in cents, with thousands, are rounded."""
    rng = np.random.default_rng(3)
    n = 3_000
    fine = rng.choice(np.arange(0, 5_000) / 10_000, n, replace=False)  # 4 decimals, ~2 grid values a pooled row
    table = pd.DataFrame({"fine": fine, "cents": rng.lognormal(9, 1, n).round(2), "g": rng.choice(["a", "b"], n)})
    schema = synth.infer_schema(table)
    assert schema["fine"].decimals == 4 and schema["cents"].decimals == 2
    model = synth.create(name, random_state=0).fit(table, schema)
    assert model.schema_["fine"].decimals is None and model.schema_["cents"].decimals == 2
    out = model.sample(3_000, seed=1)
    cents = out["cents"].to_numpy(dtype=float)
    assert np.array_equal(np.round(cents, 2), cents)
    fine_out = out["fine"].to_numpy(dtype=float)
    assert not np.array_equal(np.round(fine_out, 4), fine_out), "the fine column is not rounded"
    real = set(np.round(fine, 4))
    landed = np.isin(np.round(fine_out, 6), list(real)).mean()
    assert landed < 0.05, f"{landed:.1%} of draws are real values"
