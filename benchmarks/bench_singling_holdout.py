"""Singling out with a small holdout: does the verdict stay green on fresh rows and catch copies of train?

Adult's two halves (``adult-peers``: adult_trn and adult_val, 48,842 rows) are pooled and, per seed, shuffled and
cut into train (24,000 rows), a holdout of 600, 2,400 or 24,000 rows, and a "synthetic" table: the next rows of the
shuffle (22,000, or the 842 left beside a 24,000-row holdout), fresh rows of the same population that no model saw —
a perfect synthesizer. The leak case replaces 20% of the synthetic rows by training rows. Each case runs both
singling-out attacks as the Privacy page does (as :func:`synth.evaluation.privacy.attacks.evaluate_attacks` calls
them: 2,000 attacks, seed 0) and reads the verdict's singling-out light, with the pre-session-30 control
(``--controls beta``: the beta's extrapolation at every size) or the default (``auto``: pooled for a holdout under
1/8 of train).

The halves are pooled because they are not one population cut at random: with train from adult_trn and holdout and
fresh rows from adult_val, the pooled control read the 3-column excess of fresh rows at +0.052 ± 0.011 over 16 splits
(from the whole pool: −0.006 ± 0.016 over 12), a difference between the files, which a control that assumes nothing
about the predicates reads as it is.

``--ratios`` measures the product's usual splits instead: 80/20 and 50/50 (holdout a quarter of train, or as large),
a synthetic table of train's size (fresh rows, or 5% / 20% of them replaced by training rows), on Adult (the pooled
halves, train 16,000), Bank Marketing (train 1,500) and a table of visits split by patient (1,600 training patients of
8 visits, ``tests/unit/test_people_membership.py``'s ``visits``), each with the beta and the pooled control; per
case the lights, the mean excess of each attack, its spread over the splits beside the error the attack states
(calibration), and the seconds (results/singling_ratios.json).

Usage::

    .venv/bin/python -m benchmarks.bench_singling_holdout                       # 6 seeds, every case, both controls
    .venv/bin/python -m benchmarks.bench_singling_holdout --seeds 3 --holdouts 600 --controls auto
    .venv/bin/python -m benchmarks.bench_singling_holdout --ratios --seeds 8    # 80/20 and 50/50, three tables
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

from benchmarks.common import machine, write_results  # noqa: E402

PEERS = ROOT.parent / "shared" / "datasets" / "adult-peers"
RESULTS = ROOT / "benchmarks" / "results" / "singling_holdout.json"
N_TRAIN, N_SYNTHETIC, LEAK = 24_000, 22_000, 0.2


def cut(pool: pd.DataFrame, seed: int, n_holdout: int, leak: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train, holdout and synthetic rows of one seed's shuffle; ``leak``: the share of synthetic rows replaced by
    training rows (drawn at random)."""
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(pool))
    train = pool.iloc[order[:N_TRAIN]].reset_index(drop=True)
    holdout = pool.iloc[order[N_TRAIN : N_TRAIN + n_holdout]].reset_index(drop=True)
    synthetic = pool.iloc[order[N_TRAIN + n_holdout : N_TRAIN + n_holdout + N_SYNTHETIC]].reset_index(drop=True)
    copies = round(leak * len(synthetic))
    if copies:
        picked = train.iloc[rng.choice(len(train), copies, replace=False)]
        synthetic = pd.concat([picked, synthetic.iloc[copies:]], ignore_index=True)
    return train, holdout, synthetic


def run(pool: pd.DataFrame, seed: int, n_holdout: int, leak: float, control: str) -> dict[str, Any]:
    import synth
    from synth.evaluation.privacy.inputs import PrivacyInputs

    train, holdout, synthetic = cut(pool, seed, n_holdout, leak)
    return attack(PrivacyInputs(train, holdout, synthetic, synth.infer_schema(train)), seed, control)


