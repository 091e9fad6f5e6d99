"""End dates computed as a start plus a duration (synth.synthesizers.elapsed): found only where the rule holds on
every row and chance cannot explain it, met by every synthetic row of every model with exact rules, dates after
the end kept after it, conditions on the end met, saved and checked in model files, never found by a model with a
privacy guarantee."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.schema import coerce_to_schema
from synth.synthesizers.derived import UNITS, describe_rules
from synth.synthesizers.elapsed import find_elapsed
from synth.synthesizers.persist import ModelFileError
from tests.unit.crafting import edit_state

RULED = ("cart", "pruned_cart", "gaussian_copula")


def _stays(n: int, seed: int) -> pd.DataFrame:
    """A hospital stay (admission, length of stay in days, discharge = admission + stay, a follow-up 7–59 days
    after the discharge) and a phone call (a start to the second in Berlin time, minutes, an end = start + minutes),
    with a rare flag that marks short calls."""
    rng = np.random.default_rng(seed)
    admitted = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    stay = rng.geometric(0.25, n)
    discharged = admitted + pd.to_timedelta(stay, unit="D")
    start = pd.Timestamp("2024-03-01 08:00", tz="Europe/Berlin")
    start = start + pd.to_timedelta(rng.uniform(0, 30 * 86400, n).round(), unit="s")
    minutes = rng.integers(5, 240, n)
    return pd.DataFrame(
        {
            "admitted": admitted.strftime("%Y-%m-%d"),
            "stay_days": stay,
            "discharged": discharged.strftime("%Y-%m-%d"),
            "followup": (discharged + pd.to_timedelta(rng.integers(7, 60, n), unit="D")).strftime("%Y-%m-%d"),
            "ward": rng.choice(["A", "B", "C"], n),
            "call_start": start,
            "call_minutes": minutes,
            "call_end": start + pd.to_timedelta(minutes, unit="min"),
        }
    )


def _found(table: pd.DataFrame) -> tuple[dict[str, str], tuple[tuple[str, str], ...]]:
    schema = synth.infer_schema(table)
    data = coerce_to_schema(table, schema)[schema.modelled]
    rules, followers = find_elapsed(data, schema.select(schema.modelled))
    return {r.output: r.describe() for r in rules}, followers


def _gaps(syn: pd.DataFrame) -> dict[str, np.ndarray]:
    admitted, discharged, followup = (pd.to_datetime(syn[c]) for c in ("admitted", "discharged", "followup"))
    calls = (pd.to_datetime(syn["call_end"]) - pd.to_datetime(syn["call_start"])).dt.total_seconds() / 60
    return {
        "stay": ((discharged - admitted).dt.days - syn["stay_days"]).to_numpy(dtype=float),
        "call": (calls - syn["call_minutes"]).to_numpy(dtype=float),
        "followup": (followup - discharged).dt.days.to_numpy(dtype=float),
    }


def test_the_end_dates_of_a_stay_and_a_call_are_found_with_their_units() -> None:
    rules, followers = _found(_stays(1500, 0))
    assert rules == {
        "discharged": "discharged = admitted + stay_days days",
        "call_end": "call_end = call_start + call_minutes minutes",
    }
    assert followers == (("discharged", "followup"),)


@pytest.mark.parametrize("name", RULED)
def test_without_the_rule_the_models_break_it(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The failure the rule fixes, pinned so the test below can fail: drawn on its own, a call's end is not its
    start plus its minutes."""
    import synth.synthesizers.base as base

    monkeypatch.setattr(base, "find_elapsed", lambda *_: ((), ()))
    syn = synth.create(name, random_state=0).fit(_stays(1500, 0)).sample(2000, seed=1)
    assert np.mean(_gaps(syn)["call"] == 0) < 0.05


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16), n=st.integers(200, 1500), name=st.sampled_from(RULED))
def test_every_synthetic_row_ends_at_its_start_plus_its_duration(seed: int, n: int, name: str) -> None:
    table = _stays(n, seed)
    syn = synth.create(name, random_state=seed).fit(table).sample(2000, seed=seed + 1)
    gaps = _gaps(syn)
    assert np.all(gaps["stay"] == 0) and np.all(gaps["call"] == 0)
    # the follow-up moved with its recomputed discharge: never before it, within the real gaps
    low, high = gaps["followup"].min(), gaps["followup"].max()
    assert low >= 6 and high <= 60, (low, high)


def test_the_end_keeps_its_time_zone_and_seconds() -> None:
    table = _stays(800, 3)
    syn = synth.create("cart", random_state=0).fit(table).sample(500, seed=0)
    end = pd.to_datetime(syn["call_end"])
    assert str(end.dt.tz) == "Europe/Berlin"
    assert set(end.dt.second) - {0} and set(end.dt.hour) - {0}


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(20, 400), days=st.integers(2, 30))
def test_no_rule_is_found_among_independent_dates_and_numbers(seed: int, n: int, days: int) -> None:
    """Dates and small counts drawn independently: an end that equals a start plus a count on a few rows by chance
    is what the chance bound exists to refuse."""
    rng = np.random.default_rng(seed)
    first = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    table = pd.DataFrame(
        {
            "first": first,
            "second": pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, days, n), unit="D"),
            "count": rng.integers(0, days, n),
            "hours": rng.integers(0, 48, n),
        }
    )
    assert _found(table)[0] == {}


