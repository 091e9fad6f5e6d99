"""AppTest: on a table where a person has many rows, the Privacy page's Membership section shows the figures over
people beside the row-level ones, says which is which, and catches a synthetic table that copies training people; the
Attacks section and the verdict say the attacks count people."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pandas as pd

from tests.app.helpers import fit, goto, sample, start, upload
from tests.app.test_privacy_page import open_section
from tests.unit.test_people_membership import visits


def test_membership_over_people_is_shown_beside_the_rows_and_catches_copied_people() -> None:
    at = start()
    upload(at, "visits.csv", visits(400, 5, seed=1).to_csv(index=False).encode("utf-8"))
    ds = at.session_state["dataset"]
    assert ds.split_by == "patient_id"
    fit(at, "gaussian_copula")
    sample(at)
    goto(at, "privacy")
    ds, syn = at.session_state["dataset"], at.session_state["synthetic"]
    # Half the training people copied whole, the rest of the rows fresh people of the same population.
    ids = ds.train["patient_id"].unique()
    copied = ds.train[ds.train["patient_id"].isin(np.random.default_rng(0).choice(ids, len(ids) // 2, replace=False))]
    fresh = visits(400, 5, seed=2, first=10**5).sample(len(ds.train) - len(copied), random_state=0)
    table = pd.concat([copied, fresh], ignore_index=True)
    at.session_state["synthetic"] = dataclasses.replace(syn, df=table, n_rows=len(table), id="copied-people")
    at.run()
    assert not at.exception, at.exception
    open_section(at, "Membership")
    labels = [m.label for m in at.metric]
    assert "Membership inference AUC" in labels and "Membership AUC over people" in labels
    over_people = next(m for m in at.metric if m.label == "Membership AUC over people")
    assert float(over_people.value) > 0.65
    words = " ".join(m.value for m in at.markdown)
    assert "**Row level** (above): a member is one training row" in words
    assert "**Person level** (here): a member is a person — a patient_id with any row in training" in words
    assert "#### Over rows" in words and "#### Over people" in words
    table_people = next(d.value for d in at.dataframe if "attack (per person)" in d.value.columns)
    assert len(table_people) == 4 and (table_people["people (non-members)"] >= 10).all()
    # Session 32 walk: the counts read "2399" beside a caption's "2,399": numbers, written with separators.
    rows = next(d for d in at.dataframe if "members" in d.value.columns)
    assert (rows.value["members"] >= 1_000).all(), "premise: counts with a thousands separator to write"
    for table in (rows, next(d for d in at.dataframe if "attack (per person)" in d.value.columns)):
        config = json.loads(table.proto.columns)
        counts = [c for c in table.value.columns if "members" in c]
        assert counts and all(config[c]["type_config"]["format"] == "localized" for c in counts), config


def test_the_verdict_names_the_person_level_when_it_trips_membership() -> None:
    """One visit of every training person copied (1 row in 5): the verdict's membership light is set over people,
    and its words lead with that level."""
    at = start()
    upload(at, "visits.csv", visits(400, 5, seed=1).to_csv(index=False).encode("utf-8"))
    fit(at, "gaussian_copula")
    sample(at)
    goto(at, "privacy")
    ds, syn = at.session_state["dataset"], at.session_state["synthetic"]
    one_each = ds.train.groupby("patient_id").head(1)
    fresh = visits(400, 5, seed=2, first=10**5).sample(len(ds.train) - len(one_each), random_state=0)
    table = pd.concat([one_each, fresh], ignore_index=True)
    at.session_state["synthetic"] = dataclasses.replace(syn, df=table, n_rows=len(table), id="one-visit-each")
    at.run()
    assert not at.exception, at.exception
    (line,) = [m.value for m in at.markdown if "-badge[" in m.value and "**Membership inference**" in m.value]
    assert "**Membership inference** — over people: " in line and "; over rows: " in line, line
    assert ":green-badge[" not in line, line
    # the attacks count people too, and their section and the verdict say so
    (inference,) = [m.value for m in at.markdown if "-badge[" in m.value and "**Inference**" in m.value]
    assert "on training people" in inference and "on holdout people (control)" in inference, inference
    open_section(at, "Attacks")
    intro = next(c.value for c in at.caption if "runs three ways" in c.value)
    assert (
        "against training people (**main**)" in intro
        and "A person is one value of patient_id with all its rows:" in intro
    ), intro