def attack(inputs: Any, seed: int, control: str) -> dict[str, Any]:
    """Both singling-out attacks on ``inputs`` (a PrivacyInputs) with ``control``, and the verdict's light."""
    from scipy import stats

    from synth.evaluation.privacy.verdict_criteria import Thresholds, attack_verdict
    from synth.evaluation.privacy.wp216 import singling_out

    t = inputs.tables
    start = time.perf_counter()
    # as evaluate_attacks runs them for the page (its defaults: 2,000 attacks, 3 columns, seed 0), with this control
    results = [
        singling_out(t.train, t.synthetic, holdout=t.holdout, mode=mode, size_correction=control, inputs=inputs)  # type: ignore[arg-type]
        for mode in ("univariate", "multivariate")
    ]
    seconds = time.perf_counter() - start
    light = attack_verdict("singling_out", "Singling out", results, Thresholds().attack)
    out: dict[str, Any] = {
        "seed": seed,
        "light": light.level,
        "seconds": round(seconds, 2),
        "synthetic": len(t.synthetic),
    }
    for r in results:
        low, high = r.risk.interval(len(results))
        out[r.name.removeprefix("singling_out_")] = {
            "predicates": r.n_attacks,
            "main": round(r.main.observed, 4),
            "control": round(r.control.observed, 4),
            "risk": round(r.risk.value, 4),
            "excess": round(r.risk.excess, 4),
            "se": round(r.risk.error / float(stats.norm.ppf(0.5 + r.risk.level / 2)), 4),
            "ci95": [round(r.risk.low, 4), round(r.risk.high, 4)],
            "judged": [round(low, 4), round(high, 4)],
        }
    return out


# ------------------------------------------------------------------------------------------ the usual splits
BANK = ROOT.parent / "shared" / "datasets" / "bank_marketing.csv"
RATIO_RESULTS = ROOT / "benchmarks" / "results" / "singling_ratios.json"
RATIO_TRAIN = {"adult": 16_000, "bank": 1_500, "visits": 1_600}
"""Train's size per table (for visits, in patients of 8 visits): the largest at which train, a holdout as large and
a fresh synthetic table of train's size fit in the file (Adult's 48,842 rows, Bank Marketing's 4,521)."""
RATIOS = {"80/20": 0.25, "50/50": 1.0}
"""The holdout's size as a share of train's."""
RATIO_LEAKS = (0.0, 0.05, 0.2)
VISITS = 8


