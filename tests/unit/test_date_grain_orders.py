"""A date is a day, not the midnight that starts it: a delivery dated the day of its 10:00 order keeps the order.

Session 20 walk: a shop's delivery dates (DD/MM/YYYY) after order times (with seconds) read as breaking the order
on the 0.03% of rows delivered the same day, so no model kept it and Compare flagged 7.6% of Pruned CART's rows
and 21% of the copula's with a delivery day before the order's.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.evaluation.fidelity.orders import evaluate_orders, find_orders
from synth.synthesizers.base import load_model
from synth.synthesizers.persist import ModelFileError
from tests.unit.crafting import replaced_after


def _shop(n: int = 3000, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ordered = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.sort(rng.uniform(0, 300 * 86400, n)), unit="s")
    # a fifth of the parcels arrive the same day (within hours), the rest days later
    same_day = rng.random(n) < 0.2
    hours = np.where(same_day, rng.uniform(0.5, 6, n), rng.uniform(24, 24 * 6, n))
    delivered = (ordered + pd.to_timedelta(hours, unit="h")).normalize()
    delivered = delivered.where(delivered >= ordered.normalize(), ordered.normalize())
    return pd.DataFrame(
        {
            "ordered_at": ordered.strftime("%Y-%m-%d %H:%M:%S"),
            "delivered_on": delivered.strftime("%d/%m/%Y"),
            "amount": np.round(rng.gamma(2.0, 30.0, n), 2),
        }
    )


def _days(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    ordered = pd.to_datetime(frame["ordered_at"]).dt.normalize()
    return ordered, pd.to_datetime(frame["delivered_on"], format="%d/%m/%Y")


def test_a_same_day_date_does_not_break_the_order_of_a_time() -> None:
    real = _shop()
    ordered, delivered = _days(real)
    assert ((delivered == ordered).mean() > 0.05) and (delivered >= ordered).all()
    orders = {(o.low, o.high): o.real_breaks for o in find_orders(real, synth.infer_schema(real))}
    assert orders.get(("ordered_at", "delivered_on")) == 0.0, orders


@pytest.mark.parametrize("name", ["cart", "pruned_cart", "gaussian_copula"])
def test_models_keep_a_day_after_a_time_and_its_same_day_share(name: str) -> None:
    real = _shop()
    schema = synth.infer_schema(real)
    fake = synth.create(name, random_state=0).fit(real, schema).sample(3000, seed=1)
    ordered, delivered = _days(fake)
    assert (delivered >= ordered).all(), f"{(delivered < ordered).mean():.1%} of rows delivered before the order day"
    real_ordered, real_delivered = _days(real)
    real_same = float((real_delivered == real_ordered).mean())
    assert abs(float((delivered == ordered).mean()) - real_same) < 0.06
    broken = {(b.order.low, b.order.high): b.broken for b in evaluate_orders(real, fake, schema)}
    assert broken[("ordered_at", "delivered_on")] == 0.0


def test_the_copula_saves_its_whole_day_gaps_and_refuses_a_crafted_one(tmp_path: Path) -> None:
    real = _shop(1500)
    model = synth.create("gaussian_copula", random_state=0).fit(real)
    assert model.gap_days_ == ("delivered_on",)
    path = tmp_path / "m.synth"
    model.save(path)
    pd.testing.assert_frame_equal(load_model(path).sample(300, seed=3), model.sample(300, seed=3))
    crafted = replaced_after(path, tmp_path / "crafted.synth", "gap_days_", '"delivered_on"', '"amount"')
    with pytest.raises(ModelFileError, match="whole-day gap dates"):
        load_model(crafted)


def test_a_copula_file_from_before_whole_day_gaps_samples_as_it_did() -> None:
    model = synth.create("gaussian_copula", random_state=0).fit(_shop(1500))
    del model.gap_days_  # as loaded from an older file: gaps counted from the anchor's time
    ordered, delivered = _days(model.sample(500, seed=3))
    assert (delivered >= ordered).all()
