"""The highest privacy risk of a scored table: one number for the race's privacy axis and the card, its 95% range, and
a note naming the check it comes from and how the verdict judged that check.

The risk is the worst of parts the verdict judges each on its own measure: the closeness excess, the membership
advantage ``2·(AUC − 0.5)`` (over rows, and over people when a column names whose row each row is), and each WP216
criterion's worst counted attack. Attacks no better than guessing at random are left out and named
(:func:`guessing_attacks`). Read by :class:`~synth.report.evaluation.TableEvaluation`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from synth.evaluation.privacy.verdict import Verdict
from synth.evaluation.privacy.verdict_criteria import NOISE_LEAD, NOISE_NOTE
from synth.evaluation.results import percent

if TYPE_CHECKING:
    from synth.evaluation.privacy.attack_result import AttackReport, AttackResult
    from synth.evaluation.privacy.common import Risk
    from synth.evaluation.privacy.distances import PrivacyResult

RISK_PARTS = {
    "closeness": "closeness excess",
    "membership": "membership advantage, 2·(AUC − 0.5) over rows",
    "membership_people": "membership advantage, 2·(AUC − 0.5) over people",
    "singling_out": "singling out",
    "linkability": "linkability",
    "inference": "inference",
}
"""Each part of :func:`highest_risk` in words, by the key of the verdict's criterion that judges it
(membership over people: judged by the membership criterion too, :func:`_criterion`)."""


def _criterion(key: str) -> str:
    """The verdict's criterion that judges the risk part ``key``."""
    return "membership" if key == "membership_people" else key


def _risk_parts(privacy: PrivacyResult | None, attacks: AttackReport | None) -> list[tuple[str, float, float, float]]:
    """(part, value, low, high) of each part of the privacy risk, one list for the risk and its range: closeness
    excess (its Wilson interval), membership advantage ``2·(AUC − 0.5)`` (DeLong over rows; with a person column,
    the attack over people too, its bootstrap interval), and per WP216 criterion the worst measured attack
    (highest value, highest ends); each clipped at 0.

    Over rows, a member is a row: a patient's eight visits are eight members. One visit copied of every fifth of
    1,050 training patients read a row advantage of 0.016 and an advantage over people of 0.174 (0.092–0.242),
    which the verdict's membership criterion judges (:mod:`synth.evaluation.privacy.verdict`); the highest risk
    read rows alone and named the closeness excess, 1.9% (``tests/unit/test_people_ends.py``)."""
    parts: list[tuple[str, float, float, float]] = []
    if privacy is not None:
        low, high = privacy.dcr_share_full_excess_interval
        parts.append(("closeness", max(float(privacy.dcr_share_full_excess), 0.0), max(low, 0.0), max(high, 0.0)))
        mia = privacy.membership
        if mia is not None:
            value, low, high = (max(2 * (float(a) - 0.5), 0.0) for a in (mia.auc.value, mia.auc.low, mia.auc.high))
            parts.append(("membership", value, low, high))
            head = None if mia.people is None else mia.people.headline
            if head is not None:
                value, low, high = (
                    max(float(a), 0.0) for a in (head.advantage, head.advantage_low, head.advantage_high)
                )
                parts.append(("membership_people", value, low, high))
    if attacks is not None:
        for criterion in ("singling_out", "linkability", "inference"):
            risks = _counted_risks(attacks.results, criterion)
            if risks:
                parts.append(
                    (criterion, max(r.value for r in risks), max(r.low for r in risks), max(r.high for r in risks))
                )
    return parts


def _counted_risks(results: Sequence[AttackResult], criterion: str) -> list[Risk]:
    """The risks of ``criterion``'s measured attacks that the highest privacy risk counts: all but those no better
    than guessing at random (:func:`guessing_attacks`)."""
    return [r.risk for r in results if r.criterion == criterion and r.measured and r.beats_baseline]


def guessing_attacks(attacks: AttackReport | None) -> list[AttackResult]:
    """The measured attacks that did no better than their random baseline, which the highest privacy risk leaves
    out: their risk divides a hair's difference by the little room a near-certain secret leaves. The session-32 walk
    read inference of a 0.5% fraud flag at "risk 21.2% (95% CI 0.0%–69.3%); success 99.3% on training rows, 99.1%
    on holdout rows, 99.3% at random", and that 21.2% became the run's highest risk on the race chart and the card,
    ahead of every check that measured something (anonymeter's own warning: such a risk cannot be trusted)."""
    return [] if attacks is None else [r for r in attacks.results if r.measured and not r.beats_baseline]


