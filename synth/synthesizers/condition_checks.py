"""What a condition means: conditions and rebalancing targets checked against the training domain,
described in words, and matched against rows.

The rules are those of :mod:`synth.synthesizers.conditions`, which draws the rows; this module only reads
conditions, never samples.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from synth.schema import KIND_LABELS, ColumnKind
from synth.synthesizers.errors import SynthesizerError

if TYPE_CHECKING:
    from synth.synthesizers.base import ColumnDomain, Synthesizer

Condition = Any  # a value, a list of allowed values, or a (low, high) range with None for an open end
Rebalance = Mapping[Any, Mapping[Any, float]]

NUMERIC = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)
GENERATED = (ColumnKind.IDENTIFIER, ColumnKind.PII, ColumnKind.TEXT)
REBALANCE_KINDS = (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.DISCRETE)
SHARE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class RebalancePlan:
    """A checked rebalancing: the columns, each target cell (one value per column) and its share."""

    columns: tuple[str, ...]
    cells: tuple[tuple[Any, ...], ...]
    shares: np.ndarray

    def conditions(self, cell: tuple[Any, ...]) -> dict[str, Condition]:
        return dict(zip(self.columns, cell, strict=True))


# ----------------------------------------------------------------------------- checking
def normalise_conditions(conditions: Mapping[str, Condition] | Sequence[tuple[str, Condition]] | None) -> dict:
    """A mapping as it is; a sequence of ``(column, condition)`` pairs merged (see :func:`merge_conditions`)."""
    if conditions is None:
        return {}
    if isinstance(conditions, Mapping):
        return dict(conditions)
    if isinstance(conditions, str) or not isinstance(conditions, Sequence):
        raise SynthesizerError(
            "conditions are a mapping {column: condition} or a list of (column, condition) pairs, got "
            f"{type(conditions).__name__}"
        )
    pairs = []
    for pair in conditions:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise SynthesizerError(f"each condition is a (column, condition) pair, got {pair!r}")
        pairs.append((pair[0], pair[1]))
    return merge_conditions(pairs)


def merge_conditions(pairs: Sequence[tuple[str, Condition]]) -> dict[str, Condition]:
    """Several conditions per column joined by "and": ranges intersected, value sets intersected.

    Raises:
        SynthesizerError: two conditions on one column leave no value (contradictory conditions).
    """
    merged: dict[str, Condition] = {}
    for column, cond in pairs:
        if column not in merged:
            merged[column] = cond
            continue
        merged[column] = _intersect(column, merged[column], cond)
    return merged


def _intersect(column: str, a: Condition, b: Condition) -> Condition:
    def contradiction() -> SynthesizerError:
        return SynthesizerError(
            f"contradictory conditions on {column}: {describe_conditions({column: a})} and "
            f"{describe_conditions({column: b})} leave no value; remove or widen one of them"
        )

    if _is_range(a) and _is_range(b):
        lows = [v for v in (a[0], b[0]) if v is not None]
        highs = [v for v in (a[1], b[1]) if v is not None]
        low, high = (max(lows) if lows else None), (min(highs) if highs else None)
        if low is not None and high is not None and low > high:
            raise contradiction()
        return (low, high)
    values_a, values_b = _as_values(a), _as_values(b)
    if values_a is not None and values_b is not None:
        both = [v for v in values_a if any(_same(v, w) for w in values_b)]
        if not both:
            raise contradiction()
        return both[0] if len(both) == 1 else both
    values, rng_cond = (values_a, b) if values_a is not None else (values_b, a)
    kept = [v for v in values or [] if not is_missing(v) and column_mask(pd.Series([v]), rng_cond)[0]]
    if not kept:
        raise contradiction()
    return kept[0] if len(kept) == 1 else kept


def _is_range(cond: Condition) -> bool:
    return isinstance(cond, tuple) and len(cond) == 2


def _as_values(cond: Condition) -> list[Any] | None:
    if _is_range(cond):
        return None
    if isinstance(cond, list | set | frozenset | np.ndarray) or (
        isinstance(cond, Sequence) and not isinstance(cond, str | tuple)
    ):
        return list(cond)
    return [cond]


def _same(a: Any, b: Any) -> bool:
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False


#: How a model with a formal guarantee knows its domains: learned under the privacy noise, not read off the data.
PRIVATE_DOMAIN = (
    "in the model's differentially private domain (the privacy noise can leave out values that few training rows "
    "hold, such as a rare class; a larger ε or declaring the column's values public keeps them)"
)


def where_known(dom: ColumnDomain) -> str:
    """Where the model's knowledge of a column comes from, phrased for a message."""
    return PRIVATE_DOMAIN if dom.private else "in the training data"


