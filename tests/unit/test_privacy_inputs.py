"""Prepare once: one PrivacyInputs shares its schema, tables, encoders and neighbour searches across the distance
panel, the membership attacks, the WP216 attacks and the inspector; every category gets its own code; bad input
gets a clear message."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

import synth
import synth.evaluation.privacy.neighbors as neighbors
from synth.evaluation.privacy.attacks import evaluate_attacks, membership_inference
from synth.evaluation.privacy.common import PrivacyInputError
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.inspector import inspect_record
from synth.evaluation.privacy.neighbors import MixedEncoder, euclidean_neighbors


@pytest.fixture(scope="module")
def split_small(adult_small: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return synth.split(adult_small, 0.3, seed=0)


def test_every_step_runs_once_per_context(
    split_small: tuple[pd.DataFrame, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    train, holdout = split_small
    syn = train.sample(frac=1.0, random_state=2, replace=True).reset_index(drop=True)
    fits = []
    original = MixedEncoder.fit.__func__  # type: ignore[attr-defined]

    def counting_fit(cls: type[MixedEncoder], *args: object, **kwargs: object) -> MixedEncoder:
        fits.append(1)
        return original(cls, *args, **kwargs)  # type: ignore[no-any-return]

    monkeypatch.setattr(MixedEncoder, "fit", classmethod(counting_fit))
    inputs = PrivacyInputs(train, holdout, syn)  # schema inferred here, once
    for _ in range(2):  # every consumer, twice: nothing is prepared again
        synth.evaluate_privacy(train, syn, holdout=holdout, inputs=inputs)
        membership_inference(train, syn, holdout=holdout, inputs=inputs)
        evaluate_attacks(train, syn, holdout=holdout, inputs=inputs, n_attacks=200)
        inspect_record(train, syn, 3, holdout=holdout, inputs=inputs)
    assert len(fits) == 1, "the Euclidean encoder is fitted once per context"
    runs = inputs.runs
    assert runs["schema"] == 1 and runs["prepare_tables"] == 1
    assert runs["mixed_encoder"] == runs["gower_encoder"] == runs["query_encoder"] == 1
    assert runs["encode"] == 3, "train, holdout and synthetic are each encoded once"
    assert runs["target_features"] == 1 and runs["isolation"] == 1
    # three distinct searches: synthetic → train, holdout → train, synthetic → holdout
    assert runs["neighbors"] == 3
    # Gower searches: linkability's two groups for train and holdout targets (4); the inference attack's own, which
    # keeps every synthetic row tied nearest, for train and holdout targets, everyone and the rare (4)
    assert runs["gower_nearest"] == 4 and runs["guess_shares"] == 4


def test_shared_inputs_give_the_same_numbers_as_separate_calls(split_small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, holdout = split_small
    syn = train.sample(frac=1.0, random_state=3, replace=True).reset_index(drop=True)
    schema = synth.infer_schema(train)
    inputs = PrivacyInputs(train, holdout, syn, schema)
    shared = synth.evaluate_privacy(train, syn, holdout=holdout, inputs=inputs)
    alone = synth.evaluate_privacy(train, syn, holdout=holdout, schema=schema)
    assert shared.to_dict() == alone.to_dict()
    a = evaluate_attacks(train, syn, holdout=holdout, inputs=inputs, n_attacks=200)
    b = evaluate_attacks(train, syn, holdout=holdout, schema=schema, n_attacks=200)
    assert a.to_dict() == b.to_dict()


# ----------------------------------------------------------------------------------------- every category
def _wide(n: int, seed: int, prefix: str = "c") -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "code": [f"{prefix}{int(v)}" for v in rng.zipf(1.3, n) % 3000],
            "x": rng.normal(size=n),
        }
    )


def test_every_category_is_encoded_and_an_unseen_value_is_not_a_rare_one() -> None:
    train = _wide(3000, 0)
    holdout = pd.DataFrame({"code": ["never_in_train"] * 150, "x": np.zeros(150)})
    schema = synth.infer_schema(train)
    enc = MixedEncoder.fit(train, schema, (holdout,))
    cats = dict(enc.categorical)["code"]
    assert set(train["code"]) | {"never_in_train"} <= set(cats), "no category is lumped into 'other'"
    rare = train["code"].value_counts()
    rare_value = rare.index[-1]
    one_rare = pd.DataFrame({"code": [rare_value], "x": [0.0]})
    kinds = schema.kinds()
    d, _ = euclidean_neighbors(enc.transform(holdout.iloc[:1], kinds), enc.transform(one_rare, kinds), 1)
    assert d[0, 0] == pytest.approx(1.0), "an unseen value differs from a rare training value by a full mismatch"


def test_sparse_and_dense_encodings_give_the_same_neighbours(monkeypatch: pytest.MonkeyPatch) -> None:
    train, queries = _wide(800, 1), _wide(200, 2)
    schema = synth.infer_schema(train)
    enc = MixedEncoder.fit(train, schema, (queries,))
    kinds = schema.kinds()
    dense = euclidean_neighbors(enc.transform(queries, kinds), enc.transform(train, kinds), 3)
    monkeypatch.setattr(neighbors, "MAX_DENSE_WIDTH", 0)
    xq, xt = enc.transform(queries, kinds), enc.transform(train, kinds)
    assert sparse.issparse(xq) and sparse.issparse(xt)
    wide = euclidean_neighbors(xq, xt, 3)
    np.testing.assert_allclose(wide[0], dense[0], atol=1e-6)


# ------------------------------------------------------------------------------------------------ bad input
def test_bad_inputs_get_a_message_each(split_small: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    train, holdout = split_small
    schema = synth.infer_schema(train)
    with pytest.raises(PrivacyInputError, match="at least 100"):
        PrivacyInputs(train, holdout.iloc[:99], train, schema)
    with pytest.raises(PrivacyInputError, match="no rows"):
        PrivacyInputs(train, holdout, train.iloc[:0], schema)
    extra = train.assign(made_up=1)
    inputs = PrivacyInputs(train, holdout, extra, schema)
    assert any("'made_up'" in n and "lacks" in n for n in inputs.notes)
    assert "made_up" not in inputs.columns
    empty = train.assign(age=np.nan)
    inputs = PrivacyInputs(empty, holdout, train, schema)
    assert any("'age'" in n and "no values" in n for n in inputs.notes) and "age" not in inputs.columns
    one = synth.infer_schema(train[["age"]])
    result = synth.evaluate_privacy(train[["age"]], train[["age"]], holdout=holdout[["age"]], schema=one)
    assert result.columns == ("age",) and result.exact_copy_rate == 1.0 and result.membership is not None
    with pytest.raises(PrivacyInputError, match="nothing to compare"):
        PrivacyInputs(train[["age"]].assign(age=np.nan), holdout[["age"]], train[["age"]], one)
