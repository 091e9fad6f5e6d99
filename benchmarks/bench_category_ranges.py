"""Numbers kept inside their category's range (:mod:`synth.synthesizers.category_ranges`): how many synthetic rows
leave their level's range with and without the rule, what the search adds to a fit, and what keeping the rules
costs in sampling speed.

Per table (the hr walk table, :func:`benchmarks.walk_tables.hr`; a seeded age / age band table, :func:`ages`;
Adult from /work/shared/datasets when present) and per model (CART, Pruned CART, the Gaussian copula, each fitted
at seed 0): the rules it keeps, the rows of ``--rows`` sampled at seed 1 outside their level's range with the rule
(after) and with it taken out of the fitted model (before; the ages without exact rules, which would otherwise
compute each band from its age), the rows moved to their range's end after the redraws
(clipped), the search's time (the fit time added), and the sampling speed with and without the rules (best of
``--repeats``)::

    .venv/bin/python -m benchmarks.bench_category_ranges
    .venv/bin/python -m benchmarks.bench_category_ranges --rows 20000 --only cart --no-adult

Writes results/category_ranges.json (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import synth
from benchmarks.common import best_of
from synth.synthesizers import row_orders
from synth.synthesizers.category_ranges import frame_category_ranges, out_of_range

MODELS = ("cart", "pruned_cart", "gaussian_copula")
ADULT = Path("/work/shared/datasets/adult.csv")


def ages(n: int = 1_500, seed: int = 0) -> pd.DataFrame:
    """Whole ages 18 to 90 and their bands (the gaps between bands one year wide), an income beside them."""
    rng = np.random.default_rng(seed)
    age = rng.integers(18, 91, n)
    edges = [18, 25, 35, 45, 55, 65, 91]
    labels = ["18-24", "25-34", "35-44", "45-54", "55-64", "65+"]
    band = np.asarray(labels, dtype=object)[np.searchsorted(edges, age, side="right") - 1]
    return pd.DataFrame({"age": age, "age_band": band, "income": (age * 900 + rng.normal(0, 8_000, n)).round()})


def _clipped_rows() -> tuple[list[int], Callable[[], None]]:
    """Count the rows keep_orders moves to their range's end (after every redraw round), until restored."""
    counts: list[int] = []
    original = row_orders.clip_ranges

    def counting(body: pd.DataFrame, ranges: Any) -> bool:
        counts.append(int(out_of_range(body, ranges).sum()))
        return original(body, ranges)

    row_orders.clip_ranges = counting  # type: ignore[assignment]

    def restore() -> None:
        row_orders.clip_ranges = original  # type: ignore[assignment]

    return counts, restore


def measure(table: pd.DataFrame, name: str, rows: int, repeats: int, **params: Any) -> dict[str, Any]:
    schema = synth.infer_schema(table)
    search, _ = best_of(lambda: frame_category_ranges(table, schema), repeats)
    model = synth.create(name, random_state=0, **params)
    start = time.perf_counter()
    model.fit(table, schema)
    fit = time.perf_counter() - start
    rules = model.category_ranges_
    found = rules or frame_category_ranges(table, schema)  # judged against the table's rules even when not kept
    counts, restore = _clipped_rows()
    try:
        after = model.sample(rows, seed=1)
    finally:
        restore()
    after_s, _ = best_of(lambda: model.sample(rows, seed=1), repeats)
    model.category_ranges_ = ()
    before_s, before = best_of(lambda: model.sample(rows, seed=1), repeats)
    model.category_ranges_ = rules
    return {
        "rules": [f"{r.number} within {r.category} ({len(r.levels)} levels, cuts {list(r.cuts)})" for r in rules],
        "out_of_range_before": int(out_of_range(before, found).sum()),
        "out_of_range_after": int(out_of_range(after, found).sum()),
        "clipped_rows": int(sum(counts)),  # (a row clipped in one pass breaks no range in the next)
        "fit_seconds": round(fit, 3),
        "search_seconds": round(search, 4),
        "rows_per_second_before": round(rows / before_s),
        "rows_per_second_after": round(rows / after_s),
    }


def tables(adult: bool) -> dict[str, pd.DataFrame]:
    from benchmarks.walk_tables import hr

    out = {"hr": hr(), "ages": ages()}
    if adult and ADULT.exists():
        out["adult"] = pd.read_csv(ADULT)
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", choices=MODELS)
    parser.add_argument("--no-adult", action="store_true")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "category_ranges.json"))
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"rows": args.rows, "load": Path("/proc/loadavg").read_text().split()[:3]}
    header = f"{'table':<7} {'model':<16} {'rules':>5} {'out before':>10} {'out after':>9} {'clipped':>7} "
    header += f"{'search s':>8} {'fit s':>7} {'rows/s before':>13} {'rows/s after':>12}"
    print(header)
    for label, table in tables(not args.no_adult).items():
        for name in (args.only,) if args.only else MODELS:
            # The ages' bands are otherwise an exact rule (a lookup from every age, each held by about 40 rows),
            # which keeps them already: measured without exact rules, as a band held by fewer rows per age would be.
            params = {"exact_rules": False} if label == "ages" else {}
            r = measure(table, name, args.rows, args.repeats, **params)
            results[f"{label}/{name}"] = r
            print(
                f"{label:<7} {name:<16} {len(r['rules']):>5} {r['out_of_range_before']:>10} "
                f"{r['out_of_range_after']:>9} {r['clipped_rows']:>7} {r['search_seconds']:>8} {r['fit_seconds']:>7} "
                f"{r['rows_per_second_before']:>13,} {r['rows_per_second_after']:>12,}",
                flush=True,
            )
    for key, r in results.items():
        if isinstance(r, dict) and r["rules"]:
            print(f"{key}: {'; '.join(r['rules'])}")
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
