"""Word patterns keep what detection promises: a pattern counts as kept only where its digits can be redrawn, the
literal "#" of "Ticket #4711" is kept and its digits redrawn, and "(other)" is drawn in the pooled values' layout.

Detection (:func:`synth.schema.text_templates.detect_templates`) and the fit
(:func:`synth.synthesizers.text_templates.pool_templates`) ask the same question of each pattern
(:func:`~synth.schema.text_templates.redrawable`, :func:`~synth.schema.text_templates.digit_format`). Each privacy
test attacks a promise: a "#" reference of one person, a real value's digits, a crafted model file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import Schema
from synth.schema.text_templates import (
    TEMPLATE_MIN_ROWS,
    _kept_templates,
    digit_format,
    redrawable,
    templates_of,
)
from synth.synthesizers import persist
from synth.synthesizers.rare_categories import RARE_LABEL
from synth.synthesizers.text_templates import TextTemplates, pool_templates

TEMPLATED = Schema.from_dict({"columns": [{"name": "purpose", "kind": "categorical", "templated": True}]})
#: One person's "#" reference, on 6 of their rows: held by enough rows, by one person.
LONE = "Akte #73519 Quandt"


def _city(seed: int = 0, n: int = 3_000) -> pd.DataFrame:
    """The messy walk table's city column (``tests/unit/test_audit.py``): "city 0" to "city 1499", two rows a city."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"city": [f"city {i}" for i in rng.integers(0, 1_500, n)], "x": rng.normal(size=n)})


