"""Closeness and inference on the messy customer table: Pruned CART against references that cannot and that do leak.

Per seed, the walk's recipe (:mod:`benchmarks.customers_table`) draws 5,400 customers of one population; the first
3,000 are the table, split 80/20 as the dashboard does (``synth.split``, the seed's own split), and the last 2,400
are fresh real rows. Four "synthetic" tables of 2,400 rows are scored against the same train and holdout:

* ``fresh``: the fresh rows, people no model saw — closeness and inference must read green (at the promised rate);
* ``pruned_cart``: the default synthesizer fitted on train (``synth.create("pruned_cart", random_state=seed)``);
* ``leak10``: the fresh rows with a tenth replaced by training rows, copied whole — must be caught;
* ``copy``: train itself — must be red;
* ``fresh@walk`` and ``pruned_cart@walk``: the walk's own table (``customers()``) on its own split (80/20, seed 0, as
  the Data page splits it), against fresh rows of the population (a new draw per seed) and Pruned CART (a fit per
  seed): that split alone sits closer to train than most, so both read higher than on the other splits.

Closeness is the Privacy page's card and verdict light (:func:`synth.evaluate_privacy`, the full-train DCR share's
excess and its interval); inference is the page's default attacker (known ``country, age``, secret ``fraud``: 0.5%
of rows) on everyone and on the people rare on the known columns, with the verdict's light over both, and a strong
attacker who knows every other learned column (a copied row is then found; the default one cannot tell a copy of
train from fresh rows, as country and age single out no one) — each scored twice
from the same guesses: ``now`` matches the control on each secret value
(:func:`~synth.evaluation.privacy.inference_risk.secret_classes`), ``before`` on the training table's deciles alone
(session 32's rule, kept here as :func:`_decile_classes`: a 0/1 flag that is 99.5% zero fell in one band). Printed
per case: the mean excess and the seeds amber or red, then per rule the mean of both inference figures and the seeds
whose inference light is amber or red. No timing.

Usage::

    .venv/bin/python -m benchmarks.bench_closeness               # 20 seeds (results/closeness.json)
    .venv/bin/python -m benchmarks.bench_closeness --seeds 10 --kinds fresh pruned_cart
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import io  # noqa: E402
from contextlib import nullcontext  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import machine, write_results  # noqa: E402
from benchmarks.customers_table import customers  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "closeness.json"
KINDS = ("fresh", "pruned_cart", "leak10", "copy", "fresh@walk", "pruned_cart@walk")
WALK_SPLIT_SEED = 0
N_TABLE, N_FRESH = 3000, 2400


def _as_uploaded(df: pd.DataFrame) -> pd.DataFrame:
    """The table as the dashboard reads it (through a CSV, so dates are text as on upload)."""
    import synth

    buf = io.StringIO()
    df.to_csv(buf, index=False)
    return synth.read_table(buf.getvalue().encode(), name="customers.csv")


def tables(seed: int, kind: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, Any]:
    """Train, holdout, the ``kind`` synthetic table and the schema of one seed (see the module docstring)."""
    import synth

    if kind.endswith("@walk"):
        # the walk's own table and split (the Data page's defaults), fresh rows of the population drawn per seed
        table = _as_uploaded(customers())
        fresh = _as_uploaded(customers(N_FRESH, seed=500 + seed))
        train, holdout = synth.split(table, holdout=0.2, seed=WALK_SPLIT_SEED)
        kind = kind.removesuffix("@walk")
    else:
        population = _as_uploaded(customers(N_TABLE + N_FRESH, seed=1000 + seed))
        table = population.iloc[:N_TABLE].reset_index(drop=True)
        fresh = population.iloc[N_TABLE:].reset_index(drop=True)
        train, holdout = synth.split(table, holdout=0.2, seed=seed)
    schema = synth.infer_schema(table)
    if kind == "fresh":
        syn = fresh
    elif kind == "copy":
        syn = train.copy()
    elif kind == "leak10":
        n_leak = round(len(fresh) * 0.1)
        leaked = train.iloc[np.random.default_rng([seed, 8]).choice(len(train), n_leak, replace=False)]
        syn = pd.concat([fresh.iloc[n_leak:], leaked], ignore_index=True)
    else:
        syn = synth.create(kind, random_state=seed).fit(train, schema).sample(len(train), seed=seed + 1)
    return train, holdout, syn, schema


def _decile_classes(main: pd.Series, control: pd.Series, reference: pd.Series, kind: Any) -> tuple[Any, Any]:
    """Session 32's class rule: numbers by the training table's deciles alone, whatever their values."""
    from synth.evaluation.privacy.inference_risk import VALUE_BANDS, as_labels, numeric_values
    from synth.evaluation.privacy.neighbors import NUMERIC_KINDS

    if kind not in NUMERIC_KINDS:
        return as_labels(main).to_numpy(), as_labels(control).to_numpy()
    ref = numeric_values(reference, kind)
    ref = ref[np.isfinite(ref)]
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, VALUE_BANDS + 1)[1:-1])) if len(ref) else np.empty(0)

    def band(values: pd.Series) -> Any:
        x = numeric_values(values, kind)
        return np.where(np.isfinite(x), np.digitize(np.nan_to_num(x), edges), -1).astype(str)

    return band(main), band(control)


def _inference(inputs: Any, attacker: Any, rule: str, name: str = "") -> dict[str, Any]:
    """Both inference attacks and the verdict's light over them, the control matched by ``rule`` (keys prefixed
    ``rule`` and ``name``)."""
    from unittest import mock

    from synth.evaluation.privacy.attacks import evaluate_attacks
    from synth.evaluation.privacy.verdict_criteria import Thresholds, attack_verdict

    t = inputs.tables
    with (
        mock.patch("synth.evaluation.privacy.wp216.secret_classes", _decile_classes)
        if rule == "before"
        else nullcontext()
    ):
        report = evaluate_attacks(
            t.train, t.synthetic, holdout=t.holdout, attacker=attacker, criteria=("inference",), inputs=inputs
        )
    results = [r for r in report.results if r.criterion == "inference"]
    key = f"{rule}{name}"
    out: dict[str, Any] = {f"{key}_light": attack_verdict("inference", "Inference", results, Thresholds().attack).level}
    for r in results:
        out.update({f"{key}_{r.name}_risk": r.risk.value, f"{key}_{r.name}_high": r.risk.high})
    return out


def run(seed: int, kind: str) -> dict[str, Any]:
    import synth
    from synth.evaluation.privacy.attacks import AttackerModel, default_attacker_model
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.verdict_criteria import closeness_level

    train, holdout, syn, schema = tables(seed, kind)
    inputs = PrivacyInputs(train, holdout, syn, schema, person_column=None)
    t = inputs.tables
    dist = synth.evaluate_privacy(t.train, t.synthetic, holdout=t.holdout, inputs=inputs, membership=False)
    attacker = default_attacker_model(schema, train)
    others = tuple(c for c in t.columns if c != attacker.secret)
    strong = AttackerModel(others, attacker.secret, link_a=others[:4], link_b=others[4:])  # linkability: unused
    return {
        "seed": seed,
        "kind": kind,
        "dcr_share": dist.dcr_share,
        "dcr_share_full": dist.dcr_share_full,
        "excess": dist.dcr_share_full_excess,
        "excess_interval": list(dist.dcr_share_full_excess_interval),
        "closeness": closeness_level(dist),
        "secret": attacker.secret,
        "known": list(attacker.known),
        **_inference(inputs, attacker, "before"),
        **_inference(inputs, attacker, "now"),
        **_inference(inputs, strong, "before", "_strong"),
        **_inference(inputs, strong, "now", "_strong"),
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean(key: str) -> float:
        return float(np.mean([r.get(key, 0.0) for r in rows]))

    out: dict[str, Any] = {
        "n": len(rows),
        "excess_mean": mean("excess"),
        "excess_se": float(np.std([r["excess"] for r in rows], ddof=1) / np.sqrt(len(rows))) if len(rows) > 1 else 0.0,
        "closeness_amber_or_red": sum(r["closeness"] in ("amber", "red") for r in rows),
        "closeness_red": sum(r["closeness"] == "red" for r in rows),
    }
    for rule in ("before", "now", "before_strong", "now_strong"):
        out[rule] = {
            "inference_risk_mean": mean(f"{rule}_inference_risk"),
            "inference_rare_risk_mean": mean(f"{rule}_inference_rare_risk"),
            "amber_or_red": sum(r[f"{rule}_light"] in ("amber", "red") for r in rows),
            "red": sum(r[f"{rule}_light"] == "red" for r in rows),
        }
    return out


def _inference_cell(row: dict[str, Any], rule: str) -> str:
    everyone, rare = row.get(f"{rule}_inference_risk", 0.0), row.get(f"{rule}_inference_rare_risk", 0.0)
    return f"{rule} {everyone:.2f} / rare {rare:.2f} {row[f'{rule}_light']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS))
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    runs: dict[str, list[dict[str, Any]]] = {}
    for kind in args.kinds:
        for seed in range(args.seeds):
            row = run(seed, kind)
            runs.setdefault(kind, []).append(row)
            lo, hi = row["excess_interval"]
            rules = " | ".join(_inference_cell(row, rule) for rule in ("before", "now", "before_strong", "now_strong"))
            closeness = f"excess {row['excess']:+.3f} [{lo:+.3f}, {hi:+.3f}] {row['closeness']:5s}"
            print(f"  {kind:16s} seed {seed:2d}: {closeness} | {rules}", flush=True)
    summary = {kind: summarise(rows) for kind, rows in runs.items()}
    print(f"\n{args.seeds} seeds; inference: mean risk on everyone / on the rare, seeds amber or red (of which red)")
    print(
        f"{'case':16s} {'closeness excess, amber+':>26s} | {'inference before':>24s} | {'inference now':>24s} | "
        f"{'strong attacker before':>24s} | {'strong attacker now':>24s}"
    )
    for kind, s in summary.items():
        cells = [
            f"{s[r]['inference_risk_mean']:.2f} / {s[r]['inference_rare_risk_mean']:.2f}  {s[r]['amber_or_red']:2d} "
            f"({s[r]['red']})"
            for r in ("before", "now", "before_strong", "now_strong")
        ]
        closeness = f"{s['excess_mean']:+.3f} ± {s['excess_se']:.3f} {s['closeness_amber_or_red']:3d}/{s['n']:<2d}"
        print(f"{kind:16s} {closeness:>26s} | " + " | ".join(f"{c:>24s}" for c in cells))
    write_results(args.out, {"machine": machine(), "seeds": args.seeds, "summary": summary, "runs": runs})


if __name__ == "__main__":
    main()
