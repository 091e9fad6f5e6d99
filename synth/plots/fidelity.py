"""Fidelity figures: per-column distributions, per-column scores, association heatmaps, pair views.

Every figure is drawn from binned counts (:mod:`synth.evaluation.fidelity.distributions`), never from rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from synth.evaluation.fidelity.distributions import ColumnDistribution, PairView, column_distributions
from synth.evaluation.fidelity.scores import AssociationMatrix
from synth.evaluation.results import Interval
from synth.plots.common import HOLDOUT_COLOR, MAX_CATEGORIES, N_BINS, REAL_COLOR, SYNTH_COLOR, layout, template
from synth.schema import ColumnKind, ColumnSpec, Schema


def distribution_figure(
    dist: ColumnDistribution,
    *,
    score: float | None = None,
    metric: str = "",
    reference: float | None = None,
) -> go.Figure:
    """Real vs synthetic distribution of one column, as shares of rows, with the holdout as a band.

    Bars: real and synthetic side by side. Grey markers with whiskers: the real holdout's share and its binomial
    95% band — where fresh real data of the holdout's size lands, i.e. how much difference is just noise.

    Args:
        dist: the binned distribution.
        score: the column's shape score, shown in the title.
        metric: the score's name.
        reference: the holdout's score, shown in the title.
    """
    name = dist.column
    title = name if score is None else f"{name} — {metric or 'score'} {score:.3f}"
    if reference is not None:
        title += f" (holdout {reference:.3f})"
    fig = go.Figure()
    x: list[object]
    width: float | None = None
    if dist.kind is ColumnKind.DATETIME:
        x = list(pd.to_datetime(np.asarray(dist.centers).astype("int64")))
    elif dist.numeric:
        x, width = list(dist.centers), dist.width * 0.45
    else:
        x = list(dist.labels)
    # the bin's label, not its centre: an end bin holds every value beyond the axis and says so ("≥ 200,000")
    labels = list(dist.labels)
    hover = "%{customdata}<br>%{y:.2%} of rows<extra>%{fullData.name}</extra>"
    for name_, shares, color in (("real", dist.real, REAL_COLOR), ("synthetic", dist.synthetic, SYNTH_COLOR)):
        fig.add_bar(
            x=x,
            y=shares,
            name=name_,
            marker_color=color,
            opacity=0.8,
            width=width,
            customdata=labels,
            hovertemplate=hover,
        )
    band = dist.holdout_band()
    if dist.holdout is not None and band is not None:
        low, high = band
        fig.add_scatter(
            x=x,
            y=dist.holdout,
            mode="markers",
            name="real holdout (95% band)",
            marker={"color": HOLDOUT_COLOR, "symbol": "line-ew-open", "size": 14, "line": {"width": 2}},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": [h - p for h, p in zip(high, dist.holdout, strict=True)],
                "arrayminus": [p - lo for lo, p in zip(low, dist.holdout, strict=True)],
                "color": HOLDOUT_COLOR,
                "thickness": 1.2,
                "width": 3,
            },
            customdata=labels,
            hovertemplate="%{customdata}<br>holdout %{y:.2%}<extra></extra>",
        )
    _cut_at_named_bars(fig, dist, band)
    missing = ""
    if dist.numeric and (dist.missing_real or dist.missing_synthetic):
        missing = f" · missing: real {dist.missing_real:.1%}, synthetic {dist.missing_synthetic:.1%}"
    beyond = " · end bars hold every value beyond" if dist.folded_bins else ""  # the flag: a category may read "≥ 50K"
    return layout(fig, title, name + missing + beyond, "share of rows")


#: The fold of the categories left out is cut off above the named bars when it is this many times the tallest.
FOLD_CUT_RATIO = 3.0


def _cut_at_named_bars(
    fig: go.Figure, dist: ColumnDistribution, band: tuple[tuple[float, ...], tuple[float, ...]] | None
) -> None:
    """Scale the axis to the named categories when the fold of the rest dwarfs them, and write the fold's shares
    on it. The shop walk's zip codes (200): "all other categories (180)" held 85% of the rows, and the 20 named
    bars of 0.3–1% each drew as one flat line."""
    if not dist.folded_categories or len(dist.labels) < 2:
        return
    named = [*dist.real[:-1], *dist.synthetic[:-1], *(band[1][:-1] if band else ())]
    top, fold = max(named), max(dist.real[-1], dist.synthetic[-1])
    if top <= 0 or fold < FOLD_CUT_RATIO * top:
        return
    ceiling = top * 1.3
    fig.update_yaxes(range=[0, ceiling])
    fig.add_annotation(
        x=dist.labels[-1],
        y=ceiling,
        yanchor="top",
        xanchor="right",
        showarrow=False,
        text=f"cut off: real {dist.real[-1]:.0%}, synthetic {dist.synthetic[-1]:.0%} ↑",
        font={"size": 11},
    )


def column_distribution(
    real: pd.Series,
    synthetic: pd.Series,
    kind: ColumnKind,
    *,
    holdout: pd.Series | None = None,
    score: float | None = None,
    metric: str = "",
) -> go.Figure:
    """Real vs synthetic distribution of one column from the raw columns (bins them, then draws).

    Numbers and datetimes: shared histogram bins over both tables. Categories: the most frequent real
    categories, the rest folded into "all other categories (N)", and missing values as "(missing)". The holdout,
    when given, is drawn as grey markers with a binomial 95% band.
    """
    name = str(real.name)
    schema = Schema((ColumnSpec(name, kind),))
    frames = [s.to_frame(name) for s in (real, synthetic)]
    hold = holdout.to_frame(name) if holdout is not None else None
    dist = column_distributions(
        frames[0], frames[1], hold, schema=schema, n_bins=N_BINS, max_categories=MAX_CATEGORIES
    )[0]
    return distribution_figure(dist, score=score, metric=metric)


#: Up to this many columns, every one is named under each heatmap (a third of a wide page holds 30 labels on end).
MAX_LABELLED_COLUMNS = 30


def association_heatmaps(real: AssociationMatrix, synthetic: AssociationMatrix) -> go.Figure:
    """Real | synthetic | difference heatmaps of pairwise association.

    Numeric pairs show Pearson r (or Spearman ρ) from −1 to 1; a number and a category the correlation ratio η,
    two categories Cramér's V (both 0 to 1).
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
    for i, (matrix, scale, bar_x) in enumerate(
        ((r, "RdBu_r", None), (s, "RdBu_r", None), (diff, "PuOr_r", 1.02)),
        start=1,
    ):
        fig.add_heatmap(
            z=matrix.to_numpy(),
            x=names,
            y=names,
            colorscale=scale,
            zmin=-1.0,
            zmax=1.0,
            hovertemplate=hover,
            showscale=i in (2, 3),
            colorbar={"x": bar_x if bar_x else 0.64, "len": 0.9, "thickness": 12} if i in (2, 3) else None,
            row=1,
            col=i,
        )
        fig.update_yaxes(autorange="reversed", row=1, col=i, showticklabels=i == 1)
        if len(names) <= MAX_LABELLED_COLUMNS:
            # Plotly thins a crowded category axis to every other label: the survey walk's 17 columns were named
            # on the rows but only half of them under the panels.
            fig.update_xaxes(dtick=1, tickangle=-90, row=1, col=i)
    fig.update_layout(
        height=max(420, 26 * len(names) + 160),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        template=template(),
    )
    return fig


