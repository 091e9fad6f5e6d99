"""PrivBayes' parameters and what its model file holds (the inventory), apart from the synthesizer's logic.

:class:`~synth.synthesizers.privbayes.PrivBayes` takes ``PARAMS`` as its ``params`` and ``ARTIFACTS`` as its
``artifacts``; the constants here are the choices and shares those parameters refer to.
"""

from __future__ import annotations

from synth.synthesizers.base import Param
from synth.synthesizers.inventory import ArtifactItem

PUBLIC_DOMAIN_CHOICES = ("none", "categories", "categories and ranges")
#: Scores of the structure search (see :func:`synth.synthesizers.dp.network.learn_network`).
STRUCTURE_SCORES = ("L1 dependence", "mutual information")
#: How sampling turns the tables into codes (see :meth:`synth.synthesizers.dp.network.NoisyTable.draw_balanced`).
DRAWS = ("independent", "balanced")

ARTIFACTS = (
    ArtifactItem(
        "Noisy row count",
        "the number of training rows, with Laplace noise (it replaces the exact count the base would store)",
        "aggregates",
        "2% of ε; covered by the (ε, δ) guarantee.",
    ),
    ArtifactItem(
        "Private column domains",
        "per modelled column, the category labels, or the range, bin edges and frequent values of a number or "
        "date, whether it has a missing code (these replace the base's column domains for these columns), and "
        "for whole numbers with at most 2,000 values the fine cells: how likely each value is within its bin",
        "aggregates",
        "Released by DP mechanisms with domain_share of ε: labels under a noisy threshold become '(other)', "
        "ranges and edges come from noisy histograms over a public grid, labels are sorted; the fine cells are "
        "computed from the same noisy per-value counts that find the frequent values (no extra budget). Declared "
        "public domains are stored as declared; with 'Treat as public' the labels and ranges seen are stored as seen.",
    ),
    ArtifactItem(
        "Network and probability tables",
        "the parents of each column and, per parent configuration, the conditional probabilities of its codes",
        "aggregates",
        "Structure by the exponential mechanism, probabilities from Laplace-noised counts; covered by ε. The "
        "noise came from fresh OS entropy and is not in the file.",
    ),
    ArtifactItem(
        "Privacy ledger",
        "the ε (and δ) each part of the fit spent and the columns whose domains were public",
        "structure",
        "Parameters only; derived from no row.",
    ),
    ArtifactItem(
        "Declared orders",
        "the (lower, higher) column pairs you declared, and which later columns were learned as their gap from "
        "the earlier one (their bins above are then the gap's)",
        "structure",
        "Your declaration, never checked against the data; a gap is a public function of each row, taken before "
        "any mechanism, so its bins are covered by ε like any column's.",
        held_in=("declared_orders_",),
    ),
    ArtifactItem(
        "Calendar",
        "for a column named like a day of the month and one named like a month: each (day, month label) past the "
        "month's length (31 jun, 30 feb)",
        "structure",
        "Public knowledge read from the schema's names and the released month labels alone, no row read "
        "(post-processing); February 29 is always allowed.",
        held_in=("calendar_pairs_",),
    ),
)

