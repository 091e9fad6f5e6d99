"""Seeded train / holdout split, by rows or by person."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
import pandas as pd


class SplitError(ValueError):
    """A table cannot be split as asked: the message says what was wrong and what to do."""


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

    Raises:
        SplitError: ``holdout`` is not a share strictly between 0 and 1, ``seed`` is not a whole number ≥ 0, the
            table is too small to leave a row on each side, or ``by`` names no column or only one person.
    """
    check_split(holdout, seed)
    n = len(df)
    n_holdout = round(n * holdout)
    if n_holdout < 1 or n - n_holdout < 1:
        # Rounding decides: 2 rows at 20% hold out round(0.4) = 0; the smallest table that works is said outright.
        least = _least_rows(float(holdout))
        raise SplitError(
            f"a table of {n:,} row(s) is too small to split {holdout:.0%} off as holdout: train and holdout each need "
            f"at least one row. Use a table of at least {least:,} rows (a synthesizer learns from hundreds), or "
            "another holdout share."
        )
    rng = np.random.default_rng(seed)
    if by is None:
        order = rng.permutation(n)
        held = np.zeros(n, dtype=bool)
        held[order[:n_holdout]] = True
    else:
        held = _held_people(df, by, n_holdout, rng)
    return df[~held].reset_index(drop=True), df[held].reset_index(drop=True)


def check_split(holdout: float, seed: int) -> None:
    """Raise :class:`SplitError` unless ``holdout`` is a share strictly between 0 and 1 and ``seed`` a whole number
    ≥ 0: what :func:`split` asks of them, checked by the command line before it reads a table."""
    if isinstance(holdout, bool) or not isinstance(holdout, Real) or not 0.0 < float(holdout) < 1.0:
        raise SplitError(
            f"holdout must be a share strictly between 0 and 1 (0.2 keeps 20% of the rows out), got {holdout!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise SplitError(f"seed must be a whole number ≥ 0, got {seed!r}")


def _least_rows(holdout: float) -> int:
    """The fewest rows that leave at least one on each side at ``holdout``: past half a row the rounding holds one."""
    least = math.ceil(0.5 / min(holdout, 1.0 - holdout)) + 1

    def fits(n: int) -> bool:
        return 1 <= round(n * holdout) <= n - 1

    while least > 2 and fits(least - 1):
        least -= 1
    return least


def _held_people(df: pd.DataFrame, by: str, n_holdout: int, rng: np.random.Generator) -> np.ndarray:
    """Rows of the people drawn for the holdout: people in a seeded random order, taken until their rows come
    closest to ``n_holdout``."""
    if by not in df.columns:
        raise SplitError(
            f"cannot keep people together by {by!r}: the table has no such column. Name one of its columns, or none."
        )
    codes, _ = pd.factorize(df[by], use_na_sentinel=True)
    codes = codes.astype(np.int64)
    alone = codes < 0  # a row without a person's id is its own person
    codes[alone] = codes.max(initial=-1) + 1 + np.arange(int(alone.sum()))
    sizes = np.bincount(codes)
    if len(sizes) < 2:
        raise SplitError(
            f"every row has the same {by!r}: there is no second person to hold out. Split by row (no column), or "
            "by a column that tells people apart."
        )
    order = rng.permutation(len(sizes))
    total = np.cumsum(sizes[order])
    k = int(np.searchsorted(total, n_holdout))  # the first prefix reaching the target
    if k > 0 and (k >= len(total) or abs(total[k - 1] - n_holdout) <= abs(total[k] - n_holdout)):
        k -= 1  # the prefix one person shorter is closer
    k = min(k, len(sizes) - 2)  # leave at least one person to train on
    chosen = np.zeros(len(sizes), dtype=bool)
    chosen[order[: k + 1]] = True
    return chosen[codes]
