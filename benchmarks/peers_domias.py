"""Score membership with the DOMIAS reference code (van Breugel et al., AISTATS 2023; PyPI ``domias``).

Runs in the peers venv (benchmarks/.venv, see requirements-peers.txt: ``domias`` imports torch), never in the
project's .venv. Called by bench_mia_peers.py:

    benchmarks/.venv/bin/python benchmarks/peers_domias.py arrays.npz scores.npz

``arrays.npz`` holds the encoded targets (``X_test``: members then non-members), the synthetic rows (``X_G``), the
attacker's reference rows (``X_ref``) and a low-dimensional embedding of each (``E_test``, ``E_G``, ``E_ref``) for
the kernel density estimates. Writes one score per target and attack to ``scores.npz`` (higher = member).
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import time

import numpy as np


def main(arrays: str, out: str) -> None:
    from domias.baselines import MC, GAN_leaks, GAN_leaks_cal, kde_baseline

    data = np.load(arrays)
    x_test, x_g, x_ref = data["X_test"], data["X_G"], data["X_ref"]
    scores: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    # DOMIAS itself with its KDE estimator (Eq. 2: p_G / p_R) and its ablation (Eq. 1: p_G alone). Its gaussian_kde
    # needs a full-rank sample, which one-hot columns are not: it runs on the embedding.
    scores["domias_kde"] = kde_baseline(data["E_test"], data["E_G"], data["E_ref"])[1]
    seconds["domias_kde"] = time.perf_counter() - start
    for name, call in (
        ("gan_leaks", lambda: GAN_leaks(x_test, x_g)),
        ("gan_leaks_cal", lambda: GAN_leaks_cal(x_test, x_g, x_ref)),
        ("monte_carlo", lambda: MC(x_test, x_g)),
    ):
        start = time.perf_counter()
        scores[name] = call()
        seconds[name] = time.perf_counter() - start
    np.savez(out, **scores)
    print(json.dumps({"domias": importlib.metadata.version("domias"), "seconds": seconds}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
