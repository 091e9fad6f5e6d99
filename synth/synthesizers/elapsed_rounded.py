"""Durations rounded from two timestamps: ``stay_days`` = the whole days from ``admitted`` to ``discharged``.

Why
    The exact elapsed rule (:mod:`synth.synthesizers.elapsed`) needs ``end = start + number × unit`` to the
    nanosecond. Tables more often hold the duration *rounded*: the whole days completed (pandas'
    ``(end - start).dt.days``, a stay's length when admission and discharge carry times), minutes to one decimal,
    or the midnights a stay spans (days between the two dates' days). No exact rule holds there, every model drew
    the end on its own, and the rows disagreed with themselves: on a 4,000-row claims table 59% of Pruned CART's
    synthetic stays were more than a day away from their own admission and discharge times (the copula's 32%).

How
    At fit (:func:`rounded_rules`, called by the search of elapsed rules) a pair of timestamps and a number are a
    rule when ``number = R((later − earlier) / unit)`` on every training row, for R one of

    * ``whole_<unit>``: the whole units completed (rounded down);
    * ``rounded_<unit>``: rounded to the number's recorded decimals;
    * ``midnights``: the days between the two timestamps' days (the later never before the earlier on any row, no
      time zone: a wall-clock day),
    * ``years_before``: an age, the whole calendar years from a date of birth to a later date (the birthday not
      reached yet that year counting one less); here the *earlier* date is the rule's output and moves, to the year
      the drawn age needs, keeping its drawn month, day and time (February 29 in a year without one: the 28th),

    and chance cannot explain it (the number's most common value, as a share of rows, to the power of the rows is
    below the search's bound). At sample time the model draws the end like any column, then it is moved into the
    *cell* of ends whose rounding gives the drawn number (:func:`rounded_ends`): it keeps its place within the cell
    modulo the cell's width, so an end already in its cell does not move, and it stays on the end column's own
    grain (an end recorded to the minute is written on whole minutes). The cell holds a point of that grain
    whatever the number: a rule is only kept when the cell is at least one grain wide (wider than one for a rounded
    number, whose cell's two ends are ties a rounding may send either way, so neither is used).

A number written unrounded
    CART and Pruned CART write a fraction they pool into bands unrounded where rounding could bring rare real values
    back (:func:`synth.synthesizers.rare_bands.safe_decimals`): the rounding the real rows hold cannot hold then. The
    rule is still found on the real rows (their recorded decimals), kept without decimals, and the end is the start
    plus the drawn number itself, at the end's nearest grain point ("call_end = call_start + call_minutes minutes
    (to the second)"): the gap is within half a rounding step of the number, as on every real row.

Privacy
    A rule stores three column names, the part and the end's grain (one of :data:`GRAINS`, a unit of time), and
    for a rounded number its recorded decimals: never a value.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from synth.schema.conformance import written_places
from synth.synthesizers.derived import UNITS, DerivedRule
from synth.synthesizers.instants import datetime_ns

DAY, HOUR, MINUTE, SECOND = (UNITS[unit] for unit in ("day", "hour", "minute", "second"))
#: The grains an end date may be recorded to (nanoseconds), coarsest first.
GRAINS = (DAY, HOUR, MINUTE, SECOND, UNITS["millisecond"], 1_000, 1)
#: The part whose output is the earlier date (a date of birth) and whose first input is the later one.
AGE = "years_before"
#: Each part: the unit (nanoseconds) and how the number reads the time between the dates.
PARTS: dict[str, tuple[int, str]] = {
    **{f"whole_{name}": (size, "floor") for name, size in (("day", DAY), ("hour", HOUR), ("minute", MINUTE))},
    **{f"rounded_{name}": (size, "round") for name, size in (("day", DAY), ("hour", HOUR), ("minute", MINUTE))},
    "rounded_second": (SECOND, "round"),
    "midnights": (DAY, "midnights"),
    # an age: the whole years from a date of birth (the rule's output, moved) to a later date (its first input)
    AGE: (DAY, "years"),
}
#: The most decimals a rounded number may be recorded to.
MAX_DECIMALS = 6


def grain_of(ns: np.ndarray) -> int:
    """The coarsest of :data:`GRAINS` every value of ``ns`` (int64 nanoseconds) is a multiple of."""
    for grain in GRAINS:
        if not np.any(ns % grain):
            return grain
    return 1


def cell_width(part: str, decimals: int | None) -> int:
    """How wide (nanoseconds) the set of ends that give one number is: a unit, or a unit over 10**decimals."""
    size, mode = PARTS[part]
    if mode == "round":
        return int(size // 10 ** int(decimals or 0))
    return size


def completed_years(later: np.ndarray, earlier: np.ndarray) -> np.ndarray:
    """The whole calendar years from each ``earlier`` to its ``later`` (int64 nanoseconds, wall clock): an age."""
    (ly, lmd, ltod), (ey, emd, etod) = _calendar(later), _calendar(earlier)
    before = (lmd < emd) | ((lmd == emd) & (ltod < etod))  # the anniversary not reached yet that year
    return (ly - ey - before).astype(float)


def _calendar(ns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, 100 × month + day, and time of day (nanoseconds) of each instant."""
    days = np.floor_divide(ns, DAY)
    stamps = pd.DatetimeIndex(days.astype("datetime64[D]"))
    return stamps.year.to_numpy(), (stamps.month * 100 + stamps.day).to_numpy(), ns - days * DAY


