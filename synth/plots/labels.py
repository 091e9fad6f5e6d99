"""Names beside the points of a scatter chart, placed so that no name covers another name or a marker.

Plotly writes a trace's text at one of nine fixed positions around each point and never checks what is already
there, so two runs drawn close together print their names over each other. :func:`place_labels` gives each name
an offset in pixels from its point, chosen greedily (the ``first`` points, then the most crowded) from positions
touching the marker and then further out at the end of a leader line. A position is clear if its box stays
inside the plot, off every marker and off every name and leader line placed so far; among clear positions the
cheapest wins (a leader line, a longer one, a name over a whisker or the front's line, a leader line crossing
another marker or leader line all cost something). Names that find no clear position go next on another pass;
if some still find none, those points are numbered instead (a number fits where a name does not) and the
layout's ``key`` pairs each number with its name.

The chart is drawn at a width the browser decides (the page stretches it) and at a fixed height whose plot area
moves a little with the theme. So a point's pixel position is ``fraction × size`` for any size in a range, and a
box tied to the point is that plus fixed offsets: two boxes are apart only if they are apart at *every* size in
the range, which :meth:`Box.overlaps` decides exactly (the gap between two boxes is linear in the size). Lines
(leader lines, whiskers, the front) are checked at the narrowest and widest plot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FONT_SIZE = 12
#: Pixels kept free around a name, so that two names never touch.
CLEARANCE = 2.0
#: Distances (pixels from the marker's edge to the name's box) of the positions reached by a leader line.
RINGS = (20.0, 36.0, 56.0, 80.0, 110.0)
#: Costs of a position, in units of 3 pixels of whisker or front line under the name's box: a leader line,
#: each ring further out, a leader line crossing another marker.
LEADER_COST, RING_COST, MARKER_CROSSING = 30.0, 12.0, 60.0
#: Costs of a leader line crossing another leader line, and crossing a whisker or the front's line.
LEADER_CROSSING, LINE_CROSSING = 40.0, 8.0
#: Greedy passes tried (each moves the names that found no clear position ahead) before numbering some points.
PASSES = 6


@dataclass(frozen=True)
class PlotSize:
    """The plot area (inside the axes) in pixels: the narrowest and widest, the lowest and tallest it is drawn."""

    widths: tuple[float, float]
    heights: tuple[float, float]


@dataclass(frozen=True)
class Box:
    """A rectangle tied to a point of the plot: the point sits at ``fx`` of the plot's width from the left and
    ``fy`` of its height from the top; the edges are that position plus fixed pixel offsets (``top`` < ``bottom``,
    y grows downwards as on screen)."""

    fx: float
    fy: float
    left: float
    top: float
    right: float
    bottom: float

    def at(self, width: float, height: float) -> tuple[float, float, float, float]:
        """Left, top, right and bottom in pixels from the plot's top-left corner, for one plot size."""
        x, y = self.fx * width, self.fy * height
        return x + self.left, y + self.top, x + self.right, y + self.bottom

    def overlaps(self, other: Box, size: PlotSize) -> bool:
        """Whether the boxes overlap at some width and some height in ``size`` (they vary independently)."""
        return bool(_overlaps(_arrays([self]), _arrays([other]), size)[0, 0])

    def inside(self, size: PlotSize) -> bool:
        """Whether the box lies inside the plot at every size in ``size`` (its fractions lie in [0, 1], so the
        smallest size is the tightest)."""
        left, top, right, bottom = self.at(size.widths[0], size.heights[0])
        return left >= 0 and top >= 0 and right <= size.widths[0] and bottom <= size.heights[0]


def _arrays(boxes: Sequence[Box]) -> np.ndarray:
    return np.array([[b.fx, b.fy, b.left, b.top, b.right, b.bottom] for b in boxes], dtype=float).reshape(-1, 6)


