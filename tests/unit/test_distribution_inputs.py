"""Compare's binned charts on awkward inputs: the project's error for what cannot be drawn, a layout kept.

``pair_view`` (the pair explorer) raised a bare KeyError for a column the synthetic table lacks and a plain
ValueError for a column Compare does not compare; ``column_distributions`` a KeyError. Each now raises
:class:`ContextError` saying what was wrong and what to pick. A number written in a layout ("€1,234.50") was labelled
in it by the pair explorer but as a plain number on the column's own chart: both write it now.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from synth import infer_schema
from synth.evaluation.context import ContextError
from synth.evaluation.fidelity.distributions import column_distributions
from synth.evaluation.fidelity.pair_views import pair_view
from synth.plots.fidelity import distribution_figure
from synth.schema import ColumnKind
from synth.schema.number_text import NumberFormat, format_numbers, parse_numbers


def _table(seed: int = 0, n: int = 300) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "amount": rng.normal(50, 10, n).round(1),
            "group": rng.choice(["a", "b", "c"], n),
            "empty": np.full(n, np.nan),
            "same": 7,
            "day": "2024-03-01",
        }
    )


@pytest.mark.parametrize(
    ("column", "why"),
    [
        ("empty", "every value missing"),
        ("same", "one value"),
        ("day", "a date with one value"),
    ],
)
def test_a_column_compare_leaves_out_is_refused_with_what_to_pick(column: str, why: str) -> None:
    real = _table()
    schema = infer_schema(real)
    assert schema[column].kind is ColumnKind.CONSTANT, why
    for pair in ((column, "amount"), ("group", column)):
        with pytest.raises(ContextError, match=rf"{column!r} is a constant column.*pick another column"):
            pair_view(real, _table(1), *pair, schema=schema)


def test_a_column_the_synthetic_table_lacks_is_named_with_what_to_do() -> None:
    real, synthetic = _table(), _table(1).drop(columns="group")
    with pytest.raises(ContextError, match=r"synthetic table has no column 'group'.*sample it"):
        pair_view(real, synthetic, "amount", "group")
    with pytest.raises(ContextError, match=r"synthetic table has no column 'group'"):
        column_distributions(real, synthetic)
    with pytest.raises(ContextError, match=r"holdout table has no column 'group'"):
        column_distributions(real, _table(1), synthetic)


@pytest.mark.parametrize(
    ("x", "y", "said"), [("nope", "amount", "real table has no column 'nope'"), ("amount", "amount", "two different")]
)
def test_an_unknown_or_repeated_column_is_refused(x: str, y: str, said: str) -> None:
    with pytest.raises(ContextError, match=said):
        pair_view(_table(), _table(1), x, y)


def test_kinds_forced_on_awkward_columns_still_draw() -> None:
    """A user may call an all-missing column a number, a constant whole numbers and a one-value date a date: each
    pair still bins (empty grids, one bin), never a raw error."""
    real = _table()
    schema = infer_schema(real)
    for column, kind in (("empty", ColumnKind.CONTINUOUS), ("same", ColumnKind.DISCRETE), ("day", ColumnKind.DATETIME)):
        schema = schema.with_column(column, kind=kind)
    names = ["amount", "group", "empty", "same", "day"]
    for x in names:
        for y in names:
            if x != y:
                view = pair_view(real, _table(1), x, y, schema=schema)
                assert view.n_real == len(real)
    dists = {d.column: d for d in column_distributions(real, _table(1), schema=schema)}
    assert sum(dists["empty"].real) == 0 and dists["empty"].missing_real == 1.0
    assert sum(dists["same"].real) == pytest.approx(1.0) and sum(dists["day"].real) == pytest.approx(1.0)


_FORMATS = st.builds(
    lambda prefix, suffix, marks, decimals, negative: NumberFormat(
        prefix, suffix, marks[0], marks[1], decimals, negative
    ),
    st.sampled_from(["", "$", "€", "EUR "]),
    st.sampled_from(["", " €", "%"]),
    st.sampled_from([(t, d) for t in (",", ".", " ", "") for d in (".", ",") if t != d]),
    st.sampled_from([0, 2]),
    st.sampled_from(["-", "()"]),
).filter(lambda f: bool(f.prefix or f.suffix))
_ENDS = re.compile(r"^(< |≤ |≥ )")


def _read_labels(labels: tuple[str, ...], fmt: NumberFormat) -> pd.Series:
    """Every number a chart's labels write ("< €400", "€10–€14", "≥ €4,000"), read in the column's layout."""
    parts = [part for label in labels for part in _ENDS.sub("", label).split("–")]
    return parse_numbers(pd.Series(parts, dtype=object), fmt)


@settings(max_examples=15, deadline=None)
@given(fmt=_FORMATS, seed=st.integers(0, 2**16), scale=st.sampled_from([1.0, 1_000.0, 100_000.0]))
def test_a_number_in_a_layout_is_labelled_in_it_on_both_charts(fmt: NumberFormat, seed: int, scale: float) -> None:
    """Compare's column chart and the pair explorer write a column's bins in its layout, and the column chart puts
    the currency or % around its ticks as the pair explorer does: its bins read 500 where the explorer read €500."""
    rng = np.random.default_rng(seed)
    price, cost = (pd.Series(np.round(rng.lognormal(0, 0.6, 400) * scale, 2)) for _ in range(2))
    real = pd.DataFrame(
        {
            "price": format_numbers(price, fmt, fmt.decimals),
            "cost": format_numbers(-cost, fmt, fmt.decimals),  # negatives: "-€5" or "(€5)"
            "group": rng.choice(["a", "b"], 400),
        }
    )
    schema = infer_schema(real)
    # a layout its values can be read two ways in is left text (not this test's subject)
    assume(schema["price"].number_format == fmt and schema["cost"].number_format == fmt)
    (dist,) = column_distributions(real, real, schema=schema, columns=["price"])
    assert dist.number_format == fmt
    assert _read_labels(dist.labels, fmt).notna().all(), dist.labels
    figure = distribution_figure(dist)
    assert (figure.layout.xaxis.tickprefix or "", figure.layout.xaxis.ticksuffix or "") == (fmt.prefix, fmt.suffix)
    box = pair_view(real, real, "price", "group", schema=schema)
    assert box.format_y == dist.number_format
    density = pair_view(real, real, "price", "cost", schema=schema)
    assert _read_labels(density.x_labels + density.y_labels, fmt).notna().all(), density.x_labels