def amounts(part: str, later: np.ndarray, earlier: np.ndarray, decimals: int | None) -> np.ndarray:
    """The number each row's pair of timestamps (int64 nanoseconds) gives under ``part``."""
    size, mode = PARTS[part]
    if mode == "years":
        return completed_years(later, earlier)
    if mode == "floor":
        return np.floor_divide(later - earlier, size).astype(float)
    if mode == "midnights":
        return (np.floor_divide(later, DAY) - np.floor_divide(earlier, DAY)).astype(float)
    return np.round((later - earlier) / size, int(decimals or 0))


def kept_rows(rule: DerivedRule, output: np.ndarray, start: np.ndarray, number: np.ndarray) -> np.ndarray:
    """Which rows (the rule's output and first input as int64 nanoseconds, its number as floats) keep a rounded
    rule as a real row does: a rounded number within half a rounding step of the time between the dates (so a
    number written unrounded counts when its end follows it), an age or a whole count within half a unit."""
    size, mode = PARTS[rule.part]
    if mode == "round":
        half = 0.5 * 10.0 ** -int(rule.decimals or 0)
        return np.abs((output - start) / size - number) <= half * (1 + 1e-9) + 1e-12
    later, earlier = (start, output) if mode == "years" else (output, start)  # an age's output is the birth
    got = amounts(rule.part, later, earlier, rule.decimals)
    # a whole count: the number as written to whole units, within half of one
    return np.abs(got - number) <= np.maximum(1e-9 * np.maximum(1.0, np.abs(number)), 0.5 - 1e-12)


