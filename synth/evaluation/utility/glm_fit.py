"""The fitting behind "same conclusions?": logistic (Newton–Raphson / IRLS) and linear (least squares) models in
numpy, with standard errors from the inverse Fisher information, and the choice of the terms the real data can
estimate (see :mod:`synth.evaluation.utility.glm`)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Fit:
    beta: np.ndarray
    se: np.ndarray
    converged: bool


def logistic(x: np.ndarray, y: np.ndarray, max_iter: int = 30, tol: float = 1e-8) -> Fit:
    """Logistic regression by Newton–Raphson (IRLS); standard errors from the inverse Fisher information."""
    p = x.shape[1]
    beta = np.zeros(p)
    ridge = 1e-8 * np.eye(p)
    converged = False
    info = np.eye(p)
    for _ in range(max_iter):
        eta = np.clip(x @ beta, -30, 30)
        mu = 1.0 / (1.0 + np.exp(-eta))
        w = np.maximum(mu * (1 - mu), 1e-10)
        info = x.T @ (x * w[:, None]) + ridge
        grad = x.T @ (y - mu)
        try:
            step = np.linalg.solve(info, grad)
        except np.linalg.LinAlgError:
            break
        beta = beta + step
        if np.max(np.abs(step)) < tol:
            converged = True
            break
        if np.max(np.abs(beta)) > 25:  # separation: the estimate runs off to infinity
            break
    try:
        cov = np.linalg.inv(info)
    except np.linalg.LinAlgError:
        return Fit(beta, np.full(p, np.nan), False)
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    # Quasi-separation: a coefficient running off to infinity has a huge estimate and standard error.
    separated = (np.abs(beta) > 15) & (se > 10)
    se = np.where(separated, np.nan, se)
    beta = np.where(separated, np.nan, beta)
    return Fit(beta, se, converged)


def linear(x: np.ndarray, y: np.ndarray) -> Fit:
    """Ordinary least squares; classical standard errors."""
    n, p = x.shape
    beta, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    sigma2 = float(resid @ resid) / max(n - p, 1)
    try:
        cov = sigma2 * np.linalg.inv(x.T @ x)
    except np.linalg.LinAlgError:
        return Fit(beta, np.full(p, np.nan), False)
    return Fit(beta, np.sqrt(np.maximum(np.diag(cov), 0.0)), rank == p)


def fit(x: np.ndarray, y: np.ndarray, family: str) -> Fit:
    """Fit on the estimable columns only; NaN for columns that are constant zero in this table."""
    p = x.shape[1]
    usable = np.ones(p, dtype=bool)
    usable[1:] = np.any(x[:, 1:] != 0, axis=0) & (np.ptp(x[:, 1:], axis=0) > 0)
    fit = logistic(x[:, usable], y) if family == "logistic" else linear(x[:, usable], y)
    beta, se = np.full(p, np.nan), np.full(p, np.nan)
    beta[usable], se[usable] = fit.beta, fit.se
    return Fit(beta, se, fit.converged)


def stable_terms(x: np.ndarray, y: np.ndarray, family: str, keep: np.ndarray, rounds: int = 4) -> np.ndarray:
    """Drop terms the real data cannot estimate (near-aliased, or separated in a logistic model), then refit.

    A logistic coefficient with a standard error above 10 (per real standard deviation, on the log-odds scale)
    or a linear one with a standard error 10⁴ times the median is not estimable; R would print it with a huge
    interval, we leave it out so the other terms stay stable.
    """
    for _ in range(rounds):
        result = fit(x[:, keep], y, family)
        se = result.se
        if family == "logistic":
            bad = ~np.isfinite(se) | (se > 10)
        else:
            median = float(np.nanmedian(se)) if np.isfinite(se).any() else 0.0
            bad = ~np.isfinite(se) | (se > 1e4 * max(median, 1e-300))
        bad[0] = False  # the intercept stays
        if not bad.any():
            break
        keep = keep[~bad]
    return keep


def independent_columns(x: np.ndarray) -> np.ndarray:
    """Indices of a maximal set of linearly independent columns (pivoted QR), in their original order."""
    from scipy.linalg import qr

    scale = np.linalg.norm(x, axis=0)
    scale[scale == 0] = 1.0
    _, r, piv = qr(x / scale, mode="economic", pivoting=True)
    diag = np.abs(np.diag(r))
    rank = int(np.sum(diag > diag.max() * 1e-9)) if len(diag) else 0
    return np.sort(piv[:rank])
