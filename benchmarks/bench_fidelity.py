"""Fidelity benchmark on UCI Adult (26k train rows): our scores against sdmetrics, and a 1M-row synthetic table.

What is timed (median of ``--repeats`` runs, one warm-up first):

* ``ours: shapes + pair trends`` — our column shapes and pair trends, no reference, no intervals: the same
  properties as sdmetrics' QualityReport, so the two times compare directly (target: not slower than sdmetrics);
* ``sdmetrics QualityReport`` — sdmetrics alone on the same tables;
* ``ours: + holdout reference + bootstrap`` — every fidelity score with the holdout reference and 200 seeded
  bootstrap replicates for intervals and gaps (target: ≤ 3 s);
* ``evaluate_fidelity (page default)`` — the above plus sdmetrics' Quality and Diagnostic reports, as the Compare
  page runs it;
* the rest of the page's first render (binned distributions, diagnosis) and the button-driven ML checks
  (detection, train-synthetic-test-real, same-conclusions GLM).

Then a fresh subprocess samples 1,000,000 synthetic rows and runs ``evaluate_fidelity`` and the binned
distributions on them, reporting time and peak memory (``VmHWM`` from /proc, and ``ru_maxrss``; target ≤ 1.5 GB).

Usage::

    .venv/bin/python -m benchmarks.bench_fidelity            # writes benchmarks/results/fidelity.json
    .venv/bin/python -m benchmarks.bench_fidelity --quick    # 200k rows in the large run, 1 repeat
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import load_adult  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "fidelity.json"
TARGET_ALL_SECONDS = 3.0
TARGET_LARGE_MB = 1536.0


def timed(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median seconds of ``repeats`` calls after one warm-up, and the last result."""
    result = fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def peak_mb() -> tuple[float, float]:
    """(VmHWM, ru_maxrss) of this process in MB; VmHWM is NaN where /proc is missing."""
    hwm = float("nan")
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                hwm = float(line.split()[1]) / 1024
    return hwm, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def large_run(n_rows: int) -> dict[str, Any]:
    """In a fresh process: sample ``n_rows`` synthetic rows, score them; time and peak memory."""
    import synth
    from synth.evaluation.fidelity.diagnosis import diagnose
    from synth.evaluation.fidelity.distributions import column_distributions
    from synth.evaluation.fidelity.pair_views import pair_view

    df = load_adult()
    schema = synth.infer_schema(df)
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    model = synth.create("gaussian_copula").fit(train, schema)
    start = time.perf_counter()
    syn = model.sample(n_rows, seed=1)
    sample_s = time.perf_counter() - start
    before_mb = peak_mb()[0]
    start = time.perf_counter()
    fid = synth.evaluate_fidelity(train, syn, holdout=holdout, schema=schema)
    fidelity_s = time.perf_counter() - start
    start = time.perf_counter()
    column_distributions(train, syn, holdout, schema=schema)
    dist_s = time.perf_counter() - start
    start = time.perf_counter()
    diagnose(train, syn, schema=schema, fidelity=fid)
    diagnosis_s = time.perf_counter() - start
    start = time.perf_counter()
    for a, b in (("age", "hours_per_week"), ("age", "sex"), ("sex", "race")):
        pair_view(train, syn, a, b, schema=schema)
    pairs_s = (time.perf_counter() - start) / 3
    hwm, maxrss = peak_mb()
    return {
        "rows": n_rows,
        "sample_seconds": round(sample_s, 3),
        "fidelity_seconds": round(fidelity_s, 3),
        "distributions_seconds": round(dist_s, 3),
        "diagnosis_seconds": round(diagnosis_s, 3),
        "pair_view_seconds": round(pairs_s, 3),
        "peak_mb_after_sampling": round(before_mb, 1),
        "peak_mb": round(hwm, 1),
        "ru_maxrss_mb": round(maxrss, 1),
        "overall": round(fid.overall, 4),
        "sdmetrics_rows": fid.sdmetrics.n_synthetic_rows if fid.sdmetrics else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200k rows in the large run, one repeat")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--rows", type=int, default=None, help="rows of the large synthetic table")
    parser.add_argument("--large-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    large_rows = args.rows or (200_000 if args.quick else 1_000_000)
    if args.large_only:
        print(json.dumps(large_run(large_rows)))
        return 0
    repeats = args.repeats or (1 if args.quick else 3)

    import synth
    from synth.evaluation.fidelity.detection import evaluate_detection
    from synth.evaluation.fidelity.diagnosis import diagnose
    from synth.evaluation.fidelity.distributions import column_distributions
    from synth.evaluation.fidelity.pair_views import pair_view
    from synth.evaluation.fidelity.scores import sdmetrics_quality
    from synth.evaluation.utility.glm import compare_glm
    from synth.evaluation.utility.tstr import evaluate_utility

    df = load_adult()
    schema = synth.infer_schema(df)
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    syn = synth.create("gaussian_copula").fit(train, schema).sample(len(train), seed=1)

    rows: list[dict[str, Any]] = []

    def bench(name: str, fn: Callable[[], Any], n: int = repeats) -> Any:
        seconds, result = timed(fn, n)
        rows.append({"step": name, "seconds": round(seconds, 3)})
        print(f"  {name:<48} {seconds:7.3f} s", flush=True)
        return result

    print(f"Adult: {len(train):,} train / {len(holdout):,} holdout rows; gaussian_copula synthetic, {len(syn):,} rows")
    bench(
        "ours: shapes + pair trends",
        lambda: synth.evaluate_fidelity(train, syn, schema=schema, n_bootstrap=0, run_sdmetrics=False),
    )
    bench("sdmetrics QualityReport", lambda: sdmetrics_quality(train, syn, schema, diagnostic=False))
    full = bench(
        "ours: + holdout reference + bootstrap (200)",
        lambda: synth.evaluate_fidelity(train, syn, holdout=holdout, schema=schema, run_sdmetrics=False),
    )
    page = bench(
        "evaluate_fidelity (page default, + sdmetrics)",
        lambda: synth.evaluate_fidelity(train, syn, holdout=holdout, schema=schema),
    )
    bench("binned distributions (every column)", lambda: column_distributions(train, syn, holdout, schema=schema))
    bench("diagnosis of the 5 worst columns", lambda: diagnose(train, syn, schema=schema, fidelity=page))
    bench("pair view (age × sex, binned)", lambda: pair_view(train, syn, "age", "sex", schema=schema))

    def page_data() -> None:
        """What the Compare page computes for a new run before it can draw: scores, bins, diagnosis."""
        fid = synth.evaluate_fidelity(train, syn, holdout=holdout, schema=schema)
        column_distributions(train, syn, holdout, schema=schema)
        diagnose(train, syn, schema=schema, fidelity=fid)

    bench("Compare page data for a new run", page_data)
    ml_repeats = 1
    bench(
        "detection (HGB + logistic, 3-fold, + reference)",
        lambda: evaluate_detection(train, syn, holdout=holdout, schema=schema),
        ml_repeats,
    )
    util = bench(
        "ML efficacy: TSTR vs TRTR on income",
        lambda: evaluate_utility(train, syn, holdout, target="income", schema=schema),
        ml_repeats,
    )
    glm = bench(
        "same conclusions: logistic GLM on income",
        lambda: compare_glm(train, syn, target="income", holdout=holdout, schema=schema),
        ml_repeats,
    )

    print(f"Large run in a fresh process: {large_rows:,} synthetic rows…", flush=True)
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_fidelity", "--large-only", "--rows", str(large_rows)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    large = json.loads(proc.stdout.strip().splitlines()[-1])
    print(
        f"  {'evaluate_fidelity on ' + format(large_rows, ',') + ' rows':<48} {large['fidelity_seconds']:7.3f} s"
        f"   peak {large['peak_mb']:.0f} MB (ru_maxrss {large['ru_maxrss_mb']:.0f} MB; after sampling alone "
        f"{large['peak_mb_after_sampling']:.0f} MB)"
    )
    for what, key in (("distributions", "distributions_seconds"), ("diagnosis", "diagnosis_seconds")):
        print(f"  {what + ' on ' + format(large_rows, ',') + ' rows':<48} {large[key]:7.3f} s")
    print(f"  {'pair view on ' + format(large_rows, ',') + ' rows':<48} {large['pair_view_seconds']:7.3f} s")

    by_step = {r["step"]: r["seconds"] for r in rows}
    ours, theirs = by_step["ours: shapes + pair trends"], by_step["sdmetrics QualityReport"]
    all_scores = by_step["ours: + holdout reference + bootstrap (200)"]
    checks = {
        "ours_not_slower_than_sdmetrics": ours <= theirs,
        "all_scores_within_3s": all_scores <= TARGET_ALL_SECONDS,
        "large_peak_within_1_5GB": large["peak_mb"] <= TARGET_LARGE_MB,
    }

    def verdict(ok: bool, bad: str = "MISSED") -> str:
        return "OK" if ok else bad

    interval = full.scores.overall_interval
    sd_overall = page.sdmetrics.overall if page.sdmetrics else float("nan")
    print()
    print(
        f"  ours {ours:.3f} s vs sdmetrics {theirs:.3f} s: "
        f"{verdict(checks['ours_not_slower_than_sdmetrics'], 'SLOWER')}"
    )
    print(
        f"  all scores with reference and intervals {all_scores:.3f} s (target ≤ {TARGET_ALL_SECONDS:g} s): "
        f"{verdict(checks['all_scores_within_3s'])}"
    )
    print(
        f"  {large_rows:,}-row peak {large['peak_mb']:.0f} MB (target ≤ {TARGET_LARGE_MB:.0f} MB): "
        f"{verdict(checks['large_peak_within_1_5GB'])}"
    )
    print(
        f"  scores: overall {full.overall:.4f} [{interval.format() if interval else '—'}], holdout "
        f"{full.reference.overall if full.reference else float('nan'):.4f}; sdmetrics {sd_overall:.4f}; "
        f"TSTR AUC {util.headline.tstr:.3f} vs TRTR {util.headline.trtr:.3f}; GLM overlap {glm.mean_overlap:.2f}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "data": {"train": len(train), "holdout": len(holdout), "synthetic": len(syn)},
                "steps": rows,
                "large": large,
                "checks": checks,
                "scores": {
                    "overall": full.overall,
                    "overall_interval": full.scores.overall_interval.format() if full.scores.overall_interval else None,
                    "holdout_overall": full.reference.overall if full.reference else None,
                    "sdmetrics_overall": page.sdmetrics.overall if page.sdmetrics else None,
                    "tstr_auc": util.headline.tstr,
                    "trtr_auc": util.headline.trtr,
                    "glm_mean_overlap": glm.mean_overlap,
                },
            },
            indent=2,
        )
    )
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
