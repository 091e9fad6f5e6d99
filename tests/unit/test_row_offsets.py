"""Timestamps written at several UTC offsets keep their offsets and their local clock (synth.synthesizers.row_offsets),
and Compare's order check reads a naive timestamp beside one on the row's clock (synth.evaluation.fidelity.orders)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.fidelity.orders import evaluate_orders
from synth.synthesizers import persist, row_offsets, time_of_day
from synth.synthesizers.loading import load_model

EXACT = tuple(n for n in synth.available() if synth.create(n).guarantee is None)


def orders(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """A shop's orders placed 08:00–19:59 on its Berlin clock, written with their offset (+0100 in winter, +0200 in
    summer), and shipped 1–30 hours later, written as the shop's wall clock without an offset."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 330, n), "D")
    wall = day + pd.to_timedelta(rng.integers(8 * 60, 20 * 60, n), "min")
    placed = pd.Series(wall).dt.tz_localize("Europe/Berlin", nonexistent="shift_forward", ambiguous=False)
    shipped = pd.Series(wall) + pd.to_timedelta(rng.integers(60, 30 * 60, n), "min")
    return pd.DataFrame(
        {
            "ordered_at": placed.dt.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "shipped_at": shipped.dt.strftime("%Y-%m-%d %H:%M"),
            "total": np.round(rng.gamma(2, 30, n), 2),
        }
    )


def two_shops(n: int = 1500, seed: int = 0) -> pd.DataFrame:
    """Orders of a Berlin and a London shop in one column, each written on its own shop's clock: offsets no one
    zone writes (+0000, +0100 and +0200 on the same days)."""
    table = orders(n, seed)
    london = np.random.default_rng(seed + 1).random(n) < 0.4
    placed = pd.to_datetime(table["ordered_at"], format="%Y-%m-%dT%H:%M:%S%z", utc=True)
    table.loc[london, "ordered_at"] = placed[london].dt.tz_convert("Europe/London").dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    return table


def _wrong_offsets(column: pd.Series, zone: str) -> int:
    """Values written at an offset other than ``zone``'s at their instant."""
    instants = pd.to_datetime(column, format="%Y-%m-%dT%H:%M:%S%z", utc=True)
    local = instants.dt.tz_convert(zone).dt.tz_localize(None) - instants.dt.tz_localize(None)
    return int((local.dt.total_seconds().to_numpy() != row_offsets.row_offsets(column)).sum())


def _shares(column: pd.Series) -> pd.Series:
    return column.str[-5:].value_counts(normalize=True)


def _shipped_before_placed(table: pd.DataFrame) -> int:
    """Rows shipped before they were placed, as instants: ``shipped_at`` read at the row's own offset."""
    placed = pd.to_datetime(table["ordered_at"], format="%Y-%m-%dT%H:%M:%S%z", utc=True)
    offset = pd.to_timedelta(row_offsets.row_offsets(table["ordered_at"]), unit="s")
    shipped = (pd.to_datetime(table["shipped_at"], format="%Y-%m-%d %H:%M") - offset).dt.tz_localize("UTC")
    return int((placed > shipped).sum())


# The independent model keeps ordered_at ≤ shipped_at by drawing whole rows again, which favours early orders (16%
# of its orders in January against 9% of the real ones, with or without offsets): its shares follow its months.
@pytest.mark.parametrize("name", [n for n in EXACT if n != "independent"])
def test_synthetic_rows_carry_the_real_offsets_with_their_shares(name: str) -> None:
    """Before, every synthetic ``ordered_at`` said +0000 (CART on the session-25 walk's shop: 4,000 of 4,000)."""
    real = orders()
    out = synth.create(name, random_state=0).fit(real).sample(3000, seed=1)
    real_shares, synthetic_shares = _shares(real["ordered_at"]), _shares(out["ordered_at"])
    assert set(synthetic_shares.index) <= set(real_shares.index), synthetic_shares
    gaps = (synthetic_shares - real_shares).abs()
    assert gaps.max() <= 0.04, (real_shares, synthetic_shares)


