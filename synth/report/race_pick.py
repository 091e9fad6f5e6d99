"""The race's pick: the Pareto front of fidelity and privacy risk, and the recommended run with its reason.

The Pareto front keeps the runs no other run beats on both fidelity and privacy risk. Fidelity is
:attr:`TableEvaluation.honest_fidelity`: the weakest of trivariate accuracy as a share of the holdout's,
``1 − 2·(discriminator AUC − its reference)`` and the share of rows keeping the real table's exact rule they break
most (1 = as good as fresh real data; all must agree, as in the headline verdict). Privacy risk is
:attr:`TableEvaluation.privacy_risk` (lower is better). The pick, among the front, weighs risk the way the privacy
verdict does (its lights already account for each measure's interval):

1. a red privacy verdict is passed over while any run on the front is not red (sharing it is unsafe);
2. a run the discriminator clearly detects (beyond noise and AUC ≥ 0.6) is passed over while any remaining run
   on the front is not clearly detected, however high its sdmetrics-style quality; likewise a run whose rows break
   an exact rule every real row keeps on 5% or more of them (the rule's columns alone tell them apart), and then
   one whose people change a value every real person keeps (5% of its people with two or more rows) or whose rows
   share their person half as often as real rows or less (grouping by the person column tells them apart);
3. then the mildest privacy light (green, amber, unmeasured), then the highest fidelity.

The sentence says why, in those terms.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from synth.evaluation.fidelity.headline import RULE_SHARE
from synth.evaluation.results import number
from synth.report.evaluation import TableEvaluation
from synth.synthesizers.rare_categories import BUCKET_LABELS

if TYPE_CHECKING:
    from synth.report.race import RunResult

_LEVEL_ORDER = {"green": 0, "amber": 1, "grey": 2, "red": 3}
_LIGHT = {"green": "a green", "amber": "an amber", "red": "a red", "grey": "an unmeasured"}


FIDELITY_AXIS = (
    "fidelity = the weakest of trivariate accuracy ÷ the real holdout's, 1 − 2·(discriminator AUC − its "
    "real-vs-real reference) and the share of rows keeping the exact rule of the real table they break most; "
    "1 = as good as fresh real data"
)
#: The same, as the race page, the report and the docs say it beside the ceilings.
FIDELITY_WORDS = (
    "Fidelity is the weakest of trivariate accuracy ÷ its ceiling, 1 − 2·(discriminator AUC − the real-vs-real "
    "AUC) and the share of synthetic rows keeping the exact rule of the real table they break most (every real row "
    "keeps it; likewise people keeping the values every real person keeps across their rows, and, where far fewer "
    "synthetic rows than real ones share their person, that share as a share of the real one); 1 = as good as fresh "
    "real data."
)


def pareto_front(points: Mapping[str, tuple[float, float]]) -> list[str]:
    """Labels whose (fidelity, risk) no other point beats: another is at least as good on both and better on one.

    Args:
        points: label → (fidelity, higher is better; risk, lower is better).
    """
    front = []
    for label, (q, r) in points.items():
        dominated = any(
            (q2 >= q and r2 <= r) and (q2 > q or r2 < r) for other, (q2, r2) in points.items() if other != label
        )
        if not dominated:
            front.append(label)
    return front


def recommend(runs: Sequence[RunResult], front: Sequence[str]) -> tuple[str, str]:
    """The recommended run and why, in one sentence (the rules are in the module docstring)."""
    scored = [
        r for r in runs if r.label in front and r.evaluation is not None and r.evaluation.honest_fidelity is not None
    ]
    if not scored:
        return "", "No run finished with the fidelity headline and privacy scores, so there is nothing to recommend."

    def ev(r: RunResult) -> TableEvaluation:
        assert r.evaluation is not None
        return r.evaluation

    def people_too(r: RunResult) -> str:
        # A run passed over for an earlier reason still says how it changes the people: a classifier that keeps each
        # person's rows together detects a table whose people hold two birth dates, and the cause is worth naming.
        return f"; {ev(r).people_words()}" if ev(r).changes_people_clearly else ""

    candidates = scored
    passed_over: list[str] = []
    if any(ev(r).privacy_level != "red" for r in candidates):
        passed_over += [
            f"{r.label} (red privacy verdict{people_too(r)})" for r in candidates if ev(r).privacy_level == "red"
        ]
        candidates = [r for r in candidates if ev(r).privacy_level != "red"]
    if any(not ev(r).clearly_detected for r in candidates):
        passed_over += [
            f"{r.label} (a classifier detects it: AUC {ev(r).discriminator_auc:.2f}{people_too(r)})"
            for r in candidates
            if ev(r).clearly_detected
        ]
        candidates = [r for r in candidates if not ev(r).clearly_detected]
    if any(not ev(r).breaks_rules_clearly for r in candidates):
        passed_over += [
            f"{r.label} ({_rule_words(ev(r))}{people_too(r)})" for r in candidates if ev(r).breaks_rules_clearly
        ]
        candidates = [r for r in candidates if not ev(r).breaks_rules_clearly]
    if any(not ev(r).changes_people_clearly for r in candidates):
        passed_over += [f"{r.label} ({ev(r).people_words()})" for r in candidates if ev(r).changes_people_clearly]
        candidates = [r for r in candidates if not ev(r).changes_people_clearly]
    best_level = min((ev(r).privacy_level for r in candidates), key=lambda lv: _LEVEL_ORDER.get(lv, 2))
    pick = max((r for r in candidates if ev(r).privacy_level == best_level), key=lambda r: ev(r).honest_fidelity or 0.0)
    e = ev(pick)
    most_faithful = (e.honest_fidelity or 0.0) >= max(ev(r).honest_fidelity or 0.0 for r in scored)
    reason = f"{pick.label} is recommended: {_fidelity_words(e, most_faithful)}, with {_privacy_words(e)}"
    if passed_over:
        reason += "; passed over on the front: " + ", ".join(passed_over)
    if e.privacy_level == "red":
        reason += "; but every run on the front is flagged red: do not share any of them as they are"
    return pick.label, reason + "."


def _rule_words(e: TableEvaluation) -> str:
    """The rule a run's rows break most, in words ("its rows break education = … on 42% of rows, which every real
    row keeps")."""
    worst = e.worst_rule
    assert worst is not None
    return f"its rows break {worst.rule} on {worst.share:.0%} of rows, which every real row keeps"


