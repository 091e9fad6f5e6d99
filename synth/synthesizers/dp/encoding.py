"""Columns as PrivBayes' discrete attributes: how each column's domain is obtained, and its values as codes.

A column's domain is declared public, treated as public as seen, or bought with its share of ε through the
mechanisms of :mod:`synth.synthesizers.dp.domains` (:func:`domain_plan`, :data:`DOMAIN_WEIGHTS`). Categories
become one code per label (:func:`encode_categorical`); numbers and dates one code per bin plus one for missing
(:func:`encode_numeric`), held as a :class:`BinnedColumn` (:func:`encode_column`: either), which also turns codes
back into values. Every draw comes from the private generator ``noise``, in the order the fit makes it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind
from synth.schema.dates import DAY_NS
from synth.synthesizers.cart import MISSING, datetimes_from_units, labels
from synth.synthesizers.dp import domains as dpd

#: The share of a private number's domain ε spent on its range (the rest: spikes and bin edges).
RANGE_SHARE = 1.0 / 3.0
#: The same for a date: equal to :data:`RANGE_SHARE`, a name of its own only so that
#: ``benchmarks/bench_dp_birth_ranges.py --share`` can vary a date's share with the numbers' left as they are (it is
#: a fit-time choice: no model file holds it). Two thirds (session 24, 20 fits at ε = 1) widened the HR table's
#: birth-date range (real rows inside: 0.53 → 0.83 on average) but lost the clinic's (0.53 → 0.02): with more ε its
#: first look moves to year cells, which dates spread over 95 years cannot fill. Not the default.
DATE_RANGE_SHARE = RANGE_SHARE
#: Relative domain cost of a column by how its domain is obtained (see :func:`domain_plan`).
DOMAIN_WEIGHTS = {"private": 1.0, "bounds": 0.5, "seen": 0.5, "public": 0.0}


@dataclass(frozen=True)
class BinnedColumn:
    """One column as a discrete attribute.

    Categorical and boolean columns: one code per label (missing and "(other)" are labels). Numbers and dates:
    one code per bin, bin ``i`` holding the values from ``low[i]`` to ``high[i]`` (equal ends: a single
    value), in model units (dates: whole days since 1970-01-01), then one code for missing.
    """

    name: str
    kind: ColumnKind
    categories: tuple[Any, ...]
    low: np.ndarray
    high: np.ndarray
    has_missing: bool
    integer: bool
    origin: int
    unit: int
    tz: str | None
    #: Whole numbers only: the within-bin probability of every value from low.min() to high.max() (see
    #: :func:`~synth.synthesizers.dp.domains.fine_cells`); None draws uniformly within bins (files saved before).
    fine: np.ndarray | None = None
    #: A private range released only as whole cells of the public grid (:attr:`~synth.synthesizers.dp.domains.
    #: NumericDomain.coarse`): the fit warning names it. False in files saved before.
    coarse: bool = False

    @property
    def categorical(self) -> bool:
        return self.kind in dpd.CATEGORICAL

    @property
    def size(self) -> int:
        return len(self.categories) if self.categorical else len(self.low) + int(self.has_missing)

    @property
    def value_codes(self) -> int:
        """Codes that stand for a value (the missing code not counted): under 2, the column holds one value."""
        return self.size - int(MISSING in self.categories if self.categorical else self.has_missing)

    def decode(self, codes: np.ndarray, rng: np.random.Generator) -> pd.Series:
        if self.categorical:
            lookup = np.empty(len(self.categories), dtype=object)
            lookup[:] = [None if c == MISSING else c for c in self.categories]
            return pd.Series(lookup[codes], dtype=object)
        missing = codes >= len(self.low)
        if not len(self.low):  # a range the noise hid released no value: missing in every row
            nothing = np.full(len(codes), np.nan)
            if self.kind is ColumnKind.DATETIME:
                return datetimes_from_units(nothing, missing, self.origin, self.unit, self.tz)
            return pd.Series(nothing)
        safe = np.where(missing, 0, codes)
        low, high = self.low[safe], self.high[safe]
        u = rng.random(len(codes))
        if self.integer:
            values = low + np.floor(u * (high - low + 1.0))
            values = np.minimum(values, high)
            if self.fine is not None:
                values = self._fine_values(safe, missing, u, values)
        else:
            values = low + u * (high - low)
        values[missing] = np.nan
        if self.kind is ColumnKind.DATETIME:
            return datetimes_from_units(values, missing, self.origin, self.unit, self.tz)
        return pd.Series(values)

    def _fine_values(self, codes: np.ndarray, missing: np.ndarray, u: np.ndarray, values: np.ndarray) -> np.ndarray:
        """Values of the rows in bins spanning several whole numbers, drawn by the bins' fine weights."""
        assert self.fine is not None
        spans = np.flatnonzero(self.low < self.high)
        if not len(spans):
            return values
        origin = float(self.low.min())
        starts = (self.low[spans] - origin).astype(np.int64)
        ends = (self.high[spans] - origin).astype(np.int64)
        grid = np.arange(len(self.fine))
        owner = np.clip(np.searchsorted(starts, grid, side="right") - 1, 0, len(spans) - 1)
        total = np.concatenate([[0.0], np.cumsum(self.fine)])
        within = total[1:] - total[starts[owner]]
        within[ends] = 1.0
        # Bin j's values occupy (j, j + 1] of this increasing run: one search finds a row's value.
        run = owner + np.minimum(within, 1.0)
        rank = np.full(len(self.low), -1, dtype=np.int64)
        rank[spans] = np.arange(len(spans))
        r = rank[codes]
        take = (r >= 0) & ~missing
        hit = np.searchsorted(run, r[take] + u[take], side="right")
        hit = np.clip(hit, starts[r[take]], ends[r[take]])
        out = values.copy()
        out[take] = origin + hit
        return out


