"""Fit-time and peak-memory estimates from the calibration written by ``benchmarks/calibrate_fit.py``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from synth.audit.findings import CALIBRATION_PATH, FitEstimate
from synth.schema import ColumnKind, Schema

# ------------------------------------------------------------------------------------------- calibration


@lru_cache(maxsize=1)
def load_calibration() -> dict[str, Any]:
    """The fit-cost calibration shipped with the package (``synth/calibration.json``); empty if absent."""
    try:
        text = CALIBRATION_PATH.read_text(encoding="utf-8")
    except OSError:
        return {}
    data = json.loads(text)
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class FitShape:
    """What a fit's cost depends on, counted on the table (:func:`fit_shape`); None: unknown, taken as typical.

    Attributes:
        rows: rows to fit on.
        columns: modelled columns.
        numbers: modelled numbers and dates with more than :data:`MANY_VALUES` distinct values.
        generated: generated columns whose fit reads every value (:func:`synth.generated.reads_every_value`).
        labels: distinct labels of the modelled categorical and boolean columns, summed.
        strata: levels of the category with most levels among those the Gaussian copula may fit one copula per
            level of (2 to ``MAX_STRATA_LEVELS``), at least 1.
        text_dates: modelled dates written as text in a format other than ISO 8601's year-month-day, which every
            fit parses value by value (``2011-01-01`` takes pandas' fast path; ``23.12.2010`` does not).
        layouts: layouts of phone numbers, postcodes and PII of unknown type whose endings a fit searches beyond
            each column's first (:func:`synth.generated_layouts.searched_layouts`), summed over those columns: priced
            apart from the terms (:func:`layout_seconds`).
    """

    rows: float
    columns: float
    numbers: float | None = None
    generated: float = 0.0
    labels: float | None = None
    strata: float | None = None
    text_dates: float = 0.0
    layouts: float = 0.0

    def features(self) -> tuple[float, float, float, float, float, float, float]:
        """The seven quantities the terms take powers of, unknowns filled with Adult's shares."""
        columns = float(self.columns)
        return (
            float(self.rows),
            columns,
            float(self.numbers) if self.numbers is not None else TYPICAL_NUMERIC_SHARE * columns,
            float(self.generated),
            float(self.labels) if self.labels is not None else TYPICAL_LABELS_PER_COLUMN * columns,
            float(self.strata) if self.strata is not None else TYPICAL_STRATA,
            float(self.text_dates),
        )


def estimate_fit(
    n_rows: float,
    n_columns: float,
    synthesizers: Iterable[str] | None = None,
    calibration: Mapping[str, Any] | None = None,
    n_numeric: int | None = None,
    *,
    shape: FitShape | None = None,
) -> tuple[FitEstimate, ...]:
    """Expected fit time (CPU seconds on one core) and peak memory of synthesizers on a table of
    ``n_rows`` × ``n_columns``.

    The model is a sum of non-negative terms (:data:`TERMS`) in rows, columns, numeric columns, generated columns
    that are read value by value, category labels, copula strata and dates written as text, for seconds and for
    peak MB, with coefficients per synthesizer measured by ``benchmarks/calibrate_fit.py`` on subsamples of UCI Adult,
    generated wide tables of 10, 30 and 60 columns and generated customer tables with and without text keys, phone
    numbers and many-label categories. The higher powers of the width are what width costs: a sequential tree reads
    every earlier column, and the DP network's search for parents grows with about the fourth power of the width.
    The numeric terms are what a number with many values costs over a category: a tree on it tries a split between
    each pair of its values. The generated terms are what the fit of a text key or a phone number costs (its
    format and the endings no real value has are learned from every value): left out until session 19, an HR
    table of five such columns was put at 0.04 s for the Gaussian copula, which took 0.23 s. The label and strata
    terms are what categories cost beyond their column: the copula fits one copula per level of its mixture
    column and lays every label out along a number. Dates written as text (``23.12.2010``) are parsed value by value
    before every fit. Peak memory has its own terms (:data:`MEMORY_TERMS`, a calibration's ``peak_terms``; before
    session 20 the time's): the growth of resident memory a fit needs beyond the table and the libraries, measured
    by ``benchmarks/calibrate_fit.py --memory`` in a fresh process per measurement. A calibration whose terms have
    fewer powers (or no ``terms``: ``a + b·rows·columns``) still reads: the missing powers are 0. The search for
    the endings of every common layout of a phone or postcode column (:mod:`synth.generated_layouts`) is priced on
    top, the same for every synthesizer (:func:`layout_seconds`): the terms were measured on one-layout phone
    numbers, and the clinic walk's phone numbers (12 layouts searched beyond the first) took 0.14 s of CPU where they
    said 0.015 s.

    Args:
        n_rows: rows to fit on.
        n_columns: modelled columns.
        synthesizers: names (default: every registered synthesizer).
        calibration: coefficients (default: :func:`load_calibration`).
        n_numeric: how many of the modelled columns are numbers with many values (:func:`many_valued_numbers`);
            unknown (None): taken as :data:`TYPICAL_NUMERIC_SHARE` of them. Ignored when ``shape`` is given.
        shape: everything the terms count (:func:`fit_shape`); its rows and columns replace ``n_rows`` and
            ``n_columns``.

    Returns:
        One estimate per synthesizer, in the order given.
    """
    if synthesizers is None:
        from synth.synthesizers import available

        synthesizers = available()
    if shape is None:
        shape = FitShape(n_rows, n_columns, n_numeric)
    document = calibration if calibration is not None else load_calibration()
    table = document.get("synthesizers", {})
    layouts = layout_seconds(document.get("layouts"), shape)
    cells = float(shape.rows) * float(shape.columns)
    out = []
    for name in synthesizers:
        coef = table.get(name)
        if not coef:
            out.append(FitEstimate(name, None, None, "not calibrated: run benchmarks/calibrate_fit.py"))
            continue
        note = ""
        largest = float(coef.get("max_cells", 0))
        widest = float(coef.get("max_columns", 0))
        if largest and cells > 2 * largest:
            note = f"extrapolated from tables of up to {largest:,.0f} cells"
        elif widest and shape.columns > 1.5 * widest:
            note = f"extrapolated from tables of up to {widest:,.0f} columns"
        terms = coef.get("terms")
        seconds = shape_cost(coef["seconds"], shape, terms) + layouts
        peak = shape_cost(coef["peak_mb"], shape, coef.get("peak_terms", terms))
        out.append(FitEstimate(name, seconds, peak, note))
    return tuple(out)


def layout_seconds(coefficients: Mapping[str, Any] | None, shape: FitShape) -> float:
    """CPU seconds of the layout searches a fit makes beyond each column's first (:attr:`FitShape.layouts`):
    ``a·layouts + b·rows·layouts`` with a calibration's ``layouts`` coefficients ``seconds: [a, b]`` (written by
    ``python benchmarks/calibrate_fit.py --layouts``); 0 without them. Each search is a pass over the values of its
    layout's width and a scan of candidate endings: a cost per layout (about 0.01 s) that grows slowly with the
    rows."""
    try:
        a, b = (float(c) for c in (coefficients or {})["seconds"])
    except (KeyError, TypeError, ValueError):
        return 0.0
    return max(0.0, a * shape.layouts + b * float(shape.rows) * shape.layouts)


#: The terms of the cost model, as powers of (rows, columns, numbers, generated, labels, strata, text dates): a
#: constant, cells, cells times the width and its square (sequential trees read every earlier column), the width alone
#: to the third and fourth power (the DP network's search for parents, which counts over a sample of rows: its cost
#: barely grows with them), rows times the numbers, alone and times the width (a tree on a number with many values tries
#: a split between each pair of them; a category has a handful), rows times the generated columns read value by value
#: and those columns alone (a format is learned from a sample of them), the labels alone and times the rows (each label
#: is laid out along a number, and a tree predicting a category counts every label at every split), the strata times the
#: width (one copula, a marginal per column, per level of the mixture column), and rows times the dates written as text
#: in a non-ISO format (parsed value by value before every fit).
TERMS: tuple[tuple[int, ...], ...] = (
    (0, 0, 0, 0, 0, 0, 0),
    (1, 1, 0, 0, 0, 0, 0),
    (1, 2, 0, 0, 0, 0, 0),
    (1, 3, 0, 0, 0, 0, 0),
    (0, 3, 0, 0, 0, 0, 0),
    (0, 4, 0, 0, 0, 0, 0),
    (1, 0, 1, 0, 0, 0, 0),
    (1, 1, 1, 0, 0, 0, 0),
    (1, 0, 0, 1, 0, 0, 0),
    (0, 0, 0, 1, 0, 0, 0),
    (0, 0, 0, 0, 1, 0, 0),
    (1, 0, 0, 0, 1, 0, 0),
    (0, 1, 0, 0, 0, 1, 0),
    (1, 0, 0, 0, 0, 0, 1),
)
#: The terms of the peak-memory model (session 20), as :data:`TERMS`, each a candidate for what a fit holds at its
#: peak; the calibration keeps, per synthesizer, those its measurements need (coefficients >= 0): a constant; rows
#: alone (an index, a weight or a draw per row); cells (the encoded table); cells times the width (the DP network's
#: peak grows so: without the term it was put at 0.66 of the measured peak on 6,000 × 60); rows times the numbers,
#: the labels, the generated columns read value by value and the dates written as text (an array or a string per
#: value of each); the width squared, and times the strata (a matrix over the columns, per copula); the width to
#: the third and fourth power (the DP network's search for parents); the labels alone.
MEMORY_TERMS: tuple[tuple[int, ...], ...] = (
    (0, 0, 0, 0, 0, 0, 0),
    (1, 0, 0, 0, 0, 0, 0),
    (1, 1, 0, 0, 0, 0, 0),
    (1, 2, 0, 0, 0, 0, 0),
    (1, 0, 1, 0, 0, 0, 0),
    (1, 0, 0, 0, 1, 0, 0),
    (1, 0, 0, 1, 0, 0, 0),
    (1, 0, 0, 0, 0, 0, 1),
    (0, 2, 0, 0, 0, 0, 0),
    (0, 2, 0, 0, 0, 1, 0),
    (0, 3, 0, 0, 0, 0, 0),
    (0, 4, 0, 0, 0, 0, 0),
    (0, 0, 0, 0, 1, 0, 0),
)
#: The factor the peak-memory estimate is within of every fit it was calibrated and checked on (each at least 1 MB;
#: ``benchmarks/results/calibration_memory.json``, pinned by ``tests/unit/test_peak_estimate.py``).
PEAK_FACTOR = 1.5
#: The share of many-valued numbers among the columns when the caller does not say (Adult's: 4 of 15).
TYPICAL_NUMERIC_SHARE = 0.27
#: Labels per modelled column when the caller does not say (Adult's: 100 labels over 15 columns).
TYPICAL_LABELS_PER_COLUMN = 6.7
#: Strata when the caller does not say (Adult's: education's 16 levels).
TYPICAL_STRATA = 16.0
#: A number with more distinct values than this is "many-valued": CART's ``classify_up_to``, above which a number
#: gets a regression tree instead of a class per value.
MANY_VALUES = 32
_COUNT_ROWS = 20_000
#: Dates written in this format (and longer ones starting with it) parse on pandas' fast path.
ISO_DATE = "%Y-%m-%d"


def _sample(df: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """``df[names]``, or a seeded sample of :data:`_COUNT_ROWS` of its rows (the counts are for an estimate)."""
    rows = df[names]
    if len(rows) > _COUNT_ROWS:
        pick = np.sort(np.random.default_rng(0).choice(len(rows), size=_COUNT_ROWS, replace=False))
        rows = rows.iloc[pick]
    return rows


def many_valued_numbers(df: pd.DataFrame, schema: Schema) -> int:
    """How many modelled columns are numbers (continuous or whole) or dates with more than :data:`MANY_VALUES`
    distinct values, counted on a seeded sample of at most 20,000 rows (enough to see 33 values; the count is for
    an estimate). A date is one: the trees split it as a number."""
    names = [
        c.name
        for c in schema
        if (c.kind.is_numeric or c.kind is ColumnKind.DATETIME) and c.kind.is_modelled and c.name in df.columns
    ]
    if not names:
        return 0
    rows = _sample(df, names)
    return sum(int(rows[name].nunique(dropna=True) > MANY_VALUES) for name in names)


def fit_shape(df: pd.DataFrame, schema: Schema) -> FitShape:
    """Count on ``df`` what :data:`TERMS` need (:class:`FitShape`): labels and strata on a seeded sample of at most
    20,000 rows, as :func:`many_valued_numbers` counts; dates as text are those not yet parsed (numbers are epoch
    seconds, parsed in one step); layouts on the sample a fit reads them from."""
    from synth.generated import reads_every_value, searches_layouts
    from synth.generated_layouts import searched_layouts
    from synth.synthesizers.copula_strata import MAX_STRATA_LEVELS

    specs = [s for s in schema if s.name in df.columns]
    modelled = [s for s in specs if s.kind.is_modelled]
    generated = sum(int(reads_every_value(s, df[s.name])) for s in specs if not s.kind.is_modelled)
    labelled = [s.name for s in modelled if s.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN)]
    counts = [int(n) for n in _sample(df, labelled).nunique(dropna=True)] if labelled else []
    strata = max([n for n in counts if 2 <= n <= MAX_STRATA_LEVELS], default=1)
    numbers = many_valued_numbers(df, Schema(tuple(modelled)))
    text_dates = sum(
        int(not _is_datetime(df[s.name]) and not str(s.datetime_format or "").startswith(ISO_DATE))
        for s in modelled
        if s.kind is ColumnKind.DATETIME
    )
    layouts = sum(max(searched_layouts(df[s.name]) - 1, 0) for s in specs if searches_layouts(s))
    return FitShape(len(df), len(modelled), numbers, generated, sum(counts), strata, text_dates, layouts)


def _is_datetime(values: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(values.dtype) or pd.api.types.is_numeric_dtype(values.dtype)


def shape_cost(coefficients: Sequence[float], shape: FitShape, terms: Sequence[Sequence[int]] | None = None) -> float:
    """``Σ coefficient · Π feature^power`` over ``terms`` (powers of :meth:`FitShape.features`, missing ones 0; by
    default the first ``len(coefficients)`` of a constant, then rows·columns^k for k = 1, 2, …, as calibrations
    before the width terms were written), at least 0."""
    if terms is None:
        terms = [(0, 0)] + [(1, k) for k in range(1, len(coefficients))]
    features = shape.features()
    total = 0.0
    for coef, term in zip(coefficients, terms, strict=False):
        powers = (*term, *(0,) * len(features))[: len(features)]
        total += float(coef) * float(np.prod([f**p for f, p in zip(features, powers, strict=True)]))
    return max(0.0, total)
