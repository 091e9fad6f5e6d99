"""Classifier folds that keep each person's rows together.

A discriminator learns on some rows and is scored on others. When the real rows repeat a person (a patient's visits
share the date of birth, the postcode, the sex), a row split puts a patient's visits on both sides: the boosted
trees learn the patient's values on one side and recognise them on the other, so real rows are told apart by
memory, not by anything a synthetic row lacks. On the walk's clinic table (4,000 visits of 1,145 patients, the
holdout split by patient) the reference, train against the holdout, read AUC 0.68 where two samples of fresh
people should read 0.5, and every synthetic table read as much above it. Kept together, a person's rows are all
scored or all learned from.

The person is the column :func:`synth.schema.entities.entity_column` names on the real rows; synthetic rows are
each their own (a generated id names no one). :func:`person_rows` gives the privacy measures the same person as
codes shared by train and holdout (:mod:`synth.evaluation.privacy.people_membership`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from synth.schema import Schema
from synth.schema.entities import FIND_PERSON, PersonColumn


def a_person(column: str) -> str:
    """What one person is, in words that read for any person column: "one value of email with all its rows" (the
    session-25 walk read "a person is a email")."""
    return f"one value of {column} with all its rows"


def people_column(train: pd.DataFrame, holdout: pd.DataFrame | None, schema: Schema) -> str | None:
    """The column naming whose row each real row is, or None when each row is its own person."""
    from synth.schema.entities import entity_column

    real = train if holdout is None else pd.concat([train, holdout], ignore_index=True)
    found = entity_column(real, schema)
    return found.column if found is not None else None


def person_labels(table: pd.DataFrame, rows: np.ndarray, column: str | None, tag: str) -> np.ndarray:
    """A label per sampled row: its person (``tag`` keeps two tables' people apart), or the row itself where the
    table has no such column or the value is missing."""
    positions = np.asarray(rows)
    own = np.array([f"{tag}:row:{i}" for i in positions], dtype=object)
    if column is None or column not in table.columns:
        return own
    values = table[column].iloc[positions]
    present = values.notna().to_numpy()
    named = np.array([f"{tag}:{v}" for v in values.astype(str)], dtype=object)
    return np.where(present, named, own)


def synthetic_person_labels(table: pd.DataFrame, rows: np.ndarray, column: str | None) -> np.ndarray | None:
    """:func:`person_labels` of a synthetic table's sampled ``rows`` by the real tables' person ``column``, for
    classifier folds that keep a synthetic person's rows together as the real side keeps a real person's; None (each
    row its own) where the table has no such column or one label holds more than
    :data:`~synth.schema.entities.MAX_PERSON_SHARE` of the rows (too few people to split by).

    A synthetic person holds one date of birth, one opening date on all of their rows, as a real one does. With the
    real rows kept together by person and the synthetic ones split row by row, the trees learned "this opening date
    is synthetic" from a synthetic account's other rows and scored it on the rest: on session 40's card transactions
    Pruned CART read 0.56–0.61 against references of 0.50–0.56, the extra points from the one person-level date
    (0.45–0.49 kept together; ``python -m benchmarks.bench_person_dates``), and real patients the model never saw,
    handed in as a synthetic table, 0.63 against 0.56 (``tests/unit/test_people_folds.py``)."""
    from synth.schema.entities import MAX_PERSON_SHARE

    if column is None or column not in table.columns:
        return None
    labels = person_labels(table, rows, column, "synthetic")
    if not len(labels):
        return None
    _, counts = np.unique(labels.astype(str), return_counts=True)
    return labels if counts.max() <= MAX_PERSON_SHARE * len(labels) else None


def grouped_test_rows(y: np.ndarray, groups: np.ndarray, share: float, seed: int) -> np.ndarray:
    """A mask of the rows to score: in each class, whole people in a seeded order until about ``share`` of its
    rows (as a stratified row split takes ``share`` of each class)."""
    from synth.split import _held_people

    test = np.zeros(len(y), dtype=bool)
    for k, label in enumerate(np.unique(y)):
        rows = np.flatnonzero(y == label)
        target = max(1, round(share * len(rows)))
        frame = pd.DataFrame({"person": groups[rows]})
        rng = np.random.default_rng([seed, k])
        test[rows] = _held_people(frame, "person", min(target, len(rows) - 1), rng)
    return test


@dataclass(frozen=True)
class PersonRows:
    """Whose row each real row is.

    Attributes:
        column: the person column.
        train / holdout: a person code per row (shared codes: one person in both tables has one code); a row whose
            person is missing is its own person.
    """

    column: str
    train: np.ndarray
    holdout: np.ndarray

    @property
    def n_people_train(self) -> int:
        return len(np.unique(self.train))


def person_rows(
    train: pd.DataFrame, holdout: pd.DataFrame, schema: Schema, column: PersonColumn = FIND_PERSON
) -> PersonRows | None:
    """The person of every train and holdout row: ``column`` when named, the one
    :func:`~synth.schema.entities.entity_column` finds for :data:`~synth.schema.entities.FIND_PERSON`; None when
    each row is its own person (told None, or none found).

    Raises:
        PrivacyInputError: for a ``column`` that train or the holdout lacks.
    """
    if column is FIND_PERSON:
        column = people_column(train, holdout, schema)
    if column is None:
        return None
    missing = [name for name, t in (("train", train), ("holdout", holdout)) if column not in t.columns]
    if missing:
        from synth.evaluation.privacy.common import PrivacyInputError

        raise PrivacyInputError(
            f"The person column {column!r} is not in the {' and '.join(missing)} table; pass a column both have "
            "(the one the table was split by), or none to find it."
        )
    values = pd.concat([train[column], holdout[column]], ignore_index=True)
    present = values.notna().to_numpy()
    codes = np.empty(len(values), dtype=np.int64)
    found, names = pd.factorize(values[present].astype(str))
    codes[present] = found
    codes[~present] = len(names) + np.arange(int((~present).sum()))  # each missing person is only itself
    return PersonRows(column, codes[: len(train)], codes[len(train) :])
