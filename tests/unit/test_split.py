from __future__ import annotations

import re
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth import SplitError, split


@settings(max_examples=60, deadline=None)
@given(n=st.integers(min_value=2, max_value=500), share=st.floats(0.05, 0.95), seed=st.integers(0, 2**32 - 1))
def test_split_partitions_every_row_once(n: int, share: float, seed: int) -> None:
    df = pd.DataFrame({"id": range(n)})
    n_hold = round(n * share)
    if n_hold < 1 or n - n_hold < 1:
        with pytest.raises(SplitError, match="too small") as refused:
            split(df, share, seed)
        # The message names the fewest rows that split at this share: that many do, one fewer does not.
        least = int(re.search(r"at least ([\d,]+) rows", str(refused.value)).group(1).replace(",", ""))  # type: ignore[union-attr]
        train, holdout = split(pd.DataFrame({"id": range(least)}), share, seed)
        assert len(train) >= 1 and len(holdout) >= 1
        with pytest.raises(SplitError):
            split(pd.DataFrame({"id": range(least - 1)}), share, seed)
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


@pytest.mark.parametrize("share", [0.0, 1.0, -0.1, 1.5, float("nan"), "0.2", True, None])
def test_split_rejects_impossible_shares(share: Any) -> None:
    """A notebook's misuse gets the project's error saying what a share is (a text '0.2' was NumPy's TypeError)."""
    with pytest.raises(SplitError, match="holdout must be a share strictly between 0 and 1"):
        split(pd.DataFrame({"x": range(10)}), share)


@pytest.mark.parametrize("seed", ["a", -1, 1.5, None])
def test_split_rejects_a_seed_that_is_no_whole_number(seed: Any) -> None:
    with pytest.raises(SplitError, match="seed must be a whole number"):
        split(pd.DataFrame({"x": range(10)}), 0.2, seed)
