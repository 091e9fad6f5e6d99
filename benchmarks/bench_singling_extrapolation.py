"""Does singling out's control, extrapolated from the holdout, predict the successes of a larger table, per arity?

The control counts the predicates on the holdout and extrapolates their success rate to the train size
(:func:`synth.evaluation.privacy.singling_control.control_estimate`). Here the answer is known: fresh real rows
stand in for the synthetic table (they never saw train), and a pool of further real rows, disjoint from every
other part, is subsampled at several sizes. Per arity (1 = rare values, 2–4 = columns of a synthetic row) and per
size n it prints

* ``observed``: the predicates' success rate (exactly one match) on n reference rows (mean of 4 subsamples);
* ``extrapolated``: the control's rate extrapolated from the holdout to n (the holdout's own size: no model);
* ``ratio``: extrapolated / observed, pooled over the repeats (the sums' ratio), with its standard error (a
  bootstrap over the repeats); above 1 the control is too high at that size, and a real leak reads that much low;
* ``÷ at holdout``: the ratio over the ratio at the holdout's size, where nothing is extrapolated (the holdout's
  own draw against the reference's, 1 on average by construction): the extrapolation's own error;

and per arity the mean excess ``(main − control) / (1 − control)`` at the train size ± its standard error over the
repeats (main: the same predicates on train), which must be 0 within about two standard errors.

Default: Adult, 2,000 train / 500 holdout (a 2,500-row table at 80/20), synthetic = 2,000 fresh rows (as large as
train, as a synthesizer's output is), 8,000 reference rows, 40 repeats.

Usage::

    .venv/bin/python -m benchmarks.bench_singling_extrapolation                      # writes the JSON
    .venv/bin/python -m benchmarks.bench_singling_extrapolation --synthetic-rows 0   # all remaining rows
    .venv/bin/python -m benchmarks.bench_singling_extrapolation --table bank --method calibrated
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import ADULT, load_adult, machine, write_results  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "singling_extrapolation.json"
SUBSAMPLES = 4
BOOTSTRAP = 2000


def _load(name: str) -> pd.DataFrame:
    import synth

    return load_adult() if name == "adult" else synth.read_table(ADULT.parent / "bank_marketing.csv")


def fresh_split(
    table: pd.DataFrame, n_train: int, n_holdout: int, n_reference: int, n_synthetic: int, rep: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One repeat's disjoint train, holdout, reference and synthetic (fresh) rows; ``n_synthetic`` 0: the rest."""
    order = np.random.default_rng([rep, 7]).permutation(len(table))
    cuts = np.cumsum([n_train, n_holdout, n_reference])
    if cuts[-1] + max(n_synthetic, 1) > len(table):
        raise ValueError(
            f"the table's {len(table):,} rows cannot hold {cuts[-1]:,} train, holdout and reference rows and "
            f"{n_synthetic:,} synthetic ones: lower --train, --holdout, --reference or --synthetic-rows"
        )
    parts = np.split(order, cuts)
    syn = parts[3][:n_synthetic] if n_synthetic else parts[3]
    return tuple(table.iloc[p].reset_index(drop=True) for p in (*parts[:3], syn))  # type: ignore[return-value]


