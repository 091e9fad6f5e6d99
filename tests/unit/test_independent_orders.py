"""The independent baseline keeps every order between two timestamps by drawing offending rows again, and its
description says what that costs: the ordered columns' distributions are pulled apart (measured here, so the words
cannot drift from the behaviour)."""

from __future__ import annotations

import pandas as pd

import synth
from benchmarks.bench_rounded_durations import claims


def test_orders_are_kept_and_the_starts_move_earlier_as_the_description_says() -> None:
    real = claims(3_000)
    model = synth.create("independent", random_state=0).fit(real)
    assert "drawn again, which pulls those columns' distributions apart" in model.description
    syn = model.sample(3_000, seed=1)
    for start, end in (("admitted", "discharged"), ("call_start", "call_end"), ("shift_start", "shift_end")):
        s, e = pd.to_datetime(syn[start]), pd.to_datetime(syn[end])
        assert (e >= s).all(), (start, end)
        moved = pd.to_datetime(real[start]).median() - s.median()
        assert pd.Timedelta(days=90) < moved < pd.Timedelta(days=200), (start, moved)  # about five months earlier
