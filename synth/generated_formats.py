"""Identifier formats: templates learned from real values, and fresh values in a format that are never real.

A template has a literal character where every sampled value agrees and a slot (digit, letter, ...) elsewhere
(:func:`_template`); :func:`disjoint_template` extends it with digits until no real value has its shape, so
generated values are disjoint from real ones by construction. :func:`fresh_identifiers` fills a template at
random, unique and avoiding an in-memory set of real hashes (:func:`hash_values`). See :mod:`synth.generated`
for what a model file keeps.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

#: A format's literal characters are learned from at least this many distinct values.
MIN_TEMPLATE_VALUES = 5
#: Widest extension (in digits) tried to make generated text keys disjoint from the real ones.
_MAX_EXTRA_DIGITS = 6
#: Values sampled from the real column to learn an identifier's format.
_FORMAT_SAMPLE = 2_000
_MAX_ROUNDS = 50


def _shape(value: str) -> str:
    """A format template: digits → 9, letters → A/a, the rest kept."""
    return re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", re.sub(r"\d", "9", value)))


def _layouts(values: list[str]) -> list[str]:
    """Each value's layout (:func:`_shape`), or, where no layout is the usual one, a coarser one that makes it so.

    A UUID's, a hash's or a random token's letters fall at random places, so letter-or-digit shapes differed value
    by value and the "usual" layout was one value's ("aaa99a9aa9…"): generated tokens then kept that value's
    letters and digits in its places. Read with hex digits (then letters and digits) as one class, the values
    share one layout, and :func:`_template` gives each place its class (``\\h``, ``x``, ``*``).
    """
    shapes = [_shape(v) for v in values]
    if not values or pd.Series(shapes).value_counts().iloc[0] >= _USUAL_LAYOUT_SHARE * len(values):
        return shapes
    for chars in _COARSER_CLASSES:
        coarse = ["".join("\x01" if c in chars else c for c in v) for v in values]  # \x01: one of ``chars``
        if pd.Series(coarse).value_counts().iloc[0] >= _USUAL_LAYOUT_SHARE * len(values) and not any(
            c.isalnum() for c in set("".join(coarse))
        ):
            return coarse
    return shapes


def hash_values(values: Any) -> np.ndarray:
    """Sorted unique 64-bit hashes of values as text, for an in-memory ``avoid`` set (never stored in a file)."""
    text = pd.Series(values, dtype=object).dropna().astype(str).to_numpy(dtype=object)
    if len(text) == 0:
        return np.zeros(0, dtype=np.uint64)
    return np.unique(pd.util.hash_array(text, categorize=False))


def _seen(values: np.ndarray, hashes: np.ndarray) -> np.ndarray:
    """Which values (object array of str) hash to one of the sorted ``hashes``."""
    if len(hashes) == 0 or len(values) == 0:
        return np.zeros(len(values), dtype=bool)
    h = pd.util.hash_array(values.astype(object), categorize=False)
    pos = np.minimum(np.searchsorted(hashes, h), len(hashes) - 1)
    return np.asarray(hashes[pos] == h)


#: The format of an identifier column with no value to learn one from.
_DEFAULT_TEMPLATE = "A99999999"
#: A layout is the usual one when it holds at least this share of the values; coarser classes are tried only when
#: no letter-or-digit layout is.
_USUAL_LAYOUT_SHARE = 0.9


def _positions(values: list[str]) -> list[set[str]]:
    """The characters at each position of the values of the most common width (no positions for no values)."""
    if not values:
        return []
    width = int(pd.Series([len(v) for v in values]).mode().iloc[0])
    same = [v for v in values if len(v) == width]
    return [{v[i] for v in same} for i in range(width)]


def _template(values: list[str]) -> str:
    """The format of identifiers: a literal character where every sampled value agrees, else a slot.

    Slots: ``9`` digit, ``A`` upper-case letter, ``a`` lower-case letter, ``\\h`` / ``\\H`` hexadecimal digit
    (lower / upper case: UUIDs and hashes, whose letters are only a–f), ``X`` upper-case letter or digit, ``x``
    lower-case letter or digit, ``*`` any letter or digit. Literal slot characters are escaped with a backslash.
    """
    out: list[str] = []
    for chars in _positions(values):
        if len(chars) == 1 and not (_is_mark(next(iter(chars))) and not _literal_letter(out)):
            ch = next(iter(chars))
            out.append("\\" + ch if ch in _ESCAPED_LITERALS else ch)
        elif all(_is_mark(c) for c in chars):
            # Vowel signs and other combining marks belong to the letter before them ("मोहना", "สมนึก"): after a
            # slot, a literal mark sat on an ASCII letter ("Wु"); it takes that slot's class instead.
            out.append(out[-1] if out and len(out[-1]) == 1 and out[-1] in _BARE_SLOTS else "*")
        elif chars <= _NONZERO and not _after_digit(out):
            # A number no real value starts with 0 (ORD-176864): its keys did not start with 0 either (ORD-076864).
            out.append("\\N")
        elif all(c.isdigit() for c in chars):
            out.append("9")
        elif all(c.isupper() for c in chars):
            out.append("A")
        elif all(c.islower() for c in chars):
            out.append("a")
        elif chars <= _VARIANT_LOWER:  # a UUID's variant nibble, 8, 9, a or b: a random hex digit is no UUID's
            out.append("\\v")
        elif chars <= _VARIANT_UPPER:
            out.append("\\V")
        elif chars <= _HEX_LOWER:
            out.append("\\h")
        elif chars <= _HEX_UPPER:
            out.append("\\H")
        elif all(c.isupper() or c.isdigit() for c in chars):
            out.append("X")
        elif all(c.islower() or c.isdigit() for c in chars):
            out.append("x")
        else:
            out.append("*")
    return "".join(out) or _DEFAULT_TEMPLATE


def _after_digit(out: list[str]) -> bool:
    """Whether a template being built ends on a digit (a slot or a literal): the next digit is not a number's first."""
    return bool(out) and (out[-1] == "\\N" or out[-1][-1].isdigit())


