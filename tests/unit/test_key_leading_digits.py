"""Generated text keys start their numbers as the real keys do: ORD-176864, never ORD-076864, where no real key's
number starts with 0 (a ``\\N`` slot of :func:`synth.generated_formats._template`), sampled or streamed, in the real
width, above the real keys or one digit wider; where real numbers do start with 0 (E-000123), generated ones may."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.generated import GeneratedColumns, streamed_keys_at
from synth.generated_formats import _template
from synth.schema import ColumnKind, ColumnSpec, Schema

SCHEMA = Schema((ColumnSpec("key", ColumnKind.IDENTIFIER),))


def _keys(prefix: str, width: int, n: int, seed: int, low: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    numbers = rng.choice(np.arange(low, 10**width), n, replace=False)
    return pd.DataFrame({"key": [f"{prefix}{v:0{width}d}" for v in numbers]})


def _numbers(keys: pd.Series, prefix: str) -> pd.Series:
    return keys.str.slice(len(prefix))


@settings(max_examples=12, deadline=None)
@given(
    prefix=st.sampled_from(["ORD-", "C", "INV/", "", "AB-"]),
    width=st.integers(3, 6),
    seed=st.integers(0, 2**16),
    times=st.sampled_from([1, 3, 30]),
)
def test_no_generated_number_starts_with_0_when_no_real_one_does(
    prefix: str, width: int, seed: int, times: int
) -> None:
    n = min(300, 10**width // 4)
    real = _keys(prefix, width, n, seed, low=10 ** (width - 1))  # ORD-100000 … ORD-999999
    fitted = GeneratedColumns.fit(real, SCHEMA)
    rows = times * n  # 1x in the real width, 3x and 30x above the real keys or a digit wider
    sampled = fitted.sample(rows, np.random.default_rng(seed))["key"]
    plan = fitted.in_lanes(rows).plans[0]
    streamed = pd.Series(streamed_keys_at(plan, np.arange(rows, dtype=np.uint64), rows, seed))
    for out in (sampled, streamed):
        assert out.is_unique and not set(out) & set(real["key"])
        assert out.str.startswith(prefix).all()
        assert not _numbers(out, prefix).str.startswith("0").any()


def test_numbers_that_start_with_0_in_the_real_keys_may_in_the_generated_ones() -> None:
    real = _keys("E-", 6, 2_000, 1, low=0)  # E-000123 … E-999999: a tenth start with 0
    out = GeneratedColumns.fit(real, SCHEMA).sample(6_000, np.random.default_rng(2))["key"]
    assert _numbers(out, "E-").str.startswith("0").mean() > 0.05


@pytest.mark.parametrize(
    ("values", "template"),
    [
        (["ORD-17", "ORD-23", "ORD-38", "ORD-41", "ORD-95"], "ORD-\\N9"),
        (["ORD-17", "ORD-03", "ORD-38", "ORD-41", "ORD-95"], "ORD-99"),
        (["7-17", "3-03", "8-38", "4-41", "9-95"], "\\N-99"),  # each number its own first digit
        (["y17", "y23", "y38", "y41", "y50"], "y\\N9"),  # only the first digit: a 0 inside a number is a digit
    ],
)
def test_only_a_numbers_first_digit_takes_the_real_digits(values: list[str], template: str) -> None:
    assert _template(values) == template
