"""Double-barrelled family names come back at the real column's share, each part from Faker's lists, none real."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

from synth.generated import GeneratedColumns, fake_values
from synth.generated_double_names import hyphenated_share
from synth.generated_locales import MIN_LOCALE_ROWS, name_locales
from synth.schema import ColumnKind, ColumnSpec, Schema


def _names(code: str, n: int, seed: int, kind: str = "name") -> pd.Series:
    faker = Faker(code)
    faker.seed_instance(seed)
    method = faker.name if kind == "name" else faker.last_name
    return pd.Series([method() for _ in range(n)], name=kind)


def _sample(real: pd.Series, n: int, seed: int) -> pd.Series:
    kind = str(real.name)
    schema = Schema((ColumnSpec(kind, ColumnKind.PII, pii_type=kind),))
    return GeneratedColumns.fit(real.to_frame(), schema).sample(n, np.random.default_rng(seed))[kind]


def _hyphenated(names: pd.Series) -> pd.Series:
    return names.str.split(n=1).str[1].fillna("").str.contains(r"\w-\w")


def test_the_hr_walks_share_of_double_barrelled_names_comes_back() -> None:
    # The walk's en_GB names: 13% double-barrelled ("Kaur-Reed"), none in the synthetic table before.
    real = _names("en_GB", 2_400, 7)
    out = _sample(real, 2_400, 0)
    assert abs(_hyphenated(out).mean() - _hyphenated(real).mean()) < 0.025, (_hyphenated(out).mean(),)
    assert not set(out[_hyphenated(out)]) & set(real), "no real double-barrelled name comes back"
    # Plain names are Faker's, so a common one may equal a real person's by chance: no more often than with a
    # second, unrelated column of the locale (the generator learned no name).
    fresh = _names("en_GB", 2_400, 8)
    assert len(set(out) & set(real)) <= 1.5 * len(set(out) & set(fresh)) + 10


@settings(max_examples=10, deadline=None)
@given(
    share=st.sampled_from([0.0, 0.05, 0.3, 0.6]),
    seed=st.integers(0, 2**16),
    kind=st.sampled_from(["name", "last_name"]),
)
def test_family_names_made_of_words_no_list_holds_never_come_back(share: float, seed: int, kind: str) -> None:
    # Attack: real family names no Faker list spells ("Quorvath-Bellisander"), hyphenated at a drawn share. The
    # share comes back; not one of the real column's words does, let alone a real name.
    rng = np.random.default_rng(seed)
    invented = np.array(["".join(rng.choice(list("bdfklmnrstvz"), 3)).title() + "orvath" + str(i) for i in range(40)])
    invented = np.array([w.rstrip("0123456789") + "ix"[i % 2] * (i % 5 + 1) for i, w in enumerate(invented)])
    firsts = _names("en_GB", 1_500, seed).str.split().str[0]
    family = pd.Series(rng.choice(invented, 1_500))
    double = rng.random(1_500) < share
    family[double] = family[double] + "-" + pd.Series(rng.choice(invented, 1_500))[double]
    real = (firsts + " " + family if kind == "name" else family).rename(kind)
    out = _sample(real, 3_000, seed)
    got = out.str.contains(r"\w-\w").mean()
    assert abs(got - share) < 0.04, (got, share)
    words = {w for v in real for w in v.replace("-", " ").split()} - set(firsts)
    assert not {w for v in out for w in v.replace("-", " ").split()} & words
    assert not set(out) & set(real)


def test_no_hyphenated_real_name_means_none_generated_even_where_the_locale_writes_them() -> None:
    # en_GB's own formats join one name in seven; a real column without any keeps none.
    real = _names("en_GB", 2_000, 3)
    real = real[~real.str.contains("-")].rename("name")
    out = _sample(real, 3_000, 1)
    assert not out.str.contains("-").any()


def test_a_few_hyphenated_names_are_not_a_share() -> None:
    # Fewer than MIN_LOCALE_ROWS double-barrelled names would point at those people: the share stored is 0.
    real = pd.Series(["Anna Smith"] * 500 + ["Anna Smith-Jones"] * (MIN_LOCALE_ROWS - 1))
    assert hyphenated_share("name", real) == 0.0
    real = pd.Series(["Anna Smith"] * 500 + ["Anna Smith-Jones"] * (MIN_LOCALE_ROWS + 30))
    assert hyphenated_share("name", real) == 0.09
    assert hyphenated_share("name", pd.Series(["Jean-Pierre Martin"] * 100)) == 0.0, "a given name is no family name"
    assert hyphenated_share("email", real) is None


def test_spanish_double_family_names_stay_joined_by_a_space_beside_the_hyphenated_share() -> None:
    # Faker's es_ES writes "Carmen Ruiz García" (two family names, a space) and one in ten "Araujo-Amorós".
    real = _names("es_ES", 2_000, 2)
    out = _sample(real, 3_000, 3)
    assert abs(out.str.contains("-").mean() - real.str.contains("-").mean()) < 0.025
    spaced = (out.str.split().str.len() >= 3).mean()
    assert spaced > 0.5, spaced


def test_locales_that_hyphenate_say_so() -> None:
    # The formats were misread: every locale joined two family names with a space.
    joiners = {code: name_locales()[code].joiner for code in ("en_GB", "de_DE", "es_ES")}
    assert joiners == {"en_GB": "-", "de_DE": "-", "es_ES": " "}


@pytest.mark.parametrize("stored", ["0.5", float("nan"), 2.0, -0.1, True, [0.2]])
def test_a_crafted_share_is_ignored(stored: object) -> None:
    rng = np.random.default_rng(0)
    plain = fake_values("name", 2_000, np.random.default_rng(0))
    assert list(fake_values("name", 2_000, rng, hyphenated=stored)) == list(plain)
    assert not pd.Series(plain).str.contains("-").any()