def _is_mark(ch: str) -> bool:
    """A combining mark (Unicode category M: Devanagari and Thai vowel signs, accents written apart)."""
    return unicodedata.category(ch).startswith("M")


def _literal_letter(out: list[str]) -> bool:
    """Whether a template being built ends on a literal letter or mark, which a literal mark may follow."""
    last = out[-1] if out else ""
    return len(last) == 1 and last not in _BARE_SLOTS and (last.isalpha() or _is_mark(last))


_ALPHABETS = {
    "9": string.digits,
    "h": string.digits + "abcdef",
    "H": string.digits + "ABCDEF",
    "A": string.ascii_uppercase,
    "a": string.ascii_lowercase,
    "X": string.ascii_uppercase + string.digits,
    "x": string.ascii_lowercase + string.digits,
    "*": string.ascii_letters + string.digits,
    "N": string.digits[1:],  # a number's first digit where no real value writes a 0 there
    "v": "89ab",  # a version-4 UUID's variant nibble (RFC 4122: 10xx)
    "V": "89AB",
}


#: Slots written as one character in a template.
_BARE_SLOTS = "9AaXx*"
#: Slots written after a backslash (``\\h``: a hexadecimal digit): templates written before they existed escaped
#: only the bare slot characters and the backslash, so ``\\h`` never occurs in them and a bare ``h`` stays literal.
_ESCAPED_SLOTS = "hHNvV"
#: Literal characters a template must escape.
_ESCAPED_LITERALS = _BARE_SLOTS + "\\"
_HEX_LOWER = frozenset(_ALPHABETS["h"])
_HEX_UPPER = frozenset(_ALPHABETS["H"])
_NONZERO = frozenset(_ALPHABETS["N"])
_VARIANT_LOWER = frozenset(_ALPHABETS["v"])
_VARIANT_UPPER = frozenset(_ALPHABETS["V"])
#: Coarser character classes tried, in order, for values with no usual layout (:func:`_layouts`).
_COARSER_CLASSES = (
    _HEX_LOWER,
    _HEX_UPPER,
    frozenset(_ALPHABETS["x"]),
    frozenset(_ALPHABETS["X"]),
    frozenset(_ALPHABETS["*"]),
)


