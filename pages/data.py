"""Data: upload a table or use the demo; preview; column kinds; pre-flight audit; train/holdout split."""

from __future__ import annotations

import pandas as pd
import streamlit as st

import synth
from synth.audit.calibration import PEAK_FACTOR
from synth.evaluation.privacy.common import PrivacyInputError, check_holdout
from synth.evaluation.results import percent
from synth.generated import REGENERATION_DETAILS, REGENERATION_LEAD
from synth.io import DEFAULT_MISSING_VALUES
from synth.schema import kind_choices, kind_label
from synth.schema.entities import suggested_entity
from ui import cached, intake, state
from ui.text import duration, md, megabytes

EDITOR_ROW = 35  # px: Streamlit's row height in a data editor

st.title("Data")
st.caption(
    "Bring the real table you want to synthesize. It is split into **train** (what a synthesizer learns) and "
    "a **holdout** of real rows no synthesizer ever sees: the yardstick for fidelity and privacy."
)

upload_col, demo_col = st.columns([3, 1])
with upload_col:
    uploaded = st.file_uploader(
        "Upload a table (CSV, TSV, TXT, Parquet, Excel .xlsx, JSON or JSON Lines; text files may be gzipped)",
        type=intake.UPLOAD_TYPES,
        key="upload",
        help=(
            f"At most {cached.max_upload_bytes() / 1024 / 1024:.0f} MB and {intake.max_rows():,} rows "
            "(a larger table can be worked on as a random sample). Text files need a header row; the delimiter, "
            "encoding and decimal mark are detected."
        ),
    )
with demo_col:
    st.write("")
    st.write("")
    if st.button("Use the demo table", help="UCI Adult census extract, 32,561 people × 15 columns"):
        name, df = cached.demo_table()
        state.set_table(name, df, table_id=state.DEMO_ID)
        st.session_state["data_error"] = None
        st.session_state["data_offer"] = None

with st.expander("Reading options"):
    left, mid, right = st.columns(3)
    delimiter = left.selectbox(
        "Delimiter", ["detect", ",", ";", "tab", "|"], help="For text files; detected from the first lines."
    )
    encoding = mid.selectbox("Encoding", ["detect", "utf-8", "cp1252", "latin-1"])
    decimal = right.selectbox("Decimal mark", ["detect", ".", ","], help="Some locales write 3,14 for 3.14.")
    sheet_names = cached.sheets(uploaded.getvalue(), uploaded.name) if uploaded is not None else []
    sheet = st.selectbox("Excel sheet", sheet_names) if len(sheet_names) > 1 else None
    markers = st.text_input(
        "Values read as missing (comma-separated)",
        value=", ".join(m if m else '""' for m in DEFAULT_MISSING_VALUES),
        help='Text that means "no value". Use "" for an empty field.',
    )
options = intake.ReadOptions(
    delimiter=None if delimiter == "detect" else ("\t" if delimiter == "tab" else delimiter),
    encoding=None if encoding == "detect" else encoding,
    decimal=None if decimal == "detect" else decimal,
    sheet=sheet,
    missing_values=tuple("" if m.strip() == '""' else m.strip() for m in markers.split(",")),
)

if uploaded is not None:
    # Read each upload (and each change of reading options) once; a failed read leaves the loaded table as it was.
    read_key = (uploaded.file_id, options)
    if read_key != st.session_state["last_upload_id"]:
        st.session_state["last_upload_id"] = read_key
        intake.load(uploaded, options)

if st.session_state["data_error"]:
    ds_now = state.dataset()
    kept = f" The table loaded before, **{md(ds_now.name)}**, is still in use." if ds_now else ""
    st.error(f"**Could not load that file.** {md(st.session_state['data_error'])}{kept}")
    offer = st.session_state.get("data_offer")
    if offer is not None and uploaded is not None:
        if offer.kind == "sample":
            label = f"Work on a random sample of {offer.rows:,} of its {offer.total:,} rows"
            if st.button(label, type="primary", key="offer_sample"):
                intake.load(uploaded, options, sample=offer.rows)
                st.rerun()
        elif offer.kind == "single_column" and st.button("Load the single column anyway", key="offer_single"):
            intake.load(uploaded, options, allow_single_column=True)
            st.rerun()

ds = state.dataset()
if ds is None:
    st.info("No table loaded yet: upload one above or use the demo table.")
    st.stop()

st.success(f"**{md(ds.name)}** — {len(ds.df):,} rows × {ds.df.shape[1]} columns")
info = ds.df.attrs.get("read_info") or {}
if info:
    st.caption(intake.read_caption(info, ds.schema))
    # What the read changed that the user must know (merged Excel cells filled with their value), as the CLI says.
    for warning in info.get("warnings") or ():
        st.warning(md(warning))

st.subheader("Preview")
st.dataframe(ds.df.head(200), width="stretch", height=260, key=f"preview_{ds.id}")

