"""Two key columns of one format in a streamed table differ row by row (session 22).

Before: every unique key column of a streamed table drew through the table's one permutation key, so two text key
columns with the same format and kept endings (``order_id`` and ``invoice_id``, both ``ORD-1…``; a ``user_id`` and a
``device_id`` of one layout) held the same value in every row, where a single sample draws each column's keys with a
key of its own. Each column's permutation is now keyed by its name too (:func:`synth.sampling.identifiers.
column_key`); the rules stay those of a single sample (unique, never real, the real width) and a stream of any block
size still gives the same table. Columns that share real values keep sharing (:mod:`synth.generated_lanes`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.generated import GeneratedColumns
from synth.sampling import SampleSpec, iter_rows
from synth.sampling.identifiers import column_key
from synth.schema import ColumnKind, ColumnSpec, Schema

N = 3_000


def _orders(seed: int = 0) -> pd.DataFrame:
    """Order and invoice numbers ``ORD-1…``, each column its own random numbers (sparse: unused endings)."""
    rng = np.random.default_rng(seed)
    numbers = rng.choice(900_000, 2 * N, replace=False) + 100_000  # disjoint columns
    return pd.DataFrame(
        {
            name: [f"ORD-{v}" for v in part]
            for name, part in zip(("order_id", "invoice_id"), (numbers[:N], numbers[N:]), strict=True)
        }
    )


def _devices(seed: int = 1) -> pd.DataFrame:
    """Two unrelated ids of one layout, ``123-4567``."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            name: [
                f"{a:03d}-{b:04d}" for a, b in zip(rng.integers(0, 1_000, N), rng.integers(0, 10**4, N), strict=True)
            ]
            for name in ("user_id", "device_id")
        }
    )


def _fit(df: pd.DataFrame) -> GeneratedColumns:
    return GeneratedColumns.fit(df, Schema(tuple(ColumnSpec(c, ColumnKind.IDENTIFIER) for c in df.columns)))


def _streamed(generated: GeneratedColumns, n: int, block: int, key: int = 7) -> dict[str, np.ndarray]:
    parts = [generated.block_identifiers(a, min(block, n - a), n, key) for a in range(0, n, block)]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


@pytest.mark.parametrize("table", [_orders, _devices], ids=["order_and_invoice", "one_layout"])
def test_two_key_columns_of_one_format_differ_row_by_row_when_streamed(table: object) -> None:
    df = table()  # type: ignore[operator]
    a, b = df.columns
    generated = _fit(df)
    assert generated.plans[0].detail["same_width"] == generated.plans[1].detail["same_width"], "one format, endings"
    streamed = _streamed(generated, N, 997)
    assert (streamed[a] == streamed[b]).mean() < 0.01, "was 100%: the same value in every row"
    single = generated.sample(N, np.random.default_rng(0))
    real = set(df[a]) | set(df[b])
    for out in (streamed, single):
        for name in (a, b):
            keys = pd.Series(out[name])
            assert keys.is_unique and not set(keys) & real
            assert set(keys.str.len()) == set(df[name].str.len()), "the real width"


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block=st.integers(1, N), n=st.integers(1, N))
def test_each_column_is_the_same_at_any_block_size(block: int, n: int) -> None:
    generated = _fit(_orders())
    block = max(block, -(-n // 60))  # at most 60 blocks
    whole, cut = _streamed(generated, n, n), _streamed(generated, n, block)
    for name in whole:
        assert (whole[name] == cut[name]).all()


@given(key=st.integers(0, 2**64 - 1), a=st.text(max_size=30), b=st.text(max_size=30))
def test_column_keys_are_per_column_and_per_table(key: int, a: str, b: str) -> None:
    assert column_key(key, a) == column_key(key, a)
    if a != b:
        assert column_key(key, a) != column_key(key, b)
    assert column_key(key, a) != column_key(key ^ 1, a)


def test_a_streamed_table_of_a_model_keeps_its_key_columns_apart() -> None:
    """Through a model and canonical blocks (:func:`synth.sampling.iter_rows`), as the CLI and the Sample page draw."""
    df = _orders().assign(amount=np.random.default_rng(3).gamma(2.0, 30.0, N).round(2))
    schema = synth.infer_schema(df)
    for name in ("order_id", "invoice_id"):
        schema = schema.with_column(name, kind=ColumnKind.IDENTIFIER)
    model = synth.create("independent").fit(df, schema)
    spec = SampleSpec(n_rows=2_500, seed=4, block_rows=600)
    out = pd.concat(list(iter_rows(model, spec)), ignore_index=True)
    assert (out["order_id"] == out["invoice_id"]).mean() < 0.01
    assert out["order_id"].is_unique and out["invoice_id"].is_unique
    real = set(df["order_id"]) | set(df["invoice_id"])
    assert not (set(out["order_id"]) | set(out["invoice_id"])) & real
    # Keys depend on the row alone, not on the block size (the other columns' rows are drawn per block).
    again = pd.concat(list(iter_rows(model, SampleSpec(n_rows=2_500, seed=4, block_rows=2_500))), ignore_index=True)
    pd.testing.assert_frame_equal(out[["order_id", "invoice_id"]], again[["order_id", "invoice_id"]])