def run_repeat(
    tables: tuple[pd.DataFrame, ...],
    schema: Any,
    arities: list[int],
    sizes: list[int],
    method: str,
    rep: int,
    stratify: bool = True,
) -> dict[int, dict[str, Any]]:
    """Per arity: main's rate on train, and the observed and extrapolated rates at each size."""
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.singling_beta import strata_of
    from synth.evaluation.privacy.singling_control import control_estimate
    from synth.evaluation.privacy.singling_out import (
        match_counts,
        match_matrix,
        multivariate_queries,
        unique_columns,
        univariate_queries,
    )

    train, holdout, reference, syn_table = tables
    inputs = PrivacyInputs(train, holdout, syn_table, schema)
    syn, real, control = (inputs.query_values(w) for w in ("synthetic", "train", "holdout"))
    # the vocabulary is the other three tables': a category only the reference holds reads as missing, so such a row
    # can match only an ``is missing`` condition, never an ``==`` (rare: its category is in none of ~4,500+ rows)
    ref = inputs.query_encoder.transform(reference)
    ref = ref[:, unique_columns(ref)]
    numeric = inputs.query_encoder.numeric
    out: dict[int, dict[str, Any]] = {}
    for arity in arities:
        rng = np.random.default_rng(rep)  # as the attack draws them at seed ``rep``
        if arity == 1:
            pool = univariate_queries(syn, numeric)
            queries = pool.take(rng.permutation(len(pool))[:2000])
            strata = strata_of(queries.cols[:, 0]) if stratify else None  # as the attack fits rare values
        else:
            strata = None
            queries, _ = multivariate_queries(syn, numeric, 2000, arity, rng)
        q = len(queries)
        main = float((match_counts(real, queries) == 1).mean())
        matches = match_matrix(control, queries)
        ref_matches = match_matrix(ref, queries)
        at_train = control_estimate(matches, real.shape[1], np.random.default_rng(rep), method, strata).expected
        row: dict[str, Any] = {"q": q, "main": main, "control": min(at_train, q) / q}
        row |= {"observed": {}, "extrapolated": {}}
        for n in sizes:
            if n > ref.shape[1]:
                continue
            pick = np.random.default_rng([rep, n])
            row["observed"][n] = float(
                np.mean(
                    [
                        (ref_matches[:, pick.choice(ref.shape[1], n, replace=False)].sum(axis=1) == 1).mean()
                        for _ in range(SUBSAMPLES)
                    ]
                )
            )
            at_n = control_estimate(matches, n, np.random.default_rng(rep), method, strata)
            row["extrapolated"][n] = at_n.expected / q
        out[arity] = row
    return out


def summarise(runs: list[dict[str, dict[str, Any]]], arity: int, holdout: int) -> dict[str, Any]:
    """One arity's figures from the repeats' rows as the JSON holds them (string keys)."""
    rows = [r[str(arity)] for r in runs]
    main = np.array([r["main"] for r in rows])
    control = np.array([r["control"] for r in rows])
    excess = (main - control) / (1.0 - control)
    boot = np.random.default_rng(0).integers(0, len(rows), (BOOTSTRAP, len(rows)))

    def pooled(n: str) -> tuple[float, np.ndarray]:
        obs = np.array([r["observed"][n] for r in rows])
        est = np.array([r["extrapolated"][n] for r in rows])
        return float(est.sum() / obs.sum()), est[boot].sum(axis=1) / obs[boot].sum(axis=1)

    per_size: dict[str, dict[str, float]] = {}
    at_holdout = pooled(str(holdout)) if str(holdout) in rows[0]["observed"] else None
    for n in rows[0]["observed"]:
        ratio, replicates = pooled(n)
        per_size[n] = {
            "observed": float(np.mean([r["observed"][n] for r in rows])),
            "extrapolated": float(np.mean([r["extrapolated"][n] for r in rows])),
            "ratio": ratio,
            "ratio_se": float(np.std(replicates, ddof=1)),
        }
        if at_holdout is not None:
            # the holdout's own draw moves every size's ratio alike (at its size nothing is extrapolated, and there
            # it averages 1 over repeats by construction): divided out, what is left is the extrapolation's own error
            per_size[n]["vs_holdout"] = ratio / at_holdout[0]
            per_size[n]["vs_holdout_se"] = float(np.std(replicates / at_holdout[1], ddof=1))
    return {
        "mean_excess": float(excess.mean()),
        "mean_excess_se": float(np.std(excess, ddof=1) / np.sqrt(len(excess))),
        "main": float(main.mean()),
        "control": float(control.mean()),
        "predicates": float(np.mean([r["q"] for r in rows])),
        "sizes": per_size,
    }


