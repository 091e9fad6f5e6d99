"""AppTest: the Compare page — headline cards, ML checks with a chosen target, subgroups, several runs."""

from __future__ import annotations

import json
import re
import threading
import time
from typing import Any

import numpy as np
import pandas as pd
import pytest
from streamlit.proto.Metric_pb2 import Metric as MetricProto
from streamlit.testing.v1 import AppTest

from synth.evaluation.results import MINUS
from tests.app.helpers import fit, goto, sample, start, upload
from ui import cached
from ui.background import INLINE_ENV


def chart_keys(at: AppTest) -> list[str]:
    return [c.key for c in at.get("plotly_chart")]


def metric(at: AppTest, label: str) -> str:
    found = [m for m in at.metric if m.label == label or m.label.startswith(label)]
    assert found, [m.label for m in at.metric]
    return str(found[0].value)


def table_with(at: AppTest, column: str) -> pd.DataFrame:
    """The one dataframe on the page with this column (AppTest does not expose dataframe keys)."""
    tables = [d.value for d in at.dataframe if column in d.value.columns]
    assert len(tables) == 1, [list(d.value.columns) for d in at.dataframe]
    return tables[0]


def runs_table(at: AppTest) -> pd.DataFrame:
    return table_with(at, "overall quality")


HEADLINE = ("Accuracy", "Univariate accuracy", "Bivariate accuracy", "Trivariate accuracy", "Discriminator AUC")
SECTIONS = ("Columns", "Associations", "Subgroups", "ML checks")


def compare_page(synthesizer: str = "gaussian_copula") -> AppTest:
    at = start()
    fit(at, synthesizer)
    sample(at)
    return goto(at, "compare")


def open_section(at: AppTest, name: str) -> AppTest:
    at.segmented_control(key="compare_section").set_value(name).run()
    assert not at.exception, at.exception
    return at


def test_headline_cards_charts_and_column_search() -> None:
    at = compare_page()
    labels = [m.label for m in at.metric]
    for label in (*HEADLINE, "Overall quality", "Column shapes", "Column pair trends", "Missing values"):
        assert label in labels
    assert labels[:5] == list(HEADLINE), "the page leads with scores that separate good generators from bad ones"
    assert 0.5 < float(metric(at, "Overall quality")) <= 1.0
    # The copula keeps every column's shape but a classifier tells it apart: the verdict must not flatter it.
    assert float(metric(at, "Discriminator AUC")) > 0.7
    assert not at.success or not any("As good as fresh real data" in s.value for s in at.success)
    assert any(w.value.startswith("**Distinguishable from real data") for w in at.warning), [
        w.value for w in at.warning
    ]
    assert any("95%:" in c.value for c in at.caption), "the headline shows its intervals"
    assert "Overall (sdmetrics)" not in labels, "sdmetrics' report runs on request only"
    at.toggle(key=next(t.key for t in at.toggle if t.key and t.key.startswith("sdmetrics_"))).set_value(True).run()
    assert not at.exception
    assert 0.5 < float(metric(at, "Overall (sdmetrics)")) <= 1.0
    keys = chart_keys(at)
    assert "score_bars" in keys and not {"association_heatmaps", "pair_view"} & set(keys), "one section at a time"
    # The synthetic table has train's count, the holdout a quarter of it: the dots are scored at the ticks' size.
    assert any("Grey ticks" in c.value and "both scored at" in c.value for c in at.caption)
    assert any("as sdmetrics defines them" in c.value and "both scored at" in c.value for c in at.caption)
    dists = [k for k in keys if k.startswith("dist_")]
    assert len(dists) == 2, "two charts at first (the worst columns); the slider shows more"
    assert any("Showing the 2 worst-matching of" in c.value for c in at.caption)
    assert any("replicates on seeded samples of 10,000 rows" in c.value for c in at.caption), "says it subsamples"
    at.slider(key="columns_to_show").set_value(6).run()
    assert not at.exception
    assert len([k for k in chart_keys(at) if k.startswith("dist_")]) == 6
    # Distributions carry the holdout band: markers with error bars beside the real and synthetic bars.
    spec = json.loads(next(c for c in at.get("plotly_chart") if c.key == dists[0]).proto.spec)
    assert [t["type"] for t in spec["data"]] == ["bar", "bar", "scatter"] and "error_y" in spec["data"][2]
    assert len(runs_table(at)) == 1
    assert any("Why do the worst columns differ" in e.label for e in at.expander)

    at.text_input(key="column_filter").set_value("capital").run()
    assert not at.exception
    assert sorted(k for k in chart_keys(at) if k.startswith("dist_")) == ["dist_capital_gain", "dist_capital_loss"]
    at.text_input(key="column_filter").set_value("fnlw").run()
    assert not at.exception
    assert [k for k in chart_keys(at) if k.startswith("dist_")] == ["dist_fnlwgt"]
    at.text_input(key="column_filter").set_value("zzz").run()
    assert not [k for k in chart_keys(at) if k.startswith("dist_")]
    assert any("No column name contains" in i.value for i in at.info)

    open_section(at, "Associations")
    assert {"association_heatmaps", "pair_view"} <= set(chart_keys(at))
    assert not [k for k in chart_keys(at) if k.startswith("dist_")]
    at.selectbox(key="pair_a").set_value("age").run()
    at.selectbox(key="pair_b").set_value("sex").run()
    assert not at.exception
    spec = json.loads(next(c for c in at.get("plotly_chart") if c.key == "pair_view").proto.spec)
    assert [t["type"] for t in spec["data"]] == ["box", "box"]


