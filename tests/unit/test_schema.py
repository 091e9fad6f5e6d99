"""Column typing: kinds and reasons on real and crafted columns, the JSON round trip, and conform()."""

from __future__ import annotations

import json
import zipfile
from datetime import timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.generated import PII_PROVIDERS, GeneratedColumns
from synth.schema import (
    EPOCH_SECONDS,
    PII_TYPES,
    ColumnKind,
    ColumnSpec,
    Schema,
    coerce_to_schema,
    conform,
    detect_datetime_format,
    infer_column,
    infer_schema,
    parse_datetimes,
    suggest_flags,
)

DATASETS = Path(__file__).resolve().parents[3] / "shared" / "datasets"
needs_datasets = pytest.mark.skipif(not DATASETS.is_dir(), reason="shared datasets not present")


def kind_of(values: list[object] | pd.Series, name: str = "col") -> ColumnSpec:
    return infer_column(pd.Series(values, name=name))


# ------------------------------------------------------------------------------------------ real datasets


@pytest.fixture(scope="module")
def real() -> dict[str, pd.DataFrame]:
    if not DATASETS.is_dir():
        pytest.skip("shared datasets not present")
    return {p.stem: synth.read_table(p) for p in DATASETS.glob("*.csv")}


@needs_datasets
def test_bike_sharing_dates_keys_and_counts(real: dict[str, pd.DataFrame]) -> None:
    schema = infer_schema(real["bike_sharing_hourly"])
    assert schema["dteday"].kind is ColumnKind.DATETIME and schema["dteday"].datetime_format == "%Y-%m-%d"
    assert schema["instant"].kind is ColumnKind.IDENTIFIER
    assert "increasing order" in schema["instant"].reason and "1 … 18,000" in schema["instant"].reason
    assert schema["cnt"].kind is ColumnKind.DISCRETE and schema["temp"].kind is ColumnKind.CONTINUOUS
    assert all(spec.reason for spec in schema)


@needs_datasets
def test_adult_kinds(real: dict[str, pd.DataFrame]) -> None:
    schema = infer_schema(real["adult"])
    assert schema["education_num"].kind is ColumnKind.DISCRETE
    assert schema["income"].kind is ColumnKind.CATEGORICAL
    assert schema["age"].kind is ColumnKind.DISCRETE and schema["fnlwgt"].kind is ColumnKind.DISCRETE
    assert schema["sex"].kind is ColumnKind.CATEGORICAL and schema["native_country"].kind is ColumnKind.CATEGORICAL
    assert "missing" in schema["workclass"].reason
    assert schema.names_of(ColumnKind.PII, ColumnKind.IDENTIFIER, ColumnKind.TEXT) == []


@needs_datasets
def test_bank_and_housing_kinds(real: dict[str, pd.DataFrame]) -> None:
    bank = infer_schema(real["bank_marketing"])
    assert bank["y"].kind is ColumnKind.BOOLEAN and bank["job"].kind is ColumnKind.CATEGORICAL
    assert bank["pdays"].kind is ColumnKind.DISCRETE and bank["month"].kind is ColumnKind.CATEGORICAL
    housing = infer_schema(real["california_housing"])
    assert housing["median_income"].kind is ColumnKind.CONTINUOUS
    assert housing["longitude"].kind is ColumnKind.CONTINUOUS
    assert housing["ocean_proximity"].kind is ColumnKind.CATEGORICAL
    assert housing["total_bedrooms"].kind is ColumnKind.DISCRETE


@needs_datasets
def test_suggested_flags_on_adult(real: dict[str, pd.DataFrame]) -> None:
    flags = suggest_flags(infer_schema(real["adult"]))
    assert {n for n, (_, quasi) in flags.items() if quasi} >= {"age", "sex", "race", "native_country"}
    assert flags["income"] == (True, False)
    assert "fnlwgt" not in flags


# ------------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("values", "fmt"),
    [
        (["2024-01-31", "2023-12-01", "2022-02-28"], "%Y-%m-%d"),
        (["2024-01-31 10:00:00", "2023-12-01 23:59:59"], "%Y-%m-%d %H:%M:%S"),
        (["2024-01-31T10:00:00", "2023-12-01T23:59:59"], "%Y-%m-%dT%H:%M:%S"),
        (["31/01/2024", "15/12/2023", "28/02/2022"], "%d/%m/%Y"),
        (["01/31/2024", "12/15/2023", "02/28/2022"], "%m/%d/%Y"),
        (["31.01.2024", "15.12.2023"], "%d.%m.%Y"),
        (["Jan 31, 2024", "Dec 15, 2023"], "%b %d, %Y"),
        (["31 January 2024", "15 December 2023"], "%d %B %Y"),
        (["2024-01-31", "2024-01-31 10:00", "2023-05-01T08:30:00"], "ISO8601"),
    ],
)
def test_date_formats(values: list[str], fmt: str) -> None:
    spec = kind_of(values * 20)
    assert spec.kind is ColumnKind.DATETIME
    assert spec.datetime_format == fmt
    assert parse_datetimes(pd.Series(values), fmt).notna().all()


def test_ambiguous_day_month_says_so() -> None:
    spec = kind_of(["01/02/2024", "03/04/2024", "05/06/2024"] * 10)
    assert spec.datetime_format == "%d/%m/%Y" and "month/day order would read them too" in spec.reason


