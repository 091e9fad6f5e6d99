"""Each criterion's light in the privacy verdict: the levels and their words, the thresholds, and the rule that reads
one criterion's measure (copies, real values copied, closeness, membership over rows and people, and the three
attacks) into a light with its value, threshold and explanation in words.

The whole verdict (the worst light, the headline, the advice, and the attacks set aside on too few synthetic rows) is
:func:`~synth.evaluation.privacy.verdict.privacy_verdict`, whose docstring states the thresholds in a table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from synth.evaluation.people import a_person
from synth.evaluation.privacy.attacks import AttackResult
from synth.evaluation.privacy.common import AUC, bonferroni_widening
from synth.evaluation.privacy.distances import PrivacyResult
from synth.evaluation.privacy.membership import FPRS, MembershipAttack, MembershipResult, min_non_members
from synth.evaluation.privacy.people_membership import PersonMembership
from synth.evaluation.privacy.rare_values import CONFIDENCE, RareValueColumn, RareValueResult
from synth.evaluation.results import percent as _pct

Level = Literal["green", "amber", "red", "grey"]
#: One character that every common font holds, coloured where the output can colour it (LIGHT_COLOURS): the
#: coloured-circle emoji printed as an empty box in a report PDF and in Demo mode on a machine without an emoji
#: font (headless Chromium on Debian has none). The level's word always follows it.
LIGHTS: dict[str, str] = {"green": "●", "amber": "●", "red": "●", "grey": "○"}
#: The lights' colours, as the HTML report's ``level-*`` classes draw them.
LIGHT_COLOURS: dict[str, str] = {"green": "#2ca02c", "amber": "#d98200", "red": "#c62828", "grey": "#888888"}
#: Each light in words (the Privacy page's badges); a grey criterion says why when it was not simply left unmeasured
#: (:attr:`CriterionVerdict.words`).
LEVEL_WORDS: dict[str, str] = {"green": "low risk", "amber": "some risk", "red": "high risk", "grey": "not measured"}
#: A green criterion's words when its estimate lies past the amber line and only its interval kept it green
#: (:attr:`CriterionVerdict.unsettled`): the measurement can neither show the risk nor rule it out.
UNCLEAR = "unclear"
_ORDER = {"grey": 0, "green": 1, "amber": 2, "red": 3}


def worst_level(levels: Iterable[Level]) -> Level:
    """The worst of ``levels``: red over amber over green over grey."""
    return max(levels, key=lambda lv: _ORDER[lv])


@dataclass(frozen=True)
class Thresholds:
    """Where each criterion turns amber and red (the table of :mod:`synth.evaluation.privacy.verdict`)."""

    copies: tuple[float, float] = (0.001, 0.01)
    rare_values: tuple[float, float] = (0.02, 0.10)
    closeness: tuple[float, float] = (0.10, 0.50)
    membership: tuple[float, float] = (0.55, 0.65)
    attack: tuple[float, float] = (0.05, 0.15)


@dataclass(frozen=True)
class CriterionVerdict:
    """One criterion's light.

    Attributes:
        key: ``copies``, ``closeness``, ``membership``, ``singling_out``, ``linkability`` or ``inference``.
        label: the criterion in words.
        level: ``green``, ``amber``, ``red`` or ``grey`` (not measured).
        value: the measured value in words, with its interval and yardstick.
        threshold: the thresholds, in words.
        explanation: what the value means.
        unjudged: why a grey criterion is grey, in two or three words ("too few rows": the attacks ran on a
            synthetic table smaller than :data:`~synth.evaluation.privacy.verdict.MIN_SYNTHETIC_ROWS`); empty
            for one not measured at all.
        unsettled: green only because its interval includes no risk, while its estimate lies past the amber line:
            the data neither show the risk nor rule it out. Inference on a rare secret read "low risk" at 17.7%
            with a 95% interval of 0–72%; such a criterion reads :data:`UNCLEAR` instead. The light stays green
            (a deviation within sampling noise raises no alarm, or fresh real data would), but nothing calls
            it low.
    """

    key: str
    label: str
    level: Level
    value: str
    threshold: str
    explanation: str
    unjudged: str = ""
    unsettled: bool = False

    def __post_init__(self) -> None:
        # Every reader (words, badges, the headline, the report) takes the flag alone: it holds for green lights only.
        if self.unsettled and self.level != "green":
            raise ValueError(f"only a green light can be unsettled, not {self.level} ({self.key})")

    @property
    def light(self) -> str:
        return LIGHTS[self.level]

    @property
    def words(self) -> str:
        """The light in words: "low risk", "some risk", "high risk", "unclear" for a green one past the amber line
        within noise, or for grey why it is grey. A 60-row sample's attacks read "not measured" beside "too few
        synthetic rows to judge", as if a step had not run yet."""
        if self.level == "grey" and self.unjudged:
            return self.unjudged
        if self.unsettled:
            return UNCLEAR
        return LEVEL_WORDS[self.level]