def test_ml_checks_follow_the_chosen_target() -> None:
    at = open_section(compare_page(), "ML checks")
    assert metric(at, "Full detection AUC") == "—" and metric(at, "TSTR vs TRTR") == "—", "on request only"
    assert at.selectbox(key="ml_target").value == "income", "default: the class named like an outcome"
    at.toggle(key="ml_checks").set_value(True).run()
    assert not at.exception
    assert 0.5 <= float(metric(at, "Full detection AUC")) <= 1.0
    tstr, trtr = (float(v.replace(MINUS, "-")) for v in metric(at, "TSTR vs TRTR (ROC AUC)").split(" vs "))
    assert 0.5 < tstr <= 1.0 and 0.8 < trtr <= 1.0
    assert metric(at, "Same conclusions").endswith("%")
    assert {"utility_bars", "importance_bars", "glm_coefficients"} <= set(chart_keys(at))
    assert any(s.value == "ML efficacy: predicting income" for s in at.subheader)

    at.selectbox(key="ml_target").set_value("age").run()
    assert not at.exception
    assert any(s.value == "ML efficacy: predicting age" for s in at.subheader)
    tstr_r2, _ = (float(v.replace(MINUS, "-")) for v in metric(at, "TSTR vs TRTR (R²)").split(" vs "))
    assert tstr_r2 <= 1.0
    utility = table_with(at, "TSTR − TRTR")
    assert set(utility["metric"]) == {"r2", "mae"}
    # The copula teaches R² worse than real data: a negative difference, printed as synth writes it (the table
    # printed "-0.011" and "-0.011 to -0.000" with hyphen-minus signs and a negative zero).
    r2 = utility[utility["metric"] == "r2"]
    assert all(d.startswith(MINUS) for d in r2["TSTR − TRTR"]), list(r2["TSTR − TRTR"])
    cells = [str(c) for c in utility.drop(columns=["model", "metric"]).to_numpy().ravel()]
    assert not any(re.search(r"-\d", c) or f"{MINUS}0.000" in c for c in cells), cells


def test_subgroup_filter_recomputes_and_explains_empty_segments() -> None:
    at = open_section(compare_page("independent"), "Subgroups")
    at.text_input(key="segment_filter").set_value("sex = Female and age < 30").run()
    assert not at.exception
    # Messages quoting user input are markdown-escaped ("<" shows as itself): compare the text as displayed.
    assert any("match sex = Female and age < 30" in s.value.replace("\\", "") for s in at.success)
    assert 0.0 < float(metric(at, "Overall quality (segment)")) <= 1.0
    # Both segment scores stand beside the holdout's segment (the pair trends' card showed its score alone).
    for label in ("Overall quality (segment)", "Column pair trends (segment)"):
        card = next(m for m in at.metric if m.label == label)
        assert "vs real holdout (" in str(card.delta), (label, card.delta)
    assert "segment_score_bars" in chart_keys(at)
    # The segment is judged against the holdout's noise band, in words.
    assert any("Inside the segment" in c.value and "Column pair trends: " in c.value for c in at.caption)
    # Its synthetic rows outnumber its holdout rows: both are scored at the holdout's count, and the page says so.
    shown = [s.value.replace("\\", "") for s in at.success if "match sex = Female" in s.value.replace("\\", "")]
    counted = re.search(r"scored at ([\d,]+) rows each", shown[0])
    assert counted is not None, shown
    assert any(f"both scored at {counted.group(1)} rows" in c.value for c in at.caption)
    # The no-dependence baseline's segment is the whole table's marginals: said, not left to be misread.
    assert any("whole-table distribution" in i.value and "by design" in i.value for i in at.info)

    at.text_input(key="segment_filter").set_value("age > 500").run()
    assert not at.exception
    assert any("No real or synthetic rows match age > 500" in w.value.replace("\\", "") for w in at.warning)
    assert "segment_score_bars" not in chart_keys(at)

    at.text_input(key="segment_filter").set_value("height < 3").run()
    assert not at.exception
    assert any("could not be read" in w.value and "not a column" in w.value for w in at.warning)


