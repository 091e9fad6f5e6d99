"""Synthesizer benchmark on UCI Adult: fidelity, privacy, ML utility, speed and memory of every synthesizer.

For every registered synthesizer (PrivBayes at ε = 0.1, 0.5, 1 and 5) a fresh subprocess fits on the 80 %
training part of Adult (``synth.split(seed=0)``) and reports:

* quality / shapes / pairs: sdmetrics' QualityReport (its default real-association thresholds) on a
  synthetic table of the training table's size (seed 1);
* DCR share: ``synth.evaluate_privacy(...).dcr_share``, mean over synthetic seeds 1, 2, 3 (0.5 is ideal);
* exact copies: synthetic rows equal to a training row (mean over the three seeds), next to the number the
  real holdout gives, scaled to the same number of rows;
* TSTR AUC: HistGradientBoosting trained on the synthetic table to predict ``income``, tested on the real
  holdout (mean over the three seeds); the real training table gives the reference;
* fit s (best of 3), sample s for 1,000,000 rows (best of 3) and rows/s;
* peak MB: the worker's resident-memory high-water mark (``VmHWM``) after fitting and sampling, next to its
  resident memory before fitting (Python, libraries and the data).

A reference row ("real holdout") scores the holdout itself the same way. If SDV is importable (here or in
the peers venv, see ``requirements-peers.txt``) SDV's GaussianCopula is benchmarked too.

Usage::

    .venv/bin/python -m benchmarks.bench_synthesizers            # full run, writes results/synthesizers.json
    .venv/bin/python -m benchmarks.bench_synthesizers --quick    # one repeat, 200,000-row sampling, ε ∈ {1, 5}
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.threads import THREADS  # noqa: E402  (first: BLAS reads its thread count when numpy loads)

# isort: split

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

DATA = ROOT / "assets" / "adult.csv.gz"
RESULTS = ROOT / "benchmarks" / "results" / "synthesizers.json"
TARGET = "income"
POSITIVE = ">50K"
PRIVBAYES_EPSILONS = (0.1, 0.5, 1.0, 5.0)
SEEDS = (1, 2, 3)

TARGETS: dict[str, dict[str, float]] = {
    "cart": {
        "quality_min": 0.99,
        "pairs_min": 0.985,
        "dcr_share_max": 0.53,
        "tstr_auc_min": 0.92,
        "fit_s_max": 1.0,
        "sample_1m_s_max": 2.0,
    },
    "privbayes@1": {"quality_min": 0.85, "rows_per_s_min": 500_000},
    "privbayes@5": {"quality_min": 0.90, "rows_per_s_min": 500_000},
}


# ----------------------------------------------------------------------------- helpers
def memory_mb(field: str) -> float:
    """A field of /proc/self/status (VmHWM: peak resident memory; VmRSS: current) in MB, NaN elsewhere."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def load(data: Path) -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    import synth

    df = synth.read_table(data)
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    return train, holdout, synth.infer_schema(df)


