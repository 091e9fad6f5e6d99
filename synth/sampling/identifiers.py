"""Identifiers that stay unique when a table is drawn in independent blocks, on any number of workers.

A block cannot see the identifiers other blocks made, so drawing them at random and removing duplicates (what a
single :meth:`Synthesizer.sample` call does) would repeat values across blocks. Instead row ``i`` of the table
gets ``π(i)`` where ``π`` is a keyed permutation of every value the identifier's format can hold: distinct rows
get distinct values by construction, whichever worker draws them, and the values still look random. Each column
has a key of its own, drawn from the run's and its name (:func:`column_key`), so two columns of one format differ.

``π`` is a four-round Feistel network on the smallest even power of two covering the format's capacity, made a
permutation of ``[0, capacity)`` by cycle walking. A value that equals a real identifier (compared through the
64-bit hashes fitting kept) is replaced by ``π(i + t·N)`` for the first ``t = 1, 2, …`` that is not real: the
inputs ``i + t·N`` of different rows never coincide, so uniqueness survives the replacement.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from synth.generated import _ALPHABETS, _parse_template, _seen, _widen
from synth.generated_formats import joined

#: With real hashes to avoid (files from before disjointness by construction), the format is widened until it
#: holds this many times the rows (plus the real values), so replacement inputs ``i + t·N`` up to
#: ``t = SPREAD - 1`` stay inside the permuted range.
SPREAD = 16
_ROUNDS = 4
_MASK64 = np.uint64(0xFFFFFFFFFFFFFFFF)
#: The most values a :class:`Permutation` numbers.
_PERMUTABLE = 2**64 - 1
#: Stands in, while encoding, for a slot :func:`_fill_high` fills (never a slot or template character: a control
#: character no alphabet holds).
_HIGH = "\x00"


def _mix(x: np.ndarray) -> np.ndarray:
    """SplitMix64's finaliser: a fast, well-mixed 64-bit hash (wrapping arithmetic is intended)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


class Permutation:
    """A keyed bijection of ``[0, size)`` onto itself, vectorised over numpy arrays."""

    def __init__(self, size: int, key: int) -> None:
        if size < 1:
            raise ValueError(f"a permutation needs a size of at least 1, got {size}")
        self.size = int(size)
        bits = max(2, (self.size - 1).bit_length())
        self.half = (bits + 1) // 2
        if 2 * self.half > 64:
            raise ValueError(f"identifier space of {size:,} values is too large to permute (at most 2**64)")
        self.mask = np.uint64((1 << self.half) - 1)
        keys = np.random.SeedSequence(int(key)).generate_state(_ROUNDS, dtype=np.uint64)
        self.keys = [np.uint64(k) for k in keys]

    def _encrypt(self, x: np.ndarray) -> np.ndarray:
        left = x >> np.uint64(self.half)
        right = x & self.mask
        for k in self.keys:
            left, right = right, left ^ (_mix(right ^ k) & self.mask)
        return (left << np.uint64(self.half)) | right

    def __call__(self, x: np.ndarray) -> np.ndarray:
        out = self._encrypt(np.asarray(x, dtype=np.uint64))
        # Cycle walking: the network permutes [0, 4^half), which is under 4 × size, so few values walk again.
        outside = np.flatnonzero(out >= np.uint64(self.size))
        while len(outside):
            out[outside] = self._encrypt(out[outside])
            outside = outside[out[outside] >= np.uint64(self.size)]
        return out


def column_key(key: int, name: str, purpose: int = 4) -> int:
    """A permutation key of its own for column ``name`` (and ``purpose``) of the table whose key is ``key``.

    Two unique key columns of one format and kept endings drew through the table's one key and held the same value
    in every row of a streamed table (session 22); a single sample draws each column with a key of its own."""
    # The whole name as one number (a leading 1 keeps "a" and "a\0" apart): a 32-bit hash of it let two names
    # collide.
    name_number = int.from_bytes(b"\x01" + str(name).encode("utf-8", "surrogatepass"), "big")
    words = [int(key) & 0xFFFFFFFFFFFFFFFF, name_number, int(purpose)]
    return int(np.random.SeedSequence(words).generate_state(1, dtype=np.uint64)[0])


