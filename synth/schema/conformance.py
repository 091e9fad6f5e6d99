"""Conformance: reading columns the way the schema says, and casting synthetic output back to real dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synth.schema.dates import readable_format, write_datetimes
from synth.schema.kinds import (
    EPOCH_MILLISECONDS,
    EPOCH_SECONDS,
    ISO8601,
    MIXED_FORMATS,
    OFFSET_COLON,
    ColumnKind,
    ColumnSpec,
    Schema,
)
from synth.schema.number_text import format_numbers, parse_numbers
from synth.schema.text_templates import templates_of


def parse_datetimes(values: pd.Series, datetime_format: str | None) -> pd.Series:
    """Read a column as datetimes the way its schema says (unparseable values become NaT).

    Args:
        values: text, numbers or datetimes.
        datetime_format: a ``strftime`` pattern, :data:`EPOCH_SECONDS`, :data:`EPOCH_MILLISECONDS`,
            :data:`ISO8601`, or None to let pandas guess.

    Returns:
        A time-zone naive ``datetime64`` series with the index of ``values`` (times with a zone or an offset
        become UTC).
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        return values.dt.tz_convert(None)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = pd.to_numeric(values, errors="coerce")
        if datetime_format == EPOCH_MILLISECONDS:
            return pd.to_datetime(numbers, errors="coerce", unit="ms")
        if datetime_format is None or datetime_format == EPOCH_SECONDS:
            return pd.to_datetime(numbers, errors="coerce", unit="s")
        text = numbers.round().astype("Int64").astype("string")
        return pd.to_datetime(text, format=datetime_format, errors="coerce")
    text = values.astype("string").str.strip()
    if datetime_format is not None and MIXED_FORMATS in datetime_format:
        # Dates written two ways: each value read by the first format that reads it.
        parts = [parse_datetimes(text, part) for part in datetime_format.split(MIXED_FORMATS)]
        out = parts[0]
        for part in parts[1:]:
            out = out.fillna(part)
        return out
    guess = datetime_format in (None, EPOCH_SECONDS, EPOCH_MILLISECONDS)
    fmt = "mixed" if guess else readable_format(str(datetime_format))  # %z reads +01:00 too
    parsed = pd.to_datetime(text, errors="coerce", format=fmt, utc=True)
    return parsed.dt.tz_convert(None)


class SchemaMismatchError(ValueError):
    """A schema declares a column numeric or a date while most of its values do not read as such."""


#: ``coerce_to_schema(strict=True)`` refuses a column when more than this share of its values do not parse.
MAX_UNPARSED_SHARE = 0.5


def coerce_to_schema(df: pd.DataFrame, schema: Schema, *, strict: bool = False) -> pd.DataFrame:
    """Give each column the storage its kind needs for modelling: datetimes parsed, numbers numeric.

    Booleans and categories keep their raw values (``"yes"``/``"no"`` stays as it is), so synthetic output
    shows the same labels as the real table.

    Args:
        df: a table with (at least) the schema's columns.
        schema: its schema.
        strict: raise :class:`SchemaMismatchError` when more than :data:`MAX_UNPARSED_SHARE` of a column's present
            values do not read as its declared kind (an edited schema calling a text column ``continuous``, or a
            number a ``datetime`` in a format it is not written in): the column would be learned as missing.

    Returns:
        A copy of ``df``: datetime columns as time-zone naive ``datetime64`` (read with their
        ``datetime_format``), numeric columns as numbers (text read in their ``number_format``; unreadable values
        missing), templated categories as their templates (:func:`synth.schema.text_templates.templates_of`), the
        rest unchanged.
    """
    out = df.copy()
    for spec in schema:
        col = out[spec.name]
        if spec.kind is ColumnKind.DATETIME and not pd.api.types.is_datetime64_any_dtype(col.dtype):
            out[spec.name] = parse_datetimes(col, spec.datetime_format)
        elif spec.kind.is_numeric and not pd.api.types.is_numeric_dtype(col.dtype):
            out[spec.name] = read_numbers(col, spec)
        elif spec.templated:  # "Rechnung 4711" is read as "Rechnung ####" (its digits are redrawn, never learned)
            out[spec.name] = templates_of(col)
            continue
        else:
            continue
        if strict:
            _check_parsed(col, out[spec.name], spec)
    return out


