"""AppTest: a second walk of the dashboard in a real browser (a messy customer table and bike sharing).

Cards colour only differences beyond noise, and the closeness cards take the verdict's light.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

from streamlit.proto.Metric_pb2 import Metric
from streamlit.testing.v1 import AppTest

GRAY, RED, GREEN = Metric.MetricColor.GRAY, Metric.MetricColor.RED, Metric.MetricColor.GREEN


def _accuracy_page() -> None:
    from synth.evaluation.fidelity.accuracy import AccuracyResult, AccuracyScore
    from synth.evaluation.fidelity.discriminator import DiscriminatorResult
    from synth.evaluation.results import Interval
    from ui.compare import headline

    def score(order: int, value: float, reference: float, gap: Interval) -> AccuracyScore:
        return AccuracyScore(order, value, Interval(value - 0.01, value + 0.01), reference, None, value - reference,
                             gap, 10, 10)  # fmt: skip

    within = score(1, 0.961, 0.964, Interval(-0.012, 0.006))
    below = score(2, 0.850, 0.897, Interval(-0.06, -0.03))  # beyond noise: drawn red
    accuracy = AccuracyResult(
        0.9, Interval(0.88, 0.92), 0.93, within, below, None, (), (), (), 600, 600, 0
    )  # fmt: skip
    noise = DiscriminatorResult(0.49, Interval(0.46, 0.52), 0.53, Interval(0.50, 0.56), 2400, 720, 0)
    headline.accuracy_cards(accuracy, noise, None)


def test_a_difference_within_noise_is_not_coloured() -> None:
    at = AppTest.from_function(_accuracy_page, default_timeout=60).run()
    assert not at.exception, at.exception
    colors = {m.label: m.proto.color for m in at.metric}
    # "↓ -0.003 vs holdout" in red stood beside "within noise of fresh real data"; so did a green AUC drop.
    assert colors["Univariate accuracy"] == GRAY
    assert colors["Discriminator AUC"] == GRAY
    assert colors["Bivariate accuracy"] == RED
    assert colors["Accuracy"] == RED  # an order is below beyond noise: the verdict says so too


def _closeness_page() -> None:
    from synth.evaluation.privacy.distances import ClosenessShare, PrivacyResult
    from ui import privacy_panels

    # 81.1% closer to train, ideal 80%: 5.6% of the way to 100%, below the amber line (10%).
    result = PrivacyResult(
        (0.5,) * 10, (0.5,) * 10, 0.502, 2400, 0, 0.0, 0, 0.0, 2400, 600, 2400, ("a",),
        dcr_share_full=0.811, dcr_share_full_expected=0.8,
    )  # fmt: skip
    privacy_panels.closeness(ClosenessShare(0.502, 600, 2400, 600), result)


def test_the_closeness_cards_take_the_verdicts_light() -> None:
    from synth.evaluation.privacy.distances import PrivacyResult
    from synth.evaluation.privacy.verdict import privacy_verdict

    at = AppTest.from_function(_closeness_page, default_timeout=60).run()
    assert not at.exception, at.exception
    colors = {m.label: m.proto.color for m in at.metric}
    # Red cards ("↑ 5.6% of the way from the ideal") stood beside a green "Closeness to training rows".
    assert colors == {"Closer to the full train than to holdout": GREEN, "Closer to train than to holdout": GREEN}
    result = PrivacyResult(
        (0.5,) * 10, (0.5,) * 10, 0.502, 2400, 0, 0.0, 0, 0.0, 2400, 600, 2400, ("a",),
        dcr_share_full=0.811, dcr_share_full_expected=0.8,
    )  # fmt: skip
    light = privacy_verdict(result).get("closeness")
    assert light is not None and light.level == "green"


def test_the_detection_card_knows_when_its_auc_is_within_noise() -> None:
    from synth.evaluation.fidelity.detection import DetectionResult
    from synth.evaluation.results import Interval

    def detection(auc: float, low: float, high: float) -> DetectionResult:
        return DetectionResult(auc, Interval(low, high), 0.5, 1.0, 0.52, Interval(0.50, 0.54), (), 1000, 5, 0)

    assert detection(0.53, 0.51, 0.55).beyond_reference is False  # drawn grey, not red
    assert detection(0.70, 0.68, 0.72).beyond_reference is True


def _attacks_page() -> None:
    from synth.evaluation.privacy.attack_result import _result
    from ui import privacy_panels

    reason = "No training or no holdout person has a combination of known values that is rare in the synthetic table."
    ran = _result("inference", "inference", "Inference of 'cnt'", (78.0, 2000), (50.0, 2000), (42.0, 2000), 0.95,
                  columns=("hr",), secret="cnt")  # fmt: skip
    none = _result("inference_rare", "inference", "Inference of 'cnt' (people rare on the known columns)",
                   (0.0, 0), (0.0, 0), (0.0, 0), 0.95, columns=("hr",), secret="cnt", detail=reason,
                   warnings=(reason,))  # fmt: skip
    privacy_panels.attacks([ran, none])


def test_an_attack_with_no_targets_reads_as_not_run() -> None:
    at = AppTest.from_function(_attacks_page, default_timeout=60).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value.set_index("attack")
    # "0.0% risk (CI 0.0–0.0%)" over 0 attacks read as a measured absence of risk (bike sharing, rare people).
    row = table.loc["Inference of 'cnt' (people rare on the known columns)"]
    assert row["risk"] == "not run" and row["95% CI"] == "—" and row["main (train)"] == "—"
    assert table.loc["Inference of 'cnt'", "risk"] != "not run"
    assert any("was not run" in i.value and "rare in the synthetic table" in i.value for i in at.info)
    risks = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert risks["data"][0]["x"][1] is None  # no 0% bar
    assert [a["text"] for a in risks["layout"]["annotations"]] == ["not run"]


def _rare_values_page() -> None:
    import numpy as np
    import pandas as pd

    from synth.evaluation.privacy.rare_values import evaluate_rare_values
    from ui import privacy_panels

    rng = np.random.default_rng(0)

    def table(n: int) -> pd.DataFrame:
        return pd.DataFrame({"colour": rng.choice(["red", "blue"], n), "amount": rng.gamma(2.0, 300.0, n).round(2)})

    train, holdout = table(600), table(200)
    privacy_panels.rare_values(evaluate_rare_values(train, table(600), holdout), ["customer_id", "email"])


def test_rare_values_show_the_judged_columns_and_count_the_rest() -> None:
    at = AppTest.from_function(_rare_values_page, default_timeout=60).run()
    assert not at.exception, at.exception
    # 'colour' has no value seen once: its -100%–100% interval was listed among the judged columns.
    assert list(at.dataframe[0].value["column"]) == ["amount"]
    assert [e.label for e in at.expander] == ["1 column with nothing to judge"]
    unjudged = at.dataframe[1].value
    assert list(unjudged["column"]) == ["colour"] and unjudged["why"].iloc[0].startswith("nothing to judge")
    assert any("generated rather than learned" in c.value and "customer_id, email" in c.value for c in at.caption)


def test_the_rare_value_test_leaves_generated_columns_out() -> None:
    import pandas as pd

    import synth
    from ui import privacy_checks

    calls = {}

    class Job:
        def submit(self, name: str, label: str, run: object) -> None:
            calls[name] = run

    n = 300
    train = pd.DataFrame({"customer_id": [f"C{i:05d}" for i in range(n)], "amount": [float(i % 97) for i in range(n)]})
    schema = synth.infer_schema(train)
    assert schema["customer_id"].kind.value == "identifier"
    inputs = SimpleNamespace(tables=SimpleNamespace(train=train, synthetic=train, holdout=train))
    privacy_checks.submit_base(Job(), inputs, (train, train, train), schema)  # type: ignore[arg-type]
    rare = calls["rare_values"](lambda *a: None)  # type: ignore[operator]
    # An identifier is generated: its "copied" values say nothing about memorising anyone.
    assert [c.column for c in rare.columns] == ["amount"]


def test_a_fit_time_estimate_under_a_tenth_of_a_second_does_not_read_zero() -> None:
    from ui.text import duration

    # "0.0 s" beside fits that take a fraction of a second read as instant, or as broken.
    assert duration(0.04) == "< 0.1 s"
    assert duration(0.63) == "0.63 s"
    assert duration(3.456) == "3.5 s"
    assert duration(42.4) == "42 s"
    assert duration(600.0) == "10 min"
    assert duration(None) == "—"


def test_a_memory_estimate_under_one_mb_does_not_read_zero() -> None:
    from ui.text import megabytes

    assert megabytes(0.004) == "< 1 MB"
    assert megabytes(0.999) == "< 1 MB"
    assert megabytes(1.4) == "1 MB"
    assert megabytes(2_345.6) == "2,346 MB"
    assert megabytes(None) == "—"
