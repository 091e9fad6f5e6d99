"""Thread stress: a race, the WP216 attacks and the distance-based privacy check looping side by side in one
process, the mix under which a test worker and the dashboard once died with a segmentation fault.

Three Python threads loop until the time is up, on the first ``--rows`` rows of the published Adult split
(``shared/datasets/adult-peers``: adult_trn as train, adult_val as holdout, synthpop's output as the synthetic
table), with the dashboard's defaults:

* ``race``: ``synth.race(train, holdout, [pruned_cart, gaussian_copula])``;
* ``attacks``: ``evaluate_attacks(train, synthetic, holdout=holdout, schema=schema)``;
* ``privacy``: ``synth.evaluate_privacy(train, synthetic, holdout=holdout, schema=schema)``.

Before the fix (the race started and stopped :mod:`tracemalloc` around each fit, see ``synth/report/memory.py``)
this crashed with SIGSEGV at 3,000 rows after 1.6 minutes (the code just before the fix:
``results/stress_threads_before_fix.json``; an earlier version of the code crashed the same way after 26 s); at 6,000
rows one 15-minute run happened to stay clean, so 3,000 (more races a minute, so more tracemalloc stops) is the
default.

The loops run in a child process with ``faulthandler`` on, so a crash is reported (exit code, signal, the Python
stacks of every thread, how long it ran) instead of taking this script down. Prints a table and writes
``benchmarks/results/stress_threads.json``.

Usage (under ``nice``, it keeps both cores busy)::

    nice -n 15 .venv/bin/python -m benchmarks.stress_threads --minutes 15
    nice -n 15 .venv/bin/python -m benchmarks.stress_threads --minutes 3 --rows 6000 --out /tmp/s.json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "datasets" / "adult-peers"
RESULTS = ROOT / "benchmarks" / "results" / "stress_threads.json"
LOOPS = ("race", "attacks", "privacy")


def child(minutes: float, rows: int, peers: Path) -> int:
    """The loops themselves; one JSON line per finished iteration, a last one when time is up."""
    import faulthandler

    faulthandler.enable(all_threads=True)
    import pandas as pd

    import synth
    from synth import Contender
    from synth.evaluation.privacy.attacks import evaluate_attacks

    train = pd.read_csv(peers / "adult_trn.csv.gz").head(rows)
    holdout = pd.read_csv(peers / "adult_val.csv.gz").head(rows)
    synthetic = pd.read_csv(peers / "adult_synthpop.csv.gz").head(rows)
    schema = synth.infer_schema(train)
    work = {
        "race": lambda: synth.race(train, holdout, [Contender("pruned_cart"), Contender("gaussian_copula")]),
        "attacks": lambda: evaluate_attacks(train, synthetic, holdout=holdout, schema=schema),
        "privacy": lambda: synth.evaluate_privacy(train, synthetic, holdout=holdout, schema=schema),
    }
    counts = dict.fromkeys(LOOPS, 0)
    errors = dict.fromkeys(LOOPS, 0)
    lock = threading.Lock()
    start = time.perf_counter()
    stop = start + minutes * 60

    def loop(name: str) -> None:
        while time.perf_counter() < stop:
            try:
                work[name]()
            except Exception:  # a Python error is counted and shown, the loop goes on
                traceback.print_exc()
                errors[name] += 1
            with lock:
                counts[name] += 1
                line = {"t": round(time.perf_counter() - start, 1), "counts": counts, "errors": errors}
                print(json.dumps(line), flush=True)

    threads = [threading.Thread(target=loop, args=(name,), name=name, daemon=True) for name in LOOPS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(json.dumps({"t": round(time.perf_counter() - start, 1), "counts": counts, "errors": errors, "done": True}))
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=15.0)
    parser.add_argument("--rows", type=int, default=3000)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--peers", type=Path, default=PEERS, help="folder of the adult-peers CSVs")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child(args.minutes, args.rows, args.peers)

    cmd = [sys.executable, "-m", "benchmarks.stress_threads", "--child", "--minutes", str(args.minutes)]
    cmd += ["--rows", str(args.rows), "--peers", str(args.peers)]
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, check=False)
    wall = time.perf_counter() - t0
    last: dict[str, Any] = {"t": 0.0, "counts": dict.fromkeys(LOOPS, 0), "errors": dict.fromkeys(LOOPS, 0)}
    for line in proc.stdout.splitlines():
        if line.startswith("{"):
            last = json.loads(line)
    rc = proc.returncode
    crashed = rc < 0
    fatal = proc.stderr[proc.stderr.find("Fatal Python error") :] if "Fatal Python error" in proc.stderr else ""
    out = {
        "rows": args.rows,
        "minutes_asked": args.minutes,
        "wall_s": round(wall, 1),
        "returncode": rc,
        "signal": signal.Signals(-rc).name if crashed else None,
        "clean": rc == 0 and bool(last.get("done")),
        "last_progress_s": last["t"],
        "iterations": last["counts"],
        "python_errors": last["errors"],
        "fatal_error": fatal[:6000],
        "load_1min_at_start": round(load, 2),
        "python": platform.python_version(),
        "versions": _versions(),
    }
    print(f"{'loop':10} {'iterations':>10} {'errors':>7}")
    for name in LOOPS:
        print(f"{name:10} {last['counts'][name]:>10} {last['errors'][name]:>7}")
    verdict = "clean" if out["clean"] else f"FAILED rc={rc} {out['signal'] or ''}".strip()
    print(f"{args.rows:,} rows, {wall / 60:.1f} min wall (asked {args.minutes:g}), {verdict}")
    if not out["clean"]:
        print(proc.stderr[-4000:], file=sys.stderr)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2))
    return 0 if out["clean"] else 1


def _versions() -> dict[str, str]:
    import numpy
    import pandas
    import scipy
    import sklearn
    import threadpoolctl

    info = threadpoolctl.threadpool_info()
    blas = [f"{i['prefix']} {i['version']} ({i.get('threading_layer')})" for i in info if i["user_api"] == "blas"]
    return {
        "numpy": numpy.__version__,
        "pandas": pandas.__version__,
        "scipy": scipy.__version__,
        "scikit-learn": sklearn.__version__,
        "blas": "; ".join(blas),
    }


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
