"""The pair explorer's box plot of a date by a category draws dates, not nanoseconds since 1970 (seen as
1.65×10¹⁸ on the axis of "signup_date by channel" in the browser)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from synth.evaluation.fidelity.pair_views import pair_view
from synth.plots.fidelity import pair_figure
from synth.schema import ColumnKind, ColumnSpec, Schema


def test_a_date_by_a_category_is_drawn_on_a_date_axis() -> None:
    rng = np.random.default_rng(0)
    n = 400
    dates = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D")
    real = pd.DataFrame({"channel": rng.choice(["retail", "online", "kiosk"], n, p=[0.6, 0.3, 0.1]), "signup": dates})
    synthetic = real[real["channel"] != "kiosk"]  # a category the synthetic rows lack has no box
    schema = Schema((ColumnSpec("channel", ColumnKind.CATEGORICAL), ColumnSpec("signup", ColumnKind.DATETIME)))
    view = pair_view(real, synthetic, "channel", "signup", schema=schema)
    assert view.view == "box"
    spec = json.loads(pair_figure(view).to_json())  # what the browser gets
    assert spec["layout"]["yaxis"]["type"] == "date"
    assert [sorted(t["x"]) for t in spec["data"]] == [["kiosk", "online", "retail"], ["online", "retail"]]
    for trace in spec["data"]:
        for part in ("q1", "median", "q3", "lowerfence", "upperfence", "mean"):
            values = trace[part]
            assert all(isinstance(v, str) for v in values), (part, values)  # ISO dates, not 1.6e18
            assert pd.to_datetime(pd.Series(values)).between("2021-01-01", "2022-12-31").all(), (part, values)


def test_a_number_by_a_category_keeps_its_numbers() -> None:
    rng = np.random.default_rng(0)
    real = pd.DataFrame({"channel": rng.choice(["retail", "online"], 300), "age": rng.integers(18, 90, 300)})
    schema = Schema((ColumnSpec("channel", ColumnKind.CATEGORICAL), ColumnSpec("age", ColumnKind.DISCRETE)))
    fig = pair_figure(pair_view(real, real, "channel", "age", schema=schema))
    assert all(18 <= m <= 90 for trace in fig.data for m in trace.median)