def test_several_runs_are_listed_and_one_is_picked() -> None:
    at = start()
    fit(at, "independent")
    sample(at)
    goto(at, "sample")
    seed = next(n for n in at.number_input if n.label == "Seed")
    seed.set_value(7)
    at.button(key="sample_button").click().run()
    assert not at.exception
    goto(at, "compare")
    table = runs_table(at)
    assert len(table) == 2
    # Each run's verdict is the headline's (accuracy and discriminator), with the discriminator beside it: the
    # column once held accuracy's verdict alone and read "within noise" above "a classifier tells them apart".
    assert {"discriminator AUC", "vs fresh real data"} <= set(table.columns)
    assert set(table["vs fresh real data"]) <= {"as good", "close, not as good", "told apart"}, table
    assert all(0.0 <= float(v) <= 1.0 for v in table["discriminator AUC"])
    shown = next(m for m in at.metric if m.label == "Discriminator AUC").value
    assert table["discriminator AUC"].iloc[0] == shown  # the detailed (newest) run: the same figure as its card
    words = {"As good": "as good", "Close": "close, not as good", "Distinguishable": "told apart"}
    sentence = next(
        m.value.strip("*") for m in (*at.success, *at.info, *at.warning) if m.value.strip("*").startswith(tuple(words))
    )
    assert table["vs fresh real data"].iloc[0] == next(v for k, v in words.items() if sentence.startswith(k))
    assert table["run"].str.contains("seed 7").iloc[0] and table["run"].str.contains("seed 1").iloc[1]
    choice = at.selectbox(key="compare_run")
    assert len(choice.options) == 2
    older = at.session_state["synthetic_runs"][0]
    choice.set_value(older.id).run()
    assert not at.exception
    assert any(f"synthetic rows from **{older.model_label}** (seed {older.seed})" in c.value for c in at.caption)


def test_an_unusable_target_is_a_message_not_an_exception() -> None:
    rng = np.random.default_rng(0)
    n = 400
    rare = np.full(n, None, dtype=object)
    rare[:30] = rng.choice(["a", "b"], 30)
    frame = pd.DataFrame({"x": rng.normal(size=n).round(3), "g": rng.choice(["p", "q", "r"], n), "rare": rare})
    at = start()
    upload(at, "rare.csv", frame.to_csv(index=False).encode())
    fit(at, "independent")
    sample(at)
    open_section(goto(at, "compare"), "ML checks")
    at.selectbox(key="ml_target").set_value("rare").run()
    at.toggle(key="ml_checks").set_value(True).run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any("ML efficacy cannot use rare" in w and "holdout rows have a value" in w for w in warnings), warnings


def test_a_gap_on_a_rare_class_is_shown_without_a_noise_verdict() -> None:
    """A fraud flag of 0.6%: the TSTR vs TRTR card shows both scores and the gap's interval, says there are too few
    rows of a class to judge, and draws the difference grey; the note under ML efficacy says why."""
    rng = np.random.default_rng(0)
    n = 3_000
    fraud = (rng.random(n) < 0.006).astype(int)
    frame = pd.DataFrame(
        {
            "amount": np.round(np.exp(rng.normal(7, 1.2, n)) * (1 + 3 * fraud), 2),
            "region": rng.choice(["north", "south", "east", "west"], n),
            "age": rng.integers(18, 90, n),
            "fraud": fraud,
        }
    )
    at = start()
    upload(at, "claims.csv", frame.to_csv(index=False).encode())
    fit(at, "independent")
    sample(at)
    open_section(goto(at, "compare"), "ML checks")
    assert at.selectbox(key="ml_target").value == "fraud"
    at.toggle(key="ml_checks").set_value(True).run()
    assert not at.exception
    card = next(m for m in at.metric if m.label.startswith("TSTR vs TRTR"))
    assert card.proto.color == MetricProto.MetricColor.GRAY, "no verdict: neither red nor green"
    # The caption says how many rows the rare class has, where, and how many are needed (session 26: "too few
    # rows of a class to judge" left the reader to guess which class and how few).
    holdout = at.session_state["dataset"].holdout
    fewest = int((holdout["fraud"] == 1).sum())
    assert fewest < 30
    assert any(
        "gap 95%" in c.value
        and f"only {fewest} real rows with fraud = 1 in the holdout" in c.value
        and "at least 30" in c.value
        for c in at.caption
    ), [c.value for c in at.caption]
    assert any("too few to call a TSTR − TRTR gap" in i.value for i in at.info)


def test_each_section_is_reachable_under_the_headline_and_keeps_its_inputs() -> None:
    at = compare_page("independent")
    assert at.segmented_control(key="compare_section").value == "Columns", "distributions first"
    expected = {
        "Columns": "Column distributions, worst match first",
        "Associations": "Association between columns",
        "Subgroups": "Inside a subgroup",
        "ML checks": "ML checks",
    }
    for name in SECTIONS:
        open_section(at, name)
        labels = [m.label for m in at.metric]
        assert labels[:5] == list(HEADLINE), f"the headline leads the page with {name} open"
        assert any(w.value.startswith("**") for w in (*at.warning, *at.success, *at.info)), "the verdict is shown"
        subheaders = [s.value for s in at.subheader]
        assert expected[name] in subheaders
        assert not [v for k, v in expected.items() if k != name and v in subheaders], f"only {name} is drawn"
    open_section(at, "Subgroups")
    at.text_input(key="segment_filter").set_value("sex = Female").run()
    open_section(at, "Columns")
    open_section(at, "Subgroups")
    assert at.text_input(key="segment_filter").value == "sex = Female", "a section's inputs survive a switch"
    assert "segment_score_bars" in chart_keys(at)
    goto(at, "data")
    goto(at, "compare")
    assert at.segmented_control(key="compare_section").value == "Subgroups", "the same section on coming back"


