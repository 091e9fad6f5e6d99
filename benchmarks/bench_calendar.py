"""A day of the month never past its month's length (:mod:`synth.synthesizers.calendar_pairs`): how many synthetic
Bank Marketing rows hold an impossible date ("31 jun", "30 feb") with and without the calendar, and what keeping it
costs in accuracy and closeness.

Bank Marketing from /work/shared/datasets, split 80/20 with seed 0; each model (CART, Pruned CART, the Gaussian
copula, fitted at seed 0; the DP network at ε = 3 with its category labels declared public, so that every month
is released) samples as many rows as the training table at seed 1, and 20,000 rows at seed 1 for the counts:

* pairs: the calendar pairs the model stores;
* impossible before / after: rows whose day is past its month's length in a leap year (read with the module's
  month names, not its pairs), at the training size and in 20,000 rows, without the calendar and with it; the same
  in 3,000 rows conditioned on month = "jun";
* accuracy (1-/2-/3-way, :func:`synth.evaluate_accuracy`) and the DCR share (:func:`synth.evaluate_privacy`, 0.5
  ideal) of the training-size sample before and after::

    .venv/bin/python -m benchmarks.bench_calendar            # writes benchmarks/results/calendar.json
    .venv/bin/python -m benchmarks.bench_calendar --models cart
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.bench_zero_pairs import TABLES, _scores  # noqa: E402
from benchmarks.common import machine, tree_commit, write_results  # noqa: E402

MODELS = ("independent", "cart", "pruned_cart", "gaussian_copula", "privbayes")
PARAMS: dict[str, dict[str, Any]] = {"privbayes": {"epsilon": 3.0, "public_domain": "categories"}}
RESULTS = ROOT / "benchmarks" / "results" / "calendar.json"
#: Days in each month of a leap year.
LENGTHS = np.asarray([31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.float64)


def impossible(frame: pd.DataFrame) -> int:
    """Rows of Bank's ``day`` past the length of their ``month`` in a leap year."""
    from synth.synthesizers.calendar_pairs import month_of

    months = frame["month"].map(month_of).to_numpy(dtype=np.float64, na_value=np.nan)
    days = pd.to_numeric(frame["day"], errors="coerce").to_numpy(dtype=np.float64)
    known = ~np.isnan(months) & ~np.isnan(days)
    return int(np.count_nonzero(days[known] > LENGTHS[months[known].astype(np.int64) - 1]))


def _counts(model: Any, n: int) -> tuple[pd.DataFrame, int, int, int]:
    """The training-size sample and the impossible rows in it, in 20,000 rows and in 3,000 rows on month = jun."""
    sample = model.sample(n, seed=1)
    big = model.sample(20_000, seed=1)
    jun = model.sample(3_000, seed=2, conditions={"month": "jun"})
    return sample, impossible(sample), impossible(big), impossible(jun)


def measure(train: pd.DataFrame, holdout: pd.DataFrame, name: str) -> dict[str, Any]:
    import synth

    schema = synth.infer_schema(train)
    model = synth.create(name, random_state=0, **PARAMS.get(name, {})).fit(train, schema)
    stored = model.calendar_pairs_
    after, *counts_after = _counts(model, len(train))
    model.calendar_pairs_ = ()
    before, *counts_before = _counts(model, len(train))
    model.calendar_pairs_ = stored
    acc_before, dcr_before = _scores(train, before, holdout, schema)
    acc_after, dcr_after = _scores(train, after, holdout, schema)
    keys = ("train_size", "rows_20k", "jun_3k")
    return {
        "stored": [f"{p.first}={p.first_value} with {p.second}={p.second_value}" for p in stored],
        **{f"before_{k}": v for k, v in zip(keys, counts_before, strict=True)},
        **{f"after_{k}": v for k, v in zip(keys, counts_after, strict=True)},
        "accuracy_before": round(acc_before, 4),
        "accuracy_after": round(acc_after, 4),
        "dcr_share_before": round(dcr_before, 4),
        "dcr_share_after": round(dcr_after, 4),
    }


def run(models: list[str]) -> dict[str, Any]:
    import synth

    train, holdout = synth.split(pd.read_csv(TABLES["bank"]), holdout=0.2, seed=0)
    print(
        f"bank: {len(train):,} training rows ({impossible(train)} impossible), holdout {len(holdout):,} "
        f"({impossible(holdout)})"
    )
    print(
        f"{'model':<16} {'pairs':>5} {'before n/20k/jun':>17} {'after n/20k/jun':>16} {'acc before':>10} "
        f"{'acc after':>9} {'DCR before':>10} {'DCR after':>9}"
    )
    rows: dict[str, Any] = {}
    for name in models:
        r = rows[name] = measure(train, holdout, name)
        before = f"{r['before_train_size']}/{r['before_rows_20k']}/{r['before_jun_3k']}"
        after = f"{r['after_train_size']}/{r['after_rows_20k']}/{r['after_jun_3k']}"
        print(
            f"{name:<16} {len(r['stored']):>5} {before:>17} {after:>16} {r['accuracy_before']:>10.4f} "
            f"{r['accuracy_after']:>9.4f} {r['dcr_share_before']:>10.4f} {r['dcr_share_after']:>9.4f}",
            flush=True,
        )
    return {"machine": machine(), "commit": tree_commit(ROOT), "train_rows": len(train), "models": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(MODELS), help="comma-separated: " + ", ".join(MODELS))
    parser.add_argument("--out", default=str(RESULTS), help="where the JSON goes")
    args = parser.parse_args(argv)
    write_results(Path(args.out), run(args.models.split(",")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
