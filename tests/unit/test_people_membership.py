"""Membership over people (synth.evaluation.privacy.people_membership): on a table where a person has many rows,
a synthesizer that copies training people is caught person by person, fresh people read 0.5, a copied visit of one
person in five is caught over people where the row-level attacks miss it, and without a person column nothing
changes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.people import person_rows
from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.membership import membership_inference
from synth.evaluation.privacy.people_membership import by_person, person_membership
from synth.schema import ColumnKind, ColumnSpec, Schema

REGIONS = [f"R{i}" for i in range(8)]
DEPARTMENTS = ["cardio", "renal", "onco", "derm", "neuro", "gastro"]


def visits(people: int, rows: int, seed: int, first: int = 0) -> pd.DataFrame:
    """``people`` people of ``rows`` visits each: who they are (age, region, sex) repeats over their visits, what
    happened (department, cost, stay) is fresh each visit. One distribution for every seed."""
    rng = np.random.default_rng(seed)
    who = pd.DataFrame(
        {
            "patient_id": [f"P{first + i:06d}" for i in range(people)],
            "age": rng.integers(18, 90, people),
            "region": rng.choice(REGIONS, people),
            "sex": rng.choice(["F", "M"], people),
        }
    )
    frame = who.loc[np.repeat(np.arange(people), rows)].reset_index(drop=True)
    n = len(frame)
    frame["department"] = rng.choice(DEPARTMENTS, n)
    frame["cost"] = np.round(rng.gamma(2.0, 400.0, n) + frame["age"].to_numpy() * 5, 2)
    frame["stay"] = rng.poisson(2.0, n)
    return frame


SCHEMA = Schema(
    (
        ColumnSpec("patient_id", ColumnKind.IDENTIFIER),
        ColumnSpec("age", ColumnKind.DISCRETE),
        ColumnSpec("region", ColumnKind.CATEGORICAL),
        ColumnSpec("sex", ColumnKind.CATEGORICAL),
        ColumnSpec("department", ColumnKind.CATEGORICAL),
        ColumnSpec("cost", ColumnKind.CONTINUOUS),
        ColumnSpec("stay", ColumnKind.DISCRETE),
    )
)


@pytest.fixture(scope="module")
def table() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """1,500 people of 8 visits split 70/30 by person, and 1,500 other people of the same population."""
    train, holdout = synth.split(visits(1500, 8, seed=1), 0.3, seed=0, by="patient_id")
    fresh = visits(1500, 8, seed=2, first=10**5)
    return train, holdout, fresh


def _run(train: pd.DataFrame, holdout: pd.DataFrame, synthetic: pd.DataFrame):  # type: ignore[no-untyped-def]
    inputs = PrivacyInputs(train, holdout, synthetic, SCHEMA, seed=0)
    return membership_inference(train, synthetic, holdout=holdout, inputs=inputs, shadow=False)


def _fill(train: pd.DataFrame, kept: pd.DataFrame, fresh: pd.DataFrame) -> pd.DataFrame:
    """``kept`` training rows and fresh rows up to train's size."""
    return pd.concat([kept, fresh.sample(len(train) - len(kept), random_state=0)], ignore_index=True)


def test_fresh_people_as_synthetic_read_no_signal_over_people(table) -> None:  # type: ignore[no-untyped-def]
    train, holdout, fresh = table
    result = _run(train, holdout, fresh.sample(len(train), random_state=0))
    people = result.people
    assert people is not None and people.column == "patient_id"
    assert people.n_seen == 0 and people.n_non_members >= 200
    # Row level too: with the holdout halves split by row, the density ratio read 0.535 ± 0.010 here (8 seeds).
    for attack in result.attacks[:2]:
        assert attack.auc_adjusted_low < 0.5 < attack.auc_adjusted_high, attack
    for attack in people.attacks:
        assert attack.auc_adjusted_low < 0.5 < attack.auc_adjusted_high, attack
        assert abs(attack.auc.value - 0.5) < 0.07, attack
        assert abs(attack.advantage) < 0.14 and attack.advantage_low < 0.05, attack