def faint_code(column: BinnedColumn, plan: str) -> int | None:
    """The code of ``column`` that may hold no row at all and is dropped when its noisy mass is only noise
    (:func:`~synth.synthesizers.dp.network.drop_faint_code`): "(other)" of a private label list, the missing code of a
    number or date whose missingness is private. None when there is none (public labels, seen missingness)."""
    if column.categorical:
        return column.categories.index(dpd.OTHER) if plan == "private" and dpd.OTHER in column.categories else None
    if plan == "seen" or not column.has_missing or not len(column.low):  # a column with no value keeps its one code
        return None
    return len(column.low)


# Model files name state types by module and class: pinned to the module that defined it before the split,
# so files saved earlier still load (synth.synthesizers.privbayes re-exports it).
BinnedColumn.__module__ = "synth.synthesizers.privbayes"


def is_bool(series: pd.Series) -> bool:
    """Whether a column holds Python/numpy booleans (its dtype says so; no value is read)."""
    return pd.api.types.is_bool_dtype(series.dtype) or str(series.dtype) == "boolean"


def domain_plan(spec: Any, declared: Mapping[str, Any], public_domain: str) -> str:
    """How a column's domain is obtained: "public" (no budget), "bounds" (public range, private spikes),
    "seen" (labels or range seen treated as public), or "private"."""
    if spec.kind in dpd.CATEGORICAL:
        if spec.name in declared:
            return "public"
        return "seen" if public_domain != "none" else "private"
    if spec.name in declared:
        return "bounds"
    return "seen" if public_domain == "categories and ranges" else "private"


#: The yes/no words the schema recognises a two-valued text column as boolean by (``synth.schema.inference``),
#: each with its partner.
_PARTNERS = {"true": "false", "t": "f", "yes": "no", "y": "n"}
_PARTNERS.update({v: k for k, v in _PARTNERS.items()})


def boolean_partner(label: Any) -> str | None:
    """The other label of a yes/no pair ("yes" → "no", "True" → "False", "Y" → "N"), or None for other labels."""
    if not isinstance(label, str) or label.strip().lower() not in _PARTNERS:
        return None
    word = label.strip()
    partner = _PARTNERS[word.lower()]
    if word.isupper():
        return partner.upper()
    return partner.capitalize() if word[:1].isupper() else partner


