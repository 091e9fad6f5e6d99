"""Calibrate the audit's fit-cost model: CPU time and peak memory of each synthesizer's fit, by the table's shape.

For every registered synthesizer (``synth.available()``) and a grid of tables (:mod:`benchmarks.fit_tables`) —
seeded row samples of UCI Adult (plus a 4x resample to anchor the slope) with its first 5 or all 15 columns,
generated tables of numbers and six-level categories (``benchmarks.common.wide_table``) of 10, 30 and 60 columns,
and (session 19) generated customer tables of 2,000 to 24,000 rows with and without generated columns read value
by value (a text key, a text account reference, a phone number; e-mails and names beside them) and with cities of
20 or 600 labels, all with dates written as text and missing values — one fresh subprocess per table fits each
synthesizer twice on one core (``SYNTH_FIT_THREADS=1``, BLAS threads 1) and reports the smaller CPU time
(``time.process_time``: what the fit costs, whatever else the shared machine runs), its wall time, and the
growth of its peak resident memory during the first fit (``VmHWM`` after resetting it through
``/proc/self/clear_refs``), after a warm-up fit on 60 rows has loaded every lazily imported module. (Those peaks
reused memory the process had freed before and were 0 for 26 of 160 fits; since session 20 peak memory is
measured with ``--memory``, :mod:`benchmarks.fit_memory`, a fresh process per measurement, and a run without it
keeps that peak model.) Then, per synthesizer, non-negative least squares fits

    seconds ≈ a + b·n·d + c·n·d² + e·n·d³ + f·d³ + g·d⁴ + h·n·k + i·n·d·k
              + j·n·t + l·t + m·L + o·n·L + q·d·s + r·n·x                         (peak MB likewise)

(n rows, d modelled columns, k of them numbers or dates with over 32 distinct values, t generated columns read
value by value, L category labels, s the copula's strata, x dates written as text in a non-ISO format;
``synth.audit.calibration.TERMS`` and ``fit_shape``).
Numbers cost a tree far more than categories; width costs sequential trees and the DP network's parent search more
than linearly; a text key's or a phone number's fit reads every value to learn its format and the endings no real
value has; a copula is fitted per level of the mixture column; a date written as ``23.12.2010`` is parsed value by
value (``2011-01-01`` takes pandas' fast path). Without the generated, label and strata terms (and
with dates not counted as numbers) the estimate put the session-18 HR table at 0.04 s for the Gaussian copula,
which took 0.23 s of CPU. The coefficients go to ``synth/calibration.json`` (shipped with the package, read by
:func:`synth.audit.estimate_fit`), the raw measurements to ``benchmarks/results/calibration.json``, with a check on
tables the fit never saw (:data:`HOLDOUT_TABLES`: the shared Bike Sharing, California Housing and Bank Marketing
tables, a generated 8,000 × 75 table, the messy HR table and a table of four many-label categories): measured CPU
seconds, estimated seconds and their ratio, printed as a table.

Usage::

    .venv/bin/python benchmarks/calibrate_fit.py            # all synthesizers, ~25 minutes on 2 cores
    .venv/bin/python benchmarks/calibrate_fit.py --only cart --dry-run
    .venv/bin/python benchmarks/calibrate_fit.py --refit    # fit the stored measurements again, measuring nothing
    .venv/bin/python benchmarks/calibrate_fit.py --remeasure customers   # those tables again, the rest as stored
    .venv/bin/python benchmarks/calibrate_fit.py --memory   # peak memory alone (benchmarks/fit_memory.py), ~35 min
    .venv/bin/python benchmarks/calibrate_fit.py --memory --refit
    .venv/bin/python benchmarks/calibrate_fit.py --layouts  # phone and postcode layout searches alone, ~2 min
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
from benchmarks.common import SINGLE_THREAD  # noqa: E402
from synth.audit.calibration import TERMS, FitShape, shape_cost  # noqa: E402

OUT_PACKAGE = ROOT / "synth" / "calibration.json"
OUT_RAW = ROOT / "benchmarks" / "results" / "calibration.json"
OUT_MEMORY = ROOT / "benchmarks" / "results" / "calibration_memory.json"

#: The tables the coefficients are fitted to (:func:`benchmarks.fit_tables.table` specs).
GRID = (
    *(f"adult:{rows}:{cols}" for rows in (2_000, 8_000, 32_561, 130_244) for cols in (5, 15)),
    # Narrow tables of numbers (dearer per cell than Adult's categories), and wide ones.
    *(f"wide:{rows}:{numbers}" for rows, numbers in ((5_000, 8), (20_000, 8), (2_000, 24), (6_000, 24))),
    *(f"wide:{rows}:{numbers}" for rows, numbers in ((2_000, 48), (6_000, 48))),
    # Generated columns read value by value (0 or 3) and labels (20 or 600 cities) at three sizes.
    *(f"customers:{rows}:{gen}:{labels}" for rows in (2_000, 8_000, 24_000) for gen in (0, 1) for labels in (20, 600)),
)
#: Tables the coefficients are checked on, never fitted to.
HOLDOUT_TABLES = (
    "shared:bike_sharing_hourly",
    "shared:california_housing",
    "shared:bank_marketing",
    "wide:8000:60",
    "hr:3000",
    "labels:6000",
)
REPEATS = 2
#: A fit longer than this (CPU seconds) is not repeated.
LONG_FIT = 10.0

_CHILD = r"""
import dataclasses, gc, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
import synth, synth.generated, synth.schema.conformance
from benchmarks.fit_tables import table
from synth.audit import fit_shape
spec, names, repeats, long_fit = sys.argv[2], sys.argv[3].split(","), int(sys.argv[4]), float(sys.argv[5])
df = table(spec)
schema = synth.infer_schema(df)
shape = fit_shape(df, schema)

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    raise KeyError(key)

