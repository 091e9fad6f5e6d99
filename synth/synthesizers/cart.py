"""Sequential CART, in the manner of R's synthpop (Nowok, Raab & Dibben, 2016; Reiter, 2005).

Columns are synthesised one after another in a visit order. The first is drawn from its training values;
each later column comes from a decision tree (a classifier for categories, a regressor for numbers and
datetimes) fitted to predict it from the columns before it. At sample time each synthetic row is walked down
the tree to a leaf and takes the value of a random *donor*: a training row that fell in the same leaf. This
is synthpop's method: the leaf's donors are the model's conditional distribution, so interactions and
non-linear relationships are kept without any distributional assumption.

Missing values are modelled like any column: categories keep missing as a category of their own; a numeric
or datetime column with missing values first gets a missing indicator (a classifier on the earlier columns)
and then its value (a regressor fitted on the rows where it is present). A predictor's missing values are
split off like its lowest value, into leaves of their own (``cart_steps.missing_as_lowest``).

Privacy knobs. ``min_samples_leaf`` is the smallest number of training rows a leaf may hold: every drawn
value comes from a pool of at least that many real rows, but for a rare value of the two-valued first column (at
least ``smooth_below`` rows, fewer than ``min_samples_leaf``; session 23), whose rows are one leaf in every tree:
below the leaf size no split could isolate it, and the columns that depend on it (a leaver's termination date, a
speeder's short duration) went to the common value's rows. Numeric values that occur fewer than ``smooth_below``
times in the training column (outliers, near-unique values such as weights or amounts) are not kept: rare
values are pooled into groups of at least ``smooth_below`` rows, and a donor from a group gives a uniform draw
on the group's shared band (see :func:`smoothing_ranges`). What is guaranteed: the model file holds no rare
value nor anything it can be solved from, the column's extremes are not kept, and a synthetic value that
happens to equal a rare real one (rounding to the grid can land on it) is no more likely than any other
value of its gap. That last point is measured, not assumed: the rare-value membership test
(:mod:`synth.evaluation.privacy.rare_values`) at the defaults finds no excess of train-only rare values over
holdout-only ones on UCI Adult and California housing (``tests/unit/test_rare_values.py``). When the fit knows the
person behind each row, leaves and the rare side count people, not rows (:mod:`synth.synthesizers.person_leaves`).

Visit order. By default the two-valued columns come first (an outcome such as ``income``, or ``sex``), then
the rest in table order: every later column is then drawn given them, and the synthetic table's own
P(outcome | rest) comes from all the trees rather than from a single one. On UCI Adult this raised the
train-synthetic-test-real AUC for income from 0.915 (table order, income last) to 0.927, at the same
closeness to training rows; ``min_samples_leaf = 40`` gave a DCR share of 0.52 (0.5 is ideal), against 0.55
at synthpop's 5. Since session 6 the last two-valued column leads (tables usually end with their outcome: Adult's
income, Bank Marketing's ``y``), and ``split_first`` (Pruned CART's default) roots every later tree in a split on
it, with one subtree per value: a later column then keeps its own distribution given the outcome even where other
predictors win every greedy split. On Bank Marketing the month a client was called carried no trace of the
outcome without it (a model trained on the synthetic month alone scored AUC 0.50 on real rows, 0.64 trained on
real ones), and train-synthetic-test-real AUC rose from 0.84 to 0.89 (TRTR 0.905).

Linear splits (``linear_splits``, on since session 29, as in Pruned CART): the tree of a number or a two-valued
column may also split on its least-squares score over the earlier numbers and flags
(:mod:`synth.synthesizers.linear_scores`), so a column tied a little to each of many earlier ones keeps those ties.
On the session-28 wide questionnaire the Likert items' mean correlation rose from 0.35 to 0.51 (real 0.518). On
UCI Adult accuracy fell from 0.9700-0.9702 to 0.9690-0.9695 (seeds 0-4), but fresh real rows (the holdout) score
0.969: a table scoring above them is closer to the training rows than new data from the same source is, not
better, and the DCR share moved towards 0.5 (docs/benchmarks/fidelity.md, "Linear-score splits").

Conditions on the first visited column are met exactly and cheaply: its values are drawn (by column-level
rejection) before the columns that depend on them. Conditions on later columns are left to the shared base's
bounded rejection.

Sampling is vectorised: the trees route a whole batch at once (scikit-learn's compiled ``apply``), and donors
are stored grouped by leaf with offsets, so a donor draw is one gather.

Donor draws. By default (``draws="random"``) each row picks a donor of its leaf on its own, as synthpop does, so
the synthetic rows are independent draws from the model. ``draws="balanced"`` instead shares a leaf's donors out
evenly among the rows of a batch that reach it (stratified uniforms, :func:`synth.synthesizers.cart_steps.
balanced_uniforms`): each row still gets a uniformly random donor, but the table as a whole follows the model with
far less sampling noise, so marginal accuracy against the training table rises (mostlyai-qa on MOSTLY AI's Adult
split: 0.9800 against 0.9767 with random draws, seed 0). It was the default until session 9, which found the
price: the rows of a balanced table are not independent (a donor used by one row is less likely to be used by
another), and every check that fits on some synthetic rows and scores on the others reads such a table as harder
to tell from real data than its rows are. mostlyai-qa's discriminator scored a balanced train-sized table 0.513,
and a train-sized random subsample of a ten times larger balanced draw, whose rows are distributed exactly alike,
0.530 (random draws: 0.525 and 0.531); the dashboard's own discriminator read 1,000 balanced rows (a race's
default) 0.448 against 0.490 for random ones (docs/benchmarks/fidelity.md, "Independent draws"). Balanced
draws use more of the training values (every donor of a leaf that enough rows reach); the rare ones stay pooled in
bands, and ``tests/unit/test_rare_values.py`` holds their reproduction to that of fresh values for both kinds of
draw.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from typing import ClassVar

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback, scaled
from synth.schema import ColumnKind, Schema
from synth.synthesizers.base import (
    Param,
    Synthesizer,
)
from synth.synthesizers.calendar_pairs import find_calendar
from synth.synthesizers.cart_artifacts import CART_ARTIFACTS
from synth.synthesizers.cart_growing import DENSE_DAYS, CartGrowing, tree_seed
from synth.synthesizers.cart_params import (
    CLASSIFY_PARAM,
    DRAWS_PARAM,
    category_splits_param,
    linear_splits_param,
    refine_param,
    residual_splits_param,
    split_first_param,
)
from synth.synthesizers.cart_sampling import CartSampling

# The model's parts live in cart_steps and rare_bands; they are re-exported here, where other modules (and the type
# names in saved model files) have always found them.
from synth.synthesizers.cart_steps import (
    MISSING,
    CartColumn,
    CartStep,
    FlatTree,
    anchored_step,
    datetime_ns,
    datetimes_from_units,
    labels,
    time_unit,
    week_units,
)
from synth.synthesizers.category_ranges import CategoryRange, frame_category_ranges
from synth.synthesizers.column_order import anchor_base, find_anchors, in_units_of
from synth.synthesizers.compositions import composed_columns
from synth.synthesizers.derived import (
    EXACT_RULES_PARAM,
    DerivedRule,
    order_with_rules,
)
from synth.synthesizers.derived_search import find_rules
from synth.synthesizers.fit_threads import fit_threads, run_all
from synth.synthesizers.missing_together import MissingGroup, frame_missing_groups
from synth.synthesizers.params import MIN_CATEGORY_ROWS
from synth.synthesizers.rare_bands import (
    _group_bands,
    _rare_groups,
    _smoothed_bounds,
    safe_decimals,
    smoothed_draw,
    smoothing_ranges,
)
from synth.synthesizers.rare_categories import BUCKET_LABELS
from synth.synthesizers.refinement import (
    CALIBRATION_ROWS,
    MAX_TRAINING_ROWS,
    Refiner,
    RefinerUnavailable,
    fit_refiner,
)
from synth.synthesizers.registry import register
from synth.synthesizers.residual_features import find_residuals
from synth.synthesizers.row_orders import redrawn_orders
from synth.synthesizers.time_of_day import is_time_of_day, split_days
from synth.synthesizers.weekly_moves import day_time_density
from synth.synthesizers.zero_pairs import ZeroPair, frame_zero_pairs

__all__ = [
    "CLASSIFY_PARAM",
    "DRAWS_PARAM",
    "MISSING",
    "CartColumn",
    "CartStep",
    "FlatTree",
    "SequentialCART",
    "_group_bands",
    "_rare_groups",
    "_smoothed_bounds",
    "datetime_ns",
    "datetimes_from_units",
    "labels",
    "smoothed_draw",
    "smoothing_ranges",
    "split_first_param",
    "time_unit",
]


@register
class SequentialCART(CartSampling, CartGrowing, Synthesizer):
    """Sequential decision trees with donor sampling (synthpop's ``cart`` method)."""

    name = "cart"
    label = "Sequential CART"
    main_params: ClassVar[tuple[str, ...] | None] = ("min_samples_leaf", "smooth_below", "min_category_rows")
    description = (
        "Synthesises columns one after another, each from a decision tree on the columns before it, drawing "
        "real values from the tree's leaves (R synthpop's method). Captures interactions and non-linear "
        "relationships; the most faithful model here, with privacy set by the leaf size."
    )
    params = (
        Param(
            "min_samples_leaf",
            "int",
            40,
            "Privacy knob: the fewest training rows a tree leaf may hold. Every synthetic value is drawn from "
            "a leaf of at least this many real rows (people, when the table has a person column), so larger "
            "leaves blur individuals more (and follow the data less closely); the one exception is a rare value of "
            "the first visited column (fewer rows than this, at least 'Smooth values rarer than'), whose rows form "
            "one leaf of their own. synthpop's default "
            "is 5; 40 kept synthetic rows no closer to the training rows than fresh real rows are, on UCI Adult.",
            label="Minimum rows per leaf",
            low=1,
            high=100_000,
        ),
        Param(
            "smooth_below",
            "int",
            5,
            "Numeric values seen fewer than this many times in training are not kept: they are pooled into groups "
            "of at least this many rows, and a donor from a group gives a random value in the group's band. "
            "0 copies every value.",
            label="Smooth values rarer than",
            low=0,
            high=100_000,
        ),
        Param(
            "visit_order",
            "choice",
            "binary_first",
            "The order in which columns are synthesised. 'binary_first' starts with the two-valued columns, "
            "the last of them first (often the outcome a model will be trained to predict, which then shapes "
            "every other column), then the table's order; 'binary_then_fewest' visits the rest from the fewest "
            "distinct values to the most (categories before the numbers they shape); 'table' keeps the table's "
            "order; 'fewest_values' / 'most_values' sort by the number of distinct values.",
            label="Visit order",
            choices=("binary_first", "binary_then_fewest", "table", "fewest_values", "most_values"),
        ),
        split_first_param(False),
        category_splits_param(False),
        residual_splits_param(False),
        # On: the accuracy it costs on Adult was above the holdout's ceiling (the module's docstring).
        linear_splits_param(True),
        refine_param(False),
        CLASSIFY_PARAM,
        DRAWS_PARAM,
        EXACT_RULES_PARAM,
    )

    artifacts = CART_ARTIFACTS

    split_first: bool
    category_splits: bool
    residual_splits: bool
    linear_splits: bool
    refine: bool
    classify_up_to: int
    min_samples_leaf: int
    smooth_below: int
    visit_order: str
    draws: str
    exact_rules: bool

    columns_: tuple[CartColumn, ...]
    steps_: tuple[CartStep, ...]
    rules_: tuple[DerivedRule, ...]
    grain_bands_: tuple[tuple[str, int], ...]
    band_decimals_: tuple[tuple[str, int], ...]
    refiner_: Refiner | None
    refine_skipped_: bool
    category_ranges_: tuple[CategoryRange, ...]
    missing_groups_: tuple[MissingGroup, ...]
    zero_pairs_: tuple[ZeroPair, ...]
    calendar_pairs_: tuple[ZeroPair, ...]

    def _check_state(self) -> None:
        from synth.synthesizers.calendar_pairs import check_calendar
        from synth.synthesizers.category_ranges import categorical_names, check_ranges
        from synth.synthesizers.missing_together import check_groups
        from synth.synthesizers.rule_checks import check_rules
        from synth.synthesizers.state_checks import check_cart  # the tree arrays reach compiled code
        from synth.synthesizers.zero_pairs import check_zeros

        check_cart(self)
        check_rules(self)
        check_ranges(self, {c.name for c in self.columns_ if c.kind.is_numeric}, categorical_names(self.columns_))
        check_groups(self, {c.name for c in self.columns_})
        check_zeros(self, {c.name for c in self.columns_})
        check_calendar(self, {c.name for c in self.columns_})

    # ------------------------------------------------------------------ fit
    def _order(self, data: pd.DataFrame, schema: Schema) -> list[str]:
        names = list(schema.names)
        if self.visit_order == "table":
            return names
        distinct = {c: int(data[c].nunique(dropna=False)) for c in names}
        if self.visit_order in ("binary_first", "binary_then_fewest"):
            binary = [c for c in names if distinct[c] <= 2]
            # The last two-valued column first: a table's outcome usually closes it (the column
            # synth.evaluate_utility predicts by default), and every later column is then drawn given it.
            binary = binary[-1:] + binary[:-1]
            rest = [c for c in names if distinct[c] > 2]
            if self.visit_order == "binary_then_fewest":
                rest = sorted(rest, key=lambda c: distinct[c])  # stable: ties keep the table's order
            return binary + rest
        reverse = self.visit_order == "most_values"
        return sorted(names, key=lambda c: -distinct[c] if reverse else distinct[c])

    def rule_thresholds(self) -> tuple[int, int]:
        """The fewest training rows that must hold a value before a rule's table may store it: a label, as for
        categories (``min_category_rows``); a number or date, as for donors (``smooth_below``, when higher)."""
        labels = max(int(getattr(self, MIN_CATEGORY_ROWS.name, 1)), 1)
        return labels, max(labels, int(self.smooth_below))

    def _output_schema(self, data: pd.DataFrame, schema: Schema) -> Schema:
        """Numbers drawn from pooled bands are rounded to their recorded decimals only where that cannot bring rare
        real values back (:func:`safe_decimals`); elsewhere the model keeps no decimals and rounds its draws band by
        band (``band_decimals_``, ``grain_bands_``)."""
        smooth = int(self.smooth_below)
        dropped = {
            spec.name
            for spec in schema
            if (spec.kind is ColumnKind.CONTINUOUS or spec.kind is ColumnKind.DISCRETE)
            and spec.decimals is not None
            and spec.name in data.columns
            and safe_decimals(data[spec.name].to_numpy(dtype=float), spec.decimals, smooth) is None
        }
        # The rules are found here, once (the fit reuses them): a sum whose input keeps its precision must keep
        # its own, or rounding it would break the sum by half a grid step.
        modelled = schema.modelled
        shares = composed_columns(self)
        people = getattr(self, "_fit_people", None)  # pairs of values counted in people (derived_search)
        rules = (
            find_rules(data[modelled], schema.select(modelled), *self.rule_thresholds(), keep=shares, people=people)
            if self.exact_rules
            else ()
        )
        self._found_rules = rules
        # A whole number recorded to tens, hundreds, … is rounded instead to its bands' cells of many real rows
        # (grain_cells): the salaries' grid comes back where no single rare salary can.
        self.grain_bands_ = tuple(
            (s.name, int(s.decimals))
            for s in schema
            if s.name in dropped and s.kind is ColumnKind.DISCRETE and s.decimals is not None and s.decimals < 0
        )
        # A number with fractions is rounded band by band (band_decimals): to its recorded decimals where a band holds
        # enough grid values, to the fewest extra places that do elsewhere (cents too crowded get 3 decimals, not 17).
        self.band_decimals_ = tuple(
            (s.name, int(s.decimals))
            for s in schema
            if s.name in dropped and s.kind is ColumnKind.CONTINUOUS and s.decimals is not None
        )
        for rule in rules:
            if dropped.intersection(rule.inputs):
                dropped.add(rule.output)
        return Schema(tuple(replace(s, decimals=None) if s.name in dropped else s for s in schema))

    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        self._fit_schema = schema  # read by _finish_values while the refiner's calibration rows are drawn
        try:
            self._fit_trees(data, schema, rng, progress)
        finally:
            del self._fit_schema

    def _fit_trees(
        self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback
    ) -> None:
        # Columns an exact rule computes get no tree: they are computed from their inputs, visited right after
        # the last of them, and stay predictors of the columns after them.
        found = getattr(self, "_found_rules", None)  # (found by _output_schema on the same table)
        people = getattr(self, "_fit_people", None)  # with a person column, every region rule counts people
        if found is not None:
            del self._found_rules
        rules = (
            found
            if found is not None
            else find_rules(data, schema, *self.rule_thresholds(), keep=composed_columns(self), people=people)
            if self.exact_rules
            else ()
        )
        derived = {r.output for r in rules if not r.partial}  # a partial lookup's column keeps its tree
        order = order_with_rules(self._order(data, schema), rules)
        smooth = int(self.smooth_below)
        columns = tuple(CartColumn.fit(data[name], schema[name].kind, smooth) for name in order)
        self.columns_ = columns  # read by the trees' category orders (_category_recodes)
        n, d = len(data), len(columns)
        x = np.empty((n, d), dtype=np.float32, order="F")
        values = []
        for j, col in enumerate(columns):
            v = col.encode(data[col.name])
            values.append(v)
            # Trees split on predictors with rare numbers already smoothed, as synthetic rows will hold them: a
            # threshold is then never the midpoint between a kept value and a rare one (which would give it away).
            x[:, j] = v if col.categorical else smoothed_draw(v, smooth, rng)
        written = {r.output for r in rules}  # columns an exact rule writes: no order is drawn for them
        # A timestamp's time of day is common on its own and near-unique beside its day: its donors are pooled
        # within their leaves too (rare_bands.within_leaves), or a leaf narrow in days gave back real visits.
        timed = {spec.name for spec in schema if is_time_of_day(spec)}
        # Its day is drawn on its own weekday some weeks from its donor's (weekly_moves.weekly_moves) where its rows
        # fill their days' clocks (weekly_moves.day_time_density): the day's leaf and the time's leaf, each
        # near-unique, then gave back their own rows' (day, hour) pairs (bike hours). Elsewhere days keep what is
        # tied to their dates, but not when the fit knows people: each of a person's rows adds to its day's share, and
        # over their rows a member's days came back more often than a non-member's (ledger, booked_at alone: AUC
        # over people 0.619 against fresh holders' 0.533; moved, 0.525).
        names = [c.name for c in columns]
        days = {names.index(d): names.index(t) for t, d in split_days(schema).items() if d in names and t in names}
        anchors = find_anchors(columns, values, written)
        # (an anchored day's donors are gaps from its anchor: it is drawn as before)
        weeks = {
            k: week_units(columns[k])
            for k, t in days.items()
            if k not in anchors and (people is not None or day_time_density(values[k], values[t]) >= DENSE_DAYS)
        }
        # An anchor keeps one bound, from a column present on every row; every other order that holds (a second
        # bound, or one whose earlier column is sometimes missing) is kept on whole rows, drawing the rows that
        # break it again (the copula's way).
        self.date_orders_, self.number_orders_ = redrawn_orders(data, schema, written, columns, anchors)
        # A number whose ranges never overlap between a category's levels (an office's latitude) is kept inside its
        # row's level's range on whole rows, with the orders (synth.synthesizers.category_ranges).
        self.category_ranges_ = frame_category_ranges(data, schema, written, self.rule_thresholds()[0], people=people)
        # Columns missing on exactly the same rows (a latitude and its longitude) stay missing together on whole
        # rows, with the orders and ranges (synth.synthesizers.missing_together).
        self.missing_groups_ = frame_missing_groups(data, schema, written, people=people)
        # Pairs of common values no training row holds (day 17 with month "may" on Bank Marketing) are drawn again
        # on whole rows, with the orders, ranges and groups (synth.synthesizers.zero_pairs). A number's values are
        # held by as many rows as a donor's (smooth_below), a label's as a category's.
        self.zero_pairs_ = frame_zero_pairs(data, schema, written, self.rule_thresholds()[1], people=people)
        # A day of the month past its month's length (31 jun) is drawn again the same way: the calendar is public
        # knowledge, kept where the training rows keep it (synth.synthesizers.calendar_pairs).
        self.calendar_pairs_ = find_calendar(data, schema, written, BUCKET_LABELS)
        numbers = [j for j, c in enumerate(columns) if c.kind.is_numeric]
        # Binned predictors (Pruned CART's predictor_bins) are binned per slot: residual predictors are not offered.
        offered = getattr(self, "residual_splits", False) and not self._binned_predictors()
        self._residuals = find_residuals(x, numbers) if offered else ()
        # Slots a linear score may read (linear_scores): numbers and two-valued categories; None when not offered.
        scored = getattr(self, "linear_splits", False) and not self._binned_predictors()
        kinds = [c.kind.is_numeric or (c.categorical and len(c.categories) == 2) for c in columns]
        self._score_kinds = kinds if scored else None
        # Balanced draws share each leaf's donors out evenly; redrawing rejected rows would undo that.
        refining = bool(getattr(self, "refine", False)) and self.draws != "balanced" and n >= 2 and d >= 1
        share = 0.6 if refining else 1.0  # of the progress bar: the refiner's classifier takes the rest
        # Each tree's seed is drawn here, in step order, so the trees may be grown side by side (fit_threads).
        tasks: list[tuple[str, Callable[[], CartStep]]] = []
        for j, col in enumerate(columns):
            if col.name in derived:
                continue
            y = values[j]
            anchor = anchors.get(j)
            if anchor is not None and col.kind is ColumnKind.DATETIME:  # drawn as a gap from its earlier date
                earlier = in_units_of(values[anchor.anchor], columns[anchor.anchor], col)
                y = anchor.sign * (y - anchor_base(earlier, anchor.sign, col.integer, date=True))
            if col.categorical:
                tasks.append((col.name, partial(self._step, x, j, y, None, classifier=True, seed=tree_seed(rng))))
                continue
            missing = np.isnan(y)
            if missing.any():
                flags = missing.astype(float)
                fit = partial(self._step, x, j, flags, None, classifier=True, missing=True, seed=tree_seed(rng))
                tasks.append((col.name, fit))
            present = ~missing
            if not present.any():
                continue
            rows = None if present.all() else np.flatnonzero(present)
            few = len(np.unique(y[present])) <= int(self.classify_up_to)
            banded = col.name in timed
            week = weeks.get(j, 0.0)
            fit = partial(
                self._step,
                x,
                j,
                y[present],
                rows,
                classifier=few,
                seed=tree_seed(rng),
                numeric=True,
                leaf_bands=banded,
                week=week,
            )
            if anchor is not None:
                fit = partial(anchored_step, fit, anchor.anchor, anchor.sign)
            tasks.append((col.name, fit))
        steps = run_all(tasks, fit_threads(n, d), progress, 0.0, share)
        del self._residuals, self._score_kinds
        self.steps_ = tuple(steps)
        self.rules_ = tuple(rules)
        self.refiner_ = None
        self.refine_skipped_ = False
        if refining:
            progress(share, "fitting a classifier that tells the model's rows from real ones")
            real = x if n <= MAX_TRAINING_ROWS else x[np.sort(rng.choice(n, MAX_TRAINING_ROWS, replace=False))]
            _, drawn = self._draw_rows(CALIBRATION_ROWS * len(real), rng, lambda *_: None, None)
            try:
                self.refiner_ = fit_refiner(real, drawn, tree_seed(rng), scaled(progress, share, 1.0))
            except RefinerUnavailable:
                self.refine_skipped_ = True  # rows are drawn from the trees alone; fit_warnings says so
        progress(1.0, "trees and classifier fitted" if refining else "trees fitted")

    def fit_warnings(self) -> tuple[str, ...]:
        if getattr(self, "refine_skipped_", False) is True:  # (absent from files saved before it existed)
            return (
                f"{self.label} fitted without refinement: this scikit-learn's boosted trees could not be read, so "
                "rows are drawn from the trees alone (a discriminator may tell them from real rows more easily).",
                *super().fit_warnings(),
            )
        return super().fit_warnings()
