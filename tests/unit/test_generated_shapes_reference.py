"""The vectorised format learning (session 20) learns exactly what the per-value code before it learned.

``same_width_format`` read every real value's ending characters with ``.str[i]`` and ``disjoint_template`` ran its
pattern over every real value: about 9 µs per row per generated column, most of a fit on a customer table. The
reference implementations below are that code, kept as it was; every test compares the learned formats (and a
saved model file) with them, on random strings too: characters outside the formats' alphabets, non-ASCII letters,
NUL characters at the end, values of other widths.
"""

from __future__ import annotations

import io
import math
import string
import zipfile
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
import synth.generated as generated
import synth.generated_formats as formats
import synth.generated_shapes as shapes
from benchmarks.fit_tables import customers, hr
from synth.generated_formats import (
    _ALPHABETS,
    _MAX_EXTRA_DIGITS,
    MIN_TEMPLATE_VALUES,
    _one_more_digit,
    _parse_template,
    _regex,
    _render,
    _sample_text,
    _shape_template,
    _template,
)
from synth.synthesizers.persist import ARRAYS, MANIFEST


def _reference_endings(text: pd.Series, positions: list[int]) -> set[str]:
    if len(text) == 0:
        return set()
    joined = text.str[positions[0]]
    for i in positions[1:]:
        joined = joined + text.str[i]
    return set(joined)


def _reference_candidates(alphabets: list[str], rng: np.random.Generator) -> list[str]:
    space = math.prod(len(a) for a in alphabets)
    if space <= shapes._ENUMERATED:  # session 21: was _CANDIDATES, for both
        out = [""]
        for alphabet in alphabets:
            out = [o + c for o in out for c in alphabet]
        return out
    picks = [np.array(list(a))[rng.integers(0, len(a), shapes._CANDIDATES)] for a in alphabets]
    return sorted({"".join(chars) for chars in zip(*picks, strict=True)})


def reference_same_width_format(
    present: pd.Series, others: pd.Series | None = None, base: str | None = None
) -> dict[str, Any] | None:
    """``same_width_format`` as it was before session 20 (``base``, the caller's template since session 21, is
    ignored: the reference learns the same template itself)."""
    text = present.dropna().astype(str)
    sample = _sample_text(text)
    if not sample:
        return None
    shaped = pd.Series(formats._layouts(sample))  # session 22: hex digits one class for UUIDs (was _shape)
    usual = shaped.mode().iloc[0]
    sample = [v for v, s in zip(sample, shaped, strict=True) if s == usual]
    base = _template(sample) if len(set(sample)) >= MIN_TEMPLATE_VALUES else _shape_template(sample)
    parts = _parse_template(base)
    slots = shapes._slots(parts)
    taken = text if others is None else pd.concat([text, others.dropna().astype(str)], ignore_index=True)
    same = taken[taken.str.len() == len(parts)]
    rng = np.random.default_rng(0)
    best: tuple[float, int, list[str]] | None = None
    for tail in range(1, len(slots)):
        positions = slots[-tail:]
        alphabets = [_ALPHABETS[parts[i][1]] for i in positions]
        if math.prod(len(a) for a in alphabets) > shapes._MAX_TAIL_SPACE:
            break
        used = _reference_endings(same, positions)
        free = [c for c in _reference_candidates(alphabets, rng) if c not in used]
        if not free:
            continue
        rest = math.prod(len(_ALPHABETS[parts[i][1]]) for i in slots[:-tail])
        # Session 21: a dense format keeps more endings (shapes.kept_endings, pinned in test_generated_above.py);
        # session 22: as many as a sample of the real size needs (shapes.keys_needed).
        size = shapes.kept_endings(len(free), shapes.keys_needed(text), rest)
        kept = sorted(rng.choice(free, size=size, replace=False).tolist())
        capacity = float(len(kept)) * rest
        if best is None or capacity > best[0]:
            best = (capacity, tail, kept)
    if best is None:
        return None
    return {"template": base, "tail": best[1], "suffixes": best[2]}


def reference_disjoint_template(present: pd.Series, others: pd.Series | None = None) -> str:
    """``disjoint_template`` as it was before session 20 (its pattern run over every real value)."""
    sample = _sample_text(present)
    base = _template(sample) if len(set(sample)) >= MIN_TEMPLATE_VALUES else _shape_template(sample)
    real = (present if others is None else pd.concat([present, others])).astype(str).to_numpy(dtype=object)
    parts = _parse_template(base)
    for _ in range(_MAX_EXTRA_DIGITS):
        parts = _one_more_digit(parts)
        pattern = _regex(parts)
        if not any(pattern.fullmatch(v) for v in real):
            return _render(parts)
    return _render(parts) + "-9"


