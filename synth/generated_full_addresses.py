"""A column of whole addresses gets whole addresses back: "Storgata 12, 0155 Oslo", not "Storgata 12".

Fakes of an address column were street lines whatever the real column held, so a column of whole addresses
(street, postcode and city on one line, as Faker's ``address()`` writes them with its lines joined by ", ") came
back half as long, and a parser expecting a postcode found none. Fitting now measures the share of rows written as
whole addresses and the separator between their lines; sampling gives that share of rows whole addresses of their
locale (:func:`synth.generated_locale_draws.local_addresses`) and the rest street lines as before.

How a value is read as whole: each locale's yardstick is the shape of the part Faker writes after the street line
(``"{{postcode}} {{city}}"``: "0155 Oslo"; ja_JP, whose ``address()`` has no street line, the whole address), drawn
200 times: digits as ``9`` (the postcode's width kept), a run of words as ``a`` ("North Debratown, NE 80119" is
``a 99999``), cut to its last words where those tell whole addresses from street lines better, never to a tail
without a digit (a town alone: a street may end in one). A value whose shape ends in one of its locales' shapes is
whole. Some street lines end in such a shape too and some whole addresses in none, so the share read is corrected
by the rates measured on fresh Faker street lines and whole addresses of the locale (``(read - street rate) /
(whole rate - street rate)``); a locale whose rates differ by half or less says nothing (ar_DZ and fr_DZ add a bare
town: nothing to tell), and a share of fewer than :data:`MIN_WHOLE_ROWS` rows is none. Measured with
``python -m benchmarks.bench_locales --whole``: within 0.003 of the real share for seven locales at five shares;
58 of Faker's 67 address locales' whole columns read as whole, no street column. The model file keeps the share
rounded to 1% and the separator (one of :data:`SEPARATORS`): no word or number of a real value.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any
from unicodedata import category

import numpy as np
import pandas as pd

from synth.generated_locales import MIN_LOCALE_ROWS, SAMPLE_VALUES, SHARE_STEP

#: A column's whole addresses are kept only when at least this many rows hold one (as locales are).
MIN_WHOLE_ROWS = MIN_LOCALE_ROWS
#: Separators between an address's lines that a model file may name: "Storgata 12, 0155 Oslo", lines, one space.
SEPARATORS = (", ", "\n", " ")
#: The yardsticks of a column no locale is kept for: en_US's, and en_CA's, whose streets are en_US's, so its
#: whole addresses ("…, NS K7C 1Y2") keep no locale either (they come back as en_US's whole addresses).
_UNKEPT = {"en_US": 0.5, "en_CA": 0.5}
#: Faker addresses per locale that the yardstick and its rates are made of.
_YARDSTICK_SAMPLE = 200
#: A run of words (any script), with the spaces, dots, hyphens and apostrophes inside it.
_WORD_RUN = re.compile(r"a(?:[ .'’\-]*a)*\.?")


def _shape(value: str) -> str:
    """Digits as ``9``, each run of words as one ``a``, commas, line breaks and spaces as one space. A letter is
    any letter or combining mark: Hindi, Bengali and Thai write vowels as marks ("कल्पना"), which as punctuation
    made every town a shape of its own."""
    text = re.sub(r"[\s,;]+", " ", value).strip()
    text = "".join("9" if ch.isdigit() else "a" if ch.isalpha() or category(ch)[0] == "M" else ch for ch in text)
    return _WORD_RUN.sub("a", text)


def _endings(shape: str) -> list[str]:
    """The shape and each of its endings that starts after a space: the tails a whole address may end in."""
    return [shape, *(shape[i + 1 :] for i, ch in enumerate(shape) if ch == " ")]


def _address_provider(faker: Any) -> Any:
    return next(p for p in faker.providers if type(p).__module__.startswith("faker.providers.address"))


@lru_cache(maxsize=64)
def _yardstick(code: str) -> tuple[frozenset[str], float, float]:
    """A locale's tail shapes, and the shares of fresh Faker whole addresses and street lines that end in one.

    The tails are cut to their last words where that tells whole addresses from street lines better: ne_NP's
    whole addresses have no street line to cut off, and no two of 200 share a shape, but nearly all end in a place
    and a postcode (``a 99999``), which its street lines never do."""
    from faker import Faker

    from synth.generated_locales import _street_pool

    faker = Faker(code)
    faker.seed_instance(0)
    formats = list(getattr(_address_provider(faker), "address_formats", ()) or ())
    tails = [f.replace("{{street_address}}", "") for f in formats if "{{street_address}}" in f]
    if tails and len(tails) == len(formats):
        shapes = [
            _shape(faker.parse(tails[int(faker.random_int(0, len(tails) - 1))])) for _ in range(_YARDSTICK_SAMPLE)
        ]
    else:  # ja_JP writes no street line in a whole address: the whole address is its tail
        shapes = [_shape(v) for v in _street_pool(code, _YARDSTICK_SAMPLE, 0, full=True)]
    whole = _street_pool(code, _YARDSTICK_SAMPLE, 1, full=True)
    streets = _street_pool(code, _YARDSTICK_SAMPLE, 1)
    best: tuple[float, frozenset[str], float, float] | None = None
    for words in (None, 4, 3, 2, 1):  # the whole tail first: of equal separations, the longer shape is kept
        # A tail with no digit (a town: "Tiaret") is one a street line may end in too ("Calle Florida").
        cut = frozenset(t for s in shapes if re.search("9", t := " ".join(s.split(" ")[-words:] if words else [s])))
        hit, miss = float(_read_whole(whole, cut).mean()), float(_read_whole(streets, cut).mean())
        if best is None or hit - miss > best[0]:
            best = (hit - miss, cut, hit, miss)
    assert best is not None
    return best[1], best[2], best[3]


def _read_whole(values: list[str], shapes: frozenset[str] | set[str]) -> np.ndarray:
    return np.array([any(e in shapes for e in _endings(_shape(v))) for v in values], dtype=bool)


def whole_addresses(
    pii_type: str | None, present: pd.Series, locales: dict[str, float] | None
) -> dict[str, Any] | None:
    """The share of an address column's rows written as whole addresses, rounded to :data:`SHARE_STEP`, and the
    separator between their lines; None for street lines (or fewer than :data:`MIN_WHOLE_ROWS` whole ones).
    ``locales``: the column's measured locales (:func:`synth.generated_locales.locale_shares`), en_US when None."""
    if pii_type != "address":
        return None
    text = present.dropna().astype(str)
    if len(text) > SAMPLE_VALUES:
        text = text.sample(SAMPLE_VALUES, random_state=0)
    if text.empty:
        return None
    weights = locales or _UNKEPT
    shapes: set[str] = set()
    hit = miss = 0.0
    for code, share in weights.items():
        own, hit_rate, miss_rate = _yardstick(code)
        shapes |= own
        hit, miss = hit + share * hit_rate, miss + share * miss_rate
    total = sum(weights.values())
    hit, miss = hit / total, miss / total
    read = _read_whole(text.tolist(), shapes)
    if hit - miss <= 0.5:  # a yardstick that cannot tell the two apart says nothing
        return None
    share = min(1.0, max(0.0, (read.mean() - miss) / (hit - miss)))
    share = float(round(share / SHARE_STEP) * SHARE_STEP)
    if share * len(present.dropna()) < MIN_WHOLE_ROWS or share <= 0:
        return None
    return {"share": share, "sep": _separator(text[read].tolist(), list(weights))}


