"""Columns missing together ("missing groups"): columns whose values are missing on exactly the same training rows
(an office's latitude and longitude for remote staff, a survey's app rating and app frequency for non-users),
found at fit and kept on every synthetic row by CART, Pruned CART and the Gaussian copula.

Without it a model that draws each column's missingness in its own step mixes them: fitted on the hr walk table and
sampled at its size, the copula gave 458 of 3,000 rows with a latitude and no longitude (Pruned CART 5); on the
survey table CART gave 3 rows with a rating and no frequency, Pruned CART 5.

A group's first column is its **leader**. At sample time (:func:`synth.synthesizers.row_orders.keep_orders`, in the
same rounds as orders and category ranges) a row whose leader is missing has the others set missing: no redraw,
so the group keeps the leader's modelled missing share. A row whose leader is present and another column missing is
drawn again wanting every column of the group present. Rejecting such rows alone would lower the group's missing
share wherever the model misses the dependence (the copula draws the two masks nearly independently). With it, of
20,000 rows none is mixed for any of the three, each column's missing share is the leader's (hr: real 0.098, the
copula 0.098) and sampling is as fast within noise (``python -m benchmarks.bench_missing_together``).

A group names columns only: the model file holds no value for it. Each column of a group is missing on at least
:data:`MIN_GROUP_ROWS` training rows and present on at least as many, the minimum of the other rules. The DP
network does not keep these rules: its ε covers everything its model holds, and the groups are read from the data
without noise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import Schema
from synth.synthesizers import persist
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.person_rarity import distinct_people

#: Fewest training rows on which a group's columns are missing, and fewest on which they are present.
MIN_GROUP_ROWS = 20


@dataclass(frozen=True)
class MissingGroup:
    """``columns`` are missing on the same rows: where ``columns[0]`` (the leader) is missing, every other one is."""

    columns: tuple[str, ...]

    @property
    def leader(self) -> str:
        return self.columns[0]

    @property
    def followers(self) -> tuple[str, ...]:
        return self.columns[1:]


persist.register_state_type(MissingGroup)  # saved in model files; loading builds only registered types


def search_groups(
    data: pd.DataFrame, names: Sequence[str], min_rows: int = MIN_GROUP_ROWS, people: np.ndarray | None = None
) -> tuple[MissingGroup, ...]:
    """Every group of two or more of ``names`` whose missing masks are identical on every row of ``data``, each
    missing on at least ``min_rows`` rows and present on at least as many, in the order of ``names``. Each mask is
    packed to bytes and hashed once, so a wide table costs one pass per column; equal hashes are compared in full
    before a group is formed (no group from a hash collision). ``people`` (each row's person, as the models' fit
    knows them): missing and present are counted in people, so one person's rows never make a group alone."""
    n = len(data)
    buckets: dict[bytes, list[tuple[str, np.ndarray]]] = {}
    for name in names:
        mask = data[name].isna().to_numpy(dtype=bool)
        missing = int(np.count_nonzero(mask))
        present = n - missing
        if people is not None:  # the same rule, in people: those with a missing row, those with a present one
            missing, present = distinct_people(people[mask]), distinct_people(people[~mask])
        if missing < min_rows or present < min_rows:
            continue
        packed = np.packbits(mask)
        buckets.setdefault(packed.tobytes(), []).append((name, mask))
    groups = []
    for members in buckets.values():
        while len(members) >= 2:
            first = members[0][1]
            same = [m for m in members if np.array_equal(m[1], first)]
            if len(same) >= 2:
                groups.append(tuple(name for name, _ in same))
            members = [m for m in members if not np.array_equal(m[1], first)]
    order = {name: k for k, name in enumerate(names)}
    return tuple(MissingGroup(g) for g in sorted(groups, key=lambda g: order[g[0]]))


def frame_missing_groups(
    data: pd.DataFrame,
    schema: Schema,
    skip: Iterable[str] = (),
    min_rows: int = MIN_GROUP_ROWS,
    people: np.ndarray | None = None,
) -> tuple[MissingGroup, ...]:
    """The groups a model keeps (``missing_groups_``): among its learned columns but ``skip`` (columns an exact rule
    computes: the rule writes their missing values), each missing and present on at least ``min_rows`` training rows
    (at least :data:`MIN_GROUP_ROWS`), or by that many people when ``people`` is given."""
    left = set(skip)
    names = [n for n in schema.modelled if n in data and n not in left]
    return search_groups(data, names, max(int(min_rows), MIN_GROUP_ROWS), people)


