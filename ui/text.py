"""Showing user-controlled text (file, sheet, column and category names, messages quoting them) safely.

Streamlit renders markdown in ``st.markdown``, captions, alerts, expander and widget labels: a column named
``[x](http://evil)`` would become a link and ``![i](http://e/i.png)`` an image fetched from another server.
:func:`md` escapes every markdown-significant character so such a name shows as the literal text it is (the same
escaping as the downloaded data card's, :func:`synth.report.markdown.literal`). :func:`duration` and
:func:`megabytes` write a time or memory estimate as the pages print it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from synth.report.markdown import literal as md

__all__ = ["duration", "md", "megabytes"]


def duration(seconds: float | None) -> str:
    """A time estimate for a table cell: "< 0.1 s", two significant digits under 10 s, then whole seconds or
    minutes. With one decimal, estimates under 0.05 s printed "0.0 s", which read as instant or as broken."""
    if seconds is None:
        return "—"
    if seconds < 0.1:
        return "< 0.1 s"
    if seconds < 10:
        return f"{seconds:.2g} s"
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.0f} min"


def megabytes(mb: float | None) -> str:
    """A memory estimate for a table cell: "< 1 MB" under one, then whole MB. Whole MB alone printed "0 MB" for a
    60-row table's fits (0.005 to 0.3 MB), which read as measured nothing or as broken."""
    if mb is None:
        return "—"
    if mb < 1:
        return "< 1 MB"
    return f"{mb:,.0f} MB"


def signed_delta(
    x: float | None, digits: int = 3, suffix: str = "", *, scale: float = 1.0
) -> tuple[str | None, Literal["auto", "off"]]:
    """An ``st.metric`` delta for a signed difference, and its arrow. The text keeps its ASCII sign (Streamlit reads
    the arrow's direction from it); a difference that rounds to zero reads "±0.000" with no arrow ("↓ -0.000"
    pointed at nothing). ``suffix`` follows the number ("% of the gap…", " vs holdout")."""
    if x is None or x != x:
        return None, "auto"
    text = f"{x * scale:+.{digits}f}"
    if float(text) == 0:
        return f"±{0:.{digits}f}{suffix}", "off"
    return f"{text}{suffix}", "auto"


def metric_delta(x: float | None, digits: int = 3, suffix: str = "", *, scale: float = 1.0) -> dict[str, Any]:
    """``st.metric``'s ``delta`` and ``delta_arrow`` from one :func:`signed_delta` (``**metric_delta(...)``)."""
    text, arrow = signed_delta(x, digits, suffix, scale=scale)
    return {"delta": text, "delta_arrow": arrow}


def listed(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
