"""Fit-time and peak-memory estimates from the calibration written by ``benchmarks/calibrate_fit.py``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from synth.audit.findings import CALIBRATION_PATH, FitEstimate
from synth.schema import Schema

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


def estimate_fit(
    n_rows: int,
    n_columns: int,
    synthesizers: Iterable[str] | None = None,
    calibration: Mapping[str, Any] | None = None,
    n_numeric: int | None = None,
) -> tuple[FitEstimate, ...]:
    """Expected fit time and peak memory of synthesizers on a table of ``n_rows`` × ``n_columns``.

    The model is a sum of non-negative terms in rows, columns and numeric columns (:data:`TERMS`: a constant,
    rows·columns, rows·columns², rows·columns³, columns³, columns⁴, rows·numbers and rows·columns·numbers), for
    seconds and for peak MB, with coefficients per synthesizer measured by ``benchmarks/calibrate_fit.py`` on
    subsamples of UCI Adult and on generated tables of 10, 30 and 60 columns. The higher powers are what width
    costs: a sequential tree reads every earlier column, and the DP network's search for parents grows with about
    the fourth power of the width; a model linear in cells (the calibration before session 13) put a 4,000-row
    table of 80 columns at 0.9 s for Pruned CART and 0.1 s for the DP network, which took 12 s and 33 s. The
    numeric terms are what a number with many values costs over a category: a tree on it tries a split between each
    pair of its values (a number with a few values, an hour or a month, is a class like a category). Without them,
    California Housing (nine many-valued numbers of ten columns) was put at 0.8 s for Pruned CART, which took 2.8 s:
    Adult, four of fifteen, had set the price of a cell. A calibration without ``terms`` (``a + b·rows·columns``)
    still reads.

    Args:
        n_rows: rows to fit on.
        n_columns: modelled columns.
        synthesizers: names (default: every registered synthesizer).
        calibration: coefficients (default: :func:`load_calibration`).
        n_numeric: how many of the modelled columns are numbers with many values (:func:`many_valued_numbers`);
            unknown (None): taken as :data:`TYPICAL_NUMERIC_SHARE` of them.

    Returns:
        One estimate per synthesizer, in the order given.
    """
    if synthesizers is None:
        from synth.synthesizers import available

        synthesizers = available()
    table = (calibration if calibration is not None else load_calibration()).get("synthesizers", {})
    cells = float(n_rows) * float(n_columns)
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
        elif widest and n_columns > 1.5 * widest:
            note = f"extrapolated from tables of up to {widest:,.0f} columns"
        terms = coef.get("terms")
        seconds = fit_cost(coef["seconds"], n_rows, n_columns, terms, n_numeric)
        out.append(FitEstimate(name, seconds, fit_cost(coef["peak_mb"], n_rows, n_columns, terms, n_numeric), note))
    return tuple(out)


#: The terms of the cost model, as (power of rows, power of columns, power of numeric columns): a constant, cells,
#: cells times the width and its square (sequential trees read every earlier column), the width alone to the third
#: and fourth power (the DP network's search for parents, which counts over a sample of rows: its cost barely
#: grows with them), and rows times the numbers, alone and times the width (a tree on a number with many values
#: tries a split between each pair of them; a category has a handful).
TERMS: tuple[tuple[int, int, int], ...] = (
    (0, 0, 0),
    (1, 1, 0),
    (1, 2, 0),
    (1, 3, 0),
    (0, 3, 0),
    (0, 4, 0),
    (1, 0, 1),
    (1, 1, 1),
)
#: The share of many-valued numbers among the columns when the caller does not say (Adult's: 4 of 15).
TYPICAL_NUMERIC_SHARE = 0.27
#: A number with more distinct values than this is "many-valued": CART's ``classify_up_to``, above which a number
#: gets a regression tree instead of a class per value.
MANY_VALUES = 32
_COUNT_ROWS = 20_000


def many_valued_numbers(df: pd.DataFrame, schema: Schema) -> int:
    """How many modelled columns are numbers (continuous or whole) with more than :data:`MANY_VALUES` distinct
    values, counted on a seeded sample of at most 20,000 rows (enough to see 33 values; the count is for an
    estimate)."""
    names = [c.name for c in schema if c.kind.is_numeric and c.kind.is_modelled and c.name in df.columns]
    if not names:
        return 0
    rows = df[names]
    if len(rows) > _COUNT_ROWS:
        pick = np.sort(np.random.default_rng(0).choice(len(rows), size=_COUNT_ROWS, replace=False))
        rows = rows.iloc[pick]
    return sum(int(rows[name].nunique(dropna=True) > MANY_VALUES) for name in names)


def fit_cost(
    coefficients: Sequence[float],
    n_rows: float,
    n_columns: float,
    terms: Sequence[Sequence[int]] | None = None,
    n_numeric: float | None = None,
) -> float:
    """``Σ coefficient · rows^p · columns^q · numbers^r`` over ``terms`` ((p, q) or (p, q, r); by default the
    first ``len(coefficients)`` of a constant, then rows·columns^k for k = 1, 2, …, as calibrations before the
    width terms were written), at least 0. ``n_numeric`` unknown: :data:`TYPICAL_NUMERIC_SHARE` of the columns."""
    if terms is None:
        terms = [(0, 0)] + [(1, k) for k in range(1, len(coefficients))]
    numbers = float(n_numeric) if n_numeric is not None else TYPICAL_NUMERIC_SHARE * float(n_columns)
    total = 0.0
    for coef, term in zip(coefficients, terms, strict=False):
        p, q, r = (*term, 0)[:3]
        total += float(coef) * float(n_rows) ** p * float(n_columns) ** q * numbers**r
    return max(0.0, total)
