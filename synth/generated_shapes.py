"""Same-width formats: fresh values with exactly the real values' character pattern, never a real value.

A format learned from real values (:func:`synth.generated_formats._template`, e.g. ``E-999999`` for
``E-000123``) is kept as it is; disjointness comes from its last few slots instead of an extra digit. The
format is that of the most common layout (:func:`synth.generated_formats._shape`; "+49 690 412 9249" gives
``+99 999 999 9999``). Fitting looks at the last ``tail`` slot characters of every real value of the format's
width and keeps :data:`MAX_SUFFIXES` endings that *no* real value has, or for a dense format as many as a sample of
:data:`ROOM_TIMES` times the real size needs (:func:`kept_endings`, :func:`keys_needed`), drawn at random among the
free ones and never all of them (at most :data:`MAX_LISTED_SHARE` of those found once there are more than
:data:`MAX_SUFFIXES`), so the file does not spell out which endings are taken. Every generated value ends in one of
them, so it cannot equal a real value, and its other slots are random. A model file keeps the template and those
unused endings: nothing that is part of a real value.

When the kept endings and the other slots cannot hold enough distinct values (a dense format, a huge sample),
callers continue above the real keys (:mod:`synth.generated_above`), and where that cannot hold them either, fall
back to :func:`synth.generated_formats.disjoint_template` (one more digit).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from synth.generated_formats import (
    _ALPHABETS,
    MIN_TEMPLATE_VALUES,
    _layouts,
    _parse_template,
    _sample_text,
    _shape_template,
    _template,
    joined,
    random_chars,
)

#: Unused endings a fit keeps (at most, unless a dense format needs more): generated values end in one of them.
MAX_SUFFIXES = 64
#: A fit keeps unused endings for samples up to this many times the real rows (:func:`kept_endings`): a zip code
#: column keeps five digits in a sample of 10× the training rows where its unused endings allow it.
ROOM_TIMES = 10
#: The largest share of the unused endings found that a fit keeps: the others stay unlisted, so an ending the file
#: does not list may be free or taken (with half, the cap before session 23, the walk's zip codes kept five digits
#: up to 8.4× the training rows; with two thirds up to 11×).
MAX_LISTED_SHARE = 2 / 3
#: A key column whose distinct values are at least this share of its present values is unique (a new key a row);
#: with fewer it is repeated (``manager_id``), and a sample draws about as many distinct keys as it holds.
UNIQUE_SHARE = 0.95
#: Endings drawn to look for unused ones, when the space of endings is larger than :data:`_ENUMERATED`.
_CANDIDATES = 4_096
#: Spaces of endings up to this size are enumerated: every unused 4-digit ending of a dense format (5-digit zip
#: codes) is found, where 4,096 drawn endings found half of them and too few to keep the real width.
_ENUMERATED = 16_384
#: Widest space of endings searched.
_MAX_TAIL_SPACE = 10**7


def _slots(parts: list[tuple[bool, str]]) -> list[int]:
    return [i for i, (is_slot, _) in enumerate(parts) if is_slot]


def _char_codes(text: pd.Series, width: int) -> np.ndarray:
    """The code points of ``text`` (all of ``width`` characters) as an ``(n, width)`` array.

    One copy in numpy: picking each ending character with ``.str[i]`` looped in Python over every value, for
    every tail length tried, and was most of the fit of a table with a text key or a phone number."""
    if width == 0:  # numpy has no zero-width string type ("<U0" reads as "<U1")
        return np.zeros((len(text), 0), dtype=np.uint32)
    return np.array(text.tolist(), dtype=f"<U{width}").view(np.uint32).reshape(-1, width)


def _ending_keys(codes: np.ndarray, alphabets: list[str]) -> np.ndarray:
    """Each row of ``codes`` (the ending characters' code points) as one integer, each character's index in its
    alphabet a digit of base ``len(alphabet)``; rows with a character outside its alphabet are dropped, as no
    candidate (made of the alphabets' characters) can equal them."""
    key = np.zeros(len(codes), dtype=np.int64)
    inside = np.ones(len(codes), dtype=bool)
    for column, alphabet in enumerate(alphabets):
        index = np.full(128, -1, dtype=np.int64)  # the alphabets are ASCII letters and digits, never 127 (DEL),
        index[[ord(c) for c in alphabet]] = np.arange(len(alphabet))  # so code points from 127 up are outside
        at = index[np.minimum(codes[:, column], 127)]
        inside &= at >= 0
        key = key * len(alphabet) + at
    return key[inside]


def _free(candidates: list[str], codes: np.ndarray, alphabets: list[str]) -> list[str]:
    """The ``candidates`` (in their order) that no row of ``codes`` (the real endings' code points) spells."""
    if not candidates:
        return []
    wanted = np.array(candidates, dtype=f"<U{len(alphabets)}").view(np.uint32).reshape(-1, len(alphabets))
    taken = np.isin(_ending_keys(wanted, alphabets), _ending_keys(codes, alphabets))
    return [c for c, t in zip(candidates, taken.tolist(), strict=True) if not t]


def _candidates(alphabets: list[str], rng: np.random.Generator) -> list[str]:
    space = math.prod(len(a) for a in alphabets)
    if space <= _ENUMERATED:
        out = [""]
        for alphabet in alphabets:
            out = [o + c for o in out for c in alphabet]
        return out
    picks = [np.array(list(a))[rng.integers(0, len(a), _CANDIDATES)] for a in alphabets]
    # Sorted distinct endings: numpy orders equal-width strings by code point, as sorted() does.
    joined = np.ascontiguousarray(np.stack(picks, axis=1)).view(f"<U{len(alphabets)}").ravel()
    return np.unique(joined).tolist()


def same_width_format(
    present: pd.Series,
    others: pd.Series | None = None,
    base: str | None = None,
    needed: int | None = None,
    allowed: dict[int, str] | None = None,
) -> dict[str, Any] | None:
    """The real values' format and endings no real value has (:func:`kept_endings` of them), or None.

    Returns ``{"template", "tail", "suffixes"}``: ``tail`` slots at the end of ``template`` take one of
    ``suffixes``. None when the format has fewer than two slots or no ending is free. ``others``: real values
    of other columns whose endings are taken too (checked, never learned from). ``base``: the template of the
    usual layout, when the caller has it (:func:`usual_template`). ``needed``: the keys to make room for, when not
    :func:`keys_needed` of ``present`` (key columns of one format in lanes of their own share one format,
    :mod:`synth.generated_lanes`). ``allowed``: for some slots (by position), the only characters endings may use
    there (:func:`synth.generated_layouts.used_chars`: a postcode's last letter is never one of C, I, K, M, O, V,
    so endings of unused last letters were all of them); stored as ``slot_chars`` for the other slots.
    """
    text = present.dropna().astype(str)
    base = usual_template(text) if base is None else base
    if base is None:
        return None
    parts = _parse_template(base)
    slots = _slots(parts)
    taken = text if others is None else pd.concat([text, others.dropna().astype(str)], ignore_index=True)
    same = taken[np.fromiter(map(len, taken), dtype=np.int64, count=len(taken)) == len(parts)]
    codes = _char_codes(same, len(parts))
    needed = keys_needed(text) if needed is None else int(needed)
    rng = np.random.default_rng(0)
    best: tuple[float, int, list[str]] | None = None
    allowed = allowed or {}

    def alphabet(i: int) -> str:
        return allowed.get(i) or _ALPHABETS[parts[i][1]]

    for tail in range(1, len(slots)):  # at least one slot stays fully random
        positions = slots[-tail:]
        alphabets = [alphabet(i) for i in positions]
        if math.prod(len(a) for a in alphabets) > _MAX_TAIL_SPACE:
            break
        free = _free(_candidates(alphabets, rng), codes[:, positions], alphabets)
        if not free:
            continue
        rest = math.prod(len(alphabet(i)) for i in slots[:-tail])
        kept = sorted(rng.choice(free, size=kept_endings(len(free), needed, rest), replace=False).tolist())
        capacity = float(len(kept)) * rest
        if best is None or capacity > best[0]:
            best = (capacity, tail, kept)
    if best is None:
        return None
    out: dict[str, Any] = {"template": base, "tail": best[1], "suffixes": best[2]}
    chars = [[i, allowed[i]] for i in sorted(allowed) if i in slots[: -best[1]]]
    if chars:
        out["slot_chars"] = chars
    return out


def usual_template(text: pd.Series) -> str | None:
    """The template of the most common layout among a sample of ``text`` (None for no values): literal characters
    learned from at least :data:`MIN_TEMPLATE_VALUES` distinct values, else the shape only."""
    sample = _sample_text(text)
    if not sample:
        return None
    shapes = pd.Series(_layouts(sample))
    usual = shapes.mode().iloc[0]  # once: taken per value, it was 90% of a fit on a table with a phone column
    sample = [v for v, s in zip(sample, shapes, strict=True) if s == usual]  # the usual layout
    return _template(sample) if len(set(sample)) >= MIN_TEMPLATE_VALUES else _shape_template(sample)


def keys_needed(text: pd.Series) -> int:
    """The distinct keys a sample of the real size draws from a column of these present values: one a row for a
    unique key, the real distinct count for a repeated one (:data:`UNIQUE_SHARE`)."""
    distinct = int(text.nunique())
    return len(text) if distinct >= UNIQUE_SHARE * len(text) else distinct


def kept_endings(free: int, needed: int, rest: int) -> int:
    """How many of ``free`` unused endings a fit keeps, for ``needed`` keys (:func:`keys_needed`) and ``rest``
    values of the other slots per ending: :data:`MAX_SUFFIXES`, or for a dense format (5-digit zip codes: 4,000 of
    100,000 used) as many as :data:`ROOM_TIMES` × ``needed`` keys take, but never more than
    :data:`MAX_LISTED_SHARE` of those found, so the file never lists every unused ending.

    Each kept ending says "no real value ends so", so the file keeps no more than a sample of
    :data:`ROOM_TIMES` × the real size shows: its keys use about every kept ending. (Session 22 kept room for a
    sample of the real size only, 400 endings for the walk's 4,000 zip codes, so a larger sample got 6-digit zip
    codes; session 21 kept room for twice the real rows.)"""
    if free <= MAX_SUFFIXES:
        return free
    return max(MAX_SUFFIXES, min(int(free * MAX_LISTED_SHARE), -(-ROOM_TIMES * needed // max(rest, 1))))


def same_width_capacity(fmt: dict[str, Any]) -> int:
    """How many distinct values the format can produce (exact: streamed blocks permute that many); of a format
    shared by ``L`` lanes (``fmt["apart"] = [r, L]``, :func:`synth.generated_lanes.apart`), one lane's share."""
    parts = _parse_template(fmt["template"])
    slots = _slots(parts)[: -int(fmt["tail"])]
    whole = len(fmt["suffixes"]) * math.prod(len(_ALPHABETS[parts[i][1]]) for i in slots)
    return whole // lane_count(fmt)


def lane_count(detail: dict[str, Any]) -> int:
    """How many lanes share ``detail``'s values (``detail["apart"] = [r, L]``: lane ``r`` of ``L``), 1 without."""
    apart = detail.get("apart")
    return int(apart[1]) if apart else 1


_Kind = TypeVar("_Kind")


def draw_by_share(
    kinds: Sequence[_Kind],
    shares: Any,
    n: int,
    rng: np.random.Generator,
    draw: Callable[[_Kind, int, np.random.Generator], np.ndarray],
) -> np.ndarray:
    """``n`` values, each row's kind (a layout, a plan) drawn by its share, then every kind's rows drawn together
    by ``draw(kind, count, rng)``, in the order of ``kinds``."""
    shares = np.asarray(shares, dtype=np.float64)
    pick = rng.choice(len(kinds), n, p=shares / shares.sum())
    out = np.empty(n, dtype=object)
    for i, kind in enumerate(kinds):
        rows = np.flatnonzero(pick == i)
        if len(rows):
            out[rows] = draw(kind, len(rows), rng)
    return out


def fill_same_width(fmt: dict[str, Any], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random values of the format, each ending in one of its unused endings (object array of str)."""
    parts = _parse_template(fmt["template"])
    chars = random_chars(parts, n, rng)
    for position, allowed in stored_slot_chars(fmt, parts):  # the characters real values use there (PII layouts)
        pool = np.array(list(allowed), dtype="<U1")
        chars[:, position] = pool[rng.integers(0, len(pool), n)]
    tail = int(fmt["tail"])
    endings = np.array([list(s) for s in fmt["suffixes"]], dtype="<U1").reshape(-1, tail)
    chars[:, _slots(parts)[-tail:]] = endings[rng.integers(0, len(endings), n)]
    if fmt.get("country_codes"):  # phone numbers: the real countries, by their shares
        from synth.generated_country_codes import with_country_codes

        return with_country_codes(joined(chars), fmt, rng)
    return joined(chars)


def stored_slot_chars(fmt: dict[str, Any], parts: list[tuple[bool, str]]) -> list[tuple[int, str]]:
    """``fmt["slot_chars"]`` (:func:`synth.generated_layouts.slot_chars`) as ``(position, characters)`` pairs, each
    a slot of ``parts`` before the endings with characters of its alphabet; none when the stored list is not such
    a list (a model file is input)."""
    stored = fmt.get("slot_chars")
    if not isinstance(stored, list):
        return []
    free = set(_slots(parts)[: -int(fmt["tail"])] if int(fmt["tail"]) else _slots(parts))
    out = []
    for entry in stored:
        if not (
            isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], int) and isinstance(entry[1], str)
        ):
            return []
        position, allowed = entry
        if isinstance(position, bool) or position not in free or not allowed:
            return []
        if not set(allowed) <= set(_ALPHABETS[parts[position][1]]):
            return []
        out.append((position, allowed))
    return out


def repeated_count(distinct: int, rows: int, n: int) -> int:
    """Distinct values for ``n`` rows of a column whose ``rows`` real values hold ``distinct`` distinct ones.

    ``n`` rows drawn from a table like the real one: each value's ``rows / distinct`` rows are all left out
    with probability ``(1 - n / rows) ** (rows / distinct)``; beyond the real size the count grows in step.
    """
    if n <= 0 or rows <= 0 or distinct <= 0:
        return min(max(n, 0), 1)
    if n >= rows:
        return max(1, min(n, round(distinct * n / rows)))
    return max(1, min(n, round(distinct * (1.0 - (1.0 - n / rows) ** (rows / distinct)))))


def repeat_pool(pool: np.ndarray, n: int, rng: np.random.Generator, counts: np.ndarray | None = None) -> np.ndarray:
    """``n`` values using every value of ``pool`` at least once (``n >= len(pool)``), shuffled: ``pool[m]``
    ``counts[m]`` times (they sum to ``n``), or, without ``counts``, the rows beyond the first at random."""
    if counts is not None and n > len(pool):
        out = np.repeat(pool, counts)
        return out[rng.permutation(len(out))]
    extra = pool[rng.integers(0, len(pool), n - len(pool))] if n > len(pool) else pool[:0]
    out = np.concatenate([pool[:n], extra])
    return out[rng.permutation(len(out))]
