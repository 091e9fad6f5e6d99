"""A number (or date) keeps every order it holds on the training rows, not only one bound (session 20).

Before, a column had at most one: CART's anchor (a complete column visited before) or, failing one, the most
constraining order with a column that has missing values; the copula's likewise. A price between a complete floor
and a complete ceiling fell below its floor on 3.6% of CART's rows (the copula: 9.2%), a total at least each of two
parts below the second on 1.3% (11%), an end at least its start and a middle reading (missing on 10%) below the
middle on 3.4% (10%). Now the anchor keeps its bound in the tree draw and every other order is kept on whole rows
(:mod:`synth.synthesizers.row_orders`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from benchmarks.bench_missing_orders import BOUNDS_ORDERS, bounds
from synth.synthesizers.base import load_model
from synth.synthesizers.persist import ModelFileError
from tests.unit.crafting import replaced_after

#: The columns of :func:`bounds` that hold two orders each (price, total, end).
TWO_BOUNDS = ("price", "total", "end")


def _one_bound_each(model: synth.Synthesizer) -> tuple[tuple[str, str, float], ...]:
    """The model's whole-row orders cut to what the one-bound rule kept: none for a column CART anchors, else the
    first order of each column."""
    columns = getattr(model, "columns_", ())
    seen = {columns[s.column].name for s in getattr(model, "steps_", ()) if s.anchor >= 0}
    out = []
    for order in model.number_orders_:
        if order[0] not in seen:
            out.append(order)
            seen.add(order[0])
    return tuple(out)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    frame = bounds(3_000, 20)
    for low, high in BOUNDS_ORDERS:  # the premise: every order holds on every training row with both present
        both = frame[low].notna() & frame[high].notna()
        assert (frame.loc[both, low] <= frame.loc[both, high]).all(), (low, high)
    return frame


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_a_number_keeps_every_bound(name: str, table: pd.DataFrame, tmp_path: Path) -> None:
    from synth.evaluation.fidelity.orders import ORDER_REMEDY, evaluate_orders
    from synth.synthesizers.column_order import describe_orders, kept_orders

    # What Compare's warning says of these models, checked on the rows below for each of them.
    assert "CART, Pruned CART and the Gaussian copula keep such orders themselves" in ORDER_REMEDY
    assert "every one that holds on the training rows, both bounds of a value between two others" in ORDER_REMEDY
    schema = synth.infer_schema(table)
    model = synth.create(name, random_state=0).fit(table, schema)
    syn = model.sample(20_000, seed=1)
    for low, high in BOUNDS_ORDERS:
        both = syn[low].notna() & syn[high].notna()
        assert (syn.loc[both, low] <= syn.loc[both, high]).all(), (low, high)
    broken = {(b.order.low, b.order.high): b.broken for b in evaluate_orders(table, syn, schema)}
    assert set(BOUNDS_ORDERS) <= set(broken) and not any(broken.values()), broken
    # What the Synthesize page says the model keeps names both bounds of each column.
    kept = set(kept_orders(model))
    assert set(BOUNDS_ORDERS) <= kept
    said = describe_orders(model) or ""
    assert all(f"{low} ≤ {high}" in said for low, high in kept)
    # Keeping the second bound cuts values, never missing ones: middle stays missing on as many rows.
    assert syn["middle"].isna().mean() == pytest.approx(table["middle"].isna().mean(), abs=0.01)
    model.save(tmp_path / "m.synth")
    pd.testing.assert_frame_equal(load_model(tmp_path / "m.synth").sample(500, seed=3), model.sample(500, seed=3))


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_without_the_second_bounds_they_break(name: str, table: pd.DataFrame, tmp_path: Path) -> None:
    """The premise (so the test above could fail): with the model's orders cut to one per column, as the
    one-bound rule left them, synthetic rows break an order of each column that holds two. Such a model is what
    a file saved before holds: it loads, and samples by its stored orders alone, as before."""
    model = synth.create(name, random_state=0).fit(table)
    model.number_orders_ = _one_bound_each(model)
    model.save(tmp_path / "before.synth")
    syn = load_model(tmp_path / "before.synth").sample(20_000, seed=1)
    pd.testing.assert_frame_equal(syn, model.sample(20_000, seed=1))
    for column in TWO_BOUNDS:
        orders = [(low, high) for low, high in BOUNDS_ORDERS if column in (low, high)]
        broken = max((syn[low] > syn[high]).mean() for low, high in orders)
        assert broken > 0.005, column


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_a_crafted_second_bound_is_refused(name: str, table: pd.DataFrame, tmp_path: Path) -> None:
    """A file's second bound is checked on load like any order: one naming a column the model lacks is refused."""
    model = synth.create(name, random_state=0).fit(table)
    part = next(earlier for later, earlier, _ in model.number_orders_ if later == "total")
    model.save(tmp_path / "m.synth")
    crafted = replaced_after(tmp_path / "m.synth", tmp_path / "bad.synth", "number_orders_", f'"{part}"', '"nothing"')
    with pytest.raises(ModelFileError, match="number orders"):
        load_model(crafted)


