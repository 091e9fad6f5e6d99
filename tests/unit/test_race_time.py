"""The race's time left (synth.report.race_time): judged from the runs it has scored, exact when every run behaves
as the scored ones did, and read from the clock the Race page's job keeps (ui.race_job)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.report.race_time import FIT_SHARE, RunTime, seconds_left
from ui import race_job
from ui.race_job import RaceJob, RunProgress, time_left_text

seconds = st.floats(0.0, 1e4, allow_nan=False)
estimates = st.one_of(st.none(), st.floats(0.01, 1e3, allow_nan=False))


@st.composite
def uniform_races(draw: st.DrawFn) -> tuple[list[RunTime], float]:
    """A race whose runs all fit in ``c ×`` their estimate (the mean scored fit where they have none) and score in
    the same time, stopped at a random moment; with the true seconds left."""
    rate, score = draw(st.floats(0.1, 100.0)), draw(st.floats(0.1, 1e3))
    n = draw(st.integers(2, 7))
    ests = [draw(st.floats(0.01, 100.0)) for _ in range(n)]
    done = draw(st.integers(1, n))  # at least one scored: otherwise there is nothing to judge by
    runs = [RunTime("ok", e, e * rate, score) for e in ests[:done]]
    truth = 0.0
    if done < n:
        est = ests[done]
        fit = est * rate
        at = draw(st.floats(0.0, 1.0)) * (fit + score)  # how far the current run has gone
        if at < fit:
            runs.append(RunTime("fitting", est, at))
        else:
            runs.append(RunTime("scoring", est, fit, at - fit))
        truth += fit + score - at
        for e in ests[done + 1 :]:
            runs.append(RunTime("waiting", e))
            truth += e * rate + score
    return runs, truth


@settings(max_examples=200, deadline=None)
@given(uniform_races())
def test_the_estimate_is_exact_when_the_runs_left_behave_as_the_scored_ones(race: tuple[list[RunTime], float]) -> None:
    runs, truth = race
    left = seconds_left(runs)
    assert left == pytest.approx(truth, rel=1e-9, abs=1e-6)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["waiting", "fitting", "scoring", "failed"]), estimates, seconds, seconds)))
def test_nothing_is_said_before_a_run_is_scored(rows: list[tuple]) -> None:
    """Scoring takes most of a large race, and the calibration says nothing of it: no guess before one is timed."""
    runs = [RunTime(status, est, fit, score if status != "fitting" else 0.0) for status, est, fit, score in rows]
    assert seconds_left(runs) is None


@st.composite
def races(draw: st.DrawFn) -> list[RunTime]:
    scored = draw(st.lists(st.builds(RunTime, st.just("ok"), estimates, seconds, seconds), min_size=1, max_size=4))
    failed = draw(st.lists(st.builds(RunTime, st.just("failed"), estimates, seconds, seconds), max_size=2))
    current = draw(
        st.one_of(
            st.just([]),
            st.builds(lambda e, f: [RunTime("fitting", e, f)], estimates, seconds),
            st.builds(lambda e, f, s: [RunTime("scoring", e, f, s)], estimates, seconds, seconds),
        )
    )
    waiting = draw(st.lists(st.builds(RunTime, st.just("waiting"), estimates), max_size=4))
    return [*scored, *failed, *current, *waiting]


@settings(max_examples=200, deadline=None)
@given(races(), st.floats(0.0, 1e3))
def test_time_passing_never_adds_to_the_estimate_and_a_finished_race_has_none_left(
    runs: list[RunTime], more: float
) -> None:
    left = seconds_left(runs)
    assert left is not None and left >= 0
    later = [
        RunTime(r.status, r.fit_estimate, r.fit_seconds + more, r.score_seconds)
        if r.status == "fitting"
        else RunTime(r.status, r.fit_estimate, r.fit_seconds, r.score_seconds + more)
        if r.status == "scoring"
        else r
        for r in runs
    ]
    assert seconds_left(later) <= left + 1e-9  # type: ignore[operator]
    assert seconds_left([*runs, RunTime("waiting", 1.0)]) >= left  # type: ignore[operator]
    finished = [r for r in runs if r.status in ("ok", "failed")]
    assert seconds_left(finished) == 0.0


def test_a_failed_run_teaches_nothing() -> None:
    """A run that failed stopped part-way: its seconds are neither a fit's nor a scoring's."""
    runs = [RunTime("ok", 2.0, 10.0, 30.0), RunTime("waiting", 4.0)]
    assert seconds_left(runs) == pytest.approx(20.0 + 30.0)
    assert seconds_left([RunTime("failed", 2.0, 500.0, 900.0), *runs]) == pytest.approx(50.0)


def test_a_fit_without_an_estimate_takes_the_scored_runs_mean() -> None:
    runs = [RunTime("ok", 1.0, 10.0, 5.0), RunTime("ok", None, 30.0, 7.0), RunTime("waiting", None)]
    assert seconds_left(runs) == pytest.approx(20.0 + 6.0)  # mean fit 20, median scoring 6


@pytest.mark.parametrize("bad", [{"fit_seconds": -1.0}, {"score_seconds": -0.5}, {"fit_estimate": float("nan")}])
def test_a_clock_cannot_hold_negative_or_missing_seconds(bad: dict) -> None:
    with pytest.raises(ValueError):
        RunTime("ok", **bad)


def test_the_job_clocks_each_run_from_its_progress_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Race page's job reads a run's fit as the time to its bar's FIT_SHARE, its scoring as the rest."""
    ticks = iter([0.0, 10.0, 30.0, 35.0])
    monkeypatch.setattr(race_job.time, "perf_counter", lambda: next(ticks))
    job = RaceJob("key", [RunProgress("a", fit_estimate=1.0), RunProgress("b", fit_estimate=2.0), RunProgress("c")])
    first = job._progress_for(0, "a")
    first(0.0, "preparing columns")  # t=0
    first(FIT_SHARE, "scoring accuracy")  # t=10: fitted and sampled
    job.partial = ()

    class Done:  # the fields of a RunResult _on_result reads
        label, error, status = "a", "", "ok"

    job._on_result(Done())  # type: ignore[arg-type]  # t=30
    job._progress_for(1, "b")(0.1, "fitting")  # t=35
    clocks = [r.clock(35.0) for r in job.runs]
    assert clocks[0] == RunTime("ok", 1.0, 10.0, 20.0)
    assert clocks[1] == RunTime("fitting", 2.0, 0.0, 0.0)
    assert clocks[2] == RunTime("waiting", None)
    # b fits in 2 × 10 s and scores in 20; c (no estimate) fits in the mean 10 s and scores in 20.
    assert seconds_left(clocks) == pytest.approx(40.0 + 30.0)


