"""The default ML target and the task of a target: a class named like an outcome first, 0/1 flags classified."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.utility.glm import compare_glm
from synth.evaluation.utility.targets import (
    candidate_targets,
    coded_target_note,
    default_target,
    is_flag,
    task_of,
)
from synth.evaluation.utility.tstr import evaluate_utility
from synth.schema import ColumnKind, ColumnSpec, Schema
from tests.conftest import SHARED_DATASETS


def schema_of(**kinds: ColumnKind) -> Schema:
    return Schema(tuple(ColumnSpec(name, kind) for name, kind in kinds.items()))


def messy_table(n: int = 1_000, seed: int = 0) -> pd.DataFrame:
    """The shape of the messy customer table: identifiers, PII, dates, numbers, a channel, a rare 0/1 fraud flag
    and notes last (short free-text labels, one with a line break, 19% missing)."""
    rng = np.random.default_rng(seed)
    notes = rng.choice(["ok", "wrong size\nreturned", "refund pending; called twice", "would buy again"], n)
    age = rng.integers(18, 90, n)
    return pd.DataFrame(
        {
            "customer_id": [f"C{100_000 + i}" for i in range(n)],
            "email": [f"person{i}@mail.org" for i in range(n)],
            "signup_date": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 700, n), unit="D"),
            "age": age,
            "income": rng.lognormal(10.5, 0.6, n).round(2),
            "channel": rng.choice(["retail", "online", "partner"], n),
            "fraud": (rng.random(n) < np.where(age < 30, 0.15, 0.02)).astype(int),
            "notes": np.where(rng.random(n) < 0.19, None, notes),
        }
    )


def test_the_messy_table_predicts_fraud_not_its_notes() -> None:
    table = messy_table()
    schema = synth.infer_schema(table)
    assert default_target(schema) == "notes", "without the rows: the last categorical column, as before"
    assert default_target(schema, data=table) == "fraud"
    assert task_of(schema, "fraud", table["fraud"]) == "classification"
    assert task_of(schema, "fraud") == "regression", "the 0/1 values are needed to call it a flag"


@pytest.mark.parametrize(
    ("name", "target", "task"),
    [
        ("adult", "income", "classification"),
        ("bank_marketing", "y", "classification"),
        ("bike_sharing_hourly", "cnt", "regression"),  # holiday, workingday and yr are 0/1 flags named otherwise
        ("california_housing", "ocean_proximity", "classification"),  # median_income is a number, not a class
    ],
)
def test_the_benchmark_tables_keep_their_targets(name: str, target: str, task: str) -> None:
    """The README quotes TSTR figures for these targets: the rule must not move them."""
    path = SHARED_DATASETS / f"{name}.csv"
    if not path.exists():
        pytest.skip("shared datasets not present")
    table = pd.read_csv(path)
    schema = synth.infer_schema(table)
    assert default_target(schema) == target
    assert default_target(schema, data=table) == target
    assert task_of(schema, target, table[target]) == task


def test_a_sparse_free_text_last_column_falls_back_to_an_earlier_class() -> None:
    rng = np.random.default_rng(1)
    n = 500
    comments = [f"customer {i} wrote to us about the {w} of the parcel" for i, w in enumerate(rng.integers(0, 9, n))]
    table = pd.DataFrame(
        {
            "plan": rng.choice(["basic", "plus", "pro"], n),
            "spend": rng.gamma(2.0, 40.0, n),
            "comment": np.where(rng.random(n) < 0.3, None, rng.choice(comments[:8], n)),
        }
    )
    schema = schema_of(plan=ColumnKind.CATEGORICAL, spend=ColumnKind.CONTINUOUS, comment=ColumnKind.CATEGORICAL)
    assert default_target(schema) == "comment"
    assert default_target(schema, data=table) == "plan"


@pytest.mark.parametrize(
    ("last", "why"),
    [
        (["a", "b\nc"] * 100, "a label with a line break"),
        (["short", "x" * 51] * 100, "a label over 50 characters"),
        ([None] * 12 + ["a", "b"] * 94, "6% missing"),
        ([f"level {i}" for i in range(21)] * 10, "21 levels"),
        (["only"] * 200, "one level"),
    ],
)
def test_the_last_categorical_column_must_look_like_a_class(last: list[str | None], why: str) -> None:
    n = len(last)
    # plan drawn at random: alternating as the last column does, the two gave each other away (given_away)
    plan = np.random.default_rng(n).choice(["basic", "pro"], n)
    table = pd.DataFrame({"plan": plan, "spend": np.arange(n, dtype=float), "last": last})
    schema = schema_of(plan=ColumnKind.CATEGORICAL, spend=ColumnKind.CONTINUOUS, last=ColumnKind.CATEGORICAL)
    assert default_target(schema, data=table) == "plan", why
    fine = table.assign(last=["a", "b"] * (n // 2))
    assert default_target(schema, data=fine) == "last"


@pytest.mark.parametrize(
    ("name", "outcome"),
    [
        ("isFraud", True),
        ("Survived", True),
        ("customer-churn", True),
        ("target class", True),
        ("y", True),
        ("Label", True),
        ("q1_satisfied", True),
        ("CustomerSatisfaction", True),
        ("ausfall", True),  # German, French, Spanish, Italian, Dutch
        ("Kündigung", True),
        ("fraude", True),
        ("impago", True),
        ("wanbetaling", True),
        ("workclass", False),  # one word, not "class"
        ("poutcome", False),
        ("yes_no", False),
    ],
)
def test_a_class_named_like_an_outcome_wins(name: str, outcome: bool) -> None:
    n = 200
    # region drawn at random: alternating as the flag does, each gave the other away (given_away)
    region = np.random.default_rng(n).choice(["north", "south"], n)
    table = pd.DataFrame({name: [0, 1] * (n // 2), "region": region, "spend": np.arange(n)})
    schema = synth.infer_schema(table)
    assert default_target(schema, data=table) == (name if outcome else "region")


def test_a_number_named_like_an_outcome_is_no_class() -> None:
    n = 200
    table = pd.DataFrame({"region": ["north", "south"] * (n // 2), "income": np.linspace(1e4, 9e4, n)})
    assert default_target(synth.infer_schema(table), data=table) == "region"
    coded = table.assign(income=[1, 2, 3, 4] * (n // 4))  # a whole number, but codes, not 0/1
    assert default_target(synth.infer_schema(coded), data=coded) == "region"


def test_a_flag_is_exactly_0_and_1_missing_values_aside() -> None:
    assert is_flag(pd.Series([0, 1, 1, 0]))
    assert is_flag(pd.Series([0.0, 1.0, np.nan]))
    assert is_flag(pd.Series([0, 1, None], dtype="Int64"))
    assert not is_flag(pd.Series([0, 0, np.nan])), "one value: nothing to contrast"
    assert not is_flag(pd.Series([1, 2, 1]))
    assert not is_flag(pd.Series([0, 1, 2]))
    assert not is_flag(pd.Series([0.0, 0.5, 1.0]))
    assert not is_flag(pd.Series(["no", "yes"]))


@pytest.fixture(scope="module")
def flagged() -> tuple[pd.DataFrame, pd.DataFrame, synth.Schema]:
    rng = np.random.default_rng(2)
    n = 1_200
    x = rng.normal(0, 1, n)
    table = pd.DataFrame(
        {
            "x": x,
            "z": rng.normal(0, 1, n),
            "flag": (rng.random(n) < 1 / (1 + np.exp(-2 * x))).astype(int),
            "season": rng.integers(1, 5, n),
        }
    )
    train, holdout = synth.split(table, 0.3, seed=0)
    return train, holdout, synth.infer_schema(table)


def test_a_0_1_target_is_classified_with_classes_0_and_1(flagged: tuple[pd.DataFrame, pd.DataFrame, Schema]) -> None:
    train, holdout, schema = flagged
    assert schema["flag"].kind is ColumnKind.DISCRETE
    assert coded_target_note(schema, train, "flag") is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = evaluate_utility(train, train.copy(), holdout, target="flag", schema=schema, n_bootstrap=0)
        glm = compare_glm(train, train.copy(), target="flag", holdout=holdout, schema=schema)
    assert res.task == "classification" and res.headline.metric == "roc_auc"
    assert res.classes == ("0", "1") and res.positive_class == "1"
    assert res.headline.trtr > 0.75  # x predicts it
    assert glm.family == "logistic" and glm.positive_class == "1"
    x = next(c for c in glm.coefficients if c.term == "x")
    assert x.real > 0


def test_a_0_1_target_with_missing_values_reads_0_and_1(flagged: tuple[pd.DataFrame, pd.DataFrame, Schema]) -> None:
    train, holdout, schema = flagged
    gappy = train.assign(flag=train["flag"].astype(float).mask(np.arange(len(train)) % 10 == 0))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = evaluate_utility(gappy, train.copy(), holdout, target="flag", schema=schema, n_bootstrap=0)
    assert res.task == "classification" and res.classes == ("0", "1")
    assert res.n_train == int(gappy["flag"].notna().sum())


def test_a_code_target_keeps_its_note_and_its_regression(flagged: tuple[pd.DataFrame, pd.DataFrame, Schema]) -> None:
    train, holdout, schema = flagged
    note = coded_target_note(schema, train, "season")
    assert note is not None and note.startswith("season is a code with 4 values modelled as a number")
    assert "categorical on Data" in note and "0/1" not in note
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = evaluate_utility(train, train.copy(), holdout, target="season", schema=schema, n_bootstrap=0)
        glm = compare_glm(train, train.copy(), target="season", holdout=holdout, schema=schema)
    assert res.task == "regression" and res.headline.metric == "r2"
    assert glm.family == "linear"
    assert coded_target_note(schema, train, "x") is None
    two_codes = train.assign(season=train["flag"] + 1)  # 1/2: two values, but codes, not a 0/1 flag
    assert str(coded_target_note(schema, two_codes, "season")).startswith("season is a code with 2 values")
    assert task_of(schema, "season", two_codes["season"]) == "regression"


KINDS = [ColumnKind.CATEGORICAL, ColumnKind.BOOLEAN, ColumnKind.CONTINUOUS, ColumnKind.DISCRETE,
         ColumnKind.DATETIME, ColumnKind.IDENTIFIER, ColumnKind.TEXT]  # fmt: skip
VALUES = st.one_of(st.none(), st.integers(-2, 25), st.sampled_from(["a", "b", "c\nd", "x" * 60, "0", "1"]))


@st.composite
def tables(draw: st.DrawFn) -> tuple[Schema, pd.DataFrame | None, list[str] | None]:
    names = draw(st.lists(st.sampled_from(["y", "fraud", "notes", "age", "plan", "isChurn", "id"]), unique=True))
    kinds = [draw(st.sampled_from(KINDS)) for _ in names]
    schema = Schema(tuple(ColumnSpec(n, k) for n, k in zip(names, kinds, strict=True)))
    rows = draw(st.integers(0, 30))
    data = pd.DataFrame({n: draw(st.lists(VALUES, min_size=rows, max_size=rows)) for n in names}, dtype=object)
    numbers = {n: pd.to_numeric(data[n], errors="coerce") for n, k in zip(names, kinds, strict=True) if k.is_numeric}
    data = data.assign(**numbers)
    columns = draw(st.one_of(st.none(), st.lists(st.sampled_from(names), unique=True) if names else st.just([])))
    return schema, (data if draw(st.booleans()) else None), columns


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_the_default_is_a_candidate_and_none_only_without_candidates(
    case: tuple[Schema, pd.DataFrame | None, list[str] | None],
) -> None:
    schema, data, columns = case
    candidates = candidate_targets(schema, columns)
    target = default_target(schema, columns, data=data)
    assert (target is None) == (not candidates)
    assert target is None or target in candidates


def test_a_report_predicts_the_flag_an_analyst_means() -> None:
    from synth.report import EvaluationSettings
    from synth.report.evaluation import evaluate_table

    table = messy_table(800)
    schema = synth.infer_schema(table)
    train, holdout = synth.split(table, holdout=0.3, seed=0)
    light = EvaluationSettings(
        headline=False, n_bootstrap=0, detection=False, attacks=False, membership_targets=100, utility_rows=500
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = evaluate_table(train, train.copy(), holdout, schema=schema, settings=light)
    assert result.utility is not None, result.errors
    assert result.utility.target == "fraud" and result.utility.task == "classification"


def test_a_class_another_column_gives_away_is_not_the_default_target() -> None:
    """The survey walk table's q3_uses_app is "Yes" exactly where q5_app_frequency is filled in: as the default
    target every ML score read 1.000 (session 25's walk). By a category's value or a column's missingness."""
    from benchmarks.walk_tables import survey
    from synth.evaluation.utility.targets import default_target, given_away

    table = survey()
    schema = synth.infer_schema(table)
    assert given_away(table, "q3_uses_app", schema) in ("q4_app_rating", "q5_app_frequency")  # asked of app users
    assert default_target(schema, None, table) not in (None, "q3_uses_app")

    rng = np.random.default_rng(0)
    plan = rng.choice(["basic", "plus", "pro"], 400)
    frame = pd.DataFrame(
        {
            "plan": plan,
            "tier": np.where(plan == "basic", "free", "paid"),  # fixed by the plan
            "x": rng.normal(size=400),
            "churn": rng.choice(["yes", "no"], 400),  # an outcome no column fixes
        }
    )
    frame_schema = synth.infer_schema(frame)
    assert given_away(frame, "tier", frame_schema) == "plan"
    assert given_away(frame, "churn", frame_schema) is None
    assert default_target(frame_schema, None, frame) == "churn"


def test_the_ml_default_prefers_a_class_whose_gap_can_be_judged() -> None:
    """The session-26 walk's shop orders: the ML checks defaulted to chargeback, 18 training and 6 holdout rows of
    Y, so every gap read "not judged" while express (a fifth of the rows) was there. Given the holdout, a class
    with at least MIN_CLASS_ROWS rows of each label in both tables is preferred; without it (the Rare events page,
    whose subject is a rare outcome) the last class stays the default; a column named as an outcome stays the
    default however rare."""
    from synth.evaluation.utility.targets import MIN_CLASS_ROWS, judged

    rng = np.random.default_rng(26)

    def orders(n: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "quantity": rng.integers(1, 6, n),
                "express": rng.choice(["yes", "no"], n, p=[0.2, 0.8]),
                "chargeback": rng.choice(["Y", "N"], n, p=[0.005, 0.995]),
            }
        )

    train, holdout = orders(4_000), orders(1_000)
    schema = synth.infer_schema(train)
    assert (holdout["chargeback"] == "Y").sum() < MIN_CLASS_ROWS <= (holdout["express"] == "yes").sum()
    assert default_target(schema, data=train) == "chargeback"
    assert default_target(schema, data=train, holdout=holdout) == "express"
    spec = {c.name: c for c in schema}
    assert judged(spec["express"], train, holdout) and not judged(spec["chargeback"], train, holdout)
    # Only rare classes: the last one, as before (a default is still shown, its gap said to be not judged).
    rare_only = train.drop(columns="express")
    assert default_target(synth.infer_schema(rare_only), data=rare_only, holdout=holdout) == "chargeback"
    # Named as the outcome: kept.
    named = train.rename(columns={"chargeback": "fraud"})
    assert (
        default_target(synth.infer_schema(named), data=named, holdout=holdout.rename(columns={"chargeback": "fraud"}))
        == "fraud"
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    train=st.lists(st.sampled_from(["a", "b", "c", 1, 2]), max_size=120),
    test=st.lists(st.sampled_from(["a", "b", "c", "1", 2, None]), max_size=120),
)
def test_the_rarest_short_class_is_the_one_class_counted_by_hand(train: list[object], test: list[object]) -> None:
    """The ML default (targets.judged) and the TSTR card (tstr.RareClass) ask one question, whether some training
    label has fewer than MIN_CLASS_ROWS rows in training or the test rows: for every pair of label lists the answer
    is what counting by hand says, labels compared as text (1 and "1" are one class), missing test labels ignored,
    and the class named has the fewest rows on its rarer side (ties to the label that sorts first)."""
    from synth.evaluation.utility.targets import MIN_CLASS_ROWS, rarest_short_class

    # Enough rows that a class can clear the bar: each list is repeated so counts cross MIN_CLASS_ROWS.
    train, test = train * 3, test * 3
    text_train = [str(v) for v in train]
    text_test = [str(v) for v in test if v is not None]
    by_hand = {label: (text_train.count(label), text_test.count(label)) for label in set(text_train)}
    short = {label: sides for label, sides in by_hand.items() if min(sides) < MIN_CLASS_ROWS}
    found = rarest_short_class(train, test)
    if not short:
        assert found is None
        return
    assert found is not None
    label, train_rows, test_rows = found
    assert (train_rows, test_rows) == by_hand[label]
    assert min(by_hand[label]) == min(min(sides) for sides in by_hand.values())
    assert label == min(lab for lab, sides in by_hand.items() if min(sides) == min(by_hand[label]))


