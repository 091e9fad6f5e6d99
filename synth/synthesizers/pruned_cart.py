"""Pruned CART: sequential CART whose trees keep only the splits that pay for themselves; the Synthesize page's
default.

It is the synthesizer on the fidelity/privacy frontier (issue 14; docs/benchmarks/fidelity.md,
history.md): on MOSTLY AI's Adult
split, mostlyai-qa scores it as accurate as a fresh real sample of the same size and finds its rows no closer to
the training rows than fresh rows are (figures below). The planted-canary attacks of
``tests/unit/test_model_files.py`` run over it as over every offered synthesizer. Its rare-number pooling
(``smooth_below``) defaults to 10 rows: at 20, on a small table every value of a column such as age is "rare", the
top band then spreads the mass of a whole group of real rows uniformly up to the midpoint of the two planted
extreme ages, and synthetic rows landed on a planted age.

Sequential CART (:mod:`synth.synthesizers.cart`) draws each column from the donors of a tree leaf: training rows
that agree with the synthetic row on the columns drawn before. Grown down to ``min_samples_leaf`` rows, a tree also
splits on noise: on a near-unique weight, on a rare category, on one more year of age. Each such split narrows the
donors to rows that happen to sit near one another, and after a dozen columns a synthetic row has been steered,
column by column, towards particular training rows. It is then closer to its training rows than a fresh real row
is: on Adult, mostlyai-qa's DCR share is 0.54 for CART (0.50 is ideal) at the same leaf size.

This model keeps synthpop's method and changes what a leaf may be:

* **Cost-complexity pruning** (Breiman et al., 1984; scikit-learn's ``ccp_alpha``): a split survives only if it
  lowers the tree's impurity by more than ``prune`` per leaf (Gini impurity for categories; for numbers, the
  squared error as a share of the column's variance, so the knob means the same on every scale). Splits that fit
  noise gain almost nothing and go; the structure that other data would show too (income by education and age,
  hours by occupation) stays.
* **Coarse predictors** (off by default): trees see each predictor with more than ``predictor_bins`` distinct
  values through that many quantile bins (category codes, ordered by frequency, pool their rarest values in the
  last bin). A leaf is then a union of whole bins: it cannot single out one weight, one rare country. The fitted
  thresholds are mapped back to the bins' edges, so sampling routes raw values with no binning step.
* **Rare numbers** are pooled into shared bands and donors stored sorted, exactly as plain CART does, so every
  promise CART's model file and output make holds here too.

Measured on MOSTLY AI's Adult split with mostlyai-qa 1.10 (benchmarks/bench_frontier.py;
docs/benchmarks/history.md, "The frontier").
With synthpop's independent donor draws, pruning traded accuracy for distance along one line whatever was pruned
and however (accuracy about 0.979 at DCR share 0.53, 0.978 at 0.518, 0.976 at 0.514; smoothing inside leaves,
pooled leaves, honest and bagged trees, visit orders and rank-fitted regressors all landed on it). Balanced draws
(CART's ``draws``, see :mod:`synth.synthesizers.cart`) moved the line: most of the accuracy lost was the sampling
noise of the draws, not the model. At the default ``prune_per_row = 3.5`` (a split must gain 3.5 rows' worth: a
split that fits noise gains about one, so one setting means the same on 2,000 rows as on 200,000) it scored
accuracy 0.9797 / 0.9796 (ceiling 0.982), DCR share 0.512 / 0.513, discriminator AUC 0.518 / 0.519 and no more
identical matches than the holdout over two fits and draws. Session 9 found that balanced tables flatter every
held-out check (see :mod:`synth.synthesizers.cart`, "Donor draws"), so draws are random again by default; with
them, seeds 0 / 2 score accuracy 0.9767 / 0.9780, DCR share 0.511 / 0.511, discriminator AUC 0.525 / 0.518
(``benchmarks/results/frontier_adult_s9_draws_seed*.json``): short of issue 14's 0.979 and 0.52.
``prune`` (a fixed threshold) is used only when ``prune_per_row`` is 0.

**Numbers pruned locally** (``prune_numbers_locally = 7``, session 6): a regression tree (a number with more than
``classify_up_to`` values) is pruned split by split against the variance of the rows each split divides, not of the
whole column (:func:`locally_pruned`): a split on noise lowers a node's squared error by about one node variance
wherever it sits, so a split must lower it by 7 per leaf it adds. Against the column's variance, fine structure
among rows whose value is nearly determined (a total given its parts, a felt temperature given the temperature)
was pruned away with the noise. On Bike Sharing this raised accuracy from 0.952 to 0.960 (ceiling 0.964) and
lowered the discriminator AUC from 0.71 to 0.59; on California from 0.921 to 0.934 and 0.70 to 0.64; on Adult it
kept accuracy (0.9799 / 0.9798) and moved the DCR share from 0.513 / 0.515 to 0.509 / 0.511
(``benchmarks/results/frontier_*_s6_*.json``).

**Split on the outcome first** (``split_first``, on here, off in plain CART): every tree is rooted in a split on the
first visited column when it has two values (the table's last two-valued column: its outcome, usually), with one
subtree per value, each pruned by the rows it sees. Greedy splits on stronger predictors had kept later trees from
splitting on a rare outcome at all; on Bank Marketing train-synthetic-test-real AUC rose from 0.851 / 0.847 to
0.896 / 0.888 (TRTR 0.905), and on Adult (accuracy 0.9801 / 0.9803, DCR share 0.512 / 0.512, discriminator AUC
0.515 / 0.519) every target but TSTR stays met. Numbers with at most ``classify_up_to`` (32) values get
classification trees, as in CART.

**Residual splits** (``residual_splits``, on here, off in plain CART; session 10): trees may also split on how far
a number sits from its least-squares line on a strongly correlated number
(:mod:`synth.synthesizers.residual_features`). On California Housing, where the coast is a diagonal of latitude
and longitude, the discriminator AUC fell from 0.644 / 0.647 to 0.604 / 0.616 and TSTR rose from 0.930 to 0.948
(seeds 0 / 2); Adult and Bank Marketing have no such pair and score the same; on Bike Sharing the discriminator
moved little and the DCR share rose by 0.002–0.009 (docs/benchmarks/fidelity.md, "CART's predictors and refinement").

**Refinement** (``refine``, on here, off in plain CART; session 11): after the trees, a boosted classifier learns to
tell the training rows from the model's own, and each drawn row is kept with a chance that grows with its tempered
odds of being real, else drawn again (:mod:`synth.synthesizers.refinement`). Rows stay independent draws. Over
nine paired runs on four tables (docs/benchmarks/fidelity.md, "CART's predictors and refinement") the
discriminator AUC fell on three tables (California
Housing 0.611 / 0.616 → 0.563 / 0.564, Bike Sharing 0.593 / 0.594 → 0.552 / 0.557, Adult 0.525 / 0.517 / 0.516 →
0.513 / 0.511 / 0.513; Bank Marketing unchanged), accuracy rose on seven of nine, and the DCR share moved by −0.003
to +0.009 (mean +0.001); sampling slowed from 360,000–1,170,000 rows per second to 80,000–490,000. Not used with
balanced draws.

**Linear splits** (``linear_splits``, on; session 28, the default since session 29): the tree of a number or a
two-valued column may also split on its least-squares score over the earlier numbers and two-valued columns
(:mod:`synth.synthesizers.linear_scores`), offered only where it explains the column beyond chance. A tree adds
up many weak links one split at a time, and pruning kept few: on the session-28 wide table (2,000 training rows,
30 flags, 10 Likert items correlated 0.52 through one trait) the items' mean correlation fell to 0.36 / 0.36
(seeds 0 / 2), with scores 0.49 / 0.50 (holdout 0.51; the copula 0.46); pair trends rose from 0.943 / 0.940 to
0.960 / 0.960 (holdout 0.960), accuracy from 0.908 / 0.905 to 0.909 / 0.911 (holdout 0.913), and the DCR share
fell from 0.541 / 0.526 to 0.501 / 0.502, rare values unmoved. On the survey, the HR table and UCI Adult the scores
stayed within their seed spread or moved towards the holdout (Adult: accuracy 0.965 / 0.968 → 0.967 / 0.968, DCR
share 0.513 / 0.513 → 0.513 / 0.508; ``python -m benchmarks.bench_linked_items``,
``benchmarks/results/linked_items*.json``). A row that lacks a slot carrying a material part of the score has no
score and follows the tree's missing-value rule: scored as if that slot were average, the rows without a start
reading drew their end reading, which the start sets, from the middle of the range (58-70% of the real spread,
``tests/unit/test_missing_predictors.py``), now 97-101% as without scores.

Everything else (visit order, missing values, conditions, vectorised sampling, saving) is CART's.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback
from synth.schema import Schema
from synth.synthesizers.base import Param
from synth.synthesizers.cart import FlatTree, SequentialCART
from synth.synthesizers.cart_params import (
    CLASSIFY_PARAM,
    DRAWS_PARAM,
    category_splits_param,
    linear_splits_param,
    refine_param,
    residual_splits_param,
    split_first_param,
)
from synth.synthesizers.cart_steps import compact, missing_as_lowest, missing_kept_low
from synth.synthesizers.derived import EXACT_RULES_PARAM
from synth.synthesizers.registry import register


@register
class PrunedCART(SequentialCART):
    """Sequential CART with pruned trees (optionally on coarse predictors), rooted in a split on the outcome."""

    name = "pruned_cart"
    label = "Pruned CART"
    main_params: ClassVar[tuple[str, ...] | None] = (
        "min_samples_leaf",
        "prune_per_row",
        "smooth_below",
        "min_category_rows",
    )
    description = (
        "Sequential decision trees like CART, pruned to the splits that would show in other data too, and rows a "
        "classifier can tell from real ones drawn again. On UCI Adult its rows sit almost as far from the training "
        "rows as fresh real rows do (DCR share 0.51 by mostlyai-qa; 0.5 is ideal) at an accuracy of 0.978–0.979 "
        "(a fresh real sample: 0.982); plain CART follows the data more closely and its rows sit closer to the "
        "training rows."
    )
    # SequentialCART leaves its params un-annotated, so mypy narrows them to its own three.
    params: ClassVar[tuple[Param, ...]] = (  # type: ignore[assignment]
        Param(
            "min_samples_leaf",
            "int",
            40,
            "The fewest training rows a tree leaf may hold. Every synthetic value is drawn from a leaf of at "
            "least this many real rows, but for a rare value of the first visited column (fewer rows than this, at "
            "least 'Smooth values rarer than'), whose rows form one leaf of their own.",
            label="Minimum rows per leaf",
            low=1,
            high=100_000,
        ),
        Param(
            "prune",
            "float",
            2e-4,
            "Privacy knob: how much a split must improve a tree (per leaf, as a share of the column's impurity) "
            "to be kept. Larger values keep fewer, broader leaves: synthetic rows move away from the training "
            "rows and follow the data less closely. 0 keeps every split (plain CART). Used only when 'Pruning per "
            "row' is 0, and for numbers with many values only when 'Local pruning of numbers' is 0.",
            label="Pruning strength (when pruning per row is 0)",
            low=0.0,
            high=0.1,
        ),
        Param(
            "prune_per_row",
            "float",
            3.5,
            "Pruning that adapts to the table's size: when above 0, a split must improve a tree by more than this "
            "many rows' worth (prune_per_row / rows, replacing 'Pruning strength'). A split that fits noise gains "
            "about 1/rows, so one setting means the same on 2,000 rows as on 200,000. 0 uses 'Pruning strength'. "
            "Numbers with many values follow 'Local pruning of numbers' instead when it is above 0.",
            label="Pruning per row",
            low=0.0,
            high=1_000.0,
        ),
        Param(
            "predictor_bins",
            "int",
            0,
            "Trees look at each predictor through at most this many quantile bins, so a leaf never isolates "
            "one value of a column. 0 lets trees split between any two values.",
            label="Predictor bins",
            low=0,
            high=100_000,
        ),
        Param(
            "smooth_below",
            "int",
            10,
            "Numeric values seen fewer than this many times in training are pooled into shared bands (as plain "
            "CART does) and drawn from the band, never copied as they are. 0 copies every value.",
            label="Smooth values rarer than",
            low=0,
            high=100_000,
        ),
        Param(
            "visit_order",
            "choice",
            "binary_first",
            "The order in which columns are synthesised (see Sequential CART).",
            label="Visit order",
            choices=("binary_first", "binary_then_fewest", "table", "fewest_values", "most_values"),
        ),
        Param(
            "prune_numbers_locally",
            "float",
            7.0,
            "When above 0, regression trees (numbers with many values) are pruned split by split against the "
            "variance of the rows they split, not of the whole column: a split is kept when it lowers the squared "
            "error by more than this many times the node's own variance per extra leaf. Fine structure where a "
            "number is nearly determined (a total and its parts) then survives, noise splits do not. 0 prunes "
            "regression trees like the rest ('Pruning per row' of the column's variance).",
            label="Local pruning of numbers",
            low=0.0,
            high=1_000.0,
        ),
        split_first_param(True),
        category_splits_param(False),
        residual_splits_param(True),
        linear_splits_param(True),
        refine_param(True),
        CLASSIFY_PARAM,
        DRAWS_PARAM,
        EXACT_RULES_PARAM,
    )

    prune: float
    prune_numbers_locally: float
    prune_per_row: float
    predictor_bins: int

    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        # Bin edges of each predictor slot, filled in as CART's _fit reaches the columns (read by _step only).
        self._edges: dict[int, np.ndarray | None] = {}
        try:
            super()._fit(data, schema, rng, progress)
        finally:
            del self._edges

    def _predictor_edges(self, column: np.ndarray) -> np.ndarray | None:
        """Quantile bin edges of one predictor, or None when it has no more distinct values than bins."""
        bins = int(self.predictor_bins)
        present = column[~np.isnan(column)]
        if bins <= 0 or len(np.unique(present)) <= bins:
            return None
        return np.unique(np.quantile(present, np.linspace(0.0, 1.0, bins + 1)[1:-1], method="lower"))

    def _binned(self, xs: np.ndarray, full: np.ndarray) -> tuple[np.ndarray, list[np.ndarray | None]]:
        if int(self.predictor_bins) <= 0:  # raw predictors (and a tree's residual predictors past the slots)
            return xs, [None] * xs.shape[1]
        out = np.array(xs, dtype=np.float32)
        edges = []
        for c in range(xs.shape[1]):
            if c not in self._edges:
                self._edges[c] = self._predictor_edges(full[:, c])
            e = self._edges[c]
            edges.append(e)
            if e is not None:
                b = np.searchsorted(e, xs[:, c], side="left").astype(np.float32)
                b[np.isnan(xs[:, c])] = np.nan
                out[:, c] = b
        return out, edges

    def _grow_tree(self, xs: np.ndarray, x: np.ndarray, y: np.ndarray, *, classifier: bool, seed: int) -> FlatTree:
        """CART's tree, pruned by cost complexity and fitted on binned predictors; donors are stored as CART does."""
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # here: sklearn takes ~0.4 s to import

        leaf_size = int(self.min_samples_leaf)
        binned, edges = self._binned(xs, x)
        binned, lows = missing_as_lowest(binned)
        # A noise split's gain, in sklearn's impurity-per-leaf units (weighted by the share of rows), shrinks like
        # 1/rows: prune_per_row scales the threshold with the rows this tree sees.
        prune = float(self.prune_per_row) / len(y) if self.prune_per_row > 0 else float(self.prune)
        model: DecisionTreeClassifier | DecisionTreeRegressor
        if classifier:
            model = DecisionTreeClassifier(min_samples_leaf=leaf_size, ccp_alpha=prune, random_state=seed)
            model.fit(binned, y.astype(np.int64))
        else:
            local = float(self.prune_numbers_locally)
            alpha = 0.0 if local > 0 else prune * float(np.var(y))
            model = DecisionTreeRegressor(min_samples_leaf=leaf_size, ccp_alpha=alpha, random_state=seed)
            model.fit(binned, y)
            if local > 0:
                flat = missing_kept_low(FlatTree.from_sklearn(model.tree_), lows)
                return compact(raw_thresholds(flat, edges), locally_pruned(model.tree_, local))
        return raw_thresholds(missing_kept_low(FlatTree.from_sklearn(model.tree_), lows), edges)