def score_bars(
    names: Sequence[str],
    scores: Sequence[float],
    reference: Sequence[float] | None = None,
    *,
    intervals: Sequence[Interval | None] | None = None,
    title: str = "Column shape score (1 = identical distribution)",
) -> go.Figure:
    """Per-column scores as dots, worst first, with bootstrap whiskers and the holdout as a tick.

    Dots, not bars: the axis starts near the lowest score (every score sits between 0.9 and 1 on most tables), and
    a bar's length from a cut axis reads as a size it does not have (0.98 drawn twice as long as 0.96)."""
    fig = go.Figure()
    error_x = None
    if intervals is not None:
        plus = [(iv.high - s) if iv else 0.0 for s, iv in zip(scores, intervals, strict=True)]
        minus = [(s - iv.low) if iv else 0.0 for s, iv in zip(scores, intervals, strict=True)]
        error_x = {"type": "data", "symmetric": False, "array": plus, "arrayminus": minus, "thickness": 1.2}
    fig.add_scatter(
        y=list(names),
        x=list(scores),
        mode="markers",
        name="synthetic (95% interval)" if intervals is not None else "synthetic",
        marker={"color": SYNTH_COLOR, "size": 10},
        error_x=error_x,
    )
    if reference is not None:
        fig.add_scatter(
            y=list(names),
            x=list(reference),
            mode="markers",
            name="real holdout",
            marker={"color": HOLDOUT_COLOR, "symbol": "line-ns-open", "size": 14, "line": {"width": 2}},
        )
    fig = layout(fig, title, "score", "")
    finite = [v for v in [*scores, *(reference or [])] if np.isfinite(v)]
    fig.update_xaxes(range=[max(0.0, min([*finite, 1.0]) - 0.05), 1.0 + 0.005])
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(height=max(300, 24 * len(names) + 120))
    return fig


