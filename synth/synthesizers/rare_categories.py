"""Rare categories: what a synthesizer is allowed to learn of a category seen in only a few training rows.

A category held by fewer than ``k`` training rows (``min_category_rows``, default 5) singles those rows out:
emitted verbatim, it tells anyone who sees the synthetic table that someone in the training data had it
(a rare job title, a village, a misspelt name typed into a category field). Before a synthesizer sees the
table, every such category of a categorical column is replaced by one bucket, :data:`RARE_LABEL`
(``"(other)"``): the model learns how often "something rare" occurs and how it relates to other columns, and
neither the synthetic table nor the model file holds the rare values themselves. ``min_category_rows = 1``
opts out (every category is learned as it is).

Boolean columns are left alone (two values are never distinctive); numeric rare values are the concern of
each model (CART smooths them, the copula interpolates between quantiles). Synthesizers with a formal
guarantee (differential privacy) choose their own categories under that guarantee and do not use this exact
threshold, which a one-row change could flip.

The same step keeps identifier / PII / text columns' values out of the model file: a pandas ``category``
dtype lists every value in its categories, so those columns are kept as plain ``object`` in the reference
table the base stores, and a categorical column's dtype keeps only the categories that remain.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema
from synth.synthesizers.person_rarity import people_per_value

#: What every rare category of a column becomes.
RARE_LABEL = "(other)"
#: The rare-category buckets of the generators whose tables are scored here: ours, and mostlyai-engine's (MOSTLY AI,
#: TabularARGN). Written by a generator, neither is a value of the real data (see synth.evaluation.context).
BUCKET_LABELS = (RARE_LABEL, "_RARE_")
#: Default of ``min_category_rows``.
DEFAULT_MIN_ROWS = 5
#: A column whose rare categories hold at least this share of its rows gets a fit warning (:func:`bucketed_shares`).
WARN_SHARE = 0.2

_GENERATED = (ColumnKind.IDENTIFIER, ColumnKind.PII, ColumnKind.TEXT)


class RareCategoryError(ValueError):
    """``min_category_rows`` cannot be honoured on this table."""


def rare_categories(series: pd.Series, k: int, people: np.ndarray | None = None) -> list[Any]:
    """The categories of ``series`` held by fewer than ``k`` rows, or by fewer than ``k`` people when ``people``
    (each row's person, :func:`synth.synthesizers.person_rarity.person_codes`) is given: one patient's rare
    diagnosis on eight visits is still one person's. Missing is not a category here."""
    if k <= 1:
        return []
    counts = series.value_counts(dropna=True) if people is None else people_per_value(series, people)
    return counts.index[counts < k].tolist()


def hide_rare_categories(df: pd.DataFrame, schema: Schema, k: int, people: np.ndarray | None = None) -> pd.DataFrame:
    """``df`` with each categorical column's rare categories replaced by :data:`RARE_LABEL`.

    Args:
        df: the training table (the schema's columns).
        schema: its schema; only ``categorical`` columns are bucketed.
        k: categories with fewer rows than this are rare; 1 keeps every category.
        people: each row's person, when known: categories held by fewer than ``k`` people are rare too.

    Returns:
        A copy (the input is never changed); identifier / PII / text columns of ``category`` dtype become
        ``object`` so the stored dtype lists none of their values.

    Raises:
        RareCategoryError: ``k`` is larger than the table, so every category would be hidden.
    """
    if k > len(df):
        raise RareCategoryError(
            f"min_category_rows = {k:,} is larger than the {len(df):,} training rows: every category would be "
            f"hidden as {RARE_LABEL!r}. Set it to at most {len(df):,} (1 keeps every category)."
        )
    out = df.copy()
    for spec in schema:
        if spec.name not in out.columns:
            continue
        col = out[spec.name]
        if spec.kind in _GENERATED and isinstance(col.dtype, pd.CategoricalDtype):
            out[spec.name] = col.astype(object)
            continue
        if spec.kind is not ColumnKind.CATEGORICAL:
            continue
        rare = rare_categories(col, k, people)
        if isinstance(col.dtype, pd.CategoricalDtype):
            if rare:
                if RARE_LABEL not in col.cat.categories:
                    col = col.cat.add_categories([RARE_LABEL])
                col = col.where(~col.isin(rare), RARE_LABEL)
            out[spec.name] = col.cat.remove_unused_categories()
        elif rare:
            out[spec.name] = col.astype(object).where(~col.isin(rare) | col.isna(), RARE_LABEL)
    return out


def bucketed_shares(
    df: pd.DataFrame, schema: Schema, k: int, people: np.ndarray | None = None
) -> tuple[tuple[str, float], ...]:
    """(column, share of its non-missing rows) for each categorical column with rare categories (fewer than ``k``
    rows, or people when ``people`` is given): about as many sampled rows will hold :data:`RARE_LABEL`. Largest
    share first.

    Every such column is listed, so the Synthesize and Sample pages can say where "(other)" comes from before
    Compare shows it (the clinic walk: 7.8% of diagnoses pooled, and no word of it until Compare); a share of at
    least :data:`WARN_SHARE` is also a fit warning (:func:`warned_shares`): a postcode of a few thousand values over
    a few thousand rows comes out almost entirely "(other)" (found on a claims table, 98% of synthetic postcodes).
    """
    out = []
    for spec in schema:
        if spec.kind is not ColumnKind.CATEGORICAL or spec.name not in df.columns or k <= 1:
            continue
        counts = df[spec.name].value_counts(dropna=True)
        rare = rare_categories(df[spec.name], k, people)
        share = float(counts.loc[rare].sum() / counts.sum()) if counts.sum() else 0.0
        if share > 0:
            out.append((spec.name, share))
    return tuple(sorted(out, key=lambda x: (-x[1], x[0])))


def warned_shares(bucketed: Sequence[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    """The columns of :func:`bucketed_shares` whose fit warns: rare categories hold :data:`WARN_SHARE` or more."""
    return tuple((column, share) for column, share in bucketed if share >= WARN_SHARE)


def pooled_note(
    bucketed: Sequence[tuple[str, float]], k: int, person: str | None = None, templated: Collection[str] = ()
) -> str | None:
    """One sentence per kind of pooling naming the columns whose rare values were pooled, with the share of rows
    each pooled, and why; None when nothing was pooled. ``bucketed``: a fitted model's ``bucketed_``.

    The note says what the fit did, per column (the Bank Marketing and ledger walks read "fewer than 5 training
    rows" and "(other)" where neither was true): ``person``, the column the fit counted people by (None: it
    counted rows), so a category on one customer's 12 rows is still rare; ``templated``, the columns learned as
    word patterns, whose pooled rows are written as made-up text (an identifier's draw), never as
    :data:`RARE_LABEL`, and which also pool a pattern whose digits cannot be redrawn, however many hold it.
    """
    if not bucketed:
        return None
    held = f"{k} people (counted by {person}, not by rows)" if person is not None else f"{k} training rows"
    words = [(column, share) for column, share in bucketed if column in templated]
    categories = [(column, share) for column, share in bucketed if column not in templated]
    sentences = []
    if categories:
        sentences.append(
            f"{_listed(categories)}: categories held by fewer than {held} are learned as one value, {RARE_LABEL!r}, "
            "and about that share of synthetic rows holds it."
        )
    if words:
        which = "whose digits cannot be redrawn"  # (k = 1 pools those alone)
        if k > 1:
            which = f"held by fewer than {held}, or {which},"
        sentences.append(
            f"{_listed(words)}: word patterns {which} are learned as one value, and about that share of synthetic "
            "rows holds made-up text in its place (never a real value)."
        )
    return " ".join(
        [
            *sentences,
            "A value so rare would single out the people who have it (anyone seeing it in the synthetic table would "
            "learn that someone in the training data had it).",
        ]
    )


def _listed(bucketed: Sequence[tuple[str, float]]) -> str:
    return ", ".join(f"{column} ({share:.1%} of training rows)" for column, share in bucketed)


def bucket_warning(column: str, share: float, k: int, person: str | None = None, templated: bool = False) -> str:
    """The fit warning for one column of :func:`bucketed_shares`, worded as the fit pooled it (:func:`pooled_note`):
    counted in ``person``'s people when the fit knew one, and, for a column learned as word patterns
    (``templated``), pooled into made-up text rather than :data:`RARE_LABEL`."""
    held = f"{k} people (counted by {person})" if person is not None else f"{k} rows"
    if templated:
        return (
            f"{column}: {share:.0%} of the training rows hold a word pattern seen in fewer than {held} or whose "
            "digits cannot be redrawn; each is learned as one value, and about as many sampled rows will hold "
            "made-up text in its place. Mark the column as an identifier (regenerated) if its text need not be "
            "learned, or set min_category_rows ('Hide categories rarer than') lower (not advised: rare patterns "
            "would be copied)."
        )
    return (
        f"{column}: {share:.0%} of the training rows hold a category seen in fewer than {held}; each is learned as "
        f"one bucket, {RARE_LABEL!r}, and about as many sampled rows will hold it. Keep a coarser version of the "
        "column (e.g. the first digits of a code), mark it as an identifier (regenerated), or set min_category_rows "
        "('Hide categories rarer than') to 1 (not advised: rare values would be copied)."
    )
