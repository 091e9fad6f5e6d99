from __future__ import annotations

import pandas as pd
import pytest

import synth
from synth.progress import scaled


def test_scaled_maps_a_substep_into_its_slice() -> None:
    seen: list[tuple[float, str]] = []
    sub = scaled(lambda f, m: seen.append((f, m)), 0.5, 0.75)
    sub(0.0, "a")
    sub(1.0, "b")
    sub(2.0, "clamped")
    assert seen == [(0.5, "a"), (0.75, "b"), (0.75, "clamped")]


@pytest.mark.parametrize("name", ["independent", "gaussian_copula"])
def test_fit_reports_progress_monotonically_to_one(name: str, adult_small: pd.DataFrame) -> None:
    fractions: list[float] = []
    synth.create(name).fit(adult_small, progress=lambda f, m: fractions.append(f))
    assert fractions[-1] == 1.0
    assert fractions == sorted(fractions)


def test_cancel_leaves_the_model_unfitted(adult_small: pd.DataFrame) -> None:
    def cancel(fraction: float, message: str) -> None:
        if fraction > 0.3:
            raise synth.Cancelled

    model = synth.create("gaussian_copula")
    with pytest.raises(synth.Cancelled):
        model.fit(adult_small, progress=cancel)
    assert not model.is_fitted
