"""Does the inference risk read ~0 when nothing leaks and high when train does, on imbalanced and balanced secrets?

Each repeat re-draws which real rows are train (T), holdout (H) and fresh (F), then builds a "synthetic" table:

* ``fresh``: F, real rows the synthesizer never saw, as large as train — the true risk is 0;
* ``copy``: train itself — the largest leak;
* ``leak10``: F with a tenth of its rows replaced by train rows, copied verbatim;
* a synthesizer's name (``pruned_cart``, ``cart``, ``gaussian_copula``, …): fitted on T, as many rows as T.

and runs the inference attack on everyone and on the people rare on the known columns, as the Privacy page does
(2,000 targets each). Per case it prints the mean risk ± its standard error over the repeats, the share of runs
whose interval lies above 0 (``sig``) and the share whose inference light (both attacks, as the verdict judges them)
is red, beside the same for anonymeter's figure (``AttackResult.anonymeter_risk``: Wilson estimates, unmatched
control, propagated error — what the page showed before).

Tables: the shop export of the session-20 walk (:func:`benchmarks.walk_tables.shop_orders`, 5,000 rows;
``chargeback`` is 99.5% "N"),
T / H / F = 2,000 / 500 / 2,000 (the holdout a quarter of train, as on an 80/20 split), attacked by the walk's
default attacker (``walk``: quantity, discount, express, note) and by one who also knows the order time and total
(``strong``: every order unique, so a copy shows); Adult (the peers split's 48,842 rows), 12,000 / 3,000 / 12,000,
secrets ``income`` (24% ">50K") and ``native-country`` (89.5% "United-States").

Usage::

    .venv/bin/python -m benchmarks.bench_inference_risk                       # every case, writes the JSON
    .venv/bin/python -m benchmarks.bench_inference_risk --tables shop --repeats 40 --kinds fresh copy
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
import benchmarks.threads  # noqa: E402, F401  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
from dataclasses import replace  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from benchmarks.common import machine, write_results  # noqa: E402
from benchmarks.walk_tables import shop_orders  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "inference_risk.json"
ADULT_PEERS = ROOT.parent / "shared" / "datasets" / "adult-peers"
KINDS = ("fresh", "copy", "leak10", "pruned_cart", "cart", "gaussian_copula")


def _shop() -> pd.DataFrame:
    """The shop table as the dashboard reads it (through a CSV, so its text columns are typed as on upload)."""
    import io

    import synth

    buf = io.StringIO()
    shop_orders().to_csv(buf, index=False)
    return synth.read_table(buf.getvalue().encode(), name="orders.csv")


def _adult() -> pd.DataFrame:
    parts = [pd.read_csv(ADULT_PEERS / f"adult_{p}.csv.gz") for p in ("trn", "val")]
    return pd.concat(parts, ignore_index=True)


SHOP_DEFAULT = ("quantity", "discount", "express", "note")
SHOP_STRONG = ("ordered_at", "total", "quantity", "discount", "note")
ADULT_KNOWN = ("age", "sex", "race", "marital-status", "education")
TABLES: dict[str, dict[str, Any]] = {
    "shop": {
        "load": _shop,
        "sizes": (2_000, 500),
        "attacks": [
            ("chargeback", "walk", SHOP_DEFAULT),
            ("chargeback", "strong", (*SHOP_STRONG, "express")),
            ("express", "strong", SHOP_STRONG),
        ],
        "repeats": 20,
    },
    "adult": {
        "load": _adult,
        "sizes": (12_000, 3_000),
        "attacks": [("income", "demographic", ADULT_KNOWN), ("native-country", "demographic", ADULT_KNOWN)],
        "repeats": 6,
    },
}


def make_tables(
    table: pd.DataFrame, schema: Any, sizes: tuple[int, int], kind: str, rep: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One repeat's train, holdout and synthetic tables (see the module docstring)."""
    import synth

    n_train, n_hold = sizes
    order = np.random.default_rng([rep, 7]).permutation(len(table))
    train = table.iloc[order[:n_train]].reset_index(drop=True)
    holdout = table.iloc[order[n_train : n_train + n_hold]].reset_index(drop=True)
    if kind == "copy":
        return train, holdout, train.copy()
    if kind in ("fresh", "leak10"):
        syn = table.iloc[order[n_train + n_hold : 2 * n_train + n_hold]].reset_index(drop=True)
        if kind == "leak10":
            n_leak = round(len(syn) * 0.1)
            leaked = train.iloc[np.random.default_rng([rep, 8]).choice(n_train, n_leak, replace=False)]
            syn = pd.concat([syn.iloc[n_leak:], leaked], ignore_index=True)
        return train, holdout, syn
    model = synth.create(kind, random_state=rep).fit(train, schema)
    return train, holdout, model.sample(n_train, seed=rep + 1)


def _light(results: list[Any]) -> str:
    from synth.evaluation.privacy.verdict_criteria import Thresholds, attack_verdict

    return attack_verdict("inference", "Inference", results, Thresholds().attack).level


