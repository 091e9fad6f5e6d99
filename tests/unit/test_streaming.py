"""Streaming sampling: the same rows whatever the chunk size, files or engine; bounded output; clean failures."""

from __future__ import annotations

import errno
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.generated import hash_values
from synth.sampling import SampleSpec, conditions_from_text, draw_block, parse_rebalance, write_table
from synth.sampling.identifiers import Permutation
from synth.sampling.writers import OutputError

BLOCK = 1_000  # small canonical blocks keep these tests fast; the logic is the same at 65,536


@pytest.fixture(scope="module")
def table(adult_small: pd.DataFrame) -> pd.DataFrame:
    df = adult_small.head(2000).copy()
    df.insert(0, "person_id", np.arange(len(df)) + 10_000)
    # Sequential codes C0000000…C0001999: the widened format is small enough that collisions with real
    # codes happen, which the test below requires to be avoided.
    df.insert(1, "code", [f"C{i:07d}" for i in range(len(df))])
    return df


@pytest.fixture(scope="module")
def model(table: pd.DataFrame) -> synth.Synthesizer:
    schema = synth.infer_schema(table)
    assert schema["person_id"].kind is synth.ColumnKind.IDENTIFIER
    assert schema["code"].kind is synth.ColumnKind.IDENTIFIER
    return synth.create("gaussian_copula", random_state=0).fit(table, schema)


def _write(model: synth.Synthesizer, path: Path, n: int, **kw: object) -> synth.sampling.WriteResult:
    return write_table(model, path, n, block_rows=BLOCK, **kw)  # type: ignore[arg-type]


def test_rows_identical_whatever_chunk_size_or_partitioning(model: synth.Synthesizer, tmp_path: Path) -> None:
    n = 5_500  # five full blocks and a partial one
    a = _write(model, tmp_path / "a.parquet", n, seed=7, chunk_rows=700)
    b = _write(model, tmp_path / "b.parquet", n, seed=7, chunk_rows=4_096)
    c = _write(model, tmp_path / "c/", n, seed=7, chunk_rows=333, partition_rows=1_700)
    ta = pq.read_table(a.path)
    assert ta.num_rows == n
    assert pq.ParquetFile(a.path).metadata.num_row_groups == 8  # ceil(5500 / 700): chunk size is the row group
    assert ta.equals(pq.read_table(b.path))
    assert c.n_files == 4
    parts = sorted(Path(c.path).glob("part-*.parquet"))
    assert ta.equals(_concat(parts))
    # …and the rows are exactly the canonical blocks drawn one by one.
    spec = SampleSpec(n, 7, block_rows=BLOCK)
    blocks = pd.concat([draw_block(model, spec, i) for i in range(spec.n_blocks)], ignore_index=True)
    pd.testing.assert_frame_equal(ta.to_pandas(), blocks)


def _concat(parts: list[Path]) -> pa.Table:
    return pa.concat_tables([pq.read_table(p) for p in parts])


def test_same_seed_same_bytes_other_seed_other_rows(model: synth.Synthesizer, tmp_path: Path) -> None:
    a = _write(model, tmp_path / "a.parquet", 2_500, seed=3)
    b = _write(model, tmp_path / "b.parquet", 2_500, seed=3)
    c = _write(model, tmp_path / "c.parquet", 2_500, seed=4)
    assert Path(a.path).read_bytes() == Path(b.path).read_bytes()
    assert not pq.read_table(a.path).equals(pq.read_table(c.path))


def test_identifiers_unique_across_blocks_and_never_real(
    model: synth.Synthesizer, table: pd.DataFrame, tmp_path: Path
) -> None:
    out = pq.read_table(_write(model, tmp_path / "o.parquet", 6_000, seed=1).path).to_pandas()
    assert out["person_id"].is_unique and out["code"].is_unique
    assert out["person_id"].min() > table["person_id"].max()
    assert not set(out["code"]) & set(table["code"])