def test_a_rule_that_breaks_on_one_row_is_not_a_rule() -> None:
    table = _stays(1000, 4)
    table.loc[17, "call_minutes"] += 1
    assert "call_end" not in _found(table)[0]


def test_a_condition_on_the_computed_end_is_met() -> None:
    table = _stays(1500, 5)
    model = synth.create("pruned_cart", random_state=0).fit(table)
    low, high = pd.Timestamp("2024-06-01"), pd.Timestamp("2024-06-30")
    syn = model.sample(300, seed=0, conditions={"discharged": (low, high)})
    discharged = pd.to_datetime(syn["discharged"])
    assert discharged.between(low, high).all()
    assert np.all(_gaps(syn)["stay"] == 0)


def test_models_with_a_privacy_guarantee_find_no_rule() -> None:
    model = synth.create("privbayes", random_state=0).fit(_stays(600, 6))
    assert model.elapsed_ == () and model.elapsed_followers_ == ()


def test_the_rules_are_described_with_the_others() -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(_stays(600, 7))
    text = describe_rules(model)
    assert text is not None and "call_end = call_start + call_minutes minutes" in text


@pytest.mark.parametrize("name", RULED)
def test_a_loaded_model_samples_the_same_and_its_rules_hold_no_value(name: str, tmp_path: Path) -> None:
    table = _stays(800, 8)
    model = synth.create(name, random_state=0).fit(table)
    model.save(tmp_path / "m.synth")
    again = synth.load_model(tmp_path / "m.synth")
    pd.testing.assert_frame_equal(model.sample(300, seed=4), again.sample(300, seed=4))
    # every field of every rule is a column name, the unit, or a default: no training date or duration
    allowed = {*table.columns, *UNITS, "elapsed", "", 0.0, (), None}
    for rule in again.elapsed_:
        fields = [getattr(rule, f.name) for f in dataclasses.fields(rule)]
        assert all(v in allowed or (isinstance(v, tuple) and set(v) <= allowed) for v in fields), fields
    assert {c for pair in again.elapsed_followers_ for c in pair} <= set(table.columns)


def test_a_file_saved_before_elapsed_rules_still_loads(tmp_path: Path) -> None:
    model = synth.create("cart", random_state=0).fit(_stays(600, 9))
    model.save(tmp_path / "new.synth")

    def strip(state: dict, manifest: dict) -> None:  # type: ignore[type-arg]
        drop = ("elapsed_", "elapsed_followers_")
        manifest["fitted"]["model"]["v"] = [kv for kv in manifest["fitted"]["model"]["v"] if kv[0] not in drop]

    edit_state(tmp_path / "new.synth", tmp_path / "old.synth", strip)
    old = synth.load_model(tmp_path / "old.synth")
    assert not hasattr(old, "elapsed_")
    assert len(old.sample(50, seed=0)) == 50


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda state: state["elapsed_"]["v"][0]["v"].update(part="fortnight"), "not a date plus a number"),
        (lambda state: state["elapsed_"]["v"][0]["v"].update(output="ward"), "not a date plus a number"),
        (lambda state: state["elapsed_followers_"]["v"][0]["v"].__setitem__(1, "ward"), "follow a computed end"),
    ],
)
def test_an_altered_rule_is_refused_on_load(change, message: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    model = synth.create("cart", random_state=0).fit(_stays(600, 10))
    model.save(tmp_path / "m.synth")
    edit_state(tmp_path / "m.synth", tmp_path / "bad.synth", lambda state, _: change(state))
    with pytest.raises(ModelFileError, match=message):
        synth.load_model(tmp_path / "bad.synth")


def test_a_date_counted_in_days_from_a_timestamps_day_is_found_and_met() -> None:
    """A discharge date written as a date, the admission as a timestamp, the stay in days from the admission's day
    (the walk's clinic): the exact gap is not whole days, the calendar one is."""
    rng = np.random.default_rng(11)
    n = 1200
    admitted = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24 * 60, n), unit="min")
    stay = rng.geometric(0.3, n) - 1
    table = pd.DataFrame(
        {
            "admitted": admitted.strftime("%Y-%m-%d %H:%M"),
            "stay": stay,
            "discharged": (admitted.normalize() + pd.to_timedelta(stay, unit="D")).strftime("%Y-%m-%d"),
            "ward": rng.choice(["A", "B"], n),
        }
    )
    assert _found(table)[0] == {"discharged": "discharged = the day of admitted + stay days"}
    for name in RULED:
        syn = synth.create(name, random_state=0).fit(table).sample(1500, seed=2)
        day = pd.to_datetime(syn["admitted"]).dt.normalize()
        assert ((pd.to_datetime(syn["discharged"]) - day).dt.days == syn["stay"]).all(), name
