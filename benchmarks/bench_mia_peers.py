"""Cross-check of our membership attacks against the DOMIAS reference code (PyPI ``domias``), on the same targets.

On the published Adult split (``shared/datasets/adult-peers``: 24,421 training rows, 24,421 holdout rows) and
real synthetic tables made from it by peer tools (plus a leaky positive control: training rows resampled), both
sides score the same targets — a seeded sample of training rows (members) against as many rows of the half of
the holdout the attacker does not hold (non-members) — from the same synthetic rows and the same reference rows
(the other half of the holdout), on the same mixed-type encoding (our
:class:`~synth.evaluation.privacy.neighbors.MixedEncoder`).

* ours: the distance and density-ratio scores of :func:`~synth.evaluation.privacy.membership.membership_inference`
  (the same functions, on the same targets as theirs);
* DOMIAS' code (``domias.baselines``): GAN-leaks (nearest synthetic row, Chen et al. 2020 — the same score as our
  distance attack), GAN-leaks calibrated by the reference rows (the nearest-neighbour form of a density ratio),
  Hilprecht's Monte Carlo attack, and DOMIAS itself with its kernel density estimator (p_G / p_R, Eq. 2), which
  needs a full-rank sample and so runs on an 8-dimensional PCA embedding of the encoded rows (fitted on the
  attacker's reference and synthetic rows only).

Every AUC gets DeLong's 95% interval (computed here from each side's scores). The peer code runs in the peers
venv (benchmarks/.venv, ``domias`` imports torch; or $SYNTH_PEERS_PYTHON); without it the check is skipped.
Prints a table and writes benchmarks/results/mia_peers.json.

Run: `python -m benchmarks.bench_mia_peers [--quick]`
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from synth.evaluation.privacy.common import auc_with_interval  # noqa: E402
from synth.evaluation.privacy.inputs import PrivacyInputs  # noqa: E402
from synth.evaluation.privacy.membership import density_ratio_scores  # noqa: E402
from synth.evaluation.results import to_jsonable  # noqa: E402
from synth.schema import infer_schema  # noqa: E402

PEERS = ROOT.parent / "shared" / "datasets" / "adult-peers"
PEERS_PYTHON = Path(os.environ.get("SYNTH_PEERS_PYTHON", ROOT / "benchmarks" / ".venv" / "bin" / "python"))
RESULTS = ROOT / "benchmarks" / "results" / "mia_peers.json"
CASES = ("synthpop", "gaussian_copula", "ctgan")
EMBED_DIMS = 8
# Which of DOMIAS' scores measures the same thing as which of ours (the rest are reported beside them).
PAIRS = {"distance": "gan_leaks", "density_ratio": "gan_leaks_cal"}


def _auc(pos: np.ndarray, neg: np.ndarray) -> dict[str, float]:
    a = auc_with_interval(pos, neg)
    return {"auc": a.value, "low": a.low, "high": a.high}


def one_case(label: str, train: pd.DataFrame, holdout: pd.DataFrame, syn: pd.DataFrame, n_targets: int) -> dict:
    """Both sides' AUCs on ``n_targets`` members and as many non-members (seeded samples, the same for both)."""
    schema = infer_schema(train)
    inputs = PrivacyInputs(train, holdout, syn, schema, seed=0, n_targets=n_targets)
    start = time.perf_counter()
    # Our scores, from the same functions membership_inference scores with.
    (syn_m, ref_m), (syn_n, ref_n) = inputs.target_features()["members"], inputs.target_features()["non_members"]
    sample = np.isin(inputs.member_targets, inputs.member_sample)
    ref_rows, non_rows = inputs.holdout_halves
    pick = np.sort(np.random.default_rng(5).choice(len(non_rows), size=min(n_targets, len(non_rows)), replace=False))
    ours_scores = {
        "distance": (-syn_m[sample, 0], -syn_n[pick, 0]),
        "density_ratio": (
            density_ratio_scores(syn_m[sample, 0], ref_m[sample]),
            density_ratio_scores(syn_n[pick, 0], ref_n[pick]),
        ),
    }
    ours_seconds = time.perf_counter() - start
    members = inputs.member_targets[sample]
    x_train, x_hold, x_syn = (np.asarray(inputs.encoded(w), dtype=float) for w in ("train", "holdout", "synthetic"))
    x_test = np.vstack([x_train[members], x_hold[non_rows[pick]]])
    x_ref = x_hold[ref_rows]
    pca = PCA(EMBED_DIMS, random_state=0).fit(np.vstack([x_ref, x_syn]))
    row: dict[str, Any] = {
        "case": label,
        "n_members": len(members),
        "n_non_members": len(pick),
        "n_reference": len(ref_rows),
        "n_synthetic": len(x_syn),
        "ours": {name: _auc(pos, neg) for name, (pos, neg) in ours_scores.items()},
        "ours_seconds": ours_seconds,
    }
    with tempfile.TemporaryDirectory() as tmp:
        arrays, scores = Path(tmp) / "arrays.npz", Path(tmp) / "scores.npz"
        np.savez(
            arrays,
            X_test=x_test,
            X_G=x_syn,
            X_ref=x_ref,
            E_test=pca.transform(x_test),
            E_G=pca.transform(x_syn),
            E_ref=pca.transform(x_ref),
        )
        start = time.perf_counter()
        run = subprocess.run(
            [str(PEERS_PYTHON), str(ROOT / "benchmarks" / "peers_domias.py"), str(arrays), str(scores)],
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            row["peer_error"] = run.stderr.strip()[-1500:]
            return row
        row["peer"] = json.loads(run.stdout.strip().splitlines()[-1])
        row["peer_seconds"] = time.perf_counter() - start
        with np.load(scores) as theirs:
            m = len(members)
            row["domias"] = {name: _auc(theirs[name][:m], theirs[name][m:]) for name in theirs.files}
    row["agree"] = {
        ours_name: bool(
            row["ours"][ours_name]["low"] <= row["domias"][peer]["high"]
            and row["domias"][peer]["low"] <= row["ours"][ours_name]["high"]
        )
        for ours_name, peer in PAIRS.items()
    }
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="300 members and non-members, two cases")
    args = parser.parse_args()
    if not PEERS_PYTHON.exists():
        print(f"skipped: no peers venv at {PEERS_PYTHON} (see benchmarks/requirements-peers.txt)")
        return 0
    probe = subprocess.run([str(PEERS_PYTHON), "-c", "import domias.baselines"], capture_output=True, text=True)
    if probe.returncode != 0:
        print(f"skipped: domias is not importable in {PEERS_PYTHON}: {probe.stderr.strip()[-300:]}")
        return 0
    train = pd.read_csv(PEERS / "adult_trn.csv.gz")
    holdout = pd.read_csv(PEERS / "adult_val.csv.gz")
    # DOMIAS' attacks loop over targets in Python, each against every synthetic row: a sample keeps them minutes.
    n_members = 300 if args.quick else 1000
    cases: dict[str, pd.DataFrame] = {
        "copy of train (leaky control)": train.sample(len(train), replace=True, random_state=1).reset_index(drop=True)
    }
    for name in CASES[:1] if args.quick else CASES:
        cases[f"{name} (peer output)"] = pd.read_csv(PEERS / f"adult_{name}.csv.gz")
    rows = []
    for label, syn in cases.items():
        print(f"… {label}", flush=True)
        rows.append(one_case(label, train, holdout, syn, n_members))

    def fmt(r: dict[str, float] | None) -> str:
        return "—" if r is None else f"{r['auc']:.3f} [{r['low']:.3f}–{r['high']:.3f}]"

    print(f"\n{'case':32} {'attack':16} {'ours':>22} {'DOMIAS code':>22}  peer attack")
    for row in rows:
        if "peer_error" in row:
            print(f"{row['case']:32} peer failed: {row['peer_error'][-300:]}")
            continue
        for ours_name, peer in PAIRS.items():
            print(
                f"{row['case']:32} {ours_name:16} {fmt(row['ours'].get(ours_name)):>22} "
                f"{fmt(row['domias'].get(peer)):>22}  {peer} ({'agree' if row['agree'][ours_name] else 'DIFFER'})"
            )
        for peer in ("domias_kde", "monte_carlo"):
            print(f"{row['case']:32} {'':16} {'':>22} {fmt(row['domias'].get(peer)):>22}  {peer}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(to_jsonable({"quick": args.quick, "rows": rows}), indent=1))
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