def _level(value: float, limits: tuple[float, float], significant: bool = True) -> Level:
    """The light for ``value``; green whatever the value when the deviation is within sampling noise."""
    if not significant or value < limits[0]:
        return "green"
    return "red" if value >= limits[1] else "amber"


def _unsettled(level: Level, value: float, limits: tuple[float, float]) -> bool:
    """Whether a light is green only by its interval: the estimate ``value`` is past the amber line."""
    return level == "green" and value >= limits[0]


NOISE_LEAD = " (within sampling noise: "
NOISE_NOTE = f"{NOISE_LEAD}its 95% interval includes no risk)"


def _noise_note(tests: int, what: str, interval: str) -> str:
    """Why a value past the amber line stays green, quoting the interval the light read. With several tests
    (columns, attacks) that is the Bonferroni-widened interval, not the plain 95% one printed beside the value:
    "excess 28.2%, 95% CI 4.9% to 46.4% (within sampling noise: its 95% interval includes no risk)" contradicted
    itself on Bike Sharing, where the interval widened for the columns judged did include 0."""
    if tests <= 1:
        return NOISE_NOTE
    return f"{NOISE_LEAD}widened for the {tests} {what} judged, its 95% interval is {interval})"


def _limits(limits: tuple[float, float], fmt: str = "pct") -> str:
    def show(x: float) -> str:
        return _pct(x, 1) if fmt == "pct" else f"{x:.2f}"

    return f"green < {show(limits[0])} ≤ amber < {show(limits[1])} ≤ red"


def closeness_level(distances: PrivacyResult, thresholds: Thresholds | None = None) -> Level:
    """The closeness criterion's light: the full-train share's excess, green while its interval includes 0.

    Shared with the Privacy page's closeness card, whose colour must agree with the verdict's light (a red card
    beside a green "Closeness to training rows" contradicted it)."""
    limits = (thresholds or Thresholds()).closeness
    return _level(distances.dcr_share_full_excess, limits, distances.dcr_share_full_excess_interval[0] > 0)


def copies_verdict(distances: PrivacyResult, limits: tuple[float, float]) -> CriterionVerdict:
    """ "Copies of real rows": the synthetic rate of exact (or unique-person) copies above the holdout's."""
    copy_excess = distances.exact_copy_rate - distances.holdout_exact_copy_rate
    unique_excess = distances.unique_copy_rate - distances.holdout_unique_copy_rate
    return CriterionVerdict(
        "copies",
        "Copies of real rows",
        _level(max(copy_excess, unique_excess), limits),
        f"{_pct(distances.exact_copy_rate, 2)} of synthetic rows copy a training row "
        f"({distances.exact_copies:,}; holdout: {_pct(distances.holdout_exact_copy_rate, 2)}); "
        f"{distances.unique_copies:,} copy a person unique in training "
        f"(holdout: {_pct(distances.holdout_unique_copy_rate, 2)})",
        f"on the excess over the holdout's rate: {_limits(limits)}",
        "A synthetic row equal to a training row on every column is that person's record, published.",
    )