def check_conditions(model: Synthesizer, conditions: dict[str, Condition]) -> dict[str, Condition]:
    """Validate conditions against the model's training domain; return them normalised.

    Raises :class:`SynthesizerError` at once for a malformed condition or one the training data makes
    impossible, naming the column's domain.
    """
    out: dict[str, Condition] = {}
    for column, cond in conditions.items():
        if column not in model.schema_:
            raise SynthesizerError(
                f"cannot condition on {column!r}: the table has no such column (it has "
                f"{', '.join(map(repr, model.schema_.names[:12]))})"
            )
        kind = model.schema_[column].kind
        if kind in GENERATED:
            raise SynthesizerError(
                f"cannot condition on {column!r}: it is a {KIND_LABELS[kind]} column, generated fresh for every "
                "row rather than learned, so no value of it can be asked for"
            )
        if kind is ColumnKind.CONSTANT and model._domain(column).has_missing:
            raise SynthesizerError(
                f"cannot condition on {column!r}: it holds one value or nothing, so there is nothing to choose"
            )
        out[column] = check_condition(model._domain(column), cond)
    return out


def check_condition(dom: ColumnDomain, cond: Condition) -> Condition:
    """One condition on one column, checked and normalised (datetimes as ``pd.Timestamp``, missing as None)."""
    column = dom.name
    described = describe_conditions({column: cond})
    if is_missing(cond):
        if not dom.has_missing:
            raise SynthesizerError(f"cannot sample with {described}: {column} is never missing {where_known(dom)}")
        return None
    if isinstance(cond, tuple):
        return check_range(dom, cond, described)
    if isinstance(cond, list | set | frozenset | Sequence | np.ndarray) and not isinstance(cond, str):
        items = list(cond)
        if not items:
            raise SynthesizerError(f"the list of allowed values for {column} is empty: it matches nothing")
        possible: list[Any] = []
        for item in items:
            try:
                possible.append(check_condition(dom, item))
            except SynthesizerError:
                continue
        if not possible:
            raise SynthesizerError(
                f"cannot sample with {described}: none of these values occurs in {column} "
                f"{where_known(dom)}{seen_hint(dom)}"
            )
        return possible
    return check_value(dom, cond, described)


def check_value(dom: ColumnDomain, value: Any, described: str) -> Any:
    if dom.kind in NUMERIC:
        if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
            raise SynthesizerError(f"{dom.name} holds numbers; cannot condition it on {value!r}")
        if dom.kind is ColumnKind.DISCRETE and float(value) != round(float(value)):
            raise SynthesizerError(f"cannot sample with {described}: {dom.name} holds whole numbers only")
        within_bounds(dom, value, value, described)
        return value
    if dom.kind is ColumnKind.DATETIME:
        ts = _same_zone(timestamp(dom.name, value), dom)
        within_bounds(dom, ts, ts, described)
        return ts
    try:
        seen = value in set(dom.values)
    except TypeError:
        seen = False
    if not seen:
        raise SynthesizerError(
            f"cannot sample with {described}: {value!r} never occurs in {dom.name} {where_known(dom)}{seen_hint(dom)}"
        )
    return value


def check_range(dom: ColumnDomain, cond: tuple[Any, ...], described: str) -> tuple[Any, Any]:
    if len(cond) != 2:
        raise SynthesizerError(
            f"a range on {dom.name} is a (low, high) pair, got {cond!r}; use a list for several values"
        )
    if dom.kind not in (*NUMERIC, ColumnKind.DATETIME):
        raise SynthesizerError(
            f"ranges apply to numbers and dates; {dom.name} is {KIND_LABELS[dom.kind]}: give a value or a "
            f"list of values{seen_hint(dom)}"
        )
    low, high = cond
    if dom.kind is ColumnKind.DATETIME:
        low = None if low is None else _same_zone(timestamp(dom.name, low), dom)
        high = None if high is None else _same_zone(timestamp(dom.name, high), dom)
    else:
        for end in (low, high):
            if end is not None and (
                isinstance(end, bool)
                or not isinstance(end, int | float | np.integer | np.floating)
                or math.isnan(float(end))
            ):
                raise SynthesizerError(f"{dom.name} holds numbers; a range on it needs numbers, got {end!r}")
    if low is not None and high is not None and low > high:
        raise SynthesizerError(f"the range on {dom.name} is empty: its low end {low!r} is above {high!r}")
    if dom.kind is ColumnKind.DISCRETE and low is not None and high is not None and math.ceil(low) > math.floor(high):
        raise SynthesizerError(
            f"the range on {dom.name} is empty: {dom.name} holds whole numbers and none lies from {low!r} to {high!r}"
        )
    within_bounds(dom, low, high, described)
    return (low, high)


