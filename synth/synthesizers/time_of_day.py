"""Datetimes with a time part modelled as their day plus a hidden time-of-day column, for every synthesizer.

Why
    A datetime is one number to every model (nanoseconds since the epoch). The copula interpolates between quantile
    knots days apart, CART draws within leaves and bands spanning days, the DP network bins the range: whatever the
    real times of day, the synthetic ones came out uniform over 24 hours. A clinic table whose visits all fall
    between 08:00 and 17:59 got 58–59% of its Pruned CART and copula visits outside those hours.

How
    At fit (:func:`split_times`) each such column is replaced, for the model, by its day (midnight UTC) and a hidden
    continuous column right after it: the seconds since midnight (UTC). Each model learns the hidden column like any
    number, with its dependence on the others where the model has one (CART: A&E visits at night if the real ones
    are). At sample time (:func:`join_times`) the day and the time are added back together, rounded to the real
    times' grain, and the hidden column dropped. A date-only column is never split, so it stays date-only.

Orders
    The model keeps the orders between days (a later date drawn as a gap, or kept on whole rows); two timestamps of
    one row on the same day (a start and an end minutes apart) are kept in order by the base, which redraws the rows
    that break an order the real rows held (:func:`time_orders`, kept with
    :func:`synth.synthesizers.row_orders.keep_orders`). The same is done for dates moved to a drawn weekday
    (:mod:`synth.synthesizers.weekdays`).

Local clocks
    A timestamp written with a UTC offset (``2025-03-01T09:30:00+02:00``) is read as its UTC instant, so a clinic
    open 09:00–17:00 at +02:00 looked open 07:00–15:00, its days ended at 02:00 local and its output was written at
    +00:00. A column whose present values all carry one offset, or that is stored as zone-aware datetimes (each row
    keeps its own offset, summer and winter), is modelled on its local wall clock instead (:func:`column_zones`,
    :func:`to_local`): the day and the time of day (and the weekday, :mod:`synth.synthesizers.weekdays`) are the
    local ones. Drawn rows go back to UTC instants (:func:`from_local`), and text is written at the column's offset
    (:func:`write_local`). A column with several offsets in text (summer and winter time written as +01:00 and
    +02:00) has no one local clock: each row is read on its own (:mod:`synth.synthesizers.row_offsets`).

Differential privacy
    Which columns are split must not depend on any row: for a model with a guarantee it is read from the schema
    alone (a datetime format with an hour, or Unix time), and the grain from the format; the hidden column is one
    more column of the model, learned inside its accounted budget. A column whose format cannot say (stored as
    datetimes, zone-aware or not; ISO 8601 in mixed forms) comes split as a candidate (:func:`is_untested`): the
    DP model keeps or drops its time of day and chooses its grain by a noisy test inside its budget
    (:func:`synth.synthesizers.dp.patterns.timed_grains`). Orders between timestamps are only those declared.
    A zone-aware column's zone is its dtype (schema, public). A text column's offset is a value of its rows: a DP
    model chooses it by the exponential mechanism inside its budget (``pick`` of :func:`column_zones`,
    :mod:`synth.synthesizers.dp.clocks`), never as the one offset every row shares.

Model files
    ``times_`` (column, hidden column, grain in seconds), ``time_orders_`` and ``time_zones_`` (column: offset in
    seconds east of UTC, or a time zone's name) are the model's state; files saved before they existed have none and
    sample as they did (:func:`check_times` validates them on load).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.dates import DAY_NS, readable_format, write_datetimes
from synth.schema.kinds import FRACTION_DIGITS, ISO8601, OFFSET_COLON
from synth.synthesizers.instants import datetime_ns
from synth.synthesizers.persist import ModelFileError

DAY_S = 86_400
#: The hidden column's name: the datetime's, then this (a number is appended should the table already hold it).
SUFFIX = " · time of day"
_REASON = "time of day of "
#: Time directives of a ``strftime`` format (an hour, minutes, seconds or a full time).
_TIME_DIRECTIVES = ("%H", "%I", "%M", "%S", "%X", "%T", "%R", "%c", "%f")

#: Starts the reason of a hidden column whose split a DP model still has to test (:func:`is_untested`).
UNTESTED = "candidate: "

#: The share of a column's present values with a time other than midnight from which it is split (models without
#: a guarantee; a DP model reads the format alone).
MIN_TIMED = 0.05

Split = tuple[str, str, int]  # (datetime column, hidden time-of-day column, grain in seconds)
Zone = int | str  # a fixed offset in seconds east of UTC, or a time zone's name (each row its own offset)

#: A UTC offset ending a timestamp (``+02:00`` or ``+0200``).
_OFFSET = r"([+-])(\d\d):?(\d\d)$"
#: The widest offset a model file may hold (offsets in use reach ±14:00).
MAX_OFFSET_S = 18 * 3600


def column_zones(raw: pd.DataFrame, schema: Schema, pick: Callable[[np.ndarray], int] | None = None) -> dict[str, Zone]:
    """The local clock of each datetime column of ``raw`` (the table as given, before parsing) that has one: the
    one offset every present value of a text column with an offset in its format is written at, or the time zone of
    a column stored as zone-aware datetimes (its dtype: schema, public). UTC, several offsets or none: left out
    (modelled in UTC). ``pick`` (a DP model) chooses a text column's offset from the offsets its values are written
    at instead (0: UTC), by its own mechanism: :func:`synth.synthesizers.dp.clocks.noisy_offset`."""
    out: dict[str, Zone] = {}
    for spec in schema:
        if spec.kind is not ColumnKind.DATETIME or spec.name not in raw.columns:
            continue
        series = raw[spec.name]
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            zone = str(series.dtype.tz)
            if zone != "UTC" and _readable_zone(zone):
                out[spec.name] = zone
            continue
        if not writes_offset(spec):
            continue
        offsets, every = written_offsets(series)
        if pick is not None:
            offset = int(pick(offsets))
        elif every and len(offsets) and len(np.unique(offsets)) == 1:
            offset = int(offsets[0])
        else:
            continue
        if offset != 0 and abs(offset) <= MAX_OFFSET_S:
            out[spec.name] = offset
    return out


def writes_offset(spec: ColumnSpec) -> bool:
    """Whether ``spec`` is a datetime column written as text with a UTC offset (its format says so)."""
    fmt = spec.datetime_format or ""
    return spec.kind is ColumnKind.DATETIME and ("%z" in fmt or OFFSET_COLON in fmt)


def written_offsets(series: pd.Series) -> tuple[np.ndarray, bool]:
    """The UTC offset (seconds east) of each present value of a text column that ends in one, and whether every
    present value does."""
    found = series.dropna().astype(str).str.strip().str.extract(_OFFSET).dropna()
    sign = np.where(found[0] == "-", -1, 1)
    offsets = sign * (found[1].astype(int).to_numpy() * 3600 + found[2].astype(int).to_numpy() * 60)
    return np.asarray(offsets, dtype=np.int64), len(found) == int(series.notna().sum())


def _readable_zone(zone: str) -> bool:
    try:
        pd.DatetimeTZDtype(tz=zone)
    except Exception:  # a zone pandas cannot name again (a bare fixed offset object): modelled in UTC
        return False
    return True


def to_local(data: pd.DataFrame, zones: Mapping[str, Zone]) -> pd.DataFrame:
    """``data`` (naive UTC datetimes, as parsed) with each column of ``zones`` on its local wall clock (naive)."""
    todo = [c for c in zones if c in data.columns]
    if not todo:
        return data
    data = data.copy()
    for name in todo:
        zone, values = zones[name], _naive_utc(data[name])
        if isinstance(zone, int):
            data[name] = values + pd.Timedelta(seconds=zone)
        else:
            data[name] = values.dt.tz_localize("UTC").dt.tz_convert(zone).dt.tz_localize(None)
    return data


def _naive_utc(series: pd.Series) -> pd.Series:
    values = pd.to_datetime(series)
    return values.dt.tz_convert("UTC").dt.tz_localize(None) if isinstance(values.dtype, pd.DatetimeTZDtype) else values


def from_local(body: pd.DataFrame, zones: Mapping[str, Zone]) -> pd.DataFrame:
    """Model rows with each column of ``zones`` back from its local wall clock to naive UTC. A wall-clock time a
    zone skips (spring forward) moves forward; one it repeats (fall back) is read as standard time."""
    todo = [c for c in zones if c in body.columns]
    if not todo:
        return body
    body = body.copy()
    for name in todo:
        zone, values = zones[name], pd.to_datetime(body[name])
        if isinstance(values.dtype, pd.DatetimeTZDtype):  # (a wall clock is naive; this is an instant already)
            continue
        if isinstance(zone, int):
            body[name] = values - pd.Timedelta(seconds=zone)
        else:
            standard = np.zeros(len(values), dtype=bool)
            aware = values.dt.tz_localize(zone, ambiguous=standard, nonexistent="shift_forward")
            body[name] = aware.dt.tz_convert("UTC").dt.tz_localize(None)
    return body


def write_local(frame: pd.DataFrame, schema: Schema, zones: Mapping[str, Zone]) -> pd.DataFrame:
    """Conformed output with each text column at a fixed offset written at that offset (``09:30:00+02:00``, not
    ``07:30:00+00:00``): the same instant on the real column's clock. Zone-aware columns are converted to their
    zone by :func:`synth.schema.conformance.conform` already."""
    from synth.schema.conformance import parse_datetimes

    todo = [c for c, z in zones.items() if isinstance(z, int) and c in frame.columns]
    for name in todo:
        fmt = str(schema[name].datetime_format)
        if pd.api.types.is_datetime64_any_dtype(frame[name].dtype) or pd.api.types.is_numeric_dtype(frame[name].dtype):
            continue  # (a real column stored as datetimes or numbers is not written as text)
        utc = parse_datetimes(frame[name], fmt)
        clock = dt.timezone(dt.timedelta(seconds=int(zones[name])))
        text = write_datetimes(utc.dt.tz_localize("UTC").dt.tz_convert(clock), fmt)
        frame[name] = text.astype(frame[name].dtype) if isinstance(frame[name].dtype, pd.StringDtype) else text
    return frame


def format_grain(fmt: str | None) -> int | None:
    """The time grain a datetime format writes (seconds), or None when it writes no time of day (or when it is not
    known from the format alone: ISO 8601 in mixed forms, or datetimes stored as datetimes)."""
    from synth.schema.kinds import EPOCH_MILLISECONDS, EPOCH_SECONDS

    if fmt in (EPOCH_SECONDS, EPOCH_MILLISECONDS):
        return 1
    fmt = readable_format(fmt) if fmt else fmt  # %3f (milliseconds) is a time too
    if not fmt or not any(d in fmt for d in _TIME_DIRECTIVES):
        return None
    if any(d in fmt for d in ("%S", "%X", "%T", "%c", "%f")):
        return 1
    return 60 if any(d in fmt for d in ("%M", "%R")) else 3600


def data_grain(seconds: np.ndarray) -> int:
    """The greatest whole number of seconds dividing every time of day (1 for sub-second times), at most an hour."""
    whole = np.round(seconds)
    if not len(whole) or np.any(np.abs(seconds - whole) > 1e-6):
        return 1
    return int(np.gcd.reduce(np.append(whole.astype(np.int64), 3600)))


def split_days(schema: Schema) -> dict[str, str]:
    """Each hidden time-of-day column of a model's schema with the datetime column :func:`split_times` split it
    from (which now holds its days alone)."""
    return {spec.name: day for spec in schema if (day := split_day(spec)) is not None}


def _reason(day: str, *, candidate: bool) -> str:
    """The reason of the hidden time of day split from the column ``day``: the one place it is written
    (:func:`split_day` reads it)."""
    return (UNTESTED if candidate else "") + _REASON + day


def split_day(spec: ColumnSpec) -> str | None:
    """The datetime column the hidden time-of-day column ``spec`` was split from, or None for any other column.

    Read from the reason :func:`_reason` wrote: whatever follows its fixed start, so a column whose own name holds
    that text ("time of day of x", " · time of day") maps back to itself. The column's name must be the one
    :func:`split_times` gives that column's time of day (:func:`_hidden_name`), so a reason naming some other
    column is not read as a link to it. Only a schema :func:`split_times` built is read (at fit): a model file
    keeps the link in ``times_``, which :func:`check_times` validates."""
    if spec.kind is not ColumnKind.CONTINUOUS:
        return None
    reason = spec.reason.removeprefix(UNTESTED)
    if not reason.startswith(_REASON):
        return None
    day = reason[len(_REASON) :]
    stem = day + SUFFIX
    number = spec.name.removeprefix(stem + " ")  # "x · time of day 2" when the table held "x · time of day"
    if spec.name == stem or (number != spec.name and number.isascii() and number.isdigit()):
        return day
    return None


def _hidden_name(name: str, taken: set[str]) -> str:
    hidden, k = name + SUFFIX, 2
    while hidden in taken:
        hidden, k = f"{name}{SUFFIX} {k}", k + 1
    return hidden


def untested_format(fmt: str | None) -> bool:
    """Whether a datetime column's format leaves open whether it holds times of day: none (stored as datetimes)
    or ISO 8601 in mixed forms."""
    return fmt is None or fmt == ISO8601


def is_untested(spec: ColumnSpec) -> bool:
    """Whether ``spec`` is a hidden time of day :func:`split_times` added for a DP model to test (see there)."""
    return is_time_of_day(spec) and spec.reason.startswith(UNTESTED)


def is_time_of_day(spec: ColumnSpec) -> bool:
    """Whether ``spec`` is a hidden time-of-day column :func:`split_times` added."""
    return split_day(spec) is not None


def split_times(data: pd.DataFrame, schema: Schema, *, private: bool) -> tuple[pd.DataFrame, Schema, tuple[Split, ...]]:
    """The modelled ``data`` and ``schema`` with each datetime that has a time part as its day plus a hidden column
    of seconds since midnight (UTC) right after it, and the splits made. ``private`` (a model with a guarantee):
    which columns and which grain come from the schema's formats alone, never from the rows."""
    taken = set(schema.names)
    # A column of the given schema whose name and reason read as a hidden time of day (a schema edited or crafted
    # to) is not one: the model's schema keeps it without its reason, so only the columns split here read as such.
    posing = {spec.name for spec in schema if is_time_of_day(spec)}
    columns: dict[str, Any] = {}
    specs: list[ColumnSpec] = []
    splits: list[Split] = []
    for spec in schema:
        series = data[spec.name]
        columns[spec.name] = series
        specs.append(dataclasses.replace(spec, reason="") if spec.name in posing else spec)
        if spec.kind is not ColumnKind.DATETIME:
            continue
        ns, missing = datetime_ns(series)
        seconds = (ns[~missing] % DAY_NS) / 1e9
        # a DP model must not let a row decide whether (or at which grain) a column is split: the format does
        # A date with a few stray times (under MIN_TIMED of its rows) stays one number: split, its rare timed rows
        # would fall on their day and break the rules and lookups read from the dates (a flag looked up per date).
        timed = len(seconds) and np.mean(seconds != 0) >= MIN_TIMED
        grain = format_grain(spec.datetime_format) if private else data_grain(seconds) if timed else None
        # A column stored as datetimes (or ISO 8601 text in mixed forms) has no format that says whether it holds
        # times: a DP model gets it as a candidate, which the model's own noisy test keeps or drops (and whose
        # grain it chooses) inside its budget (synth.synthesizers.dp.patterns.timed_grains). Leaving it whole lost
        # every time of day: the DP network bins dates by the day, so a zone-aware column came back at midnight.
        candidate = private and grain is None and untested_format(spec.datetime_format)
        grain = 1 if candidate else grain
        if grain is None:
            continue
        hidden = _hidden_name(spec.name, taken)
        taken.add(hidden)
        day = ns - ns % DAY_NS
        days = pd.Series(np.where(missing, 0, day).view("datetime64[ns]"), index=series.index).where(~missing)
        if isinstance(series.dtype, pd.DatetimeTZDtype):
            days = days.dt.tz_localize("UTC").dt.tz_convert(series.dtype.tz)
        columns[spec.name] = days
        columns[hidden] = pd.Series(np.where(missing, np.nan, (ns % DAY_NS) / 1e9), index=series.index)
        specs.append(
            ColumnSpec(hidden, ColumnKind.CONTINUOUS, _reason(spec.name, candidate=candidate), dtype="float64")
        )
        splits.append((spec.name, hidden, int(grain)))
    if not splits:
        return data, Schema(tuple(specs)) if posing else schema, ()
    return pd.DataFrame(columns, index=data.index), Schema(tuple(specs)), tuple(splits)