def highest_risk(privacy: PrivacyResult | None, attacks: AttackReport | None) -> float | None:
    """The worst of the parts (0 = no measured leak, 1 = total); None when no part was measured."""
    parts = _risk_parts(privacy, attacks)
    return max(p[1] for p in parts) if parts else None


def highest_risk_interval(privacy: PrivacyResult | None, attacks: AttackReport | None) -> tuple[float, float] | None:
    """A 95% range for :func:`highest_risk`: each part's own interval (Wilson for the DCR share, DeLong for the
    membership AUC, the attacks' main-vs-control intervals), and the worst of the parts lies between the highest low
    end and the highest high end. None when no part has an interval."""
    parts = _risk_parts(privacy, attacks)
    if not parts:
        return None
    return (max(p[2] for p in parts), min(max(p[3] for p in parts), 1.0))


def risk_note(privacy: PrivacyResult | None, attacks: AttackReport | None, verdict: Verdict | None) -> str:
    """Which check :func:`highest_risk` comes from and how the verdict judged that check, in words.

    The figure is the largest of parts the verdict judges each at its own thresholds, on its own measure: a
    card read "green; highest risk 8.6% (95% range 1.0%–16.1%)" with nothing saying that the 8.6% was the
    membership advantage of an AUC of 0.543, under the 0.55 amber line (the Privacy page shows the AUC and
    that line, not the 8.6%)."""
    parts = _risk_parts(privacy, attacks)
    if not parts:
        return ""
    key, figure = max(parts, key=lambda p: p[1])[:2]
    note = f"from {RISK_PARTS[key]}"
    # Named only where leaving it out changed the figure: a higher risk than the one quoted.
    guessing = [r for r in guessing_attacks(attacks) if r.risk.value > figure]
    set_aside = (
        "; left out, as no better than guessing at random: "
        + "; ".join(
            f"{r.label} (risk {percent(r.risk.value)}; success {percent(r.main.observed)} on training "
            f"{r.unit}, {percent(r.baseline.observed)} at random)"
            for r in guessing
        )
        if guessing
        else ""
    )
    judged = None if verdict is None else verdict.get(_criterion(key))
    if judged is not None and judged.unjudged:  # set aside, not judged: its thresholds were never applied
        note += f", which the verdict leaves grey: {judged.value}"
    elif judged is not None:
        note += f", which the verdict reads {judged.level} (thresholds: {judged.threshold})"
        note += _noise_words(attacks, key, judged.value) if judged.level == "green" else ""
    return note + set_aside


def _noise_words(attacks: AttackReport | None, key: str, judged: str) -> str:
    """Why the verdict reads a check green past its green line, in the verdict's own words and with the check's
    own interval: the ledger walk's card read "highest risk 59.1% (95% range 8.6%–100.0%) … from inference,
    which the verdict reads green", and Adult's "5.6% … reads green (thresholds: green < 5.0% …)", with
    nothing saying that inference's own interval, 0.0%–94.7%, included no risk (the range beside it is of the
    highest risk over every check, and did not)."""
    # Membership's value reads rows, then people, each with its own note: the part's level is the one quoted.
    cut = judged.find(NOISE_LEAD) if key == "membership" else judged.rfind(NOISE_LEAD)
    if cut < 0:
        return ""
    depth, end = 0, len(judged)
    for end in range(cut + 1, len(judged)):  # the note's own closing bracket ("… includes 0.5 (no signal))")
        depth += {"(": 1, ")": -1}.get(judged[end], 0)
        if depth == 0:
            break
    why = judged[cut + len(NOISE_LEAD) : end]
    risks = _counted_risks([] if attacks is None else attacks.results, key)
    if why == NOISE_NOTE.removeprefix(NOISE_LEAD).removesuffix(")") and risks:
        worst = max(risks, key=lambda r: r.value)
        why = f"its own 95% interval, {percent(max(worst.low, 0.0))}–{percent(worst.high)}, includes no risk"
    return f", within sampling noise: {why}"
