"""Values a person keeps across their rows: a patient's name, birth date and sex are the same on all their visits.

Why
    Every model draws rows independently. Without holding person-level values (:mod:`synth.synthesizers.people`) a
    synthetic patient with three visits had three names and birth dates; a peer's table (SDV, CTGAN) or one written
    in blocks before session 38 did too. No marginal, pair or row-level score sees it: each row is plausible on its
    own. This check does, for any synthetic table with the real table's person column.

What
    The columns at least :data:`~synth.synthesizers.people.HOLD_SHARE` (99%) of the real people with two or more
    rows hold one value in (missing counts as a value; at least
    :data:`~synth.synthesizers.people.MIN_REPEATED_PEOPLE` such people), and for each the share of real and of
    synthetic people with two or more rows whose rows hold more than one value of it, with the rows per person on
    each side (a synthetic table whose ids never repeat holds no person to judge, which is itself worth saying).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.schema import Schema

if TYPE_CHECKING:
    from synth.evaluation.context import EvaluationContext


@dataclass(frozen=True)
class PersonValueBreaks:
    """How often people's rows disagree on one column every real person keeps."""

    #: the column
    column: str
    #: real people with two or more rows whose rows hold more than one value of it
    real_share: float
    #: the same for synthetic people (None: no synthetic person has two or more rows)
    synthetic_share: float | None


@dataclass(frozen=True)
class PersonValues:
    """The columns a real person keeps across their rows and how the synthetic people keep them."""

    #: the person column
    person: str
    #: real people with two or more rows, and rows per person (people with any row)
    real_people: int
    real_rows_per_person: float
    #: the same for the synthetic table
    synthetic_people: int
    synthetic_rows_per_person: float
    columns: tuple[PersonValueBreaks, ...]

    @property
    def worst(self) -> PersonValueBreaks | None:
        """The column synthetic people change most often (None when no synthetic person repeats)."""
        judged = [c for c in self.columns if c.synthetic_share is not None]
        return max(judged, key=lambda c: c.synthetic_share or 0.0, default=None)


def evaluate_person_values(
    real: pd.DataFrame | None = None,
    synthetic: pd.DataFrame | None = None,
    person_column: str | None = None,
    schema: Schema | None = None,
    *,
    context: EvaluationContext | None = None,
) -> PersonValues | None:
    """The columns every real person keeps and how often synthetic people change them (see the module docstring);
    None without a person column, when the synthetic table lacks it, or when the real people keep no column."""
    from synth.synthesizers.people import constant_columns

    if context is not None:
        real, synthetic, person_column = context.train, context.synthetic, context.people
    if real is None or synthetic is None or person_column is None:
        return None
    if person_column not in real.columns or person_column not in synthetic.columns:
        return None
    names = [c for c in real.columns if c != person_column and c in synthetic.columns]
    if schema is not None:
        names = [c for c in names if c in schema.names]
    kept = constant_columns(real, person_column, names)
    if not kept:
        return None
    real_people, real_rows, real_shares = _varying(real, person_column, kept)
    syn_people, syn_rows, syn_shares = _varying(synthetic, person_column, kept)
    columns = tuple(PersonValueBreaks(c, real_shares[c] or 0.0, syn_shares[c] if syn_people else None) for c in kept)
    return PersonValues(person_column, real_people, real_rows, syn_people, syn_rows, columns)


def _varying(frame: pd.DataFrame, person: str, columns: tuple[str, ...]) -> tuple[int, float, dict[str, float | None]]:
    """People with two or more rows, rows per person, and per column the share of those people whose rows hold more
    than one value (missing counts as a value; None without such people)."""
    named = frame[frame[person].notna()]
    codes = pd.factorize(named[person].to_numpy())[0]
    sizes = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    per_person = float(len(codes) / len(sizes)) if len(sizes) else 0.0
    repeated = sizes[codes] > 1 if len(codes) else np.zeros(0, dtype=bool)
    people = int((sizes > 1).sum())
    shares: dict[str, float | None] = {}
    for name in columns:
        if not people:
            shares[name] = None
            continue
        values = pd.factorize(named[name].to_numpy()[repeated], use_na_sentinel=False)[0]
        grouped = pd.Series(values).groupby(codes[repeated]).nunique()
        shares[name] = float((grouped > 1).mean())
    return people, per_person, shares
