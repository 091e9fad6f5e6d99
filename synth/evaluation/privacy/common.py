"""Shared pieces of the privacy measurements: input errors, table preparation, rates, risks and intervals.

Attack success rates follow the framework of Giomi et al. (PoPETs 2023) as implemented in anonymeter: a
success rate is the Wilson score estimate of a Bernoulli rate, and the privacy risk is the excess of the
attack on training rows (main) over the same attack on real rows the generator never saw (control),
normalised by what the control attack left to gain::

    risk = (main − control) / (1 − control)

with the error of both rates propagated to the risk (anonymeter's ``residual_success``). The inference attack
compares shares against a control matched to its targets' secrets instead
(:mod:`~synth.evaluation.privacy.inference_risk`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from synth.schema import Schema, coerce_to_schema

MIN_HOLDOUT_ROWS = 100
"""Fewer real control rows than this make every control rate too noisy to compare with."""


class PrivacyInputError(ValueError):
    """Input a privacy measurement cannot work with; the message says what was wrong and what to do."""


def check_holdout(
    holdout: pd.DataFrame | None,
    minimum: int = MIN_HOLDOUT_ROWS,
    n_train: int | None = None,
    share: str = "the holdout share on the Data page",
) -> None:
    """Raise a :class:`PrivacyInputError` unless ``holdout`` has at least ``minimum`` rows.

    Given the ``n_train`` training rows, the message says which holdout share of the whole table reaches
    ``minimum``, or that none does when that would hold out more than half of it (a 60-row table was told to
    "increase the holdout share", which no share does: half of it is 30 rows). ``share`` names the control where
    the message is read (the Data page's own warning under its slider said "on the Data page")."""
    n = 0 if holdout is None else len(holdout)
    if n == 0:
        raise PrivacyInputError(
            "Privacy needs a holdout: real rows the synthesizer never saw. Keep a share of the table out of "
            "training on the Data page (20% is usual)."
        )
    if n >= minimum:
        return
    need = f"The holdout has only {n} rows; privacy checks need at least {minimum} real rows the synthesizer never saw"
    if n_train is None:
        raise PrivacyInputError(f"{need} to compare with. Increase {share} or use a larger table.")
    total = n + n_train
    if 2 * minimum > total:
        raise PrivacyInputError(
            f"{need}, and the whole table has only {total:,} rows: no holdout share leaves {minimum} for the checks "
            f"and as many to train on. Privacy can be checked on a table of {2 * minimum} rows or more."
        )
    raise PrivacyInputError(
        f"{need} to compare with. Increase {share} to at least "
        f"{math.ceil(100 * minimum / total)}% (of {total:,} rows) or use a larger table."
    )


@dataclass(frozen=True)
class Tables:
    """Train, synthetic and holdout tables restricted to their shared learned columns, coerced to the schema."""

    schema: Schema
    columns: tuple[str, ...]
    train: pd.DataFrame
    synthetic: pd.DataFrame
    holdout: pd.DataFrame


def prepare_tables(
    train: pd.DataFrame,
    synthetic: pd.DataFrame,
    holdout: pd.DataFrame,
    schema: Schema,
    columns: Sequence[str] | None = None,
) -> Tables:
    """Keep the learned columns shared by all three tables (or ``columns``), coerced to their kinds.

    Raises:
        PrivacyInputError: when no learned column is shared or a requested column is missing.
    """
    wanted = list(columns) if columns is not None else schema.modelled
    missing = [c for c in wanted if c not in train.columns or c not in synthetic.columns or c not in holdout.columns]
    if columns is not None and missing:
        raise PrivacyInputError(
            f"Column(s) {', '.join(repr(c) for c in missing)} are not in all of train, holdout and synthetic "
            "tables. Pick columns the synthetic table has."
        )
    cols = [c for c in wanted if c not in missing and c in schema]
    if not cols:
        raise PrivacyInputError(
            "No learned column is shared by the train, holdout and synthetic tables, so there is nothing to "
            "compare. Check that the synthetic table comes from this dataset."
        )
    sub = schema.select(cols)
    return Tables(
        schema=sub,
        columns=tuple(cols),
        train=coerce_to_schema(train[cols].reset_index(drop=True), sub),
        synthetic=coerce_to_schema(synthetic[cols].reset_index(drop=True), sub),
        holdout=coerce_to_schema(holdout[cols].reset_index(drop=True), sub),
    )


def _probit(level: float) -> float:
    return float(stats.norm.ppf(0.5 * (1.0 + level)))


@dataclass(frozen=True)
class Rate:
    """The success rate of an attack, with its error at the stated confidence level.

    Attributes:
        value: Wilson score estimate of the rate (anonymeter's point estimate).
        error: half-width of the Wilson interval.
        n_success: successful attacks (may be fractional after anonymeter's control size correction).
        n_total: attacks made.
        level: confidence level of ``error``.
    """

    value: float
    error: float
    n_success: float
    n_total: int
    level: float = 0.95

    @property
    def low(self) -> float:
        return min(max(self.value - self.error, 0.0), 1.0)

    @property
    def high(self) -> float:
        return min(max(self.value + self.error, 0.0), 1.0)

    @property
    def observed(self) -> float:
        """The plain share of successful attacks."""
        return self.n_success / self.n_total if self.n_total else 0.0


def success_rate(n_success: float, n_total: int, level: float = 0.95) -> Rate:
    """Wilson score estimate of a success rate (as anonymeter's ``success_rate``).

    Args:
        n_success: successful attacks, clipped to ``[0, n_total]``.
        n_total: attacks made; 0 gives a rate of 0 with no error.
        level: confidence level of the error.
    """
    if n_total <= 0:
        return Rate(0.0, 0.0, 0.0, 0, level)
    k = min(max(float(n_success), 0.0), float(n_total))
    z = _probit(level)
    z2 = z * z
    denominator = n_total + z2
    value = (k + 0.5 * z2) / denominator
    error = (z / denominator) * math.sqrt(k * (n_total - k) / n_total + 0.25 * z2)
    return Rate(value, error, k, int(n_total), level)


@dataclass(frozen=True)
class Risk:
    """A privacy risk: the excess of the main attack over the control attack.

    Attributes:
        value: the risk, clipped to [0, 1] (0 = the synthetic data helps no more against training people than
            against people it never saw).
        low / high: the confidence interval, clipped to [0, 1].
        excess: the unclipped excess ``(main − control) / (1 − control)``, bounded to [−1, 1]; negative when the
            attack did better on the control rows.
        error: half-width of the interval around ``excess`` (propagated from both rates; for inference the
            distance down to the lower bound).
        level: confidence level.
        family: where the interval is not ``excess ± error`` (inference's posterior quantiles), the unclipped
            (lower, upper) bounds of the excess at the Bonferroni-adjusted level for 1, 2, … tests, from the same
            draws as ``low`` / ``high``; empty when ``excess ± error`` widened by the normal quantiles' ratio is it.
    """

    value: float
    low: float
    high: float
    excess: float
    error: float = 0.0
    level: float = 0.95
    family: tuple[tuple[float, float], ...] = ()

    def interval(self, tests: int = 1) -> tuple[float, float]:
        """The unclipped interval of the excess at ``level`` Bonferroni-adjusted for ``tests`` tests — the one the
        privacy verdict judges by. A posterior's is its own quantiles (the normal quantiles' ratio widened
        inference's lower half-width on both sides as if it were symmetric and normal, which near a control of 1 it
        is not); beyond the tests :attr:`family` holds, or without it, ``excess ± error`` widened."""
        if 1 <= tests <= len(self.family):
            return self.family[tests - 1]
        widen = bonferroni_widening(tests, self.level)
        return self.excess - widen * self.error, self.excess + widen * self.error

    @property
    def significant(self) -> bool:
        """Whether the whole interval lies above zero: the attack does better on training rows beyond noise."""
        return self.interval()[0] > 0


def bonferroni_widening(m: int, level: float = 0.95) -> float:
    """How much wider a normal ``level`` interval gets at the Bonferroni-adjusted level for ``m`` tests."""
    if m <= 1:
        return 1.0
    return float(stats.norm.ppf(1 - (1 - level) / (2 * m)) / stats.norm.ppf(1 - (1 - level) / 2))


def residual_risk(main: Rate, control: Rate, *, anonymeter: bool = False) -> Risk:
    """The risk from a main and a control rate, with propagated error (anonymeter's ``residual_success``).

    The control's Wilson centre is taken at the main attack's count, its error kept its own. Wilson's centre pulls
    a rate towards 50% by z²/2 pseudo-successes over n + z², so with fewer control attacks than main ones an equal
    observed rate sits further from 1 on the control side, and near 1, where the room ``1 − control`` is small,
    that gap became the risk: linkability through one synthetic row links every target, and 2,000 training against
    500 holdout targets, both 100%, read as a risk of 74.9% (95% CI 39%–110%), red. With equal counts this is
    anonymeter's figure; ``anonymeter=True`` keeps its own centres at unequal counts too (the inference attack
    quotes that figure for comparison)."""
    centre = control.value
    if not anonymeter and control.n_total and main.n_total and control.n_total != main.n_total:
        centre = success_rate(control.observed * main.n_total, main.n_total, control.level).value
    room = 1.0 - centre
    if room <= 0.0:
        return Risk(0.0, 0.0, 1.0, 0.0, 1.0, main.level)
    excess = (main.value - centre) / room
    d_main = 1.0 / room
    d_control = (main.value - 1.0) / room**2
    error = math.sqrt((main.error * d_main) ** 2 + (control.error * d_control) ** 2)

    def clip(x: float) -> float:
        return min(max(x, 0.0), 1.0)

    return Risk(
        value=clip(excess),
        low=clip(excess - error),
        high=clip(excess + error),
        excess=min(max(excess, -1.0), 1.0),
        error=error,
        level=main.level,
    )


@dataclass(frozen=True)
class AUC:
    """Area under the ROC curve with a DeLong confidence interval.

    Attributes:
        value: the AUC; 0.5 means the scores carry no signal, 1 that they separate the classes perfectly.
        low / high: the confidence interval, clipped to [0, 1].
        level: confidence level.
    """

    value: float
    low: float
    high: float
    level: float = 0.95


def auc_with_interval(
    positive: np.ndarray,
    negative: np.ndarray,
    level: float = 0.95,
    *,
    clusters: tuple[np.ndarray, np.ndarray] | None = None,
) -> AUC:
    """AUC of scores where ``positive`` should score higher, with DeLong's variance (ties count half).

    With ``clusters`` (whose each score is: a person code per positive and per negative, shared where one person has
    both) the variance is Obuchowski's for clustered data (Biometrics 1997): DeLong's per-score components summed
    within each cluster, so a person's many alike rows count as the one observation they nearly are. Treated as
    independent, a fresh holder's 13 rows of one ledger narrowed the interval about twofold and fresh people read
    significant over rows (``python -m benchmarks.bench_rows_clustered``). One score per cluster gives DeLong's.
    The AUC itself is the same either way.

    Args:
        positive: scores of the positive class (e.g. training members).
        negative: scores of the negative class (e.g. holdout non-members).
        level: confidence level.
        clusters: the cluster of every positive and every negative score, or None for independent scores.
    """
    pos = np.asarray(positive, dtype=float)
    neg = np.asarray(negative, dtype=float)
    m, n = len(pos), len(neg)
    if m == 0 or n == 0:
        raise PrivacyInputError("the membership attack needs both training and holdout rows to score")
    ranks = stats.rankdata(np.concatenate([pos, neg]))
    v10 = (ranks[:m] - stats.rankdata(pos)) / n  # per positive: share of negatives scored below it
    v01 = 1.0 - (ranks[m:] - stats.rankdata(neg)) / m  # per negative: share of positives scored above it
    value = float(v10.mean())
    if clusters is None:
        var = (float(v10.var(ddof=1)) if m > 1 else 0.0) / m + (float(v01.var(ddof=1)) if n > 1 else 0.0) / n
    else:
        var = _clustered_variance(v10, v01, value, clusters)
    half = _probit(level) * math.sqrt(max(var, 0.0))
    return AUC(value, max(value - half, 0.0), min(value + half, 1.0), level)


def cluster_index(clusters: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray, int]:
    """The clusters of positive and of negative scores as codes 0 … k − 1 shared across both sides (one person
    with members' and non-members' rows is one cluster), and k."""
    m = len(clusters[0])
    codes, index = np.unique(np.concatenate([np.asarray(clusters[0]), np.asarray(clusters[1])]), return_inverse=True)
    return index[:m], index[m:], len(codes)


def _clustered_variance(
    v10: np.ndarray, v01: np.ndarray, value: float, clusters: tuple[np.ndarray, np.ndarray]
) -> float:
    """Obuchowski's variance of the AUC over clusters: ``S10/M + S01/N + 2·S11/(M·N)``, where S10 is the spread over
    the clusters holding positives of their summed components around ``m_i·AUC`` (I10/(I10 − 1) corrected), S01 the
    same for negatives and S11 their covariance within the clusters holding both (a person with rows on both
    sides). With one score per cluster S10/M and S01/N are DeLong's terms and S11 is 0."""
    m, n = len(v10), len(v01)
    pos_of, neg_of, k = cluster_index(clusters)
    d10 = np.bincount(pos_of, weights=v10 - value, minlength=k)  # V10(X_i.) − m_i·AUC per cluster
    d01 = np.bincount(neg_of, weights=v01 - value, minlength=k)
    k10 = len(np.unique(pos_of))
    k01 = len(np.unique(neg_of))
    s10 = k10 / (k10 - 1) / m * float(np.sum(d10**2)) if k10 > 1 else 0.0
    s01 = k01 / (k01 - 1) / n * float(np.sum(d01**2)) if k01 > 1 else 0.0
    s11 = k / (k - 1) * float(np.sum(d10 * d01)) if k > 1 else 0.0
    return s10 / m + s01 / n + 2.0 * s11 / (m * n)
