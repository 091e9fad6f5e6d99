"""Privacy figures: distance to closest record, nearest-neighbour ratio, attack rates and risks."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from synth.evaluation.privacy.attacks import AttackResult
from synth.plots.common import HOLDOUT_COLOR, SYNTH_COLOR, layout

BASELINE_COLOR = "#bcbd22"
RISK_COLORS = {"green": "#2ca02c", "amber": "#ff9f1c", "red": "#d62728", "noise": "#9e9e9e"}


def _overlaid_histogram(
    synthetic: Sequence[float] | np.ndarray,
    holdout: Sequence[float] | np.ndarray,
    edges: np.ndarray,
    title: str,
    x_title: str,
) -> go.Figure:
    """Synthetic rows as bars, holdout rows as a step line over them.

    Two translucent bar sets overlaid mixed into brown where they met, a colour no legend entry has; grouped, 80
    bars crowd a half-width chart. A line over bars keeps both shapes legible in the legend's own colours.
    """
    centers = (edges[:-1] + edges[1:]) / 2
    shares = []
    for values in (np.asarray(synthetic, dtype=float), np.asarray(holdout, dtype=float)):
        counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), bins=edges)
        shares.append(counts / max(len(values), 1))
    fig = go.Figure()
    fig.add_bar(x=centers, y=shares[0], name="synthetic → train", marker_color=SYNTH_COLOR)
    fig.add_scatter(
        x=centers,
        y=shares[1],
        name="real holdout → train",
        mode="lines",
        line={"color": HOLDOUT_COLOR, "width": 2, "shape": "hvh"},
    )
    fig = layout(fig, title, x_title, "share of rows")
    fig.update_layout(bargap=0.05)
    fig.update_xaxes(automargin=True)  # the two-line axis title gets the room it needs below the ticks
    return fig


def dcr_histogram(dcr_synthetic: Sequence[float], dcr_holdout: Sequence[float]) -> go.Figure:
    """Distance to the closest training row: synthetic rows against real holdout rows.

    When the synthetic distribution sits left of the holdout's (more rows at distance ≈ 0), synthetic rows
    are closer to training people than fresh real people are: a sign of memorisation.
    """
    ds, dh = np.asarray(dcr_synthetic, dtype=float), np.asarray(dcr_holdout, dtype=float)
    both = np.concatenate([ds, dh]) if len(ds) + len(dh) else np.zeros(1)
    hi = float(np.quantile(both, 0.99)) if len(both) else 1.0
    edges = np.linspace(0.0, hi if hi > 0 else 1.0, 41)
    fig = _overlaid_histogram(
        ds,
        dh,
        edges,
        "Distance to the closest training row",
        # Two short lines: on one line the title ran past a half-width chart's edges and was cut off.
        "distance: 0 = identical on every learned column,<br>1 ≈ one column fully different",
    )
    beyond = int((ds > edges[-1]).sum() + (dh > edges[-1]).sum())
    if beyond:  # the axis stops at the 99th percentile: the farthest rows pile up in the last bar, which says so
        fig.add_annotation(
            x=float(edges[-1]),
            xref="x",
            y=1.0,
            yref="paper",
            xanchor="right",
            yanchor="top",
            showarrow=False,
            font={"size": 11},
            text=f"last bar includes the {beyond:,} rows farther than {edges[-1]:.2f}",
        )
    return fig


def nndr_histogram(nndr_synthetic: Sequence[float], nndr_holdout: Sequence[float]) -> go.Figure:
    """Nearest-neighbour distance ratio: closest over second-closest training row, synthetic vs holdout.

    A ratio near 0 means the row sits on one particular training person rather than among several; a
    synthetic curve piled up left of the holdout's means the generator reproduces individuals.
    """
    return _overlaid_histogram(
        nndr_synthetic,
        nndr_holdout,
        np.linspace(0.0, 1.0, 41),
        "Nearest-neighbour distance ratio",
        "closest / second-closest training row:<br>0 = on one person, 1 = as close to two",
    )


def _unit(results: Sequence[AttackResult]) -> str:
    """What the attacks' rates count: people when every attack counts people (a person column), else rows."""
    return "people" if results and all(r.unit == "people" for r in results) else "rows"


