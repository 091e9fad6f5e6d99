"""Fit-time and peak-memory estimates from the calibration written by ``benchmarks/calibrate_fit.py``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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

    The model is linear in the number of cells, ``seconds ≈ a + b·rows·columns`` and
    ``peak_mb ≈ c + d·rows·columns``, with coefficients per synthesizer measured on subsamples of UCI Adult
    by ``benchmarks/calibrate_fit.py``.

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
        a, b = coef["seconds"]
        c, d = coef["peak_mb"]
        note = ""
        largest = float(coef.get("max_cells", 0))
        if largest and cells > 2 * largest:
            note = f"extrapolated from tables of up to {largest:,.0f} cells"
        out.append(FitEstimate(name, max(0.0, a + b * cells), max(0.0, c + d * cells), note))
    return tuple(out)
