"""Conditions and rebalancing typed as text (the CLI's ``--where`` and ``--rebalance``), turned into the
synthesizers' ``conditions=`` and ``rebalance=`` arguments.

``--where`` reuses the segment parser (:func:`synth.parse_conditions`: column names, operators and literals only,
nothing is evaluated as code); values are matched to what the column held in training, so ``--where 'age >= 30
and sex = Female'`` becomes ``{"age": (30, None), "sex": "Female"}``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from synth.evaluation.fidelity.segments import Condition, SegmentError, parse_conditions
from synth.schema import ColumnKind
from synth.synthesizers.base import ColumnDomain, Synthesizer

_NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)
_ORDERED = (*_NUMERIC, ColumnKind.DATETIME)


def _domain(model: Synthesizer, column: str) -> ColumnDomain:
    for dom in model.domain_:
        if dom.name == column:
            return dom
    raise SegmentError(f"'{column}' is not a column of the model")


def _typed(dom: ColumnDomain, value: Any) -> Any:
    """``value`` as the column holds it: a seen category matched by its text, a number, or a timestamp."""
    if dom.kind in _NUMERIC:
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise SegmentError(f"{dom.name} holds numbers: '{value}' is not a number") from exc
        return int(number) if dom.kind is ColumnKind.DISCRETE and number.is_integer() else number
    if dom.kind is ColumnKind.DATETIME:
        try:
            return pd.Timestamp(value)
        except (TypeError, ValueError) as exc:
            raise SegmentError(f"{dom.name} holds dates: '{value}' is not a date") from exc
    for seen in dom.values:
        if seen == value or str(seen) == str(value) or str(seen).lower() == str(value).lower():
            return seen
    return value  # unseen: the synthesizer says it never occurs, listing what does


def _below(dom: ColumnDomain, value: Any) -> Any:
    """The largest value strictly below ``value`` that the column can hold."""
    if dom.kind is ColumnKind.DATETIME:
        return value - pd.Timedelta(1)
    if dom.kind is ColumnKind.DISCRETE:
        return math.ceil(value) - 1
    return float(np.nextafter(value, -np.inf))


def _above(dom: ColumnDomain, value: Any) -> Any:
    if dom.kind is ColumnKind.DATETIME:
        return value + pd.Timedelta(1)
    if dom.kind is ColumnKind.DISCRETE:
        return math.floor(value) + 1
    return float(np.nextafter(value, np.inf))


def _one(dom: ColumnDomain, cond: Condition) -> Any:
    op = cond.op
    if op == "is missing":
        return None
    if op == "is not missing":
        return (None, None) if dom.kind in _ORDERED else list(dom.values)
    if op in ("in", "not in"):
        values = [_typed(dom, v) for v in cond.value]
        if op == "in":
            return values
        if dom.kind in _ORDERED:
            raise SegmentError(f"'{cond}': 'not in' needs a categorical column; give {dom.name} a range instead")
        return [v for v in dom.values if v not in values]
    value = _typed(dom, cond.value)
    if op == "=":
        return value
    if op == "!=":
        if dom.kind in _ORDERED:
            raise SegmentError(f"'{cond}': '!=' needs a categorical column; give {dom.name} a range instead")
        return [v for v in dom.values if v != value]
    if dom.kind not in _ORDERED:
        raise SegmentError(f"'{cond}': {op} needs numbers or dates, and {dom.name} is categorical")
    return {"<": (None, _below(dom, value)), "<=": (None, value), ">": (_above(dom, value), None)}.get(
        op, (value, None)
    )


def _merge(column: str, old: Any, new: Any) -> Any:
    if isinstance(old, tuple) and isinstance(new, tuple):
        lows = [v for v in (old[0], new[0]) if v is not None]
        highs = [v for v in (old[1], new[1]) if v is not None]
        return (max(lows) if lows else None, min(highs) if highs else None)
    raise SegmentError(
        f"{column} has several conditions; combine them into one (a range may be given as two bounds, "
        f"e.g. {column} >= 30 and {column} <= 40)"
    )


def conditions_from_text(text: str, model: Synthesizer) -> dict[str, Any]:
    """``"state = OH and age >= 30"`` → ``{"state": "OH", "age": (30, None)}`` for ``model.sample(conditions=…)``.

    Raises:
        SegmentError: the text does not parse or does not fit a column; the message says what to change.
    """
    out: dict[str, Any] = {}
    for cond in parse_conditions(text, model.schema_.names):
        value = _one(_domain(model, cond.column), cond)
        out[cond.column] = _merge(cond.column, out[cond.column], value) if cond.column in out else value
    return out


def parse_rebalance(text: str, model: Synthesizer) -> dict[str, dict[Any, float]]:
    """``"income=>50K:0.5,<=50K:0.5"`` → ``{"income": {">50K": 0.5, "<=50K": 0.5}}``.

    The column is everything before the first ``=``; each ``value:share`` pair splits at its last ``:``.

    Raises:
        SegmentError: the text is not ``column=value:share,...``; the message shows the expected form.
    """
    example = "e.g. --rebalance 'income=>50K:0.5,<=50K:0.5'"
    column, sep, rest = text.partition("=")
    column = column.strip()
    if not sep or not column or not rest.strip():
        raise SegmentError(f"rebalancing reads column=value:share,value:share ({example}), got '{text}'")
    dom = _domain(model, column)
    target: dict[Any, float] = {}
    for item in rest.split(","):
        value, colon, share = item.strip().rpartition(":")
        if not colon or not value:
            raise SegmentError(f"'{item.strip()}' is not value:share ({example})")
        try:
            weight = float(share)
        except ValueError as exc:
            raise SegmentError(f"the share of '{value}' must be a number, got '{share}'") from exc
        target[_typed(dom, value)] = weight
    return {column: target}