def test_integer_dates() -> None:
    ymd = kind_of([20240131, 20231201, 20220228, 20210615] * 10)
    assert ymd.kind is ColumnKind.DATETIME and ymd.datetime_format == "%Y%m%d" and "YYYYMMDD" in ymd.reason
    not_dates = kind_of([20241331, 20231201, 20220228, 20210615] * 10)
    assert not_dates.kind is ColumnKind.DISCRETE, "month 13 is not a date"
    stamps = [1_700_000_000 + 3600 * i for i in range(60)]
    assert infer_column(pd.Series(stamps, name="created_at")).datetime_format == EPOCH_SECONDS
    shuffled = np.random.default_rng(0).permutation(stamps)
    assert infer_column(pd.Series(shuffled, name="amount")).kind is ColumnKind.DISCRETE, "no time-like name"
    assert not detect_datetime_format(pd.Series(["apple", "pear"]))


# ------------------------------------------------------------------------------------ keys and PII


@settings(max_examples=40, deadline=None)
@given(size=st.integers(200, 4_000), kept=st.floats(0.5, 1.0), start=st.integers(-5, 10**6), seed=st.integers(0, 99))
def test_any_shuffled_half_or_more_of_numbered_rows_is_a_key(size: int, kept: float, start: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    rows = rng.choice(np.arange(start, start + size), int(size * kept), replace=False)
    assert infer_column(pd.Series(rows, name="n")).kind is ColumnKind.IDENTIFIER


def test_identifiers() -> None:
    assert kind_of(list(range(1, 101))).kind is ColumnKind.IDENTIFIER
    shuffled = np.random.default_rng(0).permutation(np.arange(500, 600))
    spec = kind_of(shuffled)
    assert spec.kind is ColumnKind.IDENTIFIER and "shuffled run" in spec.reason
    # A random split of numbered rows (Bike Sharing's `instant`, 80% of 1 … 17,379 in a shuffled CSV) is neither a
    # run nor in order; modelled as a number its real row numbers came back, singling out training rows.
    sampled = np.random.default_rng(2).choice(np.arange(1, 2_001), 1_600, replace=False)
    spec = infer_column(pd.Series(sampled, name="instant"))
    assert spec.kind is ColumnKind.IDENTIFIER and "numbered rows" in spec.reason, spec.reason
    # 200 unique values over 1 … 40,000 could be measurements (half a repeat expected at random): still numbers.
    assert kind_of(np.random.default_rng(2).choice(np.arange(1, 40_001), 200, replace=False)).kind is (
        ColumnKind.DISCRETE
    )
    random_unique = np.random.default_rng(1).choice(10**9, 100, replace=False)
    assert kind_of(random_unique).kind is ColumnKind.DISCRETE
    assert infer_column(pd.Series(random_unique, name="customer_id")).kind is ColumnKind.IDENTIFIER
    for name in ("custno", "CustomerNo", "acctNr", "AccountNumber", "Kundennummer", "policy-no", "invoice num"):
        assert infer_column(pd.Series(random_unique, name=name)).kind is ColumnKind.IDENTIFIER, name
    for name in ("casino", "income", "piano", "annual_amount", "uno"):  # unique whole numbers, no record's number
        assert infer_column(pd.Series(random_unique, name=name)).kind is ColumnKind.DISCRETE, name
    codes = kind_of([f"T{i:08d}" for i in range(1234, 1334)])
    assert codes.kind is ColumnKind.IDENTIFIER
    assert "100.0% of values are unique strings shaped like T0000" in codes.reason
    assert "T00001###, where # is a digit" in codes.reason, "a pattern's placeholders are explained"


def _faker_values(method: str, n: int = 200) -> list[str]:
    from faker import Faker

    faker = Faker("en_US")
    faker.seed_instance(0)
    return [str(getattr(faker, method)()) for _ in range(n)]


@pytest.mark.parametrize(
    ("pii_type", "method", "name"),
    [
        ("email", "email", "contact"),
        ("phone", "phone_number", "phone"),
        ("name", "name", "customer"),
        ("first_name", "first_name", "first_name"),
        ("last_name", "last_name", "surname"),
        ("address", "street_address", "address"),
        ("ip", "ipv4", "host"),
        ("card", "credit_card_number", "payment"),
        ("ssn", "ssn", "tax"),
    ],
)
def test_personal_data_is_recognised(pii_type: str, method: str, name: str) -> None:
    spec = infer_column(pd.Series(_faker_values(method), name=name))
    assert spec.kind is ColumnKind.PII, spec.reason
    assert spec.pii_type == pii_type
    assert spec.pii_type in PII_PROVIDERS and spec.pii_type in PII_TYPES


def test_names_without_a_name_hint_and_things_that_are_not_names() -> None:
    assert kind_of(_faker_values("name"), "x").pii_type == "name"
    cities = ["New York", "Los Angeles", "San Diego", "Santa Clara", "El Paso"] * 40
    assert kind_of(cities, "city").kind is ColumnKind.CATEGORICAL
    jobs = ["Adm-clerical", "Exec-managerial", "Sales"] * 40
    assert kind_of(jobs, "occupation").kind is ColumnKind.CATEGORICAL


def test_text_constant_boolean_and_codes() -> None:
    sentences = [f"This is comment number {i} about the delivery, which was late again." for i in range(100)]
    assert kind_of(sentences).kind is ColumnKind.TEXT
    assert kind_of(["x"] * 10).kind is ColumnKind.CONSTANT
    # The value as the table shows it: a JSON field present on a seventh of the rows read "np.float64(1.0)".
    assert kind_of([1.0, None] * 10).reason.startswith("a single value (1.0) in every row that has a value")
    assert kind_of(["x"] * 10).reason == "a single value ('x') in every row"
    assert kind_of(pd.Series([7] * 10, dtype="int64")).reason == "a single value (7) in every row"
    assert kind_of([None] * 10).reason == "every value is missing"
    assert kind_of(["yes", "no", "no", None]).kind is ColumnKind.BOOLEAN
    assert kind_of([True, False, None, True]).kind is ColumnKind.BOOLEAN
    zips = kind_of(["02134", "10001", "00501", "02134"] * 5)
    assert zips.kind is ColumnKind.CATEGORICAL and "leading zeros" in zips.reason


def test_with_column_records_the_user_and_clears_stale_details() -> None:
    schema = Schema((ColumnSpec("e", ColumnKind.PII, "emails", pii_type="email"),))
    edited = schema.with_column("e", kind="categorical", quasi_identifier=True)
    assert edited["e"].kind is ColumnKind.CATEGORICAL and edited["e"].reason == "set by the user"
    assert edited["e"].pii_type is None and edited["e"].quasi_identifier
    with pytest.raises(KeyError):
        schema.with_column("nope", sensitive=True)


# ----------------------------------------------------------------------------------------- JSON


names = st.text(min_size=1, max_size=12)
specs = st.builds(
    ColumnSpec,
    name=names,
    kind=st.sampled_from(list(ColumnKind)),
    reason=st.text(max_size=40),
    dtype=st.sampled_from(["object", "int64", "float64", "bool", "datetime64[ns]", "Int64"]),
    sensitive=st.booleans(),
    quasi_identifier=st.booleans(),
    pii_type=st.one_of(st.none(), st.sampled_from(PII_TYPES)),
    datetime_format=st.one_of(st.none(), st.sampled_from(["%Y-%m-%d", "%Y%m%d", "epoch_s", "ISO8601"])),
)


@given(st.lists(specs, max_size=8, unique_by=lambda s: s.name))
def test_schema_json_round_trip_is_identical(columns: list[ColumnSpec]) -> None:
    schema = Schema(tuple(columns))
    again = Schema.from_json(schema.to_json())
    assert again == schema and hash(again) == hash(schema)


def test_schema_documents_are_checked() -> None:
    with pytest.raises(ValueError, match="columns"):
        Schema.from_json('{"cols": []}')
    with pytest.raises(ValueError):
        Schema.from_json('{"columns": [{"name": "a", "kind": "nonsense"}]}')
    old = Schema.from_json('{"columns": [{"name": "a", "kind": "discrete", "future_field": 1}]}')
    assert old["a"].kind is ColumnKind.DISCRETE


# ----------------------------------------------------------------------------------------- conform

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"]


@st.composite
def real_tables(draw: st.DrawFn) -> pd.DataFrame:
    n = draw(st.integers(12, 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    makers = {
        "ints": lambda: rng.integers(-5, 50, n),
        "floats": lambda: np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
        "ints_missing": lambda: np.where(rng.random(n) < 0.2, np.nan, rng.integers(0, 9, n).astype(float)),
        "flags": lambda: rng.random(n) < 0.5,
        "labels": lambda: np.where(rng.random(n) < 0.1, None, rng.choice(["red", "green", "blue"], n)).astype(object),
        "yes_no": lambda: rng.choice(["yes", "no"], n).astype(object),
        "date_text": lambda: (
            pd.Series(pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 900, n) * 3600, unit="s"))
            .dt.strftime(draw(st.sampled_from(DATE_FORMATS)))
            .to_numpy(dtype=object)
        ),
        "stamps": lambda: pd.Timestamp("2021-06-01") + pd.to_timedelta(rng.integers(0, 10_000, n), unit="min"),
        "ymd": lambda: (lambda d: (d.year * 10_000 + d.month * 100 + d.day).to_numpy())(
            pd.DatetimeIndex(pd.Timestamp("2019-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"))
        ),
        "key": lambda: np.arange(1000, 1000 + n),
        "code": lambda: np.array([f"K{i:05d}" for i in rng.permutation(n)], dtype=object),
        "same": lambda: np.array(["only"] * n, dtype=object),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(makers)), min_size=1, max_size=6, unique=True))
    return pd.DataFrame({name: makers[name]() for name in chosen})


