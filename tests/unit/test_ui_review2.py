"""Unit pins for the second browser walk of the dashboard (what the pages show is in tests/app/test_ui_review2.py)."""

from __future__ import annotations

from synth.evaluation.privacy.attack_result import _result
from synth.evaluation.privacy.distances import PrivacyResult
from synth.evaluation.privacy.verdict import privacy_verdict
from synth.report.sections import _attacks_rows


def test_an_attack_without_holdout_targets_is_not_measured() -> None:
    """Training targets but no holdout ones leave a placeholder risk of 0 (0–0): the verdict and the report must
    not count it as a measured 0%."""
    r = _result("inference_rare", "inference", "Inference of 'x' (rare)", (3.0, 40), (0.0, 0), (1.0, 40), 0.95,
                columns=("a",), secret="x")  # fmt: skip
    assert not r.measured and r.not_run_reason == "No attack could be made on holdout rows."
    distances = PrivacyResult((0.5,), (0.5,), 0.5, 1, 0, 0.0, 0, 0.0, 1, 1, 1, ())
    inference = privacy_verdict(distances, [r]).get("inference")
    assert inference is not None and inference.level == "grey"
    assert _attacks_rows([r]) == [["Inference of 'x' (rare)", "—", "—", "—", "not run: " + r.not_run_reason]]


def test_the_rare_value_table_puts_judged_columns_worst_first() -> None:
    import numpy as np
    import pandas as pd
    import pytest

    from synth.evaluation.privacy.common import PrivacyInputError
    from synth.evaluation.privacy.rare_values import evaluate_rare_values, excess_table

    rng = np.random.default_rng(0)

    def table(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "colour": rng.choice(["red", "blue"], n),
                "size": rng.integers(0, 5_000, n),
                "amount": rng.gamma(2.0, 300.0, n).round(2),
            }
        )

    train, holdout = table(600), table(200)
    leaky = pd.concat([table(300), train.iloc[:300]], ignore_index=True)  # half of train copied: 'amount' leaks
    result = evaluate_rare_values(train, leaky, holdout)
    judged = excess_table(result, judged=True)
    assert list(judged["column"]) == sorted(["size", "amount"], key=lambda c: -result.get(c).excess)
    assert list(excess_table(result, judged=False)["column"]) == ["colour"]
    assert list(excess_table(result)["column"]) == ["colour", "size", "amount"]  # every column, in table order
    with pytest.raises(PrivacyInputError, match="share no column"):  # no learned column is none, not all of them
        evaluate_rare_values(train, leaky, holdout, columns=[])


def test_distance_histograms_keep_the_legends_colours_and_their_axis_titles_whole() -> None:
    import numpy as np

    from synth import plots
    from synth.plots.common import HOLDOUT_COLOR, SYNTH_COLOR

    rng = np.random.default_rng(0)
    a, b = rng.gamma(2.0, 0.1, 500), rng.gamma(2.0, 0.1, 200)
    nndr = plots.nndr_histogram((a / a.max()).tolist(), (b / b.max()).tolist())
    for fig in (plots.dcr_histogram(a.tolist(), b.tolist()), nndr):
        # Two translucent bar sets overlaid turned brown where they met, a colour the legend does not have.
        kinds = [(t.type, t.name) for t in fig.data]
        assert kinds == [("bar", "synthetic → train"), ("scatter", "real holdout → train")]
        assert fig.data[0].marker.color == SYNTH_COLOR and fig.data[0].opacity is None
        assert fig.data[1].line.color == HOLDOUT_COLOR
        # On one line of 80 characters the title ran past a half-width chart's edges.
        assert all(len(line) <= 50 for line in fig.layout.xaxis.title.text.split("<br>")), fig.layout.xaxis.title
