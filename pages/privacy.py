"""Privacy: could the synthetic table expose a real person? Copies, distances, membership attacks, the WP216
attacks with their control and baseline, sdmetrics beside ours, a record inspector, and a verdict in plain words.

The tables are prepared once per run (:func:`ui.state.privacy_inputs`) and every section reuses them. Every check
runs in the session's background worker (:mod:`ui.privacy_checks`), cheapest first — copies, the holdout-sized
closeness share, distances, rare values, membership attacks, the WP216 attacks — and each section is drawn as soon
as its result lands (a fragment polls while work is pending), so the page is never blank and stays usable; the
verdict on top fills in last. Finished results stay with the run: coming back to the page recomputes nothing.
"""

from __future__ import annotations

import time

import streamlit as st

from synth.evaluation.privacy.attacks import AttackResult
from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.inputs import PrivacyInputs
from ui import guards, privacy_attacker, privacy_checks, privacy_panels, privacy_sections, state
from ui.privacy_checks import done, shown
from ui.privacy_inspector import inspector
from ui.privacy_job import PrivacyJob
from ui.text import md

started = time.perf_counter()
st.title("Privacy")
ds = guards.need_dataset()
guards.need_fitted()
syn = guards.need_synthetic()
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


spec = state.privacy_spec(syn)
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

# ------------------------------------------------------------------------------------- first results, always
st.subheader("Copies of training rows")
copies = shown(job.get("copies"))
if copies is not None:
    privacy_panels.copies(copies)
st.subheader("Distance to the closest real row")
closeness_box = st.empty()
if job.pending(["closeness"]):
    with closeness_box.container():
        privacy_panels.closeness(None, None)  # "measuring…" until the share lands, just below
    privacy_checks.wait_first(job, ("closeness",), started + privacy_checks.CLOSENESS_WAIT_SECONDS)
closeness_task = job.get("closeness")
result = done(job.get("distances"))
with closeness_box.container():
    if closeness_task is not None and closeness_task.status == "failed":
        shown(closeness_task)  # its error message
    else:
        privacy_panels.closeness(done(closeness_task), result)

# ------------------------------------------------------------------------------------------------- sections
# One section at a time: the browser draws only its charts and tables (on every rerun while checks land, too);
# the verdict on top and the cards above sum them all up. Every check runs whichever section is open.
SECTIONS = ("Distances", "Membership", "Attacks", "Record inspector")
# A rule and a heading of its own: the control sat under "Distance to the closest real row", between its cards and
# its histograms, as if it belonged to that section alone.
st.divider()
st.subheader("Details")
section = (
    st.segmented_control(
        "Section",
        SECTIONS,
        default="Distances",
        required=True,
        key="privacy_section",
        persist_state="session",  # the same section when the user comes back
        help="Distances: every synthetic row's closest real row, and rare values copied. Membership: could an "
        "attacker tell who was in the training data. Attacks: singling out, linkability and inference for an "
        "attacker model you choose (and sdmetrics beside ours). Record inspector: one synthetic row beside its "
        "closest real rows.",
    )
    or "Distances"
)

if section == "Distances":
    st.subheader("Distances, row by row")
    if result is not None:
        privacy_panels.distances(result, job.memo("distance_figures", lambda: privacy_panels.distance_figures(result)))
    elif closeness_task is None or closeness_task.status != "failed":
        shown(job.get("distances"))
    st.subheader("Rare values copied")
# Read each task once: the worker may finish it between two reads of this run.
rare = shown(job.get("rare_values")) if section == "Distances" else done(job.get("rare_values"))
if rare is not None and section == "Distances":
    privacy_panels.rare_values(rare, [c for c in ds.schema.names if c not in ds.schema.modelled])

membership_task = job.get("membership")
mia = done(membership_task)
if section == "Membership":
    st.subheader("Membership inference")
    # The attacks that ran, counted as the verdict counts them ("strongest of 3 attacks"), not a fixed "four".
    st.caption(
        "Could an attacker tell that a real person was in the training data? Up to four kinds of attack — distance "
        "to the closest synthetic row, the density ratio (DOMIAS), a shadow model (the synthesizer refitted on data "
        "the attacker holds) and the same attacks on the 1% most isolated training rows — each scored by AUC and by "
        "the share of members caught at 1% and 10% false alarms. "
        + ("Which ran is listed when they finish." if mia is None else mia.ran())
    )
    privacy_sections.unjudged(syn.n_rows)
    if mia is None:
        shown(membership_task)
    else:
        privacy_panels.membership(mia)

learned = [c for c in ds.schema.modelled if c in syn.df.columns]
chosen, attacker_error = privacy_attacker.choice(ds, learned, show=section == "Attacks")
known, secret, n_attacks = list(chosen.known), chosen.secret, chosen.n_attacks
attack_tasks = privacy_checks.submit_verdict_attacks(job, inputs, chosen.attacker, n_attacks, attacker_error)
if section == "Attacks":
    privacy_sections.attacks_intro(None if inputs.people is None else inputs.people.column)
    privacy_sections.unjudged(syn.n_rows)
attack_results: list[AttackResult] = []
collected: list[str] = []  # the tasks whose results are in attack_results (one read each: see above)
for task in attack_tasks:
    report = shown(task) if section == "Attacks" else done(task)
    if report is not None:
        attack_results += report.results
        collected.append(task.name)
if section == "Attacks":
    privacy_sections.attacks(job, collected, attack_results)
    privacy_sections.sdmetrics(job, raw, ds.schema, known, secret, attacker_error)

if section == "Record inspector":
    st.subheader("Record inspector")
    if result is None:
        st.caption("The inspector opens on the synthetic rows closest to a training row once the distances are in.")
    else:
        inspector(key, inputs, syn.df, result, known)

# ----------------------------------------------------------------------------------------------------- verdict
# The checks whose end changes what this run draws below the verdict (the rest only matter to the verdict, drawn
# when the last check ends); the Attacks section shows every attack and sdmetrics task.
SHOWN = {"Distances": ("distances", "rare_values"), "Membership": ("membership",), "Record inspector": ("distances",)}
watched = None if section == "Attacks" else frozenset(("copies", "closeness", *SHOWN.get(section, ())))
pending.empty()
with verdict_box:
    # Every input of the verdict as this run read it: a check that ended after its read waits for the next run
    # (the poll sees it end), so a memoised verdict never lacks a result.
    complete = (
        result is not None
        and privacy_checks.read_in(mia, membership_task)
        and privacy_checks.read_in(rare, job.get("rare_values"))
        and all(t.name in collected or t.status == "failed" for t in attack_tasks)
    )
    if not complete:
        privacy_checks.poll(job, finished_at_start, watched)
    else:
        model = spec[0] if spec is not None else None
        verdict = privacy_checks.verdict_of(job, model, attack_tasks, known, result, mia, rare, attack_results)
        privacy_panels.verdict(verdict)
        if job.pending():  # e.g. sdmetrics, asked for after the rest
            privacy_checks.poll(job, finished_at_start, watched)
