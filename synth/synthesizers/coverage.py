"""The feasibility preview: how many training rows a set of conditions covers, and what that means for sampling."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema, coerce_to_schema, infer_schema
from synth.synthesizers.conditions import FAST_SHARE, Condition, column_mask, is_missing, normalise_conditions
from synth.synthesizers.errors import SynthesizerError


@dataclass(frozen=True)
class Coverage:
    """How many training rows a set of conditions covers: the feasibility preview.

    Attributes:
        n_rows: rows in the table.
        n_matching: rows meeting every condition.
        share: ``n_matching / n_rows``.
        per_column: (column, rows meeting that condition alone), in the order given.
        message: the verdict in words.
    """

    n_rows: int
    n_matching: int
    share: float
    per_column: tuple[tuple[str, int], ...]
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "n_rows": self.n_rows,
            "n_matching": self.n_matching,
            "share": self.share,
            "per_column": [list(p) for p in self.per_column],
            "message": self.message,
        }


def condition_coverage(
    df: pd.DataFrame,
    conditions: Mapping[str, Condition] | Sequence[tuple[str, Condition]],
    schema: Schema | None = None,
) -> Coverage:
    """Count the rows of ``df`` (the training table) that meet ``conditions``, and say what that means."""
    conds = normalise_conditions(conditions)
    schema = schema if schema is not None else infer_schema(df)
    missing = [c for c in conds if c not in df.columns]
    if missing:
        raise SynthesizerError(f"cannot preview conditions on {', '.join(map(repr, missing))}: no such column")
    data = coerce_to_schema(df[list(conds)], schema.select(list(conds))) if conds else df.iloc[:, :0]
    normalised = {c: _comparable(v, schema[c].kind) for c, v in conds.items()}
    mask = np.ones(len(df), dtype=bool)
    per_column = []
    for column, cond in normalised.items():
        one = column_mask(data[column], cond)
        per_column.append((column, int(one.sum())))
        mask &= one
    hits, total = int(mask.sum()), len(df)
    share = hits / total if total else 0.0
    if hits == 0 and per_column and all(count > 0 for _, count in per_column):
        message = (
            "No training row meets all these conditions together, though each alone does: they contradict each "
            "other in the data, so a model can only invent such rows (or refuse)."
        )
    elif hits == 0:
        message = "No training row meets these conditions."
    elif share >= FAST_SHARE:
        message = f"{hits:,} training rows ({share:.2%}) meet the conditions: every model samples them directly."
    else:
        message = (
            f"Only {hits:,} training rows ({share:.3%}) meet the conditions: sampling still works but is slower, "
            "and what the model learned about so few rows is thin."
        )
    return Coverage(total, hits, share, tuple(per_column), message)


def _comparable(cond: Condition, kind: ColumnKind) -> Condition:
    if kind is not ColumnKind.DATETIME:
        return cond
    if isinstance(cond, tuple):
        return tuple(None if v is None else pd.Timestamp(v) for v in cond)
    if isinstance(cond, list):
        return [None if is_missing(v) else pd.Timestamp(v) for v in cond]
    return None if is_missing(cond) else pd.Timestamp(cond)
