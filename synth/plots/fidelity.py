"""Fidelity figures: per-column distributions, per-column scores, association heatmaps."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from synth.metrics.fidelity import AssociationMatrix
from synth.plots.common import (
    HOLDOUT_COLOR,
    MAX_CATEGORIES,
    N_BINS,
    REAL_COLOR,
    SYNTH_COLOR,
    layout,
    numeric_values,
)
from synth.schema import ColumnKind


def column_distribution(
    real: pd.Series,
    synthetic: pd.Series,
    kind: ColumnKind,
    *,
    holdout: pd.Series | None = None,
    score: float | None = None,
    metric: str = "",
) -> go.Figure:
    """Real vs synthetic distribution of one column, as shares of rows so tables of any size compare.

    Numbers and datetimes: shared histogram bins over both tables. Categories: the most frequent real
    categories, the rest folded into "(other)", and missing values as "(missing)". The holdout, when given,
    is drawn as grey markers: where fresh real data lands, i.e. how much difference is just noise.
    """
    name = str(real.name)
    title = name if score is None else f"{name} — {metric or 'score'} {score:.3f}"
    fig = go.Figure()
    if kind in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE, ColumnKind.DATETIME):
        xr, xs = numeric_values(real, kind), numeric_values(synthetic, kind)
        both = np.concatenate([xr, xs]) if len(xr) + len(xs) else np.zeros(1)
        lo, hi = float(np.min(both)), float(np.max(both))
        n_unique = len(np.unique(xr[:5000]))
        if kind is ColumnKind.DISCRETE and hi - lo + 1 <= N_BINS:
            edges = np.arange(lo - 0.5, hi + 1.5)
        else:
            edges = np.linspace(lo, hi if hi > lo else lo + 1, min(N_BINS, max(n_unique, 2)) + 1)
        centers = (edges[:-1] + edges[1:]) / 2
        x_axis: Sequence[object] = list(
            pd.to_datetime(centers.astype("int64")) if kind is ColumnKind.DATETIME else centers
        )
        width = float(edges[1] - edges[0])
        for label, values, color in (("real", xr, REAL_COLOR), ("synthetic", xs, SYNTH_COLOR)):
            counts, _ = np.histogram(values, bins=edges)
            share = counts / max(len(values), 1)
            fig.add_bar(
                x=x_axis,
                y=share,
                name=label,
                marker_color=color,
                opacity=0.75,
                width=None if kind is ColumnKind.DATETIME else width * 0.45,
            )
        if holdout is not None:
            xh = numeric_values(holdout, kind)
            counts, _ = np.histogram(xh, bins=edges)
            fig.add_scatter(
                x=x_axis,
                y=counts / max(len(xh), 1),
                mode="markers",
                name="real holdout",
                marker={"color": HOLDOUT_COLOR, "symbol": "line-ew-open", "size": 14, "line": {"width": 2}},
            )
        return layout(fig, title, name, "share of rows")

    def labels(series: pd.Series) -> pd.Series:
        return series.astype(object).where(series.notna(), "(missing)").astype(str)

    real_l, syn_l = labels(real), labels(synthetic)
    top = list(real_l.value_counts().index[:MAX_CATEGORIES])
    order = [*top, "(other)"] if real_l.nunique() > MAX_CATEGORIES or not syn_l.isin(top).all() else top

    def shares(series: pd.Series) -> np.ndarray:
        folded = series.where(series.isin(top), "(other)")
        return folded.value_counts(normalize=True).reindex(order, fill_value=0.0).to_numpy()

    fig.add_bar(x=order, y=shares(real_l), name="real", marker_color=REAL_COLOR)
    fig.add_bar(x=order, y=shares(syn_l), name="synthetic", marker_color=SYNTH_COLOR)
    if holdout is not None:
        fig.add_scatter(
            x=order,
            y=shares(labels(holdout)),
            mode="markers",
            name="real holdout",
            marker={"color": HOLDOUT_COLOR, "symbol": "line-ew-open", "size": 16, "line": {"width": 2}},
        )
    return layout(fig, title, name, "share of rows")


def association_heatmaps(real: AssociationMatrix, synthetic: AssociationMatrix) -> go.Figure:
    """Real | synthetic | difference heatmaps of pairwise association.

    Numeric pairs show Pearson r (−1 to 1); pairs with a category show Cramér's V (0 to 1).
    """
    r = real.to_frame()
    s = synthetic.to_frame().reindex(index=r.index, columns=r.columns)
    diff = s - r
    names = list(r.columns)
    fig = make_subplots(
        rows=1,
        cols=3,
        subplot_titles=("real", "synthetic", "difference (synthetic − real)"),
        horizontal_spacing=0.06,
    )
    hover = "%{y} × %{x}<br>%{z:.3f}<extra></extra>"
    for i, (matrix, scale, zmin, zmax, bar_x) in enumerate(
        (
            (r, "RdBu_r", -1.0, 1.0, None),
            (s, "RdBu_r", -1.0, 1.0, None),
            (diff, "PuOr_r", -1.0, 1.0, 1.02),
        ),
        start=1,
    ):
        fig.add_heatmap(
            z=matrix.to_numpy(),
            x=names,
            y=names,
            colorscale=scale,
            zmin=zmin,
            zmax=zmax,
            hovertemplate=hover,
            showscale=i in (2, 3),
            colorbar={"x": bar_x if bar_x else 0.64, "len": 0.9, "thickness": 12} if i in (2, 3) else None,
            row=1,
            col=i,
        )
        fig.update_yaxes(autorange="reversed", row=1, col=i, showticklabels=i == 1)
    fig.update_layout(
        height=max(420, 26 * len(names) + 160),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        template="plotly_white",
    )
    return fig


def score_bars(
    names: Sequence[str], scores: Sequence[float], reference: Sequence[float] | None = None
) -> go.Figure:
    """Horizontal bars of per-column scores, worst first, with the holdout's score as a marker."""
    fig = go.Figure()
    fig.add_bar(y=list(names), x=list(scores), orientation="h", name="synthetic", marker_color=SYNTH_COLOR)
    if reference is not None:
        fig.add_scatter(
            y=list(names),
            x=list(reference),
            mode="markers",
            name="real holdout",
            marker={"color": HOLDOUT_COLOR, "symbol": "line-ns-open", "size": 14, "line": {"width": 2}},
        )
    fig = layout(fig, "Column shape score (1 = identical distribution)", "score", "")
    fig.update_xaxes(range=[max(0.0, min([*scores, 1.0]) - 0.05), 1.0])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=max(300, 24 * len(names) + 120))
    return fig
