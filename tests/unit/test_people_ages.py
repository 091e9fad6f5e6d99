"""A patient's age at each visit, computed from their one date of birth (synth.synthesizers.people, ages): on a visit
table every synthetic visit's age is the whole years from its patient's birth date to its own admission, each
patient has one birth date, the age keeps its link with the cost, a frequent patient's pooled birth date stays
unlearned, conditions on the age hold, and a model file holds the rule's names only."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from benchmarks.walk_tables import visits
from synth.sampling import SampleSpec, iter_rows
from synth.sampling.blocks import identifier_key
from synth.synthesizers import people as people_module
from synth.synthesizers.elapsed_rounded import completed_years
from synth.synthesizers.people import People, describe_people, hold_people
from synth.synthesizers.persist import ModelFileError
from tests import model_files as mf

AGE_RULE = ("dob", "admitted", "age")
#: The patients with many visits (walk_tables.visits): each holds a birth date no one else does on 15+ rows.
FREQUENT = 10


def _ages(syn: pd.DataFrame) -> np.ndarray:
    """Each row's age read from its own two dates."""
    later = pd.to_datetime(syn["admitted"]).to_numpy().view(np.int64)
    return completed_years(later, pd.to_datetime(syn["dob"]).to_numpy().view(np.int64))


def _births_per_person(syn: pd.DataFrame) -> pd.Series:
    return syn.groupby("patient_id")["dob"].nunique()


def _link(frame: pd.DataFrame) -> float:
    return float(np.corrcoef(frame["age"], np.log(frame["cost"]))[0, 1])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return visits()


@pytest.fixture(scope="module", params=["cart", "pruned_cart", "gaussian_copula"])
def model(request: pytest.FixtureRequest, table: pd.DataFrame) -> synth.Synthesizer:
    return synth.create(request.param, random_state=1).fit(table)


def test_every_visit_keeps_its_age_and_each_patient_one_birth_date(
    table: pd.DataFrame, model: synth.Synthesizer
) -> None:
    """Before, the frequent patients' pooled birth dates hid the rule (5–7% of synthetic ages matched their dates);
    found on the unpooled dates, but held whole with the visit, the rule gave each patient several birthdays."""
    assert model.people_.ages == (AGE_RULE,)
    assert "dob" in model.people_.modelled and "age" not in model.people_.modelled
    syn = model.sample(len(table), seed=2)
    assert (_ages(syn) == syn["age"].to_numpy()).all()
    assert (_births_per_person(syn) == 1).all()
    assert (syn["age"] >= 0).all()
    assert abs(_link(syn) - _link(table)) < 0.1  # the age drawn with the cost is the age the row keeps