def _both(present: pd.Series, others: pd.Series | None = None) -> None:
    assert shapes.same_width_format(present, others) == reference_same_width_format(present, others)
    assert formats.disjoint_template(present, others) == reference_disjoint_template(present, others)


#: Characters a real value may hold: the formats' own, punctuation, non-ASCII letters and digits, NUL.
_CHARS = st.sampled_from([*string.digits, *string.ascii_letters, *"-+ ./_", "é", "Ø", "٣", "\x00", "\u20ac"])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.text(_CHARS, max_size=3),
    width=st.integers(1, 9),
    n=st.integers(0, 400),
    noise=st.lists(st.text(_CHARS, min_size=1, max_size=12), max_size=40),
    seed=st.integers(0, 2**16),
)
def test_formats_equal_the_reference_on_random_keys(
    prefix: str, width: int, n: int, noise: list[str], seed: int
) -> None:
    """Keys of one layout (a prefix and ``width`` digits or letters, dense or sparse) mixed with random strings."""
    rng = np.random.default_rng(seed)
    alphabet = np.array(list([string.digits, string.ascii_uppercase, string.digits + "AB"][seed % 3]))
    body = alphabet[rng.integers(0, min(len(alphabet), 1 + seed % 40), (n, width))]
    keys = [prefix + "".join(row) for row in body]
    values = pd.Series(keys + noise, dtype=object).sample(frac=1.0, random_state=seed)
    _both(values)
    _both(values.iloc[: len(values) // 2], values.iloc[len(values) // 2 :])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(_CHARS, min_size=0, max_size=8), min_size=0, max_size=60))
def test_formats_equal_the_reference_on_random_strings(values: list[str]) -> None:
    _both(pd.Series(values, dtype=object))


@pytest.mark.parametrize("column", ["customer_id", "account_ref", "phone"])
def test_customer_table_formats_equal_the_reference(column: str) -> None:
    """The calibration's customer table: a dense 9-digit key, a sparse 8-digit reference (endings sampled from
    a space of 10^5 and more), phone numbers; with the other keys' values as ``others``."""
    table = customers(6_000, True, 20)
    others = table["account_ref"] if column == "customer_id" else table["customer_id"]
    _both(table[column])
    _both(table[column], others)
    _both(table[column].iloc[:40])  # few values: most endings free


def test_hr_formats_equal_the_reference() -> None:
    table = hr(3_000)
    for column in ("employee_id", "phone", "manager_id"):
        _both(table[column], table["employee_id"] if column == "manager_id" else None)


def test_endings_keep_every_non_ascii_or_nul_character_out() -> None:
    """A real ending holding a character outside the alphabet takes no candidate (the reference's string
    comparison), also where that character's code point is 48 + 128·k (it must not wrap onto a digit)."""
    codes = shapes._char_codes(pd.Series(["12\x00", "1" + chr(48 + 128) + "5", "137"]), 3)
    assert shapes._free(["120", "105", "135", "137", "100"], codes, ["0123456789"] * 3) == ["120", "105", "135", "100"]


def _model_members(table: pd.DataFrame, tmp_path: Any, name: str) -> dict[str, bytes]:
    """A saved model file's manifest and arrays, byte for byte (the zip records each member's write time, so
    two saves a second apart differ in those bytes alone, whatever they hold)."""
    model = synth.create("independent", random_state=0).fit(table, synth.infer_schema(table))
    path = tmp_path / name
    model.save(path)
    with zipfile.ZipFile(path) as outer:
        members = {"manifest": outer.read(MANIFEST)}
        with zipfile.ZipFile(io.BytesIO(outer.read(ARRAYS))) as arrays:
            members.update({info.filename: arrays.read(info) for info in arrays.infolist()})
    return members


def test_model_file_is_byte_identical_to_the_reference(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same seed writes the same model file with the vectorised code as with the reference code (a customer
    table's keys and phone, an HR table's employee and manager keys and its phone beside them)."""
    table = customers(3_000, True, 20)
    staff = hr(3_000)
    table[["employee_id", "manager_id", "mobile"]] = staff[["employee_id", "manager_id", "phone"]].to_numpy()
    fast = _model_members(table, tmp_path, "fast.synth")
    monkeypatch.setattr(generated, "same_width_format", reference_same_width_format)
    monkeypatch.setattr(generated, "disjoint_template", reference_disjoint_template)
    slow = _model_members(table, tmp_path, "slow.synth")
    assert b'"suffixes"' in fast["manifest"] and b"AC99999999" in fast["manifest"]  # the formats are in it
    assert fast == slow
