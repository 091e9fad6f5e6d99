"""E-mail addresses that follow the name of their row: anna.schmidt@…, aschmidt@…, anna_schmidt12@….

Generated e-mails were made of two random Faker names ("mary.jones4@example.com" beside the name "Luis Ortega"),
while real tables mostly build an address from its owner's name. A fit now reads, on the rows that have both, how
each real address's local part is made from the same row's name, as one of a fixed list of patterns
(:data:`TEMPLATES`: ``{first}.{last}``, ``{f}{last}``, ``{last}_{first}``, ``{title}.{first}.{last}``, …, with
one of four separators, then digits or none: ``{first}.{last}{##}``). It keeps each pattern at least
:data:`MIN_PATTERN_ROWS` rows follow, with its share of rows rounded to 1% (the rule for locales and country
codes); the model file holds those pattern names, their shares and the name columns' names: no name, address,
letter or digit of a real value. A sample builds each row's address from its *generated* name in a pattern drawn
by share; the remaining share, and rows whose name is missing or has no letters to write, get the usual fake
address. Domains stay the reserved ones the real column does not use (:func:`synth.generated_pii.unused_email_domains`),
so a generated address still equals no real one.

Names are written in ASCII: letters of other scripts are transliterated with Faker's own ``unidecode``
(Zoë → zoe, Łukasz → lukasz, Иван → ivan), as real local parts usually are; a real German "mueller" for Müller
counts as following the name too. A name's first and last words (past a title) are its ``first`` and ``last``, in
the order the name is written; the words between are middle names or, of one letter, initials.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from synth.schema.pii import world_titles

#: A pattern is kept only when at least this many rows follow it.
MIN_PATTERN_ROWS = 20
#: Shares are stored rounded to this step.
SHARE_STEP = 0.01
#: At most this many rows (a seeded sample) are read: a share to about ±1 point, for 0.05 s of a fit (5,000 rows
#: cost 0.11 s of CPU on a 24,000-row table, half again the generated columns' whole fit before).
SAMPLE_ROWS = 2_000
#: How a local part is built from a name's parts, in the order a row is matched against them (the first that
#: fits wins). ``f`` / ``l``: the first / last name's initial; ``m``: the middle initials; ``title``: Mr, Ms, Dr ….
TEMPLATES: tuple[tuple[str, ...], ...] = (
    ("first", "last"),
    ("f", "last"),
    ("last", "first"),
    ("first", "l"),
    ("last", "f"),
    ("first", "m", "last"),
    ("first", "middle", "last"),
    ("title", "first", "last"),
    ("first",),
    ("last",),
)
SEPARATORS = (".", "_", "-", "")
#: Digits after the name: none, or 1 to 6 of them after one of :data:`SEPARATORS` (a customer number).
_MAX_DIGITS = 6
_LETTERS = re.compile(r"[^a-z0-9]")
_LETTERS_OR_HYPHEN = re.compile(r"[^a-z0-9-]")
_LOCAL = re.compile(r"[^a-z0-9._-]")
#: Stands between middle names until a pattern's separator replaces it.
_JOIN = "\x00"
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
_TAIL = re.compile(r"(.*?)([._-]?)(\d{1,6})")


def _pattern(template: tuple[str, ...], sep: str, digit_sep: str, digits: int) -> str:
    name = sep.join("{" + part + "}" for part in template)
    return name + (digit_sep + "{" + "#" * digits + "}" if digits else "")


@lru_cache(maxsize=1)
def known_patterns() -> dict[str, tuple[tuple[str, ...], str, str, int]]:
    """Every pattern name (``{first}.{last}_{##}``) → (template, separator, digits' separator, digits)."""
    out: dict[str, tuple[tuple[str, ...], str, str, int]] = {}
    tails = [("", 0)] + [(s, d) for s in SEPARATORS for d in range(1, _MAX_DIGITS + 1)]
    for template, sep, (digit_sep, digits) in itertools.product(TEMPLATES, SEPARATORS, tails):
        if len(template) == 1 and sep:  # one part has no separator: "{first}" once, not four times
            continue
        out[_pattern(template, sep, digit_sep, digits)] = (template, sep, digit_sep, digits)
    return out


@lru_cache(maxsize=65_536)
def _ascii(text: str, german: bool = False, hyphen: bool = True) -> str:
    """A word in lower-case ASCII letters and digits, a double-barrelled name's hyphen kept or not."""
    from faker.decode import unidecode

    letters = _LETTERS_OR_HYPHEN if hyphen else _LETTERS
    return letters.sub("", unidecode(text.translate(_GERMAN) if german else text).lower()).strip("-")


def name_parts(name: Any, last: Any = None, german: bool = False, hyphen: bool = True) -> dict[str, str] | None:
    """A name's parts as ASCII: ``first``, ``last``, their initials ``f`` / ``l``, middle initials ``m``, middle
    names ``middle`` and ``title``; from a full name, or from a first and a last name (``last``). None without a
    first and a last name that have letters to write. ``german``: Müller as mueller; ``hyphen``: keep the hyphen of
    Robinson-Hardy."""
    if last is not None:
        if not isinstance(name, str) or not isinstance(last, str):
            return None
        title, words, middles = "", [name, last], []
    else:
        if not isinstance(name, str):
            return None
        words = name.split()
        title = words[0] if len(words) > 2 and words[0].lower().strip(".") in world_titles() else ""
        words = words[bool(title) :]  # a title only opens a name: "Bishop" and "Bibi" are titles too somewhere
        middles = words[1:-1]  # "Mary J. Lopez", "Colin Johnston Parry"
    if len(words) < 2:
        return None
    first, family = _ascii(words[0], german, hyphen), _ascii(words[-1], german, hyphen)
    if not first or not family:
        return None
    written = [_ascii(w, german, hyphen) for w in middles]
    initials = "".join(w[:1] for w, raw in zip(written, middles, strict=True) if len(raw.strip(".")) == 1)
    return {
        "first": first,
        "last": family,
        "f": first[0],
        "l": family[0],
        "m": initials,
        "middle": _JOIN.join(w for w, raw in zip(written, middles, strict=True) if len(raw.strip(".")) > 1 and w),
        "title": _ascii(title, german, hyphen),
    }


def _render(parts: dict[str, str], template: tuple[str, ...], sep: str) -> str | None:
    pieces = [parts[p] for p in template]
    if any(not piece for piece in pieces):
        return None
    return sep.join(pieces).replace(_JOIN, sep)


def classify(local: str, parts: dict[str, str]) -> str | None:
    """The pattern name a real local part follows for a name's parts, or None."""
    local = local.lower()
    if parts["first"] not in local and parts["last"] not in local:  # every pattern writes one of them in full
        return None
    tail = _TAIL.fullmatch(local)
    options = [(local, "", 0)] + ([(tail.group(1), tail.group(2), len(tail.group(3)))] if tail else [])
    for body, digit_sep, digits in options:
        for template in TEMPLATES:
            opening = parts[template[0]]
            if not opening or not body.startswith(opening):  # most templates fail here, before any is written
                continue
            for sep in SEPARATORS if len(template) > 1 else ("",):
                if body[len(opening) : len(opening) + len(sep)] != sep:
                    continue
                if _render(parts, template, sep) == body:
                    return _pattern(template, sep, digit_sep, digits)
    return None


def _local_part(address: Any) -> str | None:
    if not isinstance(address, str) or "@" not in address:
        return None
    return _ascii_local(address.rsplit("@", 1)[0])


def _ascii_local(local: str) -> str:
    from faker.decode import unidecode

    return _LOCAL.sub("", (local if local.isascii() else unidecode(local)).lower())


def follows(address: Any, name: Any, last: Any = None) -> str | None:
    """The pattern an address follows for a row's name (or first and last name), or None."""
    local = _local_part(address)
    if local is None:
        return None
    text = f"{name} {last}"
    germans = (False, True) if any(ch in text for ch in "äöüßÄÖÜ") else (False,)  # only where they differ
    hyphens = (True, False) if "-" in text else (True,)
    for german, hyphen in itertools.product(germans, hyphens):
        parts = name_parts(name, last, german, hyphen)
        found = classify(local, parts) if parts is not None else None
        if found is not None:
            return found
    return None


def _sources(data: pd.DataFrame, pii_types: dict[str, str | None]) -> list[list[str]]:
    """The ways a row's name can be read: each full-name column, and each first name with each last name."""
    full = [[c] for c, t in pii_types.items() if t == "name"]
    firsts = [c for c, t in pii_types.items() if t == "first_name"]
    lasts = [c for c, t in pii_types.items() if t == "last_name"]
    return full + [[f, la] for f in firsts for la in lasts]


def pattern_shares(data: pd.DataFrame, email: str, pii_types: dict[str, str | None]) -> dict[str, Any] | None:
    """``{"names": [name column(s)], "patterns": {pattern: share}}`` for e-mail column ``email`` of ``data``: the
    name source whose patterns most rows follow, with each pattern of at least :data:`MIN_PATTERN_ROWS` rows and
    its share of rows rounded to :data:`SHARE_STEP`; None when no pattern is kept."""
    best: dict[str, Any] | None = None
    for source in _sources(data, pii_types):
        rows = data[[email, *source]].dropna()
        if len(rows) > SAMPLE_ROWS:
            rows = rows.sample(SAMPLE_ROWS, random_state=0)
        if rows.empty:
            continue
        scale = data[[email, *source]].notna().all(axis=1).sum() / len(rows)
        found = pd.Series(
            [follows(*values) for values in rows.itertuples(index=False, name=None)], dtype=object
        ).value_counts()
        kept = {str(p): int(c) for p, c in found.items() if c * scale >= MIN_PATTERN_ROWS}
        shares = {p: float(round(c / len(rows) / SHARE_STEP) * SHARE_STEP) for p, c in kept.items()}
        shares = {p: s for p, s in shares.items() if s > 0}
        if shares and (best is None or sum(shares.values()) > sum(best["patterns"].values())):
            best = {"names": list(source), "patterns": shares}
    return best


def stored_patterns(stored: Any, columns: Any) -> tuple[list[str], list[str], np.ndarray] | None:
    """Name columns, pattern names and their probabilities (the rest: no pattern) from a model file's
    ``email_names``, or None when it is not what a fit writes (a model file is input): known patterns, finite
    shares in [0, 1] summing to at most 1, one or two name columns the table generates."""
    if not isinstance(stored, dict) or not isinstance(stored.get("patterns"), dict):
        return None
    names, patterns = stored.get("names"), stored["patterns"]
    if not isinstance(names, list) or not 1 <= len(names) <= 2 or not all(n in columns for n in names):
        return None
    codes = [p for p in patterns if isinstance(p, str) and p in known_patterns()]
    try:
        shares = np.array([float(patterns[p]) for p in codes])
    except (TypeError, ValueError):
        return None
    if not codes or len(codes) != len(patterns) or not np.isfinite(shares).all() or (shares < 0).any():
        return None
    if shares.sum() > 1 + 1e-9:
        return None
    return [str(n) for n in names], codes, shares


#: Stands between two rows' names when every name is split at once (:func:`_words`); a word of its own.
_ROW_BREAK = "\x00"


def _words(names: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every row's words as ``str.split`` reads them: (the words' codes, row after row; each row's number of words;
    the distinct words the codes index). A generated column of a million names holds a few thousand distinct words,
    so what a word is written as is worked out once per word, not once per row as before (half the CPU time)."""
    if pd.api.types.infer_dtype(names, skipna=True) in ("string", "empty"):  # text or missing: no row by row test
        text = np.where(pd.isna(names), "", names).tolist()
    else:
        text = [v if isinstance(v, str) else "" for v in names.tolist()]
    joined = f" {_ROW_BREAK} ".join(text)
    if joined.count(_ROW_BREAK) == max(len(text) - 1, 0):  # one C-level split of every name at once
        codes, vocab = pd.factorize(np.array(joined.split(), dtype=object))
        breaks = [i for i, w in enumerate(vocab.tolist()) if w == _ROW_BREAK]  # numpy would read NUL as ""
        is_break = codes == breaks[0] if len(breaks) else np.zeros(len(codes), dtype=bool)
        rows = np.cumsum(is_break)[~is_break]
        codes = codes[~is_break]
    else:  # a name holding the row break itself: split row by row
        split = [t.split() for t in text]
        codes, vocab = pd.factorize(np.array([w for words in split for w in words], dtype=object))
        rows = np.repeat(np.arange(len(text)), [len(words) for words in split])
    return codes, np.bincount(rows, minlength=len(text)), np.asarray(vocab, dtype=object)


def _ascii_of(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_ascii` of every value ("" where it is not text) and its first letter, worked out once per distinct
    value."""
    codes, uniques = pd.factorize(values)
    written = np.array([_ascii(u) if isinstance(u, str) else "" for u in uniques] + [""], dtype=object)
    return written[codes], _heads(written)[codes]  # a missing value's code -1 is the "" appended


def _heads(written: np.ndarray) -> np.ndarray:
    return np.array([w[:1] for w in written], dtype=object)


def _full_name_parts(names: np.ndarray) -> dict[str, np.ndarray]:
    """:func:`name_parts` of every full name (hyphens kept, no German spelling), from each distinct word's
    reading: an array per part of :func:`row_parts`."""
    n = len(names)
    codes, counts, vocab = _words(names)
    if not len(codes):
        return {part: np.full(n, "", dtype=object) for part in ("first", "last", "f", "l", "m", "middle", "title")}
    # Per distinct word, with one more entry ("", not a title, no letters) for a word a row does not have.
    written = np.array([_ascii(w) for w in vocab] + [""], dtype=object)
    heads = _heads(written)
    titles = world_titles()
    titled = np.array([w.lower().strip(".") in titles for w in vocab] + [False])
    size = np.array([len(w.strip(".")) for w in vocab] + [0])
    initial = np.where(size == 1, heads, "")  # "J." of "Mary J. Lopez"
    spelled = np.where((size > 1) & (written != ""), written, "")  # "Johnston" of "Colin Johnston Parry"
    starts = np.cumsum(counts) - counts

    def word(offset: np.ndarray, present: np.ndarray) -> np.ndarray:
        """Each row's word at ``offset`` where ``present``, else the entry past the last distinct word."""
        return np.where(present, codes[np.minimum(starts + offset, len(codes) - 1)], len(vocab))

    title = (counts > 2) & titled[word(np.zeros(n, dtype=np.int64), counts > 0)]  # only a name of 3+ words has one
    words = counts - title
    two = words >= 2
    first, last = word(title.astype(np.int64), two), word(title + words - 1, two)
    out = {
        "title": np.where(title, written[word(np.zeros(n, dtype=np.int64), title)], ""),
        "first": written[first],
        "last": written[last],
        "f": heads[first],
        "l": heads[last],
        "m": np.full(n, "", dtype=object),
        "middle": np.full(n, "", dtype=object),
    }
    for j in range(1, int(words.max()) - 1):  # every row's j-th middle word at once, "" for a row without one
        code = word(title + j, words - 2 >= j)
        out["m"] = out["m"] + initial[code]
        piece, middle = spelled[code], out["middle"]
        joined = middle + np.array([_JOIN], dtype=object) + piece  # an object array: numpy drops a NUL str
        out["middle"] = np.where(middle == "", piece, np.where(piece == "", middle, joined))
    return {k: np.asarray(v, dtype=object) for k, v in out.items()}


def row_parts(names: list[Any]) -> dict[str, np.ndarray]:
    """:func:`name_parts` of every row (hyphens kept, no German spelling), from one full-name array or a first- and
    a last-name array: an array per part (``first``, ``last``, ``f``, ``l``, ``m``, ``middle``, ``title``), ""
    where a row has none, and ``ok`` where the row has a first and a last name to write."""
    if len(names) == 2:
        empty = np.full(len(names[0]), "", dtype=object)
        (first, f), (last, la) = (_ascii_of(np.asarray(v, dtype=object)) for v in names)
        parts = {"first": first, "last": last, "f": f, "l": la, "m": empty, "middle": empty, "title": empty}
    else:
        parts = _full_name_parts(np.asarray(names[0], dtype=object))
    parts["ok"] = (parts["first"] != "") & (parts["last"] != "")
    return parts


def emails_following(
    stored: tuple[list[str], list[str], np.ndarray],
    names: list[Any],
    fallback: np.ndarray,
    domains: list[str],
    rng: np.random.Generator,
) -> np.ndarray:
    """Addresses made from each row's generated name (``names``: one array per name column) in a pattern drawn by
    share, at one of ``domains``; ``fallback`` (the usual fakes) where no pattern was drawn or the name has no
    letters to write. A pattern's title is left out for a name that has none."""
    from synth.generated_pii import _join

    _, codes, shares = stored
    n = len(fallback)
    probs = np.append(shares, max(0.0, 1.0 - shares.sum()))
    which = rng.choice(len(codes) + 1, size=n, p=probs / probs.sum())
    numbers = rng.random(n)  # a number of the pattern's width, not led by a zero (12, 1987), or one digit
    domain = np.asarray(domains, dtype=object)[rng.integers(0, len(domains), n)]
    parts = row_parts(names)
    out = fallback.copy()
    for j, code in enumerate(codes):
        template, sep, digit_sep, width = known_patterns()[code]
        take = (which == j) & parts["ok"]
        for needed in {"m", "middle"}.intersection(template):  # a name without middle names falls back
            take &= parts[needed] != ""
        at = np.flatnonzero(take)
        if not len(at):
            continue
        pieces: list[Any] = []
        for k, part in enumerate(template):
            values = parts[part][at]
            if part == "title":  # "ms.andrea.horton", or "andrea.horton" for a name with no title
                pieces.append(np.where(values == "", "", values + sep))
                continue
            pieces.append(pd.Series(values).str.replace(_JOIN, sep, regex=False) if part == "middle" else values)
            if k < len(template) - 1:
                pieces.append(sep)
        if width:
            low = 10 ** (width - 1) if width > 1 else 0
            drawn = (low + numbers[at] * (10**width - low)).astype(np.int64)
            pieces += [digit_sep, pd.Series(drawn).astype(str)]
        out[at] = _join(*pieces, "@", domain[at])
    return out


def following_names(detail: dict[str, Any], values: Any, generated: dict[str, Any], rng: np.random.Generator) -> Any:
    """A PII column's generated ``values``, or for an e-mail column whose fit kept patterns (``email_names``) and
    whose name columns are among ``generated`` (column → values), addresses made from those names
    (:func:`emails_following`)."""
    stored = stored_patterns(detail.get("email_names"), generated) if detail.get("pii_type") == "email" else None
    if stored is None:
        return values
    from synth.generated_pii import RESERVED_EMAIL_DOMAINS

    names = [np.asarray(generated[c], dtype=object) for c in stored[0]]
    domains = [str(d) for d in detail.get("domains") or RESERVED_EMAIL_DOMAINS[:3]]
    return emails_following(stored, names, np.asarray(values, dtype=object), domains, rng)
