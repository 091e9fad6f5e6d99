"""A race on a large table, part by part: where the time of one run goes when the training table has 200,000 rows.

The messy customer table (:mod:`benchmarks.customers_table`, 13 columns: ids, PII, dates, a 0.5% fraud flag,
missing values) at ``--rows`` rows (default 250,000), split 80/20 with seed 0, raced through ``synth.race`` with the
Race page's settings, one run per synthesizer named (default: the Gaussian copula and Pruned CART), each sampling as
many rows as it trained on. Each run's time is split by the progress messages the page shows: fit, sample, then
each scored part (accuracy, discriminator, fidelity, utility, privacy distances and membership, the three attacks,
rare values). The privacy parts compare every synthetic row with every training row, as the Privacy page does (no
subsample), so they grow with rows squared.

Usage::

    .venv/bin/python -m benchmarks.bench_race_large                       # results/race_large.json
    .venv/bin/python -m benchmarks.bench_race_large --rows 50000 --synthesizers gaussian_copula
    .venv/bin/python -m benchmarks.bench_race_large --quick               # 20,000 rows, the copula
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import machine, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "race_large.json"
#: A run's progress message starts with the part it is in ("scoring privacy", "sampling 200,000 rows", ...).
PARTS = {
    "fitting": "fit",
    "preparing": "fit",
    "choosing": "fit",
    "learning": "fit",
    "fitted": "fit",
    "sampling": "sample",
    "drawing": "sample",
    "sampled": "sample",
    "scoring accuracy": "accuracy",
    "scoring discriminator": "discriminator",
    "scoring fidelity": "fidelity",
    "scoring utility": "utility",
    "scoring privacy": "privacy",
    "scoring attacks": "attacks",
    "scoring rare values": "rare values",
}
COLUMNS = ("fit", "sample", "accuracy", "discriminator", "fidelity", "utility", "privacy", "attacks", "rare values")


class PartClock:
    """Seconds per part of each run, from the race's progress messages ("<run>: <message>")."""

    def __init__(self) -> None:
        self.seconds: dict[str, dict[str, float]] = {}
        self._at = time.perf_counter()
        self._where: tuple[str, str] | None = None

    def __call__(self, fraction: float, message: str) -> None:
        now = time.perf_counter()
        if self._where is not None:
            run, part = self._where
            self.seconds.setdefault(run, {}).setdefault(part, 0.0)
            self.seconds[run][part] += now - self._at
        self._at = now
        run, _, what = message.partition(": ")
        if not what:  # "race finished"
            self._where = None
            return
        part = next((p for lead, p in PARTS.items() if what.startswith(lead)), None)
        if part is not None:
            self._where = (run, part)
        elif self._where is None or self._where[0] != run:
            self._where = (run, "fit")


def main(argv: list[str]) -> int:
    import synth
    from benchmarks.customers_table import customers
    from synth.report.race import Contender

    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=250_000)
    parser.add_argument("--synthesizers", default="gaussian_copula,pruned_cart")
    parser.add_argument("--quick", action="store_true", help="20,000 rows, the copula only")
    args = parser.parse_args(argv)
    rows, names = (20_000, ["gaussian_copula"]) if args.quick else (args.rows, args.synthesizers.split(","))

    table = customers(rows, seed=7)
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, 0.2, seed=0)
    clock = PartClock()
    t0 = time.perf_counter()
    result = synth.race(train, holdout, [Contender(n) for n in names], schema=schema, progress=clock)
    total = time.perf_counter() - t0
    print(f"race on {len(train):,} training rows, {len(train):,} synthetic rows per run ({len(holdout):,} holdout)")
    print(f"{'run':22s}" + "".join(f"{c:>14s}" for c in COLUMNS) + f"{'total s':>10s}")
    out_runs = []
    for run in result.runs:
        parts = clock.seconds.get(run.label, {})
        cells = "".join(f"{parts.get(c, 0.0):14.1f}" for c in COLUMNS)
        print(f"{run.label:22s}{cells}{sum(parts.values()):10.1f}")
        out_runs.append({"run": run.label, "status": run.status, "error": run.error, "seconds": parts})
    print(f"whole race {total:.1f} s")
    write_results(
        RESULTS,
        {
            "benchmark": "a race on the messy customer table at scale, seconds per part of each run",
            "rows": rows,
            "train_rows": len(train),
            "holdout_rows": len(holdout),
            "race_seconds": total,
            "runs": out_runs,
            "machine": machine(),
        },
    )
    return 0 if all(r.status == "ok" for r in result.runs) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