def test_copying_whole_training_people_is_caught_over_people(table) -> None:  # type: ignore[no-untyped-def]
    train, holdout, fresh = table
    ids = train["patient_id"].unique()
    copied = np.random.default_rng(0).choice(ids, len(ids) // 2, replace=False)
    result = _run(train, holdout, _fill(train, train[train["patient_id"].isin(copied)], fresh))
    assert result.people is not None
    head = result.people.headline
    assert head is not None
    # Half the people copied: an ideal attack reads 0.75; the Bonferroni-adjusted interval clears 0.65.
    assert head.auc_adjusted_low > 0.65 and head.advantage_low > 0.3, head
    for attack in result.people.attacks:
        assert attack.auc_adjusted_low > 0.6, attack


def test_one_copied_visit_per_person_is_missed_by_rows_and_caught_over_people(table) -> None:  # type: ignore[no-untyped-def]
    train, holdout, fresh = table
    ids = train["patient_id"].unique()
    some = np.random.default_rng(1).choice(ids, len(ids) // 5, replace=False)
    one_each = train[train["patient_id"].isin(some)].groupby("patient_id").head(1)
    result = _run(train, holdout, _fill(train, one_each, fresh))
    # 1 row in 40 copied: within the noise of every row-level attack (the targeted ones too)
    assert all(a.auc_adjusted_low <= 0.5 for a in result.attacks), result.attacks
    row = result.get("distance")
    best = result.people.get("person_distance_best") if result.people else None
    assert best is not None and best.auc_adjusted_low > 0.5, best  # 1 person in 5: beyond the people's noise
    assert row is not None and best.auc.value - row.auc.value > 0.05


def test_the_person_level_reads_the_row_levels_distances_to_the_synthetic_rows(  # type: ignore[no-untyped-def]
    table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each real row's distance to the synthetic rows is searched once (PrivacyInputs.to_synthetic), for the
    row-level and the person-level attacks alike, and the person-level figures are those of its own search."""
    import synth.evaluation.privacy.people_membership as people_module

    train, holdout, fresh = table
    ids = train["patient_id"].unique()
    some = np.random.default_rng(1).choice(ids, len(ids) // 5, replace=False)
    synthetic = _fill(train, train[train["patient_id"].isin(some)].groupby("patient_id").head(1), fresh)
    inputs = PrivacyInputs(train, holdout, synthetic, SCHEMA, seed=0)
    asked: dict[str, list[np.ndarray]] = {"train": [], "holdout": []}
    to_synthetic, search = PrivacyInputs.to_synthetic, people_module.euclidean_neighbors

    def recording(self: PrivacyInputs, which: str, rows: np.ndarray) -> np.ndarray:
        asked[which].append(np.asarray(rows))
        return to_synthetic(self, which, rows)  # type: ignore[arg-type]

    searched_synthetic: list[bool] = []

    def counting(queries: np.ndarray, reference: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        searched_synthetic.append(reference is inputs.encoded("synthetic"))
        return search(queries, reference, k)

    monkeypatch.setattr(PrivacyInputs, "to_synthetic", recording)
    monkeypatch.setattr(people_module, "euclidean_neighbors", counting)
    result = membership_inference(train, synthetic, holdout=holdout, inputs=inputs, shadow=False)
    assert result.people is not None
    # rows first, then people: each level asked for train and holdout rows once
    assert [len(v) for v in asked.values()] == [2, 2]
    # the person level never searched the synthetic table itself (nor, its holdout split by person, the reference)
    assert not any(searched_synthetic)
    # no row searched twice, and the levels' rows overlap (else there would be nothing to share)
    distinct = sum(len(np.unique(np.concatenate(rows))) for rows in asked.values())
    assert inputs.runs["to_synthetic_rows"] == distinct < sum(len(r) for rows in asked.values() for r in rows)
    # the person level's distances are those its own one-neighbour search of its rows gave before
    for which, (_, people_rows) in asked.items():
        own = search(inputs.encoded(which)[people_rows], inputs.encoded("synthetic"), 1)[0][:, 0]  # type: ignore[arg-type]
        np.testing.assert_array_equal(to_synthetic(inputs, which, people_rows)[:, 0], own)  # type: ignore[arg-type]
    # and its figures are those of inputs that never ran the row-level attacks
    alone = person_membership(PrivacyInputs(train, holdout, synthetic, SCHEMA, seed=0))
    assert result.people.to_dict() == alone.to_dict()


def test_without_a_person_column_the_row_attacks_are_as_before(table) -> None:  # type: ignore[no-untyped-def]
    train, holdout, fresh = table
    synthetic = fresh.sample(len(train), random_state=3)
    no_id = [c for c in train.columns if c != "patient_id"]
    inputs = PrivacyInputs(train[no_id], holdout[no_id], synthetic[no_id], SCHEMA.select(no_id), seed=0)
    without = membership_inference(train[no_id], synthetic[no_id], holdout=holdout[no_id], inputs=inputs, shadow=False)
    assert inputs.people is None and without.people is None and without.to_dict()["people"] is None
    assert not any("people" in why for why in without.not_run)
    # the row-level halves are the seeded row permutation they always were
    order = np.random.default_rng([0, 2]).permutation(len(holdout))
    reference, targets = inputs.holdout_halves
    assert list(reference) == sorted(order[: len(order) // 2]) and list(targets) == sorted(order[len(order) // 2 :])


def test_with_a_person_column_the_row_halves_keep_each_person_whole(table) -> None:  # type: ignore[no-untyped-def]
    train, holdout, fresh = table
    inputs = PrivacyInputs(train, holdout, fresh, SCHEMA, seed=0)
    reference, targets = inputs.holdout_halves
    assert not set(holdout["patient_id"].iloc[reference]) & set(holdout["patient_id"].iloc[targets])
    assert sorted([*reference, *targets]) == list(range(len(holdout)))
    assert abs(len(reference) - len(targets)) <= 0.1 * len(holdout)


@pytest.mark.parametrize("by", ["patient_id", None])
def test_one_holdout_split_serves_rows_and_people(by: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """The person level takes the row level's holdout halves (PrivacyInputs.holdout_halves), dropping the people
    with rows in train: split by person, the attacker holds the same reference rows at both levels and the person
    level searches nothing of its own; split by row, it searches its reference of fresh people."""
    import synth.evaluation.privacy.people_membership as people_module

    train, holdout = synth.split(visits(2000, 2, seed=5), 0.3, seed=0, by=by)
    synthetic = visits(2000, 2, seed=6, first=10**5).sample(len(train), random_state=0)
    inputs = PrivacyInputs(train, holdout, synthetic, SCHEMA, seed=3)
    search, searched = people_module.euclidean_neighbors, []

    def counting(queries: np.ndarray, reference: np.ndarray, k: int = 1) -> tuple[np.ndarray, np.ndarray]:
        searched.append(reference.shape[0])
        return search(queries, reference, k)

    monkeypatch.setattr(people_module, "euclidean_neighbors", counting)
    people = person_membership(inputs, seed=0, n_targets=500)
    ref_rows, non_rows = inputs.holdout_halves
    seen = set(train["patient_id"])
    ref_people = set(holdout["patient_id"].iloc[ref_rows]) - seen
    non_people = set(holdout["patient_id"].iloc[non_rows]) - seen
    assert (people.n_reference, people.n_non_members) == (len(ref_people), len(non_people))
    assert people.n_seen == len(set(holdout["patient_id"]) & seen)
    assert people.non_member_rows == holdout["patient_id"].isin(non_people).sum()
    if by is None:  # seen people among the row level's reference rows: a reference of fresh people, searched here
        assert people.n_seen > 0 and searched == [holdout["patient_id"].isin(ref_people).sum()] * 2
        return
    assert people.n_seen == 0 and searched == []
    # the distances read from the row level's isolation search (every training row, every non-member row) are
    # those a search of the scored rows alone gives
    d_train, d_non = inputs.isolation()
    assert inputs.people is not None
    m_rows = np.flatnonzero(np.isin(inputs.people.train, people_module._members(inputs.people, 500, 0)))
    assert people.member_rows == len(m_rows) < len(train)
    x_ref = inputs.encoded("holdout")[ref_rows]
    np.testing.assert_array_equal(d_train[m_rows], search(inputs.encoded("train")[m_rows], x_ref, 1)[0][:, 0])
    np.testing.assert_array_equal(d_non, search(inputs.encoded("holdout")[non_rows], x_ref, 1)[0][:, 0])


def test_a_row_split_holdout_leaves_too_few_fresh_people_and_says_so() -> None:
    frame = visits(60, 8, seed=4)
    train, holdout = synth.split(frame, 0.3, seed=0)  # by row: every holdout person has visits in train
    result = _run(train, holdout, visits(60, 8, seed=5, first=10**5))
    assert result.people is None
    (why,) = [w for w in result.not_run if w.startswith("Membership over people")]
    assert "synth.split(table, by='patient_id')" in why


def test_a_person_column_the_tables_lack_is_refused(table) -> None:  # type: ignore[no-untyped-def]
    train, holdout, fresh = table
    with pytest.raises(PrivacyInputError, match="'customer' is not in the train and holdout"):
        PrivacyInputs(train, holdout, fresh, SCHEMA, person_column="customer")
    inputs = PrivacyInputs(train.drop(columns="patient_id"), holdout, fresh, SCHEMA.select(["age", "cost"]))
    with pytest.raises(PrivacyInputError, match="No person column"):
        person_membership(inputs)


@settings(max_examples=100, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d"])), min_size=2, max_size=30),
    cut=st.integers(1, 29),
)
def test_person_codes_match_exactly_when_the_people_do(values: list[str | None], cut: int) -> None:
    cut = min(cut, len(values) - 1)
    frame = pd.DataFrame({"who": values, "x": range(len(values))})
    rows = person_rows(frame.iloc[:cut], frame.iloc[cut:], Schema((ColumnSpec("who", ColumnKind.IDENTIFIER),)), "who")
    assert rows is not None
    codes = np.concatenate([rows.train, rows.holdout])
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            same = i == j or (a is not None and a == b)  # a missing person is only itself
            assert (codes[i] == codes[j]) == same


@settings(max_examples=100, deadline=None)
@given(
    people=st.lists(st.integers(0, 6), min_size=1, max_size=40),
    seed=st.integers(0, 2**16),
)
def test_a_person_scores_their_best_row_and_their_mean_whatever_the_row_order(people: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    codes = np.asarray(people)
    scores = rng.normal(size=len(codes))
    best, mean = by_person(scores, codes)
    order = rng.permutation(len(codes))
    again = by_person(scores[order], codes[order])
    np.testing.assert_allclose(best, again[0]) and np.testing.assert_allclose(mean, again[1])
    for k, person in enumerate(np.unique(codes)):
        mine = scores[codes == person]
        assert best[k] == mine.max() and np.isclose(mean[k], mine.mean())
    assert np.all(best >= mean - 1e-12)


def evaluate_copies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copy: Callable[[pd.DataFrame], pd.DataFrame]
) -> list[str]:
    """Train, holdout (split by patient) and a synthetic table of ``copy(train)`` filled up with fresh people,
    written as CSV in ``tmp_path`` (the working directory from then on): the ``synth evaluate`` arguments for them."""
    train, holdout = synth.split(visits(300, 6, seed=1), 0.3, seed=0, by="patient_id")
    synthetic = _fill(train, copy(train), visits(300, 6, seed=2, first=10**5))
    for name, frame in (("train", train), ("holdout", holdout), ("syn", synthetic)):
        frame.to_csv(tmp_path / f"{name}.csv", index=False)
    monkeypatch.chdir(tmp_path)
    return ["evaluate", "train.csv", "syn.csv", "--holdout", "holdout.csv", "--no-attacks", "-o", "out.json"]


def test_synth_evaluate_prints_and_writes_membership_over_rows_and_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from synth.cli import main

    def half_the_people(train: pd.DataFrame) -> pd.DataFrame:
        ids = train["patient_id"].unique()
        return train[train["patient_id"].isin(np.random.default_rng(0).choice(ids, len(ids) // 2, replace=False))]

    assert main(evaluate_copies(tmp_path, monkeypatch, half_the_people)) == 0
    err = capsys.readouterr().err
    membership = json.loads((tmp_path / "out.json").read_text())["summary"]["membership"]
    people = membership["people"]
    assert people["column"] == "patient_id" and people["auc"] > 0.65 and people["advantage_low"] > 0.2
    (rows_line,) = [x for x in err.splitlines() if "membership over rows (a member is a training row)" in x]
    (people_line,) = [x for x in err.splitlines() if "membership over people (a member is a patient_id" in x]
    assert f"AUC {people['auc']:.3f}" in people_line and f"AUC {membership['rows']['auc']:.3f}" in rows_line


def test_the_report_states_membership_over_people_beside_the_rows(table) -> None:  # type: ignore[no-untyped-def]
    from synth.evaluation.privacy.distances import evaluate_privacy
    from synth.report.evaluation import EvaluationSettings, TableEvaluation
    from synth.report.sections import _Figures, _privacy_section

    train, holdout, fresh = table
    ids = train["patient_id"].unique()
    copied = train[train["patient_id"].isin(np.random.default_rng(0).choice(ids, len(ids) // 2, replace=False))]
    synthetic = _fill(train, copied, fresh)
    inputs = PrivacyInputs(train, holdout, synthetic, SCHEMA, seed=0)
    privacy = evaluate_privacy(train, synthetic, holdout=holdout, inputs=inputs)
    ev = TableEvaluation(None, None, None, privacy, None, None, tuple(SCHEMA.names), EvaluationSettings())
    people = privacy.membership.people if privacy.membership else None
    assert people is not None and people.headline is not None
    assert ev.headline()["membership_auc_people"] == people.headline.auc.value > 0.65
    html = _privacy_section(ev, _Figures())
    assert "<b>Membership over people</b> (a member is a patient_id with any row in training" in html
    assert f"AUC {people.headline.auc.value:.3f}" in html


def _households(tmp_path: Path) -> None:
    """The CSVs :func:`evaluate_copies` wrote, their person named by a plain number column (``household``) that no
    finder reads as a person: only ``--by`` can say whose row each row is."""
    for name in ("train", "holdout", "syn"):
        frame = pd.read_csv(tmp_path / f"{name}.csv")
        frame["household"] = frame.pop("patient_id").str[1:].astype(int)
        frame.to_csv(tmp_path / f"{name}.csv", index=False)


def test_synth_evaluate_by_names_the_person_the_finder_cannot_see(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from synth.cli import main

    def half_the_people(train: pd.DataFrame) -> pd.DataFrame:
        ids = train["patient_id"].unique()
        return train[train["patient_id"].isin(np.random.default_rng(0).choice(ids, len(ids) // 2, replace=False))]

    args = evaluate_copies(tmp_path, monkeypatch, half_the_people)
    _households(tmp_path)
    assert main([*args, "--overwrite"]) == 0  # found alone: no person, so no person-level figure
    assert json.loads((tmp_path / "out.json").read_text())["summary"]["membership"]["people"] is None
    assert main([*args, "--overwrite", "--by", "household"]) == 0
    people = json.loads((tmp_path / "out.json").read_text())["summary"]["membership"]["people"]
    assert people["column"] == "household" and people["auc"] > 0.65
    assert "membership over people (a member is a household" in capsys.readouterr().err


def test_synth_evaluate_by_a_column_the_tables_lack_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from synth.cli import main

    args = evaluate_copies(tmp_path, monkeypatch, lambda train: train.head(0))
    assert main([*args, "--by", "patient"]) != 0
    err = capsys.readouterr().err
    assert "--by patient: no such column in train.csv and holdout.csv" in err and "patient_id" in err
    assert not (tmp_path / "out.json").exists()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_shadow_fits_take_whole_people_and_catch_a_memorising_model(seed: int) -> None:
    """The shadow-model attack refitted the synthesizer on reference rows split row by row, without the person
    column: a patient's visits fell on both sides of a shadow split and the meta-classifier learned a signal the
    real targets (split by person) never show. On 600 people of 8 visits, a memorising CART (one row per leaf,
    no smoothing) read AUC 0.510 (95% 0.489–0.531) at seed 0, not caught. Split by person and refitted with
    the person column, as the real fit was, it is caught at every seed."""
    from synth.evaluation.privacy.shadow import SHADOW_PERSON

    train, holdout = synth.split(visits(600, 8, seed=10 + seed), 0.3, seed=seed, by="patient_id")
    model = synth.create("cart", min_samples_leaf=1, smooth_below=0, random_state=seed)
    model.fit(train, SCHEMA, person_column="patient_id")
    syn = model.sample(len(train), seed=seed)
    inputs = PrivacyInputs(train, holdout, syn, SCHEMA, seed=seed, synthesizer=("cart", model.get_params()))
    attack = membership_inference(train, syn, holdout=holdout, inputs=inputs, shadow=True).get("shadow_model")
    assert attack is not None and attack.auc.low > 0.5, attack
    assert "whole people" in attack.detail and SHADOW_PERSON not in attack.detail
    assert "shadow fits of Sequential CART on about" in attack.detail  # its label, never the registry name "cart"


@settings(max_examples=60, deadline=None)
@given(
    persons=st.lists(st.integers(0, 6), min_size=4, max_size=40),
    seed=st.integers(0, 2**16),
)
def test_a_shadow_rows_nearest_other_row_is_never_its_own_persons(persons: list[int], seed: int) -> None:
    """The distance a shadow row is scored by is to the nearest out row of another person (brute force agrees),
    as a real non-member's nearest reference row is never its own; without people, to the nearest other row."""
    from synth.evaluation.privacy.shadow import _nearest_other

    rng = np.random.default_rng(seed)
    codes = np.array(persons)
    x = rng.normal(size=(len(codes), 3))
    outside = np.sort(rng.choice(len(codes), len(codes) // 2, replace=False))
    got = _nearest_other(x, outside, codes)
    full = np.linalg.norm(x[:, None, :] - x[outside][None, :, :], axis=2)
    for row in range(len(codes)):
        others = full[row][codes[outside] != codes[row]]
        if len(others):
            assert got[row] == pytest.approx(others.min(), rel=1e-4, abs=1e-5)
    plain = _nearest_other(x, outside, None)
    for row in range(len(codes)):
        rest = full[row][outside != row]
        assert plain[row] == pytest.approx(rest.min(), rel=1e-4, abs=1e-5)
