"""Names and addresses written in capitals come back in capitals, at the real column's share; the fit keeps two
shares and no word of a real value (:mod:`synth.generated_case`)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.generated import GeneratedColumns
from synth.generated_case import letter_cases, with_cases
from synth.schema import ColumnKind, ColumnSpec, Schema
from tests.unit.crafting import unpacked


def _register(n: int = 1_200, upper: float = 1.0, lower: float = 0.0, seed: int = 0) -> pd.DataFrame:
    """German names and street lines, a share written in capitals and one in lower case (the red team's register
    wrote every name in capitals)."""
    faker = Faker("de_DE")
    faker.seed_instance(seed)
    rng = np.random.default_rng(seed)
    names = pd.Series([faker.name() for _ in range(n)])
    streets = pd.Series([faker.street_address() for _ in range(n)])
    u = rng.random(n)
    for column in (names, streets):
        column[u < upper] = column[u < upper].str.upper()
        low = (u >= upper) & (u < upper + lower)
        column[low] = column[low].str.lower()
    return pd.DataFrame({"name": names, "street": streets, "visits": rng.integers(1, 6, n)})


def _upper(values: pd.Series) -> pd.Series:
    return (values == values.str.upper()) & (values != values.str.lower())


def _lower(values: pd.Series) -> pd.Series:
    return (values == values.str.lower()) & (values != values.str.upper())


def test_a_register_in_capitals_comes_back_in_capitals() -> None:
    real = _register()
    out = synth.create("cart", random_state=0).fit(real).sample(1_000, seed=1)
    assert _upper(out["name"]).all() and _upper(out["street"]).all()
    assert not set(out["name"]) & set(real["name"]), "capitals, but still names from the lists"


def test_mixed_cases_come_back_at_their_shares() -> None:
    real = _register(3_000, upper=0.3, lower=0.1, seed=2)
    schema = Schema(
        (ColumnSpec("name", ColumnKind.PII, pii_type="name"), ColumnSpec("street", ColumnKind.PII, pii_type="address"))
    )
    out = GeneratedColumns.fit(real[["name", "street"]], schema).sample(4_000, np.random.default_rng(3))
    for column in ("name", "street"):
        assert abs(_upper(out[column]).mean() - _upper(real[column]).mean()) < 0.03, column
        assert abs(_lower(out[column]).mean() - _lower(real[column]).mean()) < 0.03, column
    # A column in the lists' own case stays so: nothing is stored, no value is changed.
    plain = _register(600, upper=0.0, seed=4)
    assert letter_cases("name", plain["name"]) is None
    mixed = GeneratedColumns.fit(plain[["name"]], schema.select(["name"])).sample(500, np.random.default_rng(0))
    assert not _upper(mixed["name"]).any()


def test_the_model_file_keeps_two_shares_and_no_word_of_a_real_name(tmp_path: Path) -> None:
    real = _register(1_000, upper=0.5, seed=5)
    model = synth.create("gaussian_copula", random_state=0).fit(real)
    (plan,) = [p for p in model.generated_.plans if p.name == "name"]
    cases = plan.detail["cases"]
    assert set(cases) == {"upper", "lower"} and abs(cases["upper"] - _upper(real["name"]).mean()) <= 0.005
    model.save(tmp_path / "m.synth")
    stored = set(re.findall(r"[^\W\d_]+", unpacked(tmp_path / "m.synth").decode("utf-8", "replace").upper()))
    words = {w for v in real["name"].str.upper() for w in re.findall(r"[^\W\d_]+", v) if len(w) >= 4}
    assert len(words) > 300 and not words & stored
    again = synth.load_model(tmp_path / "m.synth")
    pd.testing.assert_frame_equal(again.sample(300, seed=2), model.sample(300, seed=2))


@settings(max_examples=80, deadline=None)
@given(
    stored=st.one_of(
        st.none(),
        st.dictionaries(st.sampled_from(["upper", "lower", "title"]), st.floats(allow_nan=True), max_size=3),
        st.lists(st.floats(0, 1), max_size=2),
        st.text(max_size=5),
    )
)
def test_a_crafted_share_changes_case_only_when_it_is_two_shares_of_at_most_one(stored: Any) -> None:
    values = np.array(["Anna Schmidt", "Hauptstraße 5", None], dtype=object)
    out = with_cases(values, stored, np.random.default_rng(0))
    valid = (
        isinstance(stored, dict)
        and set(stored) == {"upper", "lower"}
        and all(0 <= v <= 1 for v in stored.values())
        and sum(stored.values()) <= 1 + 1e-9
    )
    if not valid:
        assert list(out) == list(values)
    assert out[2] is None
    assert [str(v).lower() for v in out[:2]] == [v.lower() for v in values[:2]], "only the case ever changes"
