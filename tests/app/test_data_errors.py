"""AppTest: bad uploads get a clear message, and the loaded table stays loaded."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from tests.app.helpers import fit, start, upload

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("empty.csv", b"", "is empty"),
        ("picture.csv", PNG + bytes(range(256)) * 4, "not a text table"),
        ("header_only.csv", b"a,b,c\n", "no rows"),
        ("all_missing.csv", b"a,b,c\n,,\n,,\n,,\n", "every value is missing"),
        # A header and one or two rows read, but the default split stopped the page with a ValueError.
        ("one_row.csv", b"a,b,c\n1,x,2.5\n", "too small to split 20% off"),
        ("two_rows.json", b'[{"a": 1, "b": "x"}, {"a": 2, "b": "y"}]', "at least 3 rows"),
    ],
)
def test_bad_upload_shows_message_and_keeps_table(name: str, data: bytes, expected: str) -> None:
    at = fit(start())
    before = at.session_state["dataset"]
    upload(at, name, data)
    errors = [e.value for e in at.error]
    assert any(expected in e and name in e for e in errors), errors
    assert any("still in use" in e for e in errors)
    assert at.session_state["dataset"] is before
    assert at.session_state["fitted"] is not None, "a failed upload must not discard the fitted model"


def test_file_over_the_upload_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SYNTH_MAX_UPLOAD_MB", "0.001")
    at = start()
    before = at.session_state["dataset"]
    upload(at, "big.csv", b"a,b\n" + b"1,2\n" * 2000)
    assert any("over the upload limit" in e.value and "big.csv" in e.value for e in at.error)
    assert at.session_state["dataset"] is before


def test_good_upload_after_a_bad_one_loads() -> None:
    at = start()
    upload(at, "empty.csv", b"")
    assert at.error
    frame = pd.DataFrame({"x": range(200), "y": [i % 3 for i in range(200)], "z": ["a", "b"] * 100})
    buf = io.BytesIO()
    frame.to_parquet(buf)
    upload(at, "good.parquet", buf.getvalue(), "application/octet-stream")
    assert not at.error
    ds = at.session_state["dataset"]
    assert ds.name == "good.parquet" and ds.df.shape == (200, 3)
    assert at.session_state["fitted"] is None