def test_a_new_sample_reuses_what_was_computed_from_the_real_tables() -> None:
    at = compare_page("independent")
    [ref] = at.session_state["real_references"].values()
    first = dict(ref.computed)
    assert first.get("discriminator_reference") == 1 and first.get("encoder") == 1, first
    goto(at, "sample")
    next(n for n in at.number_input if n.label == "Seed").set_value(7)
    at.button(key="sample_button").click().run()
    assert not at.exception
    goto(at, "compare")
    assert float(metric(at, "Discriminator AUC")) > 0.5
    contexts = list(at.session_state["evaluation_contexts"].values())
    assert len(contexts) == 2 and all(c.reference is ref for c in contexts), "both runs read the same reference"
    assert dict(ref.computed) == first, "the second run's Compare rebuilt nothing from the real tables"


def _context(at: AppTest) -> Any:
    (ctx,) = at.session_state["evaluation_contexts"].values()
    return ctx


def test_the_headline_comes_first_and_the_sections_fill_in_when_the_column_scores_land(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(INLINE_ENV)
    gate = threading.Event()
    real = cached._page_fidelity

    def held(context: Any) -> Any:  # the column scores take their time: the page must not wait for them
        assert gate.wait(120)
        return real(context)

    monkeypatch.setattr(cached, "_page_fidelity", held)
    at = compare_page()
    assert [m.label for m in at.metric][:5] == list(HEADLINE), "the headline is drawn without the column scores"
    assert any("Scoring every column" in i.value for i in at.info)
    assert chart_keys(at) == [], "no section is drawn from scores that are not in yet"
    assert (runs_table(at)["overall quality"] == "computing…").all(), "not 'None' while the scores are computed"
    ctx = _context(at)
    assert not ctx.settled("compare:fidelity")
    gate.set()
    deadline = time.monotonic() + 120
    while not ctx.settled("compare:fidelity") and time.monotonic() < deadline:
        time.sleep(0.05)
    at.run()  # what the page's poll does once they land
    assert not at.exception, at.exception
    assert not any("Scoring every column" in i.value for i in at.info)
    assert "score_bars" in chart_keys(at) and (runs_table(at)["overall quality"] != "computing…").all()
    assert ctx.prepared["ext:compare:fidelity"] == 1, "scored once, in the background"
    assert ctx.prepared["ext:figure:score_bars"] == 1, "the section's figures are built once (lane or page)"
    assert ctx.prepared["ext:compare:diagnosis"] == 1


def test_column_scores_that_fail_in_the_background_give_a_message_not_an_endless_wait(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(INLINE_ENV)

    def broken(context: Any) -> Any:
        raise ValueError("no column to compare: every column is an identifier")

    monkeypatch.setattr(cached, "_page_fidelity", broken)
    at = start()
    fit(at, "gaussian_copula")
    sample(at)
    ctx = _context(at)
    deadline = time.monotonic() + 120
    while not ctx.settled("compare:fidelity") and time.monotonic() < deadline:
        time.sleep(0.05)
    goto(at, "compare")
    assert not any("Scoring every column" in i.value for i in at.info), "nothing is left waiting"
    assert any("no column to compare" in e.value for e in at.error)


def test_a_balanced_draws_run_is_flagged_beside_the_discriminator_and_an_independent_one_is_not() -> None:
    at = start()
    goto(at, "synthesize")
    at.multiselect(key="synthesizer_choice").set_value(["pruned_cart"]).run()
    at.selectbox(key="param_pruned_cart_draws").set_value("balanced")  # inside the fit form: sent on submit
    at.button(key="fit_button").click().run()
    assert at.session_state["fitted"].model.draws == "balanced"
    assert not at.exception, at.exception
    sample(at)
    goto(at, "compare")
    assert any("balanced draws" in w.value for w in at.warning), [w.value for w in at.warning]
    at = compare_page("pruned_cart")  # the default draws rows independently: nothing to flag
    assert not any("balanced draws" in w.value for w in at.warning), [w.value for w in at.warning]


def _blocks(n: int = 1_200) -> pd.DataFrame:
    """Blocks whose households never outnumber their people, and a label."""
    rng = np.random.default_rng(0)
    people = rng.integers(5, 3_000, n)
    return pd.DataFrame(
        {
            "region": rng.choice(["north", "south", "coast"], n),
            "people": people,
            "households": np.maximum(1, np.round(people * rng.uniform(0.2, 0.5, n))).astype(int),
            "income": rng.lognormal(1.0, 0.5, n).round(2),
        }
    )


@pytest.mark.parametrize(("synthesizer", "kept"), [("independent", False), ("pruned_cart", True)])
def test_associations_say_which_orders_of_the_real_table_the_synthetic_rows_break(synthesizer: str, kept: bool) -> None:
    at = start()
    upload(at, "blocks.csv", _blocks().to_csv(index=False).encode())
    fit(at, synthesizer)
    sample(at)
    open_section(goto(at, "compare"), "Associations")
    orders = table_with(at, "synthetic rows breaking it").set_index("order")
    assert list(orders.index) == ["households ≤ people"]
    assert orders.loc["households ≤ people", "real rows breaking it"] == 0
    broken = orders.loc["households ≤ people", "synthetic rows breaking it"]
    warnings = [w.value for w in at.warning if "orders break more often" in w.value]
    if kept:  # Pruned CART draws the households as a gap below the people
        assert broken == 0 and not warnings
        assert any("keep the real table's one order" in s.value for s in at.success)
    else:  # drawn apart, a household count lands above its block's people on a good share of rows
        assert broken > 0.05
        assert len(warnings) == 1 and "households above people" in warnings[0], warnings


@pytest.mark.parametrize(("synthesizer", "kept"), [("independent", False), ("pruned_cart", True)])
def test_associations_list_the_numbers_kept_inside_a_category_s_range(synthesizer: str, kept: bool) -> None:
    from tests.unit.test_category_ranges import offices

    at = start()
    upload(at, "offices.csv", offices(1_200).to_csv(index=False).encode())
    fit(at, synthesizer)
    sample(at)
    open_section(goto(at, "compare"), "Associations")
    assert any("inside a category's range" in m.value for m in at.markdown)
    ranges = table_with(at, "range").set_index("range")
    assert sorted(ranges.index) == [
        "office_lat within each office's range (3 levels)",
        "office_lon within each office's range (3 levels)",
    ]
    assert (ranges["real rows breaking it"] == 0).all()
    assert (ranges["random pairs breaking it"] > 0.3).all()
    warnings = [w.value for w in at.warning if "ranges are broken" in w.value]
    if kept:
        assert (ranges["synthetic rows breaking it"] == 0).all() and not warnings
        assert any("keeps all 2 ranges" in s.value for s in at.success)
    else:  # drawn apart, most offices get another office's coordinates
        assert (ranges["synthetic rows breaking it"] > 0.3).all()
        assert len(warnings) == 1 and "CART, Pruned CART and the Gaussian copula keep such ranges" in warnings[0]


@pytest.mark.parametrize(("synthesizer", "kept"), [("independent", False), ("cart", True)])
def test_associations_list_the_columns_missing_together(synthesizer: str, kept: bool) -> None:
    from tests.unit.test_missing_together import coordinates

    at = start()
    upload(at, "coordinates.csv", coordinates(1_200).to_csv(index=False).encode())
    fit(at, synthesizer)
    sample(at)
    open_section(goto(at, "compare"), "Associations")
    assert any("leaves missing together" in m.value for m in at.markdown)
    groups = table_with(at, "missing together").set_index("missing together")
    assert list(groups.index) == ["office_lat and office_lon"]
    assert (groups["real rows mixed"] == 0).all()
    warnings = [w.value for w in at.warning if "groups are broken" in w.value]
    if kept:
        assert (groups["synthetic rows mixed"] == 0).all() and not warnings
        assert any("keeps the real table's one group missing together" in s.value for s in at.success)
    else:  # each column's missing values drawn on their own: about 2 × 15% × 85% of rows are mixed
        assert (groups["synthetic rows mixed"] > 100).all()
        assert len(warnings) == 1 and "CART, Pruned CART and the Gaussian copula keep such groups" in warnings[0]


def test_the_discriminator_caption_says_whose_real_rows_it_faced() -> None:
    # Against the holdout when it has 200 rows; a smaller one leaves the training rows, which flatter a table
    # that tracks them, and the caption says so rather than passing the figure off as the usual one.
    def page(n: int) -> AppTest:
        rng = np.random.default_rng(0)
        table = pd.DataFrame({"amount": rng.gamma(2.0, 50.0, n).round(2), "group": rng.choice(["a", "b", "c"], n)})
        at = upload(start(), "t.csv", table.to_csv(index=False).encode())
        fit(at, "independent")
        sample(at)
        return goto(at, "compare")

    big, small = page(2_000), page(600)  # holdouts of 400 and 120 rows
    caption = [c.value for c in big.caption if "95%" in c.value and "rows" in c.value and "synthetic and" in c.value]
    assert caption and "400 synthetic and 400 holdout rows" in caption[0], caption
    caption = [c.value for c in small.caption if "synthetic and" in c.value]
    assert caption and "480 synthetic and 480 training rows (holdout too small)" in caption[0], caption


def test_a_gap_that_rounds_to_zero_has_no_arrow() -> None:
    # California Housing's univariate card read "↓ -0.000 vs holdout": an arrow pointing at nothing.
    from ui.text import metric_delta

    assert metric_delta(-0.0004, 3, " vs holdout") == {"delta": "±0.000 vs holdout", "delta_arrow": "off"}
    assert metric_delta(0.0002, 3, " vs holdout") == {"delta": "±0.000 vs holdout", "delta_arrow": "off"}
    # the ASCII sign Streamlit reads the arrow from
    assert metric_delta(-0.003, 3, " vs holdout") == {"delta": "-0.003 vs holdout", "delta_arrow": "auto"}
    assert metric_delta(0.07, 2, " vs holdout") == {"delta": "+0.07 vs holdout", "delta_arrow": "auto"}
    assert metric_delta(None, 3, " vs holdout") == {"delta": None, "delta_arrow": "auto"}
    # The same rule for every card that shows a signed difference (privacy closeness, segments, ML checks).
    from ui.text import signed_delta

    assert signed_delta(0.0004, 1, " points vs ideal 50%", scale=100) == ("±0.0 points vs ideal 50%", "off")
    assert signed_delta(0.016, 1, " points vs ideal 50%", scale=100) == ("+1.6 points vs ideal 50%", "auto")
    assert signed_delta(float("nan")) == (None, "auto")


def test_a_broken_order_from_a_start_date_with_missing_values_names_them_and_who_keeps_it() -> None:
    """Session 18 walk: an HR table's hire_date missing on 2.5% of rows; Pruned CART broke hire ≤ exit on 4% of
    its rows, and the warning said "CART, Pruned CART and the Gaussian copula keep such orders themselves". Now
    they all do (test_copula_dates.py), so the warning, shown for a model that draws the dates apart, says so."""
    rng = np.random.default_rng(18)
    n = 1_500
    hire = pd.Series(pd.Timestamp("2005-01-01") + pd.to_timedelta(rng.integers(0, 7_000, n), unit="D"))
    leave = pd.Series(hire + pd.to_timedelta(rng.integers(30, 4_000, n), unit="D")).where(rng.random(n) < 0.3)
    hire = hire.where(rng.random(n) > 0.03)
    table = pd.DataFrame(
        {
            "hire_date": hire.dt.strftime("%Y-%m-%d"),
            "exit_date": leave.dt.strftime("%Y-%m-%d"),
            "department": rng.choice(["Sales", "R&D", "IT"], n),
        }
    )
    at = start()
    upload(at, "staff.csv", table.to_csv(index=False).encode())
    fit(at, "independent")  # draws the dates apart: the order breaks whatever the model
    sample(at)
    open_section(goto(at, "compare"), "Associations")
    warnings = [w.value for w in at.warning if "orders break more often" in w.value]
    assert len(warnings) == 1, [w.value for w in at.warning]
    # Since CART draws the rows that break a date order again too (test_copula_dates.py), all three keep it.
    assert "CART, Pruned CART and the Gaussian copula keep such orders themselves" in warnings[0]


def test_times_of_day_and_weekdays_with_a_pattern_get_charts_of_their_own() -> None:
    """Session 21 walk: on a clinic table every real visit was between 08:00 and 18:00 on a weekday; the models put
    58% of them at other hours, and no chart or score on the page showed it. The Columns section now charts the
    visit times' hours and weekdays, titled with their accuracy against the holdout's."""
    rng = np.random.default_rng(21)
    n = 1_500
    days = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 104, n) * 7 + rng.integers(0, 5, n), "D")
    table = pd.DataFrame(
        {
            "visit_time": (days + pd.to_timedelta(rng.integers(8 * 60, 18 * 60, n), "min")).strftime("%Y-%m-%d %H:%M"),
            "department": rng.choice(["A&E", "Renal", "Oncology"], n),
            "birth_date": (pd.Timestamp("1990-01-01") + pd.to_timedelta(rng.integers(0, 9_000, n), "D")).strftime(
                "%Y-%m-%d"
            ),
        }
    )
    at = start()
    upload(at, "visits.csv", table.to_csv(index=False).encode())
    fit(at, "gaussian_copula")
    sample(at)
    open_section(goto(at, "compare"), "Columns")
    assert any(m.value == "**Times of day and weekdays**" for m in at.markdown)
    keys = [k for k in chart_keys(at) if k.startswith("part_")]
    assert keys == ["part_0", "part_1"], chart_keys(at)  # the visits' hours and weekdays; birth dates have neither
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key in keys]
    titles = [f["layout"]["title"]["text"] for f in figures]
    assert titles[0].startswith("visit_time · time of day — accuracy") and "holdout" in titles[0]
    assert titles[1].startswith("visit_time · day of week — accuracy")
    hours = figures[0]["data"][1]  # the synthetic bars, one per hour of the day
    assert hours["name"] == "synthetic" and len(hours["x"]) == 24