fits = {}
for name in names:
    synth.create(name, random_state=0).fit(df.iloc[:60], schema)  # warm-up: lazy imports, caches
    gc.collect()
    try:  # reset this process's peak RSS (VmHWM) to its current RSS (Linux >= 4.0)
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        before, peak_of = status("VmRSS:"), lambda: status("VmHWM:")
    except OSError:  # ru_maxrss: this process's peak so far (an upper bound)
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        peak_of = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cpu, wall = [], []
    for _ in range(repeats):
        start, clock = time.process_time(), time.perf_counter()
        synth.create(name, random_state=0).fit(df, schema)
        cpu.append(time.process_time() - start)
        wall.append(time.perf_counter() - clock)
        if len(cpu) == 1:
            peak = peak_of() - before
        if cpu[-1] > long_fit:
            break
        gc.collect()
    fits[name] = {"seconds": min(cpu), "wall_seconds": min(wall), "peak_mb": max(peak, 0.0)}
# What the generated columns' own fit costs (the same code for every synthesizer), best of two: a later change to it
# moves every estimate's generated terms (tests/unit/test_fit_estimate.py measures it again against this).
data = synth.schema.conformance.coerce_to_schema(df[schema.names], schema)
generated = []
for _ in range(2):
    start = time.process_time()
    synth.generated.GeneratedColumns.fit(data, schema)
    generated.append(time.process_time() - start)
