"""Dates keep their real day-of-week pattern (synth.synthesizers.weekdays): where the real weekdays are patterned,
every synthesizer learns a hidden weekday and moves each drawn day to the nearest day with it."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import ColumnKind
from synth.synthesizers import persist, weekdays
from synth.synthesizers.column_domain import ColumnDomain
from synth.synthesizers.loading import load_model
from tests import model_files

SYNTHESIZERS = tuple(synth.available())
EXACT = tuple(n for n in SYNTHESIZERS if synth.create(n).guarantee is None)
PRIVATE = tuple(n for n in SYNTHESIZERS if synth.create(n).guarantee is not None)


def clinic(n: int = 800, seed: int = 0, closed: bool = True) -> pd.DataFrame:
    """Visits (08:00–17:59) only Monday to Friday (``closed``; else any day), department A only on Mondays, and a
    discharge date 0–3 days after the visit's day."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 300, 3 * n), "D")
    day = day[day.dayofweek < 5][:n] if closed else day[:n]
    dept = np.where(day.dayofweek == 0, rng.choice(["A", "B"], n), rng.choice(["B", "C"], n))
    visit = day + pd.to_timedelta(rng.integers(8 * 60, 18 * 60, n), "min")
    discharge = day + pd.to_timedelta(rng.integers(0, 4, n), "D")
    return pd.DataFrame(
        {
            "visit": pd.Series(visit).dt.strftime("%Y-%m-%d %H:%M"),
            "discharge": pd.Series(discharge).dt.strftime("%Y-%m-%d"),
            "dept": dept,
            "cost": np.round(rng.gamma(2, 50, n), 2),
        }
    )


def _days(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, format="mixed")


