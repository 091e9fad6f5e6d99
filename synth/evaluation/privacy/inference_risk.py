"""The inference attack's risk: training people against holdout people with the same secret, and its interval.

anonymeter's risk, ``(main − control) / (1 − control)`` on Wilson point estimates, read a synthesizer that leaks
nothing as "high risk" on an imbalanced secret (a shop's 99.5%-"N" chargeback flag): fresh real rows used as the
synthetic table averaged 0.44 on the people rare on the known columns and its light was red in 7 of 20 runs
(``python -m benchmarks.bench_inference_risk``; ours: 0.06, never red). Three causes, each fixed here on principle:

* **Wilson's centre is not the share.** It pulls a rate towards ½ by ``z²/2`` successes in ``n + z²`` attacks, so
  the smaller control set (the holdout is a quarter of train) is pulled further: 129 of 129 holdout targets right
  reads 98.6%, 552 of 552 training targets 99.7% — an "excess" of 76% between two perfect attacks. The point
  estimate here uses the plain shares.
* **The two target sets hold different people.** Who is rare on the known columns in the synthetic table depends on
  whether the person was trained on, so the training and holdout targets differ in their share of the rare secret
  value, and a right guess of the common value is worth nothing. The control here is matched to the main targets:
  the holdout's success rate *per secret value* (per decile band for numbers of many values), weighted by how many
  training targets have that value — what the attack achieves on people it never saw, with the training targets'
  secrets. A leak shows as a higher success on training people of the same secret value; a richer share of the
  common value does not.
* **Near 1, the linearised error is wrong.** With 1 − control of 1–2%, the risk is a ratio of two small noisy
  numbers; its interval comes from the rates' Jeffreys posteriors (Beta(k + ½, n − k + ½) per secret value, drawn
  jointly), not from a first-order propagation. A secret value no holdout target has leaves its control rate
  unknown: Beta(½, ½), centred on ½, which widens the interval instead of guessing.

For a balanced secret with both target sets large (Adult's income, 2,000 against 2,000) the figure stays within a
point of anonymeter's, which is kept beside ours (:attr:`AttackResult.anonymeter_risk`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.evaluation.privacy.common import Rate, Risk
from synth.evaluation.privacy.neighbors import (
    CHUNK_CELLS,
    NUMERIC_KINDS,
    GowerRows,
    as_labels,
    gower_distances,
    numeric_values,
)
from synth.schema import ColumnKind

N_DRAWS = 4000
"""Posterior draws behind the interval: its quantiles move by well under a point between seeds."""
VALUE_BANDS = 10
"""A numeric secret of more values than this is matched by value band (the training table's deciles of it, a value
that fills a decile on its own kept apart); one of at most this many values, value by value."""
FAMILY_TESTS = 4
"""Bonferroni-adjusted bounds are kept for up to this many tests (inference runs on everyone and on the rare: 2)."""
UNKNOWN_RATE = 0.5
"""The control rate taken for a secret value no holdout target has: the mean of the Jeffreys prior Beta(½, ½)."""


TIE_TOLERANCE = 1e-9
"""Synthetic rows within this Gower distance of a target's nearest are tied with it (sums of the same gaps in
another order differ in the last bits)."""


def encode_secret(values: pd.Series, kind: ColumnKind, labels: dict[str, float]) -> np.ndarray:
    """A secret as numbers the guess rule compares: numbers and datetimes as themselves, categories as codes in
    ``labels`` (a label not in it: −1, equal to no code; missing is the label ``"__missing__"``, equal to itself)."""
    if kind in NUMERIC_KINDS:
        return np.asarray(numeric_values(values, kind), dtype=float)
    return as_labels(values).map(labels).fillna(-1.0).to_numpy(dtype=float)


def guess_is_right(
    guesses: np.ndarray, truths: np.ndarray, kind: ColumnKind, span: float, tolerance: float
) -> np.ndarray:
    """anonymeter's rule, broadcasting over encoded secrets (:func:`encode_secret`): equal codes for categories;
    for numbers a gap within ``tolerance`` of the guess, for datetimes of the real ``span``; missing matches
    missing."""
    if kind not in NUMERIC_KINDS:
        return np.asarray(guesses == truths)
    gap = np.abs(guesses - truths)
    with np.errstate(invalid="ignore"):
        close = gap <= tolerance * span if kind is ColumnKind.DATETIME else gap <= tolerance * (np.abs(guesses) + 1e-12)
    return np.asarray(close | (np.isnan(guesses) & np.isnan(truths)))


def tied_guess_share(targets: GowerRows, synthetic: GowerRows, right: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Per target, the share of the synthetic rows tied at its nearest Gower distance whose secret is a right
    guess: the chance the one-nearest-row attack guesses right when it picks one of the tied rows at random.

    ``right(rows)``: for the targets ``rows``, a (len(rows), len(synthetic)) boolean of which synthetic rows' secret
    would be a right guess.

    Why the share and not the first tied row (anonymeter's argsort, and ours before): when several synthetic rows
    share a target's known values, the lowest row index decided the guess, so the same rows sorted by the secret
    scored one risk and shuffled another. A random pick among the tied rows is what an attacker without a reason
    to prefer one does; its expected success, the share, is the same for every order of the rows and adds no
    draw's noise. A majority vote over the tied rows would be another, stronger attack (the most common secret
    among look-alikes), not a fairer reading of this one.
    """
    n_syn = len(synthetic)
    share = np.zeros(len(targets))
    if not n_syn:
        return share
    step = max(1, CHUNK_CELLS // n_syn)
    for start in range(0, len(targets), step):
        rows = np.arange(start, min(start + step, len(targets)))
        dist = gower_distances(targets.take(rows), synthetic)
        tied = dist <= dist.min(axis=1, keepdims=True) + TIE_TOLERANCE
        share[rows] = (tied & right(rows)).sum(axis=1) / tied.sum(axis=1)
    return share


def guess_shares(
    targets: GowerRows,
    synthetic: GowerRows,
    syn_secret: pd.Series,
    truths: pd.Series,
    kind: ColumnKind,
    span: float,
    tolerance: float,
) -> np.ndarray:
    """Per target, the chance the nearest-row attack guesses its secret ``truths`` right from ``syn_secret`` (the
    synthetic rows' secret, in ``synthetic``'s order): :func:`tied_guess_share` under :func:`guess_is_right`."""
    labels = {} if kind in NUMERIC_KINDS else {v: float(i) for i, v in enumerate(as_labels(syn_secret).unique())}
    syn_code = encode_secret(syn_secret, kind, labels)
    truth_code = encode_secret(truths, kind, labels)

    def right(rows: np.ndarray) -> np.ndarray:
        return guess_is_right(syn_code[None, :], truth_code[rows][:, None], kind, span, tolerance)

    return tied_guess_share(targets, synthetic, right)


def secret_classes(
    main: pd.Series, control: pd.Series, reference: pd.Series, kind: ColumnKind
) -> tuple[np.ndarray, np.ndarray]:
    """The secret value of each main and control target as a class label: the value itself for categories and for
    numbers of at most :data:`VALUE_BANDS` values in ``reference`` (a 0/1 flag); else its band among
    ``reference``'s deciles, a value that fills a whole decile on its own being its own class (missing values:
    their own class).

    Why values and point masses stay apart: a 99.5%-zero fraud flag has every decile at 0, so deciles put 0 and 1
    in one band and the control was no longer matched on the rare value at all. Four fraud customers among 220
    holdout targets against one among 882 training targets then read as an inference risk of 84% (interval above
    0, red) for fresh real rows that leak nothing (``python -m benchmarks.bench_closeness``, seed 1).
    """
    if kind not in NUMERIC_KINDS:
        return as_labels(main).to_numpy(), as_labels(control).to_numpy()
    ref = numeric_values(reference, kind)
    ref = ref[np.isfinite(ref)]
    distinct, held = np.unique(ref, return_counts=True)
    if len(distinct) <= VALUE_BANDS:

        def label(values: pd.Series) -> np.ndarray:
            x = numeric_values(values, kind)
            return np.array([repr(float(v)) if np.isfinite(v) else "-1" for v in x], dtype=object)

        return label(main), label(control)
    edges = np.unique(np.quantile(ref, np.linspace(0, 1, VALUE_BANDS + 1)[1:-1]))
    masses = distinct[held >= len(ref) / VALUE_BANDS]

    def band(values: pd.Series) -> np.ndarray:
        x = numeric_values(values, kind)
        banded = np.where(np.isfinite(x), np.digitize(np.nan_to_num(x), edges), -1).astype(str).astype(object)
        mass = np.isin(x, masses)
        banded[mass] = [f"={float(v)!r}" for v in x[mass]]
        return np.asarray(banded)

    return band(main), band(control)


@dataclass(frozen=True)
class MatchedRisk:
    """The main rate, the control rate matched to the main targets' secrets, and the risk between them."""

    main: Rate
    control: Rate
    risk: Risk


def _jeffreys(rng: np.random.Generator, k: np.ndarray, n: np.ndarray, draws: int) -> np.ndarray:
    """Draws × classes success rates from each class's Jeffreys posterior."""
    return rng.beta(k + 0.5, n - k + 0.5, size=(draws, len(k)))


def _ratio(main: np.ndarray | float, control: np.ndarray | float) -> np.ndarray:
    """``(main − control) / (1 − control)`` bounded to [−1, 1]; 0 when control is 1 (nothing left to gain)."""
    m, c = np.asarray(main, dtype=float), np.asarray(control, dtype=float)
    room = 1.0 - c
    with np.errstate(divide="ignore", invalid="ignore"):
        excess = np.where(room > 0, (m - c) / np.where(room > 0, room, 1.0), 0.0)
    return np.asarray(np.clip(excess, -1.0, 1.0))


def matched_risk(
    main_right: np.ndarray,
    main_class: np.ndarray,
    control_right: np.ndarray,
    control_class: np.ndarray,
    level: float,
    rng: np.random.Generator,
    draws: int = N_DRAWS,
) -> MatchedRisk:
    """The inference risk from per-target outcomes (see the module docstring).

    Args:
        main_right / control_right: whether each training / holdout target's secret was guessed right — 1 or 0, or
            the chance of it (:func:`tied_guess_share`; a Beta posterior of fractional outcomes is a little wider
            than their spread needs: an outcome in [0, 1] with mean p varies at most as a 0/1 one does).
        main_class / control_class: each target's secret value (or band) as a label.
        level: confidence level of the intervals.
        rng: the source of the posterior draws.
        draws: posterior draws.

    Returns:
        The main rate (its share), the matched control rate and the risk: ``value`` the bounded excess of the shares,
        ``low`` / ``high`` the posterior quantiles at ``level`` (clipped to [0, 1]), ``error`` the distance from the
        excess down to the lower quantile (the side that decides whether the risk is above noise).
    """
    main_right, control_right = np.asarray(main_right, float), np.asarray(control_right, float)
    n_main, n_control = len(main_right), len(control_right)
    classes, n_m = np.unique(np.asarray(main_class), return_counts=True)
    weight = n_m / n_main
    k_m = np.array([main_right[main_class == c].sum() for c in classes], dtype=float)
    n_c = np.array([(control_class == c).sum() for c in classes], dtype=float)
    k_c = np.array([control_right[control_class == c].sum() for c in classes], dtype=float)
    main_share = float(main_right.mean())
    per_class = np.divide(k_c, n_c, out=np.full(len(classes), UNKNOWN_RATE), where=n_c > 0)
    control_share = float(weight @ per_class)
    excess = float(_ratio(main_share, control_share))
    main_draws = _jeffreys(rng, k_m, n_m.astype(float), draws) @ weight
    control_draws = _jeffreys(rng, k_c, n_c, draws) @ weight
    tail = (1.0 - level) / 2.0
    ratios = _ratio(main_draws, control_draws)
    q_low, q_high = np.quantile(ratios, [tail, 1.0 - tail])
    # the bounds at the Bonferroni-adjusted level for 1…FAMILY_TESTS tests, from the same draws: what the verdict
    # judges by when it weighs inference on everyone and on the rare together (Risk.interval)
    family = tuple(
        (float(lo), float(hi))
        for lo, hi in (np.quantile(ratios, [tail / m, 1.0 - tail / m]) for m in range(1, FAMILY_TESTS + 1))
    )

    def rate(share: float, sample: np.ndarray, n: int) -> Rate:
        low, high = np.quantile(sample, [tail, 1.0 - tail])
        return Rate(share, float(max(share - low, high - share, 0.0)), share * n, n, level)

    def clip(x: float) -> float:
        return min(max(float(x), 0.0), 1.0)

    risk = Risk(
        value=clip(excess),
        low=clip(q_low),
        high=clip(q_high),
        excess=excess,
        error=max(excess - float(q_low), 0.0),
        level=level,
        family=family,
    )
    return MatchedRisk(rate(main_share, main_draws, n_main), rate(control_share, control_draws, n_control), risk)
