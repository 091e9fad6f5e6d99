"""Exact conditioning of the Gaussian copula (and of independent marginals, a copula with no correlation).

A condition on a column is a set of its normal scores: an interval for a category (the category's slice of
[0, 1], through the normal quantile), one for a range or a whole number (its rounding cell), a point for a
continuous value, and the missing / present half of a missing-indicator dimension. The Gaussian restricted to
those sets is sampled by the GHK recursion: with the conditioned dimensions first in the Cholesky order, each
is drawn from its conditional normal truncated to its set given the ones before it, and the row's weight is
the product of the truncated masses (densities for points). Free dimensions then follow from the Cholesky
factor as usual. The weights make the draw exact (see :mod:`synth.synthesizers.conditional`).

In a mixture of copulas, candidates are spread over components in proportion to their share times a pilot
estimate of how much of the condition they hold, and weighted back, so a condition on the stratifying column
goes straight to the right component.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from synth.schema import ColumnKind
from synth.synthesizers.conditional.intervals import (
    Interval,
    admissible,
    category_allowed,
    missing_allowed,
    present_allowed,
)
from synth.synthesizers.conditions import Condition
from synth.synthesizers.knot_spread import KnotSpread, model_spreads
from synth.synthesizers.marginals import _MISSING, Marginals, NumericMarginal

PILOT = 1_000
MIN_PROPOSAL = 0.02  # every feasible component gets at least this share of its proportional proposal


@dataclass(frozen=True)
class Constraint:
    """The allowed normal scores of one dimension: a point, or a union of intervals (empty: impossible)."""

    point: float | None
    intervals: tuple[Interval, ...]

    @property
    def empty(self) -> bool:
        return self.point is None and not self.intervals


@dataclass(frozen=True)
class Fixup:
    """What to do to a conditioned numeric column after decoding: set one value, snap to a list, or clip."""

    column: str
    values: tuple[float, ...]
    low: float
    high: float
    datetime: bool


def _u_low(knots: np.ndarray, x: float) -> float:
    """The smallest level u whose quantile reaches ``x`` (inf when none does)."""
    k = len(knots)
    if x <= knots[0]:
        return 0.0
    if x > knots[-1]:
        return math.inf
    i = int(np.searchsorted(knots, x, side="left"))
    gap = knots[i] - knots[i - 1]
    return (i - 1 + ((x - knots[i - 1]) / gap if gap > 0 else 1.0)) / (k - 1)


def _u_high(knots: np.ndarray, x: float) -> float:
    """The largest level u whose quantile stays at or below ``x`` (-inf when none does)."""
    k = len(knots)
    if x >= knots[-1]:
        return 1.0
    if x < knots[0]:
        return -math.inf
    j = int(np.searchsorted(knots, x, side="right"))
    gap = knots[j] - knots[j - 1]
    return (j - 1 + ((x - knots[j - 1]) / gap if gap > 0 else 0.0)) / (k - 1)


def _to_number(value: Any, numeric: NumericMarginal) -> float:
    if numeric.is_datetime:
        ts = pd.Timestamp(value)
        return float(ts.tz_convert("UTC").tz_localize(None).value if ts.tz is not None else ts.value)
    return float(value)


def numeric_constraint(numeric: NumericMarginal, cond: Condition) -> Constraint:
    """The levels of a numeric marginal whose decoded value meets ``cond`` (a value, list or range)."""
    grain = float(numeric.unit) if numeric.is_datetime else (1.0 if numeric.integer else 0.0)
    knots = numeric.knots
    intervals: list[Interval] = []
    points: list[float] = []
    for a, b in admissible(cond, grain, lambda v: _to_number(v, numeric)):
        if len(knots) == 1:
            if a <= knots[0] <= b:
                intervals.append((0.0, 1.0))
            continue
        lo, hi = _u_low(knots, a), _u_high(knots, b)
        if hi > lo:
            intervals.append((lo, hi))
        elif hi == lo:
            points.append(lo)
    if points and not intervals and len(points) == 1:
        return Constraint(points[0], ())
    half_step = 0.5 / max(len(knots) - 1, 1)  # a point inside a list becomes half a knot step either side
    intervals += [(max(p - half_step, 0.0), min(p + half_step, 1.0)) for p in points]
    return Constraint(None, tuple(intervals))


def constraints(marginals: Marginals, conditions: dict[str, Condition]) -> tuple[dict[int, Constraint], list[Fixup]]:
    """Per dimension (value, then missing indicator) the allowed uniform levels; fixups for numeric columns."""
    out: dict[int, Constraint] = {}
    fixups: list[Fixup] = []
    j = 0
    for col in marginals.columns:
        cond = conditions.get(col.name, _ABSENT)
        if cond is not _ABSENT:
            if col.categorical is not None:
                cats = col.categorical
                lower = np.concatenate([[0.0], cats.upper[:-1]])
                allowed = category_allowed(cats.categories, cond, _MISSING)
                out[j] = Constraint(
                    None, tuple((float(lower[i]), float(cats.upper[i])) for i in np.flatnonzero(allowed))
                )
            else:
                assert col.numeric is not None
                want_missing, want_present = missing_allowed(cond), present_allowed(cond)
                if col.has_indicator:
                    parts = ([(0.0, col.missing_rate)] if want_missing else []) + (
                        [(col.missing_rate, 1.0)] if want_present else []
                    )
                    out[j + 1] = Constraint(None, tuple(parts))
                elif not want_present:
                    out[j] = Constraint(None, ())
                if want_present:
                    present = [c for c in (cond if isinstance(cond, list) else [cond]) if c is not None]
                    value_cond = present if isinstance(cond, list) else present[0]
                    if not (want_missing and col.has_indicator):
                        # (Missing or a value: the value stays free and the result is checked row by row.)
                        out[j] = numeric_constraint(col.numeric, value_cond)
                        fixups.append(_fixup(col.name, col.numeric, value_cond))
        j += col.width
    return out, fixups


_ABSENT = object()


def _fixup(name: str, numeric: NumericMarginal, cond: Condition) -> Fixup:
    if isinstance(cond, tuple):
        low = -math.inf if cond[0] is None else _to_number(cond[0], numeric)
        high = math.inf if cond[1] is None else _to_number(cond[1], numeric)
        return Fixup(name, (), low, high, numeric.is_datetime)
    values = tuple(_to_number(v, numeric) for v in (cond if isinstance(cond, list) else [cond]))
    return Fixup(name, values, -math.inf, math.inf, numeric.is_datetime)


def apply_fixups(columns: dict[str, np.ndarray], fixups: list[Fixup]) -> None:
    """Decoded values exactly on the condition: a fixed value set, a list snapped to, a range clipped to.

    The draws already lie in the condition's cells; this removes rounding at their edges (and gives a
    continuous column asked for one value exactly that value).
    """
    for fix in fixups:
        raw = columns[fix.column]
        x = raw.astype("int64").astype(float) if fix.datetime else raw.astype(float)
        missing = np.isnat(raw) if fix.datetime else np.isnan(x)
        if fix.values:
            allowed = np.asarray(fix.values)
            nearest = allowed[np.abs(x[:, None] - allowed[None, :]).argmin(axis=1)]
            x = np.where(missing, x, nearest)
        else:
            x = np.where(missing, x, np.clip(x, fix.low, fix.high))
        if fix.datetime:
            out = np.where(missing, 0, x).astype("int64").astype("datetime64[ns]")
            out[missing] = np.datetime64("NaT")
            columns[fix.column] = out
        else:
            columns[fix.column] = x


def truncated_normal(a: np.ndarray, b: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Standard normal truncated to [a, b], by inversion on the side of zero where it is stable."""
    flip = a > 0
    lo, hi = np.where(flip, -b, a), np.where(flip, -a, b)
    p_lo, p_hi = ndtr(lo), ndtr(hi)
    x = ndtri(np.clip(p_lo + u * (p_hi - p_lo), 1e-300, 1.0 - 1e-16))
    x = np.clip(x, lo, hi)
    return np.where(flip, -x, x)


