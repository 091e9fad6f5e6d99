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

Whole numbers recorded to a grain (``--grain``, or after the tables): the hr walk table's ``salary_eur`` (recorded to
100) with CART and Pruned CART, each fitted once and sampled with seed 1 before (a band with no cell point keeps its
draws unrounded, then units: :mod:`synth.synthesizers.grain_cells` before session 26) and after (its finer grid off
the grain). Per model: the share of synthetic salaries off the 100 grid, the grids they are on (tens, units), the
distinct salaries in train and in the sample, and the salaries' rare-value excess.

Measured (session 26, hr): CART 11.8% off the 100 grid before and after, 247 of those at units and 35 at tens before,
all 284 at tens after, none a real salary (distinct 599 → 567 for 772 real; the salaries' rare-value excess the same
sample's, +0.055 both); Pruned CART has no band without a cell point here (0% off the grid either way).

Usage::

    .venv/bin/python -m benchmarks.bench_decimals               # writes benchmarks/results/decimals.json
    .venv/bin/python -m benchmarks.bench_decimals --shared --out /tmp/decimals.json
    .venv/bin/python -m benchmarks.bench_decimals --grain --out /tmp/grain.json   # the hr salaries alone
"""

from __future__ import annotations

import argparse
import contextlib
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


def _tables(shared: bool, only: tuple[str, ...] = ("orders", "clinic", "hr", "survey")) -> dict[str, Any]:
    """Each walk table (``only`` these) as the walk uploaded it: written as CSV and read back (text money stays
    text)."""
    import synth

    makers = {"orders": walk_tables.shop_orders, "clinic": walk_tables.clinic, "hr": walk_tables.hr}
    made = {name: make() for name, make in {**makers, "survey": walk_tables.survey}.items() if name in only}
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


def measure_grain(df: Any, model_name: str) -> dict[str, Any]:
    """The grain columns of one table (the hr walk's salaries): ``model_name`` fitted once, sampled with the finer
    grids of bands with no cell point switched off ("before": kept unrounded) and on ("after")."""
    from unittest import mock

    import numpy as np

    import synth
    from synth.schema.conformance import read_numbers
    from synth.synthesizers import grain_cells

    train, holdout = synth.split(df, holdout=0.2, seed=0)
    schema = synth.infer_schema(train)
    model = synth.create(model_name, random_state=0).fit(train, schema)
    out: dict[str, Any] = {"model": model_name, "rows": len(train), "columns": []}
    samples = {}
    for label in ("before", "after"):
        vars(model).pop("_band_memo", None)  # the bands worked out for the other run
        unrounded = mock.patch.object(
            grain_cells, "_finer_places", lambda width, rows, grain: np.full(len(width), grain - 1)
        )
        with unrounded if label == "before" else contextlib.nullcontext():
            samples[label] = model.sample(len(train), seed=1)
    vars(model).pop("_band_memo", None)
    for name, grain in model.grain_bands_:
        spec, step = schema[name], 10.0**-grain
        real = read_numbers(train[name], spec).dropna().to_numpy(dtype=float)
        column: dict[str, Any] = {"column": name, "grain": grain, "distinct_real": int(np.unique(real).size)}
        for label, syn in samples.items():
            fake = read_numbers(syn[name], spec).dropna().to_numpy(dtype=float)
            off = fake[np.round(fake / step) * step != fake]
            grids = {
                f"{10.0**k:g}": int(
                    np.sum(
                        (np.round(off / 10.0**k) * 10.0**k == off)
                        & (np.round(off / 10.0 ** (k + 1)) * 10.0 ** (k + 1) != off)
                    )
                )
                for k in range(-grain - 1, -1, -1)
            }
            grids["finer"] = int(len(off) - sum(grids.values()))
            rare = synth.evaluate_rare_values(train[[name]], syn[[name]], holdout[[name]], schema=schema.select([name]))
            column[label] = {
                "off_grain_share": float(len(off) / max(len(fake), 1)),
                "off_grain_grids": grids,
                "off_grain_real": int(np.isin(off, real).sum()),
                "distinct_synthetic": int(np.unique(fake).size),
                "excess": rare.pooled_excess,
                "excess_low": rare.pooled_low,
                "excess_high": rare.pooled_high,
            }
        out["columns"].append(column)
    return out


def _print_grain(result: dict[str, Any]) -> None:
    print(f"\nhr, {result['model']}: {result['rows']:,} training rows")
    for c in result["columns"]:
        for label in ("before", "after"):
            r = c[label]
            grids = ", ".join(f"{n} on {g}" for g, n in r["off_grain_grids"].items() if n)
            print(
                f"  {c['column']:<12}{label:>7}: {r['off_grain_share']:6.1%} off the {10 ** -c['grain']:,} grid"
                f" ({grids or 'none'}; {r['off_grain_real']} real), distinct {r['distinct_synthetic']:,} for"
                f" {c['distinct_real']:,} real, rare-value excess {r['excess']:+.4f}"
                f" ({r['excess_low']:+.4f} to {r['excess_high']:+.4f})"
            )


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
    parser.add_argument("--grain", action="store_true", help="only the hr salaries recorded to 100")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = []
    if not args.grain:
        for name, df in _tables(args.shared).items():
            result = measure(name, df)
            _print(result)
            results.append(result)
    hr = _tables(False, only=("hr",))["hr"]
    grain = []
    for model_name in ("cart", "pruned_cart"):
        result = measure_grain(hr, model_name)
        _print_grain(result)
        grain.append(result)
    write_results(args.out, {"commit": tree_commit(ROOT), "machine": machine(), "tables": results, "grain": grain})


if __name__ == "__main__":
    main()
