"""User text in figures shown as text: plotly renders a subset of HTML in titles, labels, legends and hover text.

Column names and category labels come from the uploaded table. Plotly draws ``<a href=...>`` as a link,
``<span style=...>`` with its style and ``<br>`` as a line break in any of those places, so a crafted file could
put a phishing link or a page-covering label into a chart. :func:`escape_figure_text` escapes every ``<`` and
``>`` in the strings a figure renders, except the few formatting tags our own figures use (``<b>``, ``<i>``,
``<br>``, ``<sup>``, ``<sub>``, ``<em>``, ``<extra>``, with no attributes): plotly splits tags first and decodes
entities only in the text between them, so a column named ``<a href="https://evil">x</a>`` reads exactly so, as
text. ``&`` is left alone, which makes escaping idempotent (figures kept for a session are escaped again on every draw).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import plotly.graph_objects as go

#: Formatting tags our figures write themselves; no attributes, so nothing in them can link or style.
#: ``<extra>`` (hover templates' secondary box) likewise.
_OWN_TAGS = re.compile(r"</?(?:b|i|br|sup|sub|em|extra)\s*/?>", re.I)
#: Trace properties plotly renders as text (x / y become category tick labels; customdata reaches hover text;
#: a hover or text template is drawn with the same markup: the race chart put run names in its hover template).
_TRACE_TEXT = ("name", "text", "hovertext", "hovertemplate", "texttemplate", "x", "y", "labels", "customdata")


def _angles(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


def escape_markup(text: str) -> str:
    """``text`` with every ``<`` and ``>`` escaped except in the formatting tags of :data:`_OWN_TAGS`."""
    if "<" not in text and ">" not in text:
        return text
    out, pos = [], 0
    for match in _OWN_TAGS.finditer(text):
        out.append(_angles(text[pos : match.start()]))
        out.append(match.group(0))
        pos = match.end()
    out.append(_angles(text[pos:]))
    return "".join(out)


def _escaped(value: Any) -> tuple[Any, bool]:
    """``value`` with its strings escaped, and whether anything changed (arrays of numbers are left alone)."""
    if isinstance(value, str):
        new = escape_markup(value)
        return new, new != value
    if isinstance(value, np.ndarray) and value.dtype.kind in "biufcmM":
        return value, False
    if isinstance(value, list | tuple | np.ndarray):
        items = [_escaped(v) for v in value]
        if any(changed for _, changed in items):
            return [v for v, _ in items], True
    return value, False


def _escape_title(obj: Any) -> None:
    title = getattr(obj, "title", None)
    if title is None:
        return
    text = getattr(title, "text", None)
    if isinstance(text, str):
        new, changed = _escaped(text)
        if changed:
            title.text = new


def escape_figure_text(fig: go.Figure) -> go.Figure:
    """Escape the user text ``fig`` renders (in place; also returned). Cheap when there is nothing to escape."""
    for trace in fig.data:
        for prop in _TRACE_TEXT:
            if prop not in trace:
                continue
            value = trace[prop]
            if value is None:
                continue
            new, changed = _escaped(value)
            if changed:
                trace[prop] = new
    layout = fig.layout
    _escape_title(layout)
    if layout.legend is not None:
        _escape_title(layout.legend)
    for name in list(layout.to_plotly_json()):
        if name.startswith(("xaxis", "yaxis")):
            axis = layout[name]
            _escape_title(axis)
            if axis.ticktext is not None:
                new, changed = _escaped(axis.ticktext)
                if changed:
                    axis.ticktext = new
    for note in layout.annotations or ():
        if isinstance(note.text, str):
            new, changed = _escaped(note.text)
            if changed:
                note.text = new
    return fig