@pytest.mark.parametrize("name", EXACT)
def test_no_synthetic_order_ships_before_it_was_placed(name: str) -> None:
    """Modelled in UTC, orders were kept after their UTC instant, up to two hours before their wall clock: CART's
    orders of the walk shipped before they were placed on 24 of 4,000 rows."""
    real = orders()
    assert _shipped_before_placed(real) == 0
    out = synth.create(name, random_state=0).fit(real).sample(3000, seed=2)
    assert _shipped_before_placed(out) == 0
    # Compare's check (+0000, never written by the real rows, read at their commonest +0200): 2.4% of CART's rows,
    # 2.9% of the copula's and Pruned CART's broke the order before.
    (found,) = evaluate_orders(real, out, synth.infer_schema(real))
    assert (found.order.low, found.order.high, found.broken) == ("ordered_at", "shipped_at", 0.0)
    hours = out["ordered_at"].str[11:13].astype(int)  # the local clock's hours, as written
    assert hours.between(8, 19).all(), hours.value_counts()


@pytest.mark.parametrize("name", EXACT)
def test_winter_rows_get_winter_offsets_and_summer_rows_summer_ones(name: str) -> None:
    """Drawn with the shares of all rows, 65–69% of the synthetic winter orders came out at +0200."""
    real = orders()
    out = synth.create(name, random_state=0).fit(real).sample(3000, seed=4)
    month = out["ordered_at"].str[5:7].astype(int)
    assert (out["ordered_at"][month.isin([1, 2, 12])].str[-5:] == "+0100").all()
    assert (out["ordered_at"][month.isin([5, 6, 7, 8, 9])].str[-5:] == "+0200").all()


@pytest.mark.parametrize("name", EXACT)
def test_a_column_with_empty_cells_keeps_its_offsets(name: str) -> None:
    """Found by uploading hostile tables: an empty cell (or a value without an offset) read as <NA>, whose truth
    NumPy refused, and every exact fit of such a column stopped with "boolean value of NA is ambiguous"."""
    real = orders(600)
    real.loc[real.index % 10 == 3, "ordered_at"] = None
    synthetic = synth.create(name, random_state=0).fit(real).sample(600, seed=1)
    written = synthetic["ordered_at"].dropna()
    assert len(written) > 400 and set(written.str[-5:]) <= {"+0100", "+0200"}
    assert synthetic["ordered_at"].isna().any()


def test_the_order_check_reads_a_naive_time_on_the_rows_clock() -> None:
    """Shipped at 09:00 on the clock of an order placed at 10:00+0200 (08:00 UTC): read as UTC, 09:00 was after it."""
    real = orders()
    schema = synth.infer_schema(real)
    (found,) = [b for b in evaluate_orders(real, real, schema) if b.order.low == "ordered_at"]
    assert found.order.high == "shipped_at" and found.broken == 0.0
    crafted = real.copy()
    crafted.loc[:9, "ordered_at"] = "2025-06-01T10:00:00+0200"
    crafted.loc[:9, "shipped_at"] = "2025-06-01 09:00"
    (broken,) = [b for b in evaluate_orders(real, crafted, schema) if b.order.low == "ordered_at"]
    assert broken.broken == pytest.approx(10 / len(real))


def test_an_offset_the_real_column_never_writes_is_read_at_its_commonest() -> None:
    """The walk's CART output: every order at +0000 with its local clock time, shipped 1 hour later on the shop's
    clock: at +0000 it looked in order, on the shop's (+0200 in most real rows) it shipped before it was placed."""
    real = orders()
    schema = synth.infer_schema(real)
    crafted = real.copy()
    crafted.loc[:19, "ordered_at"] = "2025-07-01T10:00:00+0000"
    crafted.loc[:19, "shipped_at"] = "2025-07-01 11:00"
    (broken,) = [b for b in evaluate_orders(real, crafted, schema) if b.order.low == "ordered_at"]
    assert broken.order.offsets[0] == 7200
    assert broken.broken == pytest.approx(20 / len(real))


