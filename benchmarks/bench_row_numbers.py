"""Row numbers learned as a number or regenerated as a key: what singling out reads on Bike Sharing.

Bike Sharing's ``instant`` numbers its 17,379 rows 1 … 17,379. Shuffled and split at random (``synth.split``,
holdout 0.2, per seed), the training rows hold 13,903 of those numbers out of order: no run, no name a key rule knows,
but too dense to be a measurement, so the schema calls the column an identifier ("numbered rows",
``synth.schema.inference``). Per seed, Pruned CART is fitted on the training rows twice, once with ``instant`` as the
schema infers it and once set to a whole number (what the schema did before session 32), and samples as many rows.
Printed: the share of synthetic ``instant`` values that are real training row numbers, and both singling-out attacks
as the Privacy page runs them (2,000 attacks, 3 columns, seed 0) with the verdict's light. No timing.

Usage::

    .venv/bin/python -m benchmarks.bench_row_numbers            # 3 seeds (results/row_numbers.json)
    .venv/bin/python -m benchmarks.bench_row_numbers --seeds 1
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import machine, write_results  # noqa: E402

BIKE = ROOT.parent / "shared" / "datasets" / "bike_sharing_hourly.csv"
RESULTS = ROOT / "benchmarks" / "results" / "row_numbers.json"
AS = ("inferred", "number")


def run(table: pd.DataFrame, seed: int, how: str) -> dict[str, Any]:
    import synth
    from synth.evaluation.privacy.attacks import evaluate_attacks
    from synth.evaluation.privacy.verdict import Thresholds, _attack_verdict

    shuffled = table.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    train, holdout = synth.split(shuffled, holdout=0.2, seed=seed)
    schema = synth.infer_schema(train)
    if how == "number":
        schema = schema.with_column("instant", kind=synth.ColumnKind.DISCRETE)
    spec = schema["instant"]
    model = synth.create("pruned_cart", random_state=seed).fit(train, schema)
    synthetic = model.sample(len(train), seed=seed)
    real = set(train["instant"].astype("int64"))
    drawn = pd.to_numeric(synthetic["instant"], errors="coerce").dropna().astype("int64")
    report = evaluate_attacks(train, synthetic, holdout=holdout, schema=schema, criteria=("singling_out",))
    results = [r for r in report.results if r.name.startswith("singling_out")]
    light = _attack_verdict("singling_out", "Singling out", results, Thresholds().attack)
    return {
        "seed": seed,
        "instant": how,
        "kind": spec.kind.value,
        "reason": spec.reason,
        "train": len(train),
        "real_row_numbers": round(float(drawn.isin(real).mean()), 4),
        "light": light.level,
        **{
            r.name.removeprefix("singling_out_"): {
                "risk": round(r.risk.value, 4),
                "ci95": [round(r.risk.low, 4), round(r.risk.high, 4)],
            }
            for r in results
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    import synth

    table = synth.read_table(BIKE)
    rows = []
    print(
        f"{'seed':>4} {'instant':<9} {'kind':<11} {'real row numbers':>16} {'univariate':>18} "
        f"{'multivariate':>18} light"
    )
    for seed in range(args.seeds):
        for how in AS:
            row = run(table, seed, how)
            rows.append(row)
            cells = [
                f"{row[m]['risk']:.0%} [{row[m]['ci95'][0]:.0%}, {row[m]['ci95'][1]:.0%}]"
                for m in ("univariate", "multivariate")
            ]
            print(
                f"{seed:>4} {how:<9} {row['kind']:<11} {row['real_row_numbers']:>16.1%} {cells[0]:>18} {cells[1]:>18} "
                f"{row['light']}",
                flush=True,
            )
    for how in AS:
        mine = [r for r in rows if r["instant"] == how]
        print(
            f"mean, instant {how}: real row numbers {np.mean([r['real_row_numbers'] for r in mine]):.1%}, highest "
            f"singling-out risk {np.mean([max(r['univariate']['risk'], r['multivariate']['risk']) for r in mine]):.0%}"
        )
    write_results(RESULTS, {"machine": machine(), "seeds": args.seeds, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