def closeness_verdict(distances: PrivacyResult, thresholds: Thresholds) -> CriterionVerdict:
    """ "Closeness to training rows": the full-train DCR share's excess over its ideal (:func:`closeness_level`)."""
    closeness = distances.dcr_share_full_excess
    low, high = distances.dcr_share_full_excess_interval
    level = closeness_level(distances, thresholds)
    return CriterionVerdict(
        "closeness",
        "Closeness to training rows",
        level,
        f"{_pct(distances.dcr_share_full)} of synthetic rows are closer to train than to the holdout "
        f"(ideal {_pct(distances.dcr_share_full_expected)}, a copy of train 100%: an excess of {_pct(closeness)} "
        f"of the gap between them, 95% CI {_pct(low)} to {_pct(high)}); holdout-sized sample: "
        f"{_pct(distances.dcr_share)} (ideal 50%)"
        + (NOISE_NOTE if closeness >= thresholds.closeness[0] and low <= 0 else ""),
        f"on the excess: {_limits(thresholds.closeness)}",
        "Synthetic rows that sit nearer the training people than fresh real people do were shaped by "
        "individuals, not only by patterns.",
        unsettled=_unsettled(level, closeness, thresholds.closeness),
    )


def attack_verdict(
    key: str, label: str, results: Sequence[AttackResult], limits: tuple[float, float]
) -> CriterionVerdict:
    measured = [r for r in results if r.measured]
    if not measured:
        return CriterionVerdict(key, label, "grey", "not measured", _limits(limits), "This attack was not run.")
    # Several attacks per criterion (univariate and multivariate singling out; inference on everyone and on
    # the rare) are several chances of a false alarm: each is judged on its interval widened to a
    # Bonferroni-adjusted level, so the criterion's false-alarm rate stays at 5%. The interval is the metric's
    # own at that level (Risk.interval): inference's posterior quantiles, not its lower half-width widened as if
    # symmetric and normal.
    tests = len(measured)

    def significant_(r: AttackResult) -> bool:
        return r.risk.interval(tests)[0] > 0

    worst = max(measured, key=lambda r: (significant_(r), r.risk.value))
    significant = significant_(worst)
    low, high = worst.risk.interval(tests)
    widened = f"{_pct(max(low, 0.0))}–{_pct(min(max(high, 0.0), 1.0))}, which includes no risk"
    value = (
        f"risk {_pct(worst.risk.value)} (95% CI {_pct(worst.risk.low)}–{_pct(worst.risk.high)}); success "
        f"{_pct(worst.main.observed)} on training {worst.unit}, {_pct(worst.control.observed)} on holdout "
        f"{worst.unit} (control), {_pct(worst.baseline.observed)} at random (baseline)"
    )
    if len(measured) > 1:
        value = f"{worst.label}: {value}"
    explanation = {
        "singling_out": "Predicates built from synthetic rows that isolate exactly one training person, beyond "
        "what they isolate among people the model never saw.",
        "linkability": "Two partial records of a training person joined through the same synthetic row, beyond "
        "what happens for people the model never saw.",
        "inference": "The secret guessed right from the nearest synthetic row on the known columns, beyond how "
        "often that works for people the model never saw.",
    }[key]
    level = _level(worst.risk.value, limits, significant)
    if worst.risk.value >= limits[0] and not significant:
        value += _noise_note(len(measured), "attacks", widened)
    return CriterionVerdict(
        key, label, level, value, _limits(limits), explanation, unsettled=_unsettled(level, worst.risk.value, limits)
    )


