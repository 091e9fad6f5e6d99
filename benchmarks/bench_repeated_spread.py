"""Rows per key of a repeated key column (customer_id, patient_id, manager_id), real against synthetic.

A repeated key's synthetic values should spread over the keys as unevenly as the real ones: a few customers with
many orders, many with one. Printed per table, for the real rows, one ``model.sample`` of as many rows (seed 1) and
the same table streamed in blocks of 700 rows (:func:`synth.sampling.iter_rows`): distinct keys, rows per key
(mean, sd, max, quantiles 50/90/99%), and, where the table has an amount, the correlation between a key's number
of rows and its mean amount. Tables: the seeded shop orders (:func:`orders`, 3,500 orders by 160 customers with
gamma-distributed shares), the session-18 HR table's ``manager_id`` (:func:`benchmarks.fit_tables.hr`), the
session-21 clinic visits' ``patient_id`` (:func:`benchmarks.walk_tables.clinic`, read back from CSV as the walk
uploaded it) and, given with ``--csv``, any table with its key column (``--csv path:key_column[:amount_column]``)::

    .venv/bin/python -m benchmarks.bench_repeated_spread
"""

from __future__ import annotations

import argparse
import sys

import numpy as np
import pandas as pd

import synth
from synth.sampling import SampleSpec, iter_rows


def orders(numeric: bool = False, missing: float = 0.0, n: int = 3_500, customers: int = 160, seed: int = 0):
    """Orders by customers who buy unevenly (gamma-distributed shares); ``missing`` of them have no customer
    (``tests/unit/test_streamed_repeated_keys.py`` uses it)."""
    rng = np.random.default_rng(seed)
    picked = rng.choice(10**6, customers, replace=False)
    ids: np.ndarray = picked + 10**6 if numeric else np.array([f"C{v:06d}" for v in picked], dtype=object)
    shares = rng.gamma(2.0, 1.0, customers)
    customer = pd.Series(ids[rng.choice(customers, n, p=shares / shares.sum())])
    customer[rng.random(n) < missing] = None
    return pd.DataFrame(
        {
            "order_id": np.arange(n) + 5_000,
            "customer_id": customer.astype("float64") if numeric else customer,
            "amount": rng.gamma(2.0, 30.0, n).round(2),
            "channel": rng.choice(list("abc"), n),
        }
    )


def spread(frame: pd.DataFrame, key: str, amount: str | None) -> dict[str, float]:
    """Distinct keys and rows per key of ``frame[key]``; with ``amount``, corr(rows of a key, its mean amount)."""
    counts = frame[key].value_counts()
    out = {
        "keys": float(len(counts)),
        "mean": float(counts.mean()),
        "sd": float(counts.std()),
        "max": float(counts.max()),
        **{f"q{int(q * 100)}": float(counts.quantile(q)) for q in (0.5, 0.9, 0.99)},
    }
    if amount is not None:
        means = pd.to_numeric(frame[amount], errors="coerce").groupby(frame[key]).mean()
        out["corr"] = float(np.corrcoef(counts.reindex(means.index), means)[0, 1])
    return out


def _row(label: str, stats: dict[str, float]) -> str:
    cells = [f"{name} {value:.1f}" if name != "corr" else f"corr {value:+.2f}" for name, value in stats.items()]
    return f"  {label:<9} " + ", ".join(cells)


def compare(name: str, real: pd.DataFrame, key: str, amount: str | None = None) -> None:
    schema = synth.infer_schema(real).with_column(key, kind=synth.ColumnKind.IDENTIFIER)
    model = synth.create("independent", random_state=0).fit(real, schema)
    one = model.sample(len(real), seed=1)
    streamed = pd.concat(list(iter_rows(model, SampleSpec(len(real), 1, block_rows=700))), ignore_index=True)
    print(f"{name}: {len(real):,} rows, key {key}")
    for label, frame in (("real", real), ("sample", one), ("streamed", streamed)):
        print(_row(label, spread(frame, key, amount if amount in frame else None)))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", action="append", default=[], help="path:key_column[:amount_column]")
    args = parser.parse_args(argv)
    import io

    from benchmarks.fit_tables import hr
    from benchmarks.walk_tables import clinic

    compare("shop orders", orders(), "customer_id", "amount")
    compare("HR staff", hr(2_000), "manager_id", "salary")
    visits = synth.read_table(io.BytesIO(clinic().to_csv(index=False).encode()), name="clinic.csv")
    compare("clinic visits", visits, "patient_id", "length_of_stay")
    for given in args.csv:
        path, key, *amount = given.split(":")
        compare(path, synth.read_table(path), key, amount[0] if amount else None)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
