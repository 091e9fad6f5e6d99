"""Privacy: could the synthetic table expose a real person? Copies, distances, membership attacks, the WP216
attacks with their control and baseline, sdmetrics beside ours, a record inspector, and a verdict in plain words.

The tables are prepared once per run (:func:`ui.state.privacy_inputs`) and every section reuses them. Every check
runs in the session's background worker (:mod:`ui.privacy_job`), cheapest first — copies, the holdout-sized
closeness share, distances, rare values, membership attacks, the WP216 attacks — and each section is drawn as soon
as its result lands (a fragment polls while work is pending), so the page is never blank and stays usable; the
verdict on top fills in last. Finished results stay with the run: coming back to the page recomputes nothing.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from typing import Any, TypeVar

import streamlit as st

import synth
from synth.evaluation.privacy.attacks import (
    AttackerModel,
    AttackerModelError,
    AttackResult,
    default_attacker_model,
    evaluate_attacks,
)
from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.distances import closeness_share, count_copies
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.membership import membership_inference
from synth.evaluation.privacy.peer_sdmetrics import sdmetrics_privacy
from synth.evaluation.privacy.rare_values import evaluate_rare_values
from synth.evaluation.privacy.verdict import privacy_verdict
from ui import cached, guards, privacy_panels, state
from ui.privacy_job import PrivacyJob, Task
from ui.text import md

N_ATTACK_CHOICES = (500, 1000, 2000, 5000)
POLL_SECONDS = 0.5
FIRST_WAIT_SECONDS = 1.2
"""On a first visit the page waits this long for the first numbers before drawing placeholders (no poll delay)."""
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
job: PrivacyJob = state.privacy_job(ds, syn, spec)
finished_at_start = job.finished_names()
t = inputs.tables
for note in inputs.notes:
    st.info(md(note))

# Every check goes to the background worker at once, cheapest first; a section draws its result when it is in.
job.submit("copies", "Counting exact copies", lambda bar: count_copies(inputs))
job.submit("closeness", "Comparing closeness to train and holdout", lambda bar: closeness_share(inputs))
job.submit(
    "distances",
    "Measuring distances to every training row",
    lambda bar: synth.evaluate_privacy(
        t.train, t.synthetic, holdout=t.holdout, inputs=inputs, membership=False, progress=bar
    ),
)
job.submit(
    "rare_values",
    "Checking rare values",
    lambda bar: evaluate_rare_values(ds.train, syn.df, ds.holdout, schema=ds.schema),
)
job.submit(
    "membership",
    "Running the membership attacks",
    lambda bar: membership_inference(t.train, t.synthetic, holdout=t.holdout, inputs=inputs, progress=bar),
)


def submit_attacks(attacker: AttackerModel, criteria: tuple[Any, ...], n_attacks: int) -> Task:
    names = ", ".join(c.replace("_", " ") for c in criteria)
    return job.submit(
        f"attacks|{attacker!r}|{criteria}|{n_attacks}",
        f"Running {names} attacks",
        lambda bar: evaluate_attacks(
            t.train,
            t.synthetic,
            holdout=t.holdout,
            attacker=attacker,
            criteria=criteria,
            n_attacks=n_attacks,
            progress=bar,
            inputs=inputs,
        ),
    )


def result_of(task: Task | None) -> Any:
    """The task's result; its input error as a message; a progress bar while it runs."""
    if task is None:
        return None
    if task.status == "done":
        return task.result
    if task.status == "failed":
        st.error(md(task.error))
    else:
        st.progress(task.fraction, text=f"⏳ {task.label}: {task.message}")
    return None


# On a first visit, wait briefly for the first numbers so that they arrive with the page rather than a poll later.
deadline = time.perf_counter() + FIRST_WAIT_SECONDS
while job.pending(["copies", "closeness"]) and time.perf_counter() < deadline:
    time.sleep(0.05)

