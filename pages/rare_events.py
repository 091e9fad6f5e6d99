"""Rare events: does adding synthetic rows of a rare class help a model, and is the synthetic data fair?"""

from __future__ import annotations

import streamlit as st

from ui import guards, rare_events, state

st.title("Rare events and bias")
ds = guards.need_dataset()
fit = guards.need_fitted()
models = state.fitted_models()
if len(models) > 1:
    ids = [m.id for m in models]
    chosen = st.selectbox(
        "Model",
        ids,
        index=ids.index(fit.id) if fit.id in ids else len(ids) - 1,
        format_func=lambda i: next(m.label for m in models if m.id == i),
        key="rare_model",
    )
    fit = state.select_fitted(chosen)
st.caption(
    f"Questions about rare classes and groups, answered with the fitted **{fit.label}** and judged on the real "
    "holdout (the rows the model never saw), like every score on Compare."
)
rare_events.augmentation_panel(ds, fit)
st.divider()
rare_events.fairness_panel(ds, fit)
