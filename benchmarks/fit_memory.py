"""Peak memory of one fit, measured in a fresh process per measurement (``benchmarks/calibrate_fit.py --memory``).

What is measured is what the product reports (:mod:`synth.report.memory`): the growth of the process's resident
memory while the fit runs, not :mod:`tracemalloc`'s count of Python and numpy allocations (the product cannot
trace: see :mod:`synth.report.memory`). Two things made the session-19 figures a poor target (r² −0.09 to
0.99):

* the fits ran one after another in one process, after the table was built and a warm-up fit, so a fit reused the
  memory those had freed and left in the allocator: the RSS did not grow at all in 26 of the 160 fits (under
  0.5 MB in 51), e.g. 0.0 MB for the DP network on Adult's 130,244 × 5, which needs 34 MB in a fresh process;
* each figure was one measurement.

Here every measurement is a fresh process that builds the table, fits on its first 60 and 1,000 rows (lazy
imports: CART imports its thread pool's modules only from 200 rows, code a warm-up on 60 rows left to the
measured fit and a dashboard loads once; caches), collects garbage and hands the allocator's free memory back to
the system (glibc's ``malloc_trim``) before it resets the peak (``VmHWM``, through ``/proc/self/clear_refs``) and
fits once: the growth is then the memory the fit itself needs beyond the table and the libraries, whatever ran
before it. Each point is measured :data:`REPEATS` times (separate processes) and the median kept. In a
long-running dashboard the race's own figure can be lower: there a fit may reuse memory an earlier one freed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import SINGLE_THREAD  # noqa: E402
from synth.audit.calibration import MEMORY_TERMS, FitShape, shape_cost  # noqa: E402

#: Separate processes per point; the median is kept.
REPEATS = 2

_CHILD = r"""
import ctypes, dataclasses, gc, json, sys
sys.path.insert(0, sys.argv[1])
import synth
from benchmarks.fit_tables import table
from synth.audit import fit_shape
spec, name = sys.argv[2], sys.argv[3]
df = table(spec)
schema = synth.infer_schema(df)
shape = fit_shape(df, schema)

def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key):
                return int(line.split()[1]) / 1024
    raise KeyError(key)

# Warm-up: every lazily imported module (CART imports the thread pool's only from 200 rows), caches.
for rows in (60, 1_000):
    synth.create(name, random_state=0).fit(df.iloc[:rows], schema)
gc.collect()
imported = set(sys.modules)
ctypes.CDLL("libc.so.6").malloc_trim(0)  # free memory back to the system: the fit cannot reuse it unseen
with open("/proc/self/clear_refs", "w") as f:  # peak RSS (VmHWM) := current RSS (Linux >= 4.0)
    f.write("5")
before = status("VmRSS:")
model = synth.create(name, random_state=0).fit(df, schema)
peak = status("VmHWM:") - before
new = len(set(sys.modules) - imported)  # modules the warm-up missed: their code would count as the fit's
out = {"shape": dataclasses.asdict(shape), "peak_mb": max(peak, 0.0), "rss_before_mb": before, "new_modules": new}
print(json.dumps(out))
"""


def measure_once(spec: str, name: str) -> dict[str, Any]:
    """One fresh single-threaded process: ``name`` fitted on the table ``spec``; its shape and peak MB."""
    env = {**os.environ, **SINGLE_THREAD}
    argv = [sys.executable, "-c", _CHILD, str(ROOT), spec, name]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{name} on {spec} failed:\n{proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def measure_point(spec: str, name: str, repeats: int = REPEATS) -> dict[str, Any]:
    """``repeats`` measurements of one point: ``{"table", "shape", "peak_mb" (median), "peak_mb_runs"}``."""
    import statistics

    runs = [measure_once(spec, name) for _ in range(repeats)]
    peaks = [r["peak_mb"] for r in runs]
    return {
        "table": spec,
        "shape": runs[0]["shape"],
        "peak_mb": statistics.median(peaks),
        "peak_mb_runs": peaks,
        "new_modules": max(r["new_modules"] for r in runs),
    }


def measure_peaks(
    names: list[str], groups: dict[str, tuple[str, ...]], out: Path, done: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Every point of ``groups`` (``{"runs": specs, "checks": specs}``) for every synthesizer, one at a time, written
    to ``out`` after each point (a run stopped half-way is resumed from ``done``)."""
    stored: dict[str, Any] = done or {}
    for group, specs in groups.items():
        by_name = stored.setdefault(group, {})
        for spec in specs:
            for name in names:
                points = by_name.setdefault(name, [])
                if any(p["table"] == spec for p in points):
                    continue
                point = measure_point(spec, name)
                points.append(point)
                runs = " ".join(f"{p:7.1f}" for p in point["peak_mb_runs"]) + f"  new modules {point['new_modules']}"
                print(f"{group:<7}{spec:<30}{name:<18}{point['shape']['rows']:>9,}{runs}", flush=True)
                out.write_text(json.dumps(stored, indent=2) + "\n")
    return stored


