"""Race benchmark: the four synthesizers on UCI Adult (80/20 split, seed 0), fitted, sampled (26k rows each) and
scored with the Race page's settings, end to end through ``synth.race`` (target ≤ 60 s on this 2-core machine).

Also times the report (HTML + JSON), the data card and the manifest, and a manifest round trip of one run
(``synth.reproduce``: same table byte for byte).

Usage::

    .venv/bin/python -m benchmarks.bench_race            # writes benchmarks/results/race.json
    .venv/bin/python -m benchmarks.bench_race --quick    # 5,000-row sample of Adult
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import load_adult  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "race.json"
TARGET_S = 60.0


def main(argv: list[str]) -> int:
    import synth
    from synth.evaluation.results import to_jsonable
    from synth.report.card import data_card
    from synth.report.html import build_report
    from synth.report.manifest import build_manifest, reproduce

    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)

    df = load_adult()
    if args.quick:
        df = df.sample(5000, random_state=0).reset_index(drop=True)
    schema = synth.infer_schema(df)
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    result = synth.race(train, holdout, schema=schema, progress=None)
    race_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    report = build_report(name="adult", data=df, schema=schema, train=train, holdout=holdout, result=result)
    report_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pick = result.run(result.recommended)
    data_card(pick, df, name="adult")
    manifest = build_manifest(df, schema, result, holdout=0.2, split_seed=0, name="adult")
    card_manifest_s = time.perf_counter() - t0
    one = dict(manifest, runs=[r for r in manifest["runs"] if r["label"] == result.recommended])
    t0 = time.perf_counter()
    again = reproduce(one, df)
    reproduce_s = time.perf_counter() - t0

    rows = [r.row() for r in result.runs]
    print(
        f"{'run':32s} {'1-way':>6s} {'2-way':>6s} {'3-way':>6s} {'det AUC':>8s} {'fidel.':>6s} {'quality':>8s} "
        f"{'TSTR':>6s} {'risk':>6s} {'light':>6s} "
        f"{'fit s':>6s} {'sample s':>8s} {'MB':>6s}"
    )
    for r in rows:
        print(
            f"{r['label']:32s} {r.get('univariate_accuracy') or 0:6.3f} {r.get('bivariate_accuracy') or 0:6.3f} "
            f"{r.get('trivariate_accuracy') or 0:6.3f} {r.get('discriminator_auc') or 0:8.3f} "
            f"{r.get('honest_fidelity') or 0:6.2f} {r.get('quality') or 0:8.3f} {r.get('tstr') or 0:6.3f} "
            f"{r.get('privacy_risk') or 0:6.1%} {r.get('privacy_level') or '':>6s} "
            f"{r['fit_seconds'] or 0:6.2f} {r['sample_seconds'] or 0:8.2f} "
            f"{r['peak_mb'] or 0:6.0f}"
        )
    for run in result.runs:  # what drives each privacy light (the criteria above green, with their intervals)
        verdict = run.evaluation.verdict if run.evaluation is not None else None
        flagged = [c for c in verdict.criteria if c.level in ("amber", "red")] if verdict is not None else []
        for c in flagged:
            print(f"  {run.label}: {c.level} {c.label.lower()}: {c.value}")
    ceilings = result.ceilings
    print(
        f"fresh real data (holdout): 1-way {ceilings['univariate'] or 0:.3f}, 2-way {ceilings['bivariate'] or 0:.3f}, "
        f"3-way {ceilings['trivariate'] or 0:.3f}"
    )
    print(
        f"\nrace of {len(rows)} on {len(train):,} train rows: {race_s:.1f} s "
        f"(target ≤ {TARGET_S:.0f} s; load {load:.1f})"
    )
    print(
        f"report {report_s:.1f} s ({len(report.html) / 2**20:.1f} MB), card+manifest {card_manifest_s:.2f} s, "
        f"reproduce one run {reproduce_s:.1f} s, identical: {again.identical}"
    )
    print(f"pick: {result.reason}")
    out = {
        "benchmark": "race of every synthesizer on UCI Adult through synth.race (Race page settings)",
        "quick": args.quick,
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_at_start": load,
            "python": platform.python_version(),
        },
        "train_rows": len(train),
        "holdout_rows": len(holdout),
        "race_seconds": race_s,
        "load_average_at_end": os.getloadavg()[0],
        "target_seconds": TARGET_S,
        "within_target": race_s <= TARGET_S,
        "report_seconds": report_s,
        "report_mb": len(report.html) / 2**20,
        "card_and_manifest_seconds": card_manifest_s,
        "reproduce_one_run_seconds": reproduce_s,
        "reproduced_identical": again.identical,
        "pareto": list(result.pareto),
        "recommended": result.recommended,
        "reason": result.reason,
        "runs": rows,
        "settings": result.settings.to_dict(),
    }
    if not args.quick:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(json.dumps(to_jsonable(out), indent=2, allow_nan=False))
        print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
