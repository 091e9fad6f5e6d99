"""What Compare's headline reads on the clinic table with and without a timestamp's time of day (session 21).

The clinic visits (:func:`benchmarks.walk_tables.clinic`, all between 08:00 and 17:59) are split 70/30 (seed 0);
each synthesizer is fitted on the 70% (seed 0) and samples as many rows (seed 1), scored against the 30% holdout.
Two controls: half the holdout as the "synthetic" table against the other half (fresh real data), and the same
fresh rows with each visit moved to a random minute of its own day (every column, day and weekday unchanged). Per
row: univariate accuracy and the holdout's, the time-of-day part's accuracy and the holdout's (when the part is
compared), the discriminator AUC and its reference, and the verdict's level. ``--no-parts`` scores as before
session 21 (timestamps as one number only)::

    .venv/bin/python -m benchmarks.bench_date_parts [--no-parts] [--out results.json]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

from benchmarks import walk_tables

PART = "visit_time · time of day"


def _tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    df = pd.read_csv(io.StringIO(walk_tables.clinic().to_csv(index=False)))
    order = np.random.default_rng(0).permutation(len(df))
    cut = int(len(df) * 0.7)
    return df.iloc[order[:cut]].reset_index(drop=True), df.iloc[order[cut:]].reset_index(drop=True)


def _any_minute(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    out = table.copy()
    day = pd.to_datetime(out["visit_time"]).dt.normalize()
    minutes = np.random.default_rng(seed).integers(0, 1440, len(out))
    out["visit_time"] = (day + pd.to_timedelta(minutes, "min")).dt.strftime("%Y-%m-%d %H:%M")
    return out


def score(train: pd.DataFrame, syn: pd.DataFrame, holdout: pd.DataFrame, schema: object) -> dict[str, object]:
    from synth.evaluation.context import EvaluationContext
    from synth.evaluation.fidelity.accuracy import evaluate_accuracy
    from synth.evaluation.fidelity.discriminator import evaluate_discriminator
    from synth.evaluation.fidelity.headline import fidelity_headline

    context = EvaluationContext(train, syn, holdout, schema, seed=0)  # type: ignore[arg-type]
    acc = evaluate_accuracy(context=context)
    disc = evaluate_discriminator(context=context)
    part = next((m for m in acc.columns if m.columns == (PART,)), None)
    return {
        "univariate": round(acc.univariate.value, 3),
        "univariate_holdout": round(acc.univariate.reference or float("nan"), 3),
        "univariate_below_beyond_noise": bool(acc.univariate.below_ceiling),
        "time_of_day": None if part is None else round(part.accuracy, 3),
        "time_of_day_holdout": None if part is None or part.reference is None else round(part.reference, 3),
        "discriminator": round(disc.auc, 3),
        "discriminator_reference": round(disc.reference_auc or float("nan"), 3),
        "verdict": fidelity_headline(acc, disc).level,
    }


def main(argv: list[str] | None = None) -> None:
    import synth

    parser = argparse.ArgumentParser()
    parser.add_argument("--no-parts", action="store_true", help="score timestamps as one number only (before)")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    train, holdout = _tables()
    schema = synth.infer_schema(train)
    half = len(holdout) // 2
    fresh, rest = holdout.iloc[:half].reset_index(drop=True), holdout.iloc[half:].reset_index(drop=True)
    runs: list[tuple[str, pd.DataFrame, pd.DataFrame]] = [
        ("fresh real rows", fresh, rest),
        ("fresh rows, any minute of the day", _any_minute(fresh, 1), rest),
    ]
    for name in synth.available():
        runs.append((name, synth.create(name, random_state=0).fit(train, schema).sample(len(train), seed=1), holdout))
    patch = mock.patch("synth.evaluation.context.patterned_parts", return_value=()) if args.no_parts else None
    results = []
    with patch or mock.patch.dict({}):
        heads = ("univariate (holdout)", "time of day (holdout)", "AUC (ref)")
        print(f"{'synthetic table':34} {heads[0]:>21} {heads[1]:>21} {heads[2]:>13}  verdict")
        for name, syn, ref in runs:
            row = {"table": name, **score(train, syn, ref, schema)}
            results.append(row)
            star = "*" if row["univariate_below_beyond_noise"] else ""
            uni = f"{row['univariate']:.3f} ({row['univariate_holdout']:.3f}){star}"
            tod = "—" if row["time_of_day"] is None else f"{row['time_of_day']:.3f} ({row['time_of_day_holdout']:.3f})"
            auc = f"{row['discriminator']:.3f} ({row['discriminator_reference']:.3f})"
            print(f"{name:34} {uni:>21} {tod:>21} {auc:>13}  {row['verdict']}")
    print("* below fresh real data beyond noise")
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
