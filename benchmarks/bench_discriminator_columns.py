"""Which columns a discriminator uses to tell synthetic rows from real ones: drop-one AUC per column.

A gradient-boosted classifier (scikit-learn's HistGradientBoosting, categories native, dates as day numbers) is
trained to tell training rows from synthetic rows of the same count; its ROC AUC is estimated by 3-fold
cross-validation on all columns, then with each column left out. A column whose removal lowers the AUC most is the
one the synthetic table gives itself away by: a broken exact rule (a total that is not the sum of its parts, a
weekday that does not match the date) shows as a large drop on the columns it ties together. Each synthesizer run
is a row per column; the exact-rule search time on the table is printed too.

Usage::

    .venv/bin/python -m benchmarks.bench_discriminator_columns --data bike_sharing_hourly \\
        --runs pruned_cart pruned_cart:exact_rules=false gaussian_copula gaussian_copula:exact_rules=false
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def encode(frame: pd.DataFrame, schema: Any) -> tuple[pd.DataFrame, list[bool]]:
    """Numbers as numbers, dates as day numbers, labels as codes shared by both tables (categorical flags)."""
    from synth.schema import ColumnKind, coerce_to_schema

    data = coerce_to_schema(frame, schema)
    out: dict[str, np.ndarray] = {}
    categorical = []
    for spec in schema:
        if spec.name not in data.columns:
            continue
        col = data[spec.name]
        if spec.kind is ColumnKind.DATETIME:
            days = pd.to_datetime(col, errors="coerce")
            out[spec.name] = (days - pd.Timestamp("1970-01-01")).dt.total_seconds().to_numpy() / 86_400
            categorical.append(False)
        elif spec.kind in (ColumnKind.CONTINUOUS, ColumnKind.DISCRETE):
            out[spec.name] = pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)
            categorical.append(False)
        elif spec.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            out[spec.name] = col.astype(str).to_numpy()
            categorical.append(True)
    return pd.DataFrame(out), categorical


def auc(x: pd.DataFrame, y: np.ndarray, categorical: list[bool], seed: int) -> float:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    coded = x.copy()
    for name, flag in zip(x.columns, categorical, strict=True):
        if flag:  # codes over both tables at once; at most 255 categories natively, the rest pooled
            codes = pd.factorize(coded[name], sort=True)[0]
            coded[name] = np.minimum(codes, 254)
    model = HistGradientBoostingClassifier(
        max_iter=200, learning_rate=0.1, categorical_features=np.array(categorical, dtype=bool), random_state=seed
    )
    folds = StratifiedKFold(3, shuffle=True, random_state=seed)
    p = cross_val_predict(model, coded, y, cv=folds, method="predict_proba")[:, 1]
    return float(roc_auc_score(y, p))


def drop_one(train: pd.DataFrame, syn: pd.DataFrame, schema: Any, seed: int = 0) -> dict[str, Any]:
    """AUC on all columns, and for each column the AUC without it (and the drop)."""
    real, categorical = encode(train, schema)
    fake, _ = encode(syn[train.columns], schema)
    x = pd.concat([real, fake], ignore_index=True)
    y = np.r_[np.zeros(len(real)), np.ones(len(fake))]
    full = auc(x, y, categorical, seed)
    columns = {}
    for i, name in enumerate(x.columns):
        keep = [c for c in x.columns if c != name]
        without = auc(x[keep], y, [f for j, f in enumerate(categorical) if j != i], seed)
        columns[name] = {"auc_without": without, "drop": full - without}
    return {"auc": full, "columns": columns}


def main(argv: list[str] | None = None) -> int:
    import synth
    from benchmarks.bench_frontier import load
    from benchmarks.common import synthesizer_spec
    from synth.schema import coerce_to_schema
    from synth.synthesizers.derived import rules_of
    from synth.synthesizers.derived_search import find_rules

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="bike_sharing_hourly", help="adult (the peers split) or a shared table")
    parser.add_argument("--runs", nargs="*", default=["pruned_cart", "pruned_cart:exact_rules=false"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    out_path = args.out or ROOT / "benchmarks" / "results" / f"discriminator_columns_{args.data}_seed{args.seed}.json"

    train, _, split = load(args.data)
    schema = synth.infer_schema(train)
    data = coerce_to_schema(train, schema)[schema.modelled]
    start = time.perf_counter()
    rules = find_rules(data, schema.select(schema.modelled), 5, 10)  # Pruned CART's thresholds
    search_s = time.perf_counter() - start
    print(f"{split}; {len(train):,} rows; rule search {search_s:.3f} s (Pruned CART's thresholds):")
    for rule in rules:
        print(f"  {rule.describe()}")
    results = []
    for spec in args.runs:
        name, params = synthesizer_spec(spec)
        model = synth.create(name, random_state=args.seed, **params).fit(train, schema)
        syn = model.sample(len(train), seed=args.seed + 1)
        got = drop_one(train, syn, schema, args.seed)
        got.update(run=spec, rules=[r.describe() for r in rules_of(model)])
        results.append(got)
    names = list(results[0]["columns"])
    head = f"{'column':<20}" + "".join(f"{r['run'][:30]:>32}" for r in results)
    print(head)
    print("-" * len(head))
    print(f"{'AUC, all columns':<20}" + "".join(f"{r['auc']:>32.3f}" for r in results))
    ranked = sorted(names, key=lambda c: -max(r["columns"][c]["drop"] for r in results))
    for c in ranked:
        print(f"{c:<20}" + "".join(f"{r['columns'][c]['drop']:>+32.3f}" for r in results))
    print("(each cell: AUC with every column minus AUC without that column)")
    document = {
        "benchmark": "discriminator drop-one AUC per column (HistGradientBoosting, 3-fold CV, train vs synthetic)",
        "split": split,
        "seed": args.seed,
        "rule_search_s": search_s,
        "results": results,
    }
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {out_path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