@settings(max_examples=100, deadline=None)
@given(
    st.permutations(["Strongly disagree", "Disagree", "Agree", "Strongly agree", "not approved", "approved", ">50K"])
)
def test_favourable_labels_come_first_in_their_order_and_nothing_is_lost(levels: list[str]) -> None:
    """Whatever the order (rarest first), the labels that read favourable lead in that order, then the others in
    theirs; "Disagree" and "not approved" are not favourable."""
    from synth.evaluation.utility.targets import favourable_first

    out = favourable_first(levels)
    favourable = {"Agree", "Strongly agree", "approved"}
    assert sorted(out) == sorted(levels)
    assert set(out[: len(favourable)]) == favourable
    assert out[: len(favourable)] == [v for v in levels if v in favourable]
    assert out[len(favourable) :] == [v for v in levels if v not in favourable]
    assert favourable_first([">50K", "<=50K"]) == [">50K", "<=50K"]  # no favourable word: the rarest stays first


@pytest.mark.parametrize(
    ("outcome", "levels", "first"),
    [
        ("fraud", [1, 0], 0),
        ("readmitted_30d", ["yes", "no"], "no"),
        ("Churn", [True, False], False),
        ("is_default", ["Y", "N"], "N"),
        ("readmitted", ["readmitted", "not readmitted"], "not readmitted"),
        ("approved", ["no", "yes"], "yes"),  # no adverse word: "yes" is favourable as before
        ("income", [">50K", "<=50K"], ">50K"),
        ("status", ["fraud", "ok"], "ok"),  # a label naming an adverse event is no favourable outcome
    ],
)
def test_an_adverse_outcome_offers_its_absence_as_favourable(outcome: str, levels: list, first: object) -> None:
    """The session-31 walk: the bias panel offered fraud = 1 and readmitted = yes as the favourable outcome."""
    from synth.evaluation.utility.targets import favourable_first

    out = favourable_first(levels, outcome)
    assert out[0] == first and sorted(map(str, out)) == sorted(map(str, levels))


