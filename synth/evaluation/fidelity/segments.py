"""Subgroups: compare real and synthetic inside a segment such as "sex = Female and age < 30".

A segment is a list of structured :class:`Condition` s (column, operator, value) joined by "and". Text typed
by a user is parsed by :func:`parse_conditions` with a small tokenizer that only knows column names, the
operators below and literal values: nothing is ever evaluated as code.

Operators: ``=`` ``!=`` ``<`` ``<=`` ``>`` ``>=`` ``in`` ``not in`` ``is missing`` ``is not missing``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from synth.evaluation.features import labels
from synth.evaluation.results import to_jsonable
from synth.progress import ProgressCallback
from synth.schema import ColumnKind, Schema, infer_schema, numeric_values, parse_datetimes, read_numbers

if TYPE_CHECKING:
    from synth.evaluation.fidelity.scores import FidelityResult

Op = Literal["=", "!=", "<", "<=", ">", ">=", "in", "not in", "is missing", "is not missing"]
OPS: tuple[str, ...] = ("=", "!=", "<", "<=", ">", ">=", "in", "not in", "is missing", "is not missing")
ORDERED_OPS = frozenset({"<", "<=", ">", ">="})
NUMERIC_KINDS = frozenset({ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME})
MIN_SEGMENT_ROWS = 50


class SegmentError(ValueError):
    """A condition is malformed or does not fit its column; the message says what to change."""


@dataclass(frozen=True)
class Condition:
    """One condition of a segment: ``column op value``.

    ``value`` is a scalar for comparisons, a tuple for ``in`` / ``not in`` and None for the missing tests.
    """

    column: str
    op: Op
    value: Any = None

    def __str__(self) -> str:
        if self.op in ("is missing", "is not missing"):
            return f"{self.column} {self.op}"
        if self.op in ("in", "not in"):
            return f"{self.column} {self.op} ({', '.join(str(v) for v in self.value)})"
        return f"{self.column} {self.op} {self.value}"


@dataclass(frozen=True)
class SegmentResult:
    """The comparison inside a segment.

    Attributes:
        conditions: the segment.
        status: ``ok``, ``empty`` (no real or no synthetic rows) or ``too_small`` (fewer than ``min_rows``).
        message: what happened, in words (always set; for ``ok`` it gives the sizes).
        n_real / n_synthetic / n_holdout: rows inside the segment.
        share_real / share_synthetic / share_holdout: share of each table inside the segment (a first fidelity
            check: the segment should be as common in synthetic as in real data).
        fidelity: the fidelity comparison inside the segment (None unless ``ok``); columns fixed by an
            ``=`` condition are left out (they are constant inside the segment).
    """

    conditions: tuple[Condition, ...]
    status: Literal["ok", "empty", "too_small"]
    message: str
    n_real: int
    n_synthetic: int
    n_holdout: int | None
    share_real: float
    share_synthetic: float
    share_holdout: float | None
    fidelity: FidelityResult | None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        return out


# ----------------------------------------------------------------------------- parsing

_OP_PATTERN = re.compile(
    r"^\s*(is\s+not\s+missing|is\s+missing|not\s+in|in|==|!=|<=|>=|=|<|>)\s*(.*)$", re.IGNORECASE | re.DOTALL
)


def _split_and(text: str) -> list[str]:
    """Split on ``and`` outside quotes and parentheses."""
    parts, depth, quote, start = [], 0, "", 0
    i = 0
    lower = text.lower()
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        elif (
            depth == 0
            and lower.startswith("and", i)
            and (i == 0 or text[i - 1].isspace())
            and (i + 3 >= len(text) or text[i + 3].isspace())
        ):
            parts.append(text[start:i])
            start = i + 3
            i += 3
            continue
        i += 1
    if quote:
        raise SegmentError("a quote is not closed")
    parts.append(text[start:])
    return [p.strip() for p in parts]


def _literal(token: str) -> Any:
    token = token.strip()
    if len(token) >= 2 and token[0] == token[-1] and token[0] in "'\"":
        return token[1:-1]
    try:
        number = float(token)
    except ValueError:
        return token
    return int(number) if number.is_integer() and re.fullmatch(r"[+-]?\d+", token) else number


def _list(token: str) -> tuple[Any, ...]:
    token = token.strip()
    if (token.startswith("(") and token.endswith(")")) or (token.startswith("[") and token.endswith("]")):
        token = token[1:-1]
    items = re.findall(r"'[^']*'|\"[^\"]*\"|[^,]+", token)
    values = tuple(_literal(i) for i in items if i.strip())
    if not values:
        raise SegmentError("'in' needs a list of values, e.g. workclass in (Private, Self-emp-inc)")
    return values


def parse_conditions(text: str, columns: Sequence[str]) -> tuple[Condition, ...]:
    """Parse ``"sex = Female and age < 30"`` into conditions, without evaluating anything.

    Column names are matched against ``columns`` (longest first, case-insensitive, so names with spaces work).
    Values may be quoted; ``in`` takes a parenthesised list.

    Args:
        text: the user's filter; empty text means no filter.
        columns: the table's column names.

    Returns:
        The conditions, in order.

    Raises:
        SegmentError: the text does not parse; the message says where.
    """
    if not text.strip():
        return ()
    by_length = sorted(columns, key=len, reverse=True)
    out = []
    for clause in _split_and(text):
        if not clause:
            raise SegmentError("a condition is empty: check the 'and's")
        column = next((c for c in by_length if clause.lower().startswith(c.lower())), None)
        if column is None:
            head = re.split(r"\s|[=<>!]", clause, maxsplit=1)[0]
            raise SegmentError(f"'{head}' is not a column; columns are: {', '.join(columns)}")
        match = _OP_PATTERN.match(clause[len(column) :])
        if match is None:
            raise SegmentError(f"'{clause}': expected an operator after {column} ({', '.join(OPS)})")
        op = re.sub(r"\s+", " ", match.group(1).lower())
        op = "=" if op == "==" else op
        rest = match.group(2).strip()
        if op in ("is missing", "is not missing"):
            if rest:
                raise SegmentError(f"'{clause}': nothing may follow '{op}'")
            out.append(Condition(column, op))  # type: ignore[arg-type]
            continue
        if not rest:
            raise SegmentError(f"'{clause}': a value is missing after '{op}'")
        value = _list(rest) if op in ("in", "not in") else _literal(rest)
        out.append(Condition(column, op, value))  # type: ignore[arg-type]
    return tuple(out)


# ----------------------------------------------------------------------------- applying


def example_segment(df: pd.DataFrame, schema: Schema, holdout: pd.DataFrame | None = None) -> str:
    """A segment of the table's own columns to show as an example ("department = IT and salary < 61000"): the
    most common category of the first class column and the rounded median of the first number column inside that
    category that keeps a fifth to four fifths of its rows; empty when the table has neither.

    The median is the category's own: the shop walk's overall median price made "category = cat_shoes and
    unit_price < 26" (1 real row of 3,000; shoes cost more), and a 0/1 column's median made "device_ok_02 < 0" (none).
    Each condition is kept only where the segment still holds twice the rows a comparison needs
    (``MIN_SEGMENT_ROWS``), so the synthetic table's share of it, which varies, holds enough too, and, given the
    ``holdout``, where that many of its rows match for a reference: on a 2,400-row customers table of 30 stores the
    example "store = 'Region X' and age < 47" held 48 real rows and was refused as "too few rows to compare", and
    "store = 'Region X'" matched 13 of the 600 holdout rows, too few for a noise band.
    """

    def holds(parts: list[str]) -> bool:
        conditions = parse_conditions(" and ".join(parts), list(df.columns))
        if int(segment_mask(df, conditions, schema).sum()) < 2 * MIN_SEGMENT_ROWS:
            return False
        return holdout is None or int(segment_mask(holdout, conditions, schema).sum()) >= MIN_SEGMENT_ROWS

    parts: list[str] = []
    rows = np.ones(len(df), dtype=bool)
    for spec in schema:
        if spec.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN) and spec.name in df:
            common = df[spec.name].dropna().astype(str).value_counts()
            if len(common) > 1:
                value = str(common.index[0])
                written = value if re.fullmatch(r"[\w.-]+", value) else repr(value)  # quoted: "'Legal Affairs'"
                if holds([f"{spec.name} = {written}"]):
                    parts.append(f"{spec.name} = {written}")
                    rows = (df[spec.name].astype(str) == value).to_numpy() & df[spec.name].notna().to_numpy()
                break
    for spec in schema:
        if spec.kind in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE) and spec.name in df:
            values = read_numbers(df[spec.name], spec)[rows].dropna()
            if values.nunique() > 1:
                median = float(values.median())
                step = 10.0 ** (np.floor(np.log10(abs(median))) - 1) if median else 1.0
                rounded = round(median / step) * step
                number = f"{spec.name} < {rounded:.0f}" if abs(rounded) >= 1 else f"{spec.name} < {rounded:g}"
                if 0.2 <= float((values < rounded).mean()) <= 0.8 and holds([*parts, number]):
                    parts.append(number)
                    break
    return " and ".join(parts)


def _as_number(value: Any, column: str, kind: ColumnKind) -> float:
    if kind is ColumnKind.DATETIME:
        try:
            return float(pd.Timestamp(value).value)
        except (ValueError, TypeError) as exc:
            raise SegmentError(f"{column} holds dates: '{value}' is not a date") from exc
    try:
        return float(value)
    except (TypeError, ValueError) as exc:
        raise SegmentError(f"{column} holds numbers: '{value}' is not a number") from exc


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def condition_mask(df: pd.DataFrame, condition: Condition, schema: Schema) -> np.ndarray:
    """Rows of ``df`` that satisfy one condition.

    Numbers and dates compare numerically; categories compare as text (so ``education_num = 13`` and
    ``workclass = Private`` both work). Missing values satisfy only ``is missing`` and ``!=`` / ``not in``.

    Raises:
        SegmentError: unknown column, or an ordered comparison on a category.
    """
    c = condition
    if c.column not in df.columns or c.column not in schema:
        raise SegmentError(f"'{c.column}' is not a column of this table")
    kind = schema[c.column].kind
    series = df[c.column]
    missing = series.isna().to_numpy()
    if c.op == "is missing":
        return missing
    if c.op == "is not missing":
        return ~missing
    if kind in NUMERIC_KINDS:
        if kind is ColumnKind.DATETIME:  # text dates in their recorded format, not pandas' guess from the first one
            series = parse_datetimes(series, schema[c.column].datetime_format)
        elif schema[c.column].number_format is not None:  # "$1,234.50": read in its layout
            series = read_numbers(series, schema[c.column])
        x = numeric_values(series, kind)
        if c.op in ("in", "not in"):
            wanted = np.array([_as_number(v, c.column, kind) for v in c.value])
            inside = np.isin(x, wanted)
            return inside if c.op == "in" else ~inside
        v = _as_number(c.value, c.column, kind)
        with np.errstate(invalid="ignore"):
            result = {
                "=": x == v,
                "!=": (x != v) | missing,
                "<": x < v,
                "<=": x <= v,
                ">": x > v,
                ">=": x >= v,
            }[c.op]
        return np.asarray(result, dtype=bool)
    if c.op in ORDERED_OPS:
        raise SegmentError(f"{c.column} is {kind.value}: use =, !=, in or not in, not '{c.op}'")
    text = labels(series)
    if c.op in ("in", "not in"):
        wanted_text = {_text(v) for v in c.value}
        inside = text.isin(wanted_text).to_numpy()
        return inside if c.op == "in" else ~inside
    equal = (text == _text(c.value)).to_numpy()
    return equal if c.op == "=" else ~equal


def segment_mask(df: pd.DataFrame, conditions: Sequence[Condition], schema: Schema) -> np.ndarray:
    """Rows of ``df`` satisfying every condition (all rows when there are none)."""
    mask = np.ones(len(df), dtype=bool)
    for condition in conditions:
        mask &= condition_mask(df, condition, schema)
    return mask


def evaluate_segment(
    real: pd.DataFrame,
    synthetic: pd.DataFrame,
    conditions: Sequence[Condition],
    *,
    holdout: pd.DataFrame | None = None,
    schema: Schema | None = None,
    min_rows: int = MIN_SEGMENT_ROWS,
    progress: ProgressCallback | None = None,
    **fidelity_options: Any,
) -> SegmentResult:
    """Recompute the fidelity comparison inside a segment.

    Args:
        real: the real training table.
        synthetic: the synthetic table.
        conditions: the segment (all must hold).
        holdout: the real holdout (filtered the same way) for the reference scores.
        schema: column kinds (inferred from ``real`` when omitted).
        min_rows: fewer real or synthetic rows than this inside the segment gives ``too_small``.
        progress: called with (fraction, message).
        **fidelity_options: passed to :func:`~synth.evaluation.fidelity.scores.evaluate_fidelity`.

    Returns:
        A :class:`SegmentResult`; an empty or too small segment is a result with a message, not an error.

    Raises:
        SegmentError: a condition does not fit its column.
    """
    # Here, not at the top: parsing conditions (synth sample --where) should not load the scorers and scipy.sparse.
    from synth.evaluation.fidelity.scores import evaluate_fidelity

    schema = schema or infer_schema(real)
    conditions = tuple(conditions)
    m_real = segment_mask(real, conditions, schema)
    m_syn = segment_mask(synthetic, conditions, schema)
    m_hold = segment_mask(holdout, conditions, schema) if holdout is not None else None
    n_real, n_syn = int(m_real.sum()), int(m_syn.sum())
    n_hold = int(m_hold.sum()) if m_hold is not None else None
    share_real = n_real / max(len(real), 1)
    share_syn = n_syn / max(len(synthetic), 1)
    share_hold = n_hold / max(len(holdout), 1) if holdout is not None and n_hold is not None else None
    where = " and ".join(str(c) for c in conditions) or "every row"
    sizes = f"{n_real:,} real rows ({share_real:.1%}) and {n_syn:,} synthetic rows ({share_syn:.1%}) match {where}"
    base = dict(
        conditions=conditions,
        n_real=n_real,
        n_synthetic=n_syn,
        n_holdout=n_hold,
        share_real=share_real,
        share_synthetic=share_syn,
        share_holdout=share_hold,
    )
    if n_real == 0 or n_syn == 0:
        which = "real" if n_real == 0 and n_syn else "synthetic" if n_syn == 0 and n_real else "real or synthetic"
        return SegmentResult(
            status="empty",
            message=f"No {which} rows match {where}: {sizes}. Loosen the conditions.",
            fidelity=None,
            **base,  # type: ignore[arg-type]
        )
    if n_real < min_rows or n_syn < min_rows:
        return SegmentResult(
            status="too_small",
            message=f"Too few rows to compare (at least {min_rows} of each are needed): {sizes}.",
            fidelity=None,
            **base,  # type: ignore[arg-type]
        )
    fixed = {c.column for c in conditions if c.op == "=" or (c.op == "in" and len(c.value) == 1)}
    fixed |= {c.column for c in conditions if c.op == "is missing"}
    keep = [s for s in schema if s.name not in fixed]
    seg_schema = Schema(tuple(keep))
    # A reference needs enough holdout rows to mean anything; below min_rows it is left out (and said so).
    enough_holdout = holdout is not None and m_hold is not None and n_hold is not None and n_hold >= min_rows
    hold_seg = holdout[m_hold] if enough_holdout and holdout is not None and m_hold is not None else None
    if holdout is not None and hold_seg is None:
        sizes += f"; only {n_hold or 0:,} holdout rows match, too few for a reference"
    fidelity = evaluate_fidelity(
        real[m_real].reset_index(drop=True),
        synthetic[m_syn].reset_index(drop=True),
        holdout=hold_seg.reset_index(drop=True) if hold_seg is not None else None,
        schema=seg_schema,
        progress=progress,
        **fidelity_options,
    )
    if fidelity.n_scored is not None and n_hold is not None:
        # Said because the counts above differ: the scores shown beside the reference are not those of every row.
        larger = "synthetic rows" if n_syn > n_hold else "holdout rows"
        sizes += f"; synthetic and holdout scored at {fidelity.n_scored:,} rows each" + (
            f" (the {larger}' scores are the mean of seeded draws of that many)" if n_syn != n_hold else ""
        )
    return SegmentResult(status="ok", message=sizes + ".", fidelity=fidelity, **base)  # type: ignore[arg-type]
