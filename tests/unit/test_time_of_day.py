"""Datetimes with a time part keep their time of day (synth.synthesizers.time_of_day): every synthesizer learns the
day and a hidden time of day, and joins them again at sampling."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers import persist, time_of_day
from synth.synthesizers.loading import load_model
from tests import model_files

SYNTHESIZERS = tuple(synth.available())
# DP models blur the hidden column within their privacy noise (its range is estimated privately), so the property
# that synthetic times stay inside the real window is pinned for the models without a guarantee.
EXACT_RANGE = tuple(n for n in SYNTHESIZERS if synth.create(n).guarantee is None)


def visits(n: int, first_hour: int, last_hour: int, seed: int = 0) -> pd.DataFrame:
    """Visits whose times all fall within [first_hour, last_hour) of their day, a department that shifts the
    hour, and an end minutes after the start on the same day."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 300, n), "D")
    dept = rng.choice(["A", "B", "C"], n)
    span = (last_hour - first_hour) * 60
    minute = np.where(dept == "A", rng.integers(0, max(span // 3, 1), n), rng.integers(0, span, n))
    start = day + pd.to_timedelta(first_hour * 60 + minute, "min")
    last = day + pd.Timedelta(hours=last_hour, minutes=-1)
    end = np.minimum(start + pd.to_timedelta(rng.integers(0, 40, n), "min"), last)
    return pd.DataFrame(
        {
            "start": pd.Series(start).dt.strftime("%Y-%m-%d %H:%M"),
            "end": pd.Series(end).dt.strftime("%Y-%m-%d %H:%M"),
            "dept": dept,
            "cost": np.round(rng.gamma(2, 50, n), 2),
        }
    )


def _times(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, format="%Y-%m-%d %H:%M")


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.integers(0, 20), width=st.integers(1, 6), seed=st.integers(0, 2**16))
@pytest.mark.parametrize("name", EXACT_RANGE)
def test_times_within_the_real_window_stay_within_it(name: str, first: int, width: int, seed: int) -> None:
    last = min(first + width, 24)
    real = visits(300, first, last, seed)
    out = synth.create(name, random_state=seed).fit(real).sample(400, seed=seed)
    hours = _times(out["start"]).dt.hour
    assert hours.between(first, last - 1).all(), hours.value_counts()


def test_the_hidden_column_is_learned_with_the_others() -> None:
    """CART keeps the department's hours: real A visits are in the first third of the window."""
    real = visits(1500, 8, 17)
    out = synth.create("pruned_cart", random_state=0).fit(real).sample(3000, seed=1)
    hour = _times(out["start"]).dt.hour
    assert (hour[out["dept"] == "A"] < 11).mean() > 0.9
    assert (hour[out["dept"] != "A"] >= 11).mean() > 0.5


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2**16))
@pytest.mark.parametrize("name", SYNTHESIZERS)
def test_a_date_only_column_stays_date_only(name: str, seed: int) -> None:
    real = visits(200, 8, 18, seed)
    real["start"] = real["start"].str[:10]
    real["end"] = real["end"].str[:10]
    model = synth.create(name, random_state=seed).fit(real)
    assert model.times_ == ()
    out = model.sample(300, seed=seed)
    assert out["start"].dropna().str.fullmatch(r"\d{4}-\d\d-\d\d").all()


@pytest.mark.parametrize("name", SYNTHESIZERS)
def test_every_synthesizer_keeps_the_hours(name: str) -> None:
    real = visits(800, 8, 18)
    # (At ε = 1 the DP network releases nothing of a small table's hidden column: every time at midnight, as before.)
    params = {"declared_orders": [("start", "end")], "epsilon": 20.0} if synth.create(name).guarantee else {}
    model = synth.create(name, random_state=0, **params).fit(real)
    assert [s[0] for s in model.times_] == ["start", "end"]
    out = model.sample(1000, seed=2)
    hours = _times(out["start"]).dt.hour
    # Before: the hour came out uniform over the day (about 58% outside 08–18), PrivBayes' all at midnight.
    limit = 0.02 if model.guarantee is None else 0.35
    assert (~hours.between(8, 17)).mean() <= limit


