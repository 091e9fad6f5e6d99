"""Fit time of the CART family on a wide table, with the trees grown one at a time and side by side.

A sequential model's fit grows one tree per column, each reading every column before it, so its cost grows with
the square of the width. The table is generated (seeded): ``--rows`` rows of ``--numbers`` numbers driven by five
shared factors (each a noisy mix of them, 3 decimals) and a quarter as many six-valued categories. Each
synthesizer is fitted at every thread count of ``--threads`` (``SYNTH_FIT_THREADS``, set per fit), in a fresh
child process so no run warms another's caches; the rows a fit gives are hashed to show they do not depend on the
threads::

    .venv/bin/python -m benchmarks.bench_fit_threads                      # 10,000 rows × 75 columns, 1 and 2 threads
    .venv/bin/python -m benchmarks.bench_fit_threads --rows 50000 --numbers 40 --threads 1 2 4

Writes ``results/fit_threads.json``. Read the seconds with the machine's load in mind (printed).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.common import ROOT, machine, run_json_child, wide_table, write_results


def child(name: str, rows: int, numbers: int, params: dict[str, Any]) -> dict[str, Any]:
    """One fit in this process: seconds, and a hash of 2,000 sampled rows."""
    import hashlib

    import pandas as pd

    import synth

    table = wide_table(rows, numbers)
    start = time.perf_counter()
    model = synth.create(name, random_state=0, **params).fit(table)
    fit_s = time.perf_counter() - start
    sample = model.sample(2000, seed=1)
    digest = hashlib.sha256(pd.util.hash_pandas_object(sample, index=False).values.tobytes()).hexdigest()[:16]
    return {"fit_s": fit_s, "rows_hash": digest}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--numbers", type=int, default=60, help="numeric columns (plus a quarter as many categories)")
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fit_threads.json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        spec = json.loads(args.child)
        print(json.dumps(child(spec["name"], spec["rows"], spec["numbers"], spec["params"])))
        return 0
    runs = [("cart", {}), ("pruned_cart", {"refine": False}), ("pruned_cart", {})]
    columns = args.numbers + args.numbers // 4
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(f"{args.rows:,} rows × {columns} columns; load average {load}; {os.cpu_count()} CPUs")
    print(f"{'synthesizer':<28}{'threads':>8}{'fit s':>9}  rows hash")
    results = []
    for name, params in runs:
        label = name + (" (" + ", ".join(f"{k}={v}" for k, v in params.items()) + ")" if params else "")
        for threads in args.threads:
            spec = json.dumps({"name": name, "rows": args.rows, "numbers": args.numbers, "params": params})
            os.environ["SYNTH_FIT_THREADS"] = str(threads)
            got = run_json_child(
                [sys.executable, "-m", "benchmarks.bench_fit_threads", "--child", spec], f"{label} at {threads} threads"
            )
            results.append({"synthesizer": label, "threads": threads, **got})
            print(f"{label:<28}{threads:>8}{got['fit_s']:>9.1f}  {got['rows_hash']}", flush=True)
    payload = {
        "benchmark": "fit seconds of the CART family on a generated wide table, trees one at a time and side by side",
        "rows": args.rows,
        "columns": columns,
        "machine": machine(),
        "results": results,
    }
    write_results(args.out, payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
