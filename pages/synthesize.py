"""Synthesize: pick a synthesizer, set its parameters, fit it on the training table."""

from __future__ import annotations

import streamlit as st

import synth
from synth.synthesizers import get
from ui import guards, state
from ui.params import param_widget
from ui.progress import StreamlitProgress

st.title("Synthesize")
ds = guards.need_dataset()
st.caption(
    f"Fits on the **{len(ds.train):,} training rows** of {ds.name}. "
    f"The {len(ds.holdout):,} holdout rows are never shown to a synthesizer."
)

names = synth.available()
choice = st.selectbox(
    "Synthesizer",
    names,
    format_func=lambda n: get(n).label,
    key="synthesizer_choice",
)
cls = get(choice)
st.markdown(cls.description)
guarantee = getattr(cls, "guarantee", None)
if guarantee:
    st.info(f"**Privacy guarantee:** {guarantee}")

with st.form("fit_form", border=True):
    st.markdown("**Parameters**")
    values = {p.name: param_widget(p, key=f"param_{choice}_{p.name}") for p in cls.params}
    seed = int(
        st.number_input("Random seed", min_value=0, max_value=2**31 - 1, value=0, step=1, key="fit_seed")
    )
    submitted = st.form_submit_button("Fit", type="primary", key="fit_button")

if submitted:
    progress = StreamlitProgress(f"Fitting {cls.label}")
    try:
        model = synth.create(choice, random_state=seed, **values)
        model.fit(ds.train, ds.schema, progress=progress)
    except (synth.SynthesizerError, ValueError) as exc:
        st.error(f"**Fitting failed:** {exc}. The previous model, if any, is kept.")
    else:
        progress.done(f"Fitted {cls.label}")
        state.set_fitted(
            state.FittedModel(
                name=choice,
                label=cls.label,
                params={"random_state": seed, **values},
                model=model,
                fit_seconds=progress.elapsed,
                dataset_key=ds.key,
            )
        )

fit = state.fitted()
if fit is not None:
    st.success(f"**{fit.label}** fitted in {fit.fit_seconds:.2f} s on {len(ds.train):,} rows.")
    with st.expander("Settings of the fitted model"):
        st.json(fit.params)
    st.page_link("pages/sample.py", label="Next: sample a synthetic table", icon=":material/casino:")