@pytest.mark.parametrize("name", EXACT)
def test_offsets_that_follow_a_zone_change_on_its_days(name: str) -> None:
    """Drawn with their month's shares, March and October orders got either offset whatever their day: 85 of 2,400
    Pruned CART orders of the session-28 walk's shop carried an offset Berlin never writes on their day (a 9 March
    order at +02:00). Orders here fall in March and October only, where the offset changes mid-month."""
    real = orders()
    month = pd.to_datetime(real["ordered_at"].str[:10]).dt.month
    real = real[month.isin([3, 4, 10, 11])].reset_index(drop=True)
    assert _wrong_offsets(real["ordered_at"], "Europe/Berlin") == 0
    model = synth.create(name, random_state=0).fit(real)
    assert getattr(model, "time_offsets_", {}) == {}  # no shares: the zone's own clock
    out = model.sample(2000, seed=5)
    assert set(out["ordered_at"].str[-5:]) == {"+0100", "+0200"}
    assert _wrong_offsets(out["ordered_at"], "Europe/Berlin") == 0


@settings(max_examples=25, deadline=None)
@given(
    zone=st.sampled_from(
        ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Sydney", "America/Santiago"]
    ),
    colon=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_the_zone_found_writes_every_real_rows_offset(zone: str, colon: bool, seed: int) -> None:
    """Whatever zone and years the rows come from, the zone found (its name may differ: Europe/Amsterdam for
    Berlin's rows) writes each row at the offset the row is written at."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2019-01-01", tz="UTC") + pd.to_timedelta(int(rng.integers(0, 5 * 365)), "D")
    instants = start + pd.to_timedelta(np.sort(rng.integers(0, 2 * 365 * 86400, 400)), "s")
    text = pd.Series(instants).dt.tz_convert(zone).dt.strftime("%Y-%m-%dT%H:%M:%S%z")
    if colon:
        text = text.str.replace(r"(\d\d)(\d\d)$", r"\1:\2", regex=True)
    real = pd.DataFrame({"at": text})
    found = row_offsets.named_zones(real, synth.infer_schema(real), {})
    assert set(found) == {"at"}
    assert _wrong_offsets(text, found["at"]) == 0


def test_offsets_of_two_clocks_follow_no_zone_and_keep_their_shares() -> None:
    real = two_shops()
    assert row_offsets.named_zones(real, synth.infer_schema(real), {}) == {}
    model = synth.create("cart", random_state=0).fit(real)
    assert {o for o, _ in model.time_offsets_["ordered_at"]} == {0, 3600, 7200}


def test_a_zone_is_kept_in_saved_models_and_altered_ones_are_refused(tmp_path: Path) -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(orders(400))
    assert model.offset_zones_ == {"ordered_at": "Europe/Amsterdam"}  # the first name of Berlin's clock
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    pd.testing.assert_frame_equal(loaded.sample(200, seed=3), model.sample(200, seed=3))
    for bad in [
        {"ordered_at": "Mars/Olympus"},
        {"ordered_at": 3600},
        {"shipped_at": "Europe/Berlin"},  # a column written without offsets
        {"total": "Europe/Berlin"},
    ]:
        loaded.offset_zones_ = bad
        with pytest.raises(persist.ModelFileError, match="time zones"):
            row_offsets.check_row_offsets(loaded)


def test_a_time_the_zone_repeats_or_skips_is_written_as_its_clocks_write_it() -> None:
    """02:30 on 26 October 2025 happened twice in Berlin (+0200, then +0100); 02:30 on 30 March never did."""
    real = orders()
    schema = synth.infer_schema(real)
    repeated = ["2025-10-26T02:30:00+0000"] * 400
    skipped = ["2025-03-30T02:30:00+0000"] * 10
    frame = pd.DataFrame({"ordered_at": repeated + skipped})
    out = row_offsets.write_row_offsets(frame, schema, {}, np.random.default_rng(0), {"ordered_at": "Europe/Berlin"})
    assert set(out["ordered_at"][:400]) == {"2025-10-26T02:30:00+0200", "2025-10-26T02:30:00+0100"}
    assert 0.4 < (out["ordered_at"][:400].str[-5:] == "+0200").mean() < 0.6
    assert set(out["ordered_at"][400:]) == {"2025-03-30T03:00:00+0200"}


def test_saved_models_keep_the_offsets_and_altered_ones_are_refused(tmp_path: Path) -> None:
    model = synth.create("cart", random_state=0).fit(two_shops(400))
    assert set(model.time_offsets_) == {"ordered_at"}
    assert {o for o, _ in model.time_offsets_["ordered_at"]} == {0, 3600, 7200}
    model.save(tmp_path / "m.zip")
    loaded = load_model(tmp_path / "m.zip")
    pd.testing.assert_frame_equal(loaded.sample(200, seed=3), model.sample(200, seed=3))
    half, most, little = (0.5,) * 12, (0.9,) * 12, (0.2,) * 12
    for bad in [
        ((3600, (1.0,) * 12),),  # one offset: a single clock, time_zones_'s
        ((3600, half), (3600, half)),
        ((3600, half), (99 * 3600, half)),
        ((3600, most), (0, little)),  # shares summing to 1.1
        ((3600, (0.5,) * 11), (7200, (0.5,) * 11)),  # not 12 months
    ]:
        loaded.time_offsets_ = {"ordered_at": bad}
        with pytest.raises(persist.ModelFileError, match="UTC offsets"):
            row_offsets.check_row_offsets(loaded)
    loaded.time_offsets_ = {"shipped_at": ((3600, half), (7200, half))}  # a column written without offsets
    with pytest.raises(persist.ModelFileError, match="UTC offsets"):
        row_offsets.check_row_offsets(loaded)


def test_a_private_model_keeps_no_shares() -> None:
    """The shares and the zone are read from the rows: a model with a guarantee reads one offset by its own
    mechanism instead."""
    model = synth.create("privbayes", random_state=0).fit(orders(300))
    assert getattr(model, "time_offsets_", {}) == {}
    assert isinstance(model.time_zones_["ordered_at"], int)


@settings(max_examples=30, deadline=None)
@given(
    offsets=st.lists(st.integers(-56, 56).map(lambda q: q * 900), min_size=2, max_size=4, unique=True),
    colon=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_relabelling_keeps_the_wall_clock_and_writes_only_real_offsets(
    offsets: list[int], colon: bool, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(len(offsets)))
    shares = tuple((o, (float(w),) * 12) for o, w in zip(offsets, weights / weights.sum(), strict=True))
    wall = pd.Timestamp("2025-03-01") + pd.to_timedelta(rng.integers(0, 10**7, 50), "s")
    suffix = "+00:00" if colon else "+0000"
    text = pd.Series(wall).dt.strftime("%Y-%m-%dT%H:%M:%S") + suffix
    real = pd.DataFrame({"t": text.str.replace(suffix, "+01:00" if colon else "+0100")})
    schema = synth.infer_schema(real)
    assert time_of_day.writes_offset(schema["t"]), schema["t"].datetime_format
    text[::7] = None
    out = row_offsets.write_row_offsets(pd.DataFrame({"t": text.astype(object)}), schema, {"t": shares}, rng)
    present = text.notna()
    assert out["t"][~present].isna().all()
    assert (out["t"][present].str[:19] == text[present].str[:19]).all()  # the wall clock, as drawn
    written = row_offsets.row_offsets(out["t"][present])
    assert set(written.astype(int)) <= set(offsets)
    # the layout: a colon exactly where the real column writes one
    assert out["t"][present].str.contains(r"[+-]\d\d:\d\d$" if colon else r"[+-]\d{4}$", regex=True).all()
