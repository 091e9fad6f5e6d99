"""The fit-time estimate prices the layout searches of phone and postcode columns (session 26): each common layout's
endings are searched on their own (:mod:`synth.generated_layouts`), which the synthesizers' terms, measured on
one-layout phone numbers, did not count (the clinic walk's phone numbers: 0.14 s of CPU where they said 0.015 s).
The count on a table, its effect on every synthesizer's estimate, and the shipped coefficients against the
measurements they were calibrated and checked on (``benchmarks/calibrate_fit.py --layouts``)."""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from faker import Faker

from synth.audit import estimate_fit, fit_shape, load_calibration
from synth.audit.calibration import FitShape, layout_seconds
from synth.generated import GeneratedColumns
from synth.schema import ColumnKind, ColumnSpec, Schema, infer_schema

RAW = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "calibration_layouts.json"


def patients(n: int = 3_000, many_layouts: bool = True) -> pd.DataFrame:
    """A seeded table with a phone column (Faker's UK numbers, a dozen layouts, or one layout), an age and a ward."""
    rng = np.random.default_rng(0)
    if many_layouts:
        faker = Faker("en_GB")
        faker.seed_instance(0)
        phones = [faker.phone_number() for _ in range(n)]
    else:
        phones = [f"+44 20 {a} {b}" for a, b in rng.integers(1_000, 9_999, (n, 2))]
    return pd.DataFrame({"phone": phones, "age": rng.integers(18, 90, n), "ward": rng.choice(list("abc"), n)})


def test_fit_shape_counts_the_layouts_a_fit_searches() -> None:
    """The count is what the fit does: every layout kept beside the usual one was searched (Faker's UK numbers keep
    them all), and a column of one layout adds none."""
    many, one = patients(), patients(many_layouts=False)
    schema = infer_schema(many)
    assert schema["phone"].pii_type == "phone"
    plan = next(p for p in GeneratedColumns.fit(many, schema).plans if p.name == "phone")
    kept = len(plan.detail["layouts"]) - 1  # the usual layout's share, then one entry per other layout
    assert kept >= 8
    assert fit_shape(many, schema).layouts == kept
    assert fit_shape(one, infer_schema(one)).layouts == 0


def test_layouts_raise_every_synthesizers_estimate_by_their_price() -> None:
    many, one = patients(), patients(many_layouts=False)
    dear, cheap = fit_shape(many, infer_schema(many)), fit_shape(one, infer_schema(one))
    assert (dear.rows, dear.columns, dear.generated) == (cheap.rows, cheap.columns, cheap.generated)
    price = layout_seconds(load_calibration().get("layouts"), dear)
    assert price > 0.05  # about 0.01 s a layout
    estimates = estimate_fit(0, 0, shape=dear), estimate_fit(0, 0, shape=dataclasses.replace(dear, layouts=0))
    assert estimates[0]
    for a, b in zip(*estimates, strict=True):
        assert a.seconds is not None and b.seconds is not None
        assert a.seconds == pytest.approx(b.seconds + price), a.synthesizer


@pytest.mark.parametrize("coefficients", [None, {}, {"seconds": "x"}, {"seconds": [1.0]}, {"seconds": [None, 1]}])
def test_a_calibration_without_layout_coefficients_prices_them_at_zero(coefficients: Any) -> None:
    assert layout_seconds(coefficients, FitShape(1_000, 3, layouts=12)) == 0.0


@pytest.mark.skipif(not RAW.exists(), reason="no stored layout measurements")
def test_the_layout_model_is_within_a_third_of_every_measurement() -> None:
    """The shipped coefficients (with the one-layout cost the synthesizers' terms price) against every column they
    were fitted to and checked on, the clinic walk's phone numbers and postcodes and the HR table's phone numbers
    among the latter: within a factor of 1.5 (CPU seconds; 0.71 to 1.32 when calibrated)."""
    block = load_calibration()["layouts"]
    (a, b), (c, d) = block["seconds"], block["base_seconds"]
    stored = json.loads(RAW.read_text())
    assert {r["column"] for r in stored["checks"]} >= {"clinic walk phones", "clinic walk postcodes"}
    for r in [*stored["runs"], *stored["checks"]]:
        shape = FitShape(r["rows"], 1, layouts=r["layouts"])
        estimated = c + d * r["rows"] + layout_seconds(block, shape)
        assert estimated == pytest.approx(c + d * r["rows"] + a * r["layouts"] + b * r["rows"] * r["layouts"])
        assert r["seconds"] / 1.5 <= estimated <= 1.5 * r["seconds"], r


@pytest.mark.skipif(not RAW.exists(), reason="no stored layout measurements")
def test_the_layout_search_costs_what_it_cost_when_calibrated() -> None:
    """The clinic walk's phone numbers (12 layouts searched beyond the first) fit in CPU time within a factor of 2
    of what they took when the coefficients were measured: if the search's cost moves more than that,
    ``benchmarks/calibrate_fit.py --layouts`` measures again."""
    from benchmarks.walk_tables import clinic

    stored = json.loads(RAW.read_text())
    then = next(r["seconds"] for r in stored["checks"] if r["column"] == "clinic walk phones")
    phones = clinic().drop_duplicates("patient_id")["phone"].astype(str).reset_index(drop=True)
    frame = pd.DataFrame({"v": phones})
    schema = Schema((ColumnSpec("v", ColumnKind.PII, pii_type="phone"),))
    GeneratedColumns.fit(frame.iloc[:200], schema)
    spent = []
    for _ in range(3):
        start = time.process_time()
        GeneratedColumns.fit(frame, schema)
        spent.append(time.process_time() - start)
    assert 0.5 * then <= min(spent) <= 2 * then, (min(spent), then)
