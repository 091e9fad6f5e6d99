"""Orders between two numbers that both have missing values (``salary_min ≤ salary_max``, ``start_km ≤ end_km``):
how often each synthesizer's rows break them, and what keeping them costs in sampling speed.

The table (:func:`postings`, seeded) has job postings whose salary range and trip readings each miss on some rows;
wherever both are present the lower never exceeds the higher. Each synthesizer is fitted on it (seed 0) and asked
for ``--rows`` rows (seed 1): printed per order, the share of synthetic rows with both present that break it, the
missing shares (real / synthetic), and the sampling speed (best of ``--repeats``, by wall clock and by CPU time);
then the same speeds on Adult (no such pair), which the change must leave alone. Then a second seeded table
(:func:`bounds`, session 20) where a number holds more than one order: a value between a complete floor and a
complete ceiling, a total at least each of two complete parts, and an end at least a complete start and at least a
middle reading with missing values; printed per order, the share of synthetic rows with both present that break it
(``bounds_breaks``)::

    .venv/bin/python -m benchmarks.bench_missing_orders                    # a million rows each
    .venv/bin/python -m benchmarks.bench_missing_orders --rows 100000 --only cart

Writes results/missing_orders.json (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

SYNTHESIZERS = ("cart", "pruned_cart", "gaussian_copula")
ORDERS = (("salary_min", "salary_max"), ("start_km", "end_km"))
#: (lower, higher) pairs of :func:`bounds`: every one holds on each of its rows with both present.
BOUNDS_ORDERS = (
    ("floor", "price"),
    ("price", "ceiling"),
    ("floor", "ceiling"),
    ("part_a", "total"),
    ("part_b", "total"),
    ("start", "middle"),
    ("middle", "end"),
    ("start", "end"),
)


def postings(n: int = 5_000, seed: int = 0) -> pd.DataFrame:
    """Job postings: a role, a salary range (the minimum missing on 8% of rows, the maximum on 12%), and a trip's
    odometer readings (start missing on 5%, end on 10%); where both are present, min ≤ max and start ≤ end."""
    rng = np.random.default_rng(seed)
    role = rng.choice(["analyst", "engineer", "manager"], n, p=[0.5, 0.35, 0.15])
    base = rng.lognormal(np.select([role == "analyst", role == "engineer"], [10.6, 11.0], 11.3), 0.25)
    low = np.round(base, -2)
    high = low + np.round(base * rng.uniform(0.05, 0.5, n), -2)
    start = np.round(rng.uniform(0, 500, n), 1)
    end = np.round(start + rng.gamma(2.0, 30.0, n), 1)
    frame = pd.DataFrame({"role": role, "salary_min": low, "salary_max": high, "start_km": start, "end_km": end})
    for column, share in (("salary_min", 0.08), ("salary_max", 0.12), ("start_km", 0.05), ("end_km", 0.10)):
        frame.loc[rng.random(n) < share, column] = np.nan
    return frame


def bounds(n: int = 5_000, seed: int = 0) -> pd.DataFrame:
    """Numbers that each hold two orders: a price between its floor and its ceiling (all complete), a total at
    least each of two parts (complete), and an end at least its start (complete) and its middle reading (missing
    on 10% of rows). Before session 20 each of price, total and end kept only one of its bounds."""
    rng = np.random.default_rng(seed)
    floor = np.round(rng.uniform(10, 100, n), 1)
    ceiling = np.round(floor + rng.gamma(2.0, 20.0, n), 1)
    price = np.round(floor + (ceiling - floor) * rng.beta(2.0, 2.0, n), 1)
    part_a = np.round(rng.gamma(3.0, 10.0, n), 1)
    part_b = np.round(rng.gamma(3.0, 10.0, n), 1)
    total = np.round(np.maximum(part_a, part_b) + rng.gamma(1.5, 8.0, n), 1)
    start = np.round(rng.uniform(0, 500, n), 1)
    middle = np.round(start + rng.gamma(2.0, 20.0, n), 1)
    end = np.round(middle + rng.gamma(2.0, 20.0, n), 1)
    frame = pd.DataFrame(
        {"floor": floor, "ceiling": ceiling, "price": price, "part_a": part_a, "part_b": part_b, "total": total}
    )
    frame = frame.assign(start=start, middle=middle, end=end)
    frame.loc[rng.random(n) < 0.10, "middle"] = np.nan
    return frame


def breaks(frame: pd.DataFrame, orders: tuple[tuple[str, str], ...] = ORDERS) -> dict[str, float]:
    """Per order, the share of rows with both present where the lower is above the higher."""
    out = {}
    for low, high in orders:
        both = frame[low].notna() & frame[high].notna()
        out[f"{low} ≤ {high}"] = float((frame.loc[both, low] > frame.loc[both, high]).mean())
    return out


def timed_sample(model: Any, rows: int, repeats: int) -> tuple[pd.DataFrame, int, int]:
    """The sample (seed 1) and the best of ``repeats`` speeds in rows/s, by wall clock and by this process's CPU
    time (which a loaded machine distorts less)."""
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        syn = model.sample(rows, seed=1)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return syn, round(rows / min(walls)), round(rows / min(cpus))


def main(argv: list[str] | None = None) -> None:
    import synth
    from benchmarks.common import load_adult

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", nargs="*", default=list(SYNTHESIZERS))
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "missing_orders.json"))
    args = parser.parse_args(argv)
    table = postings()
    two_bounds = bounds()
    adult = load_adult()
    results: dict[str, Any] = {"rows": args.rows, "load": Path("/proc/loadavg").read_text().split()[:3]}
    for name in args.only:
        model = synth.create(name, random_state=0).fit(table)
        syn, speed, cpu_speed = timed_sample(model, args.rows, args.repeats)
        missing = {c: [float(table[c].isna().mean()), float(syn[c].isna().mean())] for c in table if c != "role"}
        adult_model = synth.create(name, random_state=0).fit(adult)
        _, adult_speed, adult_cpu = timed_sample(adult_model, args.rows, args.repeats)
        results[name] = {
            "breaks": breaks(syn),
            "missing_real_synthetic": missing,
            "rows_per_s": speed,
            "rows_per_cpu_s": cpu_speed,
            "adult_rows_per_s": adult_speed,
            "adult_rows_per_cpu_s": adult_cpu,
            "bounds_breaks": breaks(
                synth.create(name, random_state=0).fit(two_bounds).sample(args.rows, seed=1), BOUNDS_ORDERS
            ),
        }
        print(name, json.dumps(results[name]), flush=True)
    results["real_breaks"] = breaks(table)
    results["real_bounds_breaks"] = breaks(two_bounds, BOUNDS_ORDERS)
    Path(args.out).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
