"""The privacy ledger of one fit: what each mechanism spent, checked against the declared budget.

Basic sequential composition: the ε of every mechanism that reads the table add up, and so do the δ.
Mechanisms over disjoint parts of the table would compose in parallel; PrivBayes does not rely on that.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class BudgetError(ValueError):
    """A fit tried to spend more privacy budget than was declared (a bug, never the user's input)."""


@dataclass
class Budget:
    """A declared (ε, δ) and the spending recorded against it."""

    epsilon: float
    delta: float = 0.0
    entries: list[tuple[str, float, float]] = field(default_factory=list)

    @property
    def spent_epsilon(self) -> float:
        return sum(e for _, e, _ in self.entries)

    @property
    def spent_delta(self) -> float:
        return sum(d for _, _, d in self.entries)

    def spend(self, what: str, epsilon: float, delta: float = 0.0) -> float:
        """Record ``epsilon`` (and ``delta``) for ``what``; refuse to exceed the declared budget."""
        if epsilon < 0 or delta < 0:
            raise BudgetError(f"{what}: negative budget {epsilon!r}, {delta!r}")
        if self.spent_epsilon + epsilon > self.epsilon * (1 + 1e-9):
            raise BudgetError(f"{what} would bring ε spent to {self.spent_epsilon + epsilon:g} > {self.epsilon:g}")
        if self.spent_delta + delta > self.delta * (1 + 1e-9) + 1e-300:
            raise BudgetError(f"{what} would bring δ spent to {self.spent_delta + delta:g} > {self.delta:g}")
        if epsilon > 0 or delta > 0:
            self.entries.append((what, float(epsilon), float(delta)))
        return epsilon

    def ledger(self) -> tuple[tuple[str, float, float], ...]:
        """Every spending as (what, ε, δ), in the order spent."""
        return tuple(self.entries)
