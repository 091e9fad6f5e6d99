"""The record inspector: one synthetic row beside its nearest real rows, and how rare that combination is.

For a chosen synthetic row: its nearest training rows (the distance of the DCR chart), which columns match
each of them exactly, its distance to the nearest holdout row for comparison, and how many training rows
share the values it matches on — a combination held by a single real person is the privacy problem the
distance numbers summarise. Values are shown masked unless the caller asks otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from synth.evaluation.privacy.common import PrivacyInputError, Tables, prepare_tables
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.neighbors import (
    NUMERIC_KINDS,
    MixedEncoder,
    as_labels,
    euclidean_neighbors,
    numeric_values,
    row_hashes,
)
from synth.evaluation.results import to_jsonable
from synth.schema import ColumnKind, Schema, infer_schema

MASK = "•••"
RARE_AT_MOST = 5
"""A combination held by at most this many training rows is rare (k-anonymity with k = 5 is a common bar)."""

Rarity = Literal["unique", "rare", "common", "absent"]


def _display(value: Any) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return "(missing)"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _rarity(count: int) -> Rarity:
    if count == 0:
        return "absent"
    if count == 1:
        return "unique"
    return "rare" if count <= RARE_AT_MOST else "common"


@dataclass(frozen=True)
class Neighbour:
    """A real training row near the inspected synthetic row.

    Attributes:
        train_row: position of the row in the training table.
        distance: mixed-type distance to the synthetic row (0 = identical on every compared column).
        matching: the columns on which it equals the synthetic row.
        values: its values, as text, in the order of :attr:`RecordInspection.columns`.
    """

    train_row: int
    distance: float
    matching: tuple[str, ...]
    values: tuple[str, ...]


@dataclass(frozen=True)
class RecordInspection:
    """One synthetic row next to its nearest training rows.

    Attributes:
        row: position of the row in the synthetic table.
        columns: the learned columns compared.
        values: the synthetic row's values as text.
        neighbours: its nearest training rows, nearest first.
        holdout_distance: distance to its nearest holdout row (fresh real people, for comparison), or None.
        matched_columns: columns equal to the nearest training row.
        match_count: training rows sharing the synthetic row's values on ``matched_columns``.
        match_rarity: ``unique``, ``rare`` (at most 5), ``common`` — or ``absent`` when nothing matches.
        quasi_identifiers: the attacker's known columns used for ``qi_count``.
        qi_count: training rows sharing the synthetic row's values on the quasi-identifiers.
        qi_rarity: the rarity of that combination.
        exact_copy: whether the row equals a training row on every compared column.
    """

    row: int
    columns: tuple[str, ...]
    values: tuple[str, ...]
    neighbours: tuple[Neighbour, ...]
    holdout_distance: float | None
    matched_columns: tuple[str, ...]
    match_count: int
    match_rarity: Rarity
    quasi_identifiers: tuple[str, ...]
    qi_count: int
    qi_rarity: Rarity
    exact_copy: bool

    def table(self, masked: bool = True) -> pd.DataFrame:
        """The row and its neighbours side by side, one line per column; values masked unless asked.

        Args:
            masked: replace every value by ``•••`` (the match marks and distances stay).
        """
        data: dict[str, list[str]] = {"synthetic row": [MASK if masked else v for v in self.values]}
        for i, n in enumerate(self.neighbours, start=1):
            marks = ["✓" if c in n.matching else "✗" for c in self.columns]
            shown = [MASK if masked else v for v in n.values]
            data[f"nearest {i} (train row {n.train_row}, d={n.distance:.3f})"] = [
                f"{m} {v}" for m, v in zip(marks, shown, strict=True)
            ]
        return pd.DataFrame(data, index=pd.Index(self.columns, name="column"))

    def summary(self) -> str:
        """The finding in plain words."""
        if not self.neighbours:
            return "No training row to compare with."
        nearest = self.neighbours[0]
        parts = []
        if self.exact_copy:
            parts.append(f"This synthetic row is an exact copy of training row {nearest.train_row}")
        else:
            parts.append(
                f"Its nearest training row (row {nearest.train_row}, distance {nearest.distance:.3f}) matches it on "
                f"{len(self.matched_columns)} of {len(self.columns)} columns"
            )
        if self.holdout_distance is not None:
            closer = "closer to" if nearest.distance < self.holdout_distance else "no closer to"
            parts.append(
                f"it is {closer} training people than to fresh real people (nearest holdout row at "
                f"{self.holdout_distance:.3f})"
            )
        text = "; ".join(parts) + "."
        if self.matched_columns:
            who = {
                "unique": "A single training person has",
                "rare": f"Only {self.match_count} training people have",
                "common": f"{self.match_count:,} training people have",
                "absent": "No training person has",
            }[self.match_rarity]
            text += f" {who} the matching combination of values."
        if self.quasi_identifiers:
            text += (
                f" On the quasi-identifiers ({', '.join(self.quasi_identifiers)}) it matches {self.qi_count:,} "
                f"training {'person' if self.qi_count == 1 else 'people'} ({self.qi_rarity})."
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


def inspect_record(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    row: int,
    *,
    holdout: pd.DataFrame | None = None,
    schema: Schema | None = None,
    quasi_identifiers: Sequence[str] = (),
    k: int = 3,
    inputs: PrivacyInputs | None = None,
) -> RecordInspection:
    """Put synthetic row ``row`` beside its ``k`` nearest training rows.

    Args:
        train: the table the synthesizer was fitted on.
        synthetic: its synthetic output.
        row: position of the synthetic row (0-based).
        holdout: real rows the synthesizer never saw, for the distance to fresh people.
        schema: column kinds (inferred from ``train`` when omitted).
        quasi_identifiers: columns an attacker knows; the row's combination on them is counted in train.
        k: how many nearest training rows to show.
        inputs: the tables prepared and encoded once (:class:`PrivacyInputs`); the search then reuses them.

    Raises:
        PrivacyInputError: for a row outside the synthetic table.
    """
    if not 0 <= row < len(synthetic):
        raise PrivacyInputError(f"There is no synthetic row {row}: pick a row between 0 and {len(synthetic) - 1:,}.")
    if inputs is not None:
        t = inputs.tables
        kinds = inputs.kinds
        x_row = inputs.encoded("synthetic")[[row]]
        dist, idx = euclidean_neighbors(x_row, inputs.encoded("train"), max(1, k))
        x_hold = inputs.encoded("holdout")
        t = Tables(t.schema, t.columns, t.train, t.synthetic.iloc[[row]].reset_index(drop=True), t.holdout)
    else:
        schema = schema or infer_schema(train)
        hold = holdout if holdout is not None else train.iloc[:0]
        t = prepare_tables(train, synthetic.iloc[[row]], hold, schema)
        kinds = t.schema.kinds()
        encoder = MixedEncoder.fit(t.train, t.schema, (t.synthetic, t.holdout))
        x_row = encoder.transform(t.synthetic, kinds)
        dist, idx = euclidean_neighbors(x_row, encoder.transform(t.train, kinds), max(1, k))
        x_hold = encoder.transform(t.holdout, kinds) if len(t.holdout) else None
    cols = list(t.columns)
    labels = {c: _comparable(t.train[c], kinds[c]) for c in cols}
    mine = {c: _comparable(t.synthetic[c], kinds[c])[0] for c in cols}
    original = synthetic.iloc[row]
    neighbours = []
    for d, i in zip(dist[0], idx[0], strict=True):
        matching = tuple(c for c in cols if _same(labels[c][i], mine[c]))
        values = tuple(_display(train.iloc[int(i)][c]) for c in cols)
        neighbours.append(Neighbour(int(i), float(d), matching, values))
    holdout_distance = None
    if x_hold is not None and x_hold.shape[0]:
        holdout_distance = float(euclidean_neighbors(x_row, x_hold, 1)[0][0, 0])
    matched = neighbours[0].matching if neighbours else ()
    match_count = _count(t.train, t.synthetic, list(matched), kinds) if matched else 0
    qis = [c for c in quasi_identifiers if c in cols]
    qi_count = _count(t.train, t.synthetic, qis, kinds) if qis else 0
    return RecordInspection(
        row=row,
        columns=tuple(cols),
        values=tuple(_display(original[c]) for c in cols),
        neighbours=tuple(neighbours),
        holdout_distance=holdout_distance,
        matched_columns=matched,
        match_count=match_count,
        match_rarity=_rarity(match_count),
        quasi_identifiers=tuple(qis),
        qi_count=qi_count,
        qi_rarity=_rarity(qi_count),
        exact_copy=bool(neighbours and len(neighbours[0].matching) == len(cols)),
    )


def _comparable(col: pd.Series, kind: ColumnKind) -> np.ndarray:
    """Values normalised for equality: numbers as rounded floats (NaN missing), the rest as labels."""
    if kind in NUMERIC_KINDS:
        return np.round(numeric_values(col, kind), 9)
    return as_labels(col).to_numpy()


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return bool(a == b)


def _count(train: pd.DataFrame, one: pd.DataFrame, columns: list[str], kinds: dict[str, ColumnKind]) -> int:
    """Training rows equal to the single row of ``one`` on ``columns``."""
    target = row_hashes(one, columns, kinds)[0]
    return int((row_hashes(train, columns, kinds) == target).sum())
