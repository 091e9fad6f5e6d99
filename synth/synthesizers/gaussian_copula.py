"""Gaussian copula: each column's own marginal, joined by the correlation of their normal scores."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from synth.progress import ProgressCallback
from synth.schema import Schema
from synth.schema.conformance import round_recorded
from synth.synthesizers.base import Param, Synthesizer, register_state
from synth.synthesizers.calendar_pairs import CALENDAR_ARTIFACT, find_calendar
from synth.synthesizers.category_ranges import RANGES_ARTIFACT, CategoryRange, frame_category_ranges, model_ranges
from synth.synthesizers.coded_labels import merged_codes
from synth.synthesizers.column_order import (
    frame_anchors,
    frame_number_orders,
    from_gaps,
    to_gaps,
    whole_days,
)
from synth.synthesizers.compositions import composed_columns
from synth.synthesizers.copula_strata import choose_stratum_column, find_rare_flag, stratum_groups
from synth.synthesizers.derived import EXACT_RULES_PARAM, RULES_ARTIFACT, DerivedRule, apply_rules, rules_of
from synth.synthesizers.derived_search import find_rules
from synth.synthesizers.errors import SynthesizerError
from synth.synthesizers.gap_dates import finish_gap_dates, gap_units, redraw_out_of_range
from synth.synthesizers.instants import float_ns
from synth.synthesizers.inventory import ArtifactItem
from synth.synthesizers.knot_spread import model_spreads
from synth.synthesizers.marginals import (
    FREQUENCIES,
    MISSING_RATES,
    NUMERIC_KINDS,
    QUANTILES,
    Marginals,
    category_orders,
)
from synth.synthesizers.missing_together import GROUPS_ARTIFACT, MissingGroup, frame_missing_groups, model_groups
from synth.synthesizers.params import column_names
from synth.synthesizers.rare_categories import BUCKET_LABELS
from synth.synthesizers.registry import register
from synth.synthesizers.row_orders import (
    coded_columns,
    frame_redrawn_date_orders,
    frame_redrawn_number_orders,
    keep_orders,
    pairs,
)
from synth.synthesizers.zero_pairs import ZEROS_ARTIFACT, ZeroPair, frame_zero_pairs, model_zeros


def nearest_correlation(matrix: np.ndarray, floor: float = 1e-6) -> np.ndarray:
    """The closest valid correlation matrix: eigenvalues clipped to ``floor``, unit diagonal restored."""
    sym = (matrix + matrix.T) / 2.0
    vals, vecs = np.linalg.eigh(sym)
    fixed = (vecs * np.maximum(vals, floor)) @ vecs.T
    d = np.sqrt(np.diag(fixed))
    out = fixed / np.outer(d, d)
    np.fill_diagonal(out, 1.0)
    return out


def pairwise_correlation(z: np.ndarray) -> np.ndarray:
    """Pearson correlation of the columns of ``z`` over the rows where both are observed (NaN = missing)."""
    complete = not np.isnan(z).any()
    corr = np.corrcoef(z, rowvar=False) if complete else pd.DataFrame(z).corr(min_periods=3).to_numpy()
    corr = np.nan_to_num(np.atleast_2d(corr), nan=0.0)
    np.fill_diagonal(corr, 1.0)
    return corr


STRATIFY_MODES = ("auto", "none")


@dataclass(frozen=True)
class CopulaComponent:
    """One Gaussian copula of the mixture: the rows of one level of the stratifying column (or all rows)."""

    share: float
    marginals: Marginals
    cholesky: np.ndarray


register_state(CopulaComponent)


def fit_copula(
    data: pd.DataFrame,
    schema: Schema,
    rng: np.random.Generator,
    *,
    n_knots: int,
    shrinkage: float,
    orders: dict[str, dict[object, float]] | None,
) -> tuple[Marginals, np.ndarray]:
    """Marginals and the Cholesky factor of the normal-score correlation of one group of rows."""
    from scipy.special import ndtri  # here and in sampling: scipy.special takes ~0.3 s to import

    marginals = Marginals.fit(data, schema, n_knots=n_knots, orders=orders)
    z = ndtri(np.clip(marginals.to_uniform(data, rng), 1e-6, 1 - 1e-6))
    d = z.shape[1]
    if d < 2:
        return marginals, np.ones((max(d, 1), max(d, 1)))[:d, :d]
    corr = pairwise_correlation(z)
    corr = nearest_correlation((1.0 - shrinkage) * corr + shrinkage * np.eye(d))
    return marginals, np.linalg.cholesky(corr)


@register
class GaussianCopula(Synthesizer):
    """Marginals per column (empirical quantiles), dependence as a Gaussian copula — or a mixture of them.

    Categorical and boolean columns map to intervals of [0, 1], ordered along the numeric column they are most
    associated with; datetimes are modelled as numbers; missing values are an extra dimension, so their rate and
    their dependence on other columns are both kept. With ``stratify="auto"`` one copula is fitted per level of
    the categorical column most associated with the rest (e.g. Adult's relationship), which keeps that column's
    relationships exactly and lets correlations differ between groups; ``stratify`` may also name the column
    (e.g. ``stratify="fraud"``). With ``rare_flags`` the rows of a rare, telling value of a two-valued column
    (e.g. fraud = True on 0.5% of rows) get a copula of their own, so a segment conditioned on it keeps its own
    shapes and correlations instead of being a corner of the common rows' Gaussian.
    """

    name = "gaussian_copula"
    label = "Gaussian copula"
    main_params: ClassVar[tuple[str, ...] | None] = ("stratify", "min_category_rows")
    description = (
        "Learns each column's distribution and the correlations between columns — one copula per group of the "
        "most telling categorical column. Fast and smooth; captures monotone relationships, few interactions."
    )
    params = (
        Param(
            "n_knots",
            "int",
            1001,
            "How many quantiles describe each numeric column. More follow the real shape more closely; "
            "fewer smooth it. Each is read off means of at least 5 rows, however many are asked for.",
            label="Quantile knots",
            low=11,
            high=20001,
        ),
        Param(
            "shrinkage",
            "float",
            0.0,
            "Pulls the correlation matrix towards independence (0 = as measured, 1 = independent columns).",
            label="Correlation shrinkage",
            low=0.0,
            high=1.0,
        ),
        Param(
            "stratify",
            "choice",
            "auto",
            "'auto' fits one copula per level of the categorical column most associated with the others (chosen "
            "by mutual information); 'none' fits a single copula. It may also name a categorical or yes/no column "
            "(e.g. 'fraud'), or from Python and the command line several ('relationship,income': one copula per "
            "combination).",
            label="Mixture by a key column",
            choices=STRATIFY_MODES,
            names_columns=True,
        ),
        Param(
            "rare_flags",
            "bool",
            True,
            "Give the rows of a rare, telling value of a yes/no column (e.g. fraud on 0.5% of rows) a copula of "
            "their own, so samples conditioned on it keep that segment's own shapes and correlations. Needs at "
            "least 'Rows per mixture component' such rows.",
            label="Own component for a rare flag",
        ),
        Param(
            "min_stratum_rows",
            "int",
            200,
            "Levels with fewer training rows share one pooled copula, so no small group is learned on its own; "
            "when they are still fewer together, they join the level nearest them.",
            label="Rows per mixture component (at least)",
            low=20,
            high=1_000_000,
        ),
        Param(
            "order_categories",
            "bool",
            True,
            "Order each category along the numeric column it is most associated with, so a correlation can carry "
            "the relationship (e.g. education along education_num).",
            label="Order categories by association",
        ),
        EXACT_RULES_PARAM,
    )

    artifacts = (
        QUANTILES,
        FREQUENCIES,
        MISSING_RATES,
        ArtifactItem(
            "Correlations",
            "for each mixture component, the Cholesky factor of the correlation of the columns' normal scores",
            "aggregates",
            "One number per pair of columns per component, each estimated from every row of the component.",
        ),
        ArtifactItem(
            "Mixture components",
            "the stratifying columns' names, the rare flag's column and value (a label the frequencies above "
            "already hold) and each component's share of rows; the quantiles and frequencies above are stored per "
            "component",
            "aggregates",
            "A component has at least min_stratum_rows rows, and people when the fit knows the person (smaller "
            "levels are pooled, or join the nearest level when too few together) and fewer knots when "
            "small; components are listed in sorted order of their level.",
            held_in=("stratify_by_",),
        ),
        ArtifactItem(
            "Orders",
            "for a date never before (or after) an earlier date column on any training row: that column and the "
            "direction (the date's quantiles above are then those of its gap in days from that column, and its "
            "grain, e.g. whole days, is kept); the same for a number and an earlier number",
            "structure",
            "Kept only when values paired at random would break the order on at least 1% of pairs; the gaps' "
            "quantiles are limited like any number's.",
            held_in=("number_orders_", "date_gaps_"),
        ),
        RULES_ARTIFACT,
        RANGES_ARTIFACT,
        GROUPS_ARTIFACT,
        ZEROS_ARTIFACT,
        CALENDAR_ARTIFACT,
    )

    n_knots: int
    shrinkage: float
    stratify: str | list[str] | tuple[str, ...]
    min_stratum_rows: int
    order_categories: bool
    rare_flags: bool
    exact_rules: bool

    rules_: tuple[DerivedRule, ...]
    date_gaps_: tuple[tuple[str, str, float], ...]
    date_units_: tuple[tuple[str, int], ...]
    gap_days_: tuple[str, ...]
    number_orders_: tuple[tuple[str, str, float], ...]
    category_ranges_: tuple[CategoryRange, ...]
    missing_groups_: tuple[MissingGroup, ...]
    zero_pairs_: tuple[ZeroPair, ...]
    calendar_pairs_: tuple[ZeroPair, ...]
    stratify_by_: tuple[str, ...]
    rare_flag_: tuple[str, object] | None
    components_: tuple[CopulaComponent, ...]

    def _stratify_columns(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator) -> tuple[str, ...]:
        min_rows = int(self.min_stratum_rows)
        if isinstance(self.stratify, str) and self.stratify in STRATIFY_MODES:
            chosen = choose_stratum_column(data, schema, min_rows, rng) if self.stratify == "auto" else None
            return () if chosen is None else (chosen,)
        choices = [s.name for s in schema if s.kind not in NUMERIC_KINDS]
        names = column_names(self.stratify)
        for name in names:
            if name not in choices:
                why = "is a number or date column" if name in schema else "is not a modelled column"
                raise SynthesizerError(
                    f"cannot stratify the copula by {name!r}: it {why}. Name categorical or yes/no columns "
                    f"({', '.join(map(repr, choices)) or 'the table has none'}), or use 'auto' or 'none'."
                )
        return names

    def _check_state(self) -> None:
        # A loaded file's arrays are checked before sampling reads them.
        from synth.synthesizers.calendar_pairs import check_calendar
        from synth.synthesizers.category_ranges import categorical_names, check_ranges
        from synth.synthesizers.missing_together import check_groups
        from synth.synthesizers.rule_checks import check_rules
        from synth.synthesizers.state_checks import check_copula
        from synth.synthesizers.zero_pairs import check_zeros

        check_copula(self)
        check_rules(self)
        drawn = [c for c in self.schema_ if c.name in self.schema_.modelled]
        check_ranges(self, {c.name for c in drawn if c.kind.is_numeric}, categorical_names(drawn))
        check_groups(self, {c.name for c in drawn})
        check_zeros(self, {c.name for c in drawn})
        check_calendar(self, {c.name for c in drawn})

    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        progress(0.0, "choosing the mixture column")
        # Exact rules are found on the table as it is; a date that never precedes an earlier one is then modelled
        # as its gap from it (synth.synthesizers.column_order), so the order holds in every sample.
        threshold = int(getattr(self, "min_category_rows", 1))
        people = getattr(self, "_fit_people", None)  # with a person column, every region rule counts people
        keep = composed_columns(self)
        rules = find_rules(data, schema, threshold, keep=keep, people=people) if self.exact_rules else ()
        skip = {r.output for r in rules}
        self.date_gaps_ = frame_anchors(data, schema, skip)
        # A gap date's grain, so it comes back as the column holds it (dates, not clock times).
        self.date_units_ = gap_units(data, self.date_gaps_)
        # Whole-day gap dates count from their anchor's day (a same-day delivery is a gap of 0): to_gaps, from_gaps
        self.gap_days_ = tuple(g[0] for g in self.date_gaps_ if whole_days(float_ns(data[g[0]])))
        # A number never above (or below) an earlier one on any training row: sampled rows that break it are
        # drawn again (synth.synthesizers.row_orders.keep_orders).
        # Every other order that holds is kept the same way: a number's second bound, and an order whose earlier
        # number has missing values, judged on the rows where both are present. A date's orders other than its gap
        # (one whose earlier date has missing values cannot be a gap) are kept the numbers' way too.
        complete = frame_number_orders(data, schema, skip)
        self.number_orders_ = (
            *complete,
            *frame_redrawn_number_orders(data, schema, skip, pairs(complete)),
            *frame_redrawn_date_orders(data, schema, skip, pairs(self.date_gaps_)),
        )
        # A number whose ranges never overlap between a category's levels (an office's latitude) is kept inside its
        # row's level's range the orders' way (synth.synthesizers.category_ranges).
        self.category_ranges_ = frame_category_ranges(data, schema, skip, threshold, people=people)
        # Columns missing on exactly the same rows stay missing together: the copula draws their masks nearly
        # independently (458 of the hr table's 3,000 rows had a latitude without its longitude without it).
        self.missing_groups_ = frame_missing_groups(data, schema, skip, people=people)
        # Pairs of common values no training row holds (previous = 0 with poutcome "failure"): the copula drew 501 of
        # Bank Marketing's 3,617 rows with such pairs (synth.synthesizers.zero_pairs).
        self.zero_pairs_ = frame_zero_pairs(data, schema, skip, threshold, people=people)
        # A day of the month past its month's length (31 jun), the same way (synth.synthesizers.calendar_pairs).
        self.calendar_pairs_ = find_calendar(data, schema, skip, BUCKET_LABELS)
        data, schema = to_gaps(data, schema, self.date_gaps_, self._day_gaps())
        min_rows = int(self.min_stratum_rows)
        by = self._stratify_columns(data, schema, rng)
        flag = find_rare_flag(data, schema, min_rows, people) if self.rare_flags else None
        if flag is not None and flag[0] in by:
            flag = None  # the stratifying column already gives the rare value its own component
        groups = stratum_groups(data, by, flag, min_rows, people)
        # Category orders come from all rows, so every component lays its categories out the same way.
        orders = category_orders(data, schema) if self.order_categories else None
        components = []
        for i, rows in enumerate(groups):
            progress(0.1 + 0.9 * i / len(groups), f"fitting copula {i + 1} of {len(groups)}")
            part = data.iloc[rows].reset_index(drop=True)
            # Fewer knots for smaller groups: smoother, and no group's rare values are copied one by one.
            knots = int(min(self.n_knots, max(11, len(part) // 4)))
            marginals, chol = fit_copula(
                part,
                schema,
                rng,
                n_knots=knots,
                shrinkage=float(self.shrinkage),
                orders=orders,
            )
            components.append(CopulaComponent(len(rows) / len(data), marginals, chol))
        self.stratify_by_ = by
        self.rare_flag_ = flag
        self.components_ = tuple(components)
        # Columns that are exact functions of others are still in the copula (their correlations cost nothing and
        # shape nothing else) but are recomputed from their inputs in every sample (synth.synthesizers.derived).
        self.rules_ = rules

    def _gap_ranges(self) -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
        """Each gap date's range: its column domain (a file's smoothed ends, never one row's date)."""
        later = {g[0] for g in getattr(self, "date_gaps_", ())}
        return {d.name: (d.low, d.high) for d in getattr(self, "domain_", ()) if d.name in later}

    def _day_gaps(self) -> frozenset[str]:
        """Whole-day gap dates counted from their anchor's day (fits since session 20, ``gap_days_``; earlier files
        counted every gap from the anchor's time and sample as they did)."""
        return frozenset(getattr(self, "gap_days_", ()))

    def _derive_frame(self, body: pd.DataFrame) -> pd.DataFrame:
        gaps = getattr(self, "date_gaps_", ())  # files saved before date gaps have none
        body = from_gaps(body, gaps, self._day_gaps())
        # Files saved before date units have none: their gap dates keep the old unrounded, unclipped values.
        if hasattr(self, "date_units_"):
            body = finish_gap_dates(body, gaps, dict(self.date_units_), self._gap_ranges(), self._day_gaps())
        # Rules read the values as they will be shown (amounts in cents), so a sum stays exact after conform.
        return apply_rules(round_recorded(body, self.schema_), rules_of(self))

    def _sample(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        orders = getattr(self, "number_orders_", ())  # files saved before number orders (ranges, ...) have none
        ranges, groups, zeros = model_ranges(self), model_groups(self), model_zeros(self)
        # The pairs' label columns come as codes, read without hashing a label per row (coded_labels); not those
        # an exact rule reads or writes, which read labels.
        coded = coded_columns(groups, zeros) - {c for r in rules_of(self) for c in (r.output, *r.inputs)}
        body = self._draw_rows(n, rng, progress, coded)
        redraw = lambda m: self._draw_rows(m, rng, lambda *_: None, coded)  # noqa: E731
        return keep_orders(body, orders, redraw, ranges, groups, zeros)

    def _draw_rows(
        self, n: int, rng: np.random.Generator, progress: ProgressCallback, coded: Collection[str] = ()
    ) -> pd.DataFrame:
        frame = self._draw_components(n, rng, progress, coded)
        if hasattr(self, "date_units_"):  # rows whose gap date falls outside its range are drawn again
            gaps = getattr(self, "date_gaps_", ())

            def quiet(m: int) -> pd.DataFrame:
                return self._draw_components(m, rng, lambda *_: None, coded)

            frame = redraw_out_of_range(frame, gaps, self._gap_ranges(), quiet, self._day_gaps())
        return self._derive_frame(frame)

    def _draw_components(
        self, n: int, rng: np.random.Generator, progress: ProgressCallback, coded: Collection[str] = ()
    ) -> pd.DataFrame:
        """``n`` rows from the mixture, as modelled (gap dates still gaps); the label columns of ``coded`` as
        ``pd.Categorical`` (:mod:`synth.synthesizers.coded_labels`)."""
        from scipy.special import ndtr

        shares = np.array([c.share for c in self.components_])
        counts = rng.multinomial(n, shares / shares.sum())
        # Each component writes its rows at random positions of preallocated columns: the mixture comes out
        # shuffled without concatenating and re-indexing frames.
        positions = np.split(rng.permutation(n), np.cumsum(counts)[:-1])
        columns: dict[str, np.ndarray | pd.Series] = {}
        parts: dict[str, list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = {}  # coded: (rows, labels, codes)
        for i, (component, rows) in enumerate(zip(self.components_, positions, strict=True)):
            progress(i / len(self.components_), "drawing correlated normal scores")
            z = rng.standard_normal((len(rows), component.cholesky.shape[0])) @ component.cholesky.T
            # Crowded draws of numbers with recorded decimals are spread before they are rounded (knot_spread).
            spreads = model_spreads(self, component.share, component.marginals)
            labels = component.marginals.category_labels(coded)
            for name, values in component.marginals.decode_arrays(ndtr(z), spreads, labels).items():
                if name in labels:  # each component codes into its own categories: merged below
                    columns.setdefault(name, values)  # (a place in the column order)
                    parts.setdefault(name, []).append((rows, labels[name], values))
                    continue
                if name not in columns:
                    columns[name] = np.empty(n, dtype=values.dtype)
                columns[name][rows] = values
        for name, coded_parts in parts.items():
            columns[name] = merged_codes(n, coded_parts)
        return pd.DataFrame(columns, copy=False)
