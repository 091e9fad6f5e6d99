"""Text key columns of one layout whose real values are disjoint get disjoint generated values (session 23).

Before: lanes (:mod:`synth.generated_lanes`) kept apart numeric keys and text keys continuing above the real ones,
but keys drawn with unused endings came from one format that every such column shared: two disjoint columns of
random ``ORD-1…`` order and invoice numbers (3,000 rows each) shared 1,406 generated keys streamed, 1,394 sampled,
and 9 of 9,000 at 3× (one more digit, drawn at random). Now columns of one layout in lanes of their own take one
scheme and one format, and each lane a residue of its values (:func:`synth.generated_lanes.apart`).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import synth
from benchmarks.bench_key_lanes import pair_tables
from synth.generated import GeneratedColumns
from synth.generated_shapes import usual_template
from synth.sampling import SampleSpec, iter_rows
from synth.schema import ColumnKind, ColumnSpec, Schema

N = 3_000


def _schema(df: pd.DataFrame) -> Schema:
    return Schema(tuple(ColumnSpec(c, ColumnKind.IDENTIFIER) for c in df.columns))


def _streamed(generated: GeneratedColumns, n: int, block: int, key: int = 7) -> dict[str, np.ndarray]:
    parts = [
        generated.block_identifiers(a, min(block, n - a), n, key)
        | generated.block_repeated(a, min(block, n - a), n, key)
        for a in range(0, n, block)
    ]
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def _tables() -> dict[str, pd.DataFrame]:
    # The benchmark's pairs (one seed, so the test checks what bench_key_lanes measures), under short names, and
    # one more: sequential keys whose second column continues the first.
    pairs = pair_tables(N, seed=23)
    return {
        "order_and_invoice": pairs["ORD-1… random"],
        "uuids": pairs["UUID"],
        "codes": pairs["8-char codes"],
        # Two layouts (ORD-10… and ORD-20…): not one format; lanes keep them apart above the real keys (session 21).
        "two_layouts": pairs["ORD-1…/ORD-2… sequential"],
        "sequential": pd.DataFrame(
            {"a": [f"R{100_000 + i}" for i in range(N)], "b": [f"R{100_000 + N + i}" for i in range(N)]}
        ),
    }


def _check(real: pd.DataFrame, out: Any, unique: tuple[str, ...] = ("a", "b")) -> None:
    a, b = pd.Series(out["a"]).dropna(), pd.Series(out["b"]).dropna()
    assert not set(a) & set(b), f"{len(set(a) & set(b))} keys in both columns"
    assert not (set(a) | set(b)) & set(real.stack()), "a real key"
    for name in unique:
        assert pd.Series(out[name]).dropna().is_unique, name


@pytest.mark.parametrize("table", sorted(_tables()))
@pytest.mark.parametrize("times", [1, 3])
def test_disjoint_key_columns_of_one_layout_share_no_generated_key(table: str, times: int) -> None:
    real = _tables()[table]
    generated = GeneratedColumns.fit(real, _schema(real))
    n = times * N
    for out in (generated.sample(n, np.random.default_rng(1)), _streamed(generated, n, 997)):
        _check(real, out)
        for name in "ab":  # in the real width, as before (the sparse ORD-1… numbers got one more digit at 3×)
            assert set(pd.Series(out[name]).str.len()) == set(real[name].str.len()), name


def test_the_order_and_invoice_numbers_through_a_model_and_iter_rows() -> None:
    """The session-22 measurement (1,406 of 3,000 shared, streamed), through the public API."""
    real = _tables()["order_and_invoice"]
    model = synth.create("independent").fit(real, _schema(real))
    _check(real, model.sample(N, seed=3))
    _check(real, pd.concat(list(iter_rows(model, SampleSpec(N, 3, block_rows=700))), ignore_index=True))


def test_columns_sharing_a_real_key_keep_their_own_formats_and_may_share() -> None:
    """Real columns that share a value are one lane: nothing changes for them (each keeps its own endings, no share
    of the values), so their generated keys may coincide, as the real ones do."""
    real = _tables()["order_and_invoice"]
    real.loc[0, "b"] = real.loc[0, "a"]
    generated = GeneratedColumns.fit(real, _schema(real))
    assert not any("lane" in p.detail for p in generated.plans)
    laned = generated.in_lanes(N)
    assert laned is generated, "no lane: the plans as fitted"
    assert all("apart" not in (p.detail.get("same_width") or {}) for p in laned.plans)
    out = generated.sample(N, np.random.default_rng(1))
    assert set(out["a"]) & set(out["b"]), "sharing, as before (about 1,400 of 3,000)"


def test_a_repeated_key_and_a_unique_one_of_one_layout() -> None:
    """A repeated customer code beside unique order codes of one layout, disjoint: the repeated one stays repeated."""
    rng = np.random.default_rng(5)
    numbers = rng.choice(900_000, 1_300, replace=False) + 100_000
    real = pd.DataFrame(
        {"a": [f"ORD-{v}" for v in numbers[: N // 3]], "b": [f"ORD-{v}" for v in rng.choice(numbers[N // 3 :], N // 3)]}
    )
    generated = GeneratedColumns.fit(real, _schema(real))
    assert "distinct" in generated.plans[1].detail
    for out in (generated.sample(N, np.random.default_rng(2)), _streamed(generated, N, 499)):
        _check(real, out, unique=("a",))
        assert pd.Series(out["b"]).nunique() < 0.8 * N


def _archive(model: synth.Synthesizer, path: Path) -> tuple[str, list[Any], set[int]]:
    model.save(path)
    with zipfile.ZipFile(path) as zf:
        text = zf.read("manifest.json").decode("utf-8")
        with np.load(io.BytesIO(zf.read("arrays.npz")), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}

    def walk(node: Any) -> list[Any]:
        if isinstance(node, dict):
            return [x for k, v in node.items() for x in (*walk(k), *walk(v))]
        if isinstance(node, list):
            return [x for v in node for x in walk(v)]
        return [node]

    scalars = walk(json.loads(text))
    strings = [v for v in scalars if isinstance(v, str)]
    strings += [str(v) for a in arrays.values() if a.dtype.kind in "US" for v in a.ravel()]
    ints = {int(v) for v in scalars if isinstance(v, int) and not isinstance(v, bool)}
    ints |= {int(v) for a in arrays.values() if a.dtype.kind in "iu" for v in a.ravel().tolist()}
    ints |= {int(v) for a in arrays.values() if a.dtype == np.float64 for v in a.view(np.uint64).ravel().tolist()}
    return text, strings, ints


@pytest.mark.parametrize("table", sorted(_tables()))
def test_the_model_file_holds_no_real_key_nor_a_real_ending(table: str, tmp_path: Path) -> None:
    """Attack on the file: the shared format is learned as any column's was (its template and endings no real
    value of any key column has), so no real key, no unkeyed hash of one and no real key's ending is in it."""
    real = _tables()[table]
    model = synth.create("independent").fit(real, _schema(real))
    text, strings, ints = _archive(model, tmp_path / "m.synth")
    values = pd.unique(real.to_numpy().ravel()).astype(object)
    every = "\n".join([text, *strings])
    assert not [v for v in values if v in every], "a real key in the file"
    assert not set(pd.util.hash_array(values, categorize=False).tolist()) & ints, "a hash of a real key"
    for plan in model.generated_.plans:
        shaped = plan.detail.get("same_width")
        if isinstance(shaped, dict):
            tail = int(shaped["tail"])
            assert not {str(v)[-tail:] for v in values} & set(shaped["suffixes"]), "an ending a real key has"
    if table == "order_and_invoice":  # one format for both lanes, with room for both
        a, b = (p.detail["same_width"] for p in model.generated_.plans)
        assert a == b and len(a["suffixes"]) * 100 >= 2 * 10 * N