def _overlaps(a: np.ndarray, b: np.ndarray, size: PlotSize) -> np.ndarray:
    """``(len(a), len(b))``: whether box ``a[i]`` overlaps box ``b[j]`` at some size in ``size``.

    Along x, with ``d`` the gap between the two points in pixels (``(a.fx − b.fx) × width``, which sweeps an
    interval as the width does), the boxes overlap iff ``b.left − a.right < d < b.right − a.left``; likewise y.
    """
    hit = np.ones((len(a), len(b)), dtype=bool)
    for axis, sizes in ((0, size.widths), (1, size.heights)):
        d = a[:, None, axis] - b[None, :, axis]
        low, high = np.minimum(d * sizes[0], d * sizes[1]), np.maximum(d * sizes[0], d * sizes[1])
        start = b[None, :, 2 + axis] - a[:, None, 4 + axis] + 0.01  # b.left − a.right
        stop = b[None, :, 4 + axis] - a[:, None, 2 + axis] - 0.01  # b.right − a.left
        hit &= (start < stop) & (start < high) & (stop > low)  # the open (start, stop) meets [low, high]
    return hit


@dataclass(frozen=True)
class Point:
    """A marker: ``x`` and ``y`` are fractions of the plot area (0 = left and bottom edge, 1 = right and top);
    ``text`` is its name ("" for none), ``radius`` its half-size in pixels."""

    x: float
    y: float
    text: str
    radius: float

    def box(self, dx: float = 0.0, dy: float = 0.0, width: float = 0.0, height: float = 0.0) -> Box:
        """The box ``width × height`` centred ``dx`` pixels right of and ``dy`` below the point; the marker's own
        square when no size is given."""
        half_w = width / 2 if width else self.radius
        half_h = height / 2 if height else self.radius
        return Box(self.x, 1.0 - self.y, dx - half_w, dy - half_h, dx + half_w, dy + half_h)


@dataclass(frozen=True)
class Label:
    """Where one point's name goes: its box's centre ``dx`` pixels right of and ``dy`` pixels below the point
    (plotly's ``xshift`` and ``−yshift``, or ``ax`` and ``ay`` when a leader line joins them)."""

    text: str
    dx: float
    dy: float
    width: float
    height: float
    ring: int  # 0: next to the point; k: at the end of a leader line on the k-th ring out

    @property
    def leader(self) -> bool:
        return self.ring > 0

    def box(self, point: Point) -> Box:
        """The box the name covers (what the tests check for overlaps)."""
        return point.box(self.dx, self.dy, self.width, self.height)


@dataclass(frozen=True)
class LabelLayout:
    """The names of a chart's points.

    Attributes:
        labels: one per point, ``None`` where the point has no text.
        key: ``(number, name)`` pairs when the points are numbered instead of named (too crowded), else empty.
        clean: every label inside the plot and clear of the other labels, of every marker and of every leader
            line, at every plot size in the range.
    """

    labels: tuple[Label | None, ...]
    key: tuple[tuple[str, str], ...]
    clean: bool


def text_size(text: str, font_size: float = FONT_SIZE) -> tuple[float, float]:
    """A generous estimate of a one-line annotation's box in pixels: 10–15% wider and 4 pixels taller than plotly
    draws it in its own font (Streamlit's theme draws it narrower still). A box estimated too large only costs
    room; one too small would let names touch."""
    em = 0.0
    for ch in text:
        if ch in " .,:;'|!()[]·ijlIft":
            em += 0.36
        elif ch in "MWmw@%":
            em += 0.92
        elif ch.isupper() or ch.isdigit():
            em += 0.72
        else:
            em += 0.6
    # The annotation adds a 1-pixel pad and a 1-pixel border on every side.
    return math.ceil(em * font_size) + 4, math.ceil(font_size * 1.35) + 4


def candidates(radius: float, width: float, height: float) -> list[tuple[float, float, int]]:
    """Offsets ``(dx, dy, ring)`` of a name's centre from its point, best first: touching the marker (ring 0)
    above, below, at the four corners and at the sides; then at the end of a leader line, ring by ring, each ring
    above and below (the box centred on the point's x, or starting or ending there: a long name may have room
    on one side only), at the sides (a line higher or lower than the point), then at the corners."""
    gap = 3.0
    side, vert = radius + gap + width / 2, radius + gap + height / 2
    corner_x, corner_y = radius * 0.7 + gap + width / 2, radius * 0.7 + gap + height / 2
    near = [(0.0, -vert), (0.0, vert), (corner_x, -corner_y), (-corner_x, -corner_y)]
    near += [(corner_x, corner_y), (-corner_x, corner_y), (side, 0.0), (-side, 0.0)]
    out = [(dx, dy, 0) for dx, dy in near]
    shift_x, shift_y = max(width / 2 - 10, 0.0), height + 4
    for k, ring in enumerate(RINGS, start=1):
        up, out_x = vert + ring, side + ring
        diag_x, diag_y = corner_x + ring * 0.7, corner_y + ring * 0.7
        far = [(dx, dy) for dy in (-up, up) for dx in (0.0, shift_x, -shift_x)]
        # Not level with the point at the sides: the leader line would run along the point's own whisker.
        far += [(dx, dy) for dx in (out_x, -out_x) for dy in (-shift_y, shift_y)]
        far += [(diag_x, -diag_y), (-diag_x, -diag_y), (diag_x, diag_y), (-diag_x, diag_y)]
        out += [(round(dx, 1), round(dy, 1), k) for dx, dy in far]
    return out


