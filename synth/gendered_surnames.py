"""Family names that agree with the first name's gender, for the locales whose Faker lists do not pair them.

Faker splits the family names of most languages whose family names have a feminine form (ru_RU Иванов / Иванова,
cs_CZ Novák / Nováková, lv_LV, sk_SK, uk_UA, bg_BG, el_GR, mk_MK, az_AZ: ``last_names_male`` / ``_female``), and
:mod:`synth.generated_locales` pairs a woman's first name with a woman's family name there. Three locales write
them otherwise, and drew a woman's first name with a man's family name:

* pl_PL keeps the adjectival names in ``male_last_names`` (Kowalski, Wiśniewski) beside ``unisex_last_names``
  (Wójcik): "Anna Kowalski" came out, where a Polish woman is Anna Kowalska. A woman's form ends ``-ska``,
  ``-cka``, ``-dzka`` for ``-ski``, ``-cki``, ``-dzki``; the other names are the same for both, and the unisex list is
  read as Faker has it (it holds a few adjectival names, "Leśny", that Faker gives women too).
* lt_LT has one list of men's family names (Kazlauskas, Butkus) and one of first names of both genders
  ("Eglė Kazlauskas"). Lithuanian women's first names end in ``-a`` or ``-ė``; a woman's family name here takes the
  married form ``-ienė`` (Kazlauskienė, Butkienė, Stankevičienė, Nausėdienė).
* is_IS keeps patronymic stems (``last_names_without_suffix``: "Jóns") that Faker ends in ``-son`` or ``-dóttir``
  by gender; read as a plain list, the stems came out bare ("Guðrún Jóns").

Every name here is a Faker list entry or made from one by those rules: nothing is learned from real values.
"""

from __future__ import annotations

from typing import Any

#: Polish adjectival endings, man's → woman's.
_POLISH = (("dzki", "dzka"), ("cki", "cka"), ("ski", "ska"))
#: Lithuanian men's family-name endings, longest first, each replaced by the married woman's ``-ienė``.
_LITHUANIAN = ("ius", "as", "is", "ys", "us", "a", "ė")


def polish_feminine(name: str) -> str:
    """A Polish family name's woman's form: Kowalski → Kowalska, Nowicki → Nowicka; others unchanged (Wójcik)."""
    for male, female in _POLISH:
        if name.endswith(male):
            return name[: -len(male)] + female
    return name


def lithuanian_feminine(name: str) -> str:
    """A Lithuanian family name's married woman's form: Kazlauskas → Kazlauskienė, Butkus → Butkienė, Nausėda →
    Nausėdienė."""
    for ending in _LITHUANIAN:
        if name.endswith(ending) and len(name) > len(ending) + 1:
            return name[: -len(ending)] + "ienė"
    return name


def lithuanian_female_first(name: str) -> bool:
    """Whether a Lithuanian first name is a woman's: they end in ``-a`` or ``-ė`` (Eglė, Rūta; Tomas, Jonas)."""
    return name.endswith(("a", "ė"))


def gendered_lists(code: str, provider: Any) -> tuple[tuple[list[str], list[str]], ...] | None:
    """``((men's first names, men's family names), (women's first names, women's family names))`` of the three
    locales above, from the locale's Faker provider; None for any other locale (its lists are read as they are)."""
    if code == "pl_PL":
        unisex = list(provider.unisex_last_names)
        men = list(provider.male_last_names)
        return (
            (list(provider.first_names_male), men + unisex),
            (list(provider.first_names_female), [polish_feminine(n) for n in men] + unisex),
        )
    if code == "lt_LT":
        firsts = list(dict.fromkeys(provider.first_names))
        lasts = list(dict.fromkeys(provider.last_names))
        return (
            ([n for n in firsts if not lithuanian_female_first(n)], lasts),
            ([n for n in firsts if lithuanian_female_first(n)], [lithuanian_feminine(n) for n in lasts]),
        )
    if code == "is_IS":
        stems = list(provider.last_names_without_suffix)
        return (
            (list(provider.first_names_male), [s + "son" for s in stems]),
            (list(provider.first_names_female), [s + "dóttir" for s in stems]),
        )
    return None


def every_gendered_surname(providers: tuple[tuple[str, Any], ...]) -> frozenset[str]:
    """Every family name :func:`gendered_lists` makes for the ``(code, provider)`` pairs, lower-cased: names the
    providers' own lists do not spell (Kowalska, Kazlauskienė, Jónsdóttir)."""
    out: set[str] = set()
    for code, provider in providers:
        lists = gendered_lists(code, provider)
        if lists is not None:
            out.update(n.lower() for _, lasts in lists for n in lasts)
    return frozenset(out)
