"""Which column the Bias panel offers as the sensitive (group) column first: a protected attribute that is a
category (sex, race, marital status), then other few-valued categories, then numbers (compared in bands).
Re-exported from :mod:`synth.evaluation.utility.fairness`, where it lived."""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence

#: How many distinct values a category not named like a protected attribute needs to lead the Bias panel's
#: sensitive columns (:func:`group_column_order`): two groups at least, and few enough to read as groups.
GROUP_LEVELS = (2, 10)

# Attributes anti-discrimination law and fairness audits usually protect (EU Charter art. 21, US Title VII), in
# the order the Bias panel offers them: the most commonly audited first.
_PROTECTED_NAMES = tuple(
    re.compile(rf"(^|_|\b)({words})($|_|\b)", re.I)
    for words in (
        r"sex|gender",
        r"race|ethnic\w*",
        r"age",
        r"religion|disab\w*|marital\w*|nationality|native_country|country_of_birth|pregnan\w*|orientation",
    )
)


def _protected_rank(name: str) -> int:
    return next((i for i, pattern in enumerate(_PROTECTED_NAMES) if pattern.search(name)), len(_PROTECTED_NAMES))


def group_column_order(
    columns: Sequence[str], numeric: Collection[str] = (), levels: Mapping[str, int] | None = None
) -> list[str]:
    """Candidate group (sensitive) columns, the Bias panel's default first. A sensitive attribute is a group, so
    categories lead: those named like protected attributes (sex, race, an age band, marital status…, in that order),
    then the other categories of :data:`GROUP_LEVELS` distinct values (``levels``: each column's count; without it
    every category qualifies), in table order; then the ``numeric`` columns named like protected attributes (age:
    compared in quartile bands, never balanced), then the rest in table order. Bank Marketing's default was
    ``age``, a number, ahead of ``marital``; it is now ``marital``."""
    order = {c: i for i, c in enumerate(columns)}

    def tier(c: str) -> tuple[int, int, int]:
        rank = _protected_rank(c)
        protected = rank < len(_PROTECTED_NAMES)
        count = None if levels is None else levels.get(c, 0)
        if c in numeric:
            return (2 if protected else 4, rank, order[c])
        if protected and (count is None or count >= GROUP_LEVELS[0]):
            return (0, rank, order[c])
        if count is None or GROUP_LEVELS[0] <= count <= GROUP_LEVELS[1]:
            return (1, 0, order[c])
        return (3, 0, order[c])

    return sorted(columns, key=tier)
