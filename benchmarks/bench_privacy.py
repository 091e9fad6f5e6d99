"""Privacy benchmark on UCI Adult (26k train / 6.5k holdout): speed, memory, known cases and anonymeter.

What is timed (median of ``--repeats`` runs after one warm-up, on a Gaussian-copula synthetic table), each run
on a fresh :class:`~synth.evaluation.privacy.inputs.PrivacyInputs` in the order the Privacy page asks:

* ``prepare`` — the tables coerced once (the encoders and searches are then timed in the steps that use them);
* ``copies`` — exact and unique copies (the page's first numbers: target ≤ 2 s with ``prepare``);
* ``distance panel`` — DCR of every synthetic and holdout row, both DCR shares, NNDR (target ≤ 8 s);
* ``membership attacks`` — distance, density ratio, shadow model (4 refits of the synthesizer) and the targeted
  check, 5,000 members vs 3,256 non-members against all 26k synthetic rows (target ≤ 8 s);
* ``three attacks`` — singling out (univariate and 3-column), linkability and inference (everyone and the
  rare), 2,000 attacks each;
* ``whole panel`` — all of the above on one PrivacyInputs, as the page runs them (target ≤ 20 s);
* ``sdmetrics`` — DCRBaselineProtection / DCROverfittingProtection on 2 × 300-row subsamples and the
  DisclosureProtection estimate, as the Privacy page runs them.

Peak memory of the whole pipeline (the above plus the record inspector) is measured in a fresh subprocess from
``VmHWM`` (target ≤ 2 GB). Then every measure runs on known cases and real generators — a copy of train,
fresh real rows, columns resampled independently, the independent, Gaussian-copula, CART (default and
``min_samples_leaf=1``) and DP Bayesian-network synthesizers — to show what each criterion says.

Finally, when anonymeter is installed in the peers venv (``benchmarks/.venv``, requirements-peers.txt), its
three evaluators run on the same tables with 500 attacks (its default; 2,000 would take minutes per table) and
their success rates and risks are set beside ours at 2,000 attacks: do the intervals overlap? anonymeter draws
its targets and control subsamples without a seed, so its own numbers move between runs, and two of its
defects are expected to show: its singling-out control correction is flat (it fits the number of predicates,
not of successes), and its inference baseline pairs guesses to targets by row label. Without the peers venv
the cross-check is skipped with a note.

Usage::

    .venv/bin/python -m benchmarks.bench_privacy             # writes benchmarks/results/privacy.json
    .venv/bin/python -m benchmarks.bench_privacy --quick     # one repeat, fewer tables, no anonymeter
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # also when run as a script path, not with -m
from benchmarks.common import load_adult  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results" / "privacy.json"
PEERS_PYTHON = Path(os.environ.get("SYNTH_PEERS_PYTHON", ROOT / "benchmarks" / ".venv" / "bin" / "python"))
TARGETS = {
    "prepare + copies": 2.0,
    "distance_panel": 8.0,
    "membership_attacks": 8.0,
    "whole_panel": 20.0,
    "peak_memory_mb": 2048.0,
}
N_ATTACKS = 2000
N_ATTACKS_PEER = 500


def peak_mb() -> float:
    """VmHWM (peak resident memory) of this process in MB; NaN where /proc is missing."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def timed(call: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """Median seconds over ``repeats`` runs after one warm-up, and the last result."""
    result = call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def setup() -> tuple[pd.DataFrame, pd.DataFrame, Any]:
    import synth

    df = load_adult()
    train, holdout = synth.split(df, holdout=0.2, seed=0)
    return train, holdout, synth.infer_schema(df)


def child() -> None:
    """The whole Privacy-page pipeline in a fresh process; prints its peak memory as JSON."""
    import synth
    from synth.evaluation.privacy.attacks import evaluate_attacks
    from synth.evaluation.privacy.inspector import inspect_record
    from synth.evaluation.privacy.peer_sdmetrics import sdmetrics_privacy

    train, holdout, schema = setup()
    syn = synth.create("gaussian_copula").fit(train, schema).sample(len(train), seed=1)
    before = peak_mb()
    result = synth.evaluate_privacy(train, syn, holdout=holdout, schema=schema)
    report = evaluate_attacks(train, syn, holdout=holdout, schema=schema, n_attacks=N_ATTACKS)
    sdmetrics_privacy(train, syn, holdout=holdout, schema=schema, known=report.attacker.known, secret="income")
    inspect_record(train, syn, result.closest_rows[0], holdout=holdout, schema=schema)
    print(json.dumps({"peak_mb": peak_mb(), "peak_mb_before_privacy": before}))


def panel(train: pd.DataFrame, syn: pd.DataFrame, holdout: pd.DataFrame, schema: Any, spec: Any) -> dict[str, float]:
    """Seconds of each step of the Privacy page on one fresh PrivacyInputs, in the page's order."""
    import synth
    from synth.evaluation.privacy.attacks import evaluate_attacks, membership_inference
    from synth.evaluation.privacy.distances import count_copies
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.inspector import inspect_record

    out = {}
    start = time.perf_counter()
    inputs = PrivacyInputs(train, holdout, syn, schema, synthesizer=spec)
    count_copies(inputs)
    out["prepare + copies"] = time.perf_counter() - start
    t = time.perf_counter()
    result = synth.evaluate_privacy(train, syn, holdout=holdout, inputs=inputs, membership=False)
    out["distance_panel"] = time.perf_counter() - t
    t = time.perf_counter()
    membership_inference(train, syn, holdout=holdout, inputs=inputs)
    out["membership_attacks"] = time.perf_counter() - t
    t = time.perf_counter()
    evaluate_attacks(train, syn, holdout=holdout, inputs=inputs, n_attacks=N_ATTACKS)
    out["three_attacks"] = time.perf_counter() - t
    t = time.perf_counter()
    inspect_record(train, syn, result.closest_rows[0], holdout=holdout, inputs=inputs)
    out["inspector"] = time.perf_counter() - t
    out["whole_panel"] = time.perf_counter() - start
    return out