def _chained(data: st.DataObject, n: int) -> pd.DataFrame:
    """A table of 3–6 numbers, each either free or drawn at least (or at most) the largest (smallest) of some
    earlier ones plus a gamma gap, some with missing values, in a shuffled column order (so a later column is
    visited before its bounds as often as after)."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1), label="seed"))
    columns: dict[str, np.ndarray] = {}
    for k in range(data.draw(st.integers(3, 6), label="columns")):
        earlier = list(columns)
        some = st.lists(st.sampled_from(earlier), max_size=3, unique=True) if earlier else st.just([])
        bounds_of = data.draw(some, label="bounds")
        gap = np.round(rng.gamma(2.0, 10.0, n), 1)
        if not bounds_of:
            value = np.round(rng.uniform(0.0, 100.0, n), 1)
        elif data.draw(st.booleans(), label="above"):
            value = np.max([columns[b] for b in bounds_of], axis=0) + gap
        else:
            value = np.min([columns[b] for b in bounds_of], axis=0) - gap
        columns[f"c{k}"] = np.round(value, 1)
    frame = pd.DataFrame(columns)
    for name in frame.columns:
        share = data.draw(st.sampled_from([0.0, 0.0, 0.1, 0.3]), label=f"missing {name}")
        frame.loc[rng.random(n) < share, name] = np.nan
    order = data.draw(st.permutations(list(frame.columns)), label="order")
    return frame[order]


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_every_order_that_holds_on_the_training_rows_holds_on_every_synthetic_row(
    name: str, data: st.DataObject
) -> None:
    """For any table: every order Compare finds on the training rows (``find_orders``: holds on all but 0.1% of
    them and constrains), however many a column holds, is broken by no synthetic row."""
    from synth.evaluation.fidelity.orders import evaluate_orders

    table = _chained(data, 300)
    schema = synth.infer_schema(table)
    model = synth.create(name, random_state=0).fit(table, schema)
    syn = model.sample(2_000, seed=1)
    broken = {(b.order.low, b.order.high): b.broken for b in evaluate_orders(table, syn, schema) if b.broken}
    assert not broken, (broken, getattr(model, "number_orders_", ()))


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_an_order_the_others_imply_changes_no_row(name: str) -> None:
    """A table whose orders each column already kept samples byte-identically: on the customer table, the one new
    order (trial_start ≤ last_order, through the signup both keep) is kept but never redraws a row, so taking it
    out of the model changes no value."""
    from benchmarks.bench_orders import customers

    model = synth.create(name, random_state=0).fit(customers(2_000, 0))
    field = "number_orders_" if name == "gaussian_copula" else "date_orders_"
    implied = ("trial_start", "last_order", -1.0)
    assert implied in getattr(model, field)
    full = model.sample(5_000, seed=1)
    setattr(model, field, tuple(o for o in getattr(model, field) if o != implied))
    pd.testing.assert_frame_equal(model.sample(5_000, seed=1), full)


def _deliveries(n: int = 2_000, seed: int = 20) -> pd.DataFrame:
    """Orders with a start, a deadline 10–120 days later and a delivery between them (all dates complete), and a
    note of their size."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    span = rng.integers(10, 121, n)
    delivery = start + pd.to_timedelta(np.round(rng.beta(2.0, 2.0, n) * span), unit="D")
    deadline = start + pd.to_timedelta(span, unit="D")
    return pd.DataFrame(
        {
            "size": rng.choice(["small", "large"], n),
            "start": start.strftime("%Y-%m-%d"),
            "deadline": deadline.strftime("%Y-%m-%d"),
            "delivery": delivery.strftime("%Y-%m-%d"),
        }
    )


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_a_date_between_two_dates_keeps_both(name: str) -> None:
    """A delivery between its start and its deadline: the one drawn as a gap from one of them keeps the other
    bound too (before, a date drawn as a gap kept no other order)."""
    table = _deliveries()
    model = synth.create(name, random_state=0).fit(table)
    syn = model.sample(10_000, seed=1)
    start, deadline, delivery = (pd.to_datetime(syn[c]) for c in ("start", "deadline", "delivery"))
    assert (start <= delivery).all() and (delivery <= deadline).all()


