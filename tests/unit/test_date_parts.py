"""Times of day and weekdays are compared as columns of their own: a synthetic table whose visits fall at any hour
of the day must not read "within noise of fresh real data", and fresh real rows still must."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import synth
from synth.evaluation.context import EvaluationContext
from synth.evaluation.date_parts import DatePart, part_of, patterned_parts
from synth.evaluation.fidelity.accuracy import evaluate_accuracy
from synth.evaluation.fidelity.detection import evaluate_detection
from synth.evaluation.fidelity.discriminator import evaluate_discriminator
from synth.evaluation.fidelity.headline import fidelity_headline, lagging_parts
from synth.schema import ColumnKind
from synth.synthesizers.people import FIND_PERSON


def _visits(n: int, seed: int, *, hours: tuple[int, int] = (8, 18), weekdays_only: bool = True) -> pd.DataFrame:
    """Clinic visits in opening hours on weekdays over two years, with a department and a stay."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2023-01-02") + pd.to_timedelta(rng.integers(0, 730, n), "D")
    if weekdays_only:  # move weekend visits to the Monday after
        days = days + pd.to_timedelta(np.where(days.dayofweek >= 5, 7 - days.dayofweek, 0), "D")
    minutes = rng.integers(hours[0] * 60, hours[1] * 60, n)
    dept = rng.choice(["A&E", "Cardiology", "Renal", "Oncology"], n, p=[0.4, 0.3, 0.2, 0.1])
    stay = np.where(dept == "A&E", rng.poisson(0.5, n), rng.poisson(4, n))
    return pd.DataFrame(
        {"visit_time": days + pd.to_timedelta(minutes, "min"), "department": dept, "length_of_stay": stay}
    )


def _any_hour(table: pd.DataFrame, seed: int) -> pd.DataFrame:
    """The same rows with each visit moved to a random time of its own day: every other column, the days and
    the weekdays unchanged (what a model that smooths a timestamp over whole weeks produces)."""
    rng = np.random.default_rng(seed)
    out = table.copy()
    out["visit_time"] = out["visit_time"].dt.normalize() + pd.to_timedelta(rng.integers(0, 1440, len(out)), "min")
    return out


@pytest.fixture(scope="module")
def tables() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    every = _visits(6000, seed=3)
    return every.iloc[:3000].reset_index(drop=True), every.iloc[3000:4500].reset_index(drop=True), every.iloc[4500:]


def test_a_table_at_any_hour_is_below_fresh_real_data_and_told_apart(tables) -> None:
    train, holdout, fresh = tables
    schema = synth.infer_schema(train)
    wrong = _any_hour(fresh.reset_index(drop=True), seed=1)
    context = EvaluationContext(train, wrong, holdout, schema, seed=0)
    assert [p.name for p in context.date_parts] == ["visit_time · time of day", "visit_time · day of week"]
    accuracy = evaluate_accuracy(context=context)
    # The timestamp's own 10 bins span weeks: on them alone the wrong hours are invisible.
    own = next(m for m in accuracy.columns if m.columns == ("visit_time",))
    assert own.reference is not None and own.accuracy > own.reference - 0.03
    worst = accuracy.columns[0]
    assert worst.columns == ("visit_time · time of day",)
    assert worst.reference is not None and worst.accuracy < worst.reference - 0.3
    assert accuracy.univariate.below_ceiling
    assert accuracy.as_good_as_holdout is False
    disc = evaluate_discriminator(context=context)
    assert disc.reference_auc is not None and disc.auc > disc.reference_auc + 0.2
    detection = evaluate_detection(train, wrong, holdout=holdout, schema=schema, context=context)
    assert detection.top_features[0].feature == "visit_time · time of day"
    head = fidelity_headline(accuracy, disc)
    assert head.level == "distinguishable"
    assert head.reasons[0].startswith("visit_time · time of day: accuracy")  # named first: its chart shows it
    assert [m.columns[0] for m in lagging_parts(accuracy)] == ["visit_time · time of day"]


def test_fresh_real_rows_with_the_same_parts_read_as_good_as_fresh_real_data(tables) -> None:
    train, holdout, fresh = tables
    context = EvaluationContext(train, fresh.reset_index(drop=True), holdout, synth.infer_schema(train), seed=0)
    assert len(context.date_parts) == 2
    accuracy = evaluate_accuracy(context=context)
    assert accuracy.as_good_as_holdout is True
    disc = evaluate_discriminator(context=context)
    assert disc.reference_auc is not None and abs(disc.auc - disc.reference_auc) < 0.06
    assert lagging_parts(accuracy) == []
    assert fidelity_headline(accuracy, disc).level == "as_good_as_real"


