"""Regions of one person's rows: CART's leaves, pairs of values, category ranges, missing groups, copula components.

Every such rule counted rows, so one patient's many visits made a region of their own: a leaf whose donors are that
patient's values, a pair of values listed in a lookup, a level's range, a mixture component
(``synth/synthesizers/person_leaves.py``). Each attack plants a patient and is run twice: told each row is its own
person (``person_column=None``) the region is made, told the person it is not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import coerce_to_schema
from synth.synthesizers.cart_steps import FlatTree
from synth.synthesizers.category_ranges import frame_category_ranges
from synth.synthesizers.copula_strata import find_rare_flag, stratum_groups
from synth.synthesizers.derived_search import find_rules
from synth.synthesizers.missing_together import search_groups
from synth.synthesizers.person_leaves import people_per_node, people_pruned
from synth.synthesizers.person_rarity import person_codes

PLANTED = 7  # the planted patient
HELD = ["sex", "birth_year", "area", "blood"]  # their person-level values: each common, together theirs alone


def _visits(n_people: int = 600, seed: int = 0) -> pd.DataFrame:
    """Patients with 1 to 7 visits; patient 7 has 10, and is the only one ever readmitted (a yes/no column, which no
    category rule pools). Their sex, year of birth, area and blood group are each held by many patients."""
    rng = np.random.default_rng(seed)
    visits = rng.integers(1, 8, n_people)
    visits[PLANTED] = 10
    person = np.repeat(np.arange(n_people), visits)
    people = pd.DataFrame(
        {
            "sex": rng.choice(["F", "M"], n_people),
            "birth_year": rng.integers(1930, 1990, n_people),
            "area": rng.choice([f"A{i:02d}" for i in range(25)], n_people),
            "blood": rng.choice(["O+", "O-", "A+", "A-", "B+", "B-", "AB+", "AB-"], n_people),
        }
    )
    frame = people.iloc[person].reset_index(drop=True)
    frame.insert(0, "patient_id", [f"P{i:05d}" for i in person])
    frame["ward"] = rng.choice(list("ABCD"), len(person))
    frame["cost"] = rng.gamma(2, 80, len(person)).round(2)
    frame["readmitted"] = person == PLANTED
    return frame


@pytest.fixture(scope="module")
def visits() -> pd.DataFrame:
    return _visits()


def _copies(syn: pd.DataFrame, real: pd.DataFrame) -> int:
    """Synthetic rows holding the planted patient's four person-level values together."""
    planted = real.loc[real["patient_id"] == f"P{PLANTED:05d}", HELD].iloc[0]
    return int((syn[HELD].astype(str) == planted.astype(str)).all(axis=1).sum())


def test_the_planted_patients_values_are_common_and_theirs_together(visits: pd.DataFrame) -> None:
    planted = visits.loc[visits["patient_id"] == f"P{PLANTED:05d}", HELD].iloc[0]
    for name in HELD:
        assert visits.loc[visits[name] == planted[name], "patient_id"].nunique() >= 5, name
    same = (visits[HELD] == planted).all(axis=1)
    assert visits.loc[same, "patient_id"].nunique() == 1


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_one_patients_rare_flag_is_no_leaf_of_their_own(name: str, visits: pd.DataFrame) -> None:
    # Counted in rows, the flag's 10 rows are the rare side's own leaf in every tree (CART) or split_first's side
    # (Pruned CART): every synthetic readmitted row is the planted patient.
    leaked = synth.create(name, random_state=0).fit(visits, person_column=None).sample(5_000, seed=1)
    assert _copies(leaked, visits) >= 10
    guarded = synth.create(name, random_state=0).fit(visits, person_column="patient_id").sample(5_000, seed=1)
    assert _copies(guarded, visits) <= 1  # chance alone: 5,000 rows × 1/24,000 per row


def _leaf_people(model: synth.Synthesizer, frame: pd.DataFrame) -> list[int]:
    """For every tree of a CART model fitted on categories only, the fewest people in any leaf its rows reach."""
    x = np.column_stack([c.encode(frame[c.name]) for c in model.columns_]).astype(np.float32)  # type: ignore[attr-defined]
    people = person_codes(frame, "patient_id")
    assert people is not None
    fewest = []
    for step in model.steps_:  # type: ignore[attr-defined]
        if step.tree is None:
            continue
        leaf = step.tree.apply(step.predictors(x).astype(np.float32))
        fewest.append(int(pd.Series(people).groupby(leaf).nunique().min()))
    return fewest


