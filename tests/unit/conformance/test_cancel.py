"""Progress and cancel: a fit reports as it goes, and cancelling at any report leaves the model as it was."""

from __future__ import annotations

import copy

import pandas as pd
import pytest

import synth
from tests.unit.conformance.contract import NAMES, make


# ----------------------------------------------------------------------------- cancel
class CancelAt:
    """A progress callback that cancels at its ``stop``-th call (never when ``stop`` is None)."""

    def __init__(self, stop: int | None) -> None:
        self.stop = stop
        self.calls = 0

    def __call__(self, fraction: float, message: str, /) -> None:
        assert 0.0 <= fraction <= 1.0 and message
        self.calls += 1
        if self.stop is not None and self.calls >= self.stop:
            raise synth.Cancelled


@pytest.mark.parametrize("name", NAMES)
def test_cancel_at_any_point_leaves_the_model_as_it_was(name: str, real: pd.DataFrame, schema: synth.Schema) -> None:
    counter = CancelAt(None)
    make(name).fit(real, schema, progress=counter)
    assert counter.calls >= 3, "a fit reports progress as it goes"
    fresh = make(name)
    for stop in range(1, counter.calls):
        with pytest.raises(synth.Cancelled):
            fresh.fit(real, schema, progress=CancelAt(stop))
        assert not fresh.is_fitted
        assert sorted(vars(fresh)) == sorted(vars(make(name))), "no learned attribute is left behind"

    fitted = make(name, random_state=2).fit(real, schema)
    before_state = dict(vars(fitted))
    expected = copy.deepcopy(fitted).sample(100)  # (a second fit would differ for a DP model: fresh noise)
    other = real.sample(frac=0.5, random_state=1).reset_index(drop=True)
    with pytest.raises(synth.Cancelled):
        fitted.fit(other, progress=CancelAt(counter.calls - 1))
    assert vars(fitted).keys() == before_state.keys()
    assert all(vars(fitted)[k] is v for k, v in before_state.items())
    pd.testing.assert_frame_equal(fitted.sample(100), expected)


@pytest.mark.parametrize("name", NAMES)
def test_a_cancelled_sample_does_not_advance_the_generator(name: str, real: pd.DataFrame, schema: synth.Schema) -> None:
    one = make(name, random_state=4).fit(real, schema)
    two = copy.deepcopy(one)  # (a second fit would differ for a DP model: fresh noise)
    with pytest.raises(synth.Cancelled):
        one.sample(500, progress=CancelAt(2))
    pd.testing.assert_frame_equal(one.sample(100), two.sample(100))
