"""Street addresses by content, in the layouts of many countries.

A street address is a house number and a street-type word in either order: ``742 Evergreen Terrace`` and
``5, rue Bazin``, but also ``Hauptstraße 12``, ``Beratlaan 76``, ``Calle de Juan Vidal 56``, ``Via Roma, 9``,
``ul. Klonowa 876`` or ``Rua Bruno da Luz, 576``, where the number comes last or the street type is glued to the
name. Only the first layout was recognised before: a German, Dutch, Spanish, Italian, Polish or Portuguese
customer table's addresses were learned as a category, and an address five customers shared came back as it is.
Addresses in Chinese, Japanese and Korean are recognised by their own markers (丁目, 番地, 路…号, 路…座, 로/길 +
number).

The street-type words are a curated list, not Faker's locale lists: those also hold street *names* and common
words ("Green", "Park", "Hill", "Mall") that would make product or place columns look like addresses. Faker's
lists count only in the layout Faker writes them in, where that layout itself says "address":

- the street suffixes of a locale whose addresses open on the house number (English "742 Evergreen Coves",
  Persian "2194 هستي دره") count after a house number that opens the value (:func:`leading_number_suffixes`);
- a house number and a whole street name that a locale's Faker lists hold (Azerbaijani "4 ŞAHİN MUSTAFAYEV",
  written without küçəsi) count in a column made mostly of them (:func:`listed_streets`);
- the street suffixes of a locale whose addresses carry no house number (Nepali "कुइकेल पथ": Nepal numbers few
  houses) mark a street name alone, in a column made mostly of them (:func:`numberless_suffixes`).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# Street-type words that stand alone (lower case, abbreviations with their dot), one line per language group.
_WORDS = """
st st. street ave ave. avenue rd rd. road blvd blvd. boulevard ln lane dr dr. drive ct court way pl place ter
terrace cir circle hwy highway pkwy parkway sq square trl trail close crescent apt apt. suite unit mews row grove
gardens alley walk flat studio h.no. ganj nagar marg chowk
straße strasse str. weg gasse platz allee ring damm ufer chaussee whg. stiege
straat laan plein gracht kade singel dreef gade gatan gata vej vägen väg veien vei gate torget katu tie kuja
rue av. bd chemin allée impasse quai route cours passage voie bât.
calle c/ avenida avda avda. paseo plaza camino carrera carretera ruta ronda travesía glorieta pasaje callejón calzada
andador peatonal privada cerrada circuito retorno prolongación diagonal transversal cl. cr. dg. tr. diag.
piso depto dpto dpto. of. interior int. puerta bloque portal escalera carrer passeig plaça avinguda
rua travessa praça largo estrada alameda rodovia beco ladeira pátio colônia conjunto chácara condomínio quadra
loteamento apto apto. andar bloco lote
via viale piazza corso strada vicolo piazzale lungomare contrada scala interno
ul. ulica al. aleja plac os. osiedle ulice náměstí nám. třída nábřeží námestie put cesta trg obala
bulevardul calea aleea șoseaua soseaua nr. nr no. nº n° № bl. sc. ap. et.
utca út u. tér körút köz sokak sok. sk. cadde caddesi cd. mahallesi mah. bulvarı sokağı küç. küçəsi prospekti
döngəsi
οδός οδ. λεωφόρος λεωφ. πλατεία πάροδος
ул. улица пр. проспект пер. переулок шоссе наб. набережная бульвар площадь вулиця вул. провулок площа сквер буд.
кв. просп. пров.
փողոց փ. պողոտա պող. բն. ք. գ.
شارع طريق حي نهج زنقة دوار خیابان کوچه بلوار تقاطع میدان جاده پلاک רחוב
jalan jl. jln lorong gang gg. đường phố ngõ hẻm ถนน ซอย ถ. ซ. ქ. ქუჩა indlela ithafa isitaladi নং রোড
"""

#: Street-type words that stand alone.
STREET_WORDS: frozenset[str] = frozenset(_WORDS.split())

# Street types written glued to the street's name (Hauptstraße, Beratlaan, Vesterbrogade, Mannerheimintie).
_GLUED = """
straße strasse str. weg gasse platz allee ring damm ufer chaussee steig pfad straat laan plein gracht kade singel
dreef steeg dijk baan gade gatan gata vej vägen veien gaten stræde torget stigen gränd katu tie kuja polku bulevardi
"""

#: Street types glued to the name.
GLUED_SUFFIXES: tuple[str, ...] = tuple(_GLUED.split())

#: Letters a glued name must have before its suffix ("Ring" or "Weg" alone are words, "Benthinring" a street).
_GLUED_STEM = 3

#: A house number: 12, 12a, 27/63, 86-64, 3bis.
_HOUSE_NUMBER = re.compile(r"(n[º°o.]\s?|№\s?)?\d{1,5}[^\W\d_]{0,3}([/-]\d{1,5}[^\W\d_]?)?\.?", re.IGNORECASE)
_TOKENS = re.compile(r"[\s,;]+")
#: CJK markers: 丁目 and 番地 (Japanese blocks), a number and 号 (Chinese house number), a Korean road and its number,
#: and a Chinese street and its building ("王路Y座", "潮州路12座": 座 alone is also "seats", "7座SUV").
_CJK = re.compile(r"\d+\s*丁目|\d+\s*番地?|\d+\s*[号號]|(로|길|가|거리)\s*\d+|[路街道巷弄][A-Za-z0-9]{1,4}\s*座")
#: Thai street types written glued before the name (ถ.ไม้แดง).
_GLUED_PREFIXES = ("ถ.", "ถนน", "ซ.", "ซอย")
#: The loose layout (a name and a house number, nothing else: "Lidická 12", "Amundsenholtet 647", "אילניה 87") is
#: how Czech, Greek, Hebrew, Norwegian or Armenian addresses read, with no street-type word at all. A few such
#: values are labels ("Room 101"), so the layout counts only in a column where most values have it, with many
#: distinct streets and house numbers.
LOOSE_SHARE = 0.8
LOOSE_DISTINCT = 50
#: A house number opening the value ("742 Evergreen", "12-14, Coves", "221B Baker", "2194 هستي"): the only place a
#: suffix from Faker's wider lists counts, as "Green Tea 250" or "Park 3" must not read as addresses.
_NUMBER_FIRST = re.compile(r"\d{1,6}[A-Za-z]?([-/]\d+[A-Za-z]?)?,? +[^\W_]")
#: A column of house numbers and streets Faker lists by name counts where it has this many such streets.
LISTED_DISTINCT = 20
#: A street written without a house number is a name and a street type: two to four words in all.
_NUMBERLESS_WORDS = (2, 4)
#: A street-type word and a number and nothing else ("Gate 12", "Ruta 5", "12 Way") is how labels
#: read: airport gates (Norwegian "gate" is a street), bus routes (Spanish "ruta" a road). Such values count as
#: addresses only in a column with this many distinct ones: a column of 12 gates over 2,000 rows read as 100%
#: addresses (session 27), and its fakes were streets.
LABEL_DISTINCT = LOOSE_DISTINCT


def _address_providers() -> tuple[tuple[str, Any], ...]:
    from synth.schema.pii import faker_providers  # pii imports this module

    return faker_providers("address")


def _own_words(provider: Any, prefix: str) -> set[str]:
    """The last word of every item of the provider's own lists named ``prefix…``, lower-cased: "آزاد راه" (freeway)
    gives راه (road), not آزاد (free). Inherited lists are left out: every locale inherits Faker's "Street"."""
    return {
        str(item).split()[-1].lower()
        for attr, value in vars(provider).items()
        if attr.startswith(prefix) and isinstance(value, dict | list | tuple)
        for item in value
        if str(item).split() and "{" not in str(item) and any(c.isalpha() for c in str(item))
    }


