"""Calibrate the audit's fit-cost model: time and peak memory of each synthesizer's fit, by table size and width.

For every registered synthesizer (``synth.available()``) and a grid of table sizes — seeded row subsamples of
UCI Adult (plus a 4x resample to anchor the slope) times its first 5 or all 15 columns, and generated tables
(``benchmarks.common.wide_table``: correlated numbers and six-level categories) of 10, 30 and 60 columns — one fresh
subprocess fits the synthesizer three times and reports the fastest fit and the growth of its peak resident
memory during the first fit (``VmHWM`` after resetting it through ``/proc/self/clear_refs``), after a warm-up fit
on 50 rows has loaded every lazily imported module. Then, per synthesizer, non-negative least squares fits

    seconds ≈ a + b·rows·columns + c·rows·columns² + d·rows·columns³ + e·columns³ + f·columns⁴
              + g·rows·numbers + h·rows·columns·numbers                                       (peak MB likewise)

(columns = modelled columns, numbers = those that are numbers with over 32 distinct values;
``synth.audit.calibration.TERMS``). The numbers are there because a number with many values costs a tree far more
than a category: the generated tables (eight numbers in ten columns) cost 2.4 times Adult's price per cell. Width is
why the higher powers are there: a sequential tree reads every earlier column, and the DP network's parent search
grows with about the fourth power of the width whatever the rows; Adult's 15 columns alone could not show it, and a
model linear in cells put 4,000 rows × 80 columns at 0.9 s for Pruned CART (12 s measured) and 0.1 s for the DP
network (33 s). The coefficients go to ``synth/calibration.json`` (shipped with the package, read by
:func:`synth.audit.estimate_fit`), the raw measurements to ``benchmarks/results/calibration.json``, with a check on
tables the fit never saw (the shared Bike Sharing, California Housing and Bank Marketing tables and a generated
8,000 × 75 table): measured seconds, estimated seconds and their ratio, printed as a table.

Usage::

    .venv/bin/python benchmarks/calibrate_fit.py            # all synthesizers, ~15 minutes on 2 cores
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
from synth.audit.calibration import TERMS, fit_cost  # noqa: E402

DATA = ROOT / "assets" / "adult.csv.gz"
OUT_PACKAGE = ROOT / "synth" / "calibration.json"
OUT_RAW = ROOT / "benchmarks" / "results" / "calibration.json"

ROW_GRID = (2_000, 8_000, 32_561, 130_244)
COLUMN_GRID = (5, 15)
#: (rows, numeric columns) of generated tables; each has numbers // 4 categories more (10, 30 and 60 columns).
#: The 10-column tables stand for narrow tables of numbers, dearer per cell than Adult's categories.
WIDE_GRID = ((5_000, 8), (20_000, 8), (2_000, 24), (6_000, 24), (2_000, 48), (6_000, 48))
#: Tables the coefficients are checked on, never fitted to: a shared table's stem, or "wide:<rows>:<numbers>".
HOLDOUT_TABLES = ("bike_sharing_hourly", "california_housing", "bank_marketing", "wide:8000:60")
SHARED = ROOT.parent / "shared" / "datasets"
REPEATS = 3

_CHILD = r"""
import json, resource, sys, time
import numpy as np
import synth
name, data, n_rows, n_cols, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
if data == "wide":  # a generated table of n_cols numbers (and n_cols // 4 categories)
    sys.path.insert(0, sys.argv[6])
    from benchmarks.common import wide_table
    full = wide_table(n_rows, n_cols)
else:
    full = synth.read_table(data, name=data.rsplit("/", 1)[-1].removesuffix(".gz"))
schema = synth.infer_schema(full)
columns = schema.modelled[:n_cols] if data != "wide" and n_cols > 0 else schema.modelled
rng = np.random.default_rng(0)
if n_rows <= 0:  # the whole table
    n_rows = len(full)
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
from synth.audit.calibration import many_valued_numbers
numeric = many_valued_numbers(table, sub)
result = {"seconds": min(times), "peak_mb": max(peak, 0.0), "rows": n_rows, "columns": len(columns)}
print(json.dumps({**result, "numeric": numeric}))
"""


def measure(name: str, n_rows: int, n_cols: int, data: Path | str, repeats: int = REPEATS) -> dict[str, Any]:
    """Fit ``name`` in a fresh subprocess on ``n_rows`` (0: all) of ``data`` — a table file and its first ``n_cols``
    modelled columns (0: all), or ``"wide"`` for a generated table of ``n_cols`` numbers — and report its time and
    memory."""
    return run_json_child(
        [sys.executable, "-c", _CHILD, name, str(data), str(n_rows), str(n_cols), str(repeats), str(ROOT)],
        f"{name} on {data} {n_rows}×{n_cols}",
        tail=2000,
    )


def basis(rows: np.ndarray, columns: np.ndarray, numeric: np.ndarray) -> np.ndarray:
    """The cost model's terms per table (``synth.audit.calibration.TERMS``: rows^p · columns^q · numbers^r)."""
    return np.column_stack([rows**p * columns**q * numeric**r for p, q, r in TERMS])