@pytest.mark.parametrize("name", SYNTHESIZERS)
def test_a_start_and_an_end_minutes_apart_stay_in_order(name: str) -> None:
    real = visits(600, 9, 12)
    params = {"declared_orders": [("start", "end")]} if synth.create(name).guarantee else {}
    model = synth.create(name, random_state=0, **params).fit(real)
    out = model.sample(800, seed=3)
    start, end = _times(out["start"]), _times(out["end"])
    assert (end >= start).all()
    assert ("end", "start", 1.0) in model.time_orders_


# The DP network releases a date's range by noisy histograms (synth.synthesizers.dp.ranges), and a condition outside
# the released range is refused (SynthesizerError, as it should be). On this table at ε = 1 the range of ``start``
# gets about 0.022 of ε (0.4 of ε over six private domains, a third of that for the range); its first look (17
# twelve-year cells at two thirds of that: threshold ln(17/0.02)/ε₁ ≈ 455 rows, Laplace scale 1/ε₁ ≈ 67) keeps
# the 600 rows with a margin of only 2.1 scales, so the whole range is lost in about one fit in twenty (12 of 200
# noise streams; test_the_private_date_range_here_is_lost_by_chance). A larger ε does not give a margin either: at
# ε = 20 the zooms into cells of 45 and 28 days (about 91 and 57 rows each, threshold 81) drop end cells and missed
# March in 94 of 200 streams. Declaring the range public (a user may) takes it out of the noise: the claim here is
# that the sampler meets a condition on times, which then holds in every fit (200 of 200 streams).
PUBLIC_DAYS = {"public_domains": {"start": ("2023-01-01", "2023-12-31")}}


@pytest.mark.parametrize("name", SYNTHESIZERS)
def test_a_condition_on_a_range_of_times_holds(name: str) -> None:
    real = visits(600, 8, 18)
    model = synth.create(name, random_state=0, **(PUBLIC_DAYS if synth.create(name).guarantee else {})).fit(real)
    low, high = pd.Timestamp("2023-03-01 10:00"), pd.Timestamp("2023-03-20 12:30")
    out = model.sample(50, seed=4, conditions={"start": (low, high)})
    times = _times(out["start"])
    assert times.between(low, high).all()
    assert (times.dt.floor("D") > low.floor("D")).any() or (times.dt.hour >= 10).all()


def test_the_private_date_range_here_is_lost_by_chance(monkeypatch: pytest.MonkeyPatch) -> None:
    """Why the condition test declares its date range public for DP models: at ε = 1 the first look at the range of
    ``start`` keeps its 600 rows by under three Laplace scales (a loss in more than 2% of fits), and the declared
    range spends no look on it at all."""
    from synth.synthesizers.dp import ranges

    looks: list[tuple[np.ndarray, np.ndarray, float]] = []
    kept_span = ranges._kept_span

    def spy(x: np.ndarray, edges: np.ndarray, epsilon: float, rng: np.random.Generator, zero_cell: bool) -> object:
        if edges is ranges.TWELVE_YEAR_EDGES or edges is ranges.DATE_EDGES:
            looks.append((x, edges, epsilon))
        return kept_span(x, edges, epsilon, rng, zero_cell=zero_cell)

    monkeypatch.setattr(ranges, "_kept_span", spy)
    real = visits(600, 8, 18)
    synth.create("privbayes", random_state=0).fit(real)
    x, edges, eps = looks[0]  # start's first look (end's comes after it)
    busiest = np.histogram(x, edges)[0].max()
    margin = (busiest - ranges._threshold(len(edges) - 1, eps)) * eps  # in Laplace scales
    assert busiest == 600 and 0 < margin < 3, margin  # 2.14: a loss in 5.9% of first looks
    assert 0.5 * np.exp(-margin) > 0.02
    looks.clear()
    synth.create("privbayes", random_state=0, **PUBLIC_DAYS).fit(real)
    assert len(looks) == 1  # end's only


