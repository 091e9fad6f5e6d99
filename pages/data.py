"""Data: upload a table or use the demo; preview; column kinds; train/holdout split."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import synth
from synth.schema import KIND_LABELS, ColumnKind
from ui import cached, state

st.title("Data")
st.caption(
    "Bring the real table you want to synthesize. It is split into **train** (what a synthesizer learns) and "
    "a **holdout** of real rows no synthesizer ever sees: the yardstick for fidelity and privacy."
)

upload_col, demo_col = st.columns([3, 1])
with upload_col:
    uploaded = st.file_uploader(
        "Upload a table (CSV, TSV, TXT or Parquet)",
        type=["csv", "tsv", "txt", "parquet"],
        key="upload",
        help=f"At most {cached.max_upload_bytes() / 1024 / 1024:.0f} MB. The first row must hold column names.",
    )
with demo_col:
    st.write("")
    st.write("")
    if st.button("Use the demo table", help="UCI Adult census extract, 32,561 people × 15 columns"):
        name, df = cached.demo_table()
        state.set_table(name, df)
        st.session_state["data_error"] = None

if uploaded is not None and uploaded.file_id != st.session_state["last_upload_id"]:
    # Read each upload once; a failed read leaves the loaded table as it was.
    st.session_state["last_upload_id"] = uploaded.file_id
    try:
        table = cached.read_upload(uploaded.getvalue(), uploaded.name, cached.max_upload_bytes())
    except synth.TableReadError as exc:
        st.session_state["data_error"] = str(exc)
    else:
        state.set_table(uploaded.name, table)
        st.session_state["data_error"] = None
        st.toast(f"Loaded {uploaded.name}: {len(table):,} rows × {table.shape[1]} columns")

if st.session_state["data_error"]:
    ds_now = state.dataset()
    kept = f" The table loaded before, **{ds_now.name}**, is still in use." if ds_now else ""
    st.error(f"**Could not load that file.** {st.session_state['data_error']}{kept}")

ds = state.dataset()
if ds is None:
    st.info("No table loaded yet: upload one above or use the demo table.")
    st.stop()

st.success(f"**{ds.name}** — {len(ds.df):,} rows × {ds.df.shape[1]} columns")

st.subheader("Preview")
st.dataframe(ds.df.head(200), width="stretch", height=260, key=f"preview_{ds.id}")

st.subheader("Column kinds")
st.caption(
    "How each column is modelled, and why. Change a kind if the guess is wrong. Identifiers and personal "
    "data (PII) are never learned: they are regenerated in the same format. Mark what an attacker would want "
    "to learn (**sensitive**) and what they may already know (**quasi-identifier**) for the privacy checks."
)
kind_options = [KIND_LABELS[k] for k in ColumnKind]
label_to_kind = {KIND_LABELS[k]: k for k in ColumnKind}
table = pd.DataFrame(
    {
        "column": [c.name for c in ds.schema],
        "kind": [KIND_LABELS[c.kind] for c in ds.schema],
        "sensitive": [c.sensitive for c in ds.schema],
        "quasi-identifier": [c.quasi_identifier for c in ds.schema],
        "why": [c.reason for c in ds.schema],
        "missing": [float(ds.df[c.name].isna().mean()) for c in ds.schema],
        "distinct": [int(ds.df[c.name].nunique()) for c in ds.schema],
    }
)
edited = st.data_editor(
    table,
    key=f"schema_editor_{ds.id}",
    hide_index=True,
    width="stretch",
    disabled=["column", "why", "missing", "distinct"],
    column_config={
        "kind": st.column_config.SelectboxColumn("kind", options=kind_options, required=True),
        "missing": st.column_config.ProgressColumn("missing", min_value=0.0, max_value=1.0, format="percent"),
        "sensitive": st.column_config.CheckboxColumn("sensitive"),
        "quasi-identifier": st.column_config.CheckboxColumn("quasi-identifier"),
    },
)
new_schema = ds.schema
for row in edited.to_dict("records"):
    spec = new_schema[row["column"]]
    changes: dict[str, object] = {}
    if label_to_kind[row["kind"]] != spec.kind:
        changes["kind"] = label_to_kind[row["kind"]]
    if bool(row["sensitive"]) != spec.sensitive:
        changes["sensitive"] = bool(row["sensitive"])
    if bool(row["quasi-identifier"]) != spec.quasi_identifier:
        changes["quasi_identifier"] = bool(row["quasi-identifier"])
    if changes:
        new_schema = new_schema.with_column(row["column"], **changes)
if new_schema != ds.schema:
    had_model = state.fitted() is not None
    ds = state.set_schema(new_schema)
    if had_model:
        st.warning("The column kinds changed, so the fitted model was discarded: fit again on **Synthesize**.")

st.download_button(
    "Download the schema (JSON)",
    data=ds.schema.to_json(),
    file_name="schema.json",
    mime="application/json",
)

st.subheader("Train / holdout split")
left, right = st.columns(2)
with left:
    holdout_pct = st.slider(
        "Holdout share (%)",
        min_value=5,
        max_value=50,
        value=round(ds.holdout_share * 100),
        step=5,
        help="Real rows kept away from every synthesizer, used as the reference of fresh real data.",
    )
with right:
    split_seed = st.number_input("Split seed", min_value=0, max_value=2**31 - 1, value=ds.split_seed, step=1)
if (holdout_pct / 100, int(split_seed)) != (ds.holdout_share, ds.split_seed):
    had_model = state.fitted() is not None
    try:
        ds = state.set_split(holdout_pct / 100, int(split_seed))
    except ValueError as exc:
        st.error(f"Cannot split this table that way: {exc}. Choose a smaller holdout share.")
    else:
        if had_model:
            st.warning("The split changed, so the fitted model was discarded: fit again on **Synthesize**.")
c1, c2 = st.columns(2)
c1.metric("Train rows", f"{len(ds.train):,}")
c2.metric("Holdout rows", f"{len(ds.holdout):,}")
st.page_link("pages/synthesize.py", label="Next: fit a synthesizer", icon=":material/model_training:")
