"""Privacy figures: distance to closest record."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from synth.plots.common import HOLDOUT_COLOR, SYNTH_COLOR, layout


def dcr_histogram(dcr_synthetic: Sequence[float], dcr_holdout: Sequence[float]) -> go.Figure:
    """Distance to the closest training row: synthetic rows against real holdout rows.

    When the synthetic distribution sits left of the holdout's (more rows at distance ≈ 0), synthetic rows
    are closer to training people than fresh real people are: a sign of memorisation.
    """
    ds, dh = np.asarray(dcr_synthetic, dtype=float), np.asarray(dcr_holdout, dtype=float)
    both = np.concatenate([ds, dh]) if len(ds) + len(dh) else np.zeros(1)
    hi = float(np.quantile(both, 0.99)) if len(both) else 1.0
    edges = np.linspace(0.0, hi if hi > 0 else 1.0, 41)
    centers = (edges[:-1] + edges[1:]) / 2
    fig = go.Figure()
    for label, values, color in (
        ("synthetic → train", ds, SYNTH_COLOR),
        ("real holdout → train", dh, HOLDOUT_COLOR),
    ):
        counts, _ = np.histogram(np.clip(values, 0, edges[-1]), bins=edges)
        fig.add_bar(x=centers, y=counts / max(len(values), 1), name=label, marker_color=color, opacity=0.75)
    fig = layout(
        fig,
        "Distance to the closest training row",
        "distance (0 = identical on every learned column; 1 ≈ one column fully different)",
        "share of rows",
    )
    fig.update_layout(barmode="overlay")
    return fig