def within_bounds(dom: ColumnDomain, low: Any, high: Any, described: str) -> None:
    if dom.low is None or dom.high is None:
        # A range is kept only as means of 5 values (ColumnDomain): a column with fewer has none to compare with.
        raise SynthesizerError(
            f"cannot sample with {described}: {dom.name} has fewer than 5 values {where_known(dom)}, too few to keep "
            "a range without naming single people's values"
        )
    try:
        outside = (high is not None and high < dom.low) or (low is not None and low > dom.high)
    except TypeError as exc:
        raise SynthesizerError(f"cannot compare the condition on {dom.name} with its values: {exc}") from exc
    if outside:
        trimmed = (
            ""
            if dom.private
            else " (each end is the mean of 5 values inside the 4 most extreme: no single person's value is kept)"
        )
        raise SynthesizerError(
            f"cannot sample with {described}: {dom.name} ranges from {dom.low!r} to {dom.high!r} {where_known(dom)}"
            + trimmed
        )


def check_rebalance(model: Synthesizer, rebalance: Rebalance, conditions: Mapping[str, Condition]) -> RebalancePlan:
    """Validate a rebalancing: one column (or a tuple of columns), target shares that sum to 1."""
    example = "e.g. {'income': {'>50K': 0.5, '<=50K': 0.5}}"
    if not isinstance(rebalance, Mapping) or len(rebalance) != 1:
        raise SynthesizerError(f"rebalance takes one column (or one tuple of columns) and its target shares, {example}")
    ((key, target),) = rebalance.items()
    joint = isinstance(key, tuple)
    columns: tuple[str, ...] = tuple(key) if joint else (key,)
    if not columns or len(set(columns)) != len(columns):
        raise SynthesizerError(f"rebalance names its columns once each, got {key!r}")
    for column in columns:
        if column in conditions:
            raise SynthesizerError(f"cannot both condition on and rebalance {column!r}: choose one")
        if column not in model.schema_ or model.schema_[column].kind not in REBALANCE_KINDS:
            raise SynthesizerError(
                f"cannot rebalance {column!r}: rebalancing needs a categorical, boolean or whole-number column"
            )
    if not isinstance(target, Mapping) or not target:
        raise SynthesizerError(f"rebalance needs the target shares of {key!r}'s values, {example}")
    cells, shares, total = [], [], 0.0
    for value, share in target.items():
        if isinstance(share, bool) or not isinstance(share, int | float | np.integer | np.floating):
            raise SynthesizerError(f"the share of {value!r} must be a number, got {share!r}")
        if not math.isfinite(float(share)) or share < 0:
            raise SynthesizerError(f"the share of {value!r} must be a finite number ≥ 0, got {share!r}")
        cell = value if joint else (value,)
        if joint and (not isinstance(value, tuple) or len(value) != len(columns)):
            raise SynthesizerError(
                f"a joint rebalancing of {columns} gives each cell as a tuple of {len(columns)} values, got {value!r}"
            )
        total += float(share)
        if share > 0:
            cells.append(tuple(check_condition(model._domain(c), v) for c, v in zip(columns, cell, strict=True)))
            shares.append(float(share))
    if total <= 0:
        raise SynthesizerError(f"the target shares of {key!r} are all zero: at least one must be positive")
    if abs(total - 1.0) > SHARE_TOLERANCE:
        raise SynthesizerError(
            f"the target shares of {key!r} sum to {total:.6g}, not 1: give each value its share of the output "
            f"(they must add up to 1), {example}"
        )
    if len(set(cells)) != len(cells):
        raise SynthesizerError(f"rebalance names a value of {key!r} twice")
    return RebalancePlan(columns, tuple(cells), np.asarray(shares) / sum(shares))


