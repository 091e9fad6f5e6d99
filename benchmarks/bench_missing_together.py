"""Columns missing together (:mod:`synth.synthesizers.missing_together`): how many synthetic rows have part of a
group missing with and without the rule, the group's missing shares against the real ones, and what keeping the
groups costs in sampling speed.

Per walk table (hr: office_lat and office_lon missing for remote staff; survey: q4_app_rating and q5_app_frequency
missing for non-users; :mod:`benchmarks.walk_tables`) and per model (CART, Pruned CART, the Gaussian copula, each
fitted at seed 0): the groups it keeps, the rows of ``--rows`` sampled at seed 1 with a group mixed with the rule
(after) and with it taken out of the fitted model (before), each group column's missing share (real, before,
after), the rows still mixed after the redraws and set missing as a whole (cleared), and the sampling speed with
and without the groups (best of ``--repeats``). Adult (/work/shared/datasets, when present) is searched only: its
workclass and occupation are missing together on 1,836 rows but occupation alone on 7, so no group is found::

    .venv/bin/python -m benchmarks.bench_missing_together
    .venv/bin/python -m benchmarks.bench_missing_together --rows 20000 --only gaussian_copula

Writes results/missing_together.json (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

import synth
from benchmarks.common import best_of
from synth.synthesizers import missing_together, row_orders
from synth.synthesizers.missing_together import frame_missing_groups, mixed_rows

MODELS = ("cart", "pruned_cart", "gaussian_copula")
ADULT = Path("/work/shared/datasets/adult.csv")


def _cleared_rows() -> tuple[list[int], Callable[[], None]]:
    """Count the rows keep_orders sets missing as a whole after the redraws, until restored."""
    counts: list[int] = []
    original = row_orders.clear_groups

    def counting(body: pd.DataFrame, groups: Any) -> bool:
        counts.append(int(mixed_rows(body, groups).sum()))
        return original(body, groups)

    row_orders.clear_groups = counting  # type: ignore[assignment]

    def restore() -> None:
        row_orders.clear_groups = original  # type: ignore[assignment]

    return counts, restore


def measure(table: pd.DataFrame, name: str, rows: int, repeats: int) -> dict[str, Any]:
    schema = synth.infer_schema(table)
    model = synth.create(name, random_state=0).fit(table, schema)
    groups = model.missing_groups_
    counts, restore = _cleared_rows()
    try:
        after = model.sample(rows, seed=1)
    finally:
        restore()
    after_s, _ = best_of(lambda: model.sample(rows, seed=1), repeats)
    model.missing_groups_ = ()
    before_s, before = best_of(lambda: model.sample(rows, seed=1), repeats)
    model.missing_groups_ = groups
    columns = missing_together.group_columns(groups)
    return {
        "groups": [" + ".join(g.columns) for g in groups],
        "mixed_before": int(mixed_rows(before, groups).sum()),
        "mixed_after": int(mixed_rows(after, groups).sum()),
        "cleared_rows": int(sum(counts)),
        "missing_share": {
            c: {
                "real": round(float(table[c].isna().mean()), 4),
                "before": round(float(before[c].isna().mean()), 4),
                "after": round(float(after[c].isna().mean()), 4),
            }
            for c in columns
        },
        "rows_per_second_before": round(rows / before_s),
        "rows_per_second_after": round(rows / after_s),
    }


def main(argv: list[str] | None = None) -> None:
    from benchmarks.walk_tables import hr, survey

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", choices=MODELS)
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "missing_together.json"))
    args = parser.parse_args(argv)
    results: dict[str, Any] = {"rows": args.rows, "load": Path("/proc/loadavg").read_text().split()[:3]}
    print(
        f"{'table':<7} {'model':<16} {'mixed before':>12} {'mixed after':>11} {'cleared':>7} "
        f"{'missing real/before/after (leader; follower)':<46} {'rows/s before':>13} {'rows/s after':>12}"
    )
    for label, table in {"hr": hr(), "survey": survey()}.items():
        for name in (args.only,) if args.only else MODELS:
            r = measure(table, name, args.rows, args.repeats)
            results[f"{label}/{name}"] = r
            shares = "; ".join(
                f"{s['real']:.3f}/{s['before']:.3f}/{s['after']:.3f}" for s in r["missing_share"].values()
            )
            print(
                f"{label:<7} {name:<16} {r['mixed_before']:>12} {r['mixed_after']:>11} {r['cleared_rows']:>7} "
                f"{shares:<46} {r['rows_per_second_before']:>13,} {r['rows_per_second_after']:>12,}",
                flush=True,
            )
    if ADULT.exists():
        adult = pd.read_csv(ADULT)
        schema = synth.infer_schema(adult)
        seconds, found = best_of(lambda: frame_missing_groups(adult, schema), args.repeats)
        results["adult"] = {"groups": [" + ".join(g.columns) for g in found], "search_seconds": round(seconds, 4)}
        print(f"adult: {len(found)} groups found in {seconds:.3f} s")
    for key, r in results.items():
        if isinstance(r, dict) and r.get("groups"):
            print(f"{key}: {'; '.join(r['groups'])}")
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
