"""Orders the user declares for the DP network (public knowledge such as "an order is never before its signup"):
checked against the schema alone, offered from it, and the ones a model can draw as gaps
(:func:`synth.synthesizers.column_order.to_gaps`); the rest are kept by drawing rows again
(:func:`synth.synthesizers.row_orders.keep_orders`). Moved out of :mod:`synth.synthesizers.column_order`, which
finds the orders models learn from the rows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema


def check_declared_orders(
    declared: Sequence[Sequence[str]] | None, schema: Schema
) -> tuple[tuple[str, str, float], ...]:
    """Orders the user declares (``(lower, higher)`` column pairs, public knowledge such as "an order is never
    before its signup") as (later, earlier, 1.0) for :func:`keep_orders`. Only the schema is read: two different
    date columns or two different number columns of it.

    Raises:
        SynthesizerError: a pair names a column the table lacks, the same column twice, or columns of other
            kinds, with the pair and the columns that may be paired.
    """
    from synth.synthesizers.errors import SynthesizerError

    out: list[tuple[str, str, float]] = []
    kinds = {c.name: c.kind for c in schema}
    for pair in declared or ():
        low, high = (str(c) for c in pair)
        missing = [c for c in (low, high) if c not in kinds]
        if missing:
            raise SynthesizerError(f"the declared order {low} ≤ {high} names {', '.join(missing)}, not in the table")
        if low == high or _pair_kind(kinds, low, high) is None:
            dates = [c.name for c in schema if c.kind is ColumnKind.DATETIME]
            numbers = [c.name for c in schema if c.kind.is_numeric]
            raise SynthesizerError(
                f"the declared order {low} ≤ {high} must join two different dates or two different numbers "
                f"(dates: {', '.join(dates) or 'none'}; numbers: {', '.join(numbers) or 'none'})"
            )
        out.append((high, low, 1.0))
    return tuple(out)


def declarable_orders(schema: Schema) -> list[tuple[str, str]]:
    """Every (lower, higher) pair a user may declare: two different dates or two different numbers of the schema,
    both ways. Read from the schema only, so offering them reveals nothing about the rows."""
    groups = (
        [c.name for c in schema if c.kind is ColumnKind.DATETIME],
        [c.name for c in schema if c.kind.is_numeric],
    )
    return [(a, b) for names in groups for a in names for b in names if a != b]


def declared_gaps(declared: Sequence[tuple[str, str, float]], schema: Schema) -> tuple[tuple[str, str, float], ...]:
    """The declared orders a model can draw as gaps (:func:`to_gaps`): dates with dates, numbers with numbers of
    the same kind; each later column once, anchors first (a chain signup ≤ renewal ≤ end restores renewal before
    end). The rest are kept by redrawing rows."""
    kinds = {c.name: c.kind for c in schema}

    def gappable(later: str, earlier: str) -> bool:
        # Dates with dates; numbers of one kind (a whole number from a fractional one would need rounding that
        # could cross the bound).
        pair = (kinds.get(later), kinds.get(earlier))
        return pair in ((ColumnKind.DATETIME,) * 2, (ColumnKind.DISCRETE,) * 2, (ColumnKind.CONTINUOUS,) * 2)

    chosen: dict[str, tuple[str, str, float]] = {}
    for later, earlier, sign in (o for o in declared if gappable(o[0], o[1])):
        chosen.setdefault(later, (later, earlier, sign))
    ordered: list[tuple[str, str, float]] = []
    pending = list(chosen.values())
    while pending:
        ready = [g for g in pending if g[1] not in {p[0] for p in pending}]
        if not ready:  # a cycle (a ≤ b ≤ a): those stay with redrawing
            break
        ordered.extend(ready)
        pending = [g for g in pending if g not in ready]
    return tuple(ordered)


def order_breaches(data: pd.DataFrame, declared: Sequence[Sequence[str]], schema: Schema) -> list[str]:
    """What the data holder should hear about the declared orders before a fit, one message each: an order the
    training rows break (how many; the reverse when most rows keep that), and a pair declared both ways.

    A model keeps a declared order in every synthetic row: a date drawn as its gap from the other, the gap clipped at
    0. An order declared the wrong way round (last_login ≤ signup) therefore drew every row with the two dates equal,
    and nothing said so. This reads the rows, for the eyes of whoever holds them (the Synthesize and Race pages, the
    command line): it is never written into a model, whose differential-privacy guarantee does not cover an
    un-noised count. Pairs that name a column the table lacks, or join other kinds, are left to the fit's own check
    (:func:`check_declared_orders`)."""
    kinds = {c.name: c.kind for c in schema}
    pairs = [(str(a), str(b)) for a, b in declared]
    out: list[str] = []
    for low, high in dict.fromkeys(pairs):
        if (high, low) in pairs and low < high:
            out.append(
                f"{low} ≤ {high} and {high} ≤ {low} are both declared: every synthetic row will have {low} equal to "
                f"{high}. Keep the one that holds."
            )
        pair_kind = _pair_kind(kinds, low, high)
        if low not in data.columns or high not in data.columns or low == high or pair_kind is None:
            continue
        both_dates = pair_kind == "dates"
        a, b = (_order_values(data[c], both_dates) for c in (low, high))
        both = ~(np.isnan(a) | np.isnan(b))
        broken, kept = int((a[both] > b[both]).sum()), int((a[both] < b[both]).sum())
        if not broken:
            continue
        message = (
            f"{low} ≤ {high} is broken by {broken:,} of the {int(both.sum()):,} training rows that have both: every "
            f"synthetic row keeps the order, so rows with {high} {'before' if both_dates else 'below'} {low} will not "
            "appear"
        )
        if broken > kept:
            message += (
                f". Most rows have {high} ≤ {low}: declare that instead; as declared, most synthetic rows come out "
                "with the two equal or nearly so (the later one is drawn as a gap from the other, never below 0)"
            )
        else:
            message += "; fix or drop those rows if they are errors"
        out.append(message + ".")
    return out


def _pair_kind(kinds: Mapping[str, ColumnKind], low: str, high: str) -> Literal["dates", "numbers"] | None:
    """What a declared pair joins: two dates, two numbers, or neither (a column unknown, or of other kinds)."""
    if low not in kinds or high not in kinds:
        return None
    if kinds[low] is ColumnKind.DATETIME and kinds[high] is ColumnKind.DATETIME:
        return "dates"
    return "numbers" if kinds[low].is_numeric and kinds[high].is_numeric else None


def _order_values(series: pd.Series, dates: bool) -> np.ndarray:
    if dates:
        from synth.synthesizers.instants import float_ns

        return float_ns(series)
    return pd.to_numeric(series, errors="coerce").to_numpy(dtype=np.float64)
