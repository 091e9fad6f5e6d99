"""Independent marginals: every column drawn on its own. The floor every other model must beat."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback
from synth.schema import Schema
from synth.synthesizers.base import Param, Synthesizer
from synth.synthesizers.calendar_pairs import CALENDAR_ARTIFACT, find_calendar, model_calendar
from synth.synthesizers.knot_spread import model_spreads
from synth.synthesizers.marginals import FREQUENCIES, MISSING_RATES, QUANTILES, Marginals
from synth.synthesizers.rare_categories import BUCKET_LABELS
from synth.synthesizers.registry import register
from synth.synthesizers.row_orders import keep_orders
from synth.synthesizers.zero_pairs import ZeroPair


@register
class IndependentMarginals(Synthesizer):
    """Each column from its own distribution, ignoring every relationship between columns."""

    name = "independent"
    label = "Independent marginals"
    main_params: ClassVar[tuple[str, ...] | None] = ("min_category_rows",)
    description = (
        "Draws each column on its own from its real distribution; every relationship between columns is lost. "
        "Rows that would break an order between two timestamps every real row keeps (an end before its start) are "
        "drawn again, which pulls those columns' distributions apart: on a claims table with three such pairs the "
        "starts' median moved five months earlier. Use it as the baseline a real model must beat."
    )
    params = (
        Param(
            "n_knots",
            "int",
            1001,
            "How many quantiles describe each numeric column; fewer smooth the distribution more.",
            label="Quantile knots",
            low=11,
            high=20001,
        ),
    )

    artifacts = (QUANTILES, FREQUENCIES, MISSING_RATES, CALENDAR_ARTIFACT)

    n_knots: int
    calendar_pairs_: tuple[ZeroPair, ...]

    def _check_state(self) -> None:
        from synth.synthesizers.calendar_pairs import check_calendar
        from synth.synthesizers.state_checks import (
            check_marginals,
        )  # a loaded file's arrays, before sampling reads them

        check_marginals(self.marginals_)
        check_calendar(self, set(self.schema_.modelled))

    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        progress(0.0, "learning column distributions")
        self.marginals_ = Marginals.fit(data, schema, n_knots=int(self.n_knots))
        # A day of the month past its month's length (31 jun): drawn on their own, a day and a month column gave 170
        # of 20,000 rows such dates. The calendar is public knowledge, kept where the training rows keep it
        # (synth.synthesizers.calendar_pairs), as CART and the copula keep it.
        self.calendar_pairs_ = find_calendar(data, schema, (), BUCKET_LABELS)

    def _sample(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        body = self._draw_rows(n, rng)
        # A row holding an impossible date is drawn again whole: every column is drawn on its own, so the others
        # keep their distributions (files saved before the calendar have none and sample as they did).
        redraw = lambda m: self._draw_rows(m, rng)  # noqa: E731
        return keep_orders(body, (), redraw, zeros=model_calendar(self))

    def _draw_rows(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        # Crowded draws of numbers with recorded decimals are spread before they are rounded (knot_spread).
        spreads = model_spreads(self, 1.0, self.marginals_)
        return self.marginals_.from_uniform(rng.random((n, self.marginals_.width)), spreads)