def tables(train: pd.DataFrame, holdout: pd.DataFrame, schema: Any, quick: bool) -> dict[str, tuple[Any, ...]]:
    """Named (train, synthetic, holdout, model name) cases."""
    import synth

    cases: dict[str, tuple[Any, ...]] = {}
    cases["copy of train"] = (
        train,
        train.sample(frac=1.0, random_state=1).reset_index(drop=True),
        holdout,
        None,
        {},
    )
    rest, fresh = synth.split(train, holdout=0.5, seed=1)
    cases["fresh real rows (train half)"] = (rest, fresh, holdout, None, {})
    rng = np.random.default_rng(0)
    shuffled = pd.DataFrame({c: train[c].to_numpy()[rng.permutation(len(train))] for c in train.columns})
    cases["columns resampled independently"] = (train, shuffled, holdout, None, {})
    models: list[tuple[str, dict[str, Any]]] = [("gaussian_copula", {}), ("cart", {})]
    if not quick:
        models += [("independent", {}), ("cart", {"min_samples_leaf": 1, "smooth_below": 0}), ("privbayes", {})]
    for name, params in models:
        syn = synth.create(name, **params).fit(train, schema).sample(len(train), seed=1)
        label = name + "".join(f" {k}={v}" for k, v in params.items())
        cases[label] = (train, syn, holdout, name, params)
    return cases


