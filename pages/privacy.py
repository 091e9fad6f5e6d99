"""Privacy: could the synthetic table expose a real person? Copies, distances, membership attacks, the WP216
attacks with their control and baseline, sdmetrics beside ours, a record inspector, and a verdict in plain words.

The tables are prepared once per run (:func:`ui.state.privacy_inputs`) and every section reuses them. Sections
are drawn in order of cost, each as soon as its result is ready — copies first (well under a second), then
distances, membership attacks and the attacks — so the page is never blank; the verdict on top fills in last.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import TypeVar

import streamlit as st

from synth.evaluation.privacy.attacks import AttackerModel, AttackerModelError, AttackResult, default_attacker_model
from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.verdict import privacy_verdict
from ui import cached, guards, privacy_panels, state
from ui.text import md

N_ATTACK_CHOICES = (500, 1000, 2000, 5000)
T = TypeVar("T")

st.title("Privacy")
ds = guards.need_dataset()
guards.need_fitted()
syn = guards.need_synthetic()
model = next((m for m in (*state.fitted_models(), state.fitted()) if m is not None and m.id == syn.model_id), None)
key = f"{ds.key}|{syn.id}"
st.caption(
    f"{syn.n_rows:,} synthetic rows from **{syn.model_label}** against the {len(ds.train):,} training rows. A "
    "synthetic row that sits much closer to a training person than fresh real people do may reveal that "
    f"person; the {len(ds.holdout):,} holdout rows (people the model never saw) are the yardstick for every "
    "number below."
)
verdict_box = st.container()
with verdict_box:
    pending = st.empty()
    pending.info("The verdict appears here as soon as every check below has finished; results fill in as they come.")


def shown_errors(call: Callable[[], T]) -> T | None:
    """Run a cached call (it draws its own progress bar); bad input becomes an error message, not a crash."""
    try:
        return call()
    except PrivacyInputError as exc:
        st.error(md(exc))
        return None


spec = None if model is None else (model.model.name, tuple(sorted(model.model.get_params().items())))
prepared = shown_errors(lambda: state.privacy_inputs(ds, syn, spec))
if prepared is None:
    pending.empty()
    st.stop()
assert prepared is not None  # st.stop() ends the run above
inputs: PrivacyInputs = prepared
for note in inputs.notes:
    st.info(md(note))

# ---------------------------------------------------------------------------------------------------- copies
st.subheader("Copies of training rows")
privacy_panels.copies(cached.privacy_copies(key, inputs))

# ------------------------------------------------------------------------------------------------ distances
st.subheader("Distance to the closest real row")
result = shown_errors(lambda: cached.privacy(key, inputs))
if result is not None:
    privacy_panels.distances(result)

# ----------------------------------------------------------------------------------------------- rare values
st.subheader("Rare values copied")
rare = shown_errors(lambda: cached.rare_values(key, ds.train, syn.df, ds.holdout, ds.schema))
if rare is not None:
    privacy_panels.rare_values(rare)

# ------------------------------------------------------------------------------------------------ membership
st.subheader("Membership inference")
st.caption(
    "Could an attacker tell that a real person was in the training data? Four ways of attacking — distance to the "
    "closest synthetic row, the density ratio (DOMIAS), a shadow model (the synthesizer refitted on data the "
    "attacker holds) and the same attacks on the 1% most isolated training rows — each scored by AUC and by the "
    "share of members caught at 1% and 10% false alarms."
)
mia = shown_errors(lambda: cached.privacy_membership(key, inputs))
if mia is not None:
    privacy_panels.membership(mia)

# ------------------------------------------------------------------------------------------- attacker model
st.subheader("Attacker model")
learned = [c for c in ds.schema.modelled if c in syn.df.columns]
default = default_attacker_model(ds.schema, ds.train)
left, right = st.columns([3, 1])
known = left.multiselect(
    "Columns the attacker knows (quasi-identifiers)",
    learned,
    default=[c for c in default.known if c in learned],
    key=f"attacker_known|{ds.key}",
    help="What an attacker already knows about the person they target: age, sex, postcode, ...",
)
secret = right.selectbox(
    "The secret they want to learn",
    learned,
    index=learned.index(default.secret) if default.secret in learned else 0,
    key=f"attacker_secret|{ds.key}",
)
if default.is_default:
    st.info(
        f"Defaults — {default.note}. Flag quasi-identifiers and a sensitive column in the schema on the **Data** "
        "page to make them the defaults here."
    )
chosen_b = st.multiselect(
    "Linkability: the second dataset's columns (the first holds the known columns)",
    learned,
    default=[],
    key=f"link_b|{ds.key}",
    placeholder="every learned column the attacker does not know, except the secret",
    help="The linkability attack tries to join a table of the known columns with a table of these columns "
    "through the synthetic rows.",
)
link_b = tuple(c for c in chosen_b if c not in known)
if len(link_b) < len(chosen_b):
    st.caption("Known columns are in the first dataset, so they are left out of the second.")
n_attacks = st.select_slider(
    "Attacks per run", N_ATTACK_CHOICES, value=2000, key="privacy_n_attacks", help="More attacks, narrower intervals."
)
attacker = AttackerModel(tuple(known), secret, link_a=tuple(known), link_b=link_b)
attacker_error = None
try:
    attacker.validate(ds.schema, ds.train)
except AttackerModelError as exc:
    attacker_error = str(exc)
    st.error(md(attacker_error))

# ----------------------------------------------------------------------------------------------------- attacks
st.subheader("Attacks, with their control and baseline")
st.caption(
    "Each attack uses only the synthetic table and runs three ways: against training rows (**main**), against "
    "holdout rows the model never saw (**control**) and at random (**baseline**). The **risk** is what the main "
    "attack gains over the control, (main − control) / (1 − control), with a 95% interval — the framework of "
    "Giomi et al. (PoPETs 2023), as in anonymeter. Singling out uses every learned column; linkability and "
    "inference follow the attacker model above."
)
attack_results: list[AttackResult] = []
so = shown_errors(
    lambda: cached.privacy_attacks(key, inputs, AttackerModel((), ""), ("singling_out",), n_attacks),
)
if so is not None:
    attack_results += so.results
if attacker_error is None:
    ai = shown_errors(
        lambda: cached.privacy_attacks(key, inputs, attacker, ("linkability", "inference"), n_attacks),
    )
    if ai is not None:
        attack_results += ai.results
if attack_results:
    privacy_panels.attacks(attack_results)

# --------------------------------------------------------------------------------------------------- sdmetrics
st.subheader("sdmetrics beside ours")
sd = None
st.session_state.setdefault("privacy_sdmetrics", False)  # a widget's default, kept across reruns
if st.toggle(
    "Compare with sdmetrics",
    key="privacy_sdmetrics",
    help="sdmetrics' own privacy metrics on small subsamples (a few seconds; off until asked for).",
):
    sd = shown_errors(
        lambda: cached.privacy_sdmetrics(
            key,
            ds.train,
            syn.df,
            ds.holdout,
            ds.schema,
            tuple(known) if attacker_error is None else (),
            secret if attacker_error is None else "",
        ),
    )
if sd is not None:

    def score(x: float | None) -> str:
        return "—" if x is None else f"{x:.3f}"

    c = st.columns(3)
    c[0].metric(
        "DCRBaselineProtection (sdmetrics)",
        score(sd.dcr_baseline_protection),
        help="Median DCR of synthetic rows over that of uniformly random rows; 1 = as far from real rows as noise.",
    )
    c[1].metric(
        "DCROverfittingProtection (sdmetrics)",
        score(sd.dcr_overfitting_protection),
        help="2 × (1 − share of synthetic rows closer to train than to the holdout), capped at 1.",
    )
    c[2].metric(
        "DisclosureProtection (sdmetrics)",
        score(sd.disclosure_protection),
        help="CAP attack protection over random guessing of the secret from the known columns (estimated on "
        f"{sd.disclosure_iterations} × {sd.disclosure_rows_subsample:,}-row subsamples).",
    )
    st.caption(
        f"sdmetrics {sd.version}, 1 = best protection. Its DCR metrics ran on {sd.num_iterations} subsamples of "
        f"{sd.num_rows_subsample:,} rows (its num_rows_subsample / num_iterations): on the full tables each takes "
        "minutes. On such subsamples a verbatim copy of train still scores about 0.91 on DCROverfittingProtection, "
        "inside the range of real generators — read these beside the measures above, not instead of them."
    )
    for err in sd.errors:
        st.warning(f"sdmetrics could not compute {md(err)}")

# ------------------------------------------------------------------------------------------- record inspector
st.subheader("Record inspector")
unmask = st.checkbox(
    "Unmask values",
    value=False,
    key="inspect_unmask",
    help="Real values of real people are hidden by default; show them only to someone allowed to see the data.",
)
closest = list(result.closest_rows) if result is not None else []
row_key = f"inspect_row|{key}"
if closest:
    st.caption(
        f"Click a row to inspect it: the synthetic rows closest to a training row, closest first, found among all "
        f"{len(syn.df):,} synthetic rows" + ("." if unmask else "; values masked.")
    )
    shown = privacy_panels.masked(syn.df.iloc[closest[:20]], unmask)
    picked = st.dataframe(
        shown, on_select="rerun", selection_mode="single-row", key=f"closest_rows|{key}", height=250
    ).selection.rows
    # A new click sets the row below; a number typed after the click is kept until the next click.
    if picked and st.session_state.get("inspect_last_pick") != (key, picked[0]):
        st.session_state["inspect_last_pick"] = (key, picked[0])
        st.session_state[row_key] = int(closest[picked[0]])
st.session_state.setdefault(row_key, int(closest[0]) if closest else 0)
row = int(
    st.number_input(
        "Synthetic row to inspect",
        min_value=0,
        max_value=max(len(syn.df) - 1, 0),
        step=1,
        key=row_key,
        help="Row number in the synthetic table (0 = first): any row, or one clicked above.",
    )
)
inspection = shown_errors(lambda: cached.inspect_record(key, inputs, row, tuple(known)))
if inspection is not None:
    st.markdown(md(inspection.summary()))
    st.dataframe(inspection.table(masked=not unmask), key="inspector_table")
    if not unmask:
        st.caption("Values are masked: ✓ marks a column equal to the synthetic row's, ✗ a different one.")

# ----------------------------------------------------------------------------------------------------- verdict
pending.empty()
if result is not None:
    verdict = privacy_verdict(
        dataclasses.replace(result, membership=mia),
        attack_results,
        model=model.name if model is not None else None,
        quasi_identifiers=known,
        rare_values=rare,
    )
    with verdict_box:
        privacy_panels.verdict(verdict)
