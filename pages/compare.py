"""Compare: how faithful is the synthetic table, and is it useful? Scores with a real-data reference and intervals,
per-column distributions, associations, a pair explorer, subgroups, ML efficacy and "same conclusions?"."""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from synth import plots
from synth.evaluation.fidelity.diagnosis import SUGGESTIONS, diagnose_pairs
from synth.evaluation.fidelity.segments import SegmentError, parse_conditions
from synth.evaluation.utility.tstr import UtilityError, candidate_targets, default_target
from ui import cached, guards, state
from ui.text import md

st.title("Compare")
ds = guards.need_dataset()
runs = [r for r in state.synthetic_runs() if r.dataset_key == ds.key]
if not runs:
    guards.need_synthetic()
    st.stop()


def run_label(run: state.SyntheticTable) -> str:
    return f"{run.model_label} · seed {run.seed} · {run.n_rows:,} rows · {run.id[:6]}"


def fmt(value: float | None, digits: int = 3) -> str:
    return "—" if value is None or not math.isfinite(value) else f"{value:.{digits}f}"


# ----------------------------------------------------------------------------- every run, headline scores
results = {}
bar = st.progress(0.0, text="Scoring the synthetic runs…") if len(runs) > 1 else None
for i, run in enumerate(runs):
    results[run.id] = cached.fidelity(f"{ds.key}|{run.id}", ds.train, run.df, ds.holdout, ds.schema)
    if bar is not None:
        bar.progress((i + 1) / len(runs), text=f"Scored {i + 1} of {len(runs)} synthetic runs")
if bar is not None:
    bar.empty()

st.subheader("Synthetic runs")
rows = []
for run in reversed(runs):
    res = results[run.id]
    gap = res.gap("overall")
    iv = res.scores.overall_interval
    rows.append(
        {
            "run": run_label(run),
            "overall quality": res.overall,
            "95% interval": iv.format() if iv else "—",
            "vs holdout": gap.verdict() if gap else "no holdout",
            "column shapes": res.column_shapes,
            "pair trends": res.column_pair_trends,
            "sdmetrics overall": res.sdmetrics.overall if res.sdmetrics else None,
        }
    )
st.dataframe(
    pd.DataFrame(rows),
    hide_index=True,
    width="stretch",
    column_config={
        k: st.column_config.NumberColumn(format="%.3f")
        for k in ("overall quality", "column shapes", "pair trends", "sdmetrics overall")
    },
    key="runs_table",
)
by_id = {r.id: r for r in runs}
run_id = st.selectbox(
    "Detailed view of",
    options=[r.id for r in reversed(runs)],
    format_func=lambda rid: run_label(by_id[rid]),
    key="compare_run",
    help="Every panel below shows this run. Runs sampled on the current table and split are kept (up to 6).",
)
syn = by_id[run_id]
result = results[syn.id]
run_key = f"{ds.key}|{syn.id}"
ref = result.reference
st.caption(
    f"{syn.n_rows:,} synthetic rows from **{syn.model_label}** (seed {syn.seed}) against the {len(ds.train):,} real "
    "training rows. "
    f"The real holdout ({len(ds.holdout):,} rows the model never saw) shows what fresh real data scores; "
    f"intervals are seeded bootstrap 95% intervals ({result.n_bootstrap} replicates)."
)

# ----------------------------------------------------------------------------- headline cards
st.subheader("Quality scores")
st.caption("All fidelity scores run from 0 to 1; 1 means the synthetic table matches train exactly.")
cols = st.columns(4)
for col, label, name, help_text in (
    (cols[0], "Overall quality", "overall", "Mean of column shapes and column pair trends."),
    (
        cols[1],
        "Column shapes",
        "column_shapes",
        "Per column: 1 − KS statistic (numbers, dates) or 1 − total variation distance (categories); averaged.",
    ),
    (
        cols[2],
        "Column pair trends",
        "column_pair_trends",
        "Per pair of columns: similarity of correlation (numbers) or of the joint frequency table; averaged over "
        "every pair.",
    ),
    (cols[3], "Missing values", "missing_values", "Per column: 1 − |missing share real − missing share synthetic|."),
):
    value = float(getattr(result.scores, name))
    interval = getattr(result.scores, f"{name}_interval")
    gap = result.gap(name)
    col.metric(
        label,
        fmt(value),
        delta=f"{gap.difference:+.3f} vs real holdout ({gap.reference:.3f})" if gap else None,
        delta_color="normal",
        help=help_text,
    )
    parts = [f"95%: {interval.format()}" if interval else ""]
    if gap is not None:
        parts.append("gap within noise" if gap.is_real is False else "gap beyond noise" if gap.is_real else "")
    col.caption(" · ".join(p for p in parts if p))

