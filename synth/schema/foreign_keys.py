"""Columns that hold another key column's values (``manager_id`` → ``employee_id``): keys, not categories.

A numeric ``manager_id`` with a few missing values reads as whole numbers (discrete), and a text one with a few
hundred managers as a category: learned as it is, the synthetic table would repeat real employees' ids. Such a
column is a key pointing at rows of the same table; it is generated like every key (never a real value) and keeps
pointing at the synthetic rows (:mod:`synth.generated_references`).
"""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from synth.schema.kinds import ColumnKind, ColumnSpec

#: A column whose present values are at least this share values of a unique key column is a key pointing at it.
MIN_POINTING_SHARE = 0.5
#: Without a key-like name (numbers only count with one), a text column must hold this many distinct values.
MIN_DISTINCT = 20

_KEY_LIKE = re.compile(r"(^id$|_id$|^id_|Id$|ID$|_key$|_no$|_number$|_ref$|^ref_)")
_CANDIDATES = (ColumnKind.CATEGORICAL, ColumnKind.DISCRETE, ColumnKind.CONTINUOUS)


def with_pointing_keys(df: pd.DataFrame, specs: list[ColumnSpec]) -> list[ColumnSpec]:
    """``specs`` with each column that points at a unique key column of ``df`` made an identifier, saying why."""
    keys = [
        s.name
        for s in specs
        if s.kind is ColumnKind.IDENTIFIER and df[s.name].notna().any() and df[s.name].dropna().is_unique
    ]
    if not keys:
        return specs
    out = []
    for spec in specs:
        found = _pointed_at(df, spec, keys) if spec.kind in _CANDIDATES else None
        if found is None:
            out.append(spec)
            continue
        key, share = found
        reason = (
            f"{share:.0%} of its values are values of the key {key!r}: it points at rows of this table, so it is "
            "regenerated like a key (pointing at the synthetic rows), never learned as values"
        )
        out.append(replace(spec, kind=ColumnKind.IDENTIFIER, reason=reason, decimals=None, number_format=None))
    return out


def _pointed_at(df: pd.DataFrame, spec: ColumnSpec, keys: list[str]) -> tuple[str, float] | None:
    present = df[spec.name].dropna()
    if present.empty or pd.api.types.is_bool_dtype(present.dtype):
        return None
    numeric = pd.api.types.is_numeric_dtype(present.dtype)
    if numeric and not _KEY_LIKE.search(spec.name):
        return None  # ages, counts and years fall inside a run of numeric keys by chance
    if not numeric and not _KEY_LIKE.search(spec.name) and present.nunique() < MIN_DISTINCT:
        return None
    return pointed_key(df, spec.name, [k for k in keys if k != spec.name])


def comparable(values: pd.Series) -> pd.Series | None:
    """Values as floats (numeric keys) or strings (text keys), so 1001 and 1001.0 (a key with missing) agree; None
    for yes/no values."""
    if pd.api.types.is_bool_dtype(values.dtype):
        return None
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype(float)
    return values.astype(str)


def pointed_key(df: pd.DataFrame, name: str, keys: list[str]) -> tuple[str, float] | None:
    """The column of ``keys`` holding the largest share of ``name``'s present values, with that share, when it is
    at least :data:`MIN_POINTING_SHARE` (schema inference and :mod:`synth.generated_references` both ask)."""
    mine = comparable(df[name].dropna())
    if mine is None or mine.empty:
        return None
    best: tuple[str, float] | None = None
    for key in keys:
        target = comparable(df[key].dropna())
        if target is None or pd.api.types.is_numeric_dtype(target.dtype) != pd.api.types.is_numeric_dtype(mine.dtype):
            continue
        share = float(mine.isin(set(target)).mean())
        if share >= MIN_POINTING_SHARE and (best is None or share > best[1]):
            best = (key, share)
    return best
