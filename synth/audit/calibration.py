"""Fit-time and peak-memory estimates from the calibration written by ``benchmarks/calibrate_fit.py``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from synth.audit.findings import CALIBRATION_PATH, FitEstimate

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
) -> tuple[FitEstimate, ...]:
    """Expected fit time and peak memory of synthesizers on a table of ``n_rows`` × ``n_columns``.

    The model is a sum of non-negative terms in rows and columns (:data:`TERMS`: a constant, rows·columns,
    rows·columns², rows·columns³, columns³ and columns⁴), for seconds and for peak MB, with coefficients per
    synthesizer measured by ``benchmarks/calibrate_fit.py`` on subsamples of UCI Adult and on generated tables of
    30 and 60 columns. The higher powers are what width costs: a sequential tree reads every earlier column, and
    the DP network's search for parents grows with about the fourth power of the width; a model linear in cells
    (the calibration before session 13) put a 4,000-row table of 80 columns at 0.9 s for Pruned CART and 0.1 s
    for the DP network, which took 12 s and 33 s. A calibration without ``terms`` (``a + b·rows·columns``) still
    reads.

    Args:
        n_rows: rows to fit on.
        n_columns: modelled columns.
        synthesizers: names (default: every registered synthesizer).
        calibration: coefficients (default: :func:`load_calibration`).

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
        seconds = fit_cost(coef["seconds"], n_rows, n_columns, terms)
        out.append(FitEstimate(name, seconds, fit_cost(coef["peak_mb"], n_rows, n_columns, terms), note))
    return tuple(out)


#: The terms of the cost model, as (power of rows, power of columns): a constant, cells, cells times the width and
#: its square (sequential trees read every earlier column), and the width alone to the third and fourth power (the
#: DP network's search for parents, which counts over a sample of rows: its cost barely grows with them).
TERMS: tuple[tuple[int, int], ...] = ((0, 0), (1, 1), (1, 2), (1, 3), (0, 3), (0, 4))


def fit_cost(
    coefficients: Sequence[float],
    n_rows: float,
    n_columns: float,
    terms: Sequence[Sequence[int]] | None = None,
) -> float:
    """``Σ coefficient · rows^p · columns^q`` over ``terms`` ((p, q) pairs; by default the first
    ``len(coefficients)`` of a constant, then rows·columns^k for k = 1, 2, …, as calibrations before the width
    terms were written), at least 0."""
    if terms is None:
        terms = [(0, 0)] + [(1, k) for k in range(1, len(coefficients))]
    total = 0.0
    for coef, (p, q) in zip(coefficients, terms, strict=False):
        total += float(coef) * float(n_rows) ** p * float(n_columns) ** q
    return max(0.0, total)