def rare_value_verdict(result: RareValueResult | None, limits: tuple[float, float]) -> CriterionVerdict:
    """ "Real values copied": the worst column of the rare-value membership test."""
    key, label = "rare_values", "Real values copied"
    explanation = (
        "Values that one training person alone had (seen once in train, never in the holdout) found in the "
        "synthetic table, against the same share for values one holdout person alone had: a model that learned "
        "patterns, not people, reproduces both equally."
    )
    threshold = f"on the worst column's excess: {_limits(limits)}"
    worst = None if result is None else result.worst
    if result is None or worst is None:
        value = "not measured" if result is None else "no column has enough values seen once to judge"
        return CriterionVerdict(key, label, "grey", value, threshold, explanation)
    # The excess leads: the two shares alone ("70.1% of train-only values reproduced" for a date column whose
    # few hundred days any table covers) read as a leak where the comparison shows none.
    value = (
        f"{worst.column}: excess {_pct(worst.excess, signed=True)} ({worst.interval_words()}): "
        f"{_pct(worst.train_share)} of {worst.n_train_only:,} train-only values reproduced against "
        f"{_pct(worst.holdout_share)} of {worst.n_holdout_only:,} holdout-only ones; "
        f"over all {len(result.columns)} columns, {result.train_values_copied:,} train-only values reproduced"
    )
    level = _level(worst.excess, limits, worst.flagged)
    if worst.excess >= limits[0] and not worst.flagged:  # the interval quoted above is the one the light read
        value += _exact_note(worst) if worst.vetoed else NOISE_NOTE
    # An excess the exact test finds within chance is settled: the synthetic table holds nearly every value seen
    # once, so where the few missing ones fell says nothing of people (a date column's few hundred days).
    unsettled = _unsettled(level, worst.excess, limits) and not worst.vetoed
    return CriterionVerdict(key, label, level, value, threshold, explanation, unsettled=unsettled)


def _exact_note(column: RareValueColumn) -> str:
    """Why an excess whose interval lies above 0 stays green: the exact test (rare_values.exact_p) finds it within
    chance. "Its 95% interval includes no risk" would contradict the interval quoted just before it."""
    missed = column.n_train_only + column.n_holdout_only - column.train_reproduced - column.holdout_reproduced
    needed = (1.0 - CONFIDENCE) / 2 / max(1, column.n_judged)
    return (
        f"{NOISE_LEAD}the synthetic table holds all but {missed:,} of the values seen once, and where those fell "
        f"between train and holdout is within chance: exact test p = {column.exact_p or 1.0:.2g}, a flag needs "
        f"below {needed:.3g})"
    )


def _family_low(attack: MembershipAttack, tests: int) -> float:
    """The AUC's lower bound at 95% Bonferroni-adjusted for ``tests`` tests. DeLong's interval is normal and
    symmetric, so its 95% half-width scales by the ratio of the quantiles; a bound clipped at 0 stays below 0.5
    after widening, as the unclipped one would (no AUC under 0.5 is significant)."""
    auc = attack.auc
    return auc.value - (auc.value - auc.low) * bonferroni_widening(tests, auc.level)


def _tprs(head: MembershipAttack) -> str:
    shown = [
        f"TPR {_pct(t.tpr)} at {_pct(t.fpr, 0)} FPR (95% CI {_pct(t.low)}–{_pct(t.high)})" for t in head.tpr_at_fpr
    ]
    missing = [
        f"TPR at {_pct(f, 0)} FPR n/a (needs ≥ {min_non_members(f):,} non-members)" for f in FPRS if head.tpr(f) is None
    ]
    return "; ".join([*shown, *missing])


def _judged_auc(
    name: str,
    auc: AUC,
    low: float,
    scored: str,
    details: Sequence[str],
    strongest: str,
    limits: tuple[float, float],
    tests: int,
    what: str,
) -> tuple[Level, str]:
    """The light and words both levels share: the attack's ``name`` (none for a result from before attacks were
    named), its AUC with the 95% interval over the ``scored`` targets, the level's ``details``, ``strongest``
    ("strongest of N attacks", empty for one) and the noise note. Significant when ``low``, the AUC's bound
    adjusted for the ``tests`` attacks judged (``what``), exceeds 0.5."""
    significant = low > 0.5
    value = "; ".join(
        [
            (f"{name}: " if name else "")
            + f"AUC {auc.value:.3f} (95% CI {auc.low:.3f}–{auc.high:.3f}; 0.5 = no signal) over {scored}",
            *(part for part in (*details, strongest) if part),
        ]
    )
    if auc.value >= limits[0] and not significant:
        value += _noise_note(tests, what, f"from {max(low, 0.0):.3f} up, which includes 0.5 (no signal)")
    return _level(auc.value, limits, significant), value


def _strongest(n: int, attacks: str) -> str:
    """ "strongest of N attacks" when several ran; nothing for one."""
    return f"strongest of {n} {attacks}" if n > 1 else ""