def read_numbers(values: pd.Series, spec: ColumnSpec) -> pd.Series:
    """A numeric column as numbers: text in the column's ``number_format`` ("$1,234.50") read in it, anything else
    read as plain numbers; what does not read becomes missing."""
    if spec.number_format is not None and not pd.api.types.is_numeric_dtype(values.dtype):
        return parse_numbers(values, spec.number_format)
    return pd.to_numeric(values, errors="coerce")


def _check_parsed(raw: pd.Series, parsed: pd.Series, spec: ColumnSpec) -> None:
    present = raw.notna().to_numpy()
    n = int(present.sum())
    failed = present & parsed.isna().to_numpy()
    n_failed = int(failed.sum())
    if n == 0 or n_failed <= MAX_UNPARSED_SHARE * n:
        return
    examples = ", ".join(repr(str(v))[:40] for v in pd.unique(raw[failed])[:3])
    if spec.kind is ColumnKind.DATETIME:
        kind = f"datetime (format {spec.datetime_format!r})" if spec.datetime_format else "datetime"
        what = "dates"
    else:
        kind, what = spec.kind.value, "numbers"
        if spec.number_format is not None:
            kind, what = f"{kind} (written like {spec.number_format.example()})", "numbers in that layout"
    raise SchemaMismatchError(
        f"the schema declares column {spec.name!r} {kind}, but {n_failed / n:.0%} of its {n:,} values do not read "
        f"as {what} (e.g. {examples}): give it the kind `synth schema` infers (or fix its values)"
    )


def _numbers_like(values: pd.Series, target: Any, integer: bool) -> pd.Series:
    """Numbers (already rounded when ``integer``) in the real column's dtype where it can hold them."""
    has_missing = bool(values.isna().any())
    if target is None:
        if integer:
            return values.astype("Int64") if has_missing else values.astype("int64")
        return values.astype("float64")
    if isinstance(target, pd.api.extensions.ExtensionDtype) and pd.api.types.is_integer_dtype(target):
        return values.astype(target)
    if pd.api.types.is_integer_dtype(target):
        info = np.iinfo(target)
        # numpy's clip: pandas' costs a mask and a copy per bound, a fifth of a copula's sampling time.
        clipped = pd.Series(np.clip(values.to_numpy(dtype="float64"), info.min, info.max), index=values.index)
        return clipped.astype("Int64") if has_missing else clipped.astype(target)
    if pd.api.types.is_float_dtype(target):
        return values.astype(target)
    if integer:
        return values.astype("Int64") if has_missing else values.astype("int64")
    return values.astype("float64")


def _datetimes_like(values: pd.Series, spec: ColumnSpec, target: Any) -> pd.Series:
    """Datetimes written back the way the real column stored them (text in its format, YYYYMMDD, epoch)."""
    fmt = spec.datetime_format
    if fmt is not None and MIXED_FORMATS in fmt:  # dates the real column wrote two ways: written the commoner way
        fmt = fmt.split(MIXED_FORMATS)[0]
    if target is None or pd.api.types.is_datetime64_any_dtype(target):
        if target is None:
            return values
        if isinstance(target, pd.DatetimeTZDtype):
            if values.dt.tz is None:
                return values.dt.tz_localize("UTC").dt.tz_convert(target.tz)
            return values.dt.tz_convert(target.tz)
        return values.astype(target) if values.dt.tz is None else values.dt.tz_localize(None).astype(target)
    if pd.api.types.is_numeric_dtype(target) and not pd.api.types.is_bool_dtype(target):
        if fmt == "%Y%m%d":
            numbers = values.dt.year * 10_000 + values.dt.month * 100 + values.dt.day
        elif fmt == EPOCH_MILLISECONDS:
            numbers = values.astype("int64").where(values.notna()) // 10**6
        else:
            numbers = values.astype("int64").where(values.notna()) // 10**9
        return _numbers_like(numbers.astype("float64"), target, integer=True)
    if fmt in (None, ISO8601, EPOCH_SECONDS, EPOCH_MILLISECONDS):
        valid = values.dropna()
        has_time = bool(len(valid)) and bool((valid != valid.dt.normalize()).any())
        fmt = "%Y-%m-%d %H:%M:%S" if has_time else "%Y-%m-%d"
    if "%z" in fmt or OFFSET_COLON in fmt:
        # Instants are kept in UTC (parse_datetimes), so they go back labelled +00:00 rather than as naive times
        # a reader would take for local ones; the layout (T, seconds, colon in the offset) stays the real one's.
        values = values.dt.tz_localize("UTC") if values.dt.tz is None else values.dt.tz_convert("UTC")
    text = write_datetimes(values, fmt)  # (objects, missing values None)
    if isinstance(target, pd.StringDtype):
        return text.astype(target)
    return text


