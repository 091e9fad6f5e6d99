"""Rows per key of a repeated key: as uneven as the real ones, without any one key's count (synth.generated_spread).

Before session 21 every synthetic customer got one row and the rest at random: the seeded shop orders' rows per
customer had sd 4.6 against a real 16.4, so the heavy customers were lost.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from benchmarks.bench_repeated_spread import orders
from benchmarks.fit_tables import hr
from synth.generated import REGENERATION_SUMMARY, _Plan
from synth.generated_spread import (
    LEVELS,
    MIN_KEYS_BEYOND,
    check_spread,
    row_counts,
    rows_per_key_spread,
)
from synth.sampling import SampleSpec, iter_rows
from synth.sampling.repeated import extra_rows_ends, members
from synth.synthesizers.persist import Encoder, ModelFileError
from tests import model_files


def _key_table(counts: list[int]) -> pd.Series:
    """A key column whose key ``i`` has ``counts[i]`` rows."""
    return pd.Series(np.repeat([f"K{i:05d}" for i in range(len(counts))], counts))


def _fit(real: pd.DataFrame, key: str = "customer_id") -> synth.Synthesizer:
    schema = synth.infer_schema(real).with_column(key, kind=synth.ColumnKind.IDENTIFIER)
    return synth.create("independent", random_state=0).fit(real, schema)


def _plan(model: synth.Synthesizer, key: str = "customer_id") -> _Plan:
    return next(p for p in model.generated_.plans if p.name == key)


def _streamed(model: synth.Synthesizer, n: int, block_rows: int, seed: int = 1) -> pd.DataFrame:
    return pd.concat(list(iter_rows(model, SampleSpec(n, seed, block_rows=block_rows))), ignore_index=True)


counts_lists = st.lists(st.integers(1, 500), min_size=1, max_size=300)


@settings(max_examples=60, deadline=None)
@given(counts=counts_lists)
def test_every_kept_quantile_has_ten_keys_on_each_side(counts: list[int]) -> None:
    """No kept number is one key's count: at least MIN_KEYS_BEYOND keys have about as many rows or more, and as
    many about as few or fewer (about: kept counts are rounded to two significant digits, at most 5% off)."""
    spread = rows_per_key_spread(_key_table(counts))
    real = np.array(counts)
    if spread is None:
        assert sum(1 for q in LEVELS if MIN_KEYS_BEYOND <= q * len(real) <= len(real) - MIN_KEYS_BEYOND) < 2
        return
    check_spread(spread)  # what a fit writes passes the load-time check
    for kept in spread["counts"]:
        assert (real >= kept / 1.05).sum() >= MIN_KEYS_BEYOND, f"{kept} rows: fewer than 10 keys that large"
        assert (real <= kept / 0.95).sum() >= MIN_KEYS_BEYOND, f"{kept} rows: fewer than 10 keys that small"


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(1, 200), min_size=20, max_size=300), more=st.integers(1, 10_000))
def test_the_heaviest_key_leaves_no_trace_in_the_spread(counts: list[int], more: int) -> None:
    """The file's spread is the same whatever the heaviest customer's count: 400 rows or 400 + ``more``."""
    heavy = sorted(counts)
    bumped = [*heavy[:-1], heavy[-1] + more]
    assert rows_per_key_spread(_key_table(heavy)) == rows_per_key_spread(_key_table(bumped))


def test_a_heavy_customers_exact_count_does_not_come_back() -> None:
    """One customer with a count of their own (400 … 490 orders) among the shop's 3,500: across ten such tables,
    a synthetic customer with exactly that many orders (in one sample or streamed) is as rare as chance makes it,
    not there every time, as it would be if the count were kept."""
    hits = 0
    for heavy in range(400, 500, 10):
        real = orders()
        lone = pd.DataFrame({"order_id": np.arange(heavy) + 100_000, "customer_id": "C999999"})
        lone["amount"], lone["channel"] = 50.0, "a"
        real = pd.concat([real, lone], ignore_index=True)
        model = _fit(real)
        assert heavy not in _plan(model).detail["spread"]["counts"]
        for out in (model.sample(len(real), seed=heavy), _streamed(model, len(real), 1_000, seed=heavy)):
            rows_per_key = out["customer_id"].value_counts()
            assert rows_per_key.sum() == len(real) and rows_per_key.min() >= 1
            hits += int((rows_per_key == heavy).any())
    assert hits == 0, f"a synthetic customer had exactly the heavy customer's orders in {hits} of 20 tables"


def _visits(n: int = 4_000, patients: int = 1_300, seed: int = 21) -> pd.DataFrame:
    """Clinic visits by patients of Pareto-distributed shares (the session-21 walk's clinic table, without its
    other columns): a tail heavier than log-normal, one patient with over a hundred visits."""
    rng = np.random.default_rng(seed)
    shares = rng.pareto(1.8, patients) + 1
    ids = np.array([f"P{v:06d}" for v in rng.choice(900_000, patients, replace=False) + 100_000], dtype=object)
    visits = ids[rng.choice(patients, n, p=shares / shares.sum())]
    return pd.DataFrame({"patient_id": visits, "stay": rng.poisson(3, n)})


def test_a_tail_heavier_than_log_normal_stays_lighter_than_the_real_one() -> None:
    """README: where the real tail is heavier than log-normal the heaviest keys come back lighter than the real
    heaviest (no key's count is kept), while the quantiles and most of the spread are kept."""
    real = _visits()
    want = real["patient_id"].value_counts()
    assert want.max() > 100
    got = _fit(real, "patient_id").sample(len(real), seed=1)["patient_id"].value_counts()
    assert got.max() < 0.75 * want.max()
    assert got.std() > 0.7 * want.std() and got.std() > 2 * np.sqrt(want.mean())  # the even spread's: Poisson
    for q in (0.5, 0.9, 0.99):
        assert got.quantile(q) == pytest.approx(want.quantile(q), rel=0.15, abs=1), f"quantile {q}"


def test_rows_per_key_are_not_tied_to_other_columns() -> None:
    """README: a key's number of rows is drawn apart from its other columns (a heavy customer's orders are not
    larger), even where the real table ties them."""
    real = orders()
    real["amount"] = real["customer_id"].map(real["customer_id"].value_counts()) * 2.0 + real["amount"] / 10
    per_key = real.groupby("customer_id")["amount"].agg(["size", "mean"])
    assert per_key.corr().iloc[0, 1] > 0.9
    out = _fit(real).sample(len(real), seed=1)
    per_key = out.groupby("customer_id")["amount"].agg(["size", "mean"])
    assert abs(per_key.corr().iloc[0, 1]) < 0.3


@pytest.mark.parametrize(
    ("name", "real", "key"),
    [("shop", orders(), "customer_id"), ("hr", hr(2_000), "manager_id")],
    ids=["shop", "hr"],
)
def test_rows_per_key_are_as_uneven_as_the_real_ones(name: str, real: pd.DataFrame, key: str) -> None:
    """README (streaming, repeated keys): the shop's rows per customer have sd 16.4 (synthetic 4.6 before session
    21), the HR table's reports per manager 2.9 (not overstated); one sample and a streamed table alike."""
    assert "as unevenly" in REGENERATION_SUMMARY  # the Data page's words for it
    model = _fit(real, key)
    want = real[key].value_counts()
    for out in (model.sample(len(real), seed=1), _streamed(model, len(real), 700)):
        got = out[key].value_counts()
        assert got.std() == pytest.approx(want.std(), rel=0.15), f"{name}: sd {got.std():.1f} vs {want.std():.1f}"
        for q in (0.1, 0.5, 0.9):
            assert got.quantile(q) == pytest.approx(want.quantile(q), rel=0.15, abs=1), f"{name}: quantile {q}"
        assert 0.8 * want.max() <= got.max() <= 1.25 * want.max()


spreads = st.builds(
    lambda levels, counts: {"levels": sorted(levels), "counts": sorted(counts)},
    st.lists(st.sampled_from(LEVELS), min_size=2, max_size=len(LEVELS), unique=True),
    st.lists(st.one_of(st.floats(1.0, 300.0), st.floats(1.0, 1e12)), min_size=len(LEVELS), max_size=len(LEVELS)),
).map(lambda s: {"levels": s["levels"], "counts": s["counts"][: len(s["levels"])]})


@settings(max_examples=80, deadline=None)
@given(
    spread=spreads,
    distinct=st.integers(1, 2_000),
    per_key=st.floats(1.0, 50.0),
    k=st.integers(1, 3_000),
    more=st.integers(0, 20_000),
)
def test_row_counts_give_every_key_a_row_and_sum_to_the_rows(
    spread: dict, distinct: int, per_key: float, k: int, more: int
) -> None:
    counts = row_counts(spread, distinct, round(distinct * per_key), k, k + more)
    assert len(counts) == k and counts.min() >= 1 and counts.sum() == k + more
    assert np.all(np.diff(counts) >= -1), "counts follow the ranks (rounding moves a row at most)"


@settings(max_examples=40, deadline=None)
@given(
    spread=spreads,
    total=st.integers(1, 3_000),
    k_share=st.floats(0.0, 1.0),
    missing=st.floats(0.0, 0.5),
    key=st.integers(0, 2**63),
    cut=st.floats(0.0, 1.0),
)
def test_streamed_members_get_exactly_their_counts_at_any_cut(
    spread: dict, total: int, k_share: float, missing: float, key: int, cut: float
) -> None:
    """The rows of the whole table, drawn in two blocks cut anywhere: the missing rows exact, every member there,
    each with exactly its rows of :func:`row_counts` (in the member order of a keyed permutation)."""
    present = total - round(total * missing)
    k = min(present, max(1, round(present * k_share))) if present else 0
    if k < 1:
        return
    ends = extra_rows_ends(tuple(spread["levels"]), tuple(spread["counts"]), 100, 2_000, k, present, key)
    first = int(total * cut)
    member = np.concatenate(
        [members(0, first, total, present, k, key, ends), members(first, total - first, total, present, k, key, ends)]
    )
    assert (member < 0).sum() == total - present
    got = np.bincount(member[member >= 0], minlength=k)
    assert got.min() >= 1 and got.sum() == present
    assert sorted(got.tolist()) == sorted(row_counts(spread, 100, 2_000, k, present).tolist())
    assert np.array_equal(got - 1, np.diff(ends, prepend=0))


def _saved(model: synth.Synthesizer, tmp_path: Path, spread: object, name: str) -> Path:
    """``model`` saved, then its repeated key's ``spread`` replaced (None: removed, as in a file before session 21)."""
    path = tmp_path / f"{name}.synth"
    model.save(path)
    manifest, arrays = model_files.read(path)
    plans = [p for p in model_files.dataclasses_named(manifest, "_Plan") if p["name"] == "customer_id"]
    pairs = plans[0]["detail"]["v"]  # a saved dict: {"$": "dict", "v": [[key, value], …]}
    assert len(plans) == 1 and [key for key, _ in pairs].count("spread") == 1
    pairs[:] = [pair for pair in pairs if pair[0] != "spread"]
    if spread is not None:
        pairs.append(["spread", Encoder().encode(spread)])
    return model_files.write(tmp_path / f"{name}-edited.synth", manifest, arrays)


def test_a_model_file_without_a_spread_samples_as_before(tmp_path: Path) -> None:
    """A file written before session 21 (no ``spread``) loads and draws its keys evenly, as it did: one row each and
    the rest at random, in one sample and streamed (the positions' members are those of the even layout)."""
    real = orders()
    model = _fit(real)
    old = synth.load_model(_saved(model, tmp_path, None, "old"))
    plan = _plan(old)
    assert "spread" not in plan.detail
    for out in (old.sample(len(real), seed=1), _streamed(old, len(real), 700)):
        got = out["customer_id"].value_counts()
        assert got.std() < 7 < 16 < real["customer_id"].value_counts().std(), "the even spread (Poisson-like)"
    fresh = _plan(model)  # the same model as fitted now: uneven
    assert model.sample(len(real), seed=1)["customer_id"].value_counts().std() > 14
    assert fresh.detail["distinct"] == plan.detail["distinct"] and fresh.detail["rows"] == plan.detail["rows"]


@pytest.mark.parametrize(
    "spread",
    [
        {"levels": [0.5, 0.25], "counts": [3.0, 5.0]},
        {"levels": [0.25, 1.5], "counts": [3.0, 5.0]},
        {"levels": [0.25, 0.5], "counts": [5.0, 3.0]},
        {"levels": [0.25, 0.5], "counts": [0.0, 3.0]},
        {"levels": [0.5], "counts": [3.0]},
        {"levels": "many", "counts": [3.0]},
        [1, 2, 3],
    ],
    ids=["levels-down", "level-over-1", "counts-down", "count-0", "one-level", "text", "list"],
)
def test_an_altered_spread_is_refused_when_the_file_loads(tmp_path: Path, spread: object) -> None:
    path = _saved(_fit(orders()), tmp_path, spread, "bad")
    with pytest.raises(ModelFileError, match="rows-per-key spread"):
        synth.load_model(path)
