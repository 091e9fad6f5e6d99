"""Numbers that never exceed another keep that order in CART's rows (synth.synthesizers.column_order), and the
evaluation that finds such orders and counts the synthetic rows breaking them (synth.evaluation.fidelity.orders)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.fidelity.orders import find_orders, order_breaks
from synth.synthesizers.base import load_model
from synth.synthesizers.persist import ModelFileError
from tests.unit.crafting import each_cart_step, read_model, replaced_after, write_model


def _blocks(n: int, seed: int, spread: float = 1.0) -> pd.DataFrame:
    """Housing blocks: rooms, bedrooms ≤ rooms (whole numbers), people, households ≤ people, an income that is
    below nothing, a 0/1 flag, and a fractional floor area just above the bedrooms, visited before them: it bounds
    them far more tightly than the rooms do, and bedrooms must stay whole numbers."""
    rng = np.random.default_rng(seed)
    rooms = rng.integers(20, 4_000, n)
    people = rng.integers(5, 3_000, n)
    bedrooms = np.minimum(rooms, np.maximum(1, np.round(rooms * rng.uniform(0.1, 0.3 * spread, n)))).astype(int)
    return pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "coast"], n),
            "rooms": rooms,
            "area": bedrooms + rng.uniform(0.01, 0.99, n),
            "bedrooms": bedrooms,
            "people": people,
            "households": np.maximum(1, np.round(people * rng.uniform(0.2, 0.5 * spread, n))).astype(int),
            "income": rng.lognormal(1.0, 0.5, n),
            "flag": rng.integers(0, 2, n),
        }
    )


def _anchored(model: synth.Synthesizer) -> dict[str, str]:
    return {model.columns_[s.column].name: model.columns_[s.anchor].name for s in model.steps_ if s.anchor >= 0}


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_a_number_never_above_another_in_training_never_is_in_synthetic_rows(name: str) -> None:
    table = _blocks(3_000, 0)
    model = synth.create(name, random_state=0).fit(table)
    syn = model.sample(6_000, seed=1)
    assert (syn["bedrooms"] <= syn["rooms"]).all()
    assert (syn["bedrooms"] <= syn["area"]).all() and (syn["area"] <= syn["rooms"]).all()
    assert (syn["households"] <= syn["people"]).all()
    assert (syn["bedrooms"] == np.round(syn["bedrooms"])).all()  # whole numbers stay whole
    anchored = _anchored(model)
    # The bedrooms follow the tightest bound, the fractional area (as a whole gap below its floor); flags and
    # unconstrained columns are anchored to nothing.
    assert anchored == {"area": "rooms", "bedrooms": "area", "households": "people"}
    from synth.synthesizers.column_order import describe_orders

    said = describe_orders(model) or ""
    # Since session 20 every order that holds is listed and kept, bedrooms ≤ rooms too (the anchors keep it here
    # through the area; the sentence says what every row keeps, not only what an anchor draws).
    listed = ("area ≤ rooms", "bedrooms ≤ area", "households ≤ people", "bedrooms ≤ rooms")
    assert said.startswith("4 orders") and all(p in said for p in listed)
    # Each drawn number keeps its own distribution: deciles within 5% of the range of the real ones.
    for col in ("bedrooms", "households"):
        q = np.linspace(0.1, 0.9, 9)
        gap = np.abs(syn[col].quantile(q).to_numpy() - table[col].quantile(q).to_numpy())
        assert (gap <= 0.05 * (table[col].max() - table[col].min())).all(), col


def test_without_the_rule_cart_breaks_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """The premise, on the same table: numbers drawn from their own donors break the order on some rows."""
    from synth.synthesizers import column_order

    table = _blocks(3_000, 0)
    monkeypatch.setattr(column_order, "MIN_BREAKS", 2.0)  # no pair can qualify
    syn = synth.create("pruned_cart", random_state=0).fit(table).sample(6_000, seed=1)
    assert (syn["households"] > syn["people"]).mean() > 0.002


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2**16), spread=st.floats(0.4, 3.0), n=st.integers(150, 600))
def test_the_order_holds_for_any_table(seed: int, spread: float, n: int) -> None:
    table = _blocks(n, seed, spread)
    table["households"] = np.minimum(table["households"], table["people"])  # spread > 2 could break it
    syn = synth.create("pruned_cart", random_state=seed, min_samples_leaf=10).fit(table).sample(500, seed=seed)
    orders = find_orders(table, synth.infer_schema(table))
    assert orders, "the table has orders to keep"
    for found in order_breaks(syn, synth.infer_schema(table), orders):
        # Each order CART could anchor (an earlier number of the same grain) holds; none breaks more often than
        # numbers paired at random would.
        assert found.broken <= found.order.random_breaks
    assert (syn["households"] <= syn["people"]).all()


def test_a_crafted_file_anchoring_a_number_to_a_category_is_refused(tmp_path: Path) -> None:
    model = synth.create("pruned_cart", random_state=0).fit(_blocks(2_000, 2))
    path = tmp_path / "m.synth"
    model.save(path)
    pd.testing.assert_frame_equal(load_model(path).sample(300, seed=3), model.sample(300, seed=3))
    manifest, arrays = read_model(path)
    region = next(j for j, c in enumerate(model.columns_) if c.name == "region")

    def poke(step: dict) -> None:
        if step.get("anchor", -1) != -1:
            step["anchor"] = region

    each_cart_step(manifest, poke)
    crafted = write_model(tmp_path / "crafted.synth", manifest, arrays)
    assert region < max(s.column for s in model.steps_ if s.anchor >= 0)  # an earlier column: only its kind is wrong
    with pytest.raises(ModelFileError, match="order"):
        load_model(crafted)


def test_find_orders_keeps_only_orders_that_hold_and_constrain() -> None:
    table = _blocks(2_000, 4)
    table["weight"] = np.random.default_rng(0).uniform(1e5, 2e5, len(table))  # above every room count: no order
    table.loc[0, "households"] = table.loc[0, "people"] + 1  # one block of 2,000 breaks it: under 0.1%, still kept
    orders = {(o.low, o.high): o for o in find_orders(table, synth.infer_schema(table))}
    assert ("bedrooms", "rooms") in orders and ("households", "people") in orders
    assert orders[("households", "people")].real_breaks == pytest.approx(1 / 2_000)
    assert not any("weight" in pair or "flag" in pair for pair in orders)
    table.loc[:9, "households"] = table.loc[:9, "people"] + 1  # 10 of 2,000: 0.5%, no longer an order
    assert ("households", "people") not in {(o.low, o.high) for o in find_orders(table, synth.infer_schema(table))}


@settings(max_examples=30, deadline=None)
@given(broken=st.integers(0, 200), n=st.integers(300, 1_000), seed=st.integers(0, 2**16))
def test_order_breaks_counts_exactly_the_rows_out_of_order(broken: int, n: int, seed: int) -> None:
    table = _blocks(n, seed)
    schema = synth.infer_schema(table)
    orders = tuple(o for o in find_orders(table, schema) if (o.low, o.high) == ("households", "people"))
    assert orders
    syn = table.copy()
    k = min(broken, n)
    syn.loc[: k - 1, "households"] = syn.loc[: k - 1, "people"] + 1
    syn.loc[n - 1, "people"] = np.nan  # a missing value is neither in nor out of order
    (found,) = order_breaks(syn, schema, orders)
    assert found.rows == n - 1
    assert found.broken == pytest.approx(min(k, n - 1) / (n - 1))


@given(
    earlier=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=50),
    sign=st.sampled_from([1.0, -1.0]),
)
def test_a_whole_gap_from_the_rounded_anchor_keeps_order_and_grain(earlier: list[float], sign: float) -> None:
    """Every whole number on the right side of its anchor is a whole gap away from the anchor's base, and every
    whole gap from the base lands on the right side of the anchor."""
    from synth.synthesizers.column_order import anchor_base

    a = np.array(earlier)
    base = anchor_base(a, sign, whole=True)
    assert np.array_equal(base, np.round(base))
    later = np.where(sign > 0, np.ceil(a - 1e-6), np.floor(a + 1e-6))  # the nearest whole value on the right side
    assert np.all(sign * (later - base) >= 0)
    for gap in (0.0, 1.0, 7.0):
        assert np.all(sign * (base + sign * gap - a) >= -1e-6)


def test_the_copula_draws_rows_that_break_an_order_again_and_refuses_a_crafted_one(tmp_path: Path) -> None:
    table = _blocks(3_000, 0)
    model = synth.create("gaussian_copula", random_state=0).fit(table)
    assert ("households", "people", -1.0) in model.number_orders_
    syn = model.sample(6_000, seed=1)
    assert (syn["households"] <= syn["people"]).all() and (syn["bedrooms"] <= syn["area"]).all()
    q = np.linspace(0.1, 0.9, 9)  # the cut leaves the column's own distribution in place
    gap = np.abs(syn["households"].quantile(q).to_numpy() - table["households"].quantile(q).to_numpy())
    assert (gap <= 0.05 * (table["households"].max() - table["households"].min())).all()
    path = tmp_path / "c.synth"
    model.save(path)
    pd.testing.assert_frame_equal(load_model(path).sample(300, seed=4), model.sample(300, seed=4))
    # an order naming a category column
    crafted = replaced_after(path, tmp_path / "crafted.synth", "number_orders_", '"people"', '"region"')
    with pytest.raises(ModelFileError, match="number orders"):
        load_model(crafted)


def test_without_the_rule_the_copula_breaks_the_order(monkeypatch: pytest.MonkeyPatch) -> None:
    from synth.synthesizers import column_order

    table = _blocks(3_000, 0)
    monkeypatch.setattr(column_order, "MIN_BREAKS", 2.0)  # no pair can qualify
    syn = synth.create("gaussian_copula", random_state=0).fit(table).sample(6_000, seed=1)
    assert (syn["households"] > syn["people"]).mean() > 0.002


@pytest.mark.parametrize("field", ["number_orders_", "date_gaps_"])
def test_a_name_that_is_no_string_in_the_copulas_orders_is_a_model_file_error(tmp_path: Path, field: str) -> None:
    """A list where a column name belongs cannot even be looked up in a set: the check must refuse it, not raise
    a TypeError past the loader."""
    model = synth.create("gaussian_copula", random_state=0).fit(_blocks(1_000, 1))
    path = tmp_path / "c.synth"
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        manifest, arrays = json.loads(zf.read("manifest.json")), zf.read("arrays.npz")

    def poke(value: object) -> bool:
        if isinstance(value, dict):
            return any(poke(v) for v in value.values())
        elif isinstance(value, list):
            if len(value) == 2 and value[0] == field:
                value[1] = {"$": "tuple", "v": [{"$": "tuple", "v": [["x"], "people", -1.0]}]}
                return True
            return any(poke(v) for v in value)
        return False

    assert poke(manifest), "the field is in the manifest"
    crafted = tmp_path / "crafted.synth"
    with zipfile.ZipFile(crafted, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        zf.writestr("arrays.npz", arrays)
    with pytest.raises(ModelFileError):
        load_model(crafted)


@pytest.mark.parametrize("name", ["pruned_cart", "gaussian_copula"])
def test_an_order_broken_by_a_handful_of_training_rows_is_still_kept(name: str) -> None:
    """California's households exceed the population on 3 blocks of 20,640: the order is kept (the page lists
    orders up to the same 0.1%), so synthetic rows do not break it on 0.6% of rows as they did when it was not."""
    table = _blocks(3_000, 5)
    table.loc[:1, "households"] = table.loc[:1, "people"] + 3  # 2 rows of 3,000
    model = synth.create(name, random_state=0).fit(table)
    from synth.synthesizers.column_order import kept_orders

    assert ("households", "people") in kept_orders(model)
    syn = model.sample(6_000, seed=1)
    assert (syn["households"] <= syn["people"]).all()
    table.loc[:9, "households"] = table.loc[:9, "people"] + 3  # 10 rows of 3,000: 0.33%, no longer an order
    model = synth.create(name, random_state=0).fit(table)
    assert ("households", "people") not in kept_orders(model)


def _customers(n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    return pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.6, 0.3, 0.1]),
            "signup": signup.strftime("%Y-%m-%d"),
            "last_order": (signup + pd.to_timedelta(rng.integers(0, 301, n), unit="D")).strftime("%Y-%m-%d"),
        }
    )


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
@pytest.mark.parametrize(
    "conditions",
    [
        {"plan": "pro"},  # a column before the orders
        {"last_order": (pd.Timestamp("2022-06-01"), None)},  # the date drawn as a gap
        {"signup": (None, pd.Timestamp("2021-06-30"))},  # the anchor
    ],
    ids=["other", "later", "anchor"],
)
def test_conditioned_rows_keep_the_date_order_and_meet_the_condition(name: str, conditions: dict) -> None:
    """Session 9 kept the order in plain sampling only: conditioned CART rows came out with their gap read as a
    date (98.7% of them before the signup, every last order in January 2021), and a condition on the later date
    found no row at all."""
    table = _customers(3_000, 0)
    syn = synth.create(name, random_state=0).fit(table).sample(1_000, seed=1, conditions=conditions)
    signup, last = pd.to_datetime(syn["signup"]), pd.to_datetime(syn["last_order"])
    gap = (last - signup).dt.days
    assert len(syn) == 1_000 and (gap >= 0).all() and gap.max() <= 310
    assert last.max() > pd.Timestamp("2021-12-31"), "later dates are dates, not gaps read as dates"
    (column, condition), *_ = conditions.items()
    if column == "plan":
        assert (syn["plan"] == "pro").all()
    elif column == "last_order":
        assert (last >= condition[0]).all()
    else:
        assert (signup <= condition[1]).all()


@pytest.mark.parametrize("name", ["pruned_cart", "gaussian_copula"])
def test_conditioned_and_rebalanced_rows_keep_a_number_order(name: str) -> None:
    table = _blocks(3_000, 0)
    model = synth.create(name, random_state=0).fit(table)
    for syn in (
        model.sample(1_000, seed=1, conditions={"region": "coast"}),
        model.sample(1_000, seed=2, conditions={"households": (600, None)}),
        model.sample(1_000, seed=3, conditions={"people": (None, 800)}),
        model.sample(1_000, seed=4, rebalance={"region": {"north": 0.5, "south": 0.25, "coast": 0.25}}),
    ):
        assert len(syn) == 1_000
        assert (syn["households"] <= syn["people"]).all()
        assert (syn["bedrooms"] <= syn["rooms"]).all()


def test_orders_of_text_dates_are_read_in_their_recorded_format() -> None:
    """Session 18 walk: an HR table read from a decimal-comma CSV keeps its dates as text ("23.12.2010"). The order
    check read them with pandas' mixed-format guess, month first where the day allowed it, so hire ≤ exit seemed
    broken on real rows and Compare said the table keeps no order at all."""
    from synth.evaluation.fidelity.orders import evaluate_orders

    rng = np.random.default_rng(18)
    n = 1_500
    hire = pd.Series(pd.Timestamp("2005-01-01") + pd.to_timedelta(rng.integers(0, 7_000, n), unit="D"))
    leave = pd.Series(hire + pd.to_timedelta(rng.integers(30, 4_000, n), unit="D")).where(rng.random(n) < 0.3)
    table = pd.DataFrame({"hire_date": hire.dt.strftime("%d.%m.%Y"), "exit_date": leave.dt.strftime("%d.%m.%Y")})
    schema = synth.infer_schema(table)
    assert schema["hire_date"].datetime_format == "%d.%m.%Y"
    swapped = table.copy()
    swapped.loc[:99, ["hire_date", "exit_date"]] = table.loc[:99, ["exit_date", "hire_date"]].to_numpy()
    found = {(b.order.low, b.order.high): b.broken for b in evaluate_orders(table, swapped, schema)}
    present = swapped["hire_date"].notna() & swapped["exit_date"].notna()
    both = present[:100].sum() / present.sum()  # the swapped rows with both dates break it, and no other
    assert found == {("hire_date", "exit_date"): pytest.approx(both)}, found