def test_streamed_keys_keep_the_real_width(tmp_path: Path) -> None:
    """A streamed table's keys have the real keys' width, as a sampled table's do (blocks added a digit)."""
    rng = np.random.default_rng(8)
    n = 3_000
    real = pd.DataFrame(
        {
            "employee": [f"E-{i:06d}" for i in rng.choice(1_000_000, n, replace=False)],
            "grade": rng.choice(list("abc"), n),
        }
    )
    model = synth.create("independent").fit(real)
    assert model.generated_.plans[0].detail.get("same_width"), "the test needs a same-width format"
    out = pq.read_table(_write(model, tmp_path / "w.parquet", 7_500, seed=2).path).to_pandas()
    sampled = model.sample(2_000, seed=2)
    assert out["employee"].str.len().eq(8).all() and sampled["employee"].str.len().eq(8).all()
    assert out["employee"].str.fullmatch(r"E-\d{6}").all()
    assert out["employee"].is_unique
    assert not set(out["employee"]) & set(real["employee"])


def test_streamed_ibans_pass_their_check_are_unique_and_never_real(tmp_path: Path) -> None:
    """Written block by block, an IBAN column keeps valid check digits, its countries and no real account, as a
    sampled one does (:mod:`synth.generated_ibans`)."""
    from faker import Faker

    from synth.schema.pii import iban_ok

    rng = np.random.default_rng(9)
    ibans = []
    for locale in ("de_DE", "fr_FR"):
        faker = Faker(locale)
        faker.seed_instance(9)
        ibans += [faker.iban() for _ in range(1_000)]
    real = pd.DataFrame({"iban": ibans, "grade": rng.choice(list("abc"), len(ibans))})
    model = synth.create("independent").fit(real)
    out = pq.read_table(_write(model, tmp_path / "i.parquet", 7_500, seed=2).path).to_pandas()["iban"]
    assert out.is_unique and out.map(iban_ok).all()
    assert set(out.str[:2]) == {"DE", "FR"} and abs(out.str.startswith("DE").mean() - 0.5) < 0.05
    assert not set(out) & set(real["iban"])


def test_identifier_replacement_is_exercised(table: pd.DataFrame) -> None:
    """With sequential real codes in a small widened format, raw permuted values do hit real codes."""
    from synth.sampling.identifiers import block_identifiers

    avoid = hash_values(table["code"])
    template = "C0009999"  # what fitting learns from C0000000…C0001999 (the last digits vary)
    values = block_identifiers(template, avoid, 0, 6_000, 6_000, key=5)
    assert len(set(values)) == 6_000
    assert not set(values) & set(table["code"])
    raw = block_identifiers(template, np.zeros(0, np.uint64), 0, 6_000, 6_000, key=5)
    assert set(raw) & set(table["code"]), "the test needs collisions to show they are replaced"


@settings(max_examples=40, deadline=None)
@given(size=st.integers(1, 5_000), key=st.integers(0, 2**63))
def test_permutation_is_a_bijection(size: int, key: int) -> None:
    values = Permutation(size, key)(np.arange(size, dtype=np.uint64))
    assert np.array_equal(np.sort(values), np.arange(size, dtype=np.uint64))


def test_conditions_and_rebalancing_hold_in_every_block(model: synth.Synthesizer, tmp_path: Path) -> None:
    where = conditions_from_text("sex = Female and age >= 30 and age < 50", model)
    assert where == {"sex": "Female", "age": (30, 49)}
    rebalance = parse_rebalance("income=>50K:0.5,<=50K:0.5", model)
    result = _write(model, tmp_path / "c.csv", 3_000, seed=2, conditions=where, rebalance=rebalance)
    out = pa_csv.read_csv(result.path).to_pandas()
    assert len(out) == 3_000
    assert (out["sex"] == "Female").all() and out["age"].between(30, 49).all()
    assert (out["income"] == ">50K").sum() == 1_500  # 500 per block of 1,000


