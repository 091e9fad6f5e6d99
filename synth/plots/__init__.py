"""Plotly figures from tables and results. Pure functions: the pages and the HTML report share them.

Histograms are binned with numpy, so a figure carries counts, not rows: a 1M-row synthetic table draws as
fast as a 1k-row one.
"""

from synth.plots.fidelity import association_heatmaps, column_distribution, score_bars
from synth.plots.privacy import dcr_histogram

__all__ = ["association_heatmaps", "column_distribution", "dcr_histogram", "score_bars"]
