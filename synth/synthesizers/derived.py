"""Exact derived-column rules: columns that are a fixed function of others, computed rather than modelled.

Real tables carry columns that are exact functions of other columns: the year, month or weekday of a date
(Bike Sharing's ``yr = year(dteday) - 2011``, ``weekday``), a flag looked up from the date (``holiday``), a
total of its parts (``cnt = casual + registered``), a code that is a relabelling of a category (Adult's
``education`` and ``education-num``). A synthesizer that models such a column statistically produces rows the
real table never holds (a total that is not the sum of its parts, a weekday that does not match the date), and a
discriminator tells them apart at once. With ``exact_rules`` (CART, Pruned CART, Gaussian copula) the rules that
hold on *every* training row are found at fit (:mod:`synth.synthesizers.derived_search`) and each dependent column
is computed from its (synthetic) inputs at sample time, so every synthetic row satisfies every rule.

Rules (one frozen dataclass, :class:`DerivedRule`, saved in the model file):

* ``date_part``: a part (year, quarter, month, day, weekday with Monday = 0, day of year, calendar day, hour) of a
  datetime column, plus a constant ``offset`` (``yr = year - 2011``) or relabelled by a fixed table (``keys`` are the
  part's values, ``values`` the column's: Bike Sharing's weekday counts Sunday as 0).
* ``lookup``: ``output = f(source)`` by a table of every value of the source (``keys``) and the output's value
  for it. A key is listed only when it is held by at least as many training rows as the model's own storage
  threshold for a value (``min_category_rows``, and CART's ``smooth_below``): a lookup never writes a value into
  the file that the model would not have written anyway. A value not in the table (a rarer date, a smoothed
  number between two kept ones) takes the nearest key's output; a lookup with such values is kept only when that
  gives every training row its own output.

  A lookup may read two columns, each of few values (``workingday`` from ``weekday`` and ``holiday``, a function
  of neither alone): ``keys`` are then pairs of their values, each held by at least the threshold's rows (for a
  label and a number, the higher of the two thresholds). A pair the table does not list (too rare to store, or
  never seen in training) takes its first value's most common output among the listed pairs (ties: the first
  listed), the first value itself matched as a one-column lookup matches (nearest for numbers); the search keeps
  the order of the two columns for which that gives every training row its own output (a holiday's rare weekdays
  take the output of the holidays the table lists), and never a partial one.
* ``sum``: ``output = a + b``.
* ``product``: ``output = a × b``, or ``a × b × f(c)`` with ``f(c)`` one of ``c``, ``1 − c/100``, ``1 − c``
  (``part``), rounded to the output's recorded ``decimals``; ``constant_sum``: ``output = offset − (the inputs'
  sum)``, shares that are never negative kept so (``part = "nonnegative"``). Either is partial when an input is
  missing on some training rows: rows with every input present are computed, the others modelled
  (:mod:`synth.synthesizers.derived_arithmetic`).
* ``elapsed``: a date that is an earlier date plus a number of days, hours, minutes, seconds or milliseconds
  (``submitted = started + duration_s`` seconds). These are the base's rules, not a model's: they are applied to
  whole timestamps once a model's days and times of day are joined (:mod:`synth.synthesizers.elapsed`).

Rules are listed so that every rule's inputs are either modelled or computed by an earlier rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from synth.synthesizers import derived_arithmetic as arithmetic
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.params import Param
from synth.synthesizers.persist import register_state_type as register_state

#: The kinds a model's ``rules_`` may hold; ``elapsed`` rules are the base's (``elapsed_``, applied to whole
#: timestamps after a model's day and time of day are joined: :mod:`synth.synthesizers.elapsed`).
KINDS = ("date_part", "lookup", "sum", "product", "constant_sum")
#: Date parts, each an integer array of a datetime column (pandas' ``.dt`` accessors; weekday: Monday = 0;
#: monthday: 100 × month + day, the calendar date whatever the year, for seasons).
PARTS = ("year", "quarter", "month", "day", "weekday", "dayofyear", "monthday", "hour")
#: The units of an ``elapsed`` rule's number, in nanoseconds.
UNITS = {"day": 86_400_000_000_000, "hour": 3_600_000_000_000, "minute": 60_000_000_000, "second": 1_000_000_000}
UNITS["millisecond"] = 1_000_000
#: Whole days counted from the earlier timestamp's day (a discharge date = the admission's day + the stay in days).
CALENDAR_DAY = "calendar_day"
UNITS[CALENDAR_DAY] = UNITS["day"]

EXACT_RULES_PARAM = Param(
    "exact_rules",
    "bool",
    True,
    "Find columns that are an exact function of others on every training row (a date's year, month or weekday, "
    "a flag looked up from a date or from two other columns, a total of two parts, a quantity times a price less a "
    "discount, shares adding up to a fixed total, an end date that is a start plus a duration, exact or rounded: a "
    "stay's whole days; a date of birth that gives an age) and compute them "
    "from their inputs instead of modelling them, so no synthetic row breaks the rule. A lookup lists only input "
    "values held by enough rows to be stored at all.",
    label="Exact derived columns",
)

RULES_ARTIFACT = ArtifactItem(
    "Exact rules",
    "columns computed from others: a date part and its offset or relabelling table, a lookup table from one "
    "column's values (or two columns' pairs of values) to another's, the two parts of a sum, the columns of a "
    "product and the decimals it is rounded to, a start date and a duration's column and unit (for a rounded "
    "duration, how it is rounded, the decimals and the end's grain: a unit of time), the columns of shares and "
    "the total they add up to",
    "values",
    "A rule holds on every training row and passes a test that chance cannot explain it; a relabelling or lookup "
    "table lists only values (or pairs of values) held by at least min_category_rows training rows (and, in CART, "
    "smooth_below): no value the model would not store anyway. A rarer input value is left out of the table (it "
    "takes the nearest listed value's output, a rarer pair its first value's most common listed output, which the "
    "rule checks on every training row). A total of shares is the same on every training row, so it is no row's "
    "own value; a product stores its columns and the decimals its output is recorded to, no value.",
    held_in=("rules_", "compositions_", "elapsed_"),
)


@dataclass(frozen=True)
class DerivedRule:
    """One column computed from others (see the module docstring).

    Attributes:
        kind: ``"date_part"``, ``"lookup"``, ``"sum"``, ``"product"``, ``"constant_sum"`` or ``"elapsed"``.
        output: the computed column.
        inputs: its inputs (one for a date part, one or two for a lookup, two for a sum, two or three for a product,
            one to five for a constant sum, the earlier date and the number for an elapsed date).
        part: date parts: one of :data:`PARTS`; elapsed dates: the number's unit, one of :data:`UNITS`; a product
            of three: how the third enters (``derived_arithmetic.FACTORS``); a constant sum: ``"nonnegative"`` or
            empty; empty otherwise.
        offset: date parts without a table: ``output = part + offset``; a constant sum: the total.
        keys / values: a relabelling of a date part or a lookup table: ``output = values[i]`` where the input is
            ``keys[i]``; keys sorted (a two-column lookup's keys are pairs, sorted by the first value then the
            second).
        partial: a lookup that lists only the input's common values: rows whose input is listed are computed, the
            others keep the value the model draws (CART still fits a tree for the column); a product or constant
            sum whose inputs are missing on some rows: the rows with every input present are computed.
        decimals: a product or constant sum: the output's recorded decimals it is rounded to (None: not rounded).
        input_decimals: a product or constant sum: the decimals each input is written to as text (a number
            format's, None for a number), read rounded so (empty: none is text).
    """

    kind: str
    output: str
    inputs: tuple[str, ...]
    part: str = ""
    offset: float = 0.0
    keys: tuple[Any, ...] = ()
    values: tuple[Any, ...] = ()
    partial: bool = False
    decimals: int | None = None
    input_decimals: tuple[int | None, ...] = ()

    def describe(self) -> str:
        """The rule in words, e.g. ``yr = year of dteday − 2011``."""
        if self.kind in ("product", "constant_sum"):
            return arithmetic.describe(self)
        if self.kind == "sum":
            return f"{self.output} = {self.inputs[0]} + {self.inputs[1]}"
        if self.kind == "elapsed":
            if self.part not in UNITS:  # a rounded duration (synth.synthesizers.elapsed_rounded)
                from synth.synthesizers.elapsed_rounded import describe

                return describe(self)
            if self.part == CALENDAR_DAY:
                return f"{self.output} = the day of {self.inputs[0]} + {self.inputs[1]} days"
            return f"{self.output} = {self.inputs[0]} + {self.inputs[1]} {self.part}s"
        if self.kind == "lookup":
            if len(self.inputs) == 2:
                pairs = f"{len(self.keys):,} pairs of values"
                return f"{self.output} = a lookup of {self.inputs[0]} and {self.inputs[1]} ({pairs})"
            if self.partial:
                return (
                    f"{self.output} = a lookup of {self.inputs[0]} where it is one of {len(self.keys):,} common "
                    "values (modelled for the others)"
                )
            return f"{self.output} = a lookup of {self.inputs[0]} ({len(self.keys):,} values)"
        part = {"dayofyear": "day of year", "weekday": "weekday (Monday = 0)", "monthday": "calendar day"}.get(
            self.part, self.part
        )
        text = f"{self.output} = {part} of {self.inputs[0]}"
        if self.keys:
            return f"{text}, relabelled"
        off = float(self.offset)
        if off == 0:
            return text
        shown = f"{abs(off):g}"
        return f"{text} {'−' if off < 0 else '+'} {shown}"


register_state(DerivedRule)


def _datetimes(series: pd.Series) -> pd.Series:
    """``series`` as datetimes (NaT where unreadable); already datetimes (as CART decodes them), it is returned as
    it is: to_datetime would still look up every unique value, slowly."""
    return series if pd.api.types.is_datetime64_any_dtype(series) else pd.to_datetime(series, errors="coerce")


def date_part(series: pd.Series, part: str) -> np.ndarray:
    """The integer ``part`` of a datetime series (NaN where missing)."""
    dt = _datetimes(series)
    if part == "monthday":
        return (dt.dt.month * 100 + dt.dt.day).to_numpy(dtype=float, na_value=np.nan)
    got = getattr(dt.dt, part)
    return got.to_numpy(dtype=float, na_value=np.nan)


def elapsed(start: pd.Series, amount: pd.Series, unit: str) -> pd.Series:
    """``start`` plus ``amount`` of ``unit`` (whole nanoseconds; missing where either is missing)."""
    ns = pd.to_numeric(amount.reset_index(drop=True), errors="coerce").to_numpy(dtype=float) * UNITS[unit]
    begin = _datetimes(start.reset_index(drop=True))
    if unit == CALENDAR_DAY:
        begin = begin.dt.normalize()
    return begin + pd.to_timedelta(np.round(ns), unit="ns")


def key_array(values: Sequence[Any] | pd.Series) -> np.ndarray | None:
    """Numbers (datetimes as nanoseconds) as a float array to search in, or None for labels."""
    series = values if isinstance(values, pd.Series) else pd.Series(list(values))
    if pd.api.types.is_datetime64_any_dtype(series) or (len(series) and isinstance(series.iloc[0], pd.Timestamp)):
        dt = _datetimes(series)
        if getattr(dt.dt, "tz", None) is not None:
            dt = dt.dt.tz_convert("UTC").dt.tz_localize(None)
        ns = dt.astype("datetime64[ns]").to_numpy().view(np.int64).astype(float)
        ns[dt.isna().to_numpy()] = np.nan
        return ns
    if pd.api.types.is_bool_dtype(series) or series.dtype == object:
        if all(isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool) for v in series):
            return series.to_numpy(dtype=float)
        return None
    return series.to_numpy(dtype=float)


def _sorted_search(k: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The keys' sort order, the keys sorted, and where each of ``x`` falls among them (the first key not below it,
    the last key past them all): the search a lookup and a match of listed values share."""
    order = np.argsort(k, kind="stable")
    ks = k[order]
    return order, ks, np.clip(np.searchsorted(ks, x), 0, len(ks) - 1)


def table_lookup(source: pd.Series, keys: Sequence[Any], values: Sequence[Any]) -> np.ndarray:
    """``values[i]`` for each source value equal to ``keys[i]``; numbers and dates not in ``keys`` take the nearest
    key's value, labels not in ``keys`` the first value."""
    out_values = np.empty(len(values), dtype=object)
    out_values[:] = list(values)
    k = key_array(keys)
    x = key_array(source) if k is not None else None
    if k is not None and x is not None:
        order, ks, pos = _sorted_search(k, x)
        before = np.clip(pos - 1, 0, len(ks) - 1)
        with np.errstate(invalid="ignore"):
            nearer = np.abs(x - ks[before]) < np.abs(ks[pos] - x)
        idx = order[np.where(nearer, before, pos)]
        return out_values[idx]
    index = {key: i for i, key in enumerate(keys)}
    idx = np.array([index.get(v, 0) for v in source.astype(object).tolist()], dtype=np.intp)
    return out_values[idx]


def _positions(source: pd.Series, listed: Sequence[Any]) -> np.ndarray:
    """Each value's position in ``listed`` (distinct values), -1 where it is not listed: numbers and dates compared as
    numbers (a drawn 1.0 is the listed 1), labels as they are."""
    k = key_array(listed)
    x = key_array(source) if k is not None else None
    if k is not None and x is not None:
        order, ks, pos = _sorted_search(k, x)
        return np.where(ks[pos] == x, order[pos], -1)
    index = {key: i for i, key in enumerate(listed)}
    return np.array([index.get(v, -1) for v in source.astype(object).tolist()], dtype=np.intp)


def pair_defaults(keys: Sequence[Any], values: Sequence[Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """A two-column lookup's first values and, for each, the output most of its listed pairs give (ties: the first
    listed): the output of a pair the table does not list."""
    outputs: dict[Any, list[Any]] = {}
    for (first, _), value in zip(keys, values, strict=True):
        outputs.setdefault(first, []).append(value)
    return tuple(outputs), tuple(Counter(got).most_common(1)[0][0] for got in outputs.values())


def pair_lookup(first: pd.Series, second: pd.Series, keys: Sequence[Any], values: Sequence[Any]) -> np.ndarray:
    """``values[i]`` for each row whose two values are the pair ``keys[i]``; a pair not listed takes its first
    value's default (:func:`pair_defaults`, matched by :func:`table_lookup`: the nearest listed number)."""
    first, second = first.reset_index(drop=True), second.reset_index(drop=True)
    firsts = list(dict.fromkeys(k[0] for k in keys))
    seconds = list(dict.fromkeys(k[1] for k in keys))
    cell = np.full((len(firsts), len(seconds)), -1, dtype=np.intp)
    where_a, where_b = {v: i for i, v in enumerate(firsts)}, {v: i for i, v in enumerate(seconds)}
    for i, (x, y) in enumerate(keys):
        cell[where_a[x], where_b[y]] = i
    a, b = _positions(first, firsts), _positions(second, seconds)
    hit = np.where((a >= 0) & (b >= 0), cell[np.maximum(a, 0), np.maximum(b, 0)], -1)
    listed = np.empty(len(values), dtype=object)
    listed[:] = list(values)
    out = np.empty(len(hit), dtype=object)
    found = hit >= 0
    out[found] = listed[hit[found]]
    if not found.all():
        out[~found] = table_lookup(first[~found], *pair_defaults(keys, values))
    return out


def compute(rule: DerivedRule, inputs: Mapping[str, pd.Series]) -> pd.Series:
    """The rule's output for rows whose inputs are ``inputs`` (user-facing values: numbers, datetimes, labels)."""
    if rule.kind == "sum":
        a, b = (pd.to_numeric(inputs[c], errors="coerce").to_numpy(dtype=float) for c in rule.inputs)
        return pd.Series(a + b)
    if rule.kind == "product":
        return pd.Series(arithmetic.product(rule, inputs))
    if rule.kind == "constant_sum":
        return pd.Series(arithmetic.constant_sum(rule, inputs))
    if rule.kind == "elapsed":
        return elapsed(inputs[rule.inputs[0]], inputs[rule.inputs[1]], rule.part)
    if rule.kind == "lookup" and len(rule.inputs) == 2:
        first, second = (inputs[c] for c in rule.inputs)
        return pd.Series(pair_lookup(first, second, rule.keys, rule.values), dtype=object)
    source = inputs[rule.inputs[0]]
    if rule.kind == "date_part":
        part = date_part(source, rule.part)
        if not rule.keys:
            return pd.Series(part + float(rule.offset))
        return pd.Series(table_lookup(pd.Series(part), rule.keys, rule.values), dtype=object)
    return pd.Series(table_lookup(source.reset_index(drop=True), rule.keys, rule.values), dtype=object)


def covered(rule: DerivedRule, inputs: Mapping[str, pd.Series]) -> np.ndarray | None:
    """The rows a partial rule computes (a lookup: its input is one of the listed keys; a product or constant sum:
    every input is present); None: every row."""
    if not rule.partial:
        return None
    if rule.kind in ("product", "constant_sum"):
        return arithmetic.present(rule, inputs)
    source = inputs[rule.inputs[0]].reset_index(drop=True)
    k, x = key_array(rule.keys), key_array(source)
    if k is not None and x is not None:
        return np.isin(x, k)
    return source.astype(object).isin(list(rule.keys)).to_numpy()


def apply_rules(frame: pd.DataFrame, rules: Sequence[DerivedRule]) -> pd.DataFrame:
    """``frame`` with every rule's output (re)computed from its inputs, in the rules' order."""
    if not rules:
        return frame
    out = frame.reset_index(drop=True)
    columns = {c: out[c] for c in out.columns}
    for rule in rules:
        got = compute(rule, columns)
        old = columns.get(rule.output)
        if old is not None and pd.api.types.is_numeric_dtype(old.dtype) and got.dtype == object:
            got = pd.to_numeric(got, errors="coerce")
        rows = covered(rule, columns)
        if rows is not None and old is not None:
            got = pd.Series(np.where(rows, got.to_numpy(), old.reset_index(drop=True).to_numpy()))
        columns[rule.output] = got
    return pd.DataFrame({c: columns[c] for c in out.columns}, copy=False)


def rules_of(model: Any) -> tuple[DerivedRule, ...]:
    """The model's rules (none for a model without them, or one loaded from a file saved before rules)."""
    rules = getattr(model, "rules_", ())
    return tuple(rules) if isinstance(rules, tuple | list) else ()


def derived_columns(model: Any) -> frozenset[str]:
    """Every column a rule computes (on some rows or all), end dates computed from a start and a duration
    included."""
    from synth.synthesizers.elapsed import elapsed_of

    return frozenset(r.output for r in (*rules_of(model), *elapsed_of(model)))


def describe_rules(model: Any) -> str | None:
    """The model's exact rules and column totals in words, or None when it has neither."""
    from synth.synthesizers.compositions import compositions_of
    from synth.synthesizers.elapsed import elapsed_of

    rules = (*rules_of(model), *elapsed_of(model))
    totals = compositions_of(model)
    parts = []
    if rules:
        listed = "; ".join(r.describe() for r in rules)
        many = "s are" if len(rules) > 1 else " is"
        parts.append(f"{len(rules)} column{many} computed from other columns, as on every training row: {listed}.")
    if totals:
        listed = "; ".join(f"{' + '.join(columns)} = {total:g}" for columns, total, _ in totals)
        parts.append(f"Shares add up to the same total on every training row, and are scaled to it: {listed}.")
    if not parts:
        return None
    return " ".join(parts) + " Every synthetic row satisfies these rules."


def order_with_rules(order: Sequence[str], rules: Sequence[DerivedRule]) -> list[str]:
    """``order`` with each derived column moved to just after the last of its inputs (rules in their order). A
    partially computed column keeps its place (and its tree): it is overwritten where listed once its input is
    drawn, and the columns drawn between see the tree's draw (which, in training, equals the rule's value). A rule
    reading it comes after that input too, so it reads the column overwritten (:func:`reads`)."""
    whole = [r for r in rules if not r.partial]
    out = [c for c in order if c not in {r.output for r in whole}]
    for rule in whole:
        last = max(out.index(c) for c in reads(rule, rules))
        out.insert(last + 1, rule.output)
    return out


def reads(rule: DerivedRule, rules: Sequence[DerivedRule]) -> set[str]:
    """The columns ``rule`` must come after: its inputs, and the input of each partly computed one (the
    ``weekday`` and ``holiday`` of ``workingday``'s two-column lookup, and the date ``holiday`` is partly looked up
    from)."""
    partial = {r.output: r.inputs for r in rules if r.partial}
    return {*rule.inputs, *(c for i in rule.inputs for c in partial.get(i, ()))}


def topological(rules: Sequence[DerivedRule]) -> tuple[DerivedRule, ...]:
    """``rules`` reordered so that every rule comes after the rules computing its inputs (rules form no cycle)."""
    pending = list(rules)
    outputs = {r.output for r in rules}
    done: set[str] = set()
    out: list[DerivedRule] = []
    while pending:
        ready = [r for r in pending if all(c not in outputs or c in done for c in r.inputs)]
        if not ready:
            raise ValueError("derived-column rules form a cycle")
        for r in ready:
            out.append(r)
            done.add(r.output)
            pending.remove(r)
    return tuple(out)


def derive_codes(
    columns: Sequence[Any],
    j: int,
    rule: DerivedRule,
    values: list[np.ndarray],
    decoded: dict[int, pd.Series] | None = None,
) -> np.ndarray:
    """CART's model values (codes, numbers, date units) of column ``j`` by ``rule``, from the model values of the
    columns before it (``columns``: CART's column codings, with ``decode`` / ``encode``).

    ``decoded``: the user-facing values of columns already decoded for these rows, by position, filled as inputs
    are decoded (one date read by seven calendar rules is decoded once); column ``j``'s entry is dropped, as its
    values change here. The caller drops a column's entry whenever it assigns the column anew.
    """
    where = {col.name: i for i, col in enumerate(columns)}

    def read(i: int) -> pd.Series:
        if decoded is None:
            return columns[i].decode(values[i])
        if i not in decoded:
            decoded[i] = columns[i].decode(values[i])
        return decoded[i]

    inputs = {c: read(where[c]) for c in rule.inputs}
    if decoded is not None:
        decoded.pop(j, None)
    col = columns[j]
    if col.categorical and rule.kind == "lookup" and len(rule.inputs) == 1:
        # The lookup reads off the codes of its few listed values instead of encoding its labels row by row (a
        # missing-value scan and a hash lookup per row: 25 ms of 200,000 Adult rows' education); the same codes.
        listed = col.encode(pd.Series(list(rule.values), dtype=object))
        v = compute(replace(rule, values=tuple(listed)), inputs).to_numpy(dtype=np.float64)
    else:
        v = col.encode(compute(rule, inputs))
    if col.categorical:  # a value outside the column's categories cannot come from a rule; never index past them
        v = np.where(np.isnan(v), 0.0, v)
    rows = covered(rule, inputs)
    if rows is not None:
        v = np.where(rows, v, values[j])
    return np.asarray(v, dtype=np.float64)
