"""Columns that are generated, never learned value by value: identifiers, PII, free text and constants.

Identifiers are regenerated in the real format (literal where all real values agree, e.g. the ``C`` of
``C10090342``) and stay unique. PII is replaced by realistic fake values: seeded pools of names, streets and
phone formats from Faker, combined and re-numbered with numpy, so a million values take about a second.

No real identifier or PII value can reach the synthetic table, and a model file holds nothing that tests
whether a value was real: generated values are disjoint from real ones *by construction*, so nothing about
the real values (no value, no hash) needs to be kept to avoid them:

* numeric keys start at the next power of ten above the largest real key (the file keeps that power of
  ten, never the largest key);
* text keys and PII of unknown type get one more digit than the real format holds, widened at fit time
  until no real value has that shape (the file keeps only the template);
* e-mails use the reserved ``example.com`` / ``.org`` / ``.net`` domains (RFC 2606), phone numbers the
  fictional ``555-0100``–``555-0199`` lines, IP addresses the documentation ranges (RFC 5737), social
  security numbers the never-issued ``9xx-01..49-xxxx`` block;
* names, addresses and card numbers are drawn from Faker's lists and random digits with no input from the
  real column, so a coincidence with a real value (a common name) says nothing about the data.

A format's literal characters are learned only from at least :data:`MIN_TEMPLATE_VALUES` distinct values (a
column with fewer gives only the shape: digit, letter, punctuation). Missing rates are stored rounded to
:data:`MISSING_RATE_STEP`; a constant is kept only when at least :data:`MIN_CONSTANT_ROWS` rows hold it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from synth.schema import ColumnKind, Schema

PII_PROVIDERS: dict[str, str] = {
    "email": "email",
    "phone": "phone_number",
    "name": "name",
    "first_name": "first_name",
    "last_name": "last_name",
    "address": "street_address",
    "ip": "ipv4",
    "card": "credit_card_number",
    "ssn": "ssn",
}
"""PII types (``ColumnSpec.pii_type``) → the Faker provider whose kind of value replaces them."""

#: A format's literal characters are learned from at least this many distinct values.
MIN_TEMPLATE_VALUES = 5
#: Generated columns' missing rates are stored rounded to this step.
MISSING_RATE_STEP = 0.05
#: A constant column's value is kept only when at least this many rows hold it (else it is left missing).
MIN_CONSTANT_ROWS = 5
#: Widest extension (in digits) tried to make generated text keys disjoint from the real ones.
_MAX_EXTRA_DIGITS = 6

#: Size of the seeded pools of Faker values that fake values are combined from.
POOL_SIZE = 2_000
#: Values sampled from the real column to learn an identifier's format.
_FORMAT_SAMPLE = 2_000
_MAX_ROUNDS = 50


@dataclass(frozen=True)
class _Plan:
    name: str
    kind: ColumnKind
    missing_rate: float
    detail: dict[str, Any] = field(default_factory=dict)


def _shape(value: str) -> str:
    """A format template: digits → 9, letters → A/a, the rest kept."""
    return re.sub(r"[a-z]", "a", re.sub(r"[A-Z]", "A", re.sub(r"\d", "9", value)))


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


def _template(values: list[str]) -> str:
    """The format of identifiers: a literal character where every sampled value agrees, else a slot.

    Slots: ``9`` digit, ``A`` upper-case letter, ``a`` lower-case letter, ``X`` upper-case letter or digit,
    ``x`` lower-case letter or digit, ``*`` any letter or digit. Literal slot characters are escaped with a
    backslash.
    """
    if not values:
        return "A99999999"
    width = int(pd.Series([len(v) for v in values]).mode().iloc[0])
    same = [v for v in values if len(v) == width]
    out = []
    for i in range(width):
        chars = {v[i] for v in same}
        if len(chars) == 1:
            ch = next(iter(chars))
            out.append("\\" + ch if ch in "9AaXx*\\" else ch)
        elif all(c.isdigit() for c in chars):
            out.append("9")
        elif all(c.isupper() for c in chars):
            out.append("A")
        elif all(c.islower() for c in chars):
            out.append("a")
        elif all(c.isupper() or c.isdigit() for c in chars):
            out.append("X")
        elif all(c.islower() or c.isdigit() for c in chars):
            out.append("x")
        else:
            out.append("*")
    return "".join(out)


_ALPHABETS = {
    "9": string.digits,
    "A": string.ascii_uppercase,
    "a": string.ascii_lowercase,
    "X": string.ascii_uppercase + string.digits,
    "x": string.ascii_lowercase + string.digits,
    "*": string.ascii_letters + string.digits,
}


def _parse_template(template: str) -> list[tuple[bool, str]]:
    """``(is_slot, char)`` per position of a template."""
    out: list[tuple[bool, str]] = []
    escaped = False
    for ch in template:
        if escaped:
            out.append((False, ch))
            escaped = False
        elif ch == "\\":
            escaped = True
        else:
            out.append((ch in _ALPHABETS, ch))
    return out


def _capacity(parts: list[tuple[bool, str]]) -> float:
    cap = 1.0
    for is_slot, ch in parts:
        if is_slot:
            cap *= len(_ALPHABETS[ch])
    return cap


def _widen(parts: list[tuple[bool, str]], needed: float) -> list[tuple[bool, str]]:
    """Turn literal digits into slots (right to left), then append digits, until ``needed`` values fit.

    Literal letters (prefixes such as the ``C`` of ``C10090342``) are kept: they carry the format.
    """
    parts = list(parts)
    for i in range(len(parts) - 1, -1, -1):
        if _capacity(parts) >= needed:
            return parts
        is_slot, ch = parts[i]
        if not is_slot and ch in string.digits:
            parts[i] = (True, "9")
    if _capacity(parts) < needed:
        parts.append((False, "-"))
        while _capacity(parts) < needed:
            parts.append((True, "9"))
    return parts


def _fill(parts: list[tuple[bool, str]], n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` random strings of a parsed template, as an object array (vectorised)."""
    width = len(parts)
    if width == 0:
        return np.full(n, "", dtype=object)
    chars = np.empty((n, width), dtype="<U1")
    for i, (is_slot, ch) in enumerate(parts):
        if is_slot:
            pool = np.array(list(_ALPHABETS[ch]), dtype="<U1")
            chars[:, i] = pool[rng.integers(0, len(pool), n)]
        else:
            chars[:, i] = ch
    return np.ascontiguousarray(chars).view(f"<U{width}").ravel().astype(object)


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