def boolean_labels(categories: tuple[Any, ...]) -> tuple[Any, ...]:
    """A boolean column's released labels without "(other)" where its kind rules the bucket out.

    The kind says the column holds two values (public: the schema is public input). Both released: no row is left
    for "(other)", which noise alone filled (the tester's remote column: 0.8% "(other)"). One released with a yes/no
    partner: the rows under the threshold are the partner, named (the tester's complaint_filed: "(other)" for
    "yes"). A function of the released labels and the public vocabulary: post-processing, no budget. Labels the
    release lost stay coded as the last label (:func:`~synth.synthesizers.dp.domains.category_codes`).
    """
    values = [c for c in categories if c not in (MISSING, dpd.OTHER)]
    rest = [c for c in categories if c == MISSING]
    if len(values) == 1 and boolean_partner(values[0]) is not None:
        values.append(boolean_partner(values[0]))
    elif len(values) < 2:
        return categories
    return tuple(sorted(values + rest, key=dpd.label_key))


def encode_categorical(
    series: pd.Series,
    plan: str,
    declared: Any,
    epsilon: float,
    delta: float,
    noise: np.random.Generator,
    kind: ColumnKind = ColumnKind.CATEGORICAL,
) -> tuple[tuple[Any, ...], np.ndarray]:
    """A categorical or boolean column's labels (missing and "(other)" are labels) and each row's code."""
    lab = labels(series)
    if plan == "public":
        cats = dpd.public_categories(lab, declared, str(series.name))
    elif plan == "seen":
        cats = tuple(sorted(set(lab), key=dpd.label_key))
    elif is_bool(series):  # true/false is public by the dtype; only missing needs the budget
        has_missing = dpd.private_has_missing(int(series.isna().sum()), epsilon, noise)
        cats = (False, True, MISSING) if has_missing else (False, True)
    else:
        cats = dpd.private_categories(lab, epsilon, delta, noise)
        if kind is ColumnKind.BOOLEAN:
            cats = boolean_labels(cats)
    return cats, dpd.category_codes(lab, cats)