def rounded_rules(
    dates: list[Any],
    numeric: list[Any],
    ns: dict[str, np.ndarray],
    decimals: dict[str, int | None],
    written: dict[str, int | None] | None,
    chance: float,
    rows: np.ndarray,
) -> list[DerivedRule]:
    """Each rounded rule a pair of ``dates`` (the search's columns) holds with one of ``numeric`` on every row.
    ``ns``: each date column's int64 nanoseconds (no missing value); ``decimals``: each number's recorded decimals;
    ``written``: those the model writes it to (None: as recorded), a number it writes unrounded keeping its rule
    without decimals (the end then follows the number itself, to its grain); ``rows``: the rows a candidate is
    screened on before the whole table (as the exact rules' search screens)."""
    grains = {c.name: grain_of(ns[c.name]) for c in dates}
    wall = {c.name: getattr(c.series.dtype, "tz", None) is None for c in dates}  # no zone: a wall clock's days
    # Each number once: the places it is recorded to and, where the model writes it unrounded, none to store.
    places = {c.name: written_places(c.kind, decimals.get(c.name)) for c in numeric}
    unrounded = {c.name: written is not None and written_places(c.kind, written.get(c.name)) is None for c in numeric}
    candidates = [
        c
        for c in numeric
        if (p := places[c.name]) is not None and p <= MAX_DECIMALS and c.top_share ** len(c.values) < chance
    ]
    tolerances = {
        c.name: 1e-9 * max(1.0, float(np.nanmax(np.abs(c.values)))) if len(c.values) else 0.0 for c in candidates
    }
    found = []
    for later, earlier in ((x, y) for x in dates for y in dates if x is not y):
        a, b = ns[later.name], ns[earlier.name]
        grain, ordered = grains[later.name], not np.any(a < b)
        on_wall = wall[later.name] and wall[earlier.name]
        for part, (_size, mode) in PARTS.items():
            if mode == "midnights" and not (on_wall and grain < DAY and ordered):
                continue  # a date-only end is the exact calendar rule; a zone's days are not the wall clock's
            if mode == "years" and not (on_wall and ordered):
                continue  # an age counts forward from the earlier date, on the wall clock's calendar
            screened: dict[int | None, np.ndarray] = {}  # the part's number on the screened rows, per places
            for col in candidates:
                kept = places[col.name]
                if mode != "round" and kept:
                    continue  # a number with fractions: no whole count
                width = cell_width(part, kept)
                if mode != "years" and (width < grain or (mode == "round" and width == grain)):
                    continue  # no point of the end's grain inside some cells
                if kept not in screened:
                    screened[kept] = amounts(part, a[rows], b[rows], kept)
                tolerance = tolerances[col.name]
                if not np.all(np.abs(col.values[rows] - screened[kept]) <= tolerance):
                    continue
                if not np.all(np.abs(col.values - amounts(part, a, b, kept)) <= tolerance):
                    continue
                stored = kept if mode == "round" and not unrounded[col.name] else None
                # an age moves the date of birth (on its own grain), every other rule the later date
                output, start = (earlier, later) if mode == "years" else (later, earlier)
                grain_out = float(grains[output.name])
                found.append(
                    DerivedRule("elapsed", output.name, (start.name, col.name), part, grain_out, decimals=stored)
                )
    return found


