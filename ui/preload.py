"""The chart library, loaded in the browser while it is idle, before a page needs it.

Streamlit's frontend loads plotly (a 4.7 MB JavaScript module) the first time a browser tab draws a plotly chart,
and evaluating it takes a second or more on a small machine: without this, the first chart page of a walk
(Compare, after Sample) paid it on top of its own work, most of its first render. The pages after a fit draw
charts, so the app asks the browser to import that module when it has nothing else to do
(``requestIdleCallback``), once per tab: while the server fits a model (the browser only waits then), or on the
first page after a model exists. The import resolves to the very module Streamlit's chart element
imports later (same URL), which then finds it ready.

Nothing here depends on user data. Where the module cannot be found (another Streamlit build) nothing is sent,
and a failed import in the browser is ignored: charts then load as before, on first use.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import streamlit as st

# Streamlit ships its chart element as a hashed chunk next to its entry module (static/js/index.<hash>.js).
_STATIC_JS = Path(st.__file__).resolve().parent / "static" / "static" / "js"
_CHUNK = re.compile(r"^PlotlyChart\.[A-Za-z0-9_-]+\.js$")


@functools.cache
def plotly_chunk() -> str | None:
    """The file name of Streamlit's plotly chart module, or None when this Streamlit build has no such file."""
    found = sorted(p.name for p in _STATIC_JS.glob("PlotlyChart.*.js") if _CHUNK.match(p.name))
    return found[0] if len(found) == 1 else None


def script(chunk: str) -> str:
    """The browser script that imports ``chunk`` once per tab, when the browser is idle."""
    if not _CHUNK.match(chunk):  # the name goes into JavaScript: only a plain chunk file name may
        raise ValueError(f"not a Streamlit chart module name: {chunk!r}")
    return f"""<script>
(() => {{
  if (window.__synthChartsPreloaded) return;
  window.__synthChartsPreloaded = true;
  const entry = document.querySelector('script[type="module"][src*="/static/js/index."]');
  if (!entry) return;
  const url = new URL("./{chunk}", entry.src).href;  // as Streamlit resolves it, so the module is shared
  const load = () => import(url).then(() => {{ window.__synthChartsLoaded = url; }}, () => {{}});
  (window.requestIdleCallback || ((f) => setTimeout(f, 500)))(load, {{timeout: 5000}});
}})();
</script>"""


def chart_library() -> None:
    """Ask the browser to load the chart module in its idle time (draws nothing; once per tab)."""
    chunk = plotly_chunk()
    if chunk is not None:
        st.html(script(chunk), unsafe_allow_javascript=True)  # a fixed script: no user text reaches it
