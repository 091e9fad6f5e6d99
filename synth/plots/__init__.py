"""Plotly figures from tables and results. Pure functions: the pages and the HTML report share them.

Histograms are binned with numpy, so a figure carries counts, not rows: a 1M-row synthetic table draws as
fast as a 1k-row one.
"""

from synth.plots.fidelity import (
    association_heatmaps,
    column_distribution,
    distribution_figure,
    pair_figure,
    score_bars,
)
from synth.plots.privacy import attack_rates, attack_risks, dcr_histogram, nndr_histogram
from synth.plots.utility import coefficient_plot, importance_bars, utility_bars

__all__ = [
    "association_heatmaps",
    "attack_rates",
    "attack_risks",
    "coefficient_plot",
    "column_distribution",
    "dcr_histogram",
    "distribution_figure",
    "importance_bars",
    "nndr_histogram",
    "pair_figure",
    "score_bars",
    "utility_bars",
]
