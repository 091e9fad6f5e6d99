"""Train-only timestamps reproduced, per timestamp and date column of the walk tables and the bike counts (session 24).

The rare-value membership test (:func:`synth.evaluate_rare_values`) on every datetime column: fitted on a seeded
80% split (by row, and for the clinic also by ``patient_id``), sampled as many rows; printed per run the column's
excess (train-only share reproduced minus holdout-only share) with the low end of its 95% interval, the hour-of-day
TVD between train and synthetic rows (timestamps only), and the overall quality score
(:func:`synth.evaluate_fidelity`, no sdmetrics, no bootstrap)::

    .venv/bin/python -m benchmarks.bench_timestamp_values [--only cart] [--tables clinic,survey] [--seeds 3]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import warnings

import pandas as pd

from benchmarks import walk_tables
from benchmarks.bench_time_of_day import BIKES, column_figures

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


def main(argv: list[str] | None = None) -> None:
    import synth

    warnings.filterwarnings("ignore")
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="cart,pruned_cart")
    parser.add_argument("--tables", default="clinic,orders,survey,hr,bikes")
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args(argv)
    data = tables(args.tables.split(","))
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
