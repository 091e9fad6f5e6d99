"""Privacy: could the synthetic table expose a real person? Copies, distances, membership attacks, the WP216
attacks with their control and baseline, sdmetrics beside ours, a record inspector, and a verdict in plain words.

The tables are prepared once per run (:func:`ui.state.privacy_inputs`) and every section reuses them. Every check
runs in the session's background worker (:mod:`ui.privacy_checks`), cheapest first — copies, the holdout-sized
closeness share, distances, rare values, membership attacks, the WP216 attacks — and each section is drawn as soon
as its result lands (a fragment polls while work is pending), so the page is never blank and stays usable; the
verdict on top fills in last. Finished results stay with the run: coming back to the page recomputes nothing.
"""

from __future__ import annotations

import dataclasses
import time

import streamlit as st

from synth.evaluation.privacy.attacks import AttackerModel, AttackerModelError, AttackResult, default_attacker_model
from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.verdict import privacy_verdict
from ui import guards, privacy_checks, privacy_panels, state
from ui.privacy_checks import done, shown
from ui.privacy_inspector import inspector
from ui.privacy_job import PrivacyJob
from ui.text import md

N_ATTACK_CHOICES = (500, 1000, 2000, 5000)

started = time.perf_counter()
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


spec = None if model is None else (model.model.name, tuple(sorted(model.model.get_params().items())))
try:
    inputs: PrivacyInputs = state.privacy_inputs(ds, syn, spec)
except PrivacyInputError as exc:
    pending.empty()
    st.error(md(exc))
    st.stop()
job: PrivacyJob = state.privacy_job(ds, syn, spec)
finished_at_start = job.finished_names()
for note in inputs.notes:
    st.info(md(note))
raw = (ds.train, syn.df, ds.holdout)
privacy_checks.submit_base(job, inputs, raw, ds.schema)
first_deadline = started + privacy_checks.FIRST_WAIT_SECONDS
privacy_checks.wait_first(job, ("copies",), first_deadline)

# ---------------------------------------------------------------------------------------------------- copies
st.subheader("Copies of training rows")
copies = shown(job.get("copies"))
if copies is not None:
    privacy_panels.copies(copies)

# ------------------------------------------------------------------------------------------------ distances
st.subheader("Distance to the closest real row")
privacy_checks.wait_first(job, ("closeness",), first_deadline)
closeness_task = job.get("closeness")
result = done(job.get("distances"))
if closeness_task is not None and closeness_task.status == "failed":
    shown(closeness_task)  # its error message
else:
    privacy_panels.closeness(done(closeness_task), result)
    if result is not None:
        privacy_panels.distances(result, job.memo("distance_figures", lambda: privacy_panels.distance_figures(result)))
    else:
        shown(job.get("distances"))

# ----------------------------------------------------------------------------------------------- rare values
st.subheader("Rare values copied")
rare = shown(job.get("rare_values"))
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
mia = shown(job.get("membership"))
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
attack_tasks = [privacy_checks.submit_attacks(job, inputs, AttackerModel((), ""), ("singling_out",), n_attacks)]
if attacker_error is None:
    attack_tasks.append(privacy_checks.submit_attacks(job, inputs, attacker, ("linkability", "inference"), n_attacks))
attack_results: list[AttackResult] = []
for task in attack_tasks:
    report = shown(task)
    if report is not None:
        attack_results += report.results
if attack_results:
    figures_key = ("attack_figures", *(t.name for t in attack_tasks if t.status == "done"))
    privacy_panels.attacks(attack_results, job.memo(figures_key, lambda: privacy_panels.attack_figures(attack_results)))

# --------------------------------------------------------------------------------------------------- sdmetrics
st.subheader("sdmetrics beside ours")
st.session_state.setdefault("privacy_sdmetrics", False)  # a widget's default, kept across reruns
if st.toggle(
    "Compare with sdmetrics",
    key="privacy_sdmetrics",
    help="sdmetrics' own privacy metrics on small subsamples (a few seconds; off until asked for).",
):
    ok = attacker_error is None
    sd = shown(privacy_checks.submit_sdmetrics(job, raw, ds.schema, tuple(known) if ok else (), secret if ok else ""))
    if sd is not None:
        privacy_panels.sdmetrics(sd)

# ------------------------------------------------------------------------------------------- record inspector
st.subheader("Record inspector")
if result is None:
    st.caption("The inspector opens on the synthetic rows closest to a training row once the distances are in.")
else:
    inspector(key, inputs, syn.df, result, known)

# ----------------------------------------------------------------------------------------------------- verdict
pending.empty()
with verdict_box:
    if job.pending(["distances", "membership", "rare_values", *(t.name for t in attack_tasks)]) or result is None:
        privacy_checks.poll(job, finished_at_start)
    else:
        verdict = job.memo(
            ("verdict", *(t.name for t in attack_tasks), tuple(known)),
            lambda: privacy_verdict(
                dataclasses.replace(result, membership=mia),
                attack_results,
                model=model.name if model is not None else None,
                quasi_identifiers=known,
                rare_values=rare,
            ),
        )
        privacy_panels.verdict(verdict)
        if job.pending():  # e.g. sdmetrics, asked for after the rest
            privacy_checks.poll(job, finished_at_start)
