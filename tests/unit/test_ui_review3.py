"""Unit tests for defects seen on a third walk of the dashboard (the messy customer table, 1400 px wide)."""

from __future__ import annotations

import numpy as np
import pandas as pd

import synth
from synth.evaluation.fidelity.distributions import pair_view


def test_pair_charts_name_their_fold_apart_from_a_synthesizers_other_value() -> None:
    names = [f"shop{i:02d}" for i in range(14)]  # 12 shown per axis, 2 folded
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"shop": names * 10, "kind": ["a", "b"] * 70, "amount": rng.normal(size=140)})
    # The synthesizer's rare-category bucket is a value, "(other)": 20 rows of it.
    synthetic = pd.DataFrame(
        {"shop": names[:12] * 10 + ["(other)"] * 20, "kind": ["a", "b"] * 70, "amount": rng.normal(size=140)}
    )
    schema = synth.infer_schema(real).with_column("shop", kind=synth.ColumnKind.CATEGORICAL)
    box = pair_view(real, synthetic, "shop", "amount", schema=schema)
    # Both read "(other)": the chart's fold of the two real shops it left out and the synthesizer's bucket.
    assert box.x_labels[-2:] == ("(other)", "all other categories (2)")
    n_real = {b.category: b.n for b in box.boxes_real}
    n_synthetic = {b.category: b.n for b in box.boxes_synthetic}
    assert n_real["all other categories (2)"] == 20 and n_real["(other)"] == 0
    assert n_synthetic["(other)"] == 20 and n_synthetic["all other categories (2)"] == 0
    heat = pair_view(real, synthetic, "shop", "kind", schema=schema)
    assert heat.x_labels[-2:] == ("(other)", "all other categories (2)")
    other, fold = len(heat.x_labels) - 2, len(heat.x_labels) - 1
    assert sum(row[other] for row in heat.synthetic) == 20 / 140 and sum(row[fold] for row in heat.synthetic) == 0
    assert sum(row[fold] for row in heat.real) == 20 / 140
