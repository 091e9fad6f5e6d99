"""Street addresses and phone numbers are personal data in the layouts of many countries, not only "742 Evergreen
Terrace" and "(555) 010-4477"."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.generated_locales import locale_shares
from synth.schema import ColumnKind, infer_schema
from synth.schema.addresses import (
    LABEL_DISTINCT,
    STREET_WORDS,
    address_share,
    is_street_address,
    leading_number_suffixes,
    numberless_suffixes,
    street_word_and_number,
)
from synth.schema.pii import iban_ok

#: Faker locales whose street addresses carry a street-type word or a house-number layout we read (a German,
#: Dutch, Spanish, Italian, Polish or Portuguese table's addresses were all learned as a category before).
LOCALES = [
    "en_US", "en_GB", "en_AU", "de_DE", "de_AT", "nl_NL", "fr_FR", "es_ES", "es_MX", "es_CO", "it_IT", "pt_BR",
    "pt_PT", "pl_PL", "cs_CZ", "sk_SK", "ro_RO", "hu_HU", "hr_HR", "da_DK", "sv_SE", "no_NO", "fi_FI", "el_GR",
    "uk_UA", "he_IL", "th_TH", "id_ID", "ko_KR", "ja_JP", "zh_TW", "hi_IN", "mr_IN", "ta_IN",
]  # fmt: skip


def _households(values: list[str], rows: int = 1500, seed: int = 0) -> np.ndarray:
    """Addresses repeated as households are: several rows each, none unique enough to count as a key."""
    return np.random.default_rng(seed).choice(values, rows)


@pytest.mark.parametrize("locale", LOCALES)
def test_street_addresses_of_many_countries_are_personal_data(locale: str) -> None:
    fake = Faker(locale)
    fake.seed_instance(0)
    streets = [fake.street_address().replace("\n", ", ") for _ in range(300)]
    full = [fake.address().replace("\n", ", ") for _ in range(300)]
    schema = infer_schema(pd.DataFrame({"street": _households(streets), "address": _households(full, seed=1)}))
    for column in ("street", "address"):
        spec = schema[column]
        assert spec.kind is ColumnKind.PII and spec.pii_type == "address", (locale, column, spec.reason)


@pytest.mark.parametrize(
    "value",
    [
        "Hauptstraße 12",
        "Hans-Dieter-Schulz-Gasse 3a",
        "Müllerstr. 5",
        "Keizersgracht 123",
        "Vesterbrogade 4, 1620 København",
        "Mannerheimintie 20 B",
        "5, rue de Rivoli",
        "Calle de Alcalá 48, 3º",
        "Via Roma, 9",
        "ul. Marszałkowska 10/12",
        "Rua Augusta, 274",
        "Szolnoki utca 248.",
        "ถ.สุขุมวิท 21",
        "東京都千代田区千代田1丁目1番",
        "建国路88号",
        "테헤란로 152",
        "742 Evergreen Coves",  # Faker's English suffixes, after a leading house number
        "12 Oak Knoll Apt. 3",
        "123456 Main Street",
    ],
)
def test_one_address_in_each_layout_reads_as_one(value: str) -> None:
    assert is_street_address(value)


@pytest.mark.parametrize("value", ["Knoll 12", "Crossing 7", "Green Tea 250", "Park 3"])
def test_an_english_suffix_counts_only_after_a_leading_house_number(value: str) -> None:
    assert not is_street_address(value)


def test_one_detector_counts_every_layout_in_a_column() -> None:
    """A column of English addresses of Faker's wider suffixes and German ones is all addresses: each value counts
    once if any layout reads it (two detectors' shares used to be compared, 0.5 each here)."""
    values = ["742 Evergreen Coves", "88 Miller Knoll", "Hauptstraße 12", "Beratlaan 76"] * 10
    assert address_share(values) == 1.0


@pytest.mark.parametrize(
    "values",
    [
        ["Sales Manager", "Tech Support", "Craft Repair", "Machine Op", "Prof Specialty"],
        ["Green Tea 250", "Green Tea 500", "Black Tea 250", "Espresso 1000", "Latte 350"],
        ["Room 101", "Room 102", "Gate 12", "Level 3", "Platform 9"],
        ["Model 3", "Model S", "Model X", "Model Y"],
        ["Firefox 115", "Chrome 120", "Safari 17", "Edge 119"],
    ],
)
def test_labels_with_numbers_stay_categories(values: list[str]) -> None:
    spec = infer_schema(pd.DataFrame({"label": _households(values, rows=600)}))["label"]
    assert spec.kind is ColumnKind.CATEGORICAL, spec.reason


def test_no_real_german_address_reaches_a_synthetic_row_or_the_model_file(tmp_path: Path) -> None:
    fake = Faker("de_DE")
    fake.seed_instance(4)
    streets = [fake.street_address() for _ in range(200)]  # 200 households, a dozen orders each
    rng = np.random.default_rng(4)
    real = pd.DataFrame({"address": rng.choice(streets, 2400), "total": np.round(rng.gamma(2.0, 40.0, 2400), 2)})
    schema = synth.infer_schema(real)
    assert schema["address"].kind is ColumnKind.PII, schema["address"].reason
    model = synth.create("pruned_cart", random_state=0).fit(real, schema)
    fake_rows = model.sample(2400, seed=1)
    assert not fake_rows["address"].isin(set(streets)).any()
    model.save(tmp_path / "m.synth")
    blob = (tmp_path / "m.synth").read_bytes()
    assert not any(street.encode() in blob for street in streets)


#: Locales session 24 found missed (one column or both read as a category, or zh_CN's fakes from en_US): a street
#: of Faker's az_AZ list after a one-digit number ("4 ŞAHİN MUSTAFAYEV"), es_CL's offices and routes
#: ("Balmaceda 794 Of. 122", "Ruta 5 Norte, km 47"), fa_IR's street suffixes after a leading number
#: ("2194 هستي دره"), hy_AM's city and flat markers ("ք. Աշտարակ, …, բն. 18"), ne_NP's streets without a house number
#: ("कुइकेल पथ"), zh_CN's street and building ("王路Y座").
SESSION_24_LOCALES = ["az_AZ", "es_CL", "fa_IR", "hy_AM", "ne_NP", "zh_CN"]


@pytest.mark.parametrize("locale", SESSION_24_LOCALES)
def test_the_addresses_session_24_missed_are_personal_data_and_keep_their_locale(locale: str) -> None:
    fake = Faker(locale)
    fake.seed_instance(0)
    streets = [fake.street_address().replace("\n", ", ") for _ in range(300)]
    full = [fake.address().replace("\n", ", ") for _ in range(300)]
    table = pd.DataFrame({"street": _households(streets), "address": _households(full, seed=1)})
    schema = infer_schema(table)
    for column in ("street", "address"):
        spec = schema[column]
        assert spec.kind is ColumnKind.PII and spec.pii_type == "address", (locale, column, spec.reason)
        shares = locale_shares("address", table[column])
        assert shares is not None and max(shares, key=lambda code: shares[code]) == locale, (column, shares)


@given(word=st.sampled_from(sorted(leading_number_suffixes() - STREET_WORDS)), number=st.integers(1, 999))
def test_a_suffix_from_fakers_lists_counts_only_after_a_leading_house_number(word: str, number: int) -> None:
    """Faker's street suffixes (English Knoll, Persian کوه "mountain", Vietnamese Làng "village") are words too:
    after a name, with the number last, they are labels ("Knoll 3", "کوه 3"), as only a leading number makes them a
    street's."""
    assert is_street_address(f"{number} Evergreen {word}")
    assert not is_street_address(f"{word.capitalize()} {number}")
    assert not is_street_address(f"Evergreen {word.capitalize()} {number}")


def _quantities(words: list[str], numbers: range, rows: int = 1500) -> list[str]:
    rng = np.random.default_rng(0)
    return [f"{n} {w}" for n, w in zip(rng.choice(numbers, rows), rng.choice(words, rows), strict=True)]


def test_a_number_and_a_name_with_few_numbers_needs_streets_faker_lists() -> None:
    """Faker's az_AZ street addresses are a one-digit number and a street of its list ("4 ŞAHİN MUSTAFAYEV"): ten
    numbers in all, where the loose layout asks for 50. Quantities of the same shape ("4 yüngül", a count and any
    of 80 words) stay a category, and so do ten listed streets: 20 distinct ones make the column."""
    from faker.providers.address.az_AZ import Provider

    fake = Faker("az_AZ")
    fake.seed_instance(0)
    words = sorted({fake.word() for _ in range(400)})[:80]
    listed = [street for street in Provider.streets if not any(c.isdigit() for c in street)]
    assert address_share(_quantities(listed[:30], range(10))) > 0.9
    assert address_share(_quantities(words, range(10))) < 0.5
    assert address_share(_quantities(listed[:10], range(10))) < 0.5


def test_streets_without_a_number_count_only_in_a_column_of_many() -> None:
    """ne_NP's streets have no house number ("कुइकेल पथ"): a column of them is addresses where it holds 50
    distinct names; a handful of gates ("अग्रवाल गेट") and Nepali cities and companies are not."""
    from faker.providers.person.ne_NP import Provider

    names = sorted(set(Provider.last_names))[:60]
    suffixes = sorted(numberless_suffixes())
    rng = np.random.default_rng(0)
    many = [f"{rng.choice(names)} {rng.choice(suffixes)}" for _ in range(1500)]
    assert address_share(many) > 0.9
    assert address_share([f"{name} गेट" for name in names[:10]] * 150) < 0.5
    fake = Faker("ne_NP")
    fake.seed_instance(0)
    for draw in (fake.city, fake.company, fake.sentence):
        values = [draw() for _ in range(300)]
        spec = infer_schema(pd.DataFrame({"label": _households(values)}))["label"]
        assert spec.pii_type != "address", (draw.__name__, spec.reason)


@pytest.mark.parametrize(
    "values",
    [
        ["大众途观L 7座", "丰田汉兰达 7座", "别克GL8 7座", "五菱宏光 7座", "本田奥德赛 7座", "理想L8 6座"],  # seats
        ["ք. Երևան", "ք. Գյումրի", "գ. Ագարակ", "ք. Վանաձոր"],  # Armenian towns, no house number
        ["Of. de ventas", "Of. central", "Of. de partes"],  # Spanish office names, no number
    ],
)
def test_markers_of_the_new_layouts_alone_are_not_addresses(values: list[str]) -> None:
    assert not any(is_street_address(v) for v in values)
    spec = infer_schema(pd.DataFrame({"label": _households(values, rows=600)}))["label"]
    assert spec.kind is ColumnKind.CATEGORICAL, spec.reason


#: Locales whose Faker phone numbers carry punctuation (bare digit strings count only in a column named like a
#: phone: a bare 11-digit number is as much an account number).
PHONE_LOCALES = ["es_CO", "hu_HU", "de_DE", "fr_FR", "en_GB", "pt_BR", "ja_JP", "pl_PL", "nl_NL", "es_ES", "ru_RU"]


@pytest.mark.parametrize("locale", PHONE_LOCALES)
def test_phone_numbers_of_many_countries_are_personal_data(locale: str) -> None:
    # "(+57) 318 483 39 69" (a bracketed country code) and "06-66/048 7647" (a slashed area code) were categories.
    fake = Faker(locale)
    fake.seed_instance(0)
    numbers = [fake.phone_number() for _ in range(300)]
    spec = infer_schema(pd.DataFrame({"contact": _households(numbers)}))["contact"]
    assert spec.kind is ColumnKind.PII and spec.pii_type == "phone", (locale, spec.reason)


def test_slashed_file_numbers_are_not_phone_numbers() -> None:
    invoices = [f"2024/{i:06d}" for i in range(800)]
    assert infer_schema(pd.DataFrame({"invoice": invoices}))["invoice"].kind is ColumnKind.IDENTIFIER


def test_account_and_document_numbers_in_groups_are_keys() -> None:
    # A spaced IBAN and a National Insurance number repeated per household were learned as categories, so a
    # number five rows shared came back as it was.
    fake = Faker("de_DE")
    fake.seed_instance(0)
    plain = [fake.iban() for _ in range(200)]
    spaced = [" ".join(x[i : i + 4] for i in range(0, len(x), 4)) for x in plain]
    british = Faker("en_GB")
    british.seed_instance(0)
    insurance = [british.ssn() for _ in range(200)]
    real = pd.DataFrame({"iban": _households(spaced), "nino": _households(insurance, seed=1)})
    schema = infer_schema(real)
    for column in ("iban", "nino"):
        assert schema[column].kind is ColumnKind.IDENTIFIER, (column, schema[column].reason)
    fake = synth.create("gaussian_copula", random_state=0).fit(real, schema).sample(len(real), seed=1)
    assert not fake["iban"].isin(set(spaced)).any() and not fake["nino"].isin(set(insurance)).any()
    assert fake["iban"].str.fullmatch(r"DE\d\d( \d{4}){4} \d\d").all(), "in the real pattern"
    assert fake["iban"].map(iban_ok).all(), "with valid check digits (synth.generated_ibans)"


@pytest.mark.parametrize(
    ("value", "read"),
    [
        ("82 शशी सिन्हा", ("शशी सिन्हा", "82")),  # Devanagari vowel signs are marks: str.isalpha is False
        ("4049 தங்கபாப்பா", ("தங்கபாப்பா", "4049")),
        ("Lidická 12", ("Lidická", "12")),
        ("S24 8EX", None),  # a UK postcode: its outward code has digits where a street's name would be
        ("OL0R 7EU", None),
    ],
)
def test_a_name_and_a_number_in_any_script_but_not_a_postcode(value: str, read: tuple[str, str] | None) -> None:
    from synth.schema.addresses import name_and_number

    assert name_and_number(value) == read


def test_the_readme_count_of_locales_whose_addresses_are_found() -> None:
    """README (session 25): all 67 of Faker 40.63.0's locales with their own address provider are found by
    ``benchmarks/bench_addresses.py`` (61 in session 23: az_AZ, es_CL, fa_IR, hy_AM, ne_NP, zh_CN missed)."""
    import faker

    from benchmarks.bench_addresses import measure

    if faker.VERSION != "40.63.0":
        pytest.skip(f"the README counts Faker 40.63.0's locales; this is {faker.VERSION}")
    result = measure(recognise=False, negatives=False)
    assert (result["found"], result["locales"]) == (67, 67)
    assert result["missed"] == {}


def test_gates_and_bus_routes_stay_categories_while_norwegian_and_spanish_streets_are_addresses() -> None:
    """Session 27: "gate" (Norwegian for street) and "ruta" (Spanish for road) made a column of 12 airport gates or
    10 bus routes over 2,000 rows read as 100% street addresses; a bare street word and number is a label unless a
    column holds 50 distinct ones. Real streets of those languages, bare or long, still read as addresses."""
    rng = np.random.default_rng(27)
    gates = [f"Gate {n}" for n in ["1", "2", "3", "4", "5", "6", "7", "7A", "8", "9", "10", "12"]]
    routes = [f"Ruta {n}" for n in [1, 2, 3, 5, 7, 8, 12, 15, 21, 33]]
    table = pd.DataFrame({"gate": rng.choice(gates, 2_000), "route": rng.choice(routes, 2_000)})
    for code in ("no_NO", "es_ES"):  # Faker has no nb_NO: no_NO is its Norwegian Bokmål ("Amundsenholtet 647")
        fake = Faker(code)
        fake.seed_instance(27)
        table[code] = [fake.street_address() for _ in range(2_000)]
    table["storgata"] = [f"Storgata {n}" for n in rng.integers(1, 200, 2_000)]  # one street, many house numbers
    table["ruta_km"] = [f"Ruta {r} km {k}, Casa {c}" for r, k, c in rng.integers(1, 90, (2_000, 3))]
    schema = infer_schema(table)
    for column in ("gate", "route"):
        assert schema[column].kind is ColumnKind.CATEGORICAL, (column, schema[column].reason)
    for column in ("no_NO", "es_ES", "storgata", "ruta_km"):
        assert schema[column].kind is ColumnKind.PII and schema[column].pii_type == "address", (
            column,
            schema[column].reason,
        )


@settings(max_examples=30, deadline=None)
@given(
    word=st.sampled_from(sorted(STREET_WORDS)),
    numbers=st.sets(st.integers(1, 9_999), min_size=2, max_size=LABEL_DISTINCT - 1),
    first=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_a_street_word_and_fewer_than_50_numbers_is_a_label(
    word: str, numbers: set[int], first: bool, seed: int
) -> None:
    labels = [f"{n} {word.capitalize()}" if first else f"{word.capitalize()} {n}" for n in sorted(numbers)]
    assert all(street_word_and_number(v) for v in labels)
    spec = infer_schema(pd.DataFrame({"label": _households(labels, rows=600, seed=seed)}))["label"]
    assert spec.kind is ColumnKind.CATEGORICAL, spec.reason


@pytest.mark.parametrize(("distinct", "address"), [(LABEL_DISTINCT - 1, False), (LABEL_DISTINCT, True)])
def test_bare_street_words_and_numbers_are_addresses_from_50_distinct(distinct: int, address: bool) -> None:
    values = [f"Calle {n}" for n in range(1, distinct + 1)]
    assert (address_share(values * 20) >= 0.5) is address
