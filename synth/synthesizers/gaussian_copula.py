"""Gaussian copula: each column's own marginal, joined by the correlation of their normal scores."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri

from synth.progress import ProgressCallback
from synth.schema import Schema
from synth.synthesizers.base import Param, Synthesizer
from synth.synthesizers.marginals import Marginals
from synth.synthesizers.registry import register


def nearest_correlation(matrix: np.ndarray, floor: float = 1e-6) -> np.ndarray:
    """The closest valid correlation matrix: eigenvalues clipped to ``floor``, unit diagonal restored."""
    sym = (matrix + matrix.T) / 2.0
    vals, vecs = np.linalg.eigh(sym)
    fixed = (vecs * np.maximum(vals, floor)) @ vecs.T
    d = np.sqrt(np.diag(fixed))
    out = fixed / np.outer(d, d)
    np.fill_diagonal(out, 1.0)
    return out


def pairwise_correlation(z: np.ndarray) -> np.ndarray:
    """Pearson correlation of the columns of ``z`` over the rows where both are observed (NaN = missing)."""
    complete = not np.isnan(z).any()
    corr = np.corrcoef(z, rowvar=False) if complete else pd.DataFrame(z).corr(min_periods=3).to_numpy()
    corr = np.nan_to_num(np.atleast_2d(corr), nan=0.0)
    np.fill_diagonal(corr, 1.0)
    return corr


@register
class GaussianCopula(Synthesizer):
    """Marginals per column (empirical quantiles), dependence as a Gaussian copula.

    Categorical and boolean columns map to intervals of [0, 1] by frequency; datetimes are modelled as
    numbers; missing values are an extra dimension, so their rate and their dependence on other columns
    are both kept.
    """

    name = "gaussian_copula"
    label = "Gaussian copula"
    description = (
        "Learns each column's distribution and the correlations between columns. Fast and smooth; "
        "captures linear and monotone relationships, not interactions."
    )
    params = (
        Param(
            "n_knots",
            "int",
            1001,
            "How many quantiles describe each numeric column. More follow the real shape more closely; "
            "fewer smooth it (and copy fewer rare values).",
            label="Quantile knots",
            low=11,
            high=20001,
        ),
        Param(
            "shrinkage",
            "float",
            0.0,
            "Pulls the correlation matrix towards independence (0 = as measured, 1 = independent columns).",
            label="Correlation shrinkage",
            low=0.0,
            high=1.0,
        ),
    )

    n_knots: int
    shrinkage: float

    def _fit(self, data: pd.DataFrame, schema: Schema, rng: np.random.Generator, progress: ProgressCallback) -> None:
        progress(0.0, "learning column distributions")
        marginals = Marginals.fit(data, schema, n_knots=int(self.n_knots))
        progress(0.4, "transforming to normal scores")
        u = marginals.to_uniform(data, rng)
        z = ndtri(np.clip(u, 1e-6, 1 - 1e-6))
        progress(0.7, "estimating correlations")
        d = z.shape[1]
        corr = pairwise_correlation(z) if d > 1 else np.ones((1, 1))
        corr = (1.0 - float(self.shrinkage)) * corr + float(self.shrinkage) * np.eye(d)
        corr = nearest_correlation(corr) if d > 1 else np.ones((1, 1))
        self.marginals_ = marginals
        self.correlation_ = corr
        self.cholesky_ = np.linalg.cholesky(corr)

    def _sample(self, n: int, rng: np.random.Generator, progress: ProgressCallback) -> pd.DataFrame:
        progress(0.0, "drawing correlated normal scores")
        z = rng.standard_normal((n, self.cholesky_.shape[0])) @ self.cholesky_.T
        progress(0.5, "mapping back to column values")
        return self.marginals_.from_uniform(ndtr(z))