def test_the_pair_explorer_opens_on_a_pair_enough_rows_hold_together() -> None:
    """A column present in 4% of rows (an HR table's termination date) tied to another in the real table and not in
    the synthetic one scores worst with each partner; the explorer opened on such a pair, an almost empty heatmap.
    It opens on the worst pair 100+ rows (and 5%) hold together; the lost relationships say how many rows each
    stands on and name the pairs left out."""
    from tests.unit.test_pair_support import sparse_tables
    from ui.state import SyntheticTable

    real, fake = sparse_tables()
    at = upload(start(), "sparse.csv", real.to_csv(index=False).encode())
    ds = at.session_state["dataset"]
    run = SyntheticTable("hand-made", "hand-made", len(fake), 0, fake, 0.0, ds.key)
    at.session_state["synthetic"] = run
    at.session_state["synthetic_runs"] = (run,)
    at = open_section(goto(at, "compare"), "Associations")
    pair = {at.selectbox(key="pair_a").value, at.selectbox(key="pair_b").value}
    assert "z" not in pair and len(pair) == 2, pair
    lost = [m.value for m in at.markdown if m.value.startswith("- ") and "hold both values" in m.value]
    assert lost and not any("z ×" in m or "× z" in m for m in lost)
    assert all(f"of {len(ds.train):,} real rows hold both values" in m for m in lost)
    assert any(c.value.startswith("3 pairs left out: fewer than 100 of the") for c in at.caption)