def written_fractions(schema: Schema) -> dict[str, int]:
    """The digits of a second each datetime column's format writes (6 for ``%f``, 3 for ``%3f``), for the columns
    that write a fraction of a second."""
    out: dict[str, int] = {}
    for spec in schema:
        fmt = spec.datetime_format or ""
        found = FRACTION_DIGITS.search(fmt)
        if spec.kind is ColumnKind.DATETIME and (found or "%f" in fmt):
            out[spec.name] = int(found.group(1)) if found else 6
    return out


def join_times(
    body: pd.DataFrame,
    splits: Sequence[Split],
    rng: np.random.Generator,
    fractions: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """Model rows with each split datetime put back together (its day plus its time of day, rounded to the grain)
    and the hidden columns dropped; rows without a hidden column (already joined) are returned as they are. A row
    whose day is present but whose time the model left missing takes the time of another drawn row.

    ``fractions``: the digits of a second a column's format writes (:func:`written_fractions`). At a grain of one
    second such a column keeps the fraction the model drew, to those digits: rounded to the second, an export's
    milliseconds all read ``.000`` (session 40's card transactions), a tell no real clock gives."""
    todo = [s for s in splits if s[1] in body.columns]
    if not todo:
        return body
    body = body.copy()
    fractions = fractions or {}
    for name, hidden, grain in todo:
        ns, missing = datetime_ns(body[name])
        seconds = pd.to_numeric(body[hidden], errors="coerce").to_numpy(dtype=np.float64)
        step = 10.0 ** -min(fractions[name], 6) if grain == 1 and name in fractions else float(grain)
        seconds = np.clip(np.round(seconds / step) * step, 0, DAY_S - step)
        lost = np.isnan(seconds) & ~missing
        drawn = seconds[~np.isnan(seconds)]
        if lost.any():
            seconds[lost] = rng.choice(drawn, int(lost.sum())) if len(drawn) else 0.0
        total = ns - ns % DAY_NS + np.round(np.nan_to_num(seconds) * 1e6).astype(np.int64) * 10**3
        out = pd.Series(np.where(missing, 0, total).view("datetime64[ns]"), index=body.index).where(~missing)
        zone = body[name].dtype
        if isinstance(zone, pd.DatetimeTZDtype):
            out = out.dt.tz_localize("UTC").dt.tz_convert(zone.tz)
        body[name] = out
    return body.drop(columns=[s[1] for s in todo])


def _floor_day(value: Any) -> Any:
    """A condition's timestamp floored to its day (midnight UTC, as :func:`split_times` floors), same zone."""
    if not isinstance(value, pd.Timestamp) or value is pd.NaT:
        return value
    utc = value.tz_convert("UTC").tz_localize(None) if value.tz is not None else value
    day = pd.Timestamp(utc.value - utc.value % DAY_NS)
    return day.tz_localize("UTC").tz_convert(value.tz) if value.tz is not None else day


def _on_clock(value: Any, zone: Zone | None) -> Any:
    """A condition's timestamp on a column's local wall clock (naive), as :func:`to_local` puts the column."""
    if zone is None or not isinstance(value, pd.Timestamp) or value is pd.NaT:
        return value
    utc = value.tz_convert("UTC").tz_localize(None) if value.tz is not None else value
    if isinstance(zone, int):
        return utc + pd.Timedelta(seconds=zone)
    return utc.tz_localize("UTC").tz_convert(zone).tz_localize(None)


def day_conditions(
    conditions: Mapping[str, Any], splits: Sequence[Split], zones: Mapping[str, Zone] | None = None
) -> dict[str, Any]:
    """Conditions as the model sees its columns, for its exact sampler: on a column with a local clock (``zones``)
    on that clock, and on split datetimes as conditions on their days (which the model draws): a timestamp becomes
    its day, a range the range of its days. The rows drawn are then checked against the conditions on their joined
    values, so the time of day is filtered there."""
    split = {s[0] for s in splits}
    zones = zones or {}
    out: dict[str, Any] = {}
    for column, condition in conditions.items():
        zone = zones.get(column)

        def day(v: Any, zone: Zone | None = zone, column: str = column) -> Any:
            local = _on_clock(v, zone)
            return _floor_day(local) if column in split else local

        if column not in split and zone is None:
            out[column] = condition
        elif isinstance(condition, tuple):
            out[column] = tuple(day(v) for v in condition)
        elif isinstance(condition, list):
            out[column] = list(dict.fromkeys(day(v) for v in condition))
        else:
            out[column] = day(condition)
    return out


def time_orders(
    data: pd.DataFrame, schema: Schema, split: Collection[str], declared: Sequence[tuple[str, str, float]] | None
) -> tuple[tuple[str, str, float], ...]:
    """The orders between two datetimes, one of them in ``split`` (split into day and time, or moved to a drawn
    weekday: :mod:`synth.synthesizers.weekdays`), that the base keeps on whole rows (the model keeps them between
    the days it draws only): every such order the real rows hold (:func:`~synth.synthesizers.row_orders.
    frame_redrawn_date_orders`), or for a model with a guarantee (``declared`` not None) only the declared ones."""
    from synth.synthesizers.row_orders import frame_redrawn_date_orders

    if not split:
        return ()
    if declared is not None:
        found: Sequence[tuple[str, str, float]] = declared
    else:
        found = frame_redrawn_date_orders(data, schema, set(), set())
    return tuple((a, b, float(s)) for a, b, s in found if a in split or b in split)


def check_times(model: Any) -> None:
    """Raise ModelFileError unless a loaded model's splits and time orders are ones a fit could have written: each
    split names a modelled datetime column once, a hidden name of its own and a grain from 1 second to an hour."""
    splits = getattr(model, "times_", ())
    orders = getattr(model, "time_orders_", ())
    schema = model.schema_
    if not isinstance(splits, tuple) or not isinstance(orders, tuple):
        raise ModelFileError("the model file is damaged or was altered: its time-of-day columns are not a list")
    seen: set[str] = set()
    for item in splits:
        ok = isinstance(item, tuple) and len(item) == 3
        name, hidden, grain = item if ok else ("", "", 0)
        ok = (
            ok
            and isinstance(name, str)
            and name in schema.modelled
            and schema[name].kind is ColumnKind.DATETIME
            and isinstance(hidden, str)
            and hidden not in schema
            and name not in seen
            and hidden not in seen
            and isinstance(grain, int)
            and not isinstance(grain, bool)
            and 1 <= grain <= 3600
        )
        if not ok:
            raise ModelFileError(f"the model file is damaged or was altered: a bad time-of-day column {item!r}")
        seen.update((name, hidden))
    zones = getattr(model, "time_zones_", {})
    if not isinstance(zones, dict) or not all(
        name in schema.modelled
        and schema[name].kind is ColumnKind.DATETIME
        and (
            (isinstance(zone, int) and not isinstance(zone, bool) and 0 < abs(zone) <= MAX_OFFSET_S)
            or (isinstance(zone, str) and _readable_zone(zone))
        )
        for name, zone in (zones.items() if isinstance(zones, dict) else ())
    ):
        raise ModelFileError(f"the model file is damaged or was altered: a bad local clock in {zones!r}")
    dates = set(schema.names_of(ColumnKind.DATETIME))
    for order in orders:
        if not (
            isinstance(order, tuple)
            and len(order) == 3
            and order[0] in dates
            and order[1] in dates
            and order[2] in (1.0, -1.0)
        ):
            raise ModelFileError(f"the model file is damaged or was altered: a bad order between times {order!r}")
