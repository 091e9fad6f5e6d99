"""Calibrate what the layout searches of phone and postcode columns add to a fit (:mod:`synth.generated_layouts`).

The synthesizers' terms (``benchmarks/calibrate_fit.py``) price a generated column read value by value as the
customer tables' one-layout phone numbers cost. A column written in many layouts costs more: each common layout's
endings are searched on their own (the clinic walk's phone numbers: 13 layouts). That search is the same code for
every synthesizer (``GeneratedColumns.fit``), so it is measured here on its own: the CPU time of
``GeneratedColumns.fit`` (best of :data:`REPEATS`, after a warm-up) on one column of :data:`ROWS` rows each, of one
layout (``+44 20 dddd dddd``) and of Faker's UK, US and German phone numbers and UK postcodes (2 to 21 layouts
searched), then non-negative least squares (``calibrate_fit.fit_design``) of

    seconds ≈ c + d·rows + a·layouts + b·rows·layouts

(layouts: those searched beyond the first, :attr:`synth.audit.calibration.FitShape.layouts`). ``a`` and ``b`` go
to ``synth/calibration.json`` as ``layouts`` (:func:`synth.audit.calibration.layout_seconds`); ``c`` and ``d`` are
what the synthesizers' generated terms already price. The raw measurements go to
``benchmarks/results/calibration_layouts.json``, with a check on columns the fit never saw (the clinic walk's
phone numbers and postcodes, the HR table's phone numbers)::

    .venv/bin/python benchmarks/calibrate_fit.py --layouts [--refit] [--dry-run]
"""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.common import ROOT

OUT_RAW = ROOT / "benchmarks" / "results" / "calibration_layouts.json"
ROWS = (1_000, 4_000, 16_000, 64_000)
REPEATS = 3


def _one_layout(rows: int) -> pd.Series:
    rng = np.random.default_rng(rows)
    return pd.Series([f"+44 20 {a} {b}" for a, b in rng.integers(1_000, 9_999, (rows, 2))], dtype=object)


def _faker(method: str, locale: str) -> Callable[[int], pd.Series]:
    from benchmarks.bench_layouts import faker_column

    return lambda rows: faker_column(method, {locale: rows})


#: The fitted columns: (label, PII type, values of a given number of rows).
COLUMNS: tuple[tuple[str, str, Callable[[int], pd.Series]], ...] = (
    ("one-layout phones", "phone", _one_layout),
    ("en_GB phones", "phone", _faker("phone_number", "en_GB")),
    ("en_US phones", "phone", _faker("phone_number", "en_US")),
    ("de_DE phones", "phone", _faker("phone_number", "de_DE")),
    ("en_GB postcodes", "postcode", _faker("postcode", "en_GB")),
)


def _checks() -> list[tuple[str, str, pd.Series]]:
    """Columns the coefficients are checked on, never fitted to."""
    from benchmarks.fit_tables import hr
    from benchmarks.walk_tables import clinic

    patients = clinic().drop_duplicates("patient_id")
    return [
        ("clinic walk phones", "phone", patients["phone"]),
        ("clinic walk postcodes", "postcode", patients["postcode"]),
        ("hr phones", "phone", hr()["phone"]),
    ]


def measure_column(label: str, pii_type: str, values: pd.Series) -> dict[str, Any]:
    """The CPU seconds of the generated fit of ``values`` alone, and the layouts it searches beyond the first."""
    from synth.generated import GeneratedColumns
    from synth.generated_layouts import searched_layouts
    from synth.schema import ColumnKind, ColumnSpec, Schema

    frame = pd.DataFrame({"v": values.astype(str).reset_index(drop=True)})
    schema = Schema((ColumnSpec("v", ColumnKind.PII, pii_type=pii_type),))
    GeneratedColumns.fit(frame.iloc[:200], schema)  # warm-up: lazy imports
    spent = []
    for _ in range(REPEATS):
        start = time.process_time()
        GeneratedColumns.fit(frame, schema)
        spent.append(time.process_time() - start)
    layouts = max(searched_layouts(frame["v"]) - 1, 0)
    return {"column": label, "rows": len(frame), "layouts": layouts, "seconds": min(spent)}


def design(runs: list[dict[str, Any]]) -> np.ndarray:
    """``[1, rows, layouts, rows·layouts]`` per run."""
    return np.array([[1.0, r["rows"], r["layouts"], r["rows"] * r["layouts"]] for r in runs], dtype=float)


def calibrate_layouts(package: Path, *, refit: bool = False, dry_run: bool = False) -> int:
    """Measure (or with ``refit`` read back) the runs and checks, fit the model, write ``layouts`` into
    ``package`` (``synth/calibration.json``) and the raw measurements to :data:`OUT_RAW`."""
    from benchmarks.calibrate_fit import fit_design

    if refit:
        stored = json.loads(OUT_RAW.read_text())
        runs, checks, machine = stored["runs"], stored["checks"], stored["machine"]
    else:
        load_start = round(os.getloadavg()[0], 2)
        runs = []
        for rows in ROWS:
            for label, pii_type, make in COLUMNS:
                runs.append(measure_column(label, pii_type, make(rows)))
                print(runs[-1], flush=True)
        checks = [measure_column(*check) for check in _checks()]
        machine = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "load_average_at_start": load_start,
            "load_average_at_end": round(os.getloadavg()[0], 2),
            "seconds": "CPU seconds (time.process_time), best of 3",
        }
    coef, r2 = fit_design(design(runs), np.array([r["seconds"] for r in runs]))
    c, d, a, b = coef
    print(f"seconds ≈ {c:.4f} + {d:.3g}·rows + {a:.4f}·layouts + {b:.3g}·rows·layouts; r² {r2:.2f}")
    print(f"{'column':24s} {'rows':>6s} {'layouts':>7s} {'measured s':>10s} {'estimated s':>11s} {'ratio':>6s}")
    for r in [*runs, *checks]:
        r["estimated_seconds"] = float(design([r])[0] @ np.asarray(coef))
        ratio = r["estimated_seconds"] / max(r["seconds"], 1e-9)
        print(
            f"{r['column']:24s} {r['rows']:6d} {r['layouts']:7d} {r['seconds']:10.3f} "
            f"{r['estimated_seconds']:11.3f} {ratio:6.2f}"
        )
    block = {
        "model": "seconds added = a * layouts + b * rows * layouts (layouts searched beyond each column's first; "
        "synth.audit.calibration.layout_seconds), the same for every synthesizer",
        "seconds": [coef[2], coef[3]],
        # c + d·rows: what a one-layout column costs, priced by the synthesizers' generated terms (kept for checks).
        "base_seconds": [coef[0], coef[1]],
        "r2_seconds": round(r2, 3),
        "data": "benchmarks/calibrate_layouts.py: " + ", ".join(label for label, _, _ in COLUMNS) + f" of {ROWS} rows",
    }
    if dry_run:
        print(json.dumps(block, indent=2))
        return 0
    existing = json.loads(package.read_text()) if package.exists() else {}
    existing["layouts"] = block
    package.write_text(json.dumps(existing, indent=2) + "\n")
    OUT_RAW.parent.mkdir(parents=True, exist_ok=True)
    OUT_RAW.write_text(json.dumps({"machine": machine, "runs": runs, "checks": checks}, indent=2) + "\n")
    print(f"wrote {package.relative_to(ROOT)} and {OUT_RAW.relative_to(ROOT)}")
    return 0