def place_labels(
    points: Sequence[Point],
    size: PlotSize,
    *,
    lines: Sequence[tuple[int, int]] = (),
    whiskers: Sequence[tuple[int, float, float]] = (),
    first: Sequence[int] = (),
    font_size: float = FONT_SIZE,
) -> LabelLayout:
    """Place every point's text (see the module's docstring); deterministic: the same input, the same layout.

    Args:
        points: the markers, each with its text ("" for none) and radius in pixels.
        size: the plot area's size range in pixels.
        lines: pairs of point indices joined by a line (the front), which a name may cross at a cost.
        whiskers: ``(point index, low x fraction, high x fraction)``: horizontal whiskers, likewise.
        first: indices of the points whose names are placed before the others' (they get the best positions).
        font_size: the names' font size in pixels.
    """
    scene = _Scene(points, size, lines, whiskers, first)
    names = [p.text for p in points]
    numbered: set[int] = set()
    while True:
        # The names that find no clear position become numbers (short labels fit where names do not), one
        # round at a time, until every label is clear or every point is numbered.
        key: list[tuple[str, str]] = []
        texts = []
        for i, name in enumerate(names):
            if i in numbered:
                key.append((str(len(key) + 1), name))
            texts.append(key[-1][0] if i in numbered else name)
        layout, failed = scene.place_any_order(texts, font_size)
        named = {i for i, name in enumerate(names) if name}
        if not failed or numbered == named:
            return LabelLayout(layout.labels, tuple(key), layout.clean)
        numbered = numbered | set(failed) if not set(failed) <= numbered else named


@dataclass(frozen=True)
class _Options:
    """One name's candidate positions (see :meth:`_Scene.options`); arrays hold one row per candidate."""

    width: float
    height: float
    dx: np.ndarray
    dy: np.ndarray
    ring: np.ndarray
    is_leader: np.ndarray
    boxes: np.ndarray  # with the clearance around the name
    hard: np.ndarray
    cost: np.ndarray
    leaders: list[np.ndarray]  # per view: the drawn part of each candidate's leader line


