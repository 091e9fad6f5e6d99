"""Every chart goes through here: user text in a figure (column names, labels) is escaped before plotly draws it."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from synth.plots.safety import escape_figure_text


def plotly_chart(fig: go.Figure, **kwargs: Any) -> Any:
    """``st.plotly_chart`` with the figure's user text escaped (see :mod:`synth.plots.safety`)."""
    return st.plotly_chart(escape_figure_text(fig), **kwargs)