# ------------------------------------------------------------------------------------------------ fake PII


def _faker(seed: int) -> Any:
    from faker import Faker

    faker = Faker("en_US")
    faker.seed_instance(seed)
    return faker


def _weighted(provider_attr: Any) -> tuple[np.ndarray, np.ndarray]:
    """Values and probabilities of a Faker word list (an OrderedDict of weights, or a plain sequence)."""
    if hasattr(provider_attr, "items"):
        words = np.array(list(provider_attr.keys()), dtype=object)
        weights = np.array(list(provider_attr.values()), dtype=float)
    else:
        words = np.array(list(provider_attr), dtype=object)
        weights = np.ones(len(words))
    return words, weights / weights.sum()


def _name_lists() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    from faker.providers.person.en_US import Provider

    return _weighted(Provider.first_names), _weighted(Provider.last_names)


def _choice(words: tuple[np.ndarray, np.ndarray], n: int, rng: np.random.Generator) -> np.ndarray:
    values, probs = words
    return values[rng.choice(len(values), size=n, p=probs)]


def _join(*parts: Any) -> np.ndarray:
    """Element-wise concatenation of arrays / series of strings and plain strings."""
    out: Any = None
    for part in parts:
        piece = part if isinstance(part, str) else pd.Series(np.asarray(part, dtype=object))
        out = piece if out is None else out + piece
    return pd.Series(out).to_numpy(dtype=object)


def _digits(n: int, width: int, rng: np.random.Generator, low: int = 0) -> np.ndarray:
    """``n`` zero-padded random numbers of ``width`` digits (at least ``low``), as strings."""
    numbers = rng.integers(low, 10**width, n)
    return pd.Series(numbers).astype(str).str.zfill(width).to_numpy(dtype=object)


