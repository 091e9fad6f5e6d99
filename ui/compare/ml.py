"""Compare's ML checks: full detection with feature importance, train-synthetic-test-real, "same conclusions?".

They train boosted trees and linear models on real and on synthetic data (a few seconds), so they run on
request, in a fragment: turning them on does not rerun the rest of the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import pandas as pd
import streamlit as st

from synth import plots
from synth.evaluation.fidelity.scores import FidelityResult
from synth.evaluation.results import number
from synth.evaluation.utility.efficacy_table import EFFICACY_COLUMNS, NUMBER_COLUMNS, efficacy_rows
from synth.evaluation.utility.rare_class import gap_words
from synth.evaluation.utility.targets import coded_target_note
from synth.evaluation.utility.tstr import ModelScore, UtilityError, candidate_targets
from ui import cached, charts, state
from ui.compare.headline import fmt, noise_color
from ui.text import md, metric_delta


def utility_card(
    head: ModelScore, shown_class: Callable[[str], str], target: str | None = None
) -> tuple[Literal["normal", "inverse", "off"], str]:
    """The TSTR card's delta colour and caption. Two scores no better than the trivial model (ROC AUC 0.447 vs
    0.368 beside a trivial 0.5) have a gap that is neither good nor bad: grey, and the caption says why.
    ``shown_class`` (the result's :meth:`~synth.evaluation.utility.tstr.UtilityResult.shown_class`) writes a rare
    class: one few rows or people hold is counted, not named. A named rare class is written with its column
    ``target`` ("fraud = 1")."""
    words = gap_words(head, shown_class, md(target) if target else None)
    if head.both_trivial:
        return "off", words
    return noise_color(head.gap_is_real, lower_is_better=head.goal == "minimize"), words


@st.fragment
def render(run_key: str, ds: state.Dataset, syn: state.SyntheticTable, result: FidelityResult) -> None:
    st.subheader("ML checks")
    modelled = [c.column for c in result.columns]
    targets = candidate_targets(ds.schema, modelled)
    default = cached.default_target(ds.key, ds.schema, tuple(modelled), ds.train, ds.holdout, judged=True)
    left, right = st.columns([2, 3])
    target = left.selectbox(
        "Target for ML efficacy and “same conclusions?”",
        options=targets,
        index=targets.index(default) if default in targets else 0,
        key="ml_target",
        persist_state="page",  # kept while another section is open
        help="Categorical, boolean or a 0/1 number: classification (ROC AUC, logistic model); any other number: "
        "regression (R², linear model).",
    )
    run_ml = right.toggle(
        "Run the ML checks (detection, train-on-synthetic, same conclusions)",
        key="ml_checks",
        persist_state="page",
        help="Trains boosted trees and linear models on real and on synthetic data; a few seconds, cached per run "
        "and target.",
    )
    coded = coded_target_note(ds.schema, ds.train, target) if target else None
    if coded:
        st.info(md(coded), icon=":material/info:")
    detection = utility = glm = None
    ml_errors: dict[str, str] = {}
    if run_ml:
        bar = st.progress(0.0, text="ML checks: telling synthetic from real rows…")
        try:
            detection = cached.detection(run_key, ds.train, syn.df, ds.holdout, ds.schema)
        except ValueError as exc:
            ml_errors["detection"] = str(exc)
        bar.progress(1 / 3, text=f"ML checks: training on real and on synthetic data to predict {target}…")
        person = state.evaluation_context(ds, syn).people
        try:
            utility = cached.utility(run_key, target, ds.train, syn.df, ds.holdout, ds.schema, person)
        except UtilityError as exc:
            ml_errors["utility"] = str(exc)
        bar.progress(2 / 3, text=f"ML checks: fitting the same regression of {target} on both…")
        try:
            glm = cached.glm(run_key, target, ds.train, syn.df, ds.holdout, ds.schema, person)
        except UtilityError as exc:
            ml_errors["glm"] = str(exc)
        bar.empty()

    cols = st.columns(3)
    if detection is not None:
        ref = detection.reference_auc
        detection_gap = None if ref is None else detection.auc - ref
        cols[0].metric(
            "Full detection AUC",
            fmt(detection.auc),
            **(metric_delta(detection_gap, 3, f" vs real holdout ({ref:.3f})") if ref is not None else {}),
            delta_color=noise_color(detection.beyond_reference, lower_is_better=True),
            help="Cross-validated ROC AUC of boosted trees and a linear model telling synthetic rows from real ones "
            "(3 folds, every column): 0.5 means indistinguishable, 1 that every row gives itself away. A more "
            "thorough check than the headline's discriminator (boosted trees on one split), so the two AUCs differ; "
            "its yardstick is the same detector telling real holdout rows from real training rows, which reads "
            "above 0.5 when a table's own real rows differ by chance (rare categories, a small table).",
        )
        cols[0].caption(f"95%: {detection.auc_interval.format()}" if detection.auc_interval else "")
    elif "detection" in ml_errors:
        cols[0].metric("Full detection AUC", "—")
        cols[0].caption(f"Not run: {ml_errors['detection']}")
    else:
        cols[0].metric(
            "Full detection AUC", "—", help="Turn on the ML checks to train the real-vs-synthetic classifier."
        )
    if utility is not None:
        head = utility.headline
        metric_name = {"roc_auc": "ROC AUC", "accuracy": "accuracy", "r2": "R²"}[head.metric]
        color, caption = utility_card(head, utility.shown_class, target)
        cols[1].metric(
            f"TSTR vs TRTR ({metric_name})",
            f"{number(head.tstr)} vs {number(head.trtr)}",
            **metric_delta(head.difference),
            delta_color=color,
            help=f"Boosted trees predicting {target} on the real holdout, trained on synthetic (TSTR) or real (TRTR).",
        )
        if caption:
            cols[1].caption(caption)
    elif "utility" in ml_errors:
        cols[1].metric("TSTR vs TRTR", "—")
        cols[1].caption("See the message under ML efficacy.")
    else:
        cols[1].metric("TSTR vs TRTR", "—", help="Turn on the ML checks to train on synthetic and test on real data.")
    if glm is not None:
        cols[2].metric(
            "Same conclusions",
            f"{glm.same_conclusions:.0%}",
            delta=f"CI overlap {glm.mean_overlap:.2f} (holdout {fmt(glm.reference_mean_overlap, 2)})",
            delta_color="off",
            delta_arrow="off",  # a description beside the number, not a change
            help="Share of regression coefficients that lead to the same conclusion on synthetic as on real data, and "
            "the mean overlap of their 95% intervals (Karr et al.).",
        )
    else:
        cols[2].metric("Same conclusions", "—", help="Turn on the ML checks to fit the same regression on both.")

    # ----------------------------------------------------------------------------- utility
    st.subheader(f"ML efficacy: predicting {md(target)}")
    if not run_ml:
        st.info("Turn on **Run the ML checks** above to train on synthetic and test on the real holdout.")
    elif "utility" in ml_errors:
        st.warning(f"**ML efficacy cannot use {md(target)}:** {md(ml_errors['utility'])}")
    elif utility is not None:
        st.caption(
            f"Trained on {utility.n_train:,} real rows (TRTR) or {utility.n_synthetic:,} synthetic rows (TSTR); both "
            f"tested on {utility.n_test:,} holdout rows the synthesizer never saw."
            + (
                f" F1 and AUC refer to “{utility.shown_class(utility.positive_class)}”."
                if utility.positive_class
                else ""
            )
        )
        for note in utility.notes:
            st.info(f"Note: {md(note)}")
        left, right = st.columns(2)
        with left:  # through ui.charts: the importance bars name the table's columns
            charts.plotly_chart(plots.utility_bars(utility), key="utility_bars", config={"displayModeBar": False})
        with right:
            charts.plotly_chart(plots.importance_bars(utility), key="importance_bars", config={"displayModeBar": False})
        # Text cells written by synth (as in the report): a number column's "%.3f" printed "-0.011" with a
        # hyphen-minus, and the interval "-0.011 to -0.000".
        st.dataframe(
            pd.DataFrame(efficacy_rows(utility), columns=list(EFFICACY_COLUMNS)),
            hide_index=True,
            width="stretch",
            column_config={k: st.column_config.TextColumn(alignment="right") for k in NUMBER_COLUMNS},
            key="utility_table",
        )
        st.caption(
            f"Feature-importance rank agreement (Spearman): {fmt(utility.importance_agreement, 2)}; "
            f"{utility.top_overlap:.0%} of the five most important features are shared."
        )

    st.subheader("Same conclusions?")
    if not run_ml:
        st.info("Turn on **Run the ML checks** above to fit the same regression on real and on synthetic data.")
    elif "glm" in ml_errors:
        st.warning(f"**No regression on {md(target)}:** {md(ml_errors['glm'])}")
    elif glm is not None:
        family = "Logistic regression of" if glm.family == "logistic" else "Linear regression of"
        what = f"P({glm.target} = {glm.positive_class})" if glm.family == "logistic" else glm.target
        st.caption(
            f"{family} {what} on every other column, fitted on real and on synthetic data of the same size. "
            f"{glm.same_conclusions:.0%} of the coefficients lead to the same conclusion; their 95% intervals overlap "
            f"{glm.mean_overlap:.2f} on average (Karr et al.; real train vs real holdout: "
            f"{fmt(glm.reference_mean_overlap, 2)})."
        )
        for note in glm.notes:
            st.caption(f"Note: {md(note)}")
        if glm.dropped_terms:
            st.caption(
                "Note: left out because the real data cannot estimate them (aliased with other terms, or every "
                f"real row with them has the same {md(glm.target)}): {md(', '.join(glm.dropped_terms))}"
            )
        charts.plotly_chart(plots.coefficient_plot(glm), key="glm_coefficients", config={"displayModeBar": False})
        differing = [c for c in glm.coefficients if c.conclusion not in ("same",)]
        if differing:
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            "term": c.term,
                            "conclusion": f"{c.conclusion}: {c.reason}" if c.reason else c.conclusion,
                            # Coefficients and overlaps are often negative: written by synth with a true minus.
                            "real": number(c.real),
                            "synthetic": number(c.synthetic),
                            "overlap": number(c.overlap),
                        }
                        for c in differing
                    ]
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    k: st.column_config.TextColumn(alignment="right") for k in ("real", "synthetic", "overlap")
                },
                key="glm_table",
            )

    if detection is not None:
        st.subheader("Detection")
        reference = (
            f" Two samples of real data (holdout vs train) give {detection.reference_auc:.3f}."
            if detection.reference_auc is not None
            else ""
        )
        st.markdown(
            f"ROC AUC **{detection.auc:.3f}** (logistic regression: {detection.auc_linear:.3f}): "
            f"{detection.verdict()}.{reference}"
        )
