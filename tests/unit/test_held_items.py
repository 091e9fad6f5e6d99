"""A fitted model's inventory lists what ITS file holds, not every item its class may hold.

The Synthesize page and the report's card listed, for a table of house prices, "Faker locales of names and
addresses", "IBAN countries' layouts" and "the time zone ... in each calendar month": a reviewer reading it could not
tell what the file holds from what a file of that kind may hold. These tests attack the narrowed list both ways: an
item it drops must hold nothing in the saved file, an item it keeps must hold something, and the generated columns
it names are exactly the file's.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from faker import Faker

import synth
from synth.synthesizers.inventory import artifact_inventory, is_held

FITTED_BY_DEFAULT = ("cart", "pruned_cart", "gaussian_copula", "independent", "privbayes")


def _numbers_only(n: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    income = rng.lognormal(10, 0.5, n).round(0)
    return pd.DataFrame(
        {"income": income, "rooms": rng.integers(1, 9, n), "age": rng.normal(40, 12, n).round(1).clip(0, None)}
    )


def _with_people_data(n: int = 600, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    faker = Faker("de_DE")
    faker.seed_instance(seed)
    out = _numbers_only(n, seed)
    out["iban"] = [faker.iban() for _ in range(n)]
    out["email"] = [faker.unique.email() for _ in range(n)]
    out["booked_at"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 86400 * 300, n), unit="s")
    return out


def _saved(model: object, tmp_path: Path) -> Path:
    path = tmp_path / "model.synth"
    model.save(path)  # type: ignore[attr-defined]
    return path


def _saved_text(path: Path) -> str:
    """The saved file's JSON parts as text: what the file holds, read back."""
    with zipfile.ZipFile(path) as zf:
        return "\n".join(zf.read(name).decode("utf-8") for name in zf.namelist() if name.endswith(".json"))


@pytest.mark.parametrize("name", FITTED_BY_DEFAULT)
def test_a_table_of_numbers_lists_no_generated_time_or_person_item(name: str, tmp_path: Path) -> None:
    model = synth.create(name, random_state=0)
    assert [i.name for i in model.artifact_inventory()] == [i.name for i in artifact_inventory(type(model))], (
        "before fitting, a model lists what a file of its kind may hold"
    )
    model.fit(_numbers_only())
    held = {i.name: i for i in model.artifact_inventory()}
    text = " ".join(i.content for i in held.values())
    assert "Generated columns" not in held and "Time-of-day columns" not in held and "Person columns" not in held
    assert "IBAN" not in text and "Faker" not in text and "time zone" not in text
    assert {"Generated columns", "Time-of-day columns", "Person columns"} <= set(model.absent_artifacts())
    # Dropped means empty: every attribute an absent item names holds nothing after a save and load, too.
    loaded = synth.load_model(_saved(model, tmp_path))
    for item in artifact_inventory(type(model)):
        assert is_held(item, model) == is_held(item, loaded), item.name
        if item.name in model.absent_artifacts():
            for attribute in item.held_in:
                value = getattr(loaded, attribute, None)
                value = getattr(value, "plans", value)
                assert value is None or len(value) == 0, (item.name, attribute, value)


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_generated_columns_are_named_with_what_each_keeps(name: str, tmp_path: Path) -> None:
    df = _with_people_data()
    model = synth.create(name, random_state=0).fit(df)
    held = {i.name: i for i in model.artifact_inventory()}
    generated = held["Generated columns"].content
    plans = {plan.name: plan for plan in model.generated_.plans}
    assert set(plans) == {"iban", "email"}
    assert "iban (key): " in generated and "email (personal data, email): " in generated
    assert "IBAN countries' layouts by share" in generated and "ibans" in plans["iban"].detail
    # No IBAN wording for a table whose keys are not IBANs: the wording follows the plan, not the class.
    other = df.assign(iban=[f"K-{i:06d}" for i in range(len(df))])
    narrowed = {i.name: i.content for i in synth.create(name, random_state=0).fit(other).artifact_inventory()}
    assert "IBAN" not in narrowed["Generated columns"]
    assert "(here: booked_at)" in held["Time-of-day columns"].content
    assert "booked_at" in _saved_text(_saved(model, tmp_path))


def test_a_person_table_lists_its_person_item_and_names_the_person() -> None:
    rng = np.random.default_rng(3)
    people = 80
    born = rng.integers(1940, 2000, people)
    person = rng.integers(0, people, 900)
    df = pd.DataFrame(
        {
            "patient_id": [f"P-{p:05d}" for p in person],
            "born": born[person],
            "visit_cost": rng.gamma(2.0, 50.0, len(person)).round(2),
        }
    )
    model = synth.create("cart", random_state=0).fit(df, person_column="patient_id")
    held = {i.name: i.content for i in model.artifact_inventory()}
    assert model.people_ is not None and "born" in model.people_.modelled
    assert held["Person columns"].endswith("(here: patient_id)")
    assert "Person columns" not in model.absent_artifacts()
