"""Singling out with a holdout 40× smaller than train: fresh rows read green, a fifth of train copied does not.

The beta's extrapolation from 400 holdout rows to 16,000 training rows is an assumption, and its honest interval
spanned ±0.2 or more: a synthetic table holding 3,200 copied training rows read green. The pooled control
(:mod:`synth.evaluation.privacy.singling_pooled`) compares train and holdout within their union, by exchangeability.
``benchmarks/bench_singling_holdout.py`` measures the same on Adult's 48,842 rows with 24,000 / 600.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
from synth.evaluation.privacy.attack_result import AttackResult
from synth.evaluation.privacy.inputs import PrivacyInputs
from synth.evaluation.privacy.singling_pooled import (
    MAX_POOLED_PREDICATES,
    control_method,
    pooled_control,
    pooled_predicates,
)
from synth.evaluation.privacy.verdict_criteria import Thresholds, attack_verdict
from synth.evaluation.privacy.wp216 import singling_out

N_TRAIN, N_HOLDOUT, SEEDS = 16_000, 400, (0, 1, 2)


def _cut(adult: pd.DataFrame, seed: int, copied: float) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Train, a 40×-smaller holdout and 16,000 fresh rows as the synthetic table, ``copied`` of them training rows."""
    order = np.random.default_rng([seed, 30]).permutation(len(adult))
    train = adult.iloc[order[:N_TRAIN]].reset_index(drop=True)
    holdout = adult.iloc[order[N_TRAIN : N_TRAIN + N_HOLDOUT]].reset_index(drop=True)
    fresh = adult.iloc[order[N_TRAIN + N_HOLDOUT : 2 * N_TRAIN + N_HOLDOUT]].reset_index(drop=True)
    n_copies = round(copied * len(fresh))
    synthetic = pd.concat([train.iloc[:n_copies], fresh.iloc[n_copies:]], ignore_index=True)
    return train, holdout, synthetic


def _light(
    adult: pd.DataFrame, seed: int, copied: float, size_correction: str = "auto"
) -> tuple[str, list[AttackResult]]:
    """The verdict's singling-out light from both attacks, run as the Privacy page runs them."""
    train, holdout, synthetic = _cut(adult, seed, copied)
    inputs = PrivacyInputs(train, holdout, synthetic, synth.infer_schema(train))
    results = [
        singling_out(train, synthetic, holdout=holdout, mode=mode, size_correction=size_correction, inputs=inputs)  # type: ignore[arg-type]
        for mode in ("univariate", "multivariate")
    ]
    return attack_verdict("singling_out", "Singling out", results, Thresholds().attack).level, results


@pytest.mark.parametrize("seed", SEEDS)
def test_fresh_rows_read_green_with_a_holdout_40_times_smaller(adult: pd.DataFrame, seed: int) -> None:
    light, results = _light(adult, seed, 0.0)
    assert light == "green", [(r.name, r.risk) for r in results]
    for r in results:  # the pooled control, with more predicates than the 2,000 asked for
        assert r.detail.count("pooled") == 1 and r.n_attacks > 2000, r.detail
        assert any("too small" in w and "not firm" in w for w in r.warnings), r.warnings  # the page says so
    # green by a sharp reading, not an interval too wide to see anything (the beta's spanned ±0.2 to ±0.5 here)
    assert results[0].risk.error < 0.08, results[0].risk


@pytest.mark.parametrize("seed", SEEDS)
def test_a_fifth_of_train_copied_reads_amber_or_red_with_the_same_small_holdout(adult: pd.DataFrame, seed: int) -> None:
    light, results = _light(adult, seed, 0.2)
    assert light in ("amber", "red"), [(r.name, r.risk) for r in results]


def test_the_beta_extrapolation_let_the_copies_pass_at_40_times(adult: pd.DataFrame) -> None:
    """What the pooled control mends: the beta's interval at 40× is too wide to see a fifth of train copied."""
    light, results = _light(adult, SEEDS[0], 0.2, size_correction="beta")
    assert light == "green"
    assert min(r.risk.high - r.risk.low for r in results) > 0.2