def _no_weekdays(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fit as before this module: no hidden weekday column."""
    monkeypatch.setattr(
        "synth.synthesizers.base.split_weekdays", lambda data, schema, private, people=None: (data, schema, ())
    )


@pytest.mark.parametrize("name", EXACT)
def test_a_clinic_closed_at_weekends_gets_no_weekend_visits(name: str) -> None:
    real = clinic()
    model = synth.create(name, random_state=0).fit(real)
    assert ("visit", "visit · day of week") in model.weekdays_
    out = model.sample(1000, seed=1)
    visit, discharge = _days(out["visit"]), _days(out["discharge"])
    assert visit.dt.dayofweek.lt(5).all(), visit.dt.dayofweek.value_counts()
    assert visit.dt.hour.between(8, 17).all()  # the time of day is joined to the moved day
    assert (discharge >= visit.dt.normalize()).all()  # an order the real rows hold is kept after the move
    low, high = _days(real["visit"]).min().normalize(), _days(real["visit"]).max()
    assert visit.between(low, high + pd.Timedelta(days=1)).all()


@pytest.mark.parametrize("name", EXACT)
def test_before_the_hidden_weekday_the_weekends_came_back(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The premise of the test above: without the hidden column the weekdays came out near uniform."""
    _no_weekdays(monkeypatch)
    out = synth.create(name, random_state=0).fit(clinic()).sample(1000, seed=1)
    assert _days(out["visit"]).dt.dayofweek.ge(5).mean() > 0.05  # 0 in the real rows


@pytest.mark.parametrize("name", PRIVATE)
def test_a_private_model_comes_closer(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real = clinic(2000)
    after = synth.create(name, random_state=0).fit(real).sample(2000, seed=1)
    _no_weekdays(monkeypatch)
    before = synth.create(name, random_state=0).fit(real).sample(2000, seed=1)
    weekend = [_days(t["visit"]).dt.dayofweek.ge(5).mean() for t in (before, after)]
    assert weekend[1] < weekend[0] / 2, weekend


def test_cart_ties_the_weekday_to_the_department() -> None:
    """Real department A visits are all on Mondays: the hidden weekday is learned with the other columns."""
    out = synth.create("pruned_cart", random_state=0).fit(clinic(1500)).sample(2000, seed=1)
    monday = _days(out["visit"]).dt.dayofweek.eq(0)
    assert monday[out["dept"] == "A"].mean() > 0.9
    assert monday[out["dept"] == "C"].mean() < 0.1


@pytest.mark.parametrize("name", EXACT)
def test_uniform_weekdays_get_no_hidden_column(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    real = clinic(closed=False)
    model = synth.create(name, random_state=0).fit(real)
    assert model.weekdays_ == ()
    _no_weekdays(monkeypatch)
    before = synth.create(name, random_state=0).fit(real)
    pd.testing.assert_frame_equal(model.sample(300, seed=2), before.sample(300, seed=2))


def test_a_private_model_offers_every_date_and_keeps_the_patterned_ones() -> None:
    """Which dates a DP model may give a hidden weekday is the schema's choice (every date, whatever the rows hold);
    which keep it is a noisy test inside the budget (synth.synthesizers.dp.patterns, tests/unit/test_dp_patterns.py).
    Its seven labels are public without a δ (no private label list in this table)."""
    real = clinic(300).drop(columns="dept")
    schema = synth.infer_schema(real)
    both = (("visit", "visit · day of week"), ("discharge", "discharge · day of week"))
    for table in (real, clinic(300, closed=False).drop(columns="dept")):
        assert weekdays.split_weekdays(table, schema, private=True)[2] == both
    model = synth.create("privbayes", random_state=0).fit(clinic(2000).drop(columns="dept"), schema)
    assert both[0] in model.weekdays_
    assert sum(d for _, _, d in model.ledger_) == 0


@pytest.mark.parametrize("name", SYNTHESIZERS)
def test_a_condition_on_a_range_of_days_holds(name: str) -> None:
    """The range starts on a Saturday and ends on a Monday: moves stay inside it."""
    model = synth.create(name, random_state=0).fit(clinic())
    low, high = pd.Timestamp("2023-03-04"), pd.Timestamp("2023-03-13 23:59")
    out = model.sample(40, seed=4, conditions={"visit": (low, high)})
    visit = _days(out["visit"])
    assert visit.between(low, high).all()
    if model.guarantee is None:
        assert visit.dt.dayofweek.lt(5).all()


def test_a_condition_listing_days_holds() -> None:
    model = synth.create("cart", random_state=0).fit(clinic())
    days = ["2023-03-06", "2023-03-07"]
    out = model.sample(30, seed=5, conditions={"discharge": [pd.Timestamp(d) for d in days]})
    assert out["discharge"].isin(days).all()


def test_exact_rules_reading_the_date_are_computed_from_the_moved_day() -> None:
    real = clinic(1000)
    real["weekday"] = _days(real["visit"]).dt.dayofweek
    real["month"] = _days(real["visit"]).dt.month
    for name in ("cart", "pruned_cart", "gaussian_copula"):
        model = synth.create(name, random_state=0).fit(real)
        assert {r.output for r in model.rules_} >= {"weekday", "month"}
        assert not any("day of week" in r.output for r in model.rules_)
        out = model.sample(500, seed=6)
        visit = _days(out["visit"])
        assert (out["weekday"] == visit.dt.dayofweek).all(), name
        assert (out["month"] == visit.dt.month).all(), name


def test_saved_models_sample_what_they_did(tmp_path: Path) -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(clinic())
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    assert loaded.weekdays_ == model.weekdays_
    pd.testing.assert_frame_equal(loaded.sample(200, seed=1), model.sample(200, seed=1))


def test_an_older_file_without_weekdays_samples_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = clinic()
    _no_weekdays(monkeypatch)
    old = synth.create("pruned_cart", random_state=0).fit(real)
    monkeypatch.undo()
    del old.weekdays_
    old.save(tmp_path / "old.zip")
    manifest, arrays = model_files.read(tmp_path / "old.zip")
    assert "weekdays_" not in persist.Decoder(arrays).decode(manifest["fitted"]["model"])
    loaded = load_model(tmp_path / "old.zip")
    expected = old.sample(300, seed=7)
    pd.testing.assert_frame_equal(loaded.sample(300, seed=7), expected)
    assert _days(expected["visit"]).dt.dayofweek.ge(5).mean() > 0.1  # one number: weekdays smoothed, as before


@pytest.mark.parametrize(
    "bad",
    [
        (("nope", "x"),),
        (("dept", "d2"),),
        (("visit", "dept"),),
        (("visit", "h"), ("visit", "h2")),
        (("visit", "visit · time of day"),),
        (("visit", "h", "x"),),
        "visit",
    ],
)
def test_altered_weekday_columns_are_refused(bad: object) -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(clinic(300))
    model.weekdays_ = bad  # type: ignore[assignment]
    with pytest.raises(persist.ModelFileError, match="day-of-week"):
        weekdays.check_weekdays(model)


def test_the_inventory_names_the_day_of_week_columns() -> None:
    items = {item.name: item.content for item in synth.create("cart").artifact_inventory()}
    assert "day-of-week" in items["Time-of-day columns"]


def _model(low: str | None, high: str | None) -> SimpleNamespace:
    lo, hi = (None if v is None else pd.Timestamp(v) for v in (low, high))
    return SimpleNamespace(
        weekdays_=(("d", "w"),), domain_=(ColumnDomain("d", ColumnKind.DATETIME, (), lo, hi, False),)
    )


@settings(max_examples=200, deadline=None)
@given(
    day=st.integers(0, 60),
    want=st.integers(0, 6),
    lo=st.integers(0, 30),
    width=st.integers(0, 30),
    hour=st.integers(0, 23),
)
def test_a_move_is_to_the_nearest_drawn_weekday_inside_the_range(
    day: int, want: int, lo: int, width: int, hour: int
) -> None:
    start = pd.Timestamp("2023-01-02")  # a Monday
    drawn = start + pd.Timedelta(days=day, hours=hour)
    low, high = start + pd.Timedelta(days=lo), start + pd.Timedelta(days=lo + width)
    body = pd.DataFrame({"d": [drawn], "w": [weekdays.WEEKDAYS[want]]})
    got = weekdays.join_weekdays(body, _model(str(low), str(high)), np.random.default_rng(0))
    assert list(got.columns) == ["d"]
    moved = got["d"].iloc[0]
    shift = (moved.normalize() - drawn.normalize()).days
    assert moved - drawn == pd.Timedelta(days=shift)  # whole days: the time of day is untouched
    # never further out of the range than drawn
    assert min(low.normalize(), drawn.normalize()) <= moved.normalize() <= max(high, drawn.normalize())
    if moved.dayofweek == want and shift:
        nearest = (want - drawn.dayofweek + 3) % 7 - 3
        assert shift == nearest or not low.normalize() <= drawn.normalize() + pd.Timedelta(days=nearest) <= high
    if low.normalize() <= drawn.normalize() <= high and high - low >= pd.Timedelta(days=6):
        assert moved.dayofweek == want and abs(shift) <= 6


def test_an_unbounded_move_is_at_most_three_days() -> None:
    drawn = pd.Series(pd.date_range("2023-01-02", periods=70, freq="D"))
    wanted = np.resize(weekdays.WEEKDAYS, 70)[::-1]
    body = pd.DataFrame({"d": drawn, "w": wanted})
    got = weekdays.join_weekdays(body, _model(None, None), np.random.default_rng(0))["d"]
    assert (got.dt.dayofweek == [weekdays.WEEKDAYS.index(w) for w in wanted]).all()
    assert (got - drawn).abs().max() <= pd.Timedelta(days=3)


def test_the_hidden_weekdays_cost_no_domain_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    """The seven labels are public: the other columns' domains get the ε they got without the hidden columns."""
    real = clinic(400)
    after = synth.create("privbayes", random_state=0).fit(real)
    _no_weekdays(monkeypatch)
    before = synth.create("privbayes", random_state=0).fit(real)
    spent = [{what: e for what, e, _ in m.ledger_}["domains"] for m in (before, after)]
    assert spent[0] == pytest.approx(spent[1])


def test_an_offset_timestamp_has_its_utc_weekday() -> None:
    """As the time-of-day split, the weekday is the UTC day's: Saturday 00:30 at +01:00 is Friday 23:30 UTC."""
    at = pd.Series(pd.to_datetime(["2025-03-01T00:30:00+0100"] * 60 + ["2025-04-02T12:00:00+0100"], utc=True))
    frame = pd.DataFrame({"at": at})
    schema = synth.infer_schema(frame)
    data, _, weeks = weekdays.split_weekdays(frame, schema, private=True)
    assert weeks == (("at", "at · day of week"),)
    assert data["at · day of week"].iloc[0] == "Fri"


def test_a_fit_counts_a_person_s_date_once_when_looking_for_weekdays() -> None:
    """Customers born on a Saturday apply four times as often: counted per row their birth dates read as a weekday
    pattern and the fit learned a hidden weekday for a date of birth; with the person column each customer's birth
    date counts once, as Compare counts it, and the application days' real pattern is still learned."""
    import synth
    from tests.unit.test_date_parts import _customers

    table = _customers(1_500, seed=0)
    by_person = synth.create("cart", random_state=0).fit(table, person_column="customer")
    assert [date for date, _ in by_person.weekdays_] == ["applied"]
    by_row = synth.create("cart", random_state=0).fit(table, person_column=None)
    assert [date for date, _ in by_row.weekdays_] == ["born", "applied"]
