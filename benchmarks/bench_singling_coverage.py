"""Does the singling-out risk's 95% interval say how far the risk moves when the whole run is repeated?

The interval claims to cover the excess risk a synthesizer's output carries for a table drawn like this one: the
average over repeats of the whole run. Each repeat here re-draws what a user's repeat would re-draw — which real
rows are train and which are holdout, the synthetic table, and the attack's seed — and runs the univariate and
the 3-column attack as the Privacy page does (2,000 predicates, the calibrated control). Per case and mode it
prints

* ``sd``: the standard deviation of the unclipped excess ``(main − control) / (1 − control)`` over the repeats;
* ``stated``: the mean stated standard error, the interval's half-width / 1.96;
* ``ratio``: stated / sd (1 when the interval is as wide as the estimate moves);
* ``cover``: the share of intervals that hold the mean excess over the repeats (the Monte-Carlo stand-in for
  the expected risk), with its binomial Monte-Carlo error;
* ``cover 0``: for fresh real rows, whose true excess is 0, the share that hold 0;
* ``mean ± se``: the mean excess over the repeats and its standard error — for fresh real rows it must be 0 within
  about two standard errors (the extrapolated control neither high nor low), for the leaks clearly above 0.

Cases: fresh real rows as the synthetic table (they never saw train, so the true excess is 0) on Adult (16,000
train, 4,000 holdout: the control extrapolated over two doublings, as on the demo's 80/20 split) and on the
smaller bank-marketing table (2,000 / 500), both with every remaining row as the synthetic table; on Adult cut to
a 2,500-row table (2,000 / 500, 2,000 fresh rows as synthetic, as large as train); and Pruned CART fitted on each
repeat's train (Adult, 80/20). Leaks on bank marketing (2,000 / 500) and on the 2,500-row Adult: a copy of train as
the synthetic table (bank), and the fresh rows with a tenth of them replaced by train rows.

Usage::

    .venv/bin/python -m benchmarks.bench_singling_coverage                 # all cases, writes the JSON
    .venv/bin/python -m benchmarks.bench_singling_coverage --repeats 40 --cases adult_fresh
    .venv/bin/python -m benchmarks.bench_singling_coverage --size-correction calibrated   # the old control
    .venv/bin/python -m benchmarks.bench_singling_coverage --cases adult_small_fresh adult_small_leak10 \
        --out benchmarks/results/singling_coverage_small.json
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import ADULT, load_adult, machine, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "singling_coverage.json"
MODES = ("univariate", "multivariate")


def _bank() -> pd.DataFrame:
    import synth

    return synth.read_table(ADULT.parent / "bank_marketing.csv")


def _sized(train: int, holdout: int) -> dict[str, Any]:
    return {
        "load": load_adult,
        "train": train,
        "holdout": holdout,
        "synthetic": "fresh",
        "synthetic_rows": train,
        "repeats": 120,
    }


CASES: dict[str, dict[str, Any]] = {
    # train / holdout sizes; synthetic = "fresh" (the remaining real rows) or a synthesizer fitted on train
    "adult_fresh": {"load": load_adult, "train": 16_000, "holdout": 4_000, "synthetic": "fresh", "repeats": 60},
    "bank_fresh": {"load": _bank, "train": 2_000, "holdout": 500, "synthetic": "fresh", "repeats": 100},
    # a 2,500-row table at 80/20, its synthetic table as large as train (as a synthesizer's output is)
    "adult_small_fresh": {
        "load": load_adult,
        "train": 2_000,
        "holdout": 500,
        "synthetic": "fresh",
        "synthetic_rows": 2_000,
        "repeats": 60,
    },
    "adult_pruned_cart": {"load": load_adult, "holdout_share": 0.2, "synthetic": "pruned_cart", "repeats": 30},
    "bank_copy": {"load": _bank, "train": 2_000, "holdout": 500, "synthetic": "copy", "repeats": 20},
    "bank_leak10": {"load": _bank, "train": 2_000, "holdout": 500, "synthetic": "fresh", "leak": 0.1, "repeats": 40},
    "adult_small_leak10": {
        "load": load_adult,
        "train": 2_000,
        "holdout": 500,
        "synthetic": "fresh",
        "synthetic_rows": 2_000,
        "leak": 0.1,
        "repeats": 40,
    },
    # the calibration suite (--cases calibration): small tables of 500 and 1,000 rows and a medium one of 10,000, each
    # at 80/20 with a synthetic table as large as train, fresh (true excess 0) and with a tenth of it copied from train
    "adult_500_fresh": {**_sized(400, 100)},
    "adult_1000_fresh": {**_sized(800, 200)},
    "adult_1000_leak10": {**_sized(800, 200), "leak": 0.1},
    "adult_10000_fresh": {**_sized(8_000, 2_000), "repeats": 60},
    "adult_10000_leak10": {**_sized(8_000, 2_000), "leak": 0.1, "repeats": 60},
}
SUITES = {
    "calibration": [
        "adult_500_fresh",
        "adult_1000_fresh",
        "adult_1000_leak10",
        "adult_small_fresh",
        "adult_10000_fresh",
        "adult_10000_leak10",
    ]
}


def _tables(case: dict[str, Any], table: pd.DataFrame, schema: Any, rep: int) -> tuple[pd.DataFrame, ...]:
    """One repeat's train, holdout and synthetic tables: a fresh shuffle of the real rows, a fresh synthetic draw."""
    import synth

    order = np.random.default_rng([rep, 7]).permutation(len(table))
    if case["synthetic"] in ("fresh", "copy"):
        n_train, n_hold = case["train"], case["holdout"]
        train = table.iloc[order[:n_train]].reset_index(drop=True)
        holdout = table.iloc[order[n_train : n_train + n_hold]].reset_index(drop=True)
        if case["synthetic"] == "copy":
            return train, holdout, train.copy()
        syn = table.iloc[order[n_train + n_hold :][: case.get("synthetic_rows")]].reset_index(drop=True)
        if case.get("leak"):  # a share of the fresh rows replaced by train rows, copied verbatim
            n_leak = round(len(syn) * case["leak"])
            leaked = train.iloc[np.random.default_rng([rep, 8]).choice(n_train, n_leak, replace=False)]
            syn = pd.concat([syn.iloc[n_leak:], leaked], ignore_index=True)
        return train, holdout, syn
    n_hold = round(len(table) * case["holdout_share"])
    holdout = table.iloc[order[:n_hold]].reset_index(drop=True)
    train = table.iloc[order[n_hold:]].reset_index(drop=True)
    model = synth.create(case["synthetic"], random_state=rep)
    model.fit(train, schema)
    return train, holdout, model.sample(len(train), seed=rep + 1)


