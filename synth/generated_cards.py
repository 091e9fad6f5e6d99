"""Generated card numbers in the real column's card networks and layouts, by share.

Why
    Card numbers were drawn as 16 plain digits starting with 4 (the Visa range) whatever the real column held: a
    column of "5315 8714 8418 5833" (Mastercard, grouped by four) and "3714 496353 98431" (American Express, 15
    digits) came back as "4001065626734986" on every row, a tell at a glance, and a payment form or test suite that
    routes by network saw only Visa.

What a fit keeps (:func:`card_layouts`)
    When at least :data:`~synth.schema.pii.PII_SHARE` of a sample of the values are card numbers (13–19 digits,
    spaces or dashes between groups, a valid Luhn check: :func:`synth.schema.pii.card_share`), each pair of a
    network (read from the number's leading digits, the public issuer ranges of :data:`NETWORKS`) and a layout (the
    group lengths and the separator: ``4 4 4 4`` with spaces, ``4 6 5``, or unspaced) that at least
    :data:`~synth.generated_layouts.MIN_LAYOUT_SHARE` of the sample and about
    :data:`~synth.generated_layouts.MIN_LAYOUT_ROWS` rows hold, with its share of rows rounded to 1%. Rarer pairs
    and numbers of no known network are drawn among the kept ones. A network's share says which cards people pay
    with, as a category's share would; no digit of any number is kept.

At sample (:func:`cards_at`)
    Each value takes a pair by share, a leading range of its network (an issuer prefix drawn from the network's
    public ranges, not the real numbers'), random digits and the Luhn check digit, written in the pair's groups.
    Nothing of a real number enters, so a generated number that equals a real one (one in 10^14 or so) does so by
    chance and says nothing about the data, as before.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_layouts import MIN_LAYOUT_ROWS, MIN_LAYOUT_SHARE, _rounded
from synth.schema.pii import PII_SHARE, card_share

#: Card networks by their public issuer ranges (ISO/IEC 7812 issuer identification numbers): the prefixes a number
#: of the network starts with, as (first, last) inclusive ranges of equal width, most specific first in reading.
NETWORKS: dict[str, tuple[tuple[int, int], ...]] = {
    "amex": ((34, 34), (37, 37)),
    "jcb": ((3528, 3589),),
    "diners": ((300, 305), (36, 36), (38, 39)),
    "visa": ((4, 4),),
    "mastercard": ((51, 55), (2221, 2720)),
    "discover": ((6011, 6011), (644, 649), (65, 65)),
    "unionpay": ((62, 62),),
    "maestro": ((50, 50), (56, 58), (63, 63), (67, 67)),
}
#: At most this many values (a seeded sample) are read.
SAMPLE_VALUES = 5_000
#: A layout's separators: between groups of digits, one kind per value.
SEPARATORS = (" ", "-", "")
_LAYOUT = re.compile(r"\d+(?:([ -])\d+)*")


def network_of(digits: str) -> str | None:
    """The network whose issuer range ``digits`` starts in (:data:`NETWORKS`), None for none."""
    for name, ranges in NETWORKS.items():
        for first, last in ranges:
            width = len(str(first))
            if len(digits) >= width and first <= int(digits[:width]) <= last:
                return name
    return None


def _layout(value: str) -> tuple[str, tuple[int, ...]] | None:
    """A card number's separator and group lengths ("5315 8714 8418 5833" → (" ", (4, 4, 4, 4))), None when it is
    not digits in groups of one separator."""
    match = _LAYOUT.fullmatch(value)
    if match is None:
        return None
    separator = match.group(1) or ""
    groups = tuple(len(g) for g in value.split(separator)) if separator else (len(value),)
    return separator, groups


def card_layouts(present: pd.Series, seed: int = 0) -> list[list[Any]] | None:
    """The networks and layouts of a card column with their shares (see the module docstring), or None when the
    column is not mostly card numbers or no pair is common enough."""
    values = present.astype(str)
    if len(values) > SAMPLE_VALUES:
        values = values.sample(SAMPLE_VALUES, random_state=seed)
    texts = values.tolist()
    if not texts or card_share(texts) < PII_SHARE:
        return None
    counts: Counter[tuple[str, str, tuple[int, ...]]] = Counter()
    for text in texts:
        layout = _layout(text)
        if layout is None:
            continue
        network = network_of(text.replace(" ", "").replace("-", ""))
        if network is not None:
            counts[(network, *layout)] += 1
    scale = len(present) / len(texts)
    kept = [
        (key, count)
        for key, count in counts.most_common()
        if count >= MIN_LAYOUT_SHARE * len(texts) and count * scale >= MIN_LAYOUT_ROWS
    ]
    if not kept:
        return None
    shares = _rounded([float(count) for _, count in kept])
    return [
        [network, separator, list(groups), share]
        for ((network, separator, groups), _), share in zip(kept, shares, strict=True)
        if share > 0
    ] or None


def stored_card_layouts(stored: Any) -> tuple[list[tuple[str, str, tuple[int, ...]]], np.ndarray] | None:
    """The (network, separator, groups) pairs and their probabilities from a plan's ``cards``; None when they are
    not as :func:`card_layouts` writes them (a model file is input: a crafted one falls back to the default)."""
    if not isinstance(stored, list) or not stored:
        return None
    pairs, shares = [], []
    for entry in stored:
        if not (isinstance(entry, list) and len(entry) == 4):
            return None
        network, separator, groups, share = entry
        if network not in NETWORKS or separator not in SEPARATORS or not isinstance(groups, list):
            return None
        if not groups or not all(isinstance(g, int) and not isinstance(g, bool) and g > 0 for g in groups):
            return None
        if not 13 <= sum(groups) <= 19 or (separator == "" and len(groups) != 1):
            return None
        if not (isinstance(share, int | float) and not isinstance(share, bool) and math.isfinite(share)):
            return None
        if not 0 < share <= 1:
            return None
        pairs.append((str(network), str(separator), tuple(int(g) for g in groups)))
        shares.append(float(share))
    weights = np.array(shares, dtype=np.float64)
    return pairs, weights / weights.sum()


def luhn_digits(body: np.ndarray) -> np.ndarray:
    """``body`` (rows of digits) with its Luhn check digit appended to each row."""
    doubled = body[:, ::-1][:, ::2] * 2  # every second digit from the right of the final number
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = doubled.sum(axis=1) + body[:, ::-1][:, 1::2].sum(axis=1)
    return np.column_stack([body, (10 - total % 10) % 10])


def _with_prefixes(body: np.ndarray, network: str, rng: np.random.Generator) -> np.ndarray:
    """``body`` (rows of digits) with its leading digits set to issuer prefixes of ``network``, each range
    weighted by how many four-digit prefixes it holds."""
    ranges = NETWORKS[network]
    weights = np.array([(last - first + 1) * 10 ** (4 - len(str(first))) for first, last in ranges], dtype=np.float64)
    picks = rng.choice(len(ranges), len(body), p=weights / weights.sum())
    for r, (first, last) in enumerate(ranges):
        rows = np.flatnonzero(picks == r)
        width = len(str(first))
        prefixes = rng.integers(first, last + 1, len(rows))
        body[rows, :width] = (prefixes[:, None] // 10 ** np.arange(width - 1, -1, -1)) % 10
    return body


def cards_at(stored: Any, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` card numbers in the kept networks and layouts by share (see the module docstring); raises ValueError
    when ``stored`` is not valid (:func:`stored_card_layouts`)."""
    kept = stored_card_layouts(stored)
    if kept is None:
        raise ValueError("not a card column's stored layouts")
    pairs, probs = kept
    picks = rng.choice(len(pairs), n, p=probs)
    out = np.empty(n, dtype=object)
    for k, (network, separator, groups) in enumerate(pairs):
        rows = np.flatnonzero(picks == k)
        if not len(rows):
            continue
        body = _with_prefixes(rng.integers(0, 10, (len(rows), sum(groups) - 1)), network, rng)
        chars = (luhn_digits(body) + ord("0")).astype(np.uint8)
        if separator:  # a separator column before every group but the first
            chars = np.insert(chars, np.cumsum(groups)[:-1], ord(separator), axis=1)
        width = chars.shape[1]
        out[rows] = np.ascontiguousarray(chars).view(f"S{width}").ravel().astype(str).astype(object)
    return out
