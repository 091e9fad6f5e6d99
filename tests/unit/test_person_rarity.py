"""Rare values counted in people: one patient's diagnosis, height and date of birth on all of their visits.

Every model without a guarantee counted rows in its rare-value rules, so a value one person held on eight visits
was common to them: it reached the model file and the samples (``synth/synthesizers/person_rarity.py``). Each
test attacks with a planted patient; the first shows the attack is real when the fit is told each row is its own
person.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import ColumnKind
from synth.synthesizers import get
from synth.synthesizers.person_rarity import person_codes, pool_person_values

NON_DP = [n for n in synth.available() if get(n).guarantee is None]
PLANTED = {"diagnosis": "Creutzfeldt-Jakob", "height": 231.4, "dob": pd.Timestamp("1903-04-05")}


def _visits(n_people: int = 500, seed: int = 0) -> pd.DataFrame:
    """Patients with 1 to 7 visits each; patient 7 has 8, and on every one of them the planted values."""
    rng = np.random.default_rng(seed)
    visits = rng.integers(1, 8, n_people)
    visits[7] = 8
    person = np.repeat(np.arange(n_people), visits)
    diagnosis = rng.choice(["flu", "asthma", "diabetes", "fracture"], n_people).astype(object)
    height = rng.normal(170, 9, n_people).round(1)
    dob = (pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 25_000, n_people), unit="D")).to_numpy()
    diagnosis[7], height[7], dob[7] = PLANTED["diagnosis"], PLANTED["height"], PLANTED["dob"].to_datetime64()
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:05d}" for i in person],
            "dob": dob[person],
            "diagnosis": diagnosis[person],
            "height": height[person],
            "visit_cost": rng.gamma(2, 80, len(person)).round(2),
            "ward": rng.choice(list("ABCD"), len(person)),
        }
    )


@pytest.fixture(scope="module")
def visits() -> pd.DataFrame:
    return _visits()


def _stored(path: Path) -> tuple[str, np.ndarray]:
    """The manifest's text and every float the file holds (a date as its nanoseconds)."""
    with zipfile.ZipFile(path) as zf:
        text = zf.read("manifest.json").decode("utf-8")
        with np.load(io.BytesIO(zf.read("arrays.npz")), allow_pickle=False) as npz:
            floats = [npz[k].astype(float).ravel() for k in npz.files if npz[k].dtype.kind == "f"]
    return text, np.concatenate([*floats, np.asarray(_scalars(json.loads(text)), dtype=float)])


def _scalars(node: object) -> list[float]:
    """Every number in a decoded JSON document."""
    if isinstance(node, dict):
        return [x for v in node.values() for x in _scalars(v)]
    if isinstance(node, list):
        return [x for v in node for x in _scalars(v)]
    return [float(node)] if isinstance(node, int | float) and not isinstance(node, bool) else []


def _emitted(syn: pd.DataFrame) -> dict[str, int]:
    return {
        "diagnosis": int((syn["diagnosis"] == PLANTED["diagnosis"]).sum()),
        "height": int(np.isclose(syn["height"].astype(float), PLANTED["height"]).sum()),
        "dob": int((pd.to_datetime(syn["dob"]) == PLANTED["dob"]).sum()),
    }


def test_the_attack_is_real_when_each_row_is_its_own_person(visits: pd.DataFrame) -> None:
    # Counted in rows, the planted patient's 8 visits make every planted value common: CART copies all three.
    model = synth.create("cart", random_state=0).fit(visits, person_column=None)
    emitted = _emitted(model.sample(5_000, seed=1))
    assert all(count > 0 for count in emitted.values()), emitted


@pytest.mark.parametrize("name", NON_DP)
def test_one_persons_value_on_many_rows_reaches_no_file_and_no_sample(
    name: str, visits: pd.DataFrame, tmp_path: Path
) -> None:
    schema = synth.infer_schema(visits)
    assert schema["patient_id"].kind is ColumnKind.IDENTIFIER
    model = synth.create(name, random_state=0).fit(visits, schema)  # the person is found, as the pages find it
    assert model.people_ is not None and model.people_.entity == "patient_id"
    model.save(tmp_path / "m.synth")
    text, floats = _stored(tmp_path / "m.synth")
    assert PLANTED["diagnosis"] not in text
    assert "1903-04-05" not in text
    assert not np.isclose(floats, PLANTED["height"], rtol=1e-9).any()
    assert not (floats == float(PLANTED["dob"].value)).any()
    assert _emitted(model.sample(5_000, seed=1)) == {"diagnosis": 0, "height": 0, "dob": 0}


def test_told_the_person_the_fit_counts_people(visits: pd.DataFrame) -> None:
    renamed = visits.rename(columns={"patient_id": "who"})
    model = synth.create("independent", random_state=0).fit(renamed, person_column="who")
    assert _emitted(model.sample(5_000, seed=1)) == {"diagnosis": 0, "height": 0, "dob": 0}
    # The share said to be pooled counts the planted patient's rows: 8 of the table's.
    shares = dict(model.bucketed_)
    assert shares["diagnosis"] == pytest.approx(8 / len(visits))


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 9), min_size=3, max_size=40),
    seed=st.integers(0, 10_000),
    extreme=st.floats(1e3, 1e9),
)
def test_pooling_leaves_common_and_single_values_and_hides_a_lone_extreme(
    sizes: list[int], seed: int, extreme: float
) -> None:
    rng = np.random.default_rng(seed)
    person = np.repeat(np.arange(len(sizes) + 1), [*sizes, 6])  # the last person: the extreme on 6 rows
    values = rng.choice([1.0, 2.0, 3.0, 4.5, 7.25], len(sizes)).repeat(sizes)
    x = np.append(values, [extreme] * 6)
    frame = pd.DataFrame({"pid": [f"p{i}" for i in person], "x": x})
    schema = synth.infer_schema(frame).with_column("x", kind=ColumnKind.CONTINUOUS, decimals=None)
    pooled = pool_person_values(frame, schema.select(["x"]), person_codes(frame, "pid"))["x"].to_numpy()
    people = frame.groupby("x")["pid"].nunique()
    rows = frame["x"].value_counts()
    kept = frame["x"].map(people).ge(5).to_numpy() | frame["x"].map(rows).lt(5).to_numpy()
    assert np.array_equal(pooled[kept], x[kept])
    assert not np.isclose(pooled[-6:], extreme, rtol=1e-9).any()  # one person's extreme is nowhere
    assert (pooled[-6:] < extreme).all()


