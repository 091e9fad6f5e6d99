"""Durations rounded from two timestamps (synth.synthesizers.elapsed_rounded): the whole days of a stay, a call's
minutes to one decimal, the midnights a stay spans. Found only where the rounding holds on every row and chance
cannot explain it; met by every synthetic row of every model with exact rules, on the end's own grain; saved with
no value and checked on load."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import synth
import synth.synthesizers.derived_search as derived_search
from synth.schema import coerce_to_schema
from synth.synthesizers.derived import DerivedRule
from synth.synthesizers.elapsed import find_elapsed
from synth.synthesizers.elapsed_rounded import GRAINS, MINUTE, PARTS, rounded_ends
from synth.synthesizers.persist import ModelFileError
from tests.unit.crafting import edit_state

RULED = ("cart", "pruned_cart", "gaussian_copula")
NO_SHRINK = (Phase.explicit, Phase.reuse, Phase.generate)  # a fit per example: shrinking would take minutes


def _visits(n: int, seed: int) -> pd.DataFrame:
    """A stay recorded to the minute with its whole days (pandas' ``.dt.days``), a call recorded to the second in
    Berlin time with its minutes to one decimal, and a night shift with the midnights it spans; a ward and a cost
    that grows with the stay."""
    rng = np.random.default_rng(seed)
    admitted = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365 * 24 * 60, n), unit="min"))
    discharged = admitted + pd.to_timedelta(rng.integers(10, 9 * 24 * 60, n), unit="min")
    start = pd.Timestamp("2024-03-01 08:00", tz="Europe/Berlin")
    start = pd.Series(start + pd.to_timedelta(rng.integers(0, 30 * 86400, n), unit="s"))
    end = start + pd.to_timedelta(rng.integers(20, 3 * 3600, n), unit="s")
    shifts = pd.to_timedelta(rng.integers(0, 200 * 1440, n), unit="min")
    shift_start = pd.Series(pd.Timestamp("2024-05-01 18:00") + shifts)
    shift_end = shift_start + pd.to_timedelta(rng.integers(4 * 60, 40 * 60, n), unit="min")
    stay = (discharged - admitted).dt.days
    return pd.DataFrame(
        {
            "admitted": admitted.dt.strftime("%Y-%m-%d %H:%M"),
            "discharged": discharged.dt.strftime("%Y-%m-%d %H:%M"),
            "stay_days": stay,
            "ward": rng.choice(["A", "B", "C"], n),
            "cost": np.round((stay + 1) * rng.lognormal(7, 0.3, n), 2),
            "call_start": start,
            "call_end": end,
            "call_minutes": ((end - start).dt.total_seconds() / 60).round(1),
            "shift_start": shift_start,
            "shift_end": shift_end,
            "midnights": (shift_end.dt.normalize() - shift_start.dt.normalize()).dt.days,
        }
    )


def _found(table: pd.DataFrame) -> dict[str, str]:
    schema = synth.infer_schema(table)
    data = coerce_to_schema(table, schema)[schema.modelled]
    rules, _ = find_elapsed(data, schema.select(schema.modelled))
    return {r.output: r.describe() for r in rules}


def _misses(syn: pd.DataFrame) -> dict[str, np.ndarray]:
    """For each rule, the rows whose number is not the rounding of their own two timestamps."""
    a, d = pd.to_datetime(syn["admitted"]), pd.to_datetime(syn["discharged"])
    call = (pd.to_datetime(syn["call_end"]) - pd.to_datetime(syn["call_start"])).dt.total_seconds() / 60
    s, e = pd.to_datetime(syn["shift_start"]), pd.to_datetime(syn["shift_end"])
    return {
        "stay": ((d - a).dt.days != syn["stay_days"]).to_numpy(),
        "call": (np.abs(call.round(1) - syn["call_minutes"]) > 1e-9).to_numpy(),
        "midnights": ((e.dt.normalize() - s.dt.normalize()).dt.days != syn["midnights"]).to_numpy(),
    }


def test_the_three_roundings_are_found_and_described() -> None:
    assert _found(_visits(1500, 0)) == {
        "discharged": "discharged = admitted + stay_days whole days (and less than a day more)",
        "call_end": "call_end = call_start + call_minutes minutes (call_minutes rounded to 1 decimal)",
        "shift_end": "shift_end = a time on the day midnights days after the day of shift_start",
    }


@pytest.mark.parametrize("name", RULED)
def test_without_the_rules_the_models_break_them(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The failure the rules fix, pinned so the test below can fail: drawn on its own, a stay's days, a call's
    minutes and a shift's midnights disagree with their own timestamps on many rows."""
    monkeypatch.setattr(derived_search, "rounded_rules", lambda *_: [])
    syn = synth.create(name, random_state=0).fit(_visits(1500, 0)).sample(2000, seed=1)
    misses = _misses(syn)
    assert misses["stay"].mean() > 0.2 and misses["midnights"].mean() > 0.2, {k: v.mean() for k, v in misses.items()}


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow], phases=NO_SHRINK)
@given(seed=st.integers(0, 2**16), n=st.integers(200, 1500), name=st.sampled_from(RULED))
def test_every_synthetic_row_keeps_its_rounding_on_its_grain(seed: int, n: int, name: str) -> None:
    table = _visits(n, seed)
    model = synth.create(name, random_state=seed).fit(table)
    syn = model.sample(2000, seed=seed + 1)
    assert {rule.output for rule in model.elapsed_} == {"discharged", "call_end", "shift_end"}
    misses = _misses(syn)
    for rule in ("stay", "midnights"):
        assert not misses[rule].any(), (rule, int(misses[rule].sum()))
    call = next(r for r in model.elapsed_ if r.output == "call_end")
    if call.decimals is None:
        # CART writes a fraction with too few grid values per pooled row unrounded (rare_bands.safe_decimals): no
        # rounding to one decimal can hold, so the end is the start plus the number itself, to the second
        gap = (pd.to_datetime(syn["call_end"]) - pd.to_datetime(syn["call_start"])).dt.total_seconds()
        assert np.all(np.abs(gap - syn["call_minutes"] * 60) <= 0.5 + 1e-6)
        assert name != "gaussian_copula"
    else:
        assert not misses["call"].any(), int(misses["call"].sum())
    discharged = pd.to_datetime(syn["discharged"])
    assert (discharged >= pd.to_datetime(syn["admitted"])).all()
    assert (pd.to_datetime(syn["shift_end"]) >= pd.to_datetime(syn["shift_start"])).all()
    call_end = pd.to_datetime(syn["call_end"])
    assert str(call_end.dt.tz) == "Europe/Berlin" and (call_end.dt.microsecond == 0).all()


