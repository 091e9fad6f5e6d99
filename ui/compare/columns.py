"""Compare's column and association sections: distributions worst first with a diagnosis; heatmaps and pairs."""

from __future__ import annotations

import streamlit as st

from synth import plots
from synth.evaluation.context import EvaluationContext
from synth.evaluation.fidelity.diagnosis import SUGGESTIONS, diagnose_pairs
from synth.evaluation.fidelity.headline import lagging_parts
from synth.evaluation.fidelity.orders import ORDER_REMEDY, broken_beyond_real
from synth.evaluation.fidelity.pair_support import rank_pairs
from synth.evaluation.fidelity.results import AssociationMatrix
from synth.evaluation.fidelity.scores import FidelityResult
from synth.evaluation.results import number
from synth.plots.fidelity import FOCUS_COLUMNS, MAX_LABELLED_COLUMNS, most_changed_columns
from ui import cached, charts, figures, state
from ui.compare import prepare
from ui.compare.exact_rules import exact_rule_checks
from ui.compare.missing_groups import missing_group_checks
from ui.compare.person_values import person_value_checks
from ui.compare.ranges import range_checks
from ui.compare.rule_tables import BREAKING, kept_everywhere, rule_table
from ui.text import md

PENDING_POLL_SECONDS = 0.5


def bootstrap_note(n_synthetic: int, n_train: int) -> str:
    """How the page's intervals were bootstrapped, when a table was subsampled for them."""
    if max(n_synthetic, n_train) <= cached.PAGE_BOOTSTRAP_ROWS:
        return ""
    return (
        f" ({cached.PAGE_BOOTSTRAP} replicates on seeded samples of {cached.PAGE_BOOTSTRAP_ROWS:,} rows per table,"
        " their spread rescaled to the full tables)"
    )


def scores_pending(context: EvaluationContext) -> None:
    """While the run's column scores are computed in the background: say so where the sections will be, and rerun
    the page when they land (a fragment polls twice a second; once they are in, the page defines no timer)."""

    @st.fragment(run_every=PENDING_POLL_SECONDS)
    def wait_for_scores() -> None:
        if context.settled("compare:fidelity"):
            st.rerun(scope="app")
        st.info(
            ":material/hourglass_top: Scoring every column and pair with bootstrap intervals: the sections below "
            "fill in by themselves in a moment. The headline above is final."
        )

    wait_for_scores()


def _holdout_words(result: FidelityResult, column: str) -> str:
    gap = result.gap(column)
    return "" if gap is None else f" ({gap.reference:.3f})"


