"""The one-sentence fidelity verdict, built only from scores that separate good generators from bad ones.

"As good as fresh real data" is said only when every order of marginal accuracy (1-, 2- and 3-way) is within
noise of the real holdout AND the discriminator cannot tell synthetic rows from real ones better than it tells
the holdout from train AND no column's synthetic rows hold a generator's rare-category bucket ("(other)", or
mostlyai-engine's "_RARE_": a value no real row holds) in 5% of rows or more AND no timestamp's time of day or weekday
is 0.1 or more below the holdout's accuracy AND no rule every real row holds (a computed column: a weekday of its
date, a code of its label, a total of its parts, a stay's days of its dates; :mod:`synth.evaluation.fidelity.
exact_rules`) is broken by 1% of synthetic rows or more (5%: distinguishable; a row breaking one is wrong on its
face, and CTGAN's published Adult rows break ``education`` ↔ ``education-num`` on 42%) AND, with a person column, no
column every real person keeps across their rows (a patient's birth date) is changed by 1% of synthetic people or
more (5%: distinguishable; :mod:`synth.evaluation.fidelity.person_values`) AND the synthetic rows share their person
with another row nearly as often as the real rows (0.1 less: named; half as often: distinguishable). A score
averaged over many weak pairs cannot carry it alone. Under 5% (the few rows of a column's rare categories, the usual
case) the bucket is left to the scores, which give it a bin and a classifier code of its own: a region bucketed in 1%
of rows moved none of them beyond noise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from synth.evaluation.fidelity.accuracy import AccuracyResult, MarginalScore
from synth.evaluation.fidelity.discriminator import DiscriminatorResult
from synth.evaluation.fidelity.exact_rules import RuleBreaks
from synth.evaluation.fidelity.person_values import PersonValues
from synth.evaluation.results import percent, to_jsonable

Level = Literal["as_good_as_real", "close", "distinguishable", "unknown"]
CLEAR_AUC = 0.6  # a discriminator at or above this tells the tables apart for most rows
CLEAR_GAP = 0.02  # accuracy this far below the holdout is visible in the charts
BUCKET_SHARE = 0.05  # a column whose synthetic rows hold the rare-category bucket this often is named
CLEAR_BUCKET = 0.1  # ... and this often, the rows are told apart by that column alone
# A timestamp's time of day or weekday this far below the holdout's accuracy is named: a tenth of the rows at hours
# or on days where fresh real data has none (fresh rows of a 3,000-row clinic table came within 0.02).
PART_GAP = 0.1
RULE_SHARE = 0.01  # a rule every real row holds, broken by this share of synthetic rows, is named
CLEAR_RULE = 0.05  # ... and by this share, the rows are told apart by the rule's columns alone


@dataclass(frozen=True)
class FidelityHeadline:
    """The verdict and the reasons behind it, worst first."""

    level: Level
    sentence: str
    reasons: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = to_jsonable(self)
        return out


def lagging_parts(accuracy: AccuracyResult) -> list[MarginalScore]:
    """The timestamps' times of day and weekdays at least :data:`PART_GAP` below the holdout's accuracy, worst first."""
    return [
        m
        for m in accuracy.columns
        if m.columns[0] in accuracy.parts and m.reference is not None and m.reference - m.accuracy >= PART_GAP
    ]


def fidelity_headline(
    accuracy: AccuracyResult,
    discriminator: DiscriminatorResult | None,
    rules: Sequence[RuleBreaks] = (),
    people: PersonValues | None = None,
) -> FidelityHeadline:
    """Say in one sentence how close the synthetic table is to fresh real data, and why.

    Args:
        accuracy: marginal accuracy with the holdout ceiling.
        discriminator: the fast discriminator, or None when it could not run (then the verdict says so).
        rules: the rules every real row holds and how often the synthetic rows break each
            (:func:`~synth.evaluation.fidelity.exact_rules.evaluate_exact_rules`); none given: not judged.
        people: the columns every real person keeps across their rows and how often synthetic people change each
            (:func:`~synth.evaluation.fidelity.person_values.evaluate_person_values`), judged as a rule: a patient
            with two birth dates is wrong on its face (1% of people: named; 5%: distinguishable), and a synthetic
            table whose ids repeat far less than the real ones is named too; None: not judged.
    """
    names = {1: "single columns", 2: "pairs of columns", 3: "triples of columns"}
    reasons: list[str] = []
    worst_gap = 0.0
    for score in accuracy.orders:
        if score.below_ceiling and score.gap is not None and score.reference is not None:
            worst_gap = min(worst_gap, score.gap)
            reasons.append(
                f"{names[score.order]}: accuracy {score.value:.3f} against {score.reference:.3f} for fresh real data"
            )
    if discriminator is not None and discriminator.distinguishable:
        reasons.insert(0, discriminator.verdict())
    buckets = [(column, share) for column, share, _ in accuracy.buckets if share >= BUCKET_SHARE]
    reasons[:0] = [
        f"{column}: {percent(share)} of synthetic rows hold {' / '.join(repr(t) for t in tokens)}, the bucket its "
        "rare categories were learned as, and no real row does"
        for column, share, tokens in accuracy.buckets
        if share >= BUCKET_SHARE
    ]
    parts = [
        f"{m.columns[0]}: accuracy {m.accuracy:.3f} against {m.reference:.3f} for fresh real data"
        for m in lagging_parts(accuracy)
    ]
    reasons[len(buckets) : len(buckets)] = parts  # after the buckets: what a chart of the column shows at once
    broken = [b for b in rules if b.share >= RULE_SHARE]
    changed = [c for c in (people.columns if people is not None else ()) if (c.synthetic_share or 0.0) >= RULE_SHARE]
    changed.sort(key=lambda c: -(c.synthetic_share or 0.0))
    reasons[:0] = [  # first: a row that breaks a rule is wrong on its face, and so is a person with two birth dates
        *(f"{percent(b.share)} of synthetic rows break {b.rule}, which every real row holds" for b in broken),
        *(
            f"{percent(c.synthetic_share or 0.0)} of synthetic people with two or more rows hold more than one "
            f"{c.column}, which every real person keeps"
            for c in changed[:1]
        ),
        *([people.repeat_words()] if people is not None and people.repeats_lost else []),
    ]
    if accuracy.as_good_as_holdout is None:
        return FidelityHeadline(
            "unknown",
            "No real holdout to compare with: the scores below cannot say what fresh real data would get.",
            tuple(reasons),
        )
    if discriminator is None:
        reasons.append("the discriminator did not run")
    if not reasons:
        return FidelityHeadline(
            "as_good_as_real",
            "As good as fresh real data: every marginal check is within noise of the holdout and a classifier "
            "tells synthetic rows from real ones no better than fresh real rows, within noise.",
            (),
        )
    clear = (
        (discriminator is not None and discriminator.auc >= CLEAR_AUC)
        or worst_gap <= -CLEAR_GAP
        or any(share >= CLEAR_BUCKET for _, share in buckets)
        or bool(parts)
        or any(b.share >= CLEAR_RULE for b in broken)
        or any((c.synthetic_share or 0.0) >= CLEAR_RULE for c in changed)
        or (people is not None and people.repeats_clearly_lost)
    )
    if clear:
        return FidelityHeadline(
            "distinguishable",
            "Distinguishable from real data: " + "; ".join(reasons[:2]) + ".",
            tuple(reasons),
        )
    return FidelityHeadline(
        "close",
        "Close to real data, but not as close as fresh real data: " + "; ".join(reasons[:2]) + ".",
        tuple(reasons),
    )