def tstr_auc(synthetic: pd.DataFrame, holdout: pd.DataFrame, train: pd.DataFrame) -> float:
    """Train on ``synthetic``, test on the real holdout: ROC AUC for ``income == '>50K'``."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import roc_auc_score

    categories = {
        c: sorted(train[c].dropna().unique())
        for c in train.columns
        if c != TARGET and not pd.api.types.is_numeric_dtype(train[c])
    }

    def features(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
        x = frame.drop(columns=TARGET).copy()
        for column, cats in categories.items():
            x[column] = pd.Categorical(x[column], categories=cats)
        return x, (frame[TARGET] == POSITIVE).to_numpy()

    x, y = features(synthetic)
    if len(np.unique(y)) < 2:
        return float("nan")
    # A column missing in every synthetic row (a DP fit at small ε that hid its whole range, or a category column
    # that is one label no real row has) gives the trees nothing to split on, and scikit-learn refuses an
    # all-missing column: it is left out of both sides (synth's own TSTR makes it constant, to the same effect).
    empty = [c for c in x.columns if x[c].isna().all()]
    x = x.drop(columns=empty)
    model = HistGradientBoostingClassifier(categorical_features="from_dtype", random_state=0).fit(x, y)
    x_hold, y_hold = features(holdout)
    x_hold = x_hold.drop(columns=empty)
    return float(roc_auc_score(y_hold, model.predict_proba(x_hold)[:, 1]))


def score(tables: list[pd.DataFrame], train: pd.DataFrame, holdout: pd.DataFrame, schema: Any) -> dict[str, Any]:
    """Fidelity (first table), privacy and TSTR (mean over tables) of synthetic tables of train's size."""
    import synth
    from synth.evaluation.fidelity.scores import sdmetrics_quality

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quality = sdmetrics_quality(train, tables[0], schema, diagnostic=False)
    privacy = [synth.evaluate_privacy(train, t, holdout=holdout, schema=schema) for t in tables]
    hold_rate = privacy[0].holdout_exact_copy_rate
    return {
        "quality": quality.overall,
        "shapes": quality.column_shapes,
        "pairs": quality.column_pair_trends,
        "dcr_share": float(np.mean([p.dcr_share for p in privacy])),
        "dcr_shares": [p.dcr_share for p in privacy],
        "exact_copies": float(np.mean([p.exact_copies for p in privacy])),
        "exact_copy_rate": float(np.mean([p.exact_copy_rate for p in privacy])),
        "holdout_copies_same_rows": hold_rate * len(tables[0]),
        "holdout_exact_copy_rate": hold_rate,
        "tstr_auc": float(np.mean([tstr_auc(t, holdout, train) for t in tables])),
    }


