"""Privacy: could the synthetic table expose a real person? Distances, attacks with their control and baseline,
sdmetrics beside ours, a record inspector, and a verdict in plain words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import pandas as pd
import streamlit as st

from synth import plots
from synth.evaluation.privacy.attacks import AttackerModel, AttackerModelError, AttackResult, default_attacker_model
from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.verdict import privacy_verdict
from ui import cached, guards, state
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


def pct(x: float, digits: int = 1) -> str:
    return f"{x * 100:.{digits}f}%"


def shown_errors(call: Callable[[], T]) -> T | None:
    """Run a cached call (it draws its own progress bar); bad input becomes an error message, not a crash."""
    try:
        return call()
    except PrivacyInputError as exc:
        st.error(str(exc))
        return None


# ------------------------------------------------------------------------------------------------ distances
st.subheader("Distance to the closest real row")
result = shown_errors(
    lambda: cached.privacy(key, ds.train, syn.df, ds.holdout, ds.schema),
)
if result is None:
    st.stop()

c = st.columns(4)
c[0].metric(
    "Closer to train than to holdout",
    pct(result.dcr_share),
    delta=f"{(result.dcr_share - 0.5) * 100:+.1f} points vs ideal 50%",
    delta_color="inverse",
    help=(
        "Share of synthetic rows whose closest real row is in a random train sample of the holdout's size "
        "rather than in the holdout. A model that memorises nothing lands near 50%."
    ),
)
c[1].metric(
    "Closer to the full train than to holdout",
    pct(result.dcr_share_full),
    delta=f"{(result.dcr_share_full - result.dcr_share_full_expected) * 100:+.1f} points vs ideal "
    f"{pct(result.dcr_share_full_expected)}",
    delta_color="inverse",
    help="Against the full train the ideal is train's share of the real rows, n_train / (n_train + n_holdout). "
    "A verbatim copy of train scores 100%.",
)
c[2].metric(
    "Exact copies of training rows",
    f"{result.exact_copies:,}",
    delta=f"{pct(result.exact_copy_rate, 2)} of synthetic vs {pct(result.holdout_exact_copy_rate, 2)} of holdout",
    delta_color="off",
    help="Synthetic rows equal to a training row on every learned column. The holdout rate is what "
    "coincidence alone gives for real people.",
)
c[3].metric(
    "Copies of people unique in training",
    f"{result.unique_copies:,}",
    delta=f"holdout: {result.holdout_unique_copies:,} ({pct(result.holdout_unique_copy_rate, 2)})",
    delta_color="off",
    help=f"Synthetic rows equal to one of the {result.n_train_unique:,} training rows whose combination of "
    "values no other training row has: a copied rare person.",
)
c = st.columns(4)
c[0].metric(
    "Median distance to closest training row",
    f"{result.median_dcr_synthetic:.3f}",
    delta=f"holdout: {result.median_dcr_holdout:.3f}",
    delta_color="off",
    help="Mixed-type distance: numbers scaled by their range, a category mismatch counts 1.",
)
c[1].metric(
    "Median nearest-neighbour ratio",
    f"{result.median_nndr_synthetic:.3f}",
    delta=f"holdout: {result.median_nndr_holdout:.3f}",
    delta_color="off",
    help="Distance to the closest training row over the distance to the second closest. Near 0 the row sits "
    "on one particular person rather than among several.",
)
if result.membership is not None:
    auc = result.membership.auc
    c[2].metric(
        "Membership inference AUC",
        f"{auc.value:.3f}",
        delta=f"95% CI {auc.low:.3f}–{auc.high:.3f}; 0.5 = no signal",
        delta_color="off",
        help="An attacker guesses that a real person was in the training data when a synthetic row sits close "
        f"to them; scored on {result.membership.n_members:,} training and {result.membership.n_non_members:,} "
        "holdout rows.",
    )
c[3].metric(
    "Synthetic rows at distance 0",
    pct(result.zero_dcr_share, 2),
    help="Share of the compared synthetic rows identical to some training row.",
)
left, right = st.columns(2)
with left:
    st.plotly_chart(plots.dcr_histogram(result.dcr_synthetic, result.dcr_holdout), key="dcr_chart")
with right:
    st.plotly_chart(plots.nndr_histogram(result.nndr_synthetic, result.nndr_holdout), key="nndr_chart")
st.caption(
    f"Distances of {result.n_compared:,} synthetic rows and {len(result.dcr_holdout):,} holdout rows to their "
    f"closest of the {result.n_train:,} training rows, over {len(result.columns)} learned columns. A synthetic "
    "curve piled up at 0, left of the holdout's, would mean copied people."
)

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
    st.error(attacker_error)

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
    lambda: cached.privacy_attacks(
        key, ds.train, syn.df, ds.holdout, ds.schema, AttackerModel((), ""), ("singling_out",), n_attacks
    ),
)
if so is not None:
    attack_results += so.results
if attacker_error is None:
    ai = shown_errors(
        lambda: cached.privacy_attacks(
            key, ds.train, syn.df, ds.holdout, ds.schema, attacker, ("linkability", "inference"), n_attacks
        ),
    )
    if ai is not None:
        attack_results += ai.results
if attack_results:
    left, right = st.columns(2)
    with left:
        st.plotly_chart(plots.attack_risks(attack_results), key="attack_risks_chart")
    with right:
        st.plotly_chart(plots.attack_rates(attack_results), key="attack_rates_chart")
    st.dataframe(
        pd.DataFrame(
            {
                "attack": [r.label for r in attack_results],
                "risk": [pct(r.risk.value) for r in attack_results],
                "95% CI": [f"{pct(r.risk.low)}–{pct(r.risk.high)}" for r in attack_results],
                "main (train)": [pct(r.main.value) for r in attack_results],
                "control (holdout)": [pct(r.control.value) for r in attack_results],
                "baseline (random)": [pct(r.baseline.value) for r in attack_results],
                "attacks": [r.n_attacks for r in attack_results],
            }
        ),
        hide_index=True,
        key="attack_table",
    )
    for r in attack_results:
        with st.expander(f"{r.label}: how it was measured"):
            st.markdown(r.detail)
            for w in r.warnings:
                st.warning(w)

# --------------------------------------------------------------------------------------------------- sdmetrics
st.subheader("sdmetrics beside ours")
sd = None
st.session_state.setdefault("privacy_sdmetrics", True)  # a widget's default, kept across reruns
if st.toggle(
    "Compare with sdmetrics",
    key="privacy_sdmetrics",
    help="sdmetrics' own privacy metrics on small subsamples (a few seconds).",
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
closest = list(result.closest_rows)
row_key = f"inspect_row|{key}"
if closest:
    st.caption("Click a row to inspect it: the synthetic rows closest to a training row, closest first.")
    shown = syn.df.iloc[closest[:20]]
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
unmask = st.checkbox(
    "Unmask values",
    value=False,
    key="inspect_unmask",
    help="Real values of real people are hidden by default; show them only to someone allowed to see the data.",
)
inspection = shown_errors(
    lambda: cached.inspect_record(key, ds.train, syn.df, ds.holdout, ds.schema, row, tuple(known)),
)
if inspection is not None:
    st.markdown(md(inspection.summary()))
    st.dataframe(inspection.table(masked=not unmask), key="inspector_table")
    if not unmask:
        st.caption("Values are masked: ✓ marks a column equal to the synthetic row's, ✗ a different one.")

# ----------------------------------------------------------------------------------------------------- verdict
verdict = privacy_verdict(
    result,
    attack_results,
    model=model.name if model is not None else None,
    quasi_identifiers=known,
)
BADGES = {"green": ("green", "low risk"), "amber": ("orange", "some risk"), "red": ("red", "high risk")}
BADGES["grey"] = ("gray", "not measured")
with verdict_box:
    color, words = BADGES[verdict.level]
    st.subheader("Verdict")
    show = {"red": st.error, "amber": st.warning, "green": st.success, "grey": st.info}[verdict.level]
    show(f"**{words.capitalize()}.** {verdict.headline}")
    for c in verdict.criteria:
        color, words = BADGES[c.level]
        st.markdown(f":{color}-badge[{words}] **{c.label}** — {c.value}")
        st.caption(f"Thresholds: {c.threshold}")
    st.markdown("**What to do**\n" + "\n".join(f"- {a}" for a in verdict.advice))
