"""Names beside a scatter chart's points (synth.plots.labels): clear of each other and of the markers at every
plot size they are placed for, next to their points when there is room, numbered when there is not."""

from __future__ import annotations

import itertools

import numpy as np

from synth.plots.labels import Box, Label, LabelLayout, PlotSize, Point, place_labels

SIZE = PlotSize(widths=(480.0, 1500.0), heights=(290.0, 316.0))
# Sizes at which the tests check rectangles with their own arithmetic: the corners and a grid between them.
GRID = [(w, h) for w in np.linspace(480, 1500, 18) for h in (290.0, 303.0, 316.0)]


def _rect_overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _faults(points: list[Point], layout: LabelLayout) -> list[str]:
    """Every label over another label, over a marker or outside the plot, at any size of the grid."""
    faults = []
    placed = [(i, label.box(points[i])) for i, label in enumerate(layout.labels) if label is not None]
    for w, h in GRID:
        for (i, a), (j, b) in itertools.combinations(placed, 2):
            if _rect_overlap(a.at(w, h), b.at(w, h)):
                faults.append(f"label {i} over label {j} at {w:.0f}×{h:.0f}")
        for i, a in placed:
            rect = a.at(w, h)
            for j, p in enumerate(points):
                if _rect_overlap(rect, p.box().at(w, h)):
                    faults.append(f"label {i} over marker {j} at {w:.0f}×{h:.0f}")
            if rect[0] < 0 or rect[1] < 0 or rect[2] > w or rect[3] > h:
                faults.append(f"label {i} outside the plot at {w:.0f}×{h:.0f}")
    return faults


def test_names_of_close_points_do_not_overlap_each_other_or_any_marker() -> None:
    """Two CART runs a pixel or two apart and three DP networks at different ε in a corner: the names a plain
    textposition would print over each other are all readable, at every width the page may draw."""
    points = [
        Point(0.55, 0.90, "Sequential CART", 6.5),
        Point(0.565, 0.895, "Pruned CART", 5.5),
        Point(0.11, 0.10, "DP Bayesian network (epsilon=0.5)", 6.5),
        Point(0.13, 0.15, "DP Bayesian network (epsilon=1)", 5.5),
        Point(0.16, 0.19, "DP Bayesian network (epsilon=5)", 5.5),
        Point(0.28, 0.57, "Gaussian copula", 6.5),
    ]
    layout = place_labels(points, SIZE)
    assert layout.clean and not layout.key
    assert [label.text for label in layout.labels if label is not None] == [p.text for p in points]
    assert _faults(points, layout) == []
    for (i, a), (j, b) in itertools.combinations(enumerate(layout.labels), 2):
        assert a is not None and b is not None
        assert not a.box(points[i]).overlaps(b.box(points[j]), SIZE)
    # The crowded names needed leader lines; the method's own check agrees with the grid's arithmetic.
    assert any(label.leader for label in layout.labels if label is not None)


def test_names_of_far_points_sit_next_to_them() -> None:
    points = [
        Point(0.2, 0.5, "Gaussian copula", 6.5),
        Point(0.5, 0.9, "Sequential CART", 6.5),
        Point(0.8, 0.2, "DP Bayesian network", 5.5),
        Point(0.0, 0.4, "Independent marginals", 5.5),  # on the left edge: its name must go rightwards
    ]
    layout = place_labels(points, SIZE)
    assert layout.clean and _faults(points, layout) == []
    for p, label in zip(points, layout.labels, strict=True):
        assert label is not None and not label.leader
        left, top, right, bottom = label.box(p).at(800, 300)
        x, y = p.x * 800, (1 - p.y) * 300
        # The box's nearest edge is within a few pixels of the marker's edge.
        gap_x = max(left - x, x - right, 0.0)
        gap_y = max(top - y, y - bottom, 0.0)
        assert max(gap_x, gap_y) <= p.radius + 4, (p.text, label)
    assert layout.labels[3] is not None and layout.labels[3].dx > 0