def _raw_synthetic(real: pd.DataFrame, schema: Schema, rng: np.random.Generator, n: int) -> pd.DataFrame:
    """What a synthesizer hands to conform(): numbers as floats, dates as datetime64, labels as they are."""
    coerced = coerce_to_schema(real, schema)
    out: dict[str, object] = {}
    for spec in schema:
        col = coerced[spec.name]
        present = col.dropna()
        if spec.kind.is_numeric:
            values = rng.uniform(float(present.min()), float(present.max()), n)
            out[spec.name] = np.where(rng.random(n) < col.isna().mean(), np.nan, values)
        elif spec.kind is ColumnKind.DATETIME:
            ns = present.astype("datetime64[ns]").astype("int64")
            picked = pd.Series(rng.integers(ns.min(), ns.max() + 1, n)).astype("datetime64[ns]")
            out[spec.name] = picked.dt.floor("s")
        elif spec.kind.is_modelled:
            pool = col.astype(object).to_numpy()
            out[spec.name] = pool[rng.integers(0, len(pool), n)]
    body = pd.DataFrame(out, index=pd.RangeIndex(n))
    extra = GeneratedColumns.fit(coerced, schema).sample(n, rng)
    return pd.concat([body, extra], axis=1)


def _check_conformed(real: pd.DataFrame, schema: Schema, conformed: pd.DataFrame) -> None:
    assert list(conformed.columns) == list(real.columns)
    for spec in schema:
        assert conformed[spec.name].dtype == real[spec.name].dtype, (spec, conformed[spec.name].dtype)
        if spec.kind in (ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN):
            assert set(conformed[spec.name].dropna()) <= set(real[spec.name].dropna()), spec.name
        if spec.kind is ColumnKind.DATETIME and spec.datetime_format and real[spec.name].dtype == object:
            reparsed = parse_datetimes(conformed[spec.name].dropna(), spec.datetime_format)
            assert reparsed.notna().all(), "written back in the real column's own format"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real_tables(), st.integers(0, 2**16))
