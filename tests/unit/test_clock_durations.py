"""Durations written on a clock face ("00:04:31") are numbers of seconds, written back in their layout.

Session 40's walk uploaded a call centre's calls with each call's duration as ``hh:mm:ss``: the column read as IP
addresses (the IPv6 shape: hex groups and colons) and came back as ``198.51.100.213``; read as text, it would have been
a category of 766 values, rare ones pooled as "(other)". Now it is a whole number of seconds, modelled as one.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import ColumnKind, NumberFormat, NumberFormatError, Schema
from synth.schema.number_text import detect_number_format, format_numbers, parse_numbers

PADDED = NumberFormat(decimals=0, clock="hh:mm:ss")
BARE = NumberFormat(decimals=0, clock="h:mm:ss")


def _written(seconds: np.ndarray, padded: bool = True) -> list[str]:
    width = 2 if padded else 1
    return [f"{s // 3600:0{width}d}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in seconds.tolist()]


def calls(n: int = 2_000, seed: int = 0) -> pd.DataFrame:
    """Calls whose duration grows with the queue (tech calls run long) and a few that last over an hour."""
    rng = np.random.default_rng(seed)
    queue = rng.choice(["billing", "tech", "sales"], n, p=[0.5, 0.3, 0.2])
    scale = np.where(queue == "tech", 420.0, 150.0)
    seconds = (rng.gamma(2.0, 1.0, n) * scale).astype(np.int64) + 15
    return pd.DataFrame({"queue": queue, "duration": _written(seconds), "resolved": rng.choice(["Yes", "No"], n)})


@settings(max_examples=60, deadline=None)
@given(seconds=st.lists(st.integers(-5 * 3600, 400 * 3600), min_size=1, max_size=40), padded=st.booleans())
def test_any_duration_is_written_and_read_back_to_the_second(seconds: list[int], padded: bool) -> None:
    fmt = PADDED if padded else BARE
    values = pd.Series(np.array(seconds, dtype=float) + 0.4)  # drawn values are rounded to the second
    text = format_numbers(values, fmt)
    assert text.str.fullmatch(r"-?\d+:[0-5]\d:[0-5]\d").all()
    if padded:
        assert text.str.fullmatch(r"-?\d{2,}:\d\d:\d\d").all()
    assert (parse_numbers(text, fmt) == np.round(values)).all()


def test_the_layout_is_found_with_its_padding_and_said_in_words() -> None:
    seconds = np.arange(30, 30 + 300 * 37, 37)
    found = detect_number_format(pd.Series(_written(seconds)))
    assert found == (PADDED, 1.0)
    found = detect_number_format(pd.Series(_written(seconds, padded=False)))
    assert found is not None and not isinstance(found, str) and found[0] == BARE
    spec = synth.infer_schema(calls())["duration"]
    assert spec.kind is ColumnKind.DISCRETE and spec.number_format == PADDED, spec
    assert "written like 01:11:11" in spec.reason and "read as seconds" in spec.reason


def test_times_of_day_without_seconds_and_dates_are_not_durations() -> None:
    assert detect_number_format(pd.Series(["14:35", "09:00", "17:45"] * 20)) is None
    assert synth.infer_schema(pd.DataFrame({"t": ["2024-03-01 09:15:22"] * 50}))["t"].kind is not ColumnKind.DISCRETE


@pytest.mark.parametrize("name", ["pruned_cart", "gaussian_copula", "independent"])
def test_synthetic_durations_come_back_in_the_real_layout_and_keep_their_link(name: str) -> None:
    real = calls()
    model = synth.create(name, random_state=0).fit(real)
    out = model.sample(3_000, seed=1)
    assert out["duration"].str.fullmatch(r"\d{2,}:[0-5]\d:[0-5]\d").all(), out["duration"].head().tolist()
    spent = parse_numbers(out["duration"], PADDED)
    held = parse_numbers(real["duration"], PADDED)
    assert spent.min() >= held.min() - 60 and spent.max() <= held.max() * 1.1
    if name != "independent":  # tech calls still run longer
        by_queue = spent.groupby(out["queue"]).median()
        assert by_queue["tech"] > 1.8 * by_queue["billing"], by_queue


@pytest.mark.parametrize(
    "crafted",
    [
        {"clock": "%H:%M:%S"},
        {"clock": "hh:mm:ss", "prefix": "$"},
        {"clock": "hh:mm:ss", "decimals": 2},
        {"clock": "hh:mm:ss", "thousands": ","},
        {"clock": 1},
    ],
)
def test_a_crafted_clock_in_a_schema_file_is_refused(crafted: dict[str, object]) -> None:
    document = {"columns": [{"name": "x", "kind": "discrete", "number_format": crafted}]}
    with pytest.raises(NumberFormatError, match="clock"):
        Schema.from_json(json.dumps(document))


def test_a_schema_and_a_model_file_keep_the_clock(tmp_path: object) -> None:
    from pathlib import Path

    schema = synth.infer_schema(calls(400))
    assert Schema.from_json(schema.to_json())["duration"].number_format == PADDED
    model = synth.create("pruned_cart", random_state=0).fit(calls(400), schema)
    path = Path(str(tmp_path)) / "calls.synth"
    model.save(path)
    again = synth.load_model(path).sample(50, seed=2)
    assert again["duration"].str.fullmatch(r"\d{2}:[0-5]\d:[0-5]\d").all()


def test_charts_say_the_durations_are_in_seconds() -> None:
    from synth.plots.fidelity import unit_title

    assert unit_title("duration", PADDED) == "duration (seconds)"
    assert unit_title("price", NumberFormat("$", "", ",", ".", 2)) == "price ($)"