def test_overlap_is_decided_over_the_whole_size_range_not_only_at_its_ends() -> None:
    """Name A 100 pixels right of the left point, name B 100 pixels left of the right point: on a narrow plot B
    lies left of A, on a wide one right of it, and on widths between the two boxes meet."""
    left, right = Point(0.4, 0.5, "A", 5.0), Point(0.6, 0.5, "B", 5.0)
    a = Label("A", 100.0, 0.0, 50.0, 20.0, 1).box(left)
    b = Label("B", -100.0, 0.0, 50.0, 20.0, 1).box(right)
    # The points are 0.2 × width apart; the boxes' centres |0.2 × width − 200| apart, 50 wide: they meet on
    # widths from 750 to 1250 only.
    assert not _rect_overlap(a.at(480, 300), b.at(480, 300))
    assert not _rect_overlap(a.at(1500, 300), b.at(1500, 300))
    assert _rect_overlap(a.at(1000, 300), b.at(1000, 300))
    assert a.overlaps(b, SIZE)
    assert not a.overlaps(b, PlotSize(widths=(480.0, 740.0), heights=(290.0, 316.0)))
    assert not a.overlaps(b, PlotSize(widths=(1260.0, 1500.0), heights=(290.0, 316.0)))
    assert a.overlaps(b, PlotSize(widths=(1240.0, 1500.0), heights=(290.0, 316.0)))
    # Level with each other or not: a box 30 pixels lower never meets.
    lower = Label("B", -100.0, 30.0, 50.0, 20.0, 1).box(right)
    assert not a.overlaps(lower, SIZE)


def test_too_crowded_names_become_numbers_with_a_key() -> None:
    """Eight runs with long names in a few dozen pixels: no placement of the names is clear, so the crowded
    points are numbered, the key pairs each number with its name, and the numbers are clear."""
    points = [
        Point(0.60 + 0.012 * k, 0.88 + 0.004 * (k % 3), f"Sequential CART (min_samples_leaf={5 * 2**k})", 5.5)
        for k in range(8)
    ]
    layout = place_labels(points, SIZE)
    assert layout.key and layout.clean and _faults(points, layout) == []
    shown = {label.text for label in layout.labels if label is not None}
    for number, name in layout.key:
        assert number in shown and number.isdigit()
        assert name in {p.text for p in points} and name not in shown
    # Every run is either named on the chart or numbered and named in the key.
    assert sorted(shown - {n for n, _ in layout.key} | {name for _, name in layout.key}) == sorted(
        p.text for p in points
    )


def test_the_first_points_keep_their_names_and_the_layout_is_deterministic() -> None:
    """Six runs in a row: without ``first`` the fifth is numbered; placed first (the recommended run), its name
    stays on the chart and the others make room."""
    points = [
        Point(0.50 + 0.02 * k, 0.70 + 0.01 * (k % 3), f"Sequential CART (min_samples_leaf={5 * 2**k})", 5.5)
        for k in range(6)
    ]
    plain = place_labels(points, SIZE)
    assert plain.labels[4] is not None and plain.labels[4].text.isdigit()
    layout = place_labels(points, SIZE, first=[4])
    assert layout.labels[4] is not None and layout.labels[4].text == points[4].text
    assert layout.clean and _faults(points, layout) == []
    assert place_labels(points, SIZE, first=[4]) == layout


def test_a_point_without_text_gets_no_label_but_is_still_avoided() -> None:
    points = [Point(0.5, 0.5, "Gaussian copula", 6.5), Point(0.5, 0.57, "", 6.5)]  # the second right above
    layout = place_labels(points, SIZE)
    assert layout.labels[1] is None and layout.labels[0] is not None
    assert _faults(points, layout) == []


def test_a_box_tied_to_a_point_scales_with_the_plot() -> None:
    box = Box(0.25, 0.5, -10.0, -5.0, 10.0, 5.0)
    assert box.at(800, 300) == (190.0, 145.0, 210.0, 155.0)
    assert box.inside(SIZE) and not Box(0.0, 0.5, -10.0, -5.0, 10.0, 5.0).inside(SIZE)
