"""What train-synthetic-test-real scores when only the outcomes are drawn: a reference for issue 14's TSTR target.

Issue 14 asks a synthesizer for a TSTR ROC AUC within 0.005 of TRTR (0.925 against 0.930). A synthetic table's
outcome is a draw from what the model learnt of P(outcome | features), never the training rows' own outcomes.
This benchmark builds a table that gets everything else for free: **the training rows' own features, unchanged,
with each outcome drawn from a gradient-boosted classifier's probabilities**, the classifier cross-fitted (each
row's probability comes from the folds that did not hold it, so no row's label is learnt from itself). The gap
between its TSTR and TRTR is what drawing the outcome from a learnt conditional costs when the features are
perfect.

It is a reference, not a bound: a synthesizer may estimate P(outcome | features) better than one boosted model fitted
on four fifths of the rows (on Bank Marketing's 2,260 training rows Pruned CART's TSTR is above it). Where a
synthesizer's TSTR sits at or above it while TRTR is further off, closing the rest of the gap means learning the
outcome better than a boosted classifier on the real features does, not repairing the features.

For each table (classification targets: the default target of ``synth.evaluate_utility``), on the split that
``bench_frontier`` uses, it prints TRTR, the label-draw table's TSTR over several draws and the TSTR of the
synthesizers named (fitted on the training half, a table of its size, one fit per seed)::

    .venv/bin/python -m benchmarks.bench_tstr_reference                                   # Adult, Bank, California
    .venv/bin/python -m benchmarks.bench_tstr_reference --data adult --draws 5 --seeds 0 1 2 3 4

Writes ``results/tstr_reference.json`` (``--out`` to change). TSTR and TRTR are ``synth.evaluate_utility``'s headline
(HistGradientBoosting, tested on the holdout half): the same figures ``bench_frontier`` prints.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.threads import THREADS  # noqa: E402  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.bench_frontier import load, utility  # noqa: E402
from benchmarks.common import machine, write_results  # noqa: E402

FOLDS = 5


def cross_fitted_probabilities(train: pd.DataFrame, schema: Any, target: str, seed: int) -> tuple[np.ndarray, list]:
    """Each training row's class probabilities from a boosted classifier fitted on the other folds, and the
    classes (as ``synth.evaluation.utility`` labels them)."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.model_selection import StratifiedKFold

    from synth.evaluation.features import FeatureEncoder, labels
    from synth.evaluation.utility.augmentation import FEATURE_KINDS

    features = [s.name for s in schema if s.kind in FEATURE_KINDS and s.name != target]
    encoder = FeatureEncoder.fit(train, schema, features)
    x = encoder.tree_matrix(train)
    y = labels(train[target]).to_numpy(dtype=object)
    classes = sorted(set(y.tolist()), key=str)
    codes = np.array([classes.index(v) for v in y])
    mask = encoder.categorical_mask
    probabilities = np.zeros((len(train), len(classes)))
    for fit_rows, held in StratifiedKFold(FOLDS, shuffle=True, random_state=seed).split(x, codes):
        model = HistGradientBoostingClassifier(
            max_iter=200,
            early_stopping=True,
            n_iter_no_change=10,
            random_state=seed,
            categorical_features=mask if mask.any() else None,
        )
        model.fit(x[fit_rows], codes[fit_rows])
        probabilities[np.ix_(held, model.classes_)] = model.predict_proba(x[held])
    return probabilities, classes


def drawn_labels(probabilities: np.ndarray, classes: list, rng: np.random.Generator) -> np.ndarray:
    """One class per row, drawn from its probabilities."""
    cumulative = np.cumsum(probabilities, axis=1)
    picks = (rng.random(len(probabilities))[:, None] > cumulative[:, :-1]).sum(axis=1)
    return np.asarray(classes, dtype=object)[picks]


def run_table(data: str, draws: int, names: list[str], seeds: list[int]) -> dict[str, Any]:
    import synth
    from synth.evaluation.features import labels
    from synth.evaluation.utility.targets import default_target, task_of

    train, holdout, split = load(data)
    schema = synth.infer_schema(train)
    target = default_target(schema, data=train)
    if target is None or task_of(schema, target, train[target]) != "classification":
        return {"data": data, "split": split, "target": target, "skipped": "not a classification target"}
    start = time.perf_counter()
    _, trtr, task = utility(train, train, holdout, schema)
    probabilities, classes = cross_fitted_probabilities(train, schema, target, seed=0)
    original = dict(zip(labels(train[target]), train[target], strict=True))
    drawn = []
    for k in range(draws):
        table = train.copy()
        # Back to the training column's own values (and type), so only the labels differ from the training rows.
        table[target] = pd.Series(drawn_labels(probabilities, classes, np.random.default_rng(k))).map(original).values
        drawn.append(utility(train, table, holdout, schema)[0])
    agreement = float(np.mean(drawn_labels(probabilities, classes, np.random.default_rng(0)) == labels(train[target])))
    synthesizers = []
    for name in names:
        for seed in seeds:
            model = synth.create(name, random_state=seed).fit(train, schema)
            syn = model.sample(len(train), seed=seed + 1)
            synthesizers.append({"name": name, "seed": seed, "tstr": utility(train, syn, holdout, schema)[0]})
    return {
        "data": data,
        "split": split,
        "target": target,
        "task": task,
        "trtr": trtr,
        "label_draw_tstr": drawn,
        "label_draw_mean": float(np.mean(drawn)),
        "drawn_equals_real_share": agreement,
        "synthesizers": synthesizers,
        "seconds": time.perf_counter() - start,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", nargs="*", default=["adult", "bank_marketing", "california_housing"])
    parser.add_argument("--draws", type=int, default=3, help="label draws of the reference table")
    parser.add_argument("--only", nargs="*", default=["pruned_cart"], help="synthesizers to score beside it")
    parser.add_argument("--seeds", nargs="*", type=int, default=[0, 1, 2])
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "tstr_reference.json")
    args = parser.parse_args(argv)
    results = [run_table(d, args.draws, args.only, args.seeds) for d in args.data]
    print(f"{'table':<22}{'task':<28}{'TRTR':>8}{'label-draw table':>26}  synthesizers (TSTR per seed)")
    print("-" * 110)
    for r in results:
        if "skipped" in r:
            print(f"{r['data']:<22}skipped: {r['target']} is {r['skipped']}")
            continue
        drawn = r["label_draw_tstr"]
        spread = f"{np.mean(drawn):.4f} ({min(drawn):.4f}–{max(drawn):.4f})"
        syn = "; ".join(
            f"{n} " + " / ".join(f"{s['tstr']:.4f}" for s in r["synthesizers"] if s["name"] == n)
            for n in dict.fromkeys(s["name"] for s in r["synthesizers"])
        )
        print(f"{r['data']:<22}{r['task']:<28}{r['trtr']:>8.4f}{spread:>26}  {syn}")
    payload = {
        "benchmark": "TSTR reference: training features with outcomes drawn from a cross-fitted classifier",
        "folds": FOLDS,
        "machine": {**machine(), "threads": THREADS},
        "results": results,
    }
    write_results(args.out, payload)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
