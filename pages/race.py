"""Race: fit several synthesizers and settings on the same split, score each, pick one; or bring your own
synthetic table from another tool and score it the same way."""

from __future__ import annotations

from functools import partial

import streamlit as st

import synth
from synth.plots.race import pareto_scatter
from synth.report import (
    Contender,
    sweep,
    takes_declared_orders,
    takes_public_domains,
    with_declared_orders,
    with_public_domains,
)
from synth.report.leaderboard import VIEWS, cell_text, leaderboard_table, view_columns
from synth.report.race import parsed_public_domains
from synth.report.race_pick import FIDELITY_WORDS
from synth.synthesizers.dp.domains import PublicDomainError
from synth.synthesizers.registry import get, is_peer
from ui import cached, cached_race, charts, guards, race_external, race_job, state
from ui.params import declared_orders_widget, public_domains_widget
from ui.text import md

st.title("Race")
ds = guards.need_dataset()
st.caption(
    "Every synthesizer below is fitted on the same training rows, samples the same number of rows with the same "
    "seed, and is scored against the same holdout. A run that fails shows its error in its row; the others go on."
)


def parse_values(text: str, cast: type) -> list:
    """'5, 40, 200' → [5, 40, 200]; raises ValueError naming the bad value."""
    out = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if part:
            try:
                out.append(cast(part))
            except ValueError:
                raise ValueError(f"'{part}' is not a {'whole number' if cast is int else 'number'}") from None
    return out


# ----------------------------------------------------------------------------- what to race
names = synth.available()
chosen = st.multiselect(
    "Synthesizers (default settings)",
    options=names,
    # Independent marginals is a baseline (it keeps no relationship); add it to see the floor. Peer synthesizers
    # (other libraries, minutes per fit) join when picked.
    default=[n for n in names if n != "independent" and not is_peer(n)] or names,
    format_func=lambda n: get(n).label,
    key="race_synths",
)
with st.expander("Several settings of one synthesizer"):
    leaves = st.text_input(
        "Sequential CART — minimum rows per leaf", key="race_cart_leaves", placeholder="e.g. 5, 40, 200"
    )
    epsilons = st.text_input(
        "DP Bayesian network — privacy budgets ε", key="race_epsilons", placeholder="e.g. 0.5, 1, 5"
    )
contenders = [Contender(n) for n in chosen]
sweep_error = ""
try:
    contenders += sweep("cart", "min_samples_leaf", parse_values(leaves, int))
    contenders += sweep("privbayes", "epsilon", parse_values(epsilons, float))
except ValueError as exc:
    sweep_error = f"Settings: {exc}. Separate values with commas, e.g. 5, 40, 200."
    st.error(sweep_error)
if any(takes_declared_orders(c.name) for c in contenders):  # the DP network, chosen or swept
    # Drawn from (and mirrored into) keys that are no widget's: taking the DP network out of the race and back
    # would otherwise lose the choice (Streamlit drops the state of a widget a run does not draw).
    orders = declared_orders_widget(
        ds.schema,
        key="race_declared_orders",
        initial=st.session_state["race_orders_chosen"],
        note="In a race every DP network run (default settings and each ε) keeps them, no other synthesizer.",
        train=ds.train,
    )
    st.session_state["race_orders_chosen"] = tuple(orders)
    contenders = with_declared_orders(contenders, orders)
if any(takes_public_domains(c.name) for c in contenders):
    public_texts = public_domains_widget(
        ds.schema,
        key="race_public_domains",
        note="In a race every DP network run (default settings and each ε) takes them, no other synthesizer; a "
        "declaration that is not one fails those runs in their rows, and the others still run.",
        initial=st.session_state["race_domains_typed"],
    )
    st.session_state["race_domains_typed"] = public_texts
    contenders = with_public_domains(contenders, public_texts)
    try:  # said now, not only after the race: the DP runs would fail with this message
        parsed_public_domains(next(c for c in contenders if takes_public_domains(c.name)), ds.train, ds.schema)
    except PublicDomainError as exc:
        st.warning(f"**Public ranges and labels:** {md(exc)}. The DP network's runs will fail with this message.")
left, right = st.columns(2)
n_rows = left.number_input(
    "Synthetic rows per run", min_value=100, max_value=1_000_000, value=len(ds.train), step=1000, key="race_rows"
)
seed = right.number_input("Sample seed", min_value=0, value=1, step=1, key="race_seed")

job: race_job.RaceJob | None = st.session_state.get("race_job")
running = job is not None and not job.done
cols = st.columns([1, 1, 4])
if cols[0].button(
    "Start race", type="primary", key="race_start", disabled=running or not contenders or bool(sweep_error)
):
    st.session_state["race_job"] = race_job.start(
        ds.key,
        ds.train,
        ds.holdout,
        contenders,
        ds.schema,
        n_rows=int(n_rows),
        sample_seed=int(seed),
        settings=cached.RACE_SETTINGS,
        person_column=ds.split_by,
        fit_estimates=cached_race.fit_seconds(
            ds.key, ds.train, ds.schema, tuple(dict.fromkeys(c.name for c in contenders))
        ),
    )
    # Drawn again at once, with "Start race" disabled: this run drew it live, and only the progress fragment
    # reruns while the race runs, so it stayed live for the whole race and a second press started a second race.
    st.rerun()
