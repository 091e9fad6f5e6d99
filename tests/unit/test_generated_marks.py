"""Identifiers in Devanagari or Thai script come back well-formed: a combining mark (a vowel sign) is part of the
letter before it, never a literal sitting on a generated ASCII letter ("Wु", "Xุ" before session 23)."""

from __future__ import annotations

import unicodedata

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from synth.generated import GeneratedColumns
from synth.generated_formats import _shape_template, _template
from synth.schema import ColumnKind, ColumnSpec, Schema

SCHEMA = Schema((ColumnSpec("key", ColumnKind.IDENTIFIER),))


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch).startswith("M")


def _stray_marks(value: str) -> list[int]:
    """Positions of combining marks that do not follow a letter of a script other than ASCII (or another mark)."""

    def carrier(ch: str) -> bool:
        return _is_mark(ch) or (ch.isalpha() and not ch.isascii())

    return [i for i, ch in enumerate(value) if _is_mark(ch) and (i == 0 or not carrier(value[i - 1]))]


def _generated(values: list[str], n: int = 500, seed: int = 0) -> pd.Series:
    fitted = GeneratedColumns.fit(pd.DataFrame({"key": values}), SCHEMA)
    return fitted.sample(n, np.random.default_rng(seed))["key"]


@pytest.mark.parametrize("code", ["hi_IN", "th_TH"])
@pytest.mark.parametrize("numbered", [True, False])
def test_devanagari_and_thai_keys_have_no_stray_marks(code: str, numbered: bool) -> None:
    faker = Faker(code)
    faker.seed_instance(0)
    values = [faker.first_name() + (str(i) if numbered else "") for i in range(300)]
    assert sum(map(_is_mark, "".join(values))) > 100  # the real keys are full of vowel signs
    out = _generated(values)
    assert out.notna().all() and out.map(len).gt(0).all()
    assert not [v for v in out if _stray_marks(v)], out[out.map(lambda v: bool(_stray_marks(v)))].head().tolist()
    assert not set(out) & set(values)


def test_a_mark_after_a_literal_letter_stays_with_it() -> None:
    # A prefix every key shares ("राम", with its vowel sign) is literal; the marks after a slot are slots.
    values = ["राम" + v for v in ("विजया", "अरुणा", "दिव्या", "शेखर", "बलराम", "मोहना")]
    template = _template(values)
    assert template.startswith("राम")
    assert not _stray_marks(template.replace("*", "x"))
    assert "ा" in _template(["रा1", "रा2", "रा3", "रा4", "रा5"])  # "रा" is one letter: both stay literal
    assert set(_shape_template(["मोहना", "राधा"])) == {"*"}  # the vowel signs are slots of their letters too


_LETTERS = st.sampled_from(list("कखगचजटडतदनपबमयरलवसहกขคงจฉชซดตถทนบปผพมยรลวสหอ"))
_MARKS = st.sampled_from(list("ािीुूेैोौंँ़्ัิีึืุู็่้๊๋์"))
_WORD = st.lists(st.tuples(_LETTERS, st.lists(_MARKS, max_size=2)), min_size=1, max_size=6)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(
        st.tuples(_WORD, st.integers(0, 999)),
        min_size=25,
        max_size=60,
        unique_by=lambda w: str(w),
    ),
    seed=st.integers(0, 2**16),
)
def test_keys_of_letters_and_marks_never_get_a_stray_mark(words: list, seed: int) -> None:
    values = ["".join(letter + "".join(marks) for letter, marks in word) + str(number) for word, number in words]
    out = _generated(values, n=100, seed=seed)
    assert not [v for v in out if _stray_marks(v)]
    assert not set(out) & set(values)
