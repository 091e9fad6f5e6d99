"""A class too few real rows (or people) hold for TSTR's gap to be judged, how such a class is written, and how
the gap itself is judged in words.

Kept apart from :mod:`synth.evaluation.utility.tstr`, which scores; this module only words: the TSTR card and the
shared outputs name a class only when enough rows (people, when the person is known) hold it, and the Compare
page's card, the data card and the HTML report judge the gap in the same words (:func:`gap_words`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from synth.evaluation.results import number, value_words
from synth.evaluation.utility.targets import MIN_CLASS_ROWS
from synth.schema.shared_range import MIN_SHOWN_ROWS

if TYPE_CHECKING:
    from synth.evaluation.utility.tstr import ModelScore


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


def gap_words(score: ModelScore, shown_class: Callable[[str], str] = str, target: str | None = None) -> str:
    """The TSTR − TRTR gap of ``score`` judged in words: "gap 95%: −0.021–0.006 · within noise", "… · not
    judged: only 4 real rows with fraud = 1 in the holdout …", or, when neither score beats the trivial model
    ("both no better than chance (0.500): neither table teaches this target, so the gap says nothing"); empty
    without an interval. ``shown_class`` (:meth:`UtilityResult.shown_class`) writes a rare class: one few rows or
    people hold is counted, not named; ``target`` names a rare class with its column ("fraud = 1").

    A report printed "ROC AUC predicting fraud: 0.426 vs 0.322" for a holdout with 4 rows of fraud = 1: two
    scores below chance, read as a gap of 0.1 in the synthetic table's favour."""
    if score.both_trivial:
        trivial = "chance" if score.metric == "roc_auc" else "the trivial model"
        return (
            f"both no better than {trivial} ({number(score.baseline)}): neither table teaches this target, so the "
            "gap says nothing"
        )
    if not score.difference_interval:
        return ""
    # A rare class leaves the gap unjudged even when the interval excludes 0: the interval resamples holdout rows
    # only, and refitting on another split moves the gap more (MIN_CLASS_ROWS).
    judged = {True: "beyond noise", False: "within noise", None: "not judged"}[score.gap_is_real]
    if score.rare_class is not None:
        rare = score.rare_class
        judged = f"not judged: {rare.reason(shown_class(rare.label), target)}"
    return f"gap 95%: {score.difference_interval.format()} · {judged}"
