"""Demo mode for a room of stakeholders: anonymised column names and a "spot the synthetic row" game.

The game mixes real holdout rows with synthetic rows; viewers guess which are synthetic; their accuracy is set
beside chance (50%) and beside the detection classifier. The holdout rows are real people: the game is for a
table that may be shown in the room.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.evaluation.results import to_jsonable


def anonymous_names(columns: Sequence[str]) -> dict[str, str]:
    """Column → "Column A", "Column B", … ("Column AA" after Z), in table order."""
    letters = string.ascii_uppercase

    def code(i: int) -> str:
        out = ""
        i += 1
        while i:
            i, r = divmod(i - 1, 26)
            out = letters[r] + out
        return out

    return {c: f"Column {code(i)}" for i, c in enumerate(columns)}


@dataclass(frozen=True, eq=False)
class Game:
    """A shuffled mix of real holdout and synthetic rows, and which is which.

    Attributes:
        rows: the rows to show, numbered 1..n in ``row`` (no hint of their source).
        is_synthetic: per shown row, whether it is synthetic.
        seed: the shuffle's seed.
    """

    rows: pd.DataFrame
    is_synthetic: tuple[bool, ...]
    seed: int

    def score(self, guessed_synthetic: Iterable[int]) -> GameScore:
        """Score the room's guess: the set of row numbers (1-based) it thinks are synthetic."""
        guess = set(int(g) for g in guessed_synthetic)
        truth = np.array(self.is_synthetic)
        said = np.array([i + 1 in guess for i in range(len(truth))])
        correct = int((said == truth).sum())
        return GameScore(correct=correct, total=len(truth), accuracy=correct / len(truth) if len(truth) else 0.0)


@dataclass(frozen=True)
class GameScore:
    correct: int
    total: int
    accuracy: float

    def to_dict(self) -> dict[str, object]:
        return to_jsonable(self)


def spot_the_synthetic(holdout: pd.DataFrame, synthetic: pd.DataFrame, *, n: int = 10, seed: int = 0) -> Game:
    """``n`` rows, half real holdout and half synthetic (the shared columns), shuffled with ``seed``."""
    rng = np.random.default_rng(seed)
    cols = [c for c in holdout.columns if c in synthetic.columns]
    n_syn = n // 2
    n_real = n - n_syn
    real = holdout[cols].iloc[rng.choice(len(holdout), size=min(n_real, len(holdout)), replace=False)]
    syn = synthetic[cols].iloc[rng.choice(len(synthetic), size=min(n_syn, len(synthetic)), replace=False)]
    mixed = pd.concat([real.astype(object), syn.astype(object)], ignore_index=True)
    flags = np.array([False] * len(real) + [True] * len(syn))
    order = rng.permutation(len(mixed))
    rows = mixed.iloc[order].reset_index(drop=True)
    rows.insert(0, "row", np.arange(1, len(rows) + 1))
    return Game(rows=rows, is_synthetic=tuple(bool(x) for x in flags[order]), seed=seed)
