"""Utility figures: TSTR vs TRTR scores, feature importances, regression coefficients side by side."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from synth.evaluation.utility.glm import GlmComparison
from synth.evaluation.utility.tstr import UtilityResult
from synth.plots.common import HOLDOUT_COLOR, REAL_COLOR, SYNTH_COLOR, layout

METRIC_LABELS = {"accuracy": "accuracy", "f1": "F1", "roc_auc": "ROC AUC", "r2": "R²", "mae": "MAE"}


ERROR_METRICS = frozenset({"mae"})  # in the target's own units, unbounded: drawn on an axis of their own


def utility_bars(result: UtilityResult, model: str = "HistGradientBoosting") -> go.Figure:
    """Trained on real (TRTR) vs trained on synthetic (TSTR), both tested on the real holdout, per metric.

    Whiskers: paired bootstrap 95% intervals over holdout rows. Grey marks: a trivial model (majority class or
    mean), the floor. A regression's error (MAE, in the target's units) gets a panel and an axis of its own: on the
    bike-sharing walk one axis ran to the trivial model's MAE of 143 and R² 0.999 drew as a bar too flat to see.
    """
    scores = [s for s in result.scores if s.model == model]
    groups = [
        g
        for g in (
            [s for s in scores if s.metric not in ERROR_METRICS],
            [s for s in scores if s.metric in ERROR_METRICS],
        )
        if g
    ]
    fig = (
        make_subplots(rows=1, cols=len(groups), column_widths=[len(g) for g in groups], horizontal_spacing=0.2)
        if len(groups) > 1
        else go.Figure()
    )
    for col, group in enumerate(groups, start=1):
        x = [METRIC_LABELS.get(s.metric, s.metric) for s in group]
        where = {"row": 1, "col": col} if len(groups) > 1 else {}
        for label, attr, color in (
            ("trained on real (TRTR)", "trtr", REAL_COLOR),
            ("trained on synthetic (TSTR)", "tstr", SYNTH_COLOR),
        ):
            values = [getattr(s, attr) for s in group]
            intervals = [getattr(s, f"{attr}_interval") for s in group]
            fig.add_bar(
                x=x,
                y=values,
                name=label,
                legendgroup=label,
                showlegend=col == 1,
                marker_color=color,
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [(iv.high - v) if iv else 0.0 for v, iv in zip(values, intervals, strict=True)],
                    "arrayminus": [(v - iv.low) if iv else 0.0 for v, iv in zip(values, intervals, strict=True)],
                    "thickness": 1.2,
                },
                text=[f"{v:.3f}" for v in values],
                textposition="outside",
                **where,
            )
        fig.add_scatter(
            x=x,
            y=[s.baseline for s in group],
            mode="markers",
            name="trivial model",
            legendgroup="trivial model",
            showlegend=col == 1,
            marker={"color": HOLDOUT_COLOR, "symbol": "line-ew-open", "size": 22, "line": {"width": 2}},
            **where,
        )
    fig = layout(fig, f"{model} on the real holdout", "", "score")
    if len(groups) > 1:
        fig.update_yaxes(title_text="lower is better", row=1, col=2)
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0.0})
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, height=380)
    return fig


def importance_bars(result: UtilityResult, top: int = 12) -> go.Figure:
    """Permutation importance of each feature when trained on real vs on synthetic data (most important first)."""
    items = list(result.importances[:top])
    names = [f.feature for f in items]
    fig = go.Figure()
    fig.add_bar(y=names, x=[f.trtr for f in items], orientation="h", name="trained on real", marker_color=REAL_COLOR)
    fig.add_bar(
        y=names, x=[f.tstr for f in items], orientation="h", name="trained on synthetic", marker_color=SYNTH_COLOR
    )
    agreement = result.importance_agreement
    words = f"rank agreement (Spearman) {agreement:.2f}" if math.isfinite(agreement) else "rank agreement undefined"
    fig = layout(fig, f"What the model relies on — {words}", "drop in score when the feature is shuffled", "")
    fig.update_yaxes(autorange="reversed")
    # The legend sits at the figure's bottom edge (container coordinates), under the x-axis title: placed in plot
    # coordinates (y = -0.18) it landed on that title whenever the chart was short.
    fig.update_layout(
        height=max(300, 26 * len(names) + 150),
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0.0, "xanchor": "left", "x": 0.0},
        margin={"b": 90},
    )
    return fig


def coefficient_plot(glm: GlmComparison, top: int = 25) -> go.Figure:
    """Each coefficient with its 95% interval, fitted on real and on synthetic data (the intercept left out).

    Terms are ordered by their interval overlap, worst first, so the conclusions that differ come on top.
    """
    terms = [c for c in glm.coefficients if c.term != "(intercept)"]
    terms.sort(key=lambda c: c.overlap if math.isfinite(c.overlap) else -math.inf)
    terms = terms[:top]
    names = [c.term for c in terms]
    fig = go.Figure()
    for label, attr, color, offset in (
        ("real", "real", REAL_COLOR, -0.18),
        ("synthetic", "synthetic", SYNTH_COLOR, 0.18),
    ):
        centre = [getattr(c, attr) for c in terms]
        low = [getattr(c, f"{attr}_low") for c in terms]
        high = [getattr(c, f"{attr}_high") for c in terms]
        fig.add_scatter(
            x=centre,
            y=[i + offset for i in range(len(terms))],
            mode="markers",
            name=label,
            marker={"color": color, "size": 7},
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [h - c for h, c in zip(high, centre, strict=True)],
                "arrayminus": [c - lo for lo, c in zip(low, centre, strict=True)],
                "color": color,
                "thickness": 1.5,
            },
            customdata=[[c.term, c.overlap] for c in terms],
            hovertemplate="%{customdata[0]}<br>%{x:.3f}<br>overlap %{customdata[1]:.2f}<extra>" + label + "</extra>",
        )
    fig.add_vline(x=0.0, line_width=1, line_color="#bbbbbb")
    scale = "log-odds" if glm.family == "logistic" else glm.target
    what = f"P({glm.target} = {glm.positive_class})" if glm.family == "logistic" else glm.target
    fig = layout(fig, f"Same conclusions? Coefficients for {what} with 95% intervals", f"coefficient ({scale})", "")
    fig.update_yaxes(
        tickvals=list(range(len(terms))), ticktext=names, autorange="reversed", range=[len(terms) - 0.5, -0.5]
    )
    fig.update_layout(height=max(320, 24 * len(terms) + 130))
    return fig