def distributions(run_key: str, ds: state.Dataset, syn: state.SyntheticTable, result: FidelityResult) -> None:
    """Per-column distributions, worst first: why the worst differ, every column's score, a chart per column."""
    context = state.evaluation_context(ds, syn)
    st.subheader("Column distributions, worst match first")
    dists = {d.column: d for d in cached.run_distributions(run_key, context)}
    worst = result.worst_columns()
    diagnoses = prepare.diagnoses(context, result)
    accuracy = cached.accuracy(run_key, context)
    lagging = lagging_parts(accuracy)
    as_fresh = bool(diagnoses) and not lagging and all(not d.findings for d in diagnoses)
    with st.expander("Why do the worst columns differ?", expanded=True):
        for m in lagging:  # a timestamp's own score can read "nothing to fix" while its hours are all wrong
            st.markdown(
                f"**{md(m.columns[0])}** (accuracy {m.accuracy:.3f}, fresh real data {m.reference:.3f}): the synthetic "
                "rows fall at other hours or on other days than the real ones; see **Times of day and weekdays** below."
            )
        if as_fresh:
            pair_gap = result.gap("column_pair_trends")
            where = (
                " The gap is in the relationships between columns: open **Associations** below."
                if pair_gap is not None and pair_gap.is_real and pair_gap.difference < 0
                else ""
            )
            st.success(f"Even the worst columns are as close to train as fresh real data.{where}")
            # One line, not a paragraph per column each saying "nothing to fix" with its score twice (the session-32
            # walk on Bike Sharing: five of them under the green line above).
            st.caption(
                "Worst shape scores, fresh real data's in brackets: "
                + "; ".join(f"{md(d.column)} {d.score:.3f}{_holdout_words(result, d.column)}" for d in diagnoses)
                + "."
            )
        for d in () if as_fresh else diagnoses:
            gap = result.gap(d.column)
            if d.as_fresh and not d.findings and gap is not None:  # its summary repeats the name and the score
                st.markdown(
                    f"**{md(d.column)}** ({d.metric} {d.score:.3f}, fresh real data {gap.reference:.3f}): as close "
                    "to train as fresh real data"
                )
                continue
            st.markdown(f"**{md(d.column)}** ({d.metric} {d.score:.3f}): {md(d.summary)}")
            for f in d.findings[1:3]:
                st.markdown(f"- {md(f.message)}")
            if d.suggestion:
                st.caption(f"Try: {md(d.suggestion)}")
    charts.plotly_chart(prepare.score_bars(context, result), key="score_bars", config={"displayModeBar": False})
    st.caption(
        f"Dots: synthetic vs train, with bootstrap 95% whiskers{bootstrap_note(syn.n_rows, len(ds.train))}. Grey "
        "ticks: the real holdout vs train — a synthetic score near the tick is as good as fresh real data."
        + (f" {result.same_size_note}" if result.same_size_note else "")
    )

    parts = prepare.part_charts(context, accuracy) if context.date_parts else []
    if parts:
        st.markdown("**Times of day and weekdays**")
        st.caption(
            "A timestamp's own chart gives each bar weeks of time: these show the hours of the day and the days of "
            "the week where the real rows have a pattern. Accuracy is 1 − total variation distance, as in the "
            "headline; the holdout's is what fresh real data scores."
        )
        grid = st.columns(2)
        for i, fig in enumerate(parts):
            with grid[i % 2]:
                charts.plotly_chart(fig, key=f"part_{i}", config={"displayModeBar": False})

    @st.fragment
    def column_explorer() -> None:
        left, right = st.columns([2, 1])
        query = left.text_input(
            "Find columns",
            key="column_filter",
            placeholder="type part of a column name",
            persist_state="page",  # kept while another section is open
        )
        shown = [c for c in worst if query.strip().lower() in c.column.lower()]
        if not shown:
            st.info(f"No column name contains “{md(query)}”.")
            return
        n_show = 1
        if len(shown) > 1:
            n_show = right.slider(
                "Columns to show",
                min_value=1,
                max_value=len(shown),
                value=min(prepare.DEFAULT_SHOWN, len(shown)),
                key="columns_to_show",
                persist_state="page",
                help="Every column is scored above; each chart drawn here takes the browser a moment.",
            )
        if n_show < len(shown):
            st.caption(
                f"Showing the {n_show} worst-matching of {len(shown)} columns: raise **Columns to show** or type part "
                "of a name to see others."
            )
        grid = st.columns(2)
        for i, score in enumerate(shown[:n_show]):
            with grid[i % 2]:
                fig = prepare.distribution(context, result, dists, score)
                charts.plotly_chart(fig, key=f"dist_{score.column}", config={"displayModeBar": False})

    column_explorer()


def associations(run_key: str, ds: state.Dataset, syn: state.SyntheticTable, result: FidelityResult) -> None:
    """The association heatmaps (real, synthetic, their difference), the lost relationships and the pair explorer."""
    context = state.evaluation_context(ds, syn)
    modelled = [c.column for c in result.columns]
    st.subheader("Association between columns")
    method = st.radio(
        "Numeric pairs",
        ["Pearson", "Spearman"],
        horizontal=True,
        key="assoc_method",
        label_visibility="collapsed",
        persist_state="page",  # kept while another section is open
    )
    st.caption(
        f"{method} correlation for two numeric columns (−1 to 1), the correlation ratio η for a number and a category, "
        "Cramér's V for two categories (0 to 1). The right panel shows synthetic − real: white means the relationship "
        "was kept." + (f" {result.pairs_note}" if result.pairs_note else "")
    )
    spearman = method == "Spearman" and result.spearman_real is not None and result.spearman_synthetic is not None
    real, synthetic = (
        (result.spearman_real, result.spearman_synthetic)
        if spearman
        else (result.association_real, result.association_synthetic)
    )
    shown = heatmap_columns(real, synthetic)  # type: ignore[arg-type]
    heat = figures.once(
        context,
        f"heatmaps:{'spearman' if spearman else 'default'}:{'all' if shown is None else 'focus'}",
        lambda: plots.association_heatmaps(real, synthetic, shown),  # type: ignore[arg-type]
    )
    charts.plotly_chart(heat, key="association_heatmaps")
    # Pairs whose columns are rarely present together are judged on a handful of rows: left out of the ranking and
    # of the explorer's first pair (an HR table opened on office_lat × termination_date, 23 rows in common).
    ranked = context.extension("pairs:ranked", lambda c: rank_pairs(result, c.train))
    with st.expander("Which relationships are lost?"):
        for pd_ in diagnose_pairs(result, top=5, real=context.train):
            st.markdown(f"- {md(pd_.message)}")
        if ranked.note():
            st.caption(md(ranked.note()))
        st.caption(f"Try: {SUGGESTIONS['association']}")
    order_checks(run_key, ds, syn)
    exact_rule_checks(run_key, ds, syn)
    person_value_checks(run_key, ds, syn)
    range_checks(run_key, ds, syn)
    missing_group_checks(run_key, ds, syn)

    @st.fragment
    def pair_explorer() -> None:
        st.markdown("**Pair explorer**")
        first = ranked.first
        left, right = st.columns(2)
        a = left.selectbox(
            "Column", modelled, index=modelled.index(first.column_a) if first else 0, key="pair_a", persist_state="page"
        )
        others = [c for c in modelled if c != a]
        if not others:
            st.info("The pair explorer needs two compared columns.")
            return
        b_default = first.column_b if first and first.column_b in others else others[0]
        b = right.selectbox("against", others, index=others.index(b_default), key="pair_b", persist_state="page")
        view = cached.pair(run_key, a, b, ds.train, syn.df, ds.schema, ds.split_by)
        fig = figures.once(context, f"pair:{a!r}:{b!r}", lambda: plots.pair_figure(view))
        charts.plotly_chart(fig, key="pair_view", config={"displayModeBar": False})
        try:
            score = result.scores.pair(a, b)
            st.caption(
                # Associations (correlations) are often negative: a true minus, as every number on the page.
                f"{score.metric} {number(score.score)} · association {number(score.real, 2)} real"
                f" vs {number(score.synthetic, 2)} synthetic"
            )
        except KeyError:
            pass

    pair_explorer()


