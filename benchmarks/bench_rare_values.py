"""Rare-value membership test on shared tables: does any synthesizer reproduce values one training person had?

For each table (UCI Adult and California housing; ``--quick``: Adult only), split 80/20 with seed 0, fit every
registered synthesizer at its defaults plus the two leaky references (a copy of train; CART with
``min_samples_leaf=1, smooth_below=0``), sample a train-sized table with seed 1, and run
:func:`synth.evaluate_rare_values`: the share of train-only values (seen once in train, never in the holdout)
reproduced, against the share of holdout-only values, pooled over columns with the 95% interval, and the
columns flagged (interval above 0 after a Bonferroni widening). Also times the test itself.

Usage::

    .venv/bin/python -m benchmarks.bench_rare_values            # writes benchmarks/results/rare_values.json
    .venv/bin/python -m benchmarks.bench_rare_values --quick
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import load_adult  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "rare_values.json"
CALIFORNIA = ROOT.parent / "shared" / "datasets" / "california_housing.csv"
LEAKY = {"min_samples_leaf": 1, "smooth_below": 0}


def _tables(quick: bool) -> dict[str, Any]:
    import synth

    tables = {"adult": load_adult()}
    if not quick and CALIFORNIA.exists():
        tables["california_housing"] = synth.read_table(CALIFORNIA)
    return tables


def run(quick: bool) -> dict[str, Any]:
    import synth

    rows: list[dict[str, Any]] = []
    for table, df in _tables(quick).items():
        train, holdout = synth.split(df, holdout=0.2, seed=0)
        schema = synth.infer_schema(train)
        configs: list[tuple[str, str | None, dict[str, Any]]] = [("copy of train", None, {})]
        configs += [(name, name, {}) for name in synth.available()]
        configs.append(("cart leaf=1 smooth=0", "cart", LEAKY))
        for label, name, params in configs:
            if name is None:
                syn = train.reset_index(drop=True)
            else:
                syn = synth.create(name, **params).fit(train, schema).sample(len(train), seed=1)
            start = time.perf_counter()
            result = synth.evaluate_rare_values(train, syn, holdout, schema=schema)
            seconds = time.perf_counter() - start
            rows.append(
                {
                    "table": table,
                    "synthesizer": label,
                    "pooled_excess": result.pooled_excess,
                    "ci": [result.pooled_low, result.pooled_high],
                    "flagged": [c.column for c in result.flagged],
                    "train_values_copied": result.train_values_copied,
                    "seconds": seconds,
                }
            )
            r = rows[-1]
            print(
                f"{table:<20} {label:<22} excess {r['pooled_excess']:+7.2%}  95% CI {r['ci'][0]:+7.2%} … "
                f"{r['ci'][1]:+7.2%}  flagged: {', '.join(r['flagged']) or '-':<30} ({seconds:.2f} s)",
                flush=True,
            )
    return {"machine": platform.platform(), "quick": quick, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    out = run(args.quick)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2))
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
