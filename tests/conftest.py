"""Shared fixtures: the real demo table, small seeded subsets, and a clean Streamlit cache per app test."""

from __future__ import annotations

import gzip
import io
import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import settings

from synth.report import EvaluationSettings
from synth.schema import Schema

# Hypothesis draws its examples from a fixed seed, like every other random thing in the suite, so a run is
# reproducible; SYNTH_HYPOTHESIS_PROFILE=explore searches fresh examples (worth a run before a release).
settings.register_profile("seeded", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("SYNTH_HYPOTHESIS_PROFILE", "seeded"))

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "assets" / "adult.csv.gz"
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"
#: Race and report scoring light enough for unit tests (a few bootstrap rounds, few attack targets).
FAST_RACE = EvaluationSettings(n_bootstrap=20, n_attacks=100, membership_targets=200, utility_rows=1500)


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    """The full UCI Adult table shipped as the demo (32,561 rows)."""
    return pd.read_csv(io.BytesIO(gzip.decompress(DEMO.read_bytes())))


@pytest.fixture(scope="session")
def adult_small(adult: pd.DataFrame) -> pd.DataFrame:
    """A seeded 3,000-row sample of Adult, for fast tests."""
    return adult.sample(3000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def split_small(adult_small: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, Schema]:
    """``adult_small`` split 80/20 (seed 0), with its inferred schema: the race and report tests' table."""
    from synth import infer_schema, split

    schema = infer_schema(adult_small)
    train, holdout = split(adult_small, holdout=0.2, seed=0)
    return train, holdout, schema


@pytest.fixture(autouse=True)
def main_module_restored() -> Iterator[None]:
    """Put back the ``__main__`` module a test found. AppTest runs a page as ``__main__`` from a temporary script
    (``AppTest.from_function`` writes one) and leaves its ``__file__`` behind; a later test that starts processes by
    spawning (the Dask engine's workers) then re-ran that script in every worker, which failed with "name '__args'
    is not defined" and "Nanny failed to start"."""
    import sys

    main = sys.modules.get("__main__")
    saved = None if main is None else {k: main.__dict__[k] for k in ("__file__", "__spec__") if k in main.__dict__}
    yield
    if main is None or saved is None:
        return
    sys.modules["__main__"] = main
    for key in ("__file__", "__spec__"):
        if key in saved:
            main.__dict__[key] = saved[key]
        else:
            main.__dict__.pop(key, None)


@pytest.fixture(autouse=True)
def seeded_dp_noise(monkeypatch: pytest.MonkeyPatch) -> None:
    """Seed the DP network's private noise in tests, so that every run of a test draws the same noise.

    In the product each fit's noise comes from fresh OS entropy (never from ``random_state``, never saved); here
    each fit still gets its own stream (two fits differ, as the DP tests require), numbered from the start of
    the test. Tests that attack the mechanism patch ``private_rng`` themselves.
    """
    from synth.synthesizers.dp import mechanisms

    streams = itertools.count()
    monkeypatch.setattr(mechanisms, "private_rng", lambda: np.random.default_rng([20261201, next(streams)]))
