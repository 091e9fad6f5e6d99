"""Numbers written as text ("$12.34", "25%") in a shop export: how they are inferred, whether synthetic rows keep
their layout, and their correlation with the order total, real against synthetic.

The table is a CSV given with ``--csv`` (the walk's ``orders.csv``) or, by default, a seeded one of the same shape
(``tests/unit/test_number_text.py::_orders``: quantity, unit_price as "$12.34", discount as "25%", total). Each
synthesizer is fitted on the whole table (seed 0) and samples as many rows (seed 1); printed per column: the
inferred kind, the share of synthetic values not in the real layout, and corr(column, total) real | synthetic.
Also timed: inferring, reading (``coerce_to_schema``) and writing back (``conform``) a million "$1,234.50" values::

    .venv/bin/python -m benchmarks.bench_number_text
    .venv/bin/python -m benchmarks.bench_number_text --csv orders.csv --million
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
import pandas as pd

import synth
from synth.schema import Schema, coerce_to_schema, conform, infer_column


def orders(n: int = 5_000, seed: int = 20, express: bool = False) -> pd.DataFrame:
    """The shape of a shop export: price as "$12.34", discount as "25%", total as a number (and, with
    ``express``, a yes/no column drawn after them; tests/unit/test_number_text.py uses it)."""
    rng = np.random.default_rng(seed)
    qty = rng.poisson(1.5, n) + 1
    price = np.round(np.exp(rng.normal(3.2, 0.8, n)), 2)
    disc = rng.choice([0, 5, 10, 15, 25], n, p=[0.6, 0.15, 0.12, 0.08, 0.05])
    frame = pd.DataFrame(
        {
            "quantity": qty,
            "unit_price": [f"${p:,.2f}" for p in price],
            "discount": [f"{d}%" for d in disc],
            "total": np.round(qty * price * (1 - disc / 100), 2),
        }
    )
    if express:
        frame["express"] = rng.choice(["yes", "no"], n)
    return frame


def _million() -> None:
    x = np.random.default_rng(0).lognormal(5, 2, 1_000_000).round(2)
    text = pd.Series([f"${v:,.2f}" for v in x], name="amount")
    t = time.perf_counter()
    spec = infer_column(text)
    inferred = time.perf_counter() - t
    schema, frame = Schema((spec,)), text.to_frame()
    t = time.perf_counter()
    numbers = coerce_to_schema(frame, schema)
    read = time.perf_counter() - t
    t = time.perf_counter()
    back = conform(numbers, schema, frame.iloc[:0])
    written = time.perf_counter() - t
    same = bool((back["amount"] == text).all())
    print(f"1,000,000 values: infer {inferred:.2f} s, read {read:.2f} s, write back {written:.2f} s, identical {same}")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", help="a table with unit_price, discount and total (default: a seeded one)")
    parser.add_argument("--only", nargs="*", default=["gaussian_copula", "pruned_cart"])
    parser.add_argument("--million", action="store_true", help="also time a million-value column")
    args = parser.parse_args(argv)
    real = synth.read_table(args.csv) if args.csv else orders()
    schema = synth.infer_schema(real)
    numbers = coerce_to_schema(real, schema)
    columns = [c for c in ("unit_price", "discount") if c in real.columns]
    for c in columns:
        r = numbers[c].astype(float).corr(numbers["total"].astype(float))
        print(f"{c}: {schema[c].kind.value} — {schema[c].reason}; real corr with total {r:.3f}")
    for name in args.only:
        t = time.perf_counter()
        out = synth.create(name, random_state=0).fit(real, schema).sample(len(real), seed=1)
        took = time.perf_counter() - t
        syn = coerce_to_schema(out, schema)
        parts = []
        for c in columns:
            unread = float(syn[c].isna().mean() - numbers[c].isna().mean())
            corr = syn[c].astype(float).corr(syn["total"].astype(float))
            parts.append(f"{c} {out[c].dropna().iloc[0]!r} not in layout {max(unread, 0):.1%} corr {corr:.3f}")
        print(f"{name} ({took:.1f} s fit+sample): " + "; ".join(parts))
    if args.million:
        _million()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
