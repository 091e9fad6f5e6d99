"""Repeated keys (customer_id, manager_id) drawn from one pool for a whole streamed table, whichever block draws a row.

A single :meth:`Synthesizer.sample` of ``n`` rows gives a repeated key a pool of
``k = repeated_count(distinct, rows, present)`` fresh keys, uses each once and shares the other ``present - k`` rows
out as unevenly as the real keys' rows (:func:`synth.generated_shapes.repeat_pool`). Blocks drawing their own pools
held far too many keys in total: five blocks of 700 rows from a table of 3,500 rows and 159 customers held 787
customers, not 159.

Here row ``i`` of an ``N``-row table looks at ``j = π(i)``, a keyed permutation of ``[0, N)`` shared by every block:

* ``j ≥ N - M`` (``M = round(N · missing rate)``): the row's key is missing;
* ``j < k``: pool member ``j`` (so every member has a row);
* otherwise, when the fit kept how unevenly rows fall on keys (:mod:`synth.generated_spread`), the member whose
  running sum of rows beyond the first passes ``j - k`` (:func:`extra_rows_ends`: member ``m`` gets exactly the
  rows of rank ``σ(m)``, as a single sample's key of that rank does); for a model file without it, member
  ``h(j) mod k`` for a keyed 64-bit hash ``h`` (the other rows, at random).

That is the single sample's layout for the whole table (with exactly ``M`` missing rows rather than about ``M``),
and it depends on nothing but the row's position, ``N`` and the run seed: the same table at any block size, file
layout or number of workers. Member ``m`` is the ``m``-th of ``k`` keys in the column's format under a keyed
permutation (:func:`synth.generated_keys.keys_at`), fresh and never real as a sampled key is. A key pointing at another
key of the table (``manager_id`` → ``employee_id``) takes its first ``round(k · inside share)`` members from the
referenced column's keys at rows ``ρ(m)`` (another permutation of ``[0, N)``); a row that would point at its own
row, when no real row does, moves to the next member.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from synth.generated_references import _share
from synth.generated_shapes import repeated_count
from synth.generated_spread import check_spread, row_counts
from synth.sampling.identifiers import Permutation, _mix
from synth.sampling.identifiers import column_key as _column_key  # one per column and purpose: pools of their own

if TYPE_CHECKING:
    from synth.generated import GeneratedColumns, _Plan


def pool_size(distinct: int, rows: int, total_rows: int, missing_rate: float) -> tuple[int, int]:
    """``(present, k)``: rows holding a key in a ``total_rows``-row table, and the distinct keys they hold."""
    present = total_rows - min(total_rows, round(total_rows * missing_rate))
    return present, repeated_count(distinct, rows, present) if present else 0


@lru_cache(maxsize=4)
def extra_rows_ends(
    levels: tuple[float, ...], counts: tuple[float, ...], distinct: int, rows: int, k: int, present: int, key: int
) -> np.ndarray:
    """Running sum, over members ``0 … k-1``, of their rows beyond the first: member ``m`` has the rows of rank
    ``σ(m)`` (:func:`synth.generated_spread.row_counts`; ``σ`` a keyed permutation, so that a member's number,
    hence its key, says nothing of its size). Cached: every block of a table asks for the same one."""
    spread = {"levels": list(levels), "counts": list(counts)}
    per_rank = row_counts(spread, distinct, rows, k, present)
    ranks = Permutation(k, _column_key(key, "", 5))(np.arange(k, dtype=np.uint64)).astype(np.int64)
    out = np.cumsum(per_rank[ranks] - 1)
    out.flags.writeable = False  # shared by every block of the table through the cache
    return out


def members(
    first_row: int, n: int, total_rows: int, present: int, k: int, key: int, ends: np.ndarray | None = None
) -> np.ndarray:
    """Pool member (``0 … k-1``) of rows ``[first_row, first_row + n)``, ``-1`` where the key is missing.

    With ``ends`` (:func:`extra_rows_ends`), position ``j`` from ``k`` on goes to the member whose running sum
    first passes ``j - k``: member ``m`` gets exactly ``ends[m] - ends[m - 1]`` rows beyond its first, at
    positions fixed by ``j`` alone, so as independent of the block as the random choice without it."""
    j = Permutation(total_rows, key)(np.arange(first_row, first_row + n, dtype=np.uint64))
    out = np.full(n, -1, dtype=np.int64)
    if k < 1:
        return out
    if ends is None:
        with np.errstate(over="ignore"):
            extra = (_mix(j ^ np.uint64(_column_key(key, "", 1))) % np.uint64(k)).astype(np.int64)
    else:
        beyond = np.maximum(j.astype(np.int64) - k, 0)
        extra = np.minimum(np.searchsorted(ends, beyond, side="right"), k - 1)
    out[:] = np.where(j < np.uint64(k), j.astype(np.int64), extra)
    out[j >= np.uint64(present)] = -1
    return out


def _ends(plan: _Plan, distinct: int, k: int, present: int, key: int) -> np.ndarray | None:
    """:func:`extra_rows_ends` of ``k`` members on ``present`` rows for a plan that kept its spread, else None."""
    spread = plan.detail.get("spread")
    if spread is None or k < 1:
        return None
    levels, counts = check_spread(spread)
    real_rows = int(plan.detail["rows"])
    return extra_rows_ends(tuple(levels.tolist()), tuple(counts.tolist()), distinct, real_rows, k, present, key)


def local_members(first_row: int, n: int, total_rows: int, present: int, k: int, key: int, plan: _Plan) -> np.ndarray:
    """Pool member (``-1`` missing) of rows ``[first_row, first_row + n)`` when the block's people are its own: a
    person column whose people hold values across their rows (:mod:`synth.synthesizers.people`). A block is drawn on
    its own, so a person with rows in two blocks took one set of values in each: in a million-row table written in
    blocks of 65,536 nearly every patient with two or more visits had several names and birth dates. Here the block
    is a table of its own rows, its share of the present rows (``P(e) − P(b)`` for rows ``[b, e)``, ``P(x) =
    ⌊present·x/N⌋``) and of the members (``⌊k·P(e)/present⌋ − ⌊k·P(b)/present⌋``, never more than its present rows),
    laid out as :func:`members` lays out a table; so every member's rows are in one block, every member of the
    table's ``k`` has a row (a block with present rows and no member of its own takes its neighbour's), and the
    missing rows number the table's. The layout then depends on the block size (as the rows themselves do)."""
    before, through = present * first_row // total_rows, present * (first_row + n) // total_rows
    seen = through - before  # the block's present rows
    # Members in step with present rows: k ≤ present, so a block never has more members than present rows.
    start = k * before // present if present else 0
    own = (k * through // present if present else 0) - start
    if seen and not own:  # fewer people than blocks: the block shares its neighbour's
        start, own = min(start, k - 1), 1
    block_key = _column_key(key, str(first_row), 6)
    ends = _ends(plan, int(plan.detail["distinct"]), own, seen, block_key)
    member = members(0, n, n, seen, own, block_key, ends)
    return np.where(member < 0, -1, member + start)


def repeated_block(
    generated: GeneratedColumns, plan: _Plan, first_row: int, n: int, total_rows: int, key: int, local: bool = False
) -> np.ndarray:
    """The values (object array, None where missing) of repeated key ``plan`` for rows ``[first_row, first_row + n)``
    of a ``total_rows``-row table whose run has identifier key ``key``; ``local``: the block's members are its own
    (:func:`local_members`)."""
    from synth.generated_keys import _outside, keys_at, streamed_keys_at

    distinct, real_rows = int(plan.detail["distinct"]), int(plan.detail["rows"])
    present, k = pool_size(distinct, real_rows, total_rows, plan.missing_rate)
    target_name = generated._referenced(plan)
    target = next((p for p in generated.plans if p.name == target_name), None)
    column = _column_key(key, plan.name, 0)
    if local and target is None and n < total_rows:
        member = local_members(first_row, n, total_rows, present, k, column, plan)
    else:
        member = members(first_row, n, total_rows, present, k, column, _ends(plan, distinct, k, present, column))
    missing = member < 0
    inside = 0 if target is None else min(total_rows, round(k * _share(plan.detail.get("inside_share"))))
    pointed = Permutation(total_rows, _column_key(key, plan.name, 2))  # member m < inside points at row ρ(m)
    if target is not None and inside and k > 1 and _share(plan.detail.get("self_share")) == 0.0:
        # Nobody in the real table points at their own row: a row drawn to do so takes the next member.
        own = np.arange(first_row, first_row + n, dtype=np.uint64)
        inner = np.flatnonzero(~missing & (member < inside))
        selfish = inner[pointed(member[inner].astype(np.uint64)) == own[inner]]
        member[selfish] = (member[selfish] + 1) % k
    values = np.full(n, None, dtype=object)
    used, where = np.unique(member[~missing], return_inverse=True)
    keys = np.empty(len(used), dtype=object)
    is_inside = used < inside
    if target is not None and is_inside.any():
        # The referenced column's streamed key at row ρ(m): the key that row holds, whichever block draws it.
        rows = pointed(used[is_inside].astype(np.uint64))
        keys[is_inside] = streamed_keys_at(target, rows, total_rows, key)
    fresh_plan = plan if target is None else _outside(plan)
    fresh = (used[~is_inside] - inside).astype(np.uint64)
    if len(fresh):
        keys[~is_inside] = keys_at(fresh_plan, fresh, k - inside, _column_key(key, plan.name, 3))
    values[~missing] = keys[where]
    return values
