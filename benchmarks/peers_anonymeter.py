"""Run anonymeter's three evaluators on CSV files; print their rates and risks as JSON.

Runs in the peers venv (benchmarks/.venv, see requirements-peers.txt), never in the project's .venv: anonymeter
pins numpy < 1.27. Called by bench_privacy.py:

    benchmarks/.venv/bin/python benchmarks/peers_anonymeter.py spec.json

``spec.json`` names the train / synthetic / holdout CSV files, the attacker model and ``n_attacks``.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import time
import warnings

import pandas as pd


def _rates(results) -> dict:  # type: ignore[no-untyped-def]
    def rate(r):  # type: ignore[no-untyped-def]
        return None if r is None else {"value": r.value, "error": r.error}

    return {
        "main": rate(results.attack_rate),
        "control": rate(results.control_rate),
        "baseline": rate(results.baseline_rate),
    }


def main(path: str) -> None:
    from anonymeter.evaluators import InferenceEvaluator, LinkabilityEvaluator, SinglingOutEvaluator

    with open(path) as handle:
        spec = json.load(handle)
    train, syn, holdout = (pd.read_csv(spec[k]) for k in ("train", "synthetic", "holdout"))
    n = int(spec["n_attacks"])
    out: dict = {"anonymeter": importlib.metadata.version("anonymeter")}
    warnings.simplefilter("ignore")
    for mode in ("univariate", "multivariate"):
        start = time.perf_counter()
        ev = SinglingOutEvaluator(ori=train, syn=syn, control=holdout, n_attacks=n, n_cols=3, seed=int(spec["seed"]))
        ev.evaluate(mode=mode)
        risk = ev.risk()
        out[f"singling_out_{mode}"] = {
            "risk": risk.value,
            "ci": list(risk.ci),
            "seconds": time.perf_counter() - start,
            **_rates(ev.results()),
        }
    start = time.perf_counter()
    ev = LinkabilityEvaluator(
        ori=train, syn=syn, control=holdout, aux_cols=(spec["link_a"], spec["link_b"]), n_attacks=n, n_neighbors=1
    )
    ev.evaluate(n_jobs=-2)
    risk = ev.risk()
    out["linkability"] = {
        "risk": risk.value,
        "ci": list(risk.ci),
        "seconds": time.perf_counter() - start,
        **_rates(ev.results()),
    }
    start = time.perf_counter()
    ev = InferenceEvaluator(
        ori=train, syn=syn, control=holdout, aux_cols=spec["known"], secret=spec["secret"], n_attacks=n
    )
    ev.evaluate(n_jobs=-2)
    risk = ev.risk()
    out["inference"] = {
        "risk": risk.value,
        "ci": list(risk.ci),
        "seconds": time.perf_counter() - start,
        **_rates(ev.results()),
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
