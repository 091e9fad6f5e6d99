"""Pairs of values no real row holds (:mod:`synth.synthesizers.zero_pairs`): how many synthetic rows hold one with
and without the rule, whether the holdout holds them (a true zero, not sampling luck), and what keeping them costs in
accuracy, closeness and sampling speed.

Per table (Bank Marketing and UCI Adult from /work/shared/datasets, split 80/20 with seed 0) and per model (CART,
Pruned CART, the Gaussian copula, fitted at seed 0, sampling as many rows as the training table at seed 1):

* pairs: the pairs the model stores; the table's pairs (:func:`~synth.synthesizers.zero_pairs.search_zero_pairs`
  on the training rows, every modelled column: the yardstick every count below reads) and the holdout rows holding
  one of them;
* before / after: synthetic rows holding one of the table's pairs with the model's pairs taken out of it and with
  them; replaced: rows still holding one after the redraw rounds (given a kept row's values);
* accuracy (1-/2-/3-way, :func:`synth.evaluate_accuracy`) and the DCR share (:func:`synth.evaluate_privacy`, 0.5
  ideal) before and after; sampling speed (rows/s, best of two) before and after.

Then the table's zero cells by expected count (each value on 20 or more rows): how many, how many the holdout holds,
and how many rows each model drew without the rule, the reading :data:`~synth.synthesizers.zero_pairs.MIN_EXPECTED`
was chosen from::

    .venv/bin/python -m benchmarks.bench_zero_pairs            # writes benchmarks/results/zero_pairs.json
    .venv/bin/python -m benchmarks.bench_zero_pairs --tables bank --models cart
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import best_of, machine, tree_commit, write_results  # noqa: E402

MODELS = ("cart", "pruned_cart", "gaussian_copula")
DATASETS = Path("/work/shared/datasets")
TABLES = {"bank": DATASETS / "bank_marketing.csv", "adult": DATASETS / "adult.csv"}
RESULTS = ROOT / "benchmarks" / "results" / "zero_pairs.json"
#: Lower edges of the expected-count buckets of the threshold table.
EDGES = (5.0, 10.0, 20.0, 30.0, 50.0, 100.0)


def _replaced_rows() -> tuple[list[int], Callable[[], None]]:
    """Count the rows keep_orders gives a kept row's values after the redraw rounds, until restored."""
    from synth.synthesizers import row_orders
    from synth.synthesizers.zero_pairs import zero_rows

    counts: list[int] = []
    original = row_orders.replace_zero_rows

    def counting(body: pd.DataFrame, zeros: Any, broken: np.ndarray) -> bool:
        counts.append(int(zero_rows(body, zeros).sum()))
        return original(body, zeros, broken)

    row_orders.replace_zero_rows = counting  # type: ignore[assignment]

    def restore() -> None:
        row_orders.replace_zero_rows = original  # type: ignore[assignment]

    return counts, restore


def _scores(train: pd.DataFrame, syn: pd.DataFrame, holdout: pd.DataFrame, schema: Any) -> tuple[float, float]:
    import synth

    acc = synth.evaluate_accuracy(train, syn, holdout=holdout, schema=schema)
    priv = synth.evaluate_privacy(train, syn, holdout=holdout, schema=schema, membership=False)
    return float(acc.overall), float(priv.dcr_share)


def measure(train: pd.DataFrame, holdout: pd.DataFrame, name: str, found: tuple[Any, ...]) -> dict[str, Any]:
    import synth
    from synth.synthesizers.zero_pairs import zero_rows

    schema = synth.infer_schema(train)
    model = synth.create(name, random_state=0).fit(train, schema)
    stored = model.zero_pairs_
    pairs = tuple(f.pair for f in found)
    counts, restore = _replaced_rows()
    try:
        after = model.sample(len(train), seed=1)
    finally:
        restore()
    after_s, _ = best_of(lambda: model.sample(len(train), seed=1), 2)
    model.zero_pairs_ = ()
    before_s, before = best_of(lambda: model.sample(len(train), seed=1), 2)
    model.zero_pairs_ = stored
    acc_before, dcr_before = _scores(train, before, holdout, schema)
    acc_after, dcr_after = _scores(train, after, holdout, schema)
    return {
        "stored": [f"{z.first}={z.first_value} with {z.second}={z.second_value}" for z in stored],
        "held_before": int(zero_rows(before, pairs).sum()),
        "held_after": int(zero_rows(after, pairs).sum()),
        "replaced_rows": int(sum(counts)),
        "accuracy_before": round(acc_before, 4),
        "accuracy_after": round(acc_after, 4),
        "dcr_share_before": round(dcr_before, 4),
        "dcr_share_after": round(dcr_after, 4),
        "rows_per_second_before": round(len(train) / before_s),
        "rows_per_second_after": round(len(train) / after_s),
        "_before": before,
    }