def _encode_chars(values: np.ndarray, parts: list[tuple[bool, str]]) -> np.ndarray:
    """Integers in ``[0, capacity)`` written in the template's slots (mixed radix, last slot fastest), as rows of
    characters (rows × width, ``<U1``)."""
    chars = np.empty((len(values), len(parts)), dtype="<U1")
    rest = values.copy()
    for i in range(len(parts) - 1, -1, -1):
        is_slot, ch = parts[i]
        if is_slot:
            alphabet = np.array(list(_ALPHABETS[ch]), dtype="<U1")
            radix = np.uint64(len(alphabet))
            chars[:, i] = alphabet[(rest % radix).astype(np.int64)]
            rest //= radix
        else:
            chars[:, i] = ch
    return chars


def _encode(values: np.ndarray, parts: list[tuple[bool, str]]) -> np.ndarray:
    """Integers in ``[0, capacity)`` written in the template's slots, as strings (object array)."""
    return joined(_encode_chars(values, parts))


def _permuted(parts: list[tuple[bool, str]], first: int = 1) -> tuple[list[tuple[bool, str]], int]:
    """The slots a 64-bit permutation can number and their count of values (times ``first``, the values of
    slots numbered before them): the longest run of last slots whose values fit under 2**64. The other slots come
    back as literal placeholders, filled by :func:`_fill_high`.

    A UUID or a 32-character hash holds 2**128 values; numbering all of them from a 64-bit permutation left every
    leading slot at its alphabet's first character ("00000000-0000-0138-…"). Only the permuted slots need to
    be distinct between rows; the leading ones are drawn from a keyed hash, so they look as random as real ones.
    """
    size, out = int(first), list(parts)
    full = True
    for i in range(len(parts) - 1, -1, -1):
        is_slot, ch = parts[i]
        if not is_slot:
            continue
        radix = len(_ALPHABETS[ch])
        if full and size * radix <= _PERMUTABLE:
            size *= radix
        else:
            full = False
            out[i] = (False, _HIGH)
    return out, size


def _fill_high(chars: np.ndarray, parts: list[tuple[bool, str]], seeds: np.ndarray, key: int) -> np.ndarray:
    """``chars`` with the placeholder slots :func:`_permuted` left filled from a keyed hash of ``seeds`` (the
    permutation's inputs: one per row, so a streamed row gets the same characters whichever block draws it)."""
    salts = np.random.SeedSequence([int(key), 1]).generate_state(len(parts), dtype=np.uint64)
    seeds = np.asarray(seeds, dtype=np.uint64)
    for i, (is_slot, ch) in enumerate(parts):
        if is_slot and (chars[:, i] == _HIGH).any():
            alphabet = np.array(list(_ALPHABETS[ch]), dtype="<U1")
            chars[:, i] = alphabet[(_mix(seeds ^ salts[i]) % np.uint64(len(alphabet))).astype(np.int64)]
    return chars


def _encode_wide(
    values: np.ndarray, parts: list[tuple[bool, str]], permuted: list[tuple[bool, str]], seeds: np.ndarray, key: int
) -> np.ndarray:
    """Permuted integers written in ``permuted``'s slots, the others from :func:`_fill_high`, as strings."""
    return joined(_fill_high(_encode_chars(values, permuted), parts, seeds, key))


def block_identifiers(
    template: str, avoid: np.ndarray, first_row: int, n: int, total_rows: int, key: int
) -> np.ndarray:
    """Identifiers of rows ``[first_row, first_row + n)`` of a ``total_rows``-row table, unique over the table.

    Args:
        template: the identifier format learned at fit (see :func:`synth.generated._template`).
        avoid: sorted 64-bit hashes of the real identifiers; none of them is produced.
        first_row: global index of the first row.
        n: rows in this block.
        total_rows: rows in the whole table (every block of one table must pass the same value).
        key: the permutation key, the same for every block of one table.

    Returns:
        An object array of ``n`` strings.
    """
    return identifiers_at(template, avoid, np.arange(first_row, first_row + n, dtype=np.uint64), total_rows, key)


