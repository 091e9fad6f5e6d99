"""Names and addresses written in capitals (or in lower case) come back so, at the real column's shares.

Why
    Registers, shipping labels and older systems write names and addresses in capitals ("MÜLLER, ANNA", "12 HIGH
    STREET"). The generated values came from Faker's lists as the lists write them, so a column of capitals came
    back in title case: a tell at a glance, and a join on the column's case (a report that upper-cases) no longer
    matched the real table's (the session-28 red team's table).

What a fit keeps (:func:`letter_cases`)
    The share of values written in capitals and the share written in lower case (values with at least two
    letters), each rounded to :data:`~synth.generated_locales.SHARE_STEP`, or nothing when fewer than
    :data:`~synth.generated_locales.MIN_LOCALE_ROWS` rows are in either: two shares, no value and no letter of one.

At sample (:func:`with_cases`)
    Each generated value is upper-cased or lower-cased at those shares, drawn at random; the rest keep the lists'
    case. Names and addresses still come from Faker's lists, never from the real column.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_locales import MIN_LOCALE_ROWS, SHARE_STEP

#: PII types whose values are words a register may write in capitals.
CASED_TYPES = ("name", "first_name", "last_name", "address")


def letter_cases(pii_type: str | None, present: pd.Series) -> dict[str, float] | None:
    """``{"upper": share, "lower": share}`` of ``present`` values written wholly in capitals / in lower case
    (among values with two letters or more), rounded; None for other types or when neither reaches
    :data:`MIN_LOCALE_ROWS` rows."""
    if pii_type not in CASED_TYPES:
        return None
    text = present.dropna().astype(str)
    letters = text.str.count(r"[^\W\d_]")
    text = text[letters >= 2]
    if not len(text):
        return None
    upper = (text == text.str.upper()) & (text != text.str.lower())
    lower = (text == text.str.lower()) & (text != text.str.upper())
    if max(int(upper.sum()), int(lower.sum())) < MIN_LOCALE_ROWS:
        return None
    share = lambda mask: float(round(float(mask.mean()) / SHARE_STEP) * SHARE_STEP)  # noqa: E731
    return {"upper": share(upper), "lower": share(lower)}


def stored_cases(stored: Any) -> tuple[float, float] | None:
    """A plan's ``cases`` as (upper, lower) shares, or None when absent or not two shares summing to at most 1 (a
    model file is input)."""
    if not isinstance(stored, dict) or set(stored) != {"upper", "lower"}:
        return None
    shares = [stored["upper"], stored["lower"]]
    for s in shares:
        if isinstance(s, bool) or not isinstance(s, int | float) or not math.isfinite(s) or not 0 <= s <= 1:
            return None
    if sum(shares) > 1 + 1e-9:
        return None
    return float(shares[0]), float(shares[1])


def with_cases(values: np.ndarray, stored: Any, rng: np.random.Generator) -> np.ndarray:
    """``values`` with each upper-cased or lower-cased at the ``stored`` shares (:func:`letter_cases`), at random;
    ``values`` as they are when nothing valid is stored."""
    cases = stored_cases(stored)
    if cases is None or not len(values):
        return values
    upper, lower = cases
    u = rng.random(len(values))
    out = np.asarray(values, dtype=object).copy()
    present = np.array([isinstance(v, str) for v in out], dtype=bool)
    up, down = present & (u < upper), present & (u >= upper) & (u < upper + lower)
    out[up] = [v.upper() for v in out[up]]
    out[down] = [v.lower() for v in out[down]]
    return out
