"""Timestamps come back in the layout they were written in: a "Z" for UTC, and as many digits of a second.

Session 40's walk uploaded card transactions exported as JSON Lines, every time written as JavaScript's
``toISOString`` writes it (``2025-05-04T12:18:08.830Z``). The column was read by its ``%z`` layout, and every
synthetic time came back as ``2025-06-22T12:30:13.000000+0000``: another zone label, six digits where the real ones
have three, and all of them zero (the time of day was drawn to the second), which no real clock writes.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import detect_datetime_format
from synth.schema.conformance import parse_datetimes
from synth.schema.dates import describe_format, write_datetimes

SYNTHESIZERS = tuple(synth.available())
JS_ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def transactions(n: int, seed: int, *, layout: str = "js") -> pd.DataFrame:
    """Card payments over a year, more in the evening, each at a time to the millisecond (or the microsecond)."""
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2025-01-01") + pd.to_timedelta(rng.integers(0, 365, n), "D")
    ms = rng.integers(8 * 3_600_000, 23 * 3_600_000, n)
    when = pd.Series(day + pd.to_timedelta(ms, "ms"))
    if layout == "js":
        written = when.dt.strftime("%Y-%m-%dT%H:%M:%S.") + (when.dt.microsecond // 1000).astype(str).str.zfill(3) + "Z"
    else:  # Python's isoformat with microseconds and an offset
        when = when + pd.to_timedelta(rng.integers(0, 1000, n), "us")
        written = when.dt.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return pd.DataFrame(
        {
            "timestamp": written,
            "amount": np.round(rng.lognormal(3.0, 0.7, n), 2),
            "channel": rng.choice(["card", "online", "atm"], n),
        }
    )


def test_the_layout_is_read_with_its_z_and_its_milliseconds() -> None:
    text = transactions(500, 0)["timestamp"]
    fmt, share, _ = detect_datetime_format(text)  # type: ignore[misc]
    assert (fmt, share) == ("%Y-%m-%dT%H:%M:%S.%3fZ", 1.0)
    assert describe_format(fmt) == "YYYY-MM-DDThh:mm:ss.fffZ"
    parsed = parse_datetimes(text, fmt)
    assert parsed.notna().all()
    assert (write_datetimes(parsed, fmt) == text).all(), "written back, every real value reads as it was"
    # Six digits and an offset with a colon stay as they are.
    iso = transactions(200, 1, layout="python")["timestamp"]
    found = detect_datetime_format(iso)
    assert found is not None and found[0] == "%Y-%m-%dT%H:%M:%S.%f%:z"
    assert (write_datetimes(parse_datetimes(iso, found[0]).dt.tz_localize("UTC"), found[0]) == iso).all()


@settings(max_examples=40, deadline=None)
@given(
    digits=st.integers(1, 9),
    ns=st.lists(st.integers(0, 366 * 86_400 * 10**9), min_size=1, max_size=30),
    zulu=st.booleans(),
)
def test_any_digits_of_a_second_are_written_truncated_and_read_back(digits: int, ns: list[int], zulu: bool) -> None:
    fmt = f"%Y-%m-%dT%H:%M:%S.%{digits}f" + ("Z" if zulu else "")
    when = pd.Series(pd.to_datetime(np.array(ns, dtype=np.int64) + 1_700_000_000 * 10**9))
    text = write_datetimes(when, fmt)
    zone = "Z" if zulu else ""
    assert text.str.fullmatch(rf"\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{{digits}}}{zone}").all()
    back = parse_datetimes(text, fmt)
    unit = 10 ** (9 - digits)
    assert (back.astype("int64") == when.astype("int64") // unit * unit).all(), "a clock's digits: truncated"


def test_missing_times_stay_missing() -> None:
    when = pd.Series(pd.to_datetime(["2025-01-01 10:00:00.123", None, "2025-02-01 11:00:00.5"]))
    text = write_datetimes(when, "%Y-%m-%dT%H:%M:%S.%3fZ")
    assert text.iloc[0] == "2025-01-01T10:00:00.123Z" and text.iloc[1] is None and text.iloc[2].endswith(".500Z")


@pytest.mark.parametrize("name", SYNTHESIZERS)
def test_every_synthesizer_writes_the_real_layout_with_the_milliseconds_it_drew(name: str) -> None:
    real = transactions(600, 2)
    model = synth.create(name, random_state=0).fit(real)
    assert model.schema_["timestamp"].datetime_format == "%Y-%m-%dT%H:%M:%S.%3fZ"
    out = model.sample(800, seed=3)["timestamp"]
    assert out.str.fullmatch(JS_ISO).all(), out[~out.str.fullmatch(JS_ISO)].head().tolist()
    millis = out.str[20:23].astype(int)
    # Before: every one ".000". Drawn, the milliseconds spread over the second as a real clock's do.
    assert millis.nunique() > 200 and (millis == 0).mean() < 0.05, millis.value_counts().head()
    hours = parse_datetimes(out, model.schema_["timestamp"].datetime_format).dt.hour
    if model.guarantee is None:  # (a DP model blurs the hours within its noise)
        assert hours.between(8, 22).all(), hours.value_counts()
    assert not set(out) & set(real["timestamp"]), "no real payment's time to the millisecond"
