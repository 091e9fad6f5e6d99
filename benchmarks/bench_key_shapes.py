"""Generated keys against the real ones: the share in the real width and pattern, and key columns sharing values.

For a shop table (``--csv``, default a seeded one with ``ORD-100000`` … order ids, 5-digit zip codes, numeric order
numbers and a repeated numeric customer id), the walk's clinic table (``--clinic``: numeric visit ids 50,001 …,
repeated patient ids ``P919543``) and Bike Sharing's ``instant``: each text or numeric key is fitted on the training
rows of ``synth.split(df, holdout=0.2, seed=0)``, sampled at that size and streamed in blocks of 997, and the share of
generated values with a real value's width and character pattern printed, with whether any equals a real key.
Then the customer ids that are also order ids, for customers disjoint from the orders and overlapping them, and for
two key columns of one format, the rows where they hold the same value.
No timing: the figures do not depend on the machine.

Usage::

    .venv/bin/python -m benchmarks.bench_key_shapes [--csv orders.csv] [--clinic clinic.csv]

(``python -m benchmarks.walk_tables DIR`` writes the session-20 and -21 walks' ``orders.csv`` and ``clinic.csv``.)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

import synth
from synth.generated import GeneratedColumns
from synth.generated_formats import _shape

BIKE = Path(__file__).resolve().parent.parent.parent / "shared" / "datasets" / "bike_sharing_hourly.csv"


def shop(n: int = 5_000, seed: int = 20, customer_low: int = 0) -> pd.DataFrame:
    """Order ids ``ORD-100000`` …, 5-digit zip codes (leading zeros kept), numeric customer ids of 1,800 customers
    from ``customer_low`` and an amount."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "order_id": [f"ORD-{100000 + i}" for i in range(n)],
            "order_no": np.arange(100_000, 100_000 + n),
            "customer_id": rng.integers(customer_low, customer_low + 1_800, n),
            "zip": [f"{z:05d}" for z in rng.integers(500, 99_999, n)],
            "amount": rng.gamma(2.0, 30.0, n).round(2),
        }
    )


def _fit(df: pd.DataFrame, keys: list[str]) -> tuple[pd.DataFrame, GeneratedColumns]:
    schema = synth.infer_schema(df)
    for name in keys:
        schema = schema.with_column(name, kind=synth.ColumnKind.IDENTIFIER)
    train, _ = synth.split(df, holdout=0.2, seed=0)
    return train, GeneratedColumns.fit(train, schema)


def _drawn(generated: GeneratedColumns, n: int) -> dict[str, pd.DataFrame]:
    sampled = generated.sample(n, np.random.default_rng(1))
    blocks = [
        generated.block_identifiers(a, min(997, n - a), n, 7) | generated.block_repeated(a, min(997, n - a), n, 7)
        for a in range(0, n, 997)
    ]
    streamed = pd.DataFrame({c: np.concatenate([b[c] for b in blocks]) for c in blocks[0]})
    return {"sampled": sampled, "streamed": streamed}


def shapes(df: pd.DataFrame, keys: list[str], label: str) -> None:
    train, generated = _fit(df, keys)
    for how, out in _drawn(generated, len(train)).items():
        for name in keys:
            real = train[name].dropna().astype(str)
            fake = pd.Series(out[name]).dropna()
            fake = fake.astype("int64").astype(str) if pd.api.types.is_numeric_dtype(fake) else fake.astype(str)
            same = fake.map(_shape).isin(set(real.map(_shape))).mean()
            print(
                f"{label} {name} ({how}): {same:.0%} in the real width and pattern, any real: "
                f"{bool(set(fake) & set(real))}, e.g. {fake.iloc[:2].tolist()} (real {real.iloc[:2].tolist()})"
            )


def overlap() -> None:
    for case, low in (("disjoint", 0), ("overlapping", 99_000)):
        train, generated = _fit(shop(customer_low=low)[["order_no", "customer_id", "amount"]], ["customer_id"])
        real = set(train["order_no"]) & set(train["customer_id"])
        for how, out in _drawn(generated, len(train)).items():
            orders, customers = set(pd.Series(out["order_no"]).dropna()), set(pd.Series(out["customer_id"]).dropna())
            print(
                f"customers {case} from the orders (real: {len(real)} shared) ({how}): {len(orders & customers):,} "
                f"of {len(customers):,} synthetic customer ids are order ids"
            )


def pairs(n: int = 3_000, seed: int = 22) -> None:
    """Two unique key columns of one format (order and invoice numbers ``ORD-1…``, disjoint; two ids ``123-4567``):
    the share of rows where they hold the same generated value, and how many values they share."""
    rng = np.random.default_rng(seed)
    numbers = rng.choice(900_000, 2 * n, replace=False) + 100_000
    tables = {
        "order_id/invoice_id": pd.DataFrame(
            {"a": [f"ORD-{v}" for v in numbers[:n]], "b": [f"ORD-{v}" for v in numbers[n:]]}
        ),
        "user_id/device_id": pd.DataFrame(
            {
                c: [
                    f"{x:03d}-{y:04d}"
                    for x, y in zip(rng.integers(0, 10**3, n), rng.integers(0, 10**4, n), strict=True)
                ]
                for c in "ab"
            }
        ),
    }
    for label, df in tables.items():
        _, generated = _fit(df, ["a", "b"])
        for how, out in _drawn(generated, n).items():
            a, b = np.asarray(out["a"]), np.asarray(out["b"])
            print(
                f"{label} ({how}): {np.mean(a == b):.1%} of rows equal, {len(set(a) & set(b)):,} of {len(a):,} values "
                "shared"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, help="a shop table with order_id and zip (default: a seeded one)")
    parser.add_argument("--clinic", type=Path, help="the walk's clinic table (numeric visit_id, text patient_id)")
    args = parser.parse_args(argv)
    table = synth.read_table(args.csv) if args.csv else shop()
    # The seeded shop's numeric keys too: unique order numbers 100,000 … and repeated customer ids 0 … 1,799.
    numeric = [name for name in ("order_no", "customer_id") if name in table.columns]
    shapes(table, ["order_id", "zip", *numeric], args.csv.name if args.csv else "shop")
    if args.clinic:
        shapes(synth.read_table(args.clinic), ["visit_id", "patient_id"], args.clinic.name)
    if BIKE.exists():
        shapes(synth.read_table(BIKE), ["instant"], BIKE.name)
    overlap()
    pairs()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