def test_a_condition_within_one_day_holds() -> None:
    """The exact sampler draws the day; the hours of the range are then filtered on the joined times."""
    real = visits(600, 8, 18)
    model = synth.create("gaussian_copula", random_state=0).fit(real)
    low, high = pd.Timestamp("2023-03-01 10:00"), pd.Timestamp("2023-03-01 13:00")
    out = model.sample(20, seed=5, conditions={"start": (low, high)})
    assert _times(out["start"]).between(low, high).all()


def test_day_conditions_floor_to_the_utc_day() -> None:
    split = (("t", "t · time of day", 60),)
    got = time_of_day.day_conditions({"t": (pd.Timestamp("2023-03-01 10:00"), None), "u": 3, "t2": 1}, split)
    assert got == {"t": (pd.Timestamp("2023-03-01"), None), "u": 3, "t2": 1}
    aware = pd.Timestamp("2023-03-01 00:30", tz="Europe/Berlin")  # 2023-02-28 23:30 UTC
    assert time_of_day.day_conditions({"t": aware}, split)["t"] == pd.Timestamp("2023-02-28", tz="UTC")


def test_offset_times_keep_their_local_hours() -> None:
    """Orders placed 09:00–11:59 on a Berlin clock, written +0100 in winter and +0200 in summer. Until session 25 a
    column written at several offsets was modelled in UTC and written at +0000 (this test then pinned its UTC
    hours); now each row is modelled on its wall clock and written at an offset drawn with its month's real shares
    (synth.synthesizers.row_offsets)."""
    rng = np.random.default_rng(0)
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 200, 500), "D")
    wall = pd.Series(days + pd.to_timedelta(rng.integers(9 * 60, 12 * 60, 500), "min"))
    ts = wall.dt.tz_localize("Europe/Berlin")
    real = pd.DataFrame({"at": ts.dt.strftime("%Y-%m-%dT%H:%M:%S%z"), "x": rng.normal(size=500)})
    out = synth.create("gaussian_copula", random_state=0).fit(real).sample(500, seed=0)
    assert out["at"].str[11:13].astype(int).between(9, 11).all()
    assert set(out["at"].str[-5:]) == {"+0100", "+0200"}


def test_a_private_model_splits_by_the_format_alone() -> None:
    """Whether a DP model splits a column must not depend on any row: the same schema splits the same columns
    whatever the rows hold (every time at midnight here)."""
    real = visits(300, 8, 18)
    schema = synth.infer_schema(real)
    midnight = real.assign(start=real["start"].str[:10] + " 00:00")
    a = synth.create("privbayes", random_state=0).fit(real, schema)
    b = synth.create("privbayes", random_state=0).fit(midnight, schema)
    assert a.times_ == b.times_ == (("start", "start · time of day", 60), ("end", "end · time of day", 60))
    assert a.time_orders_ == b.time_orders_ == ()  # only declared orders, none declared


def test_grains() -> None:
    assert time_of_day.format_grain("%Y-%m-%d") is None
    assert time_of_day.format_grain("%Y-%m-%d %H:%M") == 60
    assert time_of_day.format_grain("%d/%m/%Y %H") == 3600
    assert time_of_day.format_grain("%Y-%m-%dT%H:%M:%S%z") == 1
    assert time_of_day.data_grain(np.array([60.0, 180.0, 7200.0])) == 60
    assert time_of_day.data_grain(np.array([0.5, 60.0])) == 1


def test_saved_models_sample_what_they_did(tmp_path: Path) -> None:
    real = visits(300, 8, 18)
    model = synth.create("pruned_cart", random_state=0).fit(real)
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    pd.testing.assert_frame_equal(loaded.sample(100, seed=1), model.sample(100, seed=1))


