"""How many real rows a pair's score stands on: the rows where both of its columns hold a value.

A pair of columns that are rarely present together scores on a handful of rows: an HR table's office latitude
(missing for remote staff) against its termination date (leavers only, 1% of rows) shares 23 rows of 2,400, and the
Compare page opened its pair explorer on that pair, an almost empty heatmap. A pair is *supported* when at least
:data:`MIN_PAIR_ROWS` rows and :data:`MIN_PAIR_SHARE` of the rows hold both values; the others are left out of the
ranking of lost relationships and of the explorer's first pair, and named in a note.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.evaluation.fidelity.scores import FidelityResult, PairScore

#: At fewer rows with both values a correlation's standard error is above 0.1 (about 1/√n): noise, not a finding.
MIN_PAIR_ROWS = 100
#: ...and at least this share of the rows, so a pair judged stands for the table, not a corner of it.
MIN_PAIR_SHARE = 0.05


def rows_in_common(real: pd.DataFrame, columns: Sequence[str]) -> dict[frozenset[str], int]:
    """For every pair of ``columns`` (those in ``real``), the number of rows of ``real`` where both hold a value."""
    names = [c for c in columns if c in real.columns]
    present = real[names].notna().to_numpy(dtype=np.float64)
    both = present.T @ present  # one product for every pair: exact counts, well inside float64's whole numbers
    return {frozenset((a, b)): int(both[i, j]) for i, a in enumerate(names) for j, b in enumerate(names) if i < j}


def is_supported(common: int, n_rows: int) -> bool:
    """Whether ``common`` of ``n_rows`` rows holding both values are enough to judge a pair on."""
    return common >= MIN_PAIR_ROWS and common >= MIN_PAIR_SHARE * n_rows


@dataclass(frozen=True)
class RankedPairs:
    """Pairs from the worst kept to the best (:meth:`FidelityResult.worst_pairs`), split by support.

    Attributes:
        supported: pairs with enough rows holding both values, worst first.
        sparse: the others, worst first: left out of the ranking and of the explorer's first pair.
        common: rows holding both values, per pair (``frozenset`` of the two names).
        n_rows: rows of the real table counted.
    """

    supported: tuple[PairScore, ...]
    sparse: tuple[PairScore, ...]
    common: dict[frozenset[str], int]
    n_rows: int

    def rows(self, pair: PairScore) -> int:
        """Rows of the real table holding both of ``pair``'s values."""
        return self.common[frozenset((pair.column_a, pair.column_b))]

    @property
    def ranked(self) -> tuple[PairScore, ...]:
        """The pairs to rank as lost: the supported ones, or every pair when none is supported (a small table)."""
        return self.supported or self.sparse

    @property
    def first(self) -> PairScore | None:
        """The pair to open the explorer on: the worst of :attr:`ranked`, None when there is no pair."""
        return self.ranked[0] if self.ranked else None

    def note(self, examples: int = 3) -> str:
        """A sentence naming the pairs left out and why, or "" when none was."""
        if not self.sparse:
            return ""
        floor = max(MIN_PAIR_ROWS, int(np.ceil(MIN_PAIR_SHARE * self.n_rows)))
        if not self.supported:
            return (
                f"Every pair has fewer than {floor:,} of the {self.n_rows:,} real rows holding both values: the pairs "
                "are ranked all the same, each with its rows, but judge them with care."
            )
        named = ", ".join(f"{p.column_a} × {p.column_b} ({self.rows(p):,})" for p in self.sparse[:examples])
        more = f" and {len(self.sparse) - examples:,} more" if len(self.sparse) > examples else ""
        return (
            f"{len(self.sparse):,} pair{'s' if len(self.sparse) != 1 else ''} left out: fewer than {floor:,} of the "
            f"{self.n_rows:,} real rows hold both values, too few to judge: {named}{more}."
        )


def rank_pairs(fidelity: FidelityResult, real: pd.DataFrame) -> RankedPairs:
    """``fidelity``'s pairs, worst first, split into those ``real`` (the table scored: train) supports and not."""
    pairs = fidelity.worst_pairs()
    names = list(dict.fromkeys(c for p in pairs for c in (p.column_a, p.column_b)))
    common = rows_in_common(real, names)
    n_rows = len(real)
    # A pair of a column ``real`` lacks (none is expected) counts as fully present: left in, as before.
    ok = [is_supported(common.setdefault(frozenset((p.column_a, p.column_b)), n_rows), n_rows) for p in pairs]
    supported = tuple(p for p, keep in zip(pairs, ok, strict=True) if keep)
    sparse = tuple(p for p, keep in zip(pairs, ok, strict=True) if not keep)
    return RankedPairs(supported, sparse, common, n_rows)
