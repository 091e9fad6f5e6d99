"""Calibrate the audit's fit-cost model: time and peak memory of each synthesizer's fit on UCI Adult.

For every registered synthesizer (``synth.available()``) and a grid of table sizes (seeded row subsamples of
Adult, plus a 4x resample to anchor the slope, times the first 5 or all 15 columns), one fresh subprocess
fits the synthesizer three times and reports the fastest fit and the growth of its peak resident memory
during the first fit (``VmHWM`` after resetting it through ``/proc/self/clear_refs``), after a warm-up fit
on 50 rows has loaded every lazily imported module. Then, per synthesizer, least squares fits

    seconds ≈ a + b · rows · columns        peak_mb ≈ c + d · rows · columns

(columns = modelled columns; ``a, b, c, d ≥ 0``), and writes the coefficients to ``synth/calibration.json``
(shipped with the package, read by :func:`synth.audit.estimate_fit`) and the raw measurements to
``benchmarks/results/calibration.json``.

Usage::

    .venv/bin/python benchmarks/calibrate_fit.py            # all synthesizers, ~2 minutes on 2 cores
    .venv/bin/python benchmarks/calibrate_fit.py --only cart --dry-run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import run_json_child  # noqa: E402

DATA = ROOT / "assets" / "adult.csv.gz"
OUT_PACKAGE = ROOT / "synth" / "calibration.json"
OUT_RAW = ROOT / "benchmarks" / "results" / "calibration.json"

ROW_GRID = (2_000, 8_000, 32_561, 130_244)
COLUMN_GRID = (5, 15)
REPEATS = 3

_CHILD = r"""
import json, resource, sys, time
import numpy as np
import synth
name, data, n_rows, n_cols, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
full = synth.read_table(data, name="adult.csv")
schema = synth.infer_schema(full)
columns = schema.modelled[:n_cols]
rng = np.random.default_rng(0)
rows = rng.choice(len(full), size=n_rows, replace=n_rows > len(full))
table = full.iloc[np.sort(rows)][columns].reset_index(drop=True)
sub = schema.select(columns)
synth.create(name).fit(table.iloc[:50], sub)  # warm-up: lazy imports, caches
del full
import gc
gc.collect()

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    raise KeyError(key)

try:  # reset this process's peak RSS (VmHWM) to its current RSS (Linux >= 4.0)
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")
    before, peak_of = status("VmRSS:"), lambda: status("VmHWM:")
except OSError:  # ru_maxrss: this process's peak, including its parent's peak at fork time
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_of = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
times = []
for _ in range(repeats):
    start = time.perf_counter()
    synth.create(name).fit(table, sub)
    times.append(time.perf_counter() - start)
    if len(times) == 1:
        peak = peak_of() - before
print(json.dumps({"seconds": min(times), "peak_mb": max(peak, 0.0), "rows": n_rows, "columns": len(columns)}))
"""


def measure(name: str, n_rows: int, n_cols: int, data: Path) -> dict[str, Any]:
    """Fit ``name`` on ``n_rows`` × ``n_cols`` of Adult in a fresh subprocess; its time and memory."""
    return run_json_child(
        [sys.executable, "-c", _CHILD, name, str(data), str(n_rows), str(n_cols), str(REPEATS)],
        f"{name} on {n_rows}×{n_cols}",
        tail=2000,
    )


def fit_line(cells: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """Non-negative least squares for ``y ≈ a + b·cells``; returns ``(a, b, r²)``."""
    design = np.column_stack([np.ones_like(cells), cells])
    (a, b), *_ = np.linalg.lstsq(design, y, rcond=None)
    if b < 0:
        a, b = float(np.mean(y)), 0.0
    if a < 0:
        a, b = 0.0, float(np.dot(cells, y) / np.dot(cells, cells))
    pred = a + b * cells
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum((y - pred) ** 2)) / total if total > 0 else 1.0
    return float(a), float(b), r2


def main(argv: list[str] | None = None) -> int:
    """Run the calibration and write the JSON files."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="synthesizers to calibrate (default: all registered)")
    parser.add_argument("--data", type=Path, default=DATA, help="Adult as CSV or CSV.gz")
    parser.add_argument("--dry-run", action="store_true", help="print, but do not write the JSON files")
    args = parser.parse_args(argv)

    import synth

    names = args.only or synth.available()
    raw: dict[str, list[dict[str, Any]]] = {}
    coefficients: dict[str, Any] = {}
    existing = json.loads(OUT_PACKAGE.read_text()) if OUT_PACKAGE.exists() else {}
    print(f"{'synthesizer':<18}{'rows':>9}{'cols':>6}{'seconds':>10}{'peak MB':>10}")
    for name in names:
        runs = []
        for n_rows in ROW_GRID:
            for n_cols in COLUMN_GRID:
                m = measure(name, n_rows, n_cols, args.data)
                runs.append(m)
                print(f"{name:<18}{m['rows']:>9,}{m['columns']:>6}{m['seconds']:>10.3f}{m['peak_mb']:>10.1f}")
        raw[name] = runs
        cells = np.array([r["rows"] * r["columns"] for r in runs], dtype=float)
        a, b, r2_t = fit_line(cells, np.array([r["seconds"] for r in runs]))
        c, d, r2_m = fit_line(cells, np.array([r["peak_mb"] for r in runs]))
        coefficients[name] = {
            "seconds": [a, b],
            "peak_mb": [c, d],
            "r2_seconds": round(r2_t, 3),
            "r2_peak_mb": round(r2_m, 3),
            "max_cells": int(cells.max()),
        }
        print(f"  → seconds ≈ {a:.3f} + {b:.3e}·cells (r² {r2_t:.2f}); MB ≈ {c:.1f} + {d:.3e}·cells (r² {r2_m:.2f})")
    machine = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d"),
    }
    merged = {**existing.get("synthesizers", {}), **coefficients}
    document = {
        "model": "seconds = a + b*rows*columns; peak_mb = c + d*rows*columns (columns = modelled columns)",
        "data": "UCI Adult (assets/adult.csv.gz): seeded row subsamples and a 4x resample, 5 or 15 columns",
        "machine": machine,
        "synthesizers": merged,
    }
    if args.dry_run:
        print(json.dumps(document, indent=2))
        return 0
    OUT_PACKAGE.write_text(json.dumps(document, indent=2) + "\n")
    OUT_RAW.parent.mkdir(parents=True, exist_ok=True)
    OUT_RAW.write_text(json.dumps({"machine": machine, "runs": raw}, indent=2) + "\n")
    print(f"wrote {OUT_PACKAGE.relative_to(ROOT)} and {OUT_RAW.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