def test_an_older_file_without_times_samples_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file saved before the split (a datetime learned as one number) has no times_, time_orders_ or
    time_zones_: it loads and samples what the model drew when it was saved."""
    real = visits(300, 8, 18)
    monkeypatch.setattr("synth.synthesizers.base.split_times", lambda data, schema, private: (data, schema, ()))
    old = synth.create("gaussian_copula", random_state=0).fit(real)
    monkeypatch.undo()
    del old.times_, old.time_orders_, old.time_zones_
    old.save(tmp_path / "old.zip")
    manifest, arrays = model_files.read(tmp_path / "old.zip")
    assert "times_" not in persist.Decoder(arrays).decode(manifest["fitted"]["model"])
    loaded = load_model(tmp_path / "old.zip")
    expected = old.sample(200, seed=7)
    pd.testing.assert_frame_equal(loaded.sample(200, seed=7), expected)
    assert (~_times(expected["start"]).dt.hour.between(8, 17)).mean() > 0.3  # one number: hours smoothed, as before


@pytest.mark.parametrize(
    "bad",
    [
        (("start", "start · time of day", 0),),
        (("start", "start · time of day", 7200),),
        (("nope", "x", 60),),
        (("start", "dept", 60),),
        (("start", "h", 60), ("start", "h2", 60)),
        "start",
    ],
)
def test_altered_time_columns_are_refused(tmp_path: Path, bad: object) -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(visits(200, 8, 18))
    model.times_ = bad  # type: ignore[assignment]
    with pytest.raises(persist.ModelFileError, match="time-of-day"):
        time_of_day.check_times(model)


def test_altered_time_orders_are_refused() -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(visits(200, 8, 18))
    model.time_orders_ = (("end", "dept", 1.0),)
    with pytest.raises(persist.ModelFileError, match="order between times"):
        time_of_day.check_times(model)


def test_the_inventory_names_the_time_of_day_columns() -> None:
    names = {item.name for item in synth.create("gaussian_copula").artifact_inventory()}
    assert "Time-of-day columns" in names


@pytest.mark.parametrize("name", SYNTHESIZERS)
def test_a_model_file_holds_no_rows_extreme_time_of_day(tmp_path: Path, name: str) -> None:
    """The splits are names and a grain; the hidden column is protected as any number is: neither the earliest nor
    the latest real time of day (each held by one row) is in the file."""
    real = visits(400, 8, 18)
    real.loc[0, "start"] = "2023-02-01 07:13"  # one row alone at each extreme
    real.loc[1, "start"] = "2023-02-02 18:47"
    real.loc[[0, 1], "end"] = real.loc[[0, 1], "start"]
    model = synth.create(name, random_state=0).fit(real)
    model.save(tmp_path / "m.zip")
    manifest, arrays = model_files.read(tmp_path / "m.zip")
    state = persist.Decoder(arrays).decode(manifest["fitted"]["model"])
    assert state["times_"] == (("start", "start · time of day", 60), ("end", "end · time of day", 60))
    extremes = {7 * 3600 + 13 * 60.0, 18 * 3600 + 47 * 60.0}
    for key, values in arrays.items():
        if values.dtype.kind == "f":
            assert not extremes & set(values.ravel().tolist()), key
    assert not any(str(int(x)) in str(manifest) for x in extremes)


def test_a_date_with_a_few_stray_times_stays_one_number() -> None:
    real = visits(400, 8, 18)
    real["start"] = real["start"].str[:10] + " 00:00"
    real.loc[:9, "start"] = real.loc[:9, "start"].str[:10] + " 12:00"  # 2.5% of rows, under MIN_TIMED
    model = synth.create("gaussian_copula", random_state=0).fit(real)
    assert [s[0] for s in model.times_] == ["end"]


def _clinic_at(offset: str, n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Visits 09:00–16:59 on the local clock, written at one UTC offset (``+02:00``)."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2025-03-03") + pd.to_timedelta(rng.integers(0, 200, n), "D")
    local = day + pd.to_timedelta(rng.integers(9 * 60, 17 * 60, n), "min")
    return pd.DataFrame({"at": pd.Series(local).dt.strftime("%Y-%m-%dT%H:%M:%S") + offset, "x": rng.normal(size=n)})


@pytest.mark.parametrize("name", SYNTHESIZERS)
def test_a_column_at_one_offset_keeps_its_local_hours(name: str) -> None:
    """Before, the times were taken and written in UTC: the +02:00 clinic came out 07:00–14:59 at +00:00."""
    real = _clinic_at("+02:00")
    model = synth.create(name, random_state=0).fit(real)
    assert model.time_zones_ == {"at": 7200}
    out = model.sample(500, seed=1)
    assert out["at"].str.endswith("+02:00").all()
    hours = out["at"].str[11:13].astype(int)
    assert hours.between(9, 16).mean() >= (1.0 if model.guarantee is None else 0.9), hours.value_counts()
    instants = pd.to_datetime(out["at"], utc=True)  # the same instants: 07:00–14:59 UTC
    assert instants.dt.hour.between(7, 14).mean() >= (1.0 if model.guarantee is None else 0.9)


@pytest.mark.parametrize("name", EXACT_RANGE)
def test_a_zone_aware_column_keeps_each_rows_local_hours_across_summer_time(name: str) -> None:
    """Datetimes stored with a zone keep their own offset per row: 09:00–16:59 in Berlin in winter (+01:00) and in
    summer (+02:00). Taken in UTC, a winter day could get a summer time and come out at 18:xx (CART, Pruned CART:
    99.8% and 99.1% inside), and the copula and the independent model could not fit the column at all."""
    rng = np.random.default_rng(1)
    n = 1500
    day = pd.Timestamp("2025-01-06") + pd.to_timedelta(rng.integers(0, 300, n), "D")
    local = (day + pd.to_timedelta(rng.integers(9 * 60, 17 * 60, n), "min")).tz_localize("Europe/Berlin")
    real = pd.DataFrame({"at": local, "x": rng.normal(size=n)})
    model = synth.create(name, random_state=0).fit(real)
    assert model.time_zones_ == {"at": "Europe/Berlin"}
    out = model.sample(3000, seed=2)
    assert str(out["at"].dt.tz) == "Europe/Berlin"
    assert out["at"].dt.hour.between(9, 16).all(), out["at"].dt.hour.value_counts()
    both = set(out["at"].map(lambda t: t.utcoffset().total_seconds()))
    assert both == {3600.0, 7200.0}  # winter and summer rows alike


@settings(max_examples=40, deadline=None)
@given(quarters=st.integers(-14 * 4, 14 * 4).filter(bool), colon=st.booleans(), seed=st.integers(0, 2**16))
def test_one_offset_is_read_and_the_instants_go_back_unchanged(quarters: int, colon: bool, seed: int) -> None:
    seconds = quarters * 15 * 60
    sign, whole = "+" if seconds > 0 else "-", abs(seconds)
    written = f"{sign}{whole // 3600:02d}{':' if colon else ''}{whole % 3600 // 60:02d}"
    real = _clinic_at(written, 40, seed)
    schema = synth.infer_schema(real)
    zones = time_of_day.column_zones(real, schema)
    assert zones == {"at": seconds}
    utc = pd.to_datetime(real["at"], utc=True).dt.tz_localize(None).to_frame()
    local = time_of_day.to_local(utc, zones)
    assert (local["at"].dt.strftime("%Y-%m-%dT%H:%M:%S") == real["at"].str[:19]).all()  # the written wall clock
    pd.testing.assert_frame_equal(time_of_day.from_local(local, zones), utc)


def test_several_offsets_or_utc_keep_the_column_in_utc() -> None:
    mixed = _clinic_at("+01:00")
    mixed.loc[:9, "at"] = mixed.loc[:9, "at"].str[:19] + "+02:00"
    for table in (mixed, _clinic_at("+00:00"), _clinic_at("Z").assign(at=lambda d: d["at"].str[:19] + "+0000")):
        assert time_of_day.column_zones(table, synth.infer_schema(table)) == {}


@pytest.mark.parametrize("bad", [{"start": 10**6}, {"dept": 3600}, {"start": "Not/AZone"}, {"start": True}, "x"])
def test_altered_local_clocks_are_refused(bad: object) -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(visits(200, 8, 18))
    model.time_zones_ = bad  # type: ignore[assignment]
    with pytest.raises(persist.ModelFileError, match="local clock"):
        time_of_day.check_times(model)


def test_a_saved_model_at_an_offset_samples_what_it_did(tmp_path: Path) -> None:
    model = synth.create("pruned_cart", random_state=0).fit(_clinic_at("-05:30"))
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    assert loaded.time_zones_ == {"at": -19800}
    pd.testing.assert_frame_equal(loaded.sample(100, seed=1), model.sample(100, seed=1))


def test_a_condition_at_an_offset_holds_on_the_instants() -> None:
    """A condition's naive timestamps are UTC instants, as before (the column is parsed to UTC)."""
    model = synth.create("gaussian_copula", random_state=0).fit(_clinic_at("+02:00"))
    low, high = pd.Timestamp("2025-04-01 08:00"), pd.Timestamp("2025-04-03 09:00")
    out = model.sample(30, seed=3, conditions={"at": (low, high)})
    instants = pd.to_datetime(out["at"], utc=True).dt.tz_localize(None)
    assert instants.between(low, high).all() and out["at"].str.endswith("+02:00").all()


