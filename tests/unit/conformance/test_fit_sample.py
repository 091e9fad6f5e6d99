"""Fit and sample: shapes and dtypes, categories, integers, datetimes, bounds, missing values, identifiers and
seeds, on the mixed table (any small mixed table: tests/unit/test_conformance.py).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.schema import ColumnKind
from synth.synthesizers import get
from synth.synthesizers.dp.domains import OTHER
from tests.unit.conformance.contract import FITTED_NAMES, NAMES, make, names_for


def test_the_mixed_table_has_every_kind(schema: synth.Schema) -> None:
    kinds = schema.kinds()
    assert kinds["id"] is ColumnKind.IDENTIFIER and kinds["code"] is ColumnKind.IDENTIFIER
    assert kinds["x"] is ColumnKind.CONTINUOUS
    assert kinds["age"] is ColumnKind.DISCRETE and kinds["count"] is ColumnKind.DISCRETE
    assert kinds["colour"] is ColumnKind.CATEGORICAL and kinds["city"] is ColumnKind.CATEGORICAL
    assert kinds["flag"] is ColumnKind.BOOLEAN
    assert kinds["when"] is ColumnKind.DATETIME and kinds["signup"] is ColumnKind.DATETIME


def test_every_synthesizer_is_described() -> None:
    assert {"cart", "privbayes", "gaussian_copula", "independent"} <= set(FITTED_NAMES)
    for name in FITTED_NAMES:
        cls = get(name)
        assert cls.name == name and cls.label and cls.description
        assert all(p.help for p in cls.params), f"{name}: every parameter needs help text"
        declared = {p.name for p in cls.params}
        assert set(cls.main_params or ()) <= declared, f"{name}: main_params names a parameter it does not declare"
        main, advanced = cls.split_params()
        assert {p.name for p in main + advanced} == declared and len(main) + len(advanced) == len(declared)
        # The fitted-models list shows only what differs from the defaults.
        defaults = {p.name: p.default for p in cls.params}
        assert cls.changed_params({"random_state": 3, **defaults}) == {}
        for p in cls.params:
            other = next((v for v in (*p.choices, not p.default, 1, 7, 0.25, 99) if v != p.default), None)
            changed = cls.changed_params({**defaults, p.name: other, "not_a_parameter": 1})
            assert changed == {p.name: other}, (name, p.name, changed)


# ----------------------------------------------------------------------------- shape of the output
@pytest.mark.parametrize("name", NAMES)
def test_columns_and_dtypes_equal_the_real_tables(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    assert syn.shape == (3000, real.shape[1])
    assert list(syn.columns) == list(real.columns)
    assert syn.index.equals(pd.RangeIndex(3000))
    assert dict(syn.dtypes) == dict(real.dtypes)


@pytest.mark.parametrize("name", NAMES)
def test_only_categories_seen_in_training(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    # PrivBayes cannot know labels without noise: labels under its noisy threshold come out as "(other)".
    invented = {OTHER} if name == "privbayes" else set()
    for column in ("colour", "city", "flag"):
        assert set(syn[column].dropna()) <= set(real[column].dropna()) | invented, column


@pytest.mark.parametrize("name", NAMES)
def test_integers_stay_integers_and_datetimes_datetimes(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    for column in ("age", "count"):
        values = syn[column].dropna().to_numpy(dtype=float)
        assert np.array_equal(values, np.round(values)), column
    assert pd.api.types.is_datetime64_any_dtype(syn["when"])
    assert (syn["when"].dt.normalize() == syn["when"]).all(), "whole days stay whole days"
    signup = pd.to_datetime(syn["signup"], format="%d/%m/%Y", errors="coerce")
    assert signup.notna().all(), "dates stored as text come back as text in the same format"


@pytest.mark.parametrize("name", NAMES)
def test_bounds_respected(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    for column in ("x", "age", "count", "when"):
        values = syn[column].dropna()
        assert values.min() >= real[column].min() and values.max() <= real[column].max(), column
    fake, true = (pd.to_datetime(t["signup"], format="%d/%m/%Y") for t in (syn, real))
    assert fake.min() >= true.min() and fake.max() <= true.max()


@pytest.mark.parametrize("name", names_for("missing_rates"))
def test_missing_rates_close_to_real(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    for column in real.columns:
        rate = real[column].isna().mean()
        if rate == 0:
            assert syn[column].notna().all(), f"{column} is never missing in the real table"
        else:
            assert syn[column].isna().mean() == pytest.approx(rate, abs=0.05), column


@pytest.mark.parametrize("name", NAMES)
def test_identifiers_unique_and_not_copied(name: str, real: pd.DataFrame, samples: dict) -> None:
    syn = samples[name]
    for column in ("id", "code"):
        assert syn[column].is_unique, column
        assert not set(syn[column]) & set(real[column]), f"{column}: a real identifier was reused"


@pytest.mark.parametrize("name", NAMES)
def test_a_table_with_nothing_to_learn(name: str) -> None:
    frame = pd.DataFrame({"id": np.arange(100), "country": ["FR"] * 100})
    syn = make(name).fit(frame).sample(30, seed=0, conditions={"country": "FR"})
    assert syn["country"].eq("FR").all() and syn["id"].min() >= 100 and syn["id"].is_unique


# ----------------------------------------------------------------------------- seeds
@pytest.mark.parametrize("name", NAMES)
def test_same_seed_same_table_other_seed_other_table(name: str, fitted: dict) -> None:
    model = fitted[name]
    a, b, c = model.sample(300, seed=7), model.sample(300, seed=7), model.sample(300, seed=8)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)


@pytest.mark.parametrize("name", NAMES)
def test_seed_none_continues_the_generator(name: str, real: pd.DataFrame, schema: synth.Schema, tmp_path: Path) -> None:
    one = make(name, random_state=3).fit(real, schema)
    if name == "privbayes":  # its DP noise is fresh in every fit, never from random_state: use a saved copy
        one.save(tmp_path / "model.synth")
        two = synth.synthesizers.load_model(tmp_path / "model.synth")
    else:
        two = make(name, random_state=3).fit(real, schema)
    first, second = one.sample(200), one.sample(200)
    assert not first.equals(second), "seed=None must move on, not repeat"
    pd.testing.assert_frame_equal(two.sample(200), first)
    pd.testing.assert_frame_equal(two.sample(200), second)


@pytest.mark.parametrize("name", NAMES)
def test_zone_aware_datetimes_handed_over_as_a_frame(name: str) -> None:
    """A notebook's table with a zone-aware datetime column (not text with offsets): the copula and the independent
    baseline crashed casting it to nanoseconds. Every model fits it and samples it in its zone, within its range."""
    rng = np.random.default_rng(0)
    start = pd.Timestamp("2024-03-01 08:00", tz="Europe/Berlin")
    n = 400
    table = pd.DataFrame(
        {
            "at": start + pd.to_timedelta(rng.uniform(0, 30 * 86400, n).round(), unit="s"),
            "amount": rng.gamma(2.0, 10.0, n).round(2),
            "kind": rng.choice(["a", "b", "c"], n),
        }
    )
    syn = make(name).fit(table).sample(300, seed=0)
    assert str(syn["at"].dt.tz) == "Europe/Berlin"
    present = syn["at"].dropna()
    assert len(present) > 0
    # every model draws inside the real range, widened by the DP models' declared bounds at most to whole years
    low, high = table["at"].min() - pd.Timedelta(days=3 * 366), table["at"].max() + pd.Timedelta(days=3 * 366)
    assert present.between(low, high).all()
