"""PrivBayes' sampling half: ancestral draws down the released network, every row independently (or each parent
configuration's counts rounded systematically, ``draws="balanced"``), dates drawn as gaps turned back into
columns, declared orders kept, and an exact condition on a categorical root (:class:`NetworkSampling`, a base of
:class:`synth.synthesizers.privbayes.PrivBayes`). It reads the released model and the seed only: post-processing,
no privacy budget."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import ClassVar

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback
from synth.synthesizers.calendar_pairs import model_calendar
from synth.synthesizers.column_order import from_gaps
from synth.synthesizers.conditions import Condition, column_mask, describe_conditions, draw_matching
from synth.synthesizers.dp.encoding import BinnedColumn
from synth.synthesizers.dp.network import NoisyTable
from synth.synthesizers.row_orders import keep_orders


class NetworkSampling:
    """Sampling for a fitted PrivBayes model (its ``columns_``, ``tables_`` and declared orders)."""

    columns_: tuple[BinnedColumn, ...]
    tables_: tuple[NoisyTable, ...]
    draws: str
    max_condition_draws: ClassVar[int]

    def _derive_frame(self, body: pd.DataFrame) -> pd.DataFrame:
        return from_gaps(body, getattr(self, "order_gaps_", ()))  # files saved before declared orders have none

    def _sample(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        return self._rows(n, rng, progress, None)

    def _rows(
        self,
        n: int,
        rng: np.random.Generator,
        progress: ProgressCallback,
        roots: Callable[[int], np.ndarray] | None,
    ) -> pd.DataFrame:
        """``n`` rows with their gaps turned back into columns; ``roots(m)``, when given, draws the first column's
        codes of ``m`` rows. Declared orders not drawn as gaps cut the model's distribution to the rows that keep
        them (rows that break one are drawn again): post-processing of the released model, no budget."""

        def draw(m: int, report: ProgressCallback) -> pd.DataFrame:
            return self._derive_frame(self._generate(m, rng, report, None if roots is None else roots(m)))

        # No category ranges (synth.synthesizers.category_ranges) here: their cuts are read from the training rows
        # without noise, and ε covers everything this model holds; a declared order is the schema's, not the data's.
        # No missing groups (synth.synthesizers.missing_together) either, for the same reason: they are read from
        # the training rows' missing masks without noise.
        # A day past its month's length (synth.synthesizers.calendar_pairs) is drawn again the same way: public
        # knowledge and the released labels, no row read.
        orders = getattr(self, "declared_orders_", ())
        calendar = model_calendar(self)
        return keep_orders(draw(n, progress), orders, lambda m: draw(m, lambda *_: None), zeros=calendar)

    def _sample_given(
        self,
        n: int,
        rng: np.random.Generator,
        progress: ProgressCallback,
        conditions: Mapping[str, Condition],
    ) -> pd.DataFrame:
        if not self.tables_:
            return self._sample(n, rng, progress)
        root = self.tables_[0]
        column = self.columns_[root.child]
        if column.name not in conditions or not column.categorical:
            return self._sample(n, rng, progress)
        # A categorical root is conditioned exactly: its codes are drawn from its table restricted to the
        # allowed labels, and every other column then follows from the network as usual.
        cond = conditions[column.name]
        allowed = column_mask(column.decode(np.arange(column.size), rng), cond)
        sizes = tuple(c.size for c in self.columns_)

        def roots(m: int) -> np.ndarray:
            return draw_matching(
                m,
                lambda k: root.draw(np.zeros((k, len(sizes)), dtype=np.int64), sizes, rng),
                lambda codes: allowed[codes],
                self.max_condition_draws,
                describe_conditions({column.name: cond}),
            )

        return self._rows(n, rng, progress, roots)

    def _generate(
        self, n: int, rng: np.random.Generator, progress: ProgressCallback, first: np.ndarray | None
    ) -> pd.DataFrame:
        sizes = tuple(c.size for c in self.columns_)
        codes = np.zeros((n, len(sizes)), dtype=np.int64, order="F")  # column by column: contiguous
        for i, table in enumerate(self.tables_):
            progress(0.8 * i / len(self.tables_), f"drawing {self.columns_[table.child].name}")
            if i == 0 and first is not None:
                codes[:, table.child] = first
            else:
                draw = table.draw_balanced if self.draws == "balanced" else table.draw
                codes[:, table.child] = draw(codes, sizes, rng)
        progress(0.8, "turning bins into values")
        out = {c.name: c.decode(codes[:, j], rng) for j, c in enumerate(self.columns_)}
        return pd.DataFrame(out, copy=False)