def test_impossible_condition_fails_before_writing(model: synth.Synthesizer, tmp_path: Path) -> None:
    with pytest.raises(synth.SynthesizerError, match="never occurs"):
        _write(model, tmp_path / "x.parquet", 2_000, conditions={"sex": "Martian"})
    assert list(tmp_path.iterdir()) == []


def test_cancel_leaves_nothing_behind(model: synth.Synthesizer, tmp_path: Path) -> None:
    def cancel_midway(fraction: float, message: str, /) -> None:
        if fraction > 0.3:
            raise synth.Cancelled

    for target in ("x.parquet", "x.csv", "ds/"):
        with pytest.raises(synth.Cancelled):
            _write(model, tmp_path / target, 5_000, progress=cancel_midway, partition_rows=1_000)
    assert list(tmp_path.iterdir()) == []


def test_disk_full_is_a_clear_error_and_removes_the_partial_file(
    model: synth.Synthesizer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real_write = pq.ParquetWriter.write_table

    def full_after_one(self: pq.ParquetWriter, *args: object, **kw: object) -> None:
        calls["n"] += 1
        if calls["n"] > 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(pq.ParquetWriter, "write_table", full_after_one)
    with pytest.raises(OutputError, match="disk is full"):
        _write(model, tmp_path / "x.parquet", 5_000, chunk_rows=1_000)
    assert list(tmp_path.iterdir()) == []


def test_bad_targets_are_output_errors(model: synth.Synthesizer, tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="does not exist"):
        _write(model, tmp_path / "missing" / "x.parquet", 10)
    with pytest.raises(OutputError, match=r"\.parquet or \.csv"):
        _write(model, tmp_path / "x.xlsx", 10)
    (tmp_path / "ds").mkdir()
    (tmp_path / "ds" / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match="other files"):
        _write(model, tmp_path / "ds/", 10)
    assert (tmp_path / "ds" / "notes.txt").read_text() == "mine"
    first = _write(model, tmp_path / "ok/", 10)
    with pytest.raises(OutputError, match="overwrite"):
        _write(model, tmp_path / "ok/", 10)
    assert _write(model, tmp_path / "ok/", 10, overwrite=True).n_rows == first.n_rows


HAS_DASK = importlib.util.find_spec("distributed") is not None


@pytest.mark.skipif(not HAS_DASK, reason='dask.distributed is not installed: pip install -e ".[test]" includes it')
def test_dask_engine_writes_the_same_bytes_as_the_local_engine(model: synth.Synthesizer, tmp_path: Path) -> None:
    kw = {"seed": 11, "chunk_rows": 900, "partition_rows": 1_500}
    local = _write(model, tmp_path / "local/", 5_200, **kw)
    dask = _write(model, tmp_path / "dask/", 5_200, engine="dask", workers=2, **kw)
    assert dask.engine == "dask" and dask.n_files == local.n_files == 4
    for part in sorted(Path(local.path).iterdir()):
        assert (Path(dask.path) / part.name).read_bytes() == part.read_bytes(), part.name


def test_where_text_becomes_the_synthesizers_conditions(model: synth.Synthesizer) -> None:
    from synth.evaluation.fidelity.segments import SegmentError

    assert conditions_from_text("age > 30 and age <= 40 and workclass in (Private, 'State-gov')", model) == {
        "age": (31, 40),
        "workclass": ["Private", "State-gov"],
    }
    assert conditions_from_text("SEX = female", model) == {"sex": "Female"}  # names and labels case-insensitive
    others = conditions_from_text("race != White", model)["race"]
    assert "White" not in others and len(others) >= 3
    assert conditions_from_text("workclass is missing", model) == {"workclass": None}
    assert conditions_from_text("age is not missing", model) == {"age": (None, None)}
    for bad, words in [
        ("age != 30", "categorical"),
        ("sex > Female", "numbers"),
        ("sex = Female and sex = Male", "several conditions"),
        ("age = old", "not a number"),
    ]:
        with pytest.raises(SegmentError, match=words):
            conditions_from_text(bad, model)
    with pytest.raises(SegmentError, match="value:share"):
        parse_rebalance("income=>50K", model)
