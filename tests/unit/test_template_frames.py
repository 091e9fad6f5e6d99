"""A rarer word pattern is drawn from parts many people hold, so a member's own holding no longer emits it.

A pattern was kept once k people held it, the member's own holding counted: on a ledger whose patterns sit around
k people ("Lastschrift Strom Mai", "Überweisung an Lea"), synthetic rows held a member's patterns more often than a
non-member's (``synth/synthesizers/template_frames.py``). The first test is that attack; the others pin what the
frames keep (nothing fewer than k people hold), that conditions on a pattern drawn from its frame still work, and
that a crafted file's frames are refused.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
from synth.schema.text_templates import templates_of
from synth.synthesizers import persist, template_frames
from synth.synthesizers.template_frames import SLOT
from synth.synthesizers.text_templates import check_templates

MONTHS = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober"]
MONTHS += ["November", "Dezember"]
NAMES = ["Mia", "Finn", "Lena", "Noah", "Sarah", "Elias", "Clara", "David", "Anna", "Lukas", "Marie", "Jonas"]
NAMES += ["Sophie", "Felix", "Laura", "Paul", "Lea", "Tim", "Julia", "Max", "Hannah", "Leon", "Emma", "Ben"]
SHOPS = ["Lebensmittel", "Restaurant", "Tankstelle", "Drogerie"]
DEBITS = ["Strom", "Telefon", "Versicherung", "Fitness"]


def _ledger(seed: int, holders: int = 300) -> pd.DataFrame:
    """Holders with 4–15 bookings: card payments "<shop> ####" (common), salaries and rents by month, and the
    long tail: direct debits "Lastschrift <what> <month>" (48 patterns of some 3 people each) and transfers
    "Überweisung an <name>" (24 names of some 8 people each)."""
    rng = np.random.default_rng(seed)
    holder = np.repeat(np.arange(holders), rng.integers(4, 16, holders))
    n = len(holder)
    kind = rng.choice(["card", "rent", "debit", "transfer", "salary"], n, p=[0.45, 0.08, 0.12, 0.15, 0.2])
    month, name = rng.choice(MONTHS, n), rng.choice(NAMES, n)
    shop, debit, number = rng.choice(SHOPS, n), rng.choice(DEBITS, n), rng.integers(1000, 9999, n)
    written = {
        "card": [f"{s} {d}" for s, d in zip(shop, number, strict=True)],
        "rent": [f"Miete {m}" for m in month],
        "debit": [f"Lastschrift {d} {m}" for d, m in zip(debit, month, strict=True)],
        "transfer": [f"Überweisung an {x}" for x in name],
        "salary": [f"Gehalt {m}" for m in month],
    }
    purpose = [written[k][i] for i, k in enumerate(kind)]
    channel = np.where(kind == "card", "card", np.where(kind == "debit", "debit", "transfer"))
    return pd.DataFrame({"holder": [f"H{h:04d}" for h in holder], "channel": channel, "purpose": purpose})


def _member_gap(seed: int) -> float:
    """Share of members' rows whose pattern the synthetic table holds, minus non-members' (people split 75/25)."""
    table = _ledger(seed)
    schema = synth.infer_schema(table)
    assert schema["purpose"].templated
    train, holdout = synth.split(table, 0.25, seed=seed, by="holder")
    model = synth.create("independent", random_state=seed).fit(train, schema, person_column="holder")
    held = set(templates_of(model.sample(len(train), seed=seed)["purpose"]))
    return float(templates_of(train["purpose"]).isin(held).mean() - templates_of(holdout["purpose"]).isin(held).mean())


def test_members_patterns_are_drawn_no_more_often_than_non_members(monkeypatch: pytest.MonkeyPatch) -> None:
    seeds = range(12)
    # Emitted by their own count (whole at k, as before): a member's pattern is drawn more often on every seed.
    monkeypatch.setattr(template_frames, "WHOLE_FACTOR", 1)
    before = [_member_gap(s) for s in seeds]
    assert min(before) > 0.005 and np.mean(before) > 0.015, before
    monkeypatch.undo()
    after = [_member_gap(s) for s in seeds]
    assert abs(float(np.mean(after))) < 0.0075, after


def test_frames_keep_only_parts_many_people_hold() -> None:
    table = _ledger(0)
    schema = synth.infer_schema(table)
    model = synth.create("pruned_cart", random_state=0).fit(table, schema, person_column="holder")
    state = model.templates_[0]
    k = model.get_params()["min_category_rows"]
    labels = {label for label, _, _ in state.frames}
    assert {f"Lastschrift {d} {SLOT}" for d in DEBITS} <= labels  # the debits are drawn from their frames
    assert not any("Überweisung" in label for label in labels)  # names are held by too few: no frame of names
    people = table.groupby("purpose")["holder"].nunique()
    words = table["purpose"].str.split(" ").explode()
    by_word = table.loc[words.index, "holder"].groupby(words.to_numpy()).nunique()
    for label, slot_words, counts in state.frames:
        assert set(slot_words) <= set(MONTHS), label  # a frame's slot holds the words of its place: months
        assert all(by_word[w] >= k for w in slot_words) and min(counts) >= 4 * k
    sample = model.sample(20_000, seed=1)["purpose"]
    assert not sample.str.contains(SLOT).any()
    drawn = templates_of(sample)
    # A debit pattern of fewer than 4k people is drawn all the same, at about its share; a name's transfer never.
    rare = [p for p in people.index if p.startswith("Lastschrift") and people[p] < 4 * k]
    assert len(rare) >= 40 and drawn.isin(rare).mean() == pytest.approx(table["purpose"].isin(rare).mean(), abs=0.02)
    # A name's transfer is drawn only where 4k people hold it whole: no frame of names fills in the rest.
    names = [f"Überweisung an {x}" for x in NAMES]
    whole = [p for p in names if people.get(p, 0) >= 4 * k]
    assert len(whole) < len(names) and not drawn.isin(set(names) - set(whole)).any()


def test_a_condition_on_a_pattern_drawn_from_its_frame_still_holds() -> None:
    table = _ledger(1)
    model = synth.create("cart", random_state=0).fit(table, synth.infer_schema(table), person_column="holder")
    asked = "Lastschrift Strom Mai"
    assert asked not in model._domain("purpose").values  # learned as its frame only
    one = model.sample(200, seed=2, conditions={"purpose": asked})
    assert (one["purpose"] == asked).all() and (one["channel"] == "debit").all()
    both = model.sample(400, seed=3, conditions={"purpose": [asked, "Lastschrift Telefon Juni", "Gehalt Mai"]})
    counts = both["purpose"].value_counts()
    assert set(counts.index) == {asked, "Lastschrift Telefon Juni", "Gehalt Mai"} and counts.min() > 40
    with pytest.raises(synth.SynthesizerError):
        model.sample(10, seed=4, conditions={"purpose": "Lastschrift Strom Lea"})  # "Lea" is no word of the frame


def test_a_crafted_frame_is_refused() -> None:
    table = _ledger(2)
    model = synth.create("independent", random_state=0).fit(table, synth.infer_schema(table), person_column="holder")
    state = model.templates_[0]
    check_templates(model)
    label, words, counts = state.frames[0]
    for frame in (
        (label.replace(SLOT, "Mai"), words, counts),  # no slot
        (label, (*words, "Konto 12345678"), (*counts, 30)),  # a real number as a word
        (label, words, counts[:-1]),  # a word without its count
        (label, words, (0, *counts[1:])),  # a count of no one
        (label, words),  # not a frame's three parts
    ):
        crafted = type(state)(**{**vars(state), "frames": (frame, *state.frames[1:])})
        model.templates_ = (crafted,)
        with pytest.raises(persist.ModelFileError):
            check_templates(model)