def ratio_inputs(table: str, pool: pd.DataFrame | None, seed: int, share: float, leak: float) -> Any:
    """The PrivacyInputs of one split of ``table`` at a holdout ``share`` of train, with ``leak`` of the synthetic
    rows replaced by training rows (for visits, under a synthetic patient's id, as a model would write them)."""
    import synth
    from synth.evaluation.privacy.inputs import PrivacyInputs

    n_train = RATIO_TRAIN[table]
    n_holdout = round(share * n_train)
    rng = np.random.default_rng([seed, 31])
    if table == "visits":
        from tests.unit.test_people_membership import SCHEMA, visits

        frame = visits(2 * n_train + n_holdout, VISITS, seed=1000 + seed)
        person = frame.index // VISITS
        train = frame[person < n_train].reset_index(drop=True)
        holdout = frame[(person >= n_train) & (person < n_train + n_holdout)].reset_index(drop=True)
        synthetic = frame[person >= n_train + n_holdout].reset_index(drop=True)
        schema, column = SCHEMA, "patient_id"
    else:
        assert pool is not None
        order = rng.permutation(len(pool))
        train = pool.iloc[order[:n_train]].reset_index(drop=True)
        holdout = pool.iloc[order[n_train : n_train + n_holdout]].reset_index(drop=True)
        synthetic = pool.iloc[order[n_train + n_holdout : 2 * n_train + n_holdout]].reset_index(drop=True)
        schema, column = synth.infer_schema(train), None
    copies = round(leak * len(synthetic))
    if copies:
        picked = train.iloc[rng.choice(len(train), copies, replace=False)].copy()
        if column is not None:
            picked[column] = [f"S{i:06d}" for i in range(copies)]
        synthetic = pd.concat([picked, synthetic.iloc[copies:]], ignore_index=True)
    return PrivacyInputs(train, holdout, synthetic, schema, person_column=column)


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The lights of a case's splits, and per attack the mean excess, its spread over the splits and the mean error
    the attack stated (a calibrated control states about the spread)."""
    lights = [r["light"] for r in runs]
    out: dict[str, Any] = {level: lights.count(level) for level in ("green", "amber", "red")}
    for mode in ("univariate", "multivariate"):
        excess = np.array([r[mode]["excess"] for r in runs])
        out[mode] = {
            "mean_excess": round(float(excess.mean()), 4),
            "sd_over_splits": round(float(excess.std(ddof=1)), 4) if len(runs) > 1 else None,
            "mean_stated_se": round(float(np.mean([r[mode]["se"] for r in runs])), 4),
        }
    out["seconds"] = round(float(np.mean([r["seconds"] for r in runs])), 2)
    return out


def ratios(seeds: int, controls: list[str], tables: list[str], out: Path) -> dict[str, Any]:
    """The ``--ratios`` study (the module's docstring)."""
    pools = {
        "adult": pd.concat([pd.read_csv(PEERS / f"adult_{half}.csv.gz") for half in ("trn", "val")], ignore_index=True),
        "bank": pd.read_csv(BANK),
    }
    cases: list[dict[str, Any]] = []
    for table in tables:
        for split, share in RATIOS.items():
            for leak in RATIO_LEAKS:
                for control in controls:
                    runs = []
                    for seed in range(seeds):
                        inputs = ratio_inputs(table, pools.get(table), seed, share, leak)
                        runs.append(attack(inputs, seed, control))
                    case = {"table": table, "split": split, "leak": leak, "control": control, "runs": runs}
                    case["summary"] = summary(runs)
                    cases.append(case)
                    s = case["summary"]
                    uni, multi = s["univariate"], s["multivariate"]
                    print(
                        f"{table:<6} {split} copies {leak:>4.0%} {control:<6} green {s['green']} amber {s['amber']} "
                        f"red {s['red']}  uni {uni['mean_excess']:+.4f} sd {uni['sd_over_splits']:.4f} se "
                        f"{uni['mean_stated_se']:.4f}  multi {multi['mean_excess']:+.4f} sd "
                        f"{multi['sd_over_splits']:.4f} se {multi['mean_stated_se']:.4f}  {s['seconds']:.1f}s",
                        flush=True,
                    )
    payload = {"machine": machine(), "train": RATIO_TRAIN, "ratios": RATIOS, "cases": cases}
    write_results(out, payload)
    return payload


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--holdouts", type=int, nargs="*", default=[600, 2_400, 24_000])
    parser.add_argument(
        "--controls", nargs="*", help="beta, auto, pooled… (default: beta and auto; with --ratios, beta and pooled)"
    )
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--ratios", action="store_true", help="the 80/20 and 50/50 study (the module's docstring)")
    parser.add_argument("--tables", nargs="*", default=list(RATIO_TRAIN), help="with --ratios: which tables")
    args = parser.parse_args(argv)
    if args.ratios:
        return ratios(args.seeds, args.controls or ["beta", "pooled"], args.tables, args.out or RATIO_RESULTS)
    pool = pd.concat([pd.read_csv(PEERS / f"adult_{half}.csv.gz") for half in ("trn", "val")], ignore_index=True)
    cases: list[dict[str, Any]] = []
    for n_holdout in args.holdouts:
        for leak in (0.0, LEAK):
            for control in args.controls or ["beta", "auto"]:
                runs = [run(pool, seed, n_holdout, leak, control) for seed in range(args.seeds)]
                lights = [r["light"] for r in runs]
                case = {"holdout": n_holdout, "leak": leak, "control": control, "runs": runs}
                cases.append(case)
                for r in runs:
                    uni, multi = r["univariate"], r["multivariate"]
                    print(
                        f"holdout {n_holdout:>6,} {'copies 20%' if leak else 'fresh':<10} {control:<5} seed {r['seed']}"
                        f"  uni {uni['risk']:.3f} ({uni['ci95'][0]:.3f}-{uni['ci95'][1]:.3f}) control "
                        f"{uni['control']:.3f}"
                        f"  multi {multi['risk']:.3f} ({multi['ci95'][0]:.3f}-{multi['ci95'][1]:.3f}) control "
                        f"{multi['control']:.3f}  {r['light']}  {r['seconds']:.1f}s",
                        flush=True,
                    )
                print(f"  -> lights: {', '.join(lights)}", flush=True)
    payload = {"machine": machine(), "train": N_TRAIN, "synthetic": N_SYNTHETIC, "leak": LEAK, "cases": cases}
    write_results(args.out or RESULTS, payload)
    return payload


if __name__ == "__main__":
    main()
