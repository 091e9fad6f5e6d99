"""Binned views of fidelity: a column's shares, a pair's chart by kinds, axes that end on shared values, folds of
the extremes and whole-number bins (split from test_fidelity.py)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.fidelity.distributions import column_distributions
from synth.evaluation.fidelity.pair_views import pair_view
from synth.schema import ColumnKind, ColumnSpec, Schema

# ----------------------------------------------------------------------------- binned views


def test_column_distributions_are_shares(adult_small: pd.DataFrame) -> None:
    train, holdout = synth.split(adult_small, 0.3, seed=0)
    dists = {d.column: d for d in column_distributions(train, train, holdout)}
    sex = dists["sex"]
    assert sum(sex.real) == pytest.approx(1.0) and sex.real == sex.synthetic and sex.holdout is not None
    band = sex.holdout_band()
    assert band is not None and all(lo <= h <= hi for lo, h, hi in zip(band[0], sex.holdout, band[1], strict=True))
    age = dists["age"]
    assert age.numeric and sum(age.real) == pytest.approx(1.0) and len(age.centers) == len(age.real)


def test_pair_views_by_kind(adult_small: pd.DataFrame) -> None:
    density = pair_view(adult_small, adult_small, "age", "hours_per_week")
    assert density.view == "density" and np.sum(density.real) == pytest.approx(1.0)
    box = pair_view(adult_small, adult_small, "age", "sex")
    assert box.view == "box" and box.column_x == "sex" and {b.category for b in box.boxes_real} == {"Male", "Female"}
    heat = pair_view(adult_small, adult_small, "sex", "race")
    assert heat.view == "heatmap" and np.sum(heat.synthetic) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="two different"):
        pair_view(adult_small, adult_small, "sex", "sex")


def _salaries(seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    pay = np.round(rng.lognormal(11, 0.35, 3000), 2)
    pay[17] = 1_530_000.37  # one person far beyond everyone else
    return pd.DataFrame({"salary": pay, "grade": rng.integers(1, 6, 3000)})


def test_a_numeric_axis_never_ends_at_one_persons_value() -> None:
    """A salary chart whose axis ran to 1.6M put every bar in its first eighth and told anyone reading the report
    that one person earns about 1.53M, though the report blanked that person's bar."""
    real = _salaries()
    train, holdout = synth.split(real, 0.25, seed=0)
    (dist, _) = column_distributions(train, train, holdout, tail_rows=10)
    pay = np.sort(real["salary"].to_numpy())
    top = dist.centers[-1] + dist.width / 2
    bottom = dist.centers[0] - dist.width / 2
    assert top < pay[-10] + dist.width and bottom > pay[9] - dist.width  # the axis stops at the 10th value
    assert top < 400_000  # not a trace of the 1.53M
    # the end bins hold the values beyond (nothing is lost) and at least 10 real rows each
    assert sum(dist.real) == pytest.approx(1.0) and sum(dist.holdout or ()) == pytest.approx(1.0)
    for end in (0, -1):
        rows = dist.real[end] * dist.n_real + (dist.holdout or ())[end] * (dist.n_holdout or 0)
        assert round(rows) >= 10
    assert dist.labels[0].startswith("< ") and dist.labels[-1].startswith("≥ ")
    # round edges, not a real value: the edge the label states is a multiple of the bin width
    edge = float(dist.labels[-1].removeprefix("≥ ").replace(",", ""))
    assert edge not in set(pay) and edge % dist.width == pytest.approx(0, abs=1e-6)