def _values_like(values: pd.Series, target: Any) -> pd.Series:
    """Labels (categories, booleans, generated values) in the real column's dtype where it can hold them."""
    if target is None:
        return pd.Series(values.to_numpy(), index=values.index)
    # One missing-value scan per column (it costs as much as the cast on object columns of strings).
    missing = values.isna().to_numpy()
    has_missing = bool(missing.any())
    try:
        if pd.api.types.is_bool_dtype(target):
            if isinstance(target, pd.api.extensions.ExtensionDtype) or not has_missing:
                return values.astype(target if not has_missing else "boolean")
            return values.astype("boolean")
        if pd.api.types.is_integer_dtype(target):
            if isinstance(target, pd.api.extensions.ExtensionDtype):
                return values.astype(target)
            return values.astype("Int64") if has_missing else values.astype(target)
        if pd.api.types.is_float_dtype(target):
            return pd.to_numeric(values, errors="coerce").astype(target)
        if pd.api.types.is_datetime64_any_dtype(target):
            return pd.to_datetime(values, errors="coerce").astype(target)
        if isinstance(target, pd.CategoricalDtype | pd.StringDtype):
            return values.astype(target)
        if pd.api.types.is_object_dtype(target):
            out = values.astype(object)
            if has_missing:
                out[missing] = None
            return out
    except (TypeError, ValueError):
        pass
    return pd.Series(values.to_numpy(), index=values.index)


def round_recorded(frame: pd.DataFrame, schema: Schema) -> pd.DataFrame:
    """``frame`` with every number-with-fractions column the schema knows rounded to its recorded decimals
    (``ColumnSpec.decimals``). A synthesizer with exact rules rounds before computing them, so that a sum of
    amounts in cents is the sum of the amounts it shows."""
    specs = {c.name: c for c in schema}
    out = frame
    for name in frame.columns:
        spec = specs.get(str(name))
        if spec is None or spec.decimals is None or not _rounds(spec):
            continue
        if out is frame:
            out = frame.copy(deep=False)
        out[name] = _as_recorded(frame[name], spec)
    return out


def _rounds(spec: ColumnSpec) -> bool:
    """Whether ``spec``'s recorded decimals round its values: numbers with fractions, and whole numbers recorded
    to tens, hundreds, … (negative decimals)."""
    return spec.kind is ColumnKind.CONTINUOUS or (
        spec.kind is ColumnKind.DISCRETE and spec.decimals is not None and spec.decimals < 0
    )


def whole_places(decimals: int | None) -> int:
    """The places a whole-number column with recorded ``decimals`` is rounded to: its grain (-2: hundreds) if
    recorded, else units."""
    return decimals if decimals is not None and decimals < 0 else 0


def written_places(kind: ColumnKind, decimals: int | None) -> int | None:
    """The places a number column of ``kind`` with recorded ``decimals`` is written to: a whole-number column its
    :func:`whole_places`, a number with fractions its decimals (None: written unrounded); None for other kinds."""
    if kind is ColumnKind.DISCRETE:
        return whole_places(decimals)
    return decimals if kind is ColumnKind.CONTINUOUS else None


