"""Charts of wide tables and of numbers written in a layout (session 28's walk: 57 columns, a shop export):
square heatmap cells, the most changed columns, a score axis above long charts, € and % on the pair explorer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth import plots
from synth.evaluation.fidelity.pair_views import pair_view
from synth.evaluation.fidelity.results import AssociationMatrix
from synth.plots.fidelity import SIDE_BY_SIDE_COLUMNS, TOP_AXIS_ROWS, most_changed_columns
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.number_text import NumberFormat


def _matrix(values: np.ndarray) -> AssociationMatrix:
    names = tuple(f"column_{i}" for i in range(len(values)))
    return AssociationMatrix(names, tuple(tuple(float(v) for v in row) for row in values), "pearson")


@pytest.mark.parametrize("columns", [5, SIDE_BY_SIDE_COLUMNS, SIDE_BY_SIDE_COLUMNS + 1, 57])
def test_heatmap_cells_are_square_and_wide_tables_stack_their_panels(columns: int) -> None:
    """The walk's 57 columns drew three 280-px panels 1,640 px tall: cells 5 px wide and 26 tall."""
    layout = plots.association_heatmaps(_matrix(np.eye(columns)), _matrix(np.eye(columns))).to_dict()["layout"]
    for suffix in ("", "2", "3"):
        assert layout[f"yaxis{suffix}"]["scaleanchor"] == f"x{suffix}", "each panel's cells are square"
    stacked = columns > SIDE_BY_SIDE_COLUMNS
    x_domains = [tuple(layout[f"xaxis{s}"]["domain"]) for s in ("", "2", "3")]
    y_domains = [tuple(layout[f"yaxis{s}"]["domain"]) for s in ("", "2", "3")]
    if stacked:
        assert len(set(x_domains)) == 1 and len(set(y_domains)) == 3, "one panel under another"
        assert layout["height"] >= 3 * 18 * columns, "a cell of 18 px at least"
    else:
        assert len(set(y_domains)) == 1 and len(set(x_domains)) == 3, "side by side"


@settings(max_examples=30, deadline=None)
@given(
    columns=st.integers(8, 60),
    changed=st.sets(st.integers(0, 59), min_size=1, max_size=6),
    keep=st.integers(6, 30),
    seed=st.integers(0, 2**16),
)
def test_the_most_changed_columns_are_those_whose_links_moved(
    columns: int, changed: set[int], keep: int, seed: int
) -> None:
    """Columns whose associations were moved in the synthetic matrix come first, kept in the table's order."""
    changed = {c for c in changed if c < columns}
    rng = np.random.default_rng(seed)
    real = rng.uniform(0.0, 0.3, (columns, columns))
    real = (real + real.T) / 2
    np.fill_diagonal(real, 1.0)
    synthetic = real + rng.uniform(-0.01, 0.01, real.shape)
    for c in changed:
        synthetic[c, :] -= 0.25
        synthetic[:, c] -= 0.25
    np.fill_diagonal(synthetic, 1.0)
    shown = most_changed_columns(_matrix(real), _matrix(synthetic), keep)
    names = [f"column_{i}" for i in range(columns)]
    assert len(shown) == min(keep, columns)
    assert shown == [n for n in names if n in shown], "in the table's order"
    if len(changed) <= keep:
        assert {f"column_{c}" for c in changed} <= set(shown)
    layout = plots.association_heatmaps(_matrix(real), _matrix(synthetic), shown).to_dict()
    assert list(layout["data"][0]["x"]) == shown


@pytest.mark.parametrize("rows", [TOP_AXIS_ROWS, TOP_AXIS_ROWS + 1, 57])
def test_a_long_score_chart_has_its_axis_above_the_rows_too(rows: int) -> None:
    """The walk's 57-row chart had its only score axis 1,500 px below the worst columns, at the bottom."""
    names = [f"c{i}" for i in range(rows)]
    fig = plots.score_bars(names, list(np.linspace(0.9, 1.0, rows)), list(np.linspace(0.91, 1.0, rows)))
    layout = fig.to_dict()["layout"]
    if rows > TOP_AXIS_ROWS:
        top = layout["xaxis2"]
        assert top["side"] == "top" and top["matches"] == "x" and top["overlaying"] == "x"
        assert any(t.xaxis == "x2" for t in fig.data), "an axis is drawn only with a trace on it"
        assert layout["yaxis"]["range"] == [rows - 0.5, -0.5], "the first row right under the axis"
    else:
        assert "xaxis2" not in layout


EURO = NumberFormat(prefix="€", thousands=",", decimals=2)
PERCENT = NumberFormat(suffix="%", decimals=0)


def _shop(n: int = 1_500) -> tuple[pd.DataFrame, Schema]:
    rng = np.random.default_rng(28)
    table = pd.DataFrame(
        {
            "unit_price": np.round(np.exp(rng.normal(3.5, 1.0, n)), 2),
            "discount": rng.choice([0, 5, 10, 15, 20, 25, 30], n).astype(float),
            "category": rng.choice(["shoes", "bags", "hats"], n),
        }
    )
    schema = Schema(
        (
            ColumnSpec("unit_price", ColumnKind.CONTINUOUS, number_format=EURO),
            ColumnSpec("discount", ColumnKind.DISCRETE, number_format=PERCENT),
            ColumnSpec("category", ColumnKind.CATEGORICAL),
        )
    )
    return table, schema


def test_the_pair_explorer_writes_numbers_in_their_layout() -> None:
    """The shop walk's pair explorer showed unit_price without € and discount without %."""
    table, schema = _shop()
    view = pair_view(table, table, "unit_price", "discount", schema=schema)
    assert view.view == "density"
    assert all("€" in label for label in view.x_labels), view.x_labels
    assert all(label.count("%") >= 1 for label in view.y_labels), view.y_labels
    fig = plots.pair_figure(view).to_dict()["layout"]
    assert fig["xaxis"]["title"]["text"] == "unit_price (€)" and fig["yaxis"]["title"]["text"] == "discount (%)"
    box = plots.pair_figure(pair_view(table, table, "category", "unit_price", schema=schema)).to_dict()["layout"]
    assert box["yaxis"]["tickprefix"] == "€" and box["yaxis"]["title"]["text"] == "unit_price (€)"
    plain = pair_view(
        table, table, "unit_price", "discount", schema=Schema(tuple(ColumnSpec(s.name, s.kind) for s in schema))
    )
    assert not any("€" in label for label in plain.x_labels), "a column without a layout keeps plain numbers"
