"""The figures' slim template looks exactly like plotly_white for every trace type they draw."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.io as pio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth import plots
from synth.evaluation.fidelity.distributions import column_distributions
from synth.evaluation.fidelity.results import AssociationMatrix
from synth.plots.common import TRACE_TYPES, template
from synth.schema import ColumnKind, ColumnSpec, Schema


def figures() -> list:
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"x": rng.normal(size=300), "c": rng.choice(list("abc"), 300)})
    syn = pd.DataFrame({"x": rng.normal(0.2, 1, 300), "c": rng.choice(list("abc"), 300)})
    schema = Schema((ColumnSpec("x", ColumnKind.CONTINUOUS), ColumnSpec("c", ColumnKind.CATEGORICAL)))
    dists = column_distributions(real, syn, real, schema=schema)
    matrix = AssociationMatrix(("x", "c"), ((1.0, 0.2), (0.2, 1.0)), "pearson")
    return [
        *(plots.distribution_figure(d, score=0.9, metric="KS", reference=0.95) for d in dists),
        plots.score_bars(["x", "c"], [0.9, 0.8], [0.95, 0.9]),
        plots.association_heatmaps(matrix, matrix),
    ]


def test_template_is_plotly_white_for_the_drawn_trace_types() -> None:
    white = pio.templates["plotly_white"]
    slim = template()
    assert slim.layout.to_plotly_json() == white.layout.to_plotly_json()
    for kind in TRACE_TYPES:
        assert [t.to_plotly_json() for t in slim.data[kind]] == [t.to_plotly_json() for t in white.data[kind]]


def test_every_trace_drawn_has_its_plotly_white_defaults() -> None:
    white = pio.templates["plotly_white"]
    for fig in figures():
        spec = fig.to_dict()
        assert spec["layout"]["template"]["layout"] == white.layout.to_plotly_json()
        for trace in spec["data"]:
            assert trace["type"] in TRACE_TYPES, f"add {trace['type']} to TRACE_TYPES to keep its look"
            drawn = spec["layout"]["template"].get("data", {}).get(trace["type"], [])
            assert drawn == [t.to_plotly_json() for t in white.data[trace["type"]]]


def test_column_scores_are_dots_on_their_cut_axis_not_bars() -> None:
    """The axis starts near the lowest score (0.92 on California Housing); bars from there drew 0.98 twice as long
    as 0.96. The scores are dots with their whiskers, the holdout a tick."""
    from synth.evaluation.results import Interval
    from synth.plots.fidelity import score_bars

    fig = score_bars(["a", "b"], [0.96, 0.98], [0.97, 0.985], intervals=[Interval(0.95, 0.97), Interval(0.975, 0.985)])
    assert [t.type for t in fig.data] == ["scatter", "scatter"]
    assert fig.data[0].mode == "markers" and list(fig.data[0].error_x.array) == pytest.approx([0.01, 0.005])
    assert fig.layout.xaxis.range[0] > 0.5  # the cut axis stays: dots are read by position, not length


def test_the_importance_legend_sits_below_the_axis_title_not_on_it() -> None:
    """Placed at y = -0.18 of the plot, the legend of 'What the model relies on' landed on the x-axis title of a
    short chart; it is now anchored to the figure's bottom edge, with a margin that holds it."""
    from types import SimpleNamespace

    from synth.plots.utility import importance_bars

    items = [SimpleNamespace(feature=f"f{i}", trtr=0.1 / (i + 1), tstr=0.09 / (i + 1)) for i in range(3)]
    fig = importance_bars(SimpleNamespace(importances=items, importance_agreement=0.9))  # type: ignore[arg-type]
    assert fig.layout.legend.yref == "container" and fig.layout.legend.y == 0
    assert fig.layout.margin.b >= 80 and fig.layout.margin.t == 60  # the template's other margins are kept


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=1e-5, max_value=1.0))
def test_percent_ticks_never_print_two_ticks_alike(top: float) -> None:
    """On a 0–1.3% axis the outcome-rate chart's ticks read "0%, 1%, 1%": every 1-2-5 step plotly may pick (at
    least a sixth of the range) prints distinct labels at the chosen decimals."""
    import math

    from synth.plots.common import percent_ticks

    digits = int(percent_ticks(top)[1:-1])
    power = 10.0 ** math.floor(math.log10(top / 6))
    steps = [m * power * 10**k for k in range(3) for m in (1, 2, 5) if top / 6 <= m * power * 10**k <= top / 2]
    assert steps, top
    for step in steps:
        ticks = [i * step for i in range(int(top / step + 1e-9) + 1)]
        labels = [f"{t * 100:.{digits}f}%" for t in ticks]
        assert len(set(labels)) == len(labels), (top, step, labels)
    assert percent_ticks(0.013) == ".1%" and percent_ticks(0.18) == ".0%" and percent_ticks(1.0) == ".0%"


@pytest.mark.parametrize(("columns", "every_one_named"), [(17, True), (60, True), (61, False)])
def test_the_heatmaps_name_every_column_under_each_panel_while_they_fit(columns: int, every_one_named: bool) -> None:
    """The survey walk's 17 columns were named on the rows but only every other one under the panels (Plotly thins a
    crowded category axis); up to 60 columns (stacked panels, a cell of 18 px each) every one is named, more are left
    to Plotly."""
    names = tuple(f"column_{i}" for i in range(columns))
    matrix = AssociationMatrix(
        names, tuple(tuple(float(i == j) for j in range(columns)) for i in range(columns)), "pearson"
    )
    layout = plots.association_heatmaps(matrix, matrix).to_dict()["layout"]
    axes = [layout[k] for k in ("xaxis", "xaxis2", "xaxis3")]
    assert all((axis.get("dtick") == 1) is every_one_named for axis in axes)


def test_a_fold_that_dwarfs_the_named_categories_is_cut_off_and_labelled() -> None:
    """The shop walk's zip codes (200 levels): "all other categories (180)" held 85% of the rows and its bar set the
    axis, so the 20 named bars (0.3–1% each) drew as one flat line."""
    rng = np.random.default_rng(0)
    codes = [f"{z:05d}" for z in rng.integers(0, 99_999, 200)]
    real = pd.Series(rng.choice(codes, 3000), name="zip")
    synthetic = pd.Series(rng.choice(codes, 2400), name="zip")
    fig = plots.column_distribution(real, synthetic, ColumnKind.CATEGORICAL, holdout=real[:600])
    bars = [t for t in fig.data if t.type == "bar"]
    named_top = max(max(t.y[:-1]) for t in bars)
    fold = min(t.y[-1] for t in bars)
    low, high = fig.layout.yaxis.range
    assert low == 0 and named_top < high < fold, (named_top, high, fold)
    (note,) = fig.layout.annotations
    assert f"real {bars[0].y[-1]:.0%}" in note.text and f"synthetic {bars[1].y[-1]:.0%}" in note.text
    # a few categories, none folded, or a fold no taller than the named bars: the axis is plotly's own
    few = pd.Series(rng.choice(["a", "b", "c"], 500), name="x")
    assert plots.column_distribution(few, few, ColumnKind.CATEGORICAL).layout.yaxis.range is None
    even = pd.Series(rng.choice([f"c{i}" for i in range(21)], 3000), name="x")  # one category folded
    assert plots.column_distribution(even, even, ColumnKind.CATEGORICAL).layout.yaxis.range is None