def known_cases(cases: dict[str, tuple[Any, ...]], schema: Any) -> dict[str, Any]:
    import synth
    from synth.evaluation.privacy.attacks import evaluate_attacks
    from synth.evaluation.privacy.peer_sdmetrics import sdmetrics_privacy
    from synth.evaluation.privacy.verdict import privacy_verdict

    out: dict[str, Any] = {}
    from synth.evaluation.privacy.inputs import PrivacyInputs

    for label, (train, syn, holdout, model, params) in cases.items():
        start = time.perf_counter()
        spec = None if model is None else (model, synth.create(model, **params).get_params())
        inputs = PrivacyInputs(train, holdout, syn, schema, synthesizer=spec)
        distances = synth.evaluate_privacy(train, syn, holdout=holdout, inputs=inputs)
        attacks = evaluate_attacks(train, syn, holdout=holdout, inputs=inputs, n_attacks=N_ATTACKS)
        sd = sdmetrics_privacy(
            train, syn, holdout=holdout, schema=schema, known=attacks.attacker.known, secret="income"
        )
        verdict = privacy_verdict(distances, attacks.results, model=model, quasi_identifiers=attacks.attacker.known)
        out[label] = {
            "seconds": time.perf_counter() - start,
            "distances": {
                k: v
                for k, v in distances.to_dict().items()
                if k not in ("dcr_synthetic", "dcr_holdout", "nndr_synthetic", "nndr_holdout", "closest_rows")
            },
            "attacks": attacks.to_dict(),
            "sdmetrics": sd.to_dict(),
            "verdict": {c.key: c.level for c in verdict.criteria} | {"overall": verdict.level},
        }
    return out


