"""Dates whose real weekdays are patterned modelled with a hidden day-of-week column, for every synthesizer.

Why
    A date is one number to every model (days since the epoch). The copula interpolates between quantile knots
    weeks apart, CART draws within leaves and bands spanning weeks, the DP network bins the range: whatever the real
    weekdays, the synthetic ones came out near uniform wherever the model smooths the day. A clinic closed at
    weekends got 14% (copula), 27% (Pruned CART) and 30% (DP network) of its visits back on a Saturday or Sunday
    (``python -m benchmarks.bench_weekdays``).

How
    At fit (:func:`split_weekdays`) a date or datetime column whose real weekdays are patterned (the test Compare
    uses: :func:`synth.evaluation.date_parts.patterned_parts`, chi-square p < 0.001 over at least four weeks) gets a
    hidden categorical column right after it, its day of week (``"Mon"`` … ``"Sun"``, of the UTC day that
    :mod:`synth.synthesizers.time_of_day` splits a timestamp at). Each model learns it like any category, with its
    dependence on the others where the model has one (CART: a department open only on Mondays). At sample time
    (:func:`join_weekdays`) each drawn day moves to the nearest day with the drawn weekday (at most 3 days), or
    the one a week the other way when the nearest would leave the column's range or a condition's range; it
    stays where it is when neither fits. The hidden column is then dropped, and exact rules reading the date
    (:mod:`synth.synthesizers.derived`: a weekday or month column computed from it) are computed again from the
    moved day. Exact rules never compute the hidden column itself (:func:`is_hidden_weekday`): a weekday read off the
    drawn day would only give the drawn day back.

Orders
    Moving two dates of a row by different amounts can break an order between them: those the base keeps between
    timestamps (:func:`synth.synthesizers.time_of_day.time_orders`, now also for moved dates) are kept on whole
    rows by :func:`synth.synthesizers.row_orders.keep_orders`, which draws the rows that break one again.

Differential privacy
    Which columns get a hidden weekday must not depend on any row without noise: for a model with a guarantee every
    date and datetime column is offered one (the schema alone decides), and the model keeps it only where a noisy
    test of the date's seven weekday counts finds a pattern (:mod:`synth.synthesizers.dp.patterns`, a small
    accounted share of ε): with a hidden weekday on every date, a table whose weekdays are uniform only spread its
    tables' ε over more columns. The seven labels are fixed, declared public without reading the data (no labels
    budget, no δ); the counts the network learns of it are noisy like any table's, inside the accounted ε. Orders
    between moved dates are only the declared ones.

Model files
    ``weekdays_`` (column, hidden column) is the model's state; files saved before it existed have none and sample
    as they did (:func:`check_weekdays` validates it on load).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.dates import DAY_NS
from synth.synthesizers.instants import datetime_ns
from synth.synthesizers.persist import ModelFileError

#: The hidden column's name: the date's, then this (a number is appended should the table already hold it).
SUFFIX = " · day of week"
#: The hidden column's labels, Monday first (as :data:`synth.evaluation.date_parts.WEEKDAYS`).
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_REASON = "day of week of "

Week = tuple[str, str]  # (date column, hidden day-of-week column)


def is_hidden_weekday(spec: ColumnSpec) -> bool:
    """Whether ``spec`` is a day-of-week column :func:`split_weekdays` added after a date, not one of the user's
    columns: a category whose name holds :data:`SUFFIX` and whose reason is the one the split writes. Readers treat
    it as the date's weekday, not as data: exact rules never compute it (a weekday read off the drawn day only gives
    the drawn day back) and the DP network gives it the seven public labels, read from no row."""
    return spec.kind is ColumnKind.CATEGORICAL and spec.reason.startswith(_REASON) and SUFFIX in spec.name


def _hidden_name(name: str, taken: set[str]) -> str:
    hidden, k = name + SUFFIX, 2
    while hidden in taken:
        hidden, k = f"{name}{SUFFIX} {k}", k + 1
    return hidden


def weekday_index(ns: np.ndarray) -> np.ndarray:
    """The weekday (0 = Monday) of the UTC day of nanoseconds since the epoch (1970-01-01 was a Thursday)."""
    return (np.floor_divide(ns, DAY_NS) + 3) % 7


def patterned_dates(data: pd.DataFrame, schema: Schema, people: np.ndarray | None = None) -> list[str]:
    """The date and datetime columns of ``data`` whose weekdays Compare finds patterned; ``people``: each row's
    person code (:func:`~synth.synthesizers.person_rarity.person_codes`), whose value then counts once, as Compare
    counts it (a customer's birth date on their several applications is one draw)."""
    from synth.evaluation.date_parts import patterned_parts  # scipy's chi-square, only when a table has dates

    dates = schema.names_of(ColumnKind.DATETIME)
    if not dates:
        return []
    person = None if people is None or len(people) != len(data) else pd.Series(people)
    return [p.column for p in patterned_parts(data, schema, dates, person) if p.part == "day of week"]


def split_weekdays(
    data: pd.DataFrame, schema: Schema, *, private: bool, people: np.ndarray | None = None
) -> tuple[pd.DataFrame, Schema, tuple[Week, ...]]:
    """The modelled ``data`` and ``schema`` with a hidden day-of-week column after each date whose weekdays are
    patterned (``private``, a model with a guarantee: after every date, whatever the rows hold; the model's own noisy
    test then drops those it finds uniform), and the pairs. ``people``: each row's person code, for the test."""
    chosen = set(schema.names_of(ColumnKind.DATETIME) if private else patterned_dates(data, schema, people))
    if not chosen:
        return data, schema, ()
    taken = set(schema.names)
    columns: dict[str, Any] = {}
    specs: list[ColumnSpec] = []
    weeks: list[Week] = []
    for spec in schema:
        columns[spec.name] = data[spec.name]
        specs.append(spec)
        if spec.name not in chosen:
            continue
        hidden = _hidden_name(spec.name, taken)
        taken.add(hidden)
        ns, missing = datetime_ns(data[spec.name])
        labels = np.asarray(WEEKDAYS, dtype=object)[weekday_index(ns)]
        columns[hidden] = pd.Series(np.where(missing, None, labels), index=data.index, dtype=object)
        specs.append(ColumnSpec(hidden, ColumnKind.CATEGORICAL, _REASON + spec.name, dtype="object"))
        weeks.append((spec.name, hidden))
    return pd.DataFrame(columns, index=data.index), Schema(tuple(specs)), tuple(weeks)


def public_weekdays(weeks: Sequence[Week]) -> dict[str, list[Any]]:
    """The hidden columns' public domains for a DP model: the seven labels and missing, none read from the data."""
    return {hidden: [*WEEKDAYS, None] for _, hidden in weeks}


def _day_bounds(model: Any, conditions: Mapping[str, Any]) -> dict[str, tuple[float, float] | None]:
    """Per moved column, the days (since the epoch) a move may reach: the column's range (its domain) cut to a
    condition's range; None where a condition lists values (a move could leave them: the day is kept)."""
    out: dict[str, tuple[float, float] | None] = {}
    domains = {d.name: d for d in getattr(model, "domain_", ())}
    zones = getattr(model, "time_zones_", {})
    for name, _ in getattr(model, "weekdays_", ()):
        dom = domains.get(name)
        ends = [getattr(dom, "low", None), getattr(dom, "high", None)]
        cond = conditions.get(name, ())
        if name in conditions and not isinstance(cond, tuple):
            out[name] = None
            continue
        low, high = -np.inf, np.inf
        for i, value in enumerate([*ends, *(cond or (None, None))]):
            day = _utc_day(value, zones.get(name))
            if day is None:
                continue
            low, high = (max(low, day), high) if i % 2 == 0 else (low, min(high, day))
        out[name] = (low, high)
    return out


def _utc_day(value: Any, zone: Any = None) -> float | None:
    """The day (since the epoch) of a timestamp: its UTC day, or its day on a column's local clock (``zone``)."""
    from synth.synthesizers.time_of_day import _on_clock

    if value is None or value is pd.NaT or not isinstance(value, pd.Timestamp | np.datetime64 | str):
        return None
    ts = pd.Timestamp(value)
    utc = ts.tz_convert("UTC").tz_localize(None) if ts.tz is not None else ts
    return float(_on_clock(utc, zone).value // DAY_NS)


def join_weekdays(
    body: pd.DataFrame, model: Any, rng: np.random.Generator, conditions: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Model rows with each date moved to the nearest day with its drawn weekday (see the module docstring), exact
    rules reading the moved dates computed again, and the hidden columns dropped; rows without a hidden column
    (already joined) are returned as they are. A row whose date is present but whose weekday the model left
    missing takes the weekday of another drawn row."""
    weeks = [w for w in getattr(model, "weekdays_", ()) if w[1] in body.columns]
    if not weeks:
        return body
    body = body.copy()
    bounds = _day_bounds(model, conditions or {})
    code = {label: i for i, label in enumerate(WEEKDAYS)}
    for name, hidden in weeks:
        ns, missing = datetime_ns(body[name])
        drawn = np.array([code.get(v, -1) for v in body[hidden].to_numpy()], dtype=np.int64)
        lost = (drawn < 0) & ~missing
        if lost.any():
            seen = drawn[drawn >= 0]
            drawn[lost] = rng.choice(seen, int(lost.sum())) if len(seen) else weekday_index(ns[lost])
        day = np.floor_divide(ns, DAY_NS)
        near = (drawn - weekday_index(ns) + 3) % 7 - 3  # -3 … 3
        far = np.where(near > 0, near - 7, near + 7)  # the same weekday a week the other way
        limit = bounds.get(name)
        if limit is None:
            shift = np.zeros_like(near)
        else:
            # A move never takes a day further out than the model drew it (its own draw may lie past the range).
            low, high = np.minimum(limit[0], day), np.maximum(limit[1], day)
            inside = [(day + s >= low) & (day + s <= high) for s in (near, far)]
            shift = np.where(inside[0], near, np.where(inside[1] & (near != 0), far, 0))
        shift[missing] = 0
        moved = ns + shift.astype(np.int64) * DAY_NS
        out = pd.Series(np.where(missing, 0, moved).view("datetime64[ns]"), index=body.index).where(~missing)
        zone = body[name].dtype
        if isinstance(zone, pd.DatetimeTZDtype):
            out = out.dt.tz_localize("UTC").dt.tz_convert(zone.tz)
        body[name] = out
        body[hidden] = pd.Series(np.asarray(WEEKDAYS, dtype=object)[weekday_index(moved)], index=body.index)
    body = rules_again(body, model, {n for w in weeks for n in w})
    return body.drop(columns=[w[1] for w in weeks])


def rules_again(body: pd.DataFrame, model: Any, moved: set[str]) -> pd.DataFrame:
    """``body`` with every exact rule that reads a moved column (or a rule's output that does) computed again."""
    from synth.synthesizers.derived import apply_rules, rules_of

    again = []
    for rule in rules_of(model):  # in an order that computes every input before its use
        if moved & set(rule.inputs):
            again.append(rule)
            moved.add(rule.output)
    if not again:
        return body
    return apply_rules(body, again).set_axis(body.index)


def check_weekdays(model: Any) -> None:
    """Raise ModelFileError unless a loaded model's weekday pairs are ones a fit could have written: each names a
    modelled datetime column once and a hidden name of its own."""
    weeks = getattr(model, "weekdays_", ())
    schema = model.schema_
    if not isinstance(weeks, tuple):
        raise ModelFileError("the model file is damaged or was altered: its day-of-week columns are not a list")
    seen = {s[1] for s in getattr(model, "times_", ()) if isinstance(s, tuple) and len(s) == 3}
    for item in weeks:
        ok = isinstance(item, tuple) and len(item) == 2 and all(isinstance(x, str) for x in item)
        name, hidden = item if ok else ("", "")
        if not (
            ok
            and name in schema.modelled
            and schema[name].kind is ColumnKind.DATETIME
            and hidden not in schema
            and name not in seen
            and hidden not in seen
        ):
            raise ModelFileError(f"the model file is damaged or was altered: a bad day-of-week column {item!r}")
        seen.update((name, hidden))


def join_parts(
    model: Any, body: pd.DataFrame, rng: np.random.Generator, conditions: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    """Model rows as the user's columns: each date moved to its drawn weekday (:func:`join_weekdays`), then each
    split datetime's day and time of day added together (:func:`synth.synthesizers.time_of_day.join_times`) and
    put back on its real clock, then shares scaled to their total
    (:func:`synth.synthesizers.compositions.apply_compositions`; columns a condition holds keep their value), the
    shares of a constant sum rule kept from going below 0 (:func:`synth.synthesizers.derived_arithmetic.apply_shares`)
    and each end date computed from its start and duration (:func:`synth.synthesizers.elapsed.apply_elapsed`)."""
    from synth.synthesizers.compositions import apply_compositions
    from synth.synthesizers.derived_arithmetic import apply_shares
    from synth.synthesizers.elapsed import apply_elapsed
    from synth.synthesizers.time_of_day import from_local, join_times, written_fractions

    fractions = written_fractions(model.schema_)
    joined = join_times(join_weekdays(body, model, rng, conditions), getattr(model, "times_", ()), rng, fractions)
    joined = from_local(joined, getattr(model, "time_zones_", {}))  # (columns on a local clock back to UTC)
    fixed = conditions or ()
    return apply_elapsed(apply_shares(apply_compositions(joined, model, fixed=fixed), model, fixed), model)
