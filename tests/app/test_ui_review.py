"""AppTest: defects seen walking the dashboard in a real browser on a messy customer table and on bike sharing.

The privacy verdict writes its level once; the attack charts get the page's width; Rare events shows a rare
class's share and names the whole-number columns it could offer; Demo mode's fidelity card is the Race page's
fidelity.
"""

from __future__ import annotations

import io
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

import synth
from tests.app.helpers import goto, start, upload


def _verdict_page() -> None:
    from synth.evaluation.privacy.verdict import Verdict
    from synth.evaluation.privacy.verdict_criteria import CriterionVerdict
    from ui import privacy_panels

    criterion = CriterionVerdict("copies", "Copies of real rows", "green", "0.00% of synthetic rows", "t", "e")
    privacy_panels.verdict(
        Verdict("green", "Low risk: no measured criterion shows it (at the thresholds stated).", (criterion,), ())
    )


def test_the_verdict_names_its_level_once() -> None:
    at = AppTest.from_function(_verdict_page, default_timeout=60).run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["**Low risk:** no measured criterion shows it (at the thresholds stated)."]


def _unsettled_verdict_page() -> None:
    from synth.evaluation.privacy.verdict import Verdict
    from synth.evaluation.privacy.verdict_criteria import CriterionVerdict
    from ui import privacy_panels

    criterion = CriterionVerdict(
        "inference", "Inference", "green", "risk 17.7% (95% CI 0.0%–72.0%)", "t", "e", unsettled=True
    )
    privacy_panels.verdict(Verdict("green", "Low risk: none shown. Not settled: inference.", (criterion,), ()))


def test_an_unsettled_criterion_reads_unclear_on_a_blue_badge() -> None:
    """A green badge reading "low risk" stood beside an inference risk of 17.7% whose interval reached 72%."""
    at = AppTest.from_function(_unsettled_verdict_page, default_timeout=60).run()
    assert not at.exception, at.exception
    badges = [m.value for m in at.markdown if "-badge[" in m.value]
    assert badges == [":blue-badge[unclear] **Inference** — risk 17.7% (95% CI 0.0%–72.0%)"]


def _attacks_page() -> None:
    from synth.evaluation.privacy.attack_result import AttackResult
    from synth.evaluation.privacy.common import residual_risk, success_rate
    from ui import privacy_panels

    main, control, baseline = success_rate(90, 1000), success_rate(80, 1000), success_rate(10, 1000)
    risk = residual_risk(main, control)
    results = [
        AttackResult(
            "singling_out_univariate",
            "singling_out",
            "Singling out (univariate)",
            main,
            control,
            baseline,
            risk,
            ("a",),
        ),
        AttackResult("inference", "inference", "Inference of 'x'", main, control, baseline, risk, ("a",), secret="x"),
    ]
    privacy_panels.attacks(results)


def test_the_attack_charts_are_drawn_full_width() -> None:
    at = AppTest.from_function(_attacks_page, default_timeout=60).run()
    assert not at.exception, at.exception
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert titles == [
        "Privacy risk: excess of the attack on training rows over holdout rows",
        "Attack success: training vs holdout vs random",
    ]
    # Side by side in two columns the long attack labels squeezed each plot to a sliver (seen in Chromium).
    assert len(at.columns) == 0


def _coded_table() -> bytes:
    rng = np.random.default_rng(0)
    n = 600
    table = pd.DataFrame(
        {
            "season": rng.integers(1, 5, n),
            "holiday": (rng.random(n) < 0.03).astype(int),
            "temp": rng.normal(20, 5, n).round(2),
            "count": rng.integers(0, 900, n),
        }
    )
    return table.to_csv(index=False).encode("utf-8")


def test_rare_events_names_the_whole_number_codes_it_could_offer() -> None:
    at = start()
    upload(at, "bikes.csv", _coded_table())
    at.session_state["fitted"] = SimpleNamespace(id="x", label="stub")  # the panels stop before using the model
    at.session_state["fitted_models"] = ()
    goto(at, "rare_events")
    infos = [i.value for i in at.info]
    # The augmentation panel takes the 0/1 holiday as a class as it stands (session 15) and names season, a code
    # it cannot offer, with what to do.
    assert at.selectbox(key="aug_target").options == ["holiday"]
    captions = [c.value for c in at.caption]
    assert any("season holds" in c and "(codes)" in c and "**Data**" in c for c in captions), captions
    # The bias panel takes the 0/1 holiday as an outcome as it stands: only season is a code it cannot offer.
    assert at.selectbox(key="fair_outcome").options == ["holiday"]
    assert not any("outcome column" in i for i in infos)
    at = start()
    codes_only = pd.read_csv(io.BytesIO(_coded_table())).drop(columns="holiday")
    upload(at, "bikes.csv", codes_only.to_csv(index=False).encode())
    at.session_state["fitted"] = SimpleNamespace(id="x", label="stub")
    at.session_state["fitted_models"] = ()
    goto(at, "rare_events")
    infos = [i.value for i in at.info]
    assert any(
        "group column and a categorical, boolean or 0/1 outcome" in i and "season holds" in i and "(codes)" in i
        for i in infos
    ), infos


