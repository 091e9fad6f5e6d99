"""Cost and signal of membership inference over people (:mod:`synth.evaluation.privacy.people_membership`).

On the walk's clinic table (4,000 visits, split 80/20 by patient_id) and a 50,000-row shop table (split by e-mail),
with fresh people of the same generator as the "synthetic" table, it times the row-level membership attacks
(distance, density ratio, targeted; no shadow fits) and the person-level scoring on the same prepared tables, and
reads the AUCs of three synthetic tables on the clinic: fresh people, half the training patients copied whole, and
one visit of one patient in ten copied (the rest fresh).

Usage::

    .venv/bin/python -m benchmarks.bench_people_membership    # writes benchmarks/results/people_membership.json
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from benchmarks.walk_tables import clinic, shop_orders  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "people_membership.json"


def _measure(train: pd.DataFrame, holdout: pd.DataFrame, syn: pd.DataFrame, schema: Any, by: str) -> dict[str, Any]:
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.membership import membership_inference
    from synth.evaluation.privacy.people_membership import person_membership

    # The column the table was split by, as the Privacy page passes it (found alone it is the same since session 24;
    # before, the 50k shop table's pick was a chance-repeating `zip`).
    inputs = PrivacyInputs(train, holdout, syn, schema, seed=0, person_column=by)
    start = time.perf_counter()
    inputs.encoded("train"), inputs.encoded("holdout"), inputs.encoded("synthetic")
    encode = time.perf_counter() - start
    start = time.perf_counter()
    rows = membership_inference(train, syn, holdout=holdout, inputs=inputs, shadow=False)
    both = time.perf_counter() - start
    start = time.perf_counter()
    people = person_membership(inputs, seed=0)
    alone = time.perf_counter() - start
    head = people.headline
    assert head is not None
    return {
        "rows": {"train": len(train), "holdout": len(holdout), "synthetic": len(syn)},
        "person_column": people.column,
        "people": {"members": people.n_members, "non_members": people.n_non_members, "seen": people.n_seen},
        "seconds_encode": round(encode, 2),
        "seconds_rows_and_people": round(both, 2),
        "seconds_people_alone": round(alone, 2),
        "row_aucs": {a.name: round(a.auc.value, 3) for a in rows.attacks},
        "row_adjusted_low": {a.name: round(a.auc_adjusted_low, 3) for a in rows.attacks},
        "people_aucs": {a.name: round(a.auc.value, 3) for a in people.attacks},
        "people_adjusted_low": {a.name: round(a.auc_adjusted_low, 3) for a in people.attacks},
        "people_headline": {"name": head.name, "auc": round(head.auc.value, 3), "advantage": round(head.advantage, 3)},
    }


def main() -> None:
    import synth
    from synth.schema import infer_schema

    out: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    out["load_before"] = os.getloadavg()[0]
    # Clinic: one draw of the walk's generator split by patient: half for train and holdout, half as fresh people.
    whole = clinic(n=8_000, patients=2_600)
    schema = infer_schema(whole)
    known, fresh = synth.split(whole, 0.5, seed=1, by="patient_id")
    train, holdout = synth.split(known, 0.2, seed=0, by="patient_id")
    cases: dict[str, pd.DataFrame] = {"fresh people": fresh.sample(len(train), random_state=0, replace=True)}
    ids = train["patient_id"].unique()
    rng = np.random.default_rng(0)
    half = train[train["patient_id"].isin(rng.choice(ids, len(ids) // 2, replace=False))]
    cases["half the patients copied whole"] = pd.concat([half, fresh.sample(len(train) - len(half), random_state=1)])
    one = train[train["patient_id"].isin(rng.choice(ids, len(ids) // 10, replace=False))].groupby("patient_id").head(1)
    cases["one visit of 1 patient in 10 copied"] = pd.concat([one, fresh.sample(len(train) - len(one), random_state=2)])
    out["clinic"] = {
        name: _measure(train, holdout, syn.reset_index(drop=True), schema, "patient_id") for name, syn in cases.items()
    }
    # 50,000 shop orders (about 28 per e-mail), fresh orders of a second draw as the synthetic table.
    shop = shop_orders(n=50_000)
    shop_schema = infer_schema(shop)
    s_train, s_holdout = synth.split(shop, 0.2, seed=0, by="email")
    s_syn = shop_orders(n=len(s_train), seed=99)
    out["shop_50k"] = _measure(s_train, s_holdout, s_syn, shop_schema, "email")
    out["load_after"] = os.getloadavg()[0]
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
