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

Usage::

    .venv/bin/python -m benchmarks.bench_singling_holdout                       # 6 seeds, every case, both controls
    .venv/bin/python -m benchmarks.bench_singling_holdout --seeds 3 --holdouts 600 --controls auto
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
    from synth.evaluation.privacy.verdict import Thresholds, _attack_verdict
    from synth.evaluation.privacy.wp216 import singling_out

    train, holdout, synthetic = cut(pool, seed, n_holdout, leak)
    inputs = PrivacyInputs(train, holdout, synthetic, synth.infer_schema(train))
    start = time.perf_counter()
    # as evaluate_attacks runs them for the page (its defaults: 2,000 attacks, 3 columns, seed 0), with this control
    results = [
        singling_out(train, synthetic, holdout=holdout, mode=mode, size_correction=control, inputs=inputs)  # type: ignore[arg-type]
        for mode in ("univariate", "multivariate")
    ]
    seconds = time.perf_counter() - start
    light = _attack_verdict("singling_out", "Singling out", results, Thresholds().attack)
    out: dict[str, Any] = {
        "seed": seed,
        "light": light.level,
        "seconds": round(seconds, 2),
        "synthetic": len(synthetic),
    }
    for r in results:
        low, high = r.risk.interval(len(results))
        out[r.name.removeprefix("singling_out_")] = {
            "predicates": r.n_attacks,
            "main": round(r.main.observed, 4),
            "control": round(r.control.observed, 4),
            "risk": round(r.risk.value, 4),
            "excess": round(r.risk.excess, 4),
            "ci95": [round(r.risk.low, 4), round(r.risk.high, 4)],
            "judged": [round(low, 4), round(high, 4)],
        }
    return out


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--holdouts", type=int, nargs="*", default=[600, 2_400, 24_000])
    parser.add_argument("--controls", nargs="*", default=["beta", "auto"])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    pool = pd.concat([pd.read_csv(PEERS / f"adult_{half}.csv.gz") for half in ("trn", "val")], ignore_index=True)
    cases: list[dict[str, Any]] = []
    for n_holdout in args.holdouts:
        for leak in (0.0, LEAK):
            for control in args.controls:
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
    write_results(args.out, payload)
    return payload


if __name__ == "__main__":
    main()