# ----------------------------------------------------------------------------- workers
def worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Fit, time and score one synthesizer configuration (runs in its own process)."""
    import synth

    train, holdout, schema = load(Path(spec["data"]))
    base_mb = memory_mb("VmRSS")
    repeats, big = int(spec["repeats"]), int(spec["sample_rows"])
    if spec["name"] == "real holdout":
        out = score([holdout], train, holdout, schema)
        out["tstr_auc"] = tstr_auc(train, holdout, train)  # the real-data reference: train on real train
        out["dcr_share"] = 0.5
        return {**out, "base_mb": base_mb}
    fit_times, sample_times = [], []
    model = None
    for _ in range(repeats):
        start = time.perf_counter()
        model = synth.create(spec["name"], **spec["params"]).fit(train, schema)
        fit_times.append(time.perf_counter() - start)
    assert model is not None
    for r in range(repeats):
        start = time.perf_counter()
        big_table = model.sample(big, seed=100 + r)
        sample_times.append(time.perf_counter() - start)
        del big_table
    peak_mb = memory_mb("VmHWM")
    tables = [model.sample(len(train), seed=s) for s in spec["seeds"]]
    out = score(tables, train, holdout, schema)
    sample_s = min(sample_times)
    return {
        **out,
        "fit_s": min(fit_times),
        "fit_s_all": fit_times,
        "sample_rows": big,
        "sample_s": sample_s,
        "sample_s_all": sample_times,
        "rows_per_s": big / sample_s,
        "base_mb": base_mb,
        "peak_mb": peak_mb,
    }


SDV_SCRIPT = r"""
import json, os, sys, time
import pandas as pd
from sdv.metadata import SingleTableMetadata
from sdv.single_table import GaussianCopulaSynthesizer
train = pd.read_csv(sys.argv[1])
n_big, out_dir, seeds = int(sys.argv[2]), sys.argv[3], json.loads(sys.argv[4])
meta = SingleTableMetadata()
meta.detect_from_dataframe(train)
start = time.perf_counter()
model = GaussianCopulaSynthesizer(meta)
model.fit(train)
fit_s = time.perf_counter() - start
start = time.perf_counter()
model.sample(n_big)
sample_s = time.perf_counter() - start
hwm = next(int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmHWM:"))
paths = []
for s in seeds:  # SDV draws from its own generator: one table after another
    path = os.path.join(out_dir, f"sdv_{s}.csv")
    model.sample(len(train)).to_csv(path, index=False)
    paths.append(path)
print(json.dumps({"fit_s": fit_s, "sample_s": sample_s, "peak_mb": hwm, "paths": paths}))
"""


def sdv_python() -> str | None:
    """A Python interpreter that can import sdv: this one, $SYNTH_PEERS_PYTHON or benchmarks/.venv."""
    candidates = [sys.executable, os.environ.get("SYNTH_PEERS_PYTHON"), str(ROOT / "benchmarks/.venv/bin/python")]
    for python in candidates:
        if python and Path(python).exists():
            probe = subprocess.run([python, "-c", "import sdv"], capture_output=True, check=False)
            if probe.returncode == 0:
                return python
    return None


def run_sdv(python: str, data: Path, sample_rows: int) -> dict[str, Any]:
    train, holdout, schema = load(data)
    with tempfile.TemporaryDirectory() as tmp:
        train_path = Path(tmp) / "train.csv"
        train.to_csv(train_path, index=False)
        args = [python, "-c", SDV_SCRIPT, str(train_path), str(sample_rows), tmp, json.dumps(list(SEEDS))]
        done = subprocess.run(args, capture_output=True, text=True, check=True, env=os.environ.copy())
        timing = json.loads(done.stdout.strip().splitlines()[-1])
        tables = [pd.read_csv(p) for p in timing["paths"]]
    out = score(tables, train, holdout, schema)
    return {
        **out,
        "fit_s": timing["fit_s"],
        "sample_rows": sample_rows,
        "sample_s": timing["sample_s"],
        "rows_per_s": sample_rows / timing["sample_s"],
        "peak_mb": timing["peak_mb"],
        "base_mb": float("nan"),
    }


# ----------------------------------------------------------------------------- driver
def configurations(quick: bool) -> list[dict[str, Any]]:
    import synth

    epsilons = (1.0, 5.0) if quick else PRIVBAYES_EPSILONS
    configs: list[dict[str, Any]] = [{"label": "real holdout (reference)", "name": "real holdout", "params": {}}]
    for name in synth.available():
        if name == "privbayes":
            for eps in epsilons:
                configs.append({"label": f"privbayes ε={eps:g}", "name": name, "params": {"epsilon": eps}})
        else:
            configs.append({"label": name, "name": name, "params": {}})
    return configs


def check_targets(rows: list[dict[str, Any]]) -> dict[str, dict[str, bool]]:
    verdicts: dict[str, dict[str, bool]] = {}
    for row in rows:
        key = row["name"] if row["name"] != "privbayes" else f"privbayes@{row['params'].get('epsilon', 1.0):g}"
        wanted = TARGETS.get(key)
        if not wanted or "error" in row:
            continue
        got: dict[str, bool] = {}
        for metric, bound in wanted.items():
            field = {
                "quality_min": "quality",
                "pairs_min": "pairs",
                "dcr_share_max": "dcr_share",
                "tstr_auc_min": "tstr_auc",
                "fit_s_max": "fit_s",
                "sample_1m_s_max": "sample_s",
                "rows_per_s_min": "rows_per_s",
            }[metric]
            got[metric] = row[field] >= bound if metric.endswith("_min") else row[field] <= bound
        if key == "cart":
            got["exact_copies_no_more_than_holdout"] = row["exact_copy_rate"] <= row["holdout_exact_copy_rate"]
        verdicts[row["label"]] = got
    return verdicts


def fmt(value: Any, spec: str) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return "—"
    return format(value, spec)


def print_table(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'synthesizer':<26}{'quality':>8}{'shapes':>8}{'pairs':>8}{'DCR':>7}{'copies':>8}{'(hold)':>8}"
        f"{'AUC':>7}{'fit s':>8}{'sample s':>10}{'rows/s':>12}{'peak MB':>9}{'base MB':>9}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        if "error" in r:
            print(f"{r['label']:<26}  failed: {r['error']}")
            continue
        print(
            f"{r['label']:<26}{fmt(r['quality'], '.4f'):>8}{fmt(r['shapes'], '.4f'):>8}{fmt(r['pairs'], '.4f'):>8}"
            f"{fmt(r['dcr_share'], '.3f'):>7}{fmt(r['exact_copies'], '.1f'):>8}"
            f"{fmt(r['holdout_copies_same_rows'], '.1f'):>8}{fmt(r['tstr_auc'], '.4f'):>7}"
            f"{fmt(r.get('fit_s'), '.3f'):>8}{fmt(r.get('sample_s'), '.3f'):>10}"
            f"{fmt(r.get('rows_per_s'), ',.0f'):>12}{fmt(r.get('peak_mb'), '.0f'):>9}{fmt(r.get('base_mb'), '.0f'):>9}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one repeat, 200,000 sampled rows, ε ∈ {1, 5}")
    parser.add_argument("--data", type=Path, default=DATA, help="the Adult table (default: the bundled demo)")
    parser.add_argument("--only", nargs="*", default=None, help="run only these synthesizer names")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        result = worker(json.loads(args.worker))
        print(json.dumps(result))
        return 0

    repeats, sample_rows = (1, 200_000) if args.quick else (3, 1_000_000)
    rows: list[dict[str, Any]] = []
    for config in configurations(args.quick):
        if args.only and config["name"] not in args.only and config["name"] != "real holdout":
            continue
        spec = {
            **config,
            "data": str(args.data),
            "repeats": repeats,
            "sample_rows": sample_rows,
            "seeds": list(SEEDS),
        }
        print(f"… {config['label']}", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_synthesizers", "--worker", json.dumps(spec)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            rows.append({**config, "error": done.stderr.strip().splitlines()[-1] if done.stderr else "failed"})
            continue
        rows.append({**config, **json.loads(done.stdout.strip().splitlines()[-1])})

    python = sdv_python()
    if python is None:
        print("SDV is not installed (see benchmarks/requirements-peers.txt): its GaussianCopula is skipped.")
    elif not args.only or "sdv" in args.only:
        print("… SDV GaussianCopula", file=sys.stderr, flush=True)
        try:
            rows.append(
                {"label": "SDV GaussianCopula", "name": "sdv_gaussian_copula", "params": {}}
                | run_sdv(python, args.data, sample_rows)
            )
        except (subprocess.CalledProcessError, ValueError, OSError) as exc:
            rows.append({"label": "SDV GaussianCopula", "name": "sdv_gaussian_copula", "params": {}, "error": str(exc)})

    print_table(rows)
    verdicts = check_targets(rows)
    for label, got in verdicts.items():
        missed = [k for k, ok in got.items() if not ok]
        print(f"{label}: {'all targets met' if not missed else 'missed ' + ', '.join(missed)}")

    import sdmetrics
    import sklearn

    document = {
        "benchmark": "synthesizers on UCI Adult (80/20 split, seed 0); fresh subprocess per row",
        "quick": args.quick,
        "repeats": repeats,
        "sample_rows": sample_rows,
        "seeds": list(SEEDS),
        "threads": THREADS,
        "targets": TARGETS,
        "verdicts": verdicts,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "numpy": np.__version__,
            "pandas": pd.__version__,
            "scikit-learn": sklearn.__version__,
            "sdmetrics": sdmetrics.__version__,
            "platform": platform.platform(),
            "date": time.strftime("%Y-%m-%d %H:%M"),
        },
        "results": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2, default=float) + "\n")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 1 if any("error" in r for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
