"""Word patterns in the layouts the real values have: a pattern that mixes "Ticket #4711" and "Ticket 12345" is one
template a layout, and "(other)" is drawn in the layouts of the pooled values that k people hold.

:func:`synth.schema.text_templates.layout_labels` splits a template whose values write a literal "#" in some rows
only; :func:`synth.synthesizers.text_templates.pool_templates` counts, keeps and redraws each layout on its own, and
draws "(other)" in the pooled values' layouts held by k people (``_other_plans``). Each privacy test attacks a
promise: a layout of one person, a real value's digits, one person's words in "(other)", a crafted model file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.generated_formats import _shape
from synth.schema import Schema
from synth.schema.text_templates import LAYOUT_MARK, layout_labels, templates_of
from synth.synthesizers.rare_categories import RARE_LABEL
from synth.synthesizers.text_templates import MAX_OTHER_LAYOUTS, TextTemplates, pool_templates
from tests.unit.test_text_templates_digits import assert_each_refused

HASHED, PLAIN = r"Ticket #\d{4}", r"Ticket \d{5}"
#: One person's words, on six values of theirs of one width: enough distinct values to read as a format.
WUFFEL = [f"Spende Wuffel {x}" for x in range(101, 107)]


def _file_text(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return " ".join(zf.read(name).decode("latin-1") for name in zf.namelist())


def _mixed_tickets(seed: int = 0, n: int = 3_000, lone: bool = False) -> pd.DataFrame:
    """Tickets written "Ticket #4711" (40% of rows) and "Ticket 12345" (30%), "Miete Mai" or "Miete Juni" on the
    rest; 500 customers. ``lone``: the "#" layout only on six rows of one customer (the others plain)."""
    rng = np.random.default_rng(seed)
    kind = rng.choice(["hash", "plain", "rent"], n, p=[0.4, 0.3, 0.3])
    who = np.array([f"C{x:04d}" for x in rng.integers(1, 500, n)], dtype=object)
    if lone:
        kind[kind == "hash"] = "plain"
        kind[:6], who[:6] = "hash", "C0000"
    purpose = np.where(
        kind == "hash",
        [f"Ticket #{x}" for x in rng.integers(1000, 10000, n)],
        np.where(
            kind == "plain",
            [f"Ticket {x}" for x in rng.integers(10000, 100000, n)],
            rng.choice(["Miete Mai", "Miete Juni"], n),
        ),
    )
    return pd.DataFrame({"customer": who, "purpose": purpose.astype(object)})


def test_each_layout_of_a_mixed_pattern_is_a_template_of_its_own() -> None:
    values = _mixed_tickets()["purpose"]
    labels = layout_labels(values, templates_of(values))
    tickets = values.str.startswith("Ticket")
    # One template, "Ticket #####", two layouts: a label each, in the order of their first rows; "Miete" untouched.
    assert set(templates_of(values)[tickets]) == {"Ticket #####"}
    assert labels[tickets].str.startswith("Ticket #####" + LAYOUT_MARK).all()
    hashed = values.str.fullmatch(HASHED)
    assert labels[hashed].nunique() == 1 and labels[tickets & ~hashed].nunique() == 1
    assert labels[hashed].iloc[0] != labels[tickets & ~hashed].iloc[0]
    assert labels[~tickets].equals(values[~tickets].astype(object))


@pytest.mark.parametrize("name", ["independent", "cart", "pruned_cart"])
def test_a_mixed_pattern_comes_back_in_both_layouts_at_their_shares(name: str) -> None:
    table = _mixed_tickets()
    values = table["purpose"]
    spec = synth.infer_schema(table)["purpose"]
    assert spec.templated, spec
    # Before, "Ticket #####" could not be redrawn in either layout, so the column was no word pattern at all: an
    # identifier, "Ticket C80978", neither layout on any of 20,000 rows.
    _, (state,), pooled = pool_templates(table, Schema((spec,)), 5, table["customer"].to_numpy())
    assert dict(pooled) == {} and len(state.templates) == 2
    model = synth.create(name, random_state=0).fit(table, person_column="customer")
    sample = model.sample(20_000, seed=1)["purpose"]
    hashed, plain = sample.str.fullmatch(HASHED), sample.str.fullmatch(PLAIN)
    real_hashed, real_plain = values.str.fullmatch(HASHED).mean(), values.str.fullmatch(PLAIN).mean()
    assert hashed.mean() == pytest.approx(real_hashed, abs=0.02) and plain.mean() == pytest.approx(real_plain, abs=0.02)
    assert (hashed | plain | sample.isin(["Miete Mai", "Miete Juni"])).all()
    # Never a real value, nor a real ticket's digits in either layout.
    digits = sample[hashed | plain].str.replace(r"\D", "", regex=True)
    assert not digits.isin(set(values.str.replace(r"\D", "", regex=True))).any()


@pytest.mark.parametrize("name", ["independent", "gaussian_copula"])
def test_a_layout_of_one_person_reaches_no_file_and_no_sample(name: str, tmp_path: Path) -> None:
    table = _mixed_tickets(lone=True)
    model = synth.create(name, random_state=0).fit(table, person_column="customer")
    # The plain layout is kept; the "#" one, held by one customer on six rows, is pooled with its digits.
    (state,) = model.templates_
    assert len(state.templates) == 1 and dict(model.bucketed_)["purpose"] == pytest.approx(6 / len(table))
    model.save(tmp_path / "m.synth")
    stored = _file_text(tmp_path / "m.synth")
    for value in table["purpose"][:6]:
        assert value[-4:] not in stored
    sample = model.sample(20_000, seed=2)["purpose"]
    # "(other)" is drawn in their shape alone ("Xqzkwb #5183"), no word of theirs: no ticket is written with a "#".
    assert not sample.str.contains("Ticket #", regex=False).any()
    assert sample.str.fullmatch(PLAIN).mean() > 0.6


def _rare_purposes(seed: int = 0) -> pd.DataFrame:
    """Common "Rechnung 48213" and "Miete Mai" beside rare purposes, each value held by fewer than five of 800
    holders: transfers to first names ("Überweisung an Jonas", three layouts by name length, each held by many
    holders), even instalments "Darlehen Rate 12" to "28" on four rows each (one layout), one holder's
    :data:`WUFFEL` and one holder's "Zahlung an Dr. Xaver Quandt 99812"."""
    rng = np.random.default_rng(seed)
    names = ["Jonas", "David", "Clara", "Sarah", "Mia", "Max", "Tom", "Lena", "Paul", "Emma", "Finn", "Ida"]
    rare = [f"Überweisung an {x}" for x in np.repeat(names, 4)] + [
        f"Darlehen Rate {x}" for x in np.repeat(np.arange(12, 30, 2), 4)
    ]
    n_common = 4_000
    common = [
        f"Rechnung {x}" if i % 2 else str(rng.choice(["Miete Mai", "Miete Juni"]))
        for i, x in enumerate(rng.integers(10**4, 10**5, n_common))
    ]
    holders = [f"H{x:03d}" for x in rng.integers(1, 800, n_common + len(rare))]
    return pd.DataFrame(
        {
            "holder": [*holders, *["H000"] * 6, "H900"],
            "purpose": [*common, *rare, *WUFFEL, "Zahlung an Dr. Xaver Quandt 99812"],
        }
    )


