"""Drawing names and street addresses from the locales a fit kept (:mod:`synth.generated_locales` measures them):
each row's locale by share (or by its row's own shares, :mod:`synth.generated_locale_levels`), then a name from that
locale's weighted lists or a re-numbered street address from a seeded pool of its Faker addresses.

Moved out of :mod:`synth.generated_locales` (session 27), which keeps the measuring.
"""

from __future__ import annotations

import pkgutil
from collections.abc import Iterator
from functools import lru_cache, partial
from typing import Any

import numpy as np

from synth.generated_locales import LOCALE_TYPES, _street_pool, name_locales


def stored_locales(stored: Any, pii_type: str | None) -> tuple[list[str], np.ndarray] | None:
    """Locale codes and their probabilities from a model file's ``locales``, or None when they are not a mapping
    of known locales to finite non-negative shares (a model file is input)."""
    if not isinstance(stored, dict) or not stored or pii_type not in LOCALE_TYPES:
        return None
    known = _address_locales() if pii_type == "address" else name_locales()
    codes = [c for c in stored if isinstance(c, str) and c in known]
    try:
        weights = np.array([float(stored[c]) for c in codes])
    except (TypeError, ValueError):
        return None
    if len(codes) != len(stored) or not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
        return None
    return codes, weights / weights.sum()


@lru_cache(maxsize=1)
def _address_locales() -> frozenset[str]:
    import faker.providers.address as address

    return frozenset(m.name for m in pkgutil.iter_modules(address.__path__))


def _by_share(codes: list[str], probs: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """Each row's locale (an index in ``codes``): by the shares ``probs``, or by its own row of an ``n`` × locales
    ``probs`` (the shares of its row's level, :mod:`synth.generated_locale_levels`)."""
    if probs.ndim == 1:
        return rng.choice(len(codes), size=n, p=probs)
    bounds = np.cumsum(probs, axis=1)
    drawn = rng.random(n)[:, None] * bounds[:, -1:]
    return np.minimum((drawn >= bounds).sum(axis=1), len(codes) - 1)


def _locale_rows(
    codes: list[str], probs: np.ndarray, n: int, rng: np.random.Generator
) -> Iterator[tuple[str, np.ndarray]]:
    """Each locale with the rows (of ``n``) it fakes, drawn by share; locales that drew no row are left out."""
    which = _by_share(codes, probs, n, rng)
    for j, code in enumerate(codes):
        rows = np.flatnonzero(which == j)
        if len(rows):
            yield code, rows


def local_names(
    pii_type: str,
    codes: list[str],
    probs: np.ndarray,
    n: int,
    rng: np.random.Generator,
    hyphenated: float | None = None,
) -> np.ndarray:
    """``n`` names (or first / last names) from the locales' weighted lists, each locale for its share of rows;
    ``hyphenated``: the real share of double-barrelled family names (:mod:`synth.generated_double_names`), which
    then replaces the locales' own hyphenated formats."""
    from synth.generated_double_names import double_barrelled
    from synth.generated_pii import _choice, _join

    out = np.empty(n, dtype=object)
    for code, rows in _locale_rows(codes, probs, n, rng):
        lists = name_locales()[code]
        gender = rng.integers(0, len(lists.pairs), len(rows))
        for g, (firsts, lasts) in enumerate(lists.pairs):
            part = rows[gender == g]
            k = len(part)
            more = partial(_choice, lasts, rng=rng)
            if pii_type != "name":
                picked = _choice(firsts if pii_type == "first_name" else lasts, k, rng)
                if pii_type == "last_name" and hyphenated:
                    picked = double_barrelled(picked, hyphenated, more, rng)
                out[part] = picked
                continue
            first, last = _choice(firsts, k, rng), _choice(lasts, k, rng)
            two_last = lists.two_last if hyphenated is None or lists.joiner == " " else 0.0
            drawn = rng.random(k)
            two = np.flatnonzero(drawn < two_last)  # joined only where drawn: joins cost most
            if len(two):
                last[two] = _join(last[two], lists.joiner, _choice(lasts, len(two), rng))
            if hyphenated:  # the real share, beside (never on) the names the locale joins with a space
                joined = np.flatnonzero((drawn >= two_last) & (drawn < two_last + hyphenated))
                last[joined] = _join(last[joined], "-", more(len(joined)))
            out[part] = _join(last, lists.sep, first) if lists.last_first else _join(first, lists.sep, last)
    return out


def local_addresses(
    codes: list[str], probs: np.ndarray, n: int, rng: np.random.Generator, whole: tuple[float, str] | None = None
) -> np.ndarray:
    """``n`` street addresses from a seeded pool of each locale's Faker addresses, re-numbered
    (:func:`synth.generated_renumbering.renumbered`);
    ``whole``: the share of whole addresses and their separator (:mod:`synth.generated_full_addresses`)."""
    from synth.generated_full_addresses import with_whole_addresses
    from synth.generated_pii import POOL_SIZE
    from synth.generated_renumbering import renumbered

    out = np.empty(n, dtype=object)
    for code, rows in _locale_rows(codes, probs, n, rng):
        seed = int(rng.integers(0, 2**31 - 1))
        if whole is None:
            out[rows] = renumbered(sorted(set(_street_pool(code, POOL_SIZE, seed))), len(rows), rng)
        else:  # the street pool is made there only if a row draws a street line
            out[rows] = with_whole_addresses(code, seed, len(rows), rng, whole)
    return out
