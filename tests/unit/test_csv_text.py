"""The dashboard's CSV download writes whole numbers as whole numbers ("3", not "3.0"), as the command line's Arrow
writer does, and reads back to the same table (:mod:`synth.sampling.csv_text`)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.sampling.csv_text import table_csv


def _column(text: str, name: str) -> list[str]:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)[name].tolist()


@settings(max_examples=200, deadline=None)
@given(
    whole=st.lists(st.one_of(st.none(), st.integers(-(2**50), 2**50)), min_size=1, max_size=30),
    fractions=st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30),
)
def test_whole_numbers_with_missing_values_are_written_whole_and_read_back_equal(
    whole: list[int | None], fractions: list[float]
) -> None:
    n = min(len(whole), len(fractions))
    df = pd.DataFrame(
        {
            "count": pd.Series([np.nan if v is None else float(v) for v in whole[:n]], dtype="float64"),
            "price": fractions[:n],
            "label": ["a"] * n,
        }
    )
    schema = synth.infer_schema(df).with_column("count", kind=synth.ColumnKind.DISCRETE)
    text = table_csv(df, schema).decode("utf-8")
    written = _column(text, "count")
    assert [w == "" for w in written] == df["count"].isna().tolist()
    assert all("." not in w and "e" not in w for w in written), written
    back = pd.read_csv(io.StringIO(text), float_precision="round_trip")
    assert np.allclose(back["count"].to_numpy(dtype=float), df["count"].to_numpy(), equal_nan=True, rtol=0, atol=0)
    assert np.array_equal(back["price"].to_numpy(dtype=float), df["price"].to_numpy())


def test_the_shops_quantities_download_as_the_real_file_wrote_them() -> None:
    """The session-28 walk: quantities "1", "3", "n/a" came back "1.0", "3.0" in the download."""
    real = pd.DataFrame({"quantity": ["1", "3", "n/a", "2", "—"] * 40, "shop": ["a", "b"] * 100})
    path = io.BytesIO(real.to_csv(index=False).encode())
    table = synth.read_table(path, name="shop.csv")
    schema = synth.infer_schema(table)
    assert schema["quantity"].kind is synth.ColumnKind.DISCRETE and table["quantity"].dtype == np.float64
    syn = synth.create("independent", random_state=0).fit(table, schema).sample(200, seed=1)
    written = set(_column(table_csv(syn, schema).decode(), "quantity"))
    assert written <= {"1", "2", "3", ""} and {"1", "3"} <= written, written
    assert ".0" in syn.to_csv(index=False), "what pandas alone writes (so the test above could fail)"


def test_without_a_schema_only_columns_of_whole_numbers_change() -> None:
    df = pd.DataFrame({"a": [1.0, np.nan, 2.0], "b": [1.0, 2.5, np.nan], "c": [3e300, 1.0, 2.0]})
    text = table_csv(df).decode()
    assert _column(text, "a") == ["1", "", "2"]
    assert _column(text, "b") == ["1.0", "2.5", ""]
    assert _column(text, "c")[1] == "1.0", "a float beyond 2**53 keeps the column as floats"
