"""Attack on "user text in figures is shown as text": a table whose column names and labels are markup."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

import synth
from synth.evaluation.fidelity.distributions import column_distributions
from synth.plots import fidelity as fidelity_plots
from synth.plots.safety import escape_figure_text, escape_markup

LINK = '<a href="https://evil.example/login">Sign in again</a>'
STYLE = '<span style="font-size:400px">X</span>'


def _strings(obj: Any) -> list[str]:
    if isinstance(obj, str):
        return [obj]
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in _strings(v)]
    if isinstance(obj, list | tuple | np.ndarray):
        return [s for v in obj for s in _strings(v)]
    return []


def _markup_left(fig: go.Figure) -> list[str]:
    return [s for s in _strings(fig.to_plotly_json()) if "<a" in s or "<span" in s]


@pytest.fixture(scope="module")
def hostile() -> tuple[pd.DataFrame, pd.DataFrame, synth.Schema]:
    rng = np.random.default_rng(0)
    real = pd.DataFrame(
        {
            LINK: rng.choice([STYLE, "plain", "R&D"], 600),
            "x": rng.normal(size=600),
            STYLE: rng.choice(["a", "b"], 600),
        }
    )
    syn = real.sample(frac=1.0, random_state=1, replace=True).reset_index(drop=True)
    return real, syn, synth.infer_schema(real)


def test_figures_of_a_hostile_table_carry_no_markup_once_escaped(hostile: tuple) -> None:
    real, syn, schema = hostile
    distributions = column_distributions(real, syn, schema=schema)
    figures = [fidelity_plots.distribution_figure(d, score=0.9, metric="TVComplement") for d in distributions]
    assert any(_markup_left(f) for f in figures), "the attack reaches the figures unescaped"
    for fig in figures:
        escape_figure_text(fig)
        assert _markup_left(fig) == []
    shown = [s for f in figures for s in _strings(f.to_plotly_json())]
    assert any("&lt;a href=" in s for s in shown), "the column name is still shown, as text"


def test_our_own_formatting_tags_are_kept() -> None:
    fig = go.Figure(go.Bar(x=["a<br>b", LINK], y=[1, 2], name="<b>real</b>"))
    fig.update_layout(title="<b>Score</b><br><sup>95% interval</sup>", xaxis_title=STYLE)
    escape_figure_text(fig)
    assert fig.layout.title.text == "<b>Score</b><br><sup>95% interval</sup>"
    assert fig.data[0].name == "<b>real</b>"
    assert list(fig.data[0].x) == ["a<br>b", '&lt;a href="https://evil.example/login"&gt;Sign in again&lt;/a&gt;']
    assert fig.layout.xaxis.title.text.startswith("&lt;span")


@given(st.text(max_size=40))
def test_escaped_text_opens_no_tag_but_our_own_and_escaping_twice_changes_nothing(text: str) -> None:
    out = escape_markup(text)
    assert escape_markup(out) == out
    import re

    for tag in re.findall(r"<[^>]*>?", out):
        assert re.fullmatch(r"</?(b|i|br|sup|sub|em)\s*/?>", tag, flags=re.I), (text, out)


def test_hover_templates_are_escaped_and_keep_their_own_extra_box() -> None:
    # The race chart wrote a run's name (an external table's file name, the user's label) into a hover template,
    # which plotly renders with the same markup as text: a crafted name was a live link on hover.
    fig = go.Figure(
        go.Scatter(
            x=[0.1],
            y=[0.9],
            hovertemplate='<a href="http://evil.example">x</a> (recommended)<br>%{x}<extra></extra>',
            texttemplate='<span style="font-size:400px">%{y}</span>',
        )
    )
    escape_figure_text(fig)
    trace = fig.data[0]
    assert trace.hovertemplate == '&lt;a href="http://evil.example"&gt;x&lt;/a&gt; (recommended)<br>%{x}<extra></extra>'
    assert trace.texttemplate == '&lt;span style="font-size:400px"&gt;%{y}&lt;/span&gt;'
