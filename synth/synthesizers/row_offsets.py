"""Text timestamps written at several UTC offsets (winter and summer time) keep their offsets and their local clock.

Why
    A column whose values all carry one offset is modelled on that local clock (:mod:`synth.synthesizers.
    time_of_day`); one written at several (a shop's ``ordered_at`` at +0100 in winter and +0200 in summer) has no one
    clock, was modelled in UTC and written back at +0000. Its naive neighbours (``shipped_at`` on the shop's wall
    clock) were then ordered against UTC instants: read on the shop's clock, 24 of 4,000 synthetic orders of the
    session-25 walk shipped before they were placed (0 of 5,000 real), and every synthetic offset was one the real
    column never writes.

How
    At fit, each such column is read on each row's own wall clock (its UTC instant plus the offset the row is
    written at: :func:`to_row_clocks`), so a model learns the local times of day and keeps the orders with naive
    columns on the clock they share; the share of present values written at each offset is kept
    (:func:`offset_shares`), per calendar month of the wall clock: winter and summer time change within March and
    October, and a January order at +0200 is one the shop never wrote. At sample time the column stays on its wall
    clock, is conformed as such (labelled +00:00), and each row is then labelled with an offset drawn with its
    month's real shares (:func:`write_row_offsets`; a month without real rows: the shares of all rows): the drawn
    wall clock, at that offset, as the real rows write it. One uniform draw per row serves every such column, so
    two columns with the same shares carry the same offset on a row.

Differential privacy
    The shares are read from the rows: a model with a guarantee never keeps them. It reads a column on one offset
    chosen by its own mechanism (:mod:`synth.synthesizers.dp.clocks`).

Model files
    ``time_offsets_`` (column: ((offset in seconds east of UTC, its share in each month, January first), ...));
    files saved before it existed have none and sample as they did (:func:`check_row_offsets` validates it on
    load).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema, parse_datetimes
from synth.schema.kinds import OFFSET_COLON
from synth.synthesizers.persist import ModelFileError
from synth.synthesizers.time_of_day import MAX_OFFSET_S, Zone, writes_offset

#: (offset in seconds east of UTC, its share of the present values of each calendar month), commonest first
Shares = tuple[tuple[int, tuple[float, ...]], ...]

#: A UTC offset ending a timestamp (``+02:00`` or ``+0200``).
_OFFSET = r"([+-])(\d\d):?(\d\d)$"


def row_offsets(series: pd.Series) -> np.ndarray:
    """The UTC offset (seconds east) each value of a text column is written at; NaN where missing or without one."""
    found = series.astype("string").str.strip().str.extract(_OFFSET)
    # A missing value, or one without an offset (``Z``), extracts <NA>, whose truth np.where refused: a column
    # written at two offsets with one empty cell stopped every fit with "boolean value of NA is ambiguous".
    sign = np.where(found[0].eq("-").fillna(False).to_numpy(dtype=bool), -1.0, 1.0)
    hours = pd.to_numeric(found[1], errors="coerce").to_numpy(dtype=np.float64)
    minutes = pd.to_numeric(found[2], errors="coerce").to_numpy(dtype=np.float64)
    return sign * (hours * 3600 + minutes * 60)


def offset_shares(raw: pd.DataFrame, schema: Schema, zones: Mapping[str, Zone]) -> dict[str, Shares]:
    """The offsets each text datetime column of ``raw`` with no one local clock (not in ``zones``) is written at,
    with their shares of its present values: only columns whose every present value carries an offset, at least
    two distinct ones, each within ±18:00."""
    out: dict[str, Shares] = {}
    for spec in schema:
        if spec.name in zones or spec.name not in raw.columns or not writes_offset(spec):
            continue
        series = raw[spec.name]
        if pd.api.types.is_datetime64_any_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
            continue
        offsets = row_offsets(series)
        present = series.notna().to_numpy()
        if not present.any() or np.isnan(offsets[present]).any() or np.abs(offsets[present]).max() > MAX_OFFSET_S:
            continue
        known, counts = np.unique(offsets[present].astype(np.int64), return_counts=True)
        if len(known) < 2:
            continue
        order = np.argsort(-counts, kind="stable")  # commonest first
        rank = np.empty_like(order)
        rank[order] = np.arange(len(order))
        values, overall = known[order], counts[order] / counts.sum()
        wall = parse_datetimes(series, spec.datetime_format) + pd.to_timedelta(np.nan_to_num(offsets), unit="s")
        dated = present & wall.notna().to_numpy()
        months = wall.dt.month.to_numpy()[dated].astype(np.int64) - 1
        monthly = np.zeros((12, len(values)))
        np.add.at(monthly, (months, rank[np.searchsorted(known, offsets[dated].astype(np.int64))]), 1.0)
        rows = monthly.sum(axis=1, keepdims=True)
        monthly = np.where(rows > 0, monthly / np.maximum(rows, 1.0), overall)
        out[spec.name] = tuple((int(values[k]), tuple(float(x) for x in monthly[:, k])) for k in range(len(values)))
    return out


def to_row_clocks(data: pd.DataFrame, raw: pd.DataFrame, shares: Mapping[str, Shares]) -> pd.DataFrame:
    """``data`` (naive UTC datetimes, as parsed from ``raw``) with each column of ``shares`` on each row's own wall
    clock: its instant plus the offset ``raw`` writes it at."""
    todo = [c for c in shares if c in data.columns]
    if not todo:
        return data
    data = data.copy()
    for name in todo:
        seconds = np.nan_to_num(row_offsets(raw[name]), nan=0.0)
        data[name] = pd.to_datetime(data[name]) + pd.to_timedelta(seconds, unit="s")
    return data


def write_row_offsets(
    frame: pd.DataFrame, schema: Schema, shares: Mapping[str, Shares], rng: np.random.Generator
) -> pd.DataFrame:
    """Conformed output (each column of ``shares`` its drawn wall clock labelled +00:00) with each row labelled
    with an offset drawn with the real shares of its wall clock's month: one uniform draw per row, shared by the
    columns."""
    todo = [c for c in shares if c in frame.columns and not pd.api.types.is_datetime64_any_dtype(frame[c].dtype)]
    if not todo:
        return frame
    u = rng.random(len(frame))
    for name in todo:
        offsets = [o for o, _ in shares[name]]
        cumulative = np.cumsum(np.array([m for _, m in shares[name]]).T, axis=1)  # (month, offset)
        fmt = str(schema[name].datetime_format)
        months = parse_datetimes(frame[name], fmt).dt.month.fillna(1).to_numpy().astype(np.int64) - 1
        row = cumulative[months]
        drawn = np.minimum((row <= (u * row[:, -1])[:, None]).sum(axis=1), len(offsets) - 1)
        colon = OFFSET_COLON in fmt
        labels = np.array([_label(int(o), colon) for o in offsets], dtype=object)[drawn]
        text = frame[name].astype("string")
        relabelled = text.str.replace(_OFFSET, "", regex=True) + pd.Series(labels, index=frame.index, dtype="string")
        out = relabelled.astype(object)
        out[text.isna().to_numpy()] = None
        frame[name] = out.astype(frame[name].dtype) if isinstance(frame[name].dtype, pd.StringDtype) else out
    return frame


def _label(offset: int, colon: bool) -> str:
    sign = "-" if offset < 0 else "+"
    hours, minutes = divmod(abs(offset) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}" if colon else f"{sign}{hours:02d}{minutes:02d}"


def check_row_offsets(model: Any) -> None:
    """Raise ModelFileError unless a loaded model's ``time_offsets_`` is one a fit could have written: modelled text
    datetime columns with an offset in their format and no one local clock, each with at least two distinct offsets
    within ±18:00 and, in each of the 12 months, shares from 0 to 1 summing to 1."""
    shares = getattr(model, "time_offsets_", {})
    zones = getattr(model, "time_zones_", {})
    schema = model.schema_
    if not isinstance(shares, dict):
        raise ModelFileError("the model file is damaged or was altered: its UTC offsets are not a mapping")
    for name, pairs in shares.items():
        ok = (
            isinstance(name, str)
            and name in schema.modelled
            and schema[name].kind is ColumnKind.DATETIME
            and writes_offset(schema[name])
            and name not in zones
            and isinstance(pairs, tuple)
            and len(pairs) >= 2
            and all(
                isinstance(p, tuple)
                and len(p) == 2
                and isinstance(p[0], int)
                and not isinstance(p[0], bool)
                and abs(p[0]) <= MAX_OFFSET_S
                and isinstance(p[1], tuple)
                and len(p[1]) == 12
                and all(isinstance(x, float) and 0.0 <= x <= 1.0 for x in p[1])
                for p in pairs
            )
        )
        if ok:
            offsets = [p[0] for p in pairs]
            sums = np.array([p[1] for p in pairs]).sum(axis=0)
            ok = len(set(offsets)) == len(offsets) and bool(np.all(np.abs(sums - 1.0) < 1e-6))
        if not ok:
            raise ModelFileError(f"the model file is damaged or was altered: bad UTC offsets for {name!r}: {pairs!r}")
