"""Figures for the rare-events page: augmentation arms and group outcome rates, with their intervals."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from synth.evaluation.results import value_words
from synth.evaluation.utility.augmentation import AugmentationResult
from synth.evaluation.utility.fairness import FairnessResult, GroupRow
from synth.plots.common import HOLDOUT_COLOR, REAL_COLOR, SYNTH_COLOR, layout, percent_ticks

SOURCE_COLORS = {"real only": REAL_COLOR, "synthetic": SYNTH_COLOR, "duplicates": HOLDOUT_COLOR, "SMOTE": "#2ca02c"}
TABLE_COLORS = (REAL_COLOR, SYNTH_COLOR, "#2ca02c", "#9467bd", "#8c564b")


def augmentation_figure(result: AugmentationResult) -> go.Figure:
    """PR-AUC of every arm on the real holdout, grouped by rows added, with 95% intervals."""
    fig = go.Figure()
    for source, color in SOURCE_COLORS.items():
        arms = [a for a in result.arms if a.source == source]
        if not arms:
            continue
        fig.add_bar(
            x=["none" if a.k == 0 else f"+{a.k:,} ({a.positive_share:.0%})" for a in arms],
            y=[a.pr_auc for a in arms],
            name=source,
            marker_color=color,
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [a.pr_auc_interval.high - a.pr_auc for a in arms],
                "arrayminus": [a.pr_auc - a.pr_auc_interval.low for a in arms],
            },
        )
    return layout(
        fig,
        f"PR-AUC for {result.target} = {value_words(result.positive)} on the real holdout",
        "rows of the class added",
        "PR-AUC",
    )


#: Above this overall share of the favourable value the chart shows the rest instead: every bar of "fraud = 0"
#: stood near 100% (the session-32 walk's customers), and the groups' differences in fraud could not be seen.
FLIP_SHARE = 0.9


def group_rates_figure(result: FairnessResult) -> go.Figure:
    """Each group's outcome rate in every table, with 95% intervals: the share with the favourable value, or, where
    that is near-universal (:data:`FLIP_SHARE`), the share without it, so the rare outcome's differences show."""
    rates = [r.outcome_rate for r in result.rows]
    flip = bool(rates) and float(np.mean(rates)) > FLIP_SHARE

    def shown(row: GroupRow) -> tuple[float, float, float]:
        """A row's rate and its interval's low and high ends as drawn (flipped, the ends swap)."""
        rate, iv = row.outcome_rate, row.outcome_interval
        return (1.0 - rate, 1.0 - iv.high, 1.0 - iv.low) if flip else (rate, iv.low, iv.high)

    fig = go.Figure()
    tables = list(dict.fromkeys(r.table for r in result.rows))
    for i, table in enumerate(tables):
        bars = [shown(r) for r in result.rows if r.table == table]
        fig.add_bar(
            x=[r.group for r in result.rows if r.table == table],
            y=[rate for rate, _, _ in bars],
            name=table,
            marker_color=TABLE_COLORS[i % len(TABLE_COLORS)],
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [high - rate for rate, _, high in bars],
                "arrayminus": [rate - low for rate, low, _ in bars],
            },
        )
    sign = "≠" if flip else "="
    title = f"Share with {result.outcome} {sign} {value_words(result.positive)} in each {result.sensitive} group"
    fig = layout(fig, title, result.sensitive, "outcome rate")
    top = max((shown(r)[2] for r in result.rows), default=1.0)
    fig.update_yaxes(tickformat=percent_ticks(top))
    return fig
