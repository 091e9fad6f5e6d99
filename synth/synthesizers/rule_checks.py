"""Checks that a loaded model's exact rules (:mod:`synth.synthesizers.derived`) are ones a fit could have found.

A rule names columns, a kind and a table read at sample time: a rule of an unknown kind, reading a column the model
does not draw, computed before its inputs or with a table that is not one (two-column keys that are not distinct
pairs) is refused with the project's :class:`~synth.synthesizers.persist.ModelFileError`, like any altered state
(:mod:`synth.synthesizers.state_checks`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synth.synthesizers.state_checks import fail


def check_rules(model: Any) -> None:
    """Exact rules (:mod:`synth.synthesizers.derived`): known kinds on modelled columns of the right kinds, each
    output computed once and from columns drawn or computed before it, tables of matching keys and values. In CART,
    a computed column has no tree and is visited after its inputs. Files saved before rules have none."""
    from synth.schema import ColumnKind
    from synth.synthesizers.derived import KINDS, PARTS, DerivedRule, reads

    rules = getattr(model, "rules_", ())
    if not isinstance(rules, tuple) or not all(isinstance(r, DerivedRule) for r in rules):
        fail("the exact rules are not rules")
    kinds = {c.name: c.kind for c in model.schema_ if c.name in model.schema_.modelled}
    numeric = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)
    outputs = {r.output for r in rules}
    done: set[str] = set()
    for k, rule in enumerate(rules):
        name = f"rule {k}"
        if rule.kind not in KINDS or not isinstance(rule.inputs, tuple):
            fail(f"{name} has an unknown kind {rule.kind!r}")
        if rule.output not in kinds or not all(isinstance(c, str) and c in kinds for c in rule.inputs):
            fail(f"{name} names a column the model does not draw")
        if rule.output in done or rule.output in rule.inputs:
            fail(f"{name} computes {rule.output!r} a second time or from itself")
        if any(c in outputs and c not in done for c in rule.inputs):
            fail(f"{name} reads a computed column before it is computed")
        if not isinstance(rule.keys, tuple) or not isinstance(rule.values, tuple) or len(rule.keys) != len(rule.values):
            fail(f"{name} has a table whose keys and values differ in number")
        if not isinstance(rule.offset, float | int) or not np.isfinite(rule.offset):
            fail(f"{name} has an offset that is not a finite number")
        if rule.kind == "sum" and (len(rule.inputs) != 2 or any(kinds[c] not in numeric for c in rule.inputs)):
            fail(f"{name} adds columns that are not two numbers")
        if rule.kind in ("product", "constant_sum"):
            check_arithmetic(rule, kinds, name)
        elif rule.kind == "lookup" and len(rule.inputs) == 2:
            check_pair_lookup(rule, kinds, name)
        elif rule.kind != "sum" and len(rule.inputs) != 1:
            fail(f"{name} reads {len(rule.inputs)} columns, expected one")
        if rule.kind == "date_part" and (rule.part not in PARTS or kinds[rule.inputs[0]] is not ColumnKind.DATETIME):
            fail(f"{name} takes an unknown part {rule.part!r} or a part of a column that is not a date")
        if rule.kind == "lookup" and not rule.keys:
            fail(f"{name} is a lookup without a table")
        if not isinstance(rule.partial, bool) or (rule.partial and rule.kind in ("date_part", "sum")):
            fail(f"{name} is partial but not a lookup, a product or a constant sum")
        if rule.kind not in ("product", "constant_sum") and (rule.decimals is not None or rule.input_decimals):
            fail(f"{name} rounds a rule that is not a product or a constant sum")
        done.add(rule.output)
    columns = getattr(model, "columns_", None)
    if columns is None or not rules:
        return
    where = {c.name: j for j, c in enumerate(columns)}
    for rule in rules:
        if rule.output not in where or any(c not in where for c in rule.inputs):
            fail(f"rule for {rule.output!r} names a column the model does not draw")
    for rule in rules:  # (a partly computed input is overwritten once its own input is drawn: reads)
        if not rule.partial and any(where[c] >= where[rule.output] for c in reads(rule, rules)):
            fail(f"the computed column {rule.output!r} is visited before its inputs")
    whole = {r.output for r in rules if not r.partial}
    if any(columns[s.column].name in whole for s in model.steps_):
        fail("a computed column also has a tree")
    partial = {r.output for r in rules if r.partial}
    if not partial <= {columns[s.column].name for s in model.steps_}:
        fail("a partly computed column has no tree for the rows its lookup does not list")


def check_arithmetic(rule: Any, kinds: dict[str, Any], name: str) -> None:
    """A product (two or three different number columns, the third's factor one of ``FACTORS``) or a constant sum
    (one to five inputs, a finite total, ``"nonnegative"`` or no part), rounded to decimals a schema may hold."""
    from synth.schema import ColumnKind
    from synth.synthesizers.derived_arithmetic import FACTORS, MOST_SUMMED

    numeric = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)
    if len(set(rule.inputs)) != len(rule.inputs) or any(kinds[c] not in numeric for c in (*rule.inputs, rule.output)):
        fail(f"{name} reads columns that are not distinct numbers")
    parts = {2: ("",), 3: FACTORS}.get(len(rule.inputs), ())
    if rule.kind == "product" and rule.part not in parts:
        fail(f"{name} is a product of {len(rule.inputs)} columns by {rule.part!r}")
    if rule.kind == "constant_sum" and (
        not 1 <= len(rule.inputs) < MOST_SUMMED or rule.part not in ("", "nonnegative")
    ):
        fail(f"{name} is a constant sum of {len(rule.inputs) + 1} columns ({rule.part!r})")
    places = rule.input_decimals
    if not isinstance(places, tuple) or len(places) not in (0, len(rule.inputs)):
        fail(f"{name} has input decimals that are not one per input")
    for decimals in (rule.decimals, *places):
        if decimals is not None and (
            not isinstance(decimals, int) or isinstance(decimals, bool) or not -6 <= decimals <= 12
        ):
            fail(f"{name} rounds to {decimals!r} decimals")


def check_pair_lookup(rule: Any, kinds: dict[str, Any], name: str) -> None:
    """A two-column lookup (:func:`synth.synthesizers.derived.pair_lookup`): two different columns of labels, flags or
    whole numbers, a whole table (never partial) of distinct pairs of plain values and plain outputs."""
    from synth.schema import ColumnKind

    keyed = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.DISCRETE)
    if rule.inputs[0] == rule.inputs[1] or any(kinds[c] not in keyed for c in rule.inputs):
        fail(f"{name} looks up pairs of columns that are not two columns of labels or whole numbers")
    if rule.partial:
        fail(f"{name} is a partial lookup of two columns")

    def plain(value: Any) -> bool:
        return isinstance(value, str | bool | int) or (isinstance(value, float) and bool(np.isfinite(value)))

    pairs = [k for k in rule.keys if isinstance(k, tuple) and len(k) == 2 and all(plain(v) for v in k)]
    if len(pairs) != len(rule.keys) or len(set(pairs)) != len(pairs) or not all(plain(v) for v in rule.values):
        fail(f"{name} has a table that is not distinct pairs of values")
