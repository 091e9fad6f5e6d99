"""Fidelity figures: per-column distributions, per-column scores, association heatmaps, pair views.

Every figure is drawn from binned counts (:mod:`synth.evaluation.fidelity.distributions`), never from rows.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from synth.evaluation.fidelity.distributions import ColumnDistribution, column_distributions
from synth.evaluation.fidelity.pair_views import PairView
from synth.evaluation.fidelity.scores import AssociationMatrix
from synth.evaluation.results import Interval
from synth.plots.common import HOLDOUT_COLOR, MAX_CATEGORIES, N_BINS, REAL_COLOR, SYNTH_COLOR, layout, template
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.number_text import NumberFormat


def distribution_figure(
    dist: ColumnDistribution,
    *,
    score: float | None = None,
    metric: str = "",
    reference: float | None = None,
) -> go.Figure:
    """Real vs synthetic distribution of one column, as shares of rows, with the holdout as a band.

    Bars: real and synthetic side by side. Grey markers with whiskers: the real holdout's share and its binomial
    95% band — where fresh real data of the holdout's size lands, i.e. how much difference is just noise. A number
    written in a layout ("€1,234.50") keeps it, as in :func:`pair_figure`: its hover labels are written in it, its
    ticks carry the currency or %, and the axis title names the unit.

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
    notes = []
    if dist.numeric and (dist.missing_real or dist.missing_synthetic):
        notes.append(f"missing: real {dist.missing_real:.1%}, synthetic {dist.missing_synthetic:.1%}")
    if dist.folded_bins:  # the flag: a category may read "≥ 50K"
        notes.append("end bars hold every value beyond them")  # not only their own bin's
    fig = layout(fig, title, noted_title(unit_title(name, dist.number_format), notes), "share of rows")
    if dist.number_format is not None:  # as the pair explorer: the column's currency or % around Plotly's own ticks
        fig.update_xaxes(tickprefix=dist.number_format.prefix, ticksuffix=dist.number_format.suffix)
    return fig


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


#: Up to this many columns the three heatmaps sit side by side; more are stacked, one per row, so a cell is not a
#: sliver: the session-28 walk's 57 columns drew as 280-px-wide panels 1,640 px tall, cells 5 px wide and 26 tall.
SIDE_BY_SIDE_COLUMNS = 15
#: Up to this many columns, every one is named on both axes (at :data:`CELL_PX` a name has room for a 10-px font);
#: more are left to Plotly, which names some.
MAX_LABELLED_COLUMNS = 60
#: The side of a cell of stacked heatmaps, in pixels.
CELL_PX = 18
#: Wider tables are shown on Compare as their most changed columns first (:func:`most_changed_columns`).
FOCUS_COLUMNS = 30


def most_changed_columns(real: AssociationMatrix, synthetic: AssociationMatrix, n: int = FOCUS_COLUMNS) -> list[str]:
    """The ``n`` columns whose associations changed most (largest mean |synthetic − real| over their pairs), in the
    matrices' own order, so neighbours stay neighbours."""
    r = real.to_frame()
    diff = (synthetic.to_frame().reindex(index=r.index, columns=r.columns) - r).abs().to_numpy()
    np.fill_diagonal(diff, np.nan)
    with np.errstate(all="ignore"):
        change = np.nan_to_num(np.nanmean(diff, axis=1), nan=0.0) if len(r) > 1 else np.zeros(len(r))
    top = set(np.argsort(-change, kind="stable")[:n].tolist())
    return [name for i, name in enumerate(r.columns) if i in top]


