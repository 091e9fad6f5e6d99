"""Generated phone numbers keep the real country codes by share (every digit was random: +76, +60, +11 for a
table of German and French numbers), and still equal no real number, whatever the code's length."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
from synth.generated_country_codes import MIN_CODE_ROWS, with_country_codes
from synth.generated_formats import _parse_template


def _phones(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    codes = rng.choice(["+49", "+33", "+44", "+1"], n, p=[0.5, 0.2, 0.2, 0.1]).astype(object)
    codes[:5] = "+354"  # Iceland: five rows, too few to keep
    numbers = [f"{c} {rng.integers(100, 999)} {rng.integers(100, 999)} {rng.integers(1000, 9999)}" for c in codes]
    return pd.DataFrame({"phone": numbers, "x": rng.normal(size=n), "y": rng.choice(list("ab"), n)})


@pytest.fixture(scope="module")
def fitted() -> tuple[pd.DataFrame, synth.Synthesizer]:
    real = _phones()
    schema = synth.infer_schema(real)
    assert schema["phone"].kind is synth.ColumnKind.PII and schema["phone"].pii_type == "phone"
    return real, synth.create("independent").fit(real, schema)


def test_country_codes_come_with_their_real_shares(fitted: tuple[pd.DataFrame, synth.Synthesizer]) -> None:
    real, model = fitted
    syn = model.sample(20_000, seed=1)
    codes = syn["phone"].str.split(" ").str[0].value_counts(normalize=True)
    real_codes = real["phone"].str.split(" ").str[0].value_counts(normalize=True)
    for code in ("+49", "+33", "+44", "+1"):
        assert codes.get(code, 0.0) == pytest.approx(real_codes[code], abs=0.03)
    assert "+354" not in codes, f"a code held by fewer than {MIN_CODE_ROWS} rows is not kept"
    assert set(codes.index) == {"+49", "+33", "+44", "+1"}


def test_no_generated_number_is_real_whatever_its_codes_length(
    fitted: tuple[pd.DataFrame, synth.Synthesizer],
) -> None:
    real, model = fitted
    syn = model.sample(50_000, seed=2)["phone"]
    assert not set(syn) & set(real["phone"])
    # The guarantee, not luck: no generated number ends as a real number of its width ends. The +1 numbers are a
    # layout of their own (synth.generated_layouts), with codes of its own width; the usual layout's codes are its
    # own values' (+49, +33, +44), so no code changes a number's width.
    detail = model.generated_.plans[0].detail
    formats = [detail["same_width"], *(f for _, f in detail["layouts"][1:])]
    assert [len(_parse_template(f["template"])) for f in formats] == [16, 15]
    real_text = real["phone"].astype(str)
    for fmt in formats:
        width, tail = len(_parse_template(fmt["template"])), int(fmt["tail"])
        mine = syn[syn.str.len() == width]
        assert len(mine) > 1000 and mine.str[-tail:].isin(fmt["suffixes"]).all()
        assert not set(mine.str[-tail:]) & set(real_text[real_text.str.len() == width].str[-tail:])
    assert set(syn.str.len()) == {16, 15}


@pytest.mark.parametrize(
    "codes", [{"<b>hi</b>": 1.0}, {"+49": "lots"}, {"+49": float("nan")}, {"+49": -1.0}, "nonsense", {}]
)
def test_crafted_codes_leave_the_numbers_as_drawn(codes: object) -> None:
    shaped = {"template": "+99 999 999 9999", "tail": 3, "suffixes": ["007"], "country_codes": codes}
    values = np.array(["+12 345 678 9007", "+98 765 432 1007"], dtype=object)
    out = with_country_codes(values.copy(), shaped, np.random.default_rng(0))
    assert out.tolist() == values.tolist()


def test_one_country_keeps_its_literal_code() -> None:
    rng = np.random.default_rng(5)
    real = pd.DataFrame(
        {
            "phone": [f"+49 {rng.integers(100, 999)} {rng.integers(1000000, 9999999)}" for _ in range(500)],
            "x": rng.normal(size=500),
        }
    )
    syn = synth.create("independent").fit(real).sample(2000, seed=1)
    assert syn["phone"].str.startswith("+49 ").all()
