"""Singling out over people at the page's 80/20 split: fresh patients read green split after split, patients given
back do not.

The table is ``bench_singling_holdout --ratios``' visits: 1,600 training patients of 8 visits, 400 holdout patients
(80/20 by patient) and a synthetic table of 1,600 other patients of the same population. The beta's extrapolation read
it amber in 4 of 40 splits, all from the 3-column attack, whose stated error was smallest where its control read
lowest (:func:`~synth.evaluation.privacy.singling_pooled.control_method` says why); over people the attack now uses
the pooled control at every split, which read all 40 green.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synth.evaluation.privacy.attack_result import AttackResult
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.singling_pooled import control_method
from synth.evaluation.privacy.verdict_criteria import Thresholds, attack_verdict
from synth.evaluation.privacy.wp216 import singling_out
from tests.unit.test_people_membership import SCHEMA, visits

N_TRAIN, N_HOLDOUT, VISITS = 1_600, 400, 8
FRESH_SPLITS = range(20)
GIVEN_BACK_SPLITS = range(100, 106)


def _split(seed: int, given_back: float) -> PrivacyInputs:
    """Train, holdout and fresh patients of one draw; ``given_back``: the share of training patients whose every
    visit replaces a fresh patient's in the synthetic table, under a synthetic id (as a model would write them)."""
    frame = visits(2 * N_TRAIN + N_HOLDOUT, VISITS, seed=1000 + seed)
    person = frame.index // VISITS
    train = frame[person < N_TRAIN].reset_index(drop=True)
    holdout = frame[(person >= N_TRAIN) & (person < N_TRAIN + N_HOLDOUT)].reset_index(drop=True)
    synthetic = frame[person >= N_TRAIN + N_HOLDOUT].reset_index(drop=True)
    n_back = round(given_back * N_TRAIN)
    if n_back:
        chosen = np.random.default_rng([seed, 7]).choice(N_TRAIN, n_back, replace=False)
        back = train[np.isin(train.index // VISITS, chosen)].copy()
        back["patient_id"] = [f"S{i // VISITS:06d}" for i in range(len(back))]
        synthetic = pd.concat([back, synthetic.iloc[len(back) :]], ignore_index=True)
    return PrivacyInputs(train, holdout, synthetic, SCHEMA, person_column="patient_id")


def _attacks(inputs: PrivacyInputs) -> tuple[str, list[AttackResult]]:
    """Both singling-out attacks as the Privacy page runs them, and the verdict's light."""
    t = inputs.tables
    results = [
        singling_out(t.train, t.synthetic, holdout=t.holdout, mode=mode, inputs=inputs)  # type: ignore[arg-type]
        for mode in ("univariate", "multivariate")
    ]
    return attack_verdict("singling_out", "Singling out", results, Thresholds().attack).level, results


@pytest.fixture(scope="module")
def fresh() -> list[tuple[str, list[AttackResult]]]:
    return [_attacks(_split(seed, 0.0)) for seed in FRESH_SPLITS]


def test_fresh_patients_read_no_excess_and_green_split_after_split(fresh) -> None:  # type: ignore[no-untyped-def]
    lights = [light for light, _ in fresh]
    # The verdict keeps a criterion's false alarms at 5% (Bonferroni over its attacks): at most 1 split in 20. With the
    # beta's control these 20 splits read amber twice (splits 0 and 9, both from the 3-column attack).
    assert lights.count("green") >= 19, lights
    for mode in range(2):
        excess = np.array([results[mode].risk.excess for _, results in fresh])
        se = excess.std(ddof=1) / np.sqrt(len(excess))
        assert abs(excess.mean()) < 2 * se, (mode, excess.mean(), se)
        # each split's stated error covers the splits' spread (the beta stated 0.03 on the splits it read amber)
        stated = np.array([results[mode].risk.error for _, results in fresh]) / 1.96
        assert np.median(stated) > 0.7 * excess.std(ddof=1), (mode, np.median(stated), excess.std(ddof=1))
    for _, results in fresh:
        for r in results:
            assert "pooled" in r.detail and "holdout people" in r.detail, r.detail
            assert not any("too small" in w for w in r.warnings), r.warnings  # a holdout of a fifth is no small one


def test_a_fifth_of_training_patients_given_back_reads_amber_or_red() -> None:
    lights = []
    for seed in GIVEN_BACK_SPLITS:
        light, results = _attacks(_split(seed, 0.2))
        lights.append(light)
        assert results[0].risk.significant, results[0].risk  # their cost values isolate them over people
    assert sum(light in ("amber", "red") for light in lights) >= len(lights) - 1, lights


def test_auto_pools_over_people_wherever_the_beta_would_extrapolate() -> None:
    assert control_method("auto", 1_600, 400, people=True) == "pooled"
    # as large: nothing extrapolated, but the count's binomial interval took the predicates for independent draws
    assert control_method("auto", 1_600, 1_600, people=True) == "pooled"
    assert control_method("auto", 16_000, 4_000) == "beta"  # rows at 80/20: the beta as before
    assert control_method("beta", 1_600, 400, people=True) == "beta"  # a chosen control stands