def rounded_ends(rule: Any, start: pd.Series, amount: pd.Series, drawn: pd.Series) -> pd.Series:
    """Each row's drawn end moved into the cell of ends whose rounding gives its number (see the module docstring);
    rows missing the start or the number keep the drawn end; a missing drawn end takes its cell's first point."""
    part, decimals, grain = rule.part, rule.decimals, int(rule.offset) or 1
    size, mode = PARTS[part]
    begin, no_start = datetime_ns(start.reset_index(drop=True))
    end, no_end = datetime_ns(drawn.reset_index(drop=True))
    number = pd.to_numeric(amount.reset_index(drop=True), errors="coerce").to_numpy(dtype=float)
    skip = no_start | np.isnan(number)
    number = np.nan_to_num(number)
    if mode == "years":  # an age: the date of birth keeps its drawn day of the year, its year follows the age
        moved, outside = _birthdays(begin, number, end, no_end)
        skip = skip | outside
    elif mode == "round" and decimals is None:  # a number written unrounded: its own time, at the nearest grain
        own = begin + np.round(number * size).astype(np.int64)
        moved = np.floor_divide(own + grain // 2, grain) * grain
    else:
        moved = _in_cells(mode, part, decimals, grain, begin, np.round(number, int(decimals or 0)), end, no_end)
    out_ns = np.where(skip, end, moved)
    missing = skip & no_end
    out = pd.Series(out_ns.view("datetime64[ns]"), index=drawn.index).where(~missing)
    zone = getattr(drawn.dtype, "tz", None)
    if zone is not None:
        out = out.dt.tz_localize("UTC").dt.tz_convert(zone)
    return out


def _birthdays(
    reference: np.ndarray, age: np.ndarray, drawn: np.ndarray, no_drawn: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Dates of birth ``age`` whole years before ``reference`` on the drawn birthday (month, day and time of day;
    February 29 in a year without one: February 28; no drawn date: the reference's own day), and the rows whose
    year falls outside the dates pandas can hold (left as drawn)."""
    ry, rmd, rtod = _calendar(reference)
    _, bmd, btod = _calendar(np.where(no_drawn, reference, drawn))
    years = np.round(age).astype(np.int64)

    def year_for(md: np.ndarray) -> np.ndarray:
        return ry - years - ((rmd < md) | ((rmd == md) & (rtod < btod)))

    y = year_for(bmd)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    bmd = np.where((bmd == 229) & ~leap, 228, bmd)
    y = year_for(bmd)
    outside = (y < 1678) | (y > 2261)
    y = np.where(outside, 2000, y)
    stamps = pd.to_datetime(pd.DataFrame({"year": y, "month": bmd // 100, "day": bmd % 100}))
    return stamps.to_numpy().view(np.int64) + btod, outside


def _in_cells(
    mode: str,
    part: str,
    decimals: int | None,
    grain: int,
    begin: np.ndarray,
    number: np.ndarray,
    end: np.ndarray,
    no_end: np.ndarray,
) -> np.ndarray:
    """Each drawn ``end`` moved into its number's cell, on the grain, keeping its place in the cell."""
    size = PARTS[part][0]
    if mode == "floor":
        low = begin + np.round(number * size).astype(np.int64)
        width = np.full(len(low), size, dtype=np.int64)
    elif mode == "round":
        width = np.full(len(begin), cell_width(part, decimals), dtype=np.int64)
        low = begin + np.round(number * size).astype(np.int64) - width // 2
    else:  # midnights: the later day, from the start on (never before it)
        day = np.floor_divide(begin, DAY) * DAY + np.round(number).astype(np.int64) * DAY
        low = np.maximum(day, begin)
        width = day + DAY - low
    if mode == "round":  # both ends are ties a rounding may send either way: points strictly inside
        first = np.floor_divide(low, grain) * grain + grain
        points = np.floor_divide(low + width - 1 - first, grain) + 1 - (np.mod(low + width, grain) == 0)
    else:  # from the start of the cell (on or after it) to before its end
        first = -np.floor_divide(-low, grain) * grain
        points = np.floor_divide(low + width - 1 - first, grain) + 1
    steps = np.floor_divide(np.where(no_end, first, end) - first, grain)
    return np.where(points > 0, first + np.mod(steps, np.maximum(points, 1)) * grain, low)


def describe(rule: Any) -> str:
    """The rule in words, e.g. ``discharged = admitted + stay whole days (and less than a day more)``."""
    later, (earlier, number) = rule.output, rule.inputs
    _size, mode = PARTS[rule.part]
    unit = rule.part.split("_", 1)[-1]
    if mode == "midnights":
        return f"{later} = a time on the day {number} days after the day of {earlier}"
    if mode == "years":  # the output is the date of birth, the first input the later date
        return f"{number} = whole years from {later} to {earlier} ({later}'s year follows {number})"
    if mode == "floor":
        return f"{later} = {earlier} + {number} whole {unit}s (and less than a {unit} more)"
    if rule.decimals is None:  # the model writes the number unrounded
        return f"{later} = {earlier} + {number} {unit}s (to the {_grain_name(int(rule.offset))})"
    places = int(rule.decimals)
    rounding = f"whole {unit}s" if places == 0 else f"{places} decimal{'s' if places > 1 else ''}"
    return f"{later} = {earlier} + {number} {unit}s ({number} rounded to {rounding})"


def _grain_name(grain: int) -> str:
    names = {DAY: "day", HOUR: "hour", MINUTE: "minute", SECOND: "second", 1_000_000: "millisecond"}
    return names.get(grain, "microsecond" if grain == 1_000 else "nanosecond")


def valid(rule: Any) -> bool:
    """Whether a loaded rule's part, grain and decimals are ones a fit could have written."""
    grain = rule.offset
    if rule.part not in PARTS or isinstance(grain, bool) or not isinstance(grain, float | int):
        return False
    if not math.isfinite(grain) or grain not in GRAINS:  # (NaN and infinities first: int() would raise)
        return False
    places = rule.decimals
    if PARTS[rule.part][1] != "round":
        return places is None
    if places is None:  # a number the model writes unrounded
        return PARTS[rule.part][0] >= grain
    if isinstance(places, bool) or not isinstance(places, int) or not 0 <= places <= MAX_DECIMALS:
        return False
    return cell_width(rule.part, places) > grain


__all__ = [
    "AGE",
    "GRAINS",
    "PARTS",
    "amounts",
    "describe",
    "grain_of",
    "kept_rows",
    "rounded_ends",
    "rounded_rules",
    "valid",
]
