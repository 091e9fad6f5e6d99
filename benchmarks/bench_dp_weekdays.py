"""The DP network's weekdays and dates, with a hidden weekday on every date (session 22) or on the dates a noisy test
finds patterned (session 23, :mod:`synth.synthesizers.dp.patterns`).

Tables (all seeded, read back through CSV): ``closed`` and ``mondays`` (:mod:`benchmarks.bench_weekdays`: visits only
Monday to Friday, 40% of orders on a Monday), the walks' ``clinic`` and ``hr`` (:mod:`benchmarks.walk_tables`: near
uniform weekdays), Bike Sharing (4,000 hours sampled, seed 0; ``dteday`` uniform) and Adult (4,000 rows, no date:
the fit must not change at all). Each is split 70/30 (seed 0); the DP network (ε as given) is fitted on the 70% with
its noise seeded as the tests seed it, one stream per fit (``--fits`` fits per table), and samples as many rows
(seed 1). Printed per date column, the median over the fits (a fit whose range the noise lost is an outlier either
way): the weekday TVD between training and synthetic rows, the TVD of the date over 20 bins at the training
quantiles, and the share of fits that gave the date a hidden weekday; per table a hash of every sample (Adult's must
match between runs). Run once per code version and compare (``--share`` tries another WEEKDAY_TEST_SHARE)::

    PYTHONPATH=<tree> .venv/bin/python benchmarks/bench_dp_weekdays.py --out after.json [--fits 5] [--epsilon 1]
    .venv/bin/python benchmarks/bench_dp_weekdays.py --compare before.json after.json
"""

from __future__ import annotations

import argparse
import hashlib
import io
import itertools
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"


def tables() -> dict[str, pd.DataFrame]:
    from benchmarks import bench_weekdays, walk_tables

    def csv(df: pd.DataFrame) -> pd.DataFrame:
        return pd.read_csv(io.StringIO(df.to_csv(index=False)))

    bike = pd.read_csv(SHARED / "bike_sharing_hourly.csv").sample(4_000, random_state=0).reset_index(drop=True)
    adult = pd.read_csv(SHARED / "adult.csv").sample(4_000, random_state=0).reset_index(drop=True)
    return {
        "closed": csv(bench_weekdays.closed()),
        "mondays": csv(bench_weekdays.mondays()),
        "clinic": csv(walk_tables.clinic()),
        "hr": csv(walk_tables.hr()),
        "bike": csv(bike),
        "adult": csv(adult),
    }


def _dates(series: pd.Series) -> pd.Series:
    return pd.to_datetime(
        series, errors="coerce", format="mixed", dayfirst=bool(series.astype(str).str.match(r"\d\d[./]").any())
    )


def tvd_weekday(real: pd.Series, syn: pd.Series) -> float:
    pa = np.bincount(real.dt.weekday, minlength=7) / max(len(real), 1)
    pb = np.bincount(syn.dt.weekday, minlength=7) / max(len(syn), 1)
    return float(0.5 * np.abs(pa - pb).sum())


def tvd_date(real: pd.Series, syn: pd.Series, bins: int = 20) -> float:
    """TVD over ``bins`` bins at the real quantiles, plus one bin for synthetic dates outside the real range."""
    r = real.astype("int64").to_numpy() / 1e9
    s = syn.astype("int64").to_numpy() / 1e9
    edges = np.unique(np.quantile(r, np.linspace(0, 1, bins + 1)))
    inside = s[(s >= edges[0]) & (s <= edges[-1])]

    def shares(x: np.ndarray, total: int) -> np.ndarray:
        cells = np.clip(np.searchsorted(edges, x, "right") - 1, 0, max(len(edges) - 2, 0))
        return np.bincount(cells, minlength=max(len(edges) - 1, 1)) / max(total, 1)

    outside = 1.0 - len(inside) / max(len(s), 1)
    return float(0.5 * (np.abs(shares(r, len(r)) - shares(inside, len(s))).sum() + outside))


