"""Seeded train / holdout split."""

from __future__ import annotations

import numpy as np
import pandas as pd


def split(df: pd.DataFrame, holdout: float = 0.2, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split ``df`` into a training part and a holdout part, at random but reproducibly.

    The holdout is real data that no synthesizer sees; the privacy and fidelity metrics use it as the
    yardstick of "fresh real data".

    Args:
        df: the table to split.
        holdout: share of rows kept out of training, strictly between 0 and 1.
        seed: seed of the shuffle.

    Returns:
        ``(train, holdout)``, both with a fresh 0..n-1 index.
    """
    if not 0.0 < holdout < 1.0:
        raise ValueError(f"holdout must be strictly between 0 and 1, got {holdout}")
    n = len(df)
    n_holdout = round(n * holdout)
    if n_holdout < 1 or n - n_holdout < 1:
        raise ValueError(f"a table of {n} rows is too small to split {holdout:.0%} off as holdout")
    order = np.random.default_rng(seed).permutation(n)
    hold_idx = np.sort(order[:n_holdout])
    train_idx = np.sort(order[n_holdout:])
    return df.iloc[train_idx].reset_index(drop=True), df.iloc[hold_idx].reset_index(drop=True)
