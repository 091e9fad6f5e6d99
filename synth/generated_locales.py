"""Names and street addresses keep their locale: a German customer table gets German names and streets back.

Fakes were drawn from Faker's en_US lists whatever the real values were: a German table got "John Smith, 123 Main
Street", a UK clinic US names. Fitting now measures which of Faker's locales each real value belongs to and keeps
each locale that at least :data:`MIN_LOCALE_ROWS` rows belong to, with its share of rows rounded to 1%: the rule
phone country codes follow (:mod:`synth.generated_country_codes`). A locale is not personal data (a locale many rows
share says a language, as a category would), and the model file keeps nothing else: no name, street or word.

How a value's locale is measured: a name's first and last words (in the locale's order: family name first in
Japanese and Hungarian) are looked up in every locale's weighted lists, an address's words and layout (house number
first or last) in a vocabulary of 150 seeded Faker street addresses and 150 whole ones (city, postcode, region) of
every locale, where the words of its lists of street types and places count as seen once (street lines alone until
session 27: whole Japanese addresses went to zh_TW, Swedish ones to en_BD, 8 more locales' elsewhere); a mixture of
locales is fitted to a seeded sample of up to :data:`SAMPLE_VALUES` values (a few EM steps) and each value goes to
its most likely locale. Fakes are those locales' addresses (whole ones by share: generated_full_addresses). Locales are
not merged into language families: Faker's English lists differ in ways a user sees (en_GB's "Flat 17, Janet
Meadows" and British surnames, en_IN's Indian names, en_US's "08063 Swanson Pines"), so each keeps its own lists;
locales whose lists are identical (de and de_DE, en_US and en_CA streets, fr_CA and fr_QC names) count as one. The
language-only name lists "en" and "es" are left out: "es" holds two names, and "en" is en_US's wider, unweighted
list, which would split an American table in two.

When more than half the sampled values belong to no locale, or no locale holds :data:`MIN_LOCALE_ROWS` rows, or only
en_US does, nothing is stored and fakes come from en_US as before. Names written without a space (Chinese, Korean)
cannot be split into first and last names and are never measured.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from synth.gendered_surnames import gendered_lists
from synth.schema.pii import caseless_letter, faker_titles, person_providers

#: A locale is kept only when at least this many rows belong to it (as phone country codes).
MIN_LOCALE_ROWS = 20
#: Shares are stored rounded to this step.
SHARE_STEP = 0.01
#: At most this many values (a seeded sample) are read to measure locales.
SAMPLE_VALUES = 5_000
#: Types whose fakes follow the real locale.
LOCALE_TYPES = ("name", "first_name", "last_name", "address")
#: Faker street addresses per locale that the address vocabulary is made of.
_VOCAB_SAMPLE = 150
#: Likelihood of a word a locale's lists do not hold (so one unknown word does not rule a locale out).
_FLOOR = 1e-7
#: Name lists left out (see the module docstring), and lists too short to draw from.
_SKIPPED = frozenset(["en", "es"])
_MIN_LIST = 8
_WORDS = re.compile(r"[^\W\d_]+")
#: Han characters and kana: Chinese and Japanese streets are written without spaces ("王路Y座", "潮州路"), so each
#: character is a word of its own; as one run "王路y座" was a word no vocabulary holds and zh_CN was never measured.
_CJK_CHARACTER = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def _weighted(attr: Any) -> tuple[np.ndarray, np.ndarray]:
    from synth.generated_pii import _weighted as weighted

    return weighted(attr)


def _preference(code: str) -> tuple[bool, str]:
    """Sort key putting a language's home locale first (de_DE, es_ES, en_US), so that of two locales whose lists a
    value fits equally (es_ES and es_CA share their family names) it goes to the home one."""
    language, _, country = code.partition("_")
    return (code != "en_US" and country != language.upper(), code)


@dataclass(frozen=True)
class NameLists:
    """One locale's name lists as Faker writes them: (first names, last names) per gender, and the layout."""

    pairs: tuple[tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]], ...]
    last_first: bool  # family name first (ja_JP, hu_HU)
    sep: str  # "" where names are written without a space (zh_CN, ko_KR)
    two_last: float  # share of names with two family names (es_ES "Carmen Ruiz García")
    joiner: str  # between two family names: " " or "-"