def _tickets(seed: int = 0, n: int = 2_000) -> pd.DataFrame:
    """Half "Ticket #4711" (a "#" before four digits), "Rechnung 48213", "Miete Mai"; 400 customers, and one
    customer's six rows of :data:`LONE`."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["ticket", "invoice", "rent"], n, p=[0.5, 0.3, 0.2])
    purpose = np.where(
        kind == "ticket",
        [f"Ticket #{x}" for x in rng.integers(1000, 10000, n)],
        np.where(
            kind == "invoice",
            [f"Rechnung {x}" for x in rng.integers(10000, 100000, n)],
            rng.choice(["Miete Mai", "Miete Juni"], n),
        ),
    ).astype(object)
    who = np.array([f"C{x:05d}" for x in rng.integers(1, 400, n)], dtype=object)
    purpose[:6], who[:6] = LONE, "C00000"
    return pd.DataFrame({"customer": who, "channel": np.where(kind == "rent", "transfer", "web"), "purpose": purpose})


def _file_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return " ".join(zf.read(name).decode("latin-1") for name in zf.namelist())


def _kept_rows(frame: pd.DataFrame) -> int:
    """Rows the fit's pooling keeps in a pattern (k = the detection's row count, no person)."""
    pooled, _, _ = pool_templates(frame, TEMPLATED, TEMPLATE_MIN_ROWS)
    return int((pooled["purpose"] != RARE_LABEL).sum())


def test_a_column_whose_digits_cannot_be_redrawn_is_not_promised_as_patterns() -> None:
    city = _city()
    values = city["city"]
    # 59% of the rows are "city ###", and every one of its 2-digit endings is taken: the fit cannot redraw it.
    assert templates_of(values).eq("city ###").mean() > 0.55
    rows = values[templates_of(values) == "city ###"]
    assert digit_format(rows, "city ###") is None and not redrawable(rows, "city ###")
    # Detection counts what the fit keeps: 35% of rows, too few for patterns (it promised 94% and the fit pooled 65%).
    kept = _kept_templates(values, templates_of(values))
    assert kept.sum() == _kept_rows(city.rename(columns={"city": "purpose"}))
    assert 0.3 < kept.sum() / len(values) < 0.4 and "city ###" not in kept.index
    assert not synth.infer_schema(city)["city"].templated
    # With free endings (four digits, about 50 of the 1,000 3-digit endings unused) the same words are patterns,
    # and the fit keeps them.
    sparse = pd.DataFrame({"city": [f"city {i}" for i in np.random.default_rng(1).integers(1_000, 10_000, 3_000)]})
    spec = synth.infer_schema(sparse)["city"]
    assert spec.templated and "100% of values" in spec.reason


@st.composite
def pattern_columns(draw: st.DrawFn) -> pd.DataFrame:
    """A purpose column of one to four patterns: a word, a prefix ("", "#", "Nr."), three to five digits drawn
    sparse, dense (every ending of the shorter tails taken) or few, some with a "#" on only part of their rows."""
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    parts = []
    for word in draw(st.lists(st.sampled_from(["Ticket", "Akte", "Kunde", "Los"]), min_size=1, max_size=4)):
        width = draw(st.integers(3, 5))
        low = 10 ** (width - 1)
        style = draw(st.sampled_from(["sparse", "dense", "few"]))
        if style == "dense" and width <= 4:  # every (width - 1)-digit ending held
            numbers = low + np.arange(10 ** (width - 1))
        elif style == "few":
            numbers = rng.integers(low, 10 * low, draw(st.integers(1, 12)))
        else:
            numbers = rng.integers(low, 10 * low, draw(st.integers(5, 300)))
        prefix = draw(st.sampled_from(["", "#", "Nr."]))
        text = np.array([f"{word} {prefix}{x}" for x in numbers], dtype=object)
        if draw(st.booleans()):  # some rows written with a "#" and one digit fewer: the same pattern, mixed
            mixed = rng.random(len(text)) < 0.1
            text[mixed] = [f"{word} #{x // 10}" if not prefix else f"{word} {x}" for x in numbers[mixed]]
        parts.append(text)
    return pd.DataFrame({"purpose": np.concatenate(parts)})


@settings(max_examples=60, deadline=None)
@given(frame=pattern_columns())
def test_detection_and_the_fit_keep_the_same_rows(frame: pd.DataFrame) -> None:
    values = frame["purpose"].astype(str)
    templates = templates_of(values)
    for template, rows in values.groupby(templates).groups.items():
        real = values.loc[rows]
        assert redrawable(real, str(template)) == (digit_format(real, str(template)) is not None), template
    assert _kept_templates(values, templates).sum() == _kept_rows(frame)


def test_a_hash_reference_is_learned_and_redrawn_with_its_hash() -> None:
    table = _tickets()
    values = table["purpose"]
    spec = synth.infer_schema(table)["purpose"]
    assert spec.templated, spec
    _, (state,), pooled = pool_templates(table, Schema((spec,)), 5)
    # Before, "Ticket #####" (a "#" and four placeholders) could not be filled and half the rows were "(other)".
    # (Counted in rows here: only the lone customer's six are pooled, fewer than the 4k rows a whole pattern needs.)
    assert dict(pooled) == pytest.approx({"purpose": 6 / len(table)}) and "Ticket #####" in state.templates
    assert state.fills[state.templates.index("Ticket #####")]["literal"] == [7]
    real = set(values)
    real_digits = {(t, d) for t, d in zip(templates_of(values), values.str.replace(r"\D", "", regex=True), strict=True)}
    for name in ("independent", "cart", "pruned_cart"):
        model = synth.create(name, random_state=0).fit(table, person_column="customer")
        sample = model.sample(20_000, seed=1)["purpose"]
        tickets = sample[sample.str.startswith("Ticket")]
        assert len(tickets) > 8_000 and tickets.str.fullmatch(r"Ticket #\d{4}").all()
        assert not tickets.isin(real).any()
        drawn = set(zip(templates_of(tickets), tickets.str.replace(r"\D", "", regex=True), strict=True))
        assert not drawn & real_digits  # no real ticket number, whatever its row
        assert dict(model.bucketed_)["purpose"] == pytest.approx(6 / len(table))  # the lone customer's rows only


@pytest.mark.parametrize("name", ["independent", "cart", "pruned_cart", "gaussian_copula"])
def test_a_hash_reference_of_one_person_reaches_no_file_and_no_sample(name: str, tmp_path: Path) -> None:
    table = _tickets()
    model = synth.create(name, random_state=0).fit(table, person_column="customer")
    # Counted in rows its six rows would keep the pattern; counted in people, one holds it.
    assert "Akte #####" not in model.templates_[0].templates and "Akte #####" not in model.templates_[0].fills
    model.save(tmp_path / "m.synth")
    stored = _file_text(tmp_path / "m.synth")
    for word in ("Akte", "73519", "Quandt"):
        assert word not in stored, word
    sample = model.sample(20_000, seed=2)["purpose"]
    assert not sample.str.contains("Akte|73519|Quandt").any()


def test_other_is_drawn_in_the_pooled_values_layout_repeated_as_they_are() -> None:
    rng = np.random.default_rng(3)
    n = 3_000
    # 35 instalments ("Darlehen Rate 1" to "Rate 35") on four rows each, so held by fewer than k = 5 people: pooled.
    months = rng.choice(["Mai", "Juni", "Juli"], n - 140)
    common = [
        f"Rechnung {x}" if i % 2 else f"Miete {months[i]}" for i, x in enumerate(rng.integers(10**4, 10**5, n - 140))
    ]
    rare = [f"Darlehen Rate {k}" for k in np.repeat(np.arange(1, 36), 4)]
    table = pd.DataFrame(
        {
            "holder": [f"H{i:04d}" for i in rng.integers(0, 1_000, n)],
            "purpose": common + rare,
        }
    )
    model = synth.create("independent", random_state=0).fit(table, person_column="holder")
    assert dict(model.bucketed_)["purpose"] == pytest.approx(140 / n)
    sample = model.sample(6_000, seed=4)["purpose"]
    other = sample[~sample.str.startswith(("Rechnung", "Miete"))]
    # Drawn unique, the 307 rows' values did not fit "Darlehen Rate 999" (room for a quarter of its 900 kept):
    # every one was widened to "Darlehen Rate 636-9". (Past about ten times the table's rows they still are.)
    assert len(other) > 250 and other.str.fullmatch(r"Darlehen Rate \d{3}").all()
    assert not other.isin(set(table["purpose"])).any()
    assert other.nunique() < 0.6 * len(other)  # repeated, as the pooled instalments are (35 values on 140 rows)


def test_crafted_literal_places_and_repeat_counts_are_refused(tmp_path: Path) -> None:
    table = _tickets()
    model = synth.create("independent", random_state=0).fit(table, person_column="customer")
    model.save(tmp_path / "ok.synth")
    synth.load_model(tmp_path / "ok.synth")  # the honest file loads
    state = model.templates_[0]
    i = state.templates.index("Ticket #####")
    fill = state.fills[i]

    def with_fill(changed: dict[str, object]) -> TextTemplates:
        return TextTemplates(
            state.name, state.templates, (*state.fills[:i], changed, *state.fills[i + 1 :]), state.other
        )

    assert state.other is not None
    plan = state.other
    attacks = [
        with_fill({**fill, "literal": [3]}),  # a place that is a letter of "Ticket"
        with_fill({**fill, "literal": [7, 8]}),  # two literal places: three left, where the digits are four
        with_fill({**fill, "literal": ["7"]}),  # not a place
        with_fill({**fill, "literal": []}),  # an empty list the fit never writes
        with_fill({key: v for key, v in fill.items() if key != "literal"}),  # five digits in four places' format
        TextTemplates(
            state.name,
            state.templates,
            state.fills,
            type(plan)(plan.name, plan.kind, plan.missing_rate, {**plan.detail, "distinct": 9, "rows": 3}),
        ),  # more distinct values than rows
    ]
    assert_each_refused(model, state, attacks, tmp_path)


def assert_each_refused(model: Any, state: TextTemplates, attacks: list[TextTemplates], tmp_path: Path) -> None:
    """Each crafted word-pattern state, saved in ``model``'s file in place of ``state``, is refused on load."""
    for attack in attacks:
        model.templates_ = (attack,)
        try:
            model.save(tmp_path / "crafted.synth")
        finally:
            model.templates_ = (state,)
        with pytest.raises(persist.ModelFileError):
            synth.load_model(tmp_path / "crafted.synth")
