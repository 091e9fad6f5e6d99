"""Report: one self-contained HTML file, the JSON of every metric, the synthetic-data card and the run manifest;
and a manifest uploaded back reproduces its tables and scores."""

from __future__ import annotations

import re

import streamlit as st

import synth
from synth.report.card import DEFAULT_USE
from synth.report.manifest import ManifestError
from ui import cached, guards, report_pdf, report_privacy, state
from ui.text import md

st.title("Report")
ds = guards.need_dataset()

# ----------------------------------------------------------------------------- reproduce from a manifest
with st.expander("Reproduce a run from its manifest", expanded=st.session_state.get("reproduction") is not None):
    st.caption(
        "Upload a run manifest downloaded here before. With the same table loaded, every run is fitted, sampled "
        "and scored again and each synthetic table is checked byte for byte against the manifest."
    )
    upload = st.file_uploader("Run manifest (JSON)", type=["json"], key="manifest_upload")
    if upload is not None and upload.file_id != st.session_state.get("last_manifest_id"):
        st.session_state["last_manifest_id"] = upload.file_id
        try:
            with st.spinner("Reproducing every run of the manifest…", show_time=True):
                again = synth.reproduce(upload.getvalue(), ds.df)
            st.session_state["reproduction"] = again
            state.set_race(again.result)
        except ManifestError as exc:
            st.session_state["reproduction"] = None
            st.error(md(exc))
    again = st.session_state.get("reproduction")  # type: ignore[assignment]
    if again is not None:
        if again.identical:
            st.success(f"Reproduced {len(again.matches)} run(s): every synthetic table is identical byte for byte.")
        else:
            differ = [label for label, ok in again.matches.items() if not ok]
            st.warning(f"Reproduced, but these tables differ from the manifest's: {md(', '.join(differ))}.")
        if again.version_differences:
            st.caption(
                "Package versions differ from the manifest's: "
                + ", ".join(f"{k} {a} → {b}" for k, (a, b) in again.version_differences.items())
            )

result = state.current_race()
fit, syn = state.fitted(), state.synthetic()
current = fit is not None and syn is not None and syn.model_id == fit.id
if current and fit is not None and syn is not None:
    label = f"{fit.label} · seed {syn.seed} (current run)"
    listed = {r.label for r in (result.runs if result is not None else ())}
    if label not in listed and st.button(f"Add the current run to the report: {label}", key="report_current_run"):
        # Its privacy is the Privacy page's (the same checks, reused when done), not a screening of its own.
        state.add_external(label, report_privacy.current_row(ds, fit, syn, label))
        st.rerun()
if result is None:
    st.info(
        "Nothing to report yet: add the current run with the button above, or run a race (or bring your own "
        "synthetic table) on the **Race** page."
        if current
        else "Nothing to report yet: fit and sample a model, or run a race (or bring your own synthetic table) on "
        "the **Race** page."
    )
    st.page_link("pages/race.py", label="Go to Race", icon=":material/leaderboard:")
    st.stop()

scored = [r.label for r in result.runs if r.evaluation is not None]
if not scored:
    st.warning("No run finished with scores: " + "; ".join(f"{md(r.label)}: {md(r.error)}" for r in result.runs))
    st.stop()

# ----------------------------------------------------------------------------- options
left, right = st.columns(2)
focus = left.selectbox(
    "Run shown in detail",
    options=scored,
    index=scored.index(result.recommended) if result.recommended in scored else 0,
    key="report_focus",
    help="The report lists every run in its race table; fidelity, utility and privacy are detailed for this one.",
)
# With a person column the report counts people, not rows (synth.report.suppression): the label says so, as the
# report's own note does (the ledger walk read "under k rows" above a report that counted holders).
counted = f"people (by {ds.split_by})" if ds.split_by else "rows"
k = right.number_input(
    f"Suppress real-data cells under k {md(counted)}",
    min_value=1,
    max_value=1000,
    value=10,
    key="report_k",
    help=f"Histogram bars and categories of the real table with fewer {counted.split()[0]} are hidden (folded into "
    "one bar); 1 turns suppression off.",
)
include_real = st.checkbox(
    "Include a few real rows and the audit details (they quote real values)", value=False, key="report_real_rows"
)
intended = st.text_area("Intended use (for the data card)", value=DEFAULT_USE, key="report_use")
st.caption(
    f"Privacy-safe by default: real-data histogram bars and categories under {int(k)} {md(counted)} are suppressed, "
    "and " + ("real rows **are included** because you asked." if include_real else "no real row is printed.")
)

audit = cached.audit(ds.key, ds.df, ds.schema, ds.train)
html, data_json, card_md, manifest = cached.report(
    state.current_race_key(),
    focus,
    int(k),
    bool(include_real),
    intended,
    ds.name,
    ds.df,
    ds.train,
    ds.holdout,
    ds.schema,
    result,
    audit,
    ds.holdout_share,
    ds.split_seed,
    ds.split_by,
)
stem = re.sub(r"[^A-Za-z0-9]+", "_", ds.name).strip("_") or "table"
cols = st.columns(4)
cols[0].download_button(
    "Report (HTML)", html, file_name=f"{stem}_report.html", mime="text/html", key="download_report", type="primary"
)
cols[1].download_button(
    "Metrics (JSON)", data_json, file_name=f"{stem}_metrics.json", mime="application/json", key="download_json"
)
cols[2].download_button(
    "Data card (Markdown)", card_md, file_name=f"{stem}_card.md", mime="text/markdown", key="download_card"
)
cols[3].download_button(
    "Run manifest (JSON)", manifest, file_name=f"{stem}_manifest.json", mime="application/json", key="download_manifest"
)
st.caption(f"The HTML report is one file of {len(html) / 2**20:.1f} MB: charts included, it opens offline.")
report_pdf.render(html, stem)

st.subheader("Data card")
st.markdown(card_md.decode("utf-8"))
