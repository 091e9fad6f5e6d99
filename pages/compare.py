"""Compare: how faithful is the synthetic table? Scores, per-column distributions, association heatmaps."""

from __future__ import annotations

import streamlit as st

from synth import plots
from ui import cached, guards

st.title("Compare")
ds = guards.need_dataset()
guards.need_fitted()
syn = guards.need_synthetic()
st.caption(
    f"{syn.n_rows:,} synthetic rows from **{syn.model_label}** against the {len(ds.train):,} real training rows. "
    f"The real holdout ({len(ds.holdout):,} rows the model never saw) shows what fresh real data scores."
)

result = cached.fidelity(f"{ds.key}|{syn.id}", ds.train, syn.df, ds.holdout, ds.schema)
ref = result.reference

st.subheader("Quality scores")
st.caption("All scores run from 0 to 1; 1 means the synthetic table matches train exactly.")
cols = st.columns(3)
for col, label, value, ref_value, help_text in (
    (
        cols[0],
        "Overall quality",
        result.overall,
        ref.overall if ref else None,
        "Mean of the two scores beside it.",
    ),
    (
        cols[1],
        "Column shapes",
        result.column_shapes,
        ref.column_shapes if ref else None,
        "Per column: 1 − KS statistic (numbers, dates) or 1 − total variation distance (categories); averaged.",
    ),
    (
        cols[2],
        "Column pair trends",
        result.column_pair_trends,
        ref.column_pair_trends if ref else None,
        "Per pair of columns: similarity of correlation (numbers) or of the joint frequency table; averaged "
        "over every pair.",
    ),
):
    col.metric(
        label,
        f"{value:.3f}",
        delta=f"{value - ref_value:+.3f} vs real holdout ({ref_value:.3f})" if ref_value is not None else None,
        delta_color="normal",
        help=help_text,
    )

if result.sdmetrics is not None:
    sd = result.sdmetrics
    st.markdown(f"**sdmetrics {sd.version} QualityReport** (for comparison with published numbers)")
    c = st.columns(3)
    c[0].metric("Overall (sdmetrics)", f"{sd.overall:.3f}")
    c[1].metric("Column Shapes (sdmetrics)", f"{sd.column_shapes:.3f}")
    c[2].metric("Column Pair Trends (sdmetrics)", f"{sd.column_pair_trends:.3f}")
    st.caption(
        f"sdmetrics averages pair trends only over pairs whose real association is strong: |Pearson r| > "
        f"{sd.correlation_threshold:g} for numeric pairs, Cramér's V > {sd.association_threshold:g} otherwise "
        "(since sdmetrics 0.27). Our pair-trend score above averages every pair."
    )
elif result.sdmetrics_error:
    st.warning(f"sdmetrics' QualityReport could not run on this table: {result.sdmetrics_error}")

st.subheader("Column distributions, worst match first")
worst = result.worst_columns()
ref_scores = {c.column: c.score for c in ref.columns} if ref else {}
st.plotly_chart(
    plots.score_bars(
        [c.column for c in worst],
        [c.score for c in worst],
        [ref_scores.get(c.column, float("nan")) for c in worst],
    ),
    key="score_bars",
    config={"displayModeBar": False},
)
st.caption(
    "Bars: synthetic vs train. Grey ticks: the real holdout vs train — a synthetic score near the tick is "
    "as good as fresh real data."
)
n_show = st.slider("Columns to show", min_value=1, max_value=len(worst), value=min(6, len(worst)))
grid = st.columns(2)
for i, score in enumerate(worst[:n_show]):
    with grid[i % 2]:
        fig = plots.column_distribution(
            ds.train[score.column],
            syn.df[score.column],
            score.kind,
            holdout=ds.holdout[score.column],
            score=score.score,
            metric=score.metric,
        )
        st.plotly_chart(fig, key=f"dist_{score.column}", config={"displayModeBar": False})

st.subheader("Association between columns")
st.caption(
    "Pearson r for two numeric columns (−1 to 1), Cramér's V when a category is involved (0 to 1). "
    "The right panel shows synthetic − real: white means the relationship was kept."
)
st.plotly_chart(
    plots.association_heatmaps(result.association_real, result.association_synthetic),
    key="association_heatmaps",
)
st.page_link("pages/privacy.py", label="Next: privacy risk", icon=":material/lock:")