_SLOTS = {"9": "0123456789", "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


@st.composite
def _pair(draw: st.DrawFn) -> pd.DataFrame:
    """Two disjoint key columns of one layout: a literal prefix and 2-5 digit or letter slots, random or
    sequential values, of any density; the second sometimes repeated."""
    prefix = draw(st.text("ABCXYZ-#", max_size=3))
    slots = draw(st.lists(st.sampled_from("99A"), min_size=2, max_size=5))
    space = int(np.prod([len(_SLOTS[s]) for s in slots]))
    rows = draw(st.integers(5, min(400, space // 3)))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    if draw(st.booleans()):
        numbers = rng.choice(space, 2 * rows, replace=False)
    else:
        numbers = np.arange(2 * rows) + draw(st.integers(0, space - 2 * rows))

    def text(v: int) -> str:
        chars = []
        for s in reversed(slots):
            chars.append(_SLOTS[s][v % len(_SLOTS[s])])
            v //= len(_SLOTS[s])
        return prefix + "".join(reversed(chars))

    a, b = [text(int(v)) for v in numbers[:rows]], [text(int(v)) for v in numbers[rows:]]
    if draw(st.booleans()):
        b = list(rng.choice(b, rows))  # a repeated key
    return pd.DataFrame({"a": a, "b": b})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(real=_pair(), times=st.floats(0.01, 4.0), block=st.integers(1, 2_000), seed=st.integers(0, 2**16))
def test_any_disjoint_pair_of_one_template_gets_disjoint_unique_keys(
    real: pd.DataFrame, times: float, block: int, seed: int
) -> None:
    """For any pair of disjoint key columns of one template (random or sequential, sparse or dense, unique or
    repeated) and any table and block size: the generated columns share no key, a unique one repeats none, and
    none is real, sampled and streamed."""
    assume(usual_template(real["a"]) == usual_template(real["b"]))
    generated = GeneratedColumns.fit(real, _schema(real))
    n = max(1, round(times * len(real)))
    block = max(block, -(-n // 40))
    unique = tuple(name for name, p in zip("ab", generated.plans, strict=True) if "distinct" not in p.detail)
    _check(real, generated.sample(n, np.random.default_rng(seed)), unique)
    _check(real, _streamed(generated, n, block, seed), unique)