def test_conformed_synthetic_table_has_real_dtypes_and_known_categories(real: pd.DataFrame, seed: int) -> None:
    schema = infer_schema(real)
    raw = _raw_synthetic(real, schema, np.random.default_rng(seed), 40)
    _check_conformed(real, schema, conform(raw, schema, real.iloc[:0]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real_tables())
def test_a_fitted_synthesizer_returns_real_dtypes(real: pd.DataFrame) -> None:
    schema = infer_schema(real)
    # Every category kept as it is (min_category_rows=1): this checks dtypes, not the rare-category bucket.
    syn = synth.create("independent", min_category_rows=1).fit(real, schema).sample(30, seed=0)
    _check_conformed(real, schema, syn)


def test_dates_go_back_in_their_own_format() -> None:
    real = pd.DataFrame({"d": ["31/01/2024", "15/12/2023", "28/02/2022"] * 20, "ymd": [20240131, 20231215] * 30})
    schema = infer_schema(real)
    coerced = coerce_to_schema(real, schema)
    assert pd.api.types.is_datetime64_any_dtype(coerced["d"]) and pd.api.types.is_datetime64_any_dtype(coerced["ymd"])
    back = conform(coerced, schema, real.iloc[:0])
    pd.testing.assert_frame_equal(back, real)
    natural = conform(coerced, schema)
    assert pd.api.types.is_datetime64_any_dtype(natural["d"]), "without a reference, datetimes stay datetimes"


@settings(max_examples=30, deadline=None)
@given(
    layout=st.sampled_from(["%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S.%f"]),
    colon=st.booleans(),
    offsets=st.lists(st.integers(-12 * 4, 14 * 4), min_size=1, max_size=3),
    seed=st.integers(0, 2**16),
)
def test_times_with_an_offset_go_back_as_the_same_instants_in_the_same_layout(
    layout: str, colon: bool, offsets: list[int], seed: int
) -> None:
    # An event log exported with offsets (2025-01-01T00:00:00+0100, a zone's summer and winter time): the values
    # came back as naive UTC times in another layout, which a reader takes for local times, an hour or two off.
    rng = np.random.default_rng(seed)
    instants = pd.Timestamp("2025-01-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 365 * 86400, 60), unit="s")
    zones = [timezone(timedelta(minutes=15 * int(rng.choice(offsets)))) for _ in range(60)]
    text = [t.tz_convert(z).strftime(layout + "%z") for t, z in zip(instants, zones, strict=True)]
    if colon:
        text = [t[:-2] + ":" + t[-2:] for t in text]
    real = pd.DataFrame({"at": text})
    schema = infer_schema(real)
    assert schema["at"].kind is ColumnKind.DATETIME and schema["at"].datetime_format is not None
    coerced = coerce_to_schema(real, schema)
    assert (coerced["at"].to_numpy() == instants.tz_convert(None).to_numpy()).all()
    back = conform(coerced, schema, real.iloc[:0])["at"]
    assert (pd.to_datetime(back, utc=True) == instants).all(), "the same instants, labelled"
    offset = r"\+00:00" if colon else r"\+0000"
    assert back.str.fullmatch(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d{6})?" + offset).all(), back.head(3).tolist()
    assert (back.str.len() == pd.Series(text).str.len()).all(), "the real layout, offset written the same way"


# ------------------------------------------------------------------------------- personal data by content


def _repeated(values: list[str], n: int = 600, seed: int = 0) -> list[str]:
    return list(np.random.default_rng(seed).choice(values, n))


_LOCAL_LETTERS = st.characters(categories=("Ll", "Lu", "Lo"), exclude_characters="_")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(st.text(_LOCAL_LETTERS, min_size=2, max_size=8), min_size=12, max_size=12, unique=True),
    domain=st.sampled_from(["example.org", "correo.es", "münchen.de", "почта.рф", "mail.xn--p1ai"]),
)
def test_e_mails_in_any_script_are_personal_data(words: list[str], domain: str) -> None:
    # Customers with letters beyond ASCII (zoë.12@…, łukasz@…): an ASCII-only pattern matched 7% of them, the
    # column became a learned category and real addresses came back in synthetic rows.
    emails = [f"{w}.{i}@{domain}" for i, w in enumerate(words * 25)]
    spec = kind_of(_repeated(emails, seed=len(words[0])), "contact")
    assert spec.kind is ColumnKind.PII and spec.pii_type == "email", spec.reason


def test_no_real_unicode_e_mail_reaches_a_synthetic_row_or_the_model_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    people = ["zoë", "łukasz", "søren", "mårten", "élodie", "nguyễn", "björn", "anaïs", "oğuz", "siobhán", "josé"]
    customer = rng.integers(0, 300, 3000)  # customers with ten orders each on average: repeated, not unique
    real = pd.DataFrame(
        {
            "email": [f"{people[c % len(people)]}.{c}@example.org" for c in customer],
            "total": np.round(rng.gamma(2.0, 30.0, 3000), 2),
            "express": rng.choice(["yes", "no"], 3000),
        }
    )
    schema = synth.infer_schema(real)
    assert schema["email"].kind is ColumnKind.PII, schema["email"].reason
    model = synth.create("pruned_cart", random_state=0).fit(real, schema)
    fake = model.sample(3000, seed=1)
    assert not fake["email"].isin(set(real["email"])).any()
    model.save(tmp_path / "m.synth")
    blob = (tmp_path / "m.synth").read_bytes()
    for address in real["email"].unique()[:50]:
        assert address.encode() not in blob and address.split("@")[0].encode() not in blob


def test_personal_data_is_found_by_content_whatever_the_column_is_called() -> None:
    emails = [f"user{i}@mail.com" for i in range(500)] + ["unknown"] * 90
    spec = kind_of(emails, "c1")
    assert spec.pii_type == "email" and "e-mail" in spec.reason
    names = _repeated(_faker_values("name", 40))  # 40 people, each many times: no uniqueness to go by
    assert kind_of(names, "x2").pii_type == "name"
    firsts = _repeated(_faker_values("first_name", 30))
    assert kind_of(firsts, "v").pii_type == "first_name"
    assert kind_of(_repeated(_faker_values("ipv4", 300)), "h").pii_type == "ip"
    half_ssn = _faker_values("ssn", 120) + ["n/a"] * 100
    assert kind_of(half_ssn, "t").pii_type == "ssn"


def test_words_that_happen_to_be_names_are_not_personal_data() -> None:
    colours = _repeated(["Green", "White", "Black", "Brown", "Gray", "Red", "Blue"])
    assert kind_of(colours, "c").kind is ColumnKind.CATEGORICAL
    race = _repeated(["White", "Black", "Asian-Pac-Islander", "Amer-Indian-Eskimo", "Other"])
    assert kind_of(race, "r").kind is ColumnKind.CATEGORICAL
    months = _repeated(["January", "February", "March", "April", "May", "June"])
    assert kind_of(months, "m").kind is ColumnKind.CATEGORICAL


@pytest.mark.parametrize("locale", ["fr_FR", "de_DE", "es_ES", "pl_PL", "tr_TR", "sv_SE", "pt_BR", "vi_VN"])
def test_names_from_anywhere_are_personal_data_even_repeated(locale: str) -> None:
    """A review found "Chloé García" and "Farid Haddad" learned as a category and copied into the synthetic table
    under a green verdict: names were judged on Faker's en_US first names, and accented letters failed the name
    shape. 40 people of one locale, each many times (no uniqueness to go by)."""
    from faker import Faker

    faker = Faker(locale)
    faker.seed_instance(0)
    people = [f"{faker.first_name()} {faker.last_name()}" for _ in range(40)]
    spec = kind_of(_repeated(people), "who")
    assert spec.kind is ColumnKind.PII and spec.pii_type == "name", (locale, people[:5], spec.reason)


@pytest.mark.parametrize("locale", ["ja_JP", "zh_CN", "zh_TW", "ko_KR", "ru_RU", "uk_UA"])
def test_names_written_family_name_first_or_without_a_space_are_personal_data(locale: str) -> None:
    """A session-22 check found Japanese ("木村 陽一") and Korean ("홍정훈") names read as categories — learned, so
    real names came back — and Russian ones ("Сазонов Арсений Дмитриевич") as keys: the family name comes first,
    and Chinese, Japanese and Korean have no capitals (Chinese and Korean names are written without a space)."""
    from faker import Faker

    faker = Faker(locale)
    faker.seed_instance(0)
    people = [faker.name() for _ in range(40)]
    spec = kind_of(_repeated(people), "who")
    assert spec.kind is ColumnKind.PII and spec.pii_type == "name", (locale, people[:5], spec.reason)


@pytest.mark.parametrize("locale", ["de_DE", "nl_NL", "it_IT", "pt_BR", "hi_IN", "th_TH", "bn_BD"])
def test_full_names_with_titles_particles_and_double_family_names_are_personal_data(locale: str) -> None:
    """Faker's own full names, repeated (a customer table): "Karsten Wieloch-Bolnbach", "Naud van der Ploeg",
    "आदरसूचक गोपाल नायर" (a Hindi title), "मोहना" (vowel signs are marks to Python's re). German names read 52%
    known and Dutch ones a key; a repeated column under half would be learned as a category."""
    from faker import Faker

    faker = Faker(locale)
    faker.seed_instance(2)
    people = [faker.name() for _ in range(60)]
    spec = kind_of(_repeated(people), "customer")
    assert spec.kind is ColumnKind.PII and spec.pii_type == "name", (locale, people[:5], spec.reason)
    share = float(spec.reason.split("%")[0])
    assert share >= 60, (locale, spec.reason)


def test_japanese_names_never_reach_a_model_file_or_a_sample(tmp_path: Path) -> None:
    """Regenerated names come from Faker's lists, so a common real name may recur by chance; a name outside them
    (a rare family name) never does, and the model file holds no real name at all."""
    from faker import Faker

    faker = Faker("ja_JP")
    faker.seed_instance(1)
    rare = ["勅使河原", "五百旗頭", "小鳥遊", "一尺八寸", "四月一日", "東海林"]
    common = [faker.name() for _ in range(40)]
    invented = [f"{family} {faker.first_name()}" for family in rare for _ in range(4)]
    rng = np.random.default_rng(1)
    real = pd.DataFrame({"name": rng.choice(common + invented, 1_200), "visits": rng.integers(1, 9, 1_200)})
    assert synth.infer_schema(real)["name"].pii_type == "name"
    model = synth.create("cart", random_state=0).fit(real)
    out = model.sample(3_000, seed=0)["name"].dropna()
    assert not out.str.split().str[0].isin(rare).any()
    model.save(tmp_path / "m.synth")
    with zipfile.ZipFile(tmp_path / "m.synth") as archive:
        stored = b"".join(archive.read(n) for n in archive.namelist())
    for person in common + invented:
        for text in (person, *person.split()):
            if text in rare or text == person:
                assert text.encode() not in stored and json.dumps(text)[1:-1].encode() not in stored, text


def test_place_names_in_scripts_without_capitals_are_not_names() -> None:
    lists = {
        "city_ja": ["東京", "大阪", "京都", "横浜", "名古屋", "札幌", "神戸", "福岡"],
        "city_ko": ["서울", "부산", "인천", "대구", "대전", "광주", "울산", "수원"],
        "city_zh": ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安"],
        "goods_zh": ["电子产品", "服装", "食品", "家具", "图书", "玩具", "化妆品", "运动"],
    }
    for name, values in lists.items():
        assert kind_of(_repeated(values), name).kind is ColumnKind.CATEGORICAL, name


#: The name shape before session 25: "a letter" and "the Indic or Thai block" overlap, so a Thai value that was not a
#: name was tried 2^n ways before the match failed.
_OVERLAPPING_LETTERS = r"[^\W\d_](?:[^\W\d_]|[\u0900-\u0dff\u0e00-\u0e7f]|['’\-](?=[^\W\d_]))+"


@given(st.text(st.sampled_from("aZéกขำุ่ัมोहनाि-' "), max_size=12))
def test_the_name_shape_accepts_what_it_accepted_before_its_alternatives_were_made_disjoint(text: str) -> None:
    import re

    from synth.schema.pii import _LETTERS

    assert bool(re.fullmatch(_LETTERS, text)) == bool(re.fullmatch(_OVERLAPPING_LETTERS, text))


def test_thai_company_names_are_read_and_are_not_names() -> None:
    """300 Thai company names over 1,500 rows ("บริษัท ตัณฑนุชอิมปอร์ตเอ็กซปอร์ต จำกัด") took 75-160 s to read before the
    name shape's alternatives were made disjoint; now they are read at once, and as a category."""
    from faker import Faker

    fake = Faker("th_TH")
    fake.seed_instance(0)
    companies = [fake.company() for _ in range(300)]
    spec = kind_of(list(np.random.default_rng(0).choice(companies, 1500)), "company")
    assert spec.kind is ColumnKind.CATEGORICAL, spec.reason


def test_the_reviewed_table_of_names_is_personal_data() -> None:
    rng = np.random.default_rng(20240611)
    first = ["Anna", "Ben", "Chloé", "David", "Eva", "Farid", "Grace", "Hugo", "Ines", "Jon", "Kai", "Lena"]
    first += ["Mateo", "Nora", "Oskar", "Priya", "Quinn", "Rosa", "Sven", "Tariq"]
    last = ["Smith", "Müller", "García", "Nguyen", "Kowalski", "O'Brien", "Rossi", "Dubois", "Svensson", "Tanaka"]
    last += ["Okafor", "Silva", "Novak", "Haddad"]
    names = [f"{a} {b}" for a, b in zip(rng.choice(first, 3000), rng.choice(last, 3000), strict=True)]
    assert kind_of(names, "name").pii_type == "name"


def test_places_and_labels_of_two_capitalised_words_are_not_names() -> None:
    """Any locale's first names include "San", "May", "Summer", "Victoria"; a full name needs a first *and* a last
    name, so cities, states, teams and job titles stay categories."""
    cities = ["San Francisco", "Los Angeles", "San Diego", "Santa Clara", "New York", "San Jose", "Las Vegas"]
    cities += ["Long Beach", "El Paso", "Fort Worth", "Santa Monica", "Palo Alto", "Santa Barbara", "Costa Mesa"]
    lists = {
        "city": cities,
        "state": ["New Mexico", "North Carolina", "South Dakota", "West Virginia", "Rhode Island", "New Jersey"],
        "team": ["Real Madrid", "Manchester United", "Bayern Munich", "Inter Milan", "Aston Villa", "Leeds United"],
        "job": ["Sales Manager", "Tech Support", "Craft Repair", "Machine Op", "Prof Specialty", "Armed Forces"],
    }
    for name, values in lists.items():
        assert kind_of(_repeated(values), name).kind is ColumnKind.CATEGORICAL, name


def test_codes_are_identifiers_at_any_uniqueness_and_mostly_unique_columns_too() -> None:
    codes = [f"CUST{v:05d}" for v in np.random.default_rng(0).integers(0, 200, 700)]
    spec = kind_of(codes, "k")
    assert spec.kind is ColumnKind.IDENTIFIER and "whatever its uniqueness" in spec.reason
    quarters = _repeated(["Q1", "Q2", "Q3", "Q4"])
    assert kind_of(quarters, "q").kind is ColumnKind.CATEGORICAL, "few levels: categories, not keys"
    lines = _repeated([f"SKU{i:03d}" for i in range(12)])
    assert kind_of(lines, "p").kind is ColumnKind.CATEGORICAL, "a dozen product lines are categories"
    technicians = [f"T{v:03d}" for v in np.random.default_rng(2).integers(0, 60, 4000)]
    assert kind_of(technicians, "tech").kind is ColumnKind.IDENTIFIER, "60 people sharing the work evenly: keys"
    # 200 product categories, a third of the rows on the most common: a group, not a key to one person.
    zipf = np.random.default_rng(3).zipf(1.4, 5000) % 200
    spec = kind_of([f"cat-{v:03d}" for v in zipf], "category")
    assert spec.kind is ColumnKind.CATEGORICAL, spec.reason
    rng = np.random.default_rng(1)
    mostly_once = [f"{i}-{w}" for i, w in enumerate(rng.choice(["alpha", "beta"], 300))] + ["shared"] * 100
    spec = kind_of(mostly_once, "z")
    assert spec.kind is ColumnKind.IDENTIFIER and "occur only once" in spec.reason


def test_reasons_keep_no_exact_extreme() -> None:
    spec = kind_of(list(range(1, 3_458)), "n")
    assert "3,457" not in spec.reason and "3,500" in spec.reason
    lonely = pd.Series(["Quintavius"] + [None] * 20, name="c")
    assert "Quintavius" not in infer_column(lonely).reason


@settings(max_examples=25, deadline=None)
@given(
    share=st.floats(0.55, 1.0),
    filler=st.sampled_from(["unknown", "n/a", "-", "none given"]),
    name=st.sampled_from(["c1", "x", "notes", "field_7"]),
)
def test_a_column_mostly_of_emails_is_personal_data_whatever_else_it_holds(
    share: float, filler: str, name: str
) -> None:
    n = 400
    k = round(share * n)
    values = [f"p{i}.q{i % 7}@corp{i % 3}.org" for i in range(k)] + [filler] * (n - k)
    spec = kind_of(list(np.random.default_rng(0).permutation(values)), name)
    assert spec.kind is ColumnKind.PII and spec.pii_type == "email", spec.reason


def test_dates_written_two_ways_are_dates_not_phone_numbers() -> None:
    """A session-22 walk: a ticket export wrote 80% of its dates as 2023-05-14 and 20% as 14/05/2023; no single
    format read 95% of them, and the dashes made the column personal data (phone numbers), regenerated as
    603-555-0189. Now two formats join; each value reads by the first that reads it; synthetic dates are written
    the commoner way."""
    rng = np.random.default_rng(4)
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, 1_500), unit="D")
    second = rng.random(1_500) < 0.2
    text = [d.strftime("%d/%m/%Y") if s else d.strftime("%Y-%m-%d") for d, s in zip(days, second, strict=True)]
    real = pd.DataFrame({"opened": text, "queue": rng.choice(["a", "b"], 1_500)})
    spec = synth.infer_schema(real)["opened"]
    assert spec.kind is ColumnKind.DATETIME and spec.datetime_format == "%Y-%m-%d || %d/%m/%Y", spec
    assert "YYYY-MM-DD or DD/MM/YYYY" in spec.reason
    parsed = coerce_to_schema(real, synth.infer_schema(real))["opened"]
    assert parsed.notna().all() and (parsed.to_numpy() == days.to_numpy()).all(), "every value read, both ways"
    out = synth.create("gaussian_copula", random_state=0).fit(real).sample(500, seed=0)["opened"]
    assert out.str.fullmatch(r"20\d\d-\d\d-\d\d").all()
    assert pd.to_datetime(out).between("2023-01-01", "2024-12-31").all()