class _Scene:
    """What the names must avoid, computed once: the markers, and the thin lines (the front's segments and the
    whiskers) in pixels at the narrowest and widest plot (at mid height: the heights differ by a few pixels)."""

    def __init__(
        self,
        points: Sequence[Point],
        size: PlotSize,
        lines: Sequence[tuple[int, int]],
        whiskers: Sequence[tuple[int, float, float]],
        first: Sequence[int],
    ) -> None:
        self.points, self.size, self.first = points, size, set(first)
        height = sum(size.heights) / 2
        self.views = [(width, height) for width in size.widths]
        self.markers = _arrays([p.box() for p in points])
        self.fixed: dict[tuple[int, str, float], _Options] = {}
        self.thin = []  # per view: the lines' ends (x0, y0, x1, y1)
        for width in size.widths:
            ends = [(points[i].x, points[i].y, points[j].x, points[j].y) for i, j in lines]
            ends += [(low, points[i].y, high, points[i].y) for i, low, high in whiskers]
            xy = np.array(ends, dtype=float).reshape(-1, 4)
            self.thin.append(xy * [width, -height, width, -height] + [0.0, height, 0.0, height])

    def place_any_order(self, texts: Sequence[str], font_size: float) -> tuple[LabelLayout, list[int]]:
        """Greedy placement, the ``first`` points and then the most crowded first; when some names find no clear
        position, those go next and the placement starts again (at most :data:`PASSES` times, stopping when an
        order repeats). Returns the pass with the fewest names left without a clear position, and those names."""
        width, height = self.views[0]
        pixel = [(p.x * width, (1 - p.y) * height) for p in self.points]

        def crowd(i: int) -> int:
            return sum(1 for j in range(len(pixel)) if j != i and math.dist(pixel[i], pixel[j]) < 100)

        order = sorted((i for i, t in enumerate(texts) if t), key=lambda i: (i not in self.first, -crowd(i), i))
        tried: list[list[int]] = []
        best: tuple[LabelLayout, list[int]] = (LabelLayout(tuple(None for _ in self.points), (), True), [])
        while order not in tried and len(tried) < PASSES:
            tried.append(order)
            layout, failed = self.place(texts, font_size, order)
            if len(tried) == 1 or len(failed) < len(best[1]):
                best = (layout, failed)
            if not failed:
                break
            # The ``first`` points keep their place at the front: the others make room around them.
            ahead = [i for i in order if i in self.first] + [i for i in failed if i not in self.first]
            order = ahead + [i for i in order if i not in ahead]
        return best

    def options(self, i: int, text: str, font_size: float) -> _Options:
        """Point ``i``'s candidate positions for ``text`` and what they cost whatever else is placed: outside
        the plot or over a marker (hard), a leader line, whiskers and the front under the box or crossed by the
        leader line, markers the leader line runs through (costs). Computed once per pass-independent input."""
        found = self.fixed.get((i, text, font_size))
        if found is not None:
            return found
        p, size, views = self.points[i], self.size, self.views
        width, height = text_size(text, font_size)
        options = np.array(candidates(p.radius, width, height))
        dx, dy, ring = options[:, 0], options[:, 1], options[:, 2]
        half_w, half_h = width / 2 + CLEARANCE, height / 2 + CLEARANCE
        n = len(options)
        boxes = np.column_stack(
            [np.full(n, p.x), np.full(n, 1.0 - p.y), dx - half_w, dy - half_h, dx + half_w, dy + half_h]
        )
        # Inside the plot: the narrowest and lowest plot is the tightest (the point's fractions lie in [0, 1]).
        rects = _at(boxes, size.widths[0], size.heights[0])
        hard = ((rects[:, 0] < 0) | (rects[:, 1] < 0) | (rects[:, 2] > size.widths[0])).astype(int)
        hard += rects[:, 3] > size.heights[0]
        hard += _overlaps(boxes, self.markers, size).sum(axis=1)
        cost = np.where(ring > 0, LEADER_COST + RING_COST * (ring - 1), 0.0)
        others = np.arange(len(self.points)) != i
        is_leader = ring > 0
        leaders = []
        for v, (w, h) in enumerate(views):
            rects = _at(boxes, w, h)
            cost += (_inside_length(self.thin[v], rects).sum(axis=0) / 3.0) / len(views)
            own = _leader_ends(p, dx, dy, width, height, w, h)
            leaders.append(own)
            through_markers = (_inside_length(own, _at(self.markers[others], w, h)) > 0.5).sum(axis=1)
            crossed = MARKER_CROSSING * through_markers + LINE_CROSSING * _crossings(own, self.thin[v])
            cost += np.where(is_leader, crossed, 0.0) / len(views)
        found = _Options(width, height, dx, dy, ring, is_leader, boxes, hard, cost, leaders)
        self.fixed[(i, text, font_size)] = found
        return found

    def place(self, texts: Sequence[str], font_size: float, order: list[int]) -> tuple[LabelLayout, list[int]]:
        """One greedy pass in ``order``; also returns the points whose names found no clear position."""
        points, size, views = self.points, self.size, self.views
        placed: dict[int, Label] = {}
        placed_boxes = np.empty((0, 6))
        leaders = [np.empty((0, 4)) for _ in views]  # per view: the drawn parts of the placed leader lines
        failed = []
        for i in order:
            p = points[i]
            o = self.options(i, texts[i], font_size)
            hard, cost = o.hard + _overlaps(o.boxes, placed_boxes, size).sum(axis=1), o.cost.copy()
            for v, (w, h) in enumerate(views):
                hard += (_inside_length(leaders[v], _at(o.boxes, w, h)) > 0.5).any(axis=0)
                through_names = (_inside_length(o.leaders[v], _at(placed_boxes, w, h)) > 0.5).sum(axis=1)
                hard += np.where(o.is_leader, through_names, 0)
                crossed = LEADER_CROSSING * _crossings(o.leaders[v], leaders[v]) / len(views)
                cost += np.where(o.is_leader, crossed, 0.0)
            dx, dy, ring, n = o.dx, o.dy, o.ring, len(o.dx)
            width, height = o.width, o.height
            # The fewest hard faults (outside, over a marker or a name), then the lowest cost, then the first.
            pick = int(np.lexsort((np.arange(n), cost, hard))[0])
            if hard[pick]:
                failed.append(i)
            label = Label(texts[i], float(dx[pick]), float(dy[pick]), width, height, int(ring[pick]))
            placed[i] = label
            placed_boxes = np.vstack([placed_boxes, _arrays([label.box(p)])])
            if label.leader:
                for v in range(len(views)):
                    leaders[v] = np.vstack([leaders[v], o.leaders[v][pick : pick + 1]])
        labels = tuple(placed.get(i) for i in range(len(points)))
        return LabelLayout(labels, (), not failed), failed