def association_heatmaps(
    real: AssociationMatrix, synthetic: AssociationMatrix, columns: Sequence[str] | None = None
) -> go.Figure:
    """Real | synthetic | difference heatmaps of pairwise association, with square cells.

    Numeric pairs show Pearson r (or Spearman ρ) from −1 to 1; a number and a category the correlation ratio η,
    two categories Cramér's V (both 0 to 1). Up to :data:`SIDE_BY_SIDE_COLUMNS` columns the panels sit side by
    side, beyond they are stacked; ``columns`` restricts them to those columns.
    """
    r = real.to_frame()
    if columns is not None:
        r = r.loc[list(columns), list(columns)]
    s = synthetic.to_frame().reindex(index=r.index, columns=r.columns)
    diff = s - r
    names = list(r.columns)
    n = len(names)
    stacked = n > SIDE_BY_SIDE_COLUMNS
    titles = ("real", "synthetic", "difference (synthetic − real)")
    longest = max((len(str(c)) for c in names), default=1)
    labels = min(7 * longest, 220)  # room for the names under a panel, written on end
    # Stacked: each panel CELL_PX per column, the names and the next panel's title below it.
    height = 3 * (CELL_PX * n + labels + 50) if stacked else 360 + labels
    if stacked:
        fig = make_subplots(rows=3, cols=1, subplot_titles=titles, vertical_spacing=(labels + 50) / height)
    else:
        fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.06)
    hover = "%{y} × %{x}<br>%{z:.3f}<extra></extra>"
    for i, (matrix, scale) in enumerate(((r, "RdBu_r"), (s, "RdBu_r"), (diff, "PuOr_r")), start=1):
        row, col = (i, 1) if stacked else (1, i)
        if stacked:
            bar = {"y": 1 - (i - 0.5) / 3, "len": 0.25, "thickness": 12}
        else:
            bar = {"x": 1.02 if i == 3 else 0.64, "len": 0.9, "thickness": 12}
        fig.add_heatmap(
            z=matrix.to_numpy(),
            x=names,
            y=names,
            colorscale=scale,
            zmin=-1.0,
            zmax=1.0,
            hovertemplate=hover,
            showscale=i in (2, 3) if not stacked else i in (1, 3),
            colorbar=bar,
            row=row,
            col=col,
        )
        # Square cells: a panel's height follows its width, whatever the page's width.
        anchor = "x" if i == 1 else f"x{i}"
        fig.update_yaxes(
            autorange="reversed",
            scaleanchor=anchor,
            constrain="domain",
            row=row,
            col=col,
            showticklabels=stacked or i == 1,
        )
        fig.update_xaxes(constrain="domain", row=row, col=col)
        if n <= MAX_LABELLED_COLUMNS:
            # Plotly thins a crowded category axis to every other label: the survey walk's 17 columns were named
            # on the rows but only half of them under the panels.
            fig.update_xaxes(dtick=1, tickangle=-90, tickfont={"size": 10}, row=row, col=col)
            fig.update_yaxes(dtick=1, tickfont={"size": 10}, row=row, col=col)
    fig.update_layout(
        height=height,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        template=template(),
    )
    return fig


#: Score charts with more rows than this get their score axis above the rows too.
TOP_AXIS_ROWS = 20


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
    if len(names) > TOP_AXIS_ROWS:
        # A long chart is read from the top, where the worst columns are: the session-28 walk's 57 rows put the
        # only score axis 1,500 px below them. The same axis again above the rows (an invisible trace holds it).
        fig.add_scatter(x=[None], y=[names[0]], xaxis="x2", showlegend=False, hoverinfo="skip")
        fig.update_layout(xaxis2={"overlaying": "x", "side": "top", "matches": "x", "showgrid": False})
        fig.update_layout(margin={"t": 100}, legend={"y": 1.0, "yanchor": "top", "yref": "container"})
        # Rows right under the axis (Plotly pads a category axis by some rows at both ends).
        fig.update_yaxes(autorange=False, range=[len(names) - 0.5, -0.5])
    return fig


#: Characters of an axis title's line that fit under a half-width chart: the session-32 walk's
#: "missing: real 10.1%, synthetic 9.7% · end bars hold every value beyond" (70) was cut at "beyon".
TITLE_LINE_CHARS = 56


def noted_title(name: str, notes: Sequence[str]) -> str:
    """An axis title with its notes: after the name on one line when they fit in :data:`TITLE_LINE_CHARS`, else on
    lines of their own under it, joined while a line stays that short (session 31's customers walk cut
    "income · missing: real 60.1%, synthetic 62.7% · end bars hold every value b")."""
    if not notes:
        return name
    one = " · ".join([name, *notes])
    if len(notes) == 1 and len(one) <= TITLE_LINE_CHARS:
        return one
    lines: list[str] = []
    for note in notes:
        if lines and len(lines[-1]) + 3 + len(note) <= TITLE_LINE_CHARS:
            lines[-1] += " · " + note
        else:
            lines.append(note)
    return "<br>".join([name, *lines])


def unit_title(column: str, fmt: NumberFormat | None) -> str:
    """An axis title with the unit of the column's layout: ``unit_price (€)``, ``discount (%)``, ``duration
    (seconds)`` for a duration written ``hh:mm:ss``."""
    if fmt is not None and fmt.clock:
        return f"{column} (seconds)"
    unit = (fmt.prefix + fmt.suffix).strip() if fmt is not None else ""
    return f"{column} ({unit})" if unit else column


def pair_figure(view: PairView) -> go.Figure:
    """A pair of columns, real beside synthetic: density heatmaps (two numbers), box plots (number × category) or
    joint-share heatmaps with their difference (two categories). Drawn from binned counts only. A number written in
    a layout ("€12.34", "15%") keeps it: in its tick labels, and its unit in the axis title."""
    title = f"{view.column_y} by {view.column_x}"
    title_x, title_y = unit_title(view.column_x, view.format_x), unit_title(view.column_y, view.format_y)
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
        fig = layout(fig, title + " (whiskers: 5th–95th percentile)", title_x, title_y)
        fig.update_layout(boxmode="group")
        if view.format_y is not None:  # a numeric axis: Plotly writes the currency or % around its own ticks
            fig.update_yaxes(tickprefix=view.format_y.prefix, ticksuffix=view.format_y.suffix)
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
            fig.update_xaxes(title_text=title_x, row=1, col=i)
        fig.update_yaxes(title_text=title_y, row=1, col=1)
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
