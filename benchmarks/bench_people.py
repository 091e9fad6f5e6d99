"""One synthetic person, one set of person-level values: before and after, per synthesizer (session 23).

Tables (seeded, :mod:`benchmarks.walk_tables`): the walk's clinic (4,000 visits of 1,145 patients, the person
``patient_id``) and shop (5,000 orders, the person ``email``). Each is split 80/20 by person (seed 0,
``synth.split(df, by=...)``); each synthesizer is fitted on the 80% (seed 0) and samples as many rows (seed 1)
twice from the same fit: ``before`` with the person columns dropped from the model (``people_ = None``: every row
drawn on its own, as every model did), ``after`` as fitted. Printed per table, synthesizer and side: the share of
people with two or more rows whose rows hold more than one value, over the columns the fit holds per person (mean,
and the worst column), people and rows per person, Compare's accuracy (the holdout's in brackets), the DCR share
(synthetic rows closer to a holdout-sized train sample than the holdout is; ideal 0.5) and its full-train form
against its ideal, and the pooled rare-value excess::

    .venv/bin/python -m benchmarks.bench_people [--only cart] [--out benchmarks/results/people.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import walk_tables

MODELS = ("gaussian_copula", "cart", "pruned_cart")
TABLES = {"clinic": (walk_tables.clinic, "patient_id"), "shop": (walk_tables.shop_orders, "email")}


def varying(frame: pd.DataFrame, entity: str, columns: list[str]) -> dict[str, float]:
    """Per column: the share of ``entity``'s people with two or more rows whose rows hold more than one value
    (missing counts as a value)."""
    present = frame[frame[entity].notna()]
    present = present[present.groupby(entity)[entity].transform("size") > 1]
    out = {}
    for name in columns:
        values = present[name].astype(object).where(present[name].notna(), "<missing>").astype(str)
        out[name] = round(float((values.groupby(present[entity]).nunique() > 1).mean()), 4)
    return out


def _row(table: str, model: str, when: str, frame: pd.DataFrame, entity: str, held: list[str]) -> dict[str, object]:
    shares = varying(frame, entity, held)
    people = frame[entity].nunique()
    return {
        "table": table,
        "model": model,
        "when": when,
        "people": int(people),
        "rows_per_person": round(float(frame[entity].notna().sum()) / max(people, 1), 2),
        "varying_mean": round(float(np.mean(list(shares.values()))), 4) if shares else None,
        "varying_worst": max(shares.items(), key=lambda kv: kv[1]) if shares else None,
        "varying": shares,
    }


def measure(only: list[str]) -> list[dict[str, object]]:
    import synth

    rows: list[dict[str, object]] = []
    for table, (build, entity) in TABLES.items():
        frame = build()
        train, holdout = synth.split(frame, holdout=0.2, seed=0, by=entity)
        held: list[str] = []
        for name in only:
            t0 = time.perf_counter()
            model = synth.create(name, random_state=0).fit(train)
            fit_s = time.perf_counter() - t0
            people = model.people_
            held = list(people.held) if people is not None else []
            if len(rows) == 0 or rows[-1]["table"] != table:
                rows.append(_row(table, "real (train)", "", train, entity, held))
                print(rows[-1], file=sys.stderr, flush=True)
            for when in ("before", "after"):
                model.people_ = None if when == "before" else people
                t0 = time.perf_counter()
                sample = model.sample(len(train), seed=1)
                sample_s = time.perf_counter() - t0
                acc = synth.evaluate_accuracy(train, sample, holdout=holdout, schema=model.schema_)
                privacy = synth.evaluate_privacy(train, sample, holdout=holdout, schema=model.schema_, membership=False)
                rare = synth.evaluate_rare_values(train, sample, holdout, schema=model.schema_)
                rows.append(
                    {
                        **_row(table, name, when, sample, entity, held),
                        "accuracy": round(float(acc.overall), 4),
                        "holdout_accuracy": None if acc.overall_reference is None else round(acc.overall_reference, 4),
                        "dcr_share": round(float(privacy.dcr_share), 4),
                        "dcr_share_full": round(float(privacy.dcr_share_full), 4),
                        "dcr_share_full_expected": round(float(privacy.dcr_share_full_expected), 4),
                        "rare_excess": round(float(rare.pooled_excess), 4),
                        "fit_s": round(fit_s, 2),
                        "sample_s": round(sample_s, 2),
                    }
                )
                print(rows[-1], file=sys.stderr, flush=True)
            model.people_ = people
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(MODELS))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/people.json"))
    args = parser.parse_args()
    rows = measure([m for m in args.only.split(",") if m])
    shown = pd.DataFrame(rows).drop(columns=["varying"])
    print(shown.to_string(index=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2, default=str))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
