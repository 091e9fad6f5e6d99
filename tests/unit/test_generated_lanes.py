"""Numeric key columns keep the real relation between their values (session 21, :mod:`synth.generated_lanes`).

Before: every numeric key column started at the power of ten above the largest real key of them all, so a repeated
customer_id (real: 0 … 1,799) and a unique order_id (real: 100,000 …) both started at 1,000,000 and every synthetic
customer id was also an order id, in a sample and in a streamed table alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.generated import GeneratedColumns
from synth.generated_lanes import key_lanes
from synth.sampling import SampleSpec, iter_rows
from synth.schema import ColumnKind, ColumnSpec, Schema


def _shop(customer_low: int, n: int = 3_000, seed: int = 0) -> tuple[pd.DataFrame, Schema]:
    rng = np.random.default_rng(seed)
    real = pd.DataFrame(
        {
            "order_id": np.arange(100_000, 100_000 + n),
            "customer_id": rng.integers(customer_low, customer_low + 1_200, n),
            "amount": rng.gamma(2.0, 30.0, n).round(2),
        }
    )
    schema = synth.infer_schema(real).with_column("customer_id", kind=ColumnKind.IDENTIFIER)
    return real, schema


def _keys(frame: pd.DataFrame, name: str) -> set[float]:
    return set(pd.Series(frame[name]).dropna().astype(float))


@pytest.mark.parametrize("block_rows", [1, 333, 1_000, 65_536])
def test_disjoint_real_key_columns_stay_disjoint_sampled_and_streamed(block_rows: int) -> None:
    real, schema = _shop(customer_low=0)  # customers 0 … 1,199, orders 100,000 …: no shared value
    model = synth.create("independent").fit(real, schema)
    n = 1_000 if block_rows == 1 else 3_000
    sampled = model.sample(n, seed=1)
    streamed = pd.concat(list(iter_rows(model, SampleSpec(n, 1, block_rows=block_rows))), ignore_index=True)
    for out in (sampled, streamed):
        orders, customers = _keys(out, "order_id"), _keys(out, "customer_id")
        assert not orders & customers, f"{len(orders & customers)} customer ids are order ids"
        assert not (orders | customers) & (_keys(real, "order_id") | _keys(real, "customer_id"))
        assert out["customer_id"].nunique() < 0.8 * n, "still a repeated key"


def test_overlapping_real_key_columns_may_overlap() -> None:
    # Customers 99,500 … 100,699 share 700 values with the orders (100,000 …): the real columns overlap.
    real, schema = _shop(customer_low=99_500)
    generated = GeneratedColumns.fit(real, schema)
    assert {p.detail.get("lane", 0) for p in generated.plans if p.detail.get("numeric")} == {0}
    out = generated.sample(3_000, np.random.default_rng(1))
    assert _keys(out, "order_id") & _keys(out, "customer_id"), "the real overlap is kept"


@st.composite
def _key_columns(draw: st.DrawFn) -> pd.DataFrame:
    rows = draw(st.integers(20, 200))
    columns = {}
    for i in range(draw(st.integers(2, 4))):
        low = draw(st.sampled_from([0, 50, 100, 1_000, 5_000]))
        distinct = draw(st.integers(2, 3 * rows))
        rng = np.random.default_rng(draw(st.integers(0, 2**16)))
        values = low + rng.permutation(distinct)[:rows] if distinct >= rows else low + rng.integers(0, distinct, rows)
        columns[f"key{i}"] = values
    return pd.DataFrame(columns)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real=_key_columns(), n=st.integers(1, 600), block=st.integers(1, 600), seed=st.integers(0, 2**16))
def test_key_columns_share_values_only_where_the_real_ones_do(
    real: pd.DataFrame, n: int, block: int, seed: int
) -> None:
    """For any numeric key columns (unique or repeated, overlapping or not) and any table or block size: two columns
    whose real values are disjoint get disjoint values, and no value is a real key of any column."""
    schema = Schema(tuple(ColumnSpec(c, ColumnKind.IDENTIFIER) for c in real.columns))
    generated = GeneratedColumns.fit(real, schema)
    sampled = generated.sample(n, np.random.default_rng(seed))
    block = max(block, -(-n // 40))
    parts = [
        generated.block_identifiers(a, min(block, n - a), n, seed)
        | generated.block_repeated(a, min(block, n - a), n, seed)
        for a in range(0, n, block)
    ]
    streamed = pd.DataFrame({c: np.concatenate([p[c] for p in parts]) for c in real.columns})
    every_real = set(real.to_numpy(dtype=float).ravel())
    for out in (sampled, streamed):
        for a in real.columns:
            assert not _keys(out, a) & every_real
            for b in real.columns:
                if a < b and not set(real[a]) & set(real[b]):
                    assert not _keys(out, a) & _keys(out, b), (a, b)


@given(
    st.lists(st.lists(st.integers(0, 30), min_size=1, max_size=8), min_size=1, max_size=6),
)
def test_lanes_are_the_groups_of_columns_linked_by_shared_values(values: list[list[int]]) -> None:
    names = [f"c{i}" for i in range(len(values))]
    frame = pd.DataFrame({n: pd.Series(v, dtype=float) for n, v in zip(names, values, strict=True)})
    lanes = key_lanes(frame, names)
    for i, a in enumerate(names):
        for j, b in enumerate(names):
            if set(values[i]) & set(values[j]):
                assert lanes[a] == lanes[b], "sharing a value: one lane"
    # Lanes are numbered 0, 1, … by their first column; a lane is never split (linked through others).
    assert sorted(set(lanes.values())) == list(range(len(set(lanes.values()))))
    for lane in set(lanes.values()):
        members = [values[i] for i, n in enumerate(names) if lanes[n] == lane]
        linked = set(members[0])
        for _ in members:
            for m in members:
                if set(m) & linked:
                    linked |= set(m)
        assert all(set(m) <= linked for m in members), "every column of a lane is linked to its first"


@pytest.mark.parametrize("n", [1, 1_500, 4_000])
def test_text_key_columns_of_one_format_continue_above_the_real_ones_in_lanes_of_their_own(n: int) -> None:
    """Two text key columns of one format (E100000 … E101499 and E101500 … E102999: disjoint) both counted up from
    the bound above them all (E103000; E103100 since session 22), so every generated b was a generated a; the second
    lane counts from the power of ten above the table's rows further up (E113100 for 1,500 rows: README)."""
    real = pd.DataFrame(
        {"a": [f"E{100_000 + i}" for i in range(1_500)], "b": [f"E{101_500 + i}" for i in range(1_500)]}
    )
    schema = Schema((ColumnSpec("a", ColumnKind.IDENTIFIER), ColumnSpec("b", ColumnKind.IDENTIFIER)))
    generated = GeneratedColumns.fit(real, schema)
    sampled = generated.sample(n, np.random.default_rng(0))
    streamed = pd.DataFrame(
        {
            c: np.concatenate([generated.block_identifiers(a, min(700, n - a), n, 3)[c] for a in range(0, n, 700)])
            for c in "ab"
        }
    )
    if n == 1_500:
        assert (sampled["a"].min(), sampled["b"].min()) == ("E103100", "E113100")
    for out in (sampled, streamed):
        assert not set(out["a"]) & set(out["b"]) and not (set(out["a"]) | set(out["b"])) & set(real.stack())
        assert out["a"].str.len().eq(7).all() and out["b"].str.len().eq(7).all(), "both in the real width"
    # Sharing one real value puts them in one lane again: the real relation, not a rule against overlap.
    real.loc[0, "b"] = real.loc[0, "a"]
    assert "lane" not in GeneratedColumns.fit(real, schema).plans[1].detail
