"""Durations rounded from two timestamps, per synthesizer, before and after the rounded elapsed rules (session 37).

Table (seeded, :func:`claims`): 4,000 insurance claims. A stay recorded to the minute with its whole days
(``length_of_stay = (discharged - admitted).dt.days``, 40% same-day), the patient's date of birth and age on the
admission day, and a cost that grows with both; a nurse call to the second with its minutes to one decimal; a night
shift with the midnights it spans; a diagnosis, an insurer and a readmission flag. Split 80/20 (seed 0); each
synthesizer with exact rules is fitted on the 80% with and without the rounded rules (``before``: their search
switched off, as the models were) and samples as many rows, for fit seeds 0, 1, 2 (sample seed = fit seed + 1;
``--seeds``); the means are printed, and the discriminator's lowest and highest. Printed per synthesizer: for each
duration the share of synthetic rows whose number agrees with their own two timestamps (real: 100%; the call's
minutes: within half a rounding step of the time between them, as the Compare page checks it, so a number a model
writes unrounded counts when its end follows it), the median gap in its unit, and Compare's accuracy and
discriminator AUC (the holdout's in brackets) and the full detection's AUC::

    .venv/bin/python -m benchmarks.bench_rounded_durations [--only cart] [--out rounded_durations.json]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

from benchmarks.common import machine, write_results

MODELS = ("gaussian_copula", "cart", "pruned_cart")


def claims(n: int = 4_000, seed: int = 37) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    admitted = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700 * 1440, n), unit="min"))
    days = np.where(rng.random(n) < 0.4, 0, rng.geometric(0.25, n))
    discharged = admitted + pd.to_timedelta(days * 1440 + rng.integers(30, 600, n), unit="min")
    stay = (discharged - admitted).dt.days
    dob = pd.Series(pd.Timestamp("1935-01-01") + pd.to_timedelta(rng.integers(0, 85 * 365, n), unit="D"))
    reached = (admitted.dt.month * 100 + admitted.dt.day) >= (dob.dt.month * 100 + dob.dt.day)
    age = admitted.dt.year - dob.dt.year - (~reached).astype(int)
    call_start = pd.Series(pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 700 * 86400, n), unit="s"))
    call_end = call_start + pd.to_timedelta(rng.gamma(2, 600, n).round() + 20, unit="s")
    shift_start = pd.Series(
        pd.Timestamp("2024-01-01 17:00") + pd.to_timedelta(rng.integers(0, 700 * 96, n) * 15, "min")
    )
    shift_end = shift_start + pd.to_timedelta(rng.integers(16, 160, n) * 15, unit="min")
    return pd.DataFrame(
        {
            "dob": dob.dt.strftime("%m/%d/%Y"),
            "diagnosis": rng.choice(["I10", "E11.9", "J45.909", "M54.5", "K21.9"], n),
            "admitted": admitted.dt.strftime("%Y-%m-%d %H:%M"),
            "discharged": discharged.dt.strftime("%Y-%m-%d %H:%M"),
            "length_of_stay": stay,
            "age": age,
            "insurer": rng.choice(["Medicare", "Medicaid", "Aetna", "BlueCross"], n),
            "amount_usd": np.round(rng.lognormal(8, 0.6, n) * (1 + stay) * (1 + age / 40), 2),
            "readmitted": rng.random(n) < 0.12,
            "call_start": call_start.dt.strftime("%Y-%m-%d %H:%M:%S"),
            "call_end": call_end.dt.strftime("%Y-%m-%d %H:%M:%S"),
            "call_minutes": ((call_end - call_start).dt.total_seconds() / 60).round(1),
            "shift_start": shift_start.dt.strftime("%Y-%m-%d %H:%M"),
            "shift_end": shift_end.dt.strftime("%Y-%m-%d %H:%M"),
            "midnights": (shift_end.dt.normalize() - shift_start.dt.normalize()).dt.days,
        }
    )


def _checks(frame: pd.DataFrame) -> dict[str, float]:
    a, d = pd.to_datetime(frame["admitted"]), pd.to_datetime(frame["discharged"])
    minutes = (pd.to_datetime(frame["call_end"]) - pd.to_datetime(frame["call_start"])).dt.total_seconds() / 60
    s, e = pd.to_datetime(frame["shift_start"]), pd.to_datetime(frame["shift_end"])
    born = pd.to_datetime(frame["dob"], format="%m/%d/%Y")
    reached = (a.dt.month * 100 + a.dt.day) >= (born.dt.month * 100 + born.dt.day)
    nights = (e.dt.normalize() - s.dt.normalize()).dt.days
    return {
        "stay_kept": round(float(np.mean((d - a).dt.days == frame["length_of_stay"])), 4),
        "stay_median_gap_d": round(float(((d - a).dt.total_seconds() / 86400).median()), 2),
        # within half a rounding step (0.05 min) of its minutes, as every real row (and a number written unrounded)
        "call_kept": round(float(np.mean(np.abs(minutes - frame["call_minutes"]) <= 0.05 + 1e-9)), 4),
        "call_median_gap_min": round(float(minutes.median()), 1),
        "midnights_kept": round(float(np.mean(nights == frame["midnights"])), 4),
        "age_kept": round(float(np.mean(a.dt.year - born.dt.year - (~reached).astype(int) == frame["age"])), 4),
    }


def _fit_and_score(name: str, seed: int, train: pd.DataFrame, holdout: pd.DataFrame) -> dict[str, object]:
    import synth

    t0 = time.perf_counter()
    model = synth.create(name, random_state=seed).fit(train)
    fit_s = time.perf_counter() - t0
    sample = model.sample(len(train), seed=seed + 1)
    acc = synth.evaluate_accuracy(train, sample, holdout=holdout, schema=model.schema_)
    disc = synth.evaluate_discriminator(train, sample, holdout=holdout, schema=model.schema_)
    # the full detection (boosted trees and a linear model, 3 folds): steadier than the one-split discriminator
    detection = synth.evaluate_detection(train, sample, holdout=holdout, schema=model.schema_, seed=seed)
    return {
        **_checks(sample),
        "rules": "; ".join(r.describe() for r in model.elapsed_),
        "accuracy": float(acc.overall),
        "holdout_accuracy": acc.overall_reference,
        "discriminator_auc": float(disc.auc),
        "holdout_auc": disc.reference_auc,
        "detection_auc": float(detection.auc),
        "fit_s": fit_s,
    }


def measure(only: list[str], seeds: int) -> list[dict[str, object]]:
    """Each model before and after, fitted and sampled with ``seeds`` seeds: the means (the discriminator's, on one
    split of 4,000 rows, moves by several hundredths from seed to seed; its lowest and highest are kept too)."""
    import synth
    import synth.synthesizers.derived_search as search

    train, holdout = synth.split(claims(), holdout=0.2, seed=0)
    rows: list[dict[str, object]] = [{"model": "real (train)", "when": "", **_checks(train)}]
    for name in only:
        for when in ("before", "after"):
            patch = mock.patch.object(search, "rounded_rules", lambda *_: []) if when == "before" else None
            if patch is not None:
                patch.start()
            try:
                runs = [_fit_and_score(name, seed, train, holdout) for seed in range(seeds)]
            finally:
                if patch is not None:
                    patch.stop()
            row: dict[str, object] = {"model": name, "when": when, "seeds": seeds, "rules": runs[0]["rules"]}
            for key, value in runs[0].items():
                if key != "rules" and value is not None:
                    row[key] = round(float(np.mean([float(r[key]) for r in runs])), 4)  # type: ignore[arg-type]
            aucs = [float(r["discriminator_auc"]) for r in runs]  # type: ignore[arg-type]
            row["discriminator_auc_range"] = f"{min(aucs):.3f}–{max(aucs):.3f}"
            rows.append(row)
            print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(MODELS))
    parser.add_argument("--seeds", type=int, default=3, help="fit and sample seeds per model (means reported)")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/rounded_durations.json"))
    args = parser.parse_args()
    rows = measure([m for m in args.only.split(",") if m], args.seeds)
    frame = pd.DataFrame(rows).drop(columns=["rules"], errors="ignore")
    print(frame.to_string(index=False))
    write_results(args.out, {"machine": machine(), "seeds": args.seeds, "rows": rows})


if __name__ == "__main__":
    main()
