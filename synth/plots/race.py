"""Race figures: privacy risk against fidelity, with the Pareto front highlighted."""

from __future__ import annotations

import itertools
import math

import plotly.graph_objects as go

from synth.plots.common import HOLDOUT_COLOR, SYNTH_COLOR, layout, percent_ticks
from synth.plots.labels import FONT_SIZE, PlotSize, Point, place_labels
from synth.report.race import RaceResult

FRONT_COLOR = "#2ca02c"
#: Marker sizes (diameters in pixels) of the three traces.
SIZES = {"dominated": 11, "front": 13, "recommended": 22}
HEIGHT = 420
#: The plot area inside the axes, in pixels, that the names are placed for: the page stretches the chart with
#: the window (measured: 486 wide in a 1024-pixel window beside the sidebar, 1382 in a 1920-pixel one, wider
#: with the sidebar closed; the report draws it about 1,000 wide), and the theme moves the axes (295 high in
#: Streamlit's, 309 in plotly's).
PLOT_SIZE = PlotSize(widths=(480.0, 1800.0), heights=(290.0, 316.0))
#: Markers closer than this (pixels between centres, on the narrowest plot) are one blot: their runs share a name.
SAME_SPOT = 8.0
KEY_LINE = 18  # pixels per line of the key under a numbered chart
AXIS_ROOM = 54  # pixels under the plot area taken by the tick labels and the axis title


def pareto_scatter(result: RaceResult) -> go.Figure:
    """Each scored run as a point (x: privacy risk, lower is better; y: fidelity, higher is better).

    Fidelity is the race's honest figure (:attr:`synth.report.TableEvaluation.honest_fidelity`: 1 = as good as
    fresh real data on both 3-way accuracy and the discriminator).

    Runs on the Pareto front are green and joined by a line; the recommended run is a star. Whiskers span each
    run's 95% range of privacy risk (:attr:`synth.report.TableEvaluation.privacy_risk_interval`): on a race's small
    tables two runs' risks often overlap, and the chart must not rank them by noise.

    Each run's name is an annotation placed by :func:`synth.plots.labels.place_labels`: next to its marker where
    there is room, further out on a leader line where runs crowd, and never over another name or a marker; when
    even that fails the runs are numbered and a key under the chart names them.
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
    x_range, y_range = _padded_ranges([spans[p[0]][1] for p in points], [p[2] for p in points])
    shown = _shared_labels([(p[0], p[1], p[2]) for p in points], x_range, y_range)
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
            customdata=[p[0] for p in others],
            mode="markers",
            name="dominated",
            marker={"color": HOLDOUT_COLOR, "size": SIZES["dominated"]},
            hovertemplate=hover,
            **whiskers(others),
        )
    if front:
        fig.add_scatter(
            x=[p[1] for p in front],
            y=[p[2] for p in front],
            customdata=[p[0] for p in front],
            mode="lines+markers",
            name="Pareto front",
            line={"color": FRONT_COLOR, "dash": "dot"},
            marker={"color": FRONT_COLOR, "size": SIZES["front"]},
            hovertemplate=hover,
            **whiskers(front),
        )
    pick = [p for p in points if p[4]]
    if pick:
        fig.add_scatter(
            x=[pick[0][1]],
            y=[pick[0][2]],
            mode="markers",
            name="recommended",
            marker={
                "color": SYNTH_COLOR,
                "size": SIZES["recommended"],
                "symbol": "star",
                "line": {"width": 1, "color": "black"},
            },
            hovertemplate=f"{pick[0][0]} (recommended)<extra></extra>",
        )
    fig = layout(
        fig,
        "Privacy risk vs fidelity (up and left is better)",
        "privacy risk (worst measured; whiskers: 95% range)",
        "fidelity (1 = as good as fresh real data)",
    )
    fig.update_xaxes(tickformat=percent_ticks(x_range[1]), range=list(x_range))
    fig.update_yaxes(range=list(y_range))
    fig.update_layout(height=HEIGHT)
    _write_names(fig, points, shown, spans, [p[0] for p in front], x_range, y_range)
    return fig


def _write_names(
    fig: go.Figure,
    points: list[tuple[str, float, float, bool, bool]],
    shown: dict[str, str],
    spans: dict[str, tuple[float, float]],
    front: list[str],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> None:
    """Each run's name as an annotation where :func:`place_labels` puts it: shifted from its point, or at the end
    of a leader line that stops at the marker's edge; a key under the chart names the runs it numbered."""

    def fraction(value: float, axis: tuple[float, float]) -> float:
        return (value - axis[0]) / ((axis[1] - axis[0]) or 1.0)

    def radius(p: tuple[str, float, float, bool, bool]) -> float:
        # The star reaches past its nominal size (size 22 draws 29 pixels across); the others are circles.
        return SIZES["recommended"] * 0.68 if p[4] else SIZES["front" if p[3] else "dominated"] / 2

    marks = [Point(fraction(p[1], x_range), fraction(p[2], y_range), shown[p[0]], radius(p)) for p in points]
    index = {p[0]: i for i, p in enumerate(points)}
    placed = place_labels(
        marks,
        PLOT_SIZE,
        lines=list(itertools.pairwise(index[name] for name in front)),
        whiskers=[
            (i, fraction(spans[p[0]][0], x_range), fraction(spans[p[0]][1], x_range)) for i, p in enumerate(points)
        ],
        first=[i for i, p in enumerate(points) if p[4]],  # the recommended run's name gets the best place
    )
    notes: list[dict[str, object]] = []
    for p, mark, label in zip(points, marks, placed.labels, strict=True):
        if label is None:
            continue
        note: dict[str, object] = {
            "x": p[1],
            "y": p[2],
            "xref": "x",
            "yref": "y",
            "text": label.text,
            "font": {"size": FONT_SIZE},
            "bgcolor": "rgba(255,255,255,0.85)",
            "borderpad": 1,
        }
        if label.leader:
            note |= {"showarrow": True, "ax": label.dx, "ay": label.dy, "axref": "pixel", "ayref": "pixel"}
            note |= {"arrowhead": 0, "arrowwidth": 1, "arrowcolor": "#888888", "standoff": mark.radius}
        else:
            note |= {"showarrow": False, "xanchor": "center", "yanchor": "middle"}
            note |= {"xshift": label.dx, "yshift": -label.dy}
        notes.append(note)
    if placed.key:
        rows = _key_rows(
            [f"<b>{n}</b> {name}" for n, name in placed.key], [len(n) + 1 + len(name) for n, name in placed.key]
        )
        notes.append(
            {
                "text": "<br>".join(rows),
                "xref": "paper",
                "yref": "paper",
                "x": 0.0,
                "y": 0.0,
                "xanchor": "left",
                "yanchor": "top",
                "yshift": -AXIS_ROOM,  # under the tick labels and the axis title
                "align": "left",
                "showarrow": False,
                "font": {"size": FONT_SIZE},
            }
        )
        # The plot area keeps its height (what the names were placed for): the figure grows by the key's rows.
        room = AXIS_ROOM + KEY_LINE * len(rows) + 6
        fig.update_layout(height=HEIGHT + room - AXIS_ROOM + 3, margin={"b": room})
    fig.update_layout(annotations=notes)  # at once: plotly validates the whole list on every add_annotation


