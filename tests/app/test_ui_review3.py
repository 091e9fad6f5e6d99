"""AppTest: a third walk of the dashboard in a real browser (the messy customer table, 1400 px wide).

The rare-values table fits the page with its verdict in view.
"""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _rare_values_copied_page() -> None:
    import numpy as np
    import pandas as pd

    from synth.evaluation.privacy.rare_values import evaluate_rare_values
    from ui import privacy_panels

    rng = np.random.default_rng(0)

    def table(n: int) -> pd.DataFrame:
        return pd.DataFrame({"colour": rng.choice(["red", "blue"], n), "amount": rng.gamma(2.0, 300.0, n).round(2)})

    train, holdout = table(600), table(200)
    privacy_panels.rare_values(evaluate_rare_values(train, train.copy(), holdout))  # a copy: flagged


def test_the_rare_values_table_fits_the_page_with_its_verdict_in_view() -> None:
    import json

    at = AppTest.from_function(_rare_values_copied_page, default_timeout=60).run()
    assert not at.exception, at.exception
    table = at.dataframe[0].value
    # Nine columns (two counts, two shares, the excess, its interval's two ends, then "flagged") ran past the
    # page's right edge at 1400 px: the decisive "flagged" column sat behind a horizontal scroll.
    assert list(table.columns) == [
        "column",
        "verdict",
        "excess (interval judged)",
        "train-only values reproduced",
        "holdout-only values reproduced",
    ]
    config = json.loads(at.dataframe[0].proto.columns)
    assert config["column"]["pinned"] and sum(config[c]["width"] for c in table.columns) <= 940
    row = table.set_index("column").loc["amount"]
    assert row["verdict"].startswith("flagged")
    assert row["excess (interval judged)"].startswith("+100.0% (")  # the excess keeps its interval
    assert row["train-only values reproduced"].endswith("(100.0%)") and " of " in row["train-only values reproduced"]
    assert row["holdout-only values reproduced"].startswith("0 of ")


def test_the_column_kinds_editor_keeps_every_column_in_view_on_a_wide_table() -> None:
    import json

    import numpy as np
    import pandas as pd

    from tests.app.helpers import start, upload

    rng = np.random.default_rng(0)
    n = 300
    wide = pd.DataFrame({f"col{i:02d}": rng.integers(0, 5 + i, n) for i in range(16)})
    wide["name"] = rng.choice(["Ann Lee", "Bo Kim", "Cy Diaz"], n)
    at = upload(start(), "wide.csv", wide.to_csv(index=False).encode())
    editor = next(d for d in at.dataframe if (d.key or "").startswith("schema_editor_"))
    # The long reason sat before "missing" and "distinct" and pushed them past the page's right edge.
    order = ["column", "kind", "sensitive", "quasi-identifier", "missing", "distinct", "why"]
    assert list(editor.value.columns) == order
    config = json.loads(editor.proto.columns)
    assert config["column"]["pinned"]
    # Counts in the thousands read with separators (Adult's fnlwgt: "21,648", not "21648").
    assert config["distinct"]["type_config"]["format"] == "localized"
    # The widths add up to the page's content width at 1400 px (about 940 px): no horizontal scroll.
    assert sum(config[c]["width"] for c in editor.value.columns) <= 940
    # The reason is cut at the table's edge: the full text of every column's is one click away.
    reasons = next(e for e in at.expander if e.label.startswith("Why each kind was chosen"))
    text = reasons.markdown[0].value
    assert all(f"**col{i:02d}**" in text for i in range(16)) and "whole numbers only" in text


def _ml_checks_page() -> None:
    from types import SimpleNamespace

    import numpy as np
    import pandas as pd

    import synth
    from ui.compare import ml

    rng = np.random.default_rng(0)
    n = 400
    age = rng.integers(18, 90, n)
    df = pd.DataFrame(
        {
            "age": age,
            "fraud": (rng.random(n) < np.where(age < 40, 0.3, 0.05)).astype(int),
            "season": rng.integers(1, 5, n),
            "channel": rng.choice(["retail", "online", "partner"], n),
        }
    )
    schema = synth.infer_schema(df)
    ds = SimpleNamespace(key="table", schema=schema, train=df, holdout=df, split_by=None)
    result = SimpleNamespace(columns=[SimpleNamespace(column=c) for c in df.columns])
    # (the run's id and the split's person: the ML checks read the person from the run's evaluation context)
    ml.render("run", ds, SimpleNamespace(df=df, id="run"), result)  # type: ignore[arg-type]


def test_ml_checks_classify_a_0_1_target_and_name_the_codes_they_cannot() -> None:
    at = AppTest.from_function(_ml_checks_page, default_timeout=120).run()
    assert not at.exception, at.exception
    # The messy table's fraud (0/1) was scored with R² and a linear model; it is now the default and classified,
    # ahead of channel, the last categorical column.
    target = at.selectbox(key="ml_target")
    assert target.value == "fraud"
    assert "0/1 number: classification (ROC AUC" in (target.help or "")
    assert not any("modelled as a number" in i.value for i in at.info)
    at.toggle(key="ml_checks").set_value(True).run()
    assert not at.exception, at.exception
    assert any(m.label == "TSTR vs TRTR (ROC AUC)" for m in at.metric)
    assert any("Logistic regression of P(fraud = 1)" in c.value for c in at.caption)
    at.selectbox(key="ml_target").set_value("season").run()
    assert any(
        "season is a code with 4 values modelled as a number" in i.value and "categorical" in i.value for i in at.info
    )
    assert any(m.label == "TSTR vs TRTR (R²)" for m in at.metric)
    at.selectbox(key="ml_target").set_value("age").run()
    assert not any("modelled as a number" in i.value for i in at.info)


def test_a_risk_held_at_zero_says_the_holdout_was_guessed_more_often() -> None:
    """Session 31 walk: an inference attack right on 7.2% of training people and 18.4% of holdout people read
    "0.0%–0.0%" in the attack table, a measured certainty it is not."""
    from synth.evaluation.privacy.attack_result import AttackResult
    from synth.evaluation.privacy.common import Rate, Risk
    from ui.privacy_panels import risk_interval_words

    def result(main: float, control: float, risk: Risk) -> AttackResult:
        return AttackResult(
            "inference", "inference", "Inference of 'diagnosis'", Rate(main, 0.01, main * 500, 500),
            Rate(control, 0.02, control * 125, 125), Rate(0.1, 0.01, 50, 500), risk, ("age",),
        )  # fmt: skip

    below = result(0.072, 0.184, Risk(0.0, 0.0, 0.0, excess=-0.137, error=0.05))
    assert risk_interval_words(below) == "none: holdout guessed more often (18.4% vs 7.2%)"
    above = result(0.30, 0.20, Risk(0.125, 0.05, 0.2, excess=0.125, error=0.075))
    assert risk_interval_words(above) == "5.0%–20.0%"
    # Session 32 (California): train 6.9%, holdout 26.0%, yet an interval up to 1.8% is left: both are said.
    noisy = result(0.069, 0.26, Risk(0.0, 0.0, 0.018, excess=-0.26, error=0.1))
    assert risk_interval_words(noisy) == "0.0%–1.8% (holdout guessed more often)"
