"""Names and addresses follow the row's country (synth/generated_locale_levels.py)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.generated import GeneratedColumns, fake_values
from synth.generated_locale_draws import _by_share
from synth.generated_locale_levels import row_shares
from synth.generated_locales import measured_locales
from synth.sampling.blocks import SampleSpec, iter_rows
from synth.schema import ColumnKind, ColumnSpec, Schema
from tests.unit.crafting import unpacked

COUNTRIES = {"UK": "en_GB", "DE": "de_DE", "FR": "fr_FR"}
SCHEMA = Schema(
    (
        ColumnSpec("name", ColumnKind.PII, pii_type="name"),
        ColumnSpec("address", ColumnKind.PII, pii_type="address"),
        ColumnSpec("country", ColumnKind.CATEGORICAL),
        ColumnSpec("segment", ColumnKind.CATEGORICAL),
        ColumnSpec("spend", ColumnKind.CONTINUOUS),
    )
)


def _customers(n: int = 1_500, seed: int = 27, follow: bool = True) -> pd.DataFrame:
    """A seeded customer table, 50/30/20% UK / DE / FR; names and streets of the country's locale (``follow``), or
    of a locale drawn apart from it."""
    rng = np.random.default_rng(seed)
    country = rng.choice(list(COUNTRIES), n, p=[0.5, 0.3, 0.2])
    locale = [COUNTRIES[c] for c in (country if follow else rng.permutation(country))]
    fakers = {code: Faker(code) for code in COUNTRIES.values()}
    for i, faker in enumerate(fakers.values()):
        faker.seed_instance(seed + i)
    return pd.DataFrame(
        {
            "name": [fakers[code].name() for code in locale],
            "address": [" ".join(fakers[code].street_address().split()) for code in locale],
            "country": country,
            "segment": rng.choice(["standard", "plus"], n, p=[0.8, 0.2]),
            "spend": np.round(rng.gamma(2.0, 80.0, n), 2),
        }
    )


def _agreement(rows: pd.DataFrame, column: str) -> float:
    """Share of rows whose value's measured locale is its country's."""
    measured = measured_locales(column, rows[column])
    assert measured is not None
    locales, which, _ = measured
    known = which[which >= 0]
    codes = pd.Series(np.asarray(locales)[known.to_numpy()], index=known.index)
    return float((codes == rows["country"].loc[known.index].map(COUNTRIES)).mean())


def _without_levels(generated: GeneratedColumns) -> GeneratedColumns:
    return GeneratedColumns(
        tuple(replace(p, detail={k: v for k, v in p.detail.items() if k != "locale_levels"}) for p in generated.plans)
    )


@pytest.fixture(scope="module")
def fitted() -> tuple[pd.DataFrame, synth.Synthesizer]:
    real = _customers()
    return real, synth.create("cart", random_state=0).fit(real, SCHEMA)


def test_names_and_addresses_follow_the_country_and_did_not_before(fitted: tuple[pd.DataFrame, Any]) -> None:
    _, model = fitted
    plans = {p.name: p.detail for p in model.generated_.plans}
    for column in ("name", "address"):
        levels = plans[column]["locale_levels"]
        assert levels["column"] == "country" and set(levels["levels"]) == set(COUNTRIES)
    after = model.sample(1_500, seed=1)
    assert _agreement(after, "name") >= 0.9 and _agreement(after, "address") >= 0.9
    kept = model.generated_
    try:  # the old behaviour: each row's locale by the column's shares alone
        model.generated_ = _without_levels(kept)
        before = model.sample(1_500, seed=1)
    finally:
        model.generated_ = kept
    assert _agreement(before, "name") < 0.6 and _agreement(before, "address") < 0.6


def test_every_streamed_block_follows_its_own_rows_country(fitted: tuple[pd.DataFrame, Any]) -> None:
    _, model = fitted
    blocks = list(iter_rows(model, SampleSpec(n_rows=1_200, seed=3, block_rows=300)))
    assert len(blocks) == 4
    for block in blocks:
        assert _agreement(block, "name") >= 0.9


def test_a_locale_that_follows_no_column_stores_nothing() -> None:
    real = _customers(follow=False)
    generated = GeneratedColumns.fit(real, SCHEMA)
    details = {p.name: p.detail for p in generated.plans}
    assert len(details["name"]["locales"]) == 3  # the locales are kept, by share
    assert "locale_levels" not in details["name"] and "locale_levels" not in details["address"]


def test_the_dp_network_keeps_no_table_per_level() -> None:
    # Its per-level shares would be the rows' own, released without noise: the DP model's names keep the column's.
    model = synth.create("privbayes", epsilon=1.0, random_state=0).fit(_customers(600), SCHEMA)
    assert all("locale_levels" not in p.detail for p in model.generated_.plans)
    assert any("locales" in p.detail for p in model.generated_.plans)


def test_a_level_under_20_rows_or_hidden_as_rare_is_not_stored() -> None:
    real = _customers()
    real.loc[:14, "country"] = "IE"  # 15 rows: their names keep the column's shares
    generated = GeneratedColumns.fit(real, SCHEMA)
    stored = next(p for p in generated.plans if p.name == "name").detail["locale_levels"]
    assert "IE" not in stored["levels"] and set(stored["levels"]) == set(COUNTRIES)
    # A model hiding categories of under 400 rows never holds "FR" (about 300 rows): its rows are "(other)" there
    # too, and every stored level is a label of the model's own domain.
    model = synth.create("cart", random_state=0, min_category_rows=400).fit(_customers(), SCHEMA)
    held = next(p for p in model.generated_.plans if p.name == "name").detail["locale_levels"]
    domain = next(d for d in model.domain_ if d.name == "country").values
    assert "FR" not in held["levels"] and set(held["levels"]) == set(domain) == {"(other)", "DE", "UK"}


def test_the_model_file_holds_no_real_name_or_street_word(fitted: tuple[pd.DataFrame, Any], tmp_path: Path) -> None:
    real, model = fitted
    model.save(tmp_path / "m.synth")
    blob = unpacked(tmp_path / "m.synth")
    words = {
        w
        for v in [*real["name"], *real["address"]]
        for w in str(v).replace(",", " ").split()
        if len(w) >= 3 and not w[0].isdigit()
    }
    # Whole words only: "rue" is in the file's "true", "Flat" in its "FlatTree".
    found = [w for w in words if re.search(rb"(?<![A-Za-z])" + re.escape(w.encode()) + rb"(?![A-Za-z])", blob)]
    assert not found
    assert b"locale_levels" in blob and b"country" in blob  # what it holds instead: a column name and its levels
    loaded = synth.load_model(tmp_path / "m.synth")
    assert _agreement(loaded.sample(600, seed=2), "name") >= 0.9


LEVELS = st.dictionaries(
    st.one_of(st.sampled_from(["UK", "DE", "FR", "XX"]), st.booleans(), st.integers(-2, 2), st.none()),
    st.one_of(
        st.dictionaries(
            st.sampled_from(["en_GB", "de_DE", "fr_FR", "xx_XX", ""]),
            st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=3), st.none()),
            max_size=4,
        ),
        st.lists(st.floats(), max_size=2),
        st.text(max_size=3),
    ),
    max_size=5,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    stored=st.one_of(
        st.fixed_dictionaries({"column": st.sampled_from(["country", "segment", "nope", 3]), "levels": LEVELS}),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
        st.none(),
        st.lists(st.integers(), max_size=2),
    ),
    seed=st.integers(0, 1_000),
)
def test_a_crafted_level_table_falls_back_to_the_column_shares(stored: Any, seed: int) -> None:
    codes, probs = ["en_GB", "de_DE", "fr_FR"], np.array([0.5, 0.3, 0.2])
    body = pd.DataFrame({"country": np.random.default_rng(seed).choice(["UK", "DE", "FR", "IE"], 40)})
    shares = row_shares(stored, codes, probs, body)
    assert np.isfinite(shares).all() and (shares >= 0).all()
    assert np.allclose(shares.sum(axis=-1), 1.0)
    levels = stored.get("levels") if isinstance(stored, dict) else None
    for i, level in enumerate(body["country"]):
        own = levels.get(level) if isinstance(levels, dict) and stored.get("column") == "country" else None
        valid = (
            isinstance(own, dict)
            and own
            and set(own) <= set(codes)
            and all(isinstance(v, float) and np.isfinite(v) and v >= 0 for v in own.values())
            and sum(own.values()) > 0
        )
        row = shares if shares.ndim == 1 else shares[i]
        if not valid:  # unknown level, unknown locale, NaN, text, all zero: the column's own shares
            assert np.allclose(row, probs)
        else:  # a valid level's shares, normalised whatever they summed to
            assert np.allclose(row, [own.get(c, 0.0) / sum(own.values()) for c in codes])
    out = fake_values(
        "name",
        40,
        np.random.default_rng(seed),
        locales=dict(zip(codes, probs, strict=True)),
        locale_levels=stored,
        body=body,
    )
    assert all(isinstance(v, str) and v for v in out)


@settings(max_examples=40, deadline=None)
@given(which=st.lists(st.integers(0, 3), min_size=1, max_size=60), seed=st.integers(0, 1_000))
def test_a_row_whose_level_holds_one_locale_always_draws_it(which: list[int], seed: int) -> None:
    probs = np.eye(4)[which]
    drawn = _by_share(["a", "b", "c", "d"], probs, len(which), np.random.default_rng(seed))
    assert drawn.tolist() == which