print(json.dumps({"shape": dataclasses.asdict(shape), "fits": fits, "generated_seconds": min(generated)}))
"""


def measure(spec: str, names: list[str], repeats: int = REPEATS, root: Path = ROOT) -> dict[str, Any]:
    """Fit each of ``names`` on the table ``spec`` in one fresh single-threaded subprocess; its shape and fits.

    ``root``: the source tree whose ``synth`` and ``benchmarks`` the subprocess imports (another checkout, to time
    a change against the code before it: ``benchmarks/bench_fit_tables.py``)."""
    env = {**os.environ, **SINGLE_THREAD}
    import subprocess

    argv = [sys.executable, "-c", _CHILD, str(root), spec, ",".join(names), str(repeats), str(LONG_FIT)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"fits on {spec} failed:\n{proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def shape_of(run: dict[str, Any]) -> FitShape:
    """The :class:`FitShape` a stored run was measured on; counted again on its (seeded) table when it was stored
    before a count was added to the model, and stored back."""
    import dataclasses

    fields = {f.name for f in dataclasses.fields(FitShape)}
    if set(run["shape"]) != fields:
        run["shape"] = _counted(run["table"])
    return FitShape(**run["shape"])


def _counted(spec: str, cache: dict[str, dict[str, Any]] = {}) -> dict[str, Any]:  # noqa: B006 (a cache)
    import dataclasses

    import synth
    from benchmarks.fit_tables import table
    from synth.audit import fit_shape

    if spec not in cache:
        df = table(spec)
        cache[spec] = dataclasses.asdict(fit_shape(df, synth.infer_schema(df)))
    return cache[spec]


def basis(shapes: list[FitShape]) -> np.ndarray:
    """The cost model's terms per table (``synth.audit.calibration.TERMS``), one row per table."""
    return np.array([[shape_cost([1.0], s, [term]) for term in TERMS] for s in shapes], dtype=float)


def measure_all(names: list[str]) -> tuple[dict[str, list[dict[str, Any]]], dict[str, list[dict[str, Any]]]]:
    """Every synthesizer's fits over :data:`GRID` (the fitted measurements) and :data:`HOLDOUT_TABLES` (the
    checks), each a list of ``{"table", "shape", "seconds", "wall_seconds", "peak_mb"}``."""
    print(f"{'table':<28}{'synthesizer':<18}{'rows':>9}{'cols':>6}{'CPU s':>9}{'wall s':>9}{'peak MB':>9}")
    raw: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    checks: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    for group, specs in ((raw, GRID), (checks, HOLDOUT_TABLES)):
        for spec in specs:
            m = measure(spec, names)
            for name, fit in m["fits"].items():
                group[name].append(
                    {"table": spec, "shape": m["shape"], **fit, "generated_seconds": m["generated_seconds"]}
                )
                print(
                    f"{spec:<28}{name:<18}{m['shape']['rows']:>9,}{m['shape']['columns']:>6}{fit['seconds']:>9.3f}"
                    f"{fit['wall_seconds']:>9.3f}{fit['peak_mb']:>9.1f}",
                    flush=True,
                )
    return raw, checks


def fit_cost_model(shapes: list[FitShape], y: np.ndarray) -> tuple[list[float], float]:
    """Non-negative least squares for ``y`` on :func:`basis` (:func:`fit_design`)."""
    return fit_design(basis(shapes), y)