def _key_rows(entries: list[str], lengths: list[int]) -> list[str]:
    """The key's entries in rows that fit the narrowest plot (lengths in characters, about 7 pixels each)."""
    per_row = max(int(PLOT_SIZE.widths[0] // 7), 1)
    rows: list[str] = []
    used = per_row + 1
    for entry, length in zip(entries, lengths, strict=True):
        if used + 4 + length > per_row:
            rows.append(entry)
            used = length
        else:
            rows[-1] += "    " + entry
            used += 4 + length
    return rows


def _padded_ranges(xs: list[float], ys: list[float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """Axis ranges with room around the points for their names: the x axis from 0 (no risk), both padded by a
    tenth of their span (at least 0.02 and 0.05), so a point at an edge keeps its marker and its name inside."""
    if not xs:
        return (0.0, 0.1), (0.0, 1.05)
    x_span = max(max(xs), 0.02)
    y_low, y_high = min(ys), max(ys)
    y_pad = max((y_high - y_low) * 0.12, 0.05)
    return (0.0, max(xs) + max(x_span * 0.1, 0.02)), (y_low - y_pad, y_high + y_pad)


def _shared_labels(
    points: list[tuple[str, float, float]], x_range: tuple[float, float], y_range: tuple[float, float]
) -> dict[str, str]:
    """Each run's text on the chart: runs whose markers sit on (nearly) the same spot, their centres within
    :data:`SAME_SPOT` pixels on the narrowest plot, share one label, "A · B", on the first of them (two names
    pointing at one blot would not say which is which); hovering still names each run."""
    scale_x = PLOT_SIZE.widths[0] / ((x_range[1] - x_range[0]) or 1.0)
    scale_y = PLOT_SIZE.heights[0] / ((y_range[1] - y_range[0]) or 1.0)
    shown: dict[str, str] = {}
    anchors: list[tuple[str, float, float]] = []
    for label, x, y in points:
        near = next((a for a in anchors if math.hypot((a[1] - x) * scale_x, (a[2] - y) * scale_y) <= SAME_SPOT), None)
        if near is None:
            anchors.append((label, x, y))
            shown[label] = label
        else:
            shown[near[0]] += f" · {label}"
            shown[label] = ""
    return shown
