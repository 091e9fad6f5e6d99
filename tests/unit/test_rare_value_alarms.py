"""False alarms of "Real values copied": tables that cannot leak read red no more often than the light promises (one
side of a 95% interval: 2.5%), and leaks stay red. ``python -m benchmarks.bench_rare_value_alarms`` measures it over
100 splits of four tables."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.stats import hypergeom

import synth
from benchmarks.bench_rare_value_alarms import three_way, with_train_rows
from synth.evaluation.privacy.rare_values import evaluate_rare_values
from synth.evaluation.privacy.verdict_criteria import Thresholds, rare_value_verdict

BIKE = Path(__file__).resolve().parents[3] / "shared" / "datasets" / "bike_sharing_hourly.csv"
needs_bike = pytest.mark.skipif(not BIKE.exists(), reason="shared datasets not present")
PROMISED = 0.025  # one side of a 95% interval: the chance of a flag above 0 when nothing leaked


def _light(train: pd.DataFrame, synthetic: pd.DataFrame, holdout: pd.DataFrame, schema: synth.Schema) -> str:
    result = evaluate_rare_values(train, synthetic, holdout, schema=schema, columns=schema.modelled)
    return rare_value_verdict(result, Thresholds().rare_values).level


def _flagged(on_train: int, on_holdout: int, n_train: int, n_holdout: int, columns: int) -> bool:
    """Whether a column with ``n_train`` train-only and ``n_holdout`` holdout-only values, of which the synthetic
    table holds ``on_train`` and ``on_holdout``, is flagged among ``columns`` alike."""
    train_values, holdout_values = np.arange(n_train), np.arange(10_000, 10_000 + n_holdout)
    held = np.concatenate([train_values[:on_train], holdout_values[:on_holdout]])
    names = [f"x{i}" for i in range(columns)]
    result = evaluate_rare_values(
        pd.DataFrame(dict.fromkeys(names, train_values)),
        pd.DataFrame(dict.fromkeys(names, held)),
        pd.DataFrame(dict.fromkeys(names, holdout_values)),
    )
    return result.get("x0").flagged


@pytest.mark.parametrize(("n_train", "n_holdout", "columns"), [(78, 20, 1), (78, 20, 2), (40, 10, 1)])
def test_a_column_is_flagged_by_chance_no_more_often_than_promised_at_every_count(
    n_train: int, n_holdout: int, columns: int
) -> None:
    """Bike Sharing's cnt at 80/20 has about 78 train-only and 20 holdout-only values. Given which of them the
    synthetic table holds, a split that leaked nothing puts the reproduced ones on the training side by the
    hypergeometric law; the chance of a flag under that law must stay within the promise at every number reproduced.
    The interval alone flagged 5.6% of such splits where 93 of the 98 were reproduced (a sample a few times train's
    size), 7.8% of two such columns, 6.5% at 40 and 10 values."""
    total = n_train + n_holdout
    worst = 0.0
    for reproduced in range(total - 20, total + 1):  # where the interval alone overshot: nearly every value held
        chance = sum(
            hypergeom.pmf(on_train, total, reproduced, n_train)
            for on_train in range(max(0, reproduced - n_holdout), min(reproduced, n_train) + 1)
            if _flagged(on_train, reproduced - on_train, n_train, n_holdout, columns)
        )
        worst = max(worst, 1.0 - (1.0 - chance) ** columns)  # the light reads the worst of the columns
    assert worst <= PROMISED, worst
    # A copy of train still is flagged: every train-only value held, no holdout-only one.
    assert _flagged(n_train, 0, n_train, n_holdout, columns)


@needs_bike
def test_bike_sharing_fresh_rows_read_not_red_and_leaks_read_red() -> None:
    """Fresh Bike Sharing rows (a third part of the table, train-sized) against train 80 : holdout 20: no more than
    one red in 20 splits (100 splits: 1 red, bench_rare_value_alarms), while a copy of train and half of train rows
    read red on every split."""
    table = synth.read_table(BIKE)
    fresh_lights = []
    for seed in range(20):
        train, holdout, fresh = three_way(table, seed)
        schema = synth.infer_schema(train)
        fresh_lights.append(_light(train, fresh, holdout, schema))
        if seed < 4:
            assert _light(train, train, holdout, schema) == "red"
            assert _light(train, with_train_rows(fresh, train, 0.5, seed), holdout, schema) == "red", seed
    assert fresh_lights.count("red") <= 1, fresh_lights
    assert set(fresh_lights) <= {"green", "amber", "red"}, "every split judged something"


@needs_bike
def test_bike_sharing_the_split_the_interval_alone_read_red_reads_green() -> None:
    """Independent marginals sampled at five times train's size on Bike Sharing (split seed 19): registered's 84
    reproduced of 91 values seen once put 3 of the 7 missed ones in train's 72 and 4 in the holdout's 19, an
    excess of 16.9% whose widened interval lay above 0 (red). Four of seven missed falling on the holdout side is
    within chance (exact p 0.032, above the 0.0125 two columns need). Train's own rows added to the same sample
    read red."""
    table = synth.read_table(BIKE)
    train, holdout = synth.split(table, holdout=0.2, seed=19)
    schema = synth.infer_schema(train)
    sample = synth.create("independent").fit(train, schema).sample(5 * len(train), seed=19)
    assert _light(train, sample, holdout, schema) == "green"
    # Its words say why the interval above 0 stays green, not "its 95% interval includes no risk".
    result = evaluate_rare_values(train, sample, holdout, schema=schema, columns=schema.modelled)
    registered = result.get("registered")
    assert registered.vetoed and registered.judged_interval[0] > 0, registered
    words = rare_value_verdict(result, Thresholds().rare_values).value
    assert "holds all but 7 of the values seen once" in words, words
    assert "exact test p = 0.032, a flag needs below 0.0125" in words, words
    assert "interval includes no risk" not in words, words
    leaked = pd.concat([sample, train], ignore_index=True)
    assert _light(train, leaked, holdout, schema) == "red"
