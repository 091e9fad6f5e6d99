"""A race measures peak memory without tracemalloc: starting or stopping it swaps the process's raw allocator
under other threads' allocations, which crashed the process beside a privacy check (CPython gh-128679)."""

from __future__ import annotations

import sys
import tracemalloc

import numpy as np
import pandas as pd
import pytest

import synth
from synth.report import Contender
from synth.report.memory import peak_memory
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
def test_peak_memory_sees_an_array_made_inside_the_block() -> None:
    with peak_memory() as peak:
        big = np.ones(10_000_000)  # 80 MB, every page written
    assert big.sum() == 10_000_000
    assert peak.mb is not None and peak.mb >= 60
