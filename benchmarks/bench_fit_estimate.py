"""The Data page's fit-time estimate against the measured fit, on the walk tables and Adult.

For the session-20 shop orders and the session-21 clinic visits (:mod:`benchmarks.walk_tables`, written as CSV and
read back as an upload is) and UCI Adult, each registered synthesizer is fitted on one core (``SYNTH_FIT_THREADS=1``,
BLAS threads 1), best CPU time of two fits after a warm-up on 60 rows, as ``benchmarks/calibrate_fit.py`` measures.
It prints the estimate (:func:`synth.audit.estimate_fit` on the table's :func:`synth.audit.fit_shape`), the
measured CPU seconds and their ratio, for the shipped calibration and for any others given.

Usage::

    .venv/bin/python -m benchmarks.bench_fit_estimate
    .venv/bin/python -m benchmarks.bench_fit_estimate --calibration old.json   # beside the shipped one
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import SINGLE_THREAD  # noqa: E402

os.environ.update(SINGLE_THREAD)  # before numpy loads (BLAS) and before any fit (CART's threads)

import pandas as pd  # noqa: E402

TABLES = ("orders", "clinic", "adult")


def load(name: str, folder: Path) -> pd.DataFrame:
    """A walk table as the page reads its CSV, or Adult."""
    import synth
    from benchmarks import walk_tables

    if name == "adult":
        return pd.read_csv(io.BytesIO(gzip.decompress((ROOT / "assets" / "adult.csv.gz").read_bytes())))
    path = folder / f"{name}.csv"
    (walk_tables.shop_orders() if name == "orders" else walk_tables.clinic()).to_csv(path, index=False)
    return synth.read_table(path)


def measured_seconds(df: pd.DataFrame, name: str) -> float:
    """Best CPU seconds of two fits (one when the first is over 10 s), after a warm-up fit on 60 rows."""
    import synth

    schema = synth.infer_schema(df)
    small = df.sample(60, random_state=0)
    synth.create(name).fit(small, synth.infer_schema(small))
    spent: list[float] = []
    for _ in range(2):
        start = time.process_time()
        synth.create(name, random_state=0).fit(df, schema)
        spent.append(time.process_time() - start)
        if spent[-1] > 10:
            break
    return min(spent)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calibration", nargs="*", default=[], help="other calibration files to estimate with")
    parser.add_argument("--tables", nargs="*", default=list(TABLES), choices=TABLES)
    args = parser.parse_args(argv)

    import synth
    from synth.audit import estimate_fit, fit_shape, load_calibration

    calibrations = {"shipped": load_calibration(), **{p: json.loads(Path(p).read_text()) for p in args.calibration}}
    print(f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as folder:
        for table in args.tables:
            df = load(table, Path(folder))
            shape = fit_shape(df, synth.infer_schema(df))
            print(f"\n{table} {df.shape[0]:,} x {df.shape[1]}: {shape}")
            for name in synth.available():
                seconds = measured_seconds(df, name)
                cells = []
                for label, calibration in calibrations.items():
                    (estimate,) = estimate_fit(0, 0, [name], calibration, shape=shape)
                    ratio = (estimate.seconds or 0.0) / seconds
                    cells.append(f"{label}: {estimate.seconds:.2f} s ({ratio:.2f})")
                print(f"  {name:<16} measured {seconds:6.2f} s CPU; estimated " + "; ".join(cells), flush=True)
    print(f"\nload average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
