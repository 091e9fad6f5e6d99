"""One synthetic person, one set of person-level values (synth.synthesizers.people): rows sharing a generated
person id share the generated personal data and the modelled columns that the real people hold constant; rules,
orders, conditions and rebalanced shares still hold; a DP model reads none of it; the model file holds names only."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from benchmarks import walk_tables
from synth.generated_shapes import repeated_count
from synth.sampling import SampleSpec, iter_rows
from synth.schema.pii import iban_ok
from synth.synthesizers.inventory import COMMON_ITEMS
from synth.synthesizers.people import HOLD_SHARE, People, constant_columns, describe_people, hold_people
from synth.synthesizers.persist import ModelFileError
from tests import model_files as mf


def _text(values: pd.Series) -> pd.Series:
    return values.astype(object).where(values.notna(), "<na>").astype(str)  # missing counts as a value


def _one_value_each(frame: pd.DataFrame, entity: str, columns: list[str] | tuple[str, ...]) -> bool:
    present = frame[frame[entity].notna()]
    return all((_text(present[c]).groupby(present[entity]).nunique() == 1).all() for c in columns)


# ----------------------------------------------------------------------------- the rule, for all inputs
@settings(max_examples=150, deadline=None)
@given(
    people=st.lists(st.integers(-1, 15), min_size=1, max_size=120),
    values=st.data(),
    keep_b=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_rows_of_one_id_share_one_of_their_own_values(
    people: list[int], values: st.DataObject, keep_b: bool, seed: int
) -> None:
    n = len(people)
    ids = pd.Series([f"P{p}" if p >= 0 else None for p in people], dtype=object)
    a = values.draw(st.lists(st.sampled_from(["x", "y", None]), min_size=n, max_size=n))
    b = values.draw(st.lists(st.one_of(st.floats(0, 9), st.just(float("nan"))), min_size=n, max_size=n))
    frame = pd.DataFrame({"pid": ids, "a": pd.Series(a, dtype=object), "b": b, "c": np.arange(n)})
    plan = People("pid", generated=("a",), modelled=("b",))
    out = hold_people(frame, plan, np.random.default_rng(seed), keep=("b",) if keep_b else ())
    assert list(out.columns) == list(frame.columns) and list(out.dtypes) == list(frame.dtypes)
    # Rows are dealt to the ids by their drawn held modelled values (b): each id keeps its number of rows.
    assert out["pid"].value_counts().to_dict() == frame["pid"].value_counts().to_dict()
    pd.testing.assert_series_equal(out["c"], frame["c"])  # not held
    if keep_b:
        pd.testing.assert_series_equal(out["b"], frame["b"])  # rebalanced: as drawn
        pd.testing.assert_series_equal(out["pid"], frame["pid"])  # nothing to deal by
    held = ["a"] if keep_b else ["a", "b"]
    assert _one_value_each(out, "pid", held)
    lone = ids.isna().to_numpy()
    pd.testing.assert_frame_equal(out[lone], frame[lone])  # a row without an id is its own person
    for pid, rows in out[~lone].groupby("pid").groups.items():
        first = rows[0]  # the person's first row gives every held column, together
        for c in held:
            assert _text(out.loc[rows, c]).eq(_text(frame.loc[[first], c]).iloc[0]).all(), (pid, c)
    if not keep_b:  # each id took one run of the rows in order of their drawn b (missing last): runs only touch
        drawn = frame["b"].fillna(np.inf).groupby(out["pid"]).agg(["min", "max"]).sort_values(["min", "max"])
        assert (drawn["max"].to_numpy()[:-1] <= drawn["min"].to_numpy()[1:]).all()


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(1, 300),
    distinct=st.integers(1, 200),
    missing=st.floats(0, 0.5),
    seed=st.integers(0, 2**32 - 1),
)
def test_a_person_named_by_personal_data_repeats_and_keeps_one_name(
    n: int, distinct: int, missing: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    names = rng.choice(["Ann Lee", "Bo Li", "Cy Ng", "Di Wu"], n).astype(object)
    # few distinct addresses: two people drawn the same one must become one person with one name
    emails = pd.Series([f"{x}@example.org" for x in rng.integers(0, 50, n)], dtype=object)
    emails[rng.random(n) < missing] = None
    frame = pd.DataFrame({"email": emails, "name": names})
    plan = People("email", generated=("name",), distinct=distinct, rows=2 * distinct)
    out = hold_people(frame, plan, np.random.default_rng(seed))
    assert out["email"].isna().equals(frame["email"].isna())
    assert set(out["email"].dropna()) <= set(frame["email"].dropna())
    present = int(frame["email"].notna().sum())
    if present:
        # repeated_count(distinct, 2 * distinct, present) people at most
        assert out["email"].nunique() <= repeated_count(distinct, 2 * distinct, present)
    assert _one_value_each(out, "email", ["name"])


@settings(max_examples=100, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 6), min_size=25, max_size=200), flips=st.integers(0, 10), seed=st.integers(0, 1000)
)
def test_a_column_is_held_when_and_only_when_99_percent_of_repeated_people_hold_one_value(
    sizes: list[int], flips: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    ids = np.repeat(np.arange(len(sizes)), sizes)
    person_value = rng.integers(0, 3, len(sizes))[ids].astype(float)
    repeated = [p for p, s in enumerate(sizes) if s > 1]
    flipped = rng.choice(repeated, min(flips, len(repeated)), replace=False) if repeated else []
    for p in flipped:  # the person's second row gets another value
        person_value[np.flatnonzero(ids == p)[1]] += 10
    frame = pd.DataFrame({"pid": ids, "v": person_value, "row": np.arange(len(ids))})
    found = constant_columns(frame, "pid", ["v", "row"])
    if len(repeated) < 20:
        assert found == ()
        return
    assert "row" not in found
    assert ("v" in found) == (1 - len(flipped) / len(repeated) >= HOLD_SHARE)


# ----------------------------------------------------------------------------- the walk's tables
@pytest.fixture(scope="module")
def clinic() -> pd.DataFrame:
    return walk_tables.clinic(n=1_500, patients=400)


@pytest.fixture(scope="module")
def clinic_cart(clinic: pd.DataFrame) -> synth.Synthesizer:
    return synth.create("cart", random_state=0).fit(clinic)


def test_a_clinic_patient_is_one_person_across_their_visits(
    clinic: pd.DataFrame, clinic_cart: synth.Synthesizer
) -> None:
    people = clinic_cart.people_
    assert people == People(
        "patient_id", generated=("name", "nhs_number", "phone", "postcode"), modelled=("date_of_birth", "sex", "smoker")
    )
    assert _one_value_each(clinic, "patient_id", people.held)  # the claim is the real table's
    syn = clinic_cart.sample(1_200, seed=1)
    assert _one_value_each(syn, "patient_id", people.held)
    assert not _one_value_each(syn, "patient_id", ["diagnosis"])  # visit-level columns still vary
    # sex was looked up from date_of_birth, a rule keyed by each patient's own date of birth (one person's value on
    # all their visits); dates of birth held by fewer than 5 patients are pooled now (synth.synthesizers.
    # person_rarity), so no rule is keyed by them and no real one held by so few is drawn.
    assert not [r for r in clinic_cart.rules_ if "date_of_birth" in r.inputs]
    births = pd.to_datetime(clinic["date_of_birth"], format="%d/%m/%Y")
    few = births.groupby(births).transform(lambda b: clinic.loc[b.index, "patient_id"].nunique()) < 5
    drawn = pd.to_datetime(syn["date_of_birth"], format="%d/%m/%Y")
    assert drawn.isin(births[few]).mean() < 0.05  # by chance only (a day of a dense range), never copied
    clinic_cart.people_ = None
    try:
        assert not _one_value_each(clinic_cart.sample(1_200, seed=1), "patient_id", ["name"])  # as it was
    finally:
        clinic_cart.people_ = people


def test_the_synthesize_page_sentence_names_what_is_held(clinic_cart: synth.Synthesizer) -> None:
    said = describe_people(clinic_cart)
    assert said is not None and "rows of one patient_id share" in said and "at least 99%" in said
    assert "the generated name, nhs_number, phone, postcode" in said
    assert "the drawn date_of_birth, sex, smoker" in said
    shop = synth.create("independent", random_state=0).fit(walk_tables.shop_orders(n=1_000))
    said = describe_people(shop)
    assert said is not None and said.startswith("email repeats across rows as the real one does")
    assert f"({shop.people_.distinct:,} values on {shop.people_.rows:,} rows)" in said
    assert describe_people(synth.create("independent")) is None


def test_conditions_and_rebalanced_shares_still_hold(clinic_cart: synth.Synthesizer) -> None:
    held = clinic_cart.people_.held
    syn = clinic_cart.sample(600, seed=2, conditions={"sex": "F", "smoker": ["no"]})
    assert (syn["sex"] == "F").all() and syn["smoker"].isin(["no", False]).all()
    assert _one_value_each(syn, "patient_id", held)
    syn = clinic_cart.sample(600, seed=3, rebalance={"sex": {"F": 0.25, "M": 0.75}})
    assert (syn["sex"] == "F").sum() == 150  # exact: sex is left as drawn
    assert _one_value_each(syn, "patient_id", [c for c in held if c != "sex"])


def test_streamed_blocks_hold_each_id_within_the_block(clinic_cart: synth.Synthesizer) -> None:
    blocks = list(iter_rows(clinic_cart, SampleSpec(n_rows=1_500, seed=4, block_rows=500)))
    assert len(blocks) == 3
    for block in blocks:
        assert _one_value_each(block, "patient_id", clinic_cart.people_.held)


def test_a_shop_customer_is_their_email_and_keeps_one_name_that_the_email_follows(tmp_path: Path) -> None:
    shop = walk_tables.shop_orders(n=2_000)
    model = synth.create("gaussian_copula", random_state=0).fit(shop)
    model.save(tmp_path / "shop.synth")
    manifest, arrays = mf.read(tmp_path / "shop.synth")
    text = json.dumps(manifest, ensure_ascii=False) + " ".join(
        " ".join(map(str, a.ravel())) for a in arrays.values() if a.dtype.kind in "OUS"
    )
    for column in ("email", "customer"):  # the person's counts are kept, none of its values
        assert not [v for v in shop[column].unique() if v in text], column
    assert model.people_.entity == "email" and model.people_.generated == ("customer",)
    syn = model.sample(2_000, seed=1)
    real_people, syn_people = shop["email"].nunique(), syn["email"].nunique()
    assert abs(syn_people - real_people) <= 0.1 * real_people  # the e-mail repeats as the real one (it never did)
    assert _one_value_each(syn, "email", ["customer"])
    first = syn["customer"].str.split().str[0].str.lower()
    local = syn["email"].str.split(".").str[0]
    ascii_first = first.map(lambda s: unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode())
    assert (local == ascii_first).mean() > 0.9  # e-mails still follow their row's name


def _ledger(holders: int = 200, seed: int = 29) -> pd.DataFrame:
    """A bank ledger: each holder's 3-20 bookings carry their one IBAN (valid check digits) and one branch code that
    several holders share."""
    rng = np.random.default_rng(seed)
    accounts = [f"{int(d):010d}" for d in rng.choice(10**10, holders, replace=False)]
    bban = ["37040044" + a for a in accounts]
    ibans = [f"DE{98 - int(b + '131400') % 97:02d}{b}" for b in bban]
    ibans = [" ".join(i[k : k + 4] for k in range(0, 22, 4)) for i in ibans]
    branches = [f"BR-{b:03d}" for b in rng.integers(100, 130, holders)]  # about 7 holders per branch
    rows = rng.integers(3, 21, holders)
    who = np.repeat(np.arange(holders), rows)
    return pd.DataFrame(
        {
            "holder_id": [f"K{100_000 + 37 * h}" for h in who],
            "iban": [ibans[h] for h in who],
            "branch": [branches[h] for h in who],
            "channel": rng.choice(["card", "transfer", "direct debit"], len(who)),
            "amount": np.round(rng.lognormal(3.3, 0.9, len(who)), 2),
        }
    ).sample(frac=1.0, random_state=1, ignore_index=True)


def test_a_key_each_person_holds_alone_is_one_per_synthetic_person() -> None:
    # The s29 ledger walk: the IBAN, a key as the holder id is, was drawn as a repeated key of its own, so a synthetic
    # holder had up to 40 IBANs and each IBAN several holders.
    ledger = _ledger()
    model = synth.create("independent", random_state=0).fit(ledger, person_column="holder_id")
    assert model.people_.generated == ("iban", "branch") and model.people_.keys == ("iban",)
    syn = model.sample(3_000, seed=1)
    assert _one_value_each(syn, "holder_id", ["iban", "branch"])
    assert _one_value_each(syn, "iban", ["holder_id"])  # and each IBAN one holder's, as in the real ledger
    assert syn["iban"].nunique() == syn["holder_id"].nunique()
    assert syn["iban"].map(iban_ok).all() and not set(syn["iban"]) & set(ledger["iban"])
    # A branch code several holders share stays shared: about as many codes as the real ledger has.
    assert not _one_value_each(syn, "branch", ["holder_id"])
    assert syn["branch"].nunique() <= 2 * ledger["branch"].nunique()
    said = describe_people(model)
    assert said is not None and "the generated iban, branch" in said


def test_rules_and_orders_keep_their_columns(clinic: pd.DataFrame) -> None:
    # enrolled is constant per patient and always before the visit: an order the sample must keep, so not held
    frame = clinic[["patient_id", "sex", "visit_time"]].copy()
    first = pd.to_datetime(frame["visit_time"]).groupby(frame["patient_id"]).transform("min")
    # (each patient's own date: pooled with four others' where held on 5+ visits, and kept before the visits,
    # test_person_rarity)
    frame["enrolled"] = (first - pd.Timedelta(days=30)).dt.strftime("%Y-%m-%d")
    model = synth.create("cart", random_state=0).fit(frame)
    assert any({"enrolled", "visit_time"} == {a, b} for a, b, _ in model.time_orders_)
    assert model.people_.modelled == ("sex",)
    syn = model.sample(1_000, seed=1)
    assert (pd.to_datetime(syn["enrolled"]) <= pd.to_datetime(syn["visit_time"])).all()


def test_a_dp_model_reads_no_person_columns(clinic: pd.DataFrame) -> None:
    model = synth.create("privbayes", random_state=0).fit(clinic[["patient_id", "name", "sex", "department"]])
    assert model.people_ is None


def test_tables_without_a_person_hold_nothing(adult_small: pd.DataFrame) -> None:
    assert synth.create("cart", random_state=0).fit(adult_small).people_ is None


# ----------------------------------------------------------------------------- the model file
def test_the_model_file_holds_no_real_person_value_and_loads_the_same(
    clinic: pd.DataFrame, clinic_cart: synth.Synthesizer, tmp_path: Path
) -> None:
    path = tmp_path / "clinic.synth"
    clinic_cart.save(path)
    manifest, arrays = mf.read(path)
    text = json.dumps(manifest, ensure_ascii=False) + " ".join(
        " ".join(map(str, a.ravel())) for a in arrays.values() if a.dtype.kind in "OUS"
    )
    for column in ("patient_id", "name", "nhs_number", "phone", "postcode"):
        leaked = [v for v in clinic[column].dropna().astype(str).unique() if v in text]
        assert not leaked, (column, leaked[:3])
    stored = next(mf.dataclasses_named(manifest, "People"))
    assert set(stored) <= {"entity", "generated", "modelled", "keys", "distinct", "rows", "spread", "ages"}
    item = next(i for i in COMMON_ITEMS if i.name == "Person columns")  # what the Synthesize page lists
    assert "no value of any row" in item.protection and "at least 99%" in item.content and HOLD_SHARE == 0.99
    loaded = synth.load_model(path)
    pd.testing.assert_frame_equal(loaded.sample(300, seed=5), clinic_cart.sample(300, seed=5))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("entity", "cost", "not a generated column"),
        ("generated", ["sex"], "not a generated column"),
        ("keys", ["name"], "not a held identifier"),
        ("modelled", ["name"], "not a modelled column"),
        ("distinct", 5, "counts are not what a fit writes"),
    ],
)
def test_an_altered_person_plan_is_refused(
    clinic_cart: synth.Synthesizer, tmp_path: Path, field: str, value: object, message: str
) -> None:
    path = tmp_path / "clinic.synth"
    clinic_cart.save(path)
    manifest, arrays = mf.read(path)
    stored = next(mf.dataclasses_named(manifest, "People"))
    stored[field] = value
    with pytest.raises(ModelFileError, match=message):
        synth.load_model(mf.write(tmp_path / "evil.synth", manifest, arrays))
