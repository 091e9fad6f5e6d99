"""AppTest: the Race page races in the background and shows the leaderboard, the front and the pick; an external
table is checked and scored; the Report page offers the four downloads and reproduces an uploaded manifest;
Demo mode plays the game."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pandas as pd
import pytest
from streamlit import dataframe_util
from streamlit.testing.v1 import AppTest

from synth.report.leaderboard import leaderboard_text
from tests.app.helpers import goto, start, upload
from tests.conftest import SHARED_DATASETS


@pytest.fixture(scope="module")
def part(adult: pd.DataFrame) -> pd.DataFrame:
    return adult.sample(2000, random_state=1).reset_index(drop=True)


def _raced(part: pd.DataFrame, synths: list[str], leaves: str = "") -> AppTest:
    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    goto(at, "race")
    at.multiselect(key="race_synths").set_value(synths)
    at.text_input(key="race_cart_leaves").set_value(leaves)
    at.button(key="race_start").click().run()
    assert not at.exception, at.exception
    job = at.session_state["race_job"]
    assert job is not None and job.wait(600)
    at.run()  # the progress fragment adopts the result and reruns the app
    at.run()
    assert not at.exception, at.exception
    return at


def _race_independent(at: AppTest) -> None:
    """Race the independent synthesizer alone from the Race page and wait for it to finish."""
    goto(at, "race")
    at.multiselect(key="race_synths").set_value(["independent"])
    at.button(key="race_start").click().run()
    job = at.session_state["race_job"]
    assert job is not None and job.wait(600)
    at.run()
    at.run()


def test_race_shows_every_run_the_front_and_the_pick(part: pd.DataFrame) -> None:
    at = _raced(part, ["independent"], leaves="1, 200")
    board = next(d.value for d in at.dataframe if "detection AUC" in d.value.columns)
    assert len(board) == 3
    # One tab per group of the board's columns (all of them in one table ran past a 1400 px page).
    assert [t.label for t in at.tabs][:4] == ["Fidelity", "Quality and utility", "Privacy", "Cost and errors"]
    orders = [list(d.proto.column_order) for d in at.dataframe if list(d.proto.column_order)[:1] == ["run"]]
    assert len(orders) == 4 and all(o[0] == "run" and len(o) <= 8 for o in orders)
    boards = [d for d in at.dataframe if list(d.proto.column_order)[:1] == ["run"]]
    assert all(d.proto.placeholder == "—" for d in boards), "an unmeasured cell read 'None'"
    # The grid shows synth's text for every cell (the report's race table prints the same), over the numbers.
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(boards[0].proto.arrow_data.styler.display_values)
    expected = leaderboard_text(at.session_state["race"].result)
    assert shown.to_numpy().tolist() == expected.to_numpy().tolist()
    assert board["quality"].dtype.kind == "f", "the numbers stay underneath: the columns sort as numbers"
    assert set(board["status"]) == {"ok"}
    assert board["quality"].notna().all() and board["singling out"].notna().all()
    assert any("is recommended" in s.value for s in at.success)
    assert at.get("plotly_chart"), "the privacy-vs-fidelity chart is drawn"
    spec = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert any(trace.get("name") == "Pareto front" for trace in spec["data"])


def test_every_run_holds_and_is_scored_by_the_people_the_data_page_keeps_together() -> None:
    """Household_id picked on the Data page over the finder's patient_id: each raced fit holds the households and
    the run's privacy scores attack them."""
    from tests.unit.test_person_column import households

    at = upload(start(), "visits.csv", households(n=3_000, patients=600, homes=150).to_csv(index=False).encode())
    box = next(s for s in at.selectbox if s.label == "Keep each person's rows together")
    box.select_index(box.options.index("by household_id")).run()
    assert at.session_state["dataset"].split_by == "household_id"
    _race_independent(at)
    assert not at.exception, at.exception
    (run,) = at.session_state["race"].result.runs
    assert run.ok and run.model.people_ is not None and run.model.people_.entity == "household_id"
    membership = run.evaluation.privacy.membership
    assert membership.people is not None and membership.people.column == "household_id"


def test_a_bad_setting_is_explained_and_the_race_cannot_start(part: pd.DataFrame) -> None:
    at = start()
    goto(at, "race")
    at.text_input(key="race_cart_leaves").set_value("5, lots").run()
    assert any("'lots' is not a whole number" in e.value for e in at.error)
    assert at.button(key="race_start").disabled


