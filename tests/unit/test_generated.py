"""Generated columns: identifiers in the real format and unique, realistic fake PII, never a real value."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from synth.generated import (
    PII_PROVIDERS,
    GeneratedColumns,
    _template,
    disjoint_template,
    fake_text,
    fake_values,
    fresh_identifiers,
    hash_values,
)
from synth.schema import ColumnKind, ColumnSpec, Schema

SHAPES = {
    "email": r"[a-z]+[._]?[a-z]+\d*@example\.(com|org|net)",
    "phone": r"(\+1-)?\(?\d{3}\)?[ .-]?\d{3}[.-]?\d{4}",
    "name": r"[A-Z][a-zA-Z'-]+ ([A-Z]\. )?[A-Z][a-zA-Z'-]+",
    "first_name": r"[A-Z][a-zA-Z'-]+",
    "last_name": r"[A-Z][a-zA-Z'-]+",
    "address": r"\d{1,5} [A-Z].+",
    "ip": r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}",
    "card": r"4\d{15}",
    "ssn": r"\d{3}-\d{2}-\d{4}",
}


def _luhn(number: str) -> bool:
    digits = [int(c) for c in number][::-1]
    total = sum(digits[0::2]) + sum(sum(divmod(2 * d, 10)) for d in digits[1::2])
    return total % 10 == 0


@pytest.mark.parametrize("pii_type", sorted(PII_PROVIDERS))
def test_fake_values_look_real_and_are_seeded(pii_type: str) -> None:
    values = fake_values(pii_type, 2_000, np.random.default_rng(0))
    assert len(values) == 2_000 and all(isinstance(v, str) for v in values)
    shape = re.compile(SHAPES[pii_type])
    assert all(shape.fullmatch(v) for v in values), [v for v in values if not shape.fullmatch(v)][:5]
    again = fake_values(pii_type, 2_000, np.random.default_rng(0))
    assert list(values) == list(again)
    assert list(values) != list(fake_values(pii_type, 2_000, np.random.default_rng(1)))
    if pii_type == "card":
        assert all(_luhn(v) for v in values)
    if pii_type == "ip":
        assert all(0 <= int(part) <= 255 for v in values for part in v.split("."))


def _faker_column(pii_type: str, n: int = 3_000, seed: int = 11) -> pd.Series:
    from faker import Faker

    faker = Faker("en_US")
    faker.seed_instance(seed)
    method = getattr(faker, PII_PROVIDERS[pii_type])
    values = pd.Series([str(method()) for _ in range(n)], name="x")
    if pii_type == "email":  # Faker's own e-mails are at reserved domains already; real ones are not
        values = values.str.replace(r"@example\.(com|org|net)$", "@mail.com", regex=True)
    return values


@pytest.mark.parametrize("pii_type", sorted(PII_PROVIDERS))
def test_fake_pii_depends_on_nothing_but_the_type_and_never_equals_a_real_value(pii_type: str) -> None:
    # Two unrelated "real" columns of the same kind give the very same fakes: nothing of the values is used
    # (only which reserved domains or fictional ranges the real column itself occupies, see the test below).
    real = _faker_column(pii_type)
    other = _faker_column(pii_type, seed=99)
    schema = Schema((ColumnSpec("x", ColumnKind.PII, pii_type=pii_type),))
    fitted = GeneratedColumns.fit(real.to_frame(), schema)
    out = fitted.sample(20_000, np.random.default_rng(6))["x"]
    again = GeneratedColumns.fit(other.to_frame(), schema).sample(20_000, np.random.default_rng(6))["x"]
    if pii_type != "phone":  # phone numbers keep the real layout (test_generated_shapes.py), nothing else
        pd.testing.assert_series_equal(out, again)
    if pii_type not in ("name", "first_name", "last_name", "address"):
        # Disjoint by construction (reserved domains, fictional phone lines, documentation IP ranges, SSNs
        # never issued, 16-digit card space): not one real value comes back.
        assert not set(out) & set(real)


def _fictional_real_column(pii_type: str, rng: np.random.Generator, n: int = 3_000) -> pd.Series:
    """A "real" column that is itself test data, living in the very space our fakes come from."""
    if pii_type == "email":  # Faker's own test e-mails and every reserved domain, in mixed case
        domains = np.array(["example.com", "EXAMPLE.org", "example.net", "mail.example", "Mail.Test", "mail.invalid"])
        return pd.Series(fake_values("email", n, rng)).str.split("@").str[0] + "@" + domains[rng.integers(0, 6, n)]
    return pd.Series(fake_values(pii_type, n, rng))


@pytest.mark.parametrize("pii_type", ["email", "phone", "ip", "ssn"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_real_values_inside_the_fakes_own_space_never_come_back(pii_type: str, seed: int) -> None:
    # Attack on "none equal to a real one": a real table that is itself test data (Faker's example.com e-mails,
    # 555-01xx phone lines, documentation IPs, 9xx SSNs), then a large sample, saved and loaded on the way.
    rng = np.random.default_rng(seed)
    real = _fictional_real_column(pii_type, rng).rename("x")
    schema = Schema((ColumnSpec("x", ColumnKind.PII, pii_type=pii_type),))
    fitted = GeneratedColumns.fit(real.to_frame(), schema)
    out = fitted.sample(50_000, np.random.default_rng(seed + 10))["x"].dropna()
    assert len(out) == 50_000
    assert not set(out.str.lower()) & set(real.str.lower())
    if pii_type == "email":  # still realistic addresses, at reserved domains the real column does not use
        used = {v.rsplit("@", 1)[1].lower() for v in real}
        assert all("@" in v and v.rsplit("@", 1)[1] not in used for v in out)


def test_reserved_ranges_make_fakes_disjoint_from_real_ones() -> None:
    rng = np.random.default_rng(0)
    assert all(re.fullmatch(r"[^@]+@example\.(com|org|net)", v) for v in fake_values("email", 2_000, rng))
    assert all(re.search(r"555[.-]?01\d\d$", v) for v in fake_values("phone", 2_000, rng))
    assert all(re.match(r"(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$", v) for v in fake_values("ip", 2_000, rng))
    ssns = fake_values("ssn", 2_000, rng)
    assert all(int(v[:3]) >= 900 and 1 <= int(v[4:6]) <= 49 for v in ssns)


def test_text_keys_get_a_shape_no_real_key_has_and_nothing_of_them_is_kept() -> None:
    rng = np.random.default_rng(0)
    real = pd.Series([f"CUST{i:05d}" for i in rng.integers(0, 100_000, 3_000)], name="code")
    real.iloc[:3] = ["CUST123456", "CUST000001", "CUST999999"]  # a few real keys already one digit longer
    template = disjoint_template(real)
    assert template.startswith("CUST") and "CUST" in template
    ids = GeneratedColumns.fit(real.to_frame(), Schema((ColumnSpec("code", ColumnKind.IDENTIFIER),))).sample(
        50_000, np.random.default_rng(1)
    )["code"]
    assert ids.is_unique and not set(ids) & set(real)
    assert all(re.fullmatch(r"CUST\d{7}", v) for v in ids[:1000]), ids[:3].tolist()


@pytest.mark.parametrize(
    ("values", "shape"),
    [
        ([f"[1, 2, {i}]" for i in range(100, 999)], r"\[1, 2, \d{4}\]"),
        ([f'{{"a": {i}, "b": "q"}}' for i in range(100, 999)], r'\{"a": \d{4}, "b": "q"\}'),
        # 9,000 of 10,000 four-digit numbers used: 2,000 keys do not fit above them (INV-9000/A …), so one more digit.
        ([f"INV-{i:04d}/A" for i in range(9_000)], r"INV-\d{5}/A"),
    ],
)
def test_extra_digits_go_into_the_last_number_so_trailing_characters_stay_last(values: list[str], shape: str) -> None:
    """JSON text (a list column) keeps its closing bracket: '[1, 2, 9180]', not '[1, 2, 918]9'."""
    real = pd.Series(values, name="k")
    ids = GeneratedColumns.fit(real.to_frame(), Schema((ColumnSpec("k", ColumnKind.IDENTIFIER),))).sample(
        2_000, np.random.default_rng(0)
    )["k"]
    assert ids.is_unique and not set(ids) & set(values)
    assert all(re.fullmatch(shape, v) for v in ids), ids[:3].tolist()


def test_one_persons_value_never_becomes_the_format() -> None:
    real = pd.Series(["ZQX-4417-KLM"] + [None] * 9, name="secret")
    template = disjoint_template(real.dropna())
    assert "ZQX" not in template and "4417" not in template and "KLM" not in template
    spec = Schema((ColumnSpec("secret", ColumnKind.PII),))
    out = GeneratedColumns.fit(real.to_frame(), spec).sample(2_000, np.random.default_rng(0))["secret"]
    assert "ZQX-4417-KLM" not in set(out.dropna())


def test_fresh_identifiers_keep_the_format_and_are_unique_and_new() -> None:
    real = [f"C{i:08d}" for i in range(10_000_000, 10_050_000)]
    template = _template(real[::25])
    assert template.startswith("C1")
    ids = fresh_identifiers(template, hash_values(real), 60_000, np.random.default_rng(0))
    assert len(set(ids)) == 60_000
    assert not set(ids) & set(real)
    assert all(re.fullmatch(r"C\d{8}", v) for v in ids[:1000])


def test_a_dense_format_is_widened_rather_than_reusing_real_keys() -> None:
    real = [f"A{i:03d}" for i in range(1000)]  # every value of the format "A999" is taken
    ids = fresh_identifiers(_template(real), hash_values(real), 500, np.random.default_rng(0))
    assert len(set(ids)) == 500 and not set(ids) & set(real)
    assert all(re.fullmatch(r"A\d{3}-\d+", v) for v in ids), ids[:3]


def test_template_escapes_literal_slot_characters() -> None:
    template = _template(["X-9a1234", "X-9a5678", "X-9a9012", "X-9a3456"])
    assert template == "\\X-\\9\\a\\N999"  # no number after the "a" starts with 0: none generated does
    ids = fresh_identifiers(template, np.zeros(0, np.uint64), 20, np.random.default_rng(0))
    assert all(re.fullmatch(r"X-9a[1-9]\d{3}", v) for v in ids)


def test_hash_values_ignores_missing_and_is_sorted() -> None:
    hashes = hash_values(pd.Series(["a", None, "b", "a", np.nan]))
    assert hashes.dtype == np.uint64 and len(hashes) == 2 and np.all(np.diff(hashes.astype(float)) > 0)


def test_fake_text_length() -> None:
    text = fake_text(500, np.random.default_rng(0), median_chars=120)
    lengths = np.array([len(t) for t in text])
    assert 60 < np.median(lengths) < 240 and all(t.endswith(".") for t in text)


def test_generated_columns_fit_and_sample() -> None:
    rng = np.random.default_rng(0)
    n = 400
    real = pd.DataFrame(
        {
            "key": np.arange(1, n + 1),
            "code": [f"K{i:06d}" for i in rng.permutation(n)],
            "email": fake_values("email", n, rng),
            "note": ["a long remark about things " * 3] * n,
            "const": ["x"] * n,
        }
    )
    real.loc[rng.random(n) < 0.25, "email"] = None
    schema = Schema(
        (
            ColumnSpec("key", ColumnKind.IDENTIFIER),
            ColumnSpec("code", ColumnKind.IDENTIFIER),
            ColumnSpec("email", ColumnKind.PII, pii_type="email"),
            ColumnSpec("note", ColumnKind.TEXT),
            ColumnSpec("const", ColumnKind.CONSTANT),
        )
    )
    generated = GeneratedColumns.fit(real, schema)
    plans = {p.name: p for p in generated.plans}
    assert "avoid" not in plans["code"].detail, "nothing of the real keys is kept, not even hashes"
    assert "K" not in str(plans["email"].detail)
    # Keys 1 … 400: new keys from 410, the largest rounded to two significant digits (not 401, which names it).
    assert plans["key"].detail["start"] == 410, "above the largest real key, rounded"
    rate = real["email"].isna().mean()
    assert plans["email"].missing_rate == pytest.approx(round(rate, 2)) != rate, "rounded to 1%, not exact"
    out = generated.sample(5_000, np.random.default_rng(1))
    assert out["key"].min() == 410 and out["key"].is_unique
    assert out["code"].is_unique and not set(out["code"]) & set(real["code"])
    assert out["email"].isna().mean() == pytest.approx(real["email"].isna().mean(), abs=0.06)
    assert not set(out["email"].dropna()) & set(real["email"].dropna())
    assert (out["const"] == "x").all() and out["note"].str.len().gt(3).all()
    again = generated.sample(5_000, np.random.default_rng(1))
    pd.testing.assert_frame_equal(out, again)


def test_old_plans_with_a_set_of_real_values_still_sample() -> None:
    from synth.generated import _Plan

    plan = _Plan("code", ColumnKind.IDENTIFIER, 0.0, {"numeric": False, "template": "A9", "avoid": frozenset({"A1"})})
    out = GeneratedColumns((plan,)).sample(200, np.random.default_rng(0))
    assert "A1" not in set(out["code"]) and out["code"].is_unique


def test_a_key_never_takes_the_value_of_another_key_column() -> None:
    """HR table (session 18): manager_id holds 200 of the employee IDs; its generated values kept clear of the real
    manager IDs but not of the employees' own, so 63 synthetic managers were real employee IDs. Every key column's
    values are now generated clear of every key column's real values (text and numeric keys alike)."""
    rng = np.random.default_rng(18)
    n = 3_000
    employees = np.array([f"E{100_000 + i:06d}" for i in rng.permutation(n)], dtype=object)
    numbers = rng.permutation(np.arange(1, n + 1))
    real = pd.DataFrame(
        {
            "employee_id": employees,
            "manager_id": rng.choice(employees[:200], n),
            "customer_no": numbers,
            "referrer_no": rng.choice(numbers[numbers < 900], n),
        }
    )
    schema = Schema(tuple(ColumnSpec(c, ColumnKind.IDENTIFIER) for c in real.columns))
    out = GeneratedColumns.fit(real, schema).sample(n, np.random.default_rng(1))
    real_text = set(real["employee_id"]) | set(real["manager_id"])
    real_numbers = set(real["customer_no"]) | set(real["referrer_no"])
    assert not set(out["manager_id"]) & real_text, sorted(set(out["manager_id"]) & real_text)[:5]
    assert not set(out["employee_id"]) & real_text
    assert not set(out["referrer_no"]) & real_numbers, sorted(set(out["referrer_no"]) & real_numbers)[:5]
    assert not set(out["customer_no"]) & real_numbers
    assert all(re.fullmatch(r"E\d{6,7}", v) for v in out["manager_id"]), out["manager_id"][:3].tolist()


def test_fake_emails_lowered_from_the_lists_are_those_lowered_after_the_draw() -> None:
    # _fake_emails lowers the name lists once; a seed must still give the addresses it gave when each drawn name
    # was lowered (the million-address path, and every saved model's samples, stay byte-identical).
    from synth.generated_pii import _choice, _fake_emails, _join, _name_lists

    firsts, lasts = _name_lists()
    rng = np.random.default_rng(4)
    first = pd.Series(_choice(firsts, 5_000, rng)).str.lower()
    last = pd.Series(_choice(lasts, 5_000, rng)).str.lower()
    sep = np.array([".", "_", ""], dtype=object)[rng.integers(0, 3, 5_000)]
    number = pd.Series(rng.integers(1, 10_000, 5_000)).astype(str)
    number[rng.random(5_000) < 0.4] = ""
    domain = np.array(["example.com", "example.org"], dtype=object)[rng.integers(0, 2, 5_000)]
    before = _join(first, sep, last, number, "@", domain)
    now = _fake_emails(5_000, np.random.default_rng(4), ["example.com", "example.org"])
    assert list(now) == list(before)
