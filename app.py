"""Streamlit entry point: page config, session state, navigation over the pages in pages/."""

from __future__ import annotations

import streamlit as st

from ui import forget, gc_tuning, preload, state
from ui.text import md

gc_tuning.freeze_imports()  # once per process, before any user data: the collector stops walking the libraries

st.set_page_config(page_title="Synthetic data explorer", page_icon=":material/science:", layout="wide")
state.init_state()

PAGES = [
    st.Page("pages/data.py", title="Data", icon=":material/table_view:", default=True),
    st.Page("pages/synthesize.py", title="Synthesize", icon=":material/model_training:"),
    st.Page("pages/sample.py", title="Sample", icon=":material/casino:"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare:"),
    st.Page("pages/rare_events.py", title="Rare events", icon=":material/balance:"),
    st.Page("pages/privacy.py", title="Privacy", icon=":material/lock:"),
    st.Page("pages/race.py", title="Race", icon=":material/leaderboard:"),
    st.Page("pages/report.py", title="Report", icon=":material/description:"),
    st.Page("pages/demo.py", title="Demo mode", icon=":material/co_present:"),
]


def _by(column: str | None) -> str:
    return f" by {md(column)}" if column else ""


def show_status() -> None:
    """The walk so far, drawn after the page ran so it includes what this run just did."""
    ds, fit, syn = state.dataset(), state.fitted(), state.synthetic()
    lines = [
        f"**Table:** {md(ds.name)} — {len(ds.df):,} rows" if ds else "**Table:** none",
        f"**Split:** {len(ds.train):,} train / {len(ds.holdout):,} holdout{_by(ds.split_by)}" if ds else "",
        f"**Model:** {md(fit.label)}" if fit else "**Model:** not fitted yet",
        f"**Synthetic:** {syn.n_rows:,} rows (seed {syn.seed})" if syn else "**Synthetic:** not sampled yet",
    ]
    with status.container():  # replaces what an earlier call drew in the placeholder
        st.markdown("### Synthetic data explorer")
        st.caption("\n\n".join(line for line in lines if line))


navigation = st.navigation(PAGES)
status = st.sidebar.empty()
forget.forget_button()
# The pages after a fit draw charts: the browser loads their library in its idle time, best while the server fits
# (the run of the Fit button: the sidebar is sent before the page starts fitting), else once a model exists.
if state.fitted() is not None or st.session_state.get("fit_button"):
    with st.sidebar:
        preload.chart_library()
# Drawn before the page too: a page that stops early (st.stop() for "fit a model first") stops every later
# Streamlit call, so the drawing after it would never arrive and the sidebar would lose the walk.
show_status()
try:
    navigation.run()
finally:
    show_status()