# ------------------------------------------------------------------------------------ the hidden column's link
#: Names holding the text of a hidden column's reason or name.
ODD_NAMES = (
    "time of day of x",
    "x · time of day",
    "candidate: time of day of x",
    "time of day of ",
    " · time of day 2",
    "a · time of day · time of day",
)


@settings(max_examples=80, deadline=None)
@given(name=st.one_of(st.sampled_from(ODD_NAMES), st.text(min_size=1, max_size=20)), held=st.booleans())
@pytest.mark.parametrize("private", [False, True])
def test_a_hidden_time_of_day_reads_back_its_column_whatever_the_names(private: bool, name: str, held: bool) -> None:
    """The datetime column is read back from its hidden column's reason (time_of_day.split_day): a column named
    with the reason's own text, the suffix or "candidate: " maps back to itself. A column of the table holding the
    hidden column's first name, even with the reason split_times would write (a crafted schema), is no time of day:
    the hidden column takes the next name and is the only one that maps to the datetime."""
    from synth.schema import ColumnKind, ColumnSpec, Schema

    frame = {name: pd.to_datetime(pd.Series(["2024-01-01 10:30", "2024-01-02 11:45", None] * 4))}
    specs = [ColumnSpec(name, ColumnKind.DATETIME, "")]
    decoy = name + time_of_day.SUFFIX
    if held:
        frame[decoy] = pd.Series(np.arange(12.0))
        specs.append(ColumnSpec(decoy, ColumnKind.CONTINUOUS, "time of day of " + name))
    _, schema, splits = time_of_day.split_times(pd.DataFrame(frame), Schema(tuple(specs)), private=private)
    ((day, hidden, _),) = splits
    assert day == name and hidden == decoy + (" 2" if held else "")
    assert time_of_day.split_days(schema) == {hidden: name}
    # a private model gets a column whose format cannot say whether it holds times as a candidate
    assert [s.name for s in schema if time_of_day.is_untested(s)] == ([hidden] if private else [])


