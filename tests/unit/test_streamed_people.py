"""A table written in blocks keeps each synthetic person whole: all of a person's rows are in one block, so they hold
one set of person-level values (synth.sampling.repeated.local_members).

Before session 38 a person column's ids were laid out over the whole table, each block drew and held its own rows:
a clinic table of 1,500 visits written in blocks of 500 gave most patients with visits in two blocks two names and
two birth dates, and a million-row table in blocks of 65,536 nearly every one of them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from benchmarks import walk_tables
from synth.evaluation.fidelity.person_values import varying
from synth.generated import _Plan
from synth.sampling import SampleSpec, iter_rows, write_table
from synth.sampling.repeated import local_members, members, pool_size
from synth.schema.kinds import ColumnKind
from synth.synthesizers.elapsed_rounded import completed_years


def _streamed(model: synth.Synthesizer, n: int, block_rows: int, seed: int = 3) -> pd.DataFrame:
    blocks = list(iter_rows(model, SampleSpec(n, seed, block_rows=block_rows)))
    return pd.concat([b.assign(_block=i) for i, b in enumerate(blocks)], ignore_index=True)


def _varying(frame: pd.DataFrame, entity: str, columns: tuple[str, ...]) -> dict[str, float]:
    """Per column: the share of people with two or more rows whose rows hold more than one value."""
    return {c: share or 0.0 for c, share in varying(frame, entity, columns)[3].items()}


@pytest.fixture(scope="module")
def clinic_model() -> synth.Synthesizer:
    return synth.create("cart", random_state=0).fit(walk_tables.clinic(n=1_500, patients=400))


def test_a_clinic_written_in_blocks_keeps_every_patient_whole(clinic_model: synth.Synthesizer) -> None:
    people = clinic_model.people_
    rows = _streamed(clinic_model, 1_500, 500)
    assert rows["_block"].nunique() == 3
    assert (rows.dropna(subset=[people.entity]).groupby(people.entity)["_block"].nunique() == 1).all()
    assert max(_varying(rows, people.entity, people.held).values()) == 0.0
    # as many patients, rows and missing ids as the table in one block
    one = _streamed(clinic_model, 1_500, 1_500)
    assert rows[people.entity].nunique() == one[people.entity].nunique()
    assert rows[people.entity].isna().sum() == one[people.entity].isna().sum()


def test_a_visit_table_written_in_parts_keeps_ages_and_birth_dates(tmp_path: Path) -> None:
    model = synth.create("pruned_cart", random_state=1).fit(walk_tables.visits())
    out = write_table(model, tmp_path / "v.csv", 5_000, seed=4, block_rows=1_000)
    rows = pd.read_csv(out.path)
    assert len(rows) == 5_000
    assert (rows.groupby("patient_id")["dob"].nunique() == 1).all()
    assert (rows.groupby("patient_id")["sex"].nunique() == 1).all()
    later = pd.to_datetime(rows["admitted"]).to_numpy().view(np.int64)
    born = pd.to_datetime(rows["dob"]).to_numpy().view(np.int64)
    assert (completed_years(later, born) == rows["age"].to_numpy()).all()


def test_without_local_people_the_blocks_split_them(
    clinic_model: synth.Synthesizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The failure the block's own people prevent: laid out over the whole table, a patient's visits fall in several
    blocks and take each block's values."""
    from synth.sampling import repeated

    monkeypatch.setattr(
        repeated,
        "local_members",
        lambda first, n, total, present, k, key, plan: members(
            first, n, total, present, k, key, repeated._ends(plan, int(plan.detail["distinct"]), k, present, key)
        ),
    )
    people = clinic_model.people_
    rows = _streamed(clinic_model, 1_500, 500)
    assert _varying(rows, people.entity, people.held)["date_of_birth"] > 0.3


def test_a_table_with_fewer_people_than_blocks_still_gives_every_row_a_person() -> None:
    """Three customers in a table of 12 blocks: a block without a member of its own takes its neighbour's."""
    plan = _Plan("pid", ColumnKind.IDENTIFIER, 0.0, {"distinct": 3, "rows": 300})
    total = 1_200
    present, k = pool_size(3, 300, total, 0.0)
    got = np.concatenate([local_members(b, 100, total, present, k, 7, plan) for b in range(0, total, 100)])
    assert (got >= 0).all() and set(got) == set(range(k))


# ----------------------------------------------------------------------------- the layout, for all inputs
@settings(max_examples=200, deadline=None)
@given(
    total=st.integers(1, 3_000),
    block=st.integers(1, 800),
    missing=st.floats(0, 0.6),
    per_member=st.floats(1.0, 40.0),
    spread=st.booleans(),
    key=st.integers(0, 2**63),
)
def test_blocks_own_their_members_and_together_make_the_table(
    total: int, block: int, missing: float, per_member: float, spread: bool, key: int
) -> None:
    """For any table and block size: exactly the table's missing rows; every member of the table's ``k`` has a row;
    each member's rows in one block whenever every block with present rows has a member of its own; and a block of
    the whole table is the table's own layout."""
    present = total - min(total, round(total * missing))
    k = max(1, round(present / per_member)) if present else 0
    detail: dict[str, object] = {"distinct": max(k, 1), "rows": max(present, 1)}
    if spread:
        detail["spread"] = {"levels": [0.25, 0.5, 0.9], "counts": [1.0, 2.0, 9.0]}
    plan = _Plan("pid", ColumnKind.IDENTIFIER, missing, detail)
    starts = list(range(0, total, block))
    parts = [local_members(b, min(block, total - b), total, present, k, key, plan) for b in starts]
    got = np.concatenate(parts)
    assert len(got) == total and int((got < 0).sum()) == total - present
    assert set(got[got >= 0].tolist()) == set(range(k))
    own = [
        (k * (present * min(b + block, total) // total) // present) - (k * (present * b // total) // present)
        if present
        else 0
        for b in starts
    ]
    if all(o > 0 for o, p in zip(own, parts, strict=True) if (p >= 0).any()):
        blocks = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
        seen = pd.Series(blocks[got >= 0]).groupby(got[got >= 0]).nunique()
        assert (seen == 1).all()