def test_pooled_dates_keep_the_orders_the_real_rows_keep() -> None:
    """Each patient's own enrolment date, 1 to 7 days before their first visit, patients weeks apart: block means
    of five patients' dates moved about half past their patient's first visits (on a clinic's table the order
    enrolled ≤ visit broke on 0.27% of rows, so no model found or kept it). Pooled dates are clipped back to the
    patient's earliest visit's day."""
    rng = np.random.default_rng(3)
    n_people = 150
    visits = rng.integers(5, 9, n_people)  # every patient on 5+ rows: every enrolment date is pooled
    person = np.repeat(np.arange(n_people), visits)
    first = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.choice(3_000, n_people, replace=False), unit="D")
    visit = first[person] + pd.to_timedelta(rng.integers(0, 90 * 24 * 60, len(person)), unit="min")
    enrolled = (first - pd.to_timedelta(rng.integers(1, 8, n_people), unit="D"))[person]
    frame = pd.DataFrame({"patient_id": person, "enrolled": enrolled, "visit_time": visit.floor("min")})
    schema = synth.infer_schema(frame)
    people = person_codes(frame, "patient_id")
    pooled = pool_person_values(frame, schema.select(["enrolled", "visit_time"]), people)
    assert (pooled["enrolled"] != frame["enrolled"]).mean() > 0.5, "the dates were pooled"
    assert (pooled["enrolled"] <= pooled["visit_time"]).all()
    assert (pooled["enrolled"] == pooled["enrolled"].dt.normalize()).all(), "still dates at midnight"
    assert pooled.groupby("patient_id")["enrolled"].nunique().max() == 1, "one enrolment date per patient"
    model = synth.create("cart", random_state=0).fit(frame, schema)
    assert any({"enrolled", "visit_time"} == {a, b} for a, b, _ in model.time_orders_)
    syn = model.sample(2_000, seed=1)
    assert (pd.to_datetime(syn["enrolled"]) <= pd.to_datetime(syn["visit_time"])).all()


def _accounts(n_accounts: int = 400, seed: int = 0) -> pd.DataFrame:
    """Bank accounts with 5 to 15 payments each, every account opened on a day of its own (session 40's walk)."""
    rng = np.random.default_rng(seed)
    payments = rng.integers(5, 16, n_accounts)
    person = np.repeat(np.arange(n_accounts), payments)
    opened = pd.Timestamp("2015-01-01") + pd.to_timedelta(rng.choice(3_300, n_accounts, replace=False), unit="D")
    return pd.DataFrame(
        {
            "account": [f"AC{i:06d}" for i in person],
            "opened": opened[person],
            "amount": rng.lognormal(3.5, 0.8, len(person)).round(2),
            "channel": rng.choice(["card", "online", "atm"], len(person)),
        }
    )


def test_pooled_values_are_drawn_within_their_blocks_cells_one_per_person() -> None:
    table = _accounts()
    schema = synth.infer_schema(table)
    people = person_codes(table, "account")
    at_means = pool_person_values(table, schema.select(["opened"]), people)["opened"]
    drawn = pool_person_values(table, schema.select(["opened"]), people, rng=np.random.default_rng(0))["opened"]
    per_person = drawn.groupby(table["account"]).nunique()
    assert (per_person == 1).all(), "every account keeps one opening date on all of its rows"
    # At the means: a block of five accounts shares one date. Drawn: about one date an account, as the real ones.
    assert at_means.nunique() <= 400 // 5 + 1 < 0.8 * 400 <= drawn.nunique()
    # No account's own date comes back more often than any date of its cell would by chance (cells are ~40 days).
    assert (drawn == table["opened"]).groupby(table["account"]).first().mean() < 0.1
    assert drawn.min() >= at_means.min() and drawn.max() <= at_means.max(), "never past the outermost means"
    assert (drawn == drawn.dt.normalize()).all(), "still days"


@pytest.mark.parametrize("name", ["pruned_cart", "independent"])
def test_synthetic_accounts_are_not_opened_in_clumps(name: str) -> None:
    """Session 40's card transactions (``benchmarks.walk_tables.card_transactions``, seed 3): 598 accounts, most
    opened on a day of their own. With each pooled date at its block's mean, the 598 synthetic accounts shared 117
    (Pruned CART) and 207 (independent marginals) opening dates; drawn within their cells, 328 and 422; with CART's
    bands counted in people too, 556 (Pruned CART). Split by account, a classifier had told synthetic rows from fresh
    ones by that column alone (``python -m benchmarks.bench_person_dates``)."""
    from benchmarks.walk_tables import card_transactions

    table = card_transactions(seed=3)
    model = synth.create(name, random_state=0).fit(table, person_column="account.iban")
    syn = model.sample(len(table), seed=1)
    assert (syn.groupby("account.iban")["account.opened"].nunique() <= 1).all(), "one opening date an account"
    dates = syn.groupby("account.iban")["account.opened"].first()
    assert dates.nunique() >= 0.45 * len(dates), (dates.nunique(), len(dates))
