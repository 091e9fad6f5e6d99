"""What counting people costs CART's time-of-day bands (:mod:`synth.synthesizers.band_people`, session 31).

A seeded 200,000-row visit table (:func:`visits`: 65,000 patients, a visit time to the minute between 08:00 and
17:59 and a check-in time to the second) is fitted by CART (seed 0) twice: ``rows`` without a person column and
``people`` told ``patient_id``, its trees grown one at a time (``SYNTH_FIT_THREADS=1``). Printed per mode: the
fit's CPU seconds (``time.process_time``: less dependent on what else a shared machine runs) and wall seconds, and
the CPU seconds spent in the time of day's bands (:func:`synth.synthesizers.rare_bands.within_leaves`, every call
timed: the visit time's and the check-in's). ``--tree`` times another source tree (an older commit checked out
elsewhere), so before and after run the same script::

    PYTHONPATH=. .venv/bin/python -m benchmarks.bench_band_people [--tree /tmp/old] [--rows 200000] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def visits(rows: int = 200_000, patients: int = 65_000, seed: int = 31) -> pd.DataFrame:
    """Visits of patients drawn with Pareto weights (a few come often), each with a department, a visit time to the
    minute in opening hours and a check-in time to the second (mostly rare values, so the column-wide bands work)."""
    rng = np.random.default_rng(seed)
    w = rng.pareto(1.8, patients) + 1
    patient = rng.choice(patients, rows, p=w / w.sum())
    day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, rows), "D")
    visit = day + pd.to_timedelta(rng.integers(480, 1080, rows), "min")
    checkin = visit - pd.to_timedelta(rng.gamma(2.0, 300.0, rows).round(), "s")
    return pd.DataFrame(
        {
            "patient_id": [f"P{p:06d}" for p in patient],
            "department": rng.choice(["A&E", "Cardiology", "Oncology", "Surgery"], rows, p=[0.4, 0.2, 0.2, 0.2]),
            "visit_time": visit.strftime("%Y-%m-%d %H:%M"),
            "checkin": checkin.strftime("%Y-%m-%d %H:%M:%S"),
        }
    )


def measure(rows: int) -> list[dict[str, Any]]:
    import synth
    import synth.synthesizers.cart_growing as growing

    frame = visits(rows)
    schema = synth.infer_schema(frame)
    spent: list[float] = []
    within = growing.within_leaves

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.process_time()
        try:
            return within(*args, **kwargs)
        finally:
            spent.append(time.process_time() - start)

    growing.within_leaves = timed  # type: ignore[assignment]
    out = []
    try:
        for mode, person in (("rows", None), ("people", "patient_id")):
            spent.clear()
            cpu, wall = time.process_time(), time.perf_counter()
            synth.create("cart", random_state=0).fit(frame, schema, person_column=person)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            bands = [round(s, 2) for s in spent]
            out.append({"mode": mode, "fit_cpu_s": round(cpu, 2), "fit_wall_s": round(wall, 2), "bands_cpu_s": bands})
            print(f"{mode:7} fit {cpu:7.2f} s CPU ({wall:.2f} s wall)   time-of-day bands {bands} s CPU", flush=True)
    finally:
        growing.within_leaves = within  # type: ignore[assignment]
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, default=None, help="the source tree to time (default: this one)")
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--out", type=Path, default=None, help="JSON path (default results/band_people.json)")
    args = parser.parse_args(argv)
    if args.tree is not None:
        sys.path.insert(0, str(args.tree.resolve()))
    os.environ["SYNTH_FIT_THREADS"] = "1"  # one tree at a time: each band's CPU seconds are its own
    from benchmarks.common import ROOT, machine, tree_commit, write_results

    tree = args.tree or ROOT
    results = measure(args.rows)
    payload = {"tree": tree_commit(tree), "rows": args.rows, "results": results, "machine": machine()}
    write_results(args.out or ROOT / "benchmarks" / "results" / "band_people.json", payload)


if __name__ == "__main__":
    main()
