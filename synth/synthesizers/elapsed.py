"""End dates computed as a start plus a duration: ``submitted = started + duration_s`` seconds on every row.

Why
    Event tables carry a start, an end and the time between them (a survey's start, submit time and duration in
    seconds; an admission, a discharge and the length of stay in days). Every model drew the end on its own: the
    duration in a synthetic row had nothing to do with its two timestamps (0 of 2,500 survey rows matched, CART's
    median gap was 886 s where the real and the drawn durations were ~490 s, the copula's 4,938 s), and an analyst
    who filters "speeders" by duration finds rows that took an hour.

How
    At fit (:func:`find_elapsed`, from :meth:`synth.synthesizers.base.Synthesizer.fit`) the rules
    ``later = earlier + number × unit`` that hold to the nanosecond on every training row are found on the whole
    timestamps (before a model splits them into day and time of day), kept only where chance cannot explain them
    (:func:`synth.synthesizers.derived_search.elapsed_rules`). The model still learns the end date like any column;
    after its rows are put together (:func:`synth.synthesizers.weekdays.join_parts`) the end date is overwritten by
    the start plus the drawn duration (:func:`apply_elapsed`), before orders between timestamps are checked. The
    duration is drawn by the model with everything else (a short duration with the flag that marks it), and the
    end date follows exactly.

Privacy
    A rule stores three column names and a unit, never a value. Models with a differential-privacy guarantee find
    none (a rule read from the rows would be an unaccounted release): only models with ``exact_rules`` do.

Dates after the end
    A date never before the end on a training row (a follow-up after the discharge) is drawn by the models as its
    gap from the end; when the end is recomputed, it moves with it (``elapsed_followers_``).

Model files
    ``elapsed_`` and ``elapsed_followers_`` are part of the model's state; files saved before them have neither
    and sample as they did (:func:`check_elapsed` validates them on load).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers.derived import UNITS, DerivedRule, elapsed
from synth.synthesizers.elapsed_rounded import AGE, PARTS, rounded_ends, valid
from synth.synthesizers.instants import datetime_ns, float_ns
from synth.synthesizers.persist import ModelFileError

#: Tables with fewer rows are not searched (as for the other exact rules).
MIN_ROWS = 20
DAY_NS = 86_400_000_000_000


def find_elapsed(
    data: pd.DataFrame, schema: Schema, recorded: dict[str, int | None] | None = None
) -> tuple[tuple[DerivedRule, ...], tuple[tuple[str, str], ...]]:
    """The elapsed-date rules of the modelled ``data`` and the dates that follow each computed end.

    Rules: for each date in table order, the first that holds; a date computed from one that is itself computed
    from it is never accepted (no cycles), and rules are listed so that a computed start is computed before the
    end that reads it. Followers: (end, date) for each other date never before the end on a training row where
    both are present; a model draws such a date as its gap from the end (its most constraining order), so when the
    end is recomputed the follower moves with it and keeps its drawn gap (a follow-up visit stays 7 to 59 days
    after the discharge, as in the real rows, not before it)."""
    from synth.synthesizers.derived import topological
    from synth.synthesizers.derived_search import _Column, elapsed_rules

    if len(data) < MIN_ROWS:
        return (), ()
    numeric = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME)
    cols = []
    for spec in schema:
        if spec.name not in data.columns or spec.kind not in numeric:
            continue
        col = _Column(spec.name, spec.kind, data[spec.name])
        if col.k >= 2 and not col.missing:
            cols.append(col)
    written = {spec.name: spec.decimals for spec in schema}
    found = elapsed_rules(cols, written if recorded is None else recorded, written)
    accepted: list[DerivedRule] = []
    needs: dict[str, set[str]] = {}
    for col in cols:
        for rule in found.get(col.name, []):
            inputs = set(rule.inputs) | needs.get(rule.inputs[0], set())
            if col.name in inputs or rule.inputs[1] in {r.output for r in accepted}:
                continue
            accepted.append(rule)
            needs[col.name] = inputs
            break
    rules = topological(accepted)
    return rules, _followers(data, schema, rules)


def _followers(data: pd.DataFrame, schema: Schema, rules: tuple[DerivedRule, ...]) -> tuple[tuple[str, str], ...]:
    computed = {r.output for r in rules}
    dates = [c.name for c in schema if c.kind is ColumnKind.DATETIME and c.name in data.columns]
    ns = {}
    for name in dates:
        ns[name] = float_ns(data[name])
    out = []
    for rule in rules:
        if rule.part == AGE:  # a date of birth: every later date is "after" it, none follows it
            continue
        end = ns[rule.output]
        for name in dates:
            if name in computed or name in rule.inputs:
                continue
            both = ~np.isnan(end) & ~np.isnan(ns[name])
            if both.sum() >= 2 and bool(np.all(ns[name][both] >= end[both])):
                out.append((rule.output, name))
    return tuple(out)


def elapsed_of(model: Any) -> tuple[DerivedRule, ...]:
    """The model's elapsed-date rules (none for a model without them or a file saved before them)."""
    rules = getattr(model, "elapsed_", ())
    return tuple(rules) if isinstance(rules, tuple | list) else ()


