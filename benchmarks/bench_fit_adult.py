"""Fit seconds of a synthesizer on Adult's training split, for one or more source trees (a regression hunt).

bench_synthesizers' fit (``synth.split(seed=0)``'s 80 %, every column) in a fresh child process per tree and
round, the trees alternated so a shared machine's load falls on all of them alike; each child fits ``--repeats``
times. The table gives each tree's best CPU seconds (``time.process_time``: what the fit costs, much less
dependent on what else the machine runs) and best wall seconds over all its fits, with the load average at the
start and the end. The child uses only what every tree since session 5 has (``read_table``, ``split``,
``infer_schema``, ``create``), so old commits checked out elsewhere can be timed against this one. BLAS and
OpenMP threads are 1, as in bench_synthesizers; ``--fit-threads`` sets ``SYNTH_FIT_THREADS`` (default: unset).

Usage::

    .venv/bin/python -m benchmarks.bench_fit_adult --tree /tmp/old --tree .
    .venv/bin/python -m benchmarks.bench_fit_adult --tree . --name cart --rounds 5 --fit-threads 1
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, machine, tree_commit, write_results

_CHILD = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import synth
name, repeats = sys.argv[2], int(sys.argv[3])
df = synth.read_table(os.path.join(sys.argv[4], "assets", "adult.csv.gz"))
train, holdout = synth.split(df, holdout=0.2, seed=0)
schema = synth.infer_schema(df)
cpu, wall = [], []
for _ in range(repeats):
    c, w = time.process_time(), time.perf_counter()
    synth.create(name, random_state=0).fit(train, schema)
    cpu.append(time.process_time() - c)
    wall.append(time.perf_counter() - w)
print(json.dumps({"cpu": cpu, "wall": wall}))
"""

_THREADS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


def fits(tree: Path, name: str, repeats: int, fit_threads: str | None) -> dict[str, list[float]]:
    """CPU and wall seconds of ``repeats`` fits in one fresh child importing ``tree``'s synth."""
    env = {k: v for k, v in os.environ.items() if k != "SYNTH_FIT_THREADS"} | dict.fromkeys(_THREADS, "1")
    if fit_threads is not None:
        env["SYNTH_FIT_THREADS"] = fit_threads
    argv = [sys.executable, "-c", _CHILD, str(tree), name, str(repeats), str(ROOT)]
    proc = subprocess.run(argv, capture_output=True, text=True, check=False, cwd="/tmp", env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"the fit in {tree} failed:\n{proc.stderr[-2000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, help="a source tree to time (default: this one)")
    parser.add_argument("--name", default="pruned_cart", help="the synthesizer (default: pruned_cart)")
    parser.add_argument("--repeats", type=int, default=3, help="fits per child")
    parser.add_argument("--rounds", type=int, default=2, help="children per tree, alternated")
    parser.add_argument("--fit-threads", default=None, help="SYNTH_FIT_THREADS for the children (default: unset)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fit_adult.json")
    args = parser.parse_args(argv)
    trees = [t.resolve() for t in (args.tree or [ROOT])]
    start = machine()
    print(f"load average at the start: {start['load_average']:.2f}")
    runs: dict[str, dict[str, list[float]]] = {str(t): {"cpu": [], "wall": []} for t in trees}
    for _ in range(args.rounds):
        for tree in trees:
            out = fits(tree, args.name, args.repeats, args.fit_threads)
            runs[str(tree)]["cpu"] += out["cpu"]
            runs[str(tree)]["wall"] += out["wall"]
    end = machine()
    rows: list[dict[str, Any]] = []
    print(f"{'tree':<40}{'commit':>9}{'best CPU s':>12}{'best wall s':>13}")
    for tree in trees:
        cpu, wall = min(runs[str(tree)]["cpu"]), min(runs[str(tree)]["wall"])
        rows.append({"tree": str(tree), "commit": tree_commit(tree), "cpu_s": cpu, "wall_s": wall, **runs[str(tree)]})
        print(f"{tree!s:<40}{tree_commit(tree):>9}{cpu:>12.3f}{wall:>13.3f}")
    print(f"load average at the end: {end['load_average']:.2f}")
    payload = {
        "what": f"{args.name} fit on Adult's training split (synth.split seed 0), best of all fits per tree",
        "fit_threads": args.fit_threads,
        "repeats": args.repeats,
        "rounds": args.rounds,
        "machine_start": start,
        "machine_end": end,
        "rows": rows,
    }
    write_results(args.out, payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
