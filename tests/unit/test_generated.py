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


@pytest.mark.parametrize("pii_type", sorted(PII_PROVIDERS))
def test_no_real_value_reaches_the_output(pii_type: str) -> None:
    # The "real" values come from the same generator, so without filtering many would repeat.
    real = fake_values(pii_type, 3_000, np.random.default_rng(5))
    if pii_type == "first_name":
        real = np.array(sorted(set(real))[:400], dtype=object)
    fake = fake_values(pii_type, 20_000, np.random.default_rng(6), hash_values(real))
    assert not set(fake) & set(real)
    unfiltered = fake_values(pii_type, 20_000, np.random.default_rng(6))
    if pii_type in ("first_name", "last_name", "name"):
        assert set(unfiltered) & set(real), "the check above is meaningful: without the filter, real values recur"


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
    assert template == "\\X-\\9\\a9999"
    ids = fresh_identifiers(template, np.zeros(0, np.uint64), 20, np.random.default_rng(0))
    assert all(re.fullmatch(r"X-9a\d{4}", v) for v in ids)


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
    assert plans["code"].detail["avoid"].dtype == np.uint64, "only hashes of real values are kept"
    assert "K" not in str(plans["email"].detail)
    out = generated.sample(5_000, np.random.default_rng(1))
    assert out["key"].min() == n + 1 and out["key"].is_unique
    assert out["code"].is_unique and not set(out["code"]) & set(real["code"])
    assert out["email"].isna().mean() == pytest.approx(real["email"].isna().mean(), abs=0.03)
    assert not set(out["email"].dropna()) & set(real["email"].dropna())
    assert (out["const"] == "x").all() and out["note"].str.len().gt(3).all()
    again = generated.sample(5_000, np.random.default_rng(1))
    pd.testing.assert_frame_equal(out, again)


def test_old_plans_with_a_set_of_real_values_still_sample() -> None:
    from synth.generated import _Plan

    plan = _Plan("code", ColumnKind.IDENTIFIER, 0.0, {"numeric": False, "template": "A9", "avoid": frozenset({"A1"})})
    out = GeneratedColumns((plan,)).sample(200, np.random.default_rng(0))
    assert "A1" not in set(out["code"]) and out["code"].is_unique
