"""Finding exact derived-column rules at fit (see :mod:`synth.synthesizers.derived` for what they are).

A rule is kept only when it holds on *every* training row, and only when chance cannot explain it:

* a relabelling or a lookup (``B = f(A)``) must show that B depends on A by a chi-square test of independence
  (p below :data:`P_DEPENDENT`), which a near-unique A cannot: with one row per value of A, any B is "a function"
  of it and the test finds nothing. Every value of A must moreover be held by at least ``threshold`` training rows
  (the model's own threshold for storing a value) to be listed in the table; a rarer value is left out, and the
  lookup stands only if the nearest listed value (for numbers and dates) gives the same output on every row that
  holds it, so a rare value is never written into the file and the rule still holds on every training row. When
  the nearest value is wrong for some of them, the lookup is *partial*: it computes the rows whose value is listed
  (at least half of them) and leaves the others to the model;
* a lookup of two columns (``C = f(A, B)``, a function of neither alone) passes the same test on the pairs of
  values, lists only pairs held by ``threshold`` rows, and must moreover be too unlikely to hold by chance (the
  bound below, over the rows past the first of each pair). Only columns of at most :data:`PAIR_VALUES` values are
  keys, only the :data:`PAIR_SOURCES` of them with fewest values are paired, and C must come after both in the
  table (of three columns each a function of the other two, ``weekday``, ``holiday`` and ``workingday``, the last
  is computed): at most 496 pairs, each checked on a sample of rows before the whole table. A column with a
  one-column rule gets none; a two-column lookup wins over a partial one-column lookup, which leaves rows modelled;
* an offset date part, a sum (``c = a + b``) or an elapsed date (``end = start + duration`` in one unit,
  :mod:`synth.synthesizers.elapsed`) must be too unlikely to hold by chance: under independence a row
  satisfies it with probability at most the share of the output's most common value, so the rule must hold on
  enough rows that this share to the power of the rows is below :data:`CHANCE`.

Search is vectorised and screened on a strided sample of rows (no random draw, so a fit's random stream is
untouched): a pair that fails on the sample is never checked on the whole table.

When the fit knows the person behind each row (:mod:`synth.synthesizers.person_rarity`), "held by ``threshold``
rows" reads "held by ``threshold`` people" for every value, pair and date part a table lists: a pair of values on
one patient's 10 visits is that patient's. Sums are screened by a random
projection of each column (a linear fingerprint: ``f(a) + f(b) = f(a + b)``), so the triples checked are the few
whose fingerprints add up.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers.derived import (
    CALENDAR_DAY,
    PARTS,
    UNITS,
    DerivedRule,
    date_part,
    pair_lookup,
    table_lookup,
    topological,
)
from synth.synthesizers.derived_arithmetic import arithmetic_rules
from synth.synthesizers.elapsed_rounded import rounded_rules
from synth.synthesizers.instants import datetime_ns
from synth.synthesizers.person_rarity import held_by
from synth.synthesizers.weekdays import is_hidden_weekday

#: A relabelling or lookup is kept when the chi-square test of independence gives p below this.
P_DEPENDENT = 1e-6
#: An offset or a sum is kept when holding on every row by chance has probability below this.
CHANCE = 1e-9
#: Rows of the strided sample that screens pairs before a full check.
SCREEN_ROWS = 256
#: A partial lookup must compute at least this share of the training rows.
PARTIAL_SHARE = 0.5
#: Tables with fewer rows are not searched.
MIN_ROWS = 20
#: A two-column lookup reads columns (labels, flags, whole numbers) of at most this many values ...
PAIR_VALUES = 12
#: ... and pairs only this many of them, those with fewest values (496 pairs at most: 0.02–0.06 s more on 40 such
#: columns × 20,000 rows; 0: no two-column lookups).
PAIR_SOURCES = 32

_NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)
_LABELS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)


class _Column:
    """One candidate column: its values, integer codes and value counts."""

    def __init__(self, name: str, kind: ColumnKind, series: pd.Series) -> None:
        self.name = name
        self.kind = kind
        self.series = series.reset_index(drop=True)
        codes, uniques = pd.factorize(self.series, sort=True)
        self.missing = bool(len(codes)) and int(codes.min()) < 0  # factorize codes missing as -1
        self.codes = np.maximum(codes, 0).astype(np.int64)
        self.uniques = uniques
        self.k = len(uniques)
        self.counts = np.bincount(self.codes, minlength=self.k)
        self.held = self.counts  # rows, or people when the fit knows them (find_rules): what a listing needs
        self.top_share = float(self.counts.max() / len(codes))
        self.numeric = kind in _NUMERIC
        self.values: np.ndarray = self.series.to_numpy(dtype=float) if self.numeric else np.zeros(0)


def _plain(value: Any) -> Any:
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def depends(a: np.ndarray, ka: int, b: np.ndarray, kb: int) -> bool:
    """Whether the chi-square test of independence finds that ``b`` depends on ``a`` (p < P_DEPENDENT)."""
    from scipy.stats import chi2  # here: scipy.stats takes ~0.4 s to import, paid by a fit only

    n = len(a)
    table = np.bincount(a * kb + b, minlength=ka * kb).reshape(ka, kb).astype(float)
    rows, cols = table.sum(axis=1), table.sum(axis=0)
    expected = np.outer(rows, cols) / n
    keep = expected > 0
    stat = float((((table - expected) ** 2)[keep] / expected[keep]).sum())
    dof = (int((rows > 0).sum()) - 1) * (int((cols > 0).sum()) - 1)
    return dof > 0 and float(chi2.sf(stat, dof)) < P_DEPENDENT


def functional(a: np.ndarray, others: np.ndarray) -> np.ndarray:
    """For each column of ``others`` (rows × m codes), whether it is a function of the codes ``a``."""
    if others.shape[1] == 0:
        return np.zeros(0, dtype=bool)
    order = np.argsort(a, kind="stable")
    sa = a[order]
    same = sa[1:] == sa[:-1]
    so = others[order]
    return ~((so[1:] != so[:-1]) & same[:, None]).any(axis=0)


def _table(a: _Column | np.ndarray, b: _Column) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Keys (sorted values of ``a``) and the value of ``b`` for each: ``b`` is a function of ``a``."""
    if isinstance(a, _Column):
        codes, uniques = a.codes, list(a.uniques)
    else:
        c, u = pd.factorize(pd.Series(a), sort=True)
        codes, uniques = c.astype(np.int64), list(u)
    first = np.full(len(uniques), -1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    values = b.series.to_numpy()
    return tuple(_plain(k) for k in uniques), tuple(_plain(values[i]) for i in first)


def _screen(n: int) -> np.ndarray:
    step = max(1, n // SCREEN_ROWS)
    return np.arange(0, n, step)[:SCREEN_ROWS]


def date_part_rules(
    cols: list[_Column], threshold: int, people: np.ndarray | None = None
) -> dict[str, list[DerivedRule]]:
    out: dict[str, list[DerivedRule]] = {}
    n = len(cols[0].codes)
    sources = [c for c in cols if c.kind is ColumnKind.DATETIME]
    if not sources:
        return out
    numeric = [c for c in cols if c.numeric]
    num_matrix = np.column_stack([c.values for c in numeric]) if numeric else np.empty((n, 0))
    label_like = [c for c in cols if c.kind in _LABELS or c.numeric]
    codes = np.column_stack([c.codes for c in label_like]) if label_like else np.empty((n, 0), dtype=np.int64)
    rows = _screen(n)
    for source in sources:
        for part in PARTS:
            p = date_part(source.series, part)
            if np.isnan(p).any():
                continue
            p_codes, p_uniques = pd.factorize(p, sort=True)
            if len(p_uniques) < 2:
                continue
            if numeric:  # output = part + offset, screened on the sample rows
                near = np.flatnonzero(np.ptp(num_matrix[rows] - p[rows, None], axis=0) <= 1e-6)
                diff = num_matrix[:, near] - p[:, None]
                flat = np.ptp(diff, axis=0) <= 1e-9 * np.maximum(1.0, np.abs(diff[0]))
                for j, off in zip(near[flat], diff[0, flat], strict=True):
                    col = numeric[j]
                    if col.top_share**n < CHANCE:
                        offset = float(np.round(off, 9))
                        rule = DerivedRule("date_part", col.name, (source.name,), part=part, offset=offset)
                        out.setdefault(col.name, []).append(rule)
            counts = held_by(p_codes, len(p_uniques), people)
            if counts.min() < threshold:
                continue
            pc = p_codes.astype(np.int64)
            idx = np.flatnonzero(functional(pc[rows], codes[rows]))
            for j in idx[functional(pc, codes[:, idx])]:
                col = label_like[j]
                if col.k < 2 or not depends(pc, len(p_uniques), col.codes, col.k):
                    continue
                keys, values = _table(p, col)
                keys = tuple(int(k) for k in keys)
                out.setdefault(col.name, []).append(
                    DerivedRule("date_part", col.name, (source.name,), part=part, keys=keys, values=values)
                )
    return out


def sum_rules(cols: list[_Column]) -> dict[str, list[DerivedRule]]:
    numeric = [c for c in cols if c.numeric]
    out: dict[str, list[DerivedRule]] = {}
    k = len(numeric)
    if k < 3:
        return out
    full = np.column_stack([c.values for c in numeric])
    rows = _screen(len(full))
    sample = full[rows]
    w = np.random.default_rng(20261203).standard_normal(len(rows))
    finger = w @ sample
    size = np.abs(w) @ np.abs(sample)
    order = np.argsort(finger)
    sorted_f = finger[order]
    for i, c in enumerate(numeric):
        if c.top_share ** len(full) >= CHANCE:
            continue
        target = finger[i] - finger  # f(b) for each a
        tol = 1e-7 * (size[i] + 2 * size) + 1e-12
        low = np.searchsorted(sorted_f, target - tol, side="left")
        high = np.searchsorted(sorted_f, target + tol, side="right")
        for a in np.flatnonzero(high > low):
            if a == i:
                continue
            for b in order[low[a] : high[a]]:
                if b == i or b <= a:
                    continue
                got = full[:, a] + full[:, b]
                if np.all(np.abs(full[:, i] - got) <= 1e-9 * np.maximum(1.0, np.abs(got))):
                    rule = DerivedRule("sum", c.name, (numeric[a].name, numeric[int(b)].name))
                    out.setdefault(c.name, []).append(rule)
    return out


def elapsed_rules(
    cols: list[_Column], decimals: dict[str, int | None] | None = None, written: dict[str, int | None] | None = None
) -> dict[str, list[DerivedRule]]:
    """``later = earlier + number × unit`` for each pair of dates and each number that holds on every row, then the
    rounded ones (``number`` = the whole units, rounded units or midnights between them:
    :mod:`synth.synthesizers.elapsed_rounded`; ``decimals``: each number's recorded decimals, ``written``: those
    the model writes it to, None for a number it writes unrounded, whose rule then keeps no decimals)."""
    out: dict[str, list[DerivedRule]] = {}
    dates = [c for c in cols if c.kind is ColumnKind.DATETIME]
    numeric = [c for c in cols if c.numeric]
    if len(dates) < 2 or not numeric:
        return out
    n = len(dates[0].codes)
    whole = {c.name: datetime_ns(c.series)[0] for c in dates}  # int64: the rounded rules' calendar arithmetic
    ns = {name: values.astype(float) for name, values in whole.items()}
    full = np.column_stack([c.values for c in numeric])
    rows = _screen(n)
    for later in dates:
        if later.top_share**n >= CHANCE:
            continue
        for earlier in dates:
            if earlier is later:
                continue
            gap = ns[later.name] - ns[earlier.name]
            gaps = {unit: gap for unit in UNITS}
            if _day_count(later, earlier, ns):  # a date counted in days from a timestamp's day: a stay in days
                gaps[CALENDAR_DAY] = ns[later.name] - _floor_day(ns[earlier.name])
            for unit, gap in gaps.items():
                size = UNITS[unit]
                amount = gap / size
                near = np.flatnonzero(np.abs(full[rows] - amount[rows, None]).max(axis=0) <= 1e-6)
                for j in near:
                    if np.all(np.abs(full[:, j] * size - gap) <= 0.5):  # to the nanosecond on every row
                        rule = DerivedRule("elapsed", later.name, (earlier.name, numeric[j].name), part=unit)
                        out.setdefault(later.name, []).append(rule)
    for rule in rounded_rules(dates, numeric, whole, decimals or {}, written, CHANCE, rows):
        out.setdefault(rule.output, []).append(rule)
    return out


def _floor_day(ns: np.ndarray) -> np.ndarray:
    return ns - np.mod(ns, UNITS["day"])


def _day_count(later: _Column, earlier: _Column, ns: dict[str, np.ndarray]) -> bool:
    """Whether ``later`` holds dates only and ``earlier`` times of day, neither with a time zone (a wall-clock day)."""
    a, b = ns[later.name], ns[earlier.name]
    if any(getattr(c.series.dtype, "tz", None) is not None for c in (later, earlier)):
        return False
    return bool(np.all(np.mod(a, UNITS["day"]) == 0)) and bool(np.any(np.mod(b, UNITS["day"]) != 0))


def _least(c: _Column, threshold: int, number_threshold: int) -> int:
    """The fewest rows that must hold a value of ``c`` before a table may list it: labels by the category
    threshold, numbers and dates by the numbers' one."""
    return max(threshold if c.kind in _LABELS else number_threshold, 2)


def lookup_rules(cols: list[_Column], threshold: int, number_threshold: int) -> dict[str, list[DerivedRule]]:
    out: dict[str, list[DerivedRule]] = {}
    n = len(cols[0].codes)
    outputs = [c for c in cols if c.kind is not ColumnKind.DATETIME]
    if not outputs:
        return out
    rows = _screen(n)
    all_codes = np.empty((n, len(outputs)), dtype=np.int32)
    for j, c in enumerate(outputs):
        all_codes[:, j] = c.codes
    screen_codes = all_codes[rows]
    ks = np.array([c.k for c in outputs])
    # Fewest distinct values first: the smallest table (and the most general input) wins for each output.

    def least(c: _Column) -> int:
        return _least(c, threshold, number_threshold)

    sources = sorted((c for c in cols if c.k < n and int((c.held >= least(c)).sum()) >= 2), key=lambda c: c.k)
    for a in sources:
        fit = (ks <= a.k) & np.array([c.name != a.name for c in outputs])
        idx = np.flatnonzero(fit)
        if not len(idx):
            continue
        idx = idx[functional(a.codes[rows], screen_codes[:, idx])]
        if not len(idx):
            continue
        idx = idx[functional(a.codes, all_codes[:, idx])]
        for j in idx:
            col = outputs[j]
            if not depends(a.codes, a.k, col.codes, col.k):
                continue
            keys, values = _table(a, col)
            kept = a.held >= least(a)
            if not kept.all():
                # Values of A held by too few rows are not listed; such a row takes the nearest listed value's output
                # (numbers and dates), and the rule stands only if that is its own output on every training row.
                keys = tuple(k for k, keep in zip(keys, kept, strict=True) if keep)
                values = tuple(v for v, keep in zip(values, kept, strict=True) if keep)
                got = table_lookup(a.series, keys, values)
                if not bool((pd.Series(got, dtype=object) == col.series.astype(object)).all()):
                    # Nearest is wrong somewhere: a partial lookup computes only rows whose value is listed, when
                    # they are most rows; the others are modelled as without a rule.
                    if a.counts[kept].sum() < PARTIAL_SHARE * n:
                        continue
                    rule = DerivedRule("lookup", col.name, (a.name,), keys=keys, values=values, partial=True)
                    out.setdefault(col.name, []).append(rule)
                    continue
            out.setdefault(col.name, []).append(DerivedRule("lookup", col.name, (a.name,), keys=keys, values=values))
    return out


def _function_of(key: np.ndarray, size: int, others: np.ndarray) -> np.ndarray:
    """For each column of ``others`` (rows × m codes), whether it is a function of ``key`` (codes below ``size``):
    every row equals the row its key last names, with no sort."""
    last = np.zeros(size, dtype=np.intp)
    last[key] = np.arange(len(key))
    return np.asarray((others == others[last[key]]).all(axis=0))


def _pair_rule(
    a: _Column, b: _Column, col: _Column, least: int, people: np.ndarray | None = None
) -> DerivedRule | None:
    """``col = f(a, b)`` as a two-column lookup, or None when chance could explain it or no order of the two columns
    gives every row whose pair is too rare to list its own output (``col`` is a function of the pair)."""
    n = len(col.codes)
    present, inverse, counts = np.unique(a.codes * b.k + b.codes, return_inverse=True, return_counts=True)
    if col.top_share ** (n - len(present)) >= CHANCE or not depends(inverse.ravel(), len(present), col.codes, col.k):
        return None
    kept = (counts if people is None else held_by(inverse.ravel(), len(present), people)) >= least
    if int(kept.sum()) < 2:
        return None
    row = np.zeros(len(present), dtype=np.intp)
    row[inverse.ravel()] = np.arange(n)
    ia, ib, row = present[kept] // b.k, present[kept] % b.k, row[kept]
    outputs = col.series.to_numpy()
    truth = col.series.astype(object)
    for (first, one), (second, two) in (((a, ia), (b, ib)), ((b, ib), (a, ia))):
        order = np.lexsort((two, one))  # keys sorted by the first value, then the second
        pairs = zip(one[order], two[order], strict=True)
        keys = tuple((_plain(first.uniques[i]), _plain(second.uniques[j])) for i, j in pairs)
        values = tuple(_plain(outputs[r]) for r in row[order])
        rule = DerivedRule("lookup", col.name, (first.name, second.name), keys=keys, values=values)
        if kept.all():
            return rule
        if bool((pd.Series(pair_lookup(first.series, second.series, keys, values), dtype=object) == truth).all()):
            return rule
    return None


def pair_rules(
    cols: list[_Column],
    threshold: int,
    number_threshold: int,
    settled: Collection[str],
    people: np.ndarray | None = None,
) -> dict[str, list[DerivedRule]]:
    """Two-column lookups ``c = f(a, b)`` (see the module docstring) for columns not in ``settled`` (those with a
    one-column rule), smallest table first."""
    out: dict[str, list[DerivedRule]] = {}
    n = len(cols[0].codes)
    place = {c.name: i for i, c in enumerate(cols)}
    few = [
        c
        for c in cols
        if (c.kind in _LABELS or c.kind is ColumnKind.DISCRETE)
        and c.k <= PAIR_VALUES
        and int((c.held >= _least(c, threshold, number_threshold)).sum()) >= 2
    ]
    sources = sorted(sorted(few, key=lambda c: c.k)[:PAIR_SOURCES], key=lambda c: place[c.name])
    if len(sources) < 2:
        return out
    most = int(np.prod(sorted(c.k for c in sources)[-2:]))  # the most pairs of values two sources hold
    # (an output chance could fix on every pair is dropped here: the bound of _pair_rule, with the most pairs)
    outputs = [
        c
        for c in cols
        if c.kind is not ColumnKind.DATETIME and c.name not in settled and c.top_share ** (n - most) < CHANCE
    ]
    if not outputs:
        return out
    rows = _screen(n)
    codes = np.column_stack([c.codes for c in outputs])
    screen = codes[rows]
    found: list[tuple[int, DerivedRule]] = []
    for i, a in enumerate(sources):
        for b in sources[i + 1 :]:
            later = np.array([j for j, c in enumerate(outputs) if place[c.name] > place[b.name]], dtype=np.intp)
            if not len(later):
                continue
            size, pair = a.k * b.k, a.codes * b.k + b.codes
            later = later[_function_of(pair[rows], size, screen[:, later])]
            if not len(later):
                continue
            for j in later[_function_of(pair, size, codes[:, later])]:
                col = outputs[j]
                alone = _function_of(a.codes, a.k, codes[:, [j]])[0] or _function_of(b.codes, b.k, codes[:, [j]])[0]
                least = max(_least(a, threshold, number_threshold), _least(b, threshold, number_threshold))
                rule = None if alone else _pair_rule(a, b, col, least, people)
                if rule is not None:
                    found.append((size, rule))
    for _, rule in sorted(found, key=lambda got: got[0]):
        out.setdefault(rule.output, []).append(rule)
    return out


def find_rules(
    data: pd.DataFrame,
    schema: Schema,
    threshold: int,
    number_threshold: int | None = None,
    keep: Collection[str] = (),
    people: np.ndarray | None = None,
) -> tuple[DerivedRule, ...]:
    """The exact rules of ``data``: for each column in table order the first rule that holds (date parts, then
    sums, then lookups on the input with fewest values, then products and constant sums, then two-column lookups,
    then partial rules) whose inputs do not depend on the column (no cycles).
    Rules are returned in an order that computes every input before its use.

    ``threshold``: the fewest rows that must hold a label before a table may list it (the model's
    ``min_category_rows``); ``number_threshold``: the same for numbers and dates (CART's ``smooth_below`` when
    higher; ``threshold`` when None); ``keep``: columns no rule may compute (shares scaled to their total,
    :mod:`synth.synthesizers.compositions`); ``people``: each row's person, when the fit knows them: a value or
    pair of values is then listed only when held by ``threshold`` people, not rows."""
    n = len(data)
    if n < MIN_ROWS:
        return ()
    cols = []
    for spec in schema:
        if spec.name not in data.columns or spec.kind not in (*_NUMERIC, *_LABELS, ColumnKind.DATETIME):
            continue
        if is_hidden_weekday(spec):  # a date's hidden weekday is a weekday rule of it; computed, drawn in vain
            continue
        col = _Column(spec.name, spec.kind, data[spec.name])
        if col.k >= 2 and not col.missing:
            if people is not None:
                col.held = held_by(col.codes, col.k, people)
            cols.append(col)
    found: dict[str, list[DerivedRule]] = {}
    numbers = threshold if number_threshold is None else max(threshold, number_threshold)
    counted = {c.name: (c.k, c.top_share) for c in cols if c.numeric}
    found_parts = [arithmetic_rules(data, schema, keep, counted, CHANCE)]
    if len(cols) >= 2:
        found_parts[:0] = [
            date_part_rules(cols, threshold, people),
            sum_rules(cols),
            lookup_rules(cols, threshold, numbers),
        ]
    for part in found_parts:
        for name, rules in part.items():
            found.setdefault(name, []).extend(rules)
    settled = {name for name, rules in found.items() if any(not r.partial for r in rules)}
    for name, rules in (pair_rules(cols, threshold, numbers, settled, people) if len(cols) >= 2 else {}).items():
        found.setdefault(name, []).extend(rules)
    for rules in found.values():  # whole one-column rules, then two-column lookups, then partial rules
        rules.sort(key=lambda r: (r.partial, r.kind == "lookup" and len(r.inputs) == 2))
    accepted: list[DerivedRule] = []
    needs: dict[str, set[str]] = {}  # every column a derived column is computed from, transitively
    for name in (spec.name for spec in schema if spec.name in found):  # in table order
        for rule in found[name] if name not in keep else []:
            inputs = set(rule.inputs)
            for c in rule.inputs:
                inputs |= needs.get(c, set())
            if name in inputs:
                continue  # a cycle: an input is computed from this column
            # (A rule may read a partly computed column: order_with_rules computes it after that column's input.)
            accepted.append(rule)
            needs[name] = inputs
            for got in needs.values():
                if name in got:
                    got |= inputs
            break
    return topological(accepted)
