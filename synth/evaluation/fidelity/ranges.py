"""Numbers the real table keeps inside their category's range (an office's latitude, an age band's ages), and how
often a synthetic table breaks them: Compare's table right below "Orders the real table keeps".

The search is the models' own (:func:`synth.synthesizers.category_ranges.search_ranges`): every level of the
category with the number present holds at least 20 real rows, the levels' ranges never overlap, and values paired
at random would break the rule on at least 1% of pairs. A real row never breaks a rule found on it; a synthetic
row breaks one when its number lies outside its level's cuts (round numbers strictly inside the gaps between the
real ranges). Rows with either value missing, or a level the real rows with the number never hold, are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.evaluation.fidelity.orders import _as_numbers
from synth.schema import Schema
from synth.synthesizers.category_ranges import CATEGORIES, CategoryRange, level_codes, search_ranges


@dataclass(frozen=True)
class RangeBreaks:
    """How often a synthetic table puts a number outside its category's range on the real table."""

    rule: CategoryRange
    #: share of randomly paired real values (number against level) that would break it: how much it constrains
    random_breaks: float
    #: synthetic rows with the number present and a level the rule names
    rows: int
    #: share of those rows whose number lies outside its level's range
    broken: float


def _numbers(frame: pd.DataFrame, schema: Schema) -> dict[str, np.ndarray]:
    return {
        s.name: _as_numbers(frame[s.name], s.kind, number_format=s.number_format)
        for s in schema
        if s.kind.is_numeric and s.name in frame
    }


def find_ranges(real: pd.DataFrame, schema: Schema) -> tuple[tuple[CategoryRange, float], ...]:
    """Every rule the real table keeps, with the share of random pairs that would break it."""
    categories = {s.name: real[s.name] for s in schema if s.kind in CATEGORIES and s.name in real}
    return tuple((f.rule, f.random_breaks) for f in search_ranges(categories, _numbers(real, schema)))


def evaluate_ranges(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> tuple[RangeBreaks, ...]:
    """The rules ``real`` keeps (:func:`find_ranges`) and, for each, how often ``synthetic`` breaks it; the most
    often broken first."""
    numbers = _numbers(synthetic, schema)
    out = []
    for rule, random_breaks in find_ranges(real, schema):
        if rule.number not in numbers or rule.category not in synthetic:
            continue
        x = numbers[rule.number]
        codes = level_codes(synthetic[rule.category], rule.levels)
        low, high = rule.limits(codes)
        counted = ~np.isnan(x) & (codes >= 0)
        rows = int(counted.sum())
        broken = float(np.mean((x[counted] < low[counted]) | (x[counted] > high[counted]))) if rows else 0.0
        out.append(RangeBreaks(rule, random_breaks, rows, broken))
    return tuple(sorted(out, key=lambda b: -b.broken))