def test_other_is_drawn_in_the_layouts_k_people_hold_never_their_words(tmp_path: Path) -> None:
    table = _rare_purposes()
    model = synth.create("independent", random_state=0).fit(table, person_column="holder")
    (state,) = model.templates_
    pooled = table["purpose"][~table["purpose"].str.startswith(("Rechnung", "Miete"))]
    assert dict(model.bucketed_)["purpose"] == pytest.approx(len(pooled) / len(table))
    # The real rare rows' layouts and the holders of each; those 5 holders hold are the ones "(other)" may take.
    holders = table.loc[pooled.index].groupby(pooled.map(_shape))["holder"].nunique()
    held = holders[holders >= 5]
    assert len(held) == 4 and state.other is None and len(state.other_layouts) == 4
    sample = model.sample(10_000, seed=3)["purpose"]
    other = sample[~sample.str.startswith(("Rechnung", "Miete"))]
    assert len(other) > 150 and not other.isin(set(table["purpose"])).any()
    # Before, every "(other)" row was "Darlehen Rate 999"; now each is in a layout 5 holders hold, at its share.
    shapes = other.map(_shape)
    assert shapes.isin(held.index).all()
    real = pooled.map(_shape).value_counts(normalize=True)[held.index]
    drawn = shapes.value_counts(normalize=True).reindex(held.index, fill_value=0)
    assert np.abs(drawn - real / real.sum()).max() < 0.08
    assert other.str.startswith("Überweisung an ").mean() > 0.4  # text every holder of those layouts writes
    # One holder's words (and the lone holder's value) reach neither the file nor the sample.
    model.save(tmp_path / "m.synth")
    stored = _file_text(tmp_path / "m.synth")
    for word in ("Wuffel", "Spende", "Quandt", "Xaver", "99812", "Jonas", "Clara"):
        assert word not in stored and not sample.str.contains(word).any(), word


