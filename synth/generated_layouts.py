"""Every common layout of a column, not only the usual one: phone numbers and postcodes keep their mix of layouts.

Why
    A phone column written by many hands holds many layouts: the clinic walk's patients' numbers come as
    ``+441314960513``, ``02074960054``, ``(0191) 496 0182``, ``+44(0)121 496 0271`` and eight more, none of them on
    more than 13% of the rows. Drawn in the usual layout alone (:func:`synth.generated_shapes.same_width_format`),
    every synthetic number was ``+44…`` with twelve digits; the UK postcodes of six layouts (``A9 9AA`` …
    ``AA9A 9AA``) all came out ``AA9 9AA``. A dashboard, a parser or a test suite fed the synthetic table then never
    meets the layouts the real one holds.

What a fit keeps (:func:`layout_formats`)
    Each layout (:func:`synth.generated_formats._layouts`) that at least :data:`MIN_LAYOUT_SHARE` of a sample of the
    values and about :data:`MIN_LAYOUT_ROWS` rows hold, with at least
    :data:`~synth.generated_formats.MIN_TEMPLATE_VALUES` distinct values in the sample (so its literal characters,
    where all of them agree, are never one person's), up to :data:`MAX_LAYOUTS`: its same-width format (template
    and endings no real value of its width has, exactly as for the usual layout), and its share of rows rounded to
    :data:`SHARE_STEP`. Rarer layouts are not kept; their rows are drawn among the kept ones. A layout's share says
    how a column is written, as a category's share would: nothing that names a value.

At sample (:func:`fill_layouts`)
    Each row draws a layout by share and a value in it; as for one layout, every value ends in an ending no real
    value of its width has, so none is real.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any

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
)
from synth.generated_shapes import draw_by_share, fill_same_width, keys_needed, same_width_format

#: A layout is kept when at least this share of the sampled values has it.
MIN_LAYOUT_SHARE = 0.02
#: ... and about this many rows of the whole column (the share of the sample times the present values).
MIN_LAYOUT_ROWS = 20
#: At most this many layouts are kept, the most common first.
MAX_LAYOUTS = 32
#: Shares are stored rounded to this step.
SHARE_STEP = 0.01


def layout_formats(
    present: pd.Series,
    others: pd.Series | None,
    finish: Callable[[pd.Series | None, dict[str, Any]], dict[str, Any] | None],
) -> tuple[dict[str, Any] | None, list[list[Any]]]:
    """The usual layout's format as stored (None: no format at all), and the column's other common layouts, each as
    ``[share, format]``, after the usual one's share: ``[[share of usual], [share, format], ...]`` (an empty list when
    the usual layout is the only common one).

    Every layout's format, the usual one's included, is searched once (:meth:`_LayoutSearch.format`: same-width endings
    of the characters its values use). ``finish``: called with a layout's own values (None: all of them, when the
    usual layout is the only one kept) and its same-width format, returns the format as stored (a phone's country
    codes, learned from the values given) or None to drop it (a layout with no room for a phone number; the usual
    one: no format at all). ``others``: real values of other columns of the type, whose endings are taken too.
    """
    text = present.dropna().astype(str)
    sample = _sample_text(text)
    if not sample:
        return None, []
    shapes = pd.Series(_layouts(sample))
    search = _LayoutSearch(text, others)
    # The usual layout: the most common in the sample, as synth.generated_shapes.usual_template finds it (its
    # literal characters only when enough distinct values back them). Its format makes room for every key: when
    # the other layouts are not kept, all rows are drawn in it.
    usual_shape = shapes.mode().iloc[0]
    usual_values = [v for v, s in zip(sample, shapes, strict=True) if s == usual_shape]
    common = len(set(usual_values)) >= MIN_TEMPLATE_VALUES
    usual_template = _template(usual_values) if common else _shape_template(usual_values)
    usual = search.format(usual_template, usual_values, search.needed)
    alone = None if usual is None else finish(None, usual)
    if usual is None or alone is None:
        return None, []
    usual_share = 0.0  # unless the usual layout is a common one (not in a column of many rare layouts)
    kept: list[tuple[float, dict[str, Any]]] = []
    for shape, share, values in _common(sample, shapes, len(text)):
        if shape == usual_shape:
            usual_share = share
            continue
        if len(kept) >= MAX_LAYOUTS - 1:
            continue
        template = _template(values)
        if template == usual_template:
            continue
        # The keys to make room for are the layout's share of the column's.
        shaped = search.format(template, values, max(1, math.ceil(share * search.needed)))
        stored = finish(pd.Series(values, dtype=object), shaped) if shaped is not None else None
        if stored is not None:
            kept.append((share, stored))
    if not kept or usual_share == 0.0:
        return alone, []
    # Beside other layouts, the usual one's country codes are its own values' (a +1 layout beside a +49 one: the
    # +1 numbers counted in both made +1 twice as common as it is).
    stored = finish(pd.Series(usual_values, dtype=object), usual)
    if stored is None:
        return alone, []
    shares = _rounded([usual_share, *(s for s, _ in kept)])
    return stored, [[shares[0]], *([s, f] for s, (_, f) in zip(shares[1:], kept, strict=True) if s > 0)]


def _common(sample: list[str], shapes: pd.Series, rows: int) -> Iterator[tuple[Any, float, list[str]]]:
    """Each common layout of a column of ``rows`` present values, most common first, as (its shape, its share of
    ``sample``, its values there): at least :data:`MIN_LAYOUT_SHARE` of the sample, about :data:`MIN_LAYOUT_ROWS`
    rows and :data:`~synth.generated_formats.MIN_TEMPLATE_VALUES` distinct values."""
    for shape, count in shapes.value_counts().items():
        share = count / len(sample)
        if share < MIN_LAYOUT_SHARE or share * rows < MIN_LAYOUT_ROWS:
            return  # value_counts is sorted: every later layout is rarer
        values = [v for v, s in zip(sample, shapes, strict=True) if s == shape]
        if len(set(values)) >= MIN_TEMPLATE_VALUES:
            yield shape, share, values


def searched_layouts(present: pd.Series) -> int:
    """How many layouts' endings :func:`layout_formats` searches at fit for these values (0 for none): the usual
    one and every other common one, at most :data:`MAX_LAYOUTS`. Each search reads the values of its width; the
    fit-time estimate counts them (:func:`synth.audit.calibration.fit_shape`)."""
    text = present.dropna().astype(str)
    sample = _sample_text(text)
    if not sample:
        return 0
    shapes = pd.Series(_layouts(sample))
    usual = shapes.mode().iloc[0]
    others = sum(1 for shape, _, _ in _common(sample, shapes, len(text)) if shape != usual)
    return 1 + min(others, MAX_LAYOUTS - 1)


class _LayoutSearch:
    """The real values one column's layouts are searched against, grouped by width once: each layout's endings are
    checked against the real values of its width only (a fit reads a 200,000-row column once a layout)."""

    def __init__(self, text: pd.Series, others: pd.Series | None) -> None:
        self.text = text
        self.widths = np.fromiter(map(len, text), dtype=np.int64, count=len(text))
        self.others = None if others is None else others.dropna().astype(str)
        self.other_widths = (
            None if self.others is None else np.fromiter(map(len, self.others), dtype=np.int64, count=len(self.others))
        )
        self.needed = keys_needed(text)

    def format(self, template: str, values: list[str], needed: int) -> dict[str, Any] | None:
        """The same-width format of the layout ``template`` (its sampled real ``values``), room for ``needed`` keys:
        endings of the characters its values use (:func:`used_chars`), or of any character when none of those is
        free; None when no ending is free at all."""
        width = len(_parse_template(template))
        same_text = self.text[self.widths == width]
        same_others = None
        if self.others is not None and self.other_widths is not None:
            same_others = pd.Series(self.others.to_numpy()[self.other_widths == width], dtype=object)
        used = used_chars(template, values)
        shaped = same_width_format(same_text, same_others, template, needed=needed, allowed=used)
        if shaped is None and used:  # no ending of the characters used is free: any character, as before
            shaped = same_width_format(same_text, same_others, template, needed=needed)
        return shaped


#: A character counts as used at a place of a layout when at least this many distinct values hold it there.
MIN_CHAR_VALUES = 5


def used_chars(template: str, values: list[str]) -> dict[int, str]:
    """For each slot of ``template`` whose real ``values`` (the layout's, a sample) use only some characters of its
    alphabet there, those characters, by position.

    A UK postcode's inward letters are never C, I, K, M, O or V, an area's first letter never Q, V or X; a UK
    number's first digit after its 0 is 1, 2, 3, 8 or 9: drawn from every letter and digit, synthetic postcodes
    read ``PH1 6II`` and numbers ``(0081) 2280962`` (session 25's walk). A character counts only when at least
    :data:`MIN_CHAR_VALUES` distinct values hold it at that place, so no one value's character is kept."""
    parts = _parse_template(template)
    same = sorted({v for v in values if len(v) == len(parts)})
    if len(same) < MIN_TEMPLATE_VALUES:
        return {}
    codes = np.array(same, dtype=f"<U{len(parts)}").view(np.uint32).reshape(len(same), len(parts))
    used: dict[int, str] = {}
    for position, (is_slot, ch) in enumerate(parts):
        if not is_slot:
            continue
        alphabet = _ALPHABETS[ch]
        chars, counts = np.unique(codes[:, position], return_counts=True)
        held = {chr(int(c)) for c, k in zip(chars, counts, strict=True) if k >= MIN_CHAR_VALUES}
        allowed = "".join(c for c in alphabet if c in held)
        if allowed and len(allowed) < len(alphabet):
            used[position] = allowed
    return used


def _rounded(shares: list[float]) -> list[float]:
    """``shares`` over their sum, rounded to :data:`SHARE_STEP`."""
    total = sum(shares)
    return [float(round(s / total / SHARE_STEP) * SHARE_STEP) for s in shares]


def fill_layouts(usual: dict[str, Any], layouts: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` values, each row in a layout drawn by its share (``layouts`` as :func:`layout_formats` stores them),
    or all in ``usual`` when ``layouts`` is not a valid list (a model file is input)."""
    stored = _stored(layouts)
    if stored is None:
        return fill_same_width(usual, n, rng)
    weights, formats = stored
    return draw_by_share([usual, *formats], weights, n, rng, fill_same_width)


def _stored(layouts: Any) -> tuple[np.ndarray, list[dict[str, Any]]] | None:
    """The shares (the usual layout's first) and the other formats of stored ``layouts``, or None when they are not
    a list as :func:`layout_formats` writes it: a share a finite number from 0 to 1, a format a dict with a template,
    a whole tail of at least 1 and endings of that many characters."""
    if not isinstance(layouts, list) or len(layouts) < 2 or len(layouts) > MAX_LAYOUTS:
        return None
    if not isinstance(layouts[0], list) or len(layouts[0]) != 1:
        return None
    entries = [layouts[0][0]]
    formats = []
    for entry in layouts[1:]:
        if not isinstance(entry, list) or len(entry) != 2 or not _valid_format(entry[1]):
            return None
        entries.append(entry[0])
        formats.append(entry[1])
    if not all(isinstance(s, int | float) and not isinstance(s, bool) and math.isfinite(s) for s in entries):
        return None
    weights = np.array(entries, dtype=np.float64)
    if (weights < 0).any() or (weights > 1).any() or weights.sum() <= 0:
        return None
    return weights, formats


def _valid_format(fmt: Any) -> bool:
    if not isinstance(fmt, dict) or not isinstance(fmt.get("template"), str):
        return False
    tail, suffixes = fmt.get("tail"), fmt.get("suffixes")
    if not isinstance(tail, int) or isinstance(tail, bool) or tail < 1 or not isinstance(suffixes, list):
        return False
    slots = sum(1 for is_slot, _ in _parse_template(fmt["template"]) if is_slot)
    return slots >= tail and bool(suffixes) and all(isinstance(s, str) and len(s) == tail for s in suffixes)