def fit_design(design: np.ndarray, y: np.ndarray) -> tuple[list[float], float]:
    """Non-negative least squares for ``y`` on the columns of ``design``, each scaled to its largest value so that
    the solver sees comparable columns; returns the coefficients and r² on the measurements' own scale."""
    from scipy.optimize import nnls

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
    parser.add_argument("--dry-run", action="store_true", help="print, but do not write the JSON files")
    parser.add_argument(
        "--refit",
        action="store_true",
        help="fit the model again to the measurements in benchmarks/results/calibration.json, measuring nothing",
    )
    parser.add_argument(
        "--remeasure",
        nargs="+",
        metavar="SPEC",
        help="measure these tables again (specs of the grid or the checks, or 'customers' for every customer table), "
        "keep the stored measurements of the others, and fit the model to them all",
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="peak memory alone (benchmarks/fit_memory.py: a fresh process per measurement, two per point), "
        "measured or with --refit read from benchmarks/results/calibration_memory.json; the seconds stay",
    )
    parser.add_argument(
        "--layouts",
        action="store_true",
        help="the layout searches of phone and postcode columns alone (benchmarks/calibrate_layouts.py), measured "
        "or with --refit read from benchmarks/results/calibration_layouts.json; the synthesizers' terms stay",
    )
    args = parser.parse_args(argv)

    import synth

    if args.layouts:
        from benchmarks.calibrate_layouts import calibrate_layouts

        return calibrate_layouts(OUT_PACKAGE, refit=args.refit, dry_run=args.dry_run)

    names = args.only or synth.available()
    if args.memory:
        from benchmarks.fit_memory import calibrate_memory

        groups = {"runs": GRID, "checks": HOLDOUT_TABLES}
        return calibrate_memory(names, groups, OUT_PACKAGE, OUT_MEMORY, refit=args.refit, dry_run=args.dry_run)
    existing = json.loads(OUT_PACKAGE.read_text()) if OUT_PACKAGE.exists() else {}
    if args.refit or args.remeasure:
        stored = json.loads(OUT_RAW.read_text())
        if any("shape" not in r for runs in stored["runs"].values() for r in runs):
            raise SystemExit("the stored measurements predate session 19 (no table specs): measure again")
        raw = {n: r for n, r in stored["runs"].items() if n in names}
        checks = {n: c for n, c in stored.get("checks", {}).items() if n in names}
        machine = stored.get("machine", {})
        if args.remeasure:
            remeasure(args.remeasure, names, raw, checks, machine)
    else:
        started = time.strftime("%Y-%m-%d %H:%M")
        load_start = round(os.getloadavg()[0], 2)
        raw, checks = measure_all(names)
        machine = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "started": started,
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "load_average_at_start": load_start,
            "load_average_at_end": round(os.getloadavg()[0], 2),
            "threads": "one (SYNTH_FIT_THREADS=1, BLAS threads 1); seconds are CPU seconds (time.process_time)",
        }
    coefficients: dict[str, Any] = {}
    for name, runs in raw.items():
        shapes = [shape_of(r) for r in runs]
        seconds, r2_t = fit_cost_model(shapes, np.array([r["seconds"] for r in runs]))
        peak, r2_m = fit_cost_model(shapes, np.array([r["peak_mb"] for r in runs]))
        coefficients[name] = {
            "terms": [list(t) for t in TERMS],
            "seconds": seconds,
            "peak_mb": peak,
            "r2_seconds": round(r2_t, 3),
            "r2_peak_mb": round(r2_m, 3),
            "max_cells": int(max(s.rows * s.columns for s in shapes)),
            "max_columns": int(max(s.columns for s in shapes)),
        }
        shipped = existing.get("synthesizers", {}).get(name, {})
        if "peak_terms" in shipped:  # measured by --memory (benchmarks/fit_memory.py): better than this run's peaks
            keep = ("peak_terms", "peak_mb", "r2_peak_mb", "peak_factor")
            coefficients[name].update({k: shipped[k] for k in keep if k in shipped})
        print(f"{name}: seconds r² {r2_t:.2f}; peak MB r² {r2_m:.2f}")
        for r in [*runs, *checks.get(name, [])]:
            r["estimated_seconds"] = shape_cost(seconds, shape_of(r), TERMS)
    print_ratios("fitted tables (CPU seconds of one fit on one core; estimate ÷ measured, 1 = exact):", raw)
    print_ratios("checked on tables the fit never saw:", checks)
    document = {
        "model": "seconds = sum of coefficient * rows**p * columns**q * numbers**r * generated**t * labels**l * "
        "strata**s * text_dates**x over terms (p, q, r, t, l, s, x), each coefficient >= 0; peak_mb likewise "
        "(synth.audit.calibration.FitShape); seconds are CPU seconds of a fit on one core",
        "data": "benchmarks.fit_tables specs: " + ", ".join(GRID),
        "machine": machine,
        "synthesizers": {**existing.get("synthesizers", {}), **coefficients},
    }
    for kept in ("peak_model", "layouts"):  # written by --memory and --layouts
        if kept in existing:
            document[kept] = existing[kept]
    if args.dry_run:
        print(json.dumps(document, indent=2))
        return 0
    OUT_PACKAGE.write_text(json.dumps(document, indent=2) + "\n")
    OUT_RAW.parent.mkdir(parents=True, exist_ok=True)
    if args.refit or args.remeasure:  # --only: the other synthesizers' stored measurements stay in the file
        raw, checks = {**stored["runs"], **raw}, {**stored.get("checks", {}), **checks}
    OUT_RAW.write_text(json.dumps({"machine": machine, "runs": raw, "checks": checks}, indent=2) + "\n")
    print(f"wrote {OUT_PACKAGE.relative_to(ROOT)} and {OUT_RAW.relative_to(ROOT)}")
    return 0


