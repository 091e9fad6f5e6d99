"""Singling out's 95% interval: as wide as the risk moves when the whole run is repeated.

A repeat draws another synthetic table — so other synthetic rows, each giving its own predicates — and other train
and holdout people. The predicates of one synthetic row match much the same people, so they succeed or fail
together; resampling predicates one by one (and adding main's binomial error as if it were independent of the
control's) states a fraction of the spread. ``benchmarks/bench_singling_coverage.py`` measures it on real tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import synth
from synth.evaluation.privacy import singling_control, wp216
from synth.evaluation.privacy.attack_result import _result
from synth.evaluation.privacy.common import residual_risk, success_rate
from synth.evaluation.privacy.singling_control import SinglingError, singling_error

N_TRAIN, N_CONTROL, ROWS, PER_ROW = 2000, 500, 60, 8


def _repeat(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One run on a population with a known answer (no excess: train and holdout are drawn alike): ``ROWS``
    synthetic rows each give ``PER_ROW`` predicates that match the same people (weights log-uniform around
    1/n). Returns the main hits, the control match matrix and each predicate's synthetic row."""
    w = np.exp(rng.uniform(np.log(1e-4), np.log(5e-3), ROWS))
    people = rng.random((ROWS, N_CONTROL)) < w[:, None]
    hits = rng.binomial(N_TRAIN, w) == 1
    return np.repeat(hits, PER_ROW), np.repeat(people, PER_ROW, axis=0), np.repeat(np.arange(ROWS), PER_ROW)


def test_the_risks_interval_is_as_wide_as_the_risk_moves_between_repeats() -> None:
    """25 repeats (seeded) of the npmle-extrapolated attack: the stated standard error over the spread of the
    excess. Resampled by synthetic row it is near 1; predicate by predicate — the old bootstrap's unit — and with
    the binomial errors it was about a third (the old interval covered the mean in about half the repeats)."""
    z = 1.959963984540054
    fit = None
    excess, by_row, by_predicate, binomial = [], [], [], []
    for rep in range(25):
        rng = np.random.default_rng(rep)
        hits, matches, rows = _repeat(rng)
        q = len(hits)
        # the estimate as control_estimate makes it, warm-started from the first repeat's fit to keep this fast
        estimate, fit = singling_control._npmle_fit(matches.sum(axis=1), N_CONTROL, N_TRAIN, fit, 300)
        risk = residual_risk(success_rate(float(hits.sum()), q), success_rate(min(estimate, q), q))
        excess.append(risk.excess)
        binomial.append(risk.error / z)
        for out, clusters in ((by_row, rows), (by_predicate, None)):
            error = singling_error(hits, matches, N_TRAIN, rng, "npmle", n_boot=10, fitted=fit, clusters=clusters)
            out.append(error.excess)
    spread = float(np.std(excess, ddof=1))
    assert 0.75 < np.mean(by_row) / spread < 1.35
    assert np.mean(by_predicate) / spread < 0.5 and np.mean(binomial) / spread < 0.5
    centre = float(np.mean(excess))
    covered = np.abs(np.array(excess) - centre) <= z * np.array(by_row)
    assert covered.mean() >= 0.85


def test_the_risks_interval_is_the_bootstrap_or_the_binomial_whichever_is_wider() -> None:
    binomial = residual_risk(success_rate(300, 2000), success_rate(320, 2000))
    wide = _result("x", "singling_out", "x", (300, 2000), (320, 2000), (10, 2000), 0.95, excess_se=0.05, columns=())
    assert wide.risk.excess == binomial.excess
    assert wide.risk.error == pytest.approx(1.959963984540054 * 0.05)
    assert wide.risk.low == 0.0 and wide.risk.high == pytest.approx(binomial.excess + wide.risk.error)
    narrow = _result("x", "singling_out", "x", (300, 2000), (320, 2000), (10, 2000), 0.95, excess_se=1e-4, columns=())
    assert narrow.risk.error == binomial.error  # a handful of successes: the bootstrap sees too little to vary
    plain = _result("x", "singling_out", "x", (300, 2000), (320, 2000), (10, 2000), 0.95, columns=())
    assert plain.risk == binomial


@pytest.mark.parametrize("mode", ["univariate", "multivariate"])
def test_the_attack_resamples_the_synthetic_rows_its_predicates_single_out(
    adult_small: pd.DataFrame, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clusters handed to the bootstrap are the synthetic rows: each predicate matches its own, and the risk's
    error is the bootstrap's (at least)."""
    train, holdout = synth.split(adult_small, 0.3, seed=0)
    syn = train.sample(frac=1.0, random_state=1).reset_index(drop=True)
    seen: dict[str, np.ndarray] = {}
    real = wp216.singling_error

    def spy(*args: object, clusters: np.ndarray | None = None, **kwargs: object) -> SinglingError:
        assert clusters is not None
        seen["clusters"] = clusters
        return real(*args, clusters=clusters, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(wp216, "singling_error", spy)
    result = wp216.singling_out(train, syn, holdout=holdout, mode=mode, n_attacks=300, seed=0)  # type: ignore[arg-type]
    assert len(seen["clusters"]) == result.n_attacks and len(np.unique(seen["clusters"])) > 1
    assert result.risk.error > 0


def test_more_replicates_and_groups_state_a_narrower_error_that_moves_less_between_seeds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stated error is the wider of the bootstrap's and the jackknife's, each a noisy estimate, so the noisier
    they are the higher the wider one runs: with 20 replicates and 10 jackknife groups the 3-column interval of a
    2,000 / 500 table stated 1.44× the risk's spread over repeats, with 60 and 20 1.35× (BOOTSTRAP_REPLICATES). On one
    such table, over attack seeds, 60 and 20 state a lower error on average, and it moves less from seed to seed."""
    from benchmarks.bench_singling_coverage import CASES, _tables
    from synth.evaluation.privacy.inputs import PrivacyInputs
    from synth.evaluation.privacy.singling_out import match_counts, match_matrix, multivariate_queries

    case = CASES["adult_small_fresh"]
    table = case["load"]()
    schema = synth.infer_schema(table)
    train, holdout, syn = _tables(case, table, schema, 0)
    inputs = PrivacyInputs(train, holdout, syn, schema)
    s, r, c = (inputs.query_values(w) for w in ("synthetic", "train", "holdout"))  # type: ignore[arg-type]
    queries, _ = multivariate_queries(s, inputs.query_encoder.numeric, 2000, 3, np.random.default_rng(0))
    hits, matches = match_counts(r, queries) == 1, match_matrix(c, queries)
    now = (singling_control.BOOTSTRAP_REPLICATES, singling_control.JACKKNIFE_GROUPS)
    assert now == (60, 20)
    stated: dict[tuple[int, int], np.ndarray] = {}
    for boot, groups in ((20, 10), now):
        monkeypatch.setattr(singling_control, "JACKKNIFE_GROUPS", groups)
        stated[boot, groups] = np.array(
            [
                singling_error(
                    hits, matches, r.shape[1], np.random.default_rng(seed), n_boot=boot, clusters=queries.source
                ).excess
                for seed in range(12)
            ]
        )
    old, new = stated[20, 10], stated[now]
    assert new.mean() < 0.97 * old.mean(), (old.mean(), new.mean())
    assert new.std() < old.std(), (old.std(), new.std())
