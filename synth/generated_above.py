"""Keys above a rounded bound of the real keys, in the real width: numeric keys, and text keys of dense formats.

One rule for both (:func:`start_above`): new keys start at the first multiple of a step above the largest real key
plus one, the step keeping two significant digits of it (at least 10): visit ids 50,001 … 54,000 continue from
55,000, Bike Sharing's ``instant`` 1 … 17,379 from 18,000, keeping five digits where the power of ten above the
largest (100,000, before session 22) added one. The start is always at least two above the largest real key, so it
is never that key nor the one after it: the file tells the largest real key to two significant digits (a start of
55,000: somewhere from 53,999 to 54,998), not the key.

Sequential text keys fill their format: ``ORD-100000`` … ``ORD-104999`` use every ending of every width of the
format ``ORD-109999``, so no ending is free (:mod:`synth.generated_shapes`) and the keys used to get one more digit
(``ORD-1021506``). Read as numbers, the format's slots (mixed radix, first slot most significant) leave everything
above the largest real key free: fitting keeps :func:`start_above` of that key's rank (4,999 → 5,100), and new keys
take the ranks from there on, in order (``ORD-105100``, ``ORD-105101``, …), so none is real. A model file keeps the
template and that start, as it keeps a numeric key's. When the ranks above it cannot hold the keys asked for,
callers widen the format by one digit (:func:`synth.generated_formats.disjoint_template`), keeping its literal
prefix.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_formats import _ALPHABETS, _parse_template
from synth.generated_shapes import _char_codes, _ending_keys, usual_template

#: Widest format whose ranks are computed (they are int64; a wider format is sparse, where endings work).
_MAX_SPACE = 2**62


def start_above(largest: int) -> int:
    """The first new key above the real keys, the largest of which is ``largest`` (a whole number ≥ -1): the
    multiple of ``step`` after ``largest + 1``, ``step`` a power of ten leaving two significant digits of
    ``largest + 1`` (at least 10). 54,000 → 55,000; 17,379 → 18,000; 4,999 → 5,100; 49 → 60.

    Never ``largest`` nor ``largest + 1``, which would name the largest real key; the start tells only the
    ``step``-wide range it is in (``start - step - 1`` … ``start - 2``)."""
    if largest < -1:
        raise ValueError(f"the largest real key must be at least -1 here, got {largest}")
    after = int(largest) + 1
    step = max(10, 10 ** (len(str(after)) - 2))
    return (after // step + 1) * step


def _variants(parts: list[tuple[bool, str]]) -> list[list[tuple[bool, str]]]:
    """The template, then with the literal digits of its last number made slots one by one from the right
    (``ORD-109999``, ``ORD-199999``, ``ORD-999999``): the same width with room for more keys. Only that number's:
    the ``1, 2`` of ``[1, 2, 918]`` (a list column) are other numbers and stay as they are."""
    out = [list(parts)]
    last = max((i for i, (is_slot, ch) in enumerate(parts) if is_slot and ch == "9"), default=-1)
    i = last - 1
    while i >= 0 and parts[i][1].isdigit():  # a digit slot ("9") or a literal digit: the same number
        if not parts[i][0]:
            out.append([*out[-1][:i], (True, "9"), *out[-1][i + 1 :]])
        i -= 1
    return out


def _space(parts: list[tuple[bool, str]]) -> int:
    return math.prod(len(_ALPHABETS[ch]) for is_slot, ch in parts if is_slot)


def above_format(present: pd.Series, others: pd.Series | None = None, base: str | None = None) -> dict[str, Any] | None:
    """``{"template", "starts"}``: the usual layout's template and, for each of its :func:`_variants`, the first
    rank of new keys, :func:`start_above` the largest real value's rank (``others``' values count too: a generated
    key is no real key of another column), or None when the template has no slot or too many values to rank.
    ``base``: that template, when the caller has it."""
    text = present.dropna().astype(str)
    base = usual_template(text) if base is None else base
    if base is None:
        return None
    taken = text if others is None else pd.concat([text, others.dropna().astype(str)], ignore_index=True)
    codes = _codes_of(taken, base)
    starts = []
    for parts in _variants(_parse_template(base)):
        ranks = _ranks(codes, parts)
        if ranks is None:
            break
        starts.append(start_above(int(ranks.max())) if len(ranks) else 0)
    return {"template": base, "starts": starts} if starts else None


def _codes_of(text: pd.Series, base: str) -> np.ndarray:
    """The code points of the values of ``text`` as wide as the template ``base``."""
    width = len(_parse_template(base))
    return _char_codes(text[np.fromiter(map(len, text), dtype=np.int64, count=len(text)) == width], width)


def _ranks(codes: np.ndarray, parts: list[tuple[bool, str]]) -> np.ndarray | None:
    """The ranks (mixed radix, first slot most significant) of the values whose code points are ``codes`` in the
    variant ``parts``; only values with the variant's literal characters can equal one of its keys, the others do
    not count. None when the variant has no slot or too many values to rank."""
    slots = [i for i, (is_slot, _) in enumerate(parts) if is_slot]
    if not slots or _space(parts) > _MAX_SPACE:
        return None
    literal = np.ones(len(codes), dtype=bool)
    for i, (is_slot, ch) in enumerate(parts):
        if not is_slot:
            literal &= codes[:, i] == ord(ch)
    return _ending_keys(codes[literal][:, slots], [_ALPHABETS[parts[i][1]] for i in slots])


def rank_density(present: pd.Series, base: str) -> float:
    """The share of the ranks between the smallest and the largest real key (in the template ``base``) that real
    keys hold: 1/7 for ``R1000000``, ``R1000007``, ``R1000014``, …; about 0 for random keys in a wide format.

    Keys drawn among those ranks (:mod:`synth.generated_shapes`' unused endings) land on real keys the fit never
    saw about this often: a held-out respondent's, a customer added later (see :func:`prefers_above`)."""
    ranks = _ranks(_codes_of(present.dropna().astype(str), base), _parse_template(base))
    if ranks is None or len(ranks) < 2:
        return 0.0
    return float(len(np.unique(ranks)) / (int(ranks.max()) - int(ranks.min()) + 1))


#: Real keys holding at least this share of the ranks between their smallest and largest one are drawn above them
#: (:func:`prefers_above`): drawn between, one in a thousand of them would be a real key the fit never saw.
DENSE_RANKS = 0.001


def prefers_above(present: pd.Series, base: str | None, fmt: dict[str, Any] | None, needed: int) -> bool:
    """Whether a text key column's new keys should continue above the real ones rather than end in unused endings
    among them: its keys fill their range densely (:data:`DENSE_RANKS`, :func:`rank_density`) and ``needed`` keys
    fit above them in the real width (``fmt``: :func:`above_format`'s).

    Why: unused endings avoid the real keys the fit saw, not those it did not. A survey's ``R1000000``,
    ``R1000007``, … (every seventh number) split 80/20 gave 11 of 2,000 synthetic respondents a held-out
    respondent's id (session 25's walk): real ids in the synthetic table, though none from training. Above the
    largest key, none is a held-out or a later key of a table numbered in order."""
    if base is None or fmt is None or not fits_above(fmt, needed):
        return False
    return rank_density(present, base) >= DENSE_RANKS


def _variant(fmt: dict[str, Any], count: int) -> tuple[list[tuple[bool, str]], int] | None:
    """The first variant (fewest literal digits made slots) with room for ``count`` keys from its start (and the
    column's lane ``offset``, :func:`synth.generated_lanes.in_lane`), and the rank its first key takes.

    ``fmt["room"]``: ranks every column of the format needs above the start (:func:`synth.generated_lanes.apart`),
    so that key columns of one format in lanes of their own take one variant: in different variants a lane's keys
    could reach the ranks of another's (``ORD-10…`` are ranks of ``ORD-1…`` too)."""
    offset = int(fmt.get("offset", 0))
    needed = max(offset + count, int(fmt.get("room", 0)))
    for parts, start in zip(_variants(_parse_template(fmt["template"])), fmt["starts"], strict=False):
        if _space(parts) - int(start) >= needed:
            return parts, int(start) + offset
    return None


def fits_above(fmt: dict[str, Any], count: int) -> bool:
    """Whether ``count`` keys fit in the real width from the start of some variant of the format."""
    return _variant(fmt, count) is not None


def above_at(fmt: dict[str, Any], rows: np.ndarray, count: int) -> np.ndarray:
    """The keys of positions ``rows`` (each below ``count``, which :func:`fits_above`): rank ``start + row`` of the
    first variant with room for ``count``, so a sample and a streamed table of ``count`` keys agree."""
    from synth.sampling.identifiers import _encode  # the sampling package imports synth.generated

    found = _variant(fmt, count)
    if found is None:
        raise ValueError(f"{count:,} keys do not fit above the real keys in the format {fmt['template']!r}")
    parts, start = found
    return _encode(np.asarray(rows, dtype=np.uint64) + np.uint64(start), parts)
