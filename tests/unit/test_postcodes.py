"""Postcodes are personal data in their own layout: not street addresses, not categories that copy them out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from faker import Faker

import synth
from synth.schema import ColumnKind, infer_schema
from synth.schema.addresses import name_and_number
from synth.schema.pii import POSTCODE

LAYOUTS = {
    "en_GB": r"[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}",
    "en_CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
    "nl_NL": r"\d{4} ?[A-Z]{2}",
}


def _patients(locale: str, n: int = 2400, homes: int = 600, seed: int = 0) -> tuple[pd.DataFrame, list[str]]:
    fake = Faker(locale)
    fake.seed_instance(seed)
    codes = [fake.postcode() for _ in range(homes)]
    rng = np.random.default_rng(seed)
    table = pd.DataFrame({"postcode": rng.choice(codes, n), "cost": np.round(rng.gamma(2.0, 400.0, n), 2)})
    return table, codes


@pytest.mark.parametrize("locale", sorted(LAYOUTS))
def test_postcodes_are_personal_data_and_come_back_fake_in_their_layout(locale: str, tmp_path: Path) -> None:
    # Session 21 walk: UK postcodes ("S24 8EX") read as 1,145 street addresses and came back as US streets
    # ("218 Mendez Island"); read as a category, a frequent patient's postcode would come back as it is.
    real, codes = _patients(locale)
    spec = infer_schema(real)["postcode"]
    assert spec.kind is ColumnKind.PII and spec.pii_type == "postcode", spec.reason
    model = synth.create("pruned_cart", random_state=0).fit(real, infer_schema(real))
    out = model.sample(2400, seed=1)["postcode"]
    assert not out.isin(set(codes)).any()
    assert out.str.fullmatch(LAYOUTS[locale]).all(), out[~out.str.fullmatch(LAYOUTS[locale])].head().tolist()
    assert out.nunique() > 100  # many homes, as the real column has
    # Faker writes Canadian and Dutch codes with and without the space: both come back, by share (session 25;
    # the usual layout alone came back before, synth/generated_layouts.py)
    spaced = (pd.Series(codes).str.contains(" ").mean(), out.str.contains(" ").mean())
    assert spaced[1] == pytest.approx(spaced[0], abs=0.05), spaced
    model.save(tmp_path / "m.synth")
    blob = (tmp_path / "m.synth").read_bytes()
    assert not any(code.encode() in blob for code in codes)


def test_a_few_site_postcodes_stay_a_category() -> None:
    # Three depots' postcodes name places, not people: a category a model may learn.
    rng = np.random.default_rng(1)
    table = pd.DataFrame({"depot": rng.choice(["SW1A 1AA", "M1 1AE", "EH1 2NG"], 500)})
    assert infer_schema(table)["depot"].kind is ColumnKind.CATEGORICAL


def test_a_postcode_is_not_a_street_and_a_number() -> None:
    for code in ("S24 8EX", "OL0R 7EU", "HU75 1AR", "W3H 6QT", "M1 1AE"):
        assert POSTCODE.fullmatch(code)
        assert name_and_number(code) is None, code
    # the loose layout still reads real streets with their numbers
    assert name_and_number("Hauptstraße 12") == ("Hauptstraße", "12")
    assert name_and_number("Pátio Bruno da Luz, 576") == ("Pátio Bruno da Luz", "576")