def _fake_names(n: int, rng: np.random.Generator) -> np.ndarray:
    """First and last names from Faker's weighted lists; a third get a middle initial ("Mary J. Lopez").

    The initials widen the space of names about tenfold, so a column of a million real names still leaves
    plenty of fake names that are none of them.
    """
    firsts, lasts = _name_lists()
    initials = np.array([f" {c}. " for c in string.ascii_uppercase], dtype=object)[rng.integers(0, 26, n)]
    middle = np.where(rng.random(n) < 1 / 3, initials, " ")
    return _join(_choice(firsts, n, rng), middle, _choice(lasts, n, rng))


def _fake_emails(n: int, rng: np.random.Generator) -> np.ndarray:
    firsts, lasts = _name_lists()
    first = pd.Series(_choice(firsts, n, rng)).str.lower()
    last = pd.Series(_choice(lasts, n, rng)).str.lower()
    sep = np.array([".", "_", ""], dtype=object)[rng.integers(0, 3, n)]
    number = pd.Series(rng.integers(1, 10_000, n)).astype(str)
    number[rng.random(n) < 0.4] = ""
    domain = np.array(["example.com", "example.org", "example.net"], dtype=object)[rng.integers(0, 3, n)]
    return _join(first, sep, last, number, "@", domain)


_PHONE_FORMATS = ("{a}-{e}-{l}", "({a}) {e}-{l}", "({a}){e}-{l}", "{a}.{e}.{l}", "+1-{a}-{e}-{l}", "{a}{e}{l}")


def _fake_phones(n: int, rng: np.random.Generator) -> np.ndarray:
    """North-American style numbers on the fictional lines 555-0100 to 555-0199, in a few common layouts.

    Those lines are reserved for fiction in every area code, so no fake number is a real person's.
    """
    area = pd.Series(rng.integers(200, 1000, n)).astype(str)
    exchange = pd.Series(np.full(n, "555", dtype=object))
    line = pd.Series(_digits(n, 2, rng)).radd("01")
    which = rng.integers(0, len(_PHONE_FORMATS), n)
    out = np.empty(n, dtype=object)
    for i, layout in enumerate(_PHONE_FORMATS):
        rows = np.flatnonzero(which == i)
        if len(rows) == 0:
            continue
        pieces: list[Any] = []
        for literal, field_name, _, _ in string.Formatter().parse(layout):
            if literal:
                pieces.append(literal)
            if field_name:
                source = {"a": area, "e": exchange, "l": line}[field_name]
                pieces.append(source.iloc[rows].reset_index(drop=True))
        out[rows] = _join(*pieces)
    return out


def _fake_addresses(n: int, rng: np.random.Generator) -> np.ndarray:
    faker = _faker(int(rng.integers(0, 2**31 - 1)))
    streets = np.array(sorted({re.sub(r"^\d+\s+", "", faker.street_address()) for _ in range(POOL_SIZE)}), dtype=object)
    width = rng.integers(2, 6, n)
    numbers = pd.Series(np.maximum(1, (rng.random(n) * 10.0**width).astype(np.int64))).astype(str)
    return _join(numbers, " ", streets[rng.integers(0, len(streets), n)])


#: The IPv4 documentation ranges (RFC 5737): never assigned to a real host.
_TEST_NETS = np.array(["192.0.2.", "198.51.100.", "203.0.113."], dtype=object)


def _fake_ips(n: int, rng: np.random.Generator) -> np.ndarray:
    """Addresses in the documentation ranges (RFC 5737), which no real host has."""
    return _join(_TEST_NETS[rng.integers(0, len(_TEST_NETS), n)], pd.Series(rng.integers(1, 255, n)).astype(str))


