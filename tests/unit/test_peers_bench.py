"""bench_frontier's reading of TabularARGN's training log (how many epochs the engine ran and which it kept)."""

from __future__ import annotations

import types
from pathlib import Path

import pandas as pd
import pytest

THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """The benchmark module; the thread variables it sets on import are put back after the test."""
    import os

    for var in THREAD_VARS:
        if var in os.environ:
            monkeypatch.setenv(var, os.environ[var])
        else:
            monkeypatch.delenv(var, raising=False)
    from benchmarks import bench_frontier

    return bench_frontier


def fitted(path: Path) -> types.SimpleNamespace:
    return types.SimpleNamespace(peer_model_=types.SimpleNamespace(path=path))


def write_log(workspace: Path, frame: pd.DataFrame) -> None:
    folder = workspace / "ModelStore" / "model-data"
    folder.mkdir(parents=True)
    frame.to_csv(folder / "progress-messages.csv", index=False)


def test_engine_training_reads_epochs_run_the_epoch_kept_and_seconds(bench: types.ModuleType, tmp_path: Path) -> None:
    # The engine's columns, as mostlyai-engine 2.7 writes them: checkpoints at epochs 2 and 4, stopped at 6.
    write_log(
        tmp_path,
        pd.DataFrame(
            {
                "epoch": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
                "is_checkpoint": [0, 1, 0, 1, 0, 0],
                "steps": [10, 20, 30, 40, 50, 60],
                "samples": [100, 200, 300, 400, 500, 600],
                "trn_loss": [9.0, 8.0, 7.5, 7.0, 6.9, 6.8],
                "total_time": [3.0, 6.1, 9.2, 12.4, 15.5, 18.7],
                "learn_rate": [1e-3] * 6,
                "val_loss": [9.5, 8.5, 8.6, 8.2, 8.3, 8.4],
            }
        ),
    )
    assert bench.engine_training(fitted(tmp_path)) == {"epochs": 6.0, "checkpoint_epoch": 4.0, "training_s": 18.7}


def test_engine_training_without_a_checkpoint_says_none(bench: types.ModuleType, tmp_path: Path) -> None:
    write_log(tmp_path, pd.DataFrame({"epoch": [1.0, 2.0], "is_checkpoint": [0, 0], "total_time": [1.0, 2.0]}))
    assert bench.engine_training(fitted(tmp_path)) == {"epochs": 2.0, "checkpoint_epoch": None, "training_s": 2.0}


def test_engine_training_is_none_for_other_synthesizers_and_missing_logs(
    bench: types.ModuleType, tmp_path: Path
) -> None:
    assert bench.engine_training(types.SimpleNamespace()) is None  # ours: no peer_model_
    assert bench.engine_training(types.SimpleNamespace(peer_model_=object())) is None  # SDV: a model, no workspace
    assert bench.engine_training(fitted(tmp_path)) is None  # a workspace without the log
