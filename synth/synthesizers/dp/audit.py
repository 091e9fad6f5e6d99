"""Empirical privacy auditing: a statistical lower bound on the ε a mechanism really has.

Following Jagielski et al. (2020) and Nasr et al. (2021): fit many times on two neighbouring tables (one
without, one with a canary row), compute a statistic of each released model, and turn a distinguishing test
(statistic above a threshold ⇒ "the canary was there") into a bound. For an (ε, δ)-DP mechanism every test
has FPR and FNR with ``1 − δ − FNR ≤ e^ε · FPR``, so with Clopper–Pearson upper bounds on both rates,

    ε ≥ ln((1 − δ − FNR_upper) / FPR_upper)        (and the same with the roles swapped)

holds with the stated confidence. A correct mechanism gives a bound below its declared ε; a broken one
(noise too small, noise replayable from a seed) gives a bound above it once there are enough fits.
The threshold is chosen on separate calibration fits, so the bound is not fitted to its own data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class AuditResult:
    """One audit: the declared ε, the lower bound found, and the test behind it."""

    epsilon: float
    delta: float
    epsilon_lower: float
    trials: int
    threshold: float
    direction: str  # "above": a high statistic says "canary in"; "below": a low one does
    false_positive_rate: float
    false_negative_rate: float
    confidence: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def clopper_pearson_upper(k: int, n: int, alpha: float) -> float:
    """One-sided upper confidence bound (level 1 − alpha) on a binomial rate from k successes in n trials."""
    if k >= n:
        return 1.0
    return float(stats.beta.ppf(1.0 - alpha, k + 1, n - k))


def epsilon_bound(fp: int, fn: int, n_out: int, n_in: int, delta: float, alpha: float) -> float:
    """The ε lower bound from error counts (fp of n_out fits without the canary, fn of n_in with it)."""
    fpr = clopper_pearson_upper(fp, n_out, alpha / 2)
    fnr = clopper_pearson_upper(fn, n_in, alpha / 2)
    best = 0.0
    for a, b in ((fnr, fpr), (fpr, fnr)):
        if 1.0 - delta - a > 0 and b > 0:
            best = max(best, math.log((1.0 - delta - a) / b))
    return best


def _errors(out: np.ndarray, inn: np.ndarray, threshold: float, direction: str) -> tuple[int, int]:
    if direction == "above":
        return int((out > threshold).sum()), int((inn <= threshold).sum())
    return int((out < threshold).sum()), int((inn >= threshold).sum())


def choose_threshold(out: np.ndarray, inn: np.ndarray, delta: float, alpha: float) -> tuple[float, str]:
    """The threshold and direction that give the largest bound on these (calibration) statistics."""
    candidates = np.unique(np.concatenate([out, inn]))
    best = (-1.0, float(candidates[0]), "above")
    for direction in ("above", "below"):
        for t in candidates:
            fp, fn = _errors(out, inn, float(t), direction)
            bound = epsilon_bound(fp, fn, len(out), len(inn), delta, alpha)
            if bound > best[0]:
                best = (bound, float(t), direction)
    return best[1], best[2]


def run_audit(
    statistic: Callable[[bool], float],
    *,
    epsilon: float,
    delta: float = 0.0,
    trials: int = 200,
    calibration: int = 100,
    confidence: float = 0.95,
) -> AuditResult:
    """Audit a mechanism: ``statistic(with_canary)`` fits once on the chosen neighbour and returns a number.

    ``calibration`` fits per table choose the test; ``trials`` fresh fits per table give the bound.
    """
    alpha = 1.0 - confidence
    cal_out = np.asarray([statistic(False) for _ in range(calibration)])
    cal_in = np.asarray([statistic(True) for _ in range(calibration)])
    threshold, direction = choose_threshold(cal_out, cal_in, delta, alpha)
    out = np.asarray([statistic(False) for _ in range(trials)])
    inn = np.asarray([statistic(True) for _ in range(trials)])
    fp, fn = _errors(out, inn, threshold, direction)
    return AuditResult(
        epsilon=epsilon,
        delta=delta,
        epsilon_lower=epsilon_bound(fp, fn, trials, trials, delta, alpha),
        trials=trials,
        threshold=threshold,
        direction=direction,
        false_positive_rate=fp / trials,
        false_negative_rate=fn / trials,
        confidence=confidence,
    )


# ----------------------------------------------------------------------------- PrivBayes scenarios
def canary_probability(model: Any, canary: dict[str, Any]) -> float:
    """The probability a fitted PrivBayes model gives the canary's cell (its codes in every column)."""
    from synth.synthesizers.cart import MISSING
    from synth.synthesizers.dp.domains import OTHER

    codes = []
    for col in model.columns_:
        value = canary[col.name]
        cats = list(col.categories)
        fallback = OTHER if OTHER in cats else MISSING
        codes.append(cats.index(value) if value in cats else cats.index(fallback))
    sizes = tuple(c.size for c in model.columns_)
    p = 1.0
    for table in model.tables_:
        row = 0
        for parent in table.parents:
            row = row * sizes[parent] + codes[parent]
        probs = np.diff(table.cumulative[row], prepend=0.0)
        p *= float(probs[codes[table.child]])
    return p