def test_a_failing_run_shows_its_error_in_its_row(part: pd.DataFrame) -> None:
    at = _raced(part, ["independent"], leaves="0")  # min_samples_leaf must be ≥ 1
    board = next(d.value for d in at.dataframe if "detection AUC" in d.value.columns)
    failed = board[board["status"] == "failed"]
    assert len(failed) == 1 and "min_samples_leaf" in failed["error"].iloc[0]
    assert (board["status"] == "ok").sum() == 1


@pytest.mark.skipif(not (SHARED_DATASETS / "adult-peers").exists(), reason="shared peer outputs not present")
def test_an_external_table_is_checked_and_scored(part: pd.DataFrame) -> None:
    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    goto(at, "race")
    peer = pd.read_csv(SHARED_DATASETS / "adult-peers" / "adult_synthpop.csv.gz").head(1500).drop(columns=["fnlwgt"])
    at.file_uploader(key="external_upload").set_value(
        ("synthpop.csv", peer.to_csv(index=False).encode("utf-8"), "text/csv")
    ).run()
    assert not at.exception, at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "lacks 1 real column(s): fnlwgt" in warnings and "'education-num' → 'education_num'" in warnings
    labels = [m.label for m in at.metric]
    assert {"Trivariate accuracy", "Detection AUC (discriminator)", "Quality"} <= set(labels)
    # An AUC (0.49 here: synthpop drew from a model of the whole Adult split, told from this slice's holdout)
    assert 0.4 <= float(next(m.value for m in at.metric if m.label == "Detection AUC (discriminator)")) <= 1.0
    quality = float(next(m.value for m in at.metric if m.label == "Quality"))
    assert 0.8 < quality <= 1.0
    # at most four metrics a row: seven in one cut the labels and the TSTR pair (the California walk's "0.946…")
    assert max(_metrics_per_row(at)) <= 4, _metrics_per_row(at)
    board = next(d.value for d in at.dataframe if "detection AUC" in d.value.columns)
    assert list(board["run"].str.replace(" ★", "")) == ["synthpop.csv"]
    # fnlwgt is missing, so it is not offered to Compare as a complete run
    assert at.session_state["synthetic"] is None
    # an unreadable upload is explained and the scored table stays
    at.file_uploader(key="external_upload").set_value(("bad.csv", b"a,b\n1,2\n3,4\n", "text/csv")).run()
    assert any("column names" in e.value or "bad.csv" in e.value for e in at.error)
    assert any(m.label == "Quality" for m in at.metric)


@pytest.mark.skipif(not (SHARED_DATASETS / "adult-peers").exists(), reason="shared peer outputs not present")
def test_a_complete_external_table_is_on_compare(part: pd.DataFrame) -> None:
    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    goto(at, "race")
    peer = pd.read_csv(SHARED_DATASETS / "adult-peers" / "adult_synthpop.csv.gz").head(1500)
    at.file_uploader(key="external_upload").set_value(
        ("synthpop.csv", peer.to_csv(index=False).encode("utf-8"), "text/csv")
    ).run()
    assert not at.exception, at.exception
    assert at.session_state["synthetic"].model_label == "synthpop.csv (external)"
    goto(at, "compare")
    assert not any("No synthetic table yet" in i.value for i in at.info)
    assert any("synthpop.csv (external)" in d.value.to_string() for d in at.dataframe)


def test_report_downloads_and_manifest_reproduces_byte_for_byte(part: pd.DataFrame) -> None:
    at = _raced(part, ["independent", "cart"])
    goto(at, "report")
    buttons = at.get("download_button")
    assert len(buttons) == 4
    assert any("Intended use" in m.value for m in at.markdown)
    from synth.report.manifest import build_manifest, manifest_json

    ds = at.session_state["dataset"]
    race = at.session_state["race"].result
    manifest = manifest_json(build_manifest(ds.df, ds.schema, race, holdout=ds.holdout_share, split_seed=ds.split_seed))
    at.file_uploader(key="manifest_upload").set_value(("m.json", manifest.encode(), "application/json")).run()
    assert not at.exception, at.exception
    assert any("identical byte for byte" in s.value for s in at.success)
    # a manifest of another table is refused with a reason, the race stays
    other = json.loads(manifest)
    other["data"]["sha256"] = "0" * 64
    at.file_uploader(key="manifest_upload").set_value(("o.json", json.dumps(other).encode(), "application/json")).run()
    assert any("not the one the manifest was made from" in e.value for e in at.error)
    assert at.session_state["race"] is not None


