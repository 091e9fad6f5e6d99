"""Trees grown side by side (synth.synthesizers.fit_threads): the same model whatever the number of threads, results
in step order, a cancel that does not wait for the trees not started, and a thread count bounded by memory."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.fit_threads import MEMORY_BUDGET, fit_threads, run_all


def _messy(n: int, seed: int) -> pd.DataFrame:
    """Every kind of step CART grows: categories, numbers with missing values, a number with few values, two
    dates in order (an anchored step), a total of two counts (a rule), two correlated numbers (residual splits)."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    a = rng.normal(50, 10, n)
    income = np.where(rng.random(n) < 0.1, np.nan, (a * 900 + rng.normal(0, 3000, n)).round(0))
    casual = rng.poisson(5, n)
    registered = rng.poisson(30, n)
    return pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east", "west"], n, p=[0.4, 0.3, 0.2, 0.1]),
            "age": a.round(0),
            "income": income,
            "children": rng.integers(0, 4, n),
            "start": start,
            "end": start + pd.to_timedelta(rng.integers(1, 90, n), unit="D"),
            "casual": casual,
            "registered": registered,
            "total": casual + registered,
            "churned": rng.choice(["no", "yes"], n, p=[0.85, 0.15]),
        }
    )


def _file_bytes(model: synth.Synthesizer, path: Path) -> dict[str, bytes]:
    model.save(path)
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in sorted(z.namelist())}


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_the_model_is_the_same_whatever_the_number_of_threads(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _messy(3000, 0)
    files, samples = [], []
    for threads in ("1", "3"):
        monkeypatch.setenv("SYNTH_FIT_THREADS", threads)
        model = synth.create(name, random_state=5).fit(table)
        files.append(_file_bytes(model, tmp_path / f"{threads}.synth"))
        samples.append(model.sample(2000, seed=1))
    assert files[0] == files[1]
    pd.testing.assert_frame_equal(samples[0], samples[1])


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(seed=st.integers(0, 2**16), n=st.integers(200, 2500), name=st.sampled_from(["cart", "pruned_cart"]))
def test_any_table_gives_the_same_rows_at_one_and_at_four_threads(
    seed: int, n: int, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _messy(n, seed)
    rows = []
    for threads in ("1", "4"):
        monkeypatch.setenv("SYNTH_FIT_THREADS", threads)
        rows.append(synth.create(name, random_state=seed).fit(table).sample(500, seed=seed + 1))
    pd.testing.assert_frame_equal(rows[0], rows[1])


def test_results_come_back_in_step_order_when_later_trees_finish_first() -> None:
    finished: list[int] = []

    def task(k: int) -> int:
        time.sleep(0.05 * (4 - k))  # the first task finishes last
        finished.append(k)
        return k * 10

    calls: list[float] = []
    out = run_all([(f"t{k}", lambda k=k: task(k)) for k in range(5)], 3, lambda f, m: calls.append(f), 0.2, 0.5)
    assert out == [0, 10, 20, 30, 40]
    assert finished != sorted(finished)  # they did finish out of order
    assert calls[0] == pytest.approx(0.2) and calls[-1] == pytest.approx(0.7) and calls == sorted(calls)


def test_a_tree_that_fails_fails_the_fit() -> None:
    def broken() -> int:
        raise ValueError("no tree")

    with pytest.raises(ValueError, match="no tree"):
        run_all([("a", lambda: 1), ("b", broken), ("c", lambda: 3)], 2, lambda f, m: None)


def test_a_cancel_drops_the_trees_not_started_and_returns_at_once() -> None:
    started: list[int] = []

    def task(k: int) -> int:
        started.append(k)
        time.sleep(0.2)
        return k

    def progress(fraction: float, message: str) -> None:
        if fraction > 0:  # the first report (0) passes; the first finished tree's report cancels
            raise synth.Cancelled

    tasks = [(f"t{k}", lambda k=k: task(k)) for k in range(20)]  # 2 s of trees two at a time
    t0 = time.perf_counter()
    with pytest.raises(synth.Cancelled):
        run_all(tasks, 2, progress)
    assert time.perf_counter() - t0 < 1.0
    time.sleep(0.5)
    assert len(started) <= 6  # the queued trees were never grown


def test_threads_follow_the_setting_and_shrink_for_large_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_FIT_THREADS", "3")
    assert fit_threads(10_000, 20) == 3
    rows = MEMORY_BUDGET // (4 * 100)  # one tree's copy of a 100-slot matrix fills the budget
    assert fit_threads(rows, 100) == 1
    assert fit_threads(rows // 2, 100) == 2
    monkeypatch.setenv("SYNTH_FIT_THREADS", "1")
    assert fit_threads(100, 5) == 1
    monkeypatch.setenv("SYNTH_FIT_THREADS", "many")  # not a number: the default
    assert 1 <= fit_threads(100, 5) <= 4
    monkeypatch.setenv("SYNTH_FIT_THREADS", "0")
    assert fit_threads(100, 5) == 1
    monkeypatch.setenv("SYNTH_FIT_THREADS", "100000")  # bounded by the machine, not the setting
    assert fit_threads(100, 5) <= 4 * (os.cpu_count() or 1)
