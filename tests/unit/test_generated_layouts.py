"""Phone numbers and postcodes keep their mix of layouts (every synthetic number was ``+44…`` with twelve digits
where the real column held a dozen layouts, every postcode ``AA9 9AA`` of six), and still none is real: not a value
of any layout, not a value in the model file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from faker import Faker
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.generated import GeneratedColumns
from synth.generated_formats import _parse_template, _shape
from synth.generated_layouts import MAX_LAYOUTS, MIN_LAYOUT_ROWS, fill_layouts, layout_formats
from synth.generated_shapes import same_width_format
from tests.unit.crafting import each_state, edit_state
from tests.unit.test_model_files import _archive, _strings

#: UK postcode layouts (outward code, space, inward code), the six the Royal Mail uses.
POSTCODE_LAYOUTS = ("A9 9AA", "A99 9AA", "AA9 9AA", "AA99 9AA", "A9A 9AA", "AA9A 9AA")
#: A layout planted on a few rows only: too rare to be kept.
RARE_LAYOUT = "PH-9999-99"


def _fill(layout: str, rng: np.random.Generator) -> str:
    return "".join(
        chr(rng.integers(65, 91)) if c == "A" else str(rng.integers(0, 10)) if c == "9" else c for c in layout
    )


def _table(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    """Patients with Faker's UK phone numbers (a dozen layouts), UK postcodes of six layouts, and a phone layout
    only 8 rows hold."""
    fk = Faker("en_GB")
    fk.seed_instance(seed)
    rng = np.random.default_rng(seed)
    phones = [fk.phone_number() for _ in range(n)]
    for i in rng.choice(n, 8, replace=False):
        phones[i] = _fill(RARE_LAYOUT.replace("PH", "QZ"), rng).replace("QZ", "PH")
    postcodes = [_fill(POSTCODE_LAYOUTS[k], rng) for k in rng.choice(len(POSTCODE_LAYOUTS), n)]
    return pd.DataFrame(
        {"phone": phones, "postcode": postcodes, "age": rng.integers(18, 90, n), "ward": rng.choice(list("abc"), n)}
    )


@pytest.fixture(scope="module")
def fitted() -> tuple[pd.DataFrame, synth.Synthesizer]:
    real = _table()
    schema = synth.infer_schema(real)
    assert schema["phone"].pii_type == "phone" and schema["postcode"].pii_type == "postcode"
    return real, synth.create("independent").fit(real, schema)


def _shares(values: pd.Series) -> pd.Series:
    return values.dropna().astype(str).map(_shape).value_counts(normalize=True)


@pytest.mark.parametrize("column", ["phone", "postcode"])
def test_every_common_layout_comes_with_its_share(fitted: tuple[pd.DataFrame, synth.Synthesizer], column: str) -> None:
    real, model = fitted
    syn = model.sample(20_000, seed=1)
    real_shares, syn_shares = _shares(real[column]), _shares(syn[column])
    common = real_shares[real_shares >= 0.03]
    assert len(common) >= 6, "the table holds several common layouts"
    # The kept layouts are drawn by their share among the kept ones: the real share over the common layouts' total,
    # give or take the rarer layouts' rows shared out among them and the 1% rounding.
    expected = common / real_shares[real_shares >= 0.02].sum()
    for shape, share in expected.items():
        assert syn_shares.get(shape, 0.0) == pytest.approx(share, abs=0.03), shape
    assert syn_shares.iloc[0] < 0.35, "no layout takes the rows of the others"


def test_a_layout_too_few_rows_hold_is_not_kept(fitted: tuple[pd.DataFrame, synth.Synthesizer]) -> None:
    real, model = fitted
    rare = _shape(RARE_LAYOUT.replace("PH", "ZZ"))
    assert (real["phone"].map(_shape) == rare).sum() < MIN_LAYOUT_ROWS
    syn = model.sample(20_000, seed=2)
    assert not (syn["phone"].map(_shape) == rare).any()
    assert not syn["phone"].str.startswith("PH").any()


@pytest.mark.parametrize("column", ["phone", "postcode"])
def test_no_generated_value_is_real_in_any_layout(fitted: tuple[pd.DataFrame, synth.Synthesizer], column: str) -> None:
    real, model = fitted
    syn = model.sample(50_000, seed=3)[column]
    assert not set(syn) & set(real[column])
    # The guarantee, not luck: each value ends in an ending no real value of its width has, in every layout.
    plan = next(p for p in model.generated_.plans if p.name == column)
    formats = [plan.detail["same_width"], *(f for _, f in plan.detail["layouts"][1:])]
    assert len(formats) >= 6
    real_text = real[column].astype(str)
    for fmt in formats:
        width, tail = len(_parse_template(fmt["template"])), int(fmt["tail"])
        mine = syn[(syn.str.len() == width) & syn.str[-tail:].isin(fmt["suffixes"])]
        assert len(mine), fmt["template"]
        taken = set(real_text[real_text.str.len() == width].str[-tail:])
        assert not set(mine.str[-tail:]) & taken, fmt["template"]


def test_the_model_file_holds_no_real_value_of_any_layout(
    fitted: tuple[pd.DataFrame, synth.Synthesizer], tmp_path: Path
) -> None:
    real, model = fitted
    text, manifest, arrays = _archive(model, tmp_path / "m.synth")
    strings = _strings(text, manifest, arrays)
    assert "layouts" in text
    for column in ("phone", "postcode"):
        found = [v for v in real[column].astype(str).unique() if v in strings]
        assert not found, f"{column}: real values in the file, e.g. {found[:3]}"


def test_a_layout_of_few_distinct_values_is_not_kept() -> None:
    """A layout's literal characters are learned from several distinct values: 40 rows of one person's number in
    a layout of its own do not make a layout (its digits would be the template)."""
    rng = np.random.default_rng(4)
    usual = pd.Series([_fill("+49 999 9999999", rng) for _ in range(600)])
    one = pd.Series(["(0171) 555 0199"] * 40)
    present = pd.concat([usual, one], ignore_index=True)
    shaped = same_width_format(present)
    assert shaped is not None
    assert layout_formats(present, None, lambda own, s: s) == (shaped, [])


@pytest.mark.parametrize(
    "layouts",
    [
        "nonsense",
        [[0.5]],
        [[0.5], [0.5, {"template": "99-99", "tail": 3, "suffixes": ["12"]}]],  # endings shorter than the tail
        [[0.5], [0.5, {"template": "99-99", "tail": True, "suffixes": ["1"]}]],
        [[0.5], [float("nan"), {"template": "99-99", "tail": 1, "suffixes": ["1"]}]],
        [[0.5], [-1.0, {"template": "99-99", "tail": 1, "suffixes": ["1"]}]],
        [["half"], [0.5, {"template": "99-99", "tail": 1, "suffixes": ["1"]}]],
        [[0.5], [0.5, {"template": 99, "tail": 1, "suffixes": ["1"]}]],
        [[0.5], [0.5, {"template": "99-99", "tail": 1, "suffixes": []}]],
        [[0.5], [0.5, {"template": "-", "tail": 1, "suffixes": ["1"]}]],  # no slot for the ending
    ],
)
def test_crafted_layouts_leave_the_usual_layout(layouts: Any) -> None:
    usual = {"template": "AA9 9AA", "tail": 2, "suffixes": ["QQ"]}
    out = fill_layouts(usual, layouts, 200, np.random.default_rng(0))
    assert len(out) == 200 and all(_shape(v) == "AA9 9AA" and v.endswith("QQ") for v in out)


def test_a_crafted_model_file_with_broken_layouts_samples_in_the_usual_layout(
    fitted: tuple[pd.DataFrame, synth.Synthesizer], tmp_path: Path
) -> None:
    _, model = fitted
    model.save(tmp_path / "m.synth")

    def alter(state: dict[str, Any], manifest: dict[str, Any]) -> None:
        def broken(plan: dict[str, Any]) -> None:
            # A saved dict is {"$": "dict", "v": [[key, value], ...]}: a layout of one slot with 5-character endings.
            bad = {"$": "dict", "v": [["template", "9"], ["tail", 5], ["suffixes", ["12345"]]]}
            for pair in plan["detail"]["v"]:
                if pair[0] == "layouts":
                    pair[1] = [[0.5], [0.5, bad]]

        each_state(manifest, "_Plan", broken)

    edit_state(tmp_path / "m.synth", tmp_path / "bad.synth", alter)
    loaded = synth.load_model(tmp_path / "bad.synth")
    postcodes = loaded.sample(500, seed=0)["postcode"].map(_shape)
    usual = next(p for p in loaded.generated_.plans if p.name == "postcode").detail["same_width"]["template"]
    assert postcodes.nunique() == 1 and len(postcodes.iloc[0]) == len(_parse_template(usual))


_LAYOUTS = st.lists(
    st.sampled_from(["99 99 99", "(999) 999", "+9 99999", "999-9999", "AA9 9AA"]), min_size=1, max_size=4
)


@settings(max_examples=25, deadline=None)
@given(layouts=_LAYOUTS, n=st.integers(20, 400), seed=st.integers(0, 2**16))
def test_no_generated_value_is_real_for_any_mix_of_layouts(layouts: list[str], n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    real = pd.DataFrame({"phone": [_fill(layouts[k], rng) for k in rng.integers(0, len(layouts), n)]})
    schema = synth.Schema((synth.ColumnSpec("phone", synth.ColumnKind.PII, pii_type="postcode"),))
    generated = GeneratedColumns.fit(real, schema)
    plan = generated.plans[0]
    assert len(plan.detail.get("layouts", [])) <= MAX_LAYOUTS
    syn = generated.sample(3 * n, np.random.default_rng(seed + 1))["phone"]
    assert not set(syn) & set(real["phone"])


def test_the_data_page_says_what_is_kept() -> None:
    from synth.generated import REGENERATION_SUMMARY
    from synth.generated_layouts import MIN_LAYOUT_SHARE

    assert (MIN_LAYOUT_SHARE, MIN_LAYOUT_ROWS) == (0.02, 20)
    assert "layouts of 2% and 20 rows or more" in REGENERATION_SUMMARY


def test_each_place_keeps_the_characters_real_values_use_there(fitted: tuple[pd.DataFrame, synth.Synthesizer]) -> None:
    """UK postcodes' inward letters avoid C, I, K, M, O and V; drawn from every letter (and the unused last letters
    as endings: exactly those six), synthetic postcodes read "PH1 6II" (session 25's walk)."""
    real, model = fitted
    syn = model.sample(20_000, seed=4)
    for column in ("postcode", "phone"):
        r, s = real[column].astype(str), syn[column].astype(str)
        for shape in _shares(r).index[:4]:
            mine, theirs = s[s.map(_shape) == shape], r[r.map(_shape) == shape]
            assert len(mine) and len(theirs)
            for position in range(len(shape)):
                extra = set(mine.str[position]) - set(theirs.str[position])
                assert not extra, (column, shape, position, sorted(extra))


def test_a_character_few_values_hold_at_a_place_is_never_drawn_there() -> None:
    from synth.generated_layouts import MIN_CHAR_VALUES, used_chars

    rng = np.random.default_rng(6)
    values = [f"{'ABCDE'[k]}{rng.integers(100, 1000)}" for k in rng.integers(0, 5, 400)]
    values += [f"Z{rng.integers(100, 1000)}" for _ in range(MIN_CHAR_VALUES - 1)]  # one place's rare letter
    assert used_chars("A999", values)[0] == "ABCDE"
    real = pd.DataFrame({"code": values})
    schema = synth.Schema((synth.ColumnSpec("code", synth.ColumnKind.PII, pii_type="postcode"),))
    syn = GeneratedColumns.fit(real, schema).sample(5_000, np.random.default_rng(7))["code"]
    assert set(syn.str[0]) == set("ABCDE")
    assert not set(syn) & set(values)


@pytest.mark.parametrize(
    "slot_chars",
    ["AB", [[0]], [["0", "AB"]], [[True, "AB"]], [[9, "AB"]], [[3, "AB"]], [[0, ""]], [[0, "a"]], [[4, "AB"]]],
)
def test_crafted_slot_characters_leave_every_character(slot_chars: Any) -> None:
    from synth.generated_shapes import fill_same_width

    fmt = {"template": "AA9 9AA", "tail": 2, "suffixes": ["QQ"], "slot_chars": slot_chars}
    out = pd.Series(fill_same_width(fmt, 3_000, np.random.default_rng(0)))
    assert out.str.endswith("QQ").all() and len(set(out.str[0])) > 20


def test_each_layout_is_searched_once_the_usual_one_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fit searches every layout's same-width endings once, the usual layout's included: it was searched by the
    caller with any character and then again with the characters its values use, each search a pass over the
    column. The one search is the one with used characters, stored like every other layout's."""
    import synth.generated as generated
    import synth.generated_layouts as layouts
    from synth.generated_shapes import usual_template

    searched: list[str] = []

    def counting(present: pd.Series, others: Any = None, base: Any = None, **kw: Any) -> Any:
        searched.append(base if base is not None else str(usual_template(present.dropna().astype(str))))
        return same_width_format(present, others, base, **kw)

    monkeypatch.setattr(generated, "same_width_format", counting)
    monkeypatch.setattr(layouts, "same_width_format", counting)
    rng = np.random.default_rng(8)
    # Postcodes of six layouts whose last letter is one of A, B, D (every other letter unused there).
    layout = rng.choice(len(POSTCODE_LAYOUTS), 1200)
    real = pd.DataFrame({"postcode": [_fill(POSTCODE_LAYOUTS[k], rng)[:-1] + rng.choice(list("ABD")) for k in layout]})
    schema = synth.Schema((synth.ColumnSpec("postcode", synth.ColumnKind.PII, pii_type="postcode"),))
    plan = GeneratedColumns.fit(real, schema).plans[0]
    formats = [plan.detail["same_width"], *(f for _, f in plan.detail["layouts"][1:])]
    assert len(formats) == len(POSTCODE_LAYOUTS)
    assert sorted(searched) == sorted(f["template"] for f in formats)  # each layout once, none twice
    for fmt in formats:  # every layout's search was the one with used characters, the usual one's too
        assert {s[-1] for s in fmt["suffixes"]} <= set("ABD"), fmt["template"]
