"""Person-level dates and the discriminator on session 40's card transactions (``walk_tables.card_transactions``).

Each account's rows hold one opening date. For each table seed, the table is split 80/20 by account
(``synth.split(by="account.iban")``, seed 0), Pruned CART is fitted on the 80% (seed 0, told the person) and samples
as many rows (seed 1). Printed per seed: the synthetic accounts, the distinct opening dates they hold (real: about
one an account), the dashboard's discriminator AUC against the holdout (``synth.evaluate_discriminator`` with the
person given, as the Compare page runs it) and its reference (train against the same holdout rows), and the AUC with
the opening date left out. What moved in session 40: pooled person values drawn within their blocks' cells, CART's
donor bands counted in people, and the synthetic side's rows kept together by person in the discriminator's split::

    .venv/bin/python -m benchmarks.bench_person_dates [--seeds 1 2 3] [--out benchmarks/results/person_dates.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

from benchmarks.common import machine, tree_commit, write_results  # noqa: E402
from benchmarks.walk_tables import card_transactions  # noqa: E402

PERSON = "account.iban"
DATE = "account.opened"


def measure(seed: int) -> dict[str, Any]:
    import synth
    from synth.evaluation.context import EvaluationContext

    table = card_transactions(seed=seed)
    train, holdout = synth.split(table, holdout=0.2, seed=0, by=PERSON)
    started = time.perf_counter()
    # The IBAN is a key (session 40 reads it so; before, a repeated IBAN read as a category): said, so that a
    # checkout from before session 40 measures the same model.
    schema = synth.infer_schema(train).with_column(PERSON, kind="identifier")
    model = synth.create("pruned_cart", random_state=0).fit(train, schema, person_column=PERSON)
    syn = model.sample(len(train), seed=1)
    dates = syn.groupby(PERSON)[DATE].first()
    scores = synth.evaluate_discriminator(
        context=EvaluationContext(train, syn, holdout, model.schema_, person_column=PERSON)
    )
    kept = [c for c in train.columns if c != DATE]
    without = synth.evaluate_discriminator(
        context=EvaluationContext(
            train[kept], syn[kept], holdout[kept], model.schema_.select(kept), person_column=PERSON
        )
    )
    return {
        "seed": seed,
        "real_accounts": int(train[PERSON].nunique()),
        "real_dates": int(train.groupby(PERSON)[DATE].first().nunique()),
        "synthetic_accounts": len(dates),
        "synthetic_dates": int(dates.nunique()),
        "auc": round(scores.auc, 3),
        "reference_auc": round(float(scores.reference_auc or 0.0), 3),
        "auc_without_date": round(without.auc, 3),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="*", default=[1, 2, 3], help="table seeds")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "person_dates.json")
    args = parser.parse_args(argv)
    rows = [measure(seed) for seed in args.seeds]
    print("seed  accounts (real dates)  synthetic (dates)  AUC vs holdout  reference  AUC without the date")
    for r in rows:
        print(
            f"{r['seed']:>4}  {r['real_accounts']:>8} ({r['real_dates']:>4})      "
            f"{r['synthetic_accounts']:>5} ({r['synthetic_dates']:>4})      {r['auc']:.3f}           "
            f"{r['reference_auc']:.3f}      {r['auc_without_date']:.3f}"
        )
    write_results(
        args.out,
        {
            "benchmark": "person-level opening dates and the discriminator on the card transactions",
            "commit": tree_commit(ROOT),
            "machine": machine(),
            "rows": rows,
        },
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