def print_table(results: dict[str, Any], config: dict[str, Any]) -> None:
    print(
        f"{config['table']}: {config['train']:,} train / {config['holdout']:,} holdout, synthetic "
        f"{config['synthetic_rows'] or 'all other'} fresh rows, {config['repeats']} repeats, control {config['method']}"
    )
    print(f"{'arity':>5} {'n':>6} {'observed':>9} {'extrap.':>9} {'ratio':>14} {'÷ at holdout':>14}")
    for a, s in results.items():
        for n, v in s["sizes"].items():
            mark = " (holdout)" if int(n) == config["holdout"] else (" (train)" if int(n) == config["train"] else "")
            rel = f"{v['vs_holdout']:>7.3f} ± {v['vs_holdout_se']:.3f}" if "vs_holdout" in v else f"{'—':>15}"
            print(
                f"{a:>5} {n:>6} {v['observed']:>9.4f} {v['extrapolated']:>9.4f} "
                f"{v['ratio']:>7.3f} ± {v['ratio_se']:.3f} {rel}{mark}"
            )
        print(
            f"{a:>5} excess at train size {s['mean_excess']:+.4f} ± {s['mean_excess_se']:.4f} "
            f"(main {s['main']:.4f}, control {s['control']:.4f}, {s['predicates']:.0f} predicates)"
        )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--table", default="adult", choices=["adult", "bank"])
    parser.add_argument("--train", type=int, default=2000)
    parser.add_argument("--holdout", type=int, default=500)
    parser.add_argument("--reference", type=int, default=8000, help="fresh real rows subsampled for the truth")
    parser.add_argument("--synthetic-rows", type=int, default=None, help="fresh rows as synthetic (0: all the rest)")
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 500, 1000, 2000, 4000, 7500])
    parser.add_argument("--arities", type=int, nargs="+", default=[1, 2, 3, 4])
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument("--first-repeat", type=int, default=0, help="seed of the first repeat (more of them, fresh)")
    parser.add_argument("--method", default="beta", choices=["beta", "calibrated", "npmle"])
    parser.add_argument(
        "--pooled", action="store_true", help="one beta for all rare values (as before session 23), not one per column"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--from-json", type=Path, default=None, help="re-summarise a saved run (rewrites it)")
    args = parser.parse_args(argv)
    if args.repeats < 2:
        parser.error("--repeats must be at least 2: the figures' standard errors are over the repeats")
    import synth

    if args.from_json:  # the figures again from a saved run's repeats, nothing measured
        saved = json.loads(args.from_json.read_text())
        results = {str(a): summarise(saved["runs"], a, saved["config"]["holdout"]) for a in saved["config"]["arities"]}
        print_table(results, saved["config"])
        saved["results"] = results
        write_results(args.from_json, saved)
        return dict(saved)
    n_syn = args.train if args.synthetic_rows is None else args.synthetic_rows
    table = _load(args.table)
    schema = synth.infer_schema(table)
    start = time.perf_counter()
    runs = []
    for rep in range(args.first_repeat, args.first_repeat + args.repeats):
        tables = fresh_split(table, args.train, args.holdout, args.reference, n_syn, rep)
        repeat = run_repeat(tables, schema, args.arities, args.sizes, args.method, rep, not args.pooled)
        runs.append(json.loads(json.dumps({str(a): r for a, r in repeat.items()})))  # as the JSON will hold them
    seconds = time.perf_counter() - start
    config = {k: v for k, v in vars(args).items() if k not in ("out", "from_json")} | {"synthetic_rows": n_syn}
    results = {str(a): summarise(runs, a, args.holdout) for a in args.arities}
    print_table(results, config)
    command = " ".join(["python -m benchmarks.bench_singling_extrapolation", *(sys.argv[1:] if argv is None else argv)])
    payload = {
        "machine": machine(),
        "command": command,
        "seconds": seconds,
        "config": config,
        "results": results,
        "runs": runs,
    }
    write_results(args.out, payload)
    return payload


if __name__ == "__main__":
    main()
