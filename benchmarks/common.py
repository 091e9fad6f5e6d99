"""What several benchmarks share: the Adult table, running a measurement in a fresh child process, and the German
surnames the generated tables draw from."""

from __future__ import annotations

import gzip
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

#: Common German surnames, in the order the seeded hr and ledger tables draw them (their draws depend on it).
GERMAN_SURNAMES = [
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
]

ROOT = Path(__file__).resolve().parent.parent
ADULT = ROOT.parent / "shared" / "datasets" / "adult.csv"
DEMO = ROOT / "assets" / "adult.csv.gz"


def load_adult() -> pd.DataFrame:
    """UCI Adult from shared/datasets, or the copy bundled as the demo when shared/ is not beside the repo."""
    import synth

    if ADULT.exists():
        return synth.read_table(ADULT)
    return synth.read_table(gzip.decompress(DEMO.read_bytes()), name="adult.csv")


def run_json_child(argv: list[str], what: str, tail: int = 3000) -> dict[str, Any]:
    """Run ``argv`` from the repository root; its last stdout line is a JSON object, returned as a dict.

    Raises:
        RuntimeError: the child failed; the message names ``what`` and ends with its stderr.
    """
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{proc.stderr[-tail:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def synthesizer_spec(spec: str) -> tuple[str, dict[str, Any]]:
    """``name:key=value,key=value`` → (name, params), each value read as ``synth fit --param`` reads it (JSON, else
    the bare word: ``draws=random``)."""
    from synth.cli.commands import _param

    name, _, pairs = spec.partition(":")
    return name, dict(_param(p) for p in pairs.split(",") if p)


#: One core for a measured fit: CPU time is then what the fit costs, and CART's trees grown side by side would each
#: hold their predictors (calibrate_fit.py, fit_memory.py).
SINGLE_THREAD = {
    "SYNTH_FIT_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
}


def tree_commit(tree: Path) -> str:
    """A source tree's short commit, with ``+changes`` when its ``synth`` folder differs from it."""
    proc = subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(["git", "-C", str(tree), "status", "--porcelain", "--", "synth"], capture_output=True)
    return proc.stdout.strip() + ("+changes" if dirty.stdout.strip() else "")


def machine() -> dict[str, Any]:
    """What the figures were measured on: CPUs, the load average at the end, the time."""
    import os
    import time

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"cpus": os.cpu_count(), "load_average": load, "date": time.strftime("%Y-%m-%d %H:%M")}


def write_results(path: Path, payload: dict[str, Any]) -> None:
    """Write a benchmark's JSON (its folder made if needed) and say where."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(payload, indent=1))
    print(f"wrote {path}")


def wide_table(rows: int, numbers: int, seed: int = 0) -> pd.DataFrame:
    """A generated wide table: ``numbers`` numeric columns driven by five shared factors (every pair correlated)
    and ``numbers // 4`` six-level categories, seeded: for fit costs that grow with width, which Adult's 15 columns
    cannot show."""
    import numpy as np

    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(rows, 5))
    cols = {f"x{i}": (factors @ rng.normal(size=5) + rng.normal(size=rows) * 0.5).round(3) for i in range(numbers)}
    for i in range(numbers // 4):
        cols[f"c{i}"] = rng.choice(list("abcdef"), rows)
    return pd.DataFrame(cols)


def best_of(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The fewest seconds of ``repeats`` calls of ``run`` (the least disturbed by a busy machine), and the last
    result."""
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - start)
    return best, out


#: Source of ``peak_mb()`` for the code a benchmark runs in a child process (``run_json_child``): the child's own
#: resident peak (``VmHWM``; ``ru_maxrss`` would include the parent's peak at fork time on Linux).
CHILD_PEAK_MB = r"""
import resource

def peak_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""