def counts_scenario(epsilon: float, n_rows: int = 20, **params: Any) -> Callable[[bool], float]:
    """Two categorical columns with public labels; every row is (a, a) and the canary is (b, b).

    The statistic is the model's probability of the canary's cell: the canary's one count moves the noisy
    counts of that cell in both tables, so it tests the noisy tables (and the structure, and the row count).
    """
    import pandas as pd

    from synth.schema import ColumnKind, ColumnSpec, Schema
    from synth.synthesizers.privbayes import PrivBayes

    schema = Schema((ColumnSpec("x", ColumnKind.CATEGORICAL), ColumnSpec("y", ColumnKind.CATEGORICAL)))
    without = pd.DataFrame({"x": ["a"] * n_rows, "y": ["a"] * n_rows})
    canary = {"x": "b", "y": "b"}
    with_canary = pd.concat([without, pd.DataFrame([canary])], ignore_index=True)
    public = {"x": ["a", "b"], "y": ["a", "b"]}

    def statistic(include: bool) -> float:
        model = PrivBayes(**{"epsilon": epsilon, "degree": 1, **params}, public_domains=public)
        model.fit(with_canary if include else without, schema)
        return canary_probability(model, canary)

    return statistic


def labels_scenario(epsilon: float, n_rows: int = 20) -> Callable[[bool], float]:
    """A categorical column whose labels are not public; the canary brings a label nobody else has.

    The statistic is 1 when the canary's label is in the released model, else 0: it tests the noisy
    category threshold (the δ part of the guarantee).
    """
    import pandas as pd

    from synth.schema import ColumnKind, ColumnSpec, Schema
    from synth.synthesizers.privbayes import PrivBayes

    schema = Schema((ColumnSpec("x", ColumnKind.CATEGORICAL),))
    without = pd.DataFrame({"x": ["a", "b"] * (n_rows // 2)})
    with_canary = pd.concat([without, pd.DataFrame({"x": ["zz-canary"]})], ignore_index=True)

    def statistic(include: bool) -> float:
        model = PrivBayes(epsilon=epsilon).fit(with_canary if include else without, schema)
        return float("zz-canary" in model.columns_[0].categories)

    return statistic


def fine_scenario(epsilon: float, per_value: int = 60, canary_value: int = 50) -> Callable[[bool], float]:
    """A whole-number column with public bounds 0–99, ``per_value`` rows at every value; the canary is one more
    row at ``canary_value``. The statistic is the model's fine weight of that value within its bin: it tests
    that the fine cells come from the released noisy counts (per_value = 60 keeps them active down to ε = 0.5).
    """
    import pandas as pd

    from synth.schema import ColumnKind, ColumnSpec, Schema
    from synth.synthesizers.privbayes import PrivBayes

    schema = Schema((ColumnSpec("x", ColumnKind.DISCRETE),))
    without = pd.DataFrame({"x": np.repeat(np.arange(100), per_value)})
    with_canary = pd.concat([without, pd.DataFrame({"x": [canary_value]})], ignore_index=True)

    def statistic(include: bool) -> float:
        model = PrivBayes(epsilon=epsilon, public_domains={"x": (0, 99)})
        model.fit(with_canary if include else without, schema)
        column = model.columns_[0]
        if column.fine is None:
            return -1.0
        return float(column.fine[canary_value - int(column.low.min())])

    return statistic


def range_scenario(
    epsilon: float, zeros: int = 2000, tail: int | None = None, rows: float | None = None
) -> Callable[[bool], float]:
    """A number column's private range (:func:`~synth.synthesizers.dp.domains.private_range` at ``epsilon``):
    ``zeros`` rows at 0 and a thin tail of ``tail`` rows spread over four coarse cells of the decade 1,000–10,000
    (each under the coarse grid's threshold), so the range's second look on decades decides; the canary is one
    more tail row. The statistic is 1 when the released range reaches into the tail. By default ``tail`` is the
    second look's threshold rounded down, where one row moves the chance most.

    ``rows``: the released row count the fit passes (the same in both worlds, as a released count is to the range's
    mechanism). Under the coarse grid's threshold it sends all of ε to the one look on decades
    (:func:`~synth.synthesizers.dp.ranges.released_span`), whose threshold is then the default ``tail``.
    """
    from synth.schema import ColumnKind
    from synth.synthesizers.dp import domains, mechanisms

    if tail is None:
        cells = len(domains.COARSER_EDGES)  # its cells and the cell of exact zero
        share = 1.0 if domains.one_look(rows, epsilon) else 1.0 / 3.0
        tail = int(math.log(cells / (2.0 * domains.FALSE_CELL_RATE)) / (epsilon * share))
    spread = np.resize(np.asarray([1000.0, 2000.0, 4000.0, 8000.0]), tail)
    without = np.concatenate([np.zeros(zeros), spread])
    with_canary = np.append(without, 8000.0)

    def statistic(include: bool) -> float:
        x = with_canary if include else without
        rng = mechanisms.private_rng()
        return float(domains.private_range(x, ColumnKind.DISCRETE, epsilon, rng, True, rows)[1] > 0)

    return statistic


def gap_scenario(epsilon: float, n_rows: int = 20) -> Callable[[bool], float]:
    """A declared date order (``start ≤ end``), learned as the end's gap from the start: every row ends 10 days
    after it starts, the canary 3,000 days after. The start's range is declared public. The statistic is 1 when
    the released gap's range reaches past 1,000 days: a gap whose range (or any part of the path) were read off the
    rows would give the canary away every time.
    """
    import pandas as pd

    from synth.schema import ColumnKind, ColumnSpec, Schema
    from synth.synthesizers.privbayes import PrivBayes

    schema = Schema((ColumnSpec("start", ColumnKind.DATETIME), ColumnSpec("end", ColumnKind.DATETIME)))
    start = pd.Timestamp("2020-01-01") + pd.to_timedelta(np.arange(n_rows) * 7, unit="D")
    without = pd.DataFrame({"start": start, "end": start + pd.Timedelta(days=10)})
    canary = pd.DataFrame(
        {"start": [pd.Timestamp("2020-03-01")], "end": [pd.Timestamp("2020-03-01") + pd.Timedelta(days=3000)]}
    )
    with_canary = pd.concat([without, canary], ignore_index=True)
    public = {"start": (pd.Timestamp("2019-01-01"), pd.Timestamp("2021-12-31"))}

    def statistic(include: bool) -> float:
        model = PrivBayes(epsilon=epsilon, public_domains=public, declared_orders=[("start", "end")])
        model.fit(with_canary if include else without, schema)
        gap = next(c for c in model.columns_ if c.name == "end")
        return float(gap.high.max() > 1000)

    return statistic