def attack_rates(results: Sequence[AttackResult]) -> go.Figure:
    """Success of each attack against training rows (main), holdout rows (control) and at random (baseline); training
    and holdout people when the attacks count people.

    The risk is the gap between the first two bars; the third shows what guessing achieves. Bars run across, one
    group per attack, its name beside it: the names are long ("Inference of 'chargeback' (people rare on the known
    columns)"), and written under upright bars they were turned on end and squashed the chart (session 25's walk).
    """
    labels = [r.label for r in results]
    unit = _unit(results)
    fig = go.Figure()
    for name, part, color in (
        (f"training {unit} (main)", "main", SYNTH_COLOR),
        (f"holdout {unit} (control)", "control", HOLDOUT_COLOR),
        ("random (baseline)", "baseline", BASELINE_COLOR),
    ):
        rates = [getattr(r, part) if r.measured else None for r in results]
        # Bars at the observed shares, as the table writes them and the risk's sign follows; whiskers to the Wilson
        # interval's ends (which always hold the observed share).
        fig.add_bar(
            y=labels,
            x=[None if x is None else x.observed for x in rates],
            orientation="h",
            name=name,
            marker_color=color,
            error_x={
                "type": "data",
                "symmetric": False,
                "array": [None if x is None else max(x.high - x.observed, 0.0) for x in rates],
                "arrayminus": [None if x is None else max(x.observed - x.low, 0.0) for x in rates],
                "visible": True,
            },
        )
    for i, r in enumerate(results):
        if not r.measured:  # placed by position: a label is escaped in the trace, so it may not match there
            fig.add_annotation(x=0, y=i, text="not run", showarrow=False, xanchor="left")
    fig = layout(fig, "Attack success: training vs holdout vs random", "success rate", "")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_yaxes(autorange="reversed")  # the first attack on top, as in the risk chart and the table
    fig.update_layout(height=120 + 70 * max(len(results), 1), barmode="group")
    return fig


def attack_risks(results: Sequence[AttackResult], thresholds: tuple[float, float] = (0.05, 0.15)) -> go.Figure:
    """Each attack's risk (main over control) with its 95% interval, on the verdict's green/amber/red bands.

    A bar takes its band's colour only when its interval excludes no risk; otherwise it is grey, "within noise":
    an inference of a 99%-"no" flag read 99.3% on training and 98.3% on holdout people, a risk of 56% by the formula
    with an interval of 0–89%, and a red bar stood beside the verdict's green "within sampling noise" (session 25's
    walk)."""
    labels = [r.label for r in results]
    values = [r.risk.value for r in results]
    fig = go.Figure()
    colors = [
        RISK_COLORS["noise"]
        if r.risk.low <= 0.0
        else RISK_COLORS["red"]
        if v >= thresholds[1]
        else RISK_COLORS["amber"]
        if v >= thresholds[0]
        else RISK_COLORS["green"]
        for v, r in zip(values, results, strict=True)
    ]
    # An attack with no targets has a placeholder risk of 0 (0–0): no bar, and "not run" in its place.
    fig.add_bar(
        y=labels,
        x=[v if r.measured else None for v, r in zip(values, results, strict=True)],
        orientation="h",
        marker_color=colors,
        name="risk",
        error_x={
            "type": "data",
            "symmetric": False,
            "array": [r.risk.high - r.risk.value if r.measured else None for r in results],
            "arrayminus": [r.risk.value - r.risk.low if r.measured else None for r in results],
            "visible": True,
        },
        showlegend=False,
    )
    for i, r in enumerate(results):
        if not r.measured:  # placed by position: a label is escaped in the trace, so it may not match there
            fig.add_annotation(x=0, y=i, text="not run", showarrow=False, xanchor="left")
    for x0, x1, color in (
        (0, thresholds[0], "green"),
        (thresholds[0], thresholds[1], "amber"),
        (thresholds[1], 1, "red"),
    ):
        fig.add_vrect(x0=x0, x1=x1, fillcolor=RISK_COLORS[color], opacity=0.08, line_width=0)
    unit = _unit(results)
    fig = layout(
        fig,
        f"Privacy risk: excess of the attack on training {unit} over holdout {unit}",
        "risk (95% CI; grey: the interval includes no risk)",
        "",
    )
    fig.update_yaxes(autorange="reversed")
    fig.update_xaxes(range=[0, 1], tickformat=".0%")
    fig.update_layout(height=80 + 45 * max(len(results), 1))
    return fig
