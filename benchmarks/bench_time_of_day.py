"""Time of day and weekday of synthetic timestamps, per synthesizer (session 21).

Tables (all seeded): the clinic visits (:func:`benchmarks.walk_tables.clinic`: visit_time between 08:00 and
17:59), the same with A&E visits moved to the night (22:00–05:59, the others untouched), the shop orders
(:func:`benchmarks.walk_tables.shop_orders`: tz-offset ordered_at, shipped_at later), and the hourly bike counts
with dteday and hr joined into one timestamp ``ts`` (hr dropped). Each synthesizer is fitted (seed 0) on the table
and asked for as many rows (seed 1); printed per timestamp column: the share of synthetic rows outside the real
hours, the total variation distance (TVD) of the hour-of-day and weekday histograms, and per table its check
(A&E at night: the share of A&E visits at night, real and synthetic; orders: shipped_at before ordered_at;
bikes: the mean absolute gap between real and synthetic mean counts per hour, over the real mean)::

    .venv/bin/python -m benchmarks.bench_time_of_day [--only cart] [--tables clinic,night]
"""

from __future__ import annotations

import argparse
import io
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import walk_tables
from benchmarks.common import ROOT

BIKES = ROOT.parent / "shared" / "datasets" / "bike_sharing_hourly.csv"
TIMES = {"clinic": ("visit_time",), "night": ("visit_time",), "orders": ("ordered_at", "shipped_at"), "bikes": ("ts",)}


def night_clinic(clinic: pd.DataFrame) -> pd.DataFrame:
    """The clinic with its A&E visits moved to 22:00-05:59 (seeded), the others left at 08:00-17:59: a table whose
    times of day have a gap the models must not bridge."""
    night = clinic.copy()
    rng = np.random.default_rng(21)
    ae = night["department"].eq("A&E").to_numpy()
    day = pd.to_datetime(night.loc[ae, "visit_time"]).dt.normalize()
    minutes = (rng.integers(22 * 60, 30 * 60, int(ae.sum())) % (24 * 60)).astype("int64")
    night.loc[ae, "visit_time"] = (day + pd.to_timedelta(minutes, "min")).dt.strftime("%Y-%m-%d %H:%M").to_numpy()
    return night


def tables() -> dict[str, pd.DataFrame]:
    # through CSV, as the walks uploaded them (text timestamps, "" notes read as missing)
    clinic = pd.read_csv(io.StringIO(walk_tables.clinic().to_csv(index=False)))
    night = night_clinic(clinic)
    bikes = pd.read_csv(BIKES)
    ts = pd.to_datetime(bikes["dteday"]) + pd.to_timedelta(bikes["hr"], "h")
    bikes = bikes.drop(columns=["dteday", "hr", "instant"]).assign(ts=ts.dt.strftime("%Y-%m-%d %H:%M"))
    orders = pd.read_csv(io.StringIO(walk_tables.shop_orders().to_csv(index=False)))
    return {"clinic": clinic, "night": night, "orders": orders, "bikes": bikes}


def _times(series: pd.Series) -> pd.Series:
    t = pd.to_datetime(series, errors="coerce", utc=True, format="mixed")
    return t[t.notna()]


def _tvd(a: pd.Series, b: pd.Series, bins: int) -> float:
    pa = np.bincount(a.to_numpy(dtype=int), minlength=bins) / max(len(a), 1)
    pb = np.bincount(b.to_numpy(dtype=int), minlength=bins) / max(len(b), 1)
    return float(0.5 * np.abs(pa - pb).sum())


def column_figures(real: pd.Series, syn: pd.Series) -> dict[str, float]:
    r, s = _times(real), _times(syn)
    hours = set(r.dt.hour.unique())
    return {
        "outside_real_hours": round(float((~s.dt.hour.isin(hours)).mean()), 4),
        "hour_tvd": round(_tvd(r.dt.hour, s.dt.hour, 24), 4),
        "weekday_tvd": round(_tvd(r.dt.weekday, s.dt.weekday, 7), 4),
        "not_whole_minutes": round(float((s.dt.second != 0).mean()), 4),
    }


def table_check(name: str, real: pd.DataFrame, syn: pd.DataFrame) -> dict[str, float]:
    if name == "night":
        out = {}
        for label, frame in (("real", real), ("synthetic", syn)):
            hour = _times(frame.loc[frame["department"].eq("A&E"), "visit_time"]).dt.hour
            out[f"ae_night_{label}"] = round(float(((hour >= 22) | (hour < 6)).mean()), 4)
        return out
    if name == "orders":
        a, b = _times(syn["ordered_at"]), _times(syn["shipped_at"])
        both = a.index.intersection(b.index)
        ra, rb = _times(real["ordered_at"]), _times(real["shipped_at"])
        real_both = ra.index.intersection(rb.index)
        return {
            "shipped_before_ordered": round(float((b[both] < a[both]).mean()), 4),
            "same_day_share_synthetic": round(float((a[both].dt.normalize() == b[both].dt.normalize()).mean()), 4),
            "same_day_share_real": round(
                float((ra[real_both].dt.normalize() == rb[real_both].dt.normalize()).mean()), 4
            ),
        }
    if name == "bikes":
        r = real.groupby(_times(real["ts"]).dt.hour)["cnt"].mean()
        s = syn.groupby(_times(syn["ts"]).dt.hour)["cnt"].mean().reindex(r.index)
        return {"cnt_by_hour_gap": round(float((s - r).abs().mean() / r.mean()), 4)}
    return {}


def main(argv: list[str] | None = None) -> None:
    import synth

    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default=None)
    parser.add_argument("--tables", default="clinic,night,orders,bikes")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    names = [args.only] if args.only else synth.available()
    results = []
    data = tables()
    for table in args.tables.split(","):
        real = data[table]
        schema = synth.infer_schema(real)
        for name in names:
            started = time.perf_counter()
            model = synth.create(name, random_state=0).fit(real, schema)
            fitted = time.perf_counter() - started
            syn = model.sample(len(real), seed=1)
            row = {"table": table, "synthesizer": name, "fit_s": round(fitted, 1)}
            for column in TIMES[table]:
                row[column] = column_figures(real[column], syn[column])
            row.update(table_check(table, real, syn))
            print(json.dumps(row), flush=True)
            results.append(row)
    if args.out:
        Path(args.out).write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main(sys.argv[1:])