def test_a_run_that_failed_in_its_fit_is_clocked_as_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    ticks = itertools.count(0.0, 5.0)
    monkeypatch.setattr(race_job.time, "perf_counter", lambda: next(ticks))
    job = RaceJob("key", [RunProgress("a", fit_estimate=1.0)])
    job._progress_for(0, "a")(1.0, "failed")  # synth.race reports a failed fit at 1.0, past FIT_SHARE

    class Failed:
        label, error, status = "a", "ValueError: no", "failed"

    job._on_result(Failed())  # type: ignore[arg-type]
    assert job.runs[0].clock(100.0).status == "failed" and job.seconds_left() is None


@pytest.mark.parametrize(
    ("left", "text"),
    [
        (None, "time left shown once the first run is scored"),
        (0.4, "finishing"),
        (12.0, "about 10 s left"),
        (2.0, "about 5 s left"),
        (95.0, "about 100 s left"),
        (400.0, "about 7 min left"),
    ],
)
def test_the_page_says_the_time_left_as_a_person_would(
    monkeypatch: pytest.MonkeyPatch, left: float | None, text: str
) -> None:
    job = RaceJob("key", [RunProgress("a")])
    monkeypatch.setattr(RaceJob, "seconds_left", lambda self: left)
    assert time_left_text(job) == text


def test_the_command_line_clocks_a_race_as_the_page_does() -> None:
    """`synth race` feeds the same hooks to a RaceClock: the same progress calls at the same times give the same
    time left as the page's job, said in the same words beside the bar's message (tqdm's own estimate, linear in the
    bar, is left out: a copula's run and a CART's differ a hundredfold)."""
    from synth.cli.race import with_time_left
    from synth.report.race_time import RaceClock

    ticks = iter([0.0, 10.0, 30.0, 35.0, 35.0, 35.0])
    clock = RaceClock([1.0, 2.0, None], clock=lambda: next(ticks))
    first = clock.progress_for(0, "a")
    first(0.0, "preparing columns")  # t=0
    first(FIT_SHARE, "scoring accuracy")  # t=10

    class Done:
        ok = True

    clock.on_result(Done())  # t=30
    clock.progress_for(1, "b")(0.1, "fitting")  # t=35
    assert clock.seconds_left() == pytest.approx(40.0 + 30.0)  # t=35: as the job's test above
    shown: list[tuple[float, str]] = []
    with_time_left(lambda f, m: shown.append((f, m)), clock)(0.4, "b: fitting")  # t=35
    assert shown == [(0.4, "b: fitting · about 70 s left")]


def test_the_command_line_says_why_no_time_is_given_before_a_run_is_scored() -> None:
    from synth.report.race_time import RaceClock

    ticks = itertools.count(0.0, 5.0)
    clock = RaceClock([1.0], clock=lambda: next(ticks))
    clock.progress_for(0, "a")(1.0, "failed")

    class Failed:
        ok = False

    clock.on_result(Failed())
    assert clock.seconds_left() is None and clock.words() == "time left shown once the first run is scored"