def test_small_leaves_count_people() -> None:
    """synthpop's 5 rows per leaf: 150 patients with 8 to 15 visits each, four category columns."""
    rng = np.random.default_rng(4)
    person = np.repeat(np.arange(150), rng.integers(8, 16, 150))
    n = len(person)
    base = rng.integers(0, 6, 150)[person]
    frame = pd.DataFrame(
        {
            "patient_id": [f"P{i:04d}" for i in person],
            "a": np.array(list("uvwxyz"))[base],
            "b": np.array(list("pqrstu"))[(base + rng.integers(0, 2, n)) % 6],
            "c": np.array(list("ghijkl"))[(base + (person % 3)) % 6],
            "d": np.array(list("mnopqr"))[(person % 6 + rng.integers(0, 2, n)) % 6],
        }
    )
    params = {"min_samples_leaf": 5, "random_state": 0}
    rows = synth.create("cart", **params).fit(frame, person_column=None)
    assert min(_leaf_people(rows, frame)) < 5, "the attack: some leaf holds fewer than 5 patients"
    people = synth.create("cart", **params).fit(frame, person_column="patient_id")
    assert min(_leaf_people(people, frame)) >= 5


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n_people=st.integers(3, 60), least=st.integers(2, 12))
def test_every_pruned_leaf_holds_enough_people(seed: int, n_people: int, least: int) -> None:
    from sklearn.tree import DecisionTreeRegressor

    rng = np.random.default_rng(seed)
    person = rng.integers(0, n_people, 300)
    x = np.c_[rng.normal(size=300) + person * 0.1, rng.integers(0, 4, 300)].astype(np.float32)
    y = x[:, 0] + rng.normal(size=300)
    tree = FlatTree.from_sklearn(DecisionTreeRegressor(min_samples_leaf=2, random_state=seed).fit(x, y).tree_)
    pruned = people_pruned(tree, x, person, least)
    held = people_per_node(pruned, pruned.apply(x), person)
    leaves = pruned.children_left < 0
    if pruned.node_count > 1:
        assert held[leaves].min() >= least
    else:
        assert held[0] == len(np.unique(person))
    # A kept split routes as before: rows that shared a leaf still share one.
    before, after = tree.apply(x), pruned.apply(x)
    assert (pd.Series(after).groupby(before).nunique() == 1).all()
    # Counted over each person's rows, a node's people are the distinct people below it.
    assert held[0] == len(np.unique(person))


def test_a_pair_on_one_patients_rows_is_not_listed() -> None:
    """``workingday`` from ``weekday`` and ``holiday``: the pair (Wed, yes) is on 10 rows, all one patient's."""
    rng = np.random.default_rng(2)
    visits = rng.integers(1, 5, 700)
    visits[3] = 10
    person = np.repeat(np.arange(700), visits)
    n = len(person)
    weekday = rng.choice(["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"], n)
    holiday = np.where((weekday == "Mon") & (rng.random(n) < 0.15), "yes", "no")
    weekday[person == 3], holiday[person == 3] = "Wed", "yes"
    off = np.isin(weekday, ["Sat", "Sun"]) | (holiday == "yes")
    frame = pd.DataFrame(
        {
            "patient_id": [f"P{i:04d}" for i in person],
            "weekday": weekday,
            "holiday": holiday,
            "workingday": np.where(off, "off", "work"),
        }
    )
    assert ((frame["weekday"] == "Wed") & (frame["holiday"] == "yes")).sum() == 10
    schema = synth.infer_schema(frame)
    data = coerce_to_schema(frame, schema)[schema.modelled]

    def keys(people: np.ndarray | None) -> set[tuple[object, ...]]:
        rules = find_rules(data, schema.select(schema.modelled), 5, people=people)
        return {tuple(k) for r in rules if r.output == "workingday" and len(r.inputs) == 2 for k in r.keys}

    assert ("Wed", "yes") in keys(None) or ("yes", "Wed") in keys(None), "the attack: counted in rows, it is listed"
    told = keys(person_codes(frame, "patient_id"))
    assert ("Wed", "yes") not in told and ("yes", "Wed") not in told
    for name in ("cart", "pruned_cart", "gaussian_copula"):
        model = synth.create(name, random_state=0).fit(frame, schema, person_column="patient_id")
        listed = {tuple(k) for r in model.rules_ if len(r.inputs) == 2 for k in r.keys}  # type: ignore[attr-defined]
        assert ("Wed", "yes") not in listed and ("yes", "Wed") not in listed, name