def test_the_bias_panel_defaults_to_the_outcome_ml_efficacy_would_predict() -> None:
    rng = np.random.default_rng(2)
    n = 600
    table = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east"], n),
            "churned": (rng.random(n) < 0.2).astype(int),
            "spend": rng.gamma(2.0, 40.0, n).round(2),
            "plan": rng.choice(["basic", "pro"], n),
        }
    )
    at = start()
    upload(at, "churn.csv", table.to_csv(index=False).encode())
    at.session_state["fitted"] = SimpleNamespace(id="x", label="stub")  # the panels stop before using the model
    at.session_state["fitted_models"] = ()
    goto(at, "rare_events")
    outcome = at.selectbox(key="fair_outcome")
    # Not plan, the last class column: churned reads like the outcome, and a 0/1 flag is a binary outcome.
    assert "churned" in outcome.options and "plan" in outcome.options
    assert outcome.value == "churned"
    # Not churning is the favourable outcome of churned (an adverse event), not the rarest label
    assert at.selectbox(key="fair_positive").options == ["0", "1"]


def test_a_rare_class_share_is_not_rounded_to_zero() -> None:
    from ui.rare_events import _share

    assert _share(2 / 2400) == "0.08%"
    assert _share(0.005) == "0.50%"
    assert _share(0.25) == "25.0%"
    assert _share(0.0) == "0.0%"
    assert _share(1 / 100_000) == "< 0.01%"


def test_demo_fidelity_is_the_race_fidelity_not_sdmetrics_quality(monkeypatch: pytest.MonkeyPatch) -> None:
    from ui import state

    evaluation = SimpleNamespace(
        honest_fidelity=0.962,
        quality=0.972,
        discriminator_auc=0.53,
        tstr=0.8,
        trtr=0.81,
        utility_measure="AUC predicting season",
        privacy_level="green",
    )
    run = SimpleNamespace(label="Pruned CART", evaluation=evaluation, synthetic=pd.DataFrame({"a": [1]}))
    race = SimpleNamespace(runs=[run], recommended="Pruned CART", reason="Pruned CART is recommended: fidelity 0.96")
    monkeypatch.setattr(state, "current_race", lambda: race)
    at = start()
    upload(at, "bikes.csv", _coded_table())
    goto(at, "demo")
    cards = [m.value for m in at.markdown if "demo-card" in m.value and "fidelity" in m.value]
    assert len(cards) == 1
    assert "<div class='v'>0.96</div>" in cards[0], cards[0]
    assert "97%" not in cards[0]


def test_one_coded_column_is_named_in_the_singular() -> None:
    from ui.rare_events import _coded_hint

    schema = synth.infer_schema(pd.DataFrame({"fraud": [0, 1] * 50, "channel": ["a", "b", "c", "d"] * 25}))
    ds = SimpleNamespace(
        schema=schema, train=pd.DataFrame({"fraud": [0, 1] * 50, "channel": ["a", "b", "c", "d"] * 25})
    )
    hint = _coded_hint(ds)  # type: ignore[arg-type]
    assert hint.strip().startswith("fraud holds 2 distinct whole numbers") and " is modelled as numbers" in hint
    assert "choose it here" in hint


def test_the_class_to_add_is_one_the_holdout_can_judge() -> None:
    rng = np.random.default_rng(1)
    n = 1000
    channel = rng.choice(["retail", "online", "partner"], n, p=[0.6, 0.33, 0.07]).astype(object)
    channel[:3] = "vending"  # three rows: the holdout gets at most one of them
    table = pd.DataFrame({"channel": channel, "spend": rng.gamma(2.0, 50.0, n).round(2)})
    at = start()
    upload(at, "shops.csv", table.to_csv(index=False).encode("utf-8"))
    at.session_state["fitted"] = SimpleNamespace(id="x", label="stub")  # the panel stops before using the model
    at.session_state["fitted_models"] = ()
    goto(at, "rare_events")
    assert at.selectbox(key="aug_target").value == "channel"
    assert at.selectbox(key="aug_positive").value == "partner"  # not 'vending', rarer but judged on 0–1 rows


def _copies_page() -> None:
    from synth.evaluation.privacy.distances import CopyCounts
    from ui import privacy_panels

    privacy_panels.copies(CopyCounts(0, 0.0, 0, 0.0, 0, 0.0, 0, 0.0, 120, 2400, 600))


def test_a_description_under_a_number_has_no_arrow() -> None:
    at = AppTest.from_function(_copies_page, default_timeout=60).run()
    assert not at.exception, at.exception
    deltas = {m.label: m.proto for m in at.metric}
    assert deltas["Exact copies of training rows"].delta == "0.00% of synthetic vs 0.00% of holdout"
    # An up arrow beside "holdout: 0 (0.00%)" reads as a rise; these deltas describe, they do not compare.
    none = Metric.MetricDirection.NONE
    assert {p.direction for p in deltas.values()} == {none}, [p.direction for p in deltas.values()]


def test_the_favourable_outcome_offered_first_reads_favourable() -> None:
    """The survey walk's bias panel offered "Strongly disagree" (the rarest label) as q1_satisfied's favourable
    outcome: a label that reads favourable comes first, the rarest of those; "Disagree" is not "agree"."""
    rng = np.random.default_rng(27)
    n = 600
    answers = ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"]
    table = pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "east"], n),
            "q1_satisfied": rng.choice(answers, n, p=[0.04, 0.16, 0.3, 0.35, 0.15]),
            "spend": rng.gamma(2.0, 40.0, n).round(2),
        }
    )
    at = start()
    upload(at, "survey.csv", table.to_csv(index=False).encode())
    at.session_state["fitted"] = SimpleNamespace(id="x", label="stub")  # the panels stop before using the model
    at.session_state["fitted_models"] = ()
    goto(at, "rare_events")
    assert at.selectbox(key="fair_outcome").value == "q1_satisfied"
    options = at.selectbox(key="fair_positive").options
    assert options[:2] == ["Strongly agree", "Agree"] and at.selectbox(key="fair_positive").value == "Strongly agree"
    assert sorted(options) == sorted(answers)
