"""AppTest: the Privacy page shows a verdict, reruns the attacks for a new attacker model, masks the record
inspector by default, and explains bad input instead of failing."""

from __future__ import annotations

import dataclasses
import json
import re
import threading
import time
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from tests.app.helpers import fit, goto, sample, start, upload
from ui.privacy_job import INLINE_ENV, PrivacyJob


def _privacy_page(table: pd.DataFrame, sdmetrics: bool = False) -> AppTest:
    at = start()
    upload(at, "adult_part.csv", table.to_csv(index=False).encode("utf-8"))
    fit(at, "gaussian_copula")
    sample(at)
    at.session_state["privacy_sdmetrics"] = sdmetrics
    return goto(at, "privacy")


@pytest.fixture(scope="module")
def part(adult: pd.DataFrame) -> pd.DataFrame:
    return adult.sample(2500, random_state=0).reset_index(drop=True)


def open_section(at: AppTest, name: str) -> AppTest:
    at.segmented_control(key="privacy_section").set_value(name).run()
    assert not at.exception, at.exception
    return at


def _frame(at: AppTest, column: str) -> pd.DataFrame:
    """The dataframe on the page that has ``column`` (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def _inference_detail(at: AppTest) -> str:
    return next(m.value for m in at.markdown if "guesses 'income'" in m.value)


def test_verdict_distances_attacks_and_sdmetrics_are_shown(part: pd.DataFrame) -> None:
    at = _privacy_page(part, sdmetrics=True)
    assert any(h.value.startswith("Verdict") for h in at.subheader)
    assert any(h.value == "Rare values copied" for h in at.subheader)
    # The section control has a heading of its own: it sat under "Distance to the closest real row", between that
    # heading's cards and its histograms.
    heads = [h.value for h in at.subheader]
    closest, details = heads.index("Distance to the closest real row"), heads.index("Details")
    assert closest < details < heads.index("Distances, row by row")
    alerts = [a.value for a in (*at.error, *at.warning, *at.success)]
    assert any("risk" in a.lower() for a in alerts), alerts
    criteria = [m.value for m in at.markdown if "-badge[" in m.value]
    labels_in_order = [c.split("**")[1] for c in criteria]
    assert labels_in_order == [
        "Copies of real rows",
        "Real values copied",
        "Closeness to training rows",
        "Membership inference",
        "Singling out",
        "Linkability",
        "Inference",
    ]
    badges = {c.split("-badge[")[1].split("]")[0] for c in criteria}
    assert badges <= {"low risk", "unclear", "some risk", "high risk"}, "every criterion measured"
    thresholds = [c.value for c in at.caption if c.value.startswith("Thresholds:")]
    assert len(thresholds) == 7 and all("≤ red" in t for t in thresholds)
    assert "Closer to train than to holdout" in [m.label for m in at.metric]
    specs = {c.proto.spec and json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")}
    assert "Distance to the closest training row" in specs
    membership = open_section(at, "Membership")
    labels = [m.label for m in membership.metric]
    assert "Membership inference AUC" in labels
    assert "Membership AUC over people" not in labels  # no person column: every figure is about rows
    # The cards' descriptions wrap in captions: as deltas (one line, cut with an ellipsis) the browser showed
    # "Distance to closest record; 95% CI 0.4…" (session 26 walk).
    cards = [m for m in membership.metric if m.label.startswith(("Membership inference AUC", "Members caught"))]
    assert len(cards) == 3 and not any(m.proto.delta for m in cards)
    captions = [c.value for c in membership.caption]
    assert any(re.search(r"; 95% CI 0\.\d{3}–[01]\.\d{3}; 0\.5 = no signal$", c) for c in captions), captions
    assert sum("no signal: 1%" in c or "no signal: 10%" in c or "non-members" in c for c in captions) >= 2
    labels = [m.label for m in open_section(at, "Attacks").metric]
    for label in (
        "DCRBaselineProtection (sdmetrics)",
        "DCROverfittingProtection (sdmetrics)",
        "DisclosureProtection (sdmetrics)",
    ):
        assert label in labels
    attacks = _frame(at, "baseline (random)")
    assert len(attacks) == 5 and attacks["baseline (random)"].str.endswith("%").all()
    assert any("subsamples" in c.value for c in at.caption)
    # Session 32 walk: seven columns ran past the page; the attack's name stays in view while the rest scrolls.
    table = next(d for d in at.dataframe if "baseline (random)" in d.value.columns)
    config = json.loads(table.proto.columns)
    assert config["attack"]["pinned"] and config["attacks"]["type_config"]["format"] == "localized"


def test_changing_the_attacker_model_reruns_the_attacks(part: pd.DataFrame) -> None:
    at = open_section(_privacy_page(part), "Attacks")
    assert "knows [age, marital_status, race, sex, native_country]" in _inference_detail(at)
    assert any("Defaults" in i.value for i in at.info), "the page says the attacker model is a default"
    before = _frame(at, "baseline (random)")
    known = next(w for w in at.multiselect if (w.key or "").startswith("attacker_known|"))
    known.set_value(["age", "sex", "education"]).run()
    assert not at.exception
    assert "knows [age, sex, education]" in _inference_detail(at)
    after = _frame(at, "baseline (random)")
    assert len(after) == 5
    assert before.iloc[:2].equals(after.iloc[:2]), "singling out does not depend on the attacker model"
    assert not before.iloc[2:].equals(after.iloc[2:])


def test_the_record_inspector_masks_values_by_default(part: pd.DataFrame) -> None:
    at = open_section(_privacy_page(part), "Record inspector")
    table = _frame(at, "synthetic row")
    assert table.shape[0] == len(at.session_state["dataset"].schema.modelled)
    assert table.astype(str).apply(lambda col: col.str.contains("•••")).all().all()
    assert at.checkbox(key="inspect_unmask").value is False
    at.checkbox(key="inspect_unmask").check().run()
    assert not at.exception
    unmasked = _frame(at, "synthetic row")
    assert not unmasked["synthetic row"].str.contains("•••").any()
    row = next(w for w in at.number_input if (w.key or "").startswith("inspect_row|"))
    row.set_value(7).run()
    assert not at.exception and _frame(at, "synthetic row").shape == unmasked.shape
    # Clicking the third of the closest rows (the selection the browser sends) inspects that row.
    table = next(d for d in at.dataframe if (d.key or "").startswith("closest_rows|"))
    third = int(table.value.index[2])
    at.session_state[table.key] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert not at.exception
    assert not [w for w in at.warning if "Session State" in w.value]
    row = next(w for w in at.number_input if (w.key or "").startswith("inspect_row|"))
    assert row.value == third != 7


def test_a_bad_attacker_model_gets_a_message_not_a_crash(part: pd.DataFrame) -> None:
    at = open_section(_privacy_page(part), "Attacks")
    known = next(w for w in at.multiselect if (w.key or "").startswith("attacker_known|"))
    known.set_value(["age", "sex", "income"]).run()
    assert not at.exception
    assert any("both known to the attacker and the secret" in e.value for e in at.error)
    assert len(_frame(at, "baseline (random)")) == 2, "singling out still runs"
    assert "Closer to train than to holdout" in [m.label for m in at.metric]
    known.set_value([]).run()
    assert any("at least one column the attacker knows" in e.value for e in at.error)


def test_a_holdout_under_100_rows_is_explained(part: pd.DataFrame) -> None:
    at = _privacy_page(part.iloc[:400])
    assert len(at.session_state["dataset"].holdout) < 100
    assert not at.exception
    assert any("at least 100" in e.value for e in at.error)


def test_a_copy_of_train_is_high_risk_everywhere_and_the_closest_rows_are_masked(part: pd.DataFrame) -> None:
    at = _privacy_page(part)
    ds, syn = at.session_state["dataset"], at.session_state["synthetic"]
    copy = ds.train.sample(frac=1.0, random_state=0).reset_index(drop=True).assign(extra_column=1)
    at.session_state["synthetic"] = dataclasses.replace(syn, df=copy, n_rows=len(copy), id="copy-of-train")
    at.run()
    assert not at.exception
    criteria = [m.value for m in at.markdown if "-badge[" in m.value]
    assert len(criteria) == 7 and all("high risk" in c for c in criteria), criteria
    metrics = [m for m in at.metric]
    closeness = [m for m in metrics if m.label.startswith("Closer to")]
    assert closeness[0].label == "Closer to the full train than to holdout" and closeness[0].value == "100.0%"
    assert any("'extra_column'" in i.value and "lacks" in i.value for i in at.info)
    open_section(at, "Membership")
    assert any(m.label == "Membership inference AUC" for m in at.metric)
    assert "TPR at 1% FPR" in _frame(at, "TPR at 1% FPR").columns
    assert any("shadow" in c.value.lower() or "Shadow" in c.value for c in (*at.info, *at.markdown, *at.caption))
    open_section(at, "Record inspector")
    closest = next(d for d in at.dataframe if (d.key or "").startswith("closest_rows|"))
    assert (closest.value.astype(str) == "•••").all().all(), "closest rows are masked by default"


def test_one_sampled_row_leaves_the_attacks_grey_not_high_risk(part: pd.DataFrame) -> None:
    """The session-29 walk sampled 1 synthetic row and the page said "High risk: linkability": 2,000 training and
    500 holdout people all linked through that row. The attacks are now grey and say how many rows to sample."""
    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    fit(at, "gaussian_copula")
    goto(at, "sample")
    at.number_input[0].set_value(1).run()
    at.button(key="sample_button").click().run()
    assert not at.exception and at.session_state["synthetic"].n_rows == 1
    at = goto(at, "privacy")
    assert not at.exception, at.exception
    alerts = [a.value for a in (*at.error, *at.warning, *at.success, *at.info)]
    assert not any("High risk" in a for a in alerts), alerts
    assert any("too few to judge the attacks" in a for a in alerts), alerts
    criteria = {c.split("**")[1]: c for c in (m.value for m in at.markdown if "-badge[" in m.value)}
    for label in ("Membership inference", "Singling out", "Linkability", "Inference"):
        assert "too few synthetic rows to judge: sample at least 100" in criteria[label], criteria[label]
        # The badge says why it is grey: "not measured" beside a 1-row table read as a step that had not run yet.
        assert criteria[label].startswith(":gray-badge[too few rows]"), criteria[label]
    assert criteria["Copies of real rows"].startswith(":green-badge[low risk]"), criteria["Copies of real rows"]
    # The sections that draw the attacks' own figures say the verdict leaves them unjudged: the browser walk of
    # session 30 read "Singling out (univariate): risk 5.0%" under Attacks at 60 rows with nothing beside it.
    for name in ("Membership", "Attacks"):
        open_section(at, name)
        notes = [i.value for i in at.info if "too few to judge" in i.value]
        assert len(notes) == 1 and "Sample at least 100" in notes[0], [i.value for i in at.info]
    open_section(at, "Distances")  # copies and distances are judged at any size: no such note
    assert not any("too few to judge" in i.value for i in at.info)


def _privacy_job(at: AppTest) -> PrivacyJob:
    (ctx,) = at.session_state["evaluation_contexts"].values()
    return next(v for k, v in ctx._cache.items() if k.startswith("ext:privacy_job"))


def test_checks_run_in_the_background_and_survive_leaving_the_page(
    part: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(INLINE_ENV)
    at = _privacy_page(part)
    assert any(h.value == "Copies of training rows" for h in at.subheader), "the page is drawn, never blank"
    job = _privacy_job(at)
    assert {"copies", "closeness", "distances", "membership", "rare_values"} <= set(job.tasks)
    goto(at, "compare")  # leave while the checks run: they go on
    assert job.wait(300)
    assert all(t.status == "done" for t in job.tasks.values()), {n: t.error for n, t in job.tasks.items()}
    results = {n: t.result for n, t in job.tasks.items()}
    goto(at, "privacy")
    assert any(h.value.startswith("Verdict") for h in at.subheader)
    assert len([m for m in at.markdown if "-badge[" in m.value]) == 7
    assert "Closer to train than to holdout" in [m.label for m in at.metric]
    assert {n: t.result for n, t in job.tasks.items()} == results, "nothing recomputed on coming back"
    assert all(results[n] is job.tasks[n].result for n in results)


def test_a_single_column_table_gets_messages_and_the_rest_of_the_page(
    part: pd.DataFrame,
) -> None:
    heights = "height\n" + "".join(f"{150 + (i * 37) % 50}\n" for i in range(1000))
    at = upload(start(), "one.csv", heights.encode())
    at.button(key="offer_single").click().run()
    assert list(at.session_state["dataset"].df.columns) == ["height"]
    fit(at, "gaussian_copula")
    sample(at)
    goto(at, "privacy")
    assert not at.exception
    labels = [m.label for m in at.metric]
    assert "Exact copies of training rows" in labels and "Closer to train than to holdout" in labels
    assert any(h.value.startswith("Verdict") for h in at.subheader), "the verdict is drawn from what could be measured"
    open_section(at, "Attacks")
    messages = [e.value for e in at.error] + [w.value for w in at.warning] + [i.value for i in at.info]
    assert any("attacker knows" in m or "one column" in m for m in messages), messages
    assert any(h.value.startswith("Verdict") for h in at.subheader), "the verdict is drawn from what could be measured"


def test_an_all_missing_synthetic_column_is_named(part: pd.DataFrame) -> None:
    at = _privacy_page(part)
    syn = at.session_state["synthetic"]
    empty = syn.df.assign(age=float("nan"))
    at.session_state["synthetic"] = dataclasses.replace(syn, df=empty, id="age-missing")
    at.run()
    assert not at.exception
    assert any("'age'" in i.value and "no values in the synthetic table" in i.value for i in at.info)
    assert "Closer to train than to holdout" in [m.label for m in at.metric]
    assert any(h.value.startswith("Verdict") for h in at.subheader)


def test_a_closed_job_stops_its_check_skips_the_queue_and_lets_go_of_the_tables(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gc
    import threading
    import weakref

    monkeypatch.delenv(INLINE_ENV)
    table = pd.DataFrame({"x": range(1000)})
    alive = weakref.ref(table)
    started, ran_second = threading.Event(), threading.Event()

    def long_check(progress: Any, data: pd.DataFrame = table) -> int:
        started.set()
        for i in range(10_000):  # a check that reports progress as it goes, as every privacy check does
            progress(i / 10_000, "working")
            time.sleep(0.01)
        return len(data)

    job = PrivacyJob()
    first = job.submit("long", "A long check", long_check)
    job.submit("second", "Queued behind it", lambda progress: ran_second.set())
    del table, long_check
    assert started.wait(10)
    job.close()
    deadline = time.perf_counter() + 10
    while not first.finished and time.perf_counter() < deadline:
        time.sleep(0.02)
    assert first.status == "failed" and "forgotten" in first.error, "the running check stops at its next report"
    time.sleep(1.5)
    assert not ran_second.is_set(), "a queued check never starts once the job is closed"
    assert job.tasks == {} and job.submit("again", "After", lambda progress: 1).status == "failed"
    del first
    gc.collect()
    assert alive() is None, "nothing of the job holds the table any more"


def _forget() -> None:
    from ui import forget

    forget.forget_my_data()


def test_forget_my_data_closes_the_running_checks(part: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(INLINE_ENV)
    page = _privacy_page(part)
    contexts = page.session_state["evaluation_contexts"]
    job = _privacy_job(page)
    assert job.tasks
    # The sidebar button calls forget_my_data (AppTest draws the sidebar on a first run only): call it directly
    # in a session that holds the same contexts.
    at = AppTest.from_function(_forget, default_timeout=120)
    at.session_state["evaluation_contexts"] = contexts
    at.run()
    assert not at.exception, at.exception
    assert job._closed and job.tasks == {}
    assert all(not ctx._cache for ctx in contexts.values()), "nothing the runs prepared is kept"


def test_each_section_is_reachable_under_the_verdict_and_the_attacker_model_is_kept(part: pd.DataFrame) -> None:
    at = _privacy_page(part)
    assert at.segmented_control(key="privacy_section").value == "Distances"
    expected = {
        "Distances": "Rare values copied",
        "Membership": "Membership inference",
        "Attacks": "Attacks, with their control and baseline",
        "Record inspector": "Record inspector",
    }
    for name, heading in expected.items():
        open_section(at, name)
        subheaders = [h.value for h in at.subheader]
        assert subheaders[0].startswith("Verdict"), f"the verdict leads the page with {name} open"
        assert len([m for m in at.markdown if "-badge[" in m.value]) == 7
        assert "Closer to train than to holdout" in [m.label for m in at.metric]
        assert heading in subheaders
        assert not [h for k, h in expected.items() if k != name and h in subheaders], f"only {name} is drawn"
    open_section(at, "Attacks")
    known = next(w for w in at.multiselect if (w.key or "").startswith("attacker_known|"))
    known.set_value(["age", "sex", "education"]).run()
    verdict = [m.value for m in at.markdown if "-badge[" in m.value]
    open_section(at, "Distances")
    assert [m.value for m in at.markdown if "-badge[" in m.value] == verdict, "the verdict keeps the chosen attacker"
    open_section(at, "Attacks")
    known = next(w for w in at.multiselect if (w.key or "").startswith("attacker_known|"))
    assert known.value == ["age", "sex", "education"], "the attacker model survives a switch of section"
    assert "knows [age, sex, education]" in _inference_detail(at)


def test_a_check_the_open_section_does_not_show_ends_without_a_rerun() -> None:
    from ui.privacy_checks import rerun_due

    distances = frozenset({"copies", "closeness", "distances", "rare_values"})
    assert not rerun_due(frozenset(), distances, pending=True)
    assert not rerun_due(frozenset({"membership", "attacks|x"}), distances, pending=True), "not drawn: no rerun"
    assert rerun_due(frozenset({"membership", "distances"}), distances, pending=True), "its charts fill in"
    assert rerun_due(frozenset({"attacks|x"}), distances, pending=False), "the last check: the verdict is drawn"
    assert rerun_due(frozenset({"attacks|x"}), None, pending=True), "the Attacks section shows every check"


def _sampled_then_compare(part: pd.DataFrame) -> tuple[AppTest, Any]:
    """A sample looked at on Compare, with background work on (the caller unsets the inline switch)."""
    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    fit(at, "gaussian_copula")
    sample(at)
    goto(at, "compare")
    (ctx,) = at.session_state["evaluation_contexts"].values()
    return at, ctx


def test_sample_and_compare_start_the_first_privacy_checks_and_privacy_takes_them_over(
    part: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(INLINE_ENV)
    at, ctx = _sampled_then_compare(part)
    for thread in [t for t in threading.enumerate() if t.name.startswith("prefetch privacy_head_start")]:
        thread.join(120)
    assert any(k.startswith("ext:privacy_head_start") for k in ctx._cache), "Privacy got a head start"
    job = _privacy_job(at)
    assert set(job.tasks) == {"copies", "closeness"}, "only the first cards run before the user opens Privacy"
    assert job.wait(120) and all(t.status == "done" for t in job.tasks.values())
    started = {n: t for n, t in job.tasks.items()}
    inputs = [v for k, v in ctx._cache.items() if k.startswith("ext:privacy_inputs")]
    goto(at, "privacy")
    assert "Closer to train than to holdout" in [m.label for m in at.metric]
    assert _privacy_job(at) is job and all(job.tasks[n] is t for n, t in started.items()), "taken over, not rerun"
    assert [v for k, v in ctx._cache.items() if k.startswith("ext:privacy_inputs")] == inputs, "tables prepared once"
    assert {"distances", "membership", "rare_values"} <= set(job.tasks), "the page asks for the rest itself"


def test_no_head_start_for_tables_whose_closeness_search_is_long(
    part: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui import state

    monkeypatch.delenv(INLINE_ENV)
    monkeypatch.setattr(state, "PRIVACY_HEAD_START_MAX_PAIRS", 1000)  # every table here is "large"
    at, ctx = _sampled_then_compare(part)
    begun = [*ctx._cache, *ctx._started]
    assert not any(k.startswith(("ext:privacy_head_start", "ext:privacy_job")) for k in begun)
    goto(at, "privacy")
    assert {"copies", "closeness"} <= set(_privacy_job(at).tasks), "the page starts its checks itself"
