"""DP network benchmark: empirical privacy audit (ε lower bounds) and accuracy against ε.

Two parts, one table each, both written to ``benchmarks/results/dp_audit.json``:

* **Audit.** For each declared ε, :func:`synth.synthesizers.dp.audit.run_audit` fits PrivBayes hundreds of
  times on two neighbouring tables (one row added: a canary) and turns a distinguishing test on the released
  model into a Clopper–Pearson lower bound on ε (95% confidence; Jagielski et al. 2020, Nasr et al. 2021).
  A correct mechanism stays below its declared ε; a deliberately broken one (Laplace noise ten times too
  small; noise replayed from a fixed seed; no threshold on labels) is audited the same way to show that the
  audit can fail. Scenario "counts": two public-label columns, every row (a, a), the canary (b, b), statistic
  = the model's probability of the canary's cell. Scenario "labels": the canary brings a label nobody else
  has, statistic = whether the label is in the released model (this tests the δ part). Scenario "fine": a
  whole-number column with public bounds, 60 rows at each of 0–99, the canary one more at 50, statistic = the
  model's fine-cell weight of 50 (broken: fine cells from exact counts). Scenario "range": a number column's
  private range, 2,000 zeros and a tail spread thinly under the coarse grid's threshold, as many tail rows as the
  range's second look on decades needs (rounded down), the canary one more; statistic = whether the released
  range reaches the tail (broken: the second look's counts without noise).
* **Accuracy.** PrivBayes on the published Adult split (``adult-peers``: 24,421 train / 24,421 holdout) at
  several ε, with every domain private (``public_domain="none"``) and with the Adult codebook declared
  public (its category lists and documented bounds, :data:`ADULT_PUBLIC_BOUNDS`). The score is a
  mostlyai-qa-style accuracy computed here (mostlyai-qa is not installed in this environment): every
  column binned (numbers and dates: the training deciles; categories: the 10 most frequent training labels,
  the rest "other"; missing its own bin), accuracy = 1 − total variation distance, averaged over columns
  (univariate), column pairs (bivariate) and column triples (trivariate); "accuracy" is the mean of the
  three, as mostlyai-qa reports it. The same-size holdout gives the ceiling. Fit time is the median of the runs.

Usage::

    .venv/bin/python -m benchmarks.bench_dp_audit            # full: 3 ε audited × 3 mechanisms, 4 ε × 2 modes × 3 fits
    .venv/bin/python -m benchmarks.bench_dp_audit --quick    # fewer fits
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd

from synth.synthesizers.dp import audit, mechanisms
from synth.synthesizers.privbayes import PrivBayes

ROOT = Path(__file__).resolve().parent.parent
PEERS = ROOT.parent / "shared" / "datasets" / "adult-peers"
RESULTS = ROOT / "benchmarks" / "results" / "dp_audit.json"

#: Bounds documented for the Adult extract (census top-codes: capital gain 99,999, hours 99; ages 17–90).
ADULT_PUBLIC_BOUNDS: dict[str, tuple[float, float]] = {
    "age": (17, 90),
    "fnlwgt": (10_000, 1_500_000),
    "education-num": (1, 16),
    "capital-gain": (0, 99_999),
    "capital-loss": (0, 4_356),
    "hours-per-week": (1, 99),
}


# ----------------------------------------------------------------------------- accuracy (mostlyai-qa style)
def _binned(real: pd.DataFrame, *others: pd.DataFrame) -> list[np.ndarray]:
    """Every column as bin codes (one int matrix per table), with bins learned from ``real``."""
    out: list[list[np.ndarray]] = [[] for _ in (real, *others)]
    for column in real.columns:
        col = real[column]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            edges = np.unique(np.nanquantile(col.to_numpy(dtype=float), np.linspace(0, 1, 11))[1:-1])
            for i, frame in enumerate((real, *others)):
                x = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
                code = np.searchsorted(edges, x, side="left")
                code[np.isnan(x)] = len(edges) + 1
                out[i].append(code)
        else:
            top = {v: k for k, v in enumerate(col.value_counts().index[:10])}
            for i, frame in enumerate((real, *others)):
                values = frame[column].astype(object)
                code = values.map(top).fillna(10).to_numpy(dtype=np.int64)
                code[values.isna().to_numpy()] = 11
                out[i].append(code)
    return [np.column_stack(o).astype(np.int64) for o in out]


def _tvd(a: np.ndarray, b: np.ndarray) -> float:
    k = int(max(a.max(), b.max())) + 1
    pa = np.bincount(a, minlength=k) / len(a)
    pb = np.bincount(b, minlength=k) / len(b)
    return 0.5 * float(np.abs(pa - pb).sum())


def accuracy(real: pd.DataFrame, synthetic: pd.DataFrame) -> dict[str, float]:
    """Univariate, bivariate, trivariate and overall accuracy (1 − TVD of binned marginals, mostlyai-qa style).

    Overall is the mean of the three levels, as mostlyai-qa's accuracy is.
    """
    r, s = _binned(real, synthetic)
    d = r.shape[1]
    levels = {}
    for name, size in (("univariate", 1), ("bivariate", 2), ("trivariate", 3)):
        scores = []
        for cols in itertools.combinations(range(d), size):
            a = np.zeros(len(r), dtype=np.int64)
            b = np.zeros(len(s), dtype=np.int64)
            for c in cols:
                a, b = a * 12 + r[:, c], b * 12 + s[:, c]
            scores.append(1.0 - _tvd(a, b))
        levels[name] = float(np.mean(scores))
    return {**levels, "accuracy": float(np.mean(list(levels.values())))}


def adult_public_domains(train: pd.DataFrame, holdout: pd.DataFrame) -> dict[str, Any]:
    """The Adult codebook: the category lists of the published data set (train ∪ test) and documented bounds."""
    both = pd.concat([train, holdout])
    out: dict[str, Any] = dict(ADULT_PUBLIC_BOUNDS)
    for column in train.columns:
        if column not in out:
            out[column] = sorted(set(both[column].dropna().astype(str))) + ([None] if both[column].isna().any() else [])
    return out


def run_accuracy(epsilons: tuple[float, ...], repeats: int) -> list[dict[str, Any]]:
    train = pd.read_csv(PEERS / "adult_trn.csv.gz")
    holdout = pd.read_csv(PEERS / "adult_val.csv.gz")
    train = train.astype({c: str for c in train.columns if train[c].dtype == object})
    public = adult_public_domains(train, holdout)
    rows = [{"config": "same-size holdout (ceiling)", "epsilon": None, **accuracy(train, holdout), "fit_s": None}]
    print(
        f"{'config':<40} {'ε':>5} {'univariate':>10} {'bivariate':>10} {'trivariate':>10} {'accuracy':>9} {'fit s':>6}"
    )
    print(
        f"{rows[0]['config']:<40} {'':>5} {rows[0]['univariate']:>10.3f} {rows[0]['bivariate']:>10.3f} "
        f"{rows[0]['trivariate']:>10.3f} {rows[0]['accuracy']:>9.3f}"
    )
    for eps in epsilons:
        for label, params in (
            ("all domains private", {}),
            ("Adult codebook declared public", {"public_domains": public}),
        ):
            scores, times = [], []
            for rep in range(repeats):
                start = time.perf_counter()
                model = PrivBayes(epsilon=eps, random_state=rep, **params).fit(train)
                times.append(time.perf_counter() - start)
                scores.append(accuracy(train, model.sample(len(train), seed=rep)))
            row = {
                "config": label,
                "epsilon": eps,
                **{k: float(np.mean([s[k] for s in scores])) for k in scores[0]},
                "accuracy_sd": float(np.std([s["accuracy"] for s in scores])),
                "fit_s": float(np.median(times)),
                "repeats": repeats,
            }
            rows.append(row)
            print(
                f"{label:<40} {eps:>5g} {row['univariate']:>10.3f} {row['bivariate']:>10.3f} "
                f"{row['trivariate']:>10.3f} {row['accuracy']:>9.3f} {row['fit_s']:>6.2f}"
            )
    return rows


# ----------------------------------------------------------------------------- audit
@contextmanager
def broken(kind: str) -> Iterator[None]:
    """A deliberately broken mechanism, to show the audit can fail."""
    if kind == "correct":
        yield
    elif kind == "noise / 10":
        real = mechanisms.laplace
        with mock.patch.object(mechanisms, "laplace", lambda v, scale, rng: real(v, scale / 10, rng)):
            yield
    elif kind == "noise from a fixed seed":
        with mock.patch.object(mechanisms, "private_rng", lambda: np.random.default_rng(0)):
            yield
    elif kind == "fine cells from exact counts":
        from synth.synthesizers.dp import domains as dpd

        exact: dict[str, np.ndarray] = {}
        real_counts, real_fine = dpd.value_counts, dpd.fine_cells

        def leaky_counts(x: np.ndarray, low: float, high: float, epsilon: float, rng: Any) -> Any:
            candidates, noisy = real_counts(x, low, high, epsilon, rng)
            pos = np.clip(np.searchsorted(candidates, x), 0, max(len(candidates) - 1, 0))
            exact["counts"] = np.bincount(pos, minlength=len(candidates)).astype(float)
            return candidates, noisy

        def exact_fine(dom: Any, candidates: np.ndarray, noisy: np.ndarray, scale: float) -> Any:
            return real_fine(dom, candidates, exact["counts"], scale)

        with mock.patch.object(dpd, "value_counts", leaky_counts), mock.patch.object(dpd, "fine_cells", exact_fine):
            yield
    elif kind == "second look without noise":
        from synth.synthesizers.dp import domains as dpd

        real_span = dpd._kept_span

        def exact_second_look(x: np.ndarray, edges: np.ndarray, epsilon: float, rng: Any, zero_cell: bool) -> Any:
            if edges is not dpd.COARSER_EDGES:
                return real_span(x, edges, epsilon, rng, zero_cell)
            with mock.patch.object(mechanisms, "laplace", lambda v, scale, rng: np.asarray(v, dtype=float)):
                return real_span(x, edges, epsilon, rng, zero_cell)

        with mock.patch.object(dpd, "_kept_span", exact_second_look):
            yield
    elif kind == "no label threshold":
        with mock.patch.object(mechanisms, "threshold", lambda epsilon, delta: 0.0):
            yield
    else:
        raise ValueError(kind)


def run_audits(epsilons: tuple[float, ...], trials: int, calibration: int) -> list[dict[str, Any]]:
    rows = []
    print(
        f"\n{'scenario':<10} {'mechanism':<24} {'declared ε':>10} {'ε lower bound':>14} "
        f"{'FPR':>6} {'FNR':>6} {'fits':>6}"
    )
    scenarios: dict[str, Callable[[float], Callable[[bool], float]]] = {
        "counts": audit.counts_scenario,
        "labels": audit.labels_scenario,
        "fine": audit.fine_scenario,
        "range": audit.range_scenario,
    }
    for eps in epsilons:
        for name, scenario in scenarios.items():
            delta = PrivBayes.delta if name == "labels" else 0.0
            broken_kinds = {
                "counts": ("noise / 10", "noise from a fixed seed"),
                "labels": ("no label threshold",),
                "fine": ("fine cells from exact counts",),
                "range": ("second look without noise",),
            }[name]
            for kind in ("correct", *broken_kinds):
                with broken(kind):
                    result = audit.run_audit(
                        scenario(eps), epsilon=eps, delta=delta, trials=trials, calibration=calibration
                    )
                row = {"scenario": name, "mechanism": kind, **result.to_dict()}
                rows.append(row)
                print(
                    f"{name:<10} {kind:<24} {eps:>10g} {result.epsilon_lower:>14.3f} "
                    f"{result.false_positive_rate:>6.2f} {result.false_negative_rate:>6.2f} "
                    f"{2 * (trials + calibration):>6}"
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer fits: audits of 100 + 50, one accuracy fit")
    parser.add_argument("--skip-audit", action="store_true")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    # A partial run (--skip-...) keeps the other part of an earlier run's results.
    out: dict[str, Any] = json.loads(args.out.read_text()) if args.out.exists() else {}
    out["machine_note"] = "shared 2-core machine; timings are noisy"
    if not args.skip_accuracy:
        out["accuracy"] = run_accuracy((1.0, 3.0) if args.quick else (0.5, 1.0, 3.0, 10.0), 1 if args.quick else 3)
    if not args.skip_audit:
        trials, calibration = (100, 50) if args.quick else (300, 100)
        out["audit"] = run_audits((0.5, 1.0, 2.0), trials, calibration)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
