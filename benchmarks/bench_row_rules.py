"""End dates as start + duration and shares adding up to their total, per synthesizer, before and after (session 23).

Tables (seeded): the walk's survey (:func:`benchmarks.walk_tables.survey`: ``submitted = started + duration_s``
seconds, four percentages adding up to 100) and ``stays``, 3,000 hospital stays (an admission, the stay in days, a
discharge = admission + stay, a follow-up 7–59 days after the discharge). Each table is split 80/20 (seed 0);
each synthesizer with exact rules is fitted on the 80% (seed 0), with and without the two rules (``before``: the
searches switched off, as the models were), and samples as many rows (seed 1). Printed per table and synthesizer:
the share of synthetic rows whose end is its start plus its duration, the share whose shares add up to the
total, the median gap between the two dates against the real one, for stays the share of follow-ups before their
discharge, and Compare's accuracy (holdout's in brackets)::

    .venv/bin/python -m benchmarks.bench_row_rules [--only cart] [--out row_rules.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
import pandas as pd

from benchmarks import walk_tables

MODELS = ("gaussian_copula", "cart", "pruned_cart")
SHARES = ["pct_work", "pct_family", "pct_leisure", "pct_other"]


def stays(n: int = 3_000, seed: int = 23) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    admitted = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 365, n), unit="D")
    stay = rng.geometric(0.25, n)
    discharged = admitted + pd.to_timedelta(stay, unit="D")
    return pd.DataFrame(
        {
            "admitted": admitted.strftime("%Y-%m-%d"),
            "ward": rng.choice(["cardiology", "surgery", "medicine", "maternity"], n),
            "stay_days": stay,
            "discharged": discharged.strftime("%Y-%m-%d"),
            "followup": (discharged + pd.to_timedelta(rng.integers(7, 60, n), unit="D")).strftime("%Y-%m-%d"),
            "cost": np.round(stay * rng.gamma(4, 250, n), 2),
        }
    )


TABLES = {
    "survey": ("started", "submitted", "duration_s", "s"),
    "stays": ("admitted", "discharged", "stay_days", "D"),
    "clinic": ("visit_time", "discharge_date", "length_of_stay", "D"),  # days from the visit's day
}


def _checks(table: str, frame: pd.DataFrame) -> dict[str, float | None]:
    start, end, amount, unit = TABLES[table]
    begin = pd.to_datetime(frame[start])
    if table == "clinic":
        begin = begin.dt.normalize()
    gap = (pd.to_datetime(frame[end]) - begin) / pd.Timedelta(1, unit=unit)
    out: dict[str, float | None] = {
        "end_is_start_plus_duration": round(float(np.mean(gap == frame[amount])), 4),
        "median_gap": round(float(gap.median()), 1),
    }
    out["shares_add_up"] = round(float(np.mean(frame[SHARES].sum(axis=1) == 100)), 4) if table == "survey" else None
    if table == "stays":
        before = pd.to_datetime(frame["followup"]) < pd.to_datetime(frame["discharged"])
        out["followup_before_discharge"] = round(float(np.mean(before)), 4)
    return out


def measure(only: list[str]) -> list[dict[str, object]]:
    import synth
    import synth.synthesizers.base as base

    frames = {"survey": walk_tables.survey(), "stays": stays(), "clinic": walk_tables.clinic()}
    rows: list[dict[str, object]] = []
    for table, frame in frames.items():
        train, holdout = synth.split(frame, holdout=0.2, seed=0, by="patient_id" if table == "clinic" else None)
        rows.append({"table": table, "model": "real (train)", "when": "", **_checks(table, train)})
        for name in only:
            for when in ("before", "after"):
                patches = []
                if when == "before":
                    patches = [
                        mock.patch.object(base, "find_elapsed", lambda *_: ((), ())),
                        mock.patch.object(base, "find_compositions", lambda *_: ()),
                    ]
                for p in patches:
                    p.start()
                try:
                    t0 = time.perf_counter()
                    model = synth.create(name, random_state=0).fit(train)
                    fit_s = time.perf_counter() - t0
                    sample = model.sample(len(train), seed=1)
                finally:
                    for p in patches:
                        p.stop()
                acc = synth.evaluate_accuracy(train, sample, holdout=holdout, schema=model.schema_)
                rows.append(
                    {
                        "table": table,
                        "model": name,
                        "when": when,
                        **_checks(table, sample),
                        "accuracy": round(float(acc.overall), 3),
                        "holdout_accuracy": None if acc.overall_reference is None else round(acc.overall_reference, 3),
                        "fit_s": round(fit_s, 2),
                    }
                )
                print(rows[-1], file=sys.stderr, flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default=",".join(MODELS))
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/row_rules.json"))
    args = parser.parse_args()
    rows = measure([m for m in args.only.split(",") if m])
    frame = pd.DataFrame(rows)
    print(frame.to_string(index=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(rows, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
