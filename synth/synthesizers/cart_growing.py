"""How Sequential CART grows one step's tree and stores its donors: the tree on the earlier columns (rooted in a split
on the first column with ``split_first``, reading category orders and residual predictors when offered), then the
training values grouped by leaf. :class:`synth.synthesizers.cart.SequentialCART` decides the steps and their order;
:mod:`synth.synthesizers.fit_threads` runs them side by side.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np

from synth.synthesizers.cart_steps import (
    CartColumn,
    CartStep,
    FlatTree,
    join_trees,
    missing_as_lowest,
    missing_kept_low,
    tree_inputs,
)
from synth.synthesizers.category_splits import category_ranks
from synth.synthesizers.linear_scores import LinearScore, fit_score, score_slots, with_score
from synth.synthesizers.person_leaves import people_pruned
from synth.synthesizers.person_rarity import distinct_people
from synth.synthesizers.rare_bands import smoothing_ranges, within_leaves
from synth.synthesizers.residual_features import Residual, residuals_before, used_residuals

#: The widest band of times of day pooled within a leaf (:func:`synth.synthesizers.rare_bands.leaf_groups`), in
#: seconds: wide enough that a band of five visits at a clinic's minute grain holds some 60 grid times, narrow enough
#: not to bridge the hours a clinic is shut.
LEAF_REACH_S = 3_600.0
#: How many weeks before and after its donor's a timestamp's day may be drawn (twice as many one way at the column's
#: ends; :func:`synth.synthesizers.weekly_moves.weekly_moves`): the two leaves' product then holds 2·DAY_WEEKS + 1 times
#: as many (day, hour) pairs for their own rows to be among. Plain CART on the bike hours, 3 seeds, mean `ts` excess:
#: no moves 0.072, 2 weeks 0.020, 4 weeks 0.012, 8 weeks 0.019 (quality 0.994 -> 0.992), 26 weeks 0.008 (quality 0.984:
#: a day's season is lost); the independent synthesizer, which learns no row at all, scores 0.021.
DAY_WEEKS = 4
#: The least :func:`synth.synthesizers.weekly_moves.day_time_density` (in the training rows) at which a split
#: timestamp's days are moved at all. Plain CART, the session-21 clinic with its visit times floored to coarser
#: grains (5 seeds, mean `visit_time` excess without moves -> with them, by the density its 80% split holds): 0.009
#: (the clinic at the minute) +0.004 -> +0.002 (standard error 0.003: no excess to remove); 0.018 +0.009 -> +0.001;
#: 0.027 +0.013 -> +0.006; 0.045 +0.015 -> +0.005; 0.086 +0.032 -> +0.011; 0.32 (hourly) +0.089 -> -0.006; the bike
#: hours (0.80) +0.072 -> +0.015. The shop's order times (0.0002, 0.008) and the survey's (0.001) stay under it. A fit
#: that knows people moves them whatever the density (tests/unit/test_people_days.py).
DENSE_DAYS = 0.015


class CartGrowing:
    """Growing one step of a sequential CART model (its ``columns_`` and settings)."""

    columns_: tuple[CartColumn, ...]
    min_samples_leaf: int
    smooth_below: int
    split_first: bool

    def _step(
        self,
        x: np.ndarray,
        j: int,
        y: np.ndarray,
        rows: np.ndarray | None,
        *,
        classifier: bool,
        seed: int,
        missing: bool = False,
        numeric: bool = False,
        leaf_bands: bool = False,
        week: float = 0.0,
    ) -> CartStep:
        """One step: its tree and its donors grouped by leaf. ``leaf_bands``: a number whose values are common but
        whose rows are near-unique with the columns before it (a timestamp's time of day beside its day) is pooled
        within each leaf as well (:func:`synth.synthesizers.rare_bands.within_leaves`). ``week`` (a week in the
        column's units; 0: none): the day of such a timestamp, moved on its own weekday by up to :data:`DAY_WEEKS` weeks
        when drawn (:func:`synth.synthesizers.weekly_moves.weekly_moves`)."""
        leaf_size = int(self.min_samples_leaf)
        # With a person column, leaves, the rare side and a time of day's bands count people
        # (synth.synthesizers.person_leaves, rare_bands.within_leaves).
        people = getattr(self, "_fit_people", None)
        if people is not None and rows is not None:
            people = people[rows]
        recodes: tuple[tuple[int, np.ndarray], ...] = ()
        residuals: tuple[Residual, ...] = ()
        score: LinearScore | None = None
        if j == 0 or len(y) < 2 * leaf_size or np.all(y == y[0]):
            tree = None
            leaf = np.zeros(len(y), dtype=np.int64)
            node_count = 1
        else:
            xs = x[:, :j] if rows is None else x[rows, :j]
            # A number with few values is a class per value: a classification tree follows how its whole
            # distribution shifts, where a regression tree sees only the mean (a weekday's mean is the same on
            # working days and at weekends).
            target = np.unique(y, return_inverse=True)[1] if classifier and numeric else y
            # Binned predictors (predictor_bins) are binned by their codes: category orders are not combined with them.
            grouped = getattr(self, "category_splits", False) and not self._binned_predictors()
            recodes = self._category_recodes(xs, target, classifier) if grouped else ()
            residuals = residuals_before(getattr(self, "_residuals", ()), j)
            raw = xs
            xs = tree_inputs(np.asarray(xs, dtype=np.float32), recodes, residuals)
            # A number's value, or a two-valued category, may also be split on its least-squares score over the
            # earlier numbers and flags (linear_scores): a tree cannot add up ten weak links one split at a time.
            kinds = getattr(self, "_score_kinds", None)
            if kinds is not None and not missing and (numeric or len(np.unique(y)) == 2):
                score = fit_score(raw, target if numeric else y, score_slots(kinds, j), seed)
                xs = with_score(xs, raw, score)
            tree = self._grow_split_tree(xs, x, target, classifier=classifier, seed=seed, people=people)
            leaf = tree.apply(xs)
            # Leaf ids stay: only feature numbers change. The score, when offered, is the last extra predictor.
            extras: tuple[Residual | LinearScore, ...] = (*residuals, score) if score is not None else residuals
            tree, kept = used_residuals(tree, j, extras)
            residuals = tuple(r for r in kept if isinstance(r, Residual))
            score = next((r for r in kept if isinstance(r, LinearScore)), None)
            node_count = tree.node_count
        offsets = np.zeros(node_count + 1, dtype=np.int64)
        offsets[1:] = np.cumsum(np.bincount(leaf, minlength=node_count))
        values = y.astype(np.float64)
        widths = None
        if numeric:
            smooth = int(self.smooth_below)
            if leaf_bands:  # a time of day, in seconds: its groups reach over an hour at most
                values, widths = within_leaves(y, leaf, smooth, LEAF_REACH_S, people)
            else:
                # Counted in people: one account's opening date on its 40 rows is one person's value, drawn in a band,
                # not a point several synthetic accounts take (session 40: 328 → 556 dates for 598 accounts).
                values, widths = smoothing_ranges(y, smooth, people)
        # Donors grouped by leaf and sorted by value within it: the file keeps no trace of the training rows'
        # order (a stable sort by leaf alone would list each leaf's rows as they came, row 0 first).
        keys = (values, leaf) if widths is None else (widths, values, leaf)
        by_leaf = np.lexsort(keys)
        donors = values[by_leaf]
        if widths is not None:
            widths = widths[by_leaf]
        lattice, weeks = (float(week), DAY_WEEKS) if numeric and week > 0 else (0.0, 0)
        return CartStep(
            j,
            missing,
            tree,
            offsets,
            donors,
            widths,
            recodes=recodes,
            residuals=residuals,
            score=score,
            lattice=lattice,
            weeks=weeks,
        )

    def _binned_predictors(self) -> bool:
        """Whether trees read predictors through quantile bins (Pruned CART's predictor_bins), which are cut per slot
        on raw values: neither category orders nor residual predictors fit them."""
        return bool(int(getattr(self, "predictor_bins", 0)))

    def _category_recodes(self, xs: np.ndarray, y: np.ndarray, classifier: bool) -> tuple[tuple[int, np.ndarray], ...]:
        """(slot, place of each code) for every category predictor of three or more labels this tree may group
        (synth.synthesizers.category_splits); a two-valued first column, which split_first roots trees in, is
        never recoded."""
        out = []
        for slot in range(xs.shape[1]):
            col = self.columns_[slot]
            if not col.categorical:
                continue
            ranks = category_ranks(xs[:, slot], len(col.categories), y, classifier=classifier)
            if ranks is not None:
                out.append((slot, ranks))
        return tuple(out)

    def _grow_split_tree(
        self,
        xs: np.ndarray,
        x: np.ndarray,
        y: np.ndarray,
        *,
        classifier: bool,
        seed: int,
        people: np.ndarray | None = None,
    ) -> FlatTree:
        """The tree for ``y``; with ``split_first``, one tree per value of a two-valued first column under a root
        split on it, so every later column keeps its own distribution given the first (the outcome, by default).
        Without it, only a rare value of that column (:meth:`_rare_side`) is split off, as one leaf. ``people``
        (each row's person, when the fit knows them): the sides and the leaves are counted in people
        (:mod:`synth.synthesizers.person_leaves`)."""
        first = xs[:, 0]
        values = np.unique(first[~np.isnan(first)])
        leaf_size = int(self.min_samples_leaf)
        grow = partial(self._grown, x=x, people=people, classifier=classifier, seed=seed)
        if len(values) != 2 or np.isnan(first).any():
            return grow(xs, y)
        low = first == values[0]
        sizes = (int(low.sum()), int((~low).sum()))
        if people is not None:  # one patient's 10 readmitted visits are one readmitted patient
            sizes = (distinct_people(people[low]), distinct_people(people[~low]))
        rare = min(sizes)
        # A rare value of the first column (25 leavers in 2,400 rows) gets its own side too, as one leaf of all its
        # rows: below min_samples_leaf it could never be a leaf, so every later column lost its tie to it (leavers'
        # termination dates went to non-leavers: 24 of 25). Under smooth_below rows it still does not split.
        if rare < max(int(self.smooth_below), 2):
            return grow(xs, y)
        if not self.split_first:
            if rare >= leaf_size:  # a greedy split may single it out, as plain CART always could
                return grow(xs, y)
            return self._rare_side(xs, y, low, sizes[0] == rare, values, grow, people)
        parts: list[FlatTree | None] = []
        for side in (low, ~low):
            if len(np.unique(y[side])) < 2 or side.sum() < 2 * leaf_size:
                parts.append(None)
            else:
                parts.append(grow(xs[side], y[side], people=None if people is None else people[side]))
        return join_trees(0, float((values[0] + values[1]) / 2.0), parts[0], parts[1], xs.shape[1])

    def _rare_side(
        self,
        xs: np.ndarray,
        y: np.ndarray,
        low: np.ndarray,
        low_rare: bool,
        values: np.ndarray,
        grow: Callable[..., FlatTree],
        people: np.ndarray | None,
    ) -> FlatTree:
        """Plain CART's tree when one of the first column's two ``values`` (the lower, rows ``low``, if
        ``low_rare``) has too few rows to be a leaf (at least smooth_below, under min_samples_leaf): a root split on
        it, its rows one leaf, the other value's rows the tree CART grows. Split_first's rare side, without the
        split for common values: on the seeded HR table CART's 22 synthetic leavers had no termination date and 32
        stayers had one, on the survey 1 of 13 speeders was fast; now 22 of 22 and none, 12 of 13
        (benchmarks/rare_side.py; docs/benchmarks/history.md, session 23). ``grow``: :meth:`_grown` with this
        step's settings; ``people``: each row's person, or None."""
        common = ~low if low_rare else low
        grown = None
        if len(np.unique(y[common])) >= 2 and common.sum() >= 2 * int(self.min_samples_leaf):
            grown = grow(xs[common], y[common], people=None if people is None else people[common])
        parts = (None, grown) if low_rare else (grown, None)
        return join_trees(0, float((values[0] + values[1]) / 2.0), parts[0], parts[1], xs.shape[1])

    def _grown(
        self,
        xs: np.ndarray,
        y: np.ndarray,
        *,
        x: np.ndarray,
        people: np.ndarray | None,
        classifier: bool,
        seed: int,
    ) -> FlatTree:
        """:meth:`_grow_tree`'s tree, its leaves holding ``min_samples_leaf`` people when ``people`` is given."""
        tree = self._grow_tree(xs, x, y, classifier=classifier, seed=seed)
        return tree if people is None else people_pruned(tree, xs, people, int(self.min_samples_leaf))

    def _grow_tree(self, xs: np.ndarray, x: np.ndarray, y: np.ndarray, *, classifier: bool, seed: int) -> FlatTree:
        """The tree that predicts ``y`` from the predictors ``xs`` (``x``: every predictor column, all rows)."""
        from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor  # here: sklearn takes ~0.4 s to import

        leaf_size = int(self.min_samples_leaf)
        model: DecisionTreeClassifier | DecisionTreeRegressor
        filled, lows = missing_as_lowest(xs)
        if classifier:
            model = DecisionTreeClassifier(min_samples_leaf=leaf_size, random_state=seed)
            model.fit(filled, y.astype(np.int64))
        else:
            model = DecisionTreeRegressor(min_samples_leaf=leaf_size, random_state=seed)
            model.fit(filled, y)
        return missing_kept_low(FlatTree.from_sklearn(model.tree_), lows)


def tree_seed(rng: np.random.Generator) -> int:
    """A seed for one tree (drawn in step order before any tree is grown) or for the refiner's classifier."""
    return int(rng.integers(0, 2**31 - 1))