def apply_elapsed(body: pd.DataFrame, model: Any) -> pd.DataFrame:
    """``body`` (whole timestamps, the user's columns) with each rule's end date computed from its start and
    duration, in the rules' order, and each date that follows the end moved by as much (its drawn gap from the end
    kept; a date-only follower moved by whole days, rounded up, so it stays on or after the end's day)."""
    rules = [r for r in elapsed_of(model) if r.output in body.columns]
    if not rules:
        return body
    followers = getattr(model, "elapsed_followers_", ())
    body = body.copy()
    for rule in rules:
        start, amount = (body[c] for c in rule.inputs)
        drawn = body[rule.output]
        if rule.part in PARTS:  # a rounded duration: the drawn end moved into its number's cell
            got = rounded_ends(rule, start, amount, drawn).set_axis(body.index)
        else:
            got = elapsed(start, amount, rule.part).set_axis(body.index)
        zone = drawn.dtype
        if isinstance(zone, pd.DatetimeTZDtype) and getattr(got.dt, "tz", None) is not None:
            got = got.dt.tz_convert(zone.tz)
        shift = float_ns(got) - float_ns(drawn)
        body[rule.output] = got
        for end, name in followers:
            if end == rule.output and name in body.columns:
                body[name] = _moved(body[name], shift)
    return body


def _moved(series: pd.Series, shift: np.ndarray) -> pd.Series:
    """``series`` (datetimes) moved by ``shift`` nanoseconds (rows without a shift unmoved); a column whose values
    are all whole days (in UTC) moves by whole days, rounded up."""
    values, missing = datetime_ns(series)
    shift = np.nan_to_num(shift)
    present = values[~missing]
    if len(present) and bool(np.all(present % DAY_NS == 0)):
        shift = np.ceil(shift / DAY_NS) * DAY_NS
    moved = np.where(missing, 0, values + shift.astype(np.int64))
    out = pd.Series(moved.view("datetime64[ns]"), index=series.index).where(~missing)
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        out = out.dt.tz_localize("UTC").dt.tz_convert(series.dtype.tz)
    return out


def check_elapsed(model: Any) -> None:
    """A loaded file's elapsed rules: dates the model draws, a number, a known unit, each end computed once and
    never from itself. Files saved before rules existed have none."""
    rules = getattr(model, "elapsed_", ())
    if not isinstance(rules, tuple) or not all(isinstance(r, DerivedRule) for r in rules):
        raise ModelFileError("the model file's elapsed-date rules are not rules: the file is damaged or was altered")
    kinds = {c.name: c.kind for c in model.schema_ if c.name in model.schema_.modelled}
    done: set[str] = set()
    for k, rule in enumerate(rules):
        ok = (
            rule.kind == "elapsed"
            and isinstance(rule.inputs, tuple)
            and len(rule.inputs) == 2
            and all(isinstance(c, str) and c in kinds for c in (rule.output, *rule.inputs))
            and ((rule.part in UNITS and rule.offset == 0 and rule.decimals is None) or valid(rule))
            and kinds[rule.output] is ColumnKind.DATETIME
            and kinds[rule.inputs[0]] is ColumnKind.DATETIME
            and kinds[rule.inputs[1]] in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)
            and rule.output not in done
            and rule.output not in rule.inputs
        )
        if not ok:
            raise ModelFileError(
                f"the model file's elapsed-date rule {k} is not a date plus a number of days, hours, minutes, "
                "seconds or milliseconds (exact or rounded) of columns the model draws: the file is damaged or was "
                "altered"
            )
        done.add(rule.output)
    followers = getattr(model, "elapsed_followers_", ())
    if not isinstance(followers, tuple) or not all(
        isinstance(f, tuple)
        and len(f) == 2
        and f[0] in done
        and isinstance(f[1], str)
        and f[1] in kinds
        and kinds[f[1]] is ColumnKind.DATETIME
        and f[1] not in done
        for f in followers
    ):
        raise ModelFileError(
            "the model file's dates that follow a computed end date are not dates the model draws: the file is "
            "damaged or was altered"
        )