@pytest.mark.parametrize("fmt", ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d"])
def test_a_column_of_dates_in_any_layout_is_never_phone_numbers(fmt: str) -> None:
    rng = np.random.default_rng(5)
    days = pd.Timestamp("1990-01-01") + pd.to_timedelta(rng.integers(0, 12_000, 400), unit="D")
    # Four layouts at once: no two formats read 95%, so the column is no date, and still no phone number.
    layouts = [fmt, "%Y%m%d", "%d %b %Y", "%B %d, %Y"]
    text = [d.strftime(layouts[i % 4] if i % 3 else fmt) for i, d in enumerate(days)]
    assert kind_of(text, "when").pii_type != "phone"
    assert kind_of([d.strftime(fmt) for d in days], "called").kind is ColumnKind.DATETIME


def _csv_column(values: list[str]) -> pd.DataFrame:
    """A two-column CSV read as an upload is: the dates stay text, as pandas holds none of them."""
    rows = "".join(f"{v},{'xyz'[i % 3]}\n" for i, v in enumerate(values))
    return synth.read_table(("when,group\n" + rows).encode(), name="t.csv")


@pytest.mark.parametrize(
    "values",
    [
        [f"0001-0{i % 9 + 1}-01" for i in range(120)],  # placeholder-like years
        [f"9999-12-{i % 28 + 1:02d}" for i in range(120)],
        [["0001-01-01", "2020-05-01", "9999-12-31"][i % 3] for i in range(120)],  # placeholders among real dates
        [f"{i % 4 + 13:02d}/0{i % 3 + 1}/1500" for i in range(120)],  # a day-first layout, year 1500
    ],
)
def test_dates_pandas_cannot_hold_read_as_text_saying_why_never_as_phone_numbers(values: list[str]) -> None:
    """Before, 0001-01-01 read as no date (pandas' timestamps end at 1677 and 2262), and its dashes made the column
    phone numbers: personal data, every value replaced by 555-style numbers. Now it is a column of categories whose
    reason names the dates beyond pandas' range, the audit sees no personal data in it, and a model gives its
    values back."""
    table = _csv_column(values)
    spec = synth.infer_schema(table)["when"]
    assert spec.kind is ColumnKind.CATEGORICAL and spec.pii_type is None, spec
    assert "kept as text" in spec.reason and "before 1677-09-21 or after 2262-04-11" in spec.reason, spec.reason
    report = synth.audit(table, synth.infer_schema(table), synthesizers=())
    assert not [f for f in report.findings if f.code == "personal_values"], report.findings
    sample = synth.create("independent", random_state=0).fit(table).sample(200, seed=0)
    assert set(sample["when"]) <= set(values) | {"(other)"} and set(sample["when"]) & set(values)


def test_unique_dates_beyond_pandas_are_an_identifier_saying_why() -> None:
    """One date per row (a Parquet year-1 column read as text): the singleton rule holds, the reason says why."""
    values = [(pd.Timestamp("2001-01-01") + pd.Timedelta(days=i)).strftime("0001-%m-%d") for i in range(200)]
    spec = infer_column(pd.Series(values, name="when"))
    assert spec.kind is ColumnKind.IDENTIFIER and "dates in the form YYYY-MM-DD, kept as text" in spec.reason


#: Layouts of a date (year, month, day) with its year in four digits, as an export writes year 1 (strftime does not).
_LAYOUTS = {
    "YYYY-MM-DD": lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d}",
    "DD/MM/YYYY": lambda y, m, d: f"{d:02d}/{m:02d}/{y:04d}",
    "YYYY/MM/DD": lambda y, m, d: f"{y:04d}/{m:02d}/{d:02d}",
    "DD.MM.YYYY": lambda y, m, d: f"{d:02d}.{m:02d}.{y:04d}",
    "YYYY-MM-DD hh:mm:ss": lambda y, m, d: f"{y:04d}-{m:02d}-{d:02d} 12:{m:02d}:{d:02d}",
}