def test_a_wide_tables_heatmaps_show_its_most_changed_columns_with_a_switch_to_all() -> None:
    """The session-28 walk's 57 columns drew as slivers with a quarter of them named: a table wider than 30 columns
    opens on the 30 whose associations changed most, every one named, and a switch shows all of them."""
    rng = np.random.default_rng(28)
    trait = rng.normal(size=600)
    table = pd.DataFrame({f"item_{i:02d}": np.round(trait + rng.normal(size=600), 2) for i in range(40)})
    at = start()
    upload(at, "wide.csv", table.to_csv(index=False).encode())
    fit(at, "independent")  # every link between the items is lost: they are all "changed"
    sample(at)
    open_section(goto(at, "compare"), "Associations")

    def heatmap_columns() -> list[str]:
        spec = json.loads(next(c for c in at.get("plotly_chart") if c.key == "association_heatmaps").proto.spec)
        return list(spec["data"][0]["x"])

    assert at.radio(key="assoc_columns").value == "The 30 most changed"
    shown = heatmap_columns()
    assert len(shown) == 30 and shown == sorted(shown), "the table's order"
    assert any("The 30 of 40 columns whose associations changed most" in c.value for c in at.caption)
    at.radio(key="assoc_columns").set_value("All 40").run()
    assert not at.exception
    assert heatmap_columns() == list(table.columns)


