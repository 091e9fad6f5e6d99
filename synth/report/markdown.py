"""User text (file, column, category and run names, messages quoting them) inside Markdown, shown literally.

A Markdown renderer turns ``[x](http://evil)`` into a link and ``![i](http://e/i.png)`` into an image fetched from
another server; a table or column name written by whoever made a file must not become either, in the dashboard
(Streamlit renders Markdown in text, captions and alerts) or in a downloaded data card. :func:`literal` escapes
every Markdown-significant character so such a name reads as the text it is.
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


def literal(value: Any) -> str:
    """``value`` as text that Markdown shows literally: markup characters escaped, line breaks as spaces."""
    text = _LINE_BREAKS.sub(" ", str(value))
    text = _AUTOLINK.sub(lambda m: "\u200b".join(g for g in m.groups() if g), text)
    return _SPECIAL.sub(r"\\\1", text)