def run_case(name: str, repeats: int, size_correction: str = "beta", modes: tuple[str, ...] = MODES) -> dict[str, Any]:
    import synth
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.wp216 import singling_out

    case = CASES[name]
    table = case["load"]()
    schema = synth.infer_schema(table)
    runs: dict[str, list[dict[str, float]]] = {m: [] for m in modes}
    seconds: dict[str, list[float]] = {m: [] for m in modes}
    for rep in range(repeats):
        train, holdout, syn = _tables(case, table, schema, rep)
        inputs = PrivacyInputs(train, holdout, syn, schema)
        for mode in modes:
            start = time.perf_counter()
            r = singling_out(
                train,
                syn,
                holdout=holdout,
                schema=schema,
                mode=mode,  # type: ignore[arg-type]
                seed=rep,
                inputs=inputs,
                size_correction=size_correction,  # type: ignore[arg-type]
            )
            seconds[mode].append(time.perf_counter() - start)
            lower, upper = r.risk.interval()
            runs[mode].append(
                {
                    "excess": r.risk.excess,
                    "error": r.risk.error,
                    "lower": lower,
                    "upper": upper,
                    "main": r.main.value,
                    "main_error": r.main.error,
                    "control": r.control.value,
                    "control_error": r.control.error,
                    "n": r.n_attacks,
                }
            )
    out: dict[str, Any] = {"repeats": repeats, "case": {k: v for k, v in case.items() if k != "load"}}
    for mode in modes:
        out[mode] = summarise(runs[mode], fresh=case["synthetic"] == "fresh" and not case.get("leak"))
        out[mode]["seconds_median"] = float(np.median(seconds[mode]))
        out[mode]["runs"] = runs[mode]
    return out


