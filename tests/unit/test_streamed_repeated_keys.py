"""A streamed table's repeated key (customer_id) comes from one pool for the whole table, whatever the block size.

Before session 20 every block drew its own pool of keys, as a table of its own: 3,500 rows streamed in blocks of
700 from a model of 3,500 orders by 159 customers held 787 customers (1,424 in blocks of 350), each with 4.4 rows
instead of 22. Now the key of row ``i`` depends only on ``i``, the table's size and the seed
(:mod:`synth.sampling.repeated`).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from benchmarks.bench_repeated_spread import orders
from synth.generated_shapes import repeated_count
from synth.sampling import SampleSpec, iter_rows, write_table
from synth.sampling.repeated import members, pool_size

_orders = orders  # 3,500 orders by 160 customers (gamma-distributed shares): benchmarks.bench_repeated_spread


@pytest.fixture(scope="module", params=[(False, 0.0), (True, 0.05)], ids=["text", "numeric-missing"])
def case(request: pytest.FixtureRequest) -> tuple[pd.DataFrame, synth.Synthesizer]:
    numeric, missing = request.param
    real = _orders(numeric, missing)
    # A float column of ids with gaps reads as a number: the schema says what it is, as a user would.
    schema = synth.infer_schema(real).with_column("customer_id", kind=synth.ColumnKind.IDENTIFIER)
    model = synth.create("independent").fit(real, schema)
    assert "distinct" in model.generated_.plans[1].detail, "the test needs customer_id to be a repeated key"
    return real, model


def _streamed(model: synth.Synthesizer, n: int, block_rows: int, seed: int = 1) -> pd.DataFrame:
    return pd.concat(list(iter_rows(model, SampleSpec(n, seed, block_rows=block_rows))), ignore_index=True)


@pytest.mark.parametrize("block_rows", [350, 700, 1_750, 3_500, 65_536])
def test_streamed_keys_are_as_many_and_as_repeated_as_one_sample(
    case: tuple[pd.DataFrame, synth.Synthesizer], block_rows: int
) -> None:
    real, model = case
    n = len(real)
    whole = model.sample(n, seed=1)["customer_id"].value_counts()
    streamed = _streamed(model, n, block_rows)["customer_id"].value_counts()
    real_distinct = real["customer_id"].nunique()
    # One sample holds repeated_count(…) keys for its present rows: the real count at the real size.
    assert len(whole) == pytest.approx(real_distinct, abs=3)
    assert len(streamed) == pytest.approx(len(whole), abs=3), f"{len(streamed)} customers vs {len(whole)}"
    # …with the same rows-per-key shape: every key at least once, the rest spread at random.
    assert streamed.min() >= 1
    assert streamed.mean() == pytest.approx(whole.mean(), rel=0.03)
    assert streamed.std() == pytest.approx(whole.std(), rel=0.25)
    for q in (0.1, 0.5, 0.9):
        assert streamed.quantile(q) == pytest.approx(whole.quantile(q), abs=3), f"rows per key, quantile {q}"


def test_beyond_the_real_size_streamed_keys_grow_in_step(case: tuple[pd.DataFrame, synth.Synthesizer]) -> None:
    """Three times the real rows hold three times the customers, in blocks of any size (numeric keys used to
    restart at the same number in every block: 159 customers for any size)."""
    real, model = case
    n = 3 * len(real)
    whole = model.sample(n, seed=2)["customer_id"].nunique()
    assert whole == pytest.approx(3 * real["customer_id"].nunique(), rel=0.03)
    for block_rows in (700, 2_000):
        assert _streamed(model, n, block_rows, seed=2)["customer_id"].nunique() == pytest.approx(whole, abs=3)


def test_streamed_keys_never_equal_a_real_key(case: tuple[pd.DataFrame, synth.Synthesizer]) -> None:
    real, model = case
    out = _streamed(model, 7_000, 500)
    assert not set(out["customer_id"].dropna()) & set(real["customer_id"].dropna())
    assert not set(out["customer_id"].dropna()) & set(real["order_id"])


def test_missing_keys_come_at_the_stored_rate_exactly(case: tuple[pd.DataFrame, synth.Synthesizer]) -> None:
    real, model = case
    rate = model.generated_.plans[1].missing_rate
    out = _streamed(model, 3_001, 400)["customer_id"]
    assert out.isna().sum() == round(3_001 * rate)
    assert out.dtype == model.sample(50, seed=0)["customer_id"].dtype == real["customer_id"].dtype


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(n=st.integers(1, 1_500), block_rows=st.integers(40, 2_000), seed=st.integers(0, 2**32))
def test_the_key_column_is_the_same_at_any_block_size(
    case: tuple[pd.DataFrame, synth.Synthesizer], n: int, block_rows: int, seed: int
) -> None:
    """Row i's key depends on i, the table's size and the seed only: any block (or Dask worker) draws it alike."""
    _, model = case
    plan = model.generated_.plans[1]
    one = _streamed(model, n, n, seed)["customer_id"]
    blocks = _streamed(model, n, block_rows, seed)["customer_id"]
    pd.testing.assert_series_equal(one, blocks)
    present, k = pool_size(int(plan.detail["distinct"]), int(plan.detail["rows"]), n, plan.missing_rate)
    assert blocks.notna().sum() == present
    assert (
        blocks.nunique()
        == k
        == (repeated_count(plan.detail["distinct"], plan.detail["rows"], present) if present else 0)
    )


@settings(max_examples=40, deadline=None)
@given(total=st.integers(1, 3_000), k_share=st.floats(0.0, 1.0), missing=st.floats(0.0, 0.5), key=st.integers(0, 2**63))
def test_members_use_every_pool_member_and_no_other(total: int, k_share: float, missing: float, key: int) -> None:
    present = total - round(total * missing)
    k = min(present, max(1, round(present * k_share))) if present else 0
    cut = total // 3
    member = np.concatenate(
        [members(0, cut, total, present, k, key), members(cut, total - cut, total, present, k, key)]
    )
    assert (member < 0).sum() == total - present
    assert set(member[member >= 0].tolist()) == set(range(k))


def test_a_dataset_written_in_parts_has_the_one_file_keys(
    case: tuple[pd.DataFrame, synth.Synthesizer], tmp_path: Path
) -> None:
    _, model = case
    one = write_table(model, tmp_path / "one.parquet", 2_600, seed=4, block_rows=300)
    parts = write_table(model, tmp_path / "parts/", 2_600, seed=4, block_rows=300, partition_rows=700)
    keys = pq.read_table(one.path).to_pandas()["customer_id"]
    files = sorted(Path(parts.path).glob("part-*.parquet"))
    assert len(files) == 4
    pd.testing.assert_series_equal(
        pd.concat([pq.read_table(f).to_pandas()["customer_id"] for f in files], ignore_index=True), keys
    )
    assert keys.nunique() == pytest.approx(model.sample(2_600, seed=4)["customer_id"].nunique(), abs=3)


@pytest.mark.skipif(not importlib.util.find_spec("distributed"), reason="dask.distributed is not installed")
def test_dask_workers_draw_the_one_block_keys(case: tuple[pd.DataFrame, synth.Synthesizer], tmp_path: Path) -> None:
    """Two Dask worker processes, each drawing its own files' blocks from the saved model, give the key column of
    one local block of the whole table."""
    _, model = case
    out = write_table(
        model, tmp_path / "d/", 2_600, seed=4, block_rows=300, partition_rows=700, engine="dask", workers=2
    )
    keys = pq.read_table(out.path).to_pandas()["customer_id"]
    pd.testing.assert_series_equal(keys, _streamed(model, 2_600, 2_600, seed=4)["customer_id"])
    assert keys.nunique() == pytest.approx(model.sample(2_600, seed=4)["customer_id"].nunique(), abs=3)


def test_two_repeated_keys_of_one_format_get_pools_of_their_own() -> None:
    """Buyers and sellers written alike (C123456) are different people: each column's pool is keyed by its name."""
    rng = np.random.default_rng(3)
    ids = np.array([f"C{v:06d}" for v in rng.choice(10**6, 400, replace=False)], dtype=object)
    real = pd.DataFrame({"buyer": ids[rng.integers(0, 200, 3_000)], "seller": ids[200 + rng.integers(0, 200, 3_000)]})
    model = synth.create("independent").fit(real)
    plans = model.generated_.plans
    assert all("distinct" in p.detail for p in plans) and plans[0].detail["template"] == plans[1].detail["template"]
    out = _streamed(model, 3_000, 500)
    assert out["buyer"].nunique() == pytest.approx(200, abs=3) and out["seller"].nunique() == pytest.approx(200, abs=3)
    assert len(set(out["buyer"]) & set(out["seller"])) <= 5, "a buyer's key is a seller's"