def test_the_stays_cost_still_follows_its_days() -> None:
    """The end moves, not the number: the days keep the link the model learned with the cost."""
    table = _visits(2000, 2)
    syn = synth.create("pruned_cart", random_state=0).fit(table).sample(4000, seed=3)
    real = np.corrcoef(table["stay_days"], np.log(table["cost"]))[0, 1]
    got = np.corrcoef(syn["stay_days"], np.log(syn["cost"]))[0, 1]
    assert abs(got - real) < 0.1, (real, got)


def test_an_end_already_in_its_cell_does_not_move_and_others_land_on_the_grain() -> None:
    rule = DerivedRule("elapsed", "end", ("start", "days"), part="whole_day", offset=float(MINUTE))
    start = pd.Series(pd.to_datetime(["2024-01-01 10:30", "2024-01-01 10:30", "2024-01-01 10:30", None]))
    days = pd.Series([2, 2, 0, 1])
    drawn = pd.Series(pd.to_datetime(["2024-01-03 12:00", "2024-01-09 08:17", "2023-12-30 10:29", "2024-02-01 00:00"]))
    got = rounded_ends(rule, start, days, drawn)
    assert got[0] == pd.Timestamp("2024-01-03 12:00")  # in its cell: kept
    assert pd.Timestamp("2024-01-03 10:30") <= got[1] < pd.Timestamp("2024-01-04 10:30")
    assert pd.Timestamp("2024-01-01 10:30") <= got[2] < pd.Timestamp("2024-01-02 10:30")
    assert got[3] == drawn[3]  # no start: nothing to compute from
    assert all(t.second == 0 and t.microsecond == 0 for t in got)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(20, 400), spread=st.integers(1, 20))
def test_no_rounding_is_found_among_independent_times_and_numbers(seed: int, n: int, spread: int) -> None:
    """Timestamps and small counts drawn independently: a count that equals the whole days between two times on a
    few rows by chance is what the chance bound exists to refuse."""
    rng = np.random.default_rng(seed)
    first = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, spread * 1440, n), unit="min")
    table = pd.DataFrame(
        {
            "first": first,
            "second": first + pd.to_timedelta(rng.integers(0, spread * 1440, n), unit="min"),
            "count": rng.integers(0, spread, n),
            "tenths": rng.integers(0, 10 * spread, n) / 10,
        }
    )
    assert _found(table) == {}


