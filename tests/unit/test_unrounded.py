"""The Sample page's "Finer than the real columns" note reads the synthetic table itself
(:mod:`synth.sampling.unrounded`): it names exactly the columns holding a value with more decimals than any real one."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pandas as pd

import synth
from benchmarks.walk_tables import hr
from synth.sampling.unrounded import finer_columns, finer_note
from synth.schema.conformance import read_numbers


def _places(x: float) -> int:
    """A number's decimals as its shortest text shows them (72100.0: -2), independently of value_places."""
    exponent = Decimal(repr(float(x))).normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    return -exponent


def _finer_by_text(synthetic: pd.DataFrame, real: pd.DataFrame, schema: synth.Schema) -> dict[str, float]:
    """Each numeric column whose synthetic values, written out, have more digits than every real one: its share."""
    found = {}
    for spec in schema:
        if not spec.kind.is_numeric or spec.decimals is None:
            continue
        most_real = max(_places(v) for v in read_numbers(real[spec.name], spec).dropna())
        fake = read_numbers(synthetic[spec.name], spec).dropna()
        finer = np.array([_places(v) > most_real for v in fake])
        if finer.any():
            found[spec.name] = float(finer.mean())
    return found


def test_the_columns_named_are_those_whose_synthetic_values_are_finer_than_every_real_one() -> None:
    real = hr(1_500, seed=3)
    schema = synth.infer_schema(real)
    model = synth.create("cart", random_state=0).fit(real, schema)
    fake = model.sample(1_500, seed=1)
    expected = _finer_by_text(fake, real, schema)
    got = {c.column: c.share for c in finer_columns(fake, schema)}
    assert got.keys() == expected.keys(), (got, expected)
    assert all(abs(got[c] - expected[c]) < 1e-9 for c in got), (got, expected)
    assert "office_lat" in got, "the premise: the office coordinates' crowded bands keep extra places"
    note = finer_note(fake, schema, model) or ""
    for column, share in got.items():
        assert f"{column} ({share:.0%} of values" in note or f"{column} (<1% of values" in note, note
    assert "keeps extra digits where rounding could recreate a rare real value" in note


def test_a_column_whose_synthetic_values_keep_the_real_grain_is_not_named() -> None:
    """Session 26 walk: the page named hr's salary_eur "to the nearest 100" (CART keeps no grain for it) while every
    synthetic salary was a multiple of 100."""
    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {
            "salary": (rng.lognormal(10.8, 0.35, 2_000) / 100).round() * 100,
            "bonus": rng.gamma(2.0, 3.0, 2_000).round(2),
            "team": rng.choice(["a", "b"], 2_000),
        }
    )
    schema = synth.infer_schema(real)
    assert schema["salary"].decimals == -2 and schema["bonus"].decimals == 2
    model = synth.create("cart", random_state=0).fit(real, schema)
    assert model.schema_["salary"].decimals is None, "the premise: the model keeps no grain (the old note named it)"
    fake = model.sample(2_000, seed=1)
    fake["salary"] = (fake["salary"] / 100).round() * 100
    fake["bonus"] = fake["bonus"].round(2)
    assert finer_columns(fake, schema) == () and finer_note(fake, schema, model) is None
    # One salary off the grid, three bonuses in thousandths: named, with their shares.
    fake.loc[0, "salary"] = 72_130.0
    fake.loc[[1, 2, 3], "bonus"] = [1.234, 2.345, 3.456]
    named = {c.column: (c.finer, c.present, c.recorded) for c in finer_columns(fake, schema)}
    assert named == {"salary": (1, 2_000, -2), "bonus": (3, 2_000, 2)}
    note = finer_note(fake, schema, model) or ""
    assert "salary (<1% of values; real values are multiples of 100)" in note, note
    assert "bonus (<1% of values; real values have 2 decimals)" in note, note


def test_text_numbers_are_read_in_their_layout_and_another_model_s_reason_is_not_cart_s() -> None:
    real = pd.DataFrame({"price": ["$1,204.50", "$3.99", "$12.00", "$7.25"] * 50, "n": [0.5, 1.0, 1.5, 2.0] * 50})
    schema = synth.infer_schema(real)
    assert schema["price"].decimals == 2 and schema["n"].decimals == 1
    fake = pd.DataFrame({"price": ["$1,204.505", "$3.99", "$12.00", "$7.2"] * 5, "n": [1.25, 2, 3, 4] * 5})
    (price, n) = finer_columns(fake, schema)
    assert (price.column, price.finer, price.present, price.most_places) == ("price", 5, 20, 3)
    assert (n.column, n.finer, n.recorded) == ("n", 5, 1)
    note = finer_note(fake, schema) or ""
    assert note.startswith(
        "price (25% of values; real values have 2 decimals); n (25% of values; real values have 1 decimal)"
    )
    assert "The model writes price, n without rounding them." in note and "rare" not in note
