"""Intake benchmark: read + type a 1,000,000-row × 20-column mixed CSV; also the real datasets.

A seeded CSV with every kind of column the schema knows (keys, codes with leading zeros, integers, floats
with missing markers, categories small and large, yes/no, true/false, ISO and day-first dates, timestamps,
YYYYMMDD integers, emails, phone numbers, free text) is written to a temporary directory. A fresh
subprocess then times ``synth.read_table`` and ``synth.infer_schema`` and reports its peak resident memory
at that point (``VmHWM``: on Linux ``ru_maxrss`` would include the parent's peak at fork time), then times
``synth.audit`` as well. Targets for read + inference: under 10 s and under 2 GB on a 2-core machine.

Usage::

    .venv/bin/python benchmarks/bench_intake.py                 # 1,000,000 rows; writes results/intake.json
    .venv/bin/python benchmarks/bench_intake.py --rows 200000   # a quicker run
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import run_json_child  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "intake.json"
DATASETS = ROOT.parent / "shared" / "datasets"
TARGET_SECONDS = 10.0
TARGET_MB = 2048.0

_WORDS = np.array(
    ["the", "a", "data", "row", "value", "new", "old", "late", "report", "order", "note", "call", "visit"]
)


def make_mixed_table(n_rows: int, seed: int = 0) -> pd.DataFrame:
    """A seeded table of 20 columns covering every column kind (see the module docstring)."""
    rng = np.random.default_rng(seed)
    days = np.datetime64("2015-01-01") + rng.integers(0, 3000, n_rows).astype("timedelta64[D]")
    dates = pd.DatetimeIndex(days)
    stamps = pd.DatetimeIndex(days.astype("datetime64[s]") + rng.integers(0, 86_400, n_rows).astype("timedelta64[s]"))
    first = np.array(["james", "mary", "john", "linda", "david", "susan", "maria", "wei", "ahmed", "olga"])
    last = np.array(["smith", "jones", "garcia", "chen", "muller", "rossi", "kim", "singh", "novak", "silva"])
    amount = pd.Series(np.round(rng.normal(100, 30, n_rows), 2)).astype(str)
    amount[rng.random(n_rows) < 0.2] = "NA"
    words = _WORDS[rng.integers(0, len(_WORDS), (n_rows, 7))]
    comment = pd.Series(words[:, 0])
    for j in range(1, words.shape[1]):
        comment = comment + " " + words[:, j]
    return pd.DataFrame(
        {
            "id": np.arange(1, n_rows + 1),
            "customer_code": pd.Series(rng.permutation(n_rows) + 10_000_000).map("C{:08d}".format),
            "zip": pd.Series(rng.integers(501, 99_950, n_rows)).map("{:05d}".format),
            "age": rng.integers(18, 91, n_rows),
            "income": np.round(rng.lognormal(10, 1, n_rows), 2),
            "score": np.round(rng.normal(0, 1, n_rows), 4),
            "visits": rng.poisson(3, n_rows),
            "segment": rng.choice(np.array(["A", "B", "C", "D", "E"]), n_rows),
            "state": rng.choice(np.array([f"S{i:02d}" for i in range(50)]), n_rows),
            "city": rng.choice(np.array([f"City {i}" for i in range(2000)]), n_rows),
            "member": rng.choice(np.array(["yes", "no"]), n_rows),
            "active": rng.choice(np.array(["true", "false"]), n_rows),
            "signup_date": dates.strftime("%Y-%m-%d"),
            "last_seen": stamps.strftime("%Y-%m-%d %H:%M:%S"),
            "birth_date": pd.DatetimeIndex(days - np.timedelta64(14_600, "D")).strftime("%d/%m/%Y"),
            "ymd": (dates.year * 10_000 + dates.month * 100 + dates.day).to_numpy(),
            "email": pd.Series(rng.choice(first, n_rows))
            + "."
            + rng.choice(last, n_rows)
            + pd.Series(rng.integers(1, 100_000, n_rows)).astype(str)
            + "@example.com",
            "phone": "("
            + pd.Series(rng.integers(200, 1000, n_rows)).astype(str)
            + ") "
            + pd.Series(rng.integers(200, 1000, n_rows)).astype(str)
            + "-"
            + pd.Series(rng.integers(1000, 10_000, n_rows)).astype(str),
            "comment": comment,
            "amount": amount,
        }
    )


_CHILD = r"""
import json, resource, sys, time

