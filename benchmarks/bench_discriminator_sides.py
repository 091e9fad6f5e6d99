"""Whose real rows a discriminator faces: the training rows a table was fitted on, or fresh holdout rows.

The dashboard's discriminator (``synth.evaluate_discriminator``: boosted trees, 4,000 rows per class, one 70/30
split) is run twice on each synthetic table: against the training rows (as mostlyai-qa and, before session 15,
this project do) and against the holdout (what the dashboard does now). A table that reproduces its training
sample's noise reads as *harder* to tell from training rows than fresh data is: a bootstrap copy of the training
rows is the extreme case. The real-vs-real reference (train against the holdout) is printed beside them.

Usage::

    .venv/bin/python -m benchmarks.bench_discriminator_sides                 # Adult, published peers and ours
    .venv/bin/python -m benchmarks.bench_discriminator_sides --data california_housing --seeds 0 1 2
    .venv/bin/python -m benchmarks.bench_discriminator_sides --data bank_marketing --fit-seeds 0 2 \
        --runs pruned_cart pruned_cart:refine=false --no-copy
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

PEERS = ("synthpop", "mostly", "tabularargn", "gaussian_copula")
OURS = ("pruned_cart", "cart")


def tables(
    data: str, seed: int, runs: list[str], *, peers: bool = True, copy: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, pd.DataFrame]]:
    """Train, holdout and the synthetic tables to score: the published peers' outputs (Adult only), ours (each of
    ``runs``, "name" or "name:key=value,…") fitted with ``random_state=seed`` and sampled with ``seed + 1``, and a
    bootstrap copy of the training rows."""
    import synth
    from benchmarks.bench_frontier import PEERS_DIR, load
    from benchmarks.common import synthesizer_spec

    trn, val, _ = load(data)
    schema = synth.infer_schema(trn)
    out: dict[str, pd.DataFrame] = {}
    if data == "adult" and peers:
        for peer in PEERS:
            path = PEERS_DIR / f"adult_{peer}.csv.gz"
            if path.exists():
                out[f"{peer} (published output)"] = pd.read_csv(path)[list(trn.columns)]
    for spec in runs:
        name, params = synthesizer_spec(spec)
        model = synth.create(name, random_state=seed, **params)
        model.fit(trn, schema)
        out[f"ours: {spec} (fit seed {seed})"] = model.sample(len(trn), seed=seed + 1)
    if copy:
        out["a copy of train (bootstrap)"] = trn.sample(len(trn), replace=True, random_state=seed).reset_index(
            drop=True
        )
    return trn, val, out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    import synth
    from synth.evaluation.fidelity.discriminator import evaluate_discriminator

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="adult", help="adult (MOSTLY AI's split) or a shared dataset's name")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="discriminator seeds")
    parser.add_argument("--fit-seeds", type=int, nargs="+", default=[0], help="fit seeds of our synthesizers")
    parser.add_argument("--runs", nargs="+", default=list(OURS), help="our synthesizers: name or name:key=value,…")
    parser.add_argument("--no-copy", action="store_true", help="leave out the bootstrap copy of train")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "discriminator_sides.json")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    synthetic: dict[str, pd.DataFrame] = {}
    for i, fit_seed in enumerate(args.fit_seeds):
        trn, val, more = tables(args.data, fit_seed, args.runs, peers=i == 0, copy=i == 0 and not args.no_copy)
        synthetic.update(more)
    schema = synth.infer_schema(trn)
    rows = []
    print(f"{'table':32s} {'vs train':>9s} {'vs holdout':>11s} {'reference':>10s}   (means over seeds {args.seeds})")
    for name, syn in synthetic.items():
        against_train = [evaluate_discriminator(trn, syn, schema=schema, seed=s).auc for s in args.seeds]
        fresh = [evaluate_discriminator(trn, syn, holdout=val, schema=schema, seed=s) for s in args.seeds]
        row = {
            "table": name,
            "auc_vs_train": against_train,
            "auc_vs_holdout": [r.auc for r in fresh],
            "reference": [r.reference_auc for r in fresh],
            "rows_per_class": fresh[0].n_per_class,
        }
        rows.append(row)
        print(
            f"{name:32s} {np.mean(against_train):9.3f} {np.mean(row['auc_vs_holdout']):11.3f} "
            f"{np.mean([r for r in row['reference'] if r is not None]):10.3f}",
            flush=True,
        )
    result = {
        "data": args.data,
        "seeds": args.seeds,
        "fit_seeds": args.fit_seeds,
        "runs": args.runs,
        "rows": rows,
        "seconds": time.perf_counter() - started,
        "load_average": os.getloadavg()[0],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(f"wrote {args.out}")
    return result


if __name__ == "__main__":
    main()
