"""A green verdict never calls a risk low that its measurement cannot rule out.

Inference on a rare secret read "Low risk" beside an estimate of 17.7% (95% CI 0–72%): the light was green because the
interval included no risk, and the headline said the risk was low though the data could not tell 0 from 70%. Such a
criterion now reads "unclear", and the headline names it as not settled, while the light stays green (fresh real data
reads so too, and an alarm fresh data raises is no alarm).
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from synth.evaluation.privacy.attack_result import AttackResult
from synth.evaluation.privacy.common import residual_risk, success_rate
from synth.evaluation.privacy.distances import PrivacyResult
from synth.evaluation.privacy.verdict import Verdict, privacy_verdict
from synth.evaluation.privacy.verdict_advice import listed
from synth.evaluation.privacy.verdict_criteria import Thresholds

AMBER = Thresholds().attack[0]


def _clean() -> PrivacyResult:
    """Distances with nothing to flag: no copy, the DCR share at its ideal."""
    return PrivacyResult(
        (0.5,) * 10, (0.5,) * 10, 0.5, 2400, 0, 0.0, 0, 0.0, 2400, 600, 2400, ("a",),
        dcr_share_full=0.8, dcr_share_full_expected=0.8,
    )  # fmt: skip


def _attack(criterion: str, main: tuple[int, int], control: tuple[int, int]) -> AttackResult:
    m, c, base = success_rate(*main), success_rate(*control), success_rate(0, main[1])
    name = {"inference": "Inference of 'income'", "linkability": "Linkability"}.get(criterion, "Singling out")
    return AttackResult(criterion, criterion, name, m, c, base, residual_risk(m, c), ("age",), secret="income")


def _not_settled(verdict: Verdict) -> bool:
    return "Not settled:" in verdict.headline


def test_a_large_risk_on_a_dozen_people_reads_unclear_not_low() -> None:
    """10 of 12 training targets guessed against 7 of 12 holdout ones: an estimate far past the amber line, with an
    interval reaching from no risk to most of the way to certain."""
    attack = _attack("inference", (10, 12), (7, 12))
    assert attack.risk.value >= 0.15 and attack.risk.interval(1)[0] <= 0 < attack.risk.interval(1)[1] - 0.5
    verdict = privacy_verdict(_clean(), [attack])
    inference = verdict.get("inference")
    assert inference is not None and inference.level == "green" and inference.unsettled
    assert inference.words == "unclear"
    assert verdict.level == "green" and verdict.headline.startswith("Low risk")
    assert "Not settled: inference" in verdict.headline
    assert verdict.unsettled == (inference,)
    advice = " ".join(verdict.advice)
    assert "No change needed" not in advice and "Holdout share" in advice and "inference" in advice


def test_the_same_risk_on_many_people_is_flagged_and_a_small_one_is_low() -> None:
    flagged = privacy_verdict(_clean(), [_attack("inference", (830, 1000), (580, 1000))])
    assert flagged.level == "red" and not flagged.unsettled and not _not_settled(flagged)
    low = privacy_verdict(_clean(), [_attack("inference", (590, 1000), (580, 1000))])
    inference = low.get("inference")
    assert inference is not None and inference.words == "low risk" and not inference.unsettled
    assert low.level == "green" and not _not_settled(low) and "No change needed" in " ".join(low.advice)


def test_an_amber_verdict_names_no_unsettled_criterion() -> None:
    """A verdict already flagged says what to change; an unsettled green criterion beside it is not listed as what
    keeps the verdict from "low risk" (there is none)."""
    verdict = privacy_verdict(
        _clean(), [_attack("inference", (10, 12), (7, 12)), _attack("linkability", (160, 1000), (80, 1000))]
    )
    assert verdict.level in ("amber", "red") and verdict.unsettled == () and not _not_settled(verdict)
    inference = verdict.get("inference")
    assert inference is not None and inference.words == "unclear"  # its own badge still says so


counts = st.integers(1, 400)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["inference", "linkability", "singling_out"]), counts, counts, counts, counts),
        min_size=1,
        max_size=4,
    )
)
def test_low_risk_is_only_said_when_every_estimate_is_below_the_amber_line(
    draws: list[tuple[str, int, int, int, int]],
) -> None:
    """For any attack results: a verdict that reads "Low risk" without naming anything as not settled has every
    attack's estimate below the amber line; and every criterion it names as not settled is green with an estimate
    past that line."""
    attacks = [_attack(c, (min(k, n), n), (min(j, m), m)) for c, k, n, j, m in draws]
    verdict = privacy_verdict(_clean(), attacks)
    if verdict.level != "green":
        assert not _not_settled(verdict)
        return
    worst = {c: max(a.risk.value for a in attacks if a.criterion == c) for c in {a.criterion for a in attacks}}
    named = {c.key for c in verdict.unsettled}
    assert named == {c for c, value in worst.items() if value >= AMBER}
    assert _not_settled(verdict) == bool(named)
    named = verdict.headline.partition("Not settled: ")[2].partition(", whose")[0]
    assert named == listed([c.label.lower() for c in verdict.unsettled])
    assert all(c.words == "unclear" for c in verdict.unsettled)


def test_a_race_pick_names_what_its_green_verdict_left_unsettled() -> None:
    """The race's reason said "green privacy verdict (no measured risk beyond sampling noise)" for a run whose
    inference sat at 17.7% (95% CI 0–72%): it names the unsettled criterion as the Privacy page does."""
    from synth.report.evaluation import EvaluationSettings, TableEvaluation
    from synth.report.race_pick import _privacy_words

    def words(attack: AttackResult) -> str:
        verdict = privacy_verdict(_clean(), [attack])
        return _privacy_words(TableEvaluation(None, None, None, None, None, verdict, (), EvaluationSettings()))

    unsettled = words(_attack("inference", (10, 12), (7, 12)))
    assert unsettled.startswith("a green privacy verdict") and "not settled: inference" in unsettled
    assert "not settled" not in words(_attack("inference", (590, 1000), (580, 1000)))


def test_an_attack_set_aside_on_too_few_rows_is_not_named_unsettled() -> None:
    """On 60 synthetic rows the attacks are grey ("too few rows"): the headline says so, and does not also call them
    not settled, which would read as if they had been judged."""
    from dataclasses import replace

    verdict = privacy_verdict(replace(_clean(), n_synthetic=60), [_attack("inference", (10, 12), (7, 12))])
    inference = verdict.get("inference")
    assert inference is not None and inference.level == "grey" and inference.words == "too few rows"
    assert not inference.unsettled and verdict.unsettled == () and not _not_settled(verdict)
    assert "too few to judge the attacks" in verdict.headline


def test_only_a_green_light_can_be_unsettled() -> None:
    """Every reader takes the flag alone (badge, words, headline, report): a flagged or grey light carrying it would
    read "unclear" over its own words."""
    import pytest

    from synth.evaluation.privacy.verdict_criteria import CriterionVerdict

    for level in ("amber", "red", "grey"):
        with pytest.raises(ValueError, match="only a green light"):
            CriterionVerdict("inference", "Inference", level, "v", "t", "e", unsettled=True)  # type: ignore[arg-type]
    assert CriterionVerdict("inference", "Inference", "green", "v", "t", "e", unsettled=True).words == "unclear"
