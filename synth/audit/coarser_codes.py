"""Coarser codes: a code column whose values are mostly too rare to learn, cut to a prefix most rows share.

A synthesizer learns every category held by fewer than ``min_category_rows`` training rows (5 by default) as
one bucket, ``"(other)"`` (:mod:`synth.synthesizers.rare_categories`): a postcode of a few thousand values over a
few thousand rows then comes out almost entirely ``"(other)"``, and the column is lost. A code's leading
characters usually name a larger area or group (a postcode's district, an account's branch, a product's family),
so keeping only them keeps what a synthesizer can learn without copying anyone's rare value.

:func:`coarser_codes` finds, for each such column, the longest prefix at which at most :data:`TARGET_SHARE` of
the rows hold a prefix shared by fewer than ``k`` rows; :func:`keep_prefix` cuts a column to it. Only code-like
columns are offered (short runs of letters, digits, spaces and hyphens): a free-typed name cut to its first
letters means nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers.rare_categories import DEFAULT_MIN_ROWS, WARN_SHARE

#: A prefix length is offered when at most this share of rows still hold a rare prefix.
TARGET_SHARE = 0.05
#: Longest value still read as a code.
MAX_CODE_LENGTH = 16
#: Share of values that must look like a code, judged on a seeded sample of this many values.
CODE_SHARE = 0.95
CODE_SAMPLE = 5_000
_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]*$")


@dataclass(frozen=True)
class CoarserCode:
    """An offer to cut one code column to its first ``length`` characters.

    Attributes:
        column: the column.
        length: characters kept.
        rare_share / rare_share_after: share of the non-missing rows whose value (prefix) fewer than ``k`` rows
            hold, before and after.
        n_values / n_values_after: distinct values before and after.
        k: the rare-category threshold used (a synthesizer's ``min_category_rows``).
    """

    column: str
    length: int
    rare_share: float
    rare_share_after: float
    n_values: int
    n_values_after: int
    k: int


def _rare_share(values: pd.Series, k: int) -> tuple[float, int]:
    counts = values.value_counts()
    return float(counts[counts < k].sum() / max(int(counts.sum()), 1)), len(counts)


def _is_code(values: pd.Series) -> bool:
    lengths = values.str.len()
    if not len(values) or int(lengths.max()) > MAX_CODE_LENGTH or int(lengths.min()) < 2:
        return False
    # A seeded sample is enough to tell codes from text, and keeps a million-row column to a few milliseconds.
    sample = values.sample(min(len(values), CODE_SAMPLE), random_state=0)
    return float(sample.str.fullmatch(_CODE.pattern).mean()) >= CODE_SHARE


def coarser_code(series: pd.Series, k: int = DEFAULT_MIN_ROWS) -> CoarserCode | None:
    """The offer for one column, or None when its rare values hold under :data:`WARN_SHARE` of its rows, it does
    not look like a code, or no prefix of two or more values leaves at most :data:`TARGET_SHARE` rare."""
    values = series.dropna().astype(str)
    if k <= 1 or not len(values):
        return None
    before, n_before = _rare_share(values, k)
    if before < WARN_SHARE or not _is_code(values):
        return None
    # A shorter prefix merges groups, so the rare share only falls as characters are dropped: the longest prefix
    # within TARGET_SHARE is found by bisection (4 cuts for a 16-character code instead of 15).
    low, high = 0, int(values.str.len().max()) - 1  # share(low) ≤ target (no characters: one group); search above
    found: tuple[float, int] | None = None
    while low < high:
        mid = (low + high + 1) // 2
        after, n_after = _rare_share(values.str[:mid], k)
        if after <= TARGET_SHARE:
            low, found = mid, (after, n_after)
        else:
            high = mid - 1
    if found is None or found[1] < 2:
        return None
    name = series.name if isinstance(series.name, str) else str(series.name)
    return CoarserCode(name, low, before, found[0], n_before, found[1], k)


def coarser_codes(df: pd.DataFrame, schema: Schema, k: int = DEFAULT_MIN_ROWS) -> tuple[CoarserCode, ...]:
    """Offers for every categorical column of ``schema`` in ``df`` (see :func:`coarser_code`), in schema order."""
    out = []
    for spec in schema:
        if spec.kind is ColumnKind.CATEGORICAL and spec.name in df.columns:
            offer = coarser_code(df[spec.name].rename(spec.name), k)
            if offer is not None:
                out.append(offer)
    return tuple(out)


def keep_prefix(series: pd.Series, length: int) -> pd.Series:
    """``series`` with every value cut to its first ``length`` characters (missing values stay missing)."""
    if length < 1:
        raise ValueError(f"keep at least one character, got {length}")
    text = series.astype(object)
    present = text.notna()
    out = text.copy()
    out[present] = text[present].astype(str).str[:length]
    return out


def apply_offer(df: pd.DataFrame, schema: Schema, offer: CoarserCode) -> tuple[pd.DataFrame, Schema]:
    """``df`` with ``offer.column`` cut to its prefix, and ``schema`` with that column's reason saying so (its kind
    and attacker flags are kept: the column is the same code, coarser). The input is never changed."""
    out = df.copy()
    out[offer.column] = keep_prefix(df[offer.column], offer.length)
    note = f"cut to its first {offer.length} characters ({offer.n_values_after:,} distinct values)"
    columns = tuple(
        replace(s, reason=f"{s.reason}; {note}" if s.reason else note) if s.name == offer.column else s for s in schema
    )
    return out, Schema(columns)