def encode_numeric(
    series: pd.Series,
    kind: ColumnKind,
    plan: str,
    declared: Any,
    epsilon: float,
    noisy_rows: float,
    bins: int,
    noise: np.random.Generator,
    fine_cells: bool = True,
    floor: float | None = None,
) -> tuple[dpd.NumericDomain, bool, bool, np.ndarray, np.ndarray | None]:
    """A number or date column's bins, whether it has a missing code, whether it is integer, each row's code, and
    (whole numbers only) the within-bin weights of every value (:func:`~synth.synthesizers.dp.domains.fine_cells`,
    from the spikes' released noisy counts: no budget of their own). ``floor``: a public lower bound of the values
    (a declared order's gap is never below 0); a private range is extended down to it."""
    x = dpd.model_units(series, kind)
    coarse = False
    integer = kind in (ColumnKind.DISCRETE, ColumnKind.DATETIME)
    present = x[~np.isnan(x)]
    n_missing = int(np.isnan(x).sum())
    if plan == "bounds":
        dpd.check_bounds(x, declared, str(series.name))
        low, high = declared
    elif plan == "seen":
        low, high = (float(present.min()), float(present.max())) if len(present) else (0.0, 0.0)
    else:
        share = DATE_RANGE_SHARE if kind is ColumnKind.DATETIME else RANGE_SHARE
        span, coarse = dpd.released_span(present, kind, epsilon * share, noise, integer, rows=noisy_rows)
        # Said of whole numbers and dates (years, hours, day counts: the values a user can tell are impossible); of a
        # fractional column only when its range came from decades (a 0.3–2.9 weight drawn in 1–10): the coarse
        # grid's quarter-decade cells end near its real ends in relative terms, and its thin tails would make the
        # warning name almost every such column.
        decades = kind is not ColumnKind.DATETIME and dpd.one_look(noisy_rows, epsilon * share)
        coarse = coarse and (integer or decades)
        if span is None and floor is None:
            # Nothing clearly above the noise: writing the public guess (0, for a date 1970-01-01) made the tester's
            # exit dates precede every hire date and gave everybody a salary of 0. The column releases no value, so
            # every row is missing (the one code, missing, for every row: a public choice from the released nothing).
            none = np.zeros(0)
            return dpd.NumericDomain(0.0, 0.0, none, none), True, integer, np.zeros(len(x), dtype=np.int64), None
        low, high = span if span is not None else (0.0, 0.0)
        if floor is not None and high >= floor:
            low = min(low, floor)
    # The column's ε: a third for the range (when private), then of the rest a third for the spikes and two thirds
    # for the quantile edges of the other bins. A private column always has a missing code (a public choice); the
    # noisy tables then say whether missing values are more than noise (see network.drop_faint_code). Deciding it
    # here from one count at a sixth of the rest (ε ≈ 0.004 at ε = 1 on a dozen columns) needed ~1,700 missing
    # rows: the tester's salary (84 missing) was never missing, its missing rows coded as its lowest bin.
    rest = epsilon * (1.0 - share) if plan == "private" else epsilon
    has_missing = n_missing > 0 if plan == "seen" else True
    # A small private whole-number range spends all of the rest on per-value counts in a window around it, which
    # place its ends exactly and give its spikes, bin edges and fine cells (post-processing): see whole_counts.
    counted = plan == "private" and kind is ColumnKind.DISCRETE and high - low + 1 <= dpd.SMALL_SPAN
    if counted:
        low, high, candidates, noisy, coarse = dpd.whole_counts(present, low, high, rest, noise, floor)
        eps_spikes = rest
    else:
        eps_spikes = rest / 3.0
        candidates, noisy = dpd.value_counts(np.clip(present, low, high), low, high, eps_spikes, noise)
    heavy = dpd.spikes_from(candidates, noisy, noisy_rows, bins, eps_spikes)
    edges = None
    if not dpd.unit_bins(low, high, bins, integer) and high > low:
        k = max(bins - len(heavy), 1)
        if counted:
            edges = dpd.count_edges(candidates, noisy, heavy, k, rest)
        else:
            clipped = np.clip(present, low, high)
            edges = dpd.quantile_edges(clipped[~np.isin(clipped, heavy)], low, high, k, rest * 2.0 / 3.0, noise)
    dom = dataclasses.replace(dpd.make_bins(low, high, heavy, bins, integer, edges), coarse=coarse)
    fine = dpd.fine_cells(dom, candidates, noisy, 1.0 / eps_spikes) if integer and fine_cells else None
    return dom, has_missing, integer, dpd.numeric_codes(x, dom, has_missing), fine


def encode_column(
    series: pd.Series,
    kind: ColumnKind,
    plan: str,
    declared: Any,
    epsilon: float,
    delta: float,
    noisy_rows: float,
    bins: int,
    noise: np.random.Generator,
    floor: float | None = None,
) -> tuple[BinnedColumn, np.ndarray]:
    """One column as a :class:`BinnedColumn` and each row's code (:func:`encode_categorical` or
    :func:`encode_numeric`, with the column's domain ε and δ); a zone-aware date keeps its zone (its dtype)."""
    name = str(series.name)
    empty = np.zeros(0)
    if kind in dpd.CATEGORICAL:
        cats, codes = encode_categorical(series, plan, declared, epsilon, delta, noise, kind)
        return BinnedColumn(name, kind, cats, empty, empty, False, True, 0, 1, None), codes
    dom, has_missing, integer, codes, fine = encode_numeric(
        series, kind, plan, declared, epsilon, noisy_rows, bins, noise, floor=floor
    )
    tz = str(series.dt.tz) if kind is ColumnKind.DATETIME and getattr(series.dt, "tz", None) is not None else None
    unit = DAY_NS if kind is ColumnKind.DATETIME else 1
    column = BinnedColumn(
        name, kind, (), dom.bins_low, dom.bins_high, has_missing, integer, 0, unit, tz, fine, dom.coarse
    )
    return column, codes