def _in_lane(inputs: np.ndarray, size: int, key: int, apart: Any = None) -> np.ndarray:
    """``π(inputs)`` for a keyed permutation ``π`` of ``[0, size)``; for lane ``r`` of ``L`` sharing the format
    (``apart = [r, L]``, :func:`synth.generated_lanes.apart`), ``π(inputs) · L + r`` with ``π`` a permutation of
    ``[0, size // L)``: each lane its own residue, so two lanes never draw one value (each column is still keyed by
    its own ``key``: nothing is shared between columns but the format)."""
    if not apart:
        return Permutation(size, key)(inputs)
    lane, lanes = int(apart[0]), int(apart[1])
    # max(…, 1): a table of no rows draws nothing, whatever the share.
    return Permutation(max(size // lanes, 1), key)(inputs) * np.uint64(lanes) + np.uint64(lane)


def identifiers_at(
    template: str, avoid: np.ndarray, rows: np.ndarray, total_rows: int, key: int, apart: Any = None
) -> np.ndarray:
    """The identifiers of the rows at positions ``rows`` (each in ``[0, total_rows)``): what
    :func:`block_identifiers` gives those rows, for positions in any order (a repeated key's pool members).
    ``apart``: ``[r, L]`` for lane ``r`` of ``L`` key columns sharing the template (:func:`_in_lane`).

    Raises:
        ValueError: a row found only real identifiers among its ``SPREAD`` candidates (the format barely
            exceeds the real values; mark the column as categorical or text).
    """
    # Replacements (``i + t·N``) are needed only for an older file's real hashes; without them the format is
    # widened as a sample's is (four values a row), so a streamed table's keys are as wide as a sampled one's.
    spread = SPREAD if len(avoid) else 4
    # L lanes share the format: each takes one residue of its values, so it must hold L times as many.
    lanes = int(apart[1]) if apart else 1
    parts = _widen(_parse_template(template), float(spread) * (total_rows + len(avoid)) * lanes)
    permuted, size = _permuted(parts)
    rows = np.asarray(rows, dtype=np.uint64)
    out = _encode_wide(_in_lane(rows, size, key, apart), parts, permuted, rows, key)
    bad = np.flatnonzero(_seen(out, avoid))
    for t in range(1, SPREAD):
        if len(bad) == 0:
            return out
        inputs = rows[bad] + np.uint64(t * total_rows)
        candidates = _encode_wide(_in_lane(inputs, size, key, apart), parts, permuted, inputs, key)
        out[bad] = candidates
        bad = bad[_seen(candidates, avoid)]
    if len(bad):
        raise ValueError(
            f"could not find identifiers that differ from every real value for {len(bad):,} rows; the format "
            "has too few possible values. Mark the column as categorical or text instead."
        )
    return out


def block_same_width(fmt: dict[str, Any], first_row: int, n: int, key: int) -> np.ndarray:
    """Identifiers of rows ``[first_row, first_row + n)`` in the real values' own width, unique over the table.

    Row ``i`` gets value ``π(i)`` of the format, numbered with its unused ending fastest: every value ends in an
    ending no real value has, so none is real, and ``π`` is a bijection, so no two rows share one. (Blocks used to
    take the one-digit-longer template, so a streamed table's keys were a digit longer than a sampled one's.)
    """
    return same_width_at(fmt, np.arange(first_row, first_row + n, dtype=np.uint64), key)


def same_width_at(fmt: dict[str, Any], rows: np.ndarray, key: int) -> np.ndarray:
    """What :func:`block_same_width` gives the rows at positions ``rows``, for positions in any order."""
    parts = _parse_template(fmt["template"])
    tail = [i for i, (is_slot, _) in enumerate(parts) if is_slot][-int(fmt["tail"]) :]
    endings = np.array([list(s) for s in fmt["suffixes"]], dtype="<U1").reshape(-1, len(tail))
    # The other slots take the quotient; the ending's slots are filled from the remainder.
    head = [(False, " ") if i in tail else part for i, part in enumerate(parts)]
    permuted, size = _permuted(head, len(endings))
    rows = np.asarray(rows, dtype=np.uint64)
    values = _in_lane(rows, size, key, fmt.get("apart"))
    radix = np.uint64(len(endings))
    chars = _fill_high(_encode_chars(values // radix, permuted), head, rows, key)
    chars[:, tail] = endings[(values % radix).astype(np.int64)]
    return joined(chars)