def _independent_sample(plan: bool) -> AppTest:
    """Three numbers (and a plan) of 2,000 rows, fitted with the independent marginals and sampled: every column's
    shape as close as fresh data's."""
    rng = np.random.default_rng(32)
    n = 2_000
    columns = {
        "age": rng.integers(18, 80, n),
        "income": rng.gamma(2.0, 1_500.0, n).round(2),
        "score": rng.normal(50.0, 10.0, n).round(1),
    }
    if plan:
        columns["plan"] = rng.choice(["basic", "plus", "pro"], n, p=[0.6, 0.3, 0.1])
    at = start()
    upload(at, "independent.csv", pd.DataFrame(columns).to_csv(index=False).encode())
    fit(at, "independent")
    return sample(at)


def test_worst_columns_as_close_as_fresh_data_are_one_line_not_a_paragraph_each() -> None:
    """Session 32 walk (Bike Sharing): under "Even the worst columns are as close to train as fresh real data" the
    page listed five paragraphs, each "hum (KSComplement 0.982): hum is as close to train as fresh real data
    (KSComplement 0.982, holdout 0.988): nothing to fix". One line gives the scores beside fresh data's."""
    at = _independent_sample(plan=True)
    open_section(goto(at, "compare"), "Columns")
    assert any(s.value.startswith("Even the worst columns are as close") for s in at.success), "premise"
    assert not [m.value for m in at.markdown if "nothing to fix" in m.value]
    (line,) = [c.value for c in at.caption if c.value.startswith("Worst shape scores, fresh real data's in brackets: ")]
    assert re.search(r": \w+ [01]\.\d{3} \([01]\.\d{3}\); \w+ [01]\.\d{3} \([01]\.\d{3}\)", line), line


def test_a_column_as_close_as_fresh_data_beside_a_finding_says_so_once() -> None:
    """Session 32 walk: with a finding on one column, each other listed column still read "X (KSComplement 0.959): X
    is as close to train as fresh real data (KSComplement 0.959, holdout 0.981): nothing to fix", its score twice."""
    at = _independent_sample(plan=False)
    syn = at.session_state["synthetic_runs"][-1]
    syn.df["income"] = syn.df["income"] * 3  # one column the synthetic table gets plainly wrong
    open_section(goto(at, "compare"), "Columns")
    assert not at.exception
    lines = [m.value for m in at.markdown if m.value.startswith(("**age**", "**score**", "**income**"))]
    assert any(line.startswith("**income**") for line in lines), lines
    fresh = [line for line in lines if "as close to train as fresh real data" in line]
    assert fresh, ("premise: another column is as close as fresh data", lines)
    for line in fresh:
        assert "nothing to fix" not in line and re.fullmatch(
            r"\*\*\w+\*\* \(\w+ [01]\.\d{3}, fresh real data [01]\.\d{3}\): as close to train as fresh real data", line
        ), line


