"""Sample: draw a synthetic table from a fitted model, optionally conditioned or rebalanced; preview; download."""

from __future__ import annotations

import contextlib
import os

import streamlit as st

import synth
from synth.evaluation.context import ContextError
from synth.synthesizers.conditional import segment_note
from ui import bulk_export, cached, conditions, guards, privacy_checks, rare_events, state
from ui.progress import StreamlitProgress
from ui.text import md

MAX_ROWS = int(os.environ.get("SYNTH_MAX_SAMPLE_ROWS", "1000000"))

st.title("Sample")
ds = guards.need_dataset()
fit = guards.need_fitted()
models = state.fitted_models()
if len(models) > 1:
    ids = [m.id for m in models]
    chosen_id = st.selectbox(
        "Model to sample from",
        ids,
        index=ids.index(fit.id) if fit.id in ids else len(ids) - 1,
        format_func=lambda i: next(m.label for m in models if m.id == i),
    )
    fit = state.select_fitted(chosen_id)
st.caption(f"Draw rows from the fitted **{fit.label}**. The same seed always gives the same table.")

left, right = st.columns(2)
n_rows = int(
    left.number_input(
        "Rows",
        min_value=1,
        max_value=MAX_ROWS,
        value=min(len(ds.train), MAX_ROWS),
        step=1000,
        help=f"Up to {MAX_ROWS:,}. The comparison pages work best with about as many rows as train.",
    )
)
seed = int(right.number_input("Seed", min_value=0, max_value=2**31 - 1, value=1, step=1))
with st.expander("Conditions and rebalancing"):
    preset = rare_events.preset_toggle(ds)
    wanted = conditions.conditions_editor(ds.train, ds.schema, key="cond")
    rare_events.coverage_preview(ds, wanted)
    st.divider()
    rebalance = preset or conditions.rebalance_editor(ds.train, ds.schema, key="rebal")
if wanted or rebalance:
    st.info(f"Sampling with: {md(conditions.describe(wanted, rebalance))}")
    note = segment_note(fit.model)
    if note:
        st.caption(f"**Inside the segment, with {md(fit.label)}:** {md(note)}")

if st.button("Sample", type="primary", key="sample_button"):
    progress = StreamlitProgress(f"Sampling {n_rows:,} rows")
    try:
        df = fit.model.sample(n_rows, seed=seed, conditions=wanted or None, rebalance=rebalance, progress=progress)
    except (synth.SynthesizerError, ValueError) as exc:
        st.error(f"**Sampling failed:** {md(exc)} The previous synthetic table, if any, is kept.")
    else:
        progress.done(f"Sampled {n_rows:,} rows")
        state.set_synthetic(
            state.SyntheticTable(
                model_label=fit.label,
                model_id=fit.id,
                n_rows=n_rows,
                seed=seed,
                df=df,
                sample_seconds=progress.elapsed,
                dataset_key=ds.key,
                note=conditions.describe(wanted, rebalance),
            )
        )

syn = state.synthetic()
if syn is not None:
    rate = syn.n_rows / max(syn.sample_seconds, 1e-9)
    st.success(
        f"**{syn.n_rows:,} synthetic rows** from {syn.model_label} (seed {syn.seed}) "
        f"in {syn.sample_seconds:.2f} s ({rate:,.0f} rows/s)." + (f" Sampled with: {syn.note}." if syn.note else "")
    )
    st.dataframe(syn.df.head(200), width="stretch", height=300, key=f"synthetic_preview_{syn.id}")
    # Read from the sample itself: a column is named only where the table to download shows finer numbers.
    made_by = state.model_of(syn)
    unrounded = cached.finer_note(f"{syn.id}:{ds.key}", syn.df, ds.schema, made_by.model if made_by else None)
    if unrounded:
        st.caption(f":material/info: **Finer than the real columns:** {md(unrounded)}")
    pooled_of = getattr(made_by.model, "pooled_note", None) if made_by is not None else None
    pooled = pooled_of() if callable(pooled_of) else None
    if pooled:  # Compare shows "(other)" bars next: say here where they come from
        st.caption(f":material/join: **Rare categories pooled:** {md(pooled)}")
    st.download_button(
        "Download the synthetic table (CSV)",
        data=cached.csv_bytes(f"{syn.id}:{ds.key}", syn.df, ds.schema),
        file_name=f"synthetic_{fit.name}_seed{syn.seed}{conditions.file_suffix(syn.note)}.csv",
        mime="text/csv",
        type="primary",
    )
    st.page_link("pages/compare.py", label="Next: compare with the real table", icon=":material/compare:")

st.divider()
bulk_export.bulk_export(fit.model, fit.label, seed, wanted or None, rebalance)
if syn is not None and syn.dataset_key == ds.key:
    # Compare's headline scores start now, in background threads on this session's context of the run (the page
    # is drawn already, so they do not hold it up): they are done or under way when the user opens Compare.
    with contextlib.suppress(ContextError):  # Compare reports it where the run is scored
        cached.prefetch_compare(state.evaluation_context(ds, syn))
        state.prefetch_privacy(ds, syn, privacy_checks.submit_first)
