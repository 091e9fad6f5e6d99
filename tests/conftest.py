"""Shared fixtures: the real demo table, small seeded subsets, and a clean Streamlit cache per app test."""

from __future__ import annotations

import gzip
import io
import itertools
import os
import zlib
from collections.abc import Callable, Iterator
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


def read_adult() -> pd.DataFrame:
    """The full UCI Adult table shipped as the demo (32,561 rows)."""
    return pd.read_csv(io.BytesIO(gzip.decompress(DEMO.read_bytes())))


def small_sample(adult: pd.DataFrame) -> pd.DataFrame:
    """A seeded 3,000-row sample of Adult, for fast tests."""
    return adult.sample(3000, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def adult() -> pd.DataFrame:
    """The full UCI Adult table shipped as the demo (32,561 rows)."""
    return read_adult()


@pytest.fixture(scope="session")
def adult_small(adult: pd.DataFrame) -> pd.DataFrame:
    """A seeded 3,000-row sample of Adult, for fast tests."""
    return small_sample(adult)


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


class SeededNoise:
    """The DP network's private noise in tests: a seeded stream per call of ``private_rng`` (two fits differ, as
    the DP tests require), numbered from the start of what is being set up, under that setup's own key."""

    def __init__(self) -> None:
        self.key: tuple[int, ...] = ()
        self.streams = itertools.count()

    def __call__(self) -> np.random.Generator:
        return np.random.default_rng([20261201, *self.key, next(self.streams)])

    def restart(self, key: tuple[int, ...]) -> tuple[tuple[int, ...], Iterator[int]]:
        """Number the streams from 0 under ``key``; returns what was there, for :meth:`resume`."""
        saved = self.key, self.streams
        self.key, self.streams = key, itertools.count()
        return saved

    def resume(self, saved: tuple[tuple[int, ...], Iterator[int]]) -> None:
        self.key, self.streams = saved


DP_NOISE = SeededNoise()


def fixture_key(name: str) -> tuple[int]:
    """The noise key of the wider-than-a-test fixture called ``name`` (a test replaying its setup elsewhere, in
    a subprocess, restarts :data:`DP_NOISE` with it)."""
    return (zlib.crc32(name.encode()),)


@pytest.fixture(scope="session", autouse=True)
def os_entropy_rng() -> Iterator[Callable[[], np.random.Generator]]:
    """Seed the DP network's private noise for the whole session, module- and session-wide fixtures included;
    yields the product's own ``private_rng`` (fresh OS entropy), for the test that checks it.

    A function-scoped patch alone came too late for them: pytest sets up wider fixtures first, so a module's
    race fixture (``test_report``'s CART and PrivBayes ε=1) fitted with fresh OS entropy, and its PrivBayes verdict
    changed from one run to the next with the same seeds (four processes: red, amber, green, amber). In the
    product each fit's noise comes from fresh OS entropy (never from ``random_state``, never saved).
    """
    from synth.synthesizers.dp import mechanisms

    with pytest.MonkeyPatch.context() as patch:
        own = mechanisms.private_rng
        patch.setattr(mechanisms, "private_rng", DP_NOISE)
        yield own


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[object], request: pytest.FixtureRequest) -> object:
    """A module-, class- or session-wide fixture draws its DP noise under its own name, from stream 0: the same
    noise whichever test happens to set it up first (and the test's own numbering is left where it was)."""
    if fixturedef.scope == "function":
        return (yield)
    saved = DP_NOISE.restart(fixture_key(fixturedef.argname))
    try:
        return (yield)
    finally:
        DP_NOISE.resume(saved)


@pytest.fixture(autouse=True)
def seeded_dp_noise() -> None:
    """Every test draws the same DP noise on every run, whatever ran before it: its streams are numbered from the
    start of the test. Tests that attack the mechanism patch ``private_rng`` themselves."""
    DP_NOISE.restart(())
