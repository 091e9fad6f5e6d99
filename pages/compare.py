"""Compare: how faithful is the synthetic table, and is it useful? A verdict built from scores that separate good
generators from bad ones (1-/2-/3-way accuracy with the holdout as the ceiling, a discriminator), then one section
at a time: per-column distributions, associations with a pair explorer, subgroups, or the ML checks on request."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from synth.evaluation.context import ContextError
from synth.evaluation.fidelity.headline import fidelity_headline
from synth.evaluation.fidelity.scores import FidelityResult
from ui import background, cached, guards, privacy_checks, state
from ui.compare import columns, headline, ml, subgroup
from ui.compare.exact_rules import exact_rule_breaks
from ui.compare.person_values import person_value_breaks

st.title("Compare")
ds = guards.need_dataset()
runs = [r for r in state.synthetic_runs() if r.dataset_key == ds.key]
if not runs:
    guards.need_synthetic()
    st.stop()


#: The headline's level in a table cell (the detailed view below says it in a sentence, with the reasons).
VERDICT_WORDS = {
    "as_good_as_real": "as good",
    "close": "close, not as good",
    "distinguishable": "told apart",
    "unknown": "no holdout",
}


def run_label(run: state.SyntheticTable) -> str:
    return f"{run.model_label} · seed {run.seed} · {run.n_rows:,} rows · {run.id[:6]}"


# ----------------------------------------------------------------------------- every run: accuracy and quality
contexts, accuracies, results, failed = {}, {}, {}, {}
# The run shown in detail (the last chosen, else the newest): its slow scores start at once, in the background.
shown = st.session_state.get("compare_run")
detailed = next((r for r in runs if r.id == shown), runs[-1])
with contextlib.suppress(ContextError):  # reported below, where the run is scored
    cached.prefetch_compare(state.evaluation_context(ds, detailed))
bar = st.progress(0.0, text="Scoring the synthetic runs…") if len(runs) > 1 else None
for i, run in enumerate(runs):
    key = f"{ds.key}|{run.id}"
    try:
        contexts[run.id] = state.evaluation_context(ds, run)
        accuracies[run.id] = cached.accuracy(key, contexts[run.id])
        # The detailed run's column scores may still be under way: its headline comes first, its sections fill in.
        score = cached.fidelity_when_ready if run.id == detailed.id else cached.fidelity
        results[run.id] = score(key, contexts[run.id])
    except (ContextError, ValueError) as exc:
        failed[run.id] = str(exc)
    if bar is not None:
        bar.progress((i + 1) / len(runs), text=f"Scored {i + 1} of {len(runs)} synthetic runs")
if bar is not None:
    bar.empty()

st.subheader("Synthetic runs")
rows: list[dict[str, Any]] = []
for run in reversed(runs):
    if run.id in failed:
        rows.append({"run": run_label(run), "note": failed[run.id]})
        continue
    acc, res = accuracies[run.id], results[run.id]
    # Each run's discriminator was started when it was sampled; one still training says so rather than hold the
    # table (the detailed run's is awaited by the headline below).
    disc, disc_state = None, "computing…"
    if background.inline() or contexts[run.id].settled("compare:discriminator") or run.id == detailed.id:
        try:
            disc = cached.discriminator(f"{ds.key}|{run.id}", contexts[run.id])
        except ValueError:
            disc_state = "—"
    # Numbers as text: a score still being computed read "None" in a number column; it says so instead.
    rows.append(
        {
            "run": run_label(run),
            "accuracy": headline.fmt(acc.overall),
            "trivariate": headline.fmt(acc.trivariate.value if acc.trivariate else None),
            "discriminator AUC": headline.fmt(disc.auc, 2) if disc else disc_state,
            # The headline's verdict (accuracy and discriminator), as the detailed view states it: accuracy's
            # alone read "within noise" above a headline saying a classifier tells the rows apart.
            "vs fresh real data": VERDICT_WORDS[fidelity_headline(acc, disc).level] if disc else disc_state,
            "overall quality": headline.fmt(res.overall) if res else "computing…",
            "pair trends": headline.fmt(res.column_pair_trends) if res else "computing…",
        }
        | ({} if res else {"note": "scoring every column…"})
    )
# A failed run has only a note: its other cells are dashes, not "None".
st.dataframe(pd.DataFrame(rows).fillna("—"), hide_index=True, width="stretch", key="runs_table")
by_id = {r.id: r for r in runs}
choices = [r.id for r in reversed(runs) if r.id not in failed]
if not choices:
    st.error("No synthetic run can be compared with this table: " + "; ".join(failed.values()))
    st.stop()
run_id = st.selectbox(
    "Detailed view of",
    options=choices,
    format_func=lambda rid: run_label(by_id[rid]),
    key="compare_run",
    help="Every panel below shows this run. Runs sampled on the current table and split are kept (up to 6).",
)
syn = by_id[run_id]
result, accuracy, context = results[syn.id], accuracies[syn.id], contexts[syn.id]
run_key = f"{ds.key}|{syn.id}"
st.caption(
    f"{syn.n_rows:,} synthetic rows from **{syn.model_label}** (seed {syn.seed}) against the {len(ds.train):,} real "
    f"training rows. The real holdout ({len(ds.holdout):,} rows the model never saw) shows what fresh real data "
    f"scores; accuracy compares {accuracy.n_synthetic_rows:,} synthetic rows with "
    f"{accuracy.n_holdout_rows or len(ds.holdout):,} holdout rows (the larger table is a seeded sample of the "
    "smaller's size, so both face the same sampling noise). Intervals are 95%."
)

# ----------------------------------------------------------------------------- headline
discriminator, disc_error = None, None
try:
    discriminator = cached.discriminator(run_key, context)
except ValueError as exc:
    disc_error = str(exc)
headline.verdict(accuracy, discriminator, exact_rule_breaks(run_key, context), person_value_breaks(run_key, context))
headline.accuracy_cards(accuracy, discriminator, disc_error)
made_by = state.model_of(syn)
if made_by is not None and getattr(made_by.model, "draws", None) == "balanced":
    st.warning(
        "This run was drawn with **balanced draws**: its rows depend on each other, so the discriminator (and the "
        "detection check under ML checks), which fit on some synthetic rows and score the others, read it as "
        "harder to tell from real data than its rows are (on Adult 0.513 against 0.530). Sample with independent "
        "draws to judge the model."
    )
if result is None:
    columns.scores_pending(context)  # the sections below fill in when the column scores land
with st.expander("Quality scores as sdmetrics defines them", expanded=False):
    if result is not None:
        headline.quality_cards(result)
    headline.sdmetrics_section(run_key, context, syn.n_rows)

# ----------------------------------------------------------------------------- sections
# One section at a time: the browser draws only that section's charts (st.tabs and st.expander would draw them all),
# so the page settles quickly; the headline above answers "how faithful" whichever section is open.
Section = Callable[[str, state.Dataset, state.SyntheticTable, FidelityResult], None]


def needs_scores(draw: Section) -> Callable[[], None]:
    """A section drawn from the column scores: nothing until they are in (the note above says they are coming)."""

    def section() -> None:
        if result is not None:
            draw(run_key, ds, syn, result)

    return section


SECTIONS = {
    "Columns": needs_scores(columns.distributions),
    "Associations": needs_scores(columns.associations),
    "Subgroups": lambda: subgroup.render(run_key, ds, syn),
    "ML checks": needs_scores(ml.render),
}
section = st.segmented_control(
    "Section",
    list(SECTIONS),
    default="Columns",
    required=True,
    key="compare_section",
    persist_state="session",  # the same section when the user comes back
    help="Columns: each column's distribution, worst first. Associations: how pairs of columns relate. Subgroups: "
    "the scores inside a segment you type. ML checks: detection, train-on-synthetic, same conclusions (on request).",
)
SECTIONS[section or "Columns"]()
st.page_link("pages/privacy.py", label="Next: privacy risk", icon=":material/lock:")
# The user reads this page for a while: meanwhile the Privacy page's tables are prepared and its first check (the
# closeness to train and to holdout) runs in the background, so that page opens with its first cards.
state.prefetch_privacy(ds, syn, privacy_checks.submit_first)