def attack_pair(
    train: pd.DataFrame,
    holdout: pd.DataFrame,
    syn: pd.DataFrame,
    schema: Any,
    secret: str,
    known: tuple[str, ...],
    seed: int,
    inputs: Any = None,
) -> list[Any]:
    """The inference attack on ``secret`` over every target, then over the targets rare on the known columns
    (``inputs``: the tables' shared :class:`~synth.evaluation.privacy.inputs.PrivacyInputs`, built when None)."""
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.wp216 import inference

    inputs = inputs or PrivacyInputs(train, holdout, syn, schema)
    return [
        inference(
            train,
            syn,
            holdout=holdout,
            known=known,
            secret=secret,
            schema=schema,
            seed=seed,
            inputs=inputs,
            rare_only=rare,
        )
        for rare in (False, True)
    ]


def run_case(name: str, kind: str, repeats: int) -> dict[str, Any]:
    """Every attack of table ``name`` on synthetic tables of ``kind``, ``repeats`` times."""
    import synth
    from synth.evaluation.privacy.inputs import PrivacyInputs

    spec = TABLES[name]
    table = spec["load"]()
    schema = synth.infer_schema(table)
    runs: dict[str, list[dict[str, Any]]] = {}
    for rep in range(repeats):
        train, holdout, syn = make_tables(table, schema, spec["sizes"], kind, rep)
        inputs = PrivacyInputs(train, holdout, syn, schema)
        for secret, attacker, known in spec["attacks"]:
            label = f"{secret} [{attacker}]"
            pair = attack_pair(train, holdout, syn, schema, secret, known, rep, inputs)
            old = [replace(r, risk=r.anonymeter_risk) if r.anonymeter_risk is not None else r for r in pair]
            for r, o in zip(pair, old, strict=True):
                runs.setdefault(f"{label} {'rare' if r.name == 'inference_rare' else 'all'}", []).append(
                    {
                        "measured": r.measured,
                        "risk": r.risk.value,
                        "low": r.risk.low,
                        "high": r.risk.high,
                        "significant": r.risk.significant,
                        "main": r.main.value,
                        "control": r.control.value,
                        "n_main": r.main.n_total,
                        "n_control": r.control.n_total,
                        "anonymeter": o.risk.value,
                        "anonymeter_significant": o.risk.significant,
                    }
                )
            runs.setdefault(f"{label} light", []).append({"ours": _light(pair), "anonymeter": _light(old)})
    return runs


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    measured = [r for r in runs if r["measured"]]
    if not measured:
        return {"n": 0}
    risk = np.array([r["risk"] for r in measured])
    anon = np.array([r["anonymeter"] for r in measured])
    return {
        "n": len(measured),
        "risk_mean": float(risk.mean()),
        "risk_se": float(risk.std(ddof=1) / np.sqrt(len(risk))) if len(risk) > 1 else 0.0,
        "significant": float(np.mean([r["significant"] for r in measured])),
        "anonymeter_mean": float(anon.mean()),
        "anonymeter_significant": float(np.mean([r["anonymeter_significant"] for r in measured])),
        "n_main": float(np.mean([r["n_main"] for r in measured])),
        "n_control": float(np.mean([r["n_control"] for r in measured])),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--tables", nargs="+", default=list(TABLES), choices=list(TABLES))
    parser.add_argument("--kinds", nargs="+", default=list(KINDS))
    parser.add_argument("--repeats", type=int, default=None, help="repeats per case (default: the table's own)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    results: dict[str, Any] = {}
    print(
        f"{'table':<6} {'synthetic':<16} {'attack':<34} {'ours: risk ± se':>16} {'sig':>5} {'red':>5}   "
        f"{'anonymeter':>10} {'sig':>5} {'red':>5}  targets"
    )
    for name in args.tables:
        for kind in args.kinds:
            runs = run_case(name, kind, args.repeats or TABLES[name]["repeats"])
            out: dict[str, Any] = {}
            for key in [k for k in runs if not k.endswith(" light")]:
                out[key] = summarise(runs[key])
                out[key]["runs"] = runs[key]
            for key in [k for k in runs if k.endswith(" light")]:
                lights = runs[key]
                out[key] = {
                    "red": float(np.mean([x["ours"] == "red" for x in lights])),
                    "anonymeter_red": float(np.mean([x["anonymeter"] == "red" for x in lights])),
                    "runs": lights,
                }
            results[f"{name}/{kind}"] = out
            for key, s in out.items():
                if key.endswith(" light"):
                    print(
                        f"{name:<6} {kind:<16} {key:<34} {'':>16} {'':>5} {s['red']:>5.2f}   {'':>10} "
                        f"{'':>5} {s['anonymeter_red']:>5.2f}",
                        flush=True,
                    )
                elif s["n"]:
                    print(
                        f"{name:<6} {kind:<16} {key:<34} {s['risk_mean']:>8.3f} ± {s['risk_se']:.3f} "
                        f"{s['significant']:>5.2f} {'':>5}   {s['anonymeter_mean']:>10.3f} "
                        f"{s['anonymeter_significant']:>5.2f} {'':>5}  {s['n_main']:.0f}/{s['n_control']:.0f}",
                        flush=True,
                    )
    command = " ".join(["python -m benchmarks.bench_inference_risk", *(sys.argv[1:] if argv is None else argv)])
    payload = {"machine": machine(), "command": command, "results": results}
    write_results(args.out, payload)
    return payload


if __name__ == "__main__":
    main()