def model_groups(model: object) -> tuple[MissingGroup, ...]:
    """The groups a fitted model keeps on whole rows; () for models without them and files saved before them."""
    return tuple(getattr(model, "missing_groups_", ()))


def group_columns(groups: Sequence[MissingGroup]) -> list[str]:
    """The columns of ``groups``, each once."""
    return list(dict.fromkeys(c for g in groups for c in g.columns))


def leader_of(groups: Sequence[MissingGroup]) -> dict[str, str]:
    """Each grouped column's leader (a leader's is itself): a row's wanted missing pattern reads the leader."""
    return {c: g.leader for g in groups for c in g.columns}


def mixed_rows(body: pd.DataFrame, groups: Sequence[MissingGroup]) -> np.ndarray:
    """Rows of ``body`` where a group's columns are neither all present nor all missing."""
    bad = np.zeros(len(body), dtype=bool)
    for group in groups:
        masks = np.column_stack([body[c].isna().to_numpy(dtype=bool) for c in group.columns])
        bad |= masks.any(axis=1) & ~masks.all(axis=1)
    return bad


def led_rows(body: pd.DataFrame, groups: Sequence[MissingGroup]) -> np.ndarray:
    """Rows whose leader is present and another column of its group missing: the rows drawn again."""
    bad = np.zeros(len(body), dtype=bool)
    for group in groups:
        present = body[group.leader].notna().to_numpy(dtype=bool)
        for name in group.followers:
            bad |= present & body[name].isna().to_numpy(dtype=bool)
    return bad


def _set_missing(body: pd.DataFrame, name: str, rows: np.ndarray) -> None:
    column = body[name]
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_integer_dtype(column):
        column = column.astype(object if pd.api.types.is_bool_dtype(column) else np.float64)
    column = column.copy()
    column[rows] = None if column.dtype == object else np.nan
    body[name] = column


def follow_leaders(body: pd.DataFrame, groups: Sequence[MissingGroup]) -> pd.DataFrame:
    """``body`` with every column of a group set missing where its leader is (in place; returned for chaining)."""
    for group in groups:
        missing = body[group.leader].isna().to_numpy(dtype=bool)
        for name in group.followers:
            rows = missing & body[name].notna().to_numpy(dtype=bool)
            if rows.any():
                _set_missing(body, name, rows)
    return body


def clear_groups(body: pd.DataFrame, groups: Sequence[MissingGroup]) -> bool:
    """Set every column of a group missing on the rows where it is still mixed (after the redraw rounds: rows of a
    missing pattern the model seldom draws); whether any was."""
    changed = False
    for group in groups:
        rows = mixed_rows(body, (group,))
        if rows.any():
            for name in group.columns:
                _set_missing(body, name, rows & ~body[name].isna().to_numpy(dtype=bool))
            changed = True
    return changed


def describe_groups(model: object) -> str | None:
    """The groups a fitted model keeps, e.g. "office_lat and office_lon (missing on the same rows)"; None when it
    keeps none."""
    clauses = []
    for group in model_groups(model):
        names = list(group.columns)
        listed = ", ".join(names[:-1]) + " and " + names[-1]
        clauses.append(f"{listed} (missing on the same rows)")
    return "; ".join(clauses) + "." if clauses else None


def check_groups(model: Any, names: set[str]) -> None:
    """A loaded model's ``missing_groups_`` (absent from files saved before them): groups of two or more distinct
    columns the model draws, no column in two groups. Anything else is refused with the project's load error."""
    from synth.synthesizers.state_checks import fail

    groups = getattr(model, "missing_groups_", ())
    if not isinstance(groups, tuple) or not all(isinstance(g, MissingGroup) for g in groups):
        fail("the missing_groups_ are not missing groups")
    seen: set[str] = set()
    for k, group in enumerate(groups):
        label = f"missing_groups_ group {k}"
        columns = group.columns
        if not isinstance(columns, tuple) or len(columns) < 2:
            fail(f"{label} has fewer than two columns")
        if not all(isinstance(c, str) and c in names for c in columns):
            fail(f"{label} names a column the model does not draw")
        if len(set(columns)) != len(columns) or seen & set(columns):
            fail(f"{label} names a column twice")
        seen |= set(columns)


GROUPS_ARTIFACT = ArtifactItem(
    "Missing together",
    "for columns missing on exactly the same training rows (an office's latitude and longitude): their names",
    "structure",
    "Kept only when the columns' missing values fall on the same rows on every training row, each missing on at "
    "least 20 rows and present on at least 20; column names only, no value.",
    held_in=("missing_groups_",),
)