def remeasure(
    specs: list[str],
    names: list[str],
    raw: dict[str, list[dict[str, Any]]],
    checks: dict[str, list[dict[str, Any]]],
    machine: dict[str, Any],
) -> None:
    """Measure ``specs`` again and put the fits in place of the stored ones (``raw``: the grid; ``checks``), noting
    when and under what load in the list ``machine["remeasured"]``. What changed in the code since the full run may
    touch only some tables: session 20 made the format learning of text keys and phone numbers about 3 times cheaper
    (the customer tables' step from no generated columns to three, 0.77 to 0.25 CPU s at 24,000 rows for the
    independent model), and only the customer tables hold them."""
    every = (*GRID, *HOLDOUT_TABLES)
    wanted = [s for s in every if s in specs or ("customers" in specs and s.startswith("customers:"))]
    unknown = sorted(set(specs) - set(wanted) - {"customers"})
    if unknown:
        raise SystemExit(f"not a table of the grid or the checks: {', '.join(unknown)}")
    load_start = round(os.getloadavg()[0], 2)
    for spec in wanted:
        m = measure(spec, names)
        group = raw if spec in GRID else checks
        for name, fit in m["fits"].items():
            runs = group.setdefault(name, [])
            run = {"table": spec, "shape": m["shape"], **fit, "generated_seconds": m["generated_seconds"]}
            # The stored peak stays: peaks read in this process after other fits are not the peak model's data
            # (--memory measures those), and tests/unit/test_peak_estimate.py reads the old ones as evidence.
            stored = [r for r in runs if r["table"] == spec]
            if stored:
                run["peak_mb"] = stored[0]["peak_mb"]
            runs[:] = [r for r in runs if r["table"] != spec] + [run]
            print(f"{spec:<28}{name:<18}{fit['seconds']:>9.3f} CPU s (remeasured)", flush=True)
    earlier = machine.get("remeasured", [])
    machine["remeasured"] = earlier if isinstance(earlier, list) else [earlier]  # (one record, before a list)
    machine["remeasured"].append(
        {
            "tables": wanted,
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "load_average_at_start": load_start,
            "load_average_at_end": round(os.getloadavg()[0], 2),
        }
    )


def print_ratios(title: str, runs: dict[str, list[dict[str, Any]]]) -> None:
    """Measured and estimated seconds per table and synthesizer, with their ratio and the worst ratio each."""
    print(f"\n{title}")
    print(f"{'synthesizer':<18}{'table':>28}{'rows':>8}{'cols':>6}{'measured s':>12}{'estimate s':>12}{'ratio':>7}")
    for name, rows_ in runs.items():
        for c in rows_:
            ratio = c["estimated_seconds"] / max(c["seconds"], 1e-9)
            print(
                f"{name:<18}{c['table']:>28}{c['shape']['rows']:>8,}{c['shape']['columns']:>6}{c['seconds']:>12.3f}"
                f"{c['estimated_seconds']:>12.3f}{ratio:>7.2f}"
            )
        worst = max(
            (max(c["estimated_seconds"], 1e-9) / max(c["seconds"], 1e-9) for c in rows_),
            key=lambda r: max(r, 1 / r),
            default=1.0,
        )
        print(f"{name:<18}{'worst ratio':>28}{'':>38}{worst:>7.2f}")


if __name__ == "__main__":
    raise SystemExit(main())
