"""Short free text learned as its templates: a ledger's purposes keep their words, never a real person's text.

A bank ledger's ``purpose`` ("Miete Mai", "Rechnung 4711", "Lebensmittel 8312") read as an identifier and came out
as gibberish. Read as templates ("Rechnung #####"), its common patterns are learned like a category and its digits
redrawn (``synth/schema/text_templates.py``, ``synth/synthesizers/text_templates.py``). Each test attacks a
promise: a planted unique text, a template of fewer than k people, a real value's digits, a crafted model file.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.schema import ColumnKind, Schema, coerce_to_schema, kind_choices, kind_label
from synth.schema.text_templates import is_template, templates_of
from synth.synthesizers import get, persist
from synth.synthesizers.rare_categories import RARE_LABEL
from synth.synthesizers.text_templates import TextTemplates, pool_templates

NON_DP = [n for n in synth.available() if get(n).guarantee is None]
PLANTED = "Zahlung an Dr. Xaver Quandt 99812"
#: One person's template, on 6 of their rows: common in rows, rare in people.
LONE = "Spende Tierheim Wuffel 4242"
MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober"]
CARD = ["Lebensmittel", "Restaurant", "Tankstelle", "Drogerie", "Apotheke"]


def _ledger(n_holders: int = 200, seed: int = 0) -> pd.DataFrame:
    """A seeded ledger: holders with 4 to 16 bookings; card purposes "<shop> ####", transfers "Miete <month>",
    "Rechnung #####" or "Gehalt <month>"; holder 3 carries the planted text once and holder 5 the lone template
    on six rows."""
    rng = np.random.default_rng(seed)
    counts = rng.integers(4, 17, n_holders)
    counts[5] = 8
    holder = np.repeat(np.arange(n_holders), counts)
    n = len(holder)
    channel = rng.choice(["card", "transfer"], n, p=[0.6, 0.4])
    purpose = np.empty(n, dtype=object)
    card = channel == "card"
    shops, numbers = rng.choice(CARD, card.sum()), rng.integers(1000, 10000, card.sum())
    purpose[card] = [f"{s} {d}" for s, d in zip(shops, numbers, strict=True)]
    kinds = rng.choice(["miete", "rechnung", "gehalt"], (~card).sum())
    purpose[~card] = [
        f"Miete {rng.choice(MONTHS)}"
        if k == "miete"
        else (f"Rechnung {rng.integers(10000, 100000)}" if k == "rechnung" else f"Gehalt {rng.choice(MONTHS)}")
        for k in kinds
    ]
    planted = np.flatnonzero(holder == 3)[0]
    purpose[planted], channel[planted] = PLANTED, "transfer"
    lone = np.flatnonzero(holder == 5)[:6]
    purpose[lone], channel[lone] = LONE, "transfer"
    amount = np.where(card, -rng.gamma(2.0, 20.0, n), rng.normal(-300.0, 200.0, n)).round(2)
    return pd.DataFrame(
        {
            "holder_id": [f"K{100000 + 37 * h}" for h in holder],
            "channel": channel,
            "amount": amount,
            "purpose": purpose,
        }
    )


@pytest.fixture(scope="module")
def ledger() -> pd.DataFrame:
    return _ledger()


@pytest.fixture(scope="module")
def schema(ledger: pd.DataFrame) -> Schema:
    return synth.infer_schema(ledger)


def _file_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return " ".join(zf.read(name).decode("latin-1") for name in zf.namelist())


def _digits(values: pd.Series) -> pd.Series:
    return values.astype(str).str.replace(r"[^0-9]", "", regex=True)


def test_a_purpose_column_is_found_as_templated_short_text(ledger: pd.DataFrame, schema: Schema) -> None:
    spec = schema["purpose"]
    assert spec.kind is ColumnKind.CATEGORICAL and spec.templated, spec
    assert "word patterns" in spec.reason and PLANTED not in spec.reason
    # Without templates the column is mostly single values: before, it was an identifier.
    assert ledger["purpose"].nunique() > 0.5 * len(ledger)
    assert schema["holder_id"].kind is ColumnKind.IDENTIFIER and not schema["holder_id"].templated
    assert not schema["channel"].templated


def test_keys_names_and_plain_categories_are_not_templated() -> None:
    rng = np.random.default_rng(1)
    frame = pd.DataFrame(
        {
            "order": [f"ORD-{100000 + i}" for i in range(600)],  # one layout, no words: a key
            "iban": [
                f"DE{rng.integers(10, 99)} {rng.integers(1000, 9999)} {rng.integers(1000, 9999)}" for _ in range(600)
            ],
            "product": rng.choice(["iPhone 128GB", "iPhone 256GB", "Pixel 128GB"], 600),  # numbers are the name
            "who": rng.choice(["Anna Schmidt", "Lukas Meyer", "Marie Weber", "Jonas Becker"], 600),
        }
    )
    schema = synth.infer_schema(frame)
    assert not any(spec.templated for spec in schema), [(s.name, s.kind, s.reason) for s in schema]


def test_templates_replace_long_digit_runs_only_and_read_again_to_themselves() -> None:
    values = pd.Series(["Rechnung 4711", "Rate 7 von 36", "Ticket #12345", None, "Miete Mai 2024"])
    templates = templates_of(values)
    assert templates.tolist()[:3] == ["Rechnung ####", "Rate 7 von 36", "Ticket ######"]
    assert templates.isna().tolist() == [False, False, False, True, False]
    assert templates_of(templates).equals(templates)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(st.characters(codec="utf-8"), max_size=30), min_size=1, max_size=20))
def test_every_template_holds_no_real_number_and_keeps_its_length(texts: list[str]) -> None:
    values = pd.Series(texts, dtype=object)
    templates = templates_of(values)
    assert (templates.str.len() == values.str.len()).all()
    assert not templates.str.contains(r"[0-9]{3,}").any()
    assert templates_of(templates).equals(templates)


@pytest.mark.parametrize("name", NON_DP)
def test_a_planted_unique_text_reaches_no_model_file_and_no_sample(
    name: str, ledger: pd.DataFrame, schema: Schema, tmp_path: Path
) -> None:
    model = synth.create(name, random_state=0).fit(ledger, schema)
    model.save(tmp_path / "m.synth")
    stored = _file_text(tmp_path / "m.synth")
    for word in ("Quandt", "Xaver", "99812", "Tierheim", "Wuffel"):
        assert word not in stored, word
    sample = model.sample(20_000, seed=3)
    assert not sample["purpose"].str.contains("Quandt|Xaver|99812|Tierheim|Wuffel").any()
    # The common words are kept: every card shop and "Rechnung", where the old identifier kept none.
    words = {w for v in sample["purpose"].dropna() for w in v.split()}
    assert {*CARD, "Rechnung", "Miete", "Gehalt"} <= words


def test_a_template_held_by_fewer_than_k_people_never_appears(ledger: pd.DataFrame, schema: Schema) -> None:
    # Kept when every value is (k = 1); at k = 5 the lone holder's six rows are one person, and a pattern is kept
    # whole only when 4k people hold it (synth.synthesizers.template_frames), 20 rows without people.
    _, states, kept_all = pool_templates(ledger, schema, 1, None)
    assert "Spende Tierheim Wuffel ####" in states[0].templates and not kept_all
    _, states, pooled = pool_templates(ledger, schema, 5, None)
    assert "Spende Tierheim Wuffel ####" not in states[0].templates
    model = synth.create("cart", random_state=0).fit(ledger, schema)
    assert "Spende Tierheim Wuffel ####" not in model.templates_[0].templates
    assert templates_of(model.sample(20_000, seed=4)["purpose"]).str.startswith("Spende").sum() == 0
    assert dict(model.bucketed_)["purpose"] == pytest.approx(7 / len(ledger))  # the lone six and the planted one
    assert dict(pooled)["purpose"] == pytest.approx(7 / len(ledger))


@pytest.mark.parametrize("name", NON_DP)
def test_digits_never_reproduce_a_real_value(name: str, ledger: pd.DataFrame, schema: Schema) -> None:
    model = synth.create(name, random_state=0).fit(ledger, schema)
    sample = model.sample(30_000, seed=5)["purpose"]
    filled = sample[templates_of(sample).str.contains("###", regex=False)]
    assert len(filled) > 10_000
    assert not filled.isin(set(ledger["purpose"])).any()
    # Nor any real digits of the same template (a whole shop's numbers are avoided, not just the exact value).
    real = set(zip(templates_of(ledger["purpose"]), _digits(ledger["purpose"]), strict=True))
    drawn = set(zip(templates_of(filled), _digits(filled), strict=True))
    assert not real & drawn
    # The only real values drawn are word categories without a number ("Miete Mai"), held by many.
    copied = sample[sample.isin(set(ledger["purpose"]))]
    assert len(copied) and templates_of(copied).eq(copied).all()


def test_template_shares_match_train_and_follow_the_channel(ledger: pd.DataFrame, schema: Schema) -> None:
    model = synth.create("cart", random_state=0).fit(ledger, schema)
    sample = model.sample(40_000, seed=6)
    real = templates_of(ledger["purpose"]).value_counts(normalize=True)
    drawn = templates_of(sample["purpose"]).value_counts(normalize=True)
    common = real[real > 0.03].index
    assert len(common) >= 5
    assert np.abs(drawn.reindex(common).fillna(0) - real[common]).max() < 0.02
    # A shop's template is a card payment, "Rechnung #####" a transfer: as in the real rows.
    by_channel = pd.crosstab(templates_of(sample["purpose"]), sample["channel"], normalize="index")
    assert by_channel.loc["Lebensmittel ####", "card"] > 0.95
    assert by_channel.loc["Rechnung #####", "transfer"] > 0.95
    # And conditioning on the channel keeps that.
    transfers = model.sample(5_000, seed=7, conditions={"channel": "transfer"})["purpose"]
    assert not templates_of(transfers).isin([f"{s} ####" for s in CARD]).mean() > 0.05


def test_the_dp_network_regenerates_it_as_an_identifier(ledger: pd.DataFrame, schema: Schema) -> None:
    model = synth.create("privbayes", random_state=0, epsilon=5.0).fit(ledger, schema)
    assert model.schema_["purpose"].kind is ColumnKind.IDENTIFIER
    assert model.templates_ == ()
    assert not model.sample(2_000, seed=1)["purpose"].isin(set(ledger["purpose"])).any()


def test_a_schema_file_from_before_loads_and_the_flag_round_trips(schema: Schema) -> None:
    old = {
        "columns": [
            {"name": "purpose", "kind": "identifier", "reason": "66% of values occur only once", "dtype": "object"},
            {"name": "channel", "kind": "categorical", "dtype": "object", "number_format": None, "decimals": None},
        ]
    }
    loaded = Schema.from_json(json.dumps(old))
    assert not loaded["channel"].templated and loaded["purpose"].kind is ColumnKind.IDENTIFIER
    assert Schema.from_json(schema.to_json()) == schema
    assert json.loads(schema.to_json())["columns"][3]["templated"] is True
    with pytest.raises(ValueError, match="only a categorical column"):
        Schema.from_dict({"columns": [{"name": "x", "kind": "text", "templated": True}]})
    with pytest.raises(ValueError, match="only a categorical column"):
        Schema.from_dict({"columns": [{"name": "x", "kind": "categorical", "templated": "yes"}]})


def test_the_kind_selector_carries_the_flag(schema: Schema) -> None:
    choices = kind_choices()
    label = kind_label(schema["purpose"])
    assert choices[label] == {"kind": ColumnKind.CATEGORICAL, "templated": True}
    plain = schema.with_column("purpose", **choices[kind_label(schema["channel"])])
    assert plain["purpose"].kind is ColumnKind.CATEGORICAL and not plain["purpose"].templated
    identifier = schema.with_column("purpose", kind=ColumnKind.IDENTIFIER)
    assert not identifier["purpose"].templated  # the flag goes with the kind


def test_evaluation_reads_the_column_as_its_templates(ledger: pd.DataFrame, schema: Schema) -> None:
    coerced = coerce_to_schema(ledger, schema)
    assert coerced["purpose"].nunique() < 0.05 * ledger["purpose"].nunique()


def _crafted(tmp_path: Path, model: synth.Synthesizer, change: object) -> Path:
    """``model`` saved with its templates_ replaced by ``change(state)``."""
    state = model.templates_[0]
    model.templates_ = (change(state),)  # type: ignore[operator]
    try:
        model.save(tmp_path / "crafted.synth")
    finally:
        model.templates_ = (state,)
    return tmp_path / "crafted.synth"


def test_a_crafted_model_file_with_a_non_template_is_refused(
    ledger: pd.DataFrame, schema: Schema, tmp_path: Path
) -> None:
    model = synth.create("independent", random_state=0).fit(ledger, schema)
    model.save(tmp_path / "ok.synth")
    synth.load_model(tmp_path / "ok.synth")  # the honest file loads
    state = model.templates_[0]
    i = state.templates.index("Rechnung #####")
    real = ledger["purpose"][ledger["purpose"].str.startswith("Rechnung")].iloc[0]

    def with_template(text: str) -> TextTemplates:
        templates = (*state.templates[:i], text, *state.templates[i + 1 :])
        return TextTemplates(state.name, templates, state.fills, state.other)

    def with_fill(fill: dict[str, object]) -> TextTemplates:
        return TextTemplates(state.name, state.templates, (*state.fills[:i], fill, *state.fills[i + 1 :]), state.other)

    letters = {**state.fills[i], "suffixes": ["ab"] * 1}
    attacks = [
        with_template(real),  # a real value's digits stored as a template
        with_template("Rechnung\n#####"),  # not printable text
        with_fill(letters),  # endings of letters
        with_fill({**state.fills[i], "slot_chars": [[0, "1"]]}),  # a key the fit never writes
        TextTemplates("channel", state.templates, state.fills, state.other),  # not a templated column
    ]
    for attack in attacks:
        path = _crafted(tmp_path, model, lambda s, a=attack: a)
        with pytest.raises(persist.ModelFileError):
            synth.load_model(path)
    assert is_template("Rechnung #####") and not is_template(real)


def test_a_stray_placeholder_is_drawn_as_other_never_written() -> None:
    frame = pd.DataFrame({"purpose": ["Rechnung #####", "Unbekannt #####", RARE_LABEL, None, "Miete Mai"]})
    spec_schema = Schema.from_dict({"columns": [{"name": "purpose", "kind": "categorical", "templated": True}]})
    source = pd.DataFrame({"purpose": [f"Rechnung {10000 + 7 * i}" for i in range(40)] + ["Zahlung an X 12345"]})
    _, states, _ = pool_templates(source, spec_schema, 5)
    from synth.synthesizers.text_templates import fill_templates

    out = fill_templates(frame, states, np.random.default_rng(0))["purpose"]
    assert out[0].startswith("Rechnung ") and out[0][9:].isdigit() and out[0] not in set(source["purpose"])
    assert "#" not in str(out[1]) and "#" not in str(out[2]) and out[1] not in set(source["purpose"])
    assert out[3] is None and out[4] == "Miete Mai"
