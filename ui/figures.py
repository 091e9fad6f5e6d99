"""Figures built once per synthetic run and kept on its evaluation context (this session only).

Building a plotly figure validates every property (tens of milliseconds each); a page that draws ten of them
spent most of a cached rerun rebuilding figures it had drawn before. ``st.cache_data`` would not help: it
unpickles a figure on every hit, which validates it again. The figures of one run depend only on that run's
(cached) results, so they are kept on the run's :class:`~synth.evaluation.context.EvaluationContext`, which
lives in the session and goes when the run goes.
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go

from synth.evaluation.context import EvaluationContext
from ui import charts


def once(context: EvaluationContext, name: str, build: Callable[[], go.Figure]) -> go.Figure:
    """The figure ``name`` of this run, built (and its user text escaped) on first use. ``name`` must identify
    everything it shows."""
    return context.extension(f"figure:{name}", lambda _context: charts.escaped(build()))
