"""How long the rest of a race will take, judged from the runs it has finished.

A race runs its contenders one after another; each fits and samples (:data:`FIT_SHARE` of its progress bar), then
is scored against the same holdout. Scoring costs about the same for every run (the same rows, the same checks),
while fits differ by orders of magnitude between synthesizers. So the time left is put together from what the race
has measured itself: every run still to be scored takes the median scoring time of the runs scored so far, and
every fit still to come takes its calibrated estimate (:func:`synth.audit.fit_estimates`, CPU seconds on one core)
times the ratio of measured to estimated fit seconds of the runs done (which absorbs this machine's speed and load,
and the estimate's own error on this table). Nothing is said before the first run is scored: the calibration says
nothing about scoring, and a guess there would be the kind of figure a user learns to ignore.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

#: Share of a run's progress bar its fit and sample fill; its scoring fills the rest (:func:`synth.race`).
FIT_SHARE = 0.4

RunStatus = Literal["waiting", "fitting", "scoring", "ok", "failed"]


@dataclass(frozen=True)
class RunTime:
    """One run of a race as its clock stands.

    Attributes:
        status: waiting (not started), fitting (fitting or sampling), scoring, ok (scored), failed.
        fit_estimate: calibrated fit seconds of its synthesizer on this table; None when not calibrated (a peer).
        fit_seconds: wall seconds spent fitting and sampling so far (all of them once it is scoring or done).
        score_seconds: wall seconds spent scoring so far (all of them once it is done).
    """

    status: RunStatus
    fit_estimate: float | None = None
    fit_seconds: float = 0.0
    score_seconds: float = 0.0

    def __post_init__(self) -> None:
        if self.fit_seconds < 0 or self.score_seconds < 0:
            raise ValueError("a run's seconds cannot be negative")
        if self.fit_estimate is not None and not self.fit_estimate >= 0:
            raise ValueError("a fit estimate is a number of seconds, at least 0")


def seconds_left(runs: Sequence[RunTime]) -> float | None:
    """Wall seconds the race still needs, or None until a run has been scored (nothing to judge scoring by).

    Failed runs count as done and teach nothing (they stopped part-way). A fit with no calibrated estimate takes the
    mean fit time of the scored runs; a fit already longer than its share of the estimate is taken to end now.
    """
    scored = [r for r in runs if r.status == "ok"]
    if not scored:
        return None
    score = statistics.median(r.score_seconds for r in scored)
    mean_fit = statistics.fmean(r.fit_seconds for r in scored)
    timed = [r for r in scored if r.fit_estimate]
    rate = sum(r.fit_seconds for r in timed) / sum(r.fit_estimate or 0.0 for r in timed) if timed else None

    def fit_time(run: RunTime) -> float:
        if run.fit_estimate is not None and rate is not None:
            return run.fit_estimate * rate
        return mean_fit

    left = 0.0
    for run in runs:
        if run.status == "waiting":
            left += fit_time(run) + score
        elif run.status == "fitting":
            left += max(fit_time(run) - run.fit_seconds, 0.0) + score
        elif run.status == "scoring":
            left += max(score - run.score_seconds, 0.0)
    return left


def run_time(
    now: float,
    fit_estimate: float | None = None,
    started: float | None = None,
    scoring_from: float | None = None,
    ended: float | None = None,
    ok: bool = False,
) -> RunTime:
    """One run's :class:`RunTime` from its clock readings (``time.perf_counter`` seconds): when it started, when
    its fit and sample ended (``scoring_from``) and when it ended; ``ok``: it was scored."""
    if started is None:
        return RunTime("waiting", fit_estimate)
    fit_end = scoring_from if scoring_from is not None else (ended or now)
    fit = max(fit_end - started, 0.0)
    score = max((ended or now) - scoring_from, 0.0) if scoring_from is not None else 0.0
    if ended is not None:
        return RunTime("ok" if ok and scoring_from is not None else "failed", fit_estimate, fit, score)
    return RunTime("scoring" if scoring_from is not None else "fitting", fit_estimate, fit, score)


def time_left_words(left: float | None) -> str:
    """The time left as a person would say it (the estimate is no better than the runs it is judged from)."""
    if left is None:
        return "time left shown once the first run is scored"
    if left < 1:
        return "finishing"
    if left < 60:
        return f"about {max(5, round(left / 5) * 5):.0f} s left"
    minutes = left / 60
    return f"about {minutes:.0f} min left" if minutes >= 2 else f"about {round(left / 10) * 10:.0f} s left"


class RaceClock:
    """The clocks of a race's runs, fed by :func:`synth.race`'s ``run_progress`` and ``on_result`` hooks, for a
    caller that shows one bar (the command line): :meth:`words` says the time left as the Race page does.

    Args:
        fit_estimates: each run's calibrated fit seconds, in race order (None: not calibrated, a peer).
        clock: the time source (``time.perf_counter``; a test passes its own).
    """

    def __init__(self, fit_estimates: Sequence[float | None], clock: Callable[[], float] = time.perf_counter) -> None:
        self._estimates = list(fit_estimates)
        self._clock = clock
        self._started: list[float | None] = [None] * len(self._estimates)
        self._scoring: list[float | None] = [None] * len(self._estimates)
        self._ended: list[float | None] = [None] * len(self._estimates)
        self._ok = [False] * len(self._estimates)
        self._done = 0

    def progress_for(self, index: int, label: str) -> Callable[[float, str], None]:
        """``run_progress``: the callback of run ``index`` (``label`` unused: the bar names the race's step); its
        first call starts its clock, and its fraction passing :data:`FIT_SHARE` starts its scoring."""

        def report(fraction: float, message: str, /) -> None:
            now = self._clock()
            if self._started[index] is None:
                self._started[index] = now
            if self._scoring[index] is None and fraction >= FIT_SHARE:
                self._scoring[index] = now

        return report

    def on_result(self, run: Any) -> None:
        """``on_result``: results come in race order; a run scored ends ok, any other failed."""
        i, now = self._done, self._clock()
        self._done += 1
        if self._started[i] is None:
            self._started[i] = now
        self._ended[i] = now
        self._ok[i] = bool(getattr(run, "ok", False))

    def seconds_left(self) -> float | None:
        now = self._clock()
        runs = [
            run_time(now, self._estimates[i], self._started[i], self._scoring[i], self._ended[i], self._ok[i])
            for i in range(len(self._estimates))
        ]
        return seconds_left(runs)

    def words(self) -> str:
        return time_left_words(self.seconds_left())
