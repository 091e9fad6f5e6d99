"""Public domains written as text, as the Synthesize page takes them: "0–100" for a number, "2020-01-01 to
2024-12-31" for a date, "F, M, (missing)" for a category's labels.

Declared domains cost no budget and keep a column the privacy noise would otherwise hide: on the survey walk table
(2,000 rows, 17 columns) at ε = 1 the DP network released no range for ten of its numbers (each came out missing
in every row), among them answers on a 0–10 scale and percentages, whose ranges any codebook states. The API took
``public_domains={"q2": (0, 10)}`` all along; the page offered only "Treat as public" for every column at once,
which declares the ranges *seen in the data* (a statement about the rows, not public knowledge). What is typed here
is the user's declaration, never read from or checked against the data before the fit (which refuses training
values outside it, :func:`~synth.synthesizers.dp.domains.check_bounds`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers.dp.domains import CATEGORICAL, PublicDomainError, normalise_public

#: What stands between a range's two ends: "to", an en or em dash, "..", a comma or semicolon, or a hyphen with
#: spaces around it (a bare hyphen is a minus sign or a date's).
RANGE_SEPARATOR = re.compile(r"\s*(?:\bto\b|–|—|\.\.|,|;|\s-\s)\s*", re.IGNORECASE)
#: How a declared label list names the missing value.
MISSING_LABEL = "(missing)"
NUMBERS = (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE)
_TRUE, _FALSE = {"true", "yes", "1"}, {"false", "no", "0"}


def declarable_columns(schema: Schema) -> list[str]:
    """The columns a public domain may be declared for: the learned numbers, dates and categories."""
    return [s.name for s in schema if s.kind in (*NUMBERS, ColumnKind.DATETIME, ColumnKind.CATEGORICAL)]


def _ends(column: str, text: str, example: str) -> tuple[str, str]:
    parts = [p for p in RANGE_SEPARATOR.split(text.strip()) if p]
    if len(parts) != 2:
        raise PublicDomainError(
            f"the public range of {column!r} is two values, low and high, e.g. {example} (got {text!r})"
        )
    return parts[0], parts[1]


def _number(column: str, value: str, text: str) -> float:
    try:
        out = float(value.replace("−", "-").replace("_", ""))
    except ValueError:
        raise PublicDomainError(
            f"the public range of {column!r} must be two numbers, e.g. 0–120, got {text!r} ({value!r} is not a "
            "number; write no thousands separators)"
        ) from None
    if not math.isfinite(out):
        raise PublicDomainError(f"the public range of {column!r} must be finite, got {text!r}")
    return out


def _date(column: str, value: str, text: str) -> str:
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise PublicDomainError(
            f"the public range of {column!r} must be two dates, e.g. 2020-01-01 to 2024-12-31, got {text!r} "
            f"({value!r} is not a date)"
        ) from None
    return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat()


def _label(token: str, dtype: Any) -> Any:
    """A typed label as the training column holds it: a number for a numeric column, True/False for a boolean one,
    None for :data:`MISSING_LABEL`."""
    if token == MISSING_LABEL:
        return None
    if dtype is not None and pd.api.types.is_bool_dtype(dtype) and token.lower() in _TRUE | _FALSE:
        return token.lower() in _TRUE
    if dtype is not None and pd.api.types.is_numeric_dtype(dtype):
        number = pd.to_numeric(token, errors="coerce")
        if not pd.isna(number):
            return int(number) if float(number).is_integer() and pd.api.types.is_integer_dtype(dtype) else number
    return token


def parse_public_domains(
    texts: Mapping[str, str], schema: Schema, dtypes: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """``public_domains`` from text per column (empty text: none declared). ``dtypes`` (the training table's, a
    fact of the schema, not of the rows) types a category's labels as the column holds them.

    Raises:
        PublicDomainError: for a column that is not declarable or text that is not a range or a label list, with
            what was wrong and an example; also for bounds :func:`normalise_public` refuses (low above high).
    """
    out: dict[str, Any] = {}
    for column, raw in texts.items():
        text = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
        if not text:
            continue
        if column not in schema.names:
            raise PublicDomainError(f"{column!r} is not a column of the table")
        kind = schema[column].kind
        if kind in NUMBERS:
            low, high = _ends(column, text, "0–120")
            out[column] = (_number(column, low, text), _number(column, high, text))
        elif kind is ColumnKind.DATETIME:
            low, high = _ends(column, text, "2020-01-01 to 2024-12-31")
            out[column] = (_date(column, low, text), _date(column, high, text))
        elif kind in CATEGORICAL:
            tokens = [t.strip() for t in text.split(",")]
            if any(not t for t in tokens):
                raise PublicDomainError(
                    f"the public labels of {column!r} are separated by commas, each written out, e.g. F, M, "
                    f"{MISSING_LABEL} (got {text!r})"
                )
            dtype = (dtypes or {}).get(column)
            out[column] = [_label(t, dtype) for t in dict.fromkeys(tokens)]
        else:
            raise PublicDomainError(f"{column!r} is {kind.value}: it is generated, not learned, so it takes no domain")
    normalise_public(out, schema)  # the model's own checks, now rather than at the fit
    return out