def pair_figure(view: PairView) -> go.Figure:
    """A pair of columns, real beside synthetic: density heatmaps (two numbers), box plots (number × category) or
    joint-share heatmaps with their difference (two categories). Drawn from binned counts only."""
    title = f"{view.column_y} by {view.column_x}"
    if view.view == "box":
        fig = go.Figure()

        def y(values: list[float]) -> list[object]:
            """Dates are binned as nanoseconds since 1970: drawn as dates, not as numbers like 1.65e18."""
            if view.kind_y is not ColumnKind.DATETIME:
                return list(values)
            return list(pd.to_datetime(pd.Series(values, dtype="float64"), unit="ns"))

        for label, all_boxes, color in (
            ("real", view.boxes_real, REAL_COLOR),
            ("synthetic", view.boxes_synthetic, SYNTH_COLOR),
        ):
            boxes = [b for b in all_boxes if b.n]  # a category with no rows has no box (not one at 0 = 1970)
            fig.add_box(
                x=[b.category for b in boxes],
                q1=y([b.q25 for b in boxes]),
                median=y([b.median for b in boxes]),
                q3=y([b.q75 for b in boxes]),
                lowerfence=y([b.q05 for b in boxes]),
                upperfence=y([b.q95 for b in boxes]),
                mean=y([b.mean for b in boxes]),
                name=label,
                marker_color=color,
                boxpoints=False,
            )
        fig = layout(fig, title + " (whiskers: 5th–95th percentile)", view.column_x, view.column_y)
        fig.update_layout(boxmode="group")
        if view.kind_y is ColumnKind.DATETIME:  # precomputed boxes carry no y for plotly to guess the axis from
            fig.update_yaxes(type="date")
        return fig
    real, syn = np.array(view.real), np.array(view.synthetic)
    if view.view == "density":
        fig = make_subplots(rows=1, cols=2, subplot_titles=("real", "synthetic"), horizontal_spacing=0.08)
        zmax = float(max(real.max(initial=0), syn.max(initial=0))) or 1.0
        for i, grid in enumerate((real, syn), start=1):
            fig.add_heatmap(
                z=grid,
                x=list(view.x_labels),
                y=list(view.y_labels),
                colorscale="Viridis",
                zmin=0,
                zmax=zmax,
                showscale=i == 2,
                hovertemplate=f"{view.column_x} %{{x}}<br>{view.column_y} %{{y}}<br>%{{z:.2%}}<extra></extra>",
                row=1,
                col=i,
            )
            fig.update_xaxes(title_text=view.column_x, row=1, col=i)
        fig.update_yaxes(title_text=view.column_y, row=1, col=1)
    else:
        fig = make_subplots(
            rows=1, cols=3, subplot_titles=("real", "synthetic", "synthetic − real"), horizontal_spacing=0.06
        )
        zmax = float(max(real.max(initial=0), syn.max(initial=0))) or 1.0
        diff = syn - real
        dmax = float(np.abs(diff).max(initial=0)) or 1.0
        for i, (grid, scale, lo, hi) in enumerate(
            ((real, "Blues", 0.0, zmax), (syn, "Blues", 0.0, zmax), (diff, "PuOr_r", -dmax, dmax)), start=1
        ):
            fig.add_heatmap(
                z=grid,
                x=list(view.x_labels),
                y=list(view.y_labels),
                colorscale=scale,
                zmin=lo,
                zmax=hi,
                showscale=i != 1,
                colorbar={"x": 0.64 if i == 2 else 1.02, "len": 0.9, "thickness": 12},
                hovertemplate=f"{view.column_x} %{{x}}<br>{view.column_y} %{{y}}<br>%{{z:.2%}}<extra></extra>",
                row=1,
                col=i,
            )
            fig.update_yaxes(autorange="reversed", showticklabels=i == 1, row=1, col=i)
    fig.update_layout(
        title={"text": title, "x": 0.0, "xanchor": "left"},
        height=420,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        template=template(),
    )
    return fig
