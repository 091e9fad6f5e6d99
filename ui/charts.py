"""Every chart goes through here: user text in a figure (column names, labels) is escaped before plotly draws it.

Figures kept for later reruns (:func:`ui.figures.once`, the Privacy page's memos) are escaped once, where they are
built, with :func:`escaped`; :func:`plotly_chart` escapes every other figure on each draw.
"""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
import streamlit as st

from synth.plots.safety import escape_figure_text

# Set on a figure whose text :func:`escaped` has escaped (plotly figures accept private attributes). A kept figure
# is never changed after it is built, so the mark stays true.
_MARK = "_synth_text_escaped"


def escaped(fig: go.Figure) -> go.Figure:
    """``fig`` with its user text escaped (in place) and marked so that drawing it again skips the work."""
    escape_figure_text(fig)
    setattr(fig, _MARK, True)
    return fig


def plotly_chart(fig: go.Figure, **kwargs: Any) -> Any:
    """``st.plotly_chart`` with the figure's user text escaped (see :mod:`synth.plots.safety`)."""
    if not getattr(fig, _MARK, False):
        escape_figure_text(fig)
    return st.plotly_chart(fig, **kwargs)
