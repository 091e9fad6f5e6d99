"""Do the Gaussian copula's and the independent marginals' rounded numbers land on training-only values more often
than on fresh ones, with and without spreading crowded draws (:mod:`synth.synthesizers.knot_spread`)?

Crowded cents (``--seeds`` seeded tables, 40 by default; :mod:`benchmarks.crowded_cents`, which the tests read too):
2,000 rows of lognormal(3, 0.5) spends rounded to cents beside a three-level shop, the first 1,000 the training rows,
the rest the holdout; the spend as a plain float column and written "€1,234.50". Each model is fitted once per table and
sampled 1,000 rows with the table's seed twice: "before" (every draw rounded where it fell) and "after" (crowded draws
spread). Per model and column style: the excess (training-only prices, each held once and never in the holdout, that the
sample holds, minus holdout-only ones) with its standard error over the tables, the spend's KS distance to the holdout
(beside train's own), the pair-trend score against the holdout
(:func:`synth.evaluation.fidelity.scores.compare_tables`), and a finer reading of the excess: in 20,000 rows sampled
with the same seed, how much more often each training-only price is drawn than each holdout-only one. The copula runs at
its defaults (one component on these tables) and stratified by the shop, its shares then 80/10/10 (two components: shop
a's 800 rows and the 200 others pooled; with even shops three overlapping components dilute the attack).

California housing (``--shared``: /work/shared/datasets/california_housing.csv): split 80/20 with seed 0, the copula
fitted once and sampled a train-sized table with seeds 1-3 before and after: the pooled rare-value excess over
the columns with recorded decimals (:func:`synth.evaluate_rare_values`), the mean KS of those columns to the
holdout, the column-shape and pair-trend scores against the holdout, and the share of draws that were spread.

Measured (session 28): see docs/privacy-model-files.md, "Prices written in a layout, session 28", and
:mod:`synth.synthesizers.knot_spread`.

Usage::

    .venv/bin/python -m benchmarks.bench_copula_spread                 # writes benchmarks/results/copula_spread.json
    .venv/bin/python -m benchmarks.bench_copula_spread --seeds 10 --shared --out /tmp/copula_spread.json
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import machine, tree_commit, write_results  # noqa: E402
from benchmarks.crowded_cents import excess, hit_ratio, prices  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "copula_spread.json"
CALIFORNIA = ROOT.parent / "shared" / "datasets" / "california_housing.csv"
#: Each model: its name, parameters and the shops' shares (even: None).
MODELS: dict[str, tuple[str, dict[str, Any], tuple[float, ...] | None]] = {
    "copula": ("gaussian_copula", {}, None),
    "copula by shop": ("gaussian_copula", {"stratify": "shop"}, (0.8, 0.1, 0.1)),
    "independent": ("independent", {}, None),
}


@contextlib.contextmanager
def unspread() -> Iterator[None]:
    """Crowded draws rounded where they fell, as before session 28 (every spread returns its draws)."""
    from synth.synthesizers import knot_spread

    spread = knot_spread.spread_knot_draws
    knot_spread.spread_knot_draws = lambda knots, u, x, s: np.asarray(x, dtype=np.float64)
    try:
        yield
    finally:
        knot_spread.spread_knot_draws = spread


def _numbers(values: pd.Series) -> np.ndarray:
    return pd.to_numeric(values.astype(str).str.replace("[€,]", "", regex=True)).to_numpy(dtype=float)


def crowded_cents(seeds: int) -> list[dict[str, Any]]:
    """Per model and column style, before and after: the excess, KS and pair-trend score, over ``seeds`` tables."""
    from scipy.stats import ks_2samp

    import synth
    from synth.evaluation.fidelity.scores import compare_tables

    out = []
    for euro in (False, True):
        for label, (name, params, shops) in MODELS.items():
            rows: dict[str, list[tuple[float, ...]]] = {"before": [], "after": []}
            for seed in range(seeds):
                real = prices(2_000, seed, euro, shops)
                train, holdout = real.iloc[:1_000], real.iloc[1_000:]
                schema = synth.infer_schema(train)
                model = synth.create(name, random_state=seed, **params).fit(train, schema)
                reference = ks_2samp(_numbers(train["spend"]), _numbers(holdout["spend"])).statistic
                for when in ("before", "after"):
                    with unspread() if when == "before" else contextlib.nullcontext():
                        syn = model.sample(1_000, seed=seed)
                        many = model.sample(20_000, seed=seed)["spend"]
                    ks = ks_2samp(_numbers(syn["spend"]), _numbers(holdout["spend"])).statistic
                    pairs = compare_tables(holdout, syn, schema).column_pair_trends
                    found = excess(train["spend"], holdout["spend"], syn["spend"])
                    ratio = hit_ratio(train["spend"], holdout["spend"], many)
                    rows[when].append((found, ks, reference, pairs, ratio))
            result: dict[str, Any] = {"model": label, "column": "€1,234.50" if euro else "float", "tables": seeds}
            for when, got in rows.items():
                a = np.asarray(got)
                result[when] = {
                    "excess": float(a[:, 0].mean()),
                    "excess_se": float(a[:, 0].std(ddof=1) / np.sqrt(len(a))),
                    "ks_holdout": float(a[:, 1].mean()),
                    "ks_train_holdout": float(a[:, 2].mean()),
                    "pair_trends": float(a[:, 3].mean()),
                    "hit_ratio": float(a[:, 4].mean()),
                    "hit_ratio_se": float(a[:, 4].std(ddof=1) / np.sqrt(len(a))),
                }
            out.append(result)
            _print_cents(result)
    return out


def california(samples: int = 3) -> dict[str, Any]:
    """The copula on California housing, sampled with seeds 1..``samples`` before and after."""
    from scipy.stats import ks_2samp

    import synth
    from synth.evaluation.fidelity.scores import compare_tables
    from synth.synthesizers import knot_spread

    df = synth.read_table(CALIFORNIA)
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    schema = synth.infer_schema(train)
    model = synth.create("gaussian_copula", random_state=0).fit(train, schema)
    decimals = [c.name for c in schema if c.decimals is not None and c.kind.is_numeric]
    spread_counts = np.zeros(2)  # draws moved, draws of a spread column
    real_spread = knot_spread.spread_knot_draws

    def counted(knots: np.ndarray, u: np.ndarray, x: np.ndarray, s: Any) -> np.ndarray:
        moved = real_spread(knots, u, x, s)
        spread_counts[:] += (np.count_nonzero(moved != np.asarray(x)), len(moved))
        return moved

    out: dict[str, Any] = {"rows": len(train), "components": len(model.components_), "columns": decimals}
    for when in ("before", "after"):
        figures = []
        for seed in range(1, samples + 1):
            knot_spread.spread_knot_draws = counted  # type: ignore[assignment]
            try:
                with unspread() if when == "before" else contextlib.nullcontext():
                    syn = model.sample(len(train), seed=seed)
            finally:
                knot_spread.spread_knot_draws = real_spread
            rare = synth.evaluate_rare_values(train, syn, holdout, schema=schema, columns=decimals)
            ks = np.mean([ks_2samp(syn[c].dropna(), holdout[c].dropna()).statistic for c in decimals])
            scores = compare_tables(holdout, syn, schema)
            figures.append((rare.pooled_excess, ks, scores.column_shapes, scores.column_pair_trends))
        a = np.asarray(figures)
        out[when] = {
            "pooled_excess": float(a[:, 0].mean()),
            "pooled_excess_per_sample": a[:, 0].tolist(),
            "ks_holdout": float(a[:, 1].mean()),
            "column_shapes": float(a[:, 2].mean()),
            "pair_trends": float(a[:, 3].mean()),
        }
    out["spread_share"] = float(spread_counts[0] / max(spread_counts[1], 1.0))
    ks_ref = np.mean([ks_2samp(train[c].dropna(), holdout[c].dropna()).statistic for c in decimals])
    out["ks_train_holdout"] = float(ks_ref)
    _print_california(out)
    return out


def _print_cents(r: dict[str, Any]) -> None:
    b, a = r["before"], r["after"]
    print(
        f"  {r['model']:<15}{r['column']:<11}"
        f"{b['excess'] * 100:+6.2f} ± {b['excess_se'] * 100:.2f}"
        f"  {a['excess'] * 100:+6.2f} ± {a['excess_se'] * 100:.2f}"
        f"   {b['ks_holdout']:.4f} {a['ks_holdout']:.4f} ({a['ks_train_holdout']:.4f})"
        f"   {b['pair_trends']:.4f} {a['pair_trends']:.4f}"
        f"   {b['hit_ratio'] * 100:+5.1f}% {a['hit_ratio'] * 100:+5.1f}% (± {a['hit_ratio_se'] * 100:.1f})",
        flush=True,
    )


def _print_california(r: dict[str, Any]) -> None:
    b, a = r["before"], r["after"]
    print(
        f"\ncalifornia_housing, copula ({r['components']} components, {r['rows']:,} training rows; columns with "
        f"decimals: {', '.join(r['columns'])}); {r['spread_share']:.1%} of their draws spread"
    )
    print(f"  {'':<22}{'before':>10}{'after':>10}")
    print(f"  {'pooled excess':<22}{b['pooled_excess']:>+10.4f}{a['pooled_excess']:>+10.4f}")
    print(
        f"  {'mean KS to holdout':<22}{b['ks_holdout']:>10.4f}{a['ks_holdout']:>10.4f}"
        f" (train {r['ks_train_holdout']:.4f})"
    )
    print(f"  {'column shapes':<22}{b['column_shapes']:>10.4f}{a['column_shapes']:>10.4f}")
    print(f"  {'pair trends':<22}{b['pair_trends']:>10.4f}{a['pair_trends']:>10.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=40, help="crowded-cents tables")
    parser.add_argument("--shared", action="store_true", help="also California housing")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    print(f"crowded cents, {args.seeds} tables of 1,000 training rows: excess in points (± standard error), KS to")
    print("the holdout (train's own), pair trends against the holdout, and how much more often a training-only price")
    print("is drawn than a holdout-only one in 20,000 rows; before | after")
    cents = crowded_cents(args.seeds)
    shared = california() if args.shared and CALIFORNIA.exists() else None
    write_results(
        args.out, {"commit": tree_commit(ROOT), "machine": machine(), "crowded_cents": cents, "california": shared}
    )


if __name__ == "__main__":
    main()
