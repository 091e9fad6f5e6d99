"""The Race page's "bring your own synthetic table": another tool's output, checked column by column and scored
like a race run. Every name in it (the file's, the columns') is the user's text and is escaped for markdown."""

from __future__ import annotations

import streamlit as st

import synth
from synth.evaluation.results import number
from synth.report import ExternalTableError
from ui import cached, state
from ui.text import md


def fmt(x: float | None, digits: int = 3) -> str:
    return "—" if x is None else number(x, digits)


def render(ds: state.Dataset) -> None:
    st.subheader("Bring your own synthetic table")
    st.caption(
        "Synthetic data from another tool (SDV, MOSTLY AI, synthpop, Gretel, …), made from this table's training rows: "
        "upload it and it is checked column by column and scored like a race run."
    )
    upload = st.file_uploader(
        "Synthetic table (CSV, TSV, Parquet, Excel, JSON)",
        type=["csv", "tsv", "txt", "parquet", "xlsx", "xls", "json", "gz"],
        key="external_upload",
    )
    if upload is not None and upload.file_id != st.session_state.get("last_external_id"):
        st.session_state["last_external_id"] = upload.file_id
        try:
            frame = cached.read_external(upload.getvalue(), upload.name)
            result = cached.evaluate_external(
                f"{ds.key}|{upload.file_id}", upload.name, ds.train, frame, ds.holdout, ds.schema, ds.split_by
            )
            state.add_external(upload.name, result)
            st.session_state["external_error"] = None
            if result.check.complete and result.run.synthetic is not None:
                # Every real column is there: Compare and Privacy can show it like a sampled run.
                state.set_synthetic(
                    state.SyntheticTable(
                        model_label=f"{upload.name} (external)",
                        model_id="external",
                        n_rows=len(result.run.synthetic),
                        seed=0,
                        df=result.run.synthetic,
                        sample_seconds=0.0,
                        dataset_key=ds.key,
                        note="uploaded synthetic table from another tool",
                    )
                )
        except (synth.TableReadError, ExternalTableError) as exc:
            st.session_state["external_error"] = f"{md(upload.name)}: {md(exc)}"
    if st.session_state.get("external_error"):
        st.error(st.session_state["external_error"])
    for ext in state.external_runs():
        check, ev = ext.result.check, ext.result.run.evaluation
        with st.container(border=True, key=f"external_{ext.id}"):
            st.markdown(f"**{md(ext.name)}** — {ext.result.run.n_rows:,} rows")
            (st.success if check.clean else st.warning)("\n\n".join(md(m) for m in check.messages()))
            if check.complete:
                st.caption("Every real column is present: it is also on **Compare** and **Privacy** as a run.")
            tri = ev.accuracy_order(3)
            # Two rows of four: seven columns cut the labels and "0.946 / 0.960" to "0.946…" (the California walk).
            m = [*st.columns(4), *st.columns(4)]
            m[0].metric(
                "Trivariate accuracy",
                fmt(tri.value if tri else None),
                help=f"Fresh real data (the holdout): {fmt(tri.reference if tri else None)}",
            )
            m[1].metric(
                "Detection AUC (discriminator)",
                fmt(ev.discriminator_auc),
                help="Boosted trees telling synthetic from real rows; 0.5: they cannot tell them apart",
            )
            m[2].metric("Quality", fmt(ev.quality), help="sdmetrics-style, for comparison with published numbers")
            m[3].metric("Pair trends", fmt(ev.pair_trends))
            m[4].metric("TSTR vs TRTR", f"{fmt(ev.tstr)} / {fmt(ev.trtr)}")
            m[5].metric("Closeness (DCR share)", fmt(ev.closeness))
            m[6].metric("Privacy light", ev.privacy_level)
            if ev.fidelity_headline is not None:
                st.caption(ev.fidelity_headline.sentence)
            for part, msg in ev.errors.items():
                st.warning(f"{part.capitalize()} could not be scored: {md(msg)}")
