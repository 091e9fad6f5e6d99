"""Showing user-controlled text (file, sheet, column and category names, messages quoting them) safely.

Streamlit renders markdown in ``st.markdown``, captions, alerts, expander and widget labels: a column named
``[x](http://evil)`` would become a link and ``![i](http://e/i.png)`` an image fetched from another server.
:func:`md` escapes every markdown-significant character so such a name shows as the literal text it is (the same
escaping as the downloaded data card's, :func:`synth.report.markdown.literal`).
"""

from __future__ import annotations

from synth.report.markdown import literal as md

__all__ = ["md"]
