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

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from synth.evaluation.results import percent
from synth.schema import Schema

if TYPE_CHECKING:
    from synth.evaluation.context import EvaluationContext


#: A synthetic table whose rows share their person this much less often than the real rows is named by the headline.
REPEAT_GAP = 0.1


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
    #: the share of rows (with a person) whose person is on another row too, real and synthetic
    real_repeated_rows: float = 0.0
    synthetic_repeated_rows: float = 0.0

    @property
    def repeats_lost(self) -> bool:
        """The synthetic rows share their person at least :data:`REPEAT_GAP` less often than the real rows."""
        return self.real_repeated_rows - self.synthetic_repeated_rows >= REPEAT_GAP

    @property
    def repeats_clearly_lost(self) -> bool:
        """Named, and at most half as many synthetic rows share their person as real rows: grouping by person
        alone tells the tables apart."""
        return self.repeats_lost and self.synthetic_repeated_rows <= self.real_repeated_rows / 2

    @property
    def repeats_kept(self) -> float:
        """The synthetic share of rows sharing their person as a share of the real one, capped at 1 (1 when the real
        rows hold no repeat)."""
        if self.real_repeated_rows <= 0:
            return 1.0
        return min(1.0, self.synthetic_repeated_rows / self.real_repeated_rows)

    def repeat_words(self) -> str:
        """How often rows share their person, synthetic against real, in words."""
        return (
            f"{percent(self.synthetic_repeated_rows)} of synthetic rows share their {self.person} with another row, "
            f"against {percent(self.real_repeated_rows)} of real rows ({self.real_rows_per_person:.1f} rows per real "
            f"{self.person}, {self.synthetic_rows_per_person:.1f} per synthetic)"
        )

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
    real_people, real_rows, real_repeated, real_shares = varying(real, person_column, kept)
    syn_people, syn_rows, syn_repeated, syn_shares = varying(synthetic, person_column, kept)
    columns = tuple(PersonValueBreaks(c, real_shares[c] or 0.0, syn_shares[c] if syn_people else None) for c in kept)
    return PersonValues(
        person_column, real_people, real_rows, syn_people, syn_rows, columns, real_repeated, syn_repeated
    )


def varying(
    frame: pd.DataFrame, person: str, columns: Sequence[str]
) -> tuple[int, float, float, dict[str, float | None]]:
    """People with two or more rows, rows per person, the share of rows whose person is on another row, and per
    column the share of people with two or more rows whose rows hold more than one value (missing counts as a value;
    None without such people). Rows without a person are left out."""
    named = frame[frame[person].notna()]
    codes = pd.factorize(named[person].to_numpy())[0]
    sizes = np.bincount(codes) if len(codes) else np.zeros(0, dtype=np.int64)
    per_person = float(len(codes) / len(sizes)) if len(sizes) else 0.0
    repeated = sizes[codes] > 1 if len(codes) else np.zeros(0, dtype=bool)
    people = int((sizes > 1).sum())
    repeated_rows = float(repeated.mean()) if len(repeated) else 0.0
    shares: dict[str, float | None] = {}
    for name in columns:
        if not people:
            shares[name] = None
            continue
        values = pd.factorize(named[name].to_numpy()[repeated], use_na_sentinel=False)[0]
        grouped = pd.Series(values).groupby(codes[repeated]).nunique()
        shares[name] = float((grouped > 1).mean())
    return people, per_person, repeated_rows, shares
