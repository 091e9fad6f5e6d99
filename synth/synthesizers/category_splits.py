"""Category predictors ordered by what each tree predicts, so a split can group any categories together.

CART's trees see a category as its code, and codes follow the labels' sorted order: a split ``code <= t`` can only
cut the alphabet in two. Grouping Adult's craft-repair, transport-moving and farming-fishing apart from the
office occupations then takes a chain of splits, each of which must pay for itself on its own, and under pruning
most chains go: on MOSTLY AI's Adult split the synthetic occupation lost its link with relationship and race
(trivariate accuracy 0.957 against a holdout's 0.967).

Breiman et al. (1984) showed that for a two-valued outcome or a number, ordering a predictor's categories by the
outcome's mean in each category and splitting that order finds the best split over every grouping of categories;
rpart (and so synthpop) does this. For an outcome with more values, the categories are ordered along the first
principal component of their outcome shares (Coppersmith, Hong and Hosking, 1999), the usual approximation. Each
tree gets its own order for each category predictor (with at least three categories), learned from the rows it is
fitted on, and keeps it (:attr:`CartStep.recodes`) so sampling routes rows the same way.

A category's place is smoothed towards the whole column's mean with :data:`PRIOR_ROWS` pseudo-rows, so a category
of three rows is not put at an end of the order by chance; the file then holds, per tree, an order of the labels
(already in the file) computed from every row of each category.
"""

from __future__ import annotations

import numpy as np

#: Pseudo-rows at the overall mean added to each category before ordering (shrinks small categories' places).
PRIOR_ROWS = 10.0
#: Largest categories × outcome values for which outcome shares are tabulated; above it the categories keep codes.
MAX_CELLS = 4_000_000


def category_ranks(codes: np.ndarray, n_categories: int, y: np.ndarray, *, classifier: bool) -> np.ndarray | None:
    """Each category code's place (0 .. n_categories − 1, as floats) in the order that lets one split group the
    categories best for ``y``; None when there is nothing to order (fewer than three categories, a constant ``y``,
    or too many cells to tabulate)."""
    if n_categories < 3 or len(y) == 0:
        return None
    codes = codes.astype(np.intp)
    count = np.bincount(codes, minlength=n_categories).astype(float)
    if classifier:
        classes, yi = np.unique(y, return_inverse=True)
        m = len(classes)
        if m < 2 or n_categories * m > MAX_CELLS:
            return None
        table = np.bincount(codes * m + yi, minlength=n_categories * m).reshape(n_categories, m).astype(float)
        overall = table.sum(axis=0) / len(y)
        shares = (table + PRIOR_ROWS * overall) / (count + PRIOR_ROWS)[:, None]
        if m == 2:
            score = shares[:, 1]
        else:
            weights = (count + PRIOR_ROWS) / (count + PRIOR_ROWS).sum()
            centred = shares - weights @ shares
            covariance = (centred * weights[:, None]).T @ centred
            _, vectors = np.linalg.eigh(covariance)
            score = centred @ vectors[:, -1]
    else:
        total = np.bincount(codes, weights=y.astype(float), minlength=n_categories)
        mean = float(np.mean(y))
        if np.all(y == y[0]):
            return None
        score = (total + PRIOR_ROWS * mean) / (count + PRIOR_ROWS)
    order = np.argsort(score, kind="stable")
    ranks = np.empty(n_categories, dtype=np.float32)
    ranks[order] = np.arange(n_categories, dtype=np.float32)
    return ranks


def recoded(x: np.ndarray, recodes: tuple[tuple[int, np.ndarray], ...], out: np.ndarray | None = None) -> np.ndarray:
    """``x`` (predictor slots in columns) with each recoded slot's codes replaced by their places: written into
    ``out`` when given (an array already holding ``x``'s slots first), else into a copy; ``x`` (or ``out``) as it
    is when there is nothing to recode."""
    if not recodes:
        return x if out is None else out
    if out is None:
        out = np.array(x, dtype=np.float32, order="F")
    for slot, ranks in recodes:
        out[:, slot] = ranks[x[:, slot].astype(np.intp)]
    return out
