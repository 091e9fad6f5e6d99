"""Columns that share a fixed total on every row: a survey's time split ``pct_work + pct_family + pct_leisure +
pct_other = 100``, a portfolio's weights summing to 1.

Why
    Every model drew each share on its own terms: 4–5% of CART, Pruned CART and copula rows summed to 100 (a
    respondent spending 112% of their time), which an analyst sees at once and a discriminator uses.

How
    At fit (:func:`find_compositions`) runs of neighbouring number columns (as a questionnaire or a form lays them
    out) whose values are never negative, never missing and add up to the same total on every training row are
    found; the shortest run from each column is kept, and none overlaps another. After each draw
    (:func:`apply_compositions`, from :func:`synth.synthesizers.weekdays.join_parts`) each row's shares are scaled
    to the total and rounded to the columns' recorded decimals by largest remainder, so the rounded shares still add
    up exactly. Columns a condition fixes keep their drawn value; the others share what is left. The model's exact
    rules that read a rescaled column are computed again.

Privacy
    A composition stores its column names, its total and a number of decimals: the total is the same on every
    row, so no row's value is in it. Models with a differential-privacy guarantee find none.

Model files
    ``compositions_`` is part of the model's state; files saved before it have none and sample as they did
    (:func:`check_compositions` validates it on load).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers.persist import ModelFileError

#: (columns in table order, total, decimals the shares are rounded to; None: not rounded).
Composition = tuple[tuple[str, ...], float, "int | None"]
#: Tables with fewer rows are not searched (as for the exact rules).
MIN_ROWS = 20
#: The most columns one composition may hold.
MAX_COLUMNS = 30
#: A share column must hold at least this many distinct values (two 0/1 flags adding up to one are a lookup, not
#: a split of a total).
MIN_DISTINCT = 3


def find_compositions(data: pd.DataFrame, schema: Schema) -> tuple[Composition, ...]:
    """The compositions of the modelled ``data`` (see the module docstring), each with the decimals its columns are
    recorded to (:func:`rounded_as` then applies a model's own output schema)."""
    if len(data) < MIN_ROWS:
        return ()
    names = [c.name for c in schema if c.name in data.columns]
    values: dict[str, np.ndarray] = {}
    for name in names:
        if schema[name].kind not in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE):
            continue
        x = pd.to_numeric(data[name], errors="coerce").to_numpy(dtype=np.float64)
        if np.isnan(x).any() or (x < 0).any() or len(np.unique(x)) < MIN_DISTINCT:
            continue
        values[name] = x
    out: list[Composition] = []
    used: set[str] = set()
    i = 0
    while i < len(names):
        run = _run_from(names, i, values, used)
        if run is None:
            i += 1
            continue
        columns, total = run
        out.append(rounded_as(((columns, total, None),), schema)[0])
        used.update(columns)
        i = names.index(columns[-1]) + 1
    return tuple(out)


def rounded_as(found: tuple[Composition, ...], schema: Schema) -> tuple[Composition, ...]:
    """``found`` with each composition's decimals read from ``schema``: whole numbers for counts, the columns' common
    recorded decimals otherwise; None (not rounded) when they differ or one is not rounded (CART keeps the
    precision of a column whose rounding would bring rare real values back)."""
    out = []
    for columns, total, _ in found:
        kept = {schema[c].decimals if schema[c].kind is ColumnKind.CONTINUOUS else 0 for c in columns}
        out.append((columns, total, kept.pop() if len(kept) == 1 else None))
    return tuple(out)


def composed_columns(model: Any) -> frozenset[str]:
    """Every column of the model's compositions: no exact rule may compute one."""
    return frozenset(c for item in compositions_of(model) for c in item[0])


def _run_from(
    names: Sequence[str], i: int, values: dict[str, np.ndarray], used: set[str]
) -> tuple[tuple[str, ...], float] | None:
    """The shortest run of neighbouring share columns from ``names[i]`` with a constant row total, if any."""
    if names[i] not in values or names[i] in used:
        return None
    total = values[names[i]].copy()
    for j in range(i + 1, min(len(names), i + MAX_COLUMNS)):
        if names[j] not in values or names[j] in used:
            return None
        total += values[names[j]]
        spread = float(total.max() - total.min())
        if total[0] > 0 and spread <= 1e-9 * abs(float(total[0])):
            return tuple(names[i : j + 1]), float(np.round(total[0], 9))
    return None


