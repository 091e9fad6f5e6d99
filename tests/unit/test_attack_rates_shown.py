"""The success rates shown beside an attack's risk are the observed shares, whose order the risk's sign follows.

The session-32 walk read "Linkability: risk 0.8%; success 1.6% on training people, 3.0% on holdout people
(control)": the rates were Wilson centres, which pull a smaller holdout set further towards 50%, while the risk
compares the holdout's observed share recentred at the training count. A risk above 0 beside a holdout guessed
more often reads as a contradiction. These tests pin that the shown order and the risk's sign cannot disagree.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from synth.evaluation.privacy.attack_result import AttackResult, _result
from synth.evaluation.privacy.verdict_criteria import attack_verdict
from synth.plots.privacy import attack_rates
from ui.privacy_panels import risk_interval_words


def _linkability(main: tuple[int, int], control: tuple[int, int]) -> AttackResult:
    return _result(
        "linkability", "linkability", "Linkability", main, control, (1, main[1]), 0.95, columns=("age", "zip")
    )


def _shown_rates(text: str) -> tuple[float, float]:
    found = re.search(r"success ([\d.]+)% on training \w+, ([\d.]+)% on holdout", text)
    assert found, text
    return float(found.group(1)), float(found.group(2))


def test_the_walks_linkability_reads_train_above_holdout_beside_its_positive_risk() -> None:
    # 9 of 600 training people linked, 1 of 130 holdout people: Wilson centres 1.8% and 2.2%, observed 1.5% and 0.8%.
    result = _linkability((9, 600), (1, 130))
    assert result.risk.excess > 0 and result.main.value < result.control.value, "premise: the centres flip"
    verdict = attack_verdict("linkability", "Linkability", [result], (0.05, 0.2))
    assert _shown_rates(verdict.value) == (1.5, 0.8), verdict.value
    main_bar, control_bar, _ = attack_rates([result]).data
    assert main_bar.x[0] > control_bar.x[0], "the bars show the same order as the text"
    assert main_bar.x[0] - main_bar.error_x.arrayminus[0] >= 0, "whiskers stay inside [0, 1]"


@settings(max_examples=200, deadline=None)
@given(
    n_main=st.integers(20, 3_000),
    n_control=st.integers(20, 3_000),
    main_share=st.floats(0.0, 1.0),
    control_share=st.floats(0.0, 1.0),
)
def test_the_shown_order_never_contradicts_the_risks_sign(
    n_main: int, n_control: int, main_share: float, control_share: float
) -> None:
    result = _linkability((round(main_share * n_main), n_main), (round(control_share * n_control), n_control))
    verdict = attack_verdict("linkability", "Linkability", [result], (0.05, 0.2))
    shown_main, shown_control = _shown_rates(verdict.value)
    if shown_main != shown_control:  # (equal once rounded to 0.1%: no order is shown)
        assert (result.risk.excess > 0) == (shown_main > shown_control), (verdict.value, result.risk)
    if result.risk.excess < 0:
        assert "holdout guessed more often" in risk_interval_words(result)


def test_an_attack_no_better_than_guessing_is_left_out_of_the_highest_risk() -> None:
    """The session-32 walk's customers: inference of a 0.5% fraud flag read "risk 21.2% (95% CI 0.0%–69.3%); success
    99.3% on training rows, 99.1% on holdout rows, 99.3% at random", and the 21.2% became the run's highest risk on
    the race chart and the card. It is left out, and the note says so."""
    from synth.evaluation.privacy.attacker import AttackerModel
    from synth.evaluation.privacy.attacks import AttackReport
    from synth.report.evaluation import EvaluationSettings, TableEvaluation

    fraud = _result(
        "inference", "inference", "Inference of 'fraud'", (993, 1000), (991, 1000), (993, 1000), 0.95, columns=("age",)
    )
    singling = _result(
        "singling_out_multivariate", "singling_out", "Singling out (3 columns)", (259, 1000), (226, 1000),
        (35, 1000), 0.95, columns=("age", "country", "segment"),
    )  # fmt: skip
    assert fraud.risk.value > singling.risk.value + 0.1 and not fraud.beats_baseline, "premise"
    report = AttackReport(AttackerModel(("age",), "fraud"), (fraud, singling), 1000, 0)
    ev = TableEvaluation(None, None, None, None, report, None, ("age", "fraud"), EvaluationSettings())
    assert ev.privacy_risk == singling.risk.value
    low, high = ev.privacy_risk_interval or (None, None)
    assert (low, high) == (singling.risk.low, singling.risk.high)
    assert ev.privacy_risk_note.startswith("from singling out; left out, as no better than guessing at random: ")
    assert "Inference of 'fraud' (risk " in ev.privacy_risk_note and "99.3% at random)" in ev.privacy_risk_note
    # An attack that beats its baseline still counts, however noisy.
    sharper = _result(
        "inference", "inference", "Inference of 'fraud'", (996, 1000), (991, 1000), (993, 1000), 0.95, columns=("age",)
    )
    counted = TableEvaluation(
        None, None, None, None, AttackReport(AttackerModel(("age",), "fraud"), (sharper, singling), 1000, 0), None,
        ("age", "fraud"), EvaluationSettings(),
    )  # fmt: skip
    assert counted.privacy_risk == max(sharper.risk.value, singling.risk.value) and sharper.beats_baseline