def peak_mb():
    # VmHWM is this process's own peak; ru_maxrss would include the parent's peak at fork time on Linux.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

t0 = time.perf_counter()
import synth
from synth.audit import audit
t1 = time.perf_counter()
path, max_rows = sys.argv[1], int(sys.argv[2])
df = synth.read_table(path, max_bytes=None, max_rows=max_rows)
t2 = time.perf_counter()
schema = synth.infer_schema(df)
t3 = time.perf_counter()
peak_intake = peak_mb()
report = audit(df, schema)
t4 = time.perf_counter()
peak_total = peak_mb()
print(json.dumps({
    "rows": len(df), "columns": df.shape[1],
    "import_s": t1 - t0, "read_s": t2 - t1, "infer_s": t3 - t2, "audit_s": t4 - t3,
    "peak_mb_intake": peak_intake, "peak_mb_with_audit": peak_total,
    "kinds": {c.name: c.kind.value for c in schema},
    "findings": sorted(report.codes()),
}))
"""


def run_child(path: Path, max_rows: int) -> dict[str, Any]:
    """Read, type and audit ``path`` in a fresh interpreter; its timings and peak memory."""
    return run_json_child([sys.executable, "-c", _CHILD, str(path), str(max_rows)], f"intake of {path.name}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table and write ``benchmarks/results/intake.json``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-real", action="store_true", help="skip the real datasets")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="synth-intake-") as tmp:
        path = Path(tmp) / f"mixed_{args.rows}x20.csv"
        start = time.perf_counter()
        table = make_mixed_table(args.rows, args.seed)
        pacsv.write_csv(pa.Table.from_pandas(table, preserve_index=False), path)
        del table
        made = time.perf_counter() - start
        print(f"generated {path.name}: {path.stat().st_size / 1e6:,.0f} MB in {made:.1f} s")
        mixed = run_child(path, max(args.rows, 1))
        mixed.update(name=path.name, bytes=path.stat().st_size, synthetic=True)
        results.append(mixed)
    if not args.no_real:
        for csv in sorted(DATASETS.glob("*.csv")):
            real = run_child(csv, 1_000_000)
            real.update(name=csv.name, bytes=csv.stat().st_size, synthetic=False)
            results.append(real)

    header = f"{'table':<28}{'rows':>10}{'cols':>5}{'read s':>8}{'infer s':>8}{'intake s':>9}{'peak MB':>9}"
    header += f"{'audit s':>8}{'peak MB+audit':>14}"
    print(header)
    print("-" * len(header))
    for r in results:
        intake = r["read_s"] + r["infer_s"]
        print(
            f"{r['name']:<28}{r['rows']:>10,}{r['columns']:>5}{r['read_s']:>8.2f}{r['infer_s']:>8.2f}"
            f"{intake:>9.2f}{r['peak_mb_intake']:>9.0f}{r['audit_s']:>8.2f}{r['peak_mb_with_audit']:>14.0f}"
        )
    big = results[0]
    intake_s = big["read_s"] + big["infer_s"]
    passed = intake_s < TARGET_SECONDS and big["peak_mb_intake"] < TARGET_MB
    print(
        f"\n{big['name']}: read + infer {intake_s:.2f} s (target < {TARGET_SECONDS:.0f} s), peak "
        f"{big['peak_mb_intake']:.0f} MB (target < {TARGET_MB:.0f} MB): {'PASS' if passed else 'FAIL'}"
    )
    document = {
        "benchmark": "intake: synth.read_table + synth.infer_schema (+ synth.audit), fresh subprocess each",
        "targets": {"seconds": TARGET_SECONDS, "peak_mb": TARGET_MB},
        "passed": passed,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "pandas": pd.__version__,
            "pyarrow": pa.__version__,
            "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%d %H:%M"),
        },
        "results": results,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