def test_report_without_a_race_says_where_to_go() -> None:
    at = start()
    goto(at, "report")
    assert any("Race" in i.value for i in at.info)


def test_report_on_the_current_run_without_a_race_reproduces_it(part: pd.DataFrame) -> None:
    from tests.app.helpers import fit, sample

    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    fit(at, "cart")
    sample(at)
    goto(at, "report")
    button = at.button(key="report_current_run")
    assert "Sequential CART · seed 1 (current run)" in button.label
    button.click().run()
    assert not at.exception, at.exception
    assert len(at.get("download_button")) == 4
    assert any("What the model file contains" in m.value for m in at.markdown)
    from synth.report.manifest import build_manifest, manifest_json

    ds = at.session_state["dataset"]
    (run,) = [e.result.run for e in at.session_state["external_runs"]]
    assert run.model is at.session_state["fitted"].model and run.contender.name == "cart"
    from synth.report import EvaluationSettings
    from synth.report.race import finish

    race = finish([run], EvaluationSettings())
    manifest = manifest_json(build_manifest(ds.df, ds.schema, race, holdout=ds.holdout_share, split_seed=ds.split_seed))
    at.file_uploader(key="manifest_upload").set_value(("m.json", manifest.encode(), "application/json")).run()
    assert not at.exception, at.exception
    assert any("identical byte for byte" in s.value for s in at.success)


def test_demo_mode_cards_anonymised_game(part: pd.DataFrame) -> None:
    at = _raced(part, ["independent"])
    goto(at, "demo")
    assert any("demo-card" in m.value for m in at.markdown)
    # Session 18 walk: the privacy card's light was an emoji, an empty box in a browser without an emoji font.
    cards = [m.value for m in at.markdown if "demo-card" in m.value]
    assert not [ch for card in cards for ch in card if ord(ch) >= 0x1F000], cards
    assert any("privacy risk" in card and "●" in card for card in cards), cards
    # real holdout rows appear only after the presenter confirms they may be shown
    assert not any("row" in d.value.columns for d in at.dataframe)
    at.checkbox(key="demo_real_ok").check().run()
    rows = next(d.value for d in at.dataframe if "row" in d.value.columns)
    assert len(rows) == 10 and "Column A" in rows.columns and "age" not in rows.columns
    at.multiselect(key="demo_guess_0").set_value([1, 2, 3, 4, 5]).run()
    at.button(key="demo_reveal").click().run()
    assert not at.exception, at.exception
    assert any("the room:" in m.value for m in at.markdown)
    at.toggle(key="demo_anonymise").set_value(False).run()
    rows = next(d.value for d in at.dataframe if "row" in d.value.columns)
    assert "age" in rows.columns