def heatmap_columns(real: AssociationMatrix, synthetic: AssociationMatrix) -> list[str] | None:
    """For a table wider than the heatmaps hold readably, the columns to show (None: all): by default the
    :data:`~synth.plots.fidelity.FOCUS_COLUMNS` whose associations changed most, with a switch to all of them."""
    n = len(real.columns)
    if n <= FOCUS_COLUMNS:
        return None
    focus = f"The {FOCUS_COLUMNS} most changed"
    choice = st.radio(
        "Columns in the heatmaps",
        [focus, f"All {n}"],
        horizontal=True,
        key="assoc_columns",
        persist_state="page",
    )
    if choice != focus:
        st.caption(f"All {n} columns, one panel under another; names beyond {MAX_LABELLED_COLUMNS} are thinned.")
        return None
    st.caption(
        f"The {FOCUS_COLUMNS} of {n} columns whose associations changed most between real and synthetic rows (largest "
        "mean |synthetic − real| over their pairs), in the table's order. Choose all to see every column."
    )
    return most_changed_columns(real, synthetic, FOCUS_COLUMNS)


def order_checks(run_key: str, ds: state.Dataset, syn: state.SyntheticTable) -> None:
    """Orders the real table keeps (a last order never before the signup, bedrooms never above rooms) and how
    often the synthetic rows break them: an impossible row is what an analyst, or a discriminator, notices first."""
    found = cached.orders(run_key, ds.train, syn.df, ds.schema)
    st.markdown("**Orders the real table keeps**")
    if not found:
        st.caption(
            "No two dates or two numbers of the real table keep an order (one not above the other on at least "
            "99.9% of the rows, where random pairs of their values would break it), so there is no order to check."
        )
        return
    broken = [b for b in found if broken_beyond_real(b)]
    if broken:
        worst = broken[0]
        st.warning(
            f"{len(broken)} of {len(found)} orders break more often in the synthetic rows than in the real ones: "
            f"{worst.broken:.1%} of synthetic rows have {md(worst.order.low)} above {md(worst.order.high)}, against "
            f"{worst.order.real_breaks:.2%} of real rows. Such rows are impossible on their face. " + md(ORDER_REMEDY)
        )
    else:
        st.success(f"The synthetic rows keep {kept_everywhere(len(found), 'order')} as often as the real rows do.")
    rows = [
        {
            "order": f"{b.order.low} ≤ {b.order.high}",
            **dict(zip(BREAKING, (b.order.real_breaks, b.broken, b.order.random_breaks), strict=True)),
        }
        for b in found
    ]
    rule_table(rows, BREAKING, "order_breaks")
    st.caption(
        "An order counts when it holds on at least 99.9% of the real training rows and values of the two columns "
        "paired at random would break it on at least 1% of pairs (so a weight in the hundreds of thousands is not "
        "'above' an age). Rows with either value missing are left out."
    )
