"""UUIDs and hashes come back as UUIDs and hashes: hexadecimal digits only, random in every place, never real.

A UUID column ("1b42d18a-8104-4e56-8e2f-28c84277b404") came back as "00000000-0000-0138-7617-5637337c67i2":
letters beyond f (the format read each value's letters and digits apart, so its "usual" layout was one value's)
and leading zeros (a 64-bit permutation numbered a 128-bit space, so its first slots never moved).
"""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.generated_formats import _parse_template, _render
from synth.sampling import write_table

#: A version-4 UUID: the version nibble 4 and the variant nibble 8, 9, a or b (RFC 4122), as every real one has.
UUID4 = r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"


def _uuids(n: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [str(uuid.UUID(bytes=rng.bytes(16), version=4)) for _ in range(n)]


@pytest.fixture(scope="module")
def people() -> pd.DataFrame:
    n = 1_500
    rng = np.random.default_rng(3)
    return pd.DataFrame(
        {
            "person_uuid": _uuids(n, 3),
            "md5": [hashlib.md5(f"row {i}".encode()).hexdigest() for i in range(n)],
            "sha_upper": [hashlib.sha1(f"row {i}".encode()).hexdigest().upper() for i in range(n)],
            "team": rng.choice(["red", "green", "blue"], n),
        }
    )


@pytest.fixture(scope="module")
def model(people: pd.DataFrame) -> synth.Synthesizer:
    return synth.create("independent", random_state=0).fit(people)


def _check(out: pd.DataFrame, real: pd.DataFrame) -> None:
    assert out["person_uuid"].str.fullmatch(UUID4).all()
    assert out["md5"].str.fullmatch(r"[0-9a-f]{32}").all()
    assert out["sha_upper"].str.fullmatch(r"[0-9A-F]{40}").all()
    for column in ("person_uuid", "md5", "sha_upper"):
        assert out[column].is_unique
        assert not set(out[column]) & set(real[column])
        # Every place moves: the first eight characters are as varied as random ones (no run of leading zeros).
        firsts = out[column].str[:8]
        assert firsts.nunique() > 0.99 * len(out), column
        assert out[column].str[0].nunique() == 16, column


def test_sampled_uuids_and_hashes_are_hex_random_in_every_place_and_never_real(
    model: synth.Synthesizer, people: pd.DataFrame
) -> None:
    for column in ("person_uuid", "md5", "sha_upper"):
        assert model.schema_[column].kind is synth.ColumnKind.IDENTIFIER
    _check(model.sample(4_000, seed=1), people)


def test_streamed_uuids_follow_the_same_rules_at_any_block_size(
    model: synth.Synthesizer, people: pd.DataFrame, tmp_path: Path
) -> None:
    tables = [
        pq.read_table(write_table(model, tmp_path / f"b{b}.parquet", 5_000, block_rows=b, seed=4).path).to_pandas()
        for b in (700, 2_048)
    ]
    for out in tables:
        _check(out, people)
    # A row's keys depend on its place in the table, not on the block that drew it.
    keys = ["person_uuid", "md5", "sha_upper"]
    pd.testing.assert_frame_equal(tables[0][keys], tables[1][keys])


def test_long_keys_move_in_every_place(tmp_path: Path) -> None:
    """A 24-character key holds more values than 2**64: its first places were always the alphabet's first
    character ("aaaaaaa…") whether sampled or streamed."""
    rng = np.random.default_rng(5)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz0123456789"))
    real = pd.DataFrame({"token": ["".join(rng.choice(letters, 24)) for _ in range(800)], "n": rng.integers(0, 9, 800)})
    model = synth.create("independent", random_state=0).fit(real)
    streamed = pq.read_table(write_table(model, tmp_path / "t.parquet", 3_000, block_rows=1_000, seed=2).path)
    for out in (model.sample(3_000, seed=2)["token"], streamed.to_pandas()["token"]):
        assert out.str.fullmatch(r"[a-z0-9]{24}").all() and out.is_unique
        assert not set(out) & set(real["token"])
        assert out.str[0].nunique() >= 30 and out.str[:6].nunique() > 0.99 * len(out)


def test_prefixed_codes_keep_their_letter_classes() -> None:
    """Codes whose letters happen to be a–f but sit in fixed places ("A-123", "B-456") keep letter slots: hex is
    read only where it makes the layout of most values one."""
    rng = np.random.default_rng(6)
    real = pd.DataFrame({"code": [f"{rng.choice(list('ABCDEF'))}-{i:06d}" for i in rng.choice(10**6, 600, False)]})
    model = synth.create("independent", random_state=0).fit(real)
    out = model.sample(2_000, seed=0)["code"]
    assert out.str.fullmatch(r"[A-Z]-\d{6}").all()


_SLOT_PIECES = ["9", "A", "a", "X", "x", "*", "\\h", "\\H", "\\N", "\\v", "\\V"]
_SLOTS = st.sampled_from(_SLOT_PIECES)
_LITERALS = st.sampled_from([*"-_.:/ #bBcChHgqNnvV0123456789", "\\9", "\\A", "\\a", "\\X", "\\x", "\\*", "\\\\"])


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.one_of(_SLOTS, _LITERALS), min_size=1, max_size=30))
def test_templates_read_back_as_written(pieces: list[str]) -> None:
    """Every template reads and writes back unchanged, hex slots included; a bare ``h`` is a literal letter, as
    in every template written before hex slots existed."""
    template = "".join(pieces)
    parts = _parse_template(template)
    assert _render(parts) == template
    assert len(parts) == len(pieces)
    for piece, (is_slot, ch) in zip(pieces, parts, strict=True):
        assert is_slot == (piece in _SLOT_PIECES)
        assert ch == piece[-1]


def test_an_older_template_with_the_letter_h_keeps_it() -> None:
    assert _parse_template("sh-H99") == [
        (False, "s"),
        (False, "h"),
        (False, "-"),
        (False, "H"),
        (True, "9"),
        (True, "9"),
    ]


def test_an_older_template_with_the_letters_n_and_v_keeps_them() -> None:
    # Templates written before the \N (first digit 1-9) and \v / \V (UUID variant) slots existed never escape N or v.
    assert _parse_template("NV-v9") == [(False, "N"), (False, "V"), (False, "-"), (False, "v"), (True, "9")]