def _separator(values: list[str], codes: list[str]) -> str:
    """The separator between lines of the whole addresses ``values``: a line break where they keep theirs, ", "
    where they hold more commas than Faker's own addresses of their locales with lines joined by a space (en_US
    writes "Springfield, IL 62704" on one line), else a space."""
    if not values or sum("\n" in v for v in values) > len(values) / 2:
        return "\n"
    commas = np.mean([v.count(",") for v in values])
    own = np.mean([_faker_commas(code) for code in codes])
    breaks = np.mean([_faker_breaks(code) for code in codes])
    return ", " if breaks > 0 and commas - own >= breaks / 2 else " "


@lru_cache(maxsize=64)
def _faker_commas(code: str) -> float:
    from synth.generated_locales import _street_pool

    return float(np.mean([v.count(",") for v in _street_pool(code, _YARDSTICK_SAMPLE, 2, full=True, sep=" ")]))


@lru_cache(maxsize=64)
def _faker_breaks(code: str) -> float:
    from synth.generated_locales import _street_pool

    return float(np.mean([v.count("\n") for v in _street_pool(code, _YARDSTICK_SAMPLE, 2, full=True, sep="\n")]))


def stored_whole(stored: Any) -> tuple[float, str] | None:
    """The share and separator of a model file's ``whole_addresses``, or None when they are not a share in (0, 1]
    and one of :data:`SEPARATORS` (a model file is input: street lines then, as before)."""
    if not isinstance(stored, dict) or set(stored) != {"share", "sep"}:
        return None
    share, sep = stored["share"], stored["sep"]
    if isinstance(share, bool) or not isinstance(share, int | float) or not isinstance(sep, str):
        return None
    if not math.isfinite(share) or not 0 < share <= 1 or sep not in SEPARATORS:
        return None
    return float(share), sep


def with_whole_addresses(
    code: str, street_seed: int, k: int, rng: np.random.Generator, whole: tuple[float, str]
) -> np.ndarray:
    """``k`` addresses of one locale: ``whole[0]`` of them whole (a seeded pool of Faker ``address()`` values, lines
    joined by ``whole[1]``), the rest street lines (the pool of ``street_seed``, as without whole addresses); every
    number re-drawn (a postcode in its own width, leading zeros kept: "0155" stays four digits)."""
    from synth.generated_locales import _street_pool
    from synth.generated_pii import POOL_SIZE
    from synth.generated_renumbering import renumbered

    share, sep = whole
    is_whole = rng.random(k) < share
    pool = sorted(set(_street_pool(code, POOL_SIZE, int(rng.integers(0, 2**31 - 1)), full=True, sep=sep)))
    out = np.empty(k, dtype=object)
    if not is_whole.all():
        streets = sorted(set(_street_pool(code, POOL_SIZE, street_seed)))
        out[~is_whole] = renumbered(streets, int((~is_whole).sum()), rng)
    if is_whole.any():
        out[is_whole] = renumbered(pool, int(is_whole.sum()), rng, keep_width=True)
    return out
