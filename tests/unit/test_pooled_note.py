"""The "Rare categories pooled" note says what the fit did, column by column.

The session 30 walk read, on the bank ledger of ``benchmarks/ledger.py`` (300 holders, ``holder_id`` the person),
"categories held by fewer than 5 training rows ... synthetic rows hold '(other)'" for every pooled column: the fit
had counted holders, not rows, and the word-pattern column ``purpose`` writes its pooled rows as made-up text,
never "(other)" (``synth/synthesizers/rare_categories.py`` ``pooled_note``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import synth
from benchmarks.ledger import ledger
from synth.synthesizers import rare_categories
from synth.synthesizers.persist import Encoder, ModelFileError
from synth.synthesizers.rare_categories import RARE_LABEL, bucket_warning, pooled_note
from tests.unit.crafting import read_model, write_model


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    return ledger()


@pytest.fixture(scope="module")
def model(table: pd.DataFrame) -> synth.Synthesizer:
    return synth.create("independent", random_state=0).fit(table)  # the person found, as the pages find it


def _sentence(note: str, words: str) -> str:
    """The one sentence of ``note`` holding ``words``."""
    found = [s for s in note.split(". ") if words in s]
    assert len(found) == 1, note
    return found[0]


def test_the_note_counts_people_where_the_fit_did(model: synth.Synthesizer) -> None:
    assert model.rare_people_ == "holder_id"
    note = model.pooled_note()
    assert note is not None
    assert "fewer than 5 people (counted by holder_id, not by rows)" in note
    assert "training rows are" not in note and "fewer than 5 training rows" not in note


def test_the_note_counts_rows_where_no_person_is_known(table: pd.DataFrame) -> None:
    model = synth.create("independent", random_state=0).fit(table, person_column=None)
    assert model.rare_people_ is None
    note = model.pooled_note()
    assert note is not None and "fewer than 5 training rows" in note and "people" not in note.split(".")[0]


def test_a_word_pattern_column_is_said_to_hold_made_up_text_never_other(model: synth.Synthesizer) -> None:
    assert model.schema_["purpose"].templated
    shares = dict(model.bucketed_)
    assert shares["purpose"] > 0 and shares["merchant_category"] > 0  # both pooled, each its own way
    note = model.pooled_note()
    assert note is not None
    other = _sentence(note, repr(RARE_LABEL))
    assert "merchant_category" in other and "purpose" not in other
    words = _sentence(note, "word patterns")
    assert f"purpose ({shares['purpose']:.1%} of training rows)" in words and "made-up text" in words
    # What the note says of the sample holds: "(other)" in the category, never in the word-pattern column.
    sample = model.sample(4_000, seed=1)
    assert (sample["purpose"] == RARE_LABEL).sum() == 0
    assert (sample["merchant_category"] == RARE_LABEL).sum() > 0


def test_with_every_pattern_kept_only_unredrawable_ones_are_named() -> None:
    note = pooled_note((("purpose", 0.02),), 1, None, {"purpose"})
    assert note is not None and "whose digits cannot be redrawn" in note and "fewer than" not in note


def test_the_loaded_model_says_the_same(model: synth.Synthesizer, tmp_path: Path) -> None:
    model.save(tmp_path / "m.synth")
    assert synth.load_model(tmp_path / "m.synth").pooled_note() == model.pooled_note()


@pytest.mark.parametrize("value", ["not a column", 3, ["holder_id"]])
def test_a_file_naming_a_crafted_person_is_refused(model: synth.Synthesizer, value: object, tmp_path: Path) -> None:
    """``rare_people_`` is formatted into the note on two pages: only a column of the schema (or None) loads."""
    model.save(tmp_path / "m.synth")
    manifest, arrays = read_model(tmp_path / "m.synth")
    for entry in manifest["fitted"]["model"]["v"]:
        if entry[0] == "rare_people_":
            entry[1] = Encoder().encode(value)
    with pytest.raises(ModelFileError, match="rare_people_"):
        synth.load_model(write_model(tmp_path / "bad.synth", manifest, arrays))


def test_the_fit_warning_says_what_the_fit_pooled(model: synth.Synthesizer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fit warning of a column mostly pooled is worded like the note: the ledger's purpose is word patterns
    pooled into made-up text, counted in holders, never "(other)" or rows. (It pools 6.8%, under the 20% that
    warns: the threshold is lowered here so the ledger's fit warns at all.)"""
    monkeypatch.setattr(rare_categories, "WARN_SHARE", 0.05)
    (warning,) = [w for w in model.fit_warnings() if w.startswith("purpose:")]
    assert "word pattern seen in fewer than 5 people (counted by holder_id)" in warning
    assert "made-up text" in warning and repr(RARE_LABEL) not in warning and "fewer than 5 rows" not in warning
    # A category is still "(other)", counted as the fit counted it.
    assert "fewer than 5 people (counted by holder_id); each is learned as one bucket, '(other)'" in bucket_warning(
        "merchant", 0.2, 5, "holder_id"
    )
    assert "fewer than 5 rows; each is learned as one bucket" in bucket_warning("merchant", 0.2, 5)
