"""Every number of a drawn address re-drawn: a fake equals a real address only where every number agrees by chance.

Fake addresses are drawn from seeded pools of Faker's own (:mod:`synth.generated_locales`,
:mod:`synth.generated_full_addresses`), which hold the very streets and towns a real column may hold: the numbers
are what makes a fake new. Vectorised: a pool entry is split into text and numbers once, rows pick entries and draw
digits column by column (a million addresses in about a second).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np


def renumbered(pool: list[str], k: int, rng: np.random.Generator, keep_width: bool = False) -> np.ndarray:
    """``k`` values drawn from ``pool`` with every number in them (house, flat, "7/6", postcode) given random digits
    of its width, so a fake equals a real address only where street and every number agree by chance;
    ``keep_width``: exactly its width, leading zeros kept ("0155"), as postcodes are written."""
    from synth.generated_pii import _join

    split = [re.split(r"([0-9]+)", v) for v in pool]  # text, number, text, number, …, text
    width = max(len(parts) for parts in split)
    table = np.array([parts + [""] * (width - len(parts)) for parts in split], dtype=object)
    widths = np.vectorize(len, otypes=[int])(table)  # once per pool entry, not per row
    zeros = np.vectorize(lambda part: part[:1] == "0", otypes=[bool])(table) if keep_width else None
    picked = rng.integers(0, len(pool), k)
    pieces: list[Any] = []
    for j in range(width):
        if j % 2 == 0:
            pieces.append(table[picked, j])
            continue
        digits = widths[picked, j]
        numbered = np.flatnonzero(digits > 0)  # the later numbers ("Piso 2") are in few rows: draw only those
        part = np.full(k, "", dtype=object)
        if zeros is None:
            drawn = np.maximum(1, (rng.random(len(numbered)) * 10.0 ** digits[numbered]).astype(np.int64))
            part[numbered] = drawn.astype(str).astype(object)
        else:
            part[numbered] = _same_width(digits[numbered], zeros[picked[numbered], j], rng)
        pieces.append(part)
    return _join(*pieces)


def _same_width(digits: np.ndarray, zero: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Random numbers of exactly ``digits`` digits as text; a leading zero possible where ``zero`` (the real one
    began with 0), else none. Drawn as a table of digit characters per width, as card numbers are: zero-padding
    each number with pandas took 1.1 s of a million whole addresses' 3.9 s."""
    out = np.empty(len(digits), dtype=object)
    for w in np.unique(digits):
        at = np.flatnonzero(digits == w)
        table = rng.integers(0, 10, (len(at), int(w)), dtype=np.uint8)
        first = ~zero[at]
        table[first, 0] = rng.integers(1, 10, int(first.sum()), dtype=np.uint8)
        text = np.ascontiguousarray(table + np.uint8(ord("0"))).view(f"S{int(w)}").ravel()
        out[at] = text.astype(str).astype(object)
    return out