def numeric_columns(run: dict[str, Any], adult: Path) -> int:
    """How many of a measured table's modelled columns are numbers with many values
    (:func:`synth.audit.calibration.many_valued_numbers`): recorded by the child since session 14, else counted
    again on the table it names (Adult's first ``columns`` modelled columns, a generated table of that width, or a
    shared table)."""
    if "numeric" in run:
        return int(run["numeric"])
    import synth
    from benchmarks.common import wide_table
    from synth.audit.calibration import many_valued_numbers

    table = str(run.get("table", "adult"))
    if table == "adult":
        frame = synth.read_table(adult, name=adult.name.removesuffix(".gz"))
        schema = synth.infer_schema(frame)
        return many_valued_numbers(frame, schema.select(schema.modelled[: int(run["columns"])]))
    if table == "wide" or table.startswith("wide:"):
        numbers = int(run["columns"]) - int(run["columns"]) // 5  # wide_table: n numbers and n // 4 categories
        frame = wide_table(2_000, numbers)
    else:
        frame = synth.read_table(SHARED / f"{table}.csv", name=f"{table}.csv")
    return many_valued_numbers(frame, synth.infer_schema(frame))


def measure_all(
    names: list[str], adult: Path
) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """Every synthesizer's fits over the grid (the fitted measurements) and on :data:`HOLDOUT_TABLES` (the checks)."""
    print(f"{'synthesizer':<18}{'table':>8}{'rows':>9}{'cols':>6}{'seconds':>10}{'peak MB':>10}")
    grid: list[tuple[str | Path, int, int]] = [(adult, r, c) for r in ROW_GRID for c in COLUMN_GRID]
    grid += [("wide", r, numbers) for r, numbers in WIDE_GRID]
    raw: dict[str, list[dict[str, Any]]] = {}
    checks: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        runs = []
        for data, n_rows, n_cols in grid:
            m = {**measure(name, n_rows, n_cols, data), "table": "wide" if data == "wide" else "adult"}
            runs.append(m)
            print(
                f"{name:<18}{m['table']:>8}{m['rows']:>9,}{m['columns']:>6}{m['seconds']:>10.3f}{m['peak_mb']:>10.1f}"
            )
        raw[name] = runs
        checks[name] = []
        for table in HOLDOUT_TABLES:
            if table.startswith("wide:"):
                _, size, numbers = table.split(":")
                m = measure(name, int(size), int(numbers), "wide", repeats=1)
            else:
                m = measure(name, 0, 0, SHARED / f"{table}.csv", repeats=1)
            checks[name].append({"table": table, **m})
    return raw, checks


def fit_cost_model(
    rows: np.ndarray, columns: np.ndarray, numeric: np.ndarray, y: np.ndarray
) -> tuple[list[float], float]:
    """Non-negative least squares for ``y`` on :func:`basis`, each term scaled to its largest value so that the
    solver sees comparable columns; returns the coefficients and r² on the measurements' own scale."""
    from scipy.optimize import nnls

    design = basis(rows.astype(float), columns.astype(float), numeric.astype(float))
    scale = np.maximum(design.max(axis=0), 1e-300)
    # Relative errors matter (a 0.1 s fit off by 1 s misleads as much as a 100 s fit off by 1,000 s): each row is
    # weighted by 1 / its measured value, so the small tables are not drowned by the large ones.
    # (Below a hundredth of the largest measurement, relative error stops mattering: 0.02 s against 0.04 s, or
    # 0.1 MB against 1 MB, is noise the page rounds away.)
    weight = 1.0 / np.maximum(y, max(0.01 * float(y.max()), 1e-6))
    solution, _ = nnls(design / scale * weight[:, None], y * weight)
    coef = solution / scale
    pred = design @ coef
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum((y - pred) ** 2)) / total if total > 0 else 1.0
    return [float(c) for c in coef], r2