def summarise(runs: list[dict[str, float]], fresh: bool) -> dict[str, Any]:
    """The spread of the estimates against the stated errors, and how often the intervals hold the reference."""
    excess = np.array([r["excess"] for r in runs])
    # the interval as stated (it may be lopsided); runs saved before it was recorded: excess ± error
    lower = np.array([r.get("lower", r["excess"] - r["error"]) for r in runs])
    upper = np.array([r.get("upper", r["excess"] + r["error"]) for r in runs])
    z = 1.959963984540054
    sd = float(np.std(excess, ddof=1))
    stated = float(np.mean(upper - lower)) / (2 * z)
    mean = float(np.mean(excess))
    cover = float(np.mean((lower <= mean) & (mean <= upper)))
    summary = {
        "width": float(np.mean(upper - lower)),
        "miss_low": float(np.mean(upper < mean)),
        "miss_high": float(np.mean(lower > mean)),
        "mean_excess": mean,
        "mean_excess_se": sd / np.sqrt(len(runs)),
        "sd": sd,
        "stated_se": stated,
        "ratio": stated / sd if sd > 0 else float("nan"),
        "cover_mean": cover,
        "cover_mean_mc_error": float(np.sqrt(0.95 * 0.05 / len(runs))),
        "main_sd": float(np.std([r["main"] for r in runs], ddof=1)),
        "main_stated": float(np.mean([r["main_error"] for r in runs])) / z,
        "control_sd": float(np.std([r["control"] for r in runs], ddof=1)),
        "control_stated": float(np.mean([r["control_error"] for r in runs])) / z,
        "n_mean": float(np.mean([r["n"] for r in runs])),
    }
    if fresh:
        summary["cover_zero"] = float(np.mean((lower <= 0) & (upper >= 0)))
    return summary


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--cases",
        nargs="+",
        default=[c for c in CASES if not any(c in suite for suite in SUITES.values())],
        choices=[*CASES, *SUITES],
        help="cases, or a suite of them (calibration: the small and medium tables)",
    )
    parser.add_argument("--repeats", type=int, default=None, help="repeats per case (default: the case's own)")
    parser.add_argument("--modes", nargs="+", default=list(MODES), choices=list(MODES))
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--size-correction", default="beta", choices=["beta", "calibrated", "npmle"], help="the control's correction"
    )
    args = parser.parse_args(argv)
    args.cases = [c for name in args.cases for c in SUITES.get(name, [name])]
    results: dict[str, Any] = {}
    head = (
        f"{'case':<18} {'mode':<12} {'mean ± se':>16} {'sd':>7} {'stated':>7} {'ratio':>6} {'cover':>11} "
        f"{'cover 0':>7} {'width':>7} {'miss lo/hi':>10}"
    )
    print(head)
    for name in args.cases:
        results[name] = run_case(name, args.repeats or CASES[name]["repeats"], args.size_correction, tuple(args.modes))
        for mode in args.modes:
            s = results[name][mode]
            zero = f"{s['cover_zero']:.2f}" if "cover_zero" in s else "—"
            print(
                f"{name:<18} {mode:<12} {s['mean_excess']:>+8.4f} ± {s['mean_excess_se']:.4f} {s['sd']:>7.4f} "
                f"{s['stated_se']:>7.4f} "
                f"{s['ratio']:>6.2f} {s['cover_mean']:>5.2f}±{s['cover_mean_mc_error']:.2f} {zero:>7} "
                f"{s['width']:>7.4f} {s['miss_low']:>4.2f}/{s['miss_high']:.2f}",
                flush=True,
            )
            print(
                f"{'':<18} {'':<12} main sd {s['main_sd']:.4f} stated {s['main_stated']:.4f}; control sd "
                f"{s['control_sd']:.4f} stated {s['control_stated']:.4f}; {s['n_mean']:.0f} predicates, "
                f"{s['seconds_median']:.2f} s",
                flush=True,
            )
    command = " ".join(["python -m benchmarks.bench_singling_coverage", *(sys.argv[1:] if argv is None else argv)])
    payload = {"machine": machine(), "command": command, "results": results}
    write_results(args.out, payload)
    return payload


if __name__ == "__main__":
    main()