def _offices(seed: int = 5) -> pd.DataFrame:
    """Staff visits: the Berlin office's latitude never overlaps London's; the Oslo office is 5 people, one of them
    with 25 rows, and its latitude lies apart too."""
    rng = np.random.default_rng(seed)
    person = np.concatenate([np.repeat(np.arange(300), rng.integers(1, 4, 300)), [300] * 25, [301, 302, 303, 304]])
    office = np.where(person >= 300, "Oslo", np.where(person % 2 == 0, "Berlin", "London"))
    centre = pd.Series(office).map({"Berlin": 52.52, "London": 51.50, "Oslo": 59.91}).to_numpy()
    lat = (centre + rng.uniform(-0.02, 0.02, len(person))).round(4)
    lat[rng.random(len(person)) < 0.05] = np.nan
    lon = np.where(np.isnan(lat), np.nan, rng.uniform(-0.1, 13.4, len(person)).round(4))
    return pd.DataFrame({"staff_id": [f"S{i:04d}" for i in person], "office": office, "lat": lat, "lon": lon})


def test_a_level_on_few_peoples_rows_has_no_range() -> None:
    frame = _offices()
    schema = synth.infer_schema(frame)
    data = coerce_to_schema(frame, schema)
    rows = frame_category_ranges(data, schema)
    assert any(r.number == "lat" and "Oslo" in r.levels for r in rows), "the attack: Oslo's 29 rows hold a range"
    told = frame_category_ranges(data, schema, people=person_codes(frame, "staff_id"))
    assert not any("Oslo" in r.levels for r in told)


def test_a_group_missing_on_one_persons_rows_is_not_kept() -> None:
    rng = np.random.default_rng(6)
    person = np.repeat(np.arange(400), rng.integers(1, 4, 400))
    remote = np.isin(person, [11, 12])  # two remote workers: no office coordinates on any of their rows
    person = np.concatenate([person, [11] * 20])
    remote = np.concatenate([remote, [True] * 20])
    lat = np.where(remote, np.nan, rng.normal(52, 1, len(person)))
    lon = np.where(remote, np.nan, rng.normal(13, 1, len(person)))
    frame = pd.DataFrame({"lat": lat, "lon": lon})
    assert remote.sum() >= 20
    assert len(search_groups(frame, ["lat", "lon"])) == 1, "the attack: 2 people's rows make a group"
    assert search_groups(frame, ["lat", "lon"], people=person) == ()


def test_a_flag_on_one_persons_rows_is_no_copula_component() -> None:
    """A customer whose 40 orders are the only chargebacks: a component of its own at 20 rows per component."""
    rng = np.random.default_rng(7)
    person = np.concatenate([np.repeat(np.arange(1_000), rng.integers(1, 4, 1_000)), [5] * 40])
    n = len(person)
    flag = np.where(np.arange(n) >= n - 40, "yes", "no")
    amount = np.where(flag == "yes", rng.normal(900, 20, n), rng.normal(50, 20, n)).round(2)
    frame = pd.DataFrame({"chargeback": flag, "amount": amount, "channel": rng.choice(["web", "app"], n)})
    schema = synth.infer_schema(frame)
    assert find_rare_flag(frame, schema, 20) == ("chargeback", "yes"), "the attack: the flag is a component"
    people = np.asarray(person)
    assert find_rare_flag(frame, schema, 20, people) is None
    # A stratifying column: "phone" is the customer's 40 orders, "fax" 3 customers' 8; counted in rows phone is a
    # component of its own (fax, under 20 rows, joins a large level), counted in people both are pooled, and 4
    # people are too few for a component: they join the nearest large level.
    channel = frame["channel"].to_numpy(dtype=object)
    channel[n - 40 :] = "phone"
    channel[np.flatnonzero(np.isin(person, [1, 2, 3]))] = "fax"
    fax = np.flatnonzero(np.isin(person, [1, 2, 3]))
    frame = frame.assign(channel=channel)
    sizes = sorted(len(g) for g in stratum_groups(frame, ("channel",), None, 20))
    assert 40 in sizes and min(sizes) >= 20
    told = stratum_groups(frame, ("channel",), None, 20, people)
    assert len(told) == 2 and all(len(np.unique(people[g])) >= 20 for g in told)
    assert not any(set(g) <= set(fax) | set(range(n - 40, n)) for g in told)