def test_a_pair_equal_on_every_row_is_kept_both_ways_unless_an_anchor_keeps_it() -> None:
    from synth.synthesizers.row_orders import frame_redrawn_number_orders

    rng = np.random.default_rng(0)
    a = np.round(rng.uniform(0, 100, 500), 1)
    frame = pd.DataFrame({"a": a, "b": a, "noise": rng.uniform(0, 100, 500)})
    schema = synth.infer_schema(frame)
    found = frame_redrawn_number_orders(frame, schema, set(), set())
    assert {("b", "a", 1.0), ("b", "a", -1.0)} <= set(found)
    assert not [o for o in found if "noise" in o[:2]]  # an order that does not hold is not kept
    kept = frame_redrawn_number_orders(frame, schema, set(), {frozenset(("a", "b"))})
    assert not [o for o in kept if {o[0], o[1]} == {"a", "b"}]


def test_compare_and_the_models_find_an_order_by_one_search() -> None:
    """Compare's finder and the models' are one search (``row_orders.search_orders``): the same pairs, and each
    pair judged on random pairs of its own, so an order's constraint share does not depend on which columns were
    tried before it (Compare's finder shared one generator across pairs: with over 5,000 rows the share moved with
    the columns before it). A pair equal on every row is one order for Compare and kept both ways by the models."""
    from synth.evaluation.fidelity.orders import find_orders
    from synth.synthesizers.row_orders import frame_redrawn_number_orders

    rng = np.random.default_rng(4)
    n = 6_000
    start = rng.normal(100.0, 20.0, n)
    table = pd.DataFrame(
        {"noise": rng.normal(0.0, 1.0, n), "start": start, "end": start + rng.exponential(5.0, n), "same": start}
    )
    schema = synth.infer_schema(table)
    found = {(o.low, o.high): o for o in find_orders(table, schema)}
    alone = {(o.low, o.high): o for o in find_orders(table[["start", "end"]], schema)}
    assert set(found) == {("start", "end"), ("same", "end"), ("start", "same")}
    assert found["start", "end"] == alone["start", "end"]  # noise's pairs, tried first, change nothing
    models = frame_redrawn_number_orders(table, schema, set(), set())
    assert {(later, earlier) for later, earlier, _ in models} == {("end", "start"), ("same", "start"), ("same", "end")}
    assert [sign for later, earlier, sign in models if (later, earlier) == ("same", "start")] == [1.0, -1.0]