def _lists(provider: Any, kind: str) -> list[Any]:
    """The provider's own lists of first or last names (not the base provider's "John", "Jane", "Doe")."""
    from faker.providers.person import Provider as Base

    return [
        value
        for a in dir(provider)
        if f"{kind}_names" in a  # first_names_female, male_last_names, unisex_last_names …
        and isinstance(value := getattr(provider, a), dict | list | tuple)
        and value is not getattr(Base, a, None)
    ]


def _main_list(provider: Any, kind: str, every: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
    """The weighted list ``first_names`` / ``last_names`` when the locale has its own, else all its names alike."""
    own = _lists(provider, kind)
    main: Any = getattr(provider, f"{kind}_names", None)
    if any(main is value for value in own) and len(main) >= _MIN_LIST:
        return _weighted(main)
    return _weighted(sorted(every))


def _layout(templates: list[str]) -> tuple[bool, str, float, str]:
    """From a locale's name formats: family name first (past a title), no space between names, share of two
    family names and what joins them (es_ES "Ruiz García", de_DE "Linke-Klemt")."""

    def share(test: Any) -> float:
        return sum(1 for t in templates if test(t)) / len(templates) if templates else 0.0

    last_first = share(lambda t: re.sub(r"^\s*(\{\{prefix\w*\}\}\s*)?", "", t).startswith("{{last_name")) > 0.5
    sep = "" if share(lambda t: "}}{{" in t) > 0.5 else " "
    # Two family names side by side: "}} {{last_name" alone matched every "{{first_name}} {{last_name}}", so no
    # locale joined with a hyphen (en_GB's "Kaur-Reed" came out "Kaur Reed").
    hyphen = share(lambda t: re.search(r"last_name\w*\}\}-\{\{last_name", t)) > share(
        lambda t: re.search(r"last_name\w*\}\} \{\{last_name", t)
    )
    return last_first, sep, share(lambda t: t.count("last_name") >= 2), "-" if hyphen else " "


@lru_cache(maxsize=1)
def name_locales() -> dict[str, NameLists]:
    """Every Faker locale with name lists of its own (see the module docstring), one per set of identical lists."""
    out: dict[str, NameLists] = {}
    seen: set[tuple[frozenset[str], frozenset[str]]] = set()
    for code, provider in sorted(person_providers(), key=lambda p: _preference(p[0])):
        if code in _SKIPPED:
            continue
        firsts, lasts = _lists(provider, "first"), _lists(provider, "last")
        every_first = frozenset(str(w) for names in firsts for w in names)
        every_last = frozenset(str(w) for names in lasts for w in names)
        if len(every_first) < _MIN_LIST or len(every_last) < _MIN_LIST or (every_first, every_last) in seen:
            continue
        seen.add((every_first, every_last))
        gendered = all(hasattr(provider, f"{k}_names_{g}") for k in ("first", "last") for g in ("male", "female"))
        derived = gendered_lists(code, provider)  # pl_PL Kowalska, lt_LT Kazlauskienė, is_IS Jónsdóttir
        if derived is not None:
            pairs = tuple((_weighted(firsts), _weighted(lasts)) for firsts, lasts in derived)
        elif gendered:  # Novák / Nováková, Иванов / Иванова: a man's first name with a man's family name
            pairs = tuple(
                (_weighted(getattr(provider, f"first_names_{g}")), _weighted(getattr(provider, f"last_names_{g}")))
                for g in ("male", "female")
            )
        else:
            pairs = ((_main_list(provider, "first", every_first), _main_list(provider, "last", every_last)),)
        templates = [
            str(t)
            for a in dir(provider)
            if a.startswith("formats")
            for t in (getattr(provider, a) or ())
            if isinstance(getattr(provider, a), dict | list | tuple) and "{{" in str(t)
        ]
        last_first, sep, two_last, joiner = _layout(templates)
        out[code] = NameLists(pairs, last_first, sep, two_last, joiner)
    return out


@lru_cache(maxsize=1)
def _name_index() -> tuple[tuple[str, ...], dict[str, np.ndarray], dict[str, np.ndarray], frozenset[str]]:
    """Locales, word → probability under each locale's first-name / last-name lists, and every title or suffix."""
    locales = tuple(name_locales())  # joined names (zh_CN "梁鑫", ko_KR "홍정훈") are split by _name_likelihoods
    index: dict[str, dict[str, np.ndarray]] = {"first": {}, "last": {}}
    for j, code in enumerate(locales):
        pairs = name_locales()[code].pairs
        for k, kind in enumerate(("first", "last")):
            for pair in pairs:
                words, probs = pair[k]
                for word, p in zip(words, probs, strict=True):
                    row = index[kind].setdefault(str(word).lower(), np.zeros(len(locales)))
                    row[j] = max(row[j], p / len(pairs))
    return locales, index["first"], index["last"], faker_titles(("prefixes", "suffixes"))


def _street_pool(code: str, size: int, seed: int, full: bool = False, sep: str | None = None) -> list[str]:
    """``size`` seeded Faker street addresses of a locale (``full``: whole addresses, with city and postcode), on
    one line (``sep``: lines joined by it and each line's spaces made single; else line breaks become ", " as before),
    from a generator holding only the locale's person and address providers: building a whole ``Faker(code)`` for
    each of 60 locales took 4.7 s of a first fit under load, this 0.7 s. Locales whose addresses need more providers
    get the whole ``Faker``."""
    from faker.generator import Generator

    try:
        faker: Any = Generator()
        language = code.split("_")[0]
        for kind in ("person", "address"):
            for name in (code, f"{language}_{language.upper()}", "en_US"):  # de's streets take de_DE's names
                try:
                    module = importlib.import_module(f"faker.providers.{kind}.{name}")
                    break
                except ImportError:
                    continue
            faker.add_provider(module.Provider(faker))
        faker.seed_instance(seed)
        values = [faker.address() if full else faker.street_address() for _ in range(size)]
    except AttributeError:  # a formatter of another provider ("plant_name" in en_PH)
        from faker import Faker

        faker = Faker(code)
        faker.seed_instance(seed)
        values = [faker.address() if full else faker.street_address() for _ in range(size)]
    if sep is not None:
        return [sep.join(" ".join(line.split()) for line in v.split("\n") if line.strip()) for v in values]
    return [" ".join(v.replace("\n", ", ").split()) for v in values]


def _words(text: str) -> list[str]:
    """Lower-cased words of ``text``; a word with Han characters or kana is its characters, without the letters
    glued to them: the building letter of "王路Y座" says nothing of a locale, and as a word "y" would have drawn
    Czech addresses ("Lhota u Příbramě") to zh_CN."""
    words: list[str] = []
    for word in _WORDS.findall(text.lower()):
        characters = _CJK_CHARACTER.findall(word)
        words += characters or [word]
    return words


def _address_tokens(value: str) -> list[str]:
    """A value's words, lower-cased, and its layout: house number first, last or absent."""
    text = value.strip()
    layout = "#first" if text[:1].isdigit() else "#last" if text[-1:].isdigit() else "#none"
    return [*_words(text), layout]


def _suffixes(code: str) -> list[str]:
    """The locale's street-type words (Faker's ``street_suffixes``, ``street_prefixes`` …), lower-cased."""
    provider = importlib.import_module(f"faker.providers.address.{code}").Provider
    words: list[str] = []
    for attr in dir(provider):
        value = getattr(provider, attr)
        if attr.startswith("street_") and isinstance(value, dict | list | tuple):
            words += [w for item in value for w in _words(str(item))]
    return words


def _place_words(code: str) -> list[str]:
    """Words of the locale's own lists of places Faker draws whole addresses from (``cities``, ``streets``,
    ``states``, ``prefectures``, ``towns`` …; not ``countries``, which every locale holds in some language),
    lower-cased. 150 seeded addresses hold few of sk_SK's 2,840 towns: with whole addresses but not these lists,
    39% of its whole addresses measured sk_SK and a fit of 200 of them stored nothing for 2 seeds of 6."""
    provider = importlib.import_module(f"faker.providers.address.{code}").Provider
    words: list[str] = []
    for attr, value in vars(provider).items():
        if attr.startswith("_") or "format" in attr or attr == "countries" or not isinstance(value, list | tuple):
            continue
        words += [w for item in value if isinstance(item, str) and "{" not in item for w in _words(item)]
    return words


@lru_cache(maxsize=1)
def _address_index() -> tuple[tuple[str, ...], dict[str, np.ndarray], tuple[str, ...]]:
    """Locales with street addresses of their own, token → frequency in each one's seeded samples (the locale's
    street-type words, places and names count as seen once), and the street-type words longest first, for glued names
    ("Lucasboulevard", "Hauptstraße")."""
    import faker.providers.address as address

    pools: dict[str, list[str]] = {}
    vocabulary: dict[str, list[list[str]]] = {}
    codes = sorted((m.name for m in pkgutil.iter_modules(address.__path__)), key=_preference)
    for code in codes:
        if "_" not in code and (code == "en" or f"{code}_{code.upper()}" in codes):
            continue  # Faker's "de", "es", "th" and "en" are de_DE, es_ES, th_TH and en_US
        try:
            pool = _street_pool(code, _VOCAB_SAMPLE, 0)
            whole = _street_pool(code, _VOCAB_SAMPLE, 0, full=True)
        except (ImportError, AttributeError):
            continue
        same = next((other for other, streets in pools.items() if streets == pool), None)
        if same is None:
            pools[code], vocabulary[code] = pool, [pool, whole]
        else:  # en_CA's streets are en_US's: its whole addresses (provinces, postcodes) are en_US's too
            vocabulary[same].append(whole)
    locales = tuple(pools)
    index: dict[str, np.ndarray] = {}
    glued: set[str] = set()
    for j, code in enumerate(locales):
        counts: dict[str, int] = {}
        for sample in vocabulary[code]:
            # A token's count in the sample (street or whole addresses) where it is most common: averaged over
            # the two, a street's words counted half and en_US streets ("Apt. 909") read as fr_CA's.
            seen: dict[str, int] = {}
            for token in (t for v in sample for t in set(_address_tokens(v))):
                seen[token] = seen.get(token, 0) + 1
            for token, count in seen.items():
                counts[token] = max(counts.get(token, 0), count)
        extra = _suffixes(code)
        glued.update(w for w in extra if len(w) >= 3)
        extra += _place_words(code)
        names = name_locales().get(code)
        if names is not None:
            extra += [str(w).lower() for pair in names.pairs for words in pair for w in words[0]]
        for token in extra:
            counts[token] = max(counts.get(token, 0), 1)
        for token, count in counts.items():
            index.setdefault(str(token), np.zeros(len(locales)))[j] = count / len(pools[code])
    # Rows of one float32 table: with whole addresses and place lists the index holds 89,622 tokens (49,484 from
    # street lines alone); memory traced after building it is 55 MB so, 76 MB in float64 (48 MB before).
    table = np.array(list(index.values()), dtype=np.float32)
    return locales, dict(zip(index, table, strict=True)), tuple(sorted(glued, key=len, reverse=True))


def _lookup(token: str, index: dict[str, np.ndarray], glued: tuple[str, ...]) -> list[np.ndarray]:
    """The token's frequencies; for an unknown word ending in a street type, the type's and the stem's ("Kevin" +
    "ring": a Dutch first name makes Kevinring Dutch, where "ring" alone is German as much)."""
    if token in index:
        return [index[token]]
    suffix = next((s for s in glued if token.endswith(s) and len(token) - len(s) >= 3), None)
    if suffix is None:
        return []
    stem = token[: -len(suffix)].strip("-")
    return [index[suffix], *([index[stem]] if stem in index else [])]


def _initial(word: str) -> bool:
    core = word.strip(".,")
    return len(core) <= 1 and core.isascii()


def _name_likelihoods(pii_type: str, values: list[str]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    locales, firsts, lasts, titles = _name_index()
    zero = np.zeros(len(locales))
    lik = np.zeros((len(values), len(locales)))
    known = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        # Initials ("J.") and titles say nothing of a locale; a one-character Japanese first name (舞) does.
        words = [w for w in value.lower().split() if not _initial(w) and w.strip(".,") not in titles]
        if pii_type in ("first_name", "last_name"):
            p = (firsts if pii_type == "first_name" else lasts).get(words[0] if len(words) == 1 else "", zero)
            known[i], lik[i] = p.any(), np.maximum(p, _FLOOR)
            continue
        if len(words) == 1 and 2 <= len(words[0]) <= 4 and all(caseless_letter(ch) for ch in words[0]):
            # Chinese and Korean write the family name (one or two characters) and the given name without a space:
            # "梁鑫", "홍정훈"; every split is a candidate (given name, family name).
            pairs = [(words[0][k:], words[0][:k]) for k in (1, 2) if k < len(words[0])]
        else:
            # Every ordered pair of words: "Sato Yui", "Ivanov Ivan Petrovich", "Dr. Molnárné Szabó Mónika" put the
            # family name first, second or last; the locale's best pair counts.
            pairs = [(f, s) for a, f in enumerate(words[:4]) for b, s in enumerate(words[:4]) if a != b]
        if not pairs:
            continue
        best = np.zeros(len(locales))
        for first, last in pairs:
            p_first, p_last = firsts.get(first, zero), lasts.get(last, zero)
            known[i] |= bool(p_first.any() or p_last.any())
            best = np.maximum(best, np.maximum(p_first, _FLOOR) * np.maximum(p_last, _FLOOR))
        lik[i] = best
    return locales, lik, known


def _address_likelihoods(values: list[str]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    locales, index, glued = _address_index()
    lik = np.zeros((len(values), len(locales)))
    known = np.zeros(len(values), dtype=bool)
    for i, value in enumerate(values):
        tokens = _address_tokens(value)
        found = [_lookup(t, index, glued) for t in tokens]
        rows = [r for rows in found for r in rows]
        known[i] = any(found[:-1])  # a word, not the layout alone
        log = np.sum([np.log(np.maximum(r, _FLOOR)) for r in rows], axis=0) if rows else np.zeros(len(locales))
        lik[i] = np.exp(log - log.max())
    return locales, lik, known


def _assign(lik: np.ndarray, steps: int = 20) -> np.ndarray:
    """Each row's most likely locale under a mixture of locales fitted by a few EM steps (rows × locales)."""
    weights = np.full(lik.shape[1], 1.0 / lik.shape[1])
    for _ in range(steps):
        post = lik * weights
        post /= post.sum(axis=1, keepdims=True)
        weights = post.mean(axis=0)
    return np.asarray(np.argmax(lik * weights, axis=1))


def measured_locales(pii_type: str | None, present: pd.Series) -> tuple[tuple[str, ...], pd.Series, float] | None:
    """The locales measured, each row's locale in a seeded sample of up to :data:`SAMPLE_VALUES` of ``present``'s
    rows (its index in the locales, -1 where its value belongs to none; indexed as ``present``) and the factor from
    the sample's counts to the column's; None when more than half the values belong to no locale. Held in memory at
    fit only: :func:`locale_shares` and :mod:`synth.generated_locale_levels` read it."""
    if pii_type not in LOCALE_TYPES:
        return None
    text = present.dropna().astype(str)
    if len(text) > SAMPLE_VALUES:
        text = text.sample(SAMPLE_VALUES, random_state=0)
    counts = text.value_counts()
    if counts.empty:
        return None
    values = [str(v) for v in counts.index]
    if pii_type == "address":
        locales, lik, known = _address_likelihoods(values)
    else:
        locales, lik, known = _name_likelihoods(pii_type, values)
    weights = counts.to_numpy(dtype=float)
    if weights[known].sum() <= 0.5 * weights.sum():
        return None
    which = np.full(len(values), -1)
    which[known] = _assign(lik[known])
    rows = text.map(dict(zip(values, which.tolist(), strict=True))).astype(int)
    return locales, rows, len(present.dropna()) / len(text)  # a sample's counts, scaled to the column's rows


def locale_shares(
    pii_type: str | None, present: pd.Series, measured: tuple[tuple[str, ...], pd.Series, float] | None = None
) -> dict[str, float] | None:
    """Faker locales of a name / address column's values, each held by at least :data:`MIN_LOCALE_ROWS` rows,
    with its share of rows rounded to :data:`SHARE_STEP`; None when the values' locale is unknown, mixed beyond
    the threshold, or en_US alone (fakes come from en_US then, as before). ``measured``: the column's
    :func:`measured_locales`, when the caller has it."""
    measured = measured_locales(pii_type, present) if measured is None else measured
    if measured is None:
        return None
    locales, which, scale = measured
    known = which.to_numpy()
    rows = np.bincount(known[known >= 0], minlength=len(locales)) * scale
    kept = {code: r for code, r in zip(locales, rows, strict=True) if r >= MIN_LOCALE_ROWS}
    total = sum(kept.values())
    shares = {code: float(round(r / total / SHARE_STEP) * SHARE_STEP) for code, r in kept.items()}
    shares = {code: s for code, s in shares.items() if s > 0}
    return None if not shares or set(shares) == {"en_US"} else shares