def test_without_dealing_rows_by_birth_the_held_age_loses_its_cost(
    table: pd.DataFrame, model: synth.Synthesizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why rows are dealt to people by their drawn birth date: dealt at random, a patient's later visits take the
    first visit's birth date and their age moves away from the one their cost was drawn with."""
    monkeypatch.setattr(people_module, "_dealt", lambda frame, entity, codes, *_: (frame, codes))
    syn = model.sample(len(table), seed=2)
    assert (_ages(syn) == syn["age"].to_numpy()).all()
    assert _link(syn) < _link(table) - 0.15


def test_a_frequent_patients_birth_date_is_not_learned(table: pd.DataFrame, model: synth.Synthesizer) -> None:
    """A frequent patient's birth date is held by one person on 15+ rows: pooled before the fit, never sampled. The
    age rule moves a birth date only by whole years, keeping its drawn day, so it cannot bring one back: learned,
    their ~5% of the rows would put their dates on ~5% of synthetic rows (chance: well under 0.1%)."""
    frequent = set(table.groupby("patient_id")["dob"].first().loc[[f"P{100000 + i}" for i in range(FREQUENT)]])
    syn = model.sample(len(table), seed=3)
    assert table["dob"].isin(frequent).mean() > 0.05
    assert syn["dob"].isin(frequent).mean() < 0.005


def test_a_condition_on_the_age_holds_on_every_row_with_its_own_birth_date(model: synth.Synthesizer) -> None:
    """Ages computed from a patient's one birth date could fall below a condition asked of each row: a conditioned
    age is left as drawn, its birth date with it (a patient may then have several)."""
    syn = model.sample(1_500, seed=4, conditions={"age": (65, None)})
    assert (syn["age"] >= 65).all()
    assert (_ages(syn) == syn["age"].to_numpy()).all()
    other = model.sample(1_500, seed=4, conditions={"sex": "F"})  # any other condition: one birth date each
    assert (other["sex"] == "F").all() and (_births_per_person(other) == 1).all()
    assert (_ages(other) == other["age"].to_numpy()).all()


def test_a_rebalanced_age_keeps_its_shares_and_its_rule(model: synth.Synthesizer) -> None:
    syn = model.sample(1_000, seed=5, rebalance={"age": {40: 0.5, 70: 0.5}})
    assert syn["age"].value_counts().to_dict() == {40: 500, 70: 500}
    assert (_ages(syn) == syn["age"].to_numpy()).all()


def test_rows_written_in_blocks_keep_the_rule(model: synth.Synthesizer) -> None:
    """A table written block by block takes the table's ids and holds people again: the ages are computed again."""
    rows = pd.concat(iter_rows(model, SampleSpec(3_000, seed=6, block_rows=1_000)), ignore_index=True)
    assert (_ages(rows) == rows["age"].to_numpy()).all()
    assert (rows.groupby("patient_id")["age"].count() >= 1).all()


def test_the_page_says_the_age_is_computed(model: synth.Synthesizer) -> None:
    text = describe_people(model)
    assert text is not None and "age is computed again from the person's dob and the row's own admitted" in text


# ----------------------------------------------------------------------------- the rule, for all inputs
@settings(max_examples=120, deadline=None)
@given(
    people=st.lists(st.integers(-1, 12), min_size=1, max_size=80),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
    pinned=st.booleans(),
)
def test_held_people_keep_their_rows_and_every_age_follows_their_dates(
    people: list[int], data: st.DataObject, seed: int, pinned: bool
) -> None:
    """For any rows: each id keeps its number of rows; each person gets one birth date, one of their rows' drawn
    ones; each row's age is computed from it and the row's own admission, unless a date or the age is missing; the
    admission and the rows without an id are untouched. Pinned (a streamed block), each id stays at its positions and
    the rows' values move to them whole: the row numbers say which drawn row each position took."""
    n = len(people)
    days = st.one_of(st.integers(0, 40_000), st.none())
    born = data.draw(st.lists(days, min_size=n, max_size=n))
    seen = data.draw(st.lists(days, min_size=n, max_size=n))
    drawn_age = data.draw(st.lists(st.one_of(st.integers(0, 120), st.none()), min_size=n, max_size=n))
    stamp = lambda d: pd.NaT if d is None else pd.Timestamp("1900-01-01") + pd.Timedelta(days=d)  # noqa: E731
    frame = pd.DataFrame(
        {
            "pid": pd.Series([f"P{p}" if p >= 0 else None for p in people], dtype=object),
            "dob": pd.to_datetime([stamp(d) for d in born]),
            "admitted": pd.to_datetime([stamp(d) for d in seen]) + pd.Timedelta(hours=9),
            "age": pd.array(drawn_age, dtype="Int64"),
            "row": np.arange(n),
        }
    )
    plan = People("pid", modelled=("dob",), ages=(AGE_RULE,))
    out = hold_people(frame, plan, np.random.default_rng(seed), pinned={"pid"} if pinned else ())
    assert list(out.dtypes) == list(frame.dtypes)
    assert out["pid"].value_counts().to_dict() == frame["pid"].value_counts().to_dict()
    if pinned:
        pd.testing.assert_series_equal(out["pid"], frame["pid"])
        taken = out["row"].to_numpy()
        assert sorted(taken) == list(range(n))  # every drawn row once
        pd.testing.assert_series_equal(out["admitted"], frame["admitted"].iloc[taken].set_axis(frame.index))
        frame = frame.iloc[taken].set_axis(frame.index).assign(pid=frame["pid"])  # as the rows were placed
    else:
        pd.testing.assert_series_equal(out["admitted"], frame["admitted"])
        pd.testing.assert_series_equal(out["row"], frame["row"])
    lone = frame["pid"].isna().to_numpy()
    pd.testing.assert_frame_equal(out[lone], frame[lone])
    births = out[~lone].groupby("pid")["dob"].agg(lambda s: set(s.astype(object).where(s.notna(), None)))
    assert (births.map(len) == 1).all()
    drawn = set(frame["dob"][~lone].astype(object).where(frame["dob"][~lone].notna(), None))
    assert set().union(*births) <= drawn
    known = ~lone & out["dob"].notna().to_numpy() & out["admitted"].notna().to_numpy() & frame["age"].notna().to_numpy()
    expected = completed_years(
        out["admitted"].to_numpy().view(np.int64)[known], out["dob"].to_numpy().view(np.int64)[known]
    )
    assert (out["age"].to_numpy(dtype=float, na_value=np.nan)[known] == expected).all()
    unknown = ~known & ~lone
    assert out["age"][unknown].isna().equals(frame["age"][unknown].isna())


# ----------------------------------------------------------------------------- the model file
def test_the_model_file_holds_the_rule_s_names_and_no_birth_date(table: pd.DataFrame, tmp_path: Path) -> None:
    model = synth.create("pruned_cart", random_state=1).fit(table)
    path = tmp_path / "visits.synth"
    model.save(path)
    manifest, arrays = mf.read(path)
    stored = next(mf.dataclasses_named(manifest, "People"))
    assert stored["ages"] == _tuples(list(AGE_RULE))
    text = json.dumps(manifest, ensure_ascii=False) + " ".join(
        " ".join(map(str, a.ravel())) for a in arrays.values() if a.dtype.kind in "OUS"
    )
    assert not [v for v in table["patient_id"].unique() if v in text]
    loaded = synth.load_model(path)
    pd.testing.assert_frame_equal(loaded.sample(300, seed=7), model.sample(300, seed=7))


def _tuples(*rules: list[object]) -> dict[str, object]:
    """Rules as the model file writes tuples."""
    return {"$": "tuple", "v": [{"$": "tuple", "v": rule} for rule in rules]}


@pytest.mark.parametrize(
    ("ages", "message"),
    [
        (_tuples(["sex", "admitted", "age"]), "date of birth 'sex' is not a held date"),
        (_tuples(["dob", "dob", "age"]), "later date 'dob' is not a date"),
        (_tuples(["dob", "sex", "age"]), "later date 'sex' is not a date"),
        (_tuples(["dob", "admitted", "cost_x"]), "computed age 'cost_x' is not a number column"),
        (_tuples(["dob", "admitted", "patient_id"]), "computed age 'patient_id' is not a number column"),
        (_tuples(["dob", "admitted"]), "computed ages are not what a fit writes"),
        (_tuples([1, 2, 3]), "computed ages are not what a fit writes"),
        ([["dob", "admitted", "age"]], "computed ages are not what a fit writes"),
    ],
)
def test_an_altered_age_rule_is_refused(table: pd.DataFrame, tmp_path: Path, ages: object, message: str) -> None:
    model = synth.create("gaussian_copula", random_state=1).fit(table)
    path = tmp_path / "visits.synth"
    model.save(path)
    manifest, arrays = mf.read(path)
    next(mf.dataclasses_named(manifest, "People"))["ages"] = ages
    with pytest.raises(ModelFileError, match=message):
        synth.load_model(mf.write(tmp_path / "evil.synth", manifest, arrays))


def test_streamed_keys_stay_at_their_positions(model: synth.Synthesizer) -> None:
    """A streamed block's keys depend on the row's position (synth.sampling.repeated): dealing rows by birth moves
    the rows' values to their person, never the keys."""
    spec = SampleSpec(2_400, seed=8, block_rows=600)
    rows = pd.concat(iter_rows(model, spec), ignore_index=True)
    laid = [
        model.generated_.block_repeated(first, 600, 2_400, identifier_key(8), ("patient_id",))["patient_id"]
        for first in range(0, 2_400, 600)
    ]
    assert rows["patient_id"].tolist() == np.concatenate(laid).tolist()
    assert (_ages(rows) == rows["age"].to_numpy()).all()
    assert abs(_link(rows) - _link(model.sample(2_400, seed=8))) < 0.1  # the rows moved whole, cost with age


def test_dates_written_day_first_and_at_their_offsets_give_each_row_its_age() -> None:
    """Birth dates written 27/09/1946 and admissions at Berlin's winter and summer offsets: held and dealt as
    values read with the schema's formats (read month first, 05/11/1977 is May; a streamed block's admissions at
    two offsets did not parse at all and the block failed)."""
    table = visits(patients=700, seed=3)
    berlin = pd.to_datetime(table["admitted"])
    admitted = berlin.dt.tz_localize("Europe/Berlin", ambiguous=False, nonexistent="shift_forward")
    table["admitted"] = admitted.map(lambda t: t.isoformat())
    table["dob"] = pd.to_datetime(table["dob"]).dt.strftime("%d/%m/%Y")
    # the age on the UTC instant, as the fit reads an offset column
    later = admitted.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy().view(np.int64)
    table["age"] = completed_years(later, pd.to_datetime(table["dob"], dayfirst=True).to_numpy().view(np.int64))
    model = synth.create("pruned_cart", random_state=1).fit(table)
    assert model.people_.ages == (AGE_RULE,)

    def read_ages(rows: pd.DataFrame) -> np.ndarray:
        seen = pd.to_datetime(rows["admitted"], utc=True).dt.tz_localize(None).to_numpy().view(np.int64)
        return completed_years(seen, pd.to_datetime(rows["dob"], format="%d/%m/%Y").to_numpy().view(np.int64))

    for rows in (model.sample(2_000, seed=1), pd.concat(iter_rows(model, SampleSpec(2_000, 2, block_rows=500)))):
        assert rows["dob"].str.fullmatch(r"\d\d/\d\d/\d{4}").all()
        assert (read_ages(rows) == rows["age"].to_numpy()).all()
        assert (rows.groupby("patient_id")["dob"].nunique() == 1).all()
