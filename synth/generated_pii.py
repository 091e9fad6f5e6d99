"""Fake personal data: realistic values of each PII type and placeholder text, never learned from real values.

Seeded pools of names, streets and sentences from Faker, combined and re-numbered with numpy, so a million
values take about a second. E-mails use reserved domains, phone numbers fictional lines, IP addresses the
documentation ranges and social security numbers a never-issued block (see :mod:`synth.generated`).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from synth.generated_cards import luhn_digits
from synth.generated_double_names import FAMILY_NAME_TYPES, double_barrelled, stored_hyphenated
from synth.generated_formats import _capacity, _fill, _parse_template, _seen, _unique_fresh
from synth.generated_full_addresses import stored_whole
from synth.generated_locale_draws import local_addresses, local_names, stored_locales
from synth.generated_locale_levels import row_shares

#: Size of the seeded pools of Faker values that fake values are combined from.
POOL_SIZE = 2_000


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


#: Domains reserved for documentation and testing (RFC 2606, RFC 6761): no real mailbox is at them. A fit keeps
#: three the real column does not use (test data often uses example.com), so no fake equals a real address.
RESERVED_EMAIL_DOMAINS = ("example.com", "example.org", "example.net", "mail.example", "mail.test", "mail.invalid")


def unused_email_domains(present: pd.Series, k: int = 3) -> list[str]:
    """Up to ``k`` reserved domains that no real address in ``present`` uses (compared without case); when the
    real column uses every reserved one, numbered subdomains of ``.invalid`` that it does not use."""
    real = {str(v).rsplit("@", 1)[-1].strip().lower() for v in present.dropna()}
    unused = [d for d in RESERVED_EMAIL_DOMAINS if d not in real]
    i = 0
    while len(unused) < k:
        i += 1
        if f"m{i}.invalid" not in real:
            unused.append(f"m{i}.invalid")
    return unused[:k]


def clashes_with_fakes(pii_type: str | None, present: pd.Series) -> bool:
    """Whether real values already lie in the space the fakes of ``pii_type`` are drawn from (fictional phone
    lines, documentation IP ranges, never-issued SSNs): then generation uses a format no real value matches."""
    text = present.dropna().astype(str)
    if pii_type == "phone":
        return bool(text.str.replace(r"\D", "", regex=True).str[-7:].str.startswith("55501").any())
    if pii_type == "ip":
        return bool(text.str.startswith(tuple(_TEST_NETS)).any())
    if pii_type == "ssn":
        return bool(text.str.fullmatch(r"\s*9\d\d-?(0[1-9]|[1-4]\d)-?\d{4}\s*").any())
    return False


@lru_cache(maxsize=1)
def _lower_name_lists() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """:func:`_name_lists` in lower case, with the same weights: a few thousand names lowered once, not every drawn
    one; the same draws give the same addresses."""
    (firsts, first_probs), (lasts, last_probs) = _name_lists()
    lower = [np.array([w.lower() for w in words], dtype=object) for words in (firsts, lasts)]
    return (lower[0], first_probs), (lower[1], last_probs)


def _fake_emails(n: int, rng: np.random.Generator, domains: Any = RESERVED_EMAIL_DOMAINS[:3]) -> np.ndarray:
    firsts, lasts = _lower_name_lists()
    first = _choice(firsts, n, rng)
    last = _choice(lasts, n, rng)
    return _addresses(first, last, rng, domains)


def _addresses(first: np.ndarray, last: np.ndarray, rng: np.random.Generator, domains: Any) -> np.ndarray:
    """``first`` and ``last`` joined by a random separator, with digits on 60% of them, at one of ``domains``."""
    n = len(first)
    sep = np.array([".", "_", ""], dtype=object)[rng.integers(0, 3, n)]
    number = pd.Series(rng.integers(1, 10_000, n)).astype(str)
    number[rng.random(n) < 0.4] = ""
    domain = np.array(list(domains), dtype=object)[rng.integers(0, len(domains), n)]
    return _join(first, sep, last, number, "@", domain)


def _local_emails(
    locales: tuple[list[str], np.ndarray], n: int, rng: np.random.Generator, domains: list[str]
) -> np.ndarray:
    """:func:`_fake_emails` with first and last names from ``locales``' lists (codes, shares), written in lower-case
    ASCII (Zoë → zoe); a name with no letter left to write takes an en_US one."""
    from synth.generated_emails import _ascii

    codes, probs = locales
    words = []
    for kind in ("first_name", "last_name"):
        found, uniques = pd.factorize(local_names(kind, codes, probs, n, rng))  # each distinct name written once
        written = np.array([_ascii(str(w), hyphen=False) for w in uniques], dtype=object)[found]
        empty = written == ""
        if empty.any():
            firsts, lasts = _lower_name_lists()
            written[empty] = _choice(firsts if kind == "first_name" else lasts, int(empty.sum()), rng)
        words.append(written)
    return _addresses(words[0], words[1], rng, domains)


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
    digits = luhn_digits(body).astype(np.uint8) + ord("0")
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


def _second_family_name(values: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """``values`` (en_US names or family names, the family name last) with a second family name from Faker's list
    after a hyphen in ``share`` of them."""
    _, lasts = _name_lists()
    return double_barrelled(values, share, lambda k: _choice(lasts, k, rng), rng)


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
    domains: Any = None,
    same_width: dict[str, Any] | None = None,
    locales: Any = None,
    layouts: Any = None,
    ip_ranges: Any = None,
    hyphenated: Any = None,
    cards: Any = None,
    whole_addresses: Any = None,
    locale_levels: Any = None,
    body: pd.DataFrame | None = None,
) -> np.ndarray:
    """``n`` realistic fake values of a kind of personal data.

    E-mails, phone numbers, IP addresses, SSNs and values made from ``template`` are never a real value (by
    construction, see the module docstring); names and street addresses come from Faker's public lists, so one
    may equal a real person's by chance (as "John Smith" would) without being learned from the real column.

    Args:
        pii_type: a key of :data:`synth.generated.PII_PROVIDERS`; another value (or None) makes strings in
            ``template``'s format.
        n: how many values.
        rng: the random generator (the same state gives the same values).
        avoid: sorted hashes of values to avoid (:func:`hash_values`), held in memory by a caller; a fake value
            equal to one is drawn again. Model files never keep such hashes: the fakes of
            :class:`~synth.generated.GeneratedColumns` are disjoint from real values by construction.
        template: the real values' format, for unknown PII types and for types whose real values lie in the
            fakes' own space (:func:`clashes_with_fakes`).
        domains: the e-mail domains to use (:func:`unused_email_domains`); the first three reserved ones if None.
        same_width: the real values' own layout with endings no real value has
            (:func:`synth.generated_shapes.same_width_format`): phone numbers and values of unknown type are
            drawn in it, same width and character pattern as the real ones.
        layouts: the column's other common layouts and their shares, beside ``same_width``
            (:func:`synth.generated_layouts.layout_formats`): each value is drawn in one of them by share.
        ip_ranges: an IP column's kinds of range, unused blocks and distinct share
            (:func:`synth.generated_ips.ip_ranges`): addresses are drawn in them; in the documentation ranges when
            None or not valid.
        hyphenated: the real share of double-barrelled family names
            (:func:`synth.generated_double_names.hyphenated_share`): names and family names get a second family
            name after a hyphen at that share; at the locales' own when None.
        cards: a card column's networks and layouts with their shares (:func:`synth.generated_cards.card_layouts`):
            numbers are drawn in them; 16 plain Visa digits when None or not valid.
        locales: Faker locales and their shares (:func:`synth.generated_locales.locale_shares`): names and street
            addresses come from those locales' lists by share; from en_US when None or not valid.
        whole_addresses: the share of an address column's rows written as whole addresses and the separator of
            their lines (:func:`synth.generated_full_addresses.whole_addresses`): that share of rows get whole
            addresses of their locale (en_US when ``locales`` is None); street lines alone when None or not valid.
        locale_levels: a category column and its levels' locale shares
            (:func:`synth.generated_locale_levels.locale_levels`): each row of ``body`` (the ``n`` modelled rows)
            draws its locale from its level's shares; from ``locales``' when None, not valid or not its level.

    Returns:
        An object array of strings.
    """
    hashes = np.zeros(0, dtype=np.uint64) if avoid is None else avoid
    if pii_type == "ip" and ip_ranges is not None and not len(hashes):
        from synth.generated_ips import fake_ips_in, stored_ip_ranges

        if stored_ip_ranges(ip_ranges) is not None:
            return fake_ips_in(ip_ranges, n, rng)
    if pii_type == "card" and cards is not None and not len(hashes) and not template:
        from synth.generated_cards import cards_at, stored_card_layouts

        if stored_card_layouts(cards) is not None:
            return cards_at(cards, n, rng)
    if same_width is not None:
        from synth.generated_layouts import fill_layouts

        return _unique_fresh(
            lambda k: fill_layouts(same_width, layouts, k, rng), n, hashes, unique=False, what="values"
        )
    maker = _FAKERS.get(pii_type or "")
    share = stored_hyphenated(hyphenated) if pii_type in FAMILY_NAME_TYPES else None
    kept = stored_locales(locales, pii_type) if not len(hashes) and not template else None
    whole = stored_whole(whole_addresses) if pii_type == "address" and not len(hashes) and not template else None
    if kept is not None:  # each row by its level's shares, where a category column says them
        kept = kept[0], row_shares(locale_levels, kept[0], kept[1], body)
    if whole is not None:  # whole addresses, of the kept locales or en_US's
        codes, probs = kept or (["en_US"], np.ones(1))
        return local_addresses(codes, probs, n, rng, whole)
    if kept is not None:
        codes, probs = kept
        if pii_type == "address":
            return local_addresses(codes, probs, n, rng)
        return local_names(str(pii_type), codes, probs, n, rng, share)
    if share and maker is not None:  # en_US names: the family name is the last word
        plain = maker
        maker = lambda k, rng: _second_family_name(plain(k, rng), share, rng)  # noqa: E731
    if pii_type == "phone" and template and _capacity(_parse_template(template)) >= 1e7:
        maker = None  # phone numbers in the real column's own layout (e.g. "+44 9999 999999")
    if template and pii_type in ("ip", "ssn"):
        maker = None  # the real column holds values of the fakes' space: a format none of them matches
    if pii_type == "email" and domains:
        maker = lambda k, rng: _fake_emails(k, rng, list(domains))  # noqa: E731
    local = stored_locales(locales, "first_name") if pii_type == "email" and not len(hashes) else None
    if local is not None:  # the words of the table's own names: a German table's "annelene.heser4@…"
        return _local_emails(local, n, rng, list(domains or RESERVED_EMAIL_DOMAINS[:3]))
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
