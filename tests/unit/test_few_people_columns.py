"""A number, date or constant that fewer than k people hold in all is learned as missing, and the fit says so
(``synth/synthesizers/person_rarity.py``: ``few_people_columns``).

The people rule pools a value held by fewer than k people with other people's values into a block of k; a column
that only one patient holds has no other values, so the block's mean was that patient's own value, and every model
without a guarantee drew it (a follow-up time on one patient's 20 visits: 113–147 of 2,000 synthetic rows).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import synth
from synth.synthesizers.persist import ModelFileError
from synth.synthesizers.person_rarity import few_people_columns, person_codes
from tests import model_files as mf

MODELS = ["cart", "pruned_cart", "gaussian_copula", "independent"]
PLANTED = 7


def _visits(holders: int = 1) -> pd.DataFrame:
    """400 visits of 80 patients; patient 7 has 20 of them. Four columns are present only on the visits of the first
    ``holders`` patients (7, then 8, 9 …): a follow-up time of one value and one of several, a number of one value
    and one of several."""
    rng = np.random.default_rng(31)
    n = 400
    pid = rng.integers(0, 80, n)
    pid[:20] = PLANTED
    held = np.isin(pid, np.arange(PLANTED, PLANTED + holders))
    times = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 300 * 24 * 60, n), "min")
    return pd.DataFrame(
        {
            "patient_id": [f"P{p:03d}" for p in pid],
            "department": rng.choice(["A&E", "Cardiology", "Oncology"], n),
            "cost": rng.gamma(2.0, 300.0, n).round(2),
            "follow_up": np.where(held, "2024-03-05 14:30", None),
            "review_at": pd.Series(times.strftime("%Y-%m-%d %H:%M")).where(held, None),
            "height": np.where(held, 231.4, np.nan),
            "dose": np.where(held, rng.normal(50.0, 10.0, n).round(1), np.nan),
        }
    )


HELD = ["follow_up", "review_at", "height", "dose"]


@pytest.mark.parametrize("name", MODELS)
def test_a_column_one_patient_holds_is_never_drawn(name: str, tmp_path: Path) -> None:
    frame = _visits()
    mine = frame[frame["patient_id"] == f"P{PLANTED:03d}"]
    real = {column: set(mine[column].dropna()) for column in HELD}

    def drawn(person: str | None) -> tuple[pd.DataFrame, synth.Synthesizer]:
        model = synth.create(name, random_state=0).fit(frame, person_column=person)
        return model.sample(2_000, seed=1), model

    rows, _ = drawn(None)  # the attack: counted in rows, the patient's 20 visits make their values common
    assert rows["follow_up"].isin(real["follow_up"]).sum() > 50
    assert rows["height"].isin(real["height"]).sum() > 50
    sample, model = drawn("patient_id")
    for column in HELD:
        assert sample[column].isna().all(), f"{column}: no value of that patient's, nor any other, is drawn"
    warnings = [w for w in model.fit_warnings() if "fewer than 5 people (counted by patient_id)" in w]
    assert sorted(w.split(":")[0] for w in warnings) == sorted(HELD), "each column is named, with why"
    assert not any(w.startswith(("cost", "department")) for w in model.fit_warnings())
    model.save(tmp_path / "m.synth")
    assert synth.load_model(tmp_path / "m.synth").fit_warnings() == model.fit_warnings(), "the file keeps the note"


def test_five_people_are_enough_and_four_are_not() -> None:
    schema = synth.infer_schema(_visits(5))
    for holders, few in ((4, HELD), (5, [])):
        frame = _visits(holders)
        people = person_codes(frame, "patient_id")
        assert sorted(few_people_columns(frame, schema, people)) == sorted(few), f"{holders} patients"
    assert few_people_columns(_visits(1), schema, None) == (), "no person known: the rows' rules apply"


def test_pruned_cart_fits_and_draws_a_column_missing_on_every_row() -> None:
    """Its refining classifier read the all-missing column (scikit-learn's binning failed on it), and its refined
    draw expected a value for every column: a schema from the whole table, fitted on rows where one column is empty,
    failed the same way."""
    frame = _visits(5)
    schema = synth.infer_schema(frame)
    empty = frame.assign(review_at=None, dose=np.nan)
    sample = synth.create("pruned_cart", random_state=0).fit(empty, schema).sample(300, seed=1)
    assert sample["review_at"].isna().all() and sample["dose"].isna().all()
    assert sample["cost"].notna().all()


def _entries(node: Any, name: str) -> Iterator[list[Any]]:
    """Every [name, value] pair of a manifest's encoded dicts."""
    if isinstance(node, list):
        if len(node) == 2 and node[0] == name:
            yield node
        for item in node:
            yield from _entries(item, name)
    elif isinstance(node, dict):
        for item in node.values():
            yield from _entries(item, name)


def test_a_file_naming_a_column_it_lacks_is_refused(tmp_path: Path) -> None:
    model = synth.create("cart", random_state=0).fit(_visits(), person_column="patient_id")
    model.save(tmp_path / "m.synth")
    manifest, arrays = mf.read(tmp_path / "m.synth")
    (entry,) = _entries(manifest["fitted"]["model"], "few_people_")
    entry[1]["v"] = ["no_such_column"]
    with pytest.raises(ModelFileError, match="few_people_"):
        synth.load_model(mf.write(tmp_path / "evil.synth", manifest, arrays))
