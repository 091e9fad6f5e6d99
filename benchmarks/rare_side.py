"""A rare first-column value's own side (split_first, and plain CART's rare side): is the tie kept, and what does it
cost in privacy? (sessions 22 and 23)

For the seeded walk tables (HR, clinic, shop, survey), fits each model on the 80% train split (seed 0), samples as
many rows and prints the DCR share, its excess over the ideal, copies and the rare-value excess; for HR also how
termination dates fall on leavers and stayers, for the survey how short (under 60 s) flagged speeders' durations
are and how many unflagged rows are that short.

    python -m benchmarks.rare_side [--models pruned_cart cart] [--out benchmarks/results/rare_side.json]
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import pandas as pd

import synth
from benchmarks.walk_tables import clinic, hr, shop_orders, survey


def tie_figures(name: str, frame: pd.DataFrame) -> dict[str, object]:
    """How the rare class's dependent column falls on the class and off it (HR and the survey), in ``frame``."""
    if name == "hr":
        ended = frame["termination_date"].notna()
        left = frame["left_company"].eq(1)
        return {
            "dependent_on_rare": f"{int((ended & left).sum())} of {int(left.sum())}",
            "off_rare": int((ended & ~left).sum()),
        }
    if name == "survey":
        short = frame["duration_s"] < 60
        flagged = frame["speeder_flag"].eq(1)
        return {
            "dependent_on_rare": f"{int((short & flagged).sum())} of {int(flagged.sum())}",
            "off_rare": int((short & ~flagged).sum()),
        }
    return {}


def measure(models: list[str]) -> list[dict[str, object]]:
    tables = {"hr": hr(), "clinic": clinic(), "shop": shop_orders(), "survey": survey()}
    rows = []
    for name, df in tables.items():
        train, holdout = synth.split(df, holdout=0.2, seed=0)
        for model_name in models:
            model = synth.create(model_name, random_state=0).fit(train)
            sample = model.sample(len(train), seed=1)
            privacy = synth.evaluate_privacy(train, sample, holdout=holdout, schema=model.schema_, membership=False)
            rare = synth.evaluate_rare_values(train, sample, holdout, schema=model.schema_)
            row: dict[str, object] = {
                "table": name,
                "model": model_name,
                "first": model.columns_[0].name,
                "dcr_share": round(float(privacy.dcr_share), 3),
                "dcr_share_full_excess": round(float(privacy.dcr_share_full_excess), 3),
                "exact_copies": int(privacy.exact_copies),
                "rare_value_excess": round(float(rare.pooled_excess), 4),
                **tie_figures(name, sample),
            }
            rows.append(row)
            print(row, flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--models", nargs="+", default=["pruned_cart"])
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/rare_side.json"))
    args = parser.parse_args(argv)
    warnings.filterwarnings("ignore")
    rows = measure(args.models)
    print(pd.DataFrame(rows).to_string(index=False))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"rows": rows}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
