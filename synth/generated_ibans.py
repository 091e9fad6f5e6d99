"""Generated IBANs that pass their own check, in the real column's countries and layouts.

Why
    An IBAN column is a key (unique strings, or grouped codes when a household shares an account), so it was
    drawn like any text key: the usual layout with random digits and unused endings. The check digits (places 3
    and 4) were random too, and 99% of the hr walk's synthetic IBANs failed the ISO 13616 mod-97 check every real
    one passes: a payment form, a validator or a test suite fed the synthetic table refused them. A column of
    several countries came back in the most common country's layout alone.

What a fit keeps (:func:`iban_layouts`)
    When at least :data:`~synth.schema.pii.PII_SHARE` of a sample of the values are IBANs with a valid check
    (:func:`synth.schema.pii.iban_share`), each country's layout (its letters, digits and spaces: ``GB99 AAAA 9999
    …`` or unspaced) that at least :data:`~synth.generated_layouts.MIN_LAYOUT_SHARE` of the sample and about
    :data:`~synth.generated_layouts.MIN_LAYOUT_ROWS` rows hold, with at least
    :data:`~synth.generated_formats.MIN_TEMPLATE_VALUES` distinct values: its same-width format with the check
    digits written ``00`` (:func:`synth.generated_shapes.same_width_format`: a template and endings no real value of
    its width has) and its share of rows. Rarer countries are drawn among the kept ones. A country's share says
    where accounts are held, as a category's share would; nothing that names an account.

At sample (:func:`ibans_at`)
    Each row takes a layout by share (from a keyed hash of its position, so a streamed table's blocks agree) and the
    value at its position in that layout's keyed permutation: distinct positions give distinct values, and every
    value ends in an ending no real value of its width has, so none is real. Then the two check digits are computed
    (98 minus the mod-97 remainder of the account, country and ``00``), which changes neither the ending nor
    uniqueness (the digits were the same ``00`` in every value before).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_formats import MIN_TEMPLATE_VALUES, _parse_template, _render, _sample_text, _shape, _template
from synth.generated_layouts import MAX_LAYOUTS, MIN_LAYOUT_ROWS, MIN_LAYOUT_SHARE, _rounded, _valid_format
from synth.generated_shapes import keys_needed, same_width_capacity, same_width_format
from synth.schema.pii import PII_SHARE, iban_share

#: The places of the check digits in an IBAN, spaced or not ("DE20 …", "DE20…").
CHECK_PLACES = (2, 3)


def iban_layouts(present: pd.Series, others: pd.Series | None = None) -> list[list[Any]] | None:
    """Each common country layout of an IBAN column as ``[share, format]`` (see the module docstring), or None when
    the column is not IBANs or no layout is common enough. ``others``: real values of other key columns, whose
    endings are taken too."""
    text = present.dropna().astype(str)
    sample = _sample_text(text)
    if not sample or iban_share(sample) < PII_SHARE:
        return None
    groups = pd.Series([f"{v[:2]}|{_shape(v)}" for v in sample])
    widths = np.fromiter(map(len, text), dtype=np.int64, count=len(text))
    taken = None if others is None else others.dropna().astype(str)
    needed = keys_needed(text)
    kept: list[tuple[float, dict[str, Any]]] = []
    for group, count in groups.value_counts().items():
        share = count / len(sample)
        if share < MIN_LAYOUT_SHARE or share * len(text) < MIN_LAYOUT_ROWS or len(kept) >= MAX_LAYOUTS:
            break  # value_counts is sorted: every later layout is rarer
        values = [v for v, g in zip(sample, groups, strict=True) if g == group]
        if len(set(values)) < MIN_TEMPLATE_VALUES:
            continue
        parts = _parse_template(_template(values))
        if any(parts[i][0] or not parts[i][1].isalpha() for i in (0, 1)):
            continue  # the country code is literal (all agree) or this is no IBAN layout
        parts[CHECK_PLACES[0]] = parts[CHECK_PLACES[1]] = (False, "0")  # computed after the draw
        same_others = None if taken is None else taken[taken.str.len() == len(parts)]
        shaped = same_width_format(text[widths == len(parts)], same_others, _render(parts), needed=needed)
        if shaped is not None:
            kept.append((share, shaped))
    if not kept:
        return None
    shares = _rounded([s for s, _ in kept])
    out = [[s, f] for s, (_, f) in zip(shares, kept, strict=True) if s > 0]
    return out or None


def stored_ibans(stored: Any) -> tuple[np.ndarray, list[dict[str, Any]]] | None:
    """Probabilities and formats of a plan's ``ibans``, or None when they are not as :func:`iban_layouts` writes
    them (a model file is input): each a share from 0 to 1 and a same-width format whose template opens on two
    literal capitals and the literal check digits ``00``."""
    if not isinstance(stored, list) or not 1 <= len(stored) <= MAX_LAYOUTS:
        return None
    shares, formats = [], []
    for entry in stored:
        if not isinstance(entry, list) or len(entry) != 2 or not _valid_format(entry[1]):
            return None
        share, fmt = entry
        if isinstance(share, bool) or not isinstance(share, int | float) or not (0 <= share <= 1):
            return None
        parts = _parse_template(fmt["template"])
        if len(parts) < 15 or any(is_slot for is_slot, _ in parts[:4]):
            return None
        head = "".join(ch for _, ch in parts[:4])
        if not (head[:2].isascii() and head[:2].isalpha() and head[:2].isupper()) or head[2:] != "00":
            return None
        shares.append(float(share))
        formats.append(fmt)
    weights = np.array(shares, dtype=np.float64)
    if weights.sum() <= 0:
        return None
    return weights / weights.sum(), formats


def fits_ibans(detail: dict[str, Any], count: int) -> bool:
    """Whether ``count`` keys come as IBANs: the plan holds valid IBAN layouts, each with room for a key a row
    (a row's value is its position in the layout's permutation)."""
    stored = stored_ibans(detail.get("ibans"))
    return stored is not None and all(same_width_capacity(f) >= count for f in stored[1])


def ibans_at(stored: Any, rows: np.ndarray, key: int, shares: np.ndarray | None = None) -> np.ndarray:
    """The IBANs at positions ``rows`` of a table under permutation key ``key`` (see the module docstring);
    ``shares``: each row's own layout shares (rows × layouts, :func:`iban_shares`) instead of the column's."""
    from synth.sampling.identifiers import column_key, same_width_at

    checked = stored_ibans(stored)
    if checked is None:
        raise ValueError("not IBAN layouts")
    probs, formats = checked
    rows = np.asarray(rows, dtype=np.uint64)
    u = _keyed_uniform(rows, key)
    if shares is not None and shares.shape == (len(rows), len(formats)):
        cumulative = np.cumsum(shares, axis=1)
        which = np.minimum((cumulative <= (u * cumulative[:, -1])[:, None]).sum(axis=1), len(formats) - 1)
    else:
        which = np.searchsorted(np.cumsum(probs)[:-1], u, side="right")
    out = np.empty(len(rows), dtype=object)
    for j, fmt in enumerate(formats):
        at = which == j
        if at.any():
            out[at] = with_check_digits(same_width_at(fmt, rows[at], column_key(key, "iban layout", j)))
    return out


#: IBANs of a column whose levels are read for the country they follow (a seeded sample above this many).
LEVEL_SAMPLE = 20_000


def iban_levels(present: pd.Series, stored: Any, data: pd.DataFrame, schema: Any) -> dict[str, Any] | None:
    """The category column whose levels say which country's layout an IBAN takes (an account's ``country``), with
    each level's layout shares as :func:`synth.generated_locale_levels.predicting_levels` keeps them (codes: the
    layouts' positions in ``stored``, as text); None for a single layout or when no column predicts it.

    A bank's export pairs each account's IBAN country with its holder's country: drawn by the column's shares
    alone, two synthetic accounts in three had a British IBAN beside a French or Dutch country (session 40)."""
    from synth.generated_locale_levels import predicting_levels

    checked = stored_ibans(stored)
    if checked is None or len(checked[1]) < 2:
        return None
    sample = present.dropna().astype(str)
    if len(sample) > LEVEL_SAMPLE:
        sample = sample.sample(LEVEL_SAMPLE, random_state=0)
    # A value's layout: its country and width (spaced or not), as iban_layouts grouped them.
    layouts = {(f["template"][:2], len(_parse_template(f["template"]))): j for j, f in enumerate(checked[1])}
    which = pd.Series([layouts.get((v[:2], len(v)), -1) for v in sample], index=sample.index)
    return predicting_levels(which[which >= 0], _layout_codes(checked[1]), data, schema)


def _layout_codes(formats: list[dict[str, Any]]) -> list[str]:
    """The codes a level's shares name the layouts by: their positions in the plan's ``ibans``, as text."""
    return [str(j) for j in range(len(formats))]


def iban_shares(detail: dict[str, Any], body: pd.DataFrame | None) -> np.ndarray | None:
    """Each row of ``body``'s layout shares (rows × layouts) from the level it holds of the column the plan's IBANs
    follow (:func:`iban_levels`), or None when they follow none or ``body`` says nothing of the rows."""
    from synth.generated_locale_levels import row_shares

    if body is None or "iban_levels" not in detail:
        return None
    checked = stored_ibans(detail.get("ibans"))
    if checked is None:
        return None
    shares = row_shares(detail["iban_levels"], _layout_codes(checked[1]), checked[0], body)
    return shares if shares.ndim == 2 else None


def _keyed_uniform(rows: np.ndarray, key: int) -> np.ndarray:
    """A uniform number in [0, 1) for each row position, fixed by ``key`` (splitmix64 of the position)."""
    with np.errstate(over="ignore"):
        z = rows.astype(np.uint64) + np.uint64(key & 0xFFFFFFFFFFFFFFFF) * np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
    return (z >> np.uint64(11)).astype(np.float64) / float(2**53)


def with_check_digits(values: np.ndarray) -> np.ndarray:
    """IBANs of one width with their check digits (places 3 and 4) computed: ISO 7064 MOD 97-10 over the account,
    the country code and ``00``, letters read A = 10 … Z = 35, spaces skipped; the digits are 98 minus the
    remainder, so the whole value leaves 1."""
    if len(values) == 0:
        return np.asarray(values, dtype=object)
    width = len(values[0])
    codes = np.array(list(values), dtype=f"<U{width}").view(np.uint32).reshape(-1, width).copy()
    codes[:, list(CHECK_PLACES)] = ord("0")
    remainder = np.zeros(len(codes), dtype=np.int64)
    for place in [*range(4, width), 0, 1, 2, 3]:
        c = codes[:, place].astype(np.int64)
        digit = (c >= 48) & (c <= 57)
        letter = (c >= 65) & (c <= 90)
        remainder = np.where(digit, (remainder * 10 + c - 48) % 97, remainder)
        remainder = np.where(letter, (remainder * 100 + c - 55) % 97, remainder)
    check = 98 - remainder
    codes[:, CHECK_PLACES[0]] = ord("0") + check // 10
    codes[:, CHECK_PLACES[1]] = ord("0") + check % 10
    return np.ascontiguousarray(codes).view(f"<U{width}").ravel().astype(object)


def repeated_ibans_by_level(plans: Sequence[Any], frame: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """``frame`` (conformed rows, people held) with each repeated IBAN key of ``plans`` drawn again in the country
    layout of the level its first row holds (:func:`iban_levels`): an account's rows hold one country, and the key
    drawn for them, from a pool with no rows in view, took any country's layout. Each distinct key gets its own new
    one (keyed positions: distinct, and, like every generated key, never real); missing keys stay missing. ``frame``
    itself when no key follows a column."""
    out = frame
    for plan in plans:
        detail = plan.detail
        if "distinct" not in detail or "iban_levels" not in detail or plan.name not in frame.columns:
            continue
        codes, uniques = pd.factorize(frame[plan.name], use_na_sentinel=True)
        present = np.flatnonzero(codes >= 0)
        if not len(uniques) or not fits_ibans(detail, len(uniques)):
            continue
        first = present[np.unique(codes[present], return_index=True)[1]]  # each key's first row, in code order
        shares = iban_shares(detail, frame.iloc[first])
        if shares is None:
            continue
        fresh = ibans_at(detail["ibans"], np.arange(len(uniques), dtype=np.uint64), int(rng.integers(0, 2**63)), shares)
        drawn = np.full(len(frame), None, dtype=object)
        drawn[present] = fresh[codes[present]]
        out = out.copy(deep=False) if out is frame else out
        out[plan.name] = pd.Series(drawn, index=frame.index, dtype=object)
    return out