@lru_cache(maxsize=1)
def leading_number_suffixes() -> frozenset[str]:
    """The street suffixes of every locale whose Faker street addresses open on the house number and whose street
    names close on a suffix (English "Coves", "Crossing", "Knoll"; Persian دره, کوه; Vietnamese, Zulu), lower-cased,
    with the curated :data:`STREET_WORDS`. Read only after a leading house number (see :func:`is_street_address`)."""
    words: set[str] = set()
    for _, provider in _address_providers():
        opens = any(str(f).startswith("{{building_number}}") for f in getattr(provider, "street_address_formats", ()))
        closes = any(str(f).endswith("{{street_suffix}}") for f in getattr(provider, "street_name_formats", ()))
        if opens and closes:
            words |= _own_words(provider, "street_suffix")
    return STREET_WORDS | frozenset(words)


@lru_cache(maxsize=1)
def listed_streets() -> frozenset[str]:
    """Whole street names from every locale's Faker lists of them (``streets``, ``street_names``,
    ``street_titles`` …), case-folded: "şahin mustafayev", "lipová"."""
    names: set[str] = set()
    for _, provider in _address_providers():
        for attr in dir(provider):
            value = getattr(provider, attr)
            named = "street" in attr and not any(k in attr for k in ("format", "suffix", "prefix"))
            if named and isinstance(value, dict | list | tuple):
                names.update(" ".join(v.split()).casefold() for v in value if isinstance(v, str))
    return frozenset(names)


@lru_cache(maxsize=1)
def numberless_suffixes() -> frozenset[str]:
    """The street suffixes of every locale whose Faker street addresses carry no house number (ne_NP: पथ, गल्ली,
    मार्ग …): there a name and its street type are the whole street address."""
    words: set[str] = set()
    for _, provider in _address_providers():
        formats = [str(f) for f in getattr(provider, "street_address_formats", ())]
        if formats and not any("building_number" in f or "#" in f for f in formats):
            words |= _own_words(provider, "street_suffix")
    return frozenset(words)


def numberless_street(value: str) -> str | None:
    """The name of a street written without a house number ("कुइकेल पथ" → "कुइकेल"): two to four words, the last a
    suffix of :func:`numberless_suffixes`, and no digit; else None."""
    words = value.split()
    low, high = _NUMBERLESS_WORDS
    if not low <= len(words) <= high or any(c.isdigit() for c in value):
        return None
    return " ".join(words[:-1]) if words[-1].lower() in numberless_suffixes() else None


