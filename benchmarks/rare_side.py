"""Pruned CART's split_first on a rare outcome: is the tie kept, and what does it cost in privacy? (session 22)

For the seeded walk tables (HR, clinic, shop), fits Pruned CART on the 80% train split (seed 0), samples as many
rows and prints the DCR share, its excess over the ideal, copies and the rare-value excess; for HR also how
termination dates fall on leavers and stayers.

    python -m benchmarks.rare_side [--out benchmarks/results/rare_side.json]
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import pandas as pd

import synth
from benchmarks.walk_tables import clinic, hr, shop_orders


def measure() -> list[dict[str, object]]:
    tables = {"hr": hr(), "clinic": clinic(), "shop": shop_orders()}
    rows = []
    for name, df in tables.items():
        train, holdout = synth.split(df, holdout=0.2, seed=0)
        model = synth.create("pruned_cart", random_state=0).fit(train)
        sample = model.sample(len(train), seed=1)
        privacy = synth.evaluate_privacy(train, sample, holdout=holdout, schema=model.schema_, membership=False)
        rare = synth.evaluate_rare_values(train, sample, holdout, schema=model.schema_)
        row: dict[str, object] = {
            "table": name,
            "dcr_share": round(float(privacy.dcr_share), 3),
            "dcr_share_full_excess": round(float(privacy.dcr_share_full_excess), 3),
            "exact_copies": int(privacy.exact_copies),
            "rare_value_excess": round(float(rare.pooled_excess), 4),
        }
        if name == "hr":
            ended = sample["termination_date"].notna()
            left = sample["left_company"].eq(1)
            row["end_dates_on_leavers"] = f"{int((ended & left).sum())} of {int(left.sum())}"
            row["end_dates_on_stayers"] = int((ended & ~left).sum())
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/rare_side.json"))
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    rows = measure()
    print(pd.DataFrame(rows).to_string(index=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
