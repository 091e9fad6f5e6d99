"""AppTest: every page runs on the demo data, and the whole flow works through session state."""

from __future__ import annotations

import json

import pytest

from tests.app.helpers import fit, goto, sample, start

PAGES = ["data", "synthesize", "sample", "compare", "privacy", "race", "report", "demo"]


def test_demo_is_loaded_at_start() -> None:
    at = start()
    ds = at.session_state["dataset"]
    assert ds.name == "UCI Adult (demo)"
    assert ds.df.shape == (32561, 15)
    assert len(ds.train) + len(ds.holdout) == 32561
    assert len(ds.holdout) == round(32561 * 0.2)
    assert any("UCI Adult" in s.value for s in at.success)
    # (AppTest drops the sidebar after switch_page, so the status after each step is checked in the browser test.)
    assert any("not fitted yet" in c.value for c in at.sidebar.caption)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_without_exception_before_fitting(page: str) -> None:
    at = goto(start(), page)
    if page in ("sample", "compare", "privacy", "race", "report", "demo"):
        # Later steps say which earlier step is missing instead of failing.
        assert at.info, f"{page} should explain what to do first"


def test_full_flow_through_session_state() -> None:
    at = start()
    fit(at, "gaussian_copula")
    fitted = at.session_state["fitted"]
    assert fitted.name == "gaussian_copula" and fitted.model.is_fitted
    assert any("fitted" in s.value for s in at.success)

    sample(at)
    syn = at.session_state["synthetic"]
    ds = at.session_state["dataset"]
    assert syn.n_rows == len(ds.train)
    assert list(syn.df.columns) == list(ds.df.columns)

    goto(at, "compare")
    labels = [m.label for m in at.metric]
    assert "Overall quality" in labels and "Trivariate accuracy" in labels and "Discriminator AUC" in labels
    overall = next(m for m in at.metric if m.label == "Overall quality")
    assert 0.5 < float(overall.value) <= 1.0
    charts = at.get("plotly_chart")
    assert len(charts) >= 3
    specs = [json.loads(c.proto.spec) for c in charts]
    bars = [spec for spec in specs if [t["type"] for t in spec["data"]][:2] == ["bar", "bar"]]
    assert len(bars) >= 2, "the worst columns' distributions, real and synthetic side by side"
    at.segmented_control(key="compare_section").set_value("Associations").run()
    traces = [[t["type"] for t in json.loads(c.proto.spec)["data"]] for c in at.get("plotly_chart")]
    assert ["heatmap", "heatmap", "heatmap"] in traces, "real | synthetic | difference heatmaps"
    at.segmented_control(key="compare_section").set_value("Columns").run()
    at.slider(key="columns_to_show").set_value(6).run()
    specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    bars = [spec for spec in specs if [t["type"] for t in spec["data"]][:2] == ["bar", "bar"]]
    assert len(bars) >= 6, "more columns on request"

    goto(at, "privacy")
    share = next(m for m in at.metric if m.label == "Closer to train than to holdout")
    assert share.value.endswith("%")
    dcr = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    dcr = [s for s in dcr if s["layout"]["title"]["text"] == "Distance to the closest training row"]
    assert dcr and [t["name"] for t in dcr[0]["data"]] == ["synthetic → train", "real holdout → train"]


def test_independent_baseline_also_walks_the_flow() -> None:
    at = start()
    fit(at, "independent")
    sample(at)
    goto(at, "compare")
    goto(at, "privacy")


def test_changing_the_split_discards_the_fitted_model() -> None:
    at = start()
    fit(at)
    goto(at, "data")
    at.slider[0].set_value(30).run()
    assert not at.exception
    assert at.session_state["fitted"] is None
    assert len(at.session_state["dataset"].holdout) == round(32561 * 0.3)
    assert any("discarded" in w.value for w in at.warning)


def test_editing_a_column_kind_reaches_the_synthesizer() -> None:
    at = goto(start(), "data")
    editors = [d for d in at.dataframe if (d.key or "").startswith("schema_editor_")]
    assert len(editors) == 1, "the schema editor is on the Data page"
    ds = at.session_state["dataset"]
    row = ds.schema.names.index("education_num")
    # The same edit the browser sends when the user picks "categorical" in the kind column.
    at.session_state[editors[0].key] = {
        "edited_rows": {row: {"kind": "categorical"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert not at.exception
    assert at.session_state["dataset"].schema["education_num"].kind == "categorical"
    fit(at)
    model = at.session_state["fitted"].model
    assert model.schema_["education_num"].kind == "categorical"
    sample(at)
    assert at.session_state["synthetic"].df["education_num"].dtype.kind == "i"
