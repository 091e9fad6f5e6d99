"""A privacy verdict in plain words: a traffic light per criterion, the thresholds stated, and what to do.

The thresholds are judgement calls, not a legal standard; they are stated next to every light so a reader
can disagree with them. A criterion is **green** below its first threshold, **amber** up to its second and
**red** beyond; **grey** means it was not measured, or for membership and the three attacks that the synthetic
table has fewer than :data:`MIN_SYNTHETIC_ROWS` rows to judge them on. A measure with an interval (closeness,
membership, the attacks) leaves green only when its 95% interval also excludes "no risk" — a deviation within
sampling noise is not flagged, while a large but uncertain risk is. Where a criterion is measured by several
attacks (the membership attacks, both singling-out modes, inference on everyone and on the rare), the interval is
Bonferroni-adjusted for their number, so trying more attacks does not raise more false alarms. A green light whose
estimate lies past the amber line (kept green by its interval alone) reads **unclear**, and a green verdict names it
as not settled: "low risk" alone would claim what a wide interval (an inference risk of 17.7%, 95% CI 0–72%, on a
few dozen people) cannot show; the advice is then to hold out more real rows. The verdict's light stays green: fresh
real data reads so too (on all of Adult, inference on the people rare on the known columns came out 9.3%, 95% CI
0–22.9%), and an alarm that fresh data raises would be no alarm. Where a column
names whose row each real row is, membership is judged over rows *and* over people (was this person in the
training data? :mod:`~synth.evaluation.privacy.people_membership`), the adjustment covering every attack of both
levels, and the value says which level tripped ("over people: …"). The overall light is the worst one.

Each criterion's light, value and words are read by :mod:`~synth.evaluation.privacy.verdict_criteria`; this module
judges the whole: the overall light and headline, the advice (:mod:`~synth.evaluation.privacy.verdict_advice`), and
the attacks set aside on a synthetic table too small to judge them.

==================  ====================================================================  =======  =======
criterion           measure                                                               amber    red
==================  ====================================================================  =======  =======
copies              synthetic rate of exact (or unique-person) copies minus the holdout's  ≥ 0.1%   ≥ 1%
real values copied  share of train-only rare values reproduced minus the holdout-only's   ≥ 2%     ≥ 10%
closeness           full-train DCR share above its ideal, as a share of the way to 100%   ≥ 10%    ≥ 50%
membership          highest ROC AUC over the membership attacks (rows; people if known)   ≥ 0.55   ≥ 0.65
singling out        risk (main over control), worse of univariate and multivariate         ≥ 5%     ≥ 15%
linkability         risk                                                                  ≥ 5%     ≥ 15%
inference           risk                                                                  ≥ 5%     ≥ 15%
==================  ====================================================================  =======  =======
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from synth.evaluation.privacy.attacks import AttackResult
from synth.evaluation.privacy.distances import PrivacyResult
from synth.evaluation.privacy.rare_values import RareValueResult
from synth.evaluation.privacy.verdict_advice import GENERIC_KNOB_ADVICE as GENERIC_KNOB_ADVICE  # re-exported
from synth.evaluation.privacy.verdict_advice import KNOB_ADVICE as KNOB_ADVICE  # re-exported: it lived here
from synth.evaluation.privacy.verdict_advice import advice, listed
from synth.evaluation.privacy.verdict_criteria import (
    LIGHTS,
    CriterionVerdict,
    Level,
    Thresholds,
    attack_verdict,
    closeness_verdict,
    copies_verdict,
    membership_verdict,
    rare_value_verdict,
    worst_level,
)
from synth.evaluation.results import to_jsonable

TOO_FEW_ROWS = "too few rows"
MIN_SYNTHETIC_ROWS = 100
"""Fewer synthetic rows than this leave membership, singling out, linkability and inference grey. Each attack reads a
real person's nearest synthetic rows, and with a handful of rows one row is nearest to crowds of people, so the
rates measure the table's size, not what it reveals. On fresh Adult rows (20,000 training and 500 holdout people):
at 1 to 3 rows inference gave every target the same guess (main = control = the secret's majority share, 76.2%);
linkability joined a holdout person's two halves by chance for 100% of them at 1 row, 53% at 3, 20% at 10, 10% at
30 and 5% at 50; and at 1 row, 2,000 training against 500 holdout targets all linked read as a 74.9% risk, red,
before :func:`~synth.evaluation.privacy.common.residual_risk` centred both rates at one count. 100 is also the
fewest holdout rows the checks compare with (``MIN_HOLDOUT_ROWS``). Copies, real values copied and closeness stay
judged at any size: a copied row is a copy however few rows there are."""
ATTACK_CRITERIA = ("membership", "singling_out", "linkability", "inference")


@dataclass(frozen=True)
class Verdict:
    """The overall light, a headline, one light per criterion and what to do."""

    level: Level
    headline: str
    criteria: tuple[CriterionVerdict, ...]
    advice: tuple[str, ...]
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def light(self) -> str:
        return LIGHTS[self.level]

    def get(self, key: str) -> CriterionVerdict | None:
        return next((c for c in self.criteria if c.key == key), None)

    @property
    def unsettled(self) -> tuple[CriterionVerdict, ...]:
        """The green criteria past the amber line within noise, when no light is worse than green: what the
        "low risk" headline names as not settled."""
        if self.level != "green":
            return ()
        return tuple(c for c in self.criteria if c.unsettled)

    def to_dict(self) -> dict[str, Any]:
        return to_jsonable(self)


def privacy_verdict(
    distances: PrivacyResult,
    attacks: Sequence[AttackResult] = (),
    *,
    model: str | None = None,
    quasi_identifiers: Sequence[str] = (),
    thresholds: Thresholds | None = None,
    rare_values: RareValueResult | None = None,
) -> Verdict:
    """Judge a synthetic table's privacy from its distances and attacks.

    Args:
        distances: :func:`synth.evaluate_privacy`'s result (with its membership attack, if run).
        attacks: results of :mod:`synth.evaluation.privacy.attacks` (singling out, linkability, inference); criteria
            without a result are grey.
        model: the synthesizer's registry name, to tailor the advice (``cart``, ``privbayes``, ...).
        quasi_identifiers: the attacker's known columns, named in the advice.
        thresholds: where lights turn amber and red.
        rare_values: :func:`synth.evaluation.privacy.rare_values.evaluate_rare_values`'s result, judged as
            "real values copied" (grey without it).

    Returns:
        A frozen :class:`Verdict`.
    """
    th = thresholds or Thresholds()
    criteria = [
        copies_verdict(distances, th.copies),
        rare_value_verdict(rare_values, th.rare_values),
        closeness_verdict(distances, th),
        membership_verdict(distances.membership, th.membership),
    ]
    by_criterion: dict[str, list[AttackResult]] = {}
    for r in attacks:
        by_criterion.setdefault(r.criterion, []).append(r)
    for key, label in (("singling_out", "Singling out"), ("linkability", "Linkability"), ("inference", "Inference")):
        criteria.append(attack_verdict(key, label, by_criterion.get(key, []), th.attack))

    few = distances.n_synthetic < MIN_SYNTHETIC_ROWS
    if few:
        criteria = [_too_few(c, distances.n_synthetic) if c.key in ATTACK_CRITERIA else c for c in criteria]
    worst = worst_level(c.level for c in criteria)
    flagged = [c for c in criteria if c.level == worst and worst in ("red", "amber")]
    names = listed([c.label.lower() for c in flagged])
    # The criteria named in brackets, not as the subject: "membership inference lean towards" read wrong for one.
    if worst == "red":
        headline = (
            f"High risk: this synthetic table reveals the people it was trained on ({names}). Do not share it as it is."
        )
    elif worst == "amber":
        headline = (
            f"Some risk: this synthetic table leans towards the training people ({names}). Inspect the closest "
            "rows and consider the steps below before sharing."
        )
    else:
        headline = (
            "Low risk: no measured criterion shows the synthetic table revealing more about the training people "
            "than about people it never saw (at the thresholds stated)."
        )
        if unsettled := [c.label.lower() for c in criteria if c.unsettled]:
            lies = "estimate lies" if len(unsettled) == 1 else "estimates lie"
            headline += (
                f" Not settled: {listed(unsettled)}, whose {lies} past the amber line inside an interval too wide to "
                "rule the risk in or out; more holdout rows narrow it."
            )
    steps = _advice(criteria, model, quasi_identifiers)
    if few:
        headline += f" {_rows(distances.n_synthetic).capitalize()}: too few to judge the attacks."
        steps = (
            f"Sample at least {MIN_SYNTHETIC_ROWS} synthetic rows and rerun these checks: membership, singling out, "
            "linkability and inference are judged on tables of that size or more.",
            *steps,
        )
    return Verdict(worst, headline, tuple(criteria), steps, th)


def too_few_note(n_synthetic: int) -> str | None:
    """Why the attacks' own figures are not judged, for the sections that draw them beside the verdict; None from
    :data:`MIN_SYNTHETIC_ROWS` rows up. At 60 rows the Attacks section read "Singling out (univariate): risk 5.0%"
    with nothing to say the verdict had set it aside."""
    if n_synthetic >= MIN_SYNTHETIC_ROWS:
        return None
    return (
        f"{_rows(n_synthetic).capitalize()}: too few to judge the attacks, so the verdict leaves them grey. With so "
        "few rows one synthetic row is the nearest to crowds of real people, and the figures below measure the "
        f"table's size more than what it reveals. Sample at least {MIN_SYNTHETIC_ROWS} synthetic rows to judge them."
    )


def _rows(n: int) -> str:
    return f"only {n:,} synthetic row{'' if n == 1 else 's'}"


def _too_few(criterion: CriterionVerdict, n_synthetic: int) -> CriterionVerdict:
    """``criterion`` grey: the synthetic table is smaller than :data:`MIN_SYNTHETIC_ROWS` (why, there)."""
    return replace(
        criterion,
        level="grey",
        value=f"too few synthetic rows to judge: sample at least {MIN_SYNTHETIC_ROWS} ({_rows(n_synthetic)} here)",
        unjudged=TOO_FEW_ROWS,
        unsettled=False,  # set aside, not judged: "too few rows" says why, and the headline says so
    )


def _advice(
    criteria: Sequence[CriterionVerdict], model: str | None, quasi_identifiers: Sequence[str]
) -> tuple[str, ...]:
    """The advice on the amber and red ``criteria`` and the unsettled green ones
    (:mod:`~synth.evaluation.privacy.verdict_advice`)."""
    flagged = {c.key for c in criteria if c.level in ("amber", "red")}
    unsettled = [c.label.lower() for c in criteria if c.unsettled] if not flagged else []
    return advice(flagged, model, quasi_identifiers, unsettled=unsettled)