def _fake_cards(n: int, rng: np.random.Generator) -> np.ndarray:
    """16-digit numbers starting with 4 (the Visa range) with a valid Luhn check digit."""
    body = rng.integers(0, 10, (n, 15))
    body[:, 0] = 4
    doubled = body[:, ::-1][:, ::2] * 2  # every second digit from the right of the final number
    doubled = np.where(doubled > 9, doubled - 9, doubled)
    total = doubled.sum(axis=1) + body[:, ::-1][:, 1::2].sum(axis=1)
    check = (10 - total % 10) % 10
    digits = np.column_stack([body, check]).astype(np.uint8) + ord("0")
    return np.ascontiguousarray(digits).view("S16").ravel().astype(str).astype(object)


def _fake_ssns(n: int, rng: np.random.Generator) -> np.ndarray:
    """Numbers in the 900-999 area with group 01-49: never issued as SSNs (nor as ITINs)."""
    return _join(
        pd.Series(rng.integers(900, 1000, n)).astype(str),
        "-",
        pd.Series(rng.integers(1, 50, n)).astype(str).str.zfill(2),
        "-",
        _digits(n, 4, rng, low=1),
    )


def _fake_from_pool(kind: str) -> Callable[[int, np.random.Generator], np.ndarray]:
    def draw(n: int, rng: np.random.Generator) -> np.ndarray:
        firsts, lasts = _name_lists()
        return _choice(firsts if kind == "first_name" else lasts, n, rng)

    return draw


_FAKERS: dict[str, Callable[[int, np.random.Generator], np.ndarray]] = {
    "email": _fake_emails,
    "phone": _fake_phones,
    "name": _fake_names,
    "first_name": _fake_from_pool("first_name"),
    "last_name": _fake_from_pool("last_name"),
    "address": _fake_addresses,
    "ip": _fake_ips,
    "card": _fake_cards,
    "ssn": _fake_ssns,
}


def fake_values(
    pii_type: str | None,
    n: int,
    rng: np.random.Generator,
    avoid: np.ndarray | None = None,
    template: str | None = None,
) -> np.ndarray:
    """``n`` realistic fake values of a kind of personal data, none of them a real value.

    Args:
        pii_type: a key of :data:`PII_PROVIDERS`; another value (or None) makes strings in ``template``'s
            format.
        n: how many values.
        rng: the random generator (the same state gives the same values).
        avoid: sorted hashes of values to avoid (:func:`hash_values`), held in memory by a caller; a fake value
            equal to one is drawn again. Model files never keep such hashes: the fakes of
            :class:`GeneratedColumns` are disjoint from real values by construction.
        template: the real values' format, for unknown PII types.

    Returns:
        An object array of strings.
    """
    hashes = np.zeros(0, dtype=np.uint64) if avoid is None else avoid
    maker = _FAKERS.get(pii_type or "")
    if pii_type == "phone" and template and _capacity(_parse_template(template)) >= 1e7:
        maker = None  # phone numbers in the real column's own layout (e.g. "+44 9999 999999")
    if maker is None:
        parts = _parse_template(template or "Aaaaaaaa")
        return _unique_fresh(lambda k: _fill(parts, k, rng), n, hashes, unique=False, what="values")
    if pii_type in ("first_name", "last_name") and len(hashes):
        firsts, lasts = _name_lists()
        words, probs = firsts if pii_type == "first_name" else lasts
        keep = ~_seen(words.astype(object), hashes)
        if keep.sum() < 10:
            raise ValueError(
                f"the real column holds nearly every {pii_type.replace('_', ' ')} Faker knows; mark it as "
                "categorical or text instead"
            )
        pool = (words[keep], probs[keep] / probs[keep].sum())
        return _choice(pool, n, rng)
    return _unique_fresh(lambda k: maker(k, rng), n, hashes, unique=False, what=f"{pii_type} values")


