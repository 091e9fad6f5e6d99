"""The DP network's ranges with and without growing into the grid cells next to a kept run, on seven tables.

A number's or date's DP range keeps the public grid's cells whose noisy count passes a threshold set for a false
cell anywhere on the grid; since session 39 the kept run also grows into next cells whose count passes a
neighbour's lower threshold (``synth.synthesizers.dp.ranges.EXTEND_FALSE_RATE``; post-processing, no ε spent). Per
table, ε and fit seed, the same fit is made with the extension off (``EXTEND_FALSE_RATE = 0``, as before) and on,
each sampled with seed 1 and scored by univariate and bivariate accuracy against the holdout (80/20 split, seed 0).

Tables (seeded): the walk's clinic, HR and shop orders (``benchmarks.walk_tables``), and 8,000-row samples
(``random_state=0``) of Bank Marketing, Bike Sharing, California Housing and Adult from ``../shared/datasets``.
The DP noise comes from fresh OS entropy, not the fit seed, so figures move between runs (use more seeds). No
timing.

Usage::

    .venv/bin/python -m benchmarks.bench_dp_neighbours              # 3 seeds, ε 1 and 3 (results/dp_neighbours.json)
    .venv/bin/python -m benchmarks.bench_dp_neighbours --seeds 1 --epsilons 1 --tables clinic
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import warnings  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import machine, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "dp_neighbours.json"
DATASETS = ROOT.parent / "shared" / "datasets"
SHARED = {
    "bank": "bank_marketing.csv",
    "bike": "bike_sharing_hourly.csv",
    "california": "california_housing.csv",
    "adult": "adult.csv",
}
TABLES = ("clinic", "hr", "orders", *SHARED)


def table(name: str) -> pd.DataFrame:
    from benchmarks import walk_tables

    if name in SHARED:
        frame = pd.read_csv(DATASETS / SHARED[name])
        return frame.sample(min(len(frame), 8_000), random_state=0).reset_index(drop=True)
    return {"clinic": walk_tables.clinic, "hr": walk_tables.hr, "orders": walk_tables.shop_orders}[name]()


def run(train: pd.DataFrame, holdout: pd.DataFrame, epsilon: float, seed: int, grow: bool) -> dict[str, Any]:
    import synth
    import synth.synthesizers.dp.ranges as ranges

    saved = ranges.EXTEND_FALSE_RATE
    ranges.EXTEND_FALSE_RATE = saved if grow else 0.0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = synth.create("privbayes", epsilon=epsilon, random_state=seed).fit(train)
    finally:
        ranges.EXTEND_FALSE_RATE = saved
    synthetic = model.sample(len(train), seed=1)
    acc = synth.evaluate_accuracy(train, synthetic, holdout=holdout)
    return {"univariate": round(acc.univariate.value, 4), "bivariate": round(acc.bivariate.value, 4)}


def main(argv: list[str] | None = None) -> int:
    import synth

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epsilons", type=float, nargs="+", default=[1.0, 3.0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=TABLES)
    args = parser.parse_args(argv)
    rows = []
    print(f"{'table':<11} {'ε':>4} {'1-way before':>12} {'after':>6} {'2-way before':>12} {'after':>6}")
    for name in args.tables:
        train, holdout = synth.split(table(name), holdout=0.2, seed=0)
        for epsilon in args.epsilons:
            runs = {
                grow: [run(train, holdout, epsilon, seed, grow) for seed in range(args.seeds)] for grow in (False, True)
            }
            row = {
                "table": name,
                "rows": len(train),
                "epsilon": epsilon,
                **{
                    f"{score}_{'after' if grow else 'before'}": round(float(np.mean([r[score] for r in runs[grow]])), 4)
                    for grow in (False, True)
                    for score in ("univariate", "bivariate")
                },
                "runs": {"before": runs[False], "after": runs[True]},
            }
            rows.append(row)
            print(
                f"{name:<11} {epsilon:>4g} {row['univariate_before']:>12.3f} {row['univariate_after']:>6.3f} "
                f"{row['bivariate_before']:>12.3f} {row['bivariate_after']:>6.3f}",
                flush=True,
            )
    write_results(RESULTS, {"machine": machine(), "seeds": args.seeds, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