def _habitual(seed: int = 0, n_people: int = 500) -> pd.DataFrame:
    """Visits at minutes from 08:00 to 17:59; patient 7 always comes at 09:37, which no other visit does."""
    rng = np.random.default_rng(seed)
    visits = rng.integers(2, 9, n_people)
    visits[PLANTED] = 12
    person = np.repeat(np.arange(n_people), visits)
    n = len(person)
    minute = rng.integers(8 * 60, 18 * 60, n)
    minute[minute == 9 * 60 + 37] += 1
    minute[person == PLANTED] = 9 * 60 + 37
    start = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 365, n), "D")
    return pd.DataFrame(
        {
            "patient_id": [f"P{i:04d}" for i in person],
            "sex": rng.choice(["F", "M"], n_people)[person],
            "ward": rng.choice(list("ABCD"), n),
            "start": pd.Series(start + pd.to_timedelta(minute, "min")).dt.strftime("%Y-%m-%d %H:%M"),
            "cost": rng.gamma(2, 80, n).round(2),
        }
    )


def test_one_patients_time_of_day_is_no_point_of_a_leaf() -> None:
    frame = _habitual()
    at = 9 * 3600 + 37 * 60  # 09:37 in seconds, as the time of day's donors hold it

    def fitted(person: str | None) -> tuple[int, int, float]:
        model = synth.create("pruned_cart", random_state=0).fit(frame, person_column=person)
        points = sum(
            int(((s.donors == at) & (s.widths == 0)).sum())
            for s in model.steps_  # type: ignore[attr-defined]
            if s.widths is not None
        )
        minutes = model.sample(20_000, seed=1)["start"].str[-5:].value_counts()
        return points, int(minutes.get("09:37", 0)), float(minutes.median())

    points, hits, median = fitted(None)
    assert points == 12 and hits >= 3 * median, "the attack: counted in rows, 09:37 is a point of a leaf"
    points, hits, median = fitted("patient_id")
    assert points == 0 and hits <= 1.6 * median


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n_people=st.integers(2, 40), smooth=st.integers(2, 8))
def test_time_points_and_leaf_band_ends_are_held_by_enough_people(seed: int, n_people: int, smooth: int) -> None:
    from synth.synthesizers.rare_bands import smoothing_ranges, within_leaves

    rng = np.random.default_rng(seed)
    person = rng.integers(0, n_people, 400)
    values = (rng.integers(0, 30, 400) * 60.0)[person % 7 + rng.integers(0, 3, 400)]  # people repeat their times
    leaf = rng.integers(0, 4, 400)
    low, width = within_leaves(values, leaf, smooth, 3_600.0, person)
    assert np.all(np.isfinite(low)) and np.all(width >= 0)
    # A point the file keeps (a range of width 0, at its low end) is a value at least ``smooth`` people hold.
    held = pd.Series(person).groupby(values).nunique()
    kept = np.unique(low[width == 0])
    assert (held.reindex(kept).fillna(0) >= smooth).all(), "no value fewer people hold is kept as a point"
    # A range the leaf rule made (not the column's, counted in people) ends on two values that many people hold.
    column_low, column_width = smoothing_ranges(values, smooth, person)
    own = (low != column_low) | (width != column_width)
    ends = np.unique(np.r_[low[own], low[own] + width[own]])
    assert (held.reindex(ends).fillna(0) >= smooth).all(), "no leaf band ends on a value fewer people hold"
