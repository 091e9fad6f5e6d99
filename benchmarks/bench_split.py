"""`synth split` on a seeded visits table: in memory (the dashboard's split) and streamed (a table too large to hold).

A seeded CSV of clinic visits (patients on about four rows each, ward codes with leading zeros, dates, counts with
missing values, amounts, flags) is written to a temporary folder. Each case runs ``synth split`` in a fresh
interpreter and reports its wall time, CPU time (user + system) and peak resident memory (``VmHWM``): the person
column found (as the dashboard finds it) or named with ``--by``, the file split in memory or streamed (the
in-memory limit set to 0 bytes in the child, as for a file over 200 MB). A streamed split looking for the person
reads a seeded sample of up to 1,000,000 rows first. Then the streamed ``--by`` case again on the file's rows
written twice and four times over: its peak memory stays near the same, as the file grows (Arrow's reader reads
up to about 40 blocks ahead, :data:`synth.split_files.CSV_BLOCK_BYTES` each, so a file under ~170 MB is held
whole ahead of the split).

Usage::

    .venv/bin/python -m benchmarks.bench_split                 # 3,000,000 rows; writes results/split.json
    .venv/bin/python -m benchmarks.bench_split --rows 200000   # a quicker run
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import CHILD_PEAK_MB, machine, run_json_child, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "split.json"

_CHILD = (
    CHILD_PEAK_MB
    + r"""
import json, sys, time

streamed, args = sys.argv[1] == "streamed", sys.argv[2:]
t0, c0 = time.perf_counter(), time.process_time()
import synth.split_files
from synth.cli import main
if streamed:
    synth.split_files.IN_MEMORY_BYTES = 0
code = main(["-q", "split", *args])
assert code == 0, code
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "peak_mb": peak_mb()}))
"""
)


def visits(n_rows: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    drugs = rng.integers(0, 5, n_rows).astype(str)
    drugs[rng.random(n_rows) < 0.1] = "NA"
    return pd.DataFrame(
        {
            "patient_id": pd.Series(rng.integers(0, max(n_rows // 4, 1), n_rows)).map("P{:07d}".format),
            "ward": pd.Series(rng.integers(0, 40, n_rows)).map("{:03d}".format),
            "visit": pd.DatetimeIndex(
                np.datetime64("2015-01-01") + rng.integers(0, 3000, n_rows).astype("timedelta64[D]")
            ).strftime("%Y-%m-%d"),
            "drugs": drugs,
            "cost": np.round(rng.lognormal(5, 1, n_rows), 2),
            "admitted": rng.choice(np.array(["yes", "no"]), n_rows),
            "age": rng.integers(0, 100, n_rows),
            "diagnosis": rng.choice(np.array([f"D{i:02d}" for i in range(60)]), n_rows),
        }
    )


CASES = (
    ("in memory, person found", "memory", ()),
    ("in memory, --by patient_id", "memory", ("--by", "patient_id")),
    ("streamed, --by patient_id", "streamed", ("--by", "patient_id")),
    ("streamed, person found in a sample", "streamed", ()),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    # `python -m benchmarks --quick` passes it to every benchmark: a smaller table, written beside the full run's file.
    parser.add_argument("--quick", action="store_true", help="200,000 rows; writes results/split_quick.json")
    args = parser.parse_args()
    if args.quick:
        args.rows = 200_000
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "visits.csv"
        visits(args.rows).to_csv(source, index=False)
        mb = source.stat().st_size / 1e6
        print(f"{args.rows:,} rows, {mb:,.1f} MB CSV")
        print(f"{'case':<40} {'wall s':>8} {'CPU s':>8} {'peak MB':>9} {'MB/s':>7}")
        for label, mode, extra in CASES:
            outputs = ["-o", str(Path(tmp) / "t.csv"), "--holdout", str(Path(tmp) / "h.csv"), "--overwrite"]
            got = run_json_child(
                [sys.executable, "-c", _CHILD, mode, str(source), *extra, *outputs], f"split ({label})"
            )
            results.append({"case": label, "mode": mode, **got, "mb_per_second": mb / got["seconds"]})
            speed = mb / got["seconds"]
            print(f"{label:<40} {got['seconds']:>8.1f} {got['cpu']:>8.1f} {got['peak_mb']:>9,.0f} {speed:>7.1f}")
        body = source.read_text().split("\n", 1)[1]
        for copies in (2, 4):
            with source.open("a") as fh:
                fh.write(body * (copies // 2))  # 1 + 1 = 2 copies, then 2 + 2 = 4
            big = source.stat().st_size / 1e6
            label = f"streamed, --by patient_id, {copies}× the rows"
            outputs = ["-o", str(Path(tmp) / "t.csv"), "--holdout", str(Path(tmp) / "h.csv"), "--overwrite"]
            got = run_json_child(
                [sys.executable, "-c", _CHILD, "streamed", str(source), "--by", "patient_id", *outputs], label
            )
            results.append(
                {"case": label, "mode": "streamed", "csv_mb": big, **got, "mb_per_second": big / got["seconds"]}
            )
            speed = big / got["seconds"]
            print(f"{label:<40} {got['seconds']:>8.1f} {got['cpu']:>8.1f} {got['peak_mb']:>9,.0f} {speed:>7.1f}")
    out = RESULTS.with_name("split_quick.json") if args.quick else RESULTS
    write_results(out, {"rows": args.rows, "csv_mb": mb, "machine": machine(), "cases": results})


if __name__ == "__main__":
    main()