#: Below this (MB) a figure counts as this much: the Data page rounds to whole MB, and a fit of 0.3 MB put at
#: 0.9 MB is not three times wrong to a reader of "1 MB".
FLOOR_MB = 1.0


def ratio(estimate: float, measured: float) -> float:
    """Estimate ÷ measured, each at least :data:`FLOOR_MB` (``tests/unit/test_fit_estimate.py`` uses the same)."""
    return max(estimate, FLOOR_MB) / max(measured, FLOOR_MB)


def fit_peak_model(shapes: list[FitShape], y: np.ndarray) -> tuple[list[float], float, float]:
    """Non-negative coefficients on :data:`MEMORY_TERMS` whose worst :func:`ratio` over the measurements is as
    small as it can be (bisection over linear programs), then, within 2% of that worst factor, the smallest sum
    of relative errors. Least squares (the fit time's way) left the worst point wherever the many small ones put it;
    the claim is about the worst. Returns the coefficients, that factor and r² on the measurements' scale."""
    from scipy.optimize import linprog

    design = np.array([[shape_cost([1.0], s, [t]) for t in MEMORY_TERMS] for s in shapes], dtype=float)
    scale = np.maximum(design.max(axis=0), 1e-300)
    a = design / scale
    target = np.maximum(y, FLOOR_MB)
    n, k = a.shape

    def bounds_rows(factor: float) -> tuple[np.ndarray, np.ndarray]:
        # estimate <= factor·target everywhere; estimate >= measured/factor where that is above the floor.
        low = y / factor > FLOOR_MB
        rows = np.vstack([a, -a[low]])
        return rows, np.concatenate([factor * target, -(y[low] / factor)])

    def feasible(factor: float) -> bool:
        rows, rhs = bounds_rows(factor)
        return bool(linprog(np.zeros(k), A_ub=rows, b_ub=rhs, bounds=(0, None), method="highs").status == 0)

    lo, hi = 1.0, 2.0
    while not feasible(hi):
        lo, hi = hi, hi * 2
    for _ in range(30):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if feasible(mid) else (mid, hi)
    factor = hi * 1.02
    # Variables: k coefficients, then one relative error per measurement; minimise the errors' sum.
    rows, rhs = bounds_rows(factor)
    rel = a / target[:, None]
    eye = np.eye(n)
    a_ub = np.vstack(
        [
            np.hstack([rows, np.zeros((len(rows), n))]),
            np.hstack([rel, -eye]),
            np.hstack([-rel, -eye]),
        ]
    )
    b_ub = np.concatenate([rhs, y / target, -y / target])
    cost = np.concatenate([np.zeros(k), np.ones(n)])
    solved = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
    coef = solved.x[:k] / scale
    pred = design @ coef
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum((y - pred) ** 2)) / total if total > 0 else 1.0
    worst = max(max(ratio(p, m), 1 / ratio(p, m)) for p, m in zip(pred, y, strict=True))
    return [float(c) for c in coef], worst, r2


