"""Key columns keep the real relation between their values: disjoint real columns stay disjoint.

Every numeric key column starts above the largest real key of them all (:mod:`synth.generated`; the power of ten
above it before session 22), so a repeated ``customer_id`` and a unique ``order_id`` both started at 1,000,000: some
synthetic customer ids were order ids, and a join on the wrong column "worked" where the real one finds nothing.
Fitting now puts the columns in *lanes*: columns whose real values share a value (``manager_id`` in
``employee_id``) share a lane, and overlap as before; the others get lanes of their own. An ``n``-row table moves
lane ``l``'s keys up by ``l`` times the power of ten above ``n`` (which holds every key a column of ``n`` rows
draws), the same for a sample and a streamed table of ``n`` rows. Text key columns get lanes too (compared as
text), which move the ranks of keys continuing above the real ones (:mod:`synth.generated_above`). Text key columns
of one layout in lanes of their own also share one set of unused endings, sized for every lane
(:func:`share_endings`), and take one scheme, each lane a residue of the format's values (:func:`apart`; they drew
from one format at random and shared 1,406 of 3,000 keys in session 22). A model file keeps each column's lane
number; nothing else is stored for it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_shapes import keys_needed, repeated_count, same_width_format


def key_lanes(data: pd.DataFrame, names: list[str], numeric: bool = True) -> dict[str, int]:
    """Lane of each key column ``names`` (in their order; numbers compared as numbers, else as text): columns sharing
    a real value, directly or through another column, share a lane; lanes are numbered by their first column."""
    values = [
        np.unique(data[name].dropna().to_numpy(dtype=float))
        if numeric
        else np.unique(data[name].dropna().astype(str).to_numpy(dtype=str))
        for name in names
    ]
    group = list(range(len(names)))  # union-find over the columns

    def root(i: int) -> int:
        while group[i] != i:
            i = group[i]
        return i

    for i in range(len(names)):
        for j in range(i):
            if root(i) != root(j) and len(np.intersect1d(values[i], values[j], assume_unique=True)):
                group[max(root(i), root(j))] = min(root(i), root(j))
    numbers: dict[int, int] = {}
    return {name: numbers.setdefault(root(i), len(numbers)) for i, name in enumerate(names)}


def lane_offset(lane: int, rows: int) -> int:
    """How far lane ``lane``'s keys move up in a ``rows``-row table: a column of ``rows`` rows draws at most
    ``rows`` keys from its start, under the power of ten above ``rows``."""
    return int(lane) * 10 ** len(str(max(int(rows), 1)))


def in_lane(detail: dict[str, Any], rows: int) -> dict[str, Any]:
    """A key plan's ``detail`` for a ``rows``-row table, moved to its lane: a numeric key's start, or the offset of a
    text key's ranks above the real keys (:mod:`synth.generated_above`; two text columns of one format, disjoint in
    the real table, would otherwise both count from the same bound)."""
    offset = lane_offset(int(detail.get("lane") or 0), rows)
    if not offset:
        return detail
    if detail.get("numeric"):
        return {**detail, "start": int(detail["start"]) + offset}
    if isinstance(detail.get("above"), dict):
        return {**detail, "above": {**detail["above"], "offset": offset}}
    return detail


def most_keys(detail: dict[str, Any], rows: int) -> int:
    """The most distinct keys a key column of plan ``detail`` draws in a ``rows``-row table, sampled or streamed: one
    a row, or for a repeated key :func:`synth.generated_shapes.repeated_count` of every row (fewer rows hold fewer)."""
    if "distinct" not in detail:
        return rows
    return repeated_count(int(detail["distinct"]), int(detail["rows"]), rows)


def _base(detail: dict[str, Any]) -> str | None:
    """The real layout's template of a text key's plan: key columns with the same one can draw the same values."""
    shaped = detail.get("same_width") or detail.get("above") or {}
    return shaped.get("template") if isinstance(shaped, dict) else None


def share_endings(
    data: pd.DataFrame, details: dict[str, dict[str, Any]], lanes: dict[str, int], others: pd.Series | None
) -> None:
    """Give text key columns of one layout in lanes of their own one set of unused endings (in place), with room
    for each lane: :func:`apart` then splits the format's values between the lanes.

    Each column kept endings for its own keys, from one set of free endings, so two disjoint columns of
    ``ORD-1…`` numbers drew from one format of 6,400 values and shared 1,406 of 3,000 keys (session 22). The
    endings are chosen as before (:func:`synth.generated_shapes.same_width_format`: never a real value's ending,
    of any key column), for ``L`` times the keys the largest lane needs; nothing else is learned."""
    groups: dict[str, list[str]] = {}
    for name, detail in details.items():
        base = _base(detail)
        if base is not None and isinstance(detail.get("same_width"), dict):
            groups.setdefault(base, []).append(name)
    for base, names in groups.items():
        needed: dict[int, int] = {}
        for name in names:
            lane = lanes.get(name, 0)
            needed[lane] = max(needed.get(lane, 0), keys_needed(data[name].dropna().astype(str)))
        if len(needed) < 2:
            continue
        shaped = same_width_format(data[names[0]], others, base, needed=len(needed) * max(needed.values()))
        for name in names:
            details[name]["same_width"] = shaped


def apart(
    details: list[dict[str, Any]],
    counts: list[int],
    same_fits: Callable[[dict[str, Any], int], bool],
    above_fits: Callable[[dict[str, Any], int], bool],
) -> list[dict[str, Any]]:
    """Text key plans' ``details`` (moved to their lanes by :func:`in_lane`) for a table in which each draws at most
    ``counts`` keys, so that columns of one layout in different lanes share no key.

    Columns of one layout in ``L`` lanes all take the first scheme every one of them fits (a column's keys with
    unused endings could be another's continuing above the real ones), one format each (the first column's):

    * unused endings: lane ``r`` takes the format's values ``v ≡ r (mod L)`` (``[r, L]`` as the format's
      ``apart``; :func:`synth.sampling.identifiers.same_width_at`);
    * above the real keys: the lanes' offsets, in one variant of the format (``room``,
      :func:`synth.generated_above.above_at`);
    * one more digit: the same residues of the widened format (``apart``,
      :func:`synth.sampling.identifiers.identifiers_at`).

    Columns in one lane (sharing real values) keep sharing a residue, so they may share keys, as the real ones do;
    other details come back as they are."""
    out = list(details)
    groups: dict[str, list[int]] = {}
    for i, detail in enumerate(details):
        base = _base(detail)
        if base is not None and not detail.get("numeric", True):
            groups.setdefault(base, []).append(i)
    for members in groups.values():
        lanes = sorted({int(details[i].get("lane") or 0) for i in members})
        if len(lanes) < 2:
            continue
        first = details[min(members, key=lambda i: int(details[i].get("lane") or 0))]
        share = {i: [lanes.index(int(details[i].get("lane") or 0)), len(lanes)] for i in members}
        if all(isinstance(details[i].get("same_width"), dict) for i in members):
            tried = {i: {**details[i], "same_width": {**first["same_width"], "apart": share[i]}} for i in members}
            if all(same_fits(tried[i], counts[i]) for i in members):
                out = [tried.get(i, d) for i, d in enumerate(out)]
                continue
        rest = {i: {k: v for k, v in details[i].items() if k != "same_width"} for i in members}
        if all(isinstance(details[i].get("above"), dict) for i in members):
            offsets = {i: int(details[i]["above"].get("offset", 0)) for i in members}
            room = max(offsets[i] + counts[i] for i in members)
            tried = {i: {**rest[i], "above": {**first["above"], "offset": offsets[i], "room": room}} for i in members}
            if all(above_fits(tried[i], counts[i]) for i in members):
                out = [tried.get(i, d) for i, d in enumerate(out)]
                continue
        widened = {
            i: {**{k: v for k, v in rest[i].items() if k != "above"}, "template": first["template"], "apart": share[i]}
            for i in members
        }
        out = [widened.get(i, d) for i, d in enumerate(out)]
    return out