def _fidelity_words(e: TableEvaluation, most_faithful: bool = True) -> str:
    """The headline in words: top-order accuracy against the ceiling, and the discriminator. ``most_faithful``:
    no run on the front has a higher fidelity (else the pick was made after more faithful runs were passed over)."""
    assert e.accuracy is not None and e.discriminator is not None
    top = e.accuracy.orders[-1]
    name = {1: "univariate", 2: "bivariate", 3: "trivariate"}[top.order]
    # The verdict reads the paired difference from the holdout (both tables scored on the same column groups), not
    # the table's own interval: "0.938, 95% CI 0.935–0.941 vs 0.942" beside "as good as fresh real data" read as a
    # contradiction when the difference's own interval held 0. So the sentence gives the difference and its interval.
    gap, gap_iv = getattr(top, "gap", None), getattr(top, "gap_interval", None)
    if gap is not None and gap_iv is not None:
        # Above the holdout beyond noise is no fault (a model of train matches train's marginals without the
        # population noise fresh rows carry), but "within noise" beside an interval above 0 read as a misprint.
        noise = "beyond noise" if gap_iv.high < 0 else "above it beyond noise" if gap_iv.low > 0 else "within noise"
        # Four decimals: an interval end of +0.0002 printed as "+0.000" could not be told from one just below 0.
        iv = f", a difference of {number(gap, 4, signed=True)} with 95% CI {gap_iv.format(4, signed=True)}, {noise}"
    elif top.interval is not None:
        iv = f", 95% CI {top.interval.format()}"
    else:
        iv = ""
    d = e.discriminator
    ref = f" against {d.reference_auc:.2f} for fresh real data" if d.reference_auc is not None else ""
    rank = "the most faithful of the front" if most_faithful else "the most faithful run left on the front"
    lead = {
        "as_good_as_real": "as good as fresh real data",
        "close": "close to fresh real data",
        "distinguishable": f"{rank}, though distinguishable from real data",
    }.get(e.fidelity_level, rank)
    # A column the fit learned mostly as the rare-category bucket is the likeliest reason a run is told apart (a
    # bucketed postcode made every run of a race "distinguishable" with no word on why): named first by the headline.
    head = e.fidelity_headline
    bucket = next((r for r in head.reasons if any(repr(b) in r for b in BUCKET_LABELS)), None) if head else None
    worst = e.worst_rule
    rule = _rule_words(e) if worst is not None and worst.share >= RULE_SHARE else None
    notes = "".join(f"; {note}" for note in (bucket, rule, e.people_words()) if note)
    return (
        f"{lead} ({name} accuracy {top.value:.3f} vs {top.reference:.3f} for the real holdout{iv}; "
        f"discriminator AUC {d.auc:.2f}{ref}; fidelity {e.honest_fidelity:.2f}{notes})"
    )


def _privacy_words(e: TableEvaluation) -> str:
    """The privacy light in words, naming the flagged criteria with their measured value and interval."""
    level = e.privacy_level
    if e.verdict is None:
        return "an unmeasured privacy verdict"
    flagged = [c for c in e.verdict.criteria if c.level == level and level in ("amber", "red")]
    if not flagged:
        unsettled = ", ".join(c.lower() for c in e.privacy_unsettled)
        # named as the Privacy page's headline names them: green, but the estimate past the amber line within noise
        open_ = f"; not settled: {unsettled}, past the amber line inside a wide interval" if unsettled else ""
        return (
            f"{_LIGHT[level]} privacy verdict (no measured risk beyond sampling noise at the stated thresholds{open_})"
        )
    # The measured value up to its first bracket's end: the figure, its yardstick and its interval.
    values = [c.value.split(")")[0] + ")" if ")" in c.value else c.value for c in flagged[:2]]
    what = "; ".join(f"{c.label.lower()}: {v}" for c, v in zip(flagged, values, strict=False))
    return f"{_LIGHT[level]} privacy verdict ({what})"