PARAMS = (
    Param(
        "epsilon",
        "float",
        1.0,
        "The privacy budget ε: smaller is more private and noisier. Around 1 is a common choice; 0.1 is "
        "strong privacy, 10 is weak.",
        label="Privacy budget ε",
        low=0.01,
        high=100.0,
    ),
    Param(
        "degree",
        "int",
        2,
        "The most parents an attribute may have in the network: higher captures more interactions but "
        "makes tables larger, so each cell gets relatively more noise.",
        label="Network degree k",
        low=0,
        high=5,
    ),
    Param(
        "bins",
        "int",
        15,
        "Numbers and dates are cut into at most this many bins (values held by many rows get a bin of "
        "their own). More bins follow shapes more closely but spread the noise over more cells. 15 scored best "
        "on Adult with the other defaults (8 fits each, ε = 3: 10 / 15 / 20 bins 0.946 / 0.949 / 0.947; ε = 1: "
        "10 / 15 bins 0.902 / 0.907).",
        label="Bins per numeric column",
        low=2,
        high=100,
    ),
    Param(
        "structure_share",
        "float",
        0.15,
        "The share of ε (after the domains) spent on choosing the network; the rest goes to the "
        "probability tables. The PrivBayes paper uses 0.3 with mutual information; the L1 dependence score needs "
        "less: on Adult at ε = 3 (6 to 8 fits each) 0.05 / 0.1 / 0.15 / 0.2 / 0.3 scored 0.946 / 0.947 / 0.948 / "
        "0.946 / 0.943, and at ε = 1 0.15 and 0.3 alike (0.902, 0.904).",
        label="Budget share for the structure",
        low=0.05,
        high=0.95,
    ),
    Param(
        "domain_share",
        "float",
        0.4,
        "The share of ε spent on learning the columns' domains privately: which category labels are "
        "common enough to keep (the rest become '(other)') and the ranges and bins of numbers and dates. "
        "Not spent on columns whose domain is declared public. 0.4 scored best on Adult at ε = 0.5 to 3 with "
        "every domain private (benchmarks/bench_dp_audit.py).",
        label="Budget share for the domains",
        low=0.01,
        high=0.9,
    ),
    Param(
        "public_domain",
        "choice",
        "none",
        "What you declare public knowledge (e.g. from a codebook), so no budget is spent on it and ε does "
        "not protect it: 'categories' keeps every category label seen in the data; 'categories and ranges' "
        "also the smallest and largest value of each number and date. 'none': everything is private.",
        label="Treat as public",
        choices=PUBLIC_DOMAIN_CHOICES,
    ),
    Param(
        "usefulness",
        "float",
        8.0,
        "PrivBayes' θ: a parent set is only considered when its table's average count per cell is at "
        "least θ times the noise scale. Higher keeps tables small (less noise, fewer interactions); 8 scored "
        "best on Adult (benchmarks/bench_dp_audit.py).",
        label="Usefulness θ",
        low=0.5,
        high=100.0,
    ),
    Param(
        "key_column",
        "choice",
        "none",
        "A column to condition everything on, e.g. a rare flag such as fraud: it becomes the network's root "
        "and a parent of every column whose table stays useful, so samples conditioned on it keep how the "
        "other columns differ inside it (the search alone leaves a rare flag as a leaf with one or two "
        "parents). The choice is yours, not the data's, and costs no budget; it needs a large enough ε for "
        "the segment's cells to rise above the noise.",
        label="Key column",
        choices=("none",),
        names_columns=True,
    ),
    Param(
        "structure_score",
        "choice",
        "L1 dependence",
        "How the private structure search scores a column with a candidate parent set. 'L1 dependence' is "
        "PrivBayes' R score (how far the joint distribution is from the product of its marginals, in L1), whose "
        "sensitivity to one row is small (2 rows' worth), so the exponential mechanism picks strong links "
        "reliably; 'mutual information' is the classic n · I(X; Π), whose sensitivity bound is about 22 rows.",
        label="Structure score",
        choices=STRUCTURE_SCORES,
    ),
    Param(
        "draws",
        "choice",
        "independent",
        "How synthetic rows pick their codes from the learned probabilities. 'independent' draws every row on its "
        "own (multinomial): the rows are independent draws from the model. 'balanced' rounds the expected counts "
        "of every parent configuration systematically, so the synthetic counts follow the model with almost no "
        "sampling noise; its rows are then not independent, and checks that fit on some synthetic rows and score "
        "the others (the discriminator, detection) read it as harder to tell from real data than its rows are. "
        "Both only read the released model: no privacy cost.",
        label="Draws",
        choices=DRAWS,
    ),
)
