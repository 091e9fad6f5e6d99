"""Are CART's synthetic numbers written at the real columns' decimals, without bringing rare real values back?

For each browser-walk table (:mod:`benchmarks.walk_tables`: shop orders, clinic, hr, survey; ``--adult`` adds UCI
Adult), written as CSV and read back as a user's upload is, split 80/20 with seed 0: fit CART at its defaults,
sample a train-sized table with seed 1, and per numeric column with recorded decimals print the share of synthetic
values with more decimals than any real value of the column (:func:`synth.sampling.unrounded.finer_columns`), the
most places such a value has, the distinct values in train and in the sample, and the rare-value excess
(:func:`synth.evaluate_rare_values`: train-only values drawn back minus holdout-only ones, with its interval); per
table the fit time and the pooled excess.

Usage::

    .venv/bin/python -m benchmarks.bench_decimals               # writes benchmarks/results/decimals.json
    .venv/bin/python -m benchmarks.bench_decimals --adult --out /tmp/before.json
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks import walk_tables  # noqa: E402
from benchmarks.common import load_adult, machine, tree_commit, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "decimals.json"


def _tables(adult: bool) -> dict[str, Any]:
    """Each walk table as the walk uploaded it: written as CSV and read back (text money stays text)."""
    import synth

    made = {"orders": walk_tables.shop_orders(), "clinic": walk_tables.clinic(), "hr": walk_tables.hr()}
    made["survey"] = walk_tables.survey()
    tables = {}
    with tempfile.TemporaryDirectory() as folder:
        for name, frame in made.items():
            path = Path(folder) / f"{name}.csv"
            frame.to_csv(path, index=False)
            tables[name] = synth.read_table(path)
    if adult:
        tables["adult"] = load_adult()
    return tables


def measure(name: str, df: Any) -> dict[str, Any]:
    import numpy as np

    import synth
    from synth.sampling.unrounded import finer_columns
    from synth.schema.conformance import read_numbers

    train, holdout = synth.split(df, holdout=0.2, seed=0)
    schema = synth.infer_schema(train)
    start = time.perf_counter()
    model = synth.create("cart", random_state=0).fit(train, schema)
    fit_s = time.perf_counter() - start
    syn = model.sample(len(train), seed=1)
    finer = {c.column: c for c in finer_columns(syn, schema)}
    rare = synth.evaluate_rare_values(train, syn, holdout, schema=schema)
    excess = {c.column: c for c in rare.columns}
    columns = []
    for spec in schema:
        if spec.decimals is None or not spec.kind.is_numeric or spec.name not in syn.columns:
            continue
        real = read_numbers(train[spec.name], spec).dropna()
        fake = read_numbers(syn[spec.name], spec).dropna()
        f, e = finer.get(spec.name), excess.get(spec.name)
        columns.append(
            {
                "column": spec.name,
                "recorded": spec.decimals,
                "finer_share": 0.0 if f is None else f.share,
                "most_places": None if f is None else f.most_places,
                "distinct_real": int(real.nunique()),
                "distinct_synthetic": int(np.unique(fake.to_numpy(dtype=float)).size),
                "excess": None if e is None else e.excess,
                "excess_low": None if e is None else e.low,
                "excess_high": None if e is None else e.high,
            }
        )
    return {
        "table": name,
        "rows": len(train),
        "fit_s": fit_s,
        "pooled_excess": rare.pooled_excess,
        "pooled_low": rare.pooled_low,
        "pooled_high": rare.pooled_high,
        "columns": columns,
    }


def _print(result: dict[str, Any]) -> None:
    print(
        f"\n{result['table']}: {result['rows']:,} training rows, fit {result['fit_s']:.1f} s, pooled rare-value excess "
        f"{result['pooled_excess']:+.4f} ({result['pooled_low']:+.4f} to {result['pooled_high']:+.4f})"
    )
    head = f"{'recorded':>9}{'finer':>8}{'places':>8}{'distinct real':>15}{'synthetic':>11}{'excess':>9}"
    print(f"  {'column':<22}{head}")
    for c in result["columns"]:
        places = "-" if c["finer_share"] == 0 else ("many" if c["most_places"] is None else str(c["most_places"]))
        excess = "-" if c["excess"] is None else f"{c['excess']:+.4f}"
        print(
            f"  {c['column']:<22}{c['recorded']:>9}{c['finer_share']:>8.1%}{places:>8}{c['distinct_real']:>15,}"
            f"{c['distinct_synthetic']:>11,}{excess:>9}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adult", action="store_true", help="also UCI Adult")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = []
    for name, df in _tables(args.adult).items():
        result = measure(name, df)
        _print(result)
        results.append(result)
    write_results(args.out, {"commit": tree_commit(ROOT), "machine": machine(), "tables": results})


if __name__ == "__main__":
    main()
