"""Columns coded once for every table of a fidelity comparison: bins and category codes, value ranks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.evaluation.features import labels
from synth.evaluation.fidelity.results import N_BINS, NUMERIC_KINDS
from synth.schema import ColumnKind, NumberFormat, Schema, parse_datetimes
from synth.schema.number_text import parse_numbers

# ----------------------------------------------------------------------------- coding


@dataclass(frozen=True)
class _Column:
    """One column coded for every table (index 0 is the real table): the same codes mean the same thing."""

    name: str
    kind: ColumnKind
    codes: tuple[np.ndarray, ...]  # frequency-table codes; numbers in N_BINS bins; missing = n_codes − 1
    n_codes: int
    missing: tuple[np.ndarray, ...]
    values: tuple[np.ndarray, ...] | None  # numbers (NaN = missing); None for categories
    positions: tuple[np.ndarray | None, ...]  # rows with a finite value (None: every row)
    ranks_index: tuple[np.ndarray, ...]  # index of each finite value in the sorted union of all tables
    n_values: int

    @property
    def numeric(self) -> bool:
        return self.values is not None

    def take(self, rows: Sequence[np.ndarray | None]) -> _Column:
        """The same column restricted to some rows of each table (None keeps a table whole)."""
        pick = [c if r is None else c[r] for c, r in zip(self.codes, rows, strict=True)]
        missing = [m if r is None else m[r] for m, r in zip(self.missing, rows, strict=True)]
        if self.values is None:
            return _Column(self.name, self.kind, tuple(pick), self.n_codes, tuple(missing), None, (), (), 0)
        values = [v if r is None else v[r] for v, r in zip(self.values, rows, strict=True)]
        positions, index, n_values = _value_index(values)
        return _Column(
            self.name, self.kind, tuple(pick), self.n_codes, tuple(missing), tuple(values), positions, index, n_values
        )


def _as_float(
    series: pd.Series, kind: ColumnKind, datetime_format: str | None = None, number_format: NumberFormat | None = None
) -> np.ndarray:
    """Numbers as floats, datetimes as nanoseconds (parsed as :func:`synth.schema.coerce_to_schema` does: text in
    the schema's date format, where pandas' mixed guess read "05.06.2016" month first beside "23.12.2010")."""
    if kind is ColumnKind.DATETIME:
        if pd.api.types.is_datetime64_any_dtype(series):
            dt = series
        elif datetime_format is not None:
            dt = parse_datetimes(series, datetime_format)
        elif pd.api.types.is_numeric_dtype(series):
            dt = pd.to_datetime(series, errors="coerce", unit="s")
        else:
            dt = pd.to_datetime(series, errors="coerce", format="mixed")
        out = dt.astype("int64").to_numpy().astype(float)
        out[dt.isna().to_numpy()] = np.nan
        return out
    if number_format is not None and not pd.api.types.is_numeric_dtype(series.dtype):
        return parse_numbers(series, number_format).to_numpy(dtype=float)  # "$1,234.50" in its layout
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)


def _value_index(
    values: Sequence[np.ndarray],
) -> tuple[tuple[np.ndarray | None, ...], tuple[np.ndarray, ...], int]:
    finite = [np.isfinite(v) for v in values]
    positions = tuple(None if f.all() else np.flatnonzero(f) for f in finite)
    kept = [v if p is None else v[p] for v, p in zip(values, positions, strict=True)]
    if not any(len(k) for k in kept):
        return positions, tuple(np.zeros(0, dtype=np.intp) for _ in kept), 0
    both = np.concatenate(kept)
    uniques = np.sort(pd.unique(both))  # hashing first: fast when there are few distinct values
    inverse = np.searchsorted(uniques, both)
    splits = np.cumsum([len(k) for k in kept])[:-1]
    return positions, tuple(np.split(inverse.astype(np.intp), splits)), len(uniques)


def _category_codes(series: Sequence[pd.Series]) -> tuple[list[np.ndarray], int]:
    """Shared integer codes over several tables; missing values get the last code."""
    dtypes = {str(s.dtype) for s in series}
    # Mixed storage (say integer codes in one table, strings or floats in another) is compared as text.
    parts = [labels(s) if len(dtypes) > 1 else s for s in series]
    both = pd.concat(parts, ignore_index=True)
    codes, uniques = pd.factorize(both, sort=False, use_na_sentinel=True)
    n = len(uniques)
    codes = np.where(codes < 0, n, codes).astype(np.intp)
    splits = np.cumsum([len(s) for s in series])[:-1]
    return list(np.split(codes, splits)), n + 1


def _code_column(
    series: Sequence[pd.Series],
    kind: ColumnKind,
    datetime_format: str | None = None,
    number_format: NumberFormat | None = None,
) -> _Column:
    name = str(series[0].name)
    if kind in NUMERIC_KINDS:
        values = [_as_float(s, kind, datetime_format, number_format) for s in series]
        real = values[0][np.isfinite(values[0])]
        lo, hi = (float(real.min()), float(real.max())) if len(real) else (0.0, 1.0)
        width = (hi - lo) / N_BINS if hi > lo else 1.0
        codes = []
        for x in values:
            with np.errstate(invalid="ignore"):
                binned = np.clip(np.floor((x - lo) / width), 0, N_BINS - 1)
            codes.append(np.where(np.isfinite(x), binned, N_BINS).astype(np.intp))
        positions, index, n_values = _value_index(values)
        missing = tuple(~np.isfinite(x) for x in values)
        return _Column(name, kind, tuple(codes), N_BINS + 1, missing, tuple(values), positions, index, n_values)
    cat_codes, n_codes = _category_codes(series)
    missing = tuple(s.isna().to_numpy() for s in series)
    return _Column(name, kind, tuple(cat_codes), n_codes, missing, None, (), (), 0)


def _columns_to_compare(real: pd.DataFrame, schema: Schema) -> list[str]:
    return [c.name for c in schema if c.kind.is_modelled and c.name in real.columns]


def _code(frames: Sequence[pd.DataFrame], schema: Schema, names: Sequence[str]) -> list[_Column]:
    """Code every compared column of every table (columns are read in place: no copy of a large table)."""
    return [
        _code_column([f[n] for f in frames], schema[n].kind, schema[n].datetime_format, schema[n].number_format)
        for n in names
    ]
