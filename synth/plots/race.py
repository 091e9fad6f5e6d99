"""Race figures: privacy risk against fidelity, with the Pareto front highlighted."""

from __future__ import annotations

import plotly.graph_objects as go

from synth.plots.common import HOLDOUT_COLOR, SYNTH_COLOR, layout
from synth.report.race import RaceResult

FRONT_COLOR = "#2ca02c"


def pareto_scatter(result: RaceResult) -> go.Figure:
    """Each scored run as a point (x: privacy risk, lower is better; y: fidelity, higher is better).

    Fidelity is the race's honest figure (:attr:`synth.report.TableEvaluation.honest_fidelity`: 1 = as good as
    fresh real data on both 3-way accuracy and the discriminator).

    Runs on the Pareto front are green and joined by a line; the recommended run is a star. Whiskers span each
    run's 95% range of privacy risk (:attr:`synth.report.TableEvaluation.privacy_risk_interval`): on a race's small
    tables two runs' risks often overlap, and the chart must not rank them by noise.
    """
    fig = go.Figure()
    points = []
    spans: dict[str, tuple[float, float]] = {}  # each run's 95% range of privacy risk (its point where it has none)
    ranged: set[str] = set()  # the runs with a range
    for r in result.runs:
        ev = r.evaluation
        if ev is None or ev.honest_fidelity is None or ev.privacy_risk is None:
            continue
        points.append(
            (r.label, ev.privacy_risk, ev.honest_fidelity, r.label in result.pareto, r.label == result.recommended)
        )
        interval = getattr(ev, "privacy_risk_interval", None)
        if interval is not None:
            ranged.add(r.label)
        low, high = interval if interval is not None else (ev.privacy_risk, ev.privacy_risk)
        spans[r.label] = (min(low, ev.privacy_risk), max(high, ev.privacy_risk))
    shown = _shared_labels([(p[0], p[1], p[2]) for p in points])
    x_range, y_range = _padded_ranges([spans[p[0]][1] for p in points], [p[2] for p in points])
    place = {p[0]: _text_position(p[1], p[2], x_range, y_range) for p in points}
    # The recommended run's name is written by the star's trace, offset by the star's size, not under the star.
    text = {p[0]: "" if p[4] else shown[p[0]] for p in points}
    others = [p for p in points if not p[3]]
    front = sorted((p for p in points if p[3]), key=lambda p: p[1])
    hover = "%{customdata}<br>privacy risk %{x:.1%}<br>fidelity %{y:.2f}<extra></extra>"

    def whiskers(group: list[tuple[str, float, float, bool, bool]]) -> dict[str, object]:
        """The privacy risk's 95% range of each run, as horizontal whiskers."""
        if not any(p[0] in ranged for p in group):
            return {}
        low = [p[1] - spans[p[0]][0] for p in group]
        high = [spans[p[0]][1] - p[1] for p in group]
        return {"error_x": {"type": "data", "symmetric": False, "array": high, "arrayminus": low, "thickness": 1.2}}

    if others:
        fig.add_scatter(
            x=[p[1] for p in others],
            y=[p[2] for p in others],
            text=[text[p[0]] for p in others],
            customdata=[p[0] for p in others],
            mode="markers+text",
            textposition=[place[p[0]] for p in others],
            name="dominated",
            marker={"color": HOLDOUT_COLOR, "size": 11},
            hovertemplate=hover,
            **whiskers(others),
        )
    if front:
        fig.add_scatter(
            x=[p[1] for p in front],
            y=[p[2] for p in front],
            text=[text[p[0]] for p in front],
            customdata=[p[0] for p in front],
            mode="lines+markers+text",
            textposition=[place[p[0]] for p in front],
            name="Pareto front",
            line={"color": FRONT_COLOR, "dash": "dot"},
            marker={"color": FRONT_COLOR, "size": 13},
            hovertemplate=hover,
            **whiskers(front),
        )
    pick = [p for p in points if p[4]]
    if pick:
        fig.add_scatter(
            x=[pick[0][1]],
            y=[pick[0][2]],
            text=[shown[pick[0][0]]],
            mode="markers+text",
            textposition=place[pick[0][0]],
            name="recommended",
            marker={"color": SYNTH_COLOR, "size": 22, "symbol": "star", "line": {"width": 1, "color": "black"}},
            hovertemplate=f"{pick[0][0]} (recommended)<extra></extra>",
        )
    fig = layout(
        fig,
        "Privacy risk vs fidelity (up and left is better)",
        "privacy risk (worst measured; whiskers: 95% range)",
        "fidelity (1 = as good as fresh real data)",
    )
    fig.update_xaxes(tickformat=".0%", range=list(x_range))
    fig.update_yaxes(range=list(y_range))
    fig.update_layout(height=420)
    return fig


def _padded_ranges(xs: list[float], ys: list[float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis ranges with room around the points for their names: the x axis from 0 (no risk), both padded by a
    tenth of their span (at least 0.02 and 0.05), so a point at an edge keeps its marker and its name inside."""
    if not xs:
        return (0.0, 0.1), (0.0, 1.05)
    x_span = max(max(xs), 0.02)
    y_low, y_high = min(ys), max(ys)
    y_pad = max((y_high - y_low) * 0.12, 0.05)
    return (0.0, max(xs) + max(x_span * 0.1, 0.02)), (y_low - y_pad, y_high + y_pad)


def _text_position(x: float, y: float, x_range: tuple[float, float], y_range: tuple[float, float]) -> str:
    """Where a point's name goes so it stays on the chart: below a point in the top fifth of the y range (above it
    would leave the plot), above otherwise; leftwards of a point in the right third, rightwards in the left
    sixth, centred between."""
    span_x = x_range[1] - x_range[0] or 1.0
    span_y = y_range[1] - y_range[0] or 1.0
    vertical = "bottom" if (y - y_range[0]) / span_y > 0.8 else "top"
    where = (x - x_range[0]) / span_x
    horizontal = "left" if where > 2 / 3 else "right" if where < 1 / 6 else "center"
    return f"{vertical} {horizontal}"


def _shared_labels(points: list[tuple[str, float, float]]) -> dict[str, str]:
    """Each run's text on the chart: runs drawn on (nearly) the same spot share one label, "A · B", on the first
    of them, so their names do not print over each other; hovering still names each run."""
    xs = [p[1] for p in points] or [0.0]
    ys = [p[2] for p in points] or [0.0]
    dx = max(max(xs) - min(xs), 0.05) * 0.04
    dy = max(max(ys) - min(ys), 0.05) * 0.04
    shown: dict[str, str] = {}
    anchors: list[tuple[str, float, float]] = []
    for label, x, y in points:
        near = next((a for a in anchors if abs(a[1] - x) <= dx and abs(a[2] - y) <= dy), None)
        if near is None:
            anchors.append((label, x, y))
            shown[label] = label
        else:
            shown[near[0]] += f" · {label}"
            shown[label] = ""
    return shown