@settings(max_examples=40, deadline=None)
@given(
    dates=st.lists(
        st.tuples(st.integers(1, 1676) | st.integers(2263, 9999), st.integers(1, 12), st.integers(1, 28)),
        min_size=60,
        max_size=60,
        unique=True,
    ),
    layout=st.sampled_from(sorted(_LAYOUTS)),
)
def test_a_column_of_dates_beyond_pandas_is_never_personal_data(dates: list[tuple[int, int, int]], layout: str) -> None:
    values = [_LAYOUTS[layout](*date) for date in dates]
    spec = infer_column(pd.Series(values, name="when"))
    assert spec.kind is not ColumnKind.PII and "kept as text" in spec.reason, (spec, values[:3])


def test_two_formats_parse_each_format_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """``_two_formats`` joins the masks the single-format pass made: each format is parsed once, plus ISO 8601."""
    from synth.schema import dates

    rng = np.random.default_rng(4)
    days = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700, 300), unit="D")
    text = pd.Series([d.strftime("%d/%m/%Y" if i % 5 == 0 else "%Y-%m-%d") for i, d in enumerate(days)])
    calls: list[str] = []
    real_to_datetime = pd.to_datetime

    def counting(arg: object, *args: object, format: str | None = None, **kwargs: object) -> object:
        calls.append(str(format))
        return real_to_datetime(arg, *args, format=format, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(dates.pd, "to_datetime", counting)
    found = dates.detect_datetime_format(text)
    assert found is not None and found[0] == "%Y-%m-%d || %d/%m/%Y"
    assert sorted(calls) == sorted([*dates._DATE_FORMATS, "ISO8601"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    first=st.sampled_from(["%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"]),
    second=st.sampled_from(["%d/%m/%Y", "%d %b %Y", "%B %d, %Y"]),
    share=st.floats(0.06, 0.45),
    seed=st.integers(0, 2**16),
)
def test_two_formats_read_what_either_reads(first: str, second: str, share: float, seed: int) -> None:
    """For any two layouts mixed (the second on 6-45% of the values, so neither alone reads 95%), the commoner
    comes first and the joined share is the share of values either format reads, computed here from scratch."""
    from synth.schema import dates

    rng = np.random.default_rng(seed)
    days = pd.Timestamp("1995-01-01") + pd.to_timedelta(rng.integers(0, 9_000, 200), unit="D")
    minority = np.zeros(200, dtype=bool)
    minority[rng.permutation(200)[: round(share * 200)]] = True
    text = pd.Series([d.strftime(second if m else first) for d, m in zip(days, minority, strict=True)])
    either = pd.Series(False, index=text.index)
    for fmt in (first, second):
        either |= pd.to_datetime(text, format=fmt, errors="coerce", utc=True).notna()
    found = dates.detect_datetime_format(text)
    assert found is not None and found[0] == f"{first}{dates.MIXED_FORMATS}{second}"
    assert found[1] == pytest.approx(float(either.mean()))