def test_report_pdf_is_printed_on_request_and_a_missing_printer_loses_nothing(
    part: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from synth.report.pdf import ReportPdfError
    from tests.app.helpers import fit, sample
    from ui import report_pdf

    printed: list[str] = []

    def no_printer(html: str) -> bytes:
        printed.append(html)
        raise ReportPdfError('a PDF needs Playwright: pip install -e ".[pdf]"')

    monkeypatch.setattr(report_pdf, "report_pdf", no_printer)
    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    fit(at, "independent")
    sample(at)
    goto(at, "report")
    at.button(key="report_current_run").click().run()
    assert len(at.get("download_button")) == 4 and not printed  # nothing printed until asked
    at.button(key="report_make_pdf").click().run()
    assert not at.exception, at.exception
    assert len(printed) == 1 and "<html" in printed[0].lower()
    assert any("No PDF here" in i.value and ".[pdf]" in i.value for i in at.info)
    assert len(at.get("download_button")) == 4  # the other downloads are still there
    # With a printer, the same button gives the PDF's download next to the others.
    monkeypatch.setattr(report_pdf, "report_pdf", lambda html: b"%PDF-1.7 printed")
    at.button(key="report_make_pdf").click().run()
    assert not at.exception, at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels[-1] == "Report (PDF)" and len(labels) == 5


def test_demo_game_shows_no_real_personal_data_and_hides_every_column_name(
    part: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The HR walk: real rows showed real e-mails and ids beside example.org ones (won at a glance, and real
    people's data shown to a room), and with anonymised names on the headline still named 'job_title'."""
    race = importlib.import_module("synth.report.race")  # (synth.report.race is also a function's name)

    people = part.head(1000).copy()
    people.insert(0, "staff_id", [f"E-{i:06d}" for i in range(100_000, 101_000)])
    people.insert(1, "work_email", [f"person{i}@acme-corp.eu" for i in range(1000)])
    at = start()
    upload(at, "people.csv", people.to_csv(index=False).encode("utf-8"))
    kinds = {c.name: c.kind.value for c in at.session_state["dataset"].schema}
    assert kinds["staff_id"] == "identifier" and kinds["work_email"] == "pii", kinds
    _race_independent(at)
    real_recommend = race.recommend

    def naming(*args: object, **kwargs: object) -> tuple[str, str]:
        pick, reason = real_recommend(*args, **kwargs)  # type: ignore[arg-type]
        return pick, reason + " workclass: 8.5% of synthetic rows hold '(other)'; marital-status too"

    monkeypatch.setattr(race, "recommend", naming)
    goto(at, "demo")
    headline = next(m.value for m in at.markdown if m.value.startswith("#### "))
    assert "Column" in headline
    for name in people.columns:
        assert name not in headline, (name, headline)
    at.checkbox(key="demo_real_ok").check().run()
    for round_ in range(3):
        at.number_input(key="demo_round").set_value(round_).run()
        rows = next(d.value for d in at.dataframe if "row" in d.value.columns)
        shown = set(rows.astype(str).to_numpy().ravel())
        assert not shown & set(people["work_email"]) and not shown & set(people["staff_id"])
        assert not any("acme-corp" in v for v in shown)


def test_start_race_is_disabled_while_a_race_runs(part: pd.DataFrame) -> None:
    """Session 18 walk: the run that started a race drew "Start race" before the race existed, and only the
    progress fragment reran after it, so the button stayed live for the whole race (a second press started a second
    race beside the first)."""
    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    goto(at, "race")
    at.multiselect(key="race_synths").set_value(["gaussian_copula", "cart", "pruned_cart"])
    at.button(key="race_start").click().run()
    assert not at.exception, at.exception
    job = at.session_state["race_job"]
    try:
        assert job is not None and not job.done, "the premise: the race is still running"
        assert at.button(key="race_start").disabled
        assert at.button(key="race_cancel").label == "Cancel"
    finally:
        if job is not None:
            job.cancel()
            job.wait(600)


def _metrics_per_row(at: AppTest) -> list[int]:
    """How many columns each row of columns holding a metric has."""
    counts: list[int] = []

    def walk(node: Any) -> None:
        children = list(getattr(node, "children", {}).values())
        columns = [c for c in children if getattr(c, "type", None) == "column"]
        if columns and any(_has_metric(c) for c in columns):
            counts.append(len(columns))
        for child in children:
            walk(child)

    walk(at._tree)
    return counts


def _has_metric(node: Any) -> bool:
    return getattr(node, "type", None) == "metric" or any(
        _has_metric(c) for c in getattr(node, "children", {}).values()
    )


def test_a_running_race_says_how_long_it_has_left(part: pd.DataFrame) -> None:
    """A 250,000-row race runs some 7 minutes: once a run is scored the page says about how long the rest takes
    (judged from that run), and before that why it says nothing."""
    import time

    from ui.race_job import RaceJob, RunProgress

    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    goto(at, "race")
    now = time.perf_counter()
    waiting = RaceJob("key", [RunProgress("Copula", 0.2, "fitting", "running", 1.0, started=now), RunProgress("CART")])
    at.session_state["race_job"] = waiting
    at.run()
    assert not at.exception, at.exception
    assert any("Racing 2 runs" in m.value and "time left shown once the first run is scored" in m.value
               for m in at.markdown)  # fmt: skip
    # Copula fitted in 100 s (its estimate 1 s) and scored in 200 s; CART (estimate 2 s) has just started: its fit
    # takes 2 × 100 s, its scoring 200 s, 400 s in all.
    scored = RunProgress("Copula", 1.0, "scored", "ok", 1.0, started=now - 300, scoring_from=now - 200, ended=now)
    fitting = RunProgress("CART", 0.01, "preparing columns", "running", 2.0, started=now)
    at.session_state["race_job"] = RaceJob("key", [scored, fitting])
    at.run()
    assert not at.exception, at.exception
    assert any("about 7 min left" in m.value for m in at.markdown), [m.value for m in at.markdown]
