"""Membership over rows when people repeat: how often fresh people read as a significant row-level attack.

The row-level membership attacks (:mod:`synth.evaluation.privacy.membership`) score rows; on a table where one person
has many rows, a person's rows are alike (a holder's bookings; a patient's age and region on every visit), so they are
not independent observations and DeLong's interval over rows is too narrow. Session 30's ledger benchmark read the
over-rows distance attack significant (AUC 0.556, adjusted lower bound 0.522) on split 0 with fresh holders as the
synthetic table. This benchmark gives the synthetic table to *fresh people* (data the model never saw: every
significant reading is a false alarm) over ``--splits`` split seeds of two tables:

* the bank ledger of :mod:`benchmarks.ledger` (300 holders of 3–40 rows, split 80/20 by ``holder_id``);
* the visits table of ``tests/unit/test_people_membership.py`` (1,500 patients of 8 visits, split 70/30 by patient).

For each it reports the over-rows light (the verdict's, adjusted for every attack over rows and people), the share of
splits read significant, the spread (standard deviation) of each row attack's AUC over splits, and the standard error
its stated 95% interval implies (half-width / 1.96): an honest interval states about the spread it shows.

Session 30, 12 splits (splits read amber over rows; the distance attack's AUC spread over splits against the standard
error its interval states):

* ledger: row-wise DeLong (before) 2 of 12 amber (splits 0 and 7), 0.030 against 0.015; clustered by person
  (Obuchowski, after) 0 of 12, 0.030 against 0.032.
* visits: before 0 of 12, 0.0072 against 0.0079; after 0 of 12, 0.0072 against 0.0095.

The visits' rows share only who the patient is (age, region, sex) and draw the rest fresh, so row-wise DeLong was
near right there; a ledger holder's 13 rows on average are alike within the holder.

Usage::

    .venv/bin/python -m benchmarks.bench_rows_clustered            # writes benchmarks/results/rows_clustered.json
    .venv/bin/python -m benchmarks.bench_rows_clustered --splits 4
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.ledger import ledger

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "rows_clustered.json"
Z95 = 1.959964


def _ledger_runs(splits: range) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Any, str]]:
    """Each split of the ledger with fresh holders (whole, about as many rows as train) as the synthetic table."""
    import synth

    table = ledger()
    schema = synth.infer_schema(table)
    fresh = ledger(rows=3 * len(table), holders=900, seed=77)
    fresh["holder_id"] = "F" + fresh["holder_id"]  # no fresh holder shares an id with a real one
    ids = fresh["holder_id"].unique()
    for split in splits:
        train, holdout = synth.split(table, 0.2, seed=split, by="holder_id")
        chosen = np.random.default_rng(split).permutation(ids)[: round(len(ids) * len(train) / len(fresh))]
        yield train, holdout, fresh[fresh["holder_id"].isin(chosen)].reset_index(drop=True), schema, "holder_id"


def _visits_runs(splits: range) -> Iterator[tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Any, str]]:
    """Each split of the visits table with as many fresh patients' visits as train as the synthetic table."""
    import synth
    from tests.unit.test_people_membership import SCHEMA, visits

    table = visits(1500, 8, seed=1)
    fresh = visits(1500, 8, seed=2, first=10**5)
    for split in splits:
        train, holdout = synth.split(table, 0.3, seed=split, by="patient_id")
        people = fresh["patient_id"].unique()
        chosen = np.random.default_rng(split).permutation(people)[: train["patient_id"].nunique()]
        yield train, holdout, fresh[fresh["patient_id"].isin(chosen)].reset_index(drop=True), SCHEMA, "patient_id"


def over_rows(
    train: pd.DataFrame, holdout: pd.DataFrame, syn: pd.DataFrame, schema: Any, person: str
) -> dict[str, Any]:
    """The row-level attacks and their light, as the verdict reads them with the people known."""
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.membership import membership_inference
    from synth.evaluation.privacy.verdict_criteria import Thresholds, _over_rows

    inputs = PrivacyInputs(train, holdout, syn, schema, seed=0, person_column=person)
    mia = membership_inference(train, syn, holdout=holdout, inputs=inputs, shadow=False)
    tests = len(mia.attacks) + (0 if mia.people is None else len(mia.people.attacks))
    level, _ = _over_rows(mia, Thresholds().membership, tests, "attacks")
    head = mia.headline
    assert head is not None
    return {
        "light": level,
        "headline": head.name,
        "headline_auc": round(head.auc.value, 4),
        "auc": {a.name: round(a.auc.value, 4) for a in mia.attacks},
        "half_width": {a.name: round((a.auc.high - a.auc.low) / 2, 4) for a in mia.attacks},
    }


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    names = list(runs[0]["auc"])
    return {
        "splits_not_green": sum(r["light"] != "green" for r in runs),
        "splits": len(runs),
        "headline_auc_per_split": [r["headline_auc"] for r in runs],
        "auc_mean": {n: round(float(np.mean([r["auc"][n] for r in runs])), 4) for n in names},
        "auc_sd_over_splits": {n: round(float(np.std([r["auc"][n] for r in runs], ddof=1)), 4) for n in names},
        "stated_se_mean": {n: round(float(np.mean([r["half_width"][n] for r in runs])) / Z95, 4) for n in names},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=12, help="split seeds 0..N-1 (default 12)")
    args = parser.parse_args()
    splits = range(args.splits)
    out: dict[str, Any] = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "splits": list(splits)}
    start = time.perf_counter()
    for name, runs in (("ledger", _ledger_runs(splits)), ("visits", _visits_runs(splits))):
        results = [over_rows(*run) for run in runs]
        out[name] = {**summary(results), "per_split": results}
        print(f"{name} done ({time.perf_counter() - start:.0f} s)", flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(
        json.dumps(
            {
                k: {kk: vv for kk, vv in v.items() if kk != "per_split"} if isinstance(v, dict) else v
                for k, v in out.items()
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
