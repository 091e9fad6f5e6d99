"""Declarative metric descriptions: what a score means, which way is better, where it applies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from synth.schema import ColumnKind


@dataclass(frozen=True)
class MetricSpec:
    """A metric's identity card.

    Attributes:
        name: stable identifier (matches sdmetrics' name where the definition is the same).
        description: one sentence a user can read.
        goal: whether higher or lower values are better.
        low / high: the range of the score.
        kinds: the column kinds it applies to.
    """

    name: str
    description: str
    goal: Literal["maximize", "minimize"] = "maximize"
    low: float = 0.0
    high: float = 1.0
    kinds: frozenset[ColumnKind] = field(default_factory=frozenset)
