"""Segments of fidelity: parsing conditions, masks by column type, and scores recomputed inside a segment (split from
test_fidelity.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
from synth.evaluation.fidelity.segments import Condition, SegmentError, evaluate_segment, parse_conditions, segment_mask

# ----------------------------------------------------------------------------- segments


COLUMNS = ["sex", "age", "workclass", "native country"]


def test_parse_conditions() -> None:
    got = parse_conditions("sex = Female and age < 30", COLUMNS)
    assert got == (Condition("sex", "=", "Female"), Condition("age", "<", 30))
    got = parse_conditions("workclass in (Private, 'Self-emp-inc') AND native country != 'United States'", COLUMNS)
    assert got == (
        Condition("workclass", "in", ("Private", "Self-emp-inc")),
        Condition("native country", "!=", "United States"),
    )
    assert parse_conditions("workclass is missing", COLUMNS) == (Condition("workclass", "is missing"),)
    assert parse_conditions("  ", COLUMNS) == ()
    for bad, words in (
        ("height > 3", "not a column"),
        ("age 30", "operator"),
        ("age <", "value is missing"),
        ("sex = 'Female", "quote"),
        ("sex = Female and", "empty"),
    ):
        with pytest.raises(SegmentError, match=words):
            parse_conditions(bad, COLUMNS)


def test_segment_mask_types_and_errors(adult_small: pd.DataFrame) -> None:
    schema = synth.infer_schema(adult_small)
    mask = segment_mask(adult_small, parse_conditions("sex = Female and age < 30", list(adult_small)), schema)
    expected = (adult_small["sex"] == "Female") & (adult_small["age"] < 30)
    assert np.array_equal(mask, expected.to_numpy())
    assert segment_mask(adult_small, [Condition("education_num", "in", (13, 14))], schema).sum() == int(
        adult_small["education_num"].isin([13, 14]).sum()
    )
    with pytest.raises(SegmentError, match="use =, !=, in"):
        segment_mask(adult_small, [Condition("sex", "<", "F")], schema)
    with pytest.raises(SegmentError, match="not a number"):
        segment_mask(adult_small, [Condition("age", ">", "old")], schema)


def test_segment_recomputes_inside_and_reports_empty_segments(adult_small: pd.DataFrame) -> None:
    train, holdout = synth.split(adult_small, 0.3, seed=0)
    schema = synth.infer_schema(adult_small)
    seg = evaluate_segment(
        train,
        train,
        parse_conditions("sex = Female and age < 30", list(train)),
        holdout=holdout,
        schema=schema,
        n_bootstrap=0,
        run_sdmetrics=False,
    )
    assert seg.status == "ok" and seg.fidelity is not None and seg.fidelity.reference is not None
    # The copy of train is scored at the holdout segment's size, as the reference is: draws of train read closer
    # to train than fresh rows of the same count, never 1.0 as the whole copy would.
    assert seg.fidelity.n_scored == seg.n_holdout and seg.n_holdout is not None and seg.n_holdout < seg.n_synthetic
    assert seg.fidelity.reference.overall < seg.fidelity.overall < 1.0
    assert f"scored at {seg.n_holdout:,} rows each" in seg.message
    assert "sex" not in [c.column for c in seg.fidelity.columns]  # fixed by the segment
    assert seg.n_real == seg.n_synthetic and seg.share_real == pytest.approx(seg.share_synthetic)
    alone = evaluate_segment(
        train, train, seg.conditions, schema=schema, n_bootstrap=0, run_sdmetrics=False
    )  # without a holdout nothing is compared with a reference: the copy scores every row, 1.0
    assert alone.fidelity is not None and alone.fidelity.overall == pytest.approx(1.0)
    assert alone.fidelity.n_scored is None

    empty = evaluate_segment(train, train, [Condition("age", ">", 500)], holdout=holdout, schema=schema)
    assert empty.status == "empty" and empty.fidelity is None and "No real or synthetic rows" in empty.message
    small = evaluate_segment(train, train, [Condition("age", "=", 90)], schema=schema)
    assert small.status in ("too_small", "empty") and "rows" in small.message