st.subheader("Column kinds")
st.caption(
    "How each column is modelled, and why. Change a kind if the guess is wrong. "
    + REGENERATION_LEAD
    + " Mark what an attacker would want to learn (**sensitive**) and what they may already know "
    "(**quasi-identifier**) for the privacy checks."
)
with st.expander("How identifiers and personal data are regenerated"):
    st.markdown(md(REGENERATION_DETAILS))
missing, distinct = cached.column_stats(ds.id, ds.df)
kind_options = list(kind_choices())  # the kinds, and short text read as its word patterns (a categorical's flag)
table = pd.DataFrame(
    {
        "column": [c.name for c in ds.schema],
        "kind": [kind_label(c) for c in ds.schema],
        "sensitive": [c.sensitive for c in ds.schema],
        "quasi-identifier": [c.quasi_identifier for c in ds.schema],
        "missing": [missing[c.name] for c in ds.schema],
        "distinct": [distinct[c.name] for c in ds.schema],
        "why": [c.reason for c in ds.schema],
    }
)
# The reason comes last and takes what is left (about 940 px in all on a 1400 px screen): placed before "missing"
# and "distinct" it pushed them past the page's right edge; its full text is in the expander below. Every column
# is listed (up to 30) without a scroll inside the table.
edited = st.data_editor(
    table,
    key=f"schema_editor_{ds.id}_{hash(ds.schema)}",
    hide_index=True,
    width="stretch",
    height=EDITOR_ROW * (min(len(table), 30) + 1) + 3,
    disabled=["column", "why", "missing", "distinct"],
    column_config={
        "column": st.column_config.TextColumn("column", width=140, pinned=True),
        "kind": st.column_config.SelectboxColumn("kind", options=kind_options, required=True, width=165),
        "sensitive": st.column_config.CheckboxColumn("sensitive", width=85),
        "quasi-identifier": st.column_config.CheckboxColumn(
            "quasi-id",
            width=85,
            help="Quasi-identifier: a column an attacker may already know about a person (age, postcode).",
        ),
        "missing": st.column_config.ProgressColumn("missing", min_value=0.0, max_value=1.0, format="percent", width=90),
        "distinct": st.column_config.NumberColumn("distinct", width=75, format="localized"),  # 32,561 not 32561
        "why": st.column_config.TextColumn("why", width=290),
    },
)
with st.expander("Why each kind was chosen (the full reasons)"):
    st.markdown("\n".join(f"- **{md(c.name)}** — {md(c.reason)}" for c in ds.schema))
new_schema = ds.schema
for row in edited.to_dict("records"):
    spec = new_schema[row["column"]]
    changes: dict[str, object] = {}
    if row["kind"] != kind_label(spec):
        changes.update(kind_choices()[row["kind"]])
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
        st.session_state["data_notice"] = (
            "The column kinds changed, so the fitted model was discarded: fit again on **Synthesize**."
        )
    # Draw the editor again from the new schema (its reasons change too).
    st.rerun()
if st.session_state.get("data_notice"):
    st.warning(st.session_state.pop("data_notice"))

save_col, load_col = st.columns(2)
with save_col:
    st.download_button(
        "Download the schema (JSON)", data=ds.schema.to_json(), file_name="schema.json", mime="application/json"
    )
with load_col:
    schema_file = st.file_uploader("Load a schema (JSON)", type=["json"], key="schema_upload")
