"""What fresh real rows score on mostlyai-qa's privacy metrics: the floor a synthesizer's DCR share is read against.

mostlyai-qa's DCR share is the highest of seven column groups' shares (three drawn at random), so on a small table
even rows that were never in training read above 0.5. Bank Marketing's split has no third real sample to measure
that floor, so this cuts the whole table in three disjoint thirds (training, holdout, fresh) and scores the fresh
third as if it were synthetic, next to a synthesizer fitted on the training third (same size), over several cuts::

    .venv/bin/python -m benchmarks.bench_fresh_floor --data bank_marketing --cuts 4 --only pruned_cart

Needs the peers venv with mostlyai-qa (as bench_frontier). Writes results/fresh_floor_<data>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.bench_frontier import ROOT, SHARED, generated_columns, run_peers_qa


def main(argv: list[str] | None = None) -> int:
    import synth

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default="bank_marketing")
    parser.add_argument("--cuts", type=int, default=4)
    parser.add_argument("--only", nargs="*", default=["pruned_cart"])
    args = parser.parse_args(argv)
    df = synth.read_table(SHARED / f"{args.data}.csv")
    df = df.drop(columns=generated_columns(df))
    third = len(df) // 3
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        for k in range(args.cuts):
            order = np.random.default_rng(k).permutation(len(df))
            train, holdout, fresh = (
                df.iloc[order[i * third : (i + 1) * third]].reset_index(drop=True) for i in range(3)
            )
            schema = synth.infer_schema(train)
            paths = {"fresh": tmp / f"{k}_fresh.parquet"}
            train.to_parquet(tmp / f"{k}_train.parquet")
            holdout.to_parquet(tmp / f"{k}_holdout.parquet")
            fresh.to_parquet(paths["fresh"])
            for name in args.only:
                model = synth.create(name, random_state=k).fit(train, schema)
                paths[name] = tmp / f"{k}_{name}.parquet"
                model.sample(len(train), seed=k + 1).to_parquet(paths[name])
            spec = tmp / f"{k}_spec.json"
            spec.write_text(
                json.dumps(
                    {
                        "train": str(tmp / f"{k}_train.parquet"),
                        "holdout": str(tmp / f"{k}_holdout.parquet"),
                        "synthetic": [str(p) for p in paths.values()],
                        "seed": k,
                        "parts": "privacy",
                    }
                )
            )
            results = run_peers_qa(spec)["results"]
            for label, path in paths.items():
                r = results[str(path)]
                rows.append({"cut": k, "rows": "fresh real" if label == "fresh" else label, **r})
                print(
                    f"cut {k} {label:<12} DCR share {r['dcr_share']:.3f}  "
                    f"discriminator AUC {r['discriminator_auc']:.3f}  identical {r['ims_training']:.4f}",
                    flush=True,
                )
    summary = {}
    for label in ("fresh real", *args.only):
        dcr = [r["dcr_share"] for r in rows if r["rows"] == label]
        auc = [r["discriminator_auc"] for r in rows if r["rows"] == label]
        summary[label] = {
            "dcr_share_mean": float(np.mean(dcr)),
            "dcr_share_max": float(np.max(dcr)),
            "discriminator_auc_mean": float(np.mean(auc)),
        }
        print(f"{label:<12} DCR share mean {np.mean(dcr):.3f} (max {np.max(dcr):.3f}), AUC mean {np.mean(auc):.3f}")
    out = ROOT / "benchmarks" / "results" / f"fresh_floor_{args.data}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "mostlyai-qa privacy metrics of fresh real rows (a disjoint third) against a synthesizer",
                "data": args.data,
                "rows_per_third": third,
                "date": time.strftime("%Y-%m-%d %H:%M"),
                "summary": summary,
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
