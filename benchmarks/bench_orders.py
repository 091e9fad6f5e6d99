"""Orders the real table always keeps, broken by synthetic rows: a last order before its signup, more bedrooms
than rooms, more households than people.

For each table, the orders are found on the training half (``synth.evaluation.fidelity.orders.find_orders``: two
dates or two numbers, ``low ≤ high`` on all but 0.1% of the rows, and constraining: values paired at random would
break it on at least 1% of pairs). Every synthesizer is fitted on that half (seed S) and asked for as many rows
(seed S + 1); the table prints, per order, the share of real training rows and of synthetic rows that break it.
The DP network learns no order from the rows (that would spend budget); with ``--declare`` (the default) it also
runs with the orders that hold on every training row declared, as a user who knows them would
(``declared_orders``, public input). Also printed: each run's 1-, 2- and 3-way accuracy
(``synth.evaluate_accuracy``, the holdout half as ceiling), so what keeping an order costs or buys in fidelity
shows beside it; and per date column, the largest share of synthetic rows on one date (a date that collapsed to a
single value reads near 1; the real share beside it).

Tables: ``customers`` (generated here, seeded: 6,000 customers with a signup date, a last order 0–300 days later,
a trial start 0–29 days before the signup, a plan and an unrelated date), and 50/50 splits (``synth.split(seed=0)``)
of the shared ``california_housing`` and ``bike_sharing_hourly``::

    .venv/bin/python -m benchmarks.bench_orders                      # every table, seeds 0 1 2
    .venv/bin/python -m benchmarks.bench_orders --data california_housing --only pruned_cart --seeds 0

Writes results/orders.json (or ``--out``).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.bench_frontier import ROOT, SHARED, generated_columns
from benchmarks.common import synthesizer_spec

TABLES = ("customers", "california_housing", "bike_sharing_hourly")
SYNTHESIZERS = ("cart", "pruned_cart", "gaussian_copula", "privbayes", "privbayes:epsilon=3")


def customers(n: int = 6_000, seed: int = 0) -> pd.DataFrame:
    """Customers whose dates follow one another (the table the date-order figures of
    docs/benchmarks/rules-and-orders.md are measured on)."""
    rng = np.random.default_rng(seed)
    signup = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    last = signup + pd.to_timedelta(rng.integers(0, 301, n), unit="D")
    trial = signup - pd.to_timedelta(rng.integers(0, 30, n), unit="D")
    unrelated = pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n), unit="D")
    return pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "pro"], n, p=[0.6, 0.3, 0.1]),
            "signup": signup.strftime("%Y-%m-%d"),
            "last_order": last.strftime("%Y-%m-%d"),
            "trial_start": trial.strftime("%Y-%m-%d"),
            "unrelated": unrelated.strftime("%Y-%m-%d"),
        }
    )


def halves(data: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The training and holdout halves of a table."""
    import synth

    if data == "customers":
        df = synth.read_table(customers().to_csv(index=False).encode(), name="customers.csv")
    else:
        df = synth.read_table(SHARED / f"{data}.csv")
        df = df.drop(columns=generated_columns(df))
    train, holdout = synth.split(df, holdout=0.5, seed=0)
    return train.reset_index(drop=True), holdout.reset_index(drop=True)


def top_date_share(values: pd.Series) -> float:
    dates = pd.to_datetime(values, errors="coerce", format="mixed").dropna()
    return float(dates.value_counts(normalize=True).iloc[0]) if len(dates) else 0.0


def main(argv: list[str] | None = None) -> int:
    import synth
    from synth.evaluation.fidelity.orders import find_orders, order_breaks
    from synth.schema import ColumnKind

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", nargs="*", default=list(TABLES))
    parser.add_argument("--only", nargs="*", default=list(SYNTHESIZERS), help="names, or name:param=value,...")
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    parser.add_argument(
        "--declare",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also run the DP network with the orders that hold on every training row declared (default: on)",
    )
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "orders.json")
    args = parser.parse_args(argv)

    rows: list[dict[str, Any]] = []
    for data in args.data:
        train, holdout = halves(data)
        schema = synth.infer_schema(train)
        orders = find_orders(train, schema)
        dates = [c.name for c in schema if c.kind is ColumnKind.DATETIME and c.name in train]
        print(f"\n{data}: {len(train):,} training rows; orders: " + ", ".join(f"{o.low} ≤ {o.high}" for o in orders))
        runs = [(spec, *synthesizer_spec(spec)) for spec in args.only]
        if args.declare:  # the DP network with the orders a user who knows them would declare (public input)
            always = [(o.low, o.high) for o in orders if o.real_breaks == 0]
            runs += [
                (f"{spec} +declared", name, {**params, "declared_orders": always})
                for spec, name, params in list(runs)
                if name == "privbayes" and always
            ]
        for spec, name, params in runs:
            for seed in args.seeds:
                start = time.perf_counter()
                model = synth.create(name, random_state=seed, **params).fit(train, schema)
                syn = model.sample(len(train), seed=seed + 1)
                seconds = time.perf_counter() - start
                # What keeping the orders costs or buys in fidelity: our 1-, 2- and 3-way accuracy (holdout beside).
                acc = synth.evaluate_accuracy(train, syn, holdout=holdout, schema=schema)
                scores = {f"accuracy_{k}": s.value for k, s in zip((1, 2, 3), acc.orders, strict=False)}
                ceiling = {f"holdout_{k}": s.reference for k, s in zip((1, 2, 3), acc.orders, strict=False)}
                rows.append({"data": data, "synthesizer": spec, "seed": seed, **scores, **ceiling})
                print(
                    f"  {spec:<32} seed {seed}  accuracy 1/2/3-way "
                    + " / ".join(f"{v:.4f}" for v in scores.values())
                    + "  (holdout "
                    + " / ".join(f"{v:.4f}" for v in ceiling.values() if v is not None)
                    + ")",
                    flush=True,
                )
                for found in order_breaks(syn, schema, orders):
                    row = {
                        "data": data,
                        "synthesizer": spec,
                        "seed": seed,
                        "order": f"{found.order.low} ≤ {found.order.high}",
                        "real_breaks": found.order.real_breaks,
                        "synthetic_breaks": found.broken,
                        "seconds": seconds,
                    }
                    rows.append(row)
                    print(
                        f"  {spec:<32} seed {seed}  {row['order']:<36} broken: real {found.order.real_breaks:.4f}"
                        f"  synthetic {found.broken:.4f}",
                        flush=True,
                    )
                for column in dates:
                    share, real = top_date_share(syn[column]), top_date_share(train[column])
                    rows.append(
                        {
                            "data": data,
                            "synthesizer": spec,
                            "seed": seed,
                            "date": column,
                            "real_top_share": real,
                            "synthetic_top_share": share,
                        }
                    )
                    print(f"  {spec:<32} seed {seed}  {column:<36} most common date: real {real:.4f}  ", end="")
                    print(f"synthetic {share:.4f}")
    args.out.write_text(
        json.dumps(
            {
                "benchmark": "orders between columns the real training half keeps, broken by synthetic rows",
                "date": time.strftime("%Y-%m-%d %H:%M"),
                "seeds": args.seeds,
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
