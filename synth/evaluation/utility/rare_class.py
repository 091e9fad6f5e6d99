"""A class too few real rows (or people) hold for TSTR's gap to be judged, and how such a class is written.

Kept apart from :mod:`synth.evaluation.utility.tstr`, which scores; this module only words: the TSTR card and the
shared outputs name a class only when enough rows (people, when the person is known) hold it.
"""

from __future__ import annotations

from dataclasses import dataclass

from synth.evaluation.results import value_words
from synth.evaluation.utility.targets import MIN_CLASS_ROWS
from synth.schema.shared_range import MIN_SHOWN_ROWS


@dataclass(frozen=True)
class RareClass:
    """The class with the fewest rows on its rarer side, when a side has fewer than :data:`MIN_CLASS_ROWS`.

    Attributes:
        label: the class, as text.
        train_rows: its rows in the real training sample.
        test_rows: its rows in the holdout the scores are measured on.
    """

    label: str
    train_rows: int
    test_rows: int

    def reason(self, shown: str | None = None, target: str | None = None) -> str:
        """Why a gap is not judged, with the counts: "only 10 real rows with churn = yes in the holdout (24 in
        training); at least 30 of each are needed". ``shown``: the class as it may be written
        (:meth:`UtilityResult.shown_class`), in place of its label. With ``target`` the class is named with its
        column: the ledger walk's "only 4 real rows of 1 in the holdout" read as four rows out of one."""
        named = shown is None or shown == self.label
        if self.test_rows <= self.train_rows:
            fewest, where = self.test_rows, f"in the holdout ({self.train_rows:,} in training)"
        else:
            fewest, where = self.train_rows, f"in training ({self.test_rows:,} in the holdout)"
        if not named:  # a class few rows or people hold is counted, not named
            held = f"of {target} {shown}" if target else f"of {shown}"
        else:
            held = f"with {target} = {value_words(self.label)}" if target else f"of {value_words(self.label)}"
        return (
            f"only {fewest:,} real row{'s' if fewest != 1 else ''} {held} {where}; at least "
            f"{MIN_CLASS_ROWS} of each are needed to judge the gap"
        )


#: How :meth:`UtilityResult.to_dict` writes a class too few real rows hold to be named, and one too few real people
#: hold when the person is known.
UNNAMED_CLASS = f"(a class under {MIN_SHOWN_ROWS} rows)"
UNNAMED_PEOPLE_CLASS = f"(a class under {MIN_SHOWN_ROWS} people)"
