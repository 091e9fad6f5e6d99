"""The DP network with the public domains a codebook gives, against everything private, on the survey walk table.

The survey table (``benchmarks.walk_tables.survey``: 2,500 answers, 80/20 split seed 0, 2,000 training rows, 17
learned columns) at ε = 1 and 3: per fit seed, the DP Bayesian network with every domain private, and with the
domains its questionnaire states declared as the Synthesize page takes them (text, parsed by
``synth.synthesizers.dp.declared_text.parse_public_domains``): the 0–10 and 1–5 answer scales, the four 0–100
percentages, the answer labels of the Likert question, age band, app frequency and the 0/1 speeder flag. Printed:
the learned columns that came out hidden (missing in every row, or one value where the real column has several)
and univariate / bivariate accuracy against the holdout (``synth.evaluate_accuracy``), and the numbers drawn **far**
from the data (a synthetic value an order of magnitude beyond the real range: a range the noise placed on an empty
cell of the public grid, not one merely released in decades). The DP noise comes from fresh OS entropy, not the fit
seed: every run draws new noise, so the means move between runs (use more seeds). No timing.

Usage::

    .venv/bin/python -m benchmarks.bench_dp_declared            # 3 seeds, ε 1 and 3 (results/dp_declared.json)
    .venv/bin/python -m benchmarks.bench_dp_declared --seeds 1 --epsilons 1
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import warnings  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks.common import machine, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "dp_declared.json"
#: What the survey's questionnaire states, as a user types it on the Synthesize page.
CODEBOOK = {
    "q2_recommend_0_10": "0–10",
    "q4_app_rating": "1–5",
    "pct_work": "0–100",
    "pct_family": "0–100",
    "pct_leisure": "0–100",
    "pct_other": "0–100",
    "speeder_flag": "0–1",
    "q1_satisfied": "Strongly disagree, Disagree, Neutral, Agree, Strongly agree",
    "age_band": "18-24, 25-34, 35-44, 45-54, 55-64, 65+",
    "q5_app_frequency": "Daily, Weekly, Monthly, (missing)",
}


def hidden(train: Any, synthetic: Any, schema: Any) -> list[str]:
    out = []
    for spec in schema:
        if not spec.kind.is_modelled:
            continue
        real, drawn = train[spec.name], synthetic[spec.name]
        if (drawn.isna().all() and real.notna().any()) or (drawn.nunique() <= 1 < real.nunique()):
            out.append(spec.name)
    return out


def far(train: Any, synthetic: Any, schema: Any) -> list[str]:
    """Number and date columns with a synthetic value further outside the real range than ten times the range's
    scale (the largest of its width and its ends' magnitudes): a 0–10 answer drawn at 110 or −100 and beyond."""
    import pandas as pd

    out = []
    for spec in schema:
        real, drawn = train[spec.name], synthetic[spec.name]
        if not spec.kind.is_modelled or not pd.api.types.is_numeric_dtype(real) or drawn.isna().all():
            continue
        low, high = float(real.min()), float(real.max())
        scale = 10.0 * max(high - low, abs(low), abs(high), 1.0)
        if float(drawn.min()) < low - scale or float(drawn.max()) > high + scale:
            out.append(spec.name)
    return out


def run(epsilon: float, seed: int, declared: bool) -> dict[str, Any]:
    import synth
    from benchmarks.walk_tables import survey
    from synth.synthesizers.dp.declared_text import parse_public_domains

    train, holdout = synth.split(survey(), holdout=0.2, seed=0)
    schema = synth.infer_schema(train)
    params: dict[str, Any] = {"epsilon": epsilon, "random_state": seed}
    if declared:
        dtypes = {str(c): t for c, t in train.dtypes.items()}
        params["public_domains"] = parse_public_domains(CODEBOOK, schema, dtypes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = synth.create("privbayes", **params).fit(train, schema)
    synthetic = model.sample(len(train), seed=1)
    acc = synth.evaluate_accuracy(train, synthetic, holdout=holdout, schema=schema)
    return {
        "epsilon": epsilon,
        "seed": seed,
        "declared": declared,
        "hidden": hidden(train, synthetic, schema),
        "far": far(train, synthetic, schema),
        "univariate": round(acc.univariate.value, 4),
        "bivariate": round(acc.bivariate.value, 4),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--epsilons", type=float, nargs="+", default=[1.0, 3.0])
    args = parser.parse_args(argv)
    rows = []
    header = f"{'ε':>4} {'domains':<9} {'seed':>4} {'hidden':>6} {'far':>4} {'1-way':>6} {'2-way':>6}"
    print(f"{header}  hidden; far columns")
    for epsilon in args.epsilons:
        for declared in (False, True):
            for seed in range(args.seeds):
                row = run(epsilon, seed, declared)
                rows.append(row)
                how = "codebook" if declared else "private"
                print(
                    f"{epsilon:>4g} {how:<9} {seed:>4} {len(row['hidden']):>6} {len(row['far']):>4} "
                    f"{row['univariate']:>6.3f} {row['bivariate']:>6.3f}  {', '.join(row['hidden'])}"
                    + (f"; far: {', '.join(row['far'])}" if row["far"] else ""),
                    flush=True,
                )
    for epsilon in args.epsilons:
        for declared in (False, True):
            mine = [r for r in rows if r["epsilon"] == epsilon and r["declared"] == declared]
            print(
                f"mean ε = {epsilon:g}, {'codebook' if declared else 'private'}: "
                f"{np.mean([len(r['hidden']) for r in mine]):.1f} hidden, {sum(len(r['far']) for r in mine)} far "
                f"in {len(mine)} fits, 1-way "
                f"{np.mean([r['univariate'] for r in mine]):.3f}, 2-way {np.mean([r['bivariate'] for r in mine]):.3f}"
            )
    write_results(RESULTS, {"machine": machine(), "seeds": args.seeds, "rows": rows})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
