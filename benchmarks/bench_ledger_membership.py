"""Membership over people on the bank ledger: how much the default model leaks, against fresh holders, and where.

Session 30's browser walk fitted Pruned CART on the seeded ledger of :mod:`benchmarks.ledger` (4,000 bookings of 300
holders, split 80/20 by ``holder_id`` as the Data page does) and the Privacy page read membership over people at AUC
0.641 (amber). One split leaves 28 non-member holders, so one reading is noisy (its bootstrap interval is about
±0.08): this benchmark pairs every model with *fresh holders* (a second draw of the same generator, as many rows as
train) on the same split, over split seeds 0–5, and reports the mean of each attack over people
(:mod:`synth.evaluation.privacy.people_membership`: distance and DOMIAS density ratio, each person by their best row
and by the mean over their rows). A model is as safe as fresh data when it reads what fresh holders read on the same
splits, not 0.5: the strongest of four attacks over 28 people reads above 0.5 by chance.

It also reruns the attack with the learned columns kept one at a time (``--columns``), which names the column that
carries the signal, and with a higher ``min_category_rows`` (the people a category needs to be emitted).

Usage::

    .venv/bin/python -m benchmarks.bench_ledger_membership            # writes benchmarks/results/ledger_membership.json
    .venv/bin/python -m benchmarks.bench_ledger_membership --columns  # also the column-by-column attack
    .venv/bin/python -m benchmarks.bench_ledger_membership --quick    # splits 0-1 only
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.ledger import ledger

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "ledger_membership.json"
SPLITS = range(6)
#: (label, synthesizer, parameters); "fresh" and "copy" are no synthesizer: fresh holders, train rows resampled.
MODELS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("fresh holders", "fresh", {}),
    ("Pruned CART (default)", "pruned_cart", {}),
    ("Pruned CART, min_category_rows=10", "pruned_cart", {"min_category_rows": 10}),
    ("Pruned CART, min_category_rows=40", "pruned_cart", {"min_category_rows": 40}),
    ("CART", "cart", {}),
    ("independent marginals", "independent", {}),
    ("train rows resampled", "copy", {}),
)


def _synthetic(
    kind: str, params: dict[str, Any], train: pd.DataFrame, fresh: pd.DataFrame, schema: Any, split: int
) -> Any:
    import synth

    if kind == "fresh":  # whole fresh holders, about as many rows as train
        ids = fresh["holder_id"].unique()
        rng = np.random.default_rng(split)
        chosen = rng.permutation(ids)[: round(len(ids) * len(train) / len(fresh))]
        return fresh[fresh["holder_id"].isin(chosen)].reset_index(drop=True)
    if kind == "copy":
        return train.sample(len(train), replace=True, random_state=split).reset_index(drop=True)
    model = synth.create(kind, **params).fit(train, schema, person_column="holder_id")
    return model.sample(len(train), seed=split)


def _people_aucs(train: pd.DataFrame, holdout: pd.DataFrame, syn: pd.DataFrame, schema: Any) -> dict[str, float]:
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.people_membership import person_membership

    people = person_membership(PrivacyInputs(train, holdout, syn, schema, seed=0, person_column="holder_id"), seed=0)
    head = people.headline
    assert head is not None
    return {**{a.name: a.auc.value for a in people.attacks}, "headline": head.auc.value}


def main() -> None:
    import synth

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", action="store_true", help="also attack with each learned column alone")
    parser.add_argument("--quick", action="store_true", help="two splits (python -m benchmarks --quick)")
    args = parser.parse_args()
    splits = range(2) if args.quick else SPLITS
    table = ledger()
    schema = synth.infer_schema(table)
    fresh = ledger(rows=3 * len(table), holders=900, seed=77)
    fresh["holder_id"] = "F" + fresh["holder_id"]  # no fresh holder shares an id with a real one
    learned = list(schema.modelled)
    runs: dict[str, list[dict[str, float]]] = {}
    alone: dict[str, dict[str, list[float]]] = {}
    start = time.perf_counter()
    for split in splits:
        train, holdout = synth.split(table, 0.2, seed=split, by="holder_id")
        for label, kind, params in MODELS:
            syn = _synthetic(kind, params, train, fresh, schema, split)
            runs.setdefault(label, []).append(_people_aucs(train, holdout, syn, schema))
            if args.columns and kind in ("fresh", "pruned_cart", "independent") and not params:
                for column in learned:
                    others = [c for c in learned if c != column]
                    t, h, s = (x.drop(columns=others) for x in (train, holdout, syn))
                    aucs = _people_aucs(t, h, s, schema)
                    alone.setdefault(label, {}).setdefault(column, []).append(aucs["person_distance_mean"])
        print(f"split {split} done ({time.perf_counter() - start:.0f} s)", flush=True)
    out: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "splits": list(splits),
        "mean_over_splits": {
            label: {name: round(float(np.mean([r[name] for r in rs])), 3) for name in rs[0]}
            for label, rs in runs.items()
        },
        "headline_per_split": {label: [round(r["headline"], 3) for r in rs] for label, rs in runs.items()},
    }
    if alone:
        out["distance_mean_column_alone"] = {
            label: {c: round(float(np.mean(v)), 3) for c, v in cols.items()} for label, cols in alone.items()
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
