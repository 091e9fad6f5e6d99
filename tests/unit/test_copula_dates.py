"""The Gaussian copula's gap dates come out as the column holds them: on its grain and within its range.

An HR table's exit_date (a date after hire_date on every row, so drawn as its gap in days from it) came back as
"2023-08-15 16:08:51.472380160" and up to 2030-02-01 where the latest real exit was 2026-11-30 (see
:mod:`synth.synthesizers.gap_dates`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.synthesizers.base import load_model
from synth.synthesizers.persist import ModelFileError
from tests.unit.crafting import replaced_after

LAST_EXIT = pd.Timestamp("2026-11-30")


def staff(n: int = 2_000, seed: int = 0, *, text: bool = False, hours: bool = False) -> pd.DataFrame:
    """Hires over 2005–2024; about a quarter of them left, never after LAST_EXIT (an exit is never in the future),
    so late hires have short tenures: a hire drawn late plus a tenure drawn long lands past the last real exit."""
    rng = np.random.default_rng(seed)
    hire = pd.Timestamp("2005-01-01") + pd.to_timedelta(rng.integers(0, 7_000, n), unit="D")
    if hours:
        hire = hire + pd.to_timedelta(rng.integers(8, 18, n), unit="h")
    exit_ = pd.Series(hire + pd.to_timedelta(rng.gamma(2.0, 900.0, n).astype(int), unit="D"))
    exit_[(exit_ > LAST_EXIT) | (rng.random(n) > 0.4)] = pd.NaT
    frame = pd.DataFrame({"hire_date": hire, "exit_date": exit_, "department": rng.choice(["IT", "Ops"], n)})
    if text:  # as from a CSV upload: dates as text, read back with the recorded format
        for column in ("hire_date", "exit_date"):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d").where(frame[column].notna(), None)
    return frame


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series).dropna()


@pytest.mark.parametrize("text", [False, True], ids=["xlsx-dates", "csv-text"])
def test_gap_dates_come_out_as_dates_within_the_column_range(text: bool) -> None:
    table = staff(text=text)
    model = synth.create("gaussian_copula", random_state=0).fit(table)
    assert ("exit_date", "hire_date", 1.0) in model.date_gaps_  # drawn as a gap: the case under test
    syn = model.sample(20_000, seed=1)
    exits = _dates(syn["exit_date"])
    assert len(exits) > 3_000
    assert (exits == exits.dt.normalize()).all(), exits[exits != exits.dt.normalize()].head()
    if text:  # text written at the column's recorded format, never with a clock time
        assert syn["exit_date"].dropna().str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()
    real = _dates(table["exit_date"])
    dom = model._domain("exit_date")
    assert real.min() < dom.low and dom.high < real.max()  # the range's ends are not the real extremes
    assert exits.min() >= dom.low and exits.max() <= dom.high <= LAST_EXIT
    both = syn.dropna(subset=["exit_date"])
    assert (pd.to_datetime(both["exit_date"]) >= pd.to_datetime(both["hire_date"])).all()
    # The range is kept by drawing rows again, not by clipping: no pile of exits on its last day.
    assert (exits == dom.high).mean() < 0.002


def test_a_gap_date_keeps_a_grain_finer_than_days() -> None:
    table = staff(hours=True)
    table["exit_date"] = table["exit_date"] + pd.to_timedelta(np.where(table.index % 2 == 0, 9, 17), unit="h")
    model = synth.create("gaussian_copula", random_state=0).fit(table)
    assert ("exit_date", "hire_date", 1.0) in model.date_gaps_
    # the hour is learned as a time of day beside the day (synth.synthesizers.time_of_day), no longer as a date unit
    assert ("exit_date", "exit_date · time of day", 3_600) in model.times_
    exits = _dates(model.sample(5_000, seed=2)["exit_date"])
    assert (exits == exits.dt.floor("h")).all() and (exits != exits.dt.normalize()).any()


def test_a_saved_model_samples_the_same_and_a_crafted_unit_is_refused(tmp_path: Path) -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(staff())
    path = tmp_path / "m.synth"
    model.save(path)
    pd.testing.assert_frame_equal(load_model(path).sample(500, seed=3), model.sample(500, seed=3))
    crafted = replaced_after(path, tmp_path / "crafted.synth", "date_units_", '"exit_date"', '"department"')
    with pytest.raises(ModelFileError, match="date units"):
        load_model(crafted)


def test_a_file_saved_before_date_units_still_samples() -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(staff())
    del model.date_units_  # as loaded from an older file: dates left as they were drawn
    assert _dates(model.sample(500, seed=3)["exit_date"]).notna().all()


def test_an_order_from_a_start_date_with_missing_values_is_kept(tmp_path: Path) -> None:
    """Session 18 walk: an HR table whose hire_date is missing on 2% of rows. A gap needs its anchor on every row,
    so the exit date was drawn on its own and 5.2% of the copula's rows (with both dates) had their exit before
    their hire, against none of the real rows, while Compare said the copula keeps such orders. Rows that break it
    are now drawn again (as for numbers); a row with either date missing breaks nothing."""
    from synth.evaluation.fidelity.orders import evaluate_orders

    frame = staff(3_000, seed=18)
    frame.loc[np.random.default_rng(1).random(len(frame)) < 0.02, "hire_date"] = pd.NaT
    schema = synth.infer_schema(frame)
    model = synth.create("gaussian_copula", random_state=0).fit(frame, schema)
    syn = model.sample(3_000, seed=1)
    broken = {(b.order.low, b.order.high): b.broken for b in evaluate_orders(frame, syn, schema)}
    assert broken == {("hire_date", "exit_date"): 0.0}, broken
    assert syn["hire_date"].isna().mean() == pytest.approx(0.02, abs=0.015), "missing starts are still drawn"
    model.save(tmp_path / "copula.synth")
    again = load_model(tmp_path / "copula.synth")
    pd.testing.assert_frame_equal(again.sample(500, seed=3), model.sample(500, seed=3))


@pytest.mark.parametrize("name", ["pruned_cart", "cart"])
def test_cart_keeps_an_order_from_a_start_date_with_missing_values(name: str, tmp_path: Path) -> None:
    """The same table for CART and Pruned CART: with hire_date missing on 2% of rows, exit_date had no anchor to be
    drawn as a gap from, and 2–4% of their rows with both dates ended before they began. The order is now kept on
    whole rows (rows that break it drawn again), said on Compare, and checked when a model file is loaded."""
    from synth.evaluation.fidelity.orders import evaluate_orders
    from synth.synthesizers.column_order import describe_orders

    frame = staff(3_000, seed=18)
    frame.loc[np.random.default_rng(1).random(len(frame)) < 0.02, "hire_date"] = pd.NaT
    schema = synth.infer_schema(frame)
    model = synth.create(name, random_state=0).fit(frame, schema)
    syn = model.sample(3_000, seed=1)
    broken = {(b.order.low, b.order.high): b.broken for b in evaluate_orders(frame, syn, schema)}
    assert broken == {("hire_date", "exit_date"): 0.0}, broken
    assert syn["hire_date"].isna().mean() == pytest.approx(0.02, abs=0.015), "missing starts are still drawn"
    assert "hire_date ≤ exit_date" in (describe_orders(model) or "")
    model.save(tmp_path / "cart.synth")
    again = load_model(tmp_path / "cart.synth")
    pd.testing.assert_frame_equal(again.sample(500, seed=3), model.sample(500, seed=3))
    crafted = replaced_after(
        tmp_path / "cart.synth", tmp_path / "bad.synth", "date_orders_", '"hire_date"', '"department"'
    )
    with pytest.raises(ModelFileError, match="date orders"):
        load_model(crafted)


def test_cart_finds_a_date_order_in_its_visit_order() -> None:
    """A complete date visited after a date with missing values has no anchor (the earlier one is not complete).
    Searched in table order the incomplete ``hire_date`` is the later date and its only earlier one is complete, so
    nobody kept the order: 0.8% of the synthetic rows with both dates left before they were hired. CART searches
    in its visit order, as for numbers."""
    rng = np.random.default_rng(19)
    n = 3_000
    hire = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 4_000, n), unit="D")
    exit_ = (hire + pd.to_timedelta(rng.integers(30, 900, n), unit="D")).to_period("M").to_timestamp("M")
    frame = pd.DataFrame({"exit_date": exit_, "hire_date": hire})  # exit_date: month ends, fewer values
    frame.loc[rng.random(n) < 0.1, "hire_date"] = pd.NaT
    assert (frame["hire_date"].dropna() <= frame["exit_date"][frame["hire_date"].notna()]).all()
    model = synth.create("cart", random_state=0, visit_order="most_values").fit(frame)
    assert [c.name for c in model.columns_] == ["hire_date", "exit_date"]
    assert model.date_orders_ == (("exit_date", "hire_date", 1.0),)
    syn = model.sample(20_000, seed=1)
    both = syn.dropna()
    assert len(both) > 15_000 and not (both["hire_date"] > both["exit_date"]).any()
    assert syn["hire_date"].isna().mean() == pytest.approx(0.1, abs=0.015)
