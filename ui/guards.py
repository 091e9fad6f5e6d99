"""Checks at the top of a page: is what this step needs already there? If not, say which step to do."""

from __future__ import annotations

import streamlit as st

from ui import state


def need_dataset() -> state.Dataset:
    ds = state.dataset()
    if ds is None:
        st.info("No table is loaded. Go to **Data** and upload a file or use the demo.")
        st.page_link("pages/data.py", label="Go to Data", icon=":material/table_view:")
        st.stop()
    return ds


def need_fitted() -> state.FittedModel:
    fit = state.fitted()
    if fit is None:
        st.info("No synthesizer is fitted on this table yet. Go to **Synthesize** and fit one.")
        st.page_link("pages/synthesize.py", label="Go to Synthesize", icon=":material/model_training:")
        st.stop()
    return fit


def need_synthetic() -> state.SyntheticTable:
    syn = state.synthetic()
    if syn is None:
        st.info("No synthetic table yet. Fit a synthesizer, then go to **Sample** and draw one.")
        st.page_link("pages/sample.py", label="Go to Sample", icon=":material/casino:")
        st.stop()
    return syn
