"""One synthetic person, one set of person-level values: before and after, per synthesizer (session 23).

Tables (seeded, :mod:`benchmarks.walk_tables`): the walk's clinic (4,000 visits of 1,145 patients, the person
``patient_id``), shop (5,000 orders, the person ``email``) and visits (about 3,600 visits of 1,200 patients, each
visit's age computed from the patient's date of birth; session 38). Each is split 80/20 by person (seed 0,
``synth.split(df, by=...)``); each synthesizer is fitted on the 80% (seed 0) and samples as many rows (seed 1) three
times from the same fit: ``before`` with the person columns dropped from the model (``people_ = None``: every row drawn
on its own, as every model did), ``random`` held with each person's rows dealt at random (before session 38), ``after``
as fitted (rows dealt to people by their drawn person-level values). Printed per table, synthesizer and side: the share
of people with two or more rows whose rows hold more than one value, over the columns the fit holds per person (mean,
and the worst column), people and rows per person, Compare's accuracy (the holdout's in brackets), the DCR share
(synthetic rows closer to a holdout-sized train sample than the holdout is; ideal 0.5) and its full-train form against
its ideal, the pooled rare-value excess, and for a table with a computed age (visits) the share of rows whose age their
own dates give and the age's correlation with the log cost (real: 1 and its own)::

    .venv/bin/python -m benchmarks.bench_people [--only cart] [--seeds 5] [--out benchmarks/results/people.json]

``--seeds N`` adds the accuracy's mean and standard deviation over sample seeds 1 … N of each side.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import walk_tables
from synth.evaluation.fidelity.person_values import varying as person_varying

MODELS = ("gaussian_copula", "cart", "pruned_cart")
TABLES = {
    "clinic": (walk_tables.clinic, "patient_id"),
    "shop": (walk_tables.shop_orders, "email"),
    "visits": (walk_tables.visits, "patient_id"),
}
#: The sides sampled from one fit: no person held; held, rows dealt to people at random (as before session 38);
#: held, rows dealt by their drawn person-level values (synth.synthesizers.people._dealt).
SIDES = ("before", "random", "after")


def varying(frame: pd.DataFrame, entity: str, columns: list[str]) -> dict[str, float]:
    """Per column: the share of ``entity``'s people with two or more rows whose rows hold more than one value
    (missing counts as a value), as Compare's people check counts it."""
    shares = person_varying(frame, entity, columns)[3]
    return {name: round(share or 0.0, 4) for name, share in shares.items()}


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


@contextmanager
def _dealt_at_random(on: bool) -> Iterator[None]:
    """Rows dealt to people as they were drawn (each person's rows at random) while ``on``."""
    from synth.synthesizers import people

    dealt = people._dealt
    if on:
        people._dealt = lambda frame, entity, codes, *_: (frame, codes)  # type: ignore[assignment]
    try:
        yield
    finally:
        people._dealt = dealt


def _ages(sample: pd.DataFrame, people: object) -> dict[str, object]:
    """For a table whose fit computes an age: the share of rows whose age is the whole years between their own
    dates (real: 1), and the age's correlation with the log of the cost where there is one."""
    from synth.synthesizers.elapsed_rounded import completed_years

    ages = getattr(people, "ages", ())
    if not ages:
        return {}
    birth, later, age = ages[0]
    read = completed_years(
        pd.to_datetime(sample[later]).to_numpy().view(np.int64), pd.to_datetime(sample[birth]).to_numpy().view(np.int64)
    )
    out: dict[str, object] = {"age_kept": round(float((read == sample[age].to_numpy()).mean()), 4)}
    if "cost" in sample.columns:
        out["age_cost_link"] = round(float(np.corrcoef(sample[age], np.log(sample["cost"]))[0, 1]), 3)
    return out


def _accuracies(model: object, train: pd.DataFrame, holdout: pd.DataFrame, when: str, seeds: int) -> dict[str, float]:
    """Compare's accuracy over sample seeds 1 … ``seeds`` of one side (mean and standard deviation): one sample's
    figure moves by a few thousandths on these tables."""
    import synth

    found = []
    for seed in range(1, seeds + 1):
        with _dealt_at_random(when == "random"):
            sample = model.sample(len(train), seed=seed)  # type: ignore[attr-defined]
        found.append(synth.evaluate_accuracy(train, sample, holdout=holdout, schema=model.schema_).overall)  # type: ignore[attr-defined]
    return {"accuracy_mean": round(float(np.mean(found)), 4), "accuracy_sd": round(float(np.std(found)), 4)}


def measure(only: list[str], seeds: int = 1) -> list[dict[str, object]]:
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
            for when in SIDES:
                model.people_ = None if when == "before" else people
                t0 = time.perf_counter()
                with _dealt_at_random(when == "random"):
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
                        **_ages(sample, people),
                        **(_accuracies(model, train, holdout, when, seeds) if seeds > 1 else {}),
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
    parser.add_argument("--seeds", type=int, default=1, help="sample seeds 1 … N for the accuracy's mean and sd")
    args = parser.parse_args()
    rows = measure([m for m in args.only.split(",") if m], args.seeds)
    shown = pd.DataFrame(rows).drop(columns=["varying"])
    print(shown.to_string(index=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2, default=str))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
