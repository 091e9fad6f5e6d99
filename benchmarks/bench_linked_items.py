"""Linked items: do the trees keep a column's many weak links to earlier columns (items of one questionnaire)?

Session 28's browser walk uploaded a wide table (2,500 rows × 60: 30 flags, 10 Likert items, 10 sensors, a site, a
date, a note, an e-mail, a rare event) and found Pruned CART's Likert items half as linked as the real ones. This
benchmark measures that and what it costs in privacy, with and without linear-score splits
(``linear_splits``, :mod:`synth.synthesizers.linear_scores`), against the copula and the holdout.

For each table (the session-28 wide table, rebuilt here by :func:`questionnaire`; the session-23 survey and the
session-22 HR table of :mod:`benchmarks.walk_tables`; ``--tables adult``: UCI Adult), split 80/20 with seed 0, each
model is fitted with seeds 0 and 2 and samples as many rows as the training table (seed 1). Reported:

* linked: the mean real association of the table's *linked pairs* (every pair of its ``LINKED`` columns: the
  Likert items), in the training rows, the holdout and the synthetic rows (Pearson r);
* pairs: the pair-trend score over every pair (:func:`synth.evaluate_fidelity`, the synthetic table scored at
  the holdout's size), next to the holdout's;
* accuracy: the 1-/2-/3-way accuracy the Compare page heads with (the holdout's beside it);
* DCR share: :func:`synth.evaluate_privacy` (0.5 is ideal), and the rare-value test's pooled excess of train-only
  values over holdout-only ones (:func:`synth.evaluate_rare_values`; 0 is ideal), with its 95% interval.

Usage::

    .venv/bin/python -m benchmarks.bench_linked_items            # writes benchmarks/results/linked_items.json
    .venv/bin/python -m benchmarks.bench_linked_items --tables adult --models "Pruned CART" \
        --out benchmarks/results/linked_items_adult.json          # UCI Adult, Pruned CART with and without
    .venv/bin/python -m benchmarks.bench_linked_items --tables adult --models CART \
        --out benchmarks/results/linked_items_adult_cart.json     # UCI Adult, plain CART with and without
    .venv/bin/python -m benchmarks.bench_linked_items --models CART \
        --out benchmarks/results/linked_items_cart.json           # the three tables, plain CART with and without
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import load_adult, machine, tree_commit, write_results  # noqa: E402
from benchmarks.walk_tables import hr, survey  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "linked_items.json"
SEEDS = (0, 2)
CONFIGS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("Pruned CART", "pruned_cart", {}),
    ("Pruned CART, no linear splits", "pruned_cart", {"linear_splits": False}),
    ("CART", "cart", {}),
    ("CART, no linear splits", "cart", {"linear_splits": False}),
    ("Gaussian copula", "gaussian_copula", {}),
)
#: The columns whose every pair is a linked pair, per table (none: the strongest real pairs are not singled out).
LINKED = {
    "wide": tuple(f"likert_q{i:02d}" for i in range(1, 11)),
    "survey": ("q1_satisfied", "q2_recommend_0_10"),
    "hr": (),
    "adult": ("education_num", "hours_per_week", "age"),
}


def questionnaire(n: int = 2_500, seed: int = 20281) -> pd.DataFrame:
    """The session-28 wide table (``wide.csv``): 30 yes/no and 0/1 flags, 10 Likert items and 10 sensors (blank on
    4-13% of rows) all driven by one latent trait, a site, a visit date, a note, an e-mail, age, sex, weight, a
    device model and a rare serious adverse event (1%), read back from CSV as the walk uploaded it."""
    import synth

    rng = np.random.default_rng(seed)
    site = rng.choice([f"S{i:03d}" for i in range(1, 13)], n, p=np.r_[np.full(10, 0.09), 0.06, 0.04])
    latent = rng.normal(size=n)
    w: dict[str, Any] = {"record_id": [f"PRO-{100000 + i}" for i in rng.permutation(n)], "site_id": site}
    w["visit_date"] = (np.datetime64("2023-01-09") + rng.integers(0, 600, n).astype("timedelta64[D]")).astype(str)
    for i in range(30):
        p = 1 / (1 + np.exp(-(latent * (0.3 + 0.05 * i) + rng.normal(0, 1, n) - 0.5 + i * 0.05)))
        flag = rng.random(n) < p
        if i % 2 == 0:
            w[f"symptom_{i + 1:02d}"] = np.where(flag, "Yes", "No")
        else:
            w[f"device_ok_{i + 1:02d}"] = flag.astype(int)
    for i in range(10):
        w[f"likert_q{i + 1:02d}"] = np.clip(np.round(3 + latent * 0.9 + rng.normal(0, 0.8, n)), 1, 5).astype(int)
    for i in range(10):
        base = [36.6, 72.0, 120.0, 80.0, 97.5, 16.0, 1.013, 21.5, 45.0, 0.5][i]
        sd = [0.4, 9.0, 14.0, 9.0, 1.5, 3.0, 0.005, 2.0, 10.0, 0.2][i]
        s = pd.Series(np.round(base + sd * (0.5 * latent + rng.normal(size=n)), 3)).map(lambda v: f"{v:.3f}")
        s[rng.random(n) < 0.04 + 0.01 * i] = ""
        w[f"sensor_{i + 1:02d}"] = s
    notes = ["feeling better", "tired after visit", "no complaints", "headache in the morning", "missed two doses"]
    notes += ["sleep improved", "", "", "", "dizzy when standing", "asked about side effects", "back pain, mild"]
    w["note"] = rng.choice(notes, n)
    first = ["anna", "ben", "carla", "dmitri", "eva", "farid", "greta", "hugo", "ines", "jonas", "kim", "lea"]
    last = ["meyer", "schmidt", "rossi", "novak", "berg", "klein", "lopez", "nowak", "weber", "fischer"]
    doms = ["gmail.com", "web.de", "outlook.com", "gmx.net", "uni-hospital.org"]
    w["age"] = np.clip(np.round(rng.normal(58, 14, n)), 18, 95).astype(int)
    w["sex"] = rng.choice(["F", "M"], n)
    w["weight_kg"] = np.round(rng.normal(78, 15, n), 1)
    w["device_model"] = rng.choice(["TX-100", "TX-200", "Pulse One", "Pulse Two"], n)
    w["email"] = [f"{rng.choice(first)}.{rng.choice(last)}{rng.integers(1, 999)}@{rng.choice(doms)}" for _ in range(n)]
    pw = np.exp(1.5 * latent)
    rare = np.zeros(n, bool)
    rare[rng.choice(n, 25, replace=False, p=pw / pw.sum())] = True
    w["serious_adverse_event"] = np.where(rare, 1, 0)
    text = pd.DataFrame(w).to_csv(index=False).encode()
    return synth.read_table(io.BytesIO(text), name="wide.csv")


def _as_csv(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """A walk table as the dashboard reads its CSV."""
    import synth

    return synth.read_table(io.BytesIO(df.to_csv(index=False).encode()), name=f"{name}.csv")


TABLES = {
    "wide": questionnaire,
    "survey": lambda: _as_csv(survey(), "survey"),
    "hr": lambda: _as_csv(hr(), "hr"),
    "adult": load_adult,
}


def linked_mean(table: pd.DataFrame, columns: tuple[str, ...]) -> float:
    """Mean Pearson r over every pair of ``columns`` (labels of an ordered scale read by their order of first
    sorting: the survey's answers are coded 1-5 by :data:`SCALE`)."""
    if len(columns) < 2:
        return float("nan")
    coded = pd.DataFrame({c: _ordinal(table[c]) for c in columns})
    corr = coded.corr().to_numpy()
    return float(np.mean(corr[np.triu_indices(len(columns), 1)]))


SCALE = {"Strongly disagree": 1, "Disagree": 2, "Neutral": 3, "Agree": 4, "Strongly agree": 5}


def _ordinal(values: pd.Series) -> pd.Series:
    if values.dtype == object:
        return values.map(SCALE).astype(float)
    return values.astype(float)


def run(tables: list[str], models: str) -> dict[str, Any]:
    import synth

    rows: list[dict[str, Any]] = []
    for table in tables:
        df = TABLES[table]()
        train, holdout = synth.split(df, holdout=0.2, seed=0)
        schema = synth.infer_schema(train)
        linked = LINKED[table]
        real_linked, holdout_linked = linked_mean(train, linked), linked_mean(holdout, linked)
        print(
            f"\n{table}: {len(train):,} training rows, linked pairs r = {real_linked:.3f} "
            f"(holdout {holdout_linked:.3f})"
        )
        print(
            f"{'model':<32} {'seed':>4} {'linked':>7} {'pairs':>6} {'(hold)':>6} {'acc':>6} {'(hold)':>6} "
            f"{'DCR':>6} {'rare excess':>20} {'fit s':>6}"
        )
        for label, name, params in CONFIGS:
            if models and not label.startswith(models):
                continue
            for seed in SEEDS:
                start = time.perf_counter()
                model = synth.create(name, random_state=seed, **params).fit(train, schema)
                fit_s = time.perf_counter() - start
                syn = model.sample(len(train), seed=1)
                fid = synth.evaluate_fidelity(
                    train, syn, holdout=holdout, schema=schema, run_sdmetrics=False, n_bootstrap=0
                )
                acc = synth.evaluate_accuracy(train, syn, holdout=holdout, schema=schema)
                priv = synth.evaluate_privacy(train, syn, holdout=holdout, schema=schema, membership=False)
                rare = synth.evaluate_rare_values(train, syn, holdout, schema=schema)
                reference = fid.reference
                row = {
                    "table": table,
                    "model": label,
                    "synthesizer": name,
                    "params": params,
                    "seed": seed,
                    "linked_real": real_linked,
                    "linked_holdout": holdout_linked,
                    "linked_synthetic": linked_mean(syn, linked),
                    "pair_trends": fid.column_pair_trends,
                    "pair_trends_holdout": reference.column_pair_trends if reference else None,
                    "accuracy": acc.overall,
                    "accuracy_holdout": acc.overall_reference,
                    "dcr_share": priv.dcr_share,
                    "rare_excess": rare.pooled_excess,
                    "rare_ci": [rare.pooled_low, rare.pooled_high],
                    "rare_flagged": [c.column for c in rare.flagged],
                    "fit_seconds": fit_s,
                }
                rows.append(row)
                ci = f"{rare.pooled_excess:+.3f} [{rare.pooled_low:+.3f},{rare.pooled_high:+.3f}]"
                print(
                    f"{label:<32} {seed:>4} {row['linked_synthetic']:>7.3f} {row['pair_trends']:>6.3f} "
                    f"{row['pair_trends_holdout'] or float('nan'):>6.3f} {row['accuracy']:>6.3f} "
                    f"{row['accuracy_holdout'] or float('nan'):>6.3f} {row['dcr_share']:>6.3f} {ci:>20} {fit_s:>6.1f}",
                    flush=True,
                )
    return {"machine": machine(), "commit": tree_commit(ROOT), "seeds": SEEDS, "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", default="wide,survey,hr", help="comma-separated: wide, survey, hr, adult (slow)")
    parser.add_argument("--models", default="", help="only the models whose label starts so ('Pruned CART')")
    parser.add_argument("--out", default=str(RESULTS), help="where the JSON goes")
    args = parser.parse_args(argv)
    write_results(Path(args.out), run(args.tables.split(","), args.models))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