def _over_rows(mia: MembershipResult, limits: tuple[float, float], tests: int, what: str) -> tuple[Level, str]:
    """The row-level light and words: the strongest row attack, significant when its interval, adjusted for the
    ``tests`` attacks judged (``what``), excludes 0.5."""
    head = mia.headline
    strongest = _strongest(len(mia.attacks), "attacks")
    if head is None:  # a result from before the attacks were recorded: the distance attack only
        scored = f"{mia.n_members:,} training and {mia.n_non_members:,} holdout rows"
        return _judged_auc("", mia.auc, mia.auc.low, scored, (), strongest, limits, tests, what)
    low = head.auc_adjusted_low if tests == len(mia.attacks) else _family_low(head, tests)
    scored = f"{head.n_members:,} training and {head.n_non_members:,} holdout rows"
    return _judged_auc(head.label, head.auc, low, scored, [_tprs(head)], strongest, limits, tests, what)


def _over_people(people: PersonMembership, limits: tuple[float, float], tests: int, what: str) -> tuple[Level, str]:
    """The person-level light and words: the strongest attack over people, judged as the row attacks are, on an
    interval adjusted for every attack judged (rows and people)."""
    head = people.headline
    assert head is not None  # the caller judges people only when an attack over people ran
    scored = (
        f"{head.n_members:,} training and {head.n_non_members:,} holdout people (a person is {a_person(people.column)})"
    )
    details = [f"advantage {head.advantage:.3f}", _tprs(head)]
    strongest = _strongest(len(people.attacks), "attacks over people")
    low = _family_low(head, tests)
    return _judged_auc(head.label, head.auc, low, scored, details, strongest, limits, tests, what)


def membership_verdict(mia: MembershipResult | None, limits: tuple[float, float]) -> CriterionVerdict:
    """The strongest membership attack (highest AUC), significant when its Bonferroni-adjusted interval
    excludes 0.5 (trying several attacks must not raise false alarms). With a person column the attacks over
    people are judged too, and the family the adjustment covers is every attack judged, rows and people: the
    data-protection question is whether a *person* was in training, which one copied visit in eight answers while
    the row-level AUC barely moves. Grey when no membership attack ran (``mia`` None)."""
    if mia is None:
        return CriterionVerdict(
            "membership",
            "Membership inference",
            "grey",
            "not measured",
            _limits(limits, "num"),
            "The membership attack was not run.",
        )
    explanation = (
        "How well an attacker tells whether a real person was in the training data, by the strongest of the "
        "attacks run (distance, density ratio, shadow model, the most isolated rows)."
    )
    threshold = f"on the highest AUC: {_limits(limits, 'num')}"
    people = mia.people
    row_auc = mia.auc.value if mia.headline is None else mia.headline.auc.value
    if people is None or people.headline is None:
        level, value = _over_rows(mia, limits, len(mia.attacks), "attacks")
        unsettled = _unsettled(level, row_auc, limits)
        return CriterionVerdict(
            "membership", "Membership inference", level, value, threshold, explanation, unsettled=unsettled
        )
    tests = len(mia.attacks) + len(people.attacks)
    what = f"attacks ({len(mia.attacks)} over rows, {len(people.attacks)} over people)"
    row_level, row_value = _over_rows(mia, limits, tests, what)
    person_level, person_value = _over_people(people, limits, tests, what)
    # The level that set the light leads, named, so "over people: …" is the reason when only people trip it.
    parts = [f"over rows: {row_value}", f"over people: {person_value}"]
    if _ORDER[person_level] > _ORDER[row_level]:
        parts.reverse()
    level = worst_level((row_level, person_level))
    return CriterionVerdict(
        "membership",
        "Membership inference",
        level,
        "; ".join(parts),
        f"on the highest AUC, over rows and over people: {_limits(limits, 'num')}",
        explanation + f" Over people, a member is a {people.column} with any row in training, scored by their "
        "best row and by the mean over their rows: one copied visit names the person.",
        unsettled=_unsettled(level, max(row_auc, people.headline.auc.value), limits),
    )
