"""How a generated key column's values are drawn from its plan: which scheme of the real width fits (the real
layout with unused endings, :mod:`synth.generated_shapes`; above the largest real key, :mod:`synth.generated_above`;
else one more digit, :mod:`synth.generated_formats`), and the keys at given positions of a sampled or streamed
table. Split out of :mod:`synth.generated`, whose :class:`GeneratedColumns` fits and samples every generated column;
``_Plan`` keeps ``synth.generated`` as its module, the name model files save it under."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_above import above_at, fits_above
from synth.generated_formats import fresh_identifiers, hash_values
from synth.generated_ibans import fits_ibans, iban_shares, ibans_at
from synth.generated_shapes import repeat_pool, repeated_count, same_width_capacity
from synth.generated_spread import pool_counts
from synth.schema import ColumnKind


@dataclass(frozen=True)
class _Plan:
    name: str
    kind: ColumnKind
    missing_rate: float
    detail: dict[str, Any] = field(default_factory=dict)


_Plan.__module__ = "synth.generated"  # the name model files save a plan under


def draw_keys(plan: _Plan, n: int, rng: np.random.Generator, body: pd.DataFrame | None = None) -> np.ndarray:
    """``n`` keys: unique, or, for a key the real rows repeat, about as many distinct ones as they hold. ``body``:
    the ``n`` rows the keys join, whose levels unique IBANs follow (:func:`synth.generated_ibans.iban_shares`)."""
    distinct = plan.detail.get("distinct")
    k = n if distinct is None else repeated_count(int(distinct), int(plan.detail["rows"]), n)
    if plan.detail["numeric"]:
        # New keys from a rounded bound above every real key: unique, and none of them a real key.
        pool = np.arange(plan.detail["start"], plan.detail["start"] + k, dtype=np.int64)
    else:
        # The schemes keys_at streams, in its order, so a sample and a streamed table get the same width.
        if fits_ibans(plan.detail, k):  # IBANs in the real countries' layouts, with valid check digits
            shares = iban_shares(plan.detail, body) if k == n else None  # each row's country, where it follows one
            pool = ibans_at(plan.detail["ibans"], np.arange(k, dtype=np.uint64), int(rng.integers(0, 2**63)), shares)
        elif _fits_same_width(plan, k):
            from synth.sampling.identifiers import same_width_at

            key = int(rng.integers(0, 2**63))  # a random bijection: k distinct values, each ending unused
            pool = same_width_at(plan.detail["same_width"], np.arange(k, dtype=np.uint64), key)
        elif _fits_above(plan, k):
            pool = above_at(plan.detail["above"], np.arange(k, dtype=np.uint64), k)
        elif plan.detail.get("apart"):  # one residue of a format other lanes share (synth.generated_lanes)
            from synth.sampling.identifiers import identifiers_at

            key = int(rng.integers(0, 2**63))
            pool = identifiers_at(plan.detail["template"], _avoid(plan), np.arange(k), k, key, plan.detail["apart"])
        else:
            pool = fresh_identifiers(plan.detail["template"], _avoid(plan), k, rng)
    return pool if k == n else repeat_pool(pool, n, rng, pool_counts(plan.detail, k, n, rng))


def keys_at(plan: _Plan, rows: np.ndarray, count: int, key: int, shares: np.ndarray | None = None) -> np.ndarray:
    """The keys of positions ``rows`` among ``count`` unique keys of ``plan`` under permutation key ``key``: row
    ``i`` of a streamed table gets ``keys_at(plan, [i], total_rows, key)`` whichever block draws it, ``key`` the
    column's own (:func:`streamed_keys_at`)."""
    from synth.sampling.identifiers import identifiers_at, same_width_at

    if plan.detail["numeric"]:
        return np.asarray(rows, dtype=np.int64) + np.int64(plan.detail["start"])
    if fits_ibans(plan.detail, count):  # ``shares``: each row's country layouts, where the IBANs follow a column
        return ibans_at(plan.detail["ibans"], rows, key, shares)
    if _fits_same_width(plan, count):
        return same_width_at(plan.detail["same_width"], rows, key)
    if _fits_above(plan, count):
        return above_at(plan.detail["above"], rows, count)
    return identifiers_at(plan.detail["template"], _avoid(plan), rows, count, key, plan.detail.get("apart"))


def streamed_keys_at(
    plan: _Plan, rows: np.ndarray, total_rows: int, key: int, shares: np.ndarray | None = None
) -> np.ndarray:
    """The keys of unique key column ``plan`` at positions ``rows`` of a streamed ``total_rows``-row table whose
    identifier key is ``key``: :func:`keys_at` under the column's own key, so two columns of one format do not hold
    the same key in every row (a single sample draws each column with a key of its own too)."""
    from synth.sampling.identifiers import column_key

    return keys_at(plan, rows, total_rows, column_key(key, plan.name), shares)


def _on_detail(fits: Callable[[_Plan, int], bool]) -> Callable[[dict[str, Any], int], bool]:
    """A key plan's test, on its detail alone."""
    return lambda detail, count: fits(_Plan("", ColumnKind.IDENTIFIER, 0.0, detail), count)


def _fits_same_width(plan: _Plan, rows: int) -> bool:
    """Whether ``rows`` keys of ``plan`` come in the real width with unused endings, sampled or streamed: both
    draw them through a keyed permutation of the format's values, so it must hold one value a row."""
    shaped = plan.detail.get("same_width")
    return isinstance(shaped, dict) and not len(_avoid(plan)) and same_width_capacity(shaped) >= rows


def _fits_above(plan: _Plan, rows: int) -> bool:
    """Whether ``rows`` keys of ``plan`` fit in the real width above the rounded bound of the real keys
    (:mod:`synth.generated_above`; else one more digit)."""
    above = plan.detail.get("above")
    return isinstance(above, dict) and not len(_avoid(plan)) and fits_above(above, rows)


def _outside(plan: _Plan) -> _Plan:
    """The plan of a referencing key's values that point outside the table: fresh keys, unrepeated (the caller
    repeats the whole pool); numeric ones from ten times the key's own start, clear of the referenced column's new
    keys (from the same start: both start above every numeric key column's real keys) unless that column grows past
    it."""
    detail = {k: v for k, v in plan.detail.items() if k not in ("distinct", "rows")}
    if detail.get("numeric"):
        detail["start"] = 10 * int(detail["start"])
    return _Plan(plan.name, plan.kind, 0.0, detail)


def _spread(present: np.ndarray, missing: np.ndarray) -> pd.Series:
    """``present`` values in the rows not ``missing``, None in the others (numbers become floats with NaN)."""
    if np.issubdtype(np.asarray(present).dtype, np.number):
        out = np.full(len(missing), np.nan)
    else:
        out = np.full(len(missing), None, dtype=object)
    out[~missing] = present
    return pd.Series(out)


def _avoid(plan: _Plan) -> np.ndarray:
    """Hashes of real values kept by files written before generation became disjoint by construction."""
    avoid = plan.detail.get("avoid")
    if isinstance(avoid, np.ndarray):
        return avoid
    if avoid:  # a set of real values, as an older fit stored them
        return hash_values(list(avoid))
    return np.zeros(0, dtype=np.uint64)
