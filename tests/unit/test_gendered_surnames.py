"""A woman's first name comes with a woman's family name: Anna Kowalska (pl_PL), Eglė Kazlauskienė (lt_LT),
Guðrún Jónsdóttir (is_IS), Анна Иванова (ru_RU) — never Anna Kowalski."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import given
from hypothesis import strategies as st

from synth.gendered_surnames import (
    gendered_lists,
    lithuanian_female_first,
    lithuanian_feminine,
    polish_feminine,
)
from synth.generated import GeneratedColumns
from synth.generated_locale_draws import local_names
from synth.generated_locales import name_locales
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.schema.pii import detect_pii, person_providers


def _provider(code: str) -> object:
    return dict(person_providers())[code]


def _names(code: str, n: int = 5_000, seed: int = 0) -> list[tuple[str, str]]:
    """(first name, family name) of ``n`` generated names of the locale, in the locale's order of writing."""
    out = local_names("name", [code], np.array([1.0]), n, np.random.default_rng(seed))
    words = [v.split() for v in out]
    return [(w[-1], w[0]) if name_locales()[code].last_first else (w[0], w[-1]) for w in words]


def test_polish_women_get_the_feminine_form() -> None:
    provider: Any = _provider("pl_PL")
    # The first word of a first name ("Anna Maria" is one of Faker's women's names).
    women = {w.split()[0] for w in provider.first_names_female}
    men = {w.split()[0] for w in provider.first_names_male}
    unisex, male = set(provider.unisex_last_names), set(provider.male_last_names)
    feminine = {polish_feminine(n) for n in male}
    out = _names("pl_PL", 20_000)
    assert {first for first, _ in out} <= women | men
    women_lasts = {last for first, last in out if first in women}
    men_lasts = {last for first, last in out if first in men}
    assert women_lasts <= feminine | unisex and not women_lasts & (male - feminine)  # 0.9% of rows: Anna Kowalski
    assert "Kowalska" in women_lasts and "Kowalski" not in women_lasts
    assert men_lasts <= male | unisex and "Kowalski" in men_lasts


def test_lithuanian_women_get_the_married_form() -> None:
    out = _names("lt_LT")
    women = [last for first, last in out if lithuanian_female_first(first)]
    men = [last for first, last in out if not lithuanian_female_first(first)]
    assert women and men
    assert all(n.endswith("ienė") for n in women)  # 45.5% of all rows were a woman with a man's name
    assert not any(n.endswith("ienė") for n in men)


def test_icelandic_names_end_in_son_or_dottir_by_gender() -> None:
    provider = _provider("is_IS")
    women, men = set(provider.first_names_female), set(provider.first_names_male)  # type: ignore[attr-defined]
    out = _names("is_IS")
    assert all(last.endswith("dóttir") for first, last in out if first in women - men)
    assert all(last.endswith("son") for first, last in out if first in men - women)  # bare stems before ("Jóns")


# Locales whose Faker lists split family names by gender: each pair keeps a woman's names with a woman's.
@pytest.mark.parametrize(
    "code", ["ru_RU", "cs_CZ", "lv_LV", "sk_SK", "uk_UA", "bg_BG", "el_GR", "mk_MK", "az_AZ", "pl_PL", "lt_LT", "is_IS"]
)
def test_every_gendered_locale_pairs_women_with_women(code: str) -> None:
    lists = name_locales()[code]
    assert len(lists.pairs) == 2
    (men_first, men_last), (women_first, women_last) = ((set(f[0]), set(la[0])) for f, la in lists.pairs)
    women_first = {w.split()[0] for w in women_first}  # "Anna Maria": the first word is what _names reads
    assert women_last != men_last
    out = _names(code, 3_000)
    only_women = [(f, la) for f, la in out if f in women_first - men_first]
    assert only_women and all(la in women_last for _, la in only_women)


@given(stem=st.text(alphabet="abcdefghijklmnoprstuwyząćęłńóśźż", min_size=2, max_size=10))
def test_polish_feminine_forms(stem: str) -> None:
    name = stem.capitalize()
    assert polish_feminine(name + "ski") == name + "ska"
    assert polish_feminine(name + "cki") == name + "cka"
    assert polish_feminine(name + "dzki") == name + "dzka"
    if not name.endswith(("ski", "cki")):
        assert polish_feminine(name) == name  # Wójcik, Nowak: the same for women


@pytest.mark.parametrize(
    ("male", "female"),
    [("Kazlauskas", "Kazlauskienė"), ("Butkus", "Butkienė"), ("Stankevičius", "Stankevičienė"), ("Kairys", "Kairienė")],
)
def test_lithuanian_feminine_forms(male: str, female: str) -> None:
    assert lithuanian_feminine(male) == female


def test_other_locales_have_no_derived_lists() -> None:
    assert gendered_lists("de_DE", _provider("de_DE")) is None


def _women(code: str, n: int = 300) -> list[str]:
    """Real-looking women's names of a locale, made by hand from Faker's lists (not through synth's lists)."""
    provider: Any = _provider(code)
    faker = Faker(code)
    faker.seed_instance(3)
    if code == "pl_PL":
        return [
            f"{faker.first_name_female()} {polish_feminine(faker.random_element(provider.male_last_names))}"
            for _ in range(n)
        ]
    if code == "lt_LT":
        firsts = [f for f in provider.first_names if lithuanian_female_first(f)]
        return [
            f"{faker.random_element(firsts)} {lithuanian_feminine(faker.random_element(provider.last_names))}"
            for _ in range(n)
        ]
    return [f"{faker.first_name_female()} {faker.last_name_female()}" for _ in range(n)]  # is_IS: Faker's own


@pytest.mark.parametrize("code", ["pl_PL", "lt_LT", "is_IS"])
def test_womens_names_are_read_as_names_of_their_locale(code: str) -> None:
    # Lithuanian women's names and Faker's own Icelandic ones were no names at all before session 23 (their family
    # names are in no list): learned as a category, real names came back.
    women = _women(code)
    found = detect_pii("customer", women)
    assert found is not None and found[0] == "name"
    schema = Schema((ColumnSpec("customer", ColumnKind.PII, pii_type="name"),))
    fitted = GeneratedColumns.fit(pd.DataFrame({"customer": women}), schema)
    assert fitted.plans[0].detail["locales"] == {code: 1.0}