def measure(name: str, real: pd.DataFrame, fits: int, epsilon: float) -> list[dict[str, object]]:
    import synth
    from synth.schema import ColumnKind
    from synth.synthesizers.dp import mechanisms

    order = np.random.default_rng(0).permutation(len(real))
    train = real.iloc[order[: int(len(real) * 0.7)]].reset_index(drop=True)
    schema = synth.infer_schema(train)
    dates = schema.names_of(ColumnKind.DATETIME)
    rows: list[dict[str, object]] = []
    digest = hashlib.sha256()
    started = time.perf_counter()
    for fit in range(fits):
        streams = itertools.count()

        def seeded(fit: int = fit, streams: itertools.count[int] = streams) -> np.random.Generator:
            return np.random.default_rng([20261201, fit, next(streams)])

        mechanisms.private_rng = seeded
        model = synth.create("privbayes", random_state=0, epsilon=epsilon).fit(train, schema)
        syn = model.sample(len(train), seed=1)
        digest.update(pd.util.hash_pandas_object(syn, index=False).to_numpy().tobytes())
        hidden = {w[0] for w in getattr(model, "weekdays_", ())}
        for column in dates:
            r, s = _dates(train[column]).dropna(), _dates(syn[column]).dropna()
            rows.append(
                {
                    "table": name,
                    "column": column,
                    "fit": fit,
                    "hidden": column in hidden,
                    "weekday_tvd": tvd_weekday(r, s) if len(s) else None,
                    "date_tvd": tvd_date(r, s) if len(s) else None,
                }
            )
    rows.append({"table": name, "hash": digest.hexdigest()[:16], "seconds": round(time.perf_counter() - started, 1)})
    return rows


def summary(rows: list[dict[str, object]]) -> dict[tuple[str, str], dict[str, float]]:
    frame = pd.DataFrame([r for r in rows if "column" in r])
    out = {}
    for (table, column), g in frame.groupby(["table", "column"], sort=False):
        out[(str(table), str(column))] = {  # medians: a fit whose date range the noise lost is an outlier either way
            "weekday_tvd": float(g["weekday_tvd"].astype(float).median()),
            "date_tvd": float(g["date_tvd"].astype(float).median()),
            "hidden": float(g["hidden"].mean()),
            "present": int(g["weekday_tvd"].notna().sum()),  # fits whose date released a range
        }
    return out


def compare(before_path: str, after_path: str) -> None:
    before, after = (json.loads(Path(p).read_text()) for p in (before_path, after_path))
    b, a = summary(before["rows"]), summary(after["rows"])
    print(
        f"{'table':8} {'column':18} {'weekday TVD':>16} {'date TVD':>16} {'hidden weekday':>16} {'fits with dates':>16}"
    )
    for key in b:
        x, y = b[key], a.get(key, {})
        print(
            f"{key[0]:8} {key[1]:18} {x['weekday_tvd']:>7.3f} → {y.get('weekday_tvd', float('nan')):<6.3f} "
            f"{x['date_tvd']:>7.3f} → {y.get('date_tvd', float('nan')):<6.3f} "
            f"{x['hidden']:>7.0%} → {y.get('hidden', float('nan')):<6.0%} "
            f"{x['present']:>7} → {y.get('present', 0):<6}"
        )
    hashes = [{r["table"]: r["hash"] for r in run["rows"] if "hash" in r} for run in (before, after)]
    same = [t for t in hashes[0] if hashes[0][t] == hashes[1].get(t)]
    print("samples identical:", ", ".join(same) or "none")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fits", type=int, default=5)
    parser.add_argument("--epsilon", type=float, default=1.0)
    parser.add_argument("--tables", default="closed,mondays,clinic,hr,bike,adult")
    parser.add_argument("--out", default="dp_weekdays.json")
    parser.add_argument("--compare", nargs=2, default=None)
    parser.add_argument("--share", type=float, default=None, help="WEEKDAY_TEST_SHARE to try (session 23 code)")
    args = parser.parse_args(argv)
    if args.compare:
        compare(*args.compare)
        return
    if args.share is not None:
        from synth.synthesizers.dp import patterns

        patterns.WEEKDAY_TEST_SHARE = args.share
    data = tables()
    rows: list[dict[str, object]] = []
    for name in args.tables.split(","):
        got = measure(name, data[name], args.fits, args.epsilon)
        rows.extend(got)
        print(name, got[-1], flush=True)
    Path(args.out).write_text(json.dumps({"epsilon": args.epsilon, "fits": args.fits, "rows": rows}, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main(sys.argv[1:])
