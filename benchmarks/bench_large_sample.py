"""`synth schema` on a CSV over 200 MB: the streaming sampler's peak memory at the block size it parses with.

A file over the 200 MB :func:`synth.read_table` reads whole is sampled by streaming (:mod:`synth.large_tables`):
the rows are counted, then the chosen ones collected, batch by batch. Arrow's CSV reader reads about 40 blocks
ahead of a slower consumer, so the block size bounds what is held ahead of the sample. Each case runs
``synth schema FILE --max-rows 100000`` in a fresh interpreter with the sampler's block size set (32 MB, the size
it parsed with before session 34, and :data:`synth.large_tables.CSV_BLOCK_BYTES`) and reports wall time, CPU time
and peak resident memory (``VmHWM``). The table is bench_split's seeded visits (8 columns), its rows written twice
and four times over. The sampled rows do not depend on the block size (``tests/unit/test_cli_large.py``).

Usage::

    .venv/bin/python -m benchmarks.bench_large_sample            # 3,000,000 rows ×2 and ×4 (258 and 517 MB)
    .venv/bin/python -m benchmarks.bench_large_sample --quick    # 2,500,000 rows ×2 only
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.bench_split import visits  # noqa: E402
from benchmarks.common import CHILD_PEAK_MB, machine, run_json_child, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "large_sample.json"
OLD_BLOCK_BYTES = 32 << 20

_CHILD = (
    CHILD_PEAK_MB
    + r"""
import json, sys, time

block, args = int(sys.argv[1]), sys.argv[2:]
t0, c0 = time.perf_counter(), time.process_time()
import synth.large_tables
from synth.cli import main
synth.large_tables.CSV_BLOCK_BYTES = block
code = main(["-q", "schema", *args])
assert code == 0, code
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "peak_mb": peak_mb()}))
"""
)


def main() -> None:
    from synth.large_tables import CSV_BLOCK_BYTES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--quick", action="store_true", help="2,500,000 rows, written twice only")
    args = parser.parse_args()
    rows = 2_500_000 if args.quick else args.rows
    copies_run = (2,) if args.quick else (2, 4)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "visits.csv"
        visits(rows).to_csv(source, index=False)
        body = source.read_text().split("\n", 1)[1]
        held = 1
        print(f"{'case':<34} {'MB':>6} {'wall s':>8} {'CPU s':>8} {'peak MB':>9}")
        for copies in copies_run:
            with source.open("a") as fh:
                fh.write(body * (copies - held))
            held = copies
            mb = source.stat().st_size / 1e6
            for block in (OLD_BLOCK_BYTES, CSV_BLOCK_BYTES):
                label = f"{copies}× rows, {block >> 20} MB blocks"
                argv = [str(source), "--max-rows", "100000", "-o", str(Path(tmp) / "schema.json"), "--overwrite"]
                got = run_json_child([sys.executable, "-c", _CHILD, str(block), *argv], f"schema ({label})")
                results.append({"case": label, "rows": rows * copies, "csv_mb": mb, "block_bytes": block, **got})
                print(f"{label:<34} {mb:>6,.0f} {got['seconds']:>8.1f} {got['cpu']:>8.1f} {got['peak_mb']:>9,.0f}")
    write_results(RESULTS, {"machine": machine(), "cases": results})


if __name__ == "__main__":
    main()