def compositions_of(model: Any) -> tuple[Composition, ...]:
    """The model's compositions (none for a model without them or a file saved before them)."""
    found = getattr(model, "compositions_", ())
    return tuple(found) if isinstance(found, tuple | list) else ()


def apply_compositions(body: pd.DataFrame, model: Any, fixed: Collection[str] = ()) -> pd.DataFrame:
    """``body`` (the user's columns) with each composition's shares scaled to its total and rounded so that they
    still add up to it. ``fixed``: columns a condition holds (kept; the others share what is left). Rows with a
    missing share, or whose fixed shares already exceed the total, are left as drawn (a condition's check then
    refuses them). Exact rules reading a rescaled column are computed again."""
    found = [c for c in compositions_of(model) if all(name in body.columns for name in c[0])]
    if not found:
        return body
    body = body.copy()
    moved: set[str] = set()
    for columns, total, decimals in found:
        x = np.column_stack([pd.to_numeric(body[c], errors="coerce").to_numpy(dtype=np.float64) for c in columns])
        free = np.array([c not in fixed for c in columns])
        if not free.any():
            continue
        scaled = _scaled(x, free, total)
        if decimals is not None:
            scaled = _rounded(scaled, free, total, decimals)
        for k, name in enumerate(columns):
            if free[k]:
                body[name] = pd.Series(scaled[:, k], index=body.index).astype(body[name].dtype, errors="ignore")
                moved.add(name)
    from synth.synthesizers.weekdays import rules_again

    return rules_again(body, model, moved)


def _scaled(x: np.ndarray, free: np.ndarray, total: float) -> np.ndarray:
    out = x.copy()
    left = total - x[:, ~free].sum(axis=1)
    share = np.clip(x[:, free], 0.0, None)
    have = share.sum(axis=1)
    ok = ~np.isnan(x).any(axis=1) & (left >= 0)
    some = have > 1e-12 * max(total, 1.0)  # (a share of a few subnormals would scale to infinity)
    even = ok & ~some  # nothing drawn to scale: an even split
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        factor = np.where(some, left / np.where(some, have, 1.0), 0.0)
    part = np.where(even[:, None], (left / free.sum())[:, None], share * factor[:, None])
    out[:, free] = np.where(ok[:, None], part, x[:, free])
    return out


def _rounded(x: np.ndarray, free: np.ndarray, total: float, decimals: int) -> np.ndarray:
    """Free shares rounded to ``decimals`` by largest remainder, so that every complete row adds up to ``total``."""
    step = 10.0 ** (-decimals)
    out = x.copy()
    units = x[:, free] / step
    floor = np.floor(units + 1e-9)
    left = np.round((total - x[:, ~free].sum(axis=1)) / step) - floor.sum(axis=1)
    ok = ~np.isnan(units).any(axis=1) & (left >= 0) & (left <= free.sum())
    order = np.argsort(-(units - floor), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(units.shape[1])[None, :].repeat(len(units), axis=0), axis=1)
    bump = rank < np.where(ok, left, 0)[:, None]
    out[:, free] = np.where(ok[:, None], np.round((floor + bump) * step, max(decimals, 0)), x[:, free])
    return out


def check_compositions(model: Any) -> None:
    """A loaded file's compositions: number columns the model draws, in no two compositions, a finite positive total
    and decimals a schema may hold. Files saved before compositions have none."""
    found = getattr(model, "compositions_", ())
    if not isinstance(found, tuple):
        raise ModelFileError("the model file's column totals are not a list: the file is damaged or was altered")
    kinds = {c.name: c.kind for c in model.schema_ if c.name in model.schema_.modelled}
    seen: set[str] = set()
    for k, item in enumerate(found):
        ok = isinstance(item, tuple) and len(item) == 3
        columns, total, decimals = item if ok else ((), 0.0, None)
        ok = (
            ok
            and isinstance(columns, tuple)
            and 2 <= len(columns) <= MAX_COLUMNS
            and all(
                isinstance(c, str) and kinds.get(c) in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE) for c in columns
            )
            and not seen.intersection(columns)
            and len(set(columns)) == len(columns)
            and isinstance(total, float | int)
            and not isinstance(total, bool)
            and np.isfinite(total)
            and total > 0
            and (
                decimals is None
                or (isinstance(decimals, int) and not isinstance(decimals, bool) and -6 <= decimals <= 12)
            )
        )
        if not ok:
            raise ModelFileError(
                f"the model file's column total {k} is not a set of number columns the model draws with a positive "
                "total: the file is damaged or was altered"
            )
        seen.update(columns)