def ghk(
    chol: np.ndarray, m: int, cons: dict[int, Constraint], rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """``m`` normal-score rows meeting ``cons`` and their weights (zero where a constraint had no mass)."""
    d = chol.shape[0]
    corr = chol @ chol.T
    constrained = sorted(cons, key=lambda i: (cons[i].point is None, i))
    perm = constrained + [i for i in range(d) if i not in cons]
    permuted = corr[np.ix_(perm, perm)]
    try:
        lower = np.linalg.cholesky(permuted)
    except np.linalg.LinAlgError:
        lower = np.linalg.cholesky(permuted + 1e-9 * np.eye(d))
    e = np.empty((m, d))
    log_w = np.zeros(m)
    for pos, i in enumerate(constrained):
        mean = e[:, :pos] @ lower[pos, :pos]
        scale = lower[pos, pos]
        con = cons[i]
        if con.point is not None:
            e[:, pos] = (float(ndtri(np.clip(con.point, 1e-12, 1 - 1e-12))) - mean) / scale
            log_w += -0.5 * e[:, pos] ** 2 - math.log(scale)
            continue
        if not con.intervals:
            e[:, pos] = 0.0
            log_w[:] = -np.inf
            continue
        za = ndtri(np.clip([iv[0] for iv in con.intervals], 0.0, 1.0))
        zb = ndtri(np.clip([iv[1] for iv in con.intervals], 0.0, 1.0))
        a = (za[None, :] - mean[:, None]) / scale
        b = (zb[None, :] - mean[:, None]) / scale
        mass = np.clip(ndtr(b) - ndtr(a), 0.0, None)
        total = mass.sum(axis=1)
        pick = (np.cumsum(mass, axis=1) < (rng.random(m) * total)[:, None]).sum(axis=1)
        pick = np.minimum(pick, len(con.intervals) - 1)
        rows = np.arange(m)
        lo, hi = a[rows, pick], b[rows, pick]
        e[:, pos] = np.where(total > 0, truncated_normal(lo, hi, rng.random(m)), 0.0)
        with np.errstate(divide="ignore"):
            log_w += np.log(total)
    e[:, len(constrained) :] = rng.standard_normal((m, d - len(constrained)))
    z = np.empty_like(e)
    z[:, perm] = e @ lower.T
    return z, log_w


def _components(model: Any) -> list[tuple[float, Marginals, np.ndarray]]:
    if type(model).name == "independent":
        marginals = model.marginals_
        return [(1.0, marginals, np.eye(marginals.width))]
    return [(c.share, c.marginals, c.cholesky) for c in model.components_]


def conditioned_spreads(spreads: dict[str, KnotSpread], fixups: list[Fixup]) -> dict[str, KnotSpread]:
    """``spreads`` (:func:`~synth.synthesizers.knot_spread.model_spreads`) as a condition allows them: a column asked
    for one value or a list is set to them by its fixup (no spread), one asked for a range spreads inside it, so its
    draws meet the condition as they did (the fixup clips nothing more)."""
    out = dict(spreads)
    for fix in fixups:
        if fix.column not in out:
            continue
        if fix.values:
            del out[fix.column]
        else:
            out[fix.column] = out[fix.column].within(fix.low, fix.high)
    return out


def sample_weighted(
    model: Any, m: int, rng: np.random.Generator, conditions: dict[str, Condition]
) -> tuple[pd.DataFrame, np.ndarray]:
    """``m`` candidate rows meeting ``conditions`` and their importance weights under the copula (mixture)."""
    parts = []
    for share, marginals, chol in _components(model):
        cons, fixups = constraints(marginals, conditions)
        feasible = not any(c.empty for c in cons.values())
        parts.append((share, marginals, chol, cons, fixups, feasible))
    # Pilot: how much of the condition each component holds, to aim the candidates (weights correct the aim).
    held = []
    for share, _, chol, cons, _, feasible in parts:
        if not feasible:
            held.append(0.0)
            continue
        _, log_w = ghk(chol, PILOT, cons, rng) if len(parts) > 1 else (None, np.zeros(1))
        held.append(share * float(np.exp(log_w).mean()))
    held_arr = np.asarray(held)
    if held_arr.max(initial=0.0) <= 0:
        feasible_arr = np.array([p[5] for p in parts], dtype=float)
        if not feasible_arr.any():
            return _empty(parts[0][1], m), np.zeros(m)
        held_arr = feasible_arr * np.array([p[0] for p in parts])
    proposal = np.where(held_arr > 0, np.maximum(held_arr, MIN_PROPOSAL * held_arr.max()), 0.0)
    proposal /= proposal.sum()
    counts = rng.multinomial(m, proposal)
    positions = np.split(rng.permutation(m), np.cumsum(counts)[:-1])
    columns: dict[str, np.ndarray] = {}
    log_weights = np.full(m, -np.inf)
    for (share, marginals, chol, cons, fixups, _), rows, q in zip(parts, positions, proposal, strict=True):
        if len(rows) == 0:
            continue
        z, log_w = ghk(chol, len(rows), cons, rng)
        # Crowded draws of numbers with recorded decimals are spread as unconditioned ones are (knot_spread).
        spreads = conditioned_spreads(model_spreads(model, share, marginals), fixups)
        decoded = marginals.decode_arrays(ndtr(z), spreads)
        apply_fixups(decoded, fixups)
        log_weights[rows] = log_w + math.log(share / q)
        for name, values in decoded.items():
            if name not in columns:
                columns[name] = np.empty(m, dtype=values.dtype)
            columns[name][rows] = values
    # Not normalised per batch: the caller compares weights across batches.
    return pd.DataFrame(columns, copy=False), np.exp(log_weights)


def _empty(marginals: Marginals, m: int) -> pd.DataFrame:
    z = np.zeros((m, marginals.width))
    return marginals.from_uniform(ndtr(z))


__all__ = ["ColumnKind", "Constraint", "constraints", "ghk", "numeric_constraint", "sample_weighted"]