def _as_recorded(values: pd.Series, spec: ColumnSpec) -> pd.Series:
    """A number-with-fractions column as floats at its recorded decimals (amounts in cents come out in cents, not
    as 28036.743798791013); unchanged precision where none was recorded."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    return numbers if spec.decimals is None else numbers.round(spec.decimals)


def conform(synthetic: pd.DataFrame, schema: Schema, reference: pd.DataFrame | None = None) -> pd.DataFrame:
    """Cast synthetic output back to the real table's columns and dtypes.

    Integers stay integers (nullable ``Int64`` when values are missing), numbers with fractions are rounded to the
    decimal places the real column was recorded at (``ColumnSpec.decimals``), booleans stay booleans; datetimes are
    written back the way the real column stored them (datetimes, text in the column's date format, YYYYMMDD
    integers or Unix time); numbers the real column wrote as text are written back in its ``number_format``
    (``"$1,234.50"``, ``"(1,200.00)"``, ``"12%"``), rounded to its recorded decimals; categorical columns keep the
    real dtype. Column order follows the schema.

    Args:
        synthetic: a synthesizer's raw output: numbers as floats, datetimes as ``datetime64``, labels as
            they are.
        schema: the table's schema.
        reference: the real table (zero rows are enough); without it, the natural dtype of each kind is used.

    Returns:
        The conformed table with a fresh 0..n-1 index.
    """
    index = pd.RangeIndex(len(synthetic))
    out: dict[str, pd.Series] = {}
    for spec in schema:
        col = synthetic[spec.name].reset_index(drop=True)
        target = reference[spec.name].dtype if reference is not None and spec.name in reference.columns else None
        if spec.kind.is_numeric and spec.number_format is not None and _holds_text(target):
            # The real column wrote its numbers as text ("$1,234.50"): the synthetic ones go back the same way.
            numbers = read_numbers(col, spec).astype("float64")
            # A layout that writes every value with the same places ("$12.34") is written at them even where the
            # model kept its draws finer (CART near rare values, decimals None): "$26.55081" is no price. CART spreads
            # a draw from a band too crowded for these places over sixty rows' worth of values first
            # (band_decimals.spread_crowded): rounded where they fell, crowded cents came back as training-only prices
            # 3.0 points more often than as holdout-only ones, spread +0.4 (tests/unit/test_layout_excess.py).
            places = written_places(spec.kind, spec.decimals)
            if places is None:
                places = spec.layout_places
            if places is not None and places < 0:  # recorded to hundreds: "€72,100.00", never "€72,113.00"
                numbers, places = numbers.round(places), 0
            text = format_numbers(numbers, spec.number_format, places)
            out[spec.name] = text.astype(target) if isinstance(target, pd.StringDtype) else text
        elif spec.kind is ColumnKind.DISCRETE:
            numbers = pd.to_numeric(col, errors="coerce").astype("float64").round(whole_places(spec.decimals))
            out[spec.name] = _numbers_like(numbers, target, integer=True)
        elif spec.kind is ColumnKind.CONTINUOUS:
            out[spec.name] = _numbers_like(_as_recorded(col, spec), target, integer=False)
        elif spec.kind is ColumnKind.DATETIME:
            out[spec.name] = _datetimes_like(parse_datetimes(col, spec.datetime_format), spec, target)
        else:
            out[spec.name] = _values_like(col, target)
    # copy=False keeps one block per column: consolidating a million-row object table costs a quarter second.
    frame = pd.DataFrame(out, index=index, copy=False)
    return frame if len(out) else pd.DataFrame(index=index)


def _holds_text(target: Any) -> bool:
    return target is not None and (pd.api.types.is_object_dtype(target) or pd.api.types.is_string_dtype(target))


def numeric_values(series: pd.Series, kind: ColumnKind) -> np.ndarray:
    """A column as floats (datetimes as nanoseconds since the epoch), NaN where missing or unparsable."""
    if kind is ColumnKind.DATETIME:
        dt = pd.to_datetime(series, errors="coerce")
        out = dt.astype("int64").to_numpy().astype(float)
        out[dt.isna().to_numpy()] = np.nan
        return out
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
