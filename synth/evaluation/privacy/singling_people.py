"""Singling out over people: a predicate isolates a person when the rows it matches are all one person's.

Why
    Singling out asks whether an attacker can isolate one *person* (WP216), and the attack counted a predicate as a
    success when it matched exactly one distinct row. Where a person has several rows (a patient's visits, a
    customer's orders) a predicate built on what a patient's visits share (date of birth, postcode, sex) matches all
    of that patient's visits: several rows, so it counted as no success, though it names one patient. The verdict
    said "isolate exactly one training person" over a count of rows.

How
    With a person column (:class:`~synth.evaluation.people.PersonRows`), the predicates are matched on every row
    (not de-duplicated rows) and a person matches when any of their rows does: the row-by-predicate match matrix is
    folded into a person-by-predicate one (:func:`people_matrix`). A predicate succeeds on train when it matches
    exactly one training person; the control's matches are read per holdout person and scaled to the number of
    training people, as rows were (:mod:`synth.evaluation.privacy.singling_control`). Two people with identical rows
    are two people: a predicate matching both isolates neither. Rows whose person is missing are each their own.
"""

from __future__ import annotations

import numpy as np

from synth.evaluation.privacy.singling_out import Queries, match_matrix

#: Predicates matched per block when folding matches into people (bounds the row-level matrix held at once).
_QUERY_BLOCK = 256


def _grouping(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows in person order and where each person's run starts."""
    order = np.argsort(codes, kind="stable")
    sorted_codes = codes[order]
    starts = np.flatnonzero(np.r_[True, sorted_codes[1:] != sorted_codes[:-1]]) if len(codes) else np.zeros(0, int)
    return order, starts


def people_matrix(values: np.ndarray, queries: Queries, codes: np.ndarray) -> np.ndarray:
    """(Q, people) boolean: which people each predicate matches on one of their rows; people in the order of their
    codes. ``values``: the table column-major, one column per row of ``codes``."""
    order, starts = _grouping(np.asarray(codes))
    out = np.zeros((len(queries), len(starts)), dtype=bool)
    if not len(starts):
        return out
    for lo in range(0, len(queries), _QUERY_BLOCK):
        rows = np.arange(lo, min(lo + _QUERY_BLOCK, len(queries)))
        matched = match_matrix(values, queries.take(rows))[:, order]
        out[rows] = np.logical_or.reduceat(matched, starts, axis=1)
    return out


def people_counts(values: np.ndarray, queries: Queries, codes: np.ndarray) -> np.ndarray:
    """How many people each predicate matches (on any of their rows)."""
    return people_matrix(values, queries, codes).sum(axis=1)