modelled = [c.column for c in result.columns]
targets = candidate_targets(ds.schema, modelled)
default = default_target(ds.schema, modelled)
left, right = st.columns([2, 3])
target = left.selectbox(
    "Target for ML efficacy and “same conclusions?”",
    options=targets,
    index=targets.index(default) if default in targets else 0,
    key="ml_target",
    help="Categorical or boolean: classification (logistic model); numeric: regression (linear model).",
)
run_ml = right.toggle(
    "Run the ML checks (detection, train-on-synthetic, same conclusions)",
    key="ml_checks",
    help="Trains boosted trees and linear models on real and on synthetic data; a few seconds, cached per run "
    "and target.",
)
detection = utility = glm = None
ml_errors: dict[str, str] = {}
if run_ml:
    bar = st.progress(0.0, text="ML checks: telling synthetic from real rows…")
    try:
        detection = cached.detection(run_key, ds.train, syn.df, ds.holdout, ds.schema)
    except ValueError as exc:
        ml_errors["detection"] = str(exc)
    bar.progress(1 / 3, text=f"ML checks: training on real and on synthetic data to predict {target}…")
    try:
        utility = cached.utility(run_key, target, ds.train, syn.df, ds.holdout, ds.schema)
    except UtilityError as exc:
        ml_errors["utility"] = str(exc)
    bar.progress(2 / 3, text=f"ML checks: fitting the same regression of {target} on both…")
    try:
        glm = cached.glm(run_key, target, ds.train, syn.df, ds.holdout, ds.schema)
    except UtilityError as exc:
        ml_errors["glm"] = str(exc)
    bar.empty()

cols = st.columns(3)
if detection is not None:
    cols[0].metric(
        "Detection AUC",
        fmt(detection.auc),
        delta=f"{detection.auc - detection.reference_auc:+.3f} vs real holdout ({detection.reference_auc:.3f})"
        if detection.reference_auc is not None
        else None,
        delta_color="inverse",
        help="Cross-validated ROC AUC of boosted trees telling synthetic rows from real ones: 0.5 means "
        "indistinguishable, 1 that every row gives itself away.",
    )
    cols[0].caption(f"95%: {detection.auc_interval.format()}" if detection.auc_interval else "")
elif "detection" in ml_errors:
    cols[0].metric("Detection AUC", "—")
    cols[0].caption(f"Not run: {ml_errors['detection']}")
else:
    cols[0].metric("Detection AUC", "—", help="Turn on the ML checks to train the real-vs-synthetic classifier.")
if utility is not None:
    head = utility.headline
    metric_name = {"roc_auc": "ROC AUC", "accuracy": "accuracy", "r2": "R²"}[head.metric]
    cols[1].metric(
        f"TSTR vs TRTR ({metric_name})",
        f"{head.tstr:.3f} vs {head.trtr:.3f}",
        delta=f"{head.difference:+.3f}",
        delta_color="normal",
        help=f"Boosted trees predicting {target} on the real holdout, trained on synthetic (TSTR) vs on real (TRTR).",
    )
    if head.difference_interval:
        cols[1].caption(
            f"gap 95%: {head.difference_interval.format()} · {'beyond' if head.gap_is_real else 'within'} noise"
        )
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
        help="Share of regression coefficients that lead to the same conclusion on synthetic as on real data, and "
        "the mean overlap of their 95% intervals (Karr et al.).",
    )
else:
    cols[2].metric("Same conclusions", "—", help="Turn on the ML checks to fit the same regression on both.")

if result.sdmetrics is not None:
    sd = result.sdmetrics
    st.markdown(
        f"**sdmetrics {sd.version}** QualityReport and DiagnosticReport (for comparison with published numbers)"
    )
    c = st.columns(5)
    c[0].metric("Overall (sdmetrics)", fmt(sd.overall))
    c[1].metric("Column Shapes (sdmetrics)", fmt(sd.column_shapes))
    c[2].metric("Column Pair Trends (sdmetrics)", fmt(sd.column_pair_trends))
    c[3].metric("Data Validity (sdmetrics)", fmt(sd.data_validity))
    c[4].metric("Data Structure (sdmetrics)", fmt(sd.data_structure))
    subsample = (
        f" sdmetrics saw a seeded sample of {sd.n_synthetic_rows:,} synthetic rows."
        if sd.n_synthetic_rows and sd.n_synthetic_rows < syn.n_rows
        else ""
    )
    st.caption(
        f"sdmetrics averages pair trends only over pairs whose real association is strong: |Pearson r| > "
        f"{sd.correlation_threshold:g} for numeric pairs, Cramér's V > {sd.association_threshold:g} otherwise "
        f"(since sdmetrics 0.27). Our pair-trend score averages every pair.{subsample}"
    )
