"""AppTest: defects seen walking the dashboard in a real browser on a messy customer table and on bike sharing.

The privacy verdict writes its level once; the attack charts get the page's width.
"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest


def _verdict_page() -> None:
    from synth.evaluation.privacy.verdict import CriterionVerdict, Verdict
    from ui import privacy_panels

    criterion = CriterionVerdict("copies", "Copies of real rows", "green", "0.00% of synthetic rows", "t", "e")
    privacy_panels.verdict(
        Verdict("green", "Low risk: no measured criterion shows it (at the thresholds stated).", (criterion,), ())
    )


def test_the_verdict_names_its_level_once() -> None:
    at = AppTest.from_function(_verdict_page, default_timeout=60).run()
    assert not at.exception, at.exception
    assert [s.value for s in at.success] == ["**Low risk:** no measured criterion shows it (at the thresholds stated)."]


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
