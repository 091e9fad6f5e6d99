"""Showing user-controlled text (file, sheet, column and category names, messages quoting them) safely.

Streamlit renders markdown in ``st.markdown``, captions, alerts, expander and widget labels: a column named
``[x](http://evil)`` would become a link and ``![i](http://e/i.png)`` an image fetched from another server.
:func:`md` escapes every markdown-significant character so such a name shows as the literal text it is.
"""

from __future__ import annotations

import re
from typing import Any

# The characters that make links and images (the bracket), raw HTML and autolinks, code, maths, headings and Streamlit's
# ``:color[...]`` directives (which need the bracket). Dots, colons, dashes and underscores stay as they are, so
# ordinary names ("people_2024.csv") read the same in the page source; an underscore can at most italicise.
_SPECIAL = re.compile(r"([\\`*\[\]<>~$#])")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
# GitHub-flavoured markdown turns bare "www.x.y" and "scheme://..." into links whatever the escaping, so a
# zero-width space breaks those two patterns (invisible on screen).
_AUTOLINK = re.compile(r"(?i)(www)(\.)|(:)(//)")


def md(value: Any) -> str:
    """``value`` as text that markdown shows literally: markup characters escaped, line breaks as spaces."""
    text = _LINE_BREAKS.sub(" ", str(value))
    text = _AUTOLINK.sub(lambda m: "\u200b".join(g for g in m.groups() if g), text)
    return _SPECIAL.sub(r"\\\1", text)
