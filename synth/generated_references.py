"""Keys that point at another key of the same table (``manager_id`` → ``employee_id``), kept pointing.

An HR table's ``manager_id`` holds, row after row, the ``employee_id`` of someone in the same table. Regenerated
on its own (:mod:`synth.generated`), it would hold fresh keys that match no synthetic employee: the table would
lose its hierarchy (who manages whom, how many reports a manager has), which is what such a column is for.

At fit, a repeated key whose present values are, for at least half of its rows, values of a
unique key column of the table is said to *reference* it. The model file keeps the referenced column's name, the
share of rows pointing inside (rounded to 1%) and the share of rows pointing at their own row (rounded to 1%):
no value. At sampling, the referencing column draws about as many distinct values as the real one holds
(:func:`synth.generated_shapes.repeated_count`), that share of them among the synthetic keys of the referenced
column and the rest fresh, so it points at synthetic rows exactly as often as the real one points at real rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_shapes import UNIQUE_SHARE, repeat_pool, repeated_count
from synth.generated_spread import pool_counts
from synth.schema import ColumnKind, Schema
from synth.schema.foreign_keys import comparable, pointed_key

#: Shares kept in the model file are rounded to this step.
SHARE_STEP = 0.01


def find_reference(name: str, data: pd.DataFrame, schema: Schema) -> dict[str, Any]:
    """What generation needs to keep ``name`` pointing at the unique key column it references (empty if none):
    a unique key (as generation counts one: 95% distinct) holding at least
    :data:`~synth.schema.foreign_keys.MIN_POINTING_SHARE` of its present values."""
    unique = []
    for spec in schema:
        present = data[spec.name].dropna() if spec.kind is ColumnKind.IDENTIFIER and spec.name != name else None
        if present is not None and len(present) and present.nunique() >= UNIQUE_SHARE * len(present):
            unique.append(spec.name)
    found = pointed_key(data, name, unique)
    if found is None:
        return {}
    key, share = found
    mine, target = comparable(data[name]), comparable(data[key])
    assert mine is not None and target is not None
    both = data[name].notna() & data[key].notna()
    own_row = float((mine[both] == target[both]).sum() / max(int(data[name].notna().sum()), 1))
    return {"references": key, "inside_share": _rounded(share), "self_share": _rounded(own_row)}


def _rounded(share: float) -> float:
    return float(round(share / SHARE_STEP) * SHARE_STEP)


def _share(value: Any) -> float:
    """A share read from a model file: a number in [0, 1] (anything else counts as 0)."""
    try:
        share = float(value)
    except (TypeError, ValueError):
        return 0.0
    return float(np.clip(share, 0.0, 1.0)) if np.isfinite(share) else 0.0


def pointing_keys(
    detail: dict[str, Any],
    targets: pd.Series,
    present_rows: np.ndarray,
    fresh: Callable[[int], np.ndarray],
    rng: np.random.Generator,
) -> np.ndarray:
    """Values for the ``present_rows`` (positions) of a referencing column, given the referenced column's synthetic
    values ``targets`` (one per row, missing where that row has none).

    ``fresh(k)`` gives ``k`` new keys in the column's own format, for the share that points outside.
    """
    n = len(present_rows)
    k = repeated_count(int(detail["distinct"]), int(detail["rows"]), n)
    candidates = pd.unique(targets.dropna().to_numpy())
    inside = min(len(candidates), round(k * _share(detail.get("inside_share"))))
    chosen = candidates[rng.choice(len(candidates), inside, replace=False)] if inside else candidates[:0]
    pool = np.concatenate([np.asarray(chosen, dtype=object), np.asarray(fresh(k - inside), dtype=object)])
    if len(pool) == 0:
        return pool
    values = repeat_pool(pool, n, rng, pool_counts(detail, len(pool), n, rng))
    if _share(detail.get("self_share")) == 0.0 and len(pool) > 1:
        # Nobody in the real table points at their own row (nobody manages themself): redraw those that do.
        own = targets.to_numpy(dtype=object)[present_rows]
        for _ in range(8):
            same = np.flatnonzero(values == own)
            if len(same) == 0:
                break
            values[same] = pool[rng.integers(0, len(pool), len(same))]
    return values