def raw_thresholds(flat: FlatTree, edges: list[np.ndarray | None]) -> FlatTree:
    """A tree fitted on bin numbers, as a tree on raw values: each threshold becomes its bin edge.

    A bin number is ``searchsorted(edges, x, "left")``, the count of edges below ``x``; a split between bins
    ``m`` and ``m + 1`` (sklearn's threshold ``t`` with ``floor(t) = m``) sends ``x`` left exactly when
    ``x <= edges[m]``.
    """
    thresholds = flat.threshold.copy()
    for node in np.flatnonzero(flat.children_left >= 0):
        e = edges[int(flat.feature[node])]
        # −inf splits missing values from present ones (missing_kept_low): no bin to map.
        if e is not None and np.isfinite(thresholds[node]):
            thresholds[node] = float(e[int(np.floor(thresholds[node]))])
    # A new FlatTree: the compiled sklearn tree still holds the bin-number thresholds, so it is rebuilt from arrays.
    return FlatTree(
        flat.children_left,
        flat.children_right,
        flat.feature,
        thresholds,
        flat.missing_go_to_left,
        flat.n_features,
        flat.max_depth,
    )


def locally_pruned(tree: object, strength: float) -> np.ndarray:
    """The nodes of a fitted regression tree that become leaves when each split must pay against its own rows.

    Bottom up (scikit-learn numbers a node's children after it): a node's subtree is kept when it lowers the sum
    of squared errors of the node's rows by more than ``strength`` times the node's variance per leaf it adds. A
    split on noise lowers it by about one variance (the best of many such splits by a few), so the threshold
    means the same wherever the node sits: a split among rows whose values are nearly determined (a total given
    its parts) is weighed against their small spread, not against the whole column's.
    """
    left = np.asarray(tree.children_left)  # type: ignore[attr-defined]
    right = np.asarray(tree.children_right)  # type: ignore[attr-defined]
    sse = np.asarray(tree.impurity) * np.asarray(tree.weighted_n_node_samples)  # type: ignore[attr-defined]
    variance = np.asarray(tree.impurity)  # type: ignore[attr-defined]
    below = sse.copy()  # squared error left under each node once its subtree is pruned
    leaves = np.ones(len(left))
    cut = np.zeros(len(left), dtype=bool)
    for node in range(len(left) - 1, -1, -1):
        if left[node] < 0:
            continue
        sub, count = below[left[node]] + below[right[node]], leaves[left[node]] + leaves[right[node]]
        if (sse[node] - sub) / (count - 1) <= strength * variance[node]:
            cut[node] = True
        else:
            below[node], leaves[node] = sub, count
    return cut