def test_folded_end_bins_are_flagged_and_a_category_that_reads_like_one_is_not() -> None:
    """The figure told folded end bins by their labels ("≥ y"): the distribution now says which bins are folded,
    so a category called "≥ 50K" (or any label) never reads as one."""
    from dataclasses import replace

    from synth.evaluation.fidelity.distributions import ColumnDistribution
    from synth.plots.fidelity import distribution_figure

    def note(dist: ColumnDistribution) -> bool:
        return "end bars hold every value beyond them" in distribution_figure(dist).layout.xaxis.title.text

    train, holdout = synth.split(_salaries(), 0.25, seed=0)
    (folded, _) = column_distributions(train, train, holdout, tail_rows=10)
    assert folded.folded_bins == (0, len(folded.labels) - 1) and note(folded)
    (spanned, _) = column_distributions(train, train, holdout, tail_rows=0)  # the axis spans every value
    assert spanned.folded_bins == () and not note(spanned)
    assert not note(replace(spanned, labels=(*spanned.labels[:-1], "≥ 400,000")))  # the flag decides, not the label
    income = pd.DataFrame({"income": ["< 50K"] * 70 + ["≥ 50K"] * 30})
    schema = Schema((ColumnSpec("income", ColumnKind.CATEGORICAL),))
    (category,) = column_distributions(income, income.iloc[::-1], schema=schema)
    assert category.labels == ("< 50K", "≥ 50K") and category.folded_bins == () and not note(category)
    assert category.to_dict()["folded_bins"] == [] and folded.to_dict()["folded_bins"] == [0, len(folded.labels) - 1]


@settings(max_examples=40, deadline=None)
@given(
    values=st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=300),
    tail=st.integers(0, 20),
    whole=st.booleans(),
)
def test_binned_shares_keep_every_value_whatever_the_extremes(values: list[float], tail: int, whole: bool) -> None:
    col = np.round(values) if whole else np.asarray(values)
    real = pd.DataFrame({"x": col})
    synthetic = pd.DataFrame({"x": col[::-1] * 3})  # beyond the real range on both sides
    kind = synth.ColumnKind.DISCRETE if whole else synth.ColumnKind.CONTINUOUS
    schema = synth.infer_schema(real).with_column("x", kind=kind)
    (dist,) = column_distributions(real, synthetic, schema=schema, tail_rows=tail)
    assert sum(dist.real) == pytest.approx(1.0) and sum(dist.synthetic) == pytest.approx(1.0)
    assert len(dist.labels) == len(dist.centers) == len(dist.real) and np.all(np.diff(dist.centers) > 0)


@settings(max_examples=40, deadline=None)
@given(
    low=st.integers(-50, 100_000),
    span=st.integers(1, 400),
    n=st.integers(60, 400),
    seed=st.integers(0, 2**16),
)
@example(low=1, span=13, n=400, seed=21)  # the clinic walk's length_of_stay, 1–14 days: 0.25, 0.75, 1.25, …
def test_a_pair_of_whole_number_columns_is_binned_on_whole_numbers(low: int, span: int, n: int, seed: int) -> None:
    """The pair explorer cut a whole-number column into 30 equal bins labelled by their centres (0.25, 0.75, …;
    half of them empty). Its bins now start on whole numbers, and each label names the whole numbers the bin holds:
    every value lies in the bin whose label covers it, and no label holds a decimal point."""
    rng = np.random.default_rng(seed)
    real = pd.DataFrame({"days": rng.integers(low, low + span + 1, n), "other": rng.integers(0, 5, n)})
    schema = Schema([ColumnSpec("days", ColumnKind.DISCRETE), ColumnSpec("other", ColumnKind.DISCRETE)])
    view = pair_view(real, real, "days", "other", schema=schema)
    assert view.view == "density"
    assert not any("." in label for label in view.x_labels), view.x_labels

    def covers(label: str, value: int) -> bool:
        text = label.replace(",", "").replace("−", "-")
        if text.startswith("≤ "):
            return value <= int(text[2:])
        if text.startswith("≥ "):
            return value >= int(text[2:])
        ends = re.fullmatch(r"(-?\d+)(?:–(-?\d+))?", text)
        assert ends is not None, label
        return int(ends.group(1)) <= value <= int(ends.group(2) or ends.group(1))

    grid = np.array(view.real)
    assert grid.sum() == pytest.approx(1.0)
    counts = grid.sum(axis=0) * n  # rows per x bin
    for i, label in enumerate(view.x_labels):
        held = int(sum(covers(label, int(v)) for v in real["days"]))
        assert round(counts[i]) == held, (label, counts[i], held)


