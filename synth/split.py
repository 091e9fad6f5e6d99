"""Seeded train / holdout split, by rows or by person."""

from __future__ import annotations

import numpy as np
import pandas as pd


def split(
    df: pd.DataFrame, holdout: float = 0.2, seed: int = 0, *, by: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``df`` into a training part and a holdout part, at random but reproducibly.

    The holdout is real data that no synthesizer sees; the privacy and fidelity metrics use it as the
    yardstick of "fresh real data".

    Args:
        df: the table to split.
        holdout: share of rows kept out of training, strictly between 0 and 1.
        seed: seed of the shuffle.
        by: a column naming whose row each row is (a ``patient_id`` repeated over a patient's visits). Every value
            of it then goes whole to one side, so no one in the holdout was seen in training: split by row, a
            patient's other visits sit in train and the holdout is no yardstick of people the model never saw
            (:func:`synth.schema.entities.entity_column` suggests the column). Rows where it is missing are each
            their own person. The holdout then holds as close to ``holdout`` of the rows as whole people allow.

    Returns:
        ``(train, holdout)``, both with a fresh 0..n-1 index.
    """
    if not 0.0 < holdout < 1.0:
        raise ValueError(f"holdout must be strictly between 0 and 1, got {holdout}")
    n = len(df)
    n_holdout = round(n * holdout)
    if n_holdout < 1 or n - n_holdout < 1:
        raise ValueError(f"a table of {n} rows is too small to split {holdout:.0%} off as holdout")
    rng = np.random.default_rng(seed)
    if by is None:
        order = rng.permutation(n)
        held = np.zeros(n, dtype=bool)
        held[order[:n_holdout]] = True
    else:
        held = _held_people(df, by, n_holdout, rng)
    return df[~held].reset_index(drop=True), df[held].reset_index(drop=True)


def _held_people(df: pd.DataFrame, by: str, n_holdout: int, rng: np.random.Generator) -> np.ndarray:
    """Rows of the people drawn for the holdout: people in a seeded random order, taken until their rows come
    closest to ``n_holdout``."""
    if by not in df.columns:
        raise ValueError(f"cannot keep people together by {by!r}: the table has no such column")
    codes, _ = pd.factorize(df[by], use_na_sentinel=True)
    codes = codes.astype(np.int64)
    alone = codes < 0  # a row without a person's id is its own person
    codes[alone] = codes.max(initial=-1) + 1 + np.arange(int(alone.sum()))
    sizes = np.bincount(codes)
    if len(sizes) < 2:
        raise ValueError(f"every row has the same {by!r}: there is no second person to hold out")
    order = rng.permutation(len(sizes))
    total = np.cumsum(sizes[order])
    k = int(np.searchsorted(total, n_holdout))  # the first prefix reaching the target
    if k > 0 and (k >= len(total) or abs(total[k - 1] - n_holdout) <= abs(total[k] - n_holdout)):
        k -= 1  # the prefix one person shorter is closer
    k = min(k, len(sizes) - 2)  # leave at least one person to train on
    chosen = np.zeros(len(sizes), dtype=bool)
    chosen[order[: k + 1]] = True
    return chosen[codes]
