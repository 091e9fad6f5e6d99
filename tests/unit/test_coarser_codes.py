"""Coarser codes: the prefix offered for a code column a synthesizer would learn mostly as "(other)"."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.audit.coarser_codes import TARGET_SHARE, apply_offer, coarser_code, coarser_codes, keep_prefix
from synth.synthesizers.rare_categories import WARN_SHARE


def _postcodes(n: int, seed: int, values: int = 3_000) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series([f"{x:05d}" for x in rng.integers(0, values, n)], name="postcode")


def _rare_share(values: pd.Series, k: int) -> float:
    counts = values.dropna().value_counts()
    return float(counts[counts < k].sum() / counts.sum())


def test_the_offer_is_the_longest_prefix_that_leaves_few_rows_rare() -> None:
    codes = _postcodes(3_200, 0)
    offer = coarser_code(codes)
    assert offer is not None and offer.column == "postcode" and offer.length == 4
    assert offer.rare_share == pytest.approx(_rare_share(codes, 5)) and offer.rare_share > 0.9
    assert offer.rare_share_after == pytest.approx(_rare_share(codes.str[:4], 5))
    assert offer.rare_share_after <= TARGET_SHARE
    assert _rare_share(codes, 5) > TARGET_SHARE, "the full code is not already enough (the check can fail)"
    assert offer.n_values == codes.nunique() and offer.n_values_after == codes.str[:4].nunique()


def test_columns_that_are_no_codes_or_not_rare_are_not_offered() -> None:
    rng = np.random.default_rng(1)
    names = pd.Series(
        [f"{w} {v}" for w, v in zip(rng.choice(["Mrs", "Mr"], 2_000), rng.integers(0, 10**6, 2_000), strict=True)]
    )
    assert coarser_code(names.map(lambda s: s + ", long free text that is no code")) is None
    assert coarser_code(_postcodes(20_000, 2, values=50)) is None, "every value held by many rows: nothing to fix"
    assert coarser_code(_postcodes(3_200, 0), k=1) is None, "k = 1 hides nothing"


def test_the_audit_offers_it_and_applying_it_keeps_kinds_and_other_columns() -> None:
    df = pd.DataFrame({"postcode": _postcodes(3_200, 0), "plan": np.tile(["a", "b"], 1_600)})
    schema = synth.infer_schema(df)
    (offer,) = synth.audit(df, schema).coarser_codes
    cut, cut_schema = apply_offer(df, schema, offer)
    assert (cut["postcode"] == df["postcode"].str[:4]).all() and cut["plan"].equals(df["plan"])
    assert df["postcode"].str.len().eq(5).all(), "the input is never changed"
    assert (
        cut_schema["postcode"].kind == schema["postcode"].kind and "first 4 characters" in cut_schema["postcode"].reason
    )
    assert cut_schema["plan"] == schema["plan"]
    assert coarser_codes(cut, cut_schema) == ()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(alphabet="AB01 -", min_size=0, max_size=8)), min_size=1, max_size=60),
    st.integers(1, 6),
)
def test_keep_prefix_cuts_every_value_and_keeps_missing_ones(values: list[str | None], length: int) -> None:
    series = pd.Series(values, dtype=object)
    out = keep_prefix(series, length)
    assert out.isna().equals(series.isna())
    for before, after in zip(series[series.notna()], out[series.notna()], strict=True):
        assert after == before[:length]


def test_keep_prefix_refuses_to_keep_nothing() -> None:
    with pytest.raises(ValueError, match="at least one character"):
        keep_prefix(pd.Series(["a"]), 0)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**16),
    st.integers(30, 3_000),
    st.integers(2, 8),
    st.integers(2, 6),
)
def test_the_offer_is_the_longest_prefix_any_search_would_find(seed: int, n: int, width: int, k: int) -> None:
    """The bisection agrees with trying every length from the longest down (the rare share of a prefix never rises
    as characters are dropped)."""
    rng = np.random.default_rng(seed)
    codes = pd.Series([f"{x:0{width}d}" for x in rng.integers(0, 10**width, n)], name="code")
    offer = coarser_code(codes, k)
    expected = None
    if _rare_share(codes, k) >= WARN_SHARE:
        for length in range(width - 1, 0, -1):
            prefixes = codes.str[:length]
            if _rare_share(prefixes, k) <= TARGET_SHARE and prefixes.nunique() >= 2:
                expected = length
                break
    assert (offer.length if offer else None) == expected
