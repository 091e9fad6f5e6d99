"""AppTest: the Report page's privacy verdict for the session's run is the Privacy page's, with the same membership
AUC and the same figures, whichever page is opened first (session 25 walk: the report re-scored membership on 500
training rows and read amber where the page read green)."""

from __future__ import annotations

import threading
import time
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from synth.evaluation.privacy.verdict import Verdict
from synth.report.evaluation import TableEvaluation
from tests.app.helpers import fit, goto, sample, start, upload
from ui.privacy_job import PrivacyJob


@pytest.fixture(scope="module")
def part(adult: pd.DataFrame) -> pd.DataFrame:
    # 2,000 rows: 1,600 in training, over three times the race's 500 membership targets.
    return adult.sample(2000, random_state=3).reset_index(drop=True)


def _sampled(part: pd.DataFrame) -> AppTest:
    at = start()
    upload(at, "adult_part.csv", part.to_csv(index=False).encode("utf-8"))
    fit(at, "gaussian_copula")
    return sample(at)


def _job(at: AppTest) -> PrivacyJob:
    (ctx,) = at.session_state["evaluation_contexts"].values()
    return next(v for k, v in ctx._cache.items() if k.startswith("ext:privacy_job"))


def _page_verdict(at: AppTest) -> Verdict:
    (verdict,) = [v for k, v in _job(at)._memo.items() if isinstance(k, tuple) and k[0] == "verdict"]
    return verdict


def _reported(at: AppTest) -> tuple[TableEvaluation, str]:
    """The report's evaluation of the current run, and its data card as the page shows it."""
    goto(at, "report")
    at.button(key="report_current_run").click().run()
    assert not at.exception, at.exception
    (record,) = at.session_state["external_runs"]
    evaluation = record.result.run.evaluation
    assert evaluation is not None
    return evaluation, next(m.value for m in at.markdown if "## Scores" in m.value)


def _figures(verdict: Verdict) -> list[tuple[str, str, str]]:
    return [(c.key, c.level, c.value) for c in verdict.criteria]


def _agree(at: AppTest, reported: TableEvaluation, card: str) -> None:
    page = _page_verdict(at)
    membership: Any = _job(at).get("membership").result  # type: ignore[union-attr]
    assert reported.verdict is not None and reported.verdict.level == page.level
    # The same attack over the same members: the page's AUC exactly, and its 1,600 members (the race scores 500).
    assert reported.membership_auc == membership.auc.value
    assert reported.privacy is not None and reported.privacy.membership is membership
    assert _figures(reported.verdict) == _figures(page), "every criterion's light and figure as on the page"
    page_risks = {
        r.label: r.risk.value
        for t in _job(at).tasks.values()
        if t.name.startswith("attacks|")
        for r in t.result.results
    }
    assert reported.attacks is not None
    assert {r.label: r.risk.value for r in reported.attacks.results} == page_risks
    assert f"Privacy verdict: {page.level}" in card
    assert "the Privacy page's checks of this run" in card and "screening" not in card
    # The highest risk names its check and how the verdict read it (a green 8.6% said nothing of either).
    assert reported.privacy_risk_note.startswith("from ") and "which the verdict reads" in reported.privacy_risk_note
    assert reported.privacy_risk_note.split(", which")[0].removeprefix("from ").split(",")[0] in card


def test_report_after_the_privacy_page_reuses_its_results(part: pd.DataFrame) -> None:
    at = _sampled(part)
    goto(at, "privacy")
    membership = _job(at).get("membership")
    assert membership is not None and membership.status == "done"
    reported, card = _reported(at)
    assert _job(at).get("membership") is membership, "reused, not run again"
    _agree(at, reported, card)


def test_report_before_the_privacy_page_runs_its_checks_the_page_s_way(part: pd.DataFrame) -> None:
    at = _sampled(part)
    reported, card = _reported(at)
    tasks = dict(_job(at).tasks)
    goto(at, "privacy")
    assert not at.exception, at.exception
    # The page finds the report's checks done: nothing runs twice, and it draws the verdict the report printed.
    assert {n: t for n, t in _job(at).tasks.items() if n in tasks} == tasks
    _agree(at, reported, card)


def test_the_add_shows_the_privacy_checks_progress_while_they_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """A walk's add stood ~12 s under a spinner while the page's checks ran: the bar now moves with them."""
    from ui.privacy_job import INLINE_ENV
    from ui.report_privacy import wait_shown

    monkeypatch.delenv(INLINE_ENV)
    job = PrivacyJob()
    halfway = threading.Event()

    def check(bar: Any) -> int:
        bar(0.5, "half the rows")
        assert halfway.wait(30), "the wait never showed the check's progress"
        return 1

    job.submit("first", "Checking first", lambda bar: 1)
    job.submit("second", "Checking second", check)
    seen: list[tuple[float, str]] = []

    def progress(fraction: float, message: str, /) -> None:
        seen.append((fraction, message))
        if message == "Checking second (half the rows)":
            halfway.set()

    wait_shown(job, ["first", "second"], progress, time.perf_counter() + 60)
    assert job.get("second").status == "done"  # type: ignore[union-attr]
    # The first check done and the second half way: three quarters of the wait, with the running check's words.
    assert (0.75, "Checking second (half the rows)") in seen
    assert [f for f, _ in seen] == sorted(f for f, _ in seen)


def test_the_privacy_checks_keep_their_part_of_the_bar_until_the_verdict_s_checks_are_in() -> None:
    """The Sample page's head start finishes the first cards only: the add still has the verdict's checks to wait
    for, and they get their part of the bar (not a squeezed one that stalls at 0%)."""
    from ui.report_privacy import _checks_left

    job = PrivacyJob()  # the checks run as they are submitted (AppTest's inline mode)
    for name in ("copies", "closeness"):
        job.submit(name, name, lambda bar: 1)
    assert _checks_left(job) == 1.0
    for name in ("distances", "rare_values", "membership", "attacks|singling", "attacks|linkability"):
        job.submit(name, name, lambda bar: 1)
    assert _checks_left(job) == 0.0
