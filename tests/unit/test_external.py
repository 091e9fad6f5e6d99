"""Evaluating a synthetic table made by another tool: column checks and scores on what can be compared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
from synth.report import EvaluationSettings, ExternalTableError, check_columns, evaluate_external
from tests.conftest import SHARED_DATASETS

Split = tuple[pd.DataFrame, pd.DataFrame, synth.Schema]
PEERS = SHARED_DATASETS / "adult-peers"
LIGHT = EvaluationSettings(n_bootstrap=20, detection=False, utility=False, attacks=False, membership_targets=200)


def test_renamed_missing_extra_and_mistyped_columns_are_reported(
    split_small: Split,
) -> None:
    train, _, schema = split_small
    syn = train.sample(500, random_state=1).reset_index(drop=True)
    syn = syn.rename(columns={"education_num": "Education-Num"}).drop(columns=["fnlwgt"])
    syn["tool_id"] = range(len(syn))
    syn["age"] = syn["age"].astype(str)
    syn.loc[:9, "age"] = "unknown"  # 10 of 500 unreadable: kept
    syn["hours_per_week"] = "many"  # all unreadable: left out
    aligned, check = check_columns(train, syn, schema)
    assert check.renamed == (("Education-Num", "education_num"),)
    assert check.missing == ("fnlwgt",) and check.extra == ("tool_id",)
    issues = {t.column: t for t in check.type_issues}
    assert not issues["age"].dropped and issues["age"].n_unreadable == 10
    assert issues["hours_per_week"].dropped
    assert "fnlwgt" not in check.evaluated and "hours_per_week" not in check.evaluated
    assert list(aligned.columns) == list(check.evaluated)
    assert aligned["age"].isna().sum() == 10 and pd.api.types.is_numeric_dtype(aligned["age"])
    text = " ".join(check.messages())
    for word in ("'Education-Num' → 'education_num'", "lacks 1 real column", "fnlwgt", "tool_id", "left out"):
        assert word in text
    assert not check.complete


def test_no_shared_column_or_no_row_is_a_clear_error(split_small: Split) -> None:
    train, _, schema = split_small
    with pytest.raises(ExternalTableError, match="column names"):
        check_columns(train, pd.DataFrame({"a": [1, 2], "b": [3, 4]}), schema)
    with pytest.raises(ExternalTableError, match="no rows"):
        check_columns(train, train.iloc[:0], schema)


def test_a_copy_of_train_scores_as_a_leak_and_a_peer_table_does_not(
    split_small: Split,
) -> None:
    train, holdout, schema = split_small
    copy = evaluate_external(train, train.copy(), holdout, schema=schema, label="copy", settings=LIGHT)
    ev = copy.run.evaluation
    assert ev is not None and ev.privacy is not None
    assert ev.privacy.exact_copy_rate == 1.0 and ev.privacy_level == "red"
    assert copy.check.clean


@pytest.mark.skipif(not (PEERS / "adult_synthpop.csv.gz").exists(), reason="shared peer outputs not present")
def test_synthpop_output_with_hyphenated_names_is_scored(split_small: Split) -> None:
    train, holdout, schema = split_small
    syn = synth.read_table(PEERS / "adult_synthpop.csv.gz").sample(2000, random_state=0)
    result = evaluate_external(train, syn, holdout, schema=schema, label="synthpop", settings=LIGHT)
    assert result.check.complete and len(result.check.renamed) == 6
    ev = result.run.evaluation
    assert ev is not None and not ev.errors
    assert ev.quality is not None and ev.quality > 0.9
    assert result.run.row()["label"] == "synthpop"


def test_the_current_run_becomes_one_reproducible_race_row(
    split_small: Split,
) -> None:
    from synth.report.external import evaluate_run

    train, holdout, schema = split_small
    model = synth.create("independent", random_state=3).fit(train, schema)
    syn = model.sample(len(holdout), seed=7)
    result = evaluate_run(
        train, holdout, model, syn, sample_seed=7, schema=schema, fit_seconds=0.5, sample_seconds=0.1, settings=LIGHT
    )
    row = result.run
    assert row.model is model and row.sample_seed == 7 and row.fit_seconds == 0.5 and row.sample_seconds == 0.1
    assert row.label == model.label and row.contender.random_state == 3
    assert row.n_rows == len(syn) and row.evaluation is not None
    # Scored exactly as a table from another tool would be: the same evaluation, figure for figure.
    external = evaluate_external(train, syn, holdout, schema=schema, settings=LIGHT).run.evaluation
    assert external is not None
    assert row.evaluation.to_dict() == external.to_dict()
    # The row refits and resamples to the same table.
    again = row.contender
    refit = synth.create(again.name, random_state=again.random_state, **again.params).fit(train, schema)
    pd.testing.assert_frame_equal(refit.sample(len(holdout), seed=7), syn)


def test_the_current_run_is_scored_as_sampled_not_rounded_again() -> None:
    """HR table (session 18): Pruned CART keeps bonus_pct's draws unrounded (rounded to the recorded cents they
    could land on real rare values: ``cart_steps.safe_decimals``), but the report re-conformed its sample to the
    user's schema, cents and all: it scored another table than the one sampled (discriminator AUC 0.566 in the
    report, 0.585 on Compare) and its card's CSV SHA-256 did not match the downloaded file."""
    from synth.report.external import evaluate_run
    from synth.report.manifest import csv_sha256

    rng = np.random.default_rng(18)
    n = 1_500
    real = pd.DataFrame(
        {
            "bonus_pct": np.round(rng.gamma(2.0, 3.0, n), 2),
            "department": rng.choice(["Sales", "R&D", "HR", "IT"], n),
            "rating": np.round(rng.normal(3.4, 0.8, n), 1),
        }
    )
    schema = synth.infer_schema(real)
    assert schema["bonus_pct"].decimals == 2
    train, holdout = synth.split(real, holdout=0.2, seed=0)
    model = synth.create("pruned_cart", random_state=0).fit(train, schema)
    assert model.schema_["bonus_pct"].decimals is None, "the premise: this model keeps the draws unrounded"
    syn = model.sample(len(train), seed=1)
    result = evaluate_run(train, holdout, model, syn, sample_seed=1, schema=schema, settings=LIGHT)
    assert result.run.synthetic is not None
    pd.testing.assert_frame_equal(result.run.synthetic, syn)
    assert csv_sha256(result.run.synthetic) == csv_sha256(syn)