def fake_text(n: int, rng: np.random.Generator, median_chars: int = 80) -> np.ndarray:
    """Placeholder paragraphs made of Faker sentences (never real text).

    Args:
        n: how many paragraphs.
        rng: the random generator (the same state gives the same text).
        median_chars: typical length; the number of sentences per row varies around it.

    Returns:
        An object array of strings.
    """
    faker = _faker(int(rng.integers(0, 2**31 - 1)))
    sentences = np.array([faker.sentence() for _ in range(POOL_SIZE // 4)], dtype=object)
    mean_len = float(np.mean([len(s) for s in sentences])) + 1.0
    per_row = max(1, round(median_chars / mean_len))
    counts = np.clip(rng.poisson(per_row, n), 1, 2 * per_row)
    out = pd.Series(sentences[rng.integers(0, len(sentences), n)])
    for j in range(1, int(counts.max())):
        more = sentences[rng.integers(0, len(sentences), n)]
        out = out.where(counts <= j, out + " " + pd.Series(more))
    return out.to_numpy(dtype=object)


# ------------------------------------------------------------------------------------------ the columns


def _sample_text(present: pd.Series, k: int = _FORMAT_SAMPLE) -> list[str]:
    picked = present.sample(k, random_state=0) if len(present) > k else present
    return [str(v) for v in picked]


def _shape_template(values: list[str]) -> str:
    """The format of values with no literal letter or digit: ``9`` digit, ``A``/``a`` letter, punctuation kept.

    Used when too few distinct values back a format, so one person's value cannot become the template.
    """
    if not values:
        return "A99999999"
    width = int(pd.Series([len(v) for v in values]).mode().iloc[0])
    same = [v for v in values if len(v) == width]
    out = []
    for i in range(width):
        chars = {v[i] for v in same}
        if all(c.isdigit() for c in chars):
            out.append("9")
        elif all(c.isupper() for c in chars):
            out.append("A")
        elif all(c.islower() for c in chars):
            out.append("a")
        elif all(c.isalnum() for c in chars):
            out.append("*")
        elif len(chars) == 1 and next(iter(chars)) not in "9AaXx*\\":
            out.append(next(iter(chars)))
        else:
            out.append("*")
    return "".join(out)


def _regex(parts: list[tuple[bool, str]]) -> re.Pattern[str]:
    """What a parsed template can produce once every literal digit is a slot too (as :func:`_widen` may do)."""
    classes = {"9": r"\d", "A": "[A-Z]", "a": "[a-z]", "X": "[A-Z0-9]", "x": "[a-z0-9]", "*": "[A-Za-z0-9]"}
    pieces = [classes[ch] if is_slot else (r"\d" if ch.isdigit() else re.escape(ch)) for is_slot, ch in parts]
    return re.compile("".join(pieces))


def disjoint_template(present: pd.Series) -> str:
    """A template of the real values' format that no real value can match: one or more extra digits.

    The real format is learned from a sample (literal characters only from at least
    :data:`MIN_TEMPLATE_VALUES` distinct values); digit slots are appended until no real value (all of them
    are checked) has the extended shape, so a generated value can never equal a real one, even after the
    model is saved and loaded with nothing about the real values kept.
    """
    sample = _sample_text(present)
    base = _template(sample) if len(set(sample)) >= MIN_TEMPLATE_VALUES else _shape_template(sample)
    real = present.astype(str).to_numpy(dtype=object)
    template = base
    for _ in range(_MAX_EXTRA_DIGITS):
        template += "9"
        pattern = _regex(_parse_template(template))
        if not any(pattern.fullmatch(v) for v in real):
            return template
    return template + "-9"  # six extra digits still taken: a separator no value of that width has after it


def _rounded_rate(rate: float) -> float:
    return float(round(rate / MISSING_RATE_STEP) * MISSING_RATE_STEP)


def _next_power_of_ten(largest: float) -> int:
    """The first power of ten above ``largest``: new keys start there (the largest real key is not kept)."""
    if largest < 1:
        return 1
    return int(10 ** len(str(int(largest))))


@dataclass(frozen=True)
class GeneratedColumns:
    """What the shared base needs to generate the non-modelled columns of a schema."""

    plans: tuple[_Plan, ...] = ()

    @classmethod
    def fit(cls, data: pd.DataFrame, schema: Schema) -> GeneratedColumns:
        """Learn, for each identifier / PII / text / constant column, only what generation needs.

        That is the missing rate (rounded to :data:`MISSING_RATE_STEP`), a format template that no real value
        matches, the power of ten above the largest numeric key, the typical length of text, and a constant
        held by at least :data:`MIN_CONSTANT_ROWS` rows; never a real identifier or PII value, nor a hash of one.
        """
        plans = []
        for spec in schema:
            if spec.kind.is_modelled:
                continue
            col = data[spec.name]
            missing = _rounded_rate(float(col.isna().mean()))
            present = col.dropna()
            detail: dict[str, Any] = {}
            if spec.kind is ColumnKind.CONSTANT:
                detail["value"] = present.iloc[0] if len(present) >= MIN_CONSTANT_ROWS else None
            elif spec.kind is ColumnKind.IDENTIFIER:
                if pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
                    detail["numeric"] = True
                    largest = float(np.nanmax(present.to_numpy(dtype=float))) if len(present) else 0.0
                    detail["start"] = _next_power_of_ten(largest)
                else:
                    detail["numeric"] = False
                    detail["template"] = disjoint_template(present)
            elif spec.kind is ColumnKind.PII:
                detail["pii_type"] = spec.pii_type
                detail["provider"] = PII_PROVIDERS.get(spec.pii_type or "", "pystr")
                if spec.pii_type not in _FAKERS:
                    detail["template"] = disjoint_template(present)
            elif spec.kind is ColumnKind.TEXT:
                lengths = present.astype(str).str.len()
                detail["max_chars"] = int(max(20, min(400, lengths.median() if len(lengths) else 80)))
            plans.append(_Plan(spec.name, spec.kind, missing, detail))
        return cls(tuple(plans))

    def sample(self, n: int, rng: np.random.Generator) -> pd.DataFrame:
        """``n`` rows of the generated columns, with missing values at the stored rates (not for identifiers)."""
        out: dict[str, Any] = {}
        for plan in self.plans:
            values = self._values(plan, n, rng)
            if plan.missing_rate > 0 and plan.kind is not ColumnKind.IDENTIFIER:
                values = pd.Series(values, dtype=object)
                values[rng.random(n) < plan.missing_rate] = None
            out[plan.name] = values
        return pd.DataFrame(out, index=pd.RangeIndex(n))

    def block_identifiers(self, first_row: int, n: int, total_rows: int, key: int) -> dict[str, np.ndarray]:
        """Identifier columns of rows ``[first_row, first_row + n)`` of a ``total_rows``-row table.

        For tables drawn in independent blocks (:mod:`synth.sampling`): values are unique over the whole table
        whichever block or worker draws them (numeric keys by offset, formatted ones by a keyed permutation).
        """
        from synth.sampling.identifiers import block_identifiers

        out: dict[str, np.ndarray] = {}
        for plan in self.plans:
            if plan.kind is not ColumnKind.IDENTIFIER:
                continue
            if plan.detail["numeric"]:
                start = plan.detail["start"] + first_row
                out[plan.name] = np.arange(start, start + n, dtype=np.int64)
            else:
                out[plan.name] = block_identifiers(plan.detail["template"], _avoid(plan), first_row, n, total_rows, key)
        return out

    @staticmethod
    def _values(plan: _Plan, n: int, rng: np.random.Generator) -> Any:
        if plan.kind is ColumnKind.CONSTANT:
            return pd.Series([plan.detail["value"]] * n, dtype=object)
        if plan.kind is ColumnKind.IDENTIFIER:
            if plan.detail["numeric"]:
                # New keys from a power of ten above every real key: unique, and none of them a real key.
                return np.arange(plan.detail["start"], plan.detail["start"] + n, dtype=np.int64)
            return fresh_identifiers(plan.detail["template"], _avoid(plan), n, rng)
        if plan.kind is ColumnKind.PII:
            return fake_values(plan.detail.get("pii_type"), n, rng, _avoid(plan), plan.detail.get("template"))
        return fake_text(n, rng, plan.detail["max_chars"])


def _avoid(plan: _Plan) -> np.ndarray:
    """Hashes of real values kept by files written before generation became disjoint by construction."""
    avoid = plan.detail.get("avoid")
    if isinstance(avoid, np.ndarray):
        return avoid
    if avoid:  # a set of real values, as an older fit stored them
        return hash_values(list(avoid))
    return np.zeros(0, dtype=np.uint64)
