"""Volume benchmark: rows/s per core and peak memory of streaming 1M, 10M and 100M synthetic rows to Parquet.

A Gaussian copula, a sequential CART and Pruned CART (the default) are fitted on UCI Adult (32,561 rows, 15 columns)
and saved. For each size a fresh child process loads the model and runs
``synth.sampling.write_table(model, out.parquet, N)`` (the code behind ``synth sample``), then reports:

* wall s and rows/s (wall);
* CPU s (user + system of the child, every thread) and **rows per CPU-second**: the rows/s one core gives. On
  a shared machine wall time depends on what else runs; CPU time much less, so the per-core rate is the figure
  to compare with the targets (≥ 300,000 rows/s per core for the copula, ≥ 150,000 for CART and Pruned CART);
* peak MB: the child's resident-memory high-water mark (``VmHWM``), Python and libraries included (target
  ≤ 1,024 MB at every size: memory must not grow with N);
* the Parquet file's size (deleted after the run).

Usage::

    .venv/bin/python -m benchmarks.bench_volume                   # 1M, 10M, 100M (100M takes a while)
    .venv/bin/python -m benchmarks.bench_volume --quick           # 200k and 1M
    .venv/bin/python -m benchmarks.bench_volume --sizes 1000000 --synthesizers cart
"""

from __future__ import annotations

import os

# One thread per library: the per-core figure is then the single-process rate.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

from benchmarks.common import ROOT, load_adult, run_json_child  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "volume.json"
SIZES = (1_000_000, 10_000_000, 100_000_000)
QUICK_SIZES = (200_000, 1_000_000)
SYNTHESIZERS = ("gaussian_copula", "cart", "pruned_cart")  # the default synthesizer too
TARGET_ROWS_PER_CORE = {"gaussian_copula": 300_000, "cart": 150_000, "pruned_cart": 150_000}
TARGET_PEAK_MB = 1024


def _peak_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(model_path: str, rows: int, out: str) -> dict[str, Any]:
    import pyarrow as pa

    import synth
    from synth.sampling import write_table

    pa.set_cpu_count(1)
    pa.set_io_thread_count(1)
    model = synth.load_model(model_path)
    before = resource.getrusage(resource.RUSAGE_SELF)
    start_mb = _peak_mb()
    started = time.perf_counter()
    result = write_table(model, out, rows, seed=1)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    size = Path(out).stat().st_size
    Path(out).unlink()
    return {
        "rows": rows,
        "wall_s": wall,
        "cpu_s": cpu,
        "rows_per_s_wall": rows / wall,
        "rows_per_cpu_s": rows / cpu,
        "peak_mb": _peak_mb(),
        "mb_after_load": start_mb,
        "file_mb": size / 1e6,
        "row_groups": -(-rows // result.chunk_rows),
    }


def _fit(name: str, folder: Path) -> Path:
    import synth

    df = load_adult()
    model = synth.create(name, random_state=0).fit(df)
    path = folder / f"{name}.synth"
    model.save(path)
    return path


def _save(out: Path, rows: list[dict[str, Any]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "benchmark": "volume",
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "note": "rows per CPU-second is the per-core rate; wall time was measured on a shared machine",
        "targets": {"rows_per_cpu_s": TARGET_ROWS_PER_CORE, "peak_mb": TARGET_PEAK_MB},
        "results": rows,
    }
    out.write_text(json.dumps(doc, indent=2))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--sizes", type=int, nargs="*")
    parser.add_argument("--synthesizers", nargs="*", default=list(SYNTHESIZERS))
    parser.add_argument("--out-dir", default=None, help="where the Parquet files go (default: a temp folder)")
    parser.add_argument("--results", default=None, help="the JSON to write (default results/volume.json)")
    parser.add_argument("--child", nargs=3, metavar=("MODEL", "ROWS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(_child(args.child[0], int(args.child[1]), args.child[2])))
        return 0
    sizes = args.sizes or (QUICK_SIZES if args.quick else SIZES)
    rows_out: list[dict[str, Any]] = []
    out = Path(args.results) if args.results else RESULTS if not args.quick else RESULTS.with_name("volume_quick.json")
    with tempfile.TemporaryDirectory(dir=args.out_dir) as tmp:
        folder = Path(tmp)
        print(f"{'synthesizer':<16}{'rows':>13}{'wall s':>9}{'CPU s':>9}{'rows/s wall':>13}"
              f"{'rows/CPU-s':>12}{'peak MB':>9}{'file MB':>9}  targets")  # fmt: skip
        for name in args.synthesizers:
            model_path = _fit(name, folder)
            for rows in sizes:
                argv_child = [sys.executable, "-m", "benchmarks.bench_volume", "--child", str(model_path), str(rows)]
                row = run_json_child([*argv_child, str(folder / "out.parquet")], f"{name} {rows:,} rows")
                row["synthesizer"] = name
                row["meets_rate"] = row["rows_per_cpu_s"] >= TARGET_ROWS_PER_CORE.get(name, 0)
                row["meets_memory"] = row["peak_mb"] <= TARGET_PEAK_MB
                rows_out.append(row)
                marks = ("rate ok" if row["meets_rate"] else "rate MISSED") + (
                    ", memory ok" if row["meets_memory"] else ", memory MISSED"
                )
                print(
                    f"{name:<16}{rows:>13,}{row['wall_s']:>9.1f}{row['cpu_s']:>9.1f}{row['rows_per_s_wall']:>13,.0f}"
                    f"{row['rows_per_cpu_s']:>12,.0f}{row['peak_mb']:>9.0f}{row['file_mb']:>9.0f}  {marks}",
                    flush=True,
                )
                _save(out, rows_out)  # after every row: a long run that is stopped keeps what it measured
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
