"""Small text and number defects found walking the dashboard on a messy HR table (walk A)."""

from __future__ import annotations

import pytest

from synth.evaluation.results import Interval
from synth.evaluation.utility.tstr import ModelScore


def _score(tstr: float, trtr: float, low: float | None = None, baseline: float = 0.5) -> ModelScore:
    gap = tstr - trtr
    return ModelScore(
        model="HistGradientBoosting",
        metric="roc_auc",
        goal="maximize",
        trtr=trtr,
        tstr=tstr,
        difference=gap,
        trtr_interval=None if low is None else Interval(trtr - 0.03, trtr + 0.03),
        tstr_interval=None if low is None else Interval(low, tstr + 0.03),
        difference_interval=Interval(gap - 0.02, gap + 0.02),
        baseline=baseline,
    )


def test_a_gap_between_two_worse_than_chance_scores_is_not_shown_as_good() -> None:
    from ui.compare.ml import utility_card

    color, caption = utility_card(_score(0.447, 0.368))  # the HR walk: green "↑+0.079" below a trivial 0.5
    assert color == "off" and "no better than chance" in caption and "0.500" in caption
    color, caption = utility_card(_score(0.52, 0.45, low=0.48))  # TSTR's interval reaches 0.5: no better either
    assert color == "off" and "no better than chance" in caption
    color, caption = utility_card(_score(0.84, 0.80))  # real scores: the gap is judged as before
    assert color == "normal" and caption.startswith("gap 95%") and "beyond noise" in caption


@pytest.mark.parametrize(("tstr", "trtr", "expected"), [(0.447, 0.368, True), (0.7, 0.4, False), (0.5, 0.5, True)])
def test_both_trivial(tstr: float, trtr: float, expected: bool) -> None:
    assert _score(tstr, trtr).both_trivial is expected


def test_the_coded_column_hint_states_each_columns_own_count() -> None:
    """The HR walk: "performance_rating holds 2–12 distinct whole numbers" (it holds 5)."""
    from types import SimpleNamespace

    import pandas as pd

    import synth
    from ui.rare_events import _coded_hint

    train = pd.DataFrame({"performance_rating": [1, 2, 3, 4, 5] * 40, "season": [1, 2, 3, 4] * 50})
    ds = SimpleNamespace(schema=synth.infer_schema(train), train=train)
    hint = _coded_hint(ds)  # type: ignore[arg-type]
    assert "performance_rating and season hold 5 and 4 distinct whole numbers" in hint, hint
    assert "2–12" not in hint
    one = SimpleNamespace(schema=synth.infer_schema(train[["season"]]), train=train[["season"]])
    assert "season holds 4 distinct whole numbers" in _coded_hint(one)  # type: ignore[arg-type]


def test_a_year_range_reads_as_years() -> None:
    """The HR walk: birth_year 1958–2002 was described as "about 1,900 … 2,100"."""
    import pandas as pd

    from synth.schema.inference import infer_column

    years = pd.Series([1958, 2002] + [1960 + i % 40 for i in range(300)], name="birth_year")
    reason = infer_column(years).reason
    assert "about 1950 … 2010" in reason, reason
    salary = pd.Series([20_787.07, 148_226.24] + [50_000.5 + i for i in range(300)], name="salary")
    assert "about 20,000 … 150,000" in infer_column(salary).reason  # wide ranges: two significant digits, as before