def test_a_reason_naming_another_column_is_no_link() -> None:
    from synth.schema import ColumnKind, ColumnSpec

    def day(name: str, reason: str) -> str | None:
        return time_of_day.split_day(ColumnSpec(name, ColumnKind.CONTINUOUS, reason))

    assert day("b · time of day", "time of day of b") == day("b · time of day 3", "candidate: time of day of b") == "b"
    assert day("a · time of day", "time of day of b") is None  # read as "b"'s time of day before
    assert day("b · time of day x", "time of day of b") is None
    assert day("b · time of day", "see: time of day of b") is None
    assert day("b", "time of day of b") is None
    assert time_of_day.split_day(ColumnSpec("b · time of day", ColumnKind.DISCRETE, "time of day of b")) is None


def test_a_column_named_like_a_hidden_one_keeps_its_hours_through_a_model_file(tmp_path: Path) -> None:
    """End to end, with the datetime named with the reason's text and the table holding its hidden column's name."""
    odd = "candidate: time of day of start"
    real = visits(400, 8, 18).rename(columns={"start": odd})
    real[odd + time_of_day.SUFFIX] = real["cost"]
    model = synth.create("cart", random_state=0).fit(real)
    assert model.times_[0] == (odd, odd + time_of_day.SUFFIX + " 2", 60)
    model.save(tmp_path / "m.zip")
    out = load_model(tmp_path / "m.zip").sample(500, seed=1)
    pd.testing.assert_frame_equal(out, model.sample(500, seed=1))
    assert _times(out[odd]).dt.hour.between(8, 17).all()
    assert list(out.columns) == list(real.columns)