def print_peak_ratios(title: str, points: dict[str, list[dict[str, Any]]], key: str = "estimated_peak_mb") -> None:
    """Measured peak MB (median and each run), the estimate and :func:`ratio`, with each synthesizer's worst."""
    print(f"\n{title}")
    head = f"{'synthesizer':<18}{'table':>30}{'rows':>8}{'cols':>6}{'measured MB':>13}{'runs':>15}{'estimate':>10}"
    print(f"{head}{'ratio':>7}")
    for name, rows_ in points.items():
        for p in rows_:
            runs = "/".join(f"{r:.1f}" for r in p["peak_mb_runs"])
            print(
                f"{name:<18}{p['table']:>30}{p['shape']['rows']:>8,}{p['shape']['columns']:>6}{p['peak_mb']:>13.1f}"
                f"{runs:>15}{p[key]:>10.1f}{ratio(p[key], p['peak_mb']):>7.2f}"
            )
        worst = max((ratio(p[key], p["peak_mb"]) for p in rows_), key=lambda r: max(r, 1 / r), default=1.0)
        print(f"{name:<18}{'worst ratio':>30}{'':>52}{worst:>7.2f}")


def calibrate_memory(
    names: list[str], groups: dict[str, tuple[str, ...]], package: Path, raw: Path, *, refit: bool, dry_run: bool
) -> int:
    """Measure every point of ``groups`` (or, with ``refit``, read them from ``raw``), fit each synthesizer's peak
    model, print estimate ÷ measured for the estimate shipped before session 20 and the new one, and write the
    coefficients (``peak_mb``, ``peak_terms``; the seconds stay) to ``package`` and the measurements to ``raw``."""
    import platform
    import time

    existing = json.loads(package.read_text()) if package.exists() else {"synthesizers": {}}
    if refit:
        stored = json.loads(raw.read_text())
    else:
        started, load = time.strftime("%Y-%m-%d %H:%M"), round(os.getloadavg()[0], 2)
        done = json.loads(raw.read_text()) if raw.exists() else None  # resume a stopped run
        stored = measure_peaks(names, groups, raw, done)
        stored["machine"] = stored.get("machine") or {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "started": started,
            "date": time.strftime("%Y-%m-%d %H:%M"),
            "load_average_at_start": load,
            "load_average_at_end": round(os.getloadavg()[0], 2),
            "method": "growth of VmHWM over VmRSS during one fit, after a warm-up, gc and malloc_trim; a fresh "
            f"process per measurement, {REPEATS} per point, median; one thread",
        }
    table = existing.setdefault("synthesizers", {})
    for group in ("runs", "checks"):
        for name, points in stored.setdefault(group, {}).items():
            old = table.get(name, {})
            for p in points:
                # The estimate shipped before session 20 (the fit time's terms), kept from the first measurement.
                if "session19_peak_mb" not in p and old:
                    p["session19_peak_mb"] = shape_cost(old["peak_mb"], FitShape(**p["shape"]), old.get("terms"))
    for name in names:
        runs = stored["runs"][name]
        shapes = [FitShape(**p["shape"]) for p in runs]
        coef, factor, r2 = fit_peak_model(shapes, np.array([p["peak_mb"] for p in runs]))
        entry = table.setdefault(name, {})
        entry.update({"peak_terms": [list(t) for t in MEMORY_TERMS], "peak_mb": coef, "r2_peak_mb": round(r2, 3)})
        entry["peak_factor"] = round(factor, 3)
        for p in [*runs, *stored["checks"].get(name, [])]:
            p["estimated_peak_mb"] = shape_cost(coef, FitShape(**p["shape"]), MEMORY_TERMS)
        print(f"{name}: peak MB r² {r2:.3f}, worst factor on the fitted tables {factor:.2f}")
    subset = {g: {n: stored[g].get(n, []) for n in names} for g in ("runs", "checks")}
    for group, title in (("runs", "fitted tables"), ("checks", "tables the fit never saw")):
        if all("session19_peak_mb" in p for ps in subset[group].values() for p in ps):
            print_peak_ratios(
                f"{title}, estimate before session 20 (peak MB; ratio ≥ 1 MB each):", subset[group], "session19_peak_mb"
            )
        print_peak_ratios(f"{title}, new estimate:", subset[group])
    existing["peak_model"] = (
        "peak_mb = sum of coefficient * the same powers over peak_terms: growth of resident memory during one fit "
        "(benchmarks/fit_memory.py)"
    )
    if dry_run:
        return 0
    package.write_text(json.dumps(existing, indent=2) + "\n")
    raw.write_text(json.dumps(stored, indent=2) + "\n")
    print(f"wrote {package.relative_to(ROOT)} and {raw.relative_to(ROOT)}")
    return 0
