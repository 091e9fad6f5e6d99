"""Columns missing together (:mod:`synth.synthesizers.missing_together`): found only where the missing masks are
identical on every training row, kept on every synthetic row by CART, Pruned CART and the copula without moving
the group's missing share, stored as column names only, refused when a file's groups are altered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.missing_together import (
    MissingGroup,
    describe_groups,
    frame_missing_groups,
    mixed_rows,
    search_groups,
)
from synth.synthesizers.persist import ModelFileError
from tests.unit.crafting import each_state, edit_state, read_model, write_model

MODELS = ["cart", "pruned_cart", "gaussian_copula"]
HR = MissingGroup(("office_lat", "office_lon"))
SURVEY = MissingGroup(("q4_app_rating", "q5_app_frequency"))


def coordinates(n: int = 1_200, seed: int = 0) -> pd.DataFrame:
    """Offices with coordinates, remote staff (15%) with none, and a department and salary unrelated to either."""
    rng = np.random.default_rng(seed)
    remote = rng.random(n) < 0.15
    lat = np.where(remote, np.nan, rng.normal(50.0, 3.0, n).round(4))
    lon = np.where(remote, np.nan, rng.normal(5.0, 6.0, n).round(4))
    return pd.DataFrame(
        {
            "department": rng.choice(["IT", "Sales", "Ops"], n),
            "office_lat": lat,
            "office_lon": lon,
            "salary": rng.normal(60_000, 9_000, n).round(-2),
        }
    )


@pytest.fixture(scope="module")
def walk() -> dict[str, pd.DataFrame]:
    from benchmarks.walk_tables import hr, survey

    return {"hr": hr(), "survey": survey()}


#: Rows of the walk table's size sampled at seed 1 with one column of the group missing and the other present, with
#: the groups taken out of the fitted model: the defect (the copula draws the two masks nearly independently).
BEFORE = {
    ("hr", "cart"): 0,
    ("hr", "pruned_cart"): 4,  # (5 without linear-score splits)
    ("hr", "gaussian_copula"): 435,  # (458 while the 79-row level L6 was a copula component of its own)
    ("survey", "cart"): 3,
    ("survey", "pruned_cart"): 3,  # (5 without linear-score splits)
    ("survey", "gaussian_copula"): 0,
}


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize(("table", "group"), [("hr", HR), ("survey", SURVEY)])
def test_no_synthetic_row_of_a_walk_table_has_half_a_group(
    name: str, table: str, group: MissingGroup, walk: dict[str, pd.DataFrame]
) -> None:
    real = walk[table]
    model = synth.create(name, random_state=0).fit(real)
    assert model.missing_groups_ == (group,)
    out = model.sample(len(real), seed=1)
    assert not mixed_rows(out, (group,)).any()
    # (its pairs no row holds, zero_pairs, too: redrawing their rows moves the count)
    model.missing_groups_ = model.zero_pairs_ = ()
    before = model.sample(len(real), seed=1)
    assert mixed_rows(before, (group,)).sum() == BEFORE[table, name]
    # The group keeps the leader's modelled missing share (no row is rejected for being mixed), and both stay near
    # the real share.
    leader = before[group.leader].isna().mean()
    for column in group.columns:
        assert abs(out[column].isna().mean() - leader) < 0.01, column
        assert abs(out[column].isna().mean() - real[column].isna().mean()) < 0.03, column


@pytest.mark.parametrize("name", MODELS)
def test_no_row_of_a_small_coordinates_table_has_half_a_group(name: str) -> None:
    table = coordinates()
    model = synth.create(name, random_state=0).fit(table)
    assert model.missing_groups_ == (HR,)
    out = model.sample(3_000, seed=2)
    assert not mixed_rows(out, (HR,)).any()
    model.missing_groups_ = ()
    before = model.sample(3_000, seed=2)
    assert mixed_rows(before, (HR,)).sum() == {"gaussian_copula": 538}.get(name, 0)
    for column in HR.columns:
        assert abs(out[column].isna().mean() - before.office_lat.isna().mean()) < 0.01


@pytest.mark.parametrize("name", MODELS)
def test_conditioned_rows_keep_the_groups(name: str) -> None:
    model = synth.create(name, random_state=0).fit(coordinates())
    out = model.sample(2_000, seed=3, conditions={"department": "IT"})
    assert (out.department == "IT").all()
    assert not mixed_rows(out, (HR,)).any()
    model.missing_groups_ = ()
    before = model.sample(2_000, seed=3, conditions={"department": "IT"})
    assert mixed_rows(before, (HR,)).sum() == {"gaussian_copula": 404}.get(name, 0)
    # the weights keep the leader's share (dropping the mixed rows alone would raise it)
    assert abs(out.office_lat.isna().mean() - before.office_lat.isna().mean()) < 0.01


def test_masks_that_differ_on_one_row_find_no_group() -> None:
    """Adult's workclass and occupation: missing together on 1,836 rows, occupation alone on 7. One such row is
    enough to find no group."""
    table = coordinates()
    schema = synth.infer_schema(table)
    assert frame_missing_groups(table, schema) == (HR,)
    present = int(np.flatnonzero(table.office_lat.notna())[0])
    table.loc[present, "office_lon"] = np.nan
    assert frame_missing_groups(table, schema) == ()


def test_a_group_needs_twenty_missing_and_twenty_present_rows() -> None:
    table = coordinates(400)
    for rows, found in [(19, False), (20, True)]:
        t = table.assign(office_lat=50.0, office_lon=5.0)
        t.loc[: rows - 1, ["office_lat", "office_lon"]] = np.nan
        assert (search_groups(t, list(t)) == (HR,)) is found, rows
        # the same the other way round: present on too few rows
        flipped = t.assign(office_lat=np.where(t.office_lat.isna(), 1.0, np.nan))
        flipped = flipped.assign(office_lon=flipped.office_lat)
        assert (search_groups(flipped, list(flipped)) == (HR,)) is found, rows


@st.composite
def masked(draw: st.DrawFn) -> pd.DataFrame:
    """Up to six columns whose missing masks are copies of a few base masks, some copies altered on a few rows."""
    seed = draw(st.integers(0, 10_000))
    n = draw(st.integers(30, 200))
    rng = np.random.default_rng(seed)
    bases = [rng.random(n) < rng.uniform(0.05, 0.6) for _ in range(draw(st.integers(1, 3)))]
    columns = {}
    for k in range(draw(st.integers(2, 6))):
        mask = bases[int(rng.integers(len(bases)))].copy()
        if rng.random() < 0.3:
            mask[rng.integers(0, n, draw(st.integers(1, 2)))] ^= True
        columns[f"c{k}"] = np.where(mask, np.nan, rng.normal(size=n))
    return pd.DataFrame(columns)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(table=masked())
def test_every_found_group_is_missing_on_exactly_the_same_rows(table: pd.DataFrame) -> None:
    groups = search_groups(table, list(table))
    masks = table.isna()
    seen: set[str] = set()
    for group in groups:
        assert len(group.columns) >= 2 and not seen & set(group.columns)
        seen |= set(group.columns)
        for column in group.columns:
            assert masks[column].equals(masks[group.leader])
            assert 20 <= masks[column].sum() <= len(table) - 20
    # and every pair of eligible columns with identical masks is in one group
    eligible = [c for c in table if 20 <= masks[c].sum() <= len(table) - 20]
    for a in eligible:
        for b in eligible:
            if a < b and masks[a].equals(masks[b]):
                assert any({a, b} <= set(g.columns) for g in groups)


@pytest.mark.parametrize("name", MODELS)
def test_the_model_file_holds_no_real_value_the_groups_brought(name: str, tmp_path: Path) -> None:
    """Attack: the saved file with the groups against the same model saved without them. The groups add no number
    and no text but the columns' names."""
    from tests.unit.test_model_files import _archive, _numbers, _walk

    table = coordinates(600)
    model = synth.create(name, random_state=0).fit(table)
    assert model.missing_groups_, "no group: the attack would prove nothing"
    _, manifest, arrays = _archive(model, tmp_path / "with.synth")
    model.missing_groups_ = ()
    _, manifest_0, arrays_0 = _archive(model, tmp_path / "without.synth")
    assert np.array_equal(np.unique(_numbers(manifest, arrays)), np.unique(_numbers(manifest_0, arrays_0)))
    added = {v for v in _walk(manifest) if isinstance(v, str)} - {v for v in _walk(manifest_0) if isinstance(v, str)}
    assert added, "the groups were not saved"
    real = {str(v) for c in table for v in table[c].dropna()}
    assert not added & real
    # every added text is a column name or the saved type's structure (its class, field and attribute names)
    assert all(v in table.columns or v.isidentifier() or "." in v for v in added), added


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda g: g.update(columns={"$": "tuple", "v": ["office_lat", "nowhere"]}), "does not draw"),
        (lambda g: g.update(columns={"$": "tuple", "v": ["office_lat"]}), "fewer than two columns"),
        (lambda g: g.update(columns={"$": "tuple", "v": ["office_lat", "office_lat"]}), "names a column twice"),
        (lambda g: g.update(columns=["office_lat", "office_lon"]), "fewer than two columns|not missing groups"),
    ],
)
@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_an_altered_group_is_refused_on_load(name: str, change: Any, message: str, tmp_path: Path) -> None:
    model = synth.create(name, random_state=0).fit(coordinates(600))
    model.save(tmp_path / "m.synth")
    synth.load_model(tmp_path / "m.synth")  # the file as saved loads

    def alter(state: dict[str, Any], manifest: dict[str, Any]) -> None:
        each_state(manifest, "MissingGroup", change)

    edit_state(tmp_path / "m.synth", tmp_path / "bad.synth", alter)
    with pytest.raises(ModelFileError, match=f"missing_groups_.*({message})"):
        synth.load_model(tmp_path / "bad.synth")


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_a_file_saved_before_groups_loads_and_samples_as_before(name: str, tmp_path: Path) -> None:
    model = synth.create(name, random_state=0).fit(coordinates(600))
    model.missing_groups_ = ()
    model.save(tmp_path / "m.synth")
    manifest, arrays = read_model(tmp_path / "m.synth")
    state = manifest["fitted"]["model"]["v"]
    manifest["fitted"]["model"]["v"] = [kv for kv in state if kv[0] != "missing_groups_"]
    old = synth.load_model(write_model(tmp_path / "old.synth", manifest, arrays))
    assert not hasattr(old, "missing_groups_")
    pd.testing.assert_frame_equal(old.sample(500, seed=4), model.sample(500, seed=4))


@pytest.mark.parametrize("name", MODELS)
def test_the_groups_are_described_and_listed_in_the_model_file_inventory(name: str) -> None:
    model = synth.create(name, random_state=0).fit(coordinates(600))
    assert describe_groups(model) == "office_lat and office_lon (missing on the same rows)."
    assert "Missing together" in [item.name for item in model.artifact_inventory()]
    assert describe_groups(synth.create(name, random_state=0).fit(coordinates(600)[["salary", "department"]])) is None