def anonymeter_check(cases: dict[str, tuple[Any, ...]], schema: Any, names: list[str]) -> dict[str, Any]:
    """anonymeter's risks beside ours on the same tables, or why the check was skipped."""
    from synth.evaluation.privacy.attacks import default_attacker_model, inference, linkability, singling_out

    if not PEERS_PYTHON.exists():
        return {"skipped": f"no peers venv at {PEERS_PYTHON}: see benchmarks/requirements-peers.txt"}
    probe = subprocess.run([str(PEERS_PYTHON), "-c", "import anonymeter"], capture_output=True, text=True)
    if probe.returncode:
        return {"skipped": f"anonymeter is not importable in {PEERS_PYTHON}: {probe.stderr.strip()[-200:]}"}
    out: dict[str, Any] = {}
    for label in names:
        train, syn, holdout, *_ = cases[label]
        cols = schema.modelled
        attacker = default_attacker_model(schema, train)
        link_a, link_b = attacker.linkability_groups(cols)
        with tempfile.TemporaryDirectory() as tmp:
            files = {}
            for key, frame in (("train", train), ("synthetic", syn), ("holdout", holdout)):
                files[key] = str(Path(tmp) / f"{key}.csv")
                frame[cols].to_csv(files[key], index=False)
            spec = {
                **files,
                "n_attacks": N_ATTACKS_PEER,
                "seed": 0,
                "known": list(attacker.known),
                "secret": attacker.secret,
                "link_a": list(link_a),
                "link_b": list(link_b),
            }
            spec_path = Path(tmp) / "spec.json"
            spec_path.write_text(json.dumps(spec))
            start = time.perf_counter()
            run = subprocess.run(
                [str(PEERS_PYTHON), str(ROOT / "benchmarks" / "peers_anonymeter.py"), str(spec_path)],
                capture_output=True,
                text=True,
            )
            peer_seconds = time.perf_counter() - start
        if run.returncode:
            out[label] = {"error": run.stderr.strip()[-500:]}
            continue
        theirs = json.loads(run.stdout.strip().splitlines()[-1])
        ours: dict[str, Any] = {}
        start = time.perf_counter()
        for mode in ("univariate", "multivariate"):
            ours[f"singling_out_{mode}"] = singling_out(
                train,
                syn,
                holdout=holdout,
                schema=schema,
                mode=mode,
                n_attacks=N_ATTACKS,
            )
        ours["linkability"] = linkability(
            train, syn, holdout=holdout, columns_a=link_a, columns_b=link_b, schema=schema, n_attacks=N_ATTACKS
        )
        ours["inference"] = inference(
            train,
            syn,
            holdout=holdout,
            known=attacker.known,
            secret=attacker.secret,
            schema=schema,
            n_attacks=N_ATTACKS,
        )
        our_seconds = time.perf_counter() - start
        rows = {}
        for name, r in ours.items():
            peer = theirs[name]
            lo, hi = peer["ci"]
            rates = {}
            for part in ("main", "control", "baseline"):
                mine = getattr(r, part)
                other = peer[part] or {"value": float("nan"), "error": float("nan")}
                rates[part] = {
                    "ours": [mine.value, mine.low, mine.high],
                    "anonymeter": [other["value"], other["value"] - other["error"], other["value"] + other["error"]],
                    "overlap": mine.low <= other["value"] + other["error"]
                    and other["value"] - other["error"] <= mine.high,
                }
            rows[name] = {
                "risk": {
                    "ours": [r.risk.value, r.risk.low, r.risk.high],
                    "anonymeter": [peer["risk"], lo, hi],
                    "ours_inside_their_ci": lo - 1e-9 <= r.risk.value <= hi + 1e-9,
                    "overlap": r.risk.low <= hi + 1e-9 and lo <= r.risk.high + 1e-9,
                },
                "rates": rates,
            }
        out[label] = {
            "anonymeter_version": theirs.get("anonymeter"),
            "anonymeter_seconds": peer_seconds,
            "our_seconds": our_seconds,
            "n_attacks": {"anonymeter": N_ATTACKS_PEER, "ours": N_ATTACKS},
            "attacks": rows,
        }
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, fewer tables, no anonymeter")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--anonymeter", action="store_true", help="run the anonymeter cross-check in --quick too")
    args = parser.parse_args(argv)
    if args.child:
        child()
        return 0
    import synth
    from synth.evaluation.privacy.attacks import default_attacker_model
    from synth.evaluation.privacy.peer_sdmetrics import sdmetrics_privacy

    repeats = 1 if args.quick else args.repeats
    train, holdout, schema = setup()
    syn = synth.create("gaussian_copula").fit(train, schema).sample(len(train), seed=1)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    spec = ("gaussian_copula", synth.create("gaussian_copula").get_params())
    timings: dict[str, float] = {}
    steps: dict[str, list[float]] = {}
    runs = repeats + (0 if args.quick else 1)  # a warm-up, then the median of ``repeats`` (--quick: one run)
    for _ in range(runs):
        for name, seconds in panel(train, syn, holdout, schema, spec).items():
            steps.setdefault(name, []).append(seconds)
    for name, values in steps.items():
        timings[name] = statistics.median(values[1:] if len(values) > 1 else values)
    qi = default_attacker_model(schema, train).known
    timings["sdmetrics (subsampled)"], _ = timed(
        lambda: sdmetrics_privacy(train, syn, holdout=holdout, schema=schema, known=qi, secret="income"),
        1,
    )
    child_run = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_privacy", "--child"], cwd=ROOT, capture_output=True, text=True
    )
    memory = json.loads(child_run.stdout.strip().splitlines()[-1]) if child_run.returncode == 0 else {}
    peak = float(memory.get("peak_mb", float("nan")))

    print(
        f"\nAdult: {len(train):,} train / {len(holdout):,} holdout rows; "
        f"load average {load:.1f} on {os.cpu_count()} cores"
    )
    print(f"{'step':<32}{'seconds':>10}{'target':>10}  ok")
    for name, seconds in timings.items():
        target = TARGETS.get(name)
        ok = "" if target is None else ("yes" if seconds <= target else "NO")
        print(f"{name:<32}{seconds:>10.2f}{'' if target is None else f'{target:>10.1f}':>10}  {ok}")
    mem_ok = "yes" if peak <= TARGETS["peak_memory_mb"] else "NO"
    print(f"{'peak memory (MB, VmHWM)':<32}{peak:>10.0f}{TARGETS['peak_memory_mb']:>10.0f}  {mem_ok}")

    cases = tables(train, holdout, schema, args.quick)
    known = known_cases(cases, schema)
    print(
        f"\n{'case':<38}{'share':>7}{'full+':>7}{'copies':>8}{'AUC':>7}{'TPR1':>7}{'SO-1':>7}{'SO-3':>7}{'link':>7}"
        f"{'inf':>7}{'infR':>7}  verdict (strongest membership attack)"
    )
    for label, res in known.items():
        d = res["distances"]
        risks = {r["name"]: r["risk"]["value"] for r in res["attacks"]["results"]}
        attacks = d["membership"]["attacks"] if d.get("membership") else []
        head = max(attacks, key=lambda a: a["auc"]["value"]) if attacks else None
        auc = head["auc"]["value"] if head else float("nan")
        tpr1_value = next((t["tpr"] for t in head["tpr_at_fpr"] if t["fpr"] == 0.01), None) if head else None
        # The targeted attack has too few non-members for a 1% FPR threshold: say so rather than print nan.
        tpr1 = "n/a" if tpr1_value is None else f"{tpr1_value:.3f}"
        print(
            f"{label:<38}{d['dcr_share']:>7.3f}{d['dcr_share_full_excess']:>7.3f}{d['exact_copy_rate']:>8.4f}{auc:>7.3f}"
            f"{tpr1:>7}{risks['singling_out_univariate']:>7.3f}{risks['singling_out_multivariate']:>7.3f}"
            f"{risks['linkability']:>7.3f}{risks['inference']:>7.3f}{risks.get('inference_rare', float('nan')):>7.3f}"
            f"  {res['verdict']['overall']}"
            f" ({', '.join(f'{k}={v}' for k, v in res['verdict'].items() if k != 'overall' and v != 'green')})"
            f" ({head['name'] if head else '-'})"
        )
    print("  share: DCR share vs a holdout-sized train sample (ideal 0.5); full+: full-train share's excess over its")
    print("  ideal (0 ideal, 1 = every row on train); AUC / TPR1: the strongest membership attack's AUC and TPR at 1%")
    print("  FPR (n/a: fewer than 100 non-members, e.g. the targeted check); SO-1/SO-3: singling-out risk")
    print("  univariate / 3 columns; infR: inference on people rare on the QIs.")

    peer: dict[str, Any] = {"skipped": "--quick"}
    if not args.quick:
        peer = anonymeter_check(cases, schema, ["gaussian_copula", "cart", "copy of train"])
    elif args.anonymeter:
        peer = anonymeter_check(cases, schema, ["gaussian_copula", "copy of train"])
    if "skipped" in peer:
        print(f"\nanonymeter cross-check skipped: {peer['skipped']}")
    else:
        print(
            f"\nanonymeter cross-check: anonymeter {N_ATTACKS_PEER} attacks (its default), ours {N_ATTACKS}; "
            "~ = the 95% intervals overlap, ≠ = they do not"
        )
        print(f"{'table / attack':<34}{'main success':>30}{'risk (main over control)':>34}")
        for label, res in peer.items():
            if "error" in res:
                print(f"{label}: anonymeter failed: {res['error'][-200:]}")
                continue
            print(f"{label}  (anonymeter {res['anonymeter_seconds']:.0f} s, ours {res['our_seconds']:.0f} s)")
            for name, row in res["attacks"].items():

                def show(v: list[float]) -> str:
                    return f"{v[0]:.3f}"

                main_row, risk = row["rates"]["main"], row["risk"]
                main_txt = (
                    f"{show(main_row['ours'])} {'~' if main_row['overlap'] else '≠'} {show(main_row['anonymeter'])}"
                )
                risk_txt = f"{show(risk['ours'])} {'~' if risk['overlap'] else '≠'} {show(risk['anonymeter'])}"
                print(f"  {name:<32}{main_txt:>30}{risk_txt:>34}")
        print(
            "  anonymeter 1.1.0's control size correction fits len(counts) — the number of predicates — instead of "
            "their\n  successes (singling_out_evaluator._measure_queries_success), so it scales the holdout's "
            "singling-out successes\n  by about n_holdout / n_train: its singling-out risks run high. Its inference "
            "baseline pairs guesses to targets\n  by row label (about 1% instead of the marginal guess's 63%)."
        )

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "load_average": load},
        "rows": {"train": len(train), "holdout": len(holdout)},
        "timings_seconds": {k.strip(): v for k, v in timings.items()},
        "peak_memory_mb": peak,
        "targets": TARGETS,
        "repeats": repeats,
        "known_cases": known,
        "anonymeter": peer,
    }
    from synth.evaluation.results import to_jsonable

    RESULTS.write_text(json.dumps(to_jsonable(doc), indent=1, allow_nan=False))
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
