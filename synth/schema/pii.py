"""Personal data and identifiers, recognised by what a column holds rather than by what it is called.

A column is personal data when about half of its (sampled, non-missing) values are shaped like one kind of
it: e-mail addresses, phone numbers, personal names (full names opening on a first name from Faker's en_US lists,
or on a first name and closing on a last name from any of its 86 locales, or the family name first as Chinese,
Japanese, Korean and Russian write it, with or without a space; single first or last names from the
en_US lists; with no uniqueness gate: a column of a few names repeated is still names), social security or
card numbers (card numbers must pass the Luhn check), street addresses or IP addresses. A column name only
ever *lowers* the bar a little (a column called ``phone`` may hold bare digit strings); no name is needed.

Identifiers are found by content too: code-like values (letters then at least three digits, such as
``CUST00524``) in at least :data:`MIN_CODE_LEVELS` distinct values, at any uniqueness (a customer code
repeated over a customer's orders is still a key to that customer), and columns whose values mostly occur
once (:data:`SINGLETON_SHARE`). Learned verbatim, such columns would copy real people's keys into the
synthetic table; as identifiers they are regenerated instead.

Every finding is returned with its reason in words a user can check; the user can override the kind.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from typing import Any

import pandas as pd

from synth.gendered_surnames import every_gendered_surname
from synth.schema.addresses import address_share

#: Share of sampled non-missing values that must look like one kind of personal data.
PII_SHARE = 0.5
#: Code-like values (``[A-Za-z]+[-_]?\d{3,}``) in at least this share of values make a column an identifier...
CODE_SHARE = 0.5
#: ... when they take at least this many distinct values (``Q1``…``Q4`` or 12 product lines are categories).
MIN_CODE_LEVELS = 20
#: ... unless one code holds at least this share of the values: a code a tenth of the rows share is a group (a
#: product category, a store), not a key to one person. A walk's 200 product categories (``cat-001``, a third of
#: the rows on the most common) were regenerated as fresh keys such as ``cat-8517``, their distribution lost.
CODE_GROUP_SHARE = 0.1
#: A text column where at least this share of the non-missing values occur exactly once is an identifier.
SINGLETON_SHARE = 0.5
#: ... judged only on columns with at least this many non-missing values.
MIN_SINGLETON_ROWS = 20

# Letters of any script on either side of the @ (RFC 6531 addresses such as josé.garcía@correo.es, and
# internationalised domains): an ASCII-only pattern left a customer table's e-mails a learned category, and a
# customer's real address in 18% of the synthetic rows. \w is Unicode-aware for str patterns; a top-level domain
# is letters, or an A-label (xn--p1ai).
EMAIL = re.compile(r"[\w.%+'’-]+@[\w-]+(\.[\w-]+)*\.([^\W\d_]{2,}|xn--[a-z0-9-]+)")
IPV4 = re.compile(r"(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}")
IPV6 = re.compile(r"[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}")  # the shape; ip_share checks the address too
SSN = re.compile(r"\d{3}-\d{2}-\d{4}")
#: Postcodes in the layouts that carry letters and cannot be read as a number or a date: UK ("SW1A 1AA",
#: "M1 1AE"), Canadian ("K1A 0B1") and Dutch ("1234 AB"). A home postcode narrows a person to a few households.
POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}|[A-Z]\d[A-Z] ?\d[A-Z]\d|[1-9]\d{3} ?[A-Z]{2}", re.IGNORECASE)
#: Fewer distinct postcodes than this are a few sites (offices, depots): a category, not people's homes.
MIN_POSTCODES = 20
CARD = re.compile(r"\d{4}([ -]?\d{3,4}){2,3}([ -]?\d{1,4})?")
# A country code may sit in brackets, "(+57) 318 483 39 69", and Hungarian or German numbers split the area code
# with a slash, "06-66/048 7647" (dates, which a slash would also fit, are recognised before personal data).
PHONE = re.compile(r"(\(?\+)?[\d().\-/ ]{7,24}(\s*(x|ext\.?)\s*\d{1,6})?", re.IGNORECASE)
CODE = re.compile(r"[A-Za-z]{1,8}[-_]?\d{3,}")
# Account and document numbers written in groups: a spaced IBAN "DE20 2482 8917 7329 5931 87", a National Insurance
# number "QQ 12 34 56 C", "AB-123-456": letters and digits joined by spaces, dots, dashes or slashes, with at least
# five digits. Such columns repeated per household were learned as categories, and a number five rows shared came
# back as it was.
GROUPED_CODE = re.compile(r"(?=(?:\D*\d){5})[A-Za-z0-9]+(?:[ .\-/][A-Za-z0-9]+)+")
_PHONE_PUNCT = re.compile(r"[+()\-./ ]")
# Words of letters in any script ("Chloé", "Müller", "O'Brien"): [^\W\d_] is a letter; capitals are checked apart
# (_capitalised), as Python's re has no class for upper-case letters beyond ASCII.
# Indic and Thai vowel signs are marks, not letters, to Python's re (\w): "मोहना" failed the name shape, and
# Hindi and Thai names were read as keys. Their blocks count as letters after a word's first letter.
_MARKS = "\u0900-\u0dff\u0e00-\u0e7f"
# A hyphen or apostrophe joins letters inside a word ("Wieloch-Bolnbach", "O'Brien"). The alternatives share no
# character: a Thai letter matched both "a letter" and "the Thai block", so a Thai value that was not a name was
# tried every way round (2^n) before failing, and one column of 300 Thai company names took 75-160 s to read.
_LETTERS = rf"[^\W\d_](?:[^\W\d_{_MARKS}]|[{_MARKS}]|['’\-](?=[^\W\d_]))+"
# Family-name particles written in lower case ("van der Ploeg", "de Souza"): they need no capital and may add a
# fourth word ("Naud van der Ploeg" read as a key when Dutch names fell under half).
_PARTICLES = frozenset(
    [
        "van",
        "von",
        "der",
        "den",
        "de",
        "da",
        "di",
        "do",
        "dos",
        "das",
        "du",
        "del",
        "della",
        "la",
        "le",
        "ten",
        "ter",
        "zu",
        "bin",
        "al",
        "el",
    ]
)
_NAME = re.compile(rf"(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.? )?{_LETTERS}(?: [^\W\d_]\.?)?(?: {_LETTERS}){{1,3}}")
_WORD = re.compile(_LETTERS)
_TITLES = frozenset(["mr", "mrs", "ms", "miss", "dr", "prof"])
_PHONE_NAME = re.compile(r"(phone|tel|mobile|cell|fax)", re.I)


@lru_cache(maxsize=1)
def person_words() -> tuple[frozenset[str], frozenset[str]]:
    """First names and last names (Faker's en_US lists), lower-cased."""
    from faker.providers.person.en_US import Provider as PersonProvider

    firsts = frozenset(str(n).lower() for n in PersonProvider.first_names)
    lasts = frozenset(str(n).lower() for n in PersonProvider.last_names)
    return firsts, lasts


@lru_cache(maxsize=4)
def faker_providers(kind: str) -> tuple[tuple[str, Any], ...]:
    """Every locale's Faker provider of ``kind`` ("person", "address") that imports, as (locale code, provider
    class), in module order."""
    import importlib
    import pkgutil

    package = importlib.import_module(f"faker.providers.{kind}")
    out = []
    for module in pkgutil.iter_modules(package.__path__):
        try:
            out.append((module.name, importlib.import_module(f"{package.__name__}.{module.name}").Provider))
        except (ImportError, AttributeError):  # a locale that fails to import costs only its lists
            continue
    return tuple(out)


def person_providers() -> tuple[tuple[str, Any], ...]:
    """Every locale's Faker person provider (:func:`faker_providers`): the name lists and titles read here and by
    :mod:`synth.generated_locales` come from these."""
    return faker_providers("person")


def faker_titles(kinds: tuple[str, ...]) -> frozenset[str]:
    """Every locale's words of the provider lists named ``kinds…`` ("prefixes": Herr, Sr., आदरसूचक; "suffixes":
    MBA), lower-cased without their dots."""
    titles: set[str] = set()
    for _, provider in person_providers():
        for attr in dir(provider):
            if attr.startswith(kinds) and isinstance(getattr(provider, attr), dict | list | tuple):
                titles.update(str(t).lower().strip(".") for t in getattr(provider, attr))
    return frozenset(titles)


@lru_cache(maxsize=1)
def world_names() -> tuple[frozenset[str], frozenset[str]]:
    """First and last names of every locale Faker ships (86 of them: Chloé, Farid, Priya, Tariq, Müller, García,
    Nguyen …), lower-cased. Read for full names only ("Priya Haddad"), whose two capitalised words make a chance
    match rare; a column of single words is judged on the en_US lists (:func:`person_words`), because across all
    locales "May", "June", "Summer", "Male" and "Unknown" are first names too."""
    firsts: set[str] = set()
    lasts: set[str] = set()
    for _, provider in person_providers():
        # first_names, first_names_female, male_last_names, unisex_last_names …: locales name their lists freely.
        for attr in dir(provider):
            into = firsts if "first_names" in attr else lasts if "last_names" in attr else None
            if into is None:
                continue
            names = getattr(provider, attr, ())
            if isinstance(names, dict | list | tuple | set | frozenset):  # (some locales weight names in a dict)
                into.update(str(n).lower() for n in names)
    # Women's family names Faker's lists do not spell: Kowalska, Kazlauskienė, Jónsdóttir.
    lasts.update(every_gendered_surname(person_providers()))
    return frozenset(firsts), frozenset(lasts)


@lru_cache(maxsize=1)
def world_titles() -> frozenset[str]:
    """Every locale's titles before a name ("herr", "sr", "आदरसूचक"), lower-cased: Hindi names often open on one,
    and without it a column of them fell under half known names."""
    return frozenset(t for t in faker_titles(("prefixes",)) if t)


def caseless_letter(ch: str) -> bool:
    """A letter of a script without capitals (Chinese, Japanese, Korean, Arabic, Thai …)."""
    return ch.isalpha() and ch.upper() == ch.lower()


def _capitalised(value: str) -> bool:
    """Every word starts with a capital letter, in any script, or with a letter of a script that has none; a
    family-name particle ("van", "de") may be lower case where a capitalised word follows it."""
    words = value.split()
    return bool(words) and all(
        word[:1].isupper() or caseless_letter(word[:1]) or (word in _PARTICLES and i + 1 < len(words) and i > 0)
        for i, word in enumerate(words)
    )


def _caseless_name(value: str, firsts: frozenset[str], lasts: frozenset[str]) -> bool:
    """A family name then a given name in a script without capitals, with a space or without ("鈴木 晃", "홍정훈",
    "梁鑫"); a given name may be one character, which the name shape of cased scripts does not allow."""
    words = value.split()
    if len(words) == 2 and all(all(caseless_letter(ch) for ch in w) for w in words):
        return words[0] in lasts and words[1] in firsts
    if len(words) != 1 or not 2 <= len(value) <= 4 or not all(caseless_letter(ch) for ch in value):
        return False
    return any(value[:k] in lasts and value[k:] in firsts for k in (1, 2) if k < len(value))


def share_matching(values: list[str], pattern: re.Pattern[str]) -> float:
    """Share of ``values`` that ``pattern`` matches in full."""
    return sum(1 for v in values if pattern.fullmatch(v)) / len(values) if values else 0.0


def ipv6_ok(value: str) -> bool:
    """Whether ``value`` is an IPv6 address: eight groups, or fewer with ``::`` standing for the rest (Python's
    :class:`ipaddress.IPv6Address` decides). The shape alone (:data:`IPV6`) read call durations ``00:04:31`` and
    times ``14:35:00`` as addresses (session 40: a call centre's durations came back as ``198.51.100.213``)."""
    if not IPV6.fullmatch(value):
        return False
    try:
        ipaddress.IPv6Address(value)
    except ValueError:
        return False
    return True


def ip_share(values: list[str]) -> float:
    """Share of ``values`` that are IPv4 or IPv6 addresses, whichever is more."""
    if not values:
        return 0.0
    return max(share_matching(values, IPV4), sum(1 for v in values if ipv6_ok(v)) / len(values))


def luhn_ok(digits: str) -> bool:
    """Whether a digit string passes the Luhn check of card numbers."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


#: An IBAN (ISO 13616) as written on paper or unspaced: a country code, two check digits and 11-30 letters or digits
#: of the account (BBAN), in groups of four when spaced ("DE20 2482 8917 7329 5931 87").
IBAN = re.compile(r"[A-Z]{2}\d{2}(?:[A-Z0-9]{11,30}|(?: [A-Z0-9]{4}){2,7}(?: [A-Z0-9]{1,4})?)")


def iban_ok(value: str) -> bool:
    """Whether ``value`` is shaped like an IBAN (:data:`IBAN`) and passes its mod-97 check (ISO 7064 MOD 97-10):
    the account, then the country and check digits, read as a number with A = 10 … Z = 35, leaves 1."""
    if not IBAN.fullmatch(value):
        return False
    plain = value.replace(" ", "")
    if not 15 <= len(plain) <= 34:
        return False
    return int("".join(str(int(ch, 36)) for ch in plain[4:] + plain[:4])) % 97 == 1


def iban_share(values: list[str]) -> float:
    """Share of values that are IBANs with a valid check (:func:`iban_ok`). An IBAN column is an identifier (its
    values are unique or grouped codes); generation reads this share to draw IBANs that pass the check too
    (:mod:`synth.generated_ibans`)."""
    return sum(1 for v in values if iban_ok(v)) / len(values) if values else 0.0


def detect_iban_identifier(values: list[str]) -> str | None:
    """The reason a text column of IBANs is an identifier, or None when fewer than :data:`PII_SHARE` of the
    sampled values are IBANs that pass their check digits.

    A valid IBAN names a bank account whatever the column's repetition: a transactions export holds each account
    on many rows, and one account can hold a tenth of them. Judged by distinct values and group shares, as other
    codes are (:func:`detect_code_identifier`), such a column read as a category (session 40: 284 IBANs of 700
    accounts, one on 44% of 6,000 transactions), and every IBAN held by 5 rows or more came out verbatim in the
    synthetic table. The check digits leave 1 random code in 97 passing, so half of the values passing is no
    chance."""
    share = iban_share(values)
    if share < PII_SHARE:
        return None
    return (
        f"{share:.0%} of sampled values are IBANs with valid check digits: a bank account, however many rows share it"
    )


def card_share(values: list[str]) -> float:
    """Share of values that are 13–19 digit numbers (spaces or dashes allowed) with a valid Luhn check."""
    hits = 0
    for v in values:
        if CARD.fullmatch(v):
            digits = re.sub(r"\D", "", v)
            if 13 <= len(digits) <= 19 and luhn_ok(digits):
                hits += 1
    return hits / len(values) if values else 0.0


#: Dates with dashes, slashes or dots ("2024-01-31", "31/01/2024", "01.31.2024"), in any year a date is written
#: with (placeholders 0001-01-01 and 9999-12-31 too, which pandas keeps as text): never phone numbers.
_DATE_LIKE = re.compile(
    r"\s*(?:\d{4}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.]\d{4})\s*"
)


def _phone_share(name: str, values: list[str]) -> float:
    hits = 0
    for v in values:
        if _DATE_LIKE.fullmatch(v):  # a date column in mixed formats read as phone numbers (dashes, 8 digits)
            continue
        # A slash alone ("2024/000123") is an invoice or file number's; beside a space, dash or bracket it splits
        # an area code ("92/411 5781").
        if PHONE.fullmatch(v) and ("/" not in v or re.search(r"[ ()+\-]", v)):
            digits = sum(ch.isdigit() for ch in re.split(r"(?i)x|ext", v)[0])
            if 7 <= digits <= 15 and (_PHONE_PUNCT.search(v) or _PHONE_NAME.search(name)):
                hits += 1
    return hits / len(values) if values else 0.0


def _postcode_share(values: list[str]) -> float:
    """Share of postcodes (:data:`POSTCODE`), 0 when they are fewer than :data:`MIN_POSTCODES` distinct ones."""
    found = [v for v in values if POSTCODE.fullmatch(v)]
    return len(found) / len(values) if values and len(set(found)) >= MIN_POSTCODES else 0.0


def _names(values: list[str]) -> tuple[str, str] | None:
    """Personal names: full names with a known first name, or single words that are mostly known names.

    Judged on rows *and* on distinct values, so one common word that happens to be a surname ("White" in a
    race column) does not make a column of names, while a handful of real names repeated many times does.
    """
    firsts, lasts = person_words()
    world_firsts, world_lasts = world_names()
    distinct = sorted(set(values))

    def known_full(v: str) -> bool:
        if not _NAME.fullmatch(v) or not _capitalised(v):
            return False
        words = [w.strip(".").lower() for w in v.split()]
        given = words[1] if len(words) > 2 and (words[0] in _TITLES or words[0] in world_titles()) else words[0]
        if given in firsts or (len(words) > 2 and words[1] in firsts):
            return True
        # Any locale's first name, then any locale's last name: "Chloé García", "Farid Haddad".
        # A double-barrelled family name counts by its parts ("Wieloch-Bolnbach": each a German family name).
        if given in world_firsts and any(part in world_lasts for part in words[-1].split("-")):
            return True
        # The family name first, as Japanese, Chinese, Korean and Hungarian write it, and Russian before a
        # patronymic: "木村 陽一", "Сазонов Арсений Дмитриевич". These were read as categories (Japanese, Korean):
        # learned, real names came back.
        return words[0] in world_lasts and words[1] in world_firsts

    def known(v: str) -> bool:
        return known_full(v) or _caseless_name(v, world_firsts, world_lasts)

    full_rows = sum(1 for v in values if known(v)) / len(values)
    full_distinct = [v for v in distinct if known(v)]
    if full_rows >= PII_SHARE and len(full_distinct) >= max(3, PII_SHARE * len(distinct)):
        return "name", f"{full_rows:.0%} of sampled values are personal names (a known first and last name)"
    words = [v for v in distinct if _WORD.fullmatch(v) and _capitalised(v)]
    first_distinct = [v for v in words if v.lower() in firsts]
    last_distinct = [v for v in words if v.lower() in lasts]
    first_rows = sum(1 for v in values if v.lower() in firsts) / len(values)
    last_rows = sum(1 for v in values if v.lower() in lasts) / len(values)
    # Colours (Green, White, Brown, Gray) are surnames too: family names need more distinct values.
    if first_rows >= PII_SHARE and len(first_distinct) >= max(5, PII_SHARE * len(distinct)):
        return "first_name", f"{first_rows:.0%} of sampled values are first names ({len(first_distinct)} distinct)"
    if last_rows >= PII_SHARE and len(last_distinct) >= max(10, PII_SHARE * len(distinct)):
        return "last_name", f"{last_rows:.0%} of sampled values are family names ({len(last_distinct)} distinct)"
    return None


#: No personal value of a clear shape is longer (an e-mail address is at most 254 characters, a street address a
#: few dozen): a longer one is free text, matched by no pattern.
MAX_PII_CHARS = 1_000


def _bounded(values: list[str]) -> list[str]:
    """``values`` with every one longer than :data:`MAX_PII_CHARS` as ``""``, which no pattern matches: the name
    pattern's backtracking on one 10 MB field took over 3 GB and stopped the schema inference with a MemoryError."""
    return [v if len(v) <= MAX_PII_CHARS else "" for v in values]


def detect_pii(name: str, values: list[str]) -> tuple[str, str] | None:
    """``(pii_type, reason)`` when about half of the sampled text values are one kind of personal data.

    Args:
        name: the column name (only used to accept bare digit strings as phone numbers).
        values: sampled non-missing values, as stripped text.
    """
    if not values:
        return None
    values = _bounded(values)
    checks: list[tuple[str, float, str]] = [
        ("email", share_matching(values, EMAIL), "e-mail addresses"),
        ("ssn", share_matching(values, SSN), "shaped like social security numbers (###-##-####)"),
        ("card", card_share(values), "13–19 digit numbers with a valid card checksum"),
        ("ip", ip_share(values), "IP addresses"),
        ("postcode", _postcode_share(values), "postcodes (UK, Canadian or Dutch layout)"),
        ("address", address_share(values), "street addresses (a house number and a street)"),
    ]
    for pii_type, share, what in checks:
        if share >= PII_SHARE:
            return pii_type, f"{share:.0%} of sampled values are {what}"
    phone = _phone_share(name, values)
    if phone >= PII_SHARE:
        return "phone", f"{phone:.0%} of sampled values are shaped like phone numbers"
    return _names(values)


def pii_shares(name: str, values: list[str]) -> dict[str, float]:
    """Share of ``values`` shaped like each kind of personal data that has a clear shape (names aside)."""
    if not values:
        return {}
    values = _bounded(values)
    return {
        "email": share_matching(values, EMAIL),
        "ssn": share_matching(values, SSN),
        "card": card_share(values),
        "ip": ip_share(values),
        "phone": _phone_share(name, values),
    }


def detect_code_identifier(values: list[str], n_unique: int) -> str | None:
    """The reason a text column is a code-like identifier (``CUST00524``), or None.

    Args:
        values: sampled non-missing values, as stripped text.
        n_unique: distinct values of the whole column.
    """
    if not values or n_unique < MIN_CODE_LEVELS:
        return None
    share = max(share_matching(values, CODE), share_matching(values, GROUPED_CODE))
    if share < CODE_SHARE or pd.Series(values).value_counts(normalize=True).iloc[0] >= CODE_GROUP_SHARE:
        return None
    return (
        f"{share:.0%} of sampled values are codes (letters and digits, e.g. {pattern_hint(values)}) in "
        f"{n_unique:,} distinct values: a key to a person or account, whatever its uniqueness"
    )


def singleton_share(present: pd.Series) -> float:
    """Share of non-missing values whose value occurs exactly once in the column."""
    if len(present) == 0:
        return 0.0
    counts = present.value_counts()
    return float(counts[counts == 1].sum() / len(present))


def pattern_hint(values: list[str]) -> str:
    """A value's shape with every digit shown as ``#`` and every letter as ``@``, e.g. ``@@@@#####``, with the
    legend a reader needs (an analyst met "@######" in a reason on the Data page with nothing to read it by)."""
    sample = sorted(values, key=len)[len(values) // 2]
    return with_legend(re.sub(r"[A-Za-z]", "@", re.sub(r"\d", "#", sample)))


def with_legend(pattern: str) -> str:
    """``pattern`` followed by what its placeholders stand for: ``E######`` → ``E######, where # is a digit``."""
    marks = (("#", "# is a digit"), ("@", "@ a letter"), ("?", "? any character"))
    legend = [text for mark, text in marks if mark in pattern]
    if not legend:
        return pattern
    said = legend[0] if len(legend) == 1 else ", ".join(legend[:-1]) + " and " + legend[-1]
    return f"{pattern}, where {said}"
