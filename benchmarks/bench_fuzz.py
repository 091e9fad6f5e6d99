"""Fuzz benchmark: many more mutated inputs than CI runs, through the same worker harness.

Every format's seed file (CSV, TSV, JSON, JSON Lines, xlsx, Parquet, and a model file of each synthesizer) is
mutated by the corpus of ``tests/fuzz`` (truncation, bit flips, giant declared sizes, deep nesting, zip bombs,
far spreadsheet cells, model array values and shapes) and loaded in a worker subprocess under a 1.5 GB
address-space limit with a per-case timeout. Each outcome is counted: ``loaded`` and ``project_error`` are
allowed; ``unexpected`` (an exception only the readers' catch-all caught), ``other``, ``died`` and
``timeout`` are findings, listed with the mutation that caused them so the case can be replayed.

Cases are drawn with a seeded numpy generator (not hypothesis), so a run is reproducible from ``--seed``.

Usage::

    .venv/bin/python -m benchmarks.bench_fuzz                  # 2,000 cases per format
    .venv/bin/python -m benchmarks.bench_fuzz --cases 200      # a quicker run
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.fuzz import corpus  # noqa: E402
from tests.fuzz.harness import WorkerPool  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "fuzz.json"
FORMATS = ("csv", "tsv", "json", "jsonl", "xlsx", "parquet", *corpus.MODEL_NAMES)
OPS = (*corpus.GENERIC, *corpus.ZIP_OPS, "deep", "far_cell", "model_value", "model_shape")


def draw_ops(rng: np.random.Generator) -> list[tuple[str, int, int, int]]:
    return [
        (str(OPS[rng.integers(len(OPS))]), int(rng.integers(2**31)), int(rng.integers(2**31)), int(rng.integers(1, 65)))
        for _ in range(int(rng.integers(1, 4)))
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=2000, help="cases per format")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per case")
    parser.add_argument("--quick", action="store_true", help="200 cases per format")
    args = parser.parse_args(argv)
    cases = 200 if args.quick else args.cases
    rng = np.random.default_rng(args.seed)
    pool = WorkerPool(timeout=args.timeout)
    rows: list[dict[str, Any]] = []
    findings: list[dict[str, Any]] = []
    slow: list[tuple[float, str, list[tuple[str, int, int, int]]]] = []
    try:
        for fmt in FORMATS:
            counts: Counter[str] = Counter()
            start = time.perf_counter()
            n = cases // 2 if fmt in corpus.MODEL_NAMES else cases
            for _ in range(n):
                ops = draw_ops(rng)
                kind, name, data = corpus.build(fmt, ops)
                outcome = pool.run(kind, name, data)
                counts[outcome.outcome] += 1
                slow.append((float(outcome.detail.get("seconds", args.timeout)), fmt, ops))
                if not outcome.ok:
                    findings.append({"format": fmt, "ops": ops, "outcome": outcome.outcome, "detail": outcome.detail})
            seconds = time.perf_counter() - start
            rows.append({"format": fmt, "cases": n, "seconds": round(seconds, 1), **dict(counts)})
            print(f"{fmt:16s} {n:6d} cases {seconds:7.1f} s  {dict(counts)}", flush=True)
    finally:
        pool.close()
    total = sum(r["cases"] for r in rows)
    print(f"\n{total} cases, {len(findings)} findings, {pool.restarts} worker restarts")
    slow.sort(key=lambda x: -x[0])
    print("slowest cases:", *(f"  {sec:.2f} s {fmt} {ops}" for sec, fmt, ops in slow[:8]), sep="\n")
    for f in findings[:20]:
        print(f"  {f['format']} {f['ops']}: {f['outcome']} {str(f['detail'])[:300]}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": platform.platform(),
                "note": "shared machine (2 cores, other jobs running): times are as measured",
                "seed": args.seed,
                "cases": total,
                "findings": findings,
                "restarts": pool.restarts,
                "slowest": [{"seconds": sec, "format": fmt, "ops": ops} for sec, fmt, ops in slow[:20]],
                "formats": rows,
            },
            indent=2,
            default=str,
        )
    )
    return 1 if findings else 0


if __name__ == "__main__":
    raise SystemExit(main())