def main(argv: list[str] | None = None) -> int:
    """Run the calibration and write the JSON files."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", help="synthesizers to calibrate (default: all registered)")
    parser.add_argument("--data", type=Path, default=DATA, help="Adult as CSV or CSV.gz")
    parser.add_argument("--dry-run", action="store_true", help="print, but do not write the JSON files")
    parser.add_argument(
        "--refit",
        action="store_true",
        help="fit the model again to the measurements in benchmarks/results/calibration.json, measuring nothing",
    )
    args = parser.parse_args(argv)

    import synth

    names = args.only or synth.available()
    raw: dict[str, list[dict[str, Any]]] = {}
    checks: dict[str, list[dict[str, Any]]] = {}
    existing = json.loads(OUT_PACKAGE.read_text()) if OUT_PACKAGE.exists() else {}
    if args.refit:
        stored = json.loads(OUT_RAW.read_text())
        raw = {n: r for n, r in stored["runs"].items() if n in names}
        checks = {n: c for n, c in stored.get("checks", {}).items() if n in names}
        measured_machine = stored.get("machine", {})
    else:
        raw, checks = measure_all(names, args.data)
        measured_machine = {}
    coefficients: dict[str, Any] = {}
    for name, runs in raw.items():
        rows = np.array([r["rows"] for r in runs], dtype=float)
        cols = np.array([r["columns"] for r in runs], dtype=float)
        for r in runs:
            r["numeric"] = numeric_columns(r, args.data)
        numeric = np.array([r["numeric"] for r in runs], dtype=float)
        seconds, r2_t = fit_cost_model(rows, cols, numeric, np.array([r["seconds"] for r in runs]))
        peak, r2_m = fit_cost_model(rows, cols, numeric, np.array([r["peak_mb"] for r in runs]))
        coefficients[name] = {
            "terms": [list(t) for t in TERMS],
            "seconds": seconds,
            "peak_mb": peak,
            "r2_seconds": round(r2_t, 3),
            "r2_peak_mb": round(r2_m, 3),
            "max_cells": int((rows * cols).max()),
            "max_columns": int(cols.max()),
        }
        terms = " + ".join(f"{c:.3g}·n^{p}·d^{q}·k^{r}" for c, (p, q, r) in zip(seconds, TERMS, strict=True) if c)
        print(f"{name}: seconds ≈ {terms} (r² {r2_t:.2f}); peak MB r² {r2_m:.2f}")
        for c in checks.get(name, []):
            c["numeric"] = numeric_columns(c, args.data)
            c["estimated_seconds"] = fit_cost(seconds, c["rows"], c["columns"], TERMS, c["numeric"])
    print("\nchecked on tables the fit never saw (one fit each; estimate ÷ measured, 1 = exact):")
    print(f"{'synthesizer':<18}{'table':>22}{'rows':>8}{'cols':>6}{'measured s':>12}{'estimate s':>12}{'ratio':>7}")
    for name, rows_ in checks.items():
        for c in rows_:
            ratio = c["estimated_seconds"] / max(c["seconds"], 1e-9)
            print(
                f"{name:<18}{c['table']:>22}{c['rows']:>8,}{c['columns']:>6}{c['seconds']:>12.2f}"
                f"{c['estimated_seconds']:>12.2f}{ratio:>7.2f}"
            )
    machine = measured_machine or {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "load_average_at_end": round(os.getloadavg()[0], 2),
    }
    merged = {**existing.get("synthesizers", {}), **coefficients}
    document = {
        "model": "seconds = sum of coefficient * rows**p * columns**q * numeric**r over terms (p, q, r), each "
        "coefficient >= 0; peak_mb likewise (columns = modelled columns, numeric = those that are numbers)",
        "data": "UCI Adult (assets/adult.csv.gz): seeded row subsamples and a 4x resample, 5 or 15 columns; generated "
        "tables (benchmarks.common.wide_table) of 5,000 and 20,000 rows by 10 columns, 2,000 and 6,000 rows by 30 and "
        "60 columns",
        "machine": machine,
        "synthesizers": merged,
    }
    if args.dry_run:
        print(json.dumps(document, indent=2))
        return 0
    OUT_PACKAGE.write_text(json.dumps(document, indent=2) + "\n")
    OUT_RAW.parent.mkdir(parents=True, exist_ok=True)
    OUT_RAW.write_text(json.dumps({"machine": machine, "runs": raw, "checks": checks}, indent=2) + "\n")
    print(f"wrote {OUT_PACKAGE.relative_to(ROOT)} and {OUT_RAW.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