def test_a_label_few_rows_hold_is_not_offered_first_unless_a_word_favours_it() -> None:
    """Session 32 walk (California): the bias panel's favourable outcome defaulted to ocean_proximity = ISLAND,
    4 of 16,512 training rows: every group's rate was 0.0x%, noise."""
    from synth.evaluation.utility.targets import MIN_FAVOURABLE_ROWS, favourable_first

    counts = {"ISLAND": 4, "NEAR BAY": 1_830, "NEAR OCEAN": 2_100, "INLAND": 5_200, "<1H OCEAN": 7_300}
    rarest_first = sorted(counts, key=counts.__getitem__)
    assert favourable_first(rarest_first)[0] == "ISLAND"  # without counts: as before
    out = favourable_first(rarest_first, "ocean_proximity", counts=counts)
    assert out == ["NEAR BAY", "NEAR OCEAN", "INLAND", "<1H OCEAN", "ISLAND"]
    # a word still decides: a rare "approved" and an adverse column's absence lead whatever their counts
    assert favourable_first(["approved", "pending"], counts={"approved": 3, "pending": 900})[0] == "approved"
    assert favourable_first([1, 0], "fraud", counts={1: 12, 0: 2_388}) == [0, 1]
    assert favourable_first([">50K", "<=50K"], counts={">50K": MIN_FAVOURABLE_ROWS, "<=50K": 900})[0] == ">50K"


@pytest.mark.parametrize(
    ("outcome", "levels", "first"),
    [
        ("ausfall", ["ja", "nein"], "nein"),  # an adverse event: its absence is favourable
        ("zufrieden", ["nein", "ja"], "ja"),
        ("fraude", ["oui", "non"], "non"),
        ("abandono", ["sí", "no"], "no"),
    ],
)
def test_the_favourable_label_is_read_in_other_languages(outcome: str, levels: list[str], first: str) -> None:
    """The walk's German loans table: ausfall (default) = nein is the favourable outcome of the bias panel, however
    the rows order or count the labels."""
    from synth.evaluation.utility.targets import favourable_first

    assert favourable_first(levels, outcome, {levels[0]: 500, levels[1]: 500})[0] == first
    assert favourable_first(levels[::-1], outcome, {levels[0]: 900, levels[1]: 100})[0] == first