def test_parts_without_a_pattern_or_without_times_are_not_compared() -> None:
    spread = _visits(3000, seed=4, hours=(0, 24), weekdays_only=False)  # any hour, any day: no pattern
    schema = synth.infer_schema(spread)
    assert patterned_parts(spread, schema, schema.names) == ()
    dates = _visits(3000, seed=5)
    dates["visit_time"] = dates["visit_time"].dt.normalize()  # a date-only column has no time of day
    assert patterned_parts(dates, synth.infer_schema(dates), ["visit_time"]) == (DatePart("visit_time", "day of week"),)
    week = _visits(3000, seed=6)
    week["visit_time"] = pd.Timestamp("2024-03-04") + (week["visit_time"] - week["visit_time"].dt.normalize())
    week["visit_time"] += pd.to_timedelta(np.arange(3000) % 5, "D")  # five days: weekdays cannot repeat
    assert patterned_parts(week, synth.infer_schema(week), ["visit_time"]) == (DatePart("visit_time", "time of day"),)
    other = synth.infer_schema(pd.DataFrame({"n": np.arange(100)}))
    assert other["n"].kind is not ColumnKind.DATETIME
    assert patterned_parts(pd.DataFrame({"n": np.arange(100)}), other, ["n"]) == ()


def _customers(people: int, seed: int) -> pd.DataFrame:
    """Loan applications: each customer's one birth date (uniform over weekdays) on every application, customers born
    on a Saturday applying four times as often; application days on weekdays only (a real pattern)."""
    rng = np.random.default_rng(seed)
    born = pd.Timestamp("1950-01-01") + pd.to_timedelta(rng.integers(0, 18_000, people), "D")
    rows = np.repeat(np.arange(people), np.where(born.dayofweek == 5, 4, 1))
    days = pd.Timestamp("2023-01-02") + pd.to_timedelta(
        rng.integers(0, 104, len(rows)) * 7 + rng.integers(0, 5, len(rows)), "D"
    )
    return pd.DataFrame(
        {
            "customer": [f"K{p:05d}" for p in rows],
            "born": born[rows],
            "applied": days,
            "amount": rng.lognormal(9, 0.8, len(rows)).round(2),
        }
    )


def test_a_person_s_value_counts_once_when_looking_for_a_pattern() -> None:
    """Counted per row, the birth dates of people who repeat read as a weekday pattern (Compare charted a date of
    birth's weekday on a loans table); counted once per person they do not, and a real pattern stays one."""
    table = _customers(1_500, seed=0)
    schema = synth.infer_schema(table)
    per_row = patterned_parts(table, schema, ["born", "applied"])
    assert DatePart("born", "day of week") in per_row  # the trap: Saturday-born customers' repeats
    per_person = patterned_parts(table, schema, ["born", "applied"], "customer")
    assert per_person == (DatePart("applied", "day of week"),)
    assert patterned_parts(table, schema, ["born", "applied"], table["customer"]) == per_person
    # rows without a person each count: with every customer missing, the rows are read as before
    assert patterned_parts(table, schema, ["born", "applied"], pd.Series([None] * len(table))) == per_row
    # an evaluation context reads its person column the same way (the column found, or the one given)
    half = len(table) // 2
    for person in ("customer", FIND_PERSON):
        ctx = EvaluationContext(table.iloc[:half], table.iloc[half:], schema=schema, person_column=person)
        assert DatePart("born", "day of week") not in ctx.date_parts
    ctx = EvaluationContext(table, table, schema=schema, person_column=None)
    assert DatePart("born", "day of week") in ctx.date_parts


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=pd.Timestamp("1900-01-01").to_pydatetime(), max_value=pd.Timestamp("2200-01-01").to_pydatetime()
    )
)
def test_parts_are_the_hour_and_weekday_pandas_reads(moment) -> None:
    stamp = pd.Timestamp(moment)
    ns = np.array([float(stamp.value), np.nan])
    hours = part_of(ns, "time of day")
    expected = stamp.hour + stamp.minute / 60 + stamp.second / 3600 + stamp.microsecond / 3.6e9
    assert abs(hours[0] - expected) < 1e-6 and np.isnan(hours[1])
    assert part_of(ns, "day of week")[0] == stamp.dayofweek


def test_the_classifier_features_name_the_parts_and_encode_them_for_both_models(tables) -> None:
    train, holdout, _ = tables
    context = EvaluationContext(train, holdout, None, synth.infer_schema(train), seed=0)
    enc = context.encoder
    assert enc.feature_names == (*enc.columns, "visit_time · time of day", "visit_time · day of week")
    x = enc.tree_matrix(context.coerced("train"))
    assert x.shape[1] == len(enc.feature_names) == len(enc.categorical_mask)
    hours = x[:, enc.feature_names.index("visit_time · time of day")]
    assert hours.min() >= 8 and hours.max() < 18
    lin = enc.linear_matrix(context.coerced("train"))
    assert lin.shape[1] == sum(width for _, width in enc.linear_blocks())
