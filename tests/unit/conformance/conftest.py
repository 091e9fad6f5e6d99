"""The fitted models and samples the contract's modules share: fitted once per package run (per xdist worker),
not once per module.
"""

from __future__ import annotations

import pandas as pd
import pytest

import synth
from synth.synthesizers.base import Synthesizer
from tests.unit.conformance.contract import FITTED_NAMES, make, mixed_table


@pytest.fixture(scope="package")
def real() -> pd.DataFrame:
    return mixed_table()


@pytest.fixture(scope="package")
def schema(real: pd.DataFrame) -> synth.Schema:
    return synth.infer_schema(real)


@pytest.fixture(scope="package")
def fitted(real: pd.DataFrame, schema: synth.Schema) -> dict[str, Synthesizer]:
    return {name: make(name).fit(real, schema) for name in FITTED_NAMES}


@pytest.fixture(scope="package")
def samples(fitted: dict[str, Synthesizer]) -> dict[str, pd.DataFrame]:
    return {name: model.sample(3000, seed=11) for name, model in fitted.items()}