if running and cols[1].button("Cancel", key="race_cancel"):
    st.session_state["race_job"].cancel()


@st.fragment(run_every=1.0 if running else None)
def race_progress() -> None:
    """Per-run progress while the race runs; adopts the result when it ends."""
    current: race_job.RaceJob | None = st.session_state.get("race_job")
    if current is None:
        return
    if current.done:
        st.session_state["race_job"] = None
        if current.error:
            st.error(f"The race stopped: {md(current.error)}")
        elif current.cancelled:
            st.warning(f"Race cancelled after {current.elapsed:.0f} s; the previous results are kept.")
        elif current.result is not None and current.dataset_key == ds.key:
            state.set_race(current.result)
            st.rerun(scope="app")
        return
    st.markdown(f"**Racing {len(current.runs)} runs** · {current.elapsed:.0f} s · {race_job.time_left_text(current)}")
    for i, run in enumerate(current.runs):
        # Material icons rather than emoji: a browser without an emoji font draws those as empty boxes.
        icon = {"ok": ":material/check_circle:", "failed": ":material/cancel:", "running": ":material/hourglass_top:"}
        st.progress(run.fraction, text=f"{icon.get(run.status, '·')} {md(run.label)}: {md(run.message)}")
        if i >= 11:
            break


race_progress()


fmt = race_external.fmt


# ----------------------------------------------------------------------------- bring your own synthetic table
race_external.render(ds)

# ----------------------------------------------------------------------------- the leaderboard
result = state.current_race()
if result is None:
    st.info("Start a race, or bring your own synthetic table, to see the leaderboard here.")
    st.stop()
st.subheader("Leaderboard")
show = leaderboard_table(result)
ceilings = result.ceilings
if ceilings["trivariate"] is not None:
    st.caption(
        f"Fresh real data (the holdout, same size) gets univariate {fmt(ceilings['univariate'])}, bivariate "
        f"{fmt(ceilings['bivariate'])}, trivariate {fmt(ceilings['trivariate'])} accuracy: the ceiling of each "
        "accuracy column. Detection AUC is the discriminator's (boosted trees telling synthetic from real holdout "
        f"rows; 0.5 = they cannot). {FIDELITY_WORDS} It ranks the runs; quality (sdmetrics-style) "
        "is there for comparison with published numbers."
    )
# The cells' text is synth's (cell_text), the same as the report's race table; the numbers stay underneath so a
# column sorts as numbers. A NumberColumn given a format would print its own text instead (a hyphen-minus, other
# digits), so these set none.
column_config = {
    "run": st.column_config.TextColumn(pinned=True),
    "closeness": st.column_config.NumberColumn(
        help="Share of synthetic rows closer to the training rows than to the holdout (ideal: train's share of "
        "the real rows, 0.8 for an 80/20 split).",
    ),
    "peak MB": st.column_config.NumberColumn(
        help="Growth of the server's resident memory during fit and sample: work running beside it counts too, "
        "memory an earlier run freed and this one reused does not.",
    ),
}
styled = show.style.format({c: partial(cell_text, c) for c in show.columns})  # "—" for None too, as the report
# Some two dozen columns: one table ran past the page and hid privacy and cost behind a horizontal scroll. Each
# tab shows one group, led by the run.
for view, tab in zip(VIEWS, st.tabs(list(VIEWS)), strict=True):
    with tab:
        st.dataframe(
            styled,
            hide_index=True,
            width="stretch",
            key=f"race_leaderboard_{view.split()[0].lower()}",
            column_order=view_columns(show, view),
            column_config=column_config,
            placeholder="—",  # not measured (yet): the caption below says "—", the grid said "None"
        )
if result.recommended:
    st.success(md(result.reason), icon=":material/emoji_events:")
else:
    st.warning(md(result.reason))
charts.plotly_chart(pareto_scatter(result), key="race_pareto", width="stretch")
st.caption(
    "Privacy risk is the worst of: closeness above its ideal, membership advantage 2·(AUC − 0.5), and the three "
    "attack risks (an attack no better than guessing at random is left out); its whiskers span a 95% range (each "
    "part's own interval), so two runs whose whiskers overlap are not told apart by this sample. The front holds the "
    "runs no other run beats on both fidelity and privacy risk (point values). Peak MB is how much the process's "
    "resident memory grew during fit and sample (read every 20 ms). Membership TPR at low FPR and rare values copied "
    "show “—” until the privacy checks report them."
)
st.page_link("pages/report.py", label="Write the report", icon=":material/description:")