if schema_file is not None and schema_file.file_id != st.session_state.get("last_schema_id"):
    st.session_state["last_schema_id"] = schema_file.file_id
    try:
        loaded = synth.Schema.from_json(schema_file.getvalue().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        st.error(f"**{md(schema_file.name)} is not a schema file:** {md(exc)}. Download one above to see the format.")
    else:
        if sorted(loaded.names) != sorted(ds.schema.names):
            lacking = sorted(set(ds.schema.names) - set(loaded.names))
            unknown = sorted(set(loaded.names) - set(ds.schema.names))
            st.error(
                f"**{md(schema_file.name)} does not fit this table.** "
                + (f"It lacks {md(', '.join(lacking))}. " if lacking else "")
                + (f"It names columns the table does not have: {md(', '.join(unknown))}. " if unknown else "")
                + "Load the schema saved for this table."
            )
        else:
            ds = state.set_schema(synth.Schema(tuple(loaded[n] for n in ds.schema.names)))
            st.rerun()

st.subheader("Before fitting")
report = cached.audit(ds.key, ds.df, ds.schema, ds.train)
counts = [
    f"{len(report.errors)} problem{'s' if len(report.errors) != 1 else ''} to fix" if report.errors else "",
    f"{len(report.warnings)} warning{'s' if len(report.warnings) != 1 else ''}" if report.warnings else "",
    f"{len(report.infos)} note{'s' if len(report.infos) != 1 else ''}" if report.infos else "",
]
summary = ", ".join(c for c in counts if c) or "nothing to report"
surface = (
    f" {report.unique_on_quasi_identifiers:,} rows ({report.unique_on_quasi_identifiers / max(report.n_rows, 1):.1%}) "
    "are unique on the quasi-identifiers: the re-identification surface."
    if report.unique_on_quasi_identifiers is not None
    else " Flag quasi-identifiers above to see how many rows they single out."
)
(st.error if report.errors else st.warning if report.warnings else st.info)(f"**Audit:** {summary}.{surface}")
icons = {"error": ":material/error:", "warning": ":material/warning:", "info": ":material/info:"}
with st.expander("Findings and suggested fixes", expanded=bool(report.errors)):
    for finding in report.findings:
        where = f" ({md(', '.join(finding.columns))})" if finding.columns else ""
        st.markdown(
            f"{icons.get(finding.severity, '')} **{md(finding.title)}**{where} — {md(finding.detail)}  \n"
            f"*What to do:* {md(finding.suggestion)}"
        )
    if not report.findings:
        st.write("No problems found.")
for offer in report.coarser_codes:
    # One click for the fix the fit warning asks for: the code's leading characters, which most rows share.
    st.info(
        f"**{md(offer.column)}**: {percent(offer.rare_share, 1)} of its rows hold a value fewer than {offer.k} rows "
        f"share, so every synthesizer learns them as one bucket, `(other)`, and its synthetic rows hold little "
        f"else. Its first **{offer.length}** characters ({offer.n_values:,} values become {offer.n_values_after:,}) "
        f"leave {percent(offer.rare_share_after, 1)} of rows in the bucket.",
        icon=":material/content_cut:",
    )
    if st.button(f"Keep the first {offer.length} characters of {offer.column}", key=f"cut_{offer.column}"):
        had_model = state.fitted() is not None
        ds = state.cut_to_prefix(offer)
        st.session_state["cut_note"] = (offer.column, offer.length, had_model)
        st.rerun()
if st.session_state["cut_note"]:
    column, length, had_model = st.session_state["cut_note"]
    st.session_state["cut_note"] = None
    dropped = " The fitted model was discarded: fit again on **Synthesize**." if had_model else ""
    st.success(f"**{md(column)}** now holds its first {length} characters in every row.{dropped}")
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
people = {e.column: e for e in cached.entity_candidates(ds.df, ds.schema)}
choices = [None, *people, *([ds.split_by] if ds.split_by and ds.split_by not in people else [])]
picked = st.selectbox(
    "Keep each person's rows together",
    range(len(choices)),  # positions: a column may be named anything, the first choice is no column
    index=choices.index(ds.split_by),
    format_func=lambda i: "no: every row is its own person" if choices[i] is None else f"by {choices[i]}",
    help="When rows repeat a person (a patient's visits, a customer's orders), the holdout takes each person's rows "
    "whole, so no one in it was seen in training: split by row, their other rows sit in train, and the holdout is "
    "no yardstick of people the model never saw. Suggested from identifier and personal-data columns that repeat.",
)
split_by = choices[picked]
if split_by is not None and split_by in people:
    st.caption(people[split_by].describe() + ".")
elif split_by is None and (first := suggested_entity(list(people.values()))) is not None:
    st.warning(
        f"{first.column} repeats ({first.people:,} values, {first.rows_per_person:.1f} rows each): split by row, "
        "the holdout holds rows of people seen in training, and privacy scores compare against them. Choose "
        f"**by {first.column}** unless each row really is a different person."
    )
if (holdout_pct / 100, int(split_seed), split_by) != (ds.holdout_share, ds.split_seed, ds.split_by):
    had_model = state.fitted() is not None
    try:
        ds = state.set_split(holdout_pct / 100, int(split_seed), split_by)
    except synth.SplitError as exc:  # its message says what to do
        st.error(f"Cannot split this table that way: {md(exc)}")
    else:
        if had_model:
            st.warning("The split changed, so the fitted model was discarded: fit again on **Synthesize**.")
c1, c2 = st.columns(2)
c1.metric("Train rows", f"{len(ds.train):,}")
c2.metric("Holdout rows", f"{len(ds.holdout):,}")
try:  # said here, where the share is chosen, not first on Privacy after a fit and a sample
    check_holdout(ds.holdout, n_train=len(ds.train), share="the holdout share above")
except PrivacyInputError as exc:
    st.warning(md(exc))
# After the split: the estimate is for the rows the fit will see, and must follow a split changed on this run.
estimates = cached.audit(ds.key, ds.df, ds.schema, ds.train).estimates
if estimates:
    st.caption(
        f"Estimated fit time on the {len(ds.train):,} train rows (CPU time on one core; a busy machine takes longer, "
        "CART's parallel trees less) and extra memory (within "
        f"{PEAK_FACTOR:g}× of the peak measured on every calibration and check table), "
        "scaled from fits timed and measured on sample tables of several sizes:"
    )
    st.dataframe(
        pd.DataFrame(
            {
                "synthesizer": [synth.synthesizers.get(e.synthesizer).label for e in estimates],
                "fit time": [duration(e.seconds) for e in estimates],
                "peak memory": [megabytes(e.peak_mb) for e in estimates],
                "note": [e.note for e in estimates],
            }
        ),
        hide_index=True,
        width="stretch",
    )
st.page_link("pages/synthesize.py", label="Next: fit a synthesizer", icon=":material/model_training:")