@settings(max_examples=60, deadline=None)
@given(
    scale=st.sampled_from([1e4, 1e5, 1e6, 1e9]),
    seed=st.integers(0, 10_000),
)
@example(scale=1e5, seed=31)
def test_a_large_numbers_axis_writes_its_digits_not_an_exponent(scale: float, seed: int) -> None:
    """The session-31 customers walk: the pair explorer's income axis read "1.475e+05", "< 2e+04"."""
    rng = np.random.default_rng(seed)
    real = pd.DataFrame({"income": rng.lognormal(0.0, 0.5, 600) * scale, "age": rng.uniform(18, 85, 600)})
    syn = pd.DataFrame({"income": rng.lognormal(0.0, 0.5, 600) * scale, "age": rng.uniform(18, 85, 600)})
    view = pair_view(real, syn, "age", "income", schema=synth.infer_schema(real))
    labels = [*view.y_labels, *column_distributions(real, syn)[0].labels]
    assert not [label for label in labels if "e+" in label or "e-" in label], labels
    # still four significant digits: a label's digits, past its fourth, are zeros
    for label in view.y_labels:
        digits = re.sub(r"\D", "", label.split(".")[0]).lstrip("0")
        assert len(digits) <= 4 or set(digits[4:]) == {"0"}, label


def test_a_distribution_titles_notes_go_on_their_own_line() -> None:
    """The customers walk: "income · missing: real 60.1%, synthetic 62.7% · end bars hold every value beyond" ran
    past a half-width chart and was cut at "value b". With both notes, they take a line of their own."""
    from synth.plots.fidelity import distribution_figure

    rng = np.random.default_rng(31)
    income = rng.lognormal(10.8, 0.5, 2_000)
    income[:4] = [1e7, 2e7, 3e7, 4e7]  # a few extreme values: the end bars fold them in
    income[rng.random(2_000) < 0.6] = np.nan
    real = pd.DataFrame({"income": income[:1_000]})
    syn = pd.DataFrame({"income": income[1_000:]})
    (dist,) = column_distributions(real, syn)
    assert dist.folded_bins and dist.missing_real > 0.5  # the premise: both notes
    title = distribution_figure(dist).layout.xaxis.title.text
    # Session 32's walk: on one line under the name the two notes (70 characters) were still cut at "beyon".
    first, second, third = title.split("<br>")
    assert (
        first == "income" and second.startswith("missing: real ") and third == "end bars hold every value beyond them"
    )
    one = distribution_figure(column_distributions(real.fillna(1.0), syn.fillna(1.0))[0]).layout.xaxis.title.text
    assert "<br>" not in one and one.startswith("income · "), one


def test_a_distribution_titles_lines_fit_under_a_half_width_chart() -> None:
    """No line of a column chart's axis title is longer than fits under a half-width chart, whatever the name."""
    from synth.plots.fidelity import TITLE_LINE_CHARS, noted_title

    walk = ["missing: real 10.1%, synthetic 9.7%", "end bars hold every value beyond them"]
    assert noted_title("transactions", walk).split("<br>") == ["transactions", *walk]
    assert noted_title("age", walk[:1]) == "age · missing: real 10.1%, synthetic 9.7%"
    long_name = "monthly_balance_in_euro_at_closing"
    lines = noted_title(long_name, walk[:1]).split("<br>")
    assert lines == [long_name, walk[0]]
    assert noted_title("x", ["a", "b"]) == "x<br>a · b"  # short notes share a line under the name
    for title in (noted_title("transactions", walk), noted_title(long_name, walk[:1])):
        assert max(len(line) for line in title.split("<br>")) <= TITLE_LINE_CHARS