elif result.sdmetrics_error:
    st.warning(f"sdmetrics' QualityReport could not run on this table: {md(result.sdmetrics_error)}")

# ----------------------------------------------------------------------------- columns
st.subheader("Column distributions, worst match first")
dists = {d.column: d for d in cached.distributions(run_key, ds.train, syn.df, ds.holdout, ds.schema)}
worst = result.worst_columns()
ref_scores = {c.column: c.score for c in ref.columns} if ref else {}
diagnoses = cached.diagnosis(run_key, ds.train, syn.df, result, ds.schema)
with st.expander("Why do the worst columns differ?", expanded=True):
    if diagnoses and all(not d.findings for d in diagnoses):
        pair_gap = result.gap("column_pair_trends")
        where = (
            " The gap is in the relationships between columns: see the association heatmaps below."
            if pair_gap is not None and pair_gap.is_real and pair_gap.difference < 0
            else ""
        )
        st.success(f"Even the worst columns are as close to train as fresh real data.{where}")
    for d in diagnoses:
        st.markdown(f"**{md(d.column)}** ({d.metric} {d.score:.3f}): {md(d.summary)}")
        for f in d.findings[1:3]:
            st.markdown(f"- {md(f.message)}")
        if d.findings:
            st.caption(f"Try: {md(d.findings[0].suggestion)}")
st.plotly_chart(
    plots.score_bars(
        [c.column for c in worst],
        [c.score for c in worst],
        [ref_scores.get(c.column, float("nan")) for c in worst] if ref else None,
        intervals=[c.interval for c in worst],
    ),
    key="score_bars",
    config={"displayModeBar": False},
)
st.caption(
    "Bars: synthetic vs train, with bootstrap 95% whiskers. Grey ticks: the real holdout vs train — a synthetic "
    "score near the tick is as good as fresh real data."
)


@st.fragment
def column_explorer() -> None:
    left, right = st.columns([2, 1])
    query = left.text_input("Find columns", key="column_filter", placeholder="type part of a column name")
    shown = [c for c in worst if query.strip().lower() in c.column.lower()]
    if not shown:
        st.info(f"No column name contains “{md(query)}”.")
        return
    n_show = 1
    if len(shown) > 1:
        n_show = right.slider(
            "Columns to show", min_value=1, max_value=len(shown), value=min(6, len(shown)), key="columns_to_show"
        )
    grid = st.columns(2)
    for i, score in enumerate(shown[:n_show]):
        with grid[i % 2]:
            fig = plots.distribution_figure(
                dists[score.column], score=score.score, metric=score.metric, reference=ref_scores.get(score.column)
            )
            st.plotly_chart(fig, key=f"dist_{score.column}", config={"displayModeBar": False})


column_explorer()

# ----------------------------------------------------------------------------- associations and pairs
st.subheader("Association between columns")
method = st.radio(
    "Numeric pairs", ["Pearson", "Spearman"], horizontal=True, key="assoc_method", label_visibility="collapsed"
)
st.caption(
    f"{method} correlation for two numeric columns (−1 to 1), the correlation ratio η for a number and a category, "
    "Cramér's V for two categories (0 to 1). The right panel shows synthetic − real: white means the relationship "
    "was kept."
)
if method == "Spearman" and result.spearman_real is not None and result.spearman_synthetic is not None:
    heat = plots.association_heatmaps(result.spearman_real, result.spearman_synthetic)
else:
    heat = plots.association_heatmaps(result.association_real, result.association_synthetic)
st.plotly_chart(heat, key="association_heatmaps")
worst_pairs = result.worst_pairs()
with st.expander("Which relationships are lost?"):
    for pd_ in diagnose_pairs(result, top=5):
        st.markdown(f"- {md(pd_.message)}")
    st.caption(f"Try: {SUGGESTIONS['association']}")