def test_a_rounding_that_breaks_on_one_row_is_not_a_rule() -> None:
    table = _visits(1000, 4)
    table.loc[17, "stay_days"] += 1
    table.loc[30, "call_minutes"] += 0.1
    table.loc[40, "midnights"] -= 1
    assert _found(table) == {}


def test_a_rounding_finer_than_the_ends_grain_is_not_kept() -> None:
    """Ends recorded to the minute, hours to three decimals (3.6 seconds): most numbers have no minute in their
    cell, so the end could not be written on its grain; no rule."""
    rng = np.random.default_rng(5)
    start = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 10**6, 800), unit="min"))
    end = start + pd.to_timedelta(rng.integers(1, 600, 800), unit="min")
    hours = ((end - start).dt.total_seconds() / 3600).round(3)
    table = pd.DataFrame({"start": start, "end": end, "hours": hours})
    assert _found(table) == {}
    # to two decimals (36 s) it is still finer than a minute; to one (6 minutes) it is kept
    table["hours"] = ((end - start).dt.total_seconds() / 3600).round(1)
    assert _found(table) == {"end": "end = start + hours hours (hours rounded to 1 decimal)"}


def test_a_condition_on_the_moved_end_is_met() -> None:
    model = synth.create("pruned_cart", random_state=0).fit(_visits(1500, 5))
    low, high = pd.Timestamp("2024-06-01"), pd.Timestamp("2024-06-30")
    syn = model.sample(300, seed=0, conditions={"discharged": (low, high)})
    assert pd.to_datetime(syn["discharged"]).between(low, high).all()
    assert not _misses(syn)["stay"].any()


def test_models_with_a_privacy_guarantee_find_no_rounding() -> None:
    model = synth.create("privbayes", random_state=0).fit(_visits(600, 6))
    assert model.elapsed_ == ()


@pytest.mark.parametrize("name", RULED)
def test_a_loaded_model_samples_the_same_and_its_rules_hold_no_value(name: str, tmp_path: Path) -> None:
    table = _visits(800, 8)
    model = synth.create(name, random_state=0).fit(table)
    model.save(tmp_path / "m.synth")
    again = synth.load_model(tmp_path / "m.synth")
    pd.testing.assert_frame_equal(model.sample(300, seed=4), again.sample(300, seed=4))
    assert {r.part for r in again.elapsed_} == {"whole_day", "rounded_minute", "midnights"}
    # every field is a column name, a part, a grain (a unit of time), a recorded decimals or a default
    allowed = {*table.columns, *PARTS, *map(float, GRAINS), "elapsed", "", 0, 1, (), None}
    for rule in again.elapsed_:
        fields = [getattr(rule, f.name) for f in dataclasses.fields(rule)]
        assert all(v in allowed or (isinstance(v, tuple) and set(v) <= allowed) for v in fields), fields


@pytest.mark.parametrize(
    "change",
    [
        {"part": "whole_fortnight"},
        {"offset": 7.0},  # a grain that is no unit of time
        {"offset": -60_000_000_000.0},
        {"decimals": 40},
        {"decimals": 2, "part": "whole_day"},  # a whole count has no decimals
        {"offset": float("nan")},
        {"offset": float("inf")},
        {"offset": True},
        {"decimals": True, "part": "rounded_minute"},
        {"decimals": 1, "part": "rounded_minute", "offset": 60_000_000_000.0},  # 6 s cells on a minute grain
        {"decimals": None, "part": "rounded_minute", "offset": 3_600_000_000_000.0},  # minutes on an hour grain
    ],
)
def test_an_altered_rounding_is_refused_on_load(change: dict, tmp_path: Path) -> None:  # type: ignore[type-arg]
    model = synth.create("cart", random_state=0).fit(_visits(600, 10))
    model.save(tmp_path / "m.synth")
    edit_state(
        tmp_path / "m.synth", tmp_path / "bad.synth", lambda state, _: state["elapsed_"]["v"][0]["v"].update(change)
    )
    with pytest.raises(ModelFileError, match="not a date plus a number"):
        synth.load_model(tmp_path / "bad.synth")


def test_a_number_written_unrounded_moves_the_end_to_its_own_time() -> None:
    """Pruned CART writes the call's minutes unrounded (too few grid values per pooled row): the rule keeps no
    decimals, says so, and each end is the start plus the drawn minutes, at the nearest second."""
    table = _visits(1200, 12)
    model = synth.create("pruned_cart", random_state=0).fit(table)
    call = next(r for r in model.elapsed_ if r.output == "call_end")
    assert call.decimals is None  # the premise: written unrounded
    assert call.describe() == "call_end = call_start + call_minutes minutes (to the second)"
    syn = model.sample(2000, seed=1)
    assert (syn["call_minutes"].round(1) != syn["call_minutes"]).mean() > 0.5
    gap = (pd.to_datetime(syn["call_end"]) - pd.to_datetime(syn["call_start"])).dt.total_seconds()
    assert np.all(np.abs(gap - syn["call_minutes"] * 60) <= 0.5 + 1e-6)
    assert (pd.to_datetime(syn["call_end"]).dt.microsecond == 0).all()


