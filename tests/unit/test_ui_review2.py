"""Unit pins for the second browser walk of the dashboard (what the pages show is in tests/app/test_ui_review2.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from synth.evaluation.privacy.attack_result import _result
from synth.evaluation.privacy.distances import PrivacyResult
from synth.evaluation.privacy.verdict import privacy_verdict
from synth.report.sections import _attacks_rows

if TYPE_CHECKING:
    import pandas as pd


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
    # The distance axis stops at the 99th percentile; the rows beyond it pile up in the last bar, which is labelled
    # with their count (on Bike Sharing an unexplained spike stood at the right edge).
    dcr = plots.dcr_histogram(a.tolist(), b.tolist())
    edge = float(np.quantile(np.concatenate([a, b]), 0.99))
    (note,) = dcr.layout.annotations
    beyond = int((a > edge).sum() + (b > edge).sum())
    assert beyond and note.text == f"last bar includes the {beyond:,} rows farther than {edge:.2f}"
    assert not plots.dcr_histogram([0.1, 0.2], [0.1, 0.2]).layout.annotations  # nothing beyond: no note


def _card_table(flag: bool = False) -> pd.DataFrame:
    """The data-card tests' 800-row table: an amount, a size and a colour (and a y/n flag, drawn last, so the other
    columns are the same either way)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    n = 800
    columns = {
        "amount": rng.gamma(2.0, 300.0, n).round(2),
        "size": rng.integers(0, 5_000, n),
        "colour": rng.choice(["red", "green", "blue"], n),
    }
    if flag:
        columns["flag"] = rng.choice(["y", "n"], n)
    return pd.DataFrame(columns)


def test_the_data_card_reads_as_prose_and_puts_each_note_where_it_belongs() -> None:
    import dataclasses

    import synth
    from synth.report.card import data_card
    from synth.report.evaluation import EvaluationSettings, evaluate_table
    from synth.report.race import Contender, RunResult

    table = _card_table()
    train, holdout = table.iloc[:600].reset_index(drop=True), table.iloc[600:].reset_index(drop=True)
    model = synth.create("independent").fit(train)
    syn = model.sample(600, seed=1)
    settings = EvaluationSettings(headline=False, utility=True, attacks=False, n_bootstrap=5, utility_rows=300)
    ev = evaluate_table(train, syn, holdout, settings=settings)
    # The Privacy page measured 'real values copied'; the report's own evaluation never did, so its card said
    # "Not measured: Real values copied".
    assert ev.verdict is not None and ev.verdict.get("rare_values").level != "grey"  # type: ignore[union-attr]
    assert ev.rare_values_copied is not None
    assert ev.utility is not None and any(x.startswith("both models train on 300 rows") for x in ev.utility.notes)
    ev = dataclasses.replace(ev, utility=dataclasses.replace(ev.utility, notes=(*ev.utility.notes, "a class note")))
    run = RunResult(
        Contender("independent"), "Independent", "ok", n_rows=600, evaluation=ev, synthetic=syn, model=model
    )
    card = data_card(run, table).to_markdown()
    scores, limitations = card.split("## Scores")[1].split("## Known limitations")
    limitations, contents = limitations.split("## What the model file contains")
    assert "Not measured: Real values copied" not in limitations
    # How the score was measured is said beside it, not listed as a limitation of the table.
    assert "both models train on 300 rows" in scores and "both models train" not in limitations
    assert "a class note" in limitations
    # Each item is a sentence, not a dict printed as "name: Schema, content: …, derivation: structure".
    assert "name: " not in contents and "derivation: " not in contents
    assert "- Schema — column names" in contents


def test_a_count_of_one_row_is_singular() -> None:
    import pandas as pd
    import pytest

    from synth.evaluation.utility.augmentation import AugmentationError, evaluate_augmentation

    train = pd.DataFrame({"fraud": [1] * 20 + [0] * 180, "amount": [float(i) for i in range(200)]})
    holdout = pd.DataFrame({"fraud": [1] + [0] * 99, "amount": [float(i) for i in range(100)]})
    with pytest.raises(AugmentationError, match=r"the holdout has 1 row with fraud = 1;"):  # not "1 rows"
        evaluate_augmentation(train, holdout, train, target="fraud", positive=1)


def test_the_charts_other_bucket_never_merges_with_a_synthesizers_other_value() -> None:
    import pandas as pd

    import synth
    from synth.evaluation.fidelity.distributions import column_distributions

    names = [f"name{i:02d}" for i in range(30)]
    real = pd.DataFrame({"name": names * 4})
    synthetic = pd.DataFrame({"name": names[:10] * 10 + ["(other)"] * 20})  # the synthesizer's rare bucket
    schema = synth.infer_schema(real).with_column("name", kind=synth.ColumnKind.CATEGORICAL)
    (dist,) = column_distributions(real, synthetic, schema=schema, max_categories=20)
    # Both were drawn as "(other)": 20 % of synthetic rows in the synthesizer's bucket looked like the 10 real
    # names the chart left out.
    assert dist.labels[-2:] == ("(other)", "all other categories (10)")
    share = dict(zip(dist.labels, dist.synthetic, strict=True))
    assert share["(other)"] == 20 / 120 and share["all other categories (10)"] == 0.0
    assert dict(zip(dist.labels, dist.real, strict=True))["all other categories (10)"] == 10 / 30


def test_a_sample_too_small_for_the_attacks_says_so_on_the_card_not_not_measured() -> None:
    """The session-30 walk sampled 60 rows: the data card listed "Not measured: Membership inference, Singling out,
    Linkability, Inference" (they ran; the verdict set them aside) and its highest risk came "from singling out,
    which the verdict reads grey (thresholds: …)", thresholds it never applied."""

    import synth
    from synth.report.card import data_card
    from synth.report.evaluation import EvaluationSettings, evaluate_table
    from synth.report.race import Contender, RunResult

    table = _card_table(flag=True)
    train, holdout = table.iloc[:600].reset_index(drop=True), table.iloc[600:].reset_index(drop=True)
    model = synth.create("independent").fit(train)
    syn = model.sample(60, seed=1)
    settings = EvaluationSettings(headline=False, utility=False, attacks=True, n_bootstrap=5)
    ev = evaluate_table(train, syn, holdout, settings=settings)
    assert ev.verdict is not None
    unjudged = [c.label for c in ev.verdict.criteria if c.words == "too few rows"]
    assert unjudged == ["Membership inference", "Singling out", "Linkability", "Inference"]
    assert "from singling out" in ev.privacy_risk_note, "premise: the highest risk is an attack set aside"
    assert ev.privacy_risk_note == (
        "from singling out, which the verdict leaves grey: too few synthetic rows to judge: sample at least 100 "
        "(only 60 synthetic rows here)"
    )
    run = RunResult(Contender("independent"), "Independent", "ok", n_rows=60, evaluation=ev, synthetic=syn, model=model)
    limitations = data_card(run, table).to_markdown().split("## Known limitations")[1]
    assert "Not measured" not in limitations
    assert (
        "Too few rows: Membership inference, Singling out, Linkability, Inference — too few synthetic rows to "
        "judge: sample at least 100 (only 60 synthetic rows here)." in limitations
    ), limitations