def test_the_pooled_control_is_unbiased_and_states_the_splits_spread() -> None:
    """Fixed predicates on a fixed union of 2,050 people, the holdout a random 50 of them (40×): over 300 splits
    main − control averages 0 and its stated error is its spread, and the excess's 95% interval excludes 0 from
    above in at most 2.5% of splits. A control not scaled by the sizes reads far off, and an error that counted each
    isolation as independent too narrow: here five people are isolated by 8 predicates each, and they fall in the
    holdout or not together."""
    rng = np.random.default_rng(7)
    n, n_control, q = 2_050, 50, 1_500
    weights = rng.beta(0.6, 400.0, q)  # mostly rare predicates, some common
    union = rng.random((q, n)) < weights[:, None]
    union[:40] = False
    union[np.arange(40), np.arange(40) % 5] = True
    difference, stated, excess, excess_se = np.array([_split_control(rng, union, n_control) for _ in range(300)]).T
    assert abs(difference.mean()) < 3 * difference.std() / np.sqrt(len(difference))
    assert 0.85 < stated.mean() / difference.std() < 1.2
    assert np.mean(excess - 1.96 * excess_se > 0) <= 0.025


def _split_control(rng: np.random.Generator, union: np.ndarray, n_control: int) -> tuple[float, float, float, float]:
    """One random split of ``union``'s people: main − control as a share of the predicates and its stated error,
    the excess and its stated error."""
    order = rng.permutation(union.shape[1])
    held, trained = order[:n_control], order[n_control:]
    train_matches = union[:, trained]
    train_counts = train_matches.sum(axis=1)
    control = pooled_control(train_counts, union[:, held], len(trained), lambda at: train_matches[at].argmax(axis=1))
    q = len(train_counts)
    main, rate = float((train_counts == 1).sum()) / q, control.expected / q
    return main - rate, control.excess_se * (1.0 - rate), (main - rate) / (1.0 - rate), control.excess_se


def test_auto_pools_from_eight_times_and_draws_more_predicates_for_a_smaller_holdout() -> None:
    assert control_method("auto", 24_000, 600) == "pooled"
    assert control_method("auto", 8_000, 1_000) == "pooled"
    assert control_method("auto", 7_999, 1_000) == "beta"
    assert control_method("auto", 16_000, 4_000) == "beta"  # the page's 80/20 split reads as before
    assert control_method("beta", 24_000, 600) == "beta"
    assert pooled_predicates(2_000, 24_000, 600) == 16_400  # the holdout's share of a fifth of the union
    assert pooled_predicates(2_000, 8_000, 1_000) == 3_600
    assert pooled_predicates(2_000, 240_000, 600) == MAX_POOLED_PREDICATES


def _patients(n_people: int, seed: int, first: int) -> pd.DataFrame:
    """Patients with 1–4 visits: date of birth, sex and region per patient, department and cost per visit."""
    rng = np.random.default_rng(seed)
    person = np.repeat(np.arange(n_people), rng.integers(1, 5, n_people))
    dob = pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 60 * 365, n_people), unit="D")
    return pd.DataFrame(
        {
            "patient_id": [f"P{first + p:06d}" for p in person],
            "dob": dob[person],
            "sex": rng.choice(["F", "M"], n_people)[person],
            "region": rng.choice([f"r{i}" for i in range(12)], n_people)[person],
            "dept": rng.choice(list("ABCDEFGH"), len(person)),
            "cost": np.round(rng.gamma(2.0, 100.0, len(person)), 2),
        }
    )


def test_over_people_the_pooled_control_catches_patients_given_back_and_passes_fresh_ones() -> None:
    """With a person column and 3,000 training against 300 holdout patients (10×), the pooled control counts people:
    a training patient isolated by many visits' predicates is one person."""
    train, holdout, fresh = _patients(3_000, 0, 0), _patients(300, 1, 10_000), _patients(3_000, 2, 20_000)
    schema = synth.infer_schema(pd.concat([train, holdout], ignore_index=True))
    given_back = train.drop_duplicates("patient_id").reset_index(drop=True)
    given_back["patient_id"] = [f"S{i:06d}" for i in range(len(given_back))]
    risks = {}
    for name, synthetic in (("fresh", fresh), ("given back", given_back)):
        inputs = PrivacyInputs(train, holdout, synthetic, schema, person_column="patient_id")
        result = singling_out(train, synthetic, holdout=holdout, schema=schema, mode="univariate", inputs=inputs)
        assert result.person == "patient_id" and "pooled" in result.detail and "holdout people" in result.detail
        risks[name] = result.risk
    assert not risks["fresh"].significant, risks["fresh"]
    assert risks["given back"].significant and risks["given back"].value > 0.3, risks["given back"]
