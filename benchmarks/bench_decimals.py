"""Are CART's synthetic numbers written at the real columns' decimals, without bringing rare real values back?

For each browser-walk table (:mod:`benchmarks.walk_tables`: shop orders, clinic, hr, survey; ``--shared`` adds UCI
Adult and California housing from the shared datasets), written as CSV and read back as a user's upload is, split
80/20 with seed 0: fit CART at its defaults and sample a train-sized table with seed 1 twice from the same model,
before (band-by-band rounding off: a column refused its decimals keeps its draws' whole precision) and after
(:mod:`synth.synthesizers.band_decimals`). Per numeric column with recorded decimals it prints the share of synthetic
values with more decimals than any real value of the column (:func:`synth.sampling.unrounded.finer_columns`), the
most places such a value has ("many": more than 6), the distinct values in train and in the sample, and the
rare-value excess (:func:`synth.evaluate_rare_values`: train-only values drawn back minus holdout-only ones); per
table the fit and sampling times and the pooled excess.

Measured (session 26): the finer columns keep 1 or 2 extra places instead of 15-17 (shop total 3-4 places where
real ones have 2, survey weight 5-6 for 4, office coordinates 6-7 for 5, California's median income 5-6 for 4),
with distinct counts and rare-value excesses as before. The share of finer values barely moves (shop total 99.9% to
96.2%): a band's grid values per pooled row are the column's local spacing of real values in grid steps, whatever
the band's size, and where real values crowd within a few cents of each other a draw rounded to cents lands on one.

Usage::

    .venv/bin/python -m benchmarks.bench_decimals               # writes benchmarks/results/decimals.json
    .venv/bin/python -m benchmarks.bench_decimals --shared --out /tmp/decimals.json
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
CALIFORNIA = ROOT.parent / "shared" / "datasets" / "california_housing.csv"


def _tables(shared: bool) -> dict[str, Any]:
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
    if shared:
        tables["adult"] = load_adult()
        if CALIFORNIA.exists():
            tables["california_housing"] = synth.read_table(CALIFORNIA)
    return tables


def _scored(train: Any, holdout: Any, syn: Any, schema: Any, sample_s: float) -> dict[str, Any]:
    """One sample's figures: per numeric column with recorded decimals, the finer share, the most places, the
    distinct values and the rare-value excess; the pooled excess and the sampling time."""
    import numpy as np

    import synth
    from synth.sampling.unrounded import finer_columns
    from synth.schema.conformance import read_numbers

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
        "sample_s": sample_s,
        "pooled_excess": rare.pooled_excess,
        "pooled_low": rare.pooled_low,
        "pooled_high": rare.pooled_high,
        "columns": columns,
    }


def measure(name: str, df: Any) -> dict[str, Any]:
    """One table: CART fitted once, sampled as it is ("after") and with its band-by-band rounding switched off
    ("before": the draws of a column refused its decimals kept their whole precision, as before session 26)."""
    import synth

    train, holdout = synth.split(df, holdout=0.2, seed=0)
    schema = synth.infer_schema(train)
    start = time.perf_counter()
    model = synth.create("cart", random_state=0).fit(train, schema)
    fit_s = time.perf_counter() - start
    out: dict[str, Any] = {"table": name, "rows": len(train), "fit_s": fit_s}
    rounded = model.band_decimals_
    for label, places in (("before", ()), ("after", rounded)):
        model.band_decimals_ = places
        start = time.perf_counter()
        syn = model.sample(len(train), seed=1)
        out[label] = _scored(train, holdout, syn, schema, time.perf_counter() - start)
    model.band_decimals_ = rounded
    return out


def _print(result: dict[str, Any]) -> None:
    before, after = result["before"], result["after"]
    print(
        f"\n{result['table']}: {result['rows']:,} training rows, fit {result['fit_s']:.1f} s, sample "
        f"{before['sample_s']:.2f} s before / {after['sample_s']:.2f} s after; pooled rare-value excess "
        f"{before['pooled_excess']:+.4f} before, {after['pooled_excess']:+.4f} after "
        f"({after['pooled_low']:+.4f} to {after['pooled_high']:+.4f})"
    )
    head = f"{'recorded':>9}{'finer':>15}{'places':>12}{'distinct real':>15}{'synthetic':>14}{'excess':>18}"
    print(f"  {'column':<16}{head}")
    print(f"  {'':<16}{'':>9}{'before  after':>15}{'bef. after':>12}{'':>15}{'bef.  after':>14}{'before   after':>18}")

    def places(c: dict[str, Any]) -> str:
        return "-" if c["finer_share"] == 0 else ("many" if c["most_places"] is None else str(c["most_places"]))

    def excess(c: dict[str, Any]) -> str:
        return "-" if c["excess"] is None else f"{c['excess']:+.4f}"

    for b, a in zip(before["columns"], after["columns"], strict=True):
        print(
            f"  {a['column']:<16}{a['recorded']:>9}{b['finer_share']:>8.1%}{a['finer_share']:>7.1%}"
            f"{places(b):>6}{places(a):>6}{a['distinct_real']:>15,}{b['distinct_synthetic']:>7,}"
            f"{a['distinct_synthetic']:>7,}{excess(b):>9}{excess(a):>9}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", action="store_true", help="also UCI Adult and California housing")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = []
    for name, df in _tables(args.shared).items():
        result = measure(name, df)
        _print(result)
        results.append(result)
    write_results(args.out, {"commit": tree_commit(ROOT), "machine": machine(), "tables": results})


if __name__ == "__main__":
    main()
