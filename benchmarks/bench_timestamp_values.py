"""Train-only timestamps reproduced, per timestamp and date column of the walk tables and the bike counts (session 24).

The rare-value membership test (:func:`synth.evaluate_rare_values`) on every datetime column: fitted on a seeded
80% split (by row, and for the clinic also by ``patient_id``), sampled as many rows; printed per run the column's
excess (train-only share reproduced minus holdout-only share) with the low end of its 95% interval, the hour-of-day
TVD between train and synthetic rows (timestamps only), and the overall quality score
(:func:`synth.evaluate_fidelity`, no sdmetrics, no bootstrap)::

    .venv/bin/python -m benchmarks.bench_timestamp_values [--only cart] [--tables clinic,survey] [--seeds 3]

``--weeks`` compares instead the rules for moving a split timestamp's day by whole weeks
(:func:`synth.synthesizers.weekly_moves.weekly_moves`, session 25): never (session 23), every split day (session 24),
and only where the rows fill their days' clocks (:data:`synth.synthesizers.cart_growing.DENSE_DAYS`), on the bike
hours, the clinic and the shop, CART and Pruned CART, the same seeded splits. Per timestamp: whether the day was
moved, the rare-value excess (train-only timestamps reproduced minus holdout-only ones: the membership test of
tests/unit/test_timestamp_days.py), the day-of-year TVD between train and synthetic rows, and on the bikes the
share of synthetic rows flagged ``holiday`` whose date is a real holiday (and of the other rows). Prints a table,
writes benchmarks/results/timestamp_weeks.json::

    .venv/bin/python -m benchmarks.bench_timestamp_values --weeks [--seeds 3]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import sys
import warnings
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

from benchmarks import walk_tables
from benchmarks.bench_time_of_day import BIKES, _times, _tvd, column_figures
from benchmarks.common import ROOT, machine, tree_commit, write_results

COLUMNS = {
    "clinic": ("visit_time", "discharge_date"),
    "orders": ("ordered_at", "shipped_at", "delivered_on"),
    "survey": ("started", "submitted"),
    "hr": ("hire_date", "termination_date"),
    "bikes": ("ts",),
}
PEOPLE = {"clinic": "patient_id"}


def tables(names: list[str]) -> dict[str, pd.DataFrame]:
    build = {
        "clinic": walk_tables.clinic,
        "orders": walk_tables.shop_orders,
        "survey": walk_tables.survey,
        "hr": walk_tables.hr,
    }
    out = {}
    for name in names:
        if name == "bikes":
            bikes = pd.read_csv(BIKES)
            ts = pd.to_datetime(bikes["dteday"]) + pd.to_timedelta(bikes["hr"], "h")
            out[name] = bikes.drop(columns=["dteday", "hr", "instant"]).assign(ts=ts.dt.strftime("%Y-%m-%d %H:%M"))
        else:  # through CSV, as the walks uploaded them
            out[name] = pd.read_csv(io.StringIO(build[name]().to_csv(index=False)))
    return out


#: The rules ``--weeks`` compares: the least day_time_density at which a split timestamp's days are moved.
WEEK_RULES = {"never": math.inf, "every": 0.0, "dense": None}  # None: the shipped DENSE_DAYS
WEEK_TABLES = "bikes,clinic,orders"
WEEKS_OUT = ROOT / "benchmarks" / "results" / "timestamp_weeks.json"


def holiday_agreement(real: pd.DataFrame, syn: pd.DataFrame) -> dict[str, float]:
    """Of the synthetic bike rows flagged ``holiday``, the share whose date the real calendar flags; and of the
    other rows (what a date drawn blind to the flag gets)."""
    holidays = set(_times(real.loc[real["holiday"].eq(1), "ts"]).dt.normalize())
    on = _times(syn["ts"]).dt.normalize().isin(holidays)
    flagged = syn.loc[on.index, "holiday"].eq(1)
    return {
        "holiday_agreement": round(float(on[flagged].mean()), 4),
        "others_on_holiday": round(float(on[~flagged].mean()), 4),
    }


def day_of_year_tvd(real: pd.Series, syn: pd.Series) -> float:
    """Total variation distance between the day-of-year histograms (366 days) of two timestamp columns."""
    return _tvd(_times(real).dt.dayofyear, _times(syn).dt.dayofyear, 367)


def week_runs(data: dict[str, pd.DataFrame], models: list[str], seeds: int) -> list[dict[str, Any]]:
    """One row per table, model, rule and seed (see the module's docstring)."""
    import synth
    import synth.synthesizers.cart as cart

    rows = []
    for table, df in data.items():
        schema = synth.infer_schema(df)
        timed = [c for c in COLUMNS[table] if _times(df[c]).dt.normalize().ne(_times(df[c])).any()]
        for name in models:
            for rule, least in WEEK_RULES.items():
                for seed in range(seeds):
                    train, hold = synth.split(df, 0.2, seed)
                    with mock.patch.object(cart, "DENSE_DAYS", cart.DENSE_DAYS if least is None else least):
                        model = synth.create(name, random_state=seed).fit(train, schema)
                    syn = model.sample(len(train), seed=seed + 10)
                    rare = synth.evaluate_rare_values(train, syn, hold, schema=model.schema_)
                    row: dict[str, Any] = {"table": table, "model": name, "rule": rule, "seed": seed}
                    for column in timed:
                        step = next(
                            s for s in model.steps_ if model.columns_[s.column].name == column and not s.missing
                        )
                        c = rare.get(column)
                        row[column] = {
                            "moved": int(step.weeks) > 0,
                            "excess": round(c.excess, 4),
                            "flagged": c.flagged,
                            "doy_tvd": round(day_of_year_tvd(train[column], syn[column]), 4),
                        }
                    if table == "bikes":
                        row.update(holiday_agreement(df, syn))
                    print(json.dumps(row), flush=True)
                    rows.append(row)
    return rows


def week_table(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The runs' means over seeds, one line per table, model, rule and timestamp, printed as a table."""
    out = []
    keys = dict.fromkeys((r["table"], r["model"], r["rule"]) for r in rows)
    print(
        f"{'table':7} {'model':11} {'rule':6} {'column':11} {'moved':5} {'excess':>7} {'flagged':>7} "
        f"{'doy TVD':>7} {'holiday':>7} {'others':>6}"
    )
    for table, model, rule in keys:
        runs = [r for r in rows if (r["table"], r["model"], r["rule"]) == (table, model, rule)]
        for column in [k for k in runs[0] if isinstance(runs[0][k], dict)]:
            line = {"table": table, "model": model, "rule": rule, "column": column, "seeds": len(runs)}
            line["moved"] = all(r[column]["moved"] for r in runs)
            line["excess"] = round(float(np.mean([r[column]["excess"] for r in runs])), 4)
            line["flagged"] = sum(r[column]["flagged"] for r in runs)
            line["doy_tvd"] = round(float(np.mean([r[column]["doy_tvd"] for r in runs])), 4)
            for k in ("holiday_agreement", "others_on_holiday"):
                if k in runs[0]:
                    line[k] = round(float(np.mean([r[k] for r in runs])), 4)
            holiday = (
                f"{line['holiday_agreement']:7.1%} {line['others_on_holiday']:6.1%}"
                if "holiday_agreement" in line
                else ""
            )
            print(
                f"{table:7} {model:11} {rule:6} {column:11} {'yes' if line['moved'] else 'no':5} "
                f"{line['excess']:+7.4f} {line['flagged']:>4}/{len(runs)} {line['doy_tvd']:7.4f} {holiday}"
            )
            out.append(line)
    return out


def main(argv: list[str] | None = None) -> None:
    import synth

    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="cart,pruned_cart")
    parser.add_argument("--tables", default=None)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--weeks", action="store_true", help="compare the rules for moving days by weeks")
    args = parser.parse_args(argv)
    if args.weeks:
        from synth.synthesizers.cart_growing import DENSE_DAYS

        rows = week_runs(tables((args.tables or WEEK_TABLES).split(",")), args.only.split(","), args.seeds)
        summary = week_table(rows)
        payload = {"dense_days": DENSE_DAYS, "commit": tree_commit(ROOT), "machine": machine()}
        write_results(WEEKS_OUT, {**payload, "summary": summary, "runs": rows})
        return
    data = tables((args.tables or "clinic,orders,survey,hr,bikes").split(","))
    for table, df in data.items():
        schema = synth.infer_schema(df)
        for name in args.only.split(","):
            for by in (None, PEOPLE.get(table)) if table in PEOPLE else (None,):
                for seed in range(args.seeds):
                    train, hold = synth.split(df, 0.2, seed, by=by)
                    model = synth.create(name, random_state=seed).fit(train, schema)
                    syn = model.sample(len(train), seed=seed + 10)
                    rare = synth.evaluate_rare_values(train, syn, hold, schema=model.schema_)
                    fid = synth.evaluate_fidelity(train, syn, schema=model.schema_, run_sdmetrics=False, n_bootstrap=0)
                    row: dict[str, object] = {"table": table, "model": name, "by": by, "seed": seed}
                    row["quality"] = round(float(fid.overall), 4)
                    for column in COLUMNS[table]:
                        c = rare.get(column)
                        figures = {"excess": round(c.excess, 4), "low": round(c.low, 4), "flagged": c.flagged}
                        if any(s[0] == column for s in model.times_):
                            figures["hour_tvd"] = column_figures(train[column], syn[column])["hour_tvd"]
                        row[column] = figures
                    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
