"""Columns the real table computes from others, and how often a synthetic table breaks them: Compare's table below
the orders.

A weekday that is not its date's weekday, an ``education-num`` that is not its ``education``'s code, a total that
is not the sum of its parts, a length of stay that disagrees with its own admission and discharge, shares that no
longer add up to 100: a real table holds such rules on every row, and a synthetic row that breaks one is wrong on
its face. Our models with exact rules keep them by construction (:mod:`synth.synthesizers.derived`); a synthetic
table made elsewhere (CTGAN, an uploaded file) or by a model without them need not, and nothing on the page said
so.

The search is the models' own, run on the real (training) table: :func:`~synth.synthesizers.derived_search.
find_rules` (date parts, lookups of one or two columns, sums, products, constant sums), :func:`~synth.synthesizers.
elapsed.find_elapsed` (an end date that is a start plus a duration, exact or rounded) and :func:`~synth.
synthesizers.compositions.find_compositions` (shares adding up to one total), each kept only where it holds on every
real row and chance cannot explain it. A lookup lists values held by at least :data:`LISTED_ROWS` real rows; a
synthetic row is checked when every column the rule reads and writes is present and, for a lookup, when its value (or
pair of values) is one the table lists: a value the real table never holds (or holds on too few rows) has no rule to
break.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema, infer_schema
from synth.schema.conformance import coerce_to_schema

if TYPE_CHECKING:
    from synth.evaluation.context import EvaluationContext
    from synth.synthesizers.derived import DerivedRule

#: The fewest real rows that must hold a lookup's value (or pair of values) for rows holding it to be checked.
LISTED_ROWS = 5


@dataclass(frozen=True)
class RuleBreaks:
    """How often a synthetic table breaks one rule that every real row holds."""

    #: the rule in words ("cnt = casual + registered")
    rule: str
    #: the columns it reads and the column it computes, in that order
    columns: tuple[str, ...]
    #: synthetic rows the rule applies to (every column present; a lookup's value listed)
    checked: int
    #: of those, rows that break it
    broken: int

    @property
    def share(self) -> float:
        """Broken rows as a share of checked ones (0 when none is checked)."""
        return self.broken / self.checked if self.checked else 0.0


@dataclass(frozen=True)
class RealRules:
    """The rules every row of a real table holds: exact rules (computed columns) and compositions (columns, total)."""

    rules: tuple[DerivedRule, ...]
    shares: tuple[tuple[tuple[str, ...], float], ...]


def find_real_rules(real: pd.DataFrame, schema: Schema) -> RealRules:
    """The rules of ``real`` (the models' own searches; see the module docstring)."""
    from synth.synthesizers.compositions import find_compositions
    from synth.synthesizers.derived_search import find_rules
    from synth.synthesizers.elapsed import find_elapsed

    names = [n for n in schema.modelled if n in real.columns]
    if not names:
        return RealRules((), ())
    used = schema.select(names)
    train = coerce_to_schema(real[names], used)
    shares = find_compositions(train, used)
    composed = {c for columns, _, _ in shares for c in columns}
    rules = (*find_rules(train, used, LISTED_ROWS, keep=composed), *find_elapsed(train, used)[0])
    return RealRules(tuple(rules), tuple((columns, total) for columns, total, _ in shares))


def evaluate_exact_rules(
    real: pd.DataFrame | None = None,
    synthetic: pd.DataFrame | None = None,
    schema: Schema | None = None,
    *,
    context: EvaluationContext | None = None,
) -> tuple[RuleBreaks, ...]:
    """The rules every row of ``real`` holds and, for each, how many rows of ``synthetic`` break it; the most often
    broken first (then in the order the rules are found). With ``context`` its tables are read, and the rules found
    once per real table (shared by a race's runs through the context's reference)."""
    if context is not None:
        real, synthetic, schema = context.train, context.synthetic, context.schema
        found = context.real_once("exact_rules", lambda: find_real_rules(context.train, context.schema))
    else:
        if real is None or synthetic is None:
            raise ValueError("evaluate_exact_rules needs the real and synthetic tables, or a context")
        schema = schema or infer_schema(real)
        found = find_real_rules(real, schema)
    assert synthetic is not None and schema is not None
    names = [n for n in schema.modelled if n in synthetic.columns]
    if len(synthetic) == 0 or not names:
        return ()
    syn = coerce_to_schema(synthetic[names], schema.select(names))
    columns = {c: syn[c].reset_index(drop=True) for c in names}
    out = [
        _rule_breaks(rule, columns, schema)
        for rule in found.rules
        if all(c in columns for c in (*rule.inputs, rule.output))
    ]
    out += [_share_breaks(cols, total, columns) for cols, total in found.shares if all(c in columns for c in cols)]
    order = {id(b): i for i, b in enumerate(out)}
    return tuple(sorted(out, key=lambda b: (-b.share, order[id(b)])))


def _rule_breaks(rule: DerivedRule, columns: Mapping[str, pd.Series], schema: Schema) -> RuleBreaks:
    from synth.synthesizers.derived import compute, key_array
    from synth.synthesizers.elapsed_rounded import PARTS, kept_rows
    from synth.synthesizers.instants import datetime_ns

    involved = (*rule.inputs, rule.output)
    present = np.ones(len(columns[rule.output]), dtype=bool)
    for name in involved:
        present &= columns[name].notna().to_numpy()
    out = columns[rule.output]
    if rule.kind == "elapsed" and rule.part in PARTS:  # a rounded duration or an age: its own test of a row
        number = pd.to_numeric(columns[rule.inputs[1]], errors="coerce").to_numpy(dtype=float)
        broken = ~kept_rows(rule, datetime_ns(out)[0], datetime_ns(columns[rule.inputs[0]])[0], number)
    elif rule.kind == "elapsed":
        broken = datetime_ns(out)[0] != datetime_ns(compute(rule, columns))[0]
    else:
        if rule.kind == "lookup":
            present &= _listed(rule, columns)
        want = compute(rule, columns)
        got_numbers, want_numbers = key_array(out), key_array(want)
        if got_numbers is not None and want_numbers is not None:
            broken = ~_close(got_numbers, want_numbers, _places(schema, rule.output))
        else:
            broken = out.astype(str).to_numpy() != want.astype(str).to_numpy()
    checked = int(present.sum())
    return RuleBreaks(rule.describe(), involved, checked, int((broken & present).sum()))


def _listed(rule: DerivedRule, columns: Mapping[str, pd.Series]) -> np.ndarray:
    """Rows whose lookup value (or pair of values) is one the rule's table lists."""
    from synth.synthesizers.derived import key_array

    keys, inputs = rule.keys, rule.inputs
    if len(inputs) == 2:
        listed = {(str(a), str(b)) for a, b in keys}
        pairs = zip(columns[inputs[0]].astype(str), columns[inputs[1]].astype(str), strict=True)
        return np.fromiter(((a, b) in listed for a, b in pairs), dtype=bool, count=len(columns[inputs[0]]))
    source = columns[inputs[0]]
    k, x = key_array(keys), key_array(source)
    if k is not None and x is not None:
        return np.isin(x, k)
    return source.astype(str).isin([str(v) for v in keys]).to_numpy()


def _places(schema: Schema, name: str) -> int | None:
    spec = schema[name]
    if spec.kind is ColumnKind.DISCRETE:
        return 0
    return spec.decimals if spec.kind is ColumnKind.CONTINUOUS else None


def _close(got: np.ndarray, want: np.ndarray, places: int | None) -> np.ndarray:
    """Whether each number equals its expected value: to half a unit of the last recorded decimal (a value written
    to its decimals), else to a billionth of its size."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    tolerance = 1e-9 * np.maximum(1.0, np.abs(want))
    if places is not None:
        tolerance = np.maximum(tolerance, 0.5 * 10.0**-places - 1e-12)
    return np.abs(got - want) <= tolerance


def _share_breaks(names: tuple[str, ...], total: float, columns: Mapping[str, pd.Series]) -> RuleBreaks:
    values = np.column_stack([pd.to_numeric(columns[c], errors="coerce").to_numpy(dtype=float) for c in names])
    present = ~np.isnan(values).any(axis=1)
    sums = np.where(present, np.nansum(values, axis=1), total)
    broken = np.abs(sums - total) > 1e-6 * max(1.0, abs(total))
    return RuleBreaks(f"{' + '.join(names)} = {total:g}", names, int(present.sum()), int((broken & present).sum()))


__all__ = ["LISTED_ROWS", "RealRules", "RuleBreaks", "evaluate_exact_rules", "find_real_rules"]