@st.fragment
def pair_explorer() -> None:
    st.markdown("**Pair explorer**")
    first = worst_pairs[0] if worst_pairs else None
    left, right = st.columns(2)
    a = left.selectbox("Column", modelled, index=modelled.index(first.column_a) if first else 0, key="pair_a")
    others = [c for c in modelled if c != a]
    if not others:
        st.info("The pair explorer needs two compared columns.")
        return
    b_default = first.column_b if first and first.column_b in others else others[0]
    b = right.selectbox("against", others, index=others.index(b_default), key="pair_b")
    view = cached.pair(run_key, a, b, ds.train, syn.df, ds.schema)
    st.plotly_chart(plots.pair_figure(view), key="pair_view", config={"displayModeBar": False})
    try:
        score = result.scores.pair(a, b)
        st.caption(
            f"{score.metric} {score.score:.3f} · association {score.real:.2f} real vs {score.synthetic:.2f} synthetic"
        )
    except KeyError:
        pass


pair_explorer()

# ----------------------------------------------------------------------------- subgroups
st.subheader("Inside a subgroup")


@st.fragment
def subgroup() -> None:
    text = st.text_input(
        "Segment",
        key="segment_filter",
        placeholder="sex = Female and age < 30",
        help="Conditions joined by “and”: =, !=, <, <=, >, >=, in (a, b), not in (a, b), is missing, is not missing. "
        "Values with spaces go in quotes.",
    )
    if not text.strip():
        st.caption("Type a segment such as `sex = Female and age < 30` to recompute the comparison inside it.")
        return
    try:
        conditions = parse_conditions(text, list(ds.train.columns))
        seg = cached.segment(
            run_key, " and ".join(str(c) for c in conditions), conditions, ds.train, syn.df, ds.holdout, ds.schema
        )
    except SegmentError as exc:
        st.warning(f"**The segment could not be read:** {md(exc)}")
        return
    if seg.status != "ok" or seg.fidelity is None:
        st.warning(seg.message)
        return
    st.success(seg.message)
    fid = seg.fidelity
    c = st.columns(3)
    gap = fid.gap("overall")
    c[0].metric(
        "Overall quality (segment)",
        fmt(fid.overall),
        delta=f"{gap.difference:+.3f} vs real holdout ({gap.reference:.3f})" if gap else None,
    )
    c[1].metric(
        "Share of rows in the segment",
        f"{seg.share_synthetic:.1%}",
        delta=f"{100 * (seg.share_synthetic - seg.share_real):+.1f} pp vs real ({seg.share_real:.1%})",
        delta_color="off",
    )
    c[2].metric("Column pair trends (segment)", fmt(fid.column_pair_trends))
    ws = fid.worst_columns()
    seg_ref = {x.column: x.score for x in fid.reference.columns} if fid.reference else {}
    st.plotly_chart(
        plots.score_bars(
            [x.column for x in ws],
            [x.score for x in ws],
            [seg_ref.get(x.column, float("nan")) for x in ws] if seg_ref else None,
            intervals=[x.interval for x in ws],
            title="Column shape score inside the segment",
        ),
        key="segment_score_bars",
        config={"displayModeBar": False},
    )


subgroup()

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
        + (f" F1 and AUC refer to “{utility.positive_class}”." if utility.positive_class else "")
    )
    for note in utility.notes:
        st.info(f"Note: {md(note)}")
    left, right = st.columns(2)
    left.plotly_chart(plots.utility_bars(utility), key="utility_bars", config={"displayModeBar": False})
    right.plotly_chart(plots.importance_bars(utility), key="importance_bars", config={"displayModeBar": False})
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "model": s.model,
                    "metric": s.metric,
                    "TRTR": s.trtr,
                    "TSTR": s.tstr,
                    "TSTR − TRTR": s.difference,
                    "95% interval of the gap": s.difference_interval.format() if s.difference_interval else "—",
                    "trivial model": s.baseline,
                }
                for s in utility.scores
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            k: st.column_config.NumberColumn(format="%.3f") for k in ("TRTR", "TSTR", "TSTR − TRTR", "trivial model")
        },
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
    st.plotly_chart(plots.coefficient_plot(glm), key="glm_coefficients", config={"displayModeBar": False})
    differing = [c for c in glm.coefficients if c.conclusion not in ("same",)]
    if differing:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "term": c.term,
                        "conclusion": c.conclusion,
                        "real": c.real,
                        "synthetic": c.synthetic,
                        "overlap": c.overlap,
                    }
                    for c in differing
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={k: st.column_config.NumberColumn(format="%.3f") for k in ("real", "synthetic", "overlap")},
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
st.page_link("pages/privacy.py", label="Next: privacy risk", icon=":material/lock:")