def _at(boxes: np.ndarray, width: float, height: float) -> np.ndarray:
    """Left, top, right, bottom of each box in pixels at one plot size."""
    x, y = boxes[:, 0] * width, boxes[:, 1] * height
    return np.column_stack([x + boxes[:, 2], y + boxes[:, 3], x + boxes[:, 4], y + boxes[:, 5]])


def _inside_length(segments: np.ndarray, rects: np.ndarray) -> np.ndarray:
    """``(len(segments), len(rects))``: the length in pixels of each segment (x0, y0, x1, y1) inside each
    rectangle (left, top, right, bottom), by Liang–Barsky clipping."""
    x0, y0 = segments[:, None, 0], segments[:, None, 1]
    ddx, ddy = segments[:, None, 2] - x0, segments[:, None, 3] - y0
    low = np.zeros((len(segments), len(rects)))
    high = np.ones((len(segments), len(rects)))
    for step, room in (
        (-ddx, x0 - rects[None, :, 0]),
        (ddx, rects[None, :, 2] - x0),
        (-ddy, y0 - rects[None, :, 1]),
        (ddy, rects[None, :, 3] - y0),
    ):
        step = np.broadcast_to(step, low.shape)
        room = np.broadcast_to(room, low.shape)
        parallel = step == 0
        ratio = np.divide(room, step, out=np.zeros(low.shape), where=~parallel)
        low = np.where(~parallel & (step < 0), np.maximum(low, ratio), low)
        high = np.where(~parallel & (step > 0), np.minimum(high, ratio), high)
        high = np.where(parallel & (room < 0), -1.0, high)  # parallel to this edge and outside it
    length: np.ndarray = np.clip(high - low, 0.0, None) * np.hypot(ddx, ddy)
    return length


def _leader_ends(
    p: Point, dx: np.ndarray, dy: np.ndarray, width: float, height: float, plot_w: float, plot_h: float
) -> np.ndarray:
    """``(len(dx), 4)``: the drawn part of each leader line, from the marker's edge to the name's box, in pixels."""
    length = np.maximum(np.hypot(dx, dy), 1e-9)
    start = np.minimum(p.radius / length, 1.0)
    # The line leaves the box (centred at the line's end) where the nearer of its edges cuts it.
    inside = np.minimum(
        np.divide(width / 2, np.abs(dx), out=np.full(len(dx), np.inf), where=dx != 0),
        np.divide(height / 2, np.abs(dy), out=np.full(len(dy), np.inf), where=dy != 0),
    )
    stop = np.maximum(1.0 - inside, start)
    x, y = p.x * plot_w, (1.0 - p.y) * plot_h
    return np.column_stack([x + start * dx, y + start * dy, x + stop * dx, y + stop * dy])


def _crossings(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each segment of ``a`` (rows x0, y0, x1, y1), how many segments of ``b`` it crosses."""
    p, r = a[:, None, :2], a[:, None, 2:] - a[:, None, :2]
    q, s = b[None, :, :2], b[None, :, 2:] - b[None, :, :2]

    def cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]

    denom = cross(r, s)
    safe = np.where(denom == 0, 1.0, denom)
    t, u = cross(q - p, s) / safe, cross(q - p, r) / safe
    hit = (denom != 0) & (t > 0) & (t < 1) & (u > 0) & (u < 1)
    counts: np.ndarray = hit.sum(axis=1)
    return counts
