"""`synth schema` on a CSV over 200 MB: the streaming sampler's peak memory at the block size it parses with.

A file over the 200 MB :func:`synth.read_table` reads whole is sampled by streaming (:mod:`synth.large_tables`):
the rows are counted, then the chosen ones collected, batch by batch. Arrow's CSV reader reads about 40 blocks
ahead of a slower consumer, so the block size bounds what is held ahead of the sample. Each case runs
``synth schema FILE --max-rows 100000`` in a fresh interpreter with the sampler's block size set (32 MB, the size
it parsed with before session 34, and :data:`synth.large_tables.CSV_BLOCK_BYTES`) and reports wall time, CPU time
and peak resident memory (``VmHWM``). The table is bench_split's seeded visits (8 columns), its rows written twice
and four times over. The sampled rows do not depend on the block size (``tests/unit/test_cli_large.py``).

``--gzip`` measures the README's gzipped input instead: the messy customer table
(:mod:`benchmarks.customers_table`, 13 columns with ids, PII, dates and missing values) at 250,000 rows, written
eight times over (2,000,000 rows) and gzipped at level 1, then ``synth fit FILE -s NAME`` at its defaults otherwise
(``--max-rows`` 1,000,000) in a fresh interpreter, once with the Gaussian copula and once with Pruned CART (the
default): the file is decompressed as it is streamed, twice (counting, then collecting the sample), and the model
fitted on the sample.

Usage::

    .venv/bin/python -m benchmarks.bench_large_sample            # 3,000,000 rows ×2 and ×4 (258 and 517 MB)
    .venv/bin/python -m benchmarks.bench_large_sample --quick    # 2,500,000 rows ×2 only
    .venv/bin/python -m benchmarks.bench_large_sample --gzip     # synth fit on a 2,000,000-row .csv.gz
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.bench_split import visits  # noqa: E402
from benchmarks.common import CHILD_PEAK_MB, machine, run_json_child, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "large_sample.json"
GZIP_RESULTS = ROOT / "benchmarks" / "results" / "large_sample_gzip.json"
GZIP_ROWS, GZIP_COPIES = 250_000, 8
GZIP_SYNTHESIZERS = ("gaussian_copula", "pruned_cart")
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

_FIT_CHILD = (
    CHILD_PEAK_MB
    + r"""
import json, sys, time

t0, c0 = time.perf_counter(), time.process_time()
from synth.cli import main
code = main(["-q", "fit", *sys.argv[1:]])
assert code == 0, code
print(json.dumps({"seconds": time.perf_counter() - t0, "cpu": time.process_time() - c0, "peak_mb": peak_mb()}))
"""
)


def gzip_fit() -> list[dict[str, Any]]:
    """``synth fit`` per :data:`GZIP_SYNTHESIZERS` on the customer table written :data:`GZIP_COPIES` times, gzipped."""
    from benchmarks.customers_table import customers

    with tempfile.TemporaryDirectory() as tmp:
        text = customers(GZIP_ROWS, seed=7).to_csv(index=False)
        header, body = text.split("\n", 1)
        source = Path(tmp) / "customers.csv.gz"
        with gzip.open(source, "wt", compresslevel=1, newline="") as fh:
            fh.write(header + "\n" + body * GZIP_COPIES)
        text_mb = (len(header) + 1 + len(body.encode()) * GZIP_COPIES) / 1e6
        gz_mb = source.stat().st_size / 1e6
        rows = GZIP_ROWS * GZIP_COPIES
        print(f"{rows:,} rows: {gz_mb:,.0f} MB gzipped, {text_mb:,.0f} MB of text; the fit takes 1,000,000 of them")
        print(f"{'synthesizer':<16} {'wall s':>8} {'CPU s':>8} {'peak MB':>9}")
        results = []
        for name in GZIP_SYNTHESIZERS:
            argv = [str(source), "-s", name, "-o", str(Path(tmp) / "model.synth"), "--overwrite"]
            got = run_json_child([sys.executable, "-c", _FIT_CHILD, *argv], f"synth fit -s {name} (gzip)")
            print(f"{name:<16} {got['seconds']:>8.1f} {got['cpu']:>8.1f} {got['peak_mb']:>9,.0f}")
            results.append(
                {"synthesizer": name, "rows": rows, "gz_mb": gz_mb, "text_mb": text_mb, "sample_rows": 1_000_000, **got}
            )
    return results


def main() -> None:
    from synth.large_tables import CSV_BLOCK_BYTES

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3_000_000)
    parser.add_argument("--quick", action="store_true", help="2,500,000 rows, written twice only")
    parser.add_argument("--gzip", action="store_true", help="synth fit on a 2,000,000-row gzipped CSV instead")
    args = parser.parse_args()
    if args.gzip:
        write_results(GZIP_RESULTS, {"machine": machine(), "cases": gzip_fit()})
        return
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
