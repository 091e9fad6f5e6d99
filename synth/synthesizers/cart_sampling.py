"""Sequential CART's sampling half: rows drawn down the trees column by column, rules computed from their inputs,
refinement's redraws, and the first column drawn alone for a condition on it (:class:`CartSampling`, a base of
:class:`synth.synthesizers.cart.SequentialCART`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any, ClassVar, TypeVar

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback
from synth.schema import ColumnKind, ColumnSpec
from synth.schema.conformance import whole_places
from synth.synthesizers.band_decimals import band_places, round_in_bands, spread_crowded, sum_at_places
from synth.synthesizers.base import Condition, column_mask, describe_conditions, draw_matching
from synth.synthesizers.cart_steps import CartColumn, CartStep
from synth.synthesizers.category_ranges import model_ranges
from synth.synthesizers.column_order import anchor_base, in_units_of, redraw_out_of_order
from synth.synthesizers.derived import DerivedRule, derive_codes, rules_of
from synth.synthesizers.grain_cells import grain_cells, round_to_cells
from synth.synthesizers.missing_together import model_groups
from synth.synthesizers.refinement import Refiner, refined_rows
from synth.synthesizers.row_orders import coded_columns, keep_orders
from synth.synthesizers.zero_pairs import model_zeros

_Bands = TypeVar("_Bands")


class CartSampling:
    """Sampling for a fitted sequential CART model (its ``columns_``, ``steps_`` and ``refiner_``)."""

    columns_: tuple[CartColumn, ...]
    steps_: tuple[CartStep, ...]
    refiner_: Refiner | None
    draws: str
    max_condition_draws: ClassVar[int]
    _band_memo: tuple[tuple[CartStep, ...] | None, dict[tuple[int, str, int], tuple[CartStep, Any]]]

    def _sample(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        # Dates after a date with missing values, numbers after a number with missing values: rows that break such
        # an order are drawn again (row_orders.keep_orders), with those whose number lies outside its category's
        # range (category_ranges), those where a column of a group missing together is missing without its
        # leader (missing_together) and those holding a pair of values no real row holds (zero_pairs). Files saved
        # before these orders, ranges, groups or pairs have none.
        orders = (*getattr(self, "date_orders_", ()), *getattr(self, "number_orders_", ()))
        ranges, groups, zeros = model_ranges(self), model_groups(self), model_zeros(self)
        # The pairs' label columns come as codes, read without hashing a label per row (coded_labels).
        coded = coded_columns(groups, zeros)
        body = self._generate(n, rng, progress, None, coded)
        redraw = lambda m: self._generate(m, rng, lambda *_: None, None, coded)  # noqa: E731
        return keep_orders(body, orders, redraw, ranges, groups, zeros)

    def _sample_given(
        self,
        n: int,
        rng: np.random.Generator,
        progress: ProgressCallback,
        conditions: Mapping[str, Condition],
    ) -> pd.DataFrame:
        first = self.columns_[0]
        if first.name not in conditions:
            return self._sample(n, rng, progress)
        cond = conditions[first.name]

        def roots(m: int) -> np.ndarray:
            return draw_matching(
                m,
                lambda k: self._draw_first(k, rng),
                lambda v: column_mask(first.decode(v), cond),
                self.max_condition_draws,
                describe_conditions({first.name: cond}),
            )

        # Rows that break an order, a range, a group or a zero pair are drawn again as _sample draws them, from roots
        # that meet the condition too.
        orders = (*getattr(self, "date_orders_", ()), *getattr(self, "number_orders_", ()))
        ranges, groups, zeros = model_ranges(self), model_groups(self), model_zeros(self)
        coded = coded_columns(groups, zeros)
        body = self._generate(n, rng, progress, roots(n), coded)
        redraw = lambda m: self._generate(m, rng, lambda *_: None, roots(m), coded)  # noqa: E731
        return keep_orders(body, orders, redraw, ranges, groups, zeros)

    def _draw_first(self, n: int, rng: np.random.Generator) -> np.ndarray:
        values = np.full(n, np.nan)
        missing = np.zeros(n, dtype=bool)
        for step in self.steps_:
            if step.column != 0:
                break
            drawn = step.draw(np.empty((n, 0), dtype=np.float32), n, rng, self.draws == "balanced")
            if step.missing:
                missing = drawn > 0.5
            else:
                values = self._finish_values(drawn, self.columns_[0], step)
        values[missing] = np.nan
        return values

    def _finish_values(self, values: np.ndarray, col: CartColumn, step: CartStep | None = None) -> np.ndarray:
        """Drawn values as the column holds them: whole numbers rounded, numbers with fractions rounded to the
        decimals they were recorded at (before any rule reads them: a sum of amounts in cents stays exact), all
        within the column's smoothed range. A whole number whose grain the rare-value guard refused is rounded to its
        band's cells of many real rows, or in a band without one to a finer grid off the grain
        (:mod:`synth.synthesizers.grain_cells`) when ``step`` drew it, a number with fractions to its band's places
        (:mod:`synth.synthesizers.band_decimals`)."""
        grain = dict(getattr(self, "grain_bands_", ())).get(col.name)  # (absent from files saved before it)
        if grain is not None and step is not None and step.widths is not None:
            values = round_to_cells(values, self._bands_of(step, grain_cells, grain), grain)
        places = dict(getattr(self, "band_decimals_", ())).get(col.name)  # (absent from files saved before it)
        if places is not None and step is not None and step.widths is not None:
            bands = self._bands_of(step, band_places, places)
            if self._written_at(col.name) == places:  # "€12.34": a layout writes every draw at the recorded places
                values = spread_crowded(values, bands, places)
            else:
                values = round_in_bands(values, bands, places)
        if col.integer and not col.categorical:
            values = np.round(values, whole_places(self._recorded_decimals(col.name)))  # hundreds: -2
        elif col.kind is ColumnKind.CONTINUOUS:
            places = self._recorded_decimals(col.name)
            if places is not None:
                values = np.round(values, places)
        return np.clip(values, col.low, col.high)

    def _bands_of(self, step: CartStep, bands: Callable[[np.ndarray, np.ndarray, int], _Bands], places: int) -> _Bands:
        """``bands(step.donors, step.widths, places)``, worked out once per step of the fitted model: a sample draws a
        step again and again (redraws out of order, refinement, row orders), and each time sorted all its donors.
        Kept beside the step itself, so a step that replaced it (a refit, a load) never reads it, and never saved (a
        leading underscore: not part of the model's state)."""
        steps = getattr(self, "steps_", None)
        memo = vars(self).get("_band_memo")
        if memo is None or memo[0] is not steps:  # a refit: the old steps' bands go with them
            memo = self._band_memo = (steps, {})
        key = (id(step), bands.__name__, places)
        kept = memo[1].get(key)
        if kept is None or kept[0] is not step:
            assert step.widths is not None  # a value step of a number column
            kept = memo[1][key] = (step, bands(step.donors, step.widths, places))
        return kept[1]

    def _spec(self, name: str) -> ColumnSpec | None:
        """``name``'s spec: from the schema being fitted (the refiner's calibration rows are drawn before the fit
        ends) or, after the fit, the model's."""
        schema = getattr(self, "_fit_schema", None) or getattr(self, "schema_", None)
        return next((c for c in schema.columns if c.name == name), None) if schema is not None else None

    def _written_at(self, name: str) -> int | None:
        """The places a text layout writes every value of ``name`` at ("€12.34": 2), or None."""
        spec = self._spec(name)
        return None if spec is None else spec.layout_places

    def _recorded_decimals(self, name: str) -> int | None:
        """The decimals ``name`` was recorded at (see :meth:`_spec`)."""
        spec = self._spec(name)
        return None if spec is None else spec.decimals

    def _step_values(
        self, step: CartStep, drawn: np.ndarray, values: list[np.ndarray], x: np.ndarray, rng: np.random.Generator
    ) -> np.ndarray:
        """A value step's drawn donors as the column's values: rounded and clipped, and kept on the right side of
        the step's anchor (a date's gap added to it; a number's rows on the wrong side drawn again, then clipped)."""
        col = self.columns_[step.column]
        if step.anchor < 0:
            return self._finish_values(drawn, col, step)
        earlier = in_units_of(values[step.anchor], self.columns_[step.anchor], col)
        start = anchor_base(earlier, step.sign, col.integer, date=col.kind is ColumnKind.DATETIME)
        if col.kind is ColumnKind.DATETIME:
            drawn = start + step.sign * drawn
        v = self._finish_values(drawn, col, step if col.kind is not ColumnKind.DATETIME else None)
        if col.kind is not ColumnKind.DATETIME:
            v = redraw_out_of_order(
                lambda rows: self._finish_values(step.draw(rows, len(rows), rng), col, step), x, v, start, step.sign
            )
        # the clip to this column's range must not undo the order
        return np.maximum(v, start) if step.sign > 0 else np.minimum(v, start)

    def _beyond_range(self, step: CartStep, values: list[np.ndarray]) -> np.ndarray | bool:
        """Rows whose anchor bound lies past the far end of the step's column range (False when it has no anchor):
        no value in the range keeps the order there, and the order wins the clip (:meth:`_step_values`)."""
        if step.anchor < 0:
            return False
        col = self.columns_[step.column]
        earlier = in_units_of(values[step.anchor], self.columns_[step.anchor], col)
        start = anchor_base(earlier, step.sign, col.integer, date=col.kind is ColumnKind.DATETIME)
        return start > col.high if step.sign > 0 else start < col.low

    def _generate(
        self,
        n: int,
        rng: np.random.Generator,
        progress: ProgressCallback,
        first: np.ndarray | None,
        coded: Collection[str] = (),
    ) -> pd.DataFrame:
        """``n`` rows, decoded; the label columns of ``coded`` as ``pd.Categorical`` (:mod:`.coded_labels`)."""
        refiner = getattr(self, "refiner_", None)
        if refiner is None:
            values, _ = self._draw_rows(n, rng, progress, first)
        else:
            # Each row is drawn until the refiner keeps it; a row conditioned on its first column keeps that value.
            def draw(rows: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
                return self._draw_rows(len(rows), rng, lambda *_: None, None if first is None else first[rows])

            values = refined_rows(draw, n, refiner, rng, progress)
        # copy=False: no consolidation of the object columns into one block (a slow copy of every pointer).
        return pd.DataFrame(
            {col.name: col.decode(values[j], col.name in coded) for j, col in enumerate(self.columns_)}, copy=False
        )

    def _draw_rows(
        self, n: int, rng: np.random.Generator, progress: ProgressCallback, first: np.ndarray | None
    ) -> tuple[list[np.ndarray], np.ndarray]:
        """Every column's values for ``n`` rows drawn down the trees (coded: category codes, numbers, date units),
        and the predictor matrix the trees read (rows × slots, NaN where missing)."""
        d = len(self.columns_)
        x = np.empty((n, d), dtype=np.float32, order="F")
        values: list[np.ndarray] = [np.empty(0)] * d  # every column's value step assigns its own
        missing: list[np.ndarray | None] = [None] * d
        if first is not None:
            values[0] = first
            x[:, 0] = first
        pending = self._derived_positions()
        decoded: dict[int, pd.Series] = {}  # inputs of the rules, decoded once per draw
        for k, step in enumerate(self.steps_):
            j = step.column
            while pending and pending[0][0] < j:
                self._derive(*pending.pop(0)[1:], values, x, decoded)
            if first is not None and j == 0:
                continue
            col = self.columns_[j]
            progress(k / len(self.steps_), f"drawing {col.name}")
            self._store(step, step.draw(x, n, rng, self.draws == "balanced"), values, missing, x, rng)
            decoded.pop(j, None)
        for _, j, rule in pending:
            self._derive(j, rule, values, x, decoded)
        return values, x

    def _store(
        self,
        step: CartStep,
        drawn: np.ndarray,
        values: list[np.ndarray],
        missing: list[np.ndarray | None],
        x: np.ndarray,
        rng: np.random.Generator,
    ) -> None:
        """Put one step's draw in place: a missing-indicator step marks its column's missing rows (drawn later as
        NaN); a value step's donors become the column's values (rounded, clipped, kept in order) and its slot."""
        j = step.column
        if step.missing:
            missing[j] = drawn > 0.5
            x[:, j] = np.nan
            return
        v = self._step_values(step, drawn, values, x, rng)
        mask = missing[j]
        if mask is not None:
            # An anchor beyond the column's range leaves no value that keeps both the order and the range (an
            # 8-row table's float <= int, held on the 6 rows with the float: ints of 27 came only with it missing,
            # and the float, clipped to its bound, came out as 27.0 below its least 27.35). The training rows
            # said what such an anchor goes with: this column missing.
            v[mask | self._beyond_range(step, values)] = np.nan
        values[j] = v
        x[:, j] = v

    def _derived_positions(self) -> list[tuple[int, int, DerivedRule]]:
        """(when, visit position, rule) of every computed column: it is computed before the first step past
        ``when``, the last of its own and its inputs' positions (a partial lookup's column is drawn first)."""
        where = {col.name: j for j, col in enumerate(self.columns_)}
        due = [(max(where[c] for c in (r.output, *r.inputs)), where[r.output], r) for r in rules_of(self)]
        return sorted(due, key=lambda p: p[0])

    def _derive(
        self,
        j: int,
        rule: DerivedRule,
        values: list[np.ndarray],
        x: np.ndarray,
        decoded: dict[int, pd.Series] | None = None,
    ) -> None:
        """Compute column ``j`` by its rule from the (already drawn) columns it reads; it becomes a predictor. A
        partial lookup overwrites only the rows whose input it lists (the others keep their drawn value).
        ``decoded``: see :func:`synth.synthesizers.derived.derive_codes`."""
        v = derive_codes(self.columns_, j, rule, values, decoded)
        where = {col.name: i for i, col in enumerate(self.columns_)}
        summed = [self.columns_[i] for i in (j, *(where[c] for c in rule.inputs))]
        if rule.kind == "sum" and all(c.kind.is_numeric and not c.categorical for c in summed):
            # Inputs rounded band by band (band_decimals) are exact at their places; their float sum is written so.
            v = sum_at_places(v, *(values[where[c]] for c in rule.inputs))
        values[j] = x[:, j] = v
