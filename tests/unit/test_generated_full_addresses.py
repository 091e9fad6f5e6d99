"""A column of whole addresses gets whole addresses back, at the real share (synth/generated_full_addresses.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.generated import REGENERATION_SUMMARY, GeneratedColumns, fake_values
from synth.generated_renumbering import renumbered
from synth.schema import ColumnKind, ColumnSpec, Schema
from synth.synthesizers.inventory import COMMON_ITEMS
from tests.unit.crafting import replaced_after, unpacked

#: The part a whole address of each locale has and its street line has not: a postcode where the locale writes one
#: (en_GB's "SW1A 1AA", ja_JP's prefecture: Faker's ja_JP addresses have no postcode).
POSTCODE = {
    "en_US": r"[A-Z]{2} \d{5}$",
    "en_GB": r"(?:, |\n| )[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$",
    "de_DE": r"(?:, |\n| )\d{5} \S",
    "fr_FR": r"(?:, |\n| )\d{5} \S",
    "ja_JP": r"^(?:東京都|北海道|(?:京都|大阪)府|.{2,3}県)",
    "no_NO": r", \d{4} \S",
    "es_ES": r"(?:, |\n| )\d{5}$",
}
LOCALES = list(POSTCODE)


def _addresses(code: str, n: int, seed: int, whole: float, sep: str = ", ") -> pd.Series:
    """``n`` Faker addresses of a locale: a seeded ``whole`` share of them whole (lines joined by ``sep``), the
    rest street lines on one line, as a CSV holds them."""
    faker = Faker(code)
    faker.seed_instance(seed)
    rng = np.random.default_rng(seed)
    values = []
    for _ in range(n):
        if rng.random() < whole:
            values.append(sep.join(" ".join(line.split()) for line in faker.address().split("\n") if line.strip()))
        else:
            values.append(" ".join(faker.street_address().replace("\n", ", ").split()))
    return pd.Series(values, name="address")


def _fit(values: pd.Series) -> GeneratedColumns:
    schema = Schema((ColumnSpec("address", ColumnKind.PII, pii_type="address"),))
    return GeneratedColumns.fit(values.to_frame(), schema)


def _postcode_share(code: str, values: pd.Series) -> float:
    return float(values.str.contains(POSTCODE[code]).mean())


@pytest.mark.parametrize("code", LOCALES)
def test_whole_addresses_come_back_whole_at_the_real_share(code: str) -> None:
    for whole in (1.0, 0.5):
        real = _addresses(code, 600, seed=3, whole=whole)
        truth = _postcode_share(code, real)  # the real share of rows with a postcode part
        plan = _fit(real).plans[0]
        stored = plan.detail["whole_addresses"]
        assert stored["sep"] in (", ", " ")  # no_NO and ja_JP write no line break: a space is as good as ", "
        assert stored["share"] == pytest.approx(truth, abs=0.04), (stored, truth)
        fakes = GeneratedColumns((plan,)).sample(3_000, np.random.default_rng(1))["address"]
        assert _postcode_share(code, fakes) == pytest.approx(truth, abs=0.05)
        # Every number of a whole address redrawn, the postcode too: none is a real one (a street line without a
        # number, fr_FR's "rue Brunel", is one of Faker's as before).
        assert not fakes[fakes.str.contains(POSTCODE[code])].isin(set(real)).any()
        if whole == 1.0:  # before: street lines alone (de_DE "Beckergasse 8"), no postcode at all
            assert _postcode_share(code, fakes) >= 0.9
            before = fake_values("address", 3_000, np.random.default_rng(1), locales=plan.detail.get("locales"))
            assert _postcode_share(code, pd.Series(before)) < 0.02


@pytest.mark.parametrize("code", LOCALES)
def test_street_columns_read_no_whole_addresses_and_come_back_as_before(code: str) -> None:
    plan = _fit(_addresses(code, 600, seed=4, whole=0.0)).plans[0]
    assert "whole_addresses" not in plan.detail
    fakes = GeneratedColumns((plan,)).sample(2_000, np.random.default_rng(2))["address"]
    assert _postcode_share(code, fakes) < 0.02
    # The same draws as a column fitted before whole addresses were read: the street path takes no extra draw.
    same = fake_values("address", 2_000, np.random.default_rng(2), locales=plan.detail.get("locales"))
    assert list(fakes) == list(same)


@pytest.mark.parametrize(("code", "sep"), [("de_DE", "\n"), ("en_GB", "\n"), ("en_US", " "), ("es_ES", " ")])
def test_the_separator_between_lines_comes_back(code: str, sep: str) -> None:
    plan = _fit(_addresses(code, 400, seed=5, whole=1.0, sep=sep)).plans[0]
    assert plan.detail["whole_addresses"] == {"share": 1.0, "sep": sep}
    fakes = GeneratedColumns((plan,)).sample(1_000, np.random.default_rng(3))["address"]
    assert fakes.str.contains("\n").mean() == (1.0 if sep == "\n" else 0.0)
    if code == "en_US":  # "123 Main St Springfield, IL 62704": the comma Faker writes inside the last line only
        assert (fakes.str.count(",") <= 1).all()


@pytest.mark.parametrize("code", ["en_US", "en_CA"])
def test_an_american_column_of_whole_addresses_draws_whole_en_us_addresses(code: str) -> None:
    # No locale is kept for en_US (the fallback) nor en_CA (its streets are en_US's), and the whole addresses
    # still come back whole: en_US's, with a state and a ZIP code.
    plan = _fit(_addresses(code, 500, seed=6, whole=1.0)).plans[0]
    assert "locales" not in plan.detail and plan.detail["whole_addresses"] == {"share": 1.0, "sep": ", "}
    fakes = GeneratedColumns((plan,)).sample(2_000, np.random.default_rng(4))["address"]
    assert _postcode_share("en_US", fakes) >= 0.9


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    code=st.sampled_from(LOCALES),
    whole=st.floats(0.0, 1.0),
    seed=st.integers(10, 10**6),
)
def test_the_share_read_is_the_real_share_within_a_few_points(code: str, whole: float, seed: int) -> None:
    real = _addresses(code, 500, seed=seed, whole=whole)
    truth = _postcode_share(code, real)
    stored = _fit(real).plans[0].detail.get("whole_addresses")
    read = 0.0 if stored is None else stored["share"]
    assert read == pytest.approx(truth, abs=0.05), (stored, truth)


@settings(max_examples=40, deadline=None)
@given(pool=st.lists(st.from_regex(r"[A-Za-z ,]{0,6}([0-9]{1,6}[A-Za-z ,/-]{0,4}){0,4}", fullmatch=True), min_size=1))
def test_whole_addresses_are_renumbered_in_the_width_of_every_number(pool: list[str]) -> None:
    # Every number gets random digits of exactly its width, a leading zero where it had one ("0155" stays four
    # digits, a postcode's shape), never one where it had none ("12" is never "07").
    out = renumbered(pool, 300, np.random.default_rng(0), keep_width=True)

    def skeleton(value: str) -> list[str]:
        return [("0" if p[0] == "0" else "9") * len(p) if p.isdigit() else p for p in re.split(r"([0-9]+)", value)]

    shapes = {tuple(skeleton(v)) for v in pool}
    bare = {tuple(re.sub(r"\d", "9", v) for v in skeleton(p)) for p in pool}
    for value in out:
        assert tuple(re.sub(r"\d", "9", p) for p in skeleton(value)) in bare
        numbers = re.findall(r"[0-9]+", value)
        assert any(
            len(s) == len(skeleton(value))
            and all(a[:1] != "9" or b[:1] != "0" for a, b in zip(s, skeleton(value), strict=True))
            for s in shapes
        ), (value, numbers)


@settings(max_examples=40, deadline=None)
@given(
    stored=st.one_of(
        st.fixed_dictionaries(
            {
                "share": st.floats(allow_nan=True, allow_infinity=True),
                "sep": st.sampled_from([", ", "\n", " ", ";", ""]),
            }
        ),
        st.fixed_dictionaries(
            {"share": st.one_of(st.text(max_size=4), st.booleans(), st.none()), "sep": st.just(", ")}
        ),
        st.dictionaries(st.text(max_size=5), st.floats(0, 1), max_size=3),
        st.lists(st.floats(0, 1), max_size=2),
        st.text(max_size=5),
        st.none(),
    )
)
def test_a_crafted_whole_address_share_falls_back_to_street_lines(stored: object) -> None:
    # A model file is input: anything but a share in (0, 1] and a known separator draws street lines as before.
    out = fake_values("address", 60, np.random.default_rng(9), locales={"de_DE": 1.0}, whole_addresses=stored)
    street = fake_values("address", 60, np.random.default_rng(9), locales={"de_DE": 1.0})
    valid = (
        isinstance(stored, dict)
        and set(stored) == {"share", "sep"}
        and isinstance(stored["share"], float)
        and 0 < stored["share"] <= 1
        and stored["sep"] in (", ", "\n", " ")
    )
    assert (list(out) == list(street)) is not valid
    if valid:
        assert all(isinstance(v, str) and v for v in out)


@pytest.mark.parametrize("crafted", ["NaN", "1.5", '"0.5"', "-0.2"])
def test_a_crafted_model_file_samples_street_lines(tmp_path: Path, crafted: str) -> None:
    real = pd.DataFrame({"address": _addresses("de_DE", 300, seed=7, whole=1.0), "x": np.arange(300.0)})
    schema = Schema((ColumnSpec("address", ColumnKind.PII, pii_type="address"), ColumnSpec("x", ColumnKind.CONTINUOUS)))
    model = synth.create("gaussian_copula", random_state=0).fit(real, schema)
    model.save(tmp_path / "m.synth")
    path = replaced_after(
        tmp_path / "m.synth", tmp_path / "c.synth", "whole_addresses", '["share",1.0]', f'["share",{crafted}]'
    )
    out = synth.load_model(path).sample(500, seed=1)["address"]
    assert out.str.len().gt(0).all() and _postcode_share("de_DE", out) == 0.0
    assert _postcode_share("de_DE", synth.load_model(tmp_path / "m.synth").sample(500, seed=1)["address"]) > 0.9


def test_no_real_word_or_number_reaches_the_plan_the_rows_or_the_model_file(tmp_path: Path) -> None:
    # Attack: whole Norwegian addresses, 40 of them on an invented street in an invented town; the plan may say
    # no_NO, the share and the separator, and nothing of any value.
    real_values = _addresses("no_NO", 400, seed=8, whole=0.8).tolist()
    real_values[:40] = [f"Xylophorgata {i + 3}, {7041 + i} Quorvinelby" for i in range(40)]
    real = pd.DataFrame({"address": real_values, "x": np.random.default_rng(8).gamma(2.0, 40.0, 400).round(2)})
    schema = Schema((ColumnSpec("address", ColumnKind.PII, pii_type="address"), ColumnSpec("x", ColumnKind.CONTINUOUS)))
    model = synth.create("gaussian_copula", random_state=0).fit(real, schema)
    plan = next(p for p in model.generated_.plans if p.name == "address")
    assert plan.detail["whole_addresses"]["share"] == pytest.approx(0.8, abs=0.05)
    plan_tokens = set(re.findall(r"[^\W_]{3,}", json.dumps(plan.detail, ensure_ascii=False)))
    real_tokens = {t for v in real_values for t in re.findall(r"[^\W_]{3,}", v)}
    assert not plan_tokens & real_tokens, plan_tokens & real_tokens
    rows = model.sample(3_000, seed=1)["address"]
    assert not rows.str.contains("Xylophor|Quorvinel").any() and not rows.isin(set(real_values)).any()
    model.save(tmp_path / "m.synth")
    blob = unpacked(tmp_path / "m.synth")
    assert b"no_NO" in blob and b"Xylophor" not in blob and b"Quorvinel" not in blob
    words = {t for t in real_tokens if not t.isdigit() and len(t) > 3}
    assert not [w for w in words if w.encode() in blob]
    # What the file keeps is said where a user reads what is kept: the Data page and the Synthesize inventory.
    item = next(i for i in COMMON_ITEMS if i.name == "Generated columns")
    assert "whole addresses" in REGENERATION_SUMMARY and "addresses written whole" in item.content


@pytest.mark.parametrize("code", ["hi_IN", "bn_BD", "th_TH", "ne_NP", "ru_RU", "en_MS"])
def test_whole_addresses_of_scripts_with_vowel_marks_and_without_a_street_line_are_read(code: str) -> None:
    # Hindi, Bengali and Thai write vowels as combining marks ("कल्पना"): read as punctuation they made every town a
    # shape of its own and no whole address was read; ne_NP's whole addresses have no street line to cut off, so
    # their last words ("भक्तपुर 83016") are the yardstick.
    whole = _fit(_addresses(code, 400, seed=9, whole=1.0)).plans[0].detail.get("whole_addresses")
    assert whole is not None and whole["share"] >= 0.9
    assert "whole_addresses" not in _fit(_addresses(code, 400, seed=9, whole=0.0)).plans[0].detail
