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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

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
