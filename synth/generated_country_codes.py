"""Phone numbers keep their countries: a generated number's country code is drawn with the real codes' shares.

A phone column's layout (``+99 999 999 9999``, :mod:`synth.generated_shapes`) made every digit random, country
code included: a table of German and French numbers came out with +76, +60 and +11. Country codes are not
personal data (a code held by many rows says a country, as a category would), so fitting keeps each code that
at least :data:`MIN_CODE_ROWS` rows hold, with its share of rows rounded to 1%; rarer codes are not kept
(their rows are drawn among the kept codes).

The rest of the number stays random and ends in an ending no real value ends in: the endings are checked against
every real value's last characters, whatever its width, so a code of another length than the layout's (+1 in a
layout of +49) cannot make a generated number equal a real one.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_formats import _parse_template

#: A country code is kept only when at least this many rows hold it.
MIN_CODE_ROWS = 20
#: Shares are stored rounded to this step.
SHARE_STEP = 0.01
#: The values must start like this (a plus, one to three digits, a separator) for codes to be learned.
_CODE = re.compile(r"^\+(\d{1,3})[ \-.(]")
#: What a stored code may look like (a model file is input).
_STORED_CODE = re.compile(r"^\+\d{1,3}$")


def _code_group(template: str) -> int:
    """Length of the layout's leading ``+99`` group (plus and digit slots), or 0 when it does not start so."""
    parts = _parse_template(template)
    digits = next((i for i, (is_slot, ch) in enumerate(parts[1:], 1) if not (is_slot and ch in "9N")), 0) - 1
    opens = parts[:1] == [(False, "+")] and 1 <= digits <= 3 and parts[digits + 1] in [(False, c) for c in " -.("]
    return digits + 1 if opens else 0


def country_codes(present: pd.Series, shaped: dict[str, Any], own: pd.Series | None = None) -> dict[str, Any]:
    """``shaped`` with the real country codes and shares, and endings that no real value ends in at any width.

    ``own``: the values of ``shaped``'s layout, whose codes are learned (a column of several layouts,
    :mod:`synth.generated_layouts`); all of ``present`` when None. Endings are checked against all of ``present``.
    Unchanged when the layout does not open on a random code, when most values do not start with one, or when
    no code is held by :data:`MIN_CODE_ROWS` rows.
    """
    if not _code_group(str(shaped.get("template", ""))):
        return shaped
    text = present.dropna().astype(str).str.strip()
    learned = text if own is None else own.dropna().astype(str).str.strip()
    codes = learned.str.extract(_CODE, expand=False)
    if len(learned) == 0 or codes.notna().mean() < 0.9:
        return shaped
    counts = codes.dropna().value_counts()
    kept = counts[counts >= MIN_CODE_ROWS]
    if kept.empty:
        return shaped
    shares = (kept / kept.sum()).to_numpy()
    shares = np.round(shares / SHARE_STEP) * SHARE_STEP
    tail = int(shaped["tail"])
    taken = set(text.str[-tail:])
    suffixes = [s for s in shaped["suffixes"] if s not in taken]
    if not suffixes:
        return shaped
    return {
        **shaped,
        "suffixes": suffixes,
        "country_codes": {f"+{c}": float(s) for c, s in zip(kept.index, shares, strict=True) if s > 0},
    }


def with_country_codes(values: np.ndarray, shaped: dict[str, Any], rng: np.random.Generator) -> np.ndarray:
    """Generated ``values`` of the layout with their leading code replaced by a kept code (by its share).

    A stored code that is not ``+`` and one to three digits, or a share that is not a number, leaves the values
    as they are (a model file is input).
    """
    codes = shaped.get("country_codes")
    group = _code_group(str(shaped.get("template", "")))
    if not isinstance(codes, dict) or not codes or not group or len(values) == 0:
        return values
    names = [c for c in codes if isinstance(c, str) and _STORED_CODE.match(c)]
    try:
        weights = np.array([float(codes[c]) for c in names])
    except (TypeError, ValueError):
        return values
    if len(names) != len(codes) or not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
        return values
    picked = np.array(names, dtype=object)[rng.choice(len(names), len(values), p=weights / weights.sum())]
    rest = pd.Series(values, dtype=object).str.slice(group).to_numpy(dtype=object)
    return np.asarray(picked + rest, dtype=object)