def is_street_address(value: str) -> bool:
    """Whether ``value`` reads as a street address: a house number and a street-type word (apart or glued to the
    name), in either order; a leading house number and a street suffix of :func:`leading_number_suffixes`; or a
    Chinese, Japanese or Korean address marker."""
    if _CJK.search(value):
        return True
    suffixes = leading_number_suffixes()
    if _NUMBER_FIRST.match(value) and any(w.strip(".,").lower() in suffixes for w in value.split()[1:]):
        return True
    tokens = [t for t in _TOKENS.split(value.strip()) if t]
    if len(tokens) < 2 or not any(_HOUSE_NUMBER.fullmatch(t) for t in tokens):
        return False
    for token in tokens:
        word = token.lower()
        if word.startswith(_GLUED_PREFIXES):
            return True
        if word in STREET_WORDS or word.rstrip(".") in STREET_WORDS:
            return True
        glued = any(word.endswith(s) and len(word) - len(s) >= _GLUED_STEM for s in GLUED_SUFFIXES)
        if glued and word.rstrip(".").replace("-", "").isalpha():  # Hans-Dieter-Schulz-Gasse, Hauptstr.
            return True
    return False


def street_word_and_number(value: str) -> bool:
    """Whether ``value`` is a street-type word (of :func:`leading_number_suffixes`) and a house number, in either
    order, and nothing else: "Gate 12", "Ruta 5", "12 Way"; not "Storgata 12" (a street's name) or "Ruta 5 km 3"."""
    tokens = [t for t in _TOKENS.split(value.strip()) if t]
    if len(tokens) != 2:
        return False
    suffixes = leading_number_suffixes()
    return any(
        _HOUSE_NUMBER.fullmatch(number) is not None and {word.lower(), word.lower().rstrip(".")} & suffixes
        for word, number in (tokens, tokens[::-1])
    )


def name_and_number(value: str) -> tuple[str, str] | None:
    """(street, house number) when ``value`` is a name and a house number and nothing else, before any comma or
    with the number alone after the first one ("Pátio Bruno da Luz, 576"); else None."""
    parts = [p.strip() for p in value.split(",")]
    words = parts[0].split()
    if len(parts) > 1 and len(words) >= 1 and _HOUSE_NUMBER.fullmatch(parts[1]):
        words = [*words, parts[1]]
    if len(words) < 2:
        return None
    for number, name in ((words[-1], words[:-1]), (words[0], words[1:])):
        # Every word of the name holds a letter and one is a word without digits: a UK postcode ("S24 8EX",
        # "OL0R 7EU") has an outward code where a street's name would be and was read as 1,145 street addresses.
        # "Without digits", not str.isalpha: a Devanagari or Tamil word's vowel signs are marks, not letters, and
        # isalpha lost the street addresses of hi_IN, mr_IN, ta_IN ("82 शशी सिन्हा") from session 21 to 23.
        if (
            _HOUSE_NUMBER.fullmatch(number)
            and all(any(c.isalpha() for c in w) for w in name)
            and any(not any(c.isdigit() for c in w) for w in name)
        ):
            return " ".join(name), number
    return None


def address_share(values: list[str]) -> float:
    """Share of ``values`` that read as street addresses: :func:`is_street_address`; the loose layout of
    :func:`name_and_number` where a column holds mostly that, with many distinct names and house numbers, or many
    distinct streets Faker lists by name (:func:`listed_streets`: Faker's az_AZ house numbers have one digit, ten
    in all); or streets without a house number (:func:`numberless_street`) where a column holds mostly those, with
    many distinct names. Each value counts once, whichever layout reads it; a bare street word and number
    (:func:`street_word_and_number`) counts only where :data:`LABEL_DISTINCT` distinct values have that shape."""
    if not values:
        return 0.0
    read = [is_street_address(v) for v in values]
    loose = [name_and_number(v) for v in values]
    found = [x for x in loose if x is not None]
    streets, numbers = {name for name, _ in found}, {number for _, number in found}
    listed = {name for name in streets if name.casefold() in listed_streets()}
    if len(found) >= LOOSE_SHARE * len(values) and (
        min(len(streets), len(numbers)) >= LOOSE_DISTINCT or len(listed) >= LISTED_DISTINCT
    ):
        read = [a or b is not None for a, b in zip(read, loose, strict=True)]
    bare = [numberless_street(v) for v in values]
    names = {name for name in bare if name is not None}
    if len(values) - bare.count(None) >= LOOSE_SHARE * len(values) and len(names) >= LOOSE_DISTINCT:
        read = [a or b is not None for a, b in zip(read, bare, strict=True)]
    labels = [street_word_and_number(v) for v in values]
    if len({v for v, label in zip(values, labels, strict=True) if label}) < LABEL_DISTINCT:
        read = [a and not label for a, label in zip(read, labels, strict=True)]
    return sum(read) / len(values)