def _patients(n: int, seed: int) -> pd.DataFrame:
    """Admissions with the patient's date of birth and their age on the admission day (whole years: the birthday
    not reached yet that year counts one less), some born on February 29."""
    rng = np.random.default_rng(seed)
    dob = pd.Series(pd.Timestamp("1930-01-01") + pd.to_timedelta(rng.integers(0, 80 * 365, n), unit="D"))
    dob[rng.choice(n, 12, replace=False)] = pd.Timestamp("1964-02-29")
    admitted = pd.Series(pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700 * 1440, n), unit="min"))
    reached = (admitted.dt.month * 100 + admitted.dt.day) >= (dob.dt.month * 100 + dob.dt.day)
    age = admitted.dt.year - dob.dt.year - (~reached).astype(int)
    return pd.DataFrame(
        {
            "dob": dob.dt.strftime("%Y-%m-%d"),
            "admitted": admitted.dt.strftime("%Y-%m-%d %H:%M"),
            "age": age,
            "ward": rng.choice(["A", "B", "C"], n),
            "cost": np.round(rng.lognormal(7, 0.5, n) * (1 + age / 30), 2),
        }
    )


def _ages(syn: pd.DataFrame) -> np.ndarray:
    """Each synthetic row's age on its admission day, read from its own two dates."""
    dob, admitted = pd.to_datetime(syn["dob"]), pd.to_datetime(syn["admitted"])
    reached = (admitted.dt.month * 100 + admitted.dt.day) >= (dob.dt.month * 100 + dob.dt.day)
    return (admitted.dt.year - dob.dt.year - (~reached).astype(int)).to_numpy()


@pytest.mark.parametrize("name", RULED)
def test_an_age_follows_its_date_of_birth_and_admission(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The date of birth is moved, by whole years, to the year the drawn age needs; its day of the year, the age
    and the age's link with the cost stay as drawn. Without the rule most rows disagree with themselves."""
    table = _patients(2500, 0)
    assert _found(table) == {"dob": "age = whole years from dob to admitted (dob's year follows age)"}
    model = synth.create(name, random_state=0).fit(table)
    syn = model.sample(3000, seed=1)
    assert (_ages(syn) == syn["age"].to_numpy()).all()
    months = pd.to_datetime(syn["dob"]).dt.month.value_counts(normalize=True)
    real = pd.to_datetime(table["dob"]).dt.month.value_counts(normalize=True)
    assert (months - real).abs().max() < 0.03
    real_link = np.corrcoef(table["age"], np.log(table["cost"]))[0, 1]
    assert abs(np.corrcoef(syn["age"], np.log(syn["cost"]))[0, 1] - real_link) < 0.1
    monkeypatch.setattr(derived_search, "rounded_rules", lambda *_: [])
    apart = synth.create(name, random_state=0).fit(table).sample(3000, seed=1)
    assert (_ages(apart) != apart["age"].to_numpy()).mean() > 0.5


def test_a_birthday_on_february_29_lands_on_a_real_day() -> None:
    from synth.synthesizers.elapsed_rounded import rounded_ends

    rule = DerivedRule("elapsed", "dob", ("admitted", "age"), part="years_before", offset=float(GRAINS[0]))
    days = ["2024-03-01 09:00", "2023-02-28 09:00", "2024-02-29 10:00", "2024-06-01 00:00"]
    admitted = pd.Series(pd.to_datetime(days))
    age = pd.Series([30, 30, 60, 45])
    drawn = pd.Series(pd.to_datetime(["1964-02-29", "1964-02-29", "1964-02-29", None]))
    got = rounded_ends(rule, admitted, age, drawn)
    assert list(got) == [
        pd.Timestamp("1994-02-28"),  # 1994 has no February 29: the 28th, already passed on March 1
        pd.Timestamp("1992-02-29"),  # on February 28, 2023 the 1992 birthday is not reached: 30, leap year kept
        pd.Timestamp("1964-02-29"),  # 60 on the day itself
        pd.Timestamp("1979-06-01"),  # no drawn date: the admission's own day
    ]
