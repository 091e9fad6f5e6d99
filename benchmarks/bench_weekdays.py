"""Day of week of synthetic dates, per synthesizer, before and after the hidden weekday column (session 22).

Tables (all seeded): ``closed``, 4,000 clinic visits only Monday to Friday (08:00–17:59, department A only on
Mondays, a discharge date 0–3 days later); ``mondays``, 5,000 shop orders of which 40% on a Monday (the rest
Tuesday to Sunday); the walks' clinic visits and shop orders (:mod:`benchmarks.walk_tables`: near-uniform
weekdays, so no model without a guarantee adds the column there). Each table is split 70/30 (seed 0); each
synthesizer is fitted on the 70% (seed 0), with and without the hidden weekday (``before``:
:func:`synth.synthesizers.weekdays.split_weekdays` switched off, as the models were), and samples as many rows
(seed 1). Printed per table and synthesizer for its date column: the weekday TVD between the training rows and the
synthetic rows, the share of synthetic rows on a weekday no real row falls on, and Compare's accuracy of the
``day of week`` part against the holdout (the holdout's own in brackets; "—" where Compare finds no pattern)::

    .venv/bin/python -m benchmarks.bench_weekdays [--only cart] [--tables closed,mondays] [--out weekdays.json]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

from benchmarks import walk_tables

DATES = {"closed": "visit", "mondays": "ordered", "clinic": "visit_time", "orders": "ordered_at"}


def closed(n: int = 4_000, seed: int = 22) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 700, 3 * n), "D")
    day = day[day.dayofweek < 5][:n]
    dept = np.where(day.dayofweek == 0, rng.choice(["A", "B", "C"], n), rng.choice(["B", "C", "D"], n))
    visit = day + pd.to_timedelta(rng.integers(8 * 60, 18 * 60, n), "min")
    return pd.DataFrame(
        {
            "visit": pd.Series(visit).dt.strftime("%Y-%m-%d %H:%M"),
            "discharge": pd.Series(day + pd.to_timedelta(rng.integers(0, 4, n), "D")).dt.strftime("%Y-%m-%d"),
            "department": dept,
            "cost": np.round(rng.gamma(2, 80, n), 2),
        }
    )


def mondays(n: int = 5_000, seed: int = 22) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    day = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 52, n) * 7 + rng.integers(1, 7, n), "D")
    day = day.where(rng.random(n) >= 0.4, day - pd.to_timedelta(day.dayofweek, "D"))  # 40% Mondays, the rest Tue-Sun
    total = np.round(rng.gamma(2, 30, n) * np.where(day.dayofweek == 0, 1.5, 1.0), 2)
    return pd.DataFrame(
        {
            "ordered": pd.Series(day).dt.strftime("%Y-%m-%d"),
            "channel": rng.choice(["web", "app", "phone"], n, p=[0.5, 0.4, 0.1]),
            "total": total,
        }
    )


def tables() -> dict[str, pd.DataFrame]:
    def csv(df: pd.DataFrame) -> pd.DataFrame:  # through CSV, as an upload reads them
        return pd.read_csv(io.StringIO(df.to_csv(index=False)))

    return {
        "closed": csv(closed()),
        "mondays": csv(mondays()),
        "clinic": csv(walk_tables.clinic()),
        "orders": csv(walk_tables.shop_orders()),
    }


def weekday(series: pd.Series) -> pd.Series:
    t = pd.to_datetime(series, errors="coerce", utc=True, format="mixed")
    return t[t.notna()].dt.weekday


def tvd(a: pd.Series, b: pd.Series) -> float:
    pa = np.bincount(a.to_numpy(dtype=int), minlength=7) / max(len(a), 1)
    pb = np.bincount(b.to_numpy(dtype=int), minlength=7) / max(len(b), 1)
    return float(0.5 * np.abs(pa - pb).sum())


def compare_part(train: pd.DataFrame, syn: pd.DataFrame, holdout: pd.DataFrame, schema: object, part: str) -> tuple:
    """Compare's accuracy of ``part`` and the holdout's (None, None when Compare finds no pattern in it)."""
    from synth.evaluation.context import EvaluationContext
    from synth.evaluation.fidelity.accuracy import evaluate_accuracy

    acc = evaluate_accuracy(context=EvaluationContext(train, syn, holdout, schema, seed=0))  # type: ignore[arg-type]
    got = next((m for m in acc.columns if m.columns == (part,)), None)
    if got is None:
        return None, None
    return round(got.accuracy, 3), None if got.reference is None else round(got.reference, 3)


def measure(table: str, real: pd.DataFrame, name: str, before: bool) -> dict[str, object]:
    import synth

    order = np.random.default_rng(0).permutation(len(real))
    cut = int(len(real) * 0.7)
    train, holdout = real.iloc[order[:cut]].reset_index(drop=True), real.iloc[order[cut:]].reset_index(drop=True)
    schema = synth.infer_schema(train)
    off = mock.patch("synth.synthesizers.base.split_weekdays", lambda data, schema, private: (data, schema, ()))
    started = time.perf_counter()
    with off if before else mock.patch.dict({}):
        model = synth.create(name, random_state=0).fit(train, schema)
    fit_s = time.perf_counter() - started
    syn = model.sample(len(train), seed=1)
    column = DATES[table]
    r, s = weekday(train[column]), weekday(syn[column])
    accuracy, reference = compare_part(train, syn, holdout, schema, f"{column} · day of week")
    return {
        "table": table,
        "synthesizer": name,
        "run": "before" if before else "after",
        "hidden": [w[0] for w in getattr(model, "weekdays_", ())],
        "weekday_tvd": round(tvd(r, s), 4),
        "on_days_no_real_row_has": round(float((~s.isin(set(r))).mean()), 4),
        "compare_weekday_accuracy": accuracy,
        "compare_weekday_holdout": reference,
        "fit_s": round(fit_s, 1),
    }


def main(argv: list[str] | None = None) -> None:
    import synth

    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=None)
    parser.add_argument("--tables", default="closed,mondays,clinic,orders")
    parser.add_argument("--out", default="weekdays.json")
    args = parser.parse_args(argv)
    names = [args.only] if args.only else synth.available()
    data = tables()
    results = []
    print(f"{'table':8} {'synthesizer':16} {'weekday TVD':>16} {'on no real weekday':>20} {'Compare (holdout)':>30}")
    for table in args.tables.split(","):
        for name in names:
            pair = [measure(table, data[table], name, before) for before in (True, False)]
            results.extend(pair)

            def acc(row: dict[str, object]) -> str:
                if row["compare_weekday_accuracy"] is None:
                    return "—"
                return f"{row['compare_weekday_accuracy']:.3f} ({row['compare_weekday_holdout']})"

            b, a = pair
            print(
                f"{table:8} {name:16} {b['weekday_tvd']:>7.3f} → {a['weekday_tvd']:<6.3f} "
                f"{b['on_days_no_real_row_has']:>9.1%} → {a['on_days_no_real_row_has']:<7.1%} "
                f"{acc(b):>14} → {acc(a):<14}",
                flush=True,
            )
    Path(args.out).write_text(json.dumps(results, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
