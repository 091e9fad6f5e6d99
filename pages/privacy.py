"""Privacy: how close do synthetic rows sit to real training rows, compared with fresh real rows?"""

from __future__ import annotations

import streamlit as st

from synth import plots
from ui import cached, guards

st.title("Privacy")
ds = guards.need_dataset()
guards.need_fitted()
syn = guards.need_synthetic()
st.caption(
    "A synthetic row that sits much closer to a training row than fresh real people do may reveal that "
    "person. The real holdout shows how close unrelated real people are."
)

result = cached.privacy(f"{ds.key}|{syn.id}", ds.train, syn.df, ds.holdout, ds.schema)

c = st.columns(3)
c[0].metric(
    "Closer to train than to holdout",
    f"{result.dcr_share:.1%}",
    delta=f"{(result.dcr_share - 0.5) * 100:+.1f} points vs ideal 50%",
    delta_color="inverse",
    help=(
        "Share of synthetic rows whose closest real row is in a random train sample of the holdout's size "
        "rather than in the holdout. A model that memorises nothing lands near 50%."
    ),
)
c[1].metric(
    "Exact copies of training rows",
    f"{result.exact_copies:,}",
    delta=f"{result.exact_copy_rate:.2%} of synthetic vs {result.holdout_exact_copy_rate:.2%} of holdout",
    delta_color="off",
    help="Synthetic rows equal to a training row on every learned column. The holdout rate is what "
    "coincidence alone gives for real people.",
)
c[2].metric(
    "Median distance to closest training row",
    f"{result.median_dcr_synthetic:.3f}",
    delta=f"holdout: {result.median_dcr_holdout:.3f}",
    delta_color="off",
    help="Mixed-type distance: numbers scaled by their range, a category mismatch counts 1.",
)

if result.dcr_share > 0.6 or result.exact_copy_rate > 2 * result.holdout_exact_copy_rate + 0.001:
    st.error(
        "**High risk:** synthetic rows sit closer to training rows than fresh real data does. Use a model "
        "with more smoothing or differential privacy before sharing this table."
    )
elif result.dcr_share > 0.53:
    st.warning("**Some risk:** synthetic rows lean towards training rows. Inspect before sharing.")
else:
    st.success(
        "**No sign of memorisation by distance:** synthetic rows are no closer to training rows than fresh "
        "real rows are."
    )

st.plotly_chart(plots.dcr_histogram(result.dcr_synthetic, result.dcr_holdout), key="dcr_chart")
st.caption(
    f"Distances of {result.n_compared:,} synthetic rows and {len(result.dcr_holdout):,} holdout rows to their "
    f"closest of the {result.n_train:,} training rows, over {len(result.columns)} learned columns. A synthetic "
    "curve piled up at 0, left of the holdout's, would mean copied people."
)
