"""The large-race benchmark splits each run's time by the progress messages the Race page shows."""

from __future__ import annotations

import itertools

import pytest

from benchmarks import bench_race_large
from benchmarks.bench_race_large import PartClock


def test_each_message_starts_the_part_it_names_and_the_time_goes_to_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = itertools.count(0.0, 1.0)  # one second between messages
    monkeypatch.setattr(bench_race_large.time, "perf_counter", lambda: next(ticks))
    clock = PartClock()
    for message in (
        "Copula: preparing columns",  # 1 s of fit
        "Copula: fitted",  # 1 s of fit
        "Copula: sampling 10 rows",  # 1 s of sample
        "Copula: scoring privacy",  # 3 s of privacy: its own steps' messages stay in the part
        "Copula: counting exact copies of training rows",
        "Copula: distance from 10 synthetic rows to 10 training rows",
        "Copula: scoring attacks",  # 1 s
        "CART: preparing columns",  # 1 s of the next run's fit
        "race finished",
    ):
        clock(0.0, message)
    assert clock.seconds == {
        "Copula": {"fit": 2.0, "sample": 1.0, "privacy": 3.0, "attacks": 1.0},
        "CART": {"fit": 1.0},
    }
