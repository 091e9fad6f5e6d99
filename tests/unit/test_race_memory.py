"""A race measures peak memory without tracemalloc: starting or stopping it swaps the process's raw allocator
under other threads' allocations, which crashed the process beside a privacy check (CPython gh-128679)."""

from __future__ import annotations

import mmap
import sys
import time
import tracemalloc

import pandas as pd
import pytest

import synth
from synth.report import Contender
from synth.report.memory import INTERVAL_S, peak_memory
from synth.report.race import _fit_and_sample


def test_fit_and_sample_never_starts_or_stops_tracemalloc(
    monkeypatch: pytest.MonkeyPatch, split_small: tuple[pd.DataFrame, pd.DataFrame, synth.Schema]
) -> None:
    train, _, schema = split_small
    calls: list[str] = []
    monkeypatch.setattr(tracemalloc, "start", lambda *a: calls.append("start"))
    monkeypatch.setattr(tracemalloc, "stop", lambda: calls.append("stop"))
    _, syn, _, _, peak_mb = _fit_and_sample(Contender("independent"), train, schema, 200, 1, lambda f, m: None)
    assert calls == []
    assert len(syn) == 200
    if sys.platform.startswith("linux"):
        assert peak_mb is not None and peak_mb >= 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resident memory is read from /proc")
def test_peak_memory_sees_memory_made_and_freed_inside_the_block() -> None:
    # An anonymous mapping gets fresh pages from the kernel whatever state malloc's heap is in (an np.ones of the
    # same size can be served from free chunks that are already resident after a long test run, and then the
    # resident set does not grow). It is freed before the block ends, so only the sampling thread can see it.
    size = 80 * 2**20
    with peak_memory() as peak:
        block = mmap.mmap(-1, size)
        for offset in range(0, size, mmap.PAGESIZE):
            block[offset] = 1
        time.sleep(10 * INTERVAL_S)
        block.close()
    assert peak.mb is not None and peak.mb >= 60


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="resident memory is read from /proc")
def test_peak_memory_stays_small_for_a_block_that_takes_nothing() -> None:
    with peak_memory() as peak:
        time.sleep(3 * INTERVAL_S)
    assert peak.mb is not None and peak.mb < 60