@pytest.mark.parametrize(("synthesizer", "kept"), [("independent", False), ("pruned_cart", True)])
def test_associations_list_the_columns_the_real_table_computes_from_others(synthesizer: str, kept: bool) -> None:
    from tests.unit.test_exact_rule_checks import RULES, shop

    at = start()
    upload(at, "shop.csv", shop().to_csv(index=False).encode())
    fit(at, synthesizer)
    sample(at)
    open_section(goto(at, "compare"), "Associations")
    assert any("computes from others" in m.value for m in at.markdown)
    rules = table_with(at, "rule").set_index("rule")
    assert set(rules.index) == RULES
    assert (rules["real rows breaking it"] == 0).all()
    warnings = [w.value for w in at.warning if "rules that every real row holds" in w.value]
    if kept:  # computed from their inputs on every drawn row
        assert (rules["synthetic rows breaking it"] == 0).all() and not warnings
        assert any("keeps all 4 rules" in s.value for s in at.success)
    else:  # drawn apart, each computed column disagrees with its inputs on most rows
        assert (rules["synthetic rows breaking it"] > 0.3).all()
        assert len(warnings) == 1 and "CART, Pruned CART and the Gaussian copula compute such columns" in warnings[0]


def test_a_rule_check_that_fails_leaves_the_page_standing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Bad input is expected input: the rules' check raising (an unexpected table) costs the headline its rules
    and the section its table, said in a warning; the verdict, the cards and the other checks still show."""
    from tests.unit.test_exact_rule_checks import shop

    def broken(*_: object, **__: object) -> None:
        raise ValueError("a column the check cannot read")

    monkeypatch.setattr(cached, "evaluate_exact_rules", broken)
    at = start()
    upload(at, "shop.csv", shop().to_csv(index=False).encode())
    fit(at, "independent")
    sample(at)
    goto(at, "compare")
    assert not at.exception
    assert [m.label for m in at.metric][:5] == list(HEADLINE)
    assert not any("which every real row holds" in w.value for w in at.warning)
    open_section(at, "Associations")
    assert any("could not be checked on this table: a column the check cannot read" in w.value for w in at.warning)
    assert any("Orders the real table keeps" in m.value for m in at.markdown)


def test_associations_show_the_values_a_person_keeps_across_their_rows() -> None:
    """The visit table split by patient: Pruned CART's patients keep one sex and birth date each; the same rows with
    the birth dates shuffled between rows give most patients several, and the section says which and how often."""
    from benchmarks.walk_tables import visits

    at = start()
    upload(at, "visits.csv", visits().to_csv(index=False).encode())
    fit(at, "pruned_cart")
    sample(at)
    open_section(goto(at, "compare"), "Associations")
    assert not at.exception
    assert any("Values a person keeps across their rows" in m.value for m in at.markdown)
    kept = table_with(at, "synthetic people changing it").set_index("column")
    assert set(kept.index) == {"sex", "dob"}
    assert (kept["synthetic people changing it"] == 0).all() and (kept["real people changing it"] <= 0.01).all()
    assert any("keeps one value of each of the 2 columns" in s.value for s in at.success), [s.value for s in at.success]

    at = start()
    upload(at, "visits.csv", visits().to_csv(index=False).encode())
    fit(at, "pruned_cart")
    sample(at)
    syn = at.session_state["synthetic_runs"][-1]
    syn.df["dob"] = syn.df["dob"].sample(frac=1.0, random_state=0).to_numpy()  # each row another row's birth date
    open_section(goto(at, "compare"), "Associations")
    assert not at.exception
    changed = table_with(at, "synthetic people changing it").set_index("column")
    assert changed.loc["dob", "synthetic people changing it"] > 0.5
    assert any("hold more than one dob (real: 0.0%)" in w.value for w in at.warning)
    # and the headline says so first: a patient with two birth dates is wrong on its face
    assert any(
        w.value.startswith("**Distinguishable from real data:") and "which every real person keeps" in w.value
        for w in at.warning
    ), [w.value for w in at.warning]

    # A peer writing a fresh id on nine rows in ten: the few repeats keep their values, but a count of visits per
    # patient reads 1; the section and the headline say so.
    at = start()
    upload(at, "visits.csv", visits().to_csv(index=False).encode())
    fit(at, "pruned_cart")
    sample(at)
    syn = at.session_state["synthetic_runs"][-1]
    fresh = np.random.default_rng(0).random(len(syn.df)) < 0.9
    syn.df.loc[fresh, "patient_id"] = [f"Z{i:06d}" for i in range(int(fresh.sum()))]
    open_section(goto(at, "compare"), "Associations")
    assert not at.exception
    said = [w.value for w in at.warning]
    assert any(
        "with another row, against" in w and w.endswith("reads differently on the synthetic table.") for w in said
    ), said
    assert any(w.startswith("**Distinguishable from real data:") and "share their patient" in w for w in said), said