def buckets(found: tuple[Any, ...], holdout: pd.DataFrame, samples: dict[str, pd.DataFrame]) -> list[dict[str, Any]]:
    """The zero cells by expected count: how many, how many the holdout holds (and on how many rows), and the rows
    each model drew without the rule."""
    from synth.synthesizers.zero_pairs import zero_rows

    out = []
    for low, high in zip(EDGES, (*EDGES[1:], np.inf), strict=True):
        pairs = tuple(f.pair for f in found if low <= f.expected < high)
        held = [int(zero_rows(holdout, (p,)).sum()) for p in pairs]
        row: dict[str, Any] = {"expected": f"{low:g}-{high:g}", "pairs": len(pairs)}
        row["holdout_pairs"] = sum(h > 0 for h in held)
        row["holdout_rows"] = sum(held)
        for name, syn in samples.items():
            row[name] = int(zero_rows(syn, pairs).sum())
        out.append(row)
    return out


def run(tables: list[str], models: list[str]) -> dict[str, Any]:
    import synth
    from synth.synthesizers.zero_pairs import MIN_ZERO_ROWS, search_zero_pairs, zero_inputs, zero_rows

    results: dict[str, Any] = {"machine": machine(), "commit": tree_commit(ROOT), "tables": {}}
    for table in tables:
        train, holdout = synth.split(pd.read_csv(TABLES[table]), holdout=0.2, seed=0)
        schema = synth.infer_schema(train)
        columns = zero_inputs(train, schema.select(schema.modelled))
        found = search_zero_pairs(columns, MIN_ZERO_ROWS, limit=10**6)
        every = search_zero_pairs(columns, MIN_ZERO_ROWS, min_expected=EDGES[0], limit=10**6)
        in_holdout = int(zero_rows(holdout, tuple(f.pair for f in found)).sum())
        print(
            f"\n{table}: {len(train):,} training rows, {len(found)} pairs, the holdout's {len(holdout):,} rows hold "
            f"{in_holdout}"
        )
        print(
            f"{'model':<16} {'stored':>6} {'before':>6} {'after':>5} {'replaced':>8} {'acc before':>10} "
            f"{'acc after':>9} {'DCR before':>10} {'DCR after':>9} {'rows/s before':>13} {'rows/s after':>12}"
        )
        rows: dict[str, Any] = {}
        for name in models:
            r = measure(train, holdout, name, found)
            rows[name] = r
            print(
                f"{name:<16} {len(r['stored']):>6} {r['held_before']:>6} {r['held_after']:>5} {r['replaced_rows']:>8} "
                f"{r['accuracy_before']:>10.4f} {r['accuracy_after']:>9.4f} {r['dcr_share_before']:>10.4f} "
                f"{r['dcr_share_after']:>9.4f} {r['rows_per_second_before']:>13,} {r['rows_per_second_after']:>12,}",
                flush=True,
            )
        table_rows = buckets(every, holdout, {n: r.pop("_before") for n, r in rows.items()})
        print(
            f"\n{'expected':<10} {'pairs':>5} {'holdout pairs':>13} {'holdout rows':>12} "
            + " ".join(f"{n:>15}" for n in models)
        )
        for b in table_rows:
            print(
                f"{b['expected']:<10} {b['pairs']:>5} {b['holdout_pairs']:>13} {b['holdout_rows']:>12} "
                + " ".join(f"{b[n]:>15}" for n in models)
            )
        results["tables"][table] = {
            "train_rows": len(train),
            "pairs": [f"{f.pair.first}={f.pair.first_value} with {f.pair.second}={f.pair.second_value}" for f in found],
            "holdout_rows_holding": in_holdout,
            "models": rows,
            "by_expected": table_rows,
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="bank,adult", help="comma-separated: bank, adult")
    parser.add_argument(
        "--models", default=",".join(MODELS), help="comma-separated: cart, pruned_cart, gaussian_copula"
    )
    parser.add_argument("--out", default=str(RESULTS), help="where the JSON goes")
    args = parser.parse_args(argv)
    write_results(Path(args.out), run(args.tables.split(","), args.models.split(",")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
