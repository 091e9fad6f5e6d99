"""Fit CPU seconds of the synthesizers on :mod:`benchmarks.fit_tables` tables, for one or more source trees.

Each table is fitted by each synthesizer in a fresh single-threaded subprocess per tree
(:func:`benchmarks.calibrate_fit.measure`: one core, ``time.process_time``, best of ``--repeats`` fits after a
warm-up fit on 60 rows), the trees alternated table by table and round by round so a shared machine's load falls
on all of them alike; the table printed gives each tree's best CPU seconds over the rounds and, for two trees,
the second's share of the first's. The load average is printed at the start and the end.

Usage::

    .venv/bin/python -m benchmarks.bench_fit_tables                              # this checkout
    .venv/bin/python -m benchmarks.bench_fit_tables --tree /tmp/old --tree .     # before / after, alternated
    .venv/bin/python -m benchmarks.bench_fit_tables --table hr:3000 --only cart pruned_cart
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from benchmarks.calibrate_fit import measure
from benchmarks.common import ROOT, machine, tree_commit, write_results

#: Customer tables with and without the generated columns read value by value (a text key, a text account
#: reference, a phone number), and the messy HR table (text keys, phones).
TABLES = ("customers:24000:1:600", "customers:24000:0:600", "customers:8000:1:20", "hr:3000")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", type=Path, help="a source tree to time (default: this one)")
    parser.add_argument("--table", nargs="*", default=list(TABLES), help="benchmarks.fit_tables specs")
    parser.add_argument("--only", nargs="*", help="synthesizers (default: all registered)")
    parser.add_argument("--repeats", type=int, default=2, help="fits per subprocess (the best counts)")
    parser.add_argument("--rounds", type=int, default=2, help="subprocesses per tree and table (the best counts)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "fit_tables.json")
    args = parser.parse_args(argv)
    import synth

    trees = [t.resolve() for t in (args.tree or [ROOT])]
    names = args.only or synth.available()
    start = machine()
    print(f"load average at the start: {start['load_average']:.2f}")
    best: dict[tuple[str, str, str], float] = {}
    for _ in range(args.rounds):
        for spec in args.table:
            for tree in trees:
                fits = measure(spec, names, args.repeats, root=tree)["fits"]
                for name, fit in fits.items():
                    key = (spec, name, str(tree))
                    best[key] = min(best.get(key, float("inf")), float(fit["seconds"]))
    rows: list[dict[str, Any]] = []
    header = f"{'table':<24}{'synthesizer':<17}" + "".join(f"{f'tree {i + 1} s':>11}" for i in range(len(trees)))
    print(header + (f"{'2 ÷ 1':>8}" if len(trees) == 2 else ""))
    for spec in args.table:
        for name in names:
            seconds = [best[(spec, name, str(t))] for t in trees]
            ratio = seconds[1] / seconds[0] if len(trees) == 2 and seconds[0] > 0 else None
            line = f"{spec:<24}{name:<17}" + "".join(f"{s:>11.3f}" for s in seconds)
            print(line + (f"{ratio:>8.2f}" if ratio is not None else ""))
            rows.append({"table": spec, "synthesizer": name, "cpu_s": dict(zip(map(str, trees), seconds, strict=True))})
    end = machine()
    print(f"load average at the end: {end['load_average']:.2f}")
    for i, tree in enumerate(trees):
        print(f"tree {i + 1}: {tree} ({tree_commit(tree)})")
    payload = {
        "what": "best CPU seconds of a single-threaded fit (benchmarks.calibrate_fit.measure), trees alternated",
        "trees": {str(t): tree_commit(t) for t in trees},
        "repeats": args.repeats,
        "rounds": args.rounds,
        "threads": "one (SYNTH_FIT_THREADS=1, BLAS threads 1)",
        "machine_start": start,
        "machine_end": end,
        "rows": rows,
    }
    write_results(args.out, payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
