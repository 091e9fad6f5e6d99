"""A near-certain flag as the inference secret (the customer walk's ``fraud``: 0.5% of rows): its rare value must be
matched as its own class, else the control compares training and holdout targets of different fraud shares and
fresh real rows read red (``python -m benchmarks.bench_closeness`` measures the same over 40 seeds)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from benchmarks.bench_closeness import tables
from synth.evaluation.privacy.inference_risk import secret_classes
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.verdict_criteria import Thresholds, attack_verdict
from synth.evaluation.privacy.wp216 import inference
from synth.schema import ColumnKind


def test_a_flags_two_values_are_two_classes() -> None:
    reference = pd.Series(np.r_[np.zeros(995), np.ones(5)])
    main, control = secret_classes(pd.Series([0, 1, np.nan]), pd.Series([1, 0]), reference, ColumnKind.DISCRETE)
    assert main[0] != main[1] and main[2] not in (main[0], main[1])
    assert list(control) == [main[1], main[0]]


def test_a_value_that_fills_deciles_on_its_own_is_its_own_class() -> None:
    """Half the rows at exactly 50 and the rest spread around it: the deciles from the third to the seventh are all
    50, and one band held 50 with the values just above it."""
    rng = np.random.default_rng(0)
    reference = pd.Series(np.r_[rng.uniform(0, 50, 250), np.full(500, 50.0), rng.uniform(50, 100, 250)])
    main, _ = secret_classes(pd.Series([50.0, 55.0, 25.0]), pd.Series([50.0]), reference, ColumnKind.CONTINUOUS)
    assert len(set(main)) == 3


def _inference_light(seed: int, kind: str, known: tuple[str, ...]) -> tuple[str, list[float]]:
    train, holdout, syn, schema = tables(seed, kind)
    inputs = PrivacyInputs(train, holdout, syn, schema, person_column=None)
    results = [
        inference(train, syn, holdout=holdout, known=known, secret="fraud", schema=schema, inputs=inputs, rare_only=r)
        for r in (False, True)
    ]
    return attack_verdict("inference", "Inference", results, Thresholds().attack).level, [r.risk.value for r in results]


@pytest.mark.parametrize(("kind", "seed"), [("fresh", 1), ("pruned_cart", 15)])
def test_customers_that_leak_nothing_read_no_inference_risk_on_fraud(kind: str, seed: int) -> None:
    """Seeds that read red with the rare fraud value banded with the common one: fresh rows (an 84% risk on the people
    rare on country and age) and Pruned CART (80% and 74%; fresh rows read as high on other seeds)."""
    light, risks = _inference_light(seed, kind, ("country", "age"))
    assert light == "green", risks


def test_a_copy_of_train_still_reads_red_on_fraud() -> None:
    """An attacker who knows every other learned column finds each training customer's own row in a copy."""
    known = ("signup_date", "last_login", "country", "segment", "age", "balance_eur", "transactions", "churned")
    light, risks = _inference_light(0, "copy", known)
    assert light == "red" and max(risks) > 0.9, risks