def _parse_template(template: str) -> list[tuple[bool, str]]:
    """``(is_slot, char)`` per position of a template."""
    out: list[tuple[bool, str]] = []
    escaped = False
    for ch in template:
        if escaped:
            out.append((ch in _ESCAPED_SLOTS, ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append((ch in _BARE_SLOTS, ch))
    return out


def _capacity(parts: list[tuple[bool, str]]) -> float:
    cap = 1.0
    for is_slot, ch in parts:
        if is_slot:
            cap *= len(_ALPHABETS[ch])
    return cap


def _widen(parts: list[tuple[bool, str]], needed: float) -> list[tuple[bool, str]]:
    """Turn literal digits into slots (right to left), then first digits 1-9 (``\\N``) into any digit, then append
    digits, until ``needed`` values fit.

    Literal letters (prefixes such as the ``C`` of ``C10090342``) are kept: they carry the format.
    """
    parts = list(parts)
    for i in range(len(parts) - 1, -1, -1):
        if _capacity(parts) >= needed:
            return parts
        is_slot, ch = parts[i]
        if not is_slot and ch in string.digits:
            parts[i] = (True, "9")
    for i in range(len(parts) - 1, -1, -1):  # then a number's first digit may be 0 too, before a digit more
        if _capacity(parts) >= needed:
            return parts
        if parts[i] == (True, "N"):
            parts[i] = (True, "9")
    if _capacity(parts) < needed:
        parts.append((False, "-"))
        while _capacity(parts) < needed:
            parts.append((True, "9"))
    return parts


def random_chars(parts: list[tuple[bool, str]], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` rows of a parsed template's characters (rows × width, ``<U1``): each slot drawn from its alphabet."""
    chars = np.empty((n, len(parts)), dtype="<U1")
    for i, (is_slot, ch) in enumerate(parts):
        if is_slot:
            pool = np.array(list(_ALPHABETS[ch]), dtype="<U1")
            chars[:, i] = pool[rng.integers(0, len(pool), n)]
        else:
            chars[:, i] = ch
    return chars


def joined(chars: np.ndarray) -> np.ndarray:
    """Rows of characters (:func:`random_chars`) as strings, an object array."""
    return np.ascontiguousarray(chars).view(f"<U{chars.shape[1]}").ravel().astype(object)


def _fill(parts: list[tuple[bool, str]], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random strings of a parsed template, as an object array (vectorised)."""
    if not parts:
        return np.full(n, "", dtype=object)
    return joined(random_chars(parts, n, rng))


def _unique_fresh(
    draw: Callable[[int], np.ndarray], n: int, avoid: np.ndarray, *, unique: bool, what: str
) -> np.ndarray:
    """``n`` values from ``draw``, none hashing into ``avoid`` (and all distinct when ``unique``)."""
    out = draw(n)
    bad = _seen(out, avoid)
    if unique:
        bad |= pd.Series(out).duplicated().to_numpy()
    for _ in range(_MAX_ROUNDS):
        redo = np.flatnonzero(bad)
        if len(redo) == 0:
            return out
        fresh = draw(len(redo))
        out[redo] = fresh
        bad = np.zeros(n, dtype=bool)
        bad[redo] = _seen(fresh, avoid)  # values kept from earlier rounds were already checked
        if unique:
            bad |= pd.Series(out).duplicated().to_numpy()
    raise ValueError(
        f"could not generate {n:,} fresh {what} that differ from every real value; the format has too few "
        "possible values. Mark the column as categorical or text instead."
    )


def fresh_identifiers(template: str, avoid: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` unique identifiers in ``template``'s format (see :func:`_template`), none of them real.

    Args:
        template: the format; widened (literal characters become slots, digits are appended) when it cannot
            hold four times ``n`` plus the number of real values.
        avoid: sorted hashes of the real identifiers (:func:`hash_values`).
        n: how many to make.
        rng: the random generator.

    Returns:
        An object array of strings.
    """
    parts = _widen(_parse_template(template), 4.0 * (n + len(avoid)))
    return _unique_fresh(lambda k: _fill(parts, k, rng), n, avoid, unique=True, what="identifiers")


def _sample_text(present: pd.Series, k: int = _FORMAT_SAMPLE) -> list[str]:
    picked = present.sample(k, random_state=0) if len(present) > k else present
    return [str(v) for v in picked]


def _shape_template(values: list[str]) -> str:
    """The format of values with no literal letter or digit: ``9`` digit, ``A``/``a`` letter, punctuation kept.

    Used when too few distinct values back a format, so one person's value cannot become the template.
    """
    out = []
    for chars in _positions(values):
        if all(c.isdigit() for c in chars):
            out.append("9")
        elif all(c.isupper() for c in chars):
            out.append("A")
        elif all(c.islower() for c in chars):
            out.append("a")
        elif all(c.isalnum() or _is_mark(c) for c in chars):  # a combining mark is part of its letter
            out.append("*")
        elif len(chars) == 1 and next(iter(chars)) not in _ESCAPED_LITERALS:
            out.append(next(iter(chars)))
        else:
            out.append("*")
    return "".join(out) or _DEFAULT_TEMPLATE


def _regex(parts: list[tuple[bool, str]]) -> re.Pattern[str]:
    """What a parsed template can produce once every literal digit is a slot too (as :func:`_widen` may do)."""
    classes = {
        "9": r"\d",
        "h": "[0-9a-f]",
        "H": "[0-9A-F]",
        "A": "[A-Z]",
        "a": "[a-z]",
        "X": "[A-Z0-9]",
        "x": "[a-z0-9]",
        "*": "[A-Za-z0-9]",
        "N": r"\d",  # _widen may make it any digit
        "v": "[89ab]",
        "V": "[89AB]",
    }
    pieces = [classes[ch] if is_slot else (r"\d" if ch.isdigit() else re.escape(ch)) for is_slot, ch in parts]
    return re.compile("".join(pieces))


def disjoint_template(present: pd.Series, others: pd.Series | None = None, literal: bool | None = None) -> str:
    """A template of the real values' format that no real value can match: one or more extra digits.

    The real format is learned from a sample (literal characters only from at least
    :data:`MIN_TEMPLATE_VALUES` distinct values); digit slots are added until no real value (all of them are
    checked) has the extended shape, so a generated value can never equal a real one, even after the model is
    saved and loaded with nothing about the real values kept. The digits go into the format's last run of digit
    slots (see :func:`_one_more_digit`), so literal characters after it stay last: JSON text such as
    ``[1, 2, 918]`` (a list column read from Parquet or JSON) becomes ``[1, 2, 9180]``, still JSON, where
    appending gave ``[1, 2, 918]9``. ``others``: real values of other columns the generated ones must not equal
    either (a manager_id's values are employee IDs); they are checked, never learned from. ``literal``: whether
    characters every value agrees on are kept, when the caller knows (False: values of few people, whose shared
    words are theirs; True: values k people hold, whatever their count); by default from
    :data:`MIN_TEMPLATE_VALUES` distinct values.
    """
    sample = _sample_text(present)
    literal = len(set(sample)) >= MIN_TEMPLATE_VALUES if literal is None else literal
    base = _template(sample) if literal else _shape_template(sample)
    real = (present if others is None else pd.concat([present, others])).astype(str).to_numpy(dtype=object)
    parts = _parse_template(base)
    lengths = np.fromiter(map(len, real), dtype=np.int64, count=len(real))
    for _ in range(_MAX_EXTRA_DIGITS):
        parts = _one_more_digit(parts)
        pattern = _regex(parts)
        # Every piece of the pattern is one character: only values of the template's width can match.
        if not any(pattern.fullmatch(v) for v in real[lengths == len(parts)]):
            return _render(parts)
    return _render(parts) + "-9"  # six extra digits still taken: a separator no value of that width has after it


def _one_more_digit(parts: list[tuple[bool, str]]) -> list[tuple[bool, str]]:
    """One more digit slot, right after the last digit slot (at the end when the format has none)."""
    digits = [i for i, (is_slot, ch) in enumerate(parts) if is_slot and ch == "9"]
    at = digits[-1] + 1 if digits else len(parts)
    return [*parts[:at], (True, "9"), *parts[at:]]


def _render(parts: list[tuple[bool, str]]) -> str:
    """A parsed template written back (literal slot characters and backslashes escaped)."""
    return "".join(
        ("\\" + ch if ch in _ESCAPED_SLOTS else ch) if is_slot else ("\\" + ch if ch in _ESCAPED_LITERALS else ch)
        for is_slot, ch in parts
    )
