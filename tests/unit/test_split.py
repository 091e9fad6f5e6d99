from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth import split


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=2, max_value=500), share=st.floats(0.05, 0.95), seed=st.integers(0, 2**32 - 1))
def test_split_partitions_every_row_once(n: int, share: float, seed: int) -> None:
    df = pd.DataFrame({"id": range(n)})
    n_hold = round(n * share)
    if n_hold < 1 or n - n_hold < 1:
        with pytest.raises(ValueError, match="too small"):
            split(df, share, seed)
        return
    train, holdout = split(df, share, seed)
    assert len(holdout) == n_hold
    assert sorted([*train["id"], *holdout["id"]]) == list(range(n))
    assert list(train.index) == list(range(len(train)))


def test_split_is_seeded() -> None:
    df = pd.DataFrame({"id": range(1000)})
    a, b = split(df, 0.2, 3), split(df, 0.2, 3)
    c = split(df, 0.2, 4)
    pd.testing.assert_frame_equal(a[1], b[1])
    assert not a[1].equals(c[1])


@pytest.mark.parametrize("share", [0.0, 1.0, -0.1, 1.5])
def test_split_rejects_impossible_shares(share: float) -> None:
    with pytest.raises(ValueError, match="holdout"):
        split(pd.DataFrame({"x": range(10)}), share)
