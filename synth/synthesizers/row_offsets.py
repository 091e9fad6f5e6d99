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

Time zones
    Shares per month still put a March order before the change at summer time: 85 of 2,400 synthetic orders of the
    session-28 walk's shop (+01:00/+02:00 on a Berlin clock) carried an offset Berlin's clock never shows on their
    day. A column whose every row's offset is the one a named time zone has at that instant (:func:`named_zones`:
    several offsets, each change where the zone changes) keeps that zone instead of shares: it is learned on each
    row's wall clock as above (its naive neighbours' orders held on the clock they share), and each synthetic row is
    written at the zone's offset of its wall clock (a time the zone repeats in autumn at either offset, one it skips
    in spring moved past the gap, as the zone's clocks do). Zones naming the same offsets over the rows' years
    (Europe/Amsterdam and Europe/Berlin) are one clock; the first in :data:`REGIONS` order is kept.

Differential privacy
    The shares and the zone are read from the rows: a model with a guarantee never keeps them. It reads a column on
    one offset chosen by its own mechanism (:mod:`synth.synthesizers.dp.clocks`).

Model files
    ``time_offsets_`` (column: ((offset in seconds east of UTC, its share in each month, January first), ...)) and
    ``offset_zones_`` (column: a zone's name); files saved before they existed have none and sample as they did
    (:func:`check_row_offsets` validates both on load).
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Collection, Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, ColumnSpec, Schema, parse_datetimes
from synth.schema.dates import write_datetimes
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


def _offset_columns(
    raw: pd.DataFrame, schema: Schema, zones: Mapping[str, Zone]
) -> Iterator[tuple[ColumnSpec, pd.Series, np.ndarray, np.ndarray]]:
    """Each text datetime column of ``raw`` with no one local clock (not in ``zones``) whose every present value
    carries an offset: its spec, values, offsets (seconds east) and which rows are present."""
    for spec in schema:
        if spec.name in zones or spec.name not in raw.columns or not writes_offset(spec):
            continue
        series = raw[spec.name]
        if pd.api.types.is_datetime64_any_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
            continue
        offsets = row_offsets(series)
        present = series.notna().to_numpy()
        if present.any() and not np.isnan(offsets[present]).any():
            yield spec, series, offsets, present


def offset_shares(raw: pd.DataFrame, schema: Schema, zones: Mapping[str, Zone]) -> dict[str, Shares]:
    """The offsets each text datetime column of ``raw`` with no one local clock (not in ``zones``) is written at,
    with their shares of its present values: only columns whose every present value carries an offset, at least
    two distinct ones, each within ±18:00."""
    out: dict[str, Shares] = {}
    for spec, series, offsets, present in _offset_columns(raw, schema, zones):
        if np.abs(offsets[present]).max() > MAX_OFFSET_S:
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


#: The regions whose zones are tried, in this order (a zone named by one of the others — ``CET``, ``US/Eastern``,
#: ``Etc/GMT-1`` — has a name here with the same clock).
REGIONS = ("Europe", "America", "Asia", "Australia", "Pacific", "Africa", "Atlantic", "Indian", "Antarctica")
#: Rows read per zone before every row is: the rows either side of each change of offset and these many more,
#: spread over the instants. A wrong zone fails on one of them within microseconds; the full check is vectorised.
_SPREAD = 32


def named_zones(raw: pd.DataFrame, schema: Schema, zones: Mapping[str, Zone]) -> dict[str, str]:
    """The time zone whose offset at each row's instant is the one the row is written at, for each text datetime
    column of ``raw`` written at several offsets (not in ``zones``): its name, for the columns one zone matches on
    every present value."""
    out: dict[str, str] = {}
    for spec, series, offsets, present in _offset_columns(raw, schema, zones):
        instants = parse_datetimes(series, spec.datetime_format)
        if instants[present].isna().any():
            continue
        found = _zone_of(instants[present].to_numpy(dtype="datetime64[ns]"), offsets[present].astype(np.int64))
        if found is not None:
            out[spec.name] = found
    return out


def _zone_of(instants: np.ndarray, offsets: np.ndarray) -> str | None:
    order = np.argsort(instants, kind="stable")
    instants, offsets = instants[order], offsets[order]
    changes = np.flatnonzero(offsets[1:] != offsets[:-1])
    years = (instants[-1] - instants[0]) / np.timedelta64(365, "D")
    # A zone changes its offset at most twice a year: offsets that change more often follow no zone's rules.
    if len(changes) == 0 or len(changes) > 2 * (int(years) + 2):
        return None
    probe = np.unique(np.r_[changes, changes + 1, np.linspace(0, len(instants) - 1, _SPREAD).astype(np.int64)])
    probes = [
        (dt.datetime.fromtimestamp(int(t) / 1e9, tz=dt.UTC), int(o))
        for t, o in zip(instants[probe].astype(np.int64), offsets[probe], strict=True)
    ]
    utc = pd.DatetimeIndex(instants).tz_localize("UTC")
    for name in _zones():
        zone = zoneinfo.ZoneInfo(name)
        if all(_seconds(when.astimezone(zone).utcoffset()) == o for when, o in probes):
            local = utc.tz_convert(zone).tz_localize(None)
            if np.array_equal((local - utc.tz_localize(None)).total_seconds().to_numpy().astype(np.int64), offsets):
                return name
    return None


def _seconds(offset: dt.timedelta | None) -> int | None:
    return None if offset is None else int(offset.total_seconds())


@functools.cache
def _zones() -> tuple[str, ...]:
    names = [n for n in zoneinfo.available_timezones() if n.split("/")[0] in REGIONS and _readable(n)]
    return tuple(sorted(names, key=lambda n: (REGIONS.index(n.split("/")[0]), n)))


def _readable(name: str) -> bool:
    try:
        pd.DatetimeTZDtype(tz=name)
    except Exception:  # a name this pandas cannot read back: never written to a model file
        return False
    return True


def to_row_clocks(data: pd.DataFrame, raw: pd.DataFrame, columns: Collection[str]) -> pd.DataFrame:
    """``data`` (naive UTC datetimes, as parsed from ``raw``) with each of ``columns`` on each row's own wall
    clock: its instant plus the offset ``raw`` writes it at."""
    todo = [c for c in columns if c in data.columns]
    if not todo:
        return data
    data = data.copy()
    for name in todo:
        seconds = np.nan_to_num(row_offsets(raw[name]), nan=0.0)
        data[name] = pd.to_datetime(data[name]) + pd.to_timedelta(seconds, unit="s")
    return data


def write_row_offsets(
    frame: pd.DataFrame,
    schema: Schema,
    shares: Mapping[str, Shares],
    rng: np.random.Generator,
    zones: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Conformed output (each column of ``shares`` and ``zones`` its drawn wall clock labelled +00:00) with each row
    labelled with an offset drawn with the real shares of its wall clock's month (one uniform draw per row, shared
    by the columns), or written at its zone's offset of that wall clock."""
    zones = zones or {}
    text_columns = [c for c in frame.columns if not pd.api.types.is_datetime64_any_dtype(frame[c].dtype)]
    todo = [c for c in shares if c in text_columns and c not in zones]
    if not todo and not any(c in text_columns for c in zones):
        return frame
    u = rng.random(len(frame))
    for name in [c for c in zones if c in text_columns]:
        fmt = str(schema[name].datetime_format)
        wall = parse_datetimes(frame[name], fmt)
        summer = u < 0.5  # a time the zone repeats: at summer or winter time, as often
        aware = wall.dt.tz_localize(zones[name], ambiguous=summer, nonexistent="shift_forward")
        out = write_datetimes(aware, fmt)
        frame[name] = out.astype(frame[name].dtype) if isinstance(frame[name].dtype, pd.StringDtype) else out
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
    named = getattr(model, "offset_zones_", {})
    if not isinstance(named, dict) or not all(
        isinstance(name, str)
        and name in schema.modelled
        and schema[name].kind is ColumnKind.DATETIME
        and writes_offset(schema[name])
        and name not in zones
        and name not in shares
        and isinstance(zone, str)
        and zone in _zones()
        for name, zone in (named.items() if isinstance(named, dict) else ())
    ):
        raise ModelFileError(f"the model file is damaged or was altered: bad time zones of UTC offsets: {named!r}")
