"""The column-wide bands of a time of day count distinct people (``synth/synthesizers/band_people.py``).

CART pools a time of day's rare values into bands across the whole column (``rare_bands.smoothing_ranges``) before
its leaves pool the common ones (``within_leaves``). With a person column the column rule added each value's people,
so one patient's five night-time visit times, which no one else came near, counted as five people: they made a band
of their own whose ends were midpoints of that patient's times. Counted in distinct people, they pool with other
people's times and no band ends among them.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.synthesizers.rare_bands import smoothing_ranges
from tests.unit.test_person_leaves import PLANTED, _habitual

NIGHT = ("03:11", "03:14", "03:17", "03:19", "03:23")  # the planted patient's visit times; everyone else's: 08–18h
SECONDS = [int(t[:2]) * 3600 + int(t[3:]) * 60 for t in NIGHT]


def _night_visits() -> pd.DataFrame:
    """:func:`_habitual`'s clinic with patient 7's 12 visits at the five night times, in turn."""
    frame = _habitual()
    rows = np.flatnonzero(frame["patient_id"] == f"P{PLANTED:04d}")
    for i, row in enumerate(rows):
        frame.loc[row, "start"] = frame.loc[row, "start"][:11] + NIGHT[i % len(NIGHT)]
    return frame


def _ends(model: synth.Synthesizer, path: Path) -> tuple[set[float], bytes]:
    """Every point and band end of the model's donors as loaded from its file, and the file's bytes unpacked."""
    model.save(path)
    with zipfile.ZipFile(path) as z, np.load(io.BytesIO(z.read("arrays.npz")), allow_pickle=False) as npz:
        raw = b"".join([z.read(name) for name in z.namelist()] + [npz[key].tobytes() for key in npz.files])
    ends: set[float] = set()
    for step in synth.load_model(path).steps_:  # type: ignore[attr-defined]
        if step.widths is not None:
            ends |= set(step.donors.tolist()) | set((step.donors + step.widths).tolist())
    return ends, raw


@pytest.mark.parametrize("name", ["cart", "pruned_cart"])
def test_one_patients_night_visits_make_no_band_of_their_own(name: str, tmp_path: Path) -> None:
    frame = _night_visits()
    lo, hi = min(SECONDS), max(SECONDS)

    def fitted(person: str | None) -> tuple[list[float], bytes, int]:
        model = synth.create(name, random_state=0).fit(frame, person_column=person)
        ends, raw = _ends(model, tmp_path / f"{person}.synth")
        times = model.sample(20_000, seed=1)["start"].str[-5:]
        return sorted(e for e in ends if lo <= e <= hi), raw, int(((times >= "03:00") & (times < "04:00")).sum())

    inside, _, night = fitted(None)
    assert inside and night >= 20, "the attack: counted in rows, band ends lie among the patient's times"
    inside, raw, night = fitted("patient_id")
    assert inside == [], "no point, and no band end, lies among that patient's night times"
    assert not any(np.float64(s).tobytes() in raw for s in SECONDS)
    assert night == 0, "no synthetic visit at 03:xx, an hour only that patient came"


@st.composite
def _people_times(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, int]:
    """Rows of people who each come back at a few times of their own (minutes on a clock), some far from the rest."""
    seed = draw(st.integers(0, 10_000))
    n_people = draw(st.integers(2, 80))
    n_rows = draw(st.integers(20, 600))
    smooth = draw(st.integers(2, 10))
    spread = draw(st.integers(1, 400))
    rng = np.random.default_rng(seed)
    person = rng.integers(0, n_people, n_rows)
    habits = rng.integers(1, 6, n_people)  # how many distinct times each person keeps
    home = rng.integers(0, 1440, n_people)
    minute = home[person] + rng.integers(0, spread, n_rows) % (habits[person] * 7)
    loner = rng.random(n_people) < 0.1  # a few people far from everyone (night visits)
    minute[loner[person]] -= 2000
    return minute * 60.0, person, smooth


@settings(max_examples=150, deadline=None)
@given(case=_people_times())
def test_every_band_of_the_column_is_held_by_enough_people(case: tuple[np.ndarray, np.ndarray, int]) -> None:
    values, person, smooth = case
    for people in (person, np.arange(len(values))):  # (every row its own person: the rows' rule, as strict)
        low, width = smoothing_ranges(values, smooth, people)
        frame = pd.DataFrame({"v": values, "p": people, "low": low, "width": width})
        held = frame.groupby("v")["p"].nunique()
        points = set(held[held >= smooth].index)
        rare_people = frame.loc[frame["v"].map(held) < smooth, "p"].nunique()
        own_point = (frame["low"] == frame["v"]) & (frame["width"] == 0)
        assert frame.loc[own_point, "v"].isin(points).all(), "a value kept as itself is one enough people hold"
        for (lo, w), band in frame[~own_point & frame["low"].notna()].groupby(["low", "width"]):
            between_points = lo in points and lo + w in points  # a run between two shared values, or one of them
            if not between_points and rare_people >= smooth:
                assert band["p"].nunique() >= smooth, f"a band of {band['p'].nunique()} people: {lo}–{lo + w}"