def test_other_of_few_people_keeps_no_word_of_theirs(tmp_path: Path) -> None:
    # Only one holder's six values and two lone values pooled: no layout is held by 5 holders, so "(other)" is
    # drawn in their shape alone. Before, six distinct values of one width were a format: every "(other)" row of a
    # 40,000-row sample was "Spende Wuffel 1540" or the like, the holder's words.
    table = _rare_purposes()
    table = table[~table["purpose"].str.startswith(("Überweisung", "Darlehen"))]
    table = pd.concat([table, pd.DataFrame({"holder": ["H901"], "purpose": ["Gutschrift Kita Sonnenschein 7"]})])
    model = synth.create("independent", random_state=0).fit(table, person_column="holder")
    (state,) = model.templates_
    assert state.other is not None and not state.other_layouts
    model.save(tmp_path / "m.synth")
    stored = _file_text(tmp_path / "m.synth")
    sample = model.sample(40_000, seed=4)["purpose"]
    other = sample[~sample.str.startswith(("Rechnung", "Miete"))]
    assert len(other) > 20 and not other.isin(set(table["purpose"])).any()
    for word in ("Wuffel", "Spende", "Quandt", "Gutschrift", "Sonnenschein"):
        assert word not in stored and not other.str.contains(word).any(), word


def test_crafted_layout_labels_and_other_layouts_are_refused(tmp_path: Path) -> None:
    table = _rare_purposes()
    mixed = _mixed_tickets()
    table = pd.concat([table, mixed.rename(columns={"customer": "holder"})], ignore_index=True)
    model = synth.create("independent", random_state=0).fit(table, person_column="holder")
    model.save(tmp_path / "ok.synth")
    synth.load_model(tmp_path / "ok.synth")  # the honest file loads
    (state,) = model.templates_
    label = next(t for t in state.templates if LAYOUT_MARK in t)
    i = state.templates.index(label)
    plans, rows = state.other_layouts, state.other_rows
    assert plans and RARE_LABEL not in state.templates

    def relabelled(new: str) -> TextTemplates:
        templates = (*state.templates[:i], new, *state.templates[i + 1 :])
        return TextTemplates(state.name, templates, state.fills, None, plans, rows)

    attacks = [
        relabelled(label + "z"),  # two letters after the mark
        relabelled(label[:-1] + "7"),  # a digit for a layout
        relabelled(LAYOUT_MARK + "a"),  # a layout of no template
        TextTemplates(state.name, state.templates, state.fills, None, plans, (0, *rows[1:])),  # a layout of no rows
        TextTemplates(state.name, state.templates, state.fills, None, plans, rows[1:]),  # shares of other plans
        TextTemplates(state.name, state.templates, state.fills, plans[0], plans, rows),  # two ways to draw "(other)"
        TextTemplates(state.name, state.templates, state.fills, None, (*plans[:-1], "Spende"), rows),  # not a plan
        TextTemplates(  # more layouts than a fit keeps
            state.name, state.templates, state.fills, None, plans * MAX_OTHER_LAYOUTS, rows * MAX_OTHER_LAYOUTS
        ),
    ]
    assert_each_refused(model, state, attacks, tmp_path)


def test_other_keeps_the_commonest_layouts_up_to_the_cap() -> None:
    # 110 layouts of two words ("Abc Defgh": 11 first lengths x 10 second), each on 5 to 14 rows of as many people,
    # every value of one row: each layout is held, no value is. The 100 commonest are kept, the rarer ten left out.
    rng = np.random.default_rng(5)
    values, people = [], []
    for i, (a, b) in enumerate((a, b) for a in range(2, 13) for b in range(2, 12)):
        for j in range(5 + i % 10):
            letters = rng.choice(list("abcdefghijklmnopqrstuvwxyz"), a + b)
            values.append("".join(letters[:a]).title() + " " + "".join(letters[a:]).title())
            people.append(f"P{i}-{j}")
    table = pd.DataFrame({"purpose": values})
    schema = Schema.from_dict({"columns": [{"name": "purpose", "kind": "categorical", "templated": True}]})
    _, (state,), _ = pool_templates(table, schema, 5, np.array(people, dtype=object))
    shapes = table["purpose"].map(_shape).value_counts()
    assert len(shapes) == 110 and len(state.other_layouts) == MAX_OTHER_LAYOUTS == 100
    assert sorted(state.other_rows, reverse=True) == list(state.other_rows)
    assert min(state.other_rows) >= shapes.sort_values(ascending=False).iloc[99]
