"""Double-barrelled family names ("Wieloch-Bolnbach", "Kaur-Reed") in generated names, at the real column's share.

Why
    15% of the hr walk's real names carried two family names joined by a hyphen, and none of the synthetic ones
    did: the locale lists join two family names at the share of their Faker formats (en_GB's one format in seven),
    and a misread of those formats had joined every locale's with a space. Real columns differ from Faker's
    formats anyway (a register of married names holds more), so the share is the column's own.

What a fit keeps (:func:`hyphenated_share`)
    The share of names (or family names) whose family name is two joined by a hyphen, rounded to
    :data:`~synth.generated_locales.SHARE_STEP`, or 0 when fewer than
    :data:`~synth.generated_locales.MIN_LOCALE_ROWS` rows hold one (a handful of hyphenated names would point at
    those people). A share, as a locale's is: no name.

At sample (:func:`double_barrelled`)
    That share of rows get a second family name from the same lists after a hyphen
    (:func:`synth.generated_locale_draws.local_names`, or :func:`double_barrelled` for en_US lists and single family
    names); a locale's own formats no longer add hyphenated ones, while two family names joined by a space
    (Spanish "Ruiz García") stay at the locale's share, on other rows. Both names come from Faker's lists, never
    from the real column.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_locales import MIN_LOCALE_ROWS, SHARE_STEP

#: Two words of letters joined by a hyphen (any script; an apostrophe inside a word is no join).
_JOINED = re.compile(r"[^\W\d_]-[^\W\d_]")
#: Name types whose values hold a family name.
FAMILY_NAME_TYPES = ("name", "last_name")


def hyphenated_share(pii_type: str | None, present: pd.Series) -> float | None:
    """The share of ``present`` names whose family name is double-barrelled (see the module docstring), None for
    a type without family names. In a full name, the first word is a given name (or a title) and never counts,
    so "Jean-Pierre Martin" is not double-barrelled."""
    if pii_type not in FAMILY_NAME_TYPES:
        return None
    text = present.dropna().astype(str).str.strip()
    if not len(text):
        return None
    family = text if pii_type == "last_name" else text.str.split(n=1).str[1].fillna("")
    joined = family.str.contains(_JOINED)
    if int(joined.sum()) < MIN_LOCALE_ROWS:
        return 0.0
    return float(round(float(joined.mean()) / SHARE_STEP) * SHARE_STEP)


def stored_hyphenated(stored: Any) -> float | None:
    """A plan's ``hyphenated`` share, or None when it is absent or not a share (a model file is input)."""
    if isinstance(stored, bool) or not isinstance(stored, int | float) or not math.isfinite(stored):
        return None
    return float(stored) if 0 <= stored <= 1 else None


def double_barrelled(
    family: np.ndarray, share: float, more: Callable[[int], np.ndarray], rng: np.random.Generator
) -> np.ndarray:
    """``family`` names (or whole names ending on the family name, "Mary J. Lopez") with a second family name from
    ``more(k)`` after a hyphen in ``share`` of them, drawn at random."""
    out = np.asarray(family, dtype=object).copy()
    if share <= 0 or not len(out):
        return out
    rows = np.flatnonzero(rng.random(len(out)) < share)
    if len(rows):
        out[rows] = pd.Series(out[rows]).str.cat(pd.Series(more(len(rows))), sep="-").to_numpy(dtype=object)
    return out