# ----------------------------------------------------------------------------- helpers
def is_missing(value: Any) -> bool:
    """Whether a condition value means "missing"."""
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def timestamp(column: str, value: Any) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (TypeError, ValueError) as exc:
        raise SynthesizerError(f"{column} holds dates; {value!r} does not read as a date") from exc
    if ts is pd.NaT:
        raise SynthesizerError(f"{column} holds dates; {value!r} does not read as a date")
    return ts


def _same_zone(ts: pd.Timestamp, dom: ColumnDomain) -> pd.Timestamp:
    """A date without a time zone on a column with one is read in the column's zone; a zoned date on a column
    without one keeps its wall-clock time."""
    zone = getattr(dom.low, "tz", None)
    if zone is not None and ts.tz is None:
        return ts.tz_localize(zone)
    if zone is None and ts.tz is not None and isinstance(dom.low, pd.Timestamp):
        return ts.tz_localize(None)
    return ts


def seen_hint(dom: ColumnDomain, limit: int = 8) -> str:
    """The column's training domain in words, for messages."""
    if dom.kind in NUMERIC or dom.kind is ColumnKind.DATETIME:
        return f" (it ranges from {dom.low!r} to {dom.high!r})"
    shown = ", ".join(repr(v) for v in sorted(dom.values, key=str)[:limit])
    more = f", … ({len(dom.values):,} values)" if len(dom.values) > limit else ""
    return f" (it holds {shown}{more})" if dom.values else ""


def condition_mask(df: pd.DataFrame, conditions: Mapping[str, Condition]) -> np.ndarray:
    """Rows of ``df`` that meet every condition."""
    mask = np.ones(len(df), dtype=bool)
    for column, cond in conditions.items():
        mask &= column_mask(df[column], cond)
    return mask


def _in_zone_of(values: pd.Series, bound: Any) -> Any:
    """A date bound in the time zone of the dates it is compared with (naive dates read in the column's zone)."""
    zone = getattr(values.dtype, "tz", None)
    if not isinstance(bound, pd.Timestamp):
        return bound
    if zone is not None and bound.tz is None:
        return bound.tz_localize(zone)
    if zone is None and bound.tz is not None and pd.api.types.is_datetime64_dtype(values.dtype):
        return bound.tz_convert(None)
    return bound


def column_mask(values: pd.Series, cond: Condition) -> np.ndarray:
    """Rows of one column that meet one condition (value, list of values, ``None``, or range)."""
    if isinstance(cond, tuple) and len(cond) == 2:
        low, high = (_in_zone_of(values, b) for b in cond)
        mask = values.notna().to_numpy(dtype=bool)
        if low is not None:
            mask &= (values >= low).fillna(False).to_numpy(dtype=bool)
        if high is not None:
            mask &= (values <= high).fillna(False).to_numpy(dtype=bool)
        return mask
    if isinstance(cond, list | set | frozenset | Sequence | np.ndarray) and not isinstance(cond, str):
        items = list(cond)
        present = [v for v in items if not is_missing(v)]
        mask = values.isin(present).fillna(False).to_numpy(dtype=bool) if present else np.zeros(len(values), bool)
        if len(present) < len(items):
            mask |= values.isna().to_numpy(dtype=bool)
        return mask
    if is_missing(cond):
        return values.isna().to_numpy(dtype=bool)
    return (values == cond).fillna(False).to_numpy(dtype=bool)


def describe_conditions(conditions: Mapping[str, Condition]) -> str:
    """Conditions in words, e.g. ``state = 'CA' and 30 ≤ age ≤ 40``."""
    parts = []
    for column, cond in conditions.items():
        if isinstance(cond, tuple) and len(cond) == 2:
            low, high = cond
            if low is not None and high is not None:
                parts.append(f"{low!r} ≤ {column} ≤ {high!r}")
            elif low is not None:
                parts.append(f"{column} ≥ {low!r}")
            elif high is not None:
                parts.append(f"{column} ≤ {high!r}")
            else:
                parts.append(f"{column} is not missing")
        elif isinstance(cond, list | set | frozenset | np.ndarray):
            parts.append(f"{column} in [{', '.join(sorted(map(repr, cond)))}]")
        elif is_missing(cond):
            parts.append(f"{column} is missing")
        else:
            parts.append(f"{column} = {cond!r}")
    return " and ".join(parts)
