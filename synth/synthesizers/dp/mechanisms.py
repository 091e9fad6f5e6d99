"""The randomised mechanisms PrivBayes is made of, with their privacy accounting in the docstrings.

Neighbouring tables differ by one row added or removed ("unbounded" differential privacy), so the number of
rows is private too. Every mechanism takes its randomness from :func:`private_rng`: a generator seeded from
fresh OS entropy (``secrets``), made once per fit and dropped when the fit ends. It is never derived from
``random_state`` and never saved, so a model file cannot be used to replay and subtract the noise.
"""

from __future__ import annotations

import math
import secrets

import numpy as np


def private_rng() -> np.random.Generator:
    """A generator seeded with 128 fresh bits from the OS: the only source of DP noise."""
    return np.random.Generator(np.random.PCG64(secrets.randbits(128)))


def laplace(values: np.ndarray, scale: float, rng: np.random.Generator) -> np.ndarray:
    """``values`` plus Laplace noise of ``scale``: ε-DP for a query of L1 sensitivity ``scale·ε``."""
    if not scale > 0 or not math.isfinite(scale):
        raise ValueError(f"the Laplace scale must be a positive finite number, got {scale!r}")
    values = np.asarray(values, dtype=float)
    return values + rng.laplace(0.0, scale, values.shape)


def exponential(
    scores: np.ndarray, epsilon: float, sensitivity: float, rng: np.random.Generator, *, monotone: bool = False
) -> int:
    """The exponential mechanism: index i drawn with probability ∝ exp(ε · score_i / (2 Δ)).

    ε-DP when every score changes by at most ``sensitivity`` (Δ) between neighbouring tables. With ``monotone``
    (the scores of neighbouring tables all move the same way, as counts do when a row is added or removed) the
    factor 2 goes: exp(ε · score_i / Δ) is ε-DP too (McSherry & Talwar 2007; Dwork & Roth 2014, §3.4), since the
    normaliser then moves the same way as the chosen score and cannot add to its change.
    """
    scores = np.asarray(scores, dtype=float)
    if len(scores) == 0:
        raise ValueError("the exponential mechanism needs at least one candidate")
    if epsilon <= 0:
        return int(rng.integers(len(scores)))  # no budget: a uniform choice reveals nothing
    return int(rng.choice(len(scores), p=exponential_probabilities(scores, epsilon, sensitivity, monotone=monotone)))


def exponential_probabilities(
    scores: np.ndarray, epsilon: float, sensitivity: float, *, monotone: bool = False
) -> np.ndarray:
    """The probability :func:`exponential` draws each index with (ε > 0)."""
    logits = epsilon * np.asarray(scores, dtype=float) / ((1.0 if monotone else 2.0) * sensitivity)
    weights = np.exp(logits - logits.max())
    return weights / weights.sum()


def threshold(epsilon: float, delta: float) -> float:
    """The count a noisy count of a label must exceed to be released (stability-based histogram).

    With Laplace noise of scale 1/ε on the counts of the labels present and this threshold, a label held by
    one row only (present in one neighbour, absent in the other) is released with probability at most δ:
    P(1 + Lap(1/ε) > 1 + ln(1/(2δ))/ε) = δ. Together: (ε, δ)-DP (Korolova et al. 2009; Wilson et al. 2020).
    """
    return 1.0 + math.log(1.0 / (2.0 * delta)) / epsilon


def noisy_count(n: int, epsilon: float, rng: np.random.Generator) -> float:
    """The number of rows with Laplace noise of scale 1/ε (sensitivity 1): ε-DP."""
    return float(laplace(np.asarray([float(n)]), 1.0 / epsilon, rng)[0])


#: The largest table the structure's sensitivity bound is stated for (see :func:`mi_count_sensitivity`).
MAX_ROWS = 10**9


def mi_count_sensitivity(max_rows: int = MAX_ROWS) -> float:
    """Sensitivity of n · I(X; Π) (empirical mutual information in nats times the row count) to one row.

    With f(c) = c ln c, n · I = Σ f(c_xπ) − Σ f(c_x) − Σ f(c_π) + f(n). Adding a row in cell (x, π)
    changes it by g(c_xπ) − g(c_x) − g(c_π) + g(n), where g(c) = f(c + 1) − f(c) increases with c and
    c_xπ ≤ c_x, c_π ≤ n; so the change lies in [−g(n), g(n)], and g(n) = ln(n + 1) + n ln(1 + 1/n)
    < ln(n + 1) + 1. Bounded for every table of up to ``max_rows`` rows, it is a constant that does not depend
    on the (private) number of rows.
    """
    return math.log(max_rows + 1.0) + 1.0


def l1_dependence_sensitivity() -> float:
    """Sensitivity of n · R(X, Π), PrivBayes' L1 dependence score on the count scale, to one row added or removed: 2.

    Zhang et al. (PrivBayes, TODS 2017, §4.4) score a pair by R(X, Π) = ½ ‖Pr[X, Π] − Pr[X] Pr[Π]‖₁ and bound its
    sensitivity by 3/n + 2/n² (n the number of rows). That bound depends on the private n; on the count scale the
    bound is a constant. With counts c_xπ, margins c_x, c_π and n rows, let T_xπ = c_xπ − c_x c_π / n, so that
    S = n · R = ½ Σ |T_xπ| (S = 0 for an empty table). Add one row in cell (a, b) and write α = c_a/n, β = c_b/n:

    * cell (a, b): T grows by 1 − (n(α + β − αβ) + 1)/(n + 1) = n(1 − α)(1 − β)/(n + 1) =: D ≥ 0;
    * cells (a, π ≠ b): T falls by c_π (n − c_a)/(n(n + 1)), D in total; likewise cells (x ≠ a, b), D in total;
    * cells (x ≠ a, π ≠ b): T grows by c_x c_π/(n(n + 1)), which adds up to (n − c_a)(n − c_b)/(n(n + 1)) = D.

    So Σ |ΔT| = 4D and |ΔS| ≤ ½ Σ |ΔT| = 2D = 2n(1 − α)(1 − β)/(n + 1) < 2. Removing a row is the same step read
    backwards, and an empty table gains S = 0 from its first row. The bound holds for every n, so (unlike the
    mutual information's, :func:`mi_count_sensitivity`) it needs no cap on the table size; it is nearly attained
    (α, β → 0, large n), and ``tests/unit/test_dp_structure_score.py`` checks it on random neighbouring tables.
    The paper's bound is on R's probability scale, where n itself moves with the row; the exponential mechanism
    here scores n · R against this constant instead, so no private n enters the mechanism.
    """
    return 2.0