# ---------------------------------------------------------------------------------------------------- copies
st.subheader("Copies of training rows")
copies = result_of(job.get("copies"))
if copies is not None:
    privacy_panels.copies(copies)

# ------------------------------------------------------------------------------------------------ distances
st.subheader("Distance to the closest real row")
share_task, distances_task = job.get("closeness"), job.get("distances")
share = share_task.result if share_task is not None and share_task.status == "done" else None
result = distances_task.result if distances_task is not None and distances_task.status == "done" else None
if share_task is not None and share_task.status == "failed":
    st.error(md(share_task.error))
else:
    privacy_panels.closeness(share, result)
if result is not None:
    privacy_panels.distances(result)
elif share_task is None or share_task.status != "failed":
    result_of(distances_task)

# ----------------------------------------------------------------------------------------------- rare values
st.subheader("Rare values copied")
rare = result_of(job.get("rare_values"))
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
mia = result_of(job.get("membership"))
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
attack_tasks = [submit_attacks(AttackerModel((), ""), ("singling_out",), n_attacks)]
if attacker_error is None:
    attack_tasks.append(submit_attacks(attacker, ("linkability", "inference"), n_attacks))
attack_results: list[AttackResult] = []
for task in attack_tasks:
    report = result_of(task)
    if report is not None:
        attack_results += report.results
if attack_results:
    privacy_panels.attacks(attack_results)

# --------------------------------------------------------------------------------------------------- sdmetrics
st.subheader("sdmetrics beside ours")
sd = None
st.session_state.setdefault("privacy_sdmetrics", False)  # a widget's default, kept across reruns
sd_known = tuple(known) if attacker_error is None else ()
sd_secret = secret if attacker_error is None else ""
if st.toggle(
    "Compare with sdmetrics",
    key="privacy_sdmetrics",
    help="sdmetrics' own privacy metrics on small subsamples (a few seconds; off until asked for).",
):
    sd = result_of(
        job.submit(
            f"sdmetrics|{sd_known}|{sd_secret}",
            "Running sdmetrics' privacy metrics",
            lambda bar: sdmetrics_privacy(
                ds.train,
                syn.df,
                holdout=ds.holdout,
                schema=ds.schema,
                known=sd_known,
                secret=sd_secret or None,
                progress=bar,
            ),
        )
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
if result is None:
    st.caption("The inspector opens on the synthetic rows closest to a training row once the distances are in.")
else:
    unmask = st.checkbox(
        "Unmask values",
        value=False,
        key="inspect_unmask",
        help="Real values of real people are hidden by default; show them only to someone allowed to see the data.",
    )
    closest = list(result.closest_rows)
    row_key = f"inspect_row|{key}"
    if closest:
        st.caption(
            f"Click a row to inspect it: the synthetic rows closest to a training row, closest first, found among "
            f"all {len(syn.df):,} synthetic rows" + ("." if unmask else "; values masked.")
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
verdict_needs = ["distances", "membership", "rare_values", *(task.name for task in attack_tasks)]
waiting = job.pending(verdict_needs)


@st.fragment(run_every=POLL_SECONDS if job.pending() else None)
def progress_poll() -> None:
    """While checks run: their progress; when one finishes, a rerun of the page draws its result."""
    if job.finished_names() != finished_at_start:
        st.rerun(scope="app")
    running = job.pending()
    if running:
        st.info(
            "The verdict appears here once every check has finished; each section below fills in as its check ends. "
            "You can leave this page meanwhile: the checks go on and their results are kept."
        )
    for task in running:
        st.progress(task.fraction, text=f"⏳ {task.label}: {task.message}")


pending.empty()
with verdict_box:
    if waiting:
        progress_poll()
    elif result is not None:
        verdict = privacy_verdict(
            dataclasses.replace(result, membership=mia),
            attack_results,
            model=model.name if model is not None else None,
            quasi_identifiers=known,
            rare_values=rare,
        )
        privacy_panels.verdict(verdict)
        if job.pending():
            progress_poll()
