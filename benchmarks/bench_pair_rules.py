"""Two-column exact lookups (``workingday`` from ``holiday`` and ``weekday``), before and after (session 25).

Bike Sharing's ``workingday`` is 1 exactly when the weekday is Monday to Friday and the day is no holiday: a
function of two columns. A one-column lookup covers it only from the date, when every date is held by enough rows
to be stored (the whole hourly file); on a sample of it, or on the daily table (one row per date), it was modelled.
Tables: the hourly file's training half (``bench_frontier.load``: ``synth.split(holdout=0.5, seed=0)``, 8,689
rows), a 2,000-row sample of that half (seed 0), and the daily table (731 rows, one per date, aggregated from the
hourly file: the day's calendar flags, its worst weather, mean temperatures, summed counts). Each model is fitted
(seeds 0, 1, 2) with two-column lookups switched off (``before``: ``PAIR_SOURCES = 0``, the search as it was) and on,
and samples as many rows as it learned from. Printed per table and model: the share of synthetic rows whose
``workingday`` agrees with their weekday and holiday (100% of real rows), the rule computing ``workingday``, and the
discriminator AUC (``synth.evaluate_discriminator``, training rows against synthetic), means over the seeds. Then
the exact-rule search time (best of 3, Pruned CART's thresholds) on Adult, the hourly file, a 40-column table
(``common.wide_table``: 32 numbers, 8 labels) and 40 few-valued columns, both × 20,000 rows::

    .venv/bin/python -m benchmarks.bench_pair_rules [--only cart,pruned_cart] [--out pair_rules.json]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402
from unittest import mock  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import load_adult, machine, wide_table, write_results  # noqa: E402

MODELS = ("cart", "pruned_cart")
SEEDS = (0, 1, 2)


def daily(hourly: pd.DataFrame) -> pd.DataFrame:
    """One row per date of the hourly file, as the UCI daily file lays it out."""
    days = hourly.groupby("dteday", sort=True)
    calendar = days[["season", "yr", "mnth", "holiday", "weekday", "workingday"]].first()
    weather = days[["weathersit"]].max().join(days[["temp", "atemp", "hum", "windspeed"]].mean().round(4))
    return calendar.join(weather).join(days[["casual", "registered", "cnt"]].sum()).reset_index()


def tables() -> dict[str, pd.DataFrame]:
    from benchmarks.bench_frontier import load

    half, _, _ = load("bike_sharing_hourly")
    whole = pd.read_csv(ROOT.parent / "shared" / "datasets" / "bike_sharing_hourly.csv")
    return {
        "bike hourly, training half (8,689 rows)": half,
        "bike hourly, 2,000-row sample": half.sample(2000, random_state=0).reset_index(drop=True),
        "bike daily (731 rows)": daily(whole),
    }


def agreement(frame: pd.DataFrame) -> float:
    working = (frame["weekday"].astype(float).between(1, 5) & (frame["holiday"].astype(float) == 0)).astype(int)
    return float(np.mean(working.to_numpy() == frame["workingday"].astype(float).to_numpy()))


def measure(only: list[str]) -> list[dict[str, Any]]:
    import synth
    import synth.synthesizers.derived_search as search
    from synth.synthesizers.derived import rules_of

    rows: list[dict[str, Any]] = []
    for table, train in tables().items():
        schema = synth.infer_schema(train)
        print(f"{table}: real agreement {agreement(train):.4f}", file=sys.stderr, flush=True)
        for name in only:
            for when in ("before", "after"):
                agree, aucs, fits, rule = [], [], [], ""
                for seed in SEEDS:
                    with mock.patch.object(search, "PAIR_SOURCES", 0 if when == "before" else search.PAIR_SOURCES):
                        start = time.perf_counter()
                        model = synth.create(name, random_state=seed).fit(train, schema)
                        fits.append(time.perf_counter() - start)
                    syn = model.sample(len(train), seed=seed + 10)
                    agree.append(agreement(syn))
                    aucs.append(synth.evaluate_discriminator(train, syn, schema=schema, seed=seed).auc)
                    rule = next((r.describe() for r in rules_of(model) if r.output == "workingday"), "modelled")
                rows.append(
                    {
                        "table": table,
                        "model": name,
                        "when": when,
                        "workingday_agrees": round(float(np.mean(agree)), 4),
                        "discriminator_auc": round(float(np.mean(aucs)), 3),
                        "auc_by_seed": [round(float(a), 3) for a in aucs],
                        "workingday_rule": rule,
                        "fit_s": round(float(np.mean(fits)), 2),
                    }
                )
                print(rows[-1], file=sys.stderr, flush=True)
    return rows


def search_times() -> list[dict[str, Any]]:
    import synth
    import synth.synthesizers.derived_search as search
    from synth.schema import coerce_to_schema

    rng = np.random.default_rng(0)
    few = {
        f"k{i}": rng.integers(0, 2 + i % 6, 20_000) if i % 2 else rng.choice(list("abcdefgh")[: 2 + i % 6], 20_000)
        for i in range(40)
    }
    wide = {
        "adult (32,561 × 15)": load_adult(),
        "bike hourly (17,379 × 17)": pd.read_csv(ROOT.parent / "shared" / "datasets" / "bike_sharing_hourly.csv"),
        "wide_table (20,000 × 40: 32 numbers, 8 labels)": wide_table(20_000, 32),
        "40 few-valued columns (20,000 × 40)": pd.DataFrame(few),
    }
    out = []
    for name, table in wide.items():
        schema = synth.infer_schema(table)
        data = coerce_to_schema(table, schema)[schema.modelled]
        selected = schema.select(schema.modelled)
        timed = {}
        for when, bound in (("before", 0), ("after", search.PAIR_SOURCES)):
            with mock.patch.object(search, "PAIR_SOURCES", bound):
                best = np.inf
                for _ in range(3):
                    start = time.perf_counter()
                    rules = search.find_rules(data, selected, 5, 10)  # Pruned CART's thresholds
                    best = min(best, time.perf_counter() - start)
            timed[when] = (best, rules)
        added = [r.describe() for r in timed["after"][1] if r not in timed["before"][1]]
        out.append(
            {
                "table": name,
                "search_s_before": round(timed["before"][0], 3),
                "search_s_after": round(timed["after"][0], 3),
                "rules_added": added,
            }
        )
        print(out[-1], file=sys.stderr, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(MODELS))
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "pair_rules.json")
    args = parser.parse_args()
    searched = search_times()
    rows = measure([m for m in args.only.split(",") if m])
    with pd.option_context("display.width", 200, "display.max_colwidth", 70):
        print(pd.DataFrame(rows).drop(columns=["auc_by_seed"]).to_string(index=False))
        print(pd.DataFrame(searched).to_string(index=False))
    write_results(
        args.out, {"benchmark": "two-column exact lookups", "machine": machine(), "models": rows, "search": searched}
    )


if __name__ == "__main__":
    main()
