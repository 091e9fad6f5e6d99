"""The real peer libraries on a slice of the demo table (skipped unless the sdv / mostlyai extra is installed).

Run them with the extras installed, e.g. ``.venv-peers/bin/pytest tests/unit/test_peers_real.py -m peers``. Few
epochs: these check the adapters against the libraries' current APIs, not the models' quality (see
benchmarks/bench_synthesizers.py for that).
"""

from __future__ import annotations

import copy
import gc
import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import synth
from synth.progress import Cancelled
from synth.synthesizers.peers import PeerError

pytestmark = pytest.mark.peers

DEMO = Path(__file__).resolve().parents[2] / "assets" / "adult.csv.gz"
HAVE_SDV = importlib.util.find_spec("sdv") is not None
HAVE_ENGINE = (
    importlib.util.find_spec("mostlyai") is not None and importlib.util.find_spec("mostlyai.engine") is not None
)

CASES = [
    pytest.param("sdv_gaussian_copula", {}, marks=pytest.mark.skipif(not HAVE_SDV, reason="sdv extra not installed")),
    pytest.param("sdv_ctgan", {"epochs": 3}, marks=pytest.mark.skipif(not HAVE_SDV, reason="sdv extra not installed")),
    pytest.param("sdv_tvae", {"epochs": 3}, marks=pytest.mark.skipif(not HAVE_SDV, reason="sdv extra not installed")),
    pytest.param(
        "mostlyai_argn",
        {"max_epochs": 2, "model_size": "MOSTLY_AI/Small"},
        marks=pytest.mark.skipif(not HAVE_ENGINE, reason="mostlyai extra not installed"),
    ),
]


@pytest.fixture(scope="module")
def adult() -> pd.DataFrame:
    return pd.read_csv(DEMO).sample(1500, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="module")
def fitted() -> dict[str, synth.Synthesizer]:
    """Models fitted once per module, by name."""
    return {}


def _fit(name: str, params: dict, adult: pd.DataFrame, cache: dict[str, synth.Synthesizer]) -> synth.Synthesizer:
    if name not in cache:
        cache[name] = synth.create(name, random_state=3, **params).fit(adult)
    return cache[name]


@pytest.mark.parametrize(("name", "params"), CASES)
def test_the_real_library_follows_the_contract(
    name: str, params: dict, adult: pd.DataFrame, fitted: dict, tmp_path: Path
) -> None:
    assert name in synth.available()
    model = _fit(name, params, adult, fitted)
    syn = model.sample(2000, seed=1)
    assert list(syn.columns) == list(adult.columns) and dict(syn.dtypes) == dict(adult.dtypes)
    for column in adult.columns:
        if adult[column].dtype == object:
            # categories under min_category_rows are pooled into "(other)" by synth before the library sees them
            assert set(syn[column].dropna()) <= set(adult[column].dropna()) | {"(other)"}, column
        else:
            assert syn[column].min() >= adult[column].min() and syn[column].max() <= adult[column].max(), column
    pd.testing.assert_frame_equal(syn, model.sample(2000, seed=1))
    assert not syn.equals(model.sample(2000, seed=2))
    # Not a quality test: the model learned something (a marginal within a loose distance of the real one).
    column = "sex" if "sex" in adult.columns else adult.select_dtypes(object).columns[0]
    real_share = adult[column].value_counts(normalize=True)
    fake_share = syn[column].value_counts(normalize=True).reindex(real_share.index, fill_value=0.0)
    assert 0.5 * float(np.abs(real_share - fake_share).sum()) < 0.35
    with pytest.raises(PeerError, match="cannot be saved"):
        model.save(tmp_path / "m.synth")
    assert not (tmp_path / "m.synth").exists()


@pytest.mark.parametrize(
    ("name", "params"),
    [
        pytest.param(
            *case.values,
            marks=[
                *case.marks,
                pytest.mark.xfail(
                    reason="measured: after a TabularARGN fit in the same process, SDV's Gaussian copula refitted with "
                    "the same random_state differs (cause not found; in a fresh process, and after other SDV fits, "
                    "it is the same)",
                    strict=False,
                ),
            ],
        )
        if case.values[0] == "sdv_gaussian_copula"
        else case
        for case in CASES
    ],
)
def test_the_same_random_state_fits_the_same_model(name: str, params: dict, adult: pd.DataFrame, fitted: dict) -> None:
    first = _fit(name, params, adult, fitted)
    again = synth.create(name, random_state=3, **params).fit(adult)
    pd.testing.assert_frame_equal(again.sample(500, seed=4), first.sample(500, seed=4))


@pytest.mark.parametrize(("name", "params"), CASES)
def test_conditions_by_rejection_on_the_real_library(
    name: str, params: dict, adult: pd.DataFrame, fitted: dict
) -> None:
    model = _fit(name, params, adult, fitted)
    column = "sex" if "sex" in adult.columns else adult.select_dtypes(object).columns[0]
    value = adult[column].mode()[0]
    syn = model.sample(100, seed=0, conditions={column: value})
    assert (syn[column] == value).all()


@pytest.mark.parametrize(("name", "params"), CASES)
def test_a_cancelled_refit_leaves_the_real_model_as_it_was(
    name: str, params: dict, adult: pd.DataFrame, fitted: dict
) -> None:
    model = copy.deepcopy(_fit(name, params, adult, fitted))
    before = model.sample(200, seed=5)
    calls: list[str] = []

    def cancel_late(fraction: float, message: str) -> None:
        calls.append(message)
        if fraction >= 0.5:  # inside the library for the engine (training steps); after it for SDV
            raise Cancelled

    with pytest.raises(Cancelled):
        model.fit(adult.head(600), progress=cancel_late)
    pd.testing.assert_frame_equal(model.sample(200, seed=5), before)


@pytest.mark.skipif(not HAVE_ENGINE, reason="mostlyai extra not installed")
def test_the_engine_reports_training_steps_and_keeps_no_copy_of_the_rows(adult: pd.DataFrame, fitted: dict) -> None:
    fractions: list[float] = []
    model = synth.create("mostlyai_argn", random_state=1, max_epochs=1, model_size="MOSTLY_AI/Small")
    model.fit(adult.head(500), progress=lambda f, m: fractions.append(f))
    assert len([f for f in fractions if 0.1 < f < 0.98]) >= 2, "training steps move the progress bar"
    assert fractions == sorted(fractions)
    workspace = model.peer_model_.path
    files = [p for p in workspace.rglob("*") if p.is_file()]
    assert files and not any("OriginalData" in p.parts for p in files), "the engine's copy of the rows is deleted"
    del model
    gc.collect()
    assert not workspace.exists(), "the workspace goes with the model"


@pytest.mark.skipif(not HAVE_SDV, reason="sdv extra not installed")
def test_fitting_a_peer_leaves_the_global_generators_alone(adult: pd.DataFrame) -> None:
    import random

    import torch

    torch.manual_seed(11)
    np.random.seed(11)  # noqa: NPY002
    random.seed(11)
    before = (torch.random.get_rng_state().clone(), np.random.get_state()[1].copy(), random.getstate())  # noqa: NPY002
    synth.create("sdv_tvae", epochs=1, random_state=0).fit(adult.head(300)).sample(50, seed=0)
    assert torch.equal(torch.random.get_rng_state(), before[0])
    assert np.array_equal(np.random.get_state()[1], before[1])  # noqa: NPY002
    assert random.getstate() == before[2]
