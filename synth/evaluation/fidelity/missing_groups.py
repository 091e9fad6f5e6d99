"""Columns the real table leaves missing on the same rows (an office's latitude and longitude for remote staff), and
how often a synthetic table breaks them: Compare's table right below the category ranges.

The search is the models' own (:func:`synth.synthesizers.missing_together.search_groups`): two or more learned
columns whose missing masks are identical on every real row, each missing on at least 20 rows and present on at
least 20. A real row never breaks a group found on it; a synthetic row breaks one when some of its columns are
missing and others present (a latitude without its longitude).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from synth.schema import Schema
from synth.synthesizers.missing_together import MissingGroup, mixed_rows, search_groups


@dataclass(frozen=True)
class GroupBreaks:
    """How often a synthetic table has a real table's missing-together group half missing."""

    group: MissingGroup
    #: real rows with the group missing (all its columns)
    real_missing: float
    #: synthetic rows with the group's leader missing
    synthetic_missing: float
    #: synthetic rows with some of the group's columns missing and others present
    mixed: int
    #: the same as a share of the synthetic rows
    broken: float


def evaluate_missing_groups(real: pd.DataFrame, synthetic: pd.DataFrame, schema: Schema) -> tuple[GroupBreaks, ...]:
    """The groups ``real`` keeps and, for each, how often ``synthetic`` mixes it; the most often broken first."""
    names = [n for n in schema.modelled if n in real and n in synthetic]
    out = []
    for group in search_groups(real, names):
        mixed = int(mixed_rows(synthetic, (group,)).sum())
        out.append(
            GroupBreaks(
                group,
                float(real[group.leader].isna().mean()),
                float(synthetic[group.leader].isna().mean()) if len(synthetic) else 0.0,
                mixed,
                mixed / len(synthetic) if len(synthetic) else 0.0,
            )
        )
    return tuple(sorted(out, key=lambda b: -b.broken))
