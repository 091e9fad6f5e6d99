"""How unevenly a repeated key's rows spread over its keys (orders per customer), kept without any one key's count.

A repeated key (``customer_id`` in an orders table) used to give each of its ``k`` synthetic keys one row and the
other rows at random: about ``rows / k`` rows each, Poisson-like. Real customers are uneven: in the seeded shop
table (:func:`benchmarks.bench_repeated_spread.orders`) rows per customer have sd 16.4 and a maximum of 97, the
synthetic ones had sd 4.6 and 33; the heavy customers were lost.

At fit, :func:`rows_per_key_spread` keeps a few quantiles of rows per key, at fixed :data:`LEVELS`, and only those
with at least :data:`MIN_KEYS_BEYOND` keys at or below and at or above them, rounded to
:data:`SIGNIFICANT_DIGITS` significant digits. Why that reveals no person: a kept quantile is the count of no
single key singled out by it (ten or more keys lie beyond it on each side), rounding blurs it further, and the
largest counts — a single heavy customer's — lie above the top kept level, so no stored number depends on them:
the file is the same whether that customer has 400 rows or 460 (``tests/unit/test_generated_spread.py``). Beyond
the top level the counts are extrapolated (log-normal, from the kept quantiles), and all keys are then scaled to
hold the row count the file already kept (``rows``): the heavy customer's rows reach the output only as part of
that total, shared out over every key.

At sampling, :func:`expected_rows` turns the quantiles into each of ``k`` keys' expected rows (the quantile at
``(r + ½) / k`` for the key of rank ``r``, scaled to ``present / k`` rows a key); every key keeps its one row and
the others go to key ``m`` with probability in proportion to ``expected − 1``. A model file without ``spread``
(written before session 21, or a key with too few distinct values to keep two quantiles) samples as before.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

#: The quantile levels of rows per key a fit may keep.
LEVELS = (0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99)
#: A level is kept only when at least this many keys lie at or below it and at or above it.
MIN_KEYS_BEYOND = 10
#: Kept quantiles are rounded to this many significant digits.
SIGNIFICANT_DIGITS = 2


def _significant(value: float, digits: int = SIGNIFICANT_DIGITS) -> float:
    if value <= 0:
        return 0.0
    return float(round(value, digits - 1 - math.floor(math.log10(value))))


def rows_per_key_spread(present: pd.Series) -> dict[str, list[float]] | None:
    """Quantiles of rows per key of ``present`` (a repeated key's present values): ``{"levels", "counts"}``, or
    None when fewer than two levels have :data:`MIN_KEYS_BEYOND` keys on each side."""
    counts = present.value_counts().to_numpy(dtype=float)
    keys = len(counts)
    levels = [q for q in LEVELS if q * keys >= MIN_KEYS_BEYOND and (1.0 - q) * keys >= MIN_KEYS_BEYOND]
    if len(levels) < 2:
        return None
    quantiles = np.quantile(counts, levels)
    return {"levels": [float(q) for q in levels], "counts": [_significant(float(c)) for c in quantiles]}


def check_spread(spread: Any) -> tuple[np.ndarray, np.ndarray]:
    """The levels and counts of a model file's ``spread``, checked: a fit writes two or more increasing levels
    inside (0, 1) and as many non-decreasing counts of at least 1."""
    from synth.synthesizers.errors import SynthesizerError  # the package imports this module: no import cycle

    try:
        levels = np.asarray(spread["levels"], dtype=float)
        counts = np.asarray(spread["counts"], dtype=float)
    except (TypeError, KeyError, ValueError) as exc:
        raise SynthesizerError(
            f"a repeated key's rows-per-key spread is not two lists of numbers: {spread!r:.120}"
        ) from exc
    ok = (
        levels.ndim == counts.ndim == 1
        and 2 <= len(levels) == len(counts) <= len(LEVELS)
        and bool(np.all(np.isfinite(levels)) and np.all(np.isfinite(counts)))
        and bool(np.all((levels > 0) & (levels < 1)) and np.all(np.diff(levels) > 0))
        and bool(np.all(counts >= 1) and np.all(np.diff(counts) >= 0) and counts[-1] <= 1e12)
    )
    if not ok:
        raise SynthesizerError(
            "a repeated key's rows-per-key spread is not what a fit writes (two or more increasing levels in (0, 1), "
            f"non-decreasing counts of at least 1): {spread!r:.120}; fit the model again"
        )
    return levels, counts


def check_spreads(plans: Any) -> None:
    """:func:`check_spread` for every generated column of a loaded model file that has a ``spread``."""
    for plan in plans:
        detail = getattr(plan, "detail", None)
        if isinstance(detail, dict) and "spread" in detail:
            check_spread(detail["spread"])


def _log_quantiles(levels: np.ndarray, counts: np.ndarray, u: np.ndarray) -> np.ndarray:
    """log rows per key at levels ``u``: piecewise linear in (normal score, log count) through the kept quantiles,
    continued beyond them with the slope of the nearest segment (of the whole range where that one is flat)."""
    from scipy.special import ndtri  # here: `synth` and its command-line help import no scipy

    z, logs = ndtri(levels), np.log(counts)
    zu = ndtri(u)
    whole = (logs[-1] - logs[0]) / (z[-1] - z[0])
    low = (logs[1] - logs[0]) / (z[1] - z[0]) or whole
    high = (logs[-1] - logs[-2]) / (z[-1] - z[-2]) or whole
    out = np.interp(zu, z, logs)
    out = np.where(zu < z[0], logs[0] + low * (zu - z[0]), out)
    return np.where(zu > z[-1], logs[-1] + high * (zu - z[-1]), out)


def expected_rows(spread: Any, distinct: int, rows: int, k: int, present: int) -> np.ndarray:
    """Expected rows of the ``k`` keys of a table with ``present`` rows holding the key, by rank (ascending), from a
    fit's ``spread`` of a column whose ``rows`` real rows held ``distinct`` keys. They sum to ``present`` unless
    the quantiles cannot (then the caller's normalisation shares the difference out)."""
    levels, counts = check_spread(spread)
    if k < 1:
        return np.zeros(0)
    mean = max(rows, 1) / max(distinct, 1)
    u = (np.arange(k) + 0.5) / k
    # Rows per key over the mean, at the real size; no key can expect more than all the rows (k times the mean), a
    # bound a steep extrapolation over millions of keys would otherwise overflow.
    relative = np.minimum(np.exp(np.minimum(_log_quantiles(levels, counts, u), 700.0)) / mean, float(k))
    tail = u > levels[-1]
    if tail.any():
        # Above the top kept level the extrapolation may promise more rows than the table has left for those keys
        # (a tail lighter than log-normal: the shop's gamma-shaped customers): shrink it towards the top level's
        # count until the sizes average 1. A tail heavier than that (more rows left over) is not stretched: the
        # spare rows go to every key in proportion (:func:`row_counts`), as the quantiles of a discrete count
        # understate the keys between them too (the HR table's managers below the top level: 1,680 of 1,732
        # rows), and stretching the top keys alone gave a manager 36 reports where the most any real one has is 20.
        top = float(counts[-1]) / mean
        excess = relative[tail] - top
        room = k - relative[~tail].sum() - top * tail.sum()
        if excess.sum() > 0 and room < excess.sum():
            relative[tail] = top + excess * max(room / excess.sum(), 0.0)
    return np.maximum(relative * (present / k), 1.0)


def row_counts(spread: Any, distinct: int, rows: int, k: int, present: int) -> np.ndarray:
    """Rows of each of ``k`` keys by rank (ascending) for ``present`` rows: at least one each, summing to
    ``present`` (:func:`expected_rows` rounded by largest remainder, the rows beyond the first shared out in
    proportion to ``expected − 1``, evenly when no key expects more than one)."""
    expected = expected_rows(spread, distinct, rows, k, present)
    spare = present - k
    if k < 1 or spare <= 0:
        return np.ones(max(k, 0), dtype=np.int64)
    extra = np.maximum(expected - 1.0, 0.0)
    if extra.sum() <= 0:
        extra = np.ones(k)
    share = extra * (spare / extra.sum())
    counts = np.floor(share).astype(np.int64)
    left = spare - int(counts.sum())
    counts[np.argsort(counts - share, kind="stable")[:left]] += 1  # the largest remainders (ties: lower rank)
    return counts + 1


def pool_counts(detail: dict[str, Any], k: int, present: int, rng: np.random.Generator) -> np.ndarray | None:
    """For a single sample: the rows of each of the ``k`` pool keys (:func:`row_counts`, in a random order, so no
    key's place in the pool says how many rows it has), or None for a fit that kept no ``spread``."""
    spread = detail.get("spread")
    if spread is None or k < 1:
        return None
    counts = row_counts(spread, int(detail["distinct"]), int(detail["rows"]), k, present)
    return counts[rng.permutation(k)]
