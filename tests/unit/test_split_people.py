"""Splitting by person (synth.split(by=...), synth.schema.entities): when rows repeat a person, the holdout takes
each person's rows whole, so "people the model never saw" holds; the column is suggested from identifier and
personal-data columns that repeat; the privacy measures say so when a holdout holds people seen in training."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from benchmarks import walk_tables
from synth.evaluation.privacy.inputs import PrivacyInputs, shared_people
from synth.schema.entities import entity_candidates, entity_column


def _visits(sizes: list[int], missing: int = 0) -> pd.DataFrame:
    ids = np.repeat([f"P{i:04d}" for i in range(len(sizes))], sizes).astype(object)
    frame = pd.DataFrame({"patient_id": ids, "x": np.arange(len(ids))})
    if missing:
        extra = pd.DataFrame({"patient_id": [None] * missing, "x": np.arange(len(ids), len(ids) + missing)})
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame


@settings(max_examples=150, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 12), min_size=2, max_size=80),
    missing=st.integers(0, 10),
    holdout=st.floats(0.05, 0.5),
    seed=st.integers(0, 2**32 - 1),
)
def test_no_person_is_on_both_sides_and_every_row_is_on_one(
    sizes: list[int], missing: int, holdout: float, seed: int
) -> None:
    frame = _visits(sizes, missing)
    n_holdout = round(len(frame) * holdout)
    if n_holdout < 1 or n_holdout >= len(frame):
        return
    train, held = synth.split(frame, holdout, seed, by="patient_id")
    assert not set(train["patient_id"].dropna()) & set(held["patient_id"].dropna())
    assert sorted([*train["x"], *held["x"]]) == list(range(len(frame)))
    assert list(train["x"]) == sorted(train["x"]) and list(held["x"]) == sorted(held["x"])  # row order kept
    assert len(train) >= 1 and len(held) >= 1
    # whole people: the holdout misses its target by at most the largest person's rows
    assert abs(len(held) - n_holdout) <= max(sizes)
    again = synth.split(frame, holdout, seed, by="patient_id")
    pd.testing.assert_frame_equal(held, again[1])


def test_a_row_split_is_the_seeded_permutation_it_always_was() -> None:
    frame = pd.DataFrame({"x": np.arange(1000)})
    train, held = synth.split(frame, 0.2, 7)
    order = np.random.default_rng(7).permutation(1000)
    assert list(held["x"]) == sorted(order[:200]) and list(train["x"]) == sorted(order[200:])


def test_rows_without_a_person_are_each_their_own() -> None:
    frame = _visits([3] * 30, missing=40)
    train, held = synth.split(frame, 0.3, 0, by="patient_id")
    assert held["patient_id"].isna().any() and train["patient_id"].isna().any()


@pytest.mark.parametrize(
    ("by", "frame", "message"),
    [
        ("nobody", _visits([2, 2]), "no such column"),
        ("patient_id", _visits([10]), "no second person"),
    ],
)
def test_a_split_that_cannot_be_made_says_why(by: str, frame: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        synth.split(frame, 0.2, 0, by=by)


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("clinic", "patient_id"),  # 4,000 visits of 1,145 patients (nhs_number, phone and name repeat too)
        ("shop_orders", "email"),  # no customer id: the e-mail names the customer, the name is shared
        ("hr", None),  # one row per employee; manager_id points at other rows
        ("survey", None),
    ],
)
def test_the_person_column_of_the_walk_tables(table: str, expected: str | None) -> None:
    frame = getattr(walk_tables, table)()
    found = entity_column(frame, synth.infer_schema(frame))
    assert (found.column if found else None) == expected


def test_a_store_or_a_handful_of_values_is_no_person() -> None:
    rng = np.random.default_rng(0)
    n = 3000
    frame = pd.DataFrame(
        {
            "store_id": rng.choice([f"S{i:03d}" for i in range(12)], n),  # 12 stores, ~8% of rows each
            "basket_id": [f"B{i:06d}" for i in rng.permutation(n)],  # unique: every row its own
            "amount": rng.gamma(2, 20, n).round(2),
        }
    )
    schema = synth.infer_schema(frame)
    assert entity_candidates(frame, schema) == ()


def test_a_holdout_split_by_row_is_said_to_hold_people_seen_in_training() -> None:
    """The claim "the holdout is people the model never saw" attacked: split by row, most of the clinic's holdout
    visits belong to patients with visits in train; the privacy measures say so. Split by patient, nobody is shared
    and nothing is said."""
    frame = walk_tables.clinic()
    schema = synth.infer_schema(frame)
    train, held = synth.split(frame, 0.2, 0)
    assert held["patient_id"].isin(set(train["patient_id"])).mean() > 0.8
    note = shared_people(train, held, schema)
    assert note is not None and "patient_id" in note and "people the model saw" in note
    train, held = synth.split(frame, 0.2, 0, by="patient_id")
    assert not held["patient_id"].isin(set(train["patient_id"])).any()
    assert shared_people(train, held, schema) is None
    inputs = PrivacyInputs(train, held, train.sample(500, random_state=0), schema)
    assert not any("people the model saw" in n for n in inputs.notes)


def test_an_e_mail_names_the_customer_before_a_key_like_zip_that_repeats_by_chance() -> None:
    """50,000 shop orders (session 24): a 5-digit ``zip`` read as a key repeats on 21% of rows by chance (1.3 rows a
    value) and was picked as the person over the e-mail that names the customer (28 orders each)."""
    frame = walk_tables.shop_orders(n=50_000)
    schema = synth.infer_schema(frame)
    assert schema["zip"].kind is synth.schema.ColumnKind.IDENTIFIER  # the case this guards: zip read as a key
    assert frame["zip"].duplicated().mean() > 0.05  # and it repeats
    found = entity_column(frame, schema)
    assert found is not None and found.column == "email"
    assert "zip" not in {e.column for e in entity_candidates(frame, schema)}


@pytest.mark.parametrize("name", ["zip", "postcode", "Postal Code", "shipping_zip", "PLZ"])
def test_a_code_named_for_a_place_is_no_person(name: str) -> None:
    rng = np.random.default_rng(1)
    n = 20_000  # 5-digit codes drawn at random: about 10% of rows repeat one by chance
    codes = [f"{v:05d}" for v in rng.integers(0, 100_000, n)]
    frame = pd.DataFrame({name: codes, "amount": rng.gamma(2, 20, n).round(2)})
    schema = synth.infer_schema(frame)
    assert schema[name].kind is synth.schema.ColumnKind.IDENTIFIER
    assert entity_column(frame, schema) is None
    # the same column under a person's name is one
    renamed = frame.rename(columns={name: "customer_code"})
    found = entity_column(renamed, synth.infer_schema(renamed))
    assert found is not None and found.column == "customer_code"


def test_an_account_holder_id_names_the_person_before_their_e_mail() -> None:
    """The s29 ledger walk: 4,000 bookings of 300 account holders, each with one holder_id, e-mail and IBAN; the Data
    page offered the e-mail as the person, not the id the analyst keys their accounts by."""
    rng = np.random.default_rng(29)
    who = rng.integers(0, 300, 4_000)
    frame = pd.DataFrame(
        {
            "holder_id": [f"K{100_000 + 37 * h}" for h in who],
            "email": [f"kunde{h}.{'abcdefghij'[h % 10]}@web.de" for h in who],
            "amount": rng.gamma(2, 20, len(who)).round(2),
        }
    )
    schema = synth.infer_schema(frame)
    assert schema["holder_id"].kind is synth.schema.ColumnKind.IDENTIFIER and schema["email"].pii_type == "email"
    assert [e.column for e in entity_candidates(frame, schema)] == ["holder_id", "email"]


def test_a_name_customers_share_is_no_person_when_each_row_has_its_own_customer_id() -> None:
    """Session 32 walk: 3,000 customers, each with their own customer_id and e-mail, drawn from 300 first and last
    name pairs. The Data page split "by name", so namesakes went whole to one side as one person (239 training
    "people"), and the privacy checks counted names, not customers."""
    rng = np.random.default_rng(32)
    n = 3_000
    first = rng.choice(["Anna", "Ben", "Clara", "David", "Eva", "Felix", "Greta", "Hugo", "Ida", "Jonas"], n)
    last = rng.choice(["Müller", "Schmidt", "Garcia", "Rossi", "Dubois", "Nowak", "Jensen", "Silva", "Smith"], n)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{100_000 + i}" for i in range(n)],
            "name": [f"{a} {b}" for a, b in zip(first, last, strict=True)],
            "balance": rng.gamma(2, 300, n).round(2),
        }
    )
    schema = synth.infer_schema(frame)
    assert schema["name"].pii_type == "name" and frame["name"].nunique() < 100, "premise: the name repeats"
    assert entity_column(frame, schema) is None
    # still on offer, never suggested, and said why: the analyst may know the names are people
    (name,) = entity_candidates(frame, schema)
    assert name.column == "name" and name.outranked_by == "customer_id"
    assert "customer_id differs on every row" in name.describe()
    # Without the per-row id the same names are still offered: nothing then says they are different people.
    without = frame.drop(columns="customer_id")
    assert entity_column(without, synth.infer_schema(without)).column == "name"  # type: ignore[union-attr]
    # A repeated customer_id still names the person before the name it repeats with.
    visits = frame.assign(customer_id=[f"C{100_000 + i // 5}" for i in range(n)])
    assert entity_column(visits, synth.infer_schema(visits)).column == "customer_id"  # type: ignore[union-attr]
